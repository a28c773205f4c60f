"""Difference rules as data: which plans (or control lines) are compared, on which classes, how.

Why data: there is no national rule set (DOMAIN.md §4) — each district decides which conflicts it
checks and how severe they are.  The default table ``data/rules/detection_rules.csv`` covers every
kind named in DOMAIN.md §4; a user CSV in the same format replaces or extends it.

A rule compares side **a** (always a plan role: its features give the patch its first code) with
side **b** (another plan role, or a control line ``line:redline|farmland|boundary``):

========== =====================================================================================
column     meaning
========== =====================================================================================
kind       stable key of the difference kind (``LG_URBAN_CON`` …); unique in a table
name_zh    Chinese name shown to reviewers
name_en    English name
severity   integer 1 (information) … 5 (hardest conflict)
group      precedence group: ``line``, ``redline``, ``eco``, ``farmland``, ``boundary``, ``liangui``,
           ``zone``, ``project``, ``class`` (or any word)
precedence integer; where patches of several kinds overlap, the higher one's decision wins in the
           blueprint (control lines > red line > farmland > 两规 > class level, DESIGN.md)
a_role     role of the plan on side a (``urban``, ``land``, ``development``, ``eco``, ``projects``
           or the role name of any further plan, e.g. ``forest``)
a_classes  class set on side a (see below)
b_source   a role, or ``line:redline`` / ``line:farmland`` / ``line:boundary``
b_classes  class set on side b (empty for a line)
relation   plan b: ``and`` (both class sets hold) or ``incompatible`` (and the two unified codes
           are not compatible, i.e. neither equals nor refines the other nor belongs to its group);
           line b: ``inside`` or ``outside``
enabled    1 or 0
source     where the rule comes from (document, reasoning)
========== =====================================================================================

Class sets are terms joined by ``&`` (all must hold); a term may be negated with ``!``; a term's
values are separated by ``|``:

* ``*`` — every feature;
* ``construction=1`` / ``construction=0`` — the plan's **own** construction flag (``mp_construction``,
  by its source standard's rule; unknown codes have none and match neither);
* ``class:07|08`` — the unified code (``mp_code``) is, or lies under, one of these classes; a group
  code matches only when every member of the group does;
* ``group:城镇建设用地`` or ``group:G01`` — the unified code is the group itself or lies under one of
  its members (group given by code or by name, from the shipped group table);
* ``zone:禁止开发区域|4`` — the unified code, unified name or source code equals one of the values
  (zone plans: 主体功能区 zones, eco control levels);
* ``src:R5|H1*`` — the source code equals a value (``*`` at the end: starts with).

Every problem in a table is reported with its line number (:class:`RuleError`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .i18n import tr

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_RULES = DATA_DIR / "rules" / "detection_rules.csv"
COLUMNS = (
    "kind",
    "name_zh",
    "name_en",
    "severity",
    "group",
    "precedence",
    "a_role",
    "a_classes",
    "b_source",
    "b_classes",
    "relation",
    "enabled",
    "source",
)
LINES = ("redline", "farmland", "boundary")
PLAN_RELATIONS = ("and", "incompatible")
LINE_RELATIONS = ("inside", "outside")
TERM_KINDS = ("construction", "class", "group", "zone", "src")


class RuleError(Exception):
    """A rule table that cannot be used; the message names the file and line of each problem."""


@dataclass(frozen=True)
class Term:
    """One test of a class set: ``kind`` in TERM_KINDS or ``any``; ``values``; ``negate``."""

    kind: str
    values: tuple[str, ...] = ()
    negate: bool = False


@dataclass(frozen=True)
class ClassSet:
    """A parsed class-set expression (terms ANDed)."""

    expr: str
    terms: tuple[Term, ...]

    @property
    def is_any(self) -> bool:
        return all(t.kind == "any" and not t.negate for t in self.terms)

    def mask(self, cols: dict[str, np.ndarray], tables=None) -> np.ndarray:
        """Which features belong to the set.

        ``cols`` holds object arrays ``mp_code``, ``mp_name``, ``mp_src_code`` and an integer array
        ``construction`` (1, 0, or -1 for null).  Text tests run once per distinct value.
        """
        n = len(cols["construction"])
        out = np.ones(n, dtype=bool)
        for t in self.terms:
            out &= _term_mask(t, cols, tables) != t.negate
        return out


@dataclass(frozen=True)
class Rule:
    """One row of a rule table (see the module docstring for the columns)."""

    kind: str
    name_zh: str
    name_en: str
    severity: int
    group: str
    precedence: int
    a_role: str
    a_classes: ClassSet
    b_source: str
    b_classes: ClassSet | None
    relation: str
    enabled: bool = True
    source: str = ""
    line_no: int = 0

    @property
    def b_is_line(self) -> bool:
        return self.b_source.startswith("line:")

    @property
    def b_line(self) -> str | None:
        return self.b_source[5:] if self.b_is_line else None

    @property
    def b_role(self) -> str | None:
        return None if self.b_is_line else self.b_source

    @property
    def roles(self) -> tuple[str, ...]:
        """The plan roles whose codes a patch of this kind carries (a, then b when b is a plan)."""
        return (self.a_role,) if self.b_is_line else (self.a_role, self.b_source)


@dataclass
class RuleSet:
    """The rules of a run, in table order, with where they came from."""

    rules: list[Rule]
    sources: list[str] = field(default_factory=list)

    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def by_kind(self, kind: str) -> Rule:
        for r in self.rules:
            if r.kind == kind:
                return r
        raise KeyError(kind)

    def kinds(self) -> list[str]:
        return [r.kind for r in self.rules]

    def __len__(self) -> int:
        return len(self.rules)


# ---------------------------------------------------------------------------------------------- parsing


def parse_class_set(expr: str) -> ClassSet:
    """Parse a class-set expression; ValueError with a readable message when it is malformed."""
    text = (expr or "").strip()
    if not text:
        raise ValueError(tr("empty class set (use * for every feature)"))
    terms = []
    for raw in text.split("&"):
        part = raw.strip()
        if not part:
            raise ValueError(tr("empty term in class set '{expr}'").format(expr=text))
        negate = part.startswith("!")
        if negate:
            part = part[1:].strip()
        if part == "*":
            terms.append(Term("any", (), negate))
            continue
        if part.replace(" ", "").startswith("construction="):
            value = part.replace(" ", "").split("=", 1)[1]
            if value not in ("0", "1"):
                raise ValueError(tr("construction must be 0 or 1, not '{value}'").format(value=value))
            terms.append(Term("construction", (value,), negate))
            continue
        if ":" not in part:
            raise ValueError(
                tr(
                    "unknown term '{term}' (expected *, construction=0/1, class:, group:, zone: or src:)"
                ).format(term=part)
            )
        kind, values = part.split(":", 1)
        kind = kind.strip().lower()
        if kind not in TERM_KINDS or kind == "construction":
            raise ValueError(
                tr(
                    "unknown term '{term}' (expected *, construction=0/1, class:, group:, zone: or src:)"
                ).format(term=part)
            )
        vals = tuple(v.strip() for v in values.split("|") if v.strip())
        if not vals:
            raise ValueError(tr("term '{term}' lists no values").format(term=part))
        terms.append(Term(kind, vals, negate))
    return ClassSet(text, tuple(terms))


def read_table_text(path: str | os.PathLike, error: type[Exception]) -> str:
    """The text of an editable table (rule tables are UTF-8 CSV, BOM allowed), or ``error`` saying why
    not — Excel saves "CSV" in the system code page (GBK on a Chinese Windows), so say what to do."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise error(
            tr("{path} is not UTF-8: save it as “CSV UTF-8” ({error})").format(path=path, error=exc)
        ) from exc
    except OSError as exc:
        raise error(tr("Cannot read {path}: {error}").format(path=path, error=exc)) from exc


