"""Patch identity across runs (动态更新): fingerprints and matching new patches to the previous run's.

Why: decisions are attached to patch ids.  When a plan changes and detection runs again, every
patch that is still "the same difference" must keep its id (and its decisions); a patch that moved
a little keeps its id but asks for re-confirmation; re-coded, split and merged patches get new ids
that list their predecessors (whose decisions the reviewer is shown); a vanished patch is closed,
never deleted (DESIGN.md, Contract 2).

**Fingerprint** — a fast path only: a hash of the kind, the code combination and the geometry
normalised (coordinates snapped to a 1 cm grid, repeated points removed, rings oriented and ordered
by ``shapely.normalize``, 2-D little-endian WKB).  Equal fingerprints mean "same patch" without any
geometry work; GEOS versions may differ in the last digits, so unequal fingerprints prove nothing and
fall through to the overlap test.

**Matching** (:func:`match`), on arrays, no per-patch geometry loops:

1. equal fingerprint → same id, ``same``;
2. same kind and codes, IoU ≥ 0.99 → same id, ``same``; IoU ≥ 0.5 → same id, ``changed`` (flagged
   "changed, re-confirm"); one-to-one, best IoU first;
3. every other new patch lists as *predecessors* the old patches it substantially shares ground with
   (intersection ≥ half the smaller of the two) — old patches of another kind that continue in this
   run are not predecessors (patches of different kinds overlap legitimately) — and is
   ``merged`` (it covers most of two or more old patches), ``split`` (its predecessor also lives on in
   another new patch), ``recoded`` (one predecessor with other codes or kind) or ``reshaped`` (one
   predecessor, same kind and codes, IoU < 0.5); all get new ids and are flagged.  A continued patch
   that swallowed old patches (mostly inside it) keeps its id and lists them as predecessors too;
4. no predecessor → ``new``; an old patch not continued → closed (``superseded`` when some new patch
   lists it, ``vanished`` otherwise).

**Ids** are ``P`` + a six-digit running number per blueprint (``P000001``): short enough to say on
the phone, stable because only matching ever reuses one, and never reused after a patch closes (the
next number continues after the highest id seen).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import shapely

SAME_IOU = 0.99
CHANGED_IOU = 0.5
SHARE = 0.5
FLAGGED = ("changed", "recoded", "split", "merged", "reshaped")
STATUSES = ("same", "changed", "recoded", "split", "merged", "reshaped", "new")


def normalise_geometry(geoms: np.ndarray, grid: float = 0.01) -> np.ndarray:
    """Geometries snapped to a ``grid`` (m), repeated points removed, rings normalised."""
    geoms = np.asarray(geoms, dtype=object)
    snapped = shapely.transform(geoms, lambda xy: np.round(xy / grid) * grid + 0.0)
    if shapely.geos_version >= (3, 11, 0):  # older GEOS (some QGIS builds): fingerprints keep duplicates
        snapped = shapely.remove_repeated_points(snapped, 0.0)
    return shapely.normalize(snapped)


def fingerprint(kinds, code_keys, geoms: np.ndarray, grid: float = 0.01) -> np.ndarray:
    """Hex fingerprints (20 characters) of kind + code combination + normalised geometry."""
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    out = np.empty(n, dtype=object)
    if not n:
        return out
    wkb = shapely.to_wkb(
        normalise_geometry(geoms, grid), output_dimension=2, byte_order=1, include_srid=False
    )
    kinds = np.broadcast_to(np.asarray(kinds, dtype=object), (n,))
    codes = np.broadcast_to(np.asarray(code_keys, dtype=object), (n,))
    for i in range(n):  # one C hash call per patch: microseconds, not geometry work
        h = hashlib.blake2b(digest_size=10)
        h.update(f"{kinds[i]}\x1f{codes[i]}\x1f".encode())
        h.update(wkb[i] or b"")
        out[i] = h.hexdigest()
    return out


@dataclass
class PatchSet:
    """One run's patches as arrays: ``ids`` (old run only), kind, code combination, geometry, fingerprint."""

    kind: np.ndarray
    code_key: np.ndarray
    geoms: np.ndarray
    fingerprint: np.ndarray | None = None
    ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.geoms)


