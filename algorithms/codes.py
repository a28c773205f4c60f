"""Code tables, crosswalks and the unified code hierarchy — all loaded from CSV data, none written in code.

Why data: practice varies (DOMAIN.md §3), so every row carries a ``source`` and a user can supply or
override rows with a crosswalk CSV (DESIGN.md Contract 1).  This module only loads, validates and answers
questions about the tables in ``data/``:

* ``data/codes/<standard>.csv`` — one code table per standard (``code, name, name_en, level, parent,
  construction, sandalei, aliases, source``).  ``construction`` is the standard's **own** construction
  rule (DOMAIN.md §2); for ``YDYH-2023`` it is the *planning* flag of the unified class.
* ``data/codes/groups.csv`` — level-0 groups (``G01`` …) for source classes that no single 用地用海 class
  covers (``code, name, name_en, members, construction, sandalei, source``).
* ``data/crosswalks/<standard>.csv`` — each standard into 用地用海 2023 in the Contract 1 crosswalk format
  plus an optional ``match`` column (``exact``/``coarse``; empty = coarse for a group, else exact).

The unified hierarchy is answered through *leaf sets*: the set of finest 用地用海 classes a code (or a
group) may stand for.  Two codes are compatible when those sets meet, and the finer of two compatible
codes is the one with fewer leaves — one rule for classes, parents and groups alike.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import tr

STANDARDS: tuple[str, ...] = (
    "GB50137-2011",
    "TDT1024-2010",
    "GBT21010-2017",
    "YDYH-2023",
    "YDYH-2020",
    "ZTGN",
    "STHX",
)
UNIFIED = "YDYH-2023"
LAND_USE_STANDARDS: tuple[str, ...] = STANDARDS[:5]
# Zone plans carry no land use: mp_code is the zone code and mp_construction is null (Contract 1).
ZONE_STANDARDS: tuple[str, ...] = ("ZTGN", "STHX")
# Standards with a crosswalk file; YDYH-2023 maps onto itself and zones keep their own codes.
CROSSWALK_STANDARDS: tuple[str, ...] = ("GB50137-2011", "TDT1024-2010", "GBT21010-2017", "YDYH-2020")
USER_PREFIX = "USER:"

SANDALEI: tuple[str, ...] = ("农用地", "建设用地", "未利用地")
MATCHES: tuple[str, ...] = ("exact", "coarse")

# The group of classes a 城镇开发边界 rule calls "urban construction" (data: data/codes/groups.csv).
URBAN_CONSTRUCTION_GROUP = "G01"
VILLAGE_CONSTRUCTION_GROUP = "G02"

CODE_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "name_en",
    "level",
    "parent",
    "construction",
    "sandalei",
    "aliases",
    "source",
)
GROUP_COLUMNS: tuple[str, ...] = ("code", "name", "name_en", "members", "construction", "sandalei", "source")
CROSSWALK_COLUMNS: tuple[str, ...] = (
    "source_standard",
    "source_code",
    "source_name",
    "target_code",
    "construction",
    "sandalei",
    "source",
)
OPTIONAL_CROSSWALK_COLUMNS: tuple[str, ...] = ("match",)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class CodeTableError(ValueError):
    """A shipped (or user-supplied) code table is inconsistent; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n  ".join(self.problems[:30])
            more = len(self.problems) - 30
            message = message + "\n  " + shown
            if more > 0:
                message += "\n  " + tr("… and {n} more").format(n=more)
        super().__init__(message)


class CrosswalkError(CodeTableError):
    """A user crosswalk CSV has bad rows; the message names each by line number."""


@dataclass(frozen=True)
class CodeEntry:
    """One class of a standard (or one level-0 group, then ``members`` is set and ``level`` is 0)."""

    standard: str
    code: str
    name: str
    name_en: str = ""
    level: int = 1
    parent: str | None = None
    construction: int | None = None
    sandalei: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    members: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True)
class CrosswalkRow:
    """One crosswalk row (Contract 1).  ``source_code`` or ``source_name`` may be empty (not both);
    ``target_code`` is empty when the system has no 用地用海 equivalent (then ``construction`` is given)."""

    source_standard: str
    source_code: str | None
    source_name: str | None
    target_code: str | None
    construction: int | None
    sandalei: str | None
    source: str
    match: str | None = None
    line: int | None = None
    origin: str = ""


