"""Harmonisation: a plan's raw code (and name) values → the Contract 1 fields, arrays in, arrays out.

Everything is decided per *unique* (code, name) pair and spread back with the inverse index, so 100k
features cost a dictionary pass plus a few fancy-indexing operations, however many features share a code.

Auto-detection weighs every value (and name, where given) against every table: each standard gets a fit
score — half the share of the evidence weight (area, or feature count) that fits it, half the share of the
distinct values that fit it — and the best one is chosen only when it fits well (``MIN_FIT``) and clearly
better than any other (``COLLIDE_MARGIN``).  三调 and 用地用海 (and the two 用地用海 editions) share most
codes with other meanings (DOMAIN.md §3), so an honest refusal that names the colliding candidates is part
of the contract; names, where present, usually break the tie (0303 红树林地 vs 0303 灌木林地).
Zone standards (ZTGN, STHX) use tiny integer codes that collide with everything, so for them only names
(in the name field or in the code field itself) count as evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .codes import (
    STANDARDS,
    UNIFIED,
    USER_PREFIX,
    ZONE_STANDARDS,
    CodeTables,
    CrosswalkRow,
    UserMapping,
    clean_code,
    index_user_rows,
    name_key,
)
from .i18n import tr

HARMONISED_FIELDS: list[tuple[str, str]] = [
    ("mp_src_standard", "text"),
    ("mp_src_code", "text"),
    ("mp_code", "text"),
    ("mp_name", "text"),
    ("mp_level", "int"),
    ("mp_construction", "int"),
    ("mp_sandalei", "text"),
    ("mp_status", "text"),
]

# Detection thresholds (documented in data/README.md).
MIN_FIT = 0.8  # the chosen standard must explain at least this much of the evidence
COLLIDE_MARGIN = 0.1  # ... and lead every other standard by more than this
FULL_CONFIDENCE_MARGIN = 0.25  # a lead of this much (or more) gives full confidence


# ---------------------------------------------------------------- value normalisation


def normalise_code(value) -> str | None:
    """A raw field value as a land-use code (text).

    ``None``/NaN/empty → None; ints stay as written (``101`` → ``'101'``: a lost leading zero is repaired
    later, per standard, and counted); integral floats lose ``.0`` (``1101.0`` → ``'1101'``); text is
    NFKC-normalised (full-width → half-width), stripped of all whitespace and upper-cased.
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return None
        if v.is_integer():
            return str(int(v))
        return clean_code(repr(v))
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return clean_code(str(value))


def _display_name(value) -> str | None:
    """A name value as shown in reports (trimmed text) or None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    s = str(value).strip()
    return s or None


def _unique_inverse(values) -> tuple[list, np.ndarray]:
    """Unique raw values (any types, None allowed) and the inverse index, without sorting mixed types."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.ndim != 1:
        arr = arr.ravel()
    if arr.dtype.kind in "iufUS":
        uniq, inv = np.unique(arr, return_inverse=True)
        return list(uniq.tolist()), inv.astype(np.intp, copy=False)
    index: dict = {}
    setdefault = index.setdefault
    try:
        # Fast path: hashable values (NaN objects may land in several entries; they all normalise to
        # None later, so that costs time only, never correctness).
        inv = np.fromiter((setdefault(v, len(index)) for v in arr), dtype=np.intp, count=arr.shape[0])
    except TypeError:  # an unhashable value (list, dict …): key it by its repr

        def key(v):
            try:
                hash(v)
            except TypeError:
                return repr(v)
            return v

        index.clear()
        inv = np.fromiter((setdefault(key(v), len(index)) for v in arr), dtype=np.intp, count=arr.shape[0])
    return list(index), inv


# ---------------------------------------------------------------- results


@dataclass
class Detection:
    standard: str | None
    confidence: float
    scores: dict[str, float]
    message: str
    candidates: list[str] = field(default_factory=list)  # the colliding standards when refused


@dataclass
class Unmapped:
    code: str | None
    name: str | None
    count: int
    weight: float
    reason: str