def read_rules_csv(path: str | os.PathLike, *, text: str | None = None) -> list[Rule]:
    """Read and validate a rule table (UTF-8 CSV, BOM allowed); :class:`RuleError` lists every problem."""
    name = str(path)
    if text is None:
        text = read_table_text(path, RuleError)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RuleError(
            tr("Rule table {path}: missing column(s) {columns}").format(path=name, columns=", ".join(missing))
        )
    rules: list[Rule] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()) or row.get("kind", "").startswith("#"):
            continue
        errs: list[str] = []
        rule = _rule_from_row(row, line, errs)
        if rule is not None and rule.kind in seen:
            errs.append(
                tr("kind {kind} already defined on line {line}").format(kind=rule.kind, line=seen[rule.kind])
            )
        for e in errs:
            problems.append(tr("{path}, line {line}: {problem}").format(path=name, line=line, problem=e))
        if rule is not None and not errs:
            seen[rule.kind] = line
            rules.append(rule)
    if problems:
        raise RuleError("\n".join(problems))
    if not rules:
        raise RuleError(tr("Rule table {path} has no rules").format(path=name))
    return rules


def _rule_from_row(row: dict[str, str], line: int, errs: list[str]) -> Rule | None:
    kind = row["kind"]
    if not kind:
        errs.append(tr("kind is empty"))
    elif not all(c.isalnum() or c in "_-" for c in kind):
        errs.append(tr("kind '{kind}' may only use letters, digits, _ and -").format(kind=kind))
    severity = _int(row["severity"], "severity", errs)
    if severity is not None and not 1 <= severity <= 5:
        errs.append(tr("severity must be 1 to 5, not {value}").format(value=severity))
    precedence = _int(row["precedence"], "precedence", errs)
    enabled_txt = row["enabled"].lower()
    if enabled_txt not in ("1", "0", "true", "false", "yes", "no", ""):
        errs.append(tr("enabled must be 1 or 0, not '{value}'").format(value=row["enabled"]))
    enabled = enabled_txt in ("1", "true", "yes", "")
    a_role = row["a_role"]
    if not a_role:
        errs.append(tr("a_role is empty"))
    elif a_role.startswith("line:"):
        errs.append(tr("a_role must be a plan role, not a control line"))
    try:
        a_classes = parse_class_set(row["a_classes"])
    except ValueError as exc:
        errs.append(tr("a_classes: {error}").format(error=exc))
        a_classes = None
    b_source = row["b_source"]
    relation = row["relation"].lower()
    b_classes = None
    if not b_source:
        errs.append(tr("b_source is empty"))
    elif b_source.startswith("line:"):
        if b_source[5:] not in LINES:
            errs.append(
                tr("unknown control line '{line}' (expected {lines})").format(
                    line=b_source, lines=", ".join("line:" + x for x in LINES)
                )
            )
        if row["b_classes"]:
            errs.append(tr("b_classes must be empty when b is a control line"))
        if relation not in LINE_RELATIONS:
            errs.append(
                tr("relation to a line must be inside or outside, not '{value}'").format(value=relation)
            )
    else:
        if b_source == a_role:
            errs.append(tr("a rule compares two different plans (a_role equals b_source)"))
        if relation not in PLAN_RELATIONS:
            errs.append(
                tr("relation between plans must be and or incompatible, not '{value}'").format(value=relation)
            )
        try:
            b_classes = parse_class_set(row["b_classes"])
        except ValueError as exc:
            errs.append(tr("b_classes: {error}").format(error=exc))
    if errs:
        return None
    return Rule(
        kind=kind,
        name_zh=row["name_zh"] or kind,
        name_en=row["name_en"] or kind,
        severity=int(severity),  # type: ignore[arg-type]
        group=row["group"] or "other",
        precedence=int(precedence),  # type: ignore[arg-type]
        a_role=a_role,
        a_classes=a_classes,  # type: ignore[arg-type]
        b_source=b_source,
        b_classes=b_classes,
        relation=relation,
        enabled=enabled,
        source=row["source"],
        line_no=line,
    )