# ---------------------------------------------------------------- normalisation helpers

_WS = re.compile(r"\s+")
_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")
_NAME_PUNCT = re.compile(r"[\s\"'“”‘’·•,，、;；:：]+")


def clean_code(text: str) -> str | None:
    """Normalise a code given as text: NFKC (full-width → half-width), no whitespace, upper-case letters,
    ``'1101.0'`` → ``'1101'`` (what a Processing matrix does to ``'1101'``).  Leading zeros are kept."""
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s).upper()
    if not s:
        return None
    m = _FLOAT_TEXT.match(s)
    if m:
        s = m.group(1)
    return s


def name_key(name) -> str | None:
    """A key for matching class names: NFKC, no whitespace or list punctuation, half-width brackets,
    without a trailing ``用地`` (``工业用地`` and ``工业`` match; ``橡胶园`` vs ``橡胶园地`` need an
    alias)."""
    if name is None:
        return None
    if isinstance(name, float) and name != name:  # NaN
        return None
    s = unicodedata.normalize("NFKC", str(name))
    s = _NAME_PUNCT.sub("", s).upper()
    if s.endswith("用地") and len(s) > 3:
        s = s[:-2]
    return s or None


def _int_or_none(text: str, what: str, where: str, problems: list[str]) -> int | None:
    t = (text or "").strip()
    if t == "":
        return None
    if t in ("0", "1"):
        return int(t)
    problems.append(
        tr("{where}: {what} must be 0, 1 or empty, not {v!r}").format(where=where, what=what, v=t)
    )
    return None


def _sandalei_or_none(text: str, where: str, problems: list[str]) -> str | None:
    t = (text or "").strip()
    if not t:
        return None
    if t not in SANDALEI:
        problems.append(
            tr("{where}: sandalei must be one of {allowed} or empty, not {v!r}").format(
                where=where, allowed="/".join(SANDALEI), v=t
            )
        )
        return None
    return t


def _read_csv(path: Path, required: tuple[str, ...], problems: list[str], encoding: str = "utf-8-sig"):
    """Rows of a CSV as dicts keyed by lower-cased, stripped header names, with their line numbers."""
    try:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                problems.append(tr("{path}: the file is empty").format(path=path))
                return []
            cols = [h.strip().lower() for h in header]
            missing = [c for c in required if c not in cols]
            if missing:
                problems.append(
                    tr("{path}: missing column(s) {cols}; expected {expected}").format(
                        path=path, cols=", ".join(missing), expected=", ".join(required)
                    )
                )
                return []
            out = []
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) > len(cols):
                    problems.append(
                        tr(
                            "{path} line {line}: {n} values for {m} columns "
                            "(a comma inside an unquoted text?)"
                        ).format(path=path, line=line, n=len(values), m=len(cols))
                    )
                    continue
                row = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(cols)}
                out.append((line, row))
            return out
    except UnicodeDecodeError as exc:
        raise CrosswalkError(
            tr("{path} is not {enc} text (byte {pos}): save it as “CSV UTF-8”.").format(
                path=path, enc=encoding, pos=exc.start
            )
        ) from exc


# ---------------------------------------------------------------- the tables


