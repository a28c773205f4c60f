<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>multiplan</name>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="147" />
      <source>'User crosswalk only' needs a crosswalk CSV.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="217" />
      <source>Auto-detected standard: {std} (confidence {conf:.0%}). {msg}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="39" />
      <source>Cannot open {path}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="37" />
      <source>Cannot open {path}: {error}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="144" />
      <source>Choose the code field, the name field, or both.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="100" />
      <source>Classification standard of the layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="88" />
      <source>Code field</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="106" />
      <source>Crosswalk CSV (optional; overrides built-in rows)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="137" />
      <source>Detection confidence</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="138" />
      <source>Features with unmapped codes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/sources.py" line="75" />
      <source>Field {field} not found in {layer}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="244" />
      <source>Field {f} from an earlier harmonisation is replaced.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="178" />
      <source>Field(s) {fields} not found in layer {layer}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="165" />
      <source>File not found: {path}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="113" />
      <source>Flag as unmapped and continue</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="59" />
      <source>Harmonise land-use codes (用地分类标准梳理)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="129" />
      <source>Harmonised plan</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="287" />
      <source>Harmonised {n} features with {std}. {counts}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="52" />
      <source>Layer {layer} not found in {path}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="124" />
      <source>Local code prefixes to strip (e.g. XGN for 土规 X211 / G211 / N11)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="201" />
      <source>Mapping codes…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../ui/gui.py" line="10" />
      <source>Multi-Plan Integration</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="94" />
      <source>Name field (used where the code is missing)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="112" />
      <source>On unknown code</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="83" />
      <source>Plan layer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="169" />
      <source>Reading the plan layer…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/sources.py" line="96" />
      <source>Reading {name}: {k} of {n}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="118" />
      <source>Shapefile encoding (e.g. GBK; empty = as the layer says)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="136" />
      <source>Standard used</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="113" />
      <source>Stop and list the unknown codes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="174" />
      <source>The plan layer is empty: nothing to harmonise.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="62" />
      <source>Turns a plan's land-use codes (GB 50137-2011, TD/T 1024-2010, GB/T 21010 / 三调, 用地用海 2020/2023, 主体功能区 zones, eco control levels, or a local system through a crosswalk CSV) into the unified 用地用海 2023 classification.

The output keeps every input field and appends mp_src_standard, mp_src_code, mp_code, mp_name, mp_level, mp_construction (the construction flag by the source standard's own rule), mp_sandalei (legal 三大类) and mp_status (exact / coarse / unmapped).

Codes are text: leading zeros are kept, integer fields become text without '.0', whitespace, full-width characters and case are normalised; a name field is used where the code is missing.

Auto-detect weighs all values (and names) against every table, reports the standard it chose and how sure it is, and refuses to guess when standards collide (三调 and 用地用海 share many codes) — then choose the standard yourself.

Crosswalk CSV (UTF-8): source_standard, source_code, source_name, target_code, construction, sandalei, source. Its rows override the built-in tables.

Invalid geometries are repaired and counted, Z/M values dropped and counted. The second output lists every unmapped or ambiguous code with its feature count and area.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="132" />
      <source>Unmapped and ambiguous codes</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="264" />
      <source>Writing {n} features…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="199" />
      <source>Z/M values dropped on {n} features.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="232" />
      <source>{n} codes could not be mapped ({f} features), flagged mp_status=unmapped: {list}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="226" />
      <source>{n} codes could not be mapped ({f} features): {list}. Add them to a crosswalk CSV or choose 'Flag as unmapped and continue'.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="194" />
      <source>{n} features have no geometry; kept without geometry, ids: {ids}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="188" />
      <source>{n} invalid geometries repaired (make_valid), feature ids: {ids}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../plugin.py" line="55" />
      <source>多规合一 Multi-Plan Integration</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
