"""The harmonisation engine: normalisation, auto-detection, mapping, user crosswalks — no QGIS needed."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from multiplan.algorithms import harmonise as hmod
from multiplan.algorithms.codes import CodeTables, CrosswalkError, read_user_crosswalk
from multiplan.algorithms.harmonise import HARMONISED_FIELDS, detect_standard, harmonise, normalise_code

N2K_SHP = (
    Path(__file__).resolve().parent
    / "data"
    / "realdata"
    / "eea-n2k-cz-lclu"
    / "n2k_du001z_lclu_v99_20190108.shp"
)


@pytest.fixture(scope="module")
def t() -> CodeTables:
    return CodeTables.load()


def _write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "source_standard",
                "source_code",
                "source_name",
                "target_code",
                "construction",
                "sandalei",
                "source",
            ]
        )
        w.writerows(rows)
    return path


def _f(res, name):
    return res.fields[name].tolist()


# ---------------------------------------------------------------- normalisation


def test_harmonised_fields_are_contract_1():
    assert HARMONISED_FIELDS == [
        ("mp_src_standard", "text"), ("mp_src_code", "text"), ("mp_code", "text"), ("mp_name", "text"),
        ("mp_level", "int"), ("mp_construction", "int"), ("mp_sandalei", "text"), ("mp_status", "text"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "value, expected",
    [
        (101, "101"), (np.int64(11), "11"), (1101.0, "1101"), (np.float32(211.0), "211"), (11.5, "11.5"),
        ("1101.0", "1101"), ("０１０１", "0101"), ("Ｒ２", "R2"), (" r2 ", "R2"), ("05h1", "05H1"),
        ("0101 ", "0101"), ("01\u300001", "0101"), (b"0101", "0101"), ("优化开发区域", "优化开发区域"),
        (None, None), (float("nan"), None), ("", None), ("   ", None), (True, "1"),
    ],
)  # fmt: skip
def test_normalise_code(value, expected):
    assert normalise_code(value) == expected


# ---------------------------------------------------------------- mapping per standard


def test_gb50137_dirty_values(t):
    codes = ["R2", "r21", "Ｍ１", " E2 ", None, float("nan"), "R5", "H14", "A33", "E2"]
    areas = [10.0, 1.0, 2.0, 100.0, 3.0, 4.0, 7.5, 20.0, 5.0, 50.0]
    res = harmonise(codes, standard="GB50137-2011", weights=areas, tables=t)
    assert _f(res, "mp_src_code") == ["R2", "R21", "M1", "E2", None, None, "R5", "H14", "A33", "E2"]
    assert _f(res, "mp_code") == ["G15", "070102", "100101", "G13", None, None, None, "G02", "080403", "G13"]
    assert _f(res, "mp_level") == [0, 3, 3, 0, None, None, None, 0, 3, 0]
    assert _f(res, "mp_construction") == [1, 1, 1, 0, None, None, None, 1, 1, 0]
    built, farm = "建设用地", "农用地"
    assert _f(res, "mp_sandalei") == [built, built, built, farm, None, None, None, built, built, farm]
    assert _f(res, "mp_status") == ["coarse", "exact", "exact", "coarse", "unmapped", "unmapped", "unmapped",
                                    "coarse", "exact", "coarse"]  # fmt: skip
    assert _f(res, "mp_name")[:3] == ["城镇居住用地", "二类城镇住宅用地", "一类工业用地"]
    assert set(_f(res, "mp_src_standard")) == {"GB50137-2011"}
    assert res.standard == "GB50137-2011" and res.detection is None
    c = res.counts
    assert (c["features"], c["exact"], c["coarse"], c["unmapped"], c["empty"]) == (10, 3, 4, 3, 2)
    # the unmapped table: one row per distinct value, largest area first, counts and areas summed
    assert [(u.code, u.count, u.weight) for u in res.unmapped] == [("R5", 1, 7.5), (None, 2, 7.0)]
    assert res.unmapped[0].reason == "unknown code" and res.unmapped[1].reason == "no code and no name"


def test_sandiao_integer_field_zero_padding_and_k_suffix(t):
    codes = np.array([101, 301, 1104, 1006, 1203, 101, 1103], dtype=np.int64)
    res = harmonise(codes, standard="GBT21010-2017", tables=t)
    assert _f(res, "mp_src_code") == ["0101", "0301", "1104", "1006", "1203", "0101", "1103"]
    assert _f(res, "mp_code") == ["0101", "0301", "1704", "0601", "2303", "0101", "1703"]
    assert _f(res, "mp_sandalei") == ["农用地"] * 7
    assert _f(res, "mp_construction") == [0] * 7
    assert res.counts["zero_padded"] == 3
    k = harmonise(["0201K", "0101K", "1104K", "05H1", "08H2"], standard="GBT21010-2017", tables=t)
    assert _f(k, "mp_src_code") == ["0201K", "0101K", "1104K", "05H1", "08H2"]
    assert _f(k, "mp_code") == ["0201", "0101", "1704", "09", "08"]
    assert _f(k, "mp_status") == ["exact", "exact", "exact", "exact", "coarse"]
    assert k.counts["k_suffix"] == 1  # 0101K is not listed in the table: the generic K rule resolved it


def test_tdt_prefixes(t):
    codes = ["X211", "G211", "N11", "G11", "226", "X999"]
    res = harmonise(codes, standard="TDT1024-2010", strip_prefixes="X,G,N", tables=t)
    assert _f(res, "mp_code") == ["G01", "G01", "01", "01", "1703", None]
    assert _f(res, "mp_src_code") == ["X211", "G211", "N11", "G11", "226", "X999"]  # the prefix is kept
    assert _f(res, "mp_construction") == [1, 1, 0, 0, 1, None]
    assert res.counts["prefix_stripped"] == 4
    same = harmonise(codes, standard="TDT1024-2010", strip_prefixes="XGN", tables=t)
    assert _f(same, "mp_code") == _f(res, "mp_code")
    none = harmonise(codes, standard="TDT1024-2010", tables=t)
    assert _f(none, "mp_code") == [None, None, None, None, "1703", None]


def test_reservoir_keeps_each_standards_own_flag(t):
    td = harmonise(["226"], standard="TDT1024-2010", tables=t)
    sd = harmonise(["1103"], standard="GBT21010-2017", tables=t)
    yd = harmonise(["1703"], standard="YDYH-2023", tables=t)
    for r in (td, sd, yd):
        assert _f(r, "mp_code") == ["1703"]
    assert [_f(r, "mp_construction")[0] for r in (td, sd, yd)] == [1, 0, 0]
    assert [_f(r, "mp_sandalei")[0] for r in (td, sd, yd)] == ["建设用地", "农用地", "农用地"]


def test_ydyh_2023_identity_and_2020_version_trap(t):
    res = harmonise(["0101", "060102", "2301", "070101", "0601", "99"], standard="YDYH-2023", tables=t)
    assert _f(res, "mp_code") == ["0101", "060102", "2301", "070101", "0601", None]
    assert _f(res, "mp_construction") == [0, 0, 0, 1, 1, None]
    assert _f(res, "mp_sandalei") == ["农用地", "农用地", "建设用地", "建设用地", "农用地", None]
    assert _f(res, "mp_level") == [2, 3, 2, 3, 2, None]
    groups = harmonise(["G01", "G13"], standard="YDYH-2023", tables=t)  # an already-harmonised layer
    assert _f(groups, "mp_code") == ["G01", "G13"] and _f(groups, "mp_level") == [0, 0]
    assert _f(groups, "mp_construction") == [1, None] and _f(groups, "mp_status") == ["coarse", "coarse"]
    old = harmonise(["0204", "2303", "2302", "060102", "1313", "0601"], standard="YDYH-2020", tables=t)
    assert _f(old, "mp_code") == ["0205", "060102", "2303", "1207", "1312", "G33"]
    assert _f(old, "mp_construction") == [0, 0, 0, 1, 1, 1]  # the 2020 edition's own planning flags
    assert _f(old, "mp_status") == ["exact", "exact", "exact", "exact", "exact", "coarse"]


def test_names_where_codes_are_missing(t):
    codes = ["0101", None, None, "", "0303", None]
    names = [None, "旱地", "有林地", "城镇住宅用地", "灌木林地", None]
    res = harmonise(codes, names=names, standard="GBT21010-2017", tables=t)
    assert _f(res, "mp_code") == ["0101", "0103", None, "0701", "0507", None]
    assert _f(res, "mp_src_code") == ["0101", "0103", None, "0701", "0303", None]
    assert res.counts["names_used"] == 2
    assert res.counts["name_mismatch"] == 1  # 0303 is 红树林地 in 三调: the name says otherwise
    reasons = {u.name: u.reason for u in res.unmapped}
    assert reasons == {"有林地": "unknown name", None: "no code and no name"}
    only_names = harmonise(None, names=["水田", "果园"], standard="GBT21010-2017", tables=t)
    assert _f(only_names, "mp_code") == ["0101", "0201"]


def test_ambiguous_name_is_reported(t):
    res = harmonise(None, names=["住宅用地", "二类居住用地"], standard="GB50137-2011", tables=t)
    assert _f(res, "mp_code") == [None, "G15"]
    assert res.counts["ambiguous"] == 1
    assert res.unmapped[0].reason == "ambiguous name: R11 / R21 / R31"


def test_zone_plans(t):
    zones = ["优化开发区域", "禁止开发区", "限制开发区域", "重点生态功能区", "优化开发区域"]
    res = harmonise(zones, standard="auto", tables=t)
    assert res.standard == "ZTGN" and res.detection.confidence == 1.0
    assert _f(res, "mp_code") == ["1", "4", "3", "32", "1"]
    assert _f(res, "mp_src_code") == ["1", "4", "3", "32", "1"]
    assert _f(res, "mp_name")[1] == "禁止开发区域"
    assert _f(res, "mp_construction") == [None] * 5 and _f(res, "mp_sandalei") == [None] * 5
    assert res.counts["names_used"] == 5 and res.counts["exact"] == 5
    eco = harmonise(
        ["1", "2", "1"], names=["一级管控区", "二级管控区", "一级管控区"], standard="auto", tables=t
    )
    assert eco.standard == "STHX" and _f(eco, "mp_code") == ["1", "2", "1"]
    assert _f(eco, "mp_construction") == [None] * 3
    # bare zone codes prove nothing (1, 2, 3 are TD/T level-1 codes too): refused
    bare = detect_standard(["1", "2", "3", "4"], tables=t)
    assert bare.standard is None


def test_empty_and_bad_arguments(t):
    res = harmonise([], standard="GB50137-2011", tables=t)
    assert all(len(v) == 0 for v in res.fields.values()) and res.counts["features"] == 0
    with pytest.raises(ValueError, match="same length"):
        harmonise(["R2"], names=["a", "b"], standard="GB50137-2011", tables=t)
    with pytest.raises(ValueError, match="Unknown standard"):
        harmonise(["R2"], standard="GB50137", tables=t)
    with pytest.raises(ValueError, match="USER:X"):
        harmonise(["R2"], standard="USER:X", tables=t)
    nothing = detect_standard([None, "", float("nan")], tables=t)
    assert nothing.standard is None and "empty" in nothing.message


def test_work_is_per_unique_value(t, monkeypatch):
    calls = {"map": 0}
    orig = hmod._Mapper.map

    def counting(self, code, nkey):
        calls["map"] += 1
        return orig(self, code, nkey)

    monkeypatch.setattr(hmod._Mapper, "map", counting)
    n = 100_000
    rng = np.random.default_rng(7)
    pool = np.array(["0101", "0301", 101, 1104.0, None, "０７０１"], dtype=object)
    values = pool[rng.integers(0, len(pool), n)]
    res = harmonise(values, standard="GBT21010-2017", weights=np.ones(n), tables=t)
    # 6 distinct values ('101' is repaired to 0101 only when mapped, so it is its own item)
    assert calls["map"] == res.counts["unique_values"] == 6
    expected = {"0101": "0101", "0301": "0301", 101: "0101", 1104.0: "1704", None: None, "０７０１": "0701"}
    sample = rng.integers(0, n, 500)
    assert [res.fields["mp_code"][i] for i in sample] == [expected[values[i]] for i in sample]
    assert res.counts["unmapped"] == int(sum(v is None for v in values))
    assert sum(res.counts[k] for k in ("exact", "coarse", "unmapped")) == n


# ---------------------------------------------------------------- user crosswalks


def test_user_rows_override_and_extend_builtin(tmp_path, t):
    path = _write_csv(tmp_path / "local.csv", [
        ["GB50137-2011", "R5", "商住混合用地", "G15", "", "", "Pukou local standard 2016, table 2"],
        ["GB50137-2011", "E2", "", "0101", "", "", "this district's E2 is all paddy"],
        ["GB50137-2011", "", "村庄用地", "G02", "1", "建设用地", ""],
    ])  # fmt: skip
    rows = read_user_crosswalk(path, tables=t)
    assert len(rows) == 3 and rows[2].source == "user crosswalk local.csv line 4"
    res = harmonise(["R5", "E2", None, "R2"], names=[None, None, "村庄用地", None], standard="GB50137-2011",
                    user_rows=rows, tables=t)  # fmt: skip
    assert _f(res, "mp_code") == ["G15", "0101", "G02", "G15"]
    # R5's construction comes from the standard's own rule for its nearest known code (R → 1)
    assert _f(res, "mp_construction") == [1, 0, 1, 1]
    assert _f(res, "mp_sandalei") == [None, "农用地", "建设用地", "建设用地"]
    assert _f(res, "mp_status") == ["coarse", "exact", "coarse", "coarse"]
    assert res.counts["user_rows"] == 3 and res.counts["names_used"] == 1


def test_user_crosswalk_errors_name_lines(tmp_path, t):
    path = _write_csv(tmp_path / "bad.csv", [
        ["GB50137", "R5", "", "0701", "1", "", "x"],  # line 2: unknown standard
        ["GB50137-2011", "", "", "0701", "1", "", "x"],  # line 3: neither code nor name
        ["GB50137-2011", "R6", "", "0799", "1", "", "x"],  # line 4: target not in 用地用海 2023
        ["USER:MAES", "1110", "Urban fabric", "", "", "", "x"],  # line 5: no target, no construction
        ["USER:MAES", "1120", "", "", "yes", "", "x"],  # line 6: bad construction value
        ["USER:MAES", "2110", "", "", "0", "耕地", "x"],  # line 7: bad sandalei
        ["USER:MAES", "3110", "", "", "0", "", "x"],
        ["USER:MAES", "3110", "", "", "1", "", "x"],  # line 9: same code again, differently
    ])  # fmt: skip
    with pytest.raises(CrosswalkError) as exc:
        read_user_crosswalk(path, tables=t)
    msg = str(exc.value)
    for line in (2, 3, 4, 5, 6, 7, 9):
        assert f"bad.csv line {line}:" in msg, line
    assert "bad.csv line 8:" not in msg
    assert len(exc.value.problems) == 7


def test_user_crosswalk_encoding_and_columns(tmp_path, t):
    rows = [["USER:本地", "1", "城镇建设", "G01", "", "", "本地标准"]]
    gbk = _write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    with pytest.raises(CrosswalkError, match="CSV UTF-8"):
        read_user_crosswalk(gbk, tables=t)
    ok = read_user_crosswalk(gbk, tables=t, encoding="gb18030")
    assert ok[0].source_standard == "USER:本地" and ok[0].target_code == "G01"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(gbk.read_text(encoding="gbk").encode("utf-8-sig"))
    assert read_user_crosswalk(bom, tables=t)[0].source_name == "城镇建设"
    cols = tmp_path / "cols.csv"
    cols.write_text("standard,code,target\nGB50137-2011,R5,0701\n", encoding="utf-8")
    with pytest.raises(CrosswalkError, match="missing column"):
        read_user_crosswalk(cols, tables=t)
    with pytest.raises(CrosswalkError, match="does not exist"):
        read_user_crosswalk(tmp_path / "nope.csv", tables=t)


# ---------------------------------------------------------------- real data: Copernicus N2K MAES classes

MAES_4 = {
    "1110": "Continuous urban fabric", "1120": "Discontinuous urban fabric", "1210": "Industrial units",
    "1220": "Road and rail networks", "1310": "Mineral extraction, dumps", "1320": "Construction sites",
    "1400": "Green urban, sports and leisure", "2110": "Arable land", "2210": "Vineyards, orchards",
    "2320": "Pastures", "3110": "Broadleaved forest", "3210": "Coniferous forest", "3310": "Mixed forest",
    "3410": "Transitional woodland", "3420": "Lines of trees and scrub", "4100": "Managed grassland",
    "4211": "Semi-natural grassland", "4212": "Semi-natural grassland with trees", "9110": "Inland marshes",
    "9210": "Water courses and bodies",
}  # fmt: skip


@pytest.fixture(scope="module")
def n2k():
    from multiplan.algorithms.vector_io import read_table

    return read_table(str(N2K_SHP))


@pytest.fixture()
def maes_rows(tmp_path, t):
    rows = [
        [
            "USER:MAES",
            code,
            name,
            "",
            "1" if code.startswith("1") else "0",
            "",
            "Copernicus N2K LC/LU MAES level 4 (construction = MAES 1 Urban)",
        ]
        for code, name in MAES_4.items()
    ]
    return read_user_crosswalk(_write_csv(tmp_path / "maes.csv", rows), tables=t)  # fmt: skip


def test_auto_detect_refuses_maes_as_a_chinese_standard(n2k, t):
    assert n2k.field_types["MAES_4_12"] == "int"
    area = n2k.column("AREA_HA")
    for level in (1, 2, 3, 4):
        det = detect_standard(n2k.column(f"MAES_{level}_12"), weights=area, tables=t)
        assert det.standard is None, (level, det.scores)
        assert max(det.scores.values()) < hmod.MIN_FIT
    det4 = detect_standard(n2k.column("MAES_4_12"), weights=area, tables=t)
    assert "No classification standard fits" in det4.message
    assert det4.scores["GBT21010-2017"] < 0.1  # only 1110 冰川及永久积雪 exists in 三调
    res = harmonise(n2k.column("MAES_4_12"), standard="auto", weights=area, tables=t)
    assert res.detection.standard is None and res.counts["unmapped"] == len(n2k) == 1027
    assert {u.reason for u in res.unmapped} == {"standard not determined"}


def test_maes_through_a_user_crosswalk(n2k, maes_rows, t):
    codes = n2k.column("MAES_4_12")
    area = n2k.column("AREA_HA")
    res = harmonise(codes, standard="USER:MAES", user_rows=maes_rows, weights=area, tables=t)
    urban = np.array([str(c).startswith("1") for c in codes])
    assert res.counts["unmapped"] == 0 and res.counts["user_rows"] == 1027
    assert _f(res, "mp_src_code") == [str(c) for c in codes]
    assert (res.fields["mp_construction"] == 1).sum() == urban.sum() > 0
    assert (res.fields["mp_construction"] == 0).sum() == (~urban).sum()
    assert set(_f(res, "mp_code")) == {None} and set(_f(res, "mp_status")) == {"exact"}
    assert res.counts["no_unified_class"] == 1027
    # auto with the user's crosswalk: the USER standard is a candidate, and the only one that fits
    auto = harmonise(codes, standard="auto", user_rows=maes_rows, weights=area, tables=t)
    assert auto.standard == "USER:MAES" and auto.detection.confidence == 1.0
    assert _f(auto, "mp_construction") == _f(res, "mp_construction")
    only_user = harmonise(codes, standard="USER", user_rows=maes_rows, tables=t)
    assert only_user.standard == "USER:MAES" and set(only_user.detection.scores) == {"USER:MAES"}
    # the 2006 column has codes the crosswalk lacks? No: the same 20 classes — all mapped as well
    res06 = harmonise(n2k.column("MAES_4_06"), standard="USER:MAES", user_rows=maes_rows, tables=t)
    assert res06.counts["unmapped"] == 0
    changed = res.fields["mp_construction"] != res06.fields["mp_construction"]
    assert 0 < changed.sum() < 50  # 50 polygons change class 2006 → 2012 (SOURCE.txt), fewer change the flag


# ---------------------------------------------------------------- detection on synthetic value sets

SANDIAO = ["0101", "0102", "0103", "0201", "0301", "0305", "0307", "0404", "0702", "1003", "1006", "1104",
           "1107", "1203", "0601", "05H1", "08H1", "1101", "1201", "0201K"]  # fmt: skip
YDYH = ["0101", "0103", "0201", "0301", "0304", "0703", "0701", "1001", "1202", "1207", "1701", "1704",
        "1705", "2303", "060101", "0602", "1403", "0804"]  # fmt: skip


def test_detects_sandiao_and_says_how_sure(t):
    det = detect_standard(SANDIAO, tables=t)
    assert det.standard == "GBT21010-2017" and det.confidence == 1.0
    assert det.scores["GBT21010-2017"] == 1.0 and det.scores["YDYH-2023"] == 0.55
    assert "GBT21010-2017 fits 100%" in det.message and "YDYH-2023" in det.message


def test_refuses_when_sandiao_and_ydyh_fit_equally(t):
    shared = ["0101", "0102", "0103", "0301", "0302", "0201", "1001", "0701", "0702"]
    det = detect_standard(shared, tables=t)
    assert det.standard is None and det.confidence == 0.0
    assert {"GBT21010-2017", "YDYH-2023", "YDYH-2020"} <= set(det.candidates)
    assert (
        "GBT21010-2017" in det.message and "YDYH-2023" in det.message and "Choose the standard" in det.message
    )
    res = harmonise(shared, standard="auto", tables=t)
    assert res.detection.standard is None and set(_f(res, "mp_status")) == {"unmapped"}
    # same codes, now with the 三调 names: most fit both, but 1001 铁路用地 and 0702 农村宅基地 break the tie
    names = ["水田", "水浇地", "旱地", "乔木林地", "竹林地", "果园", "铁路用地", "城镇住宅用地", "农村宅基地"]
    named = detect_standard(shared, names, tables=t)
    assert named.standard == "GBT21010-2017" and named.scores["YDYH-2023"] == pytest.approx(8 / 9, abs=1e-3)
    assert named.confidence == pytest.approx((1 - 8 / 9) / 0.25, abs=1e-3)  # a narrow lead: modest confidence


def test_refuses_between_ydyh_editions_unless_the_values_decide(t):
    det = detect_standard(YDYH, tables=t)
    assert det.standard is None and set(det.candidates) == {"YDYH-2023", "YDYH-2020"}
    decided = detect_standard([*YDYH, "0205", "060201"], tables=t)
    assert decided.standard == "YDYH-2023" and 0 < decided.confidence < 1
    assert "0205" in decided.message and "060201" in decided.message
    old = detect_standard(["0101", "0204", "0602", "0603", "090301", "1313"], tables=t)
    assert old.standard == "YDYH-2020"


def test_detection_weighs_area(t):
    codes = ["R2", "M1", "S1", "XX1", "XX2"]
    by_count = detect_standard(codes, tables=t)
    assert by_count.standard is None  # 3 of 5 values fit
    by_area = detect_standard(codes, weights=[1000.0, 800.0, 500.0, 0.5, 0.5], tables=t)
    assert by_area.standard is None  # distinct values still count half: 0.5 * 1.0 + 0.5 * 0.6 = 0.8 - tiny
    assert by_area.scores["GB50137-2011"] == pytest.approx(0.8, abs=1e-3)
    better = detect_standard(["R2", "M1", "S1", "E2", "XX1"], weights=[1000, 800, 500, 900, 1], tables=t)
    assert better.standard == "GB50137-2011"


def test_detects_land_plan_and_urban_plan_like_the_demo(t):
    land = ["11", "12", "13", "211", "212", "226", "311", "153", "222"] * 3
    assert detect_standard(land, tables=t).standard == "TDT1024-2010"
    ints = np.array([11, 13, 211, 212, 226, 311], dtype=np.int32)
    assert detect_standard(ints, tables=t).standard == "TDT1024-2010"
    urban = ["R2", "M1", "A33", "S1", "G1", "E1", "E2", "H14", "H21", "R5"]
    det = detect_standard(urban, tables=t)
    assert det.standard == "GB50137-2011" and det.confidence == 0.9  # R5 is unknown: 9 of 10 fit
