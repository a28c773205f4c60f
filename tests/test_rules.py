"""Rules as data: the default table, validation with line numbers, user tables, class-set evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from multiplan.algorithms import rules as rl


class StubTables:
    """Just enough of CodeTables for class sets: one group for 城镇建设用地 and one for 农林用地."""

    groups = {
        "G01": ("城镇建设用地", ["0701", "0702", "08", "09", "1001", "11", "13", "14"]),
        "G05": ("农林用地", ["01", "02", "03", "04"]),
    }

    def group_members(self, code):
        return self.groups[code][1]

    def group_code(self, name):
        return next((c for c, (n, _) in self.groups.items() if n == name), None)

    def compatible(self, a, b):
        if a == b:
            return True
        for g, other in ((a, b), (b, a)):
            if g.startswith("G") and not other.startswith("G"):
                return any(other.startswith(m) or m.startswith(other) for m in self.group_members(g))
        return a.startswith(b) or b.startswith(a)


def _cols(codes, cons, names=None, src=None):
    n = len(codes)
    return {
        "mp_code": np.array(codes, dtype=object),
        "mp_name": np.array(names or [None] * n, dtype=object),
        "mp_src_code": np.array(src or [None] * n, dtype=object),
        "construction": np.array(cons, dtype=np.int64),
    }


def test_default_table_covers_every_kind_of_domain_section_4():
    rs = rl.load_rules()
    kinds = {r.kind: r for r in rs.rules}
    # 两规 classes 2 and 3, both directions, by each plan's own construction flag
    assert (kinds["LG_URBAN_CON"].a_role, kinds["LG_URBAN_CON"].b_source) == ("urban", "land")
    assert kinds["LG_URBAN_CON"].a_classes.expr == "construction=1"
    assert kinds["LG_LAND_CON"].b_classes.expr == "construction=0"
    # red line: the layer is the hard line; the eco plan's levels are lower, 二级 lowest
    assert kinds["RL_URBAN"].b_line == "redline" and kinds["RL_URBAN"].relation == "inside"
    assert kinds["RL_URBAN"].severity > kinds["ECO1_URBAN"].severity > kinds["ECO2_URBAN"].severity
    assert kinds["PF_LAND"].b_line == "farmland"
    # urban construction outside the boundary = the 城镇建设用地 classes only
    ub = kinds["UB_URBAN"]
    assert ub.relation == "outside" and "group:城镇建设用地" in ub.a_classes.expr
    assert kinds["ZN_LAND"].b_source == "development" and "禁止开发区域" in kinds["ZN_LAND"].b_classes.expr
    assert kinds["KP_LAND"].a_role == "projects" and kinds["KP_LAND"].a_classes.is_any
    assert kinds["CL_NONCON"].relation == "incompatible"
    assert kinds["CL_FOREST_CON"].a_role == "forest"
    assert not kinds["CL_CON"].enabled
    # precedence: red line > farmland > 两规 > class level
    p = {r.kind: r.precedence for r in rs.rules}
    assert p["RL_URBAN"] > p["PF_URBAN"] > p["LG_URBAN_CON"] > p["CL_NONCON"]
    for r in rs.rules:
        assert r.name_zh and r.name_en and r.source and 1 <= r.severity <= 5


def test_validation_reports_every_problem_with_its_line(tmp_path):
    header = ",".join(rl.COLUMNS)
    rows = [
        "OK1,名,name,3,liangui,30,urban,construction=1,land,construction=0,and,1,x",
        "OK1,名,name,3,liangui,30,urban,construction=1,land,construction=0,and,1,dup",
        "BAD_SEV,名,name,9,liangui,30,urban,construction=1,land,construction=0,and,1,x",
        "BAD_CLS,名,name,3,liangui,30,urban,construction=2,land,colour:red,and,1,x",
        "BAD_LINE,名,name,3,redline,50,urban,construction=1,line:river,,inside,1,x",
        "BAD_REL,名,name,3,redline,50,urban,construction=1,line:redline,,and,1,x",
        "BAD_PREC,名,name,3,redline,high,line:redline,construction=1,land,*,and,1,x",
    ]
    p = tmp_path / "rules.csv"
    p.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(rl.RuleError) as exc:
        rl.read_rules_csv(p)
    msg = str(exc.value)
    assert "line 3: kind OK1 already defined on line 2" in msg
    assert "line 4: severity must be 1 to 5, not 9" in msg
    assert "line 5: a_classes: construction must be 0 or 1, not '2'" in msg
    assert "line 5: b_classes: unknown term 'colour:red'" in msg
    assert "line 6: unknown control line 'line:river'" in msg
    assert "line 7: relation to a line must be inside or outside, not 'and'" in msg
    assert "line 8: precedence must be an integer, not 'high'" in msg
    assert "line 8: a_role must be a plan role, not a control line" in msg
    assert msg.count("\n") == 7  # eight problems, one per line of the message

    p.write_text("kind,name_zh\nX,y\n", encoding="utf-8")
    with pytest.raises(rl.RuleError, match="missing column"):
        rl.read_rules_csv(p)


def test_user_table_extends_or_replaces(tmp_path):
    header = ",".join(rl.COLUMNS)
    p = tmp_path / "user.csv"
    p.write_text(
        "\ufeff" + header + "\n"
        "RL_URBAN,改,changed,2,redline,50,urban,construction=1,line:redline,,inside,0,local decision\n"
        "FARM_GAP,耕地冲突,Farmland class conflict,2,class,10,urban,class:01,land,!class:01 & construction=0,"
        "and,1,local\n",
        encoding="utf-8",
    )
    ext = rl.load_rules(p)
    assert len(ext) == len(rl.load_rules()) + 1
    assert not ext.by_kind("RL_URBAN").enabled and ext.by_kind("RL_URBAN").severity == 2
    assert ext.by_kind("FARM_GAP").b_classes.terms[0] == rl.Term("class", ("01",), True)
    rep = rl.load_rules(p, mode="replace")
    assert rep.kinds() == ["RL_URBAN", "FARM_GAP"]
    run, skipped = rl.rules_for_inputs(rep, ["urban", "land"], [])
    assert [r.kind for r in run] == ["FARM_GAP"]  # RL_URBAN is disabled
    run, skipped = rl.rules_for_inputs(rl.load_rules(), ["urban", "land"], ["redline"])
    assert "RL_URBAN" in [r.kind for r in run] and "PF_URBAN" in [r.kind for r, _ in skipped]
    why = dict((r.kind, w) for r, w in skipped)
    assert why["KP_LAND"] == "input(s) not given: projects"


def test_class_sets_on_columns():
    t = StubTables()
    cols = _cols(
        ["0701", "0703", "G01", "0301", "G05", None, "1001", "1002", "03"],
        [1, 1, 1, 0, 0, -1, 1, 1, 0],
        names=[None, None, None, None, None, None, None, None, "禁止开发区域"],
        src=["R2", "H14", "211", "13", "E2", "R5", "M1", "H5", "4"],
    )
    m = lambda e: rl.parse_class_set(e).mask(cols, t).tolist()  # noqa: E731
    assert m("construction=1") == [True, True, True, False, False, False, True, True, False]
    assert m("construction=0") == [False, False, False, True, True, False, False, False, True]
    # urban construction: villages (0703) and mines (1002) are not in the group; the group itself is
    urban = [True, False, True, False, False, False, True, False, False]
    assert m("construction=1 & group:城镇建设用地") == urban
    assert m("group:G01") == m("group:城镇建设用地")
    # class: a group matches only when all its members do
    assert m("class:03") == [False, False, False, True, False, False, False, False, True]
    assert m("class:01|02|03|04") == [False, False, False, True, True, False, False, False, True]
    assert m("!class:03 & construction=0") == [False, False, False, False, True, False, False, False, False]
    assert m("zone:禁止开发区域") == [False] * 8 + [True]
    assert m("zone:4") == [False] * 8 + [True]
    assert m("src:H1*|R5") == [False, True, False, False, False, True, False, False, False]
    assert m("*") == [True] * 9
    with pytest.raises(rl.RuleError, match="Unknown group"):
        m("group:不存在的组")


def test_compatible_pairs_once_per_distinct_pair():
    t = StubTables()
    a = np.array(["0101", "0101", "1701", "E", None, "0301", "G05"] * 1000, dtype=object)
    b = np.array(["G05", "0103", "0101", "E", "0101", "03", "G01"] * 1000, dtype=object)
    got = rl.compatible_pairs(a, b, t)
    assert got[:7].tolist() == [True, False, False, True, False, True, False]
    assert got.sum() == 3000


def test_a_rule_table_saved_in_gbk_says_how_to_save_it(tmp_path):
    """Excel on a Chinese Windows saves "CSV" in GBK: every editable table says to save it as CSV UTF-8."""
    from multiplan.algorithms.lines import LineRuleError, load_line_rules
    from multiplan.algorithms.rules import RuleError, read_rules_csv
    from multiplan.algorithms.siting import SitingRuleError, load_siting_rules

    path = tmp_path / "规则.csv"
    path.write_bytes("kind,name_zh\nX,城规建设\n".encode("gbk"))
    for load, error in (
        (read_rules_csv, RuleError),
        (load_line_rules, LineRuleError),
        (load_siting_rules, SitingRuleError),
    ):
        with pytest.raises(error) as err:
            load(path)
        assert str(path) in str(err.value) and "CSV UTF-8" in str(err.value)
    with pytest.raises(RuleError, match="Cannot read"):
        read_rules_csv(tmp_path / "missing.csv")