class CodeTables:
    """All built-in code tables, groups and crosswalks, validated, with the unified hierarchy.

    Use :meth:`load` (cached); constructing directly re-reads the files.
    """

    _cache: dict[str, CodeTables] = {}
    _lock = threading.Lock()

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
        problems: list[str] = []
        self._entries: dict[str, dict[str, CodeEntry]] = {}
        for std in STANDARDS:
            self._entries[std] = self._load_codes(std, problems)
        self._groups = self._load_groups(problems)
        self._crosswalks: dict[str, dict[str, CrosswalkRow]] = {}
        for std in CROSSWALK_STANDARDS:
            self._crosswalks[std] = self._load_crosswalk(std, problems)
        if problems:
            raise CodeTableError(
                tr("The code tables in {dir} are inconsistent:").format(dir=self.data_dir), problems
            )
        self._leaves: dict[str, frozenset[str]] = {}
        self._build_leaves()
        self._name_index: dict[str, dict[str, str | tuple[str, ...]]] = {
            std: build_name_index(self._entries[std].values()) for std in STANDARDS
        }
        problems = self.validate()
        if problems:
            raise CodeTableError(
                tr("The code tables in {dir} are inconsistent:").format(dir=self.data_dir), problems
            )

    # -------------------------------------------------------------- loading

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> CodeTables:
        """The tables of ``data_dir`` (default: the plugin's ``data/``), loaded once per process."""
        key = str(Path(data_dir).resolve()) if data_dir else ""
        with cls._lock:
            inst = cls._cache.get(key)
            if inst is None:
                inst = cls(data_dir)
                cls._cache[key] = inst
            return inst

    def _load_codes(self, std: str, problems: list[str]) -> dict[str, CodeEntry]:
        path = self.data_dir / "codes" / f"{std}.csv"
        if not path.exists():
            problems.append(tr("{path}: missing code table").format(path=path))
            return {}
        out: dict[str, CodeEntry] = {}
        for line, row in _read_csv(path, CODE_COLUMNS, problems):
            where = f"{path.name} line {line}"
            code = clean_code(row["code"]) if row["code"] else None
            if not code:
                problems.append(tr("{where}: empty code").format(where=where))
                continue
            if code != row["code"]:
                problems.append(
                    tr("{where}: code {c!r} is not in normal form").format(where=where, c=row["code"])
                )
            if code in out:
                problems.append(tr("{where}: duplicate code {c}").format(where=where, c=code))
                continue
            if not row["name"]:
                problems.append(tr("{where}: empty name").format(where=where))
            if not row["source"]:
                problems.append(tr("{where}: empty source").format(where=where))
            try:
                level = int(row["level"])
            except ValueError:
                problems.append(tr("{where}: level must be an integer").format(where=where))
                level = 0
            aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
            out[code] = CodeEntry(
                standard=std,
                code=code,
                name=row["name"],
                name_en=row["name_en"],
                level=level,
                parent=row["parent"] or None,
                construction=_int_or_none(row["construction"], "construction", where, problems),
                sandalei=_sandalei_or_none(row["sandalei"], where, problems),
                aliases=aliases,
                source=row["source"],
            )
        return out

    def _load_groups(self, problems: list[str]) -> dict[str, CodeEntry]:
        path = self.data_dir / "codes" / "groups.csv"
        out: dict[str, CodeEntry] = {}
        if not path.exists():
            problems.append(tr("{path}: missing group table").format(path=path))
            return out
        unified = self._entries.get(UNIFIED, {})
        for line, row in _read_csv(path, GROUP_COLUMNS, problems):
            where = f"{path.name} line {line}"
            code = clean_code(row["code"]) if row["code"] else None
            if not code or not re.fullmatch(r"G\d+", code):
                problems.append(
                    tr("{where}: a group code is G followed by digits, not {c!r}").format(
                        where=where, c=row["code"]
                    )
                )
                continue
            if code in out:
                problems.append(tr("{where}: duplicate group {c}").format(where=where, c=code))
                continue
            members = tuple(row["members"].split())
            bad = [m for m in members if m not in unified]
            if not members or bad:
                problems.append(
                    tr("{where}: members must be 用地用海 2023 codes; unknown: {bad}").format(
                        where=where, bad=" ".join(bad) or "(none given)"
                    )
                )
            if not row["source"]:
                problems.append(tr("{where}: empty source").format(where=where))
            out[code] = CodeEntry(
                standard="GROUP",
                code=code,
                name=row["name"],
                name_en=row["name_en"],
                level=0,
                construction=_int_or_none(row["construction"], "construction", where, problems),
                sandalei=_sandalei_or_none(row["sandalei"], where, problems),
                source=row["source"],
                members=members,
            )
        return out

    def _load_crosswalk(self, std: str, problems: list[str]) -> dict[str, CrosswalkRow]:
        path = self.data_dir / "crosswalks" / f"{std}.csv"
        if not path.exists():
            problems.append(tr("{path}: missing crosswalk").format(path=path))
            return {}
        rows = _parse_crosswalk_rows(path, _read_csv(path, CROSSWALK_COLUMNS, problems), problems)
        out: dict[str, CrosswalkRow] = {}
        for r in rows:
            where = f"{path.name} line {r.line}"
            if r.source_standard != std:
                problems.append(
                    tr("{where}: source_standard {s} in the crosswalk of {std}").format(
                        where=where, s=r.source_standard, std=std
                    )
                )
            if not r.source_code:
                problems.append(tr("{where}: built-in crosswalk rows are keyed by code").format(where=where))
                continue
            if r.source_code in out:
                problems.append(tr("{where}: duplicate code {c}").format(where=where, c=r.source_code))
                continue
            out[r.source_code] = r
        return out

    # -------------------------------------------------------------- validation

    def validate(self) -> list[str]:
        """Cross-table consistency: parents exist, crosswalk rows match their code tables and point at
        existing unified classes or groups, group flags agree with their members.  Returns problems."""
        problems: list[str] = []
        add = problems.append
        for std, entries in self._entries.items():
            for e in entries.values():
                if e.parent and e.parent not in entries:
                    add(tr("{std} {c}: parent {p} missing").format(std=std, c=e.code, p=e.parent))
                if e.parent and e.code in self.ancestors(std, e.parent, entries):
                    add(tr("{std} {c}: parent chain loops").format(std=std, c=e.code))
            if std == UNIFIED:
                for key, val in build_name_index(entries.values()).items():
                    if isinstance(val, tuple):
                        add(
                            tr("{std}: name {k} is ambiguous ({codes})").format(
                                std=std, k=key, codes=" ".join(val)
                            )
                        )
        for std, rows in self._crosswalks.items():
            entries = self._entries[std]
            for code, r in rows.items():
                where = f"crosswalks/{std}.csv line {r.line}"
                e = entries.get(code)
                if e is None:
                    add(
                        tr("{where}: code {c} not in the {std} code table").format(
                            where=where, c=code, std=std
                        )
                    )
                    continue
                if r.target_code and self.unified_entry(r.target_code) is None:
                    add(
                        tr("{where}: target {t} is neither a 用地用海 2023 class nor a group").format(
                            where=where, t=r.target_code
                        )
                    )
                for what, got, want in (
                    ("construction", r.construction, e.construction),
                    ("sandalei", r.sandalei, e.sandalei),
                ):
                    if got != want:
                        add(
                            tr("{where}: {what} {got} differs from the code table's {want}").format(
                                where=where, what=what, got=got, want=want
                            )
                        )
                if r.source_name and r.source_name != e.name:
                    add(
                        tr("{where}: name {got} differs from the code table's {want}").format(
                            where=where, got=r.source_name, want=e.name
                        )
                    )
            missing = sorted(set(entries) - set(rows))
            if missing:
                add(tr("crosswalks/{std}.csv: no row for {codes}").format(std=std, codes=" ".join(missing)))
        for g in self._groups.values():
            flags = {self._entries[UNIFIED][m].construction for m in g.members if m in self._entries[UNIFIED]}
            want = flags.pop() if len(flags) == 1 else None
            if g.construction != want:
                add(
                    tr("groups.csv {g}: construction {got} but its members say {want}").format(
                        g=g.code, got=g.construction, want=want
                    )
                )
        return problems

    # -------------------------------------------------------------- basic access

    @property
    def standards(self) -> tuple[str, ...]:
        return STANDARDS

    def standard_entries(self, standard: str) -> dict[str, CodeEntry]:
        """code → entry for a built-in standard (a ``USER:`` standard has no built-in entries: ``{}``)."""
        if standard in self._entries:
            return self._entries[standard]
        if standard.startswith(USER_PREFIX):
            return {}
        raise ValueError(
            tr("Unknown standard {s}; known: {known}").format(s=standard, known=", ".join(STANDARDS))
        )

    def crosswalk(self, standard: str) -> dict[str, CrosswalkRow]:
        """The built-in crosswalk rows of a standard into 用地用海 2023, keyed by source code."""
        return self._crosswalks.get(standard, {})

    def groups(self) -> dict[str, CodeEntry]:
        return self._groups

    def name_lookup(self, standard: str, name) -> str | tuple[str, ...] | None:
        """The code whose name or alias matches ``name`` (see :func:`name_key`); a tuple of codes when the
        name is ambiguous in that standard (e.g. GB 50137 住宅用地 = R11/R21/R31); None when unknown."""
        key = name_key(name)
        if key is None:
            return None
        return self._name_index.get(standard, {}).get(key)

    # -------------------------------------------------------------- unified hierarchy

    def unified_entry(self, code: str) -> CodeEntry | None:
        """A 用地用海 2023 class or a group."""
        if not code:
            return None
        return self._entries[UNIFIED].get(code) or self._groups.get(code)

    def unified_name(self, code: str) -> str | None:
        e = self.unified_entry(code)
        return e.name if e else None

    def unified_level(self, code: str) -> int | None:
        """1, 2 or 3 for a 用地用海 class, 0 for a group, None for anything else."""
        e = self.unified_entry(code)
        return e.level if e else None

    def planning_construction(self, unified_code: str) -> int | None:
        """The planning construction flag of a unified class (DOMAIN.md §3) or a group (when all its members
        agree; else None)."""
        e = self.unified_entry(unified_code)
        return e.construction if e else None

    def level1(self, unified_code: str) -> str | None:
        """``'07'`` for ``'0701'``; a group gives its members' level-1 class when they all share one,
        else None."""
        e = self.unified_entry(unified_code)
        if e is None:
            return None
        if e.is_group:
            tops = {m[:2] for m in e.members}
            return tops.pop() if len(tops) == 1 else None
        return e.code[:2]

    def group_members(self, group_code: str) -> list[str]:
        g = self._groups.get(group_code)
        return list(g.members) if g else []

    def leaves(self, code: str) -> frozenset[str]:
        """The finest 用地用海 classes ``code`` (class or group) may stand for; empty for unknown codes."""
        return self._leaves.get(code, frozenset())

    def compatible(self, code_a: str, code_b: str) -> bool:
        """Same code, one refines the other, or group membership/overlap: their leaf sets meet."""
        if code_a == code_b:
            return True
        la, lb = self.leaves(code_a), self.leaves(code_b)
        return bool(la and lb and not la.isdisjoint(lb))

    def finer(self, code_a: str, code_b: str) -> str:
        """The finer of two compatible codes: the one standing for fewer leaf classes (a real class wins a
        tie against a group).  Raises ValueError for incompatible codes."""
        if code_a == code_b:
            return code_a
        if not self.compatible(code_a, code_b):
            raise ValueError(tr("{a} and {b} are not compatible").format(a=code_a, b=code_b))
        na, nb = len(self.leaves(code_a)), len(self.leaves(code_b))
        if na != nb:
            return code_a if na < nb else code_b
        if code_a in self._groups and code_b not in self._groups:
            return code_b
        return code_a

    def urban_construction_codes(self) -> tuple[str, ...]:
        """The 用地用海 classes that count as 城镇建设用地 (group G01): what a 城镇开发边界 rule checks."""
        return tuple(self.group_members(URBAN_CONSTRUCTION_GROUP))

    def is_urban_construction(self, unified_code: str) -> bool:
        """True when every class ``unified_code`` may stand for is 城镇建设用地 (``'0701'`` and ``'G01'`` yes;
        ``'07'`` no: it includes village homesteads)."""
        leaves = self.leaves(unified_code)
        return bool(leaves) and leaves <= self.leaves(URBAN_CONSTRUCTION_GROUP)

    def _build_leaves(self) -> None:
        unified = self._entries[UNIFIED]
        children: dict[str, list[str]] = {}
        for e in unified.values():
            if e.parent:
                children.setdefault(e.parent, []).append(e.code)

        def walk(code: str) -> frozenset[str]:
            if code in self._leaves:
                return self._leaves[code]
            kids = children.get(code)
            res = frozenset({code}) if not kids else frozenset().union(*(walk(k) for k in kids))
            self._leaves[code] = res
            return res

        for code in unified:
            walk(code)
        for g in self._groups.values():
            self._leaves[g.code] = frozenset().union(*(self._leaves.get(m, frozenset()) for m in g.members))

    # -------------------------------------------------------------- source-standard hierarchy

    def ancestors(self, standard: str, code: str, entries: dict[str, CodeEntry] | None = None) -> list[str]:
        """Parents of a source code, nearest first (by the ``parent`` column; GB 50137's R…G letters have
        H11 as parent, since they are its detail)."""
        entries = entries if entries is not None else self.standard_entries(standard)
        out: list[str] = []
        e = entries.get(code)
        while e is not None and e.parent and e.parent not in out:
            out.append(e.parent)
            e = entries.get(e.parent)
        return out

    def resolve(
        self, standard: str, code: str | None, prefixes: tuple[str, ...] = ()
    ) -> tuple[str, str] | None:
        """Find ``code`` in ``standard``'s table, repairing what practice does to codes.

        Returns ``(table_code, how)`` with ``how`` one of ``exact``, ``k_suffix`` (三调 可调整 ``0101K`` →
        base), ``zero_padded`` (an integer field lost the leading zero: ``101`` → ``0101``, ``60101`` →
        ``060101``; never a single digit, which is far more likely another system's level-1 code),
        ``prefix_stripped`` (a configured local prefix such as 土规 ``X211``/``G211``), or None.
        """
        if not code:
            return None
        entries = self.standard_entries(standard)
        if code in entries:
            return code, "exact"
        if standard in (UNIFIED, "YDYH-2020", "GBT21010-2017") and code.isdigit() and len(code) in (3, 5):
            padded = "0" + code
            if padded in entries:
                return padded, "zero_padded"
        if standard == "GBT21010-2017" and code.endswith("K") and len(code) > 1:
            base = self.resolve(standard, code[:-1])
            if base is not None:
                return base[0], "k_suffix"
        for p in prefixes:
            if p and code.startswith(p) and len(code) > len(p):
                rest = self.resolve(standard, code[len(p) :])
                if rest is not None:
                    return rest[0], "prefix_stripped"
        return None