def _int(value: str, column: str, errs: list[str]) -> int | None:
    try:
        return int(value)
    except ValueError:
        errs.append(tr("{column} must be an integer, not '{value}'").format(column=column, value=value))
        return None


def load_rules(user_path: str | os.PathLike | None = None, *, mode: str = "extend") -> RuleSet:
    """The default rule table, optionally replaced or extended by a user table.

    ``mode='extend'``: user rows replace default rows of the same kind and add new kinds (a user row
    with ``enabled=0`` switches a default kind off); ``mode='replace'``: only the user's rows.
    """
    if mode not in ("extend", "replace"):
        raise ValueError(mode)
    base = [] if (user_path and mode == "replace") else read_rules_csv(DEFAULT_RULES)
    sources = [] if (user_path and mode == "replace") else [str(DEFAULT_RULES)]
    if not user_path:
        return RuleSet(base, sources)
    user = read_rules_csv(user_path)
    by_kind = {r.kind: i for i, r in enumerate(base)}
    out = list(base)
    for r in user:
        if r.kind in by_kind:
            out[by_kind[r.kind]] = r
        else:
            out.append(r)
    return RuleSet(out, sources + [str(user_path)])


def rules_for_inputs(
    ruleset: RuleSet, roles: Sequence[str], lines: Sequence[str]
) -> tuple[list[Rule], list[tuple[Rule, str]]]:
    """Split the enabled rules into those the inputs can run and those skipped (with the reason)."""
    run, skipped = [], []
    roles_set, lines_set = set(roles), set(lines)
    for r in ruleset.enabled():
        missing = [x for x in (r.a_role, r.b_role) if x is not None and x not in roles_set]
        if r.b_is_line and r.b_line not in lines_set:
            missing.append(r.b_source)
        if missing:
            skipped.append((r, tr("input(s) not given: {names}").format(names=", ".join(missing))))
        else:
            run.append(r)
    return run, skipped