@dataclass
class MatchResult:
    """Ids and flags of the new patches, predecessors, and the old ids that close."""

    ids: np.ndarray
    status: np.ndarray
    flagged: np.ndarray
    predecessors: np.ndarray  # object array of lists of old ids
    iou: np.ndarray  # IoU with the continued or best predecessor (0 for new)
    closed_ids: np.ndarray
    superseded_ids: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)
    next_number: int = 1


def _number(pid: str) -> int | None:
    m = re.fullmatch(r"[A-Za-z]*(\d+)", str(pid))
    return int(m.group(1)) if m else None


def match(
    old: PatchSet | None,
    new: PatchSet,
    *,
    id_prefix: str = "P",
    next_number: int | None = None,
    digits: int = 6,
) -> MatchResult:
    """Match ``new`` patches to ``old`` ones by the rules in the module docstring."""
    n_new = len(new)
    if old is None:
        old = PatchSet(
            np.zeros(0, object),
            np.zeros(0, object),
            np.zeros(0, object),
            np.zeros(0, object),
            np.zeros(0, object),
        )
    n_old = len(old)
    old_ids = np.asarray(old.ids if old.ids is not None else np.zeros(0, object), dtype=object)
    if next_number is None:
        nums = [x for x in (_number(i) for i in old_ids) if x is not None]
        next_number = (max(nums) + 1) if nums else 1
    old_fp = (
        old.fingerprint if old.fingerprint is not None else fingerprint(old.kind, old.code_key, old.geoms)
    )
    new_fp = (
        new.fingerprint if new.fingerprint is not None else fingerprint(new.kind, new.code_key, new.geoms)
    )
    old_key = np.char.add(
        np.asarray(old.kind, dtype=str), np.char.add("\x1f", np.asarray(old.code_key, dtype=str))
    )
    new_key = np.char.add(
        np.asarray(new.kind, dtype=str), np.char.add("\x1f", np.asarray(new.code_key, dtype=str))
    )

    cont = np.full(n_new, -1, dtype=np.intp)  # old index continued by each new patch
    iou_best = np.zeros(n_new)
    old_taken = np.zeros(n_old, dtype=bool)

    # 1. fingerprints (one-to-one: the k-th duplicate on each side pairs with the k-th)
    if n_old and n_new:
        common = np.intersect1d(np.asarray(old_fp, dtype=str), np.asarray(new_fp, dtype=str))
        if len(common):
            o_idx = np.flatnonzero(np.isin(np.asarray(old_fp, dtype=str), common))
            n_idx = np.flatnonzero(np.isin(np.asarray(new_fp, dtype=str), common))
            o_ord = o_idx[np.argsort(np.asarray(old_fp, dtype=str)[o_idx], kind="stable")]
            n_ord = n_idx[np.argsort(np.asarray(new_fp, dtype=str)[n_idx], kind="stable")]
            o_f, n_f = np.asarray(old_fp, dtype=str)[o_ord], np.asarray(new_fp, dtype=str)[n_ord]
            o_rank = _rank(o_f)
            n_rank = _rank(n_f)
            ko = np.char.add(o_f, np.char.add("#", o_rank.astype(str)))
            kn = np.char.add(n_f, np.char.add("#", n_rank.astype(str)))
            _, io, inn = np.intersect1d(ko, kn, return_indices=True)
            cont[n_ord[inn]] = o_ord[io]
            old_taken[o_ord[io]] = True
            iou_best[n_ord[inn]] = 1.0

    # 2. overlaps of the rest
    pairs_o = pairs_n = inter = a_o = a_n = np.zeros(0)
    if n_old and n_new:
        tree = shapely.STRtree(old.geoms)
        q = tree.query(new.geoms, predicate="intersects")
        pn, po = q[0], q[1]
        if len(pn):
            inter = shapely.area(shapely.intersection(new.geoms[pn], old.geoms[po]))
            pos = inter > 0
            pairs_n, pairs_o, inter = pn[pos], po[pos], inter[pos]
        else:
            pairs_n = pairs_o = np.zeros(0, dtype=np.intp)
        area_new = shapely.area(new.geoms)
        area_old = shapely.area(old.geoms)
        a_n, a_o = area_new[pairs_n], area_old[pairs_o]
    pairs_n = pairs_n.astype(np.intp)
    pairs_o = pairs_o.astype(np.intp)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / (a_n + a_o - inter) if len(inter) else np.zeros(0)
    same_key = old_key[pairs_o] == new_key[pairs_n] if len(pairs_n) else np.zeros(0, dtype=bool)

    # continuation: same kind and codes, IoU >= 0.5, best first, one-to-one
    cand = np.flatnonzero(same_key & (iou >= CHANGED_IOU))
    for k in cand[np.argsort(-iou[cand], kind="stable")]:
        nn, oo = pairs_n[k], pairs_o[k]
        if cont[nn] >= 0 or old_taken[oo]:
            continue
        cont[nn] = oo
        old_taken[oo] = True
        iou_best[nn] = iou[k]

    status = np.full(n_new, "new", dtype=object)
    contd = cont >= 0
    status[contd] = np.where(iou_best[contd] >= SAME_IOU, "same", "changed")

    # 3. predecessors: old patches not continued that substantially share ground with a new patch
    #    (a continued new patch lists the old ones it swallowed; old patches of another kind that do
    #    continue are not predecessors: patches of different kinds overlap legitimately)
    preds: list[list[int]] = [[] for _ in range(n_new)]
    succ_count = np.zeros(n_old, dtype=np.int64)
    np.add.at(succ_count, cont[contd], 1)
    if len(pairs_n):
        share = inter >= SHARE * np.minimum(a_n, a_o)
        cover_old = inter / np.maximum(a_o, 1e-300)
        own = cont[pairs_n] == pairs_o
        swallowed = contd[pairs_n] & ~old_taken[pairs_o] & (cover_old >= SHARE)
        eligible = ~own & ((~contd[pairs_n] & share & (~old_taken[pairs_o] | same_key)) | swallowed)
        for k in np.flatnonzero(eligible):
            preds[pairs_n[k]].append(int(pairs_o[k]))
        np.add.at(succ_count, pairs_o[eligible], 1)
        best: dict[int, tuple[float, int]] = {}
        covers: dict[int, int] = {}
        for k in np.flatnonzero(eligible):
            nn = int(pairs_n[k])
            if iou[k] > best.get(nn, (-1.0, 0))[0]:
                best[nn] = (float(iou[k]), int(k))
            if cover_old[k] >= SHARE:
                covers[nn] = covers.get(nn, 0) + 1
        for nn in np.flatnonzero(~contd):
            if not preds[nn]:
                continue
            iou_best[nn], k = best[int(nn)]
            if covers.get(int(nn), 0) >= 2:
                status[nn] = "merged"
            elif any(succ_count[o] >= 2 for o in preds[nn]):
                status[nn] = "split"
            elif not same_key[k]:
                status[nn] = "recoded"
            else:
                status[nn] = "reshaped"

    ids = np.empty(n_new, dtype=object)
    ids[contd] = old_ids[cont[contd]] if n_old else None
    fresh = np.flatnonzero(~contd)
    nums = next_number + np.arange(len(fresh))
    ids[fresh] = [f"{id_prefix}{x:0{digits}d}" for x in nums]
    next_number += len(fresh)
    pred_ids = np.empty(n_new, dtype=object)
    for i in range(n_new):
        pred_ids[i] = [str(old_ids[o]) for o in preds[i]]
    closed = ~old_taken
    listed = np.zeros(n_old, dtype=bool)
    for p in preds:
        listed[p] = True
    counts = {s: int((status == s).sum()) for s in STATUSES}
    counts["closed"] = int(closed.sum())
    counts["superseded"] = int((closed & listed).sum())
    counts["vanished"] = int((closed & ~listed).sum())
    return MatchResult(
        ids=ids,
        status=status,
        flagged=np.isin(status, FLAGGED),
        predecessors=pred_ids,
        iou=iou_best,
        closed_ids=old_ids[closed],
        superseded_ids=old_ids[closed & listed],
        counts=counts,
        next_number=next_number,
    )


def _rank(sorted_keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its run of equal (sorted) keys."""
    n = len(sorted_keys)
    if not n:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    starts = np.flatnonzero(start)
    return np.arange(n) - starts[np.cumsum(start) - 1]