def build_name_index(entries) -> dict[str, str | tuple[str, ...]]:
    """name key → code, or a tuple of codes when several entries share the key."""
    idx: dict[str, str | tuple[str, ...]] = {}
    for e in entries:
        names = (e.name, *e.aliases)
        for n in names:
            k = name_key(n)
            if k is None:
                continue
            cur = idx.get(k)
            if cur is None or cur == e.code:
                idx[k] = e.code
            elif isinstance(cur, tuple):
                if e.code not in cur:
                    idx[k] = (*cur, e.code)
            else:
                idx[k] = (cur, e.code)
    return idx


# ---------------------------------------------------------------- crosswalk rows (built-in and user)


def _parse_crosswalk_rows(path: Path, rows, problems: list[str]) -> list[CrosswalkRow]:
    out: list[CrosswalkRow] = []
    for line, row in rows:
        before = len(problems)
        where = f"{path.name} line {line}"
        std = row["source_standard"]
        if not std:
            problems.append(tr("{where}: empty source_standard").format(where=where))
            continue
        if std.upper().startswith(USER_PREFIX):
            std = USER_PREFIX + std[len(USER_PREFIX) :].strip()
            if std == USER_PREFIX:
                problems.append(tr("{where}: USER: needs a name, e.g. USER:MAES").format(where=where))
                continue
        elif std not in STANDARDS:
            problems.append(
                tr(
                    "{where}: source_standard {s!r} is neither a built-in standard ({known}) nor USER:<name>"
                ).format(where=where, s=std, known=", ".join(STANDARDS))
            )
            continue
        code = clean_code(row["source_code"]) if row["source_code"] else None
        name = row["source_name"] or None
        if not code and not name:
            problems.append(tr("{where}: give source_code or source_name").format(where=where))
            continue
        target = clean_code(row["target_code"]) if row["target_code"] else None
        construction = _int_or_none(row["construction"], "construction", where, problems)
        sandalei = _sandalei_or_none(row["sandalei"], where, problems)
        match = (row.get("match") or "").strip().lower() or None
        if match is not None and match not in MATCHES:
            problems.append(
                tr("{where}: match must be exact, coarse or empty, not {v!r}").format(where=where, v=match)
            )
            match = None
        if len(problems) > before:
            continue  # one message per bad value is enough; the row is not used
        out.append(
            CrosswalkRow(
                source_standard=std,
                source_code=code,
                source_name=name,
                target_code=target,
                construction=construction,
                sandalei=sandalei,
                source=row["source"],
                match=match,
                line=line,
                origin=str(path),
            )
        )
    return out