def with_enabled(ruleset: RuleSet, kinds: Sequence[str], enabled: bool) -> RuleSet:
    """A copy with the named kinds switched on or off (for the Processing parameter)."""
    wanted = set(kinds)
    return RuleSet(
        [replace(r, enabled=enabled) if r.kind in wanted else r for r in ruleset.rules], ruleset.sources
    )


# ---------------------------------------------------------------------------------------------- evaluation


def _unique_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of an object array (None as '') and the inverse index."""
    arr = np.asarray(values, dtype=object)
    filled = np.where(np.equal(arr, None), "", arr).astype(str)
    return np.unique(filled, return_inverse=True)


def _term_mask(t: Term, cols: dict[str, np.ndarray], tables) -> np.ndarray:
    n = len(cols["construction"])
    if t.kind == "any":
        return np.ones(n, dtype=bool)
    if t.kind == "construction":
        return np.asarray(cols["construction"]) == int(t.values[0])
    if t.kind in ("class", "group"):
        uniq, inv = _unique_text(cols["mp_code"])
        if t.kind == "class":
            hit = np.array([_in_classes(u, t.values, tables) for u in uniq], dtype=bool)
        else:
            members = _group_members(t.values, tables)
            hit = np.array([_in_group(u, members, tables) for u in uniq], dtype=bool)
        return hit[inv] if len(uniq) else np.zeros(n, dtype=bool)
    if t.kind == "zone":
        wanted = set(t.values)
        out = np.zeros(n, dtype=bool)
        for col in ("mp_code", "mp_name", "mp_src_code"):
            if col in cols:
                uniq, inv = _unique_text(cols[col])
                out |= np.isin(uniq, list(wanted))[inv]
        return out
    if t.kind == "src":
        uniq, inv = _unique_text(cols["mp_src_code"])
        exact = {v for v in t.values if not v.endswith("*")}
        prefixes = tuple(v[:-1] for v in t.values if v.endswith("*"))
        hit = np.array(
            [u != "" and (u in exact or (bool(prefixes) and u.startswith(prefixes))) for u in uniq]
        )
        return hit[inv] if len(uniq) else np.zeros(n, dtype=bool)
    raise AssertionError(t.kind)


def _in_classes(code: str, classes: tuple[str, ...], tables) -> bool:
    """Is the unified code (a class or a group) wholly inside the listed classes?"""
    if not code:
        return False
    leaves = _leaves(code, tables)
    if leaves is not None:
        return bool(leaves) and all(leaf.startswith(classes) for leaf in leaves)
    if code.startswith("G"):
        members = _members_of(code, tables)
        return bool(members) and all(m.startswith(classes) for m in members)
    return code.startswith(classes)


def _in_group(code: str, groups: list[tuple[str, list[str]]], tables=None) -> bool:
    """Is the unified code the group itself, or does everything it stands for belong to the group?"""
    if not code:
        return False
    for gcode, members in groups:
        if code == gcode:
            return True
        leaves, gleaves = _leaves(code, tables), _leaves(gcode, tables)
        if leaves is not None and gleaves is not None:
            if leaves and leaves <= gleaves:
                return True
            continue
        if not code.startswith("G") and any(code.startswith(m) for m in members):
            return True
    return False


def _leaves(code: str, tables):
    """The finest classes a code stands for, when the code tables can tell (else None)."""
    if tables is None or not hasattr(tables, "leaves"):
        return None
    return tables.leaves(code)


def _members_of(group_code: str, tables) -> list[str]:
    if tables is not None and hasattr(tables, "group_members"):
        try:
            return list(tables.group_members(group_code))
        except (KeyError, ValueError):
            return []
    g = _group_table().get(group_code)
    return g[1] if g else []


def _group_members(values: tuple[str, ...], tables) -> list[tuple[str, list[str]]]:
    """(group code, member prefixes) of each group named by code or name; unknown groups raise RuleError."""
    table = _group_table()
    by_name = {name: code for code, (name, _members) in table.items()}
    out = []
    for v in values:
        code = None
        if v in table or (v.startswith("G") and v[1:].isdigit()):
            code = v
        elif tables is not None and hasattr(tables, "group_code"):
            code = tables.group_code(v)
        if code is None:
            code = by_name.get(v)
        if code is None:
            raise RuleError(
                tr("Unknown group '{group}' in a rule (see data/codes/groups.csv)").format(group=v)
            )
        out.append((code, _members_of(code, tables)))
    return out


_GROUPS: dict[str, tuple[str, list[str]]] | None = None


def _group_table() -> dict[str, tuple[str, list[str]]]:
    """code -> (name, members) read from ``data/codes/groups.csv`` (the group table of Contract 1)."""
    global _GROUPS
    if _GROUPS is None:
        path = DATA_DIR / "codes" / "groups.csv"
        table: dict[str, tuple[str, list[str]]] = {}
        if path.exists():
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    code = (row.get("code") or "").strip()
                    if code:
                        table[code] = ((row.get("name") or "").strip(), (row.get("members") or "").split())
        _GROUPS = table
    return _GROUPS


def compatible_pairs(codes_a: np.ndarray, codes_b: np.ndarray, tables) -> np.ndarray:
    """Elementwise: are the unified codes compatible (equal, one refines the other, or group membership)?

    Evaluated once per distinct pair.  Empty codes are never compatible with anything (an unmapped
    code cannot be shown to agree).
    """
    if not len(codes_a):
        return np.zeros(0, dtype=bool)
    ua, ia = _unique_text(codes_a)
    ub, ib = _unique_text(codes_b)
    key = ia.astype(np.int64) * len(ub) + ib
    uk, kinv = np.unique(key, return_inverse=True)
    out = np.empty(len(uk), dtype=bool)
    for k, pair in enumerate(uk):
        x, y = ua[pair // len(ub)], ub[pair % len(ub)]
        out[k] = bool(x) and bool(y) and _compatible(str(x), str(y), tables)
    return out[kinv]


def _compatible(x: str, y: str, tables) -> bool:
    if tables is not None and hasattr(tables, "compatible"):
        return bool(tables.compatible(x, y))
    if x == y:
        return True
    if x.startswith("G") or y.startswith("G"):
        g, other = (x, y) if x.startswith("G") else (y, x)
        members = _members_of(g, None)
        if other.startswith("G"):
            return False
        return any(other.startswith(m) or m.startswith(other) for m in members)
    return x.startswith(y) or y.startswith(x)