@dataclass
class Harmonised:
    fields: dict[str, np.ndarray]
    unmapped: list[Unmapped]
    detection: Detection | None
    standard: str
    counts: dict[str, int]


@dataclass
class _Items:
    """The unique (code, name) pairs of a layer with their feature counts and weights."""

    codes: list  # normalised code or None
    names: list  # display name or None
    nkeys: list  # name key or None
    counts: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray  # feature → item


def _collect(codes, names, weights) -> _Items:
    n = None
    for arr in (codes, names, weights):
        if arr is not None:
            m = len(arr)
            if n is not None and m != n:
                raise ValueError(
                    tr("codes, names and weights must have the same length ({a} vs {b})").format(a=n, b=m)
                )
            n = m
    if n is None:
        raise ValueError(tr("Give codes, names or both."))
    if codes is not None:
        cu, cinv = _unique_inverse(codes)
        cnorm = [normalise_code(v) for v in cu]
        cids: dict = {}
        cmap = np.fromiter((cids.setdefault(c, len(cids)) for c in cnorm), dtype=np.intp, count=len(cnorm))
        code_id = cmap[cinv] if len(cnorm) else np.zeros(n, dtype=np.intp)
        code_vals = list(cids)
    else:
        code_id = np.zeros(n, dtype=np.intp)
        code_vals = [None]
    if names is not None:
        nu, ninv = _unique_inverse(names)
        disp = [_display_name(v) for v in nu]
        keys = [name_key(d) for d in disp]
        nids: dict = {}
        first_disp: list = []
        ids = []
        for k, d in zip(keys, disp):
            if k not in nids:
                nids[k] = len(nids)
                first_disp.append(d)
            ids.append(nids[k])
        nmap = np.asarray(ids, dtype=np.intp)
        name_id = nmap[ninv] if len(ids) else np.zeros(n, dtype=np.intp)
        name_keys = list(nids)
    else:
        name_id = np.zeros(n, dtype=np.intp)
        name_keys = [None]
        first_disp = [None]
    pair = code_id.astype(np.int64) * max(len(name_keys), 1) + name_id
    upair, inv = np.unique(pair, return_inverse=True)
    ci = (upair // max(len(name_keys), 1)).astype(np.intp)
    ni = (upair % max(len(name_keys), 1)).astype(np.intp)
    counts = np.bincount(inv, minlength=len(upair))
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        w = np.where(np.isfinite(w), w, 0.0)
        wsum = np.bincount(inv, weights=w, minlength=len(upair))
    else:
        wsum = counts.astype(float)
    return _Items(
        codes=[code_vals[i] for i in ci],
        names=[first_disp[i] for i in ni],
        nkeys=[name_keys[i] for i in ni],
        counts=counts,
        weights=wsum,
        inverse=inv.astype(np.intp, copy=False),
    )


def _parse_prefixes(strip_prefixes: str) -> tuple[str, ...]:
    """``'X,G,N'`` or ``'X G N'`` → ('X', 'G', 'N'); a single run of letters (``'XGN'``) means one-letter
    prefixes, as the glue's help text suggests; longest first so ``XG`` is tried before ``X``."""
    if not strip_prefixes:
        return ()
    parts = [
        p for p in (clean_code(t) for t in strip_prefixes.replace(";", ",").replace(",", " ").split()) if p
    ]
    if len(parts) == 1 and parts[0].isalpha() and len(parts[0]) > 1:
        parts = list(parts[0])
    return tuple(sorted(set(parts), key=len, reverse=True))


# ---------------------------------------------------------------- mapping one item


@dataclass
class _Mapped:
    src_code: str | None
    code: str | None
    name: str | None
    level: int | None
    construction: int | None
    sandalei: str | None
    status: str
    reason: str = ""
    how: str = ""  # exact / zero_padded / k_suffix / prefix_stripped / name / user
    by_name: bool = False
    by_user: bool = False
    name_mismatch: bool = False
    ambiguous: bool = False


class _Mapper:
    """Maps unique items for one standard (built-in or USER:<name>) with optional user rows."""

    def __init__(
        self, tables: CodeTables, standard: str, user: dict[str, UserMapping], prefixes: tuple[str, ...]
    ):
        self.t = tables
        self.std = standard
        self.user = user.get(standard)
        self.prefixes = prefixes
        self.builtin = standard in STANDARDS
        self.entries = tables.standard_entries(standard) if self.builtin else {}
        self._keys_cache: dict[str, frozenset[str]] = {}

    def entry_keys(self, code: str) -> frozenset[str]:
        ks = self._keys_cache.get(code)
        if ks is None:
            e = self.entries.get(code)
            ks = frozenset(k for k in (name_key(n) for n in ((e.name, *e.aliases) if e else ())) if k)
            self._keys_cache[code] = ks
        return ks

    # -- resolution: which code of this standard does an item mean?
    def resolve_code(self, code: str | None) -> tuple[str, str] | None:
        if not code or not self.builtin:
            return None
        return self.t.resolve(self.std, code, self.prefixes)

    def lookup_name(self, key: str | None):
        if not key or not self.builtin:
            return None
        return self.t.name_lookup(self.std, key)

    # -- fit of an item for detection: 1 fits, 0.5 half (code or name only agrees), 0 no, None no evidence
    def fit(self, code: str | None, nkey: str | None) -> float | None:
        if code is None and nkey is None:
            return None
        if not self.builtin:
            u = self.user
            if u is None:
                return 0.0
            if code and code in u.by_code:
                row = u.by_code[code]
                if nkey and row.source_name and name_key(row.source_name) != nkey:
                    return 0.5
                return 1.0
            if code and name_key(code) in u.by_name:
                return 1.0
            if nkey and nkey in u.by_name:
                return 0.5 if code else 1.0
            return 0.0
        zone = self.std in ZONE_STANDARDS
        res = self.resolve_code(code)
        if res is None and code and self.std == UNIFIED and code in self.t.groups():
            res = (code, "exact")
        code_as_name = self.lookup_name(name_key(code)) if (code and res is None) else None
        name_code = self.lookup_name(nkey)
        if code and nkey:
            if res is not None:
                if nkey in self.entry_keys(res[0]):
                    return 1.0
                return 0.0 if zone else 0.5
            if code_as_name is not None:
                return 1.0
            return 0.5 if name_code is not None else 0.0
        if code:
            if res is not None:
                return 0.0 if zone else 1.0
            return 1.0 if code_as_name is not None else 0.0
        return 1.0 if name_code is not None else 0.0

    # -- the Contract 1 values for one code of this standard
    def _from_table(self, code: str, how: str) -> _Mapped:
        e = self.entries[code]
        if self.std in ZONE_STANDARDS:
            return _Mapped(code, code, e.name, e.level, None, None, "exact", how=how)
        if self.std == UNIFIED:
            return _Mapped(code, code, e.name, e.level, e.construction, e.sandalei, "exact", how=how)
        row = self.t.crosswalk(self.std)[code]
        return self._from_row(row, code, how, builtin_entry=e)

    def _construction_by_rule(self, code: str | None) -> int | None:
        """The source standard's own flag for a code the user added (e.g. GB 50137 R5 → R's flag)."""
        if not code or not self.builtin:
            return None
        for cut in range(len(code), 0, -1):
            e = self.entries.get(code[:cut])
            if e is not None:
                return e.construction
        return None

    def _from_row(self, row: CrosswalkRow, src_code: str | None, how: str, builtin_entry=None) -> _Mapped:
        target = row.target_code
        construction = row.construction
        sandalei = row.sandalei
        if builtin_entry is None and src_code in self.entries:
            builtin_entry = self.entries[src_code]
        if construction is None:
            if builtin_entry is not None:
                construction = builtin_entry.construction
            else:
                construction = self._construction_by_rule(src_code)
                if construction is None and target:
                    construction = self.t.planning_construction(target)
        if sandalei is None and builtin_entry is not None:
            sandalei = builtin_entry.sandalei
        if target:
            name = self.t.unified_name(target)
            level = self.t.unified_level(target)
            status = row.match or ("coarse" if level == 0 else "exact")
        else:
            name, level, status = None, None, row.match or "exact"
        return _Mapped(src_code, target, name, level, construction, sandalei, status, how=how)

    def map(self, code: str | None, nkey: str | None) -> _Mapped:
        u = self.user
        # 1. the code as given (user rows first: they override built-in rows)
        if code:
            if u is not None and code in u.by_code:
                m = self._from_row(u.by_code[code], code, "user")
                m.by_user = True
                return self._check_name(m, code, nkey)
            res = self.resolve_code(code)
            if res is not None:
                tcode, how = res
                src = tcode if how == "zero_padded" else code
                if u is not None and tcode in u.by_code:
                    m = self._from_row(u.by_code[tcode], src, how)
                    m.by_user = True
                else:
                    m = self._from_table(tcode, how)
                    m.src_code = src
                return self._check_name(m, tcode, nkey)
            if self.std == UNIFIED and code in self.t.groups():
                # an already-harmonised layer: its group codes map onto themselves
                g = self.t.groups()[code]
                return _Mapped(code, code, g.name, 0, g.construction, g.sandalei, "coarse", how="exact")
        # 2. a name in the code field, then the name field
        for key in ((name_key(code) if code else None), nkey):
            if not key:
                continue
            if u is not None and key in u.by_name:
                row = u.by_name[key]
                m = self._from_row(row, row.source_code or code, "name")
                m.by_user = m.by_name = True
                return m
            found = self.lookup_name(key)
            if isinstance(found, str):
                m = self._from_table(found, "name")
                m.by_name = True
                return m
            if isinstance(found, tuple):
                return _Mapped(
                    code,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "unmapped",
                    ambiguous=True,
                    reason=tr("ambiguous name: {codes}").format(codes=" / ".join(found)),
                )
        if code is None and nkey is None:
            reason = tr("no code and no name")
        elif code is None:
            reason = tr("unknown name")
        elif nkey is None:
            reason = tr("unknown code")
        else:
            reason = tr("unknown code and name")
        return _Mapped(code, None, None, None, None, None, "unmapped", reason=reason)

    def _check_name(self, m: _Mapped, tcode: str, nkey: str | None) -> _Mapped:
        if nkey and self.builtin and tcode in self.entries and nkey not in self.entry_keys(tcode):
            m.name_mismatch = True
        return m


# ---------------------------------------------------------------- detection


def _candidates(standard: str, user: dict[str, UserMapping]) -> list[str]:
    users = sorted(s for s in user if s.startswith(USER_PREFIX))
    if standard == "USER":
        return users
    return list(STANDARDS) + users


def _detect(
    items: _Items,
    tables: CodeTables,
    user: dict[str, UserMapping],
    prefixes: tuple[str, ...],
    candidates: list[str],
    weighted: bool,
) -> Detection:
    ev = [i for i, (c, k) in enumerate(zip(items.codes, items.nkeys)) if c is not None or k is not None]
    if not ev:
        return Detection(
            None, 0.0, {}, tr("No codes or names to detect a standard from (all values are empty).")
        )
    if not candidates:
        return Detection(None, 0.0, {}, tr("No user crosswalk standard (USER:<name>) to choose from."))
    w = (items.weights if weighted else items.counts.astype(float))[ev]
    if w.sum() <= 0:
        w = items.counts[ev].astype(float)
    scores: dict[str, float] = {}
    fits_by_std: dict[str, np.ndarray] = {}
    for std in candidates:
        mp = _Mapper(tables, std, user, prefixes)
        fits = np.array([mp.fit(items.codes[i], items.nkeys[i]) for i in ev], dtype=float)
        fits_by_std[std] = fits
        by_weight = float((fits * w).sum() / w.sum())
        by_value = float(fits.mean())
        scores[std] = round(0.5 * by_weight + 0.5 * by_value, 4)
    ranked = sorted(scores, key=lambda s: (-scores[s], candidates.index(s)))
    best = ranked[0]
    s1 = scores[best]
    basis = tr("by area") if weighted else tr("by feature count")
    if s1 < MIN_FIT:
        top = ", ".join(f"{s} {scores[s]:.0%}" for s in ranked[:3])
        return Detection(
            None,
            0.0,
            scores,
            tr(
                "No classification standard fits these values well enough to choose one automatically "
                "(best fits: {top}; at least {min:.0%} needed). Choose the standard, or supply a crosswalk "
                "CSV for a local or foreign system."
            ).format(top=top, min=MIN_FIT),
        )
    close = [s for s in ranked[1:] if s1 - scores[s] <= COLLIDE_MARGIN]
    decisive: list[str] = []
    if close:
        # Within the margin, the best may still *dominate*: it explains every value the others explain,
        # and at least one whole value's worth more (codes or code+name pairs only it knows).
        fb = fits_by_std[best]
        dominated = []
        for s in close:
            gain = np.clip(fb - fits_by_std[s], 0, None)
            loss = np.clip(fits_by_std[s] - fb, 0, None)
            if loss.sum() == 0 and gain.sum() >= 1.0:
                dominated.append(s)
                decisive.extend(_label(items, ev[j]) for j in np.flatnonzero(gain))
        close = [s for s in close if s not in dominated]
    if close:
        cands = [best, *close]
        listing = ", ".join(f"{s} {scores[s]:.0%}" for s in cands)
        msg = tr(
            "The values fit several standards about equally ({listing}): they use the same codes "
            "with different meanings (e.g. 三调 and 用地用海, or the 2020 and 2023 用地用海 editions). "
            "Choose the standard explicitly."
        ).format(listing=listing)
        if _same_outcome(items, ev, tables, user, prefixes, cands):
            msg += " " + tr(
                "(These particular values mean the same in all of them, so any choice gives the same result.)"
            )
        return Detection(None, 0.0, scores, msg, candidates=cands)
    s2 = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = round(s1 * min(1.0, (s1 - s2) / FULL_CONFIDENCE_MARGIN), 4)
    msg = tr(
        "{std} fits {fit:.0%} of the values ({basis}, half by distinct values); next best {other} "
        "fits {fit2:.0%}."
    ).format(std=best, fit=s1, basis=basis, other=ranked[1] if len(ranked) > 1 else "-", fit2=s2)
    if decisive:
        shown = ", ".join(sorted(set(decisive))[:12])
        msg += " " + tr("Decided by values that only {std} explains: {values}.").format(
            std=best, values=shown
        )
    return Detection(best, confidence, scores, msg)


def _label(items: _Items, i: int) -> str:
    c, n = items.codes[i], items.names[i]
    if c and n:
        return f"{c} {n}"
    return c or n or "∅"


def _same_outcome(items, ev, tables, user, prefixes, cands) -> bool:
    mappers = [_Mapper(tables, s, user, prefixes) for s in cands]
    for i in ev:
        outs = set()
        for mp in mappers:
            m = mp.map(items.codes[i], items.nkeys[i])
            outs.add((m.code, m.construction, m.sandalei, m.status))
        if len(outs) > 1:
            return False
    return True


def detect_standard(
    codes,
    names=None,
    weights=None,
    tables=None,
    *,
    strip_prefixes: str = "",
    user_rows: list[CrosswalkRow] | None = None,
    standard: str = "auto",
) -> Detection:
    """Which standard the values (and names) belong to, how sure, or a refusal saying why.

    ``weights`` (e.g. areas) weigh the evidence; ``user_rows`` add their ``USER:<name>`` standards as
    candidates (``standard='USER'`` restricts the choice to them).
    """
    tables = tables or CodeTables.load()
    items = _collect(codes, names, weights)
    user = index_user_rows(user_rows)
    return _detect(
        items,
        tables,
        user,
        _parse_prefixes(strip_prefixes),
        _candidates(standard, user),
        weighted=weights is not None,
    )


# ---------------------------------------------------------------- harmonise


def harmonise(
    codes,
    *,
    names=None,
    standard: str = "auto",
    user_rows: list[CrosswalkRow] | None = None,
    tables: CodeTables | None = None,
    weights=None,
    strip_prefixes: str = "",
) -> Harmonised:
    """Map raw code/name values to the Contract 1 fields.

    ``standard``: a built-in id, ``USER:<name>`` (defined by ``user_rows``), ``"auto"`` (detect among all
    built-in standards and the user's), or ``"USER"`` (detect among the user's standards only).  When
    detection refuses, every feature comes back ``unmapped`` and ``result.detection.standard`` is None —
    the caller reports ``detection.message``.  ``weights`` (areas) feed detection and the unmapped table.
    """
    tables = tables or CodeTables.load()
    items = _collect(codes, names, weights)
    n = int(items.inverse.shape[0])
    user = index_user_rows(user_rows)
    prefixes = _parse_prefixes(strip_prefixes)

    detection: Detection | None = None
    if standard in ("auto", "USER"):
        detection = _detect(
            items, tables, user, prefixes, _candidates(standard, user), weighted=weights is not None
        )
        chosen = detection.standard
    else:
        if standard.upper().startswith(USER_PREFIX):
            standard = USER_PREFIX + standard[len(USER_PREFIX) :]
            if standard not in user:
                raise ValueError(
                    tr("Standard {s} is defined by no row of the user crosswalk.").format(s=standard)
                )
        elif standard not in STANDARDS:
            raise ValueError(
                tr("Unknown standard {s}; known: {known}, USER:<name>, auto").format(
                    s=standard, known=", ".join(STANDARDS)
                )
            )
        chosen = standard

    k = len(items.codes)
    if chosen is None:
        reason = tr("standard not determined")
        mapped = [
            _Mapped(items.codes[i], None, None, None, None, None, "unmapped", reason=reason) for i in range(k)
        ]
    else:
        mapper = _Mapper(tables, chosen, user, prefixes)
        mapped = [mapper.map(items.codes[i], items.nkeys[i]) for i in range(k)]

    inv = items.inverse
    src_std = chosen or ""

    def spread(values) -> np.ndarray:
        arr = np.empty(k, dtype=object)
        arr[:] = values
        return arr[inv] if n else np.empty(0, dtype=object)

    fields = {
        "mp_src_standard": spread([src_std if chosen else None] * k),
        "mp_src_code": spread([m.src_code for m in mapped]),
        "mp_code": spread([m.code for m in mapped]),
        "mp_name": spread([m.name for m in mapped]),
        "mp_level": spread([m.level for m in mapped]),
        "mp_construction": spread([m.construction for m in mapped]),
        "mp_sandalei": spread([m.sandalei for m in mapped]),
        "mp_status": spread([m.status for m in mapped]),
    }

    cnt = items.counts

    def total(pred) -> int:
        return int(sum(int(cnt[i]) for i, m in enumerate(mapped) if pred(i, m)))

    counts = {
        "features": n,
        "unique_values": k,
        "exact": total(lambda i, m: m.status == "exact"),
        "coarse": total(lambda i, m: m.status == "coarse"),
        "unmapped": total(lambda i, m: m.status == "unmapped"),
        "names_used": total(lambda i, m: m.by_name),
        "user_rows": total(lambda i, m: m.by_user),
        "empty": total(lambda i, m: items.codes[i] is None and items.nkeys[i] is None),
        "zero_padded": total(lambda i, m: m.how == "zero_padded"),
        "k_suffix": total(lambda i, m: m.how == "k_suffix"),
        "prefix_stripped": total(lambda i, m: m.how == "prefix_stripped"),
        "name_mismatch": total(lambda i, m: m.name_mismatch),
        "ambiguous": total(lambda i, m: m.ambiguous),
        "no_unified_class": total(lambda i, m: m.status != "unmapped" and m.code is None),
    }

    unmapped = [
        Unmapped(items.codes[i], items.names[i], int(cnt[i]), float(items.weights[i]), m.reason)
        for i, m in enumerate(mapped)
        if m.status == "unmapped"
    ]
    unmapped.sort(key=lambda u: (-u.weight, -u.count, u.code or "", u.name or ""))
    return Harmonised(fields=fields, unmapped=unmapped, detection=detection, standard=src_std, counts=counts)