def read_user_crosswalk(
    path: str | Path, *, tables: CodeTables | None = None, encoding: str | None = None
) -> list[CrosswalkRow]:
    """Read a user crosswalk CSV (Contract 1 columns; an optional ``match`` column).

    Raises :class:`CrosswalkError` naming every bad row by line number: unknown standard, neither code nor
    name, a target that is no 用地用海 2023 class or group, no target and no construction flag, bad flag
    values, the same key given twice with different content.  An empty ``source`` is filled with
    ``user crosswalk <file> line <n>`` so every row still says where it came from.
    """
    p = Path(path)
    tables = tables or CodeTables.load()
    problems: list[str] = []
    if not p.exists():
        raise CrosswalkError(tr("Crosswalk file {path} does not exist").format(path=p))
    raw = _read_csv(p, CROSSWALK_COLUMNS, problems, encoding=encoding or "utf-8-sig")
    rows = _parse_crosswalk_rows(p, raw, problems)
    seen: dict[tuple[str, str, str], CrosswalkRow] = {}
    out: list[CrosswalkRow] = []
    for r in rows:
        where = f"{p.name} line {r.line}"
        if r.target_code and tables.unified_entry(r.target_code) is None:
            problems.append(
                tr("{where}: target_code {t} is neither a 用地用海 2023 code nor a group code").format(
                    where=where, t=r.target_code
                )
            )
        if not r.target_code and r.construction is None:
            std_entries = (
                tables.standard_entries(r.source_standard)
                if not r.source_standard.startswith(USER_PREFIX)
                else {}
            )
            if r.source_code not in std_entries:
                problems.append(
                    tr("{where}: no target_code, so the construction flag (0/1) must be given").format(
                        where=where
                    )
                )
        for kind, key in (
            ("code", r.source_code),
            ("name", name_key(r.source_name) if not r.source_code else None),
        ):
            if not key:
                continue
            k = (r.source_standard, kind, key)
            prev = seen.get(k)
            if prev is not None and (prev.target_code, prev.construction, prev.sandalei) != (
                r.target_code,
                r.construction,
                r.sandalei,
            ):
                problems.append(
                    tr("{where}: {kind} {key} of {std} already given differently on line {prev}").format(
                        where=where, kind=kind, key=key, std=r.source_standard, prev=prev.line
                    )
                )
            seen.setdefault(k, r)
        if not r.source:
            r = CrosswalkRow(**{**r.__dict__, "source": f"user crosswalk {p.name} line {r.line}"})
        out.append(r)
    if problems:
        raise CrosswalkError(
            tr("The crosswalk {path} has {n} problem(s):").format(path=p, n=len(problems)), problems
        )
    if not out:
        raise CrosswalkError(tr("The crosswalk {path} has no rows").format(path=p))
    return out


@dataclass
class UserMapping:
    """User rows of one standard, indexed for lookup (built by :func:`index_user_rows`)."""

    by_code: dict[str, CrosswalkRow] = field(default_factory=dict)
    by_name: dict[str, CrosswalkRow] = field(default_factory=dict)


def index_user_rows(rows: list[CrosswalkRow] | None) -> dict[str, UserMapping]:
    """standard → code/name lookups (later rows win, so a file can refine an earlier one)."""
    out: dict[str, UserMapping] = {}
    for r in rows or ():
        m = out.setdefault(r.source_standard, UserMapping())
        if r.source_code:
            m.by_code[r.source_code] = r
            if r.source_name:
                k = name_key(r.source_name)
                if k:
                    m.by_name.setdefault(k, r)
        elif r.source_name:
            k = name_key(r.source_name)
            if k:
                m.by_name[k] = r
    return out
