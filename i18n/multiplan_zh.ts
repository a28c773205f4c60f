<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>MultiPlanClassPicker</name>
    <message>
      <location filename="../ui/class_picker.ui" />
      <source>Classes the plans give this patch are listed first. Type a code or a name to filter.</source>
      <translation>先列出各规划对此图斑给出的地类。输入代码或名称进行筛选。</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.ui" />
      <source>Code</source>
      <translation>代码</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.ui" />
      <source>Code or name, e.g. 0103 or 旱地</source>
      <translation>代码或名称，例如 0103 或 旱地</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.ui" />
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.ui" />
      <source>Unified class (用地用海 2023)</source>
      <translation>统一地类（用地用海 2023）</translation>
    </message>
  </context>
  <context>
    <name>MultiPlanReviewDock</name>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Approved exception</source>
      <translation>特批例外</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Area</source>
      <translation>面积</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Area (m²)</source>
      <translation>面积（平方米）</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Comment</source>
      <translation>说明</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Current decision</source>
      <translation>当前决定</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Current patch</source>
      <translation>当前图斑</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Deduct (扣除)</source>
      <translation>扣除</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Defer</source>
      <translation>暂缓</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Department</source>
      <translation>部门</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Filter the map layer too</source>
      <translation>同时筛选地图图层</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Go</source>
      <translation>转到</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Go to patch</source>
      <translation>转到图斑</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Go to the next undecided patch after recording</source>
      <translation>记录后转到下一个未决图斑</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>History (opinions and decisions)</source>
      <translation>历史（意见与决定）</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Kinds</source>
      <translation>类型</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Next</source>
      <translation>下一个</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Next undecided</source>
      <translation>下一个未决</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>No blueprint open</source>
      <translation>未打开蓝图</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Open blueprint…</source>
      <translation>打开蓝图…</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Order and filters</source>
      <translation>排序与筛选</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Order by</source>
      <translation>排序</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Patch id</source>
      <translation>图斑编号</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Previous</source>
      <translation>上一个</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Re-confirm the earlier decision</source>
      <translation>重新确认原决定</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Reason</source>
      <translation>理由</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Record</source>
      <translation>记录</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Reset filters</source>
      <translation>重置筛选</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Retain line (保留)</source>
      <translation>保留</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Reviewer</source>
      <translation>审查人</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Set unified class…</source>
      <translation>设定统一地类…</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Sliver</source>
      <translation>碎屑图斑</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Street</source>
      <translation>街道/镇</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Streets</source>
      <translation>街道/镇</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Technical error</source>
      <translation>技术误差</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Why — written with the decision</source>
      <translation>理由说明——随决定一并写入</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>Withdraw line (退出)</source>
      <translation>退出</translation>
    </message>
    <message>
      <location filename="../ui/dock.ui" />
      <source>any</source>
      <translation>全部</translation>
    </message>
  </context>
  <context>
    <name>MultiPlanSettingsPage</name>
    <message>
      <location filename="../ui/settings_page.ui" />
      <source>Department</source>
      <translation>部门</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.ui" />
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.ui" />
      <source>Reviewer</source>
      <translation>审查人</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.ui" />
      <source>Role</source>
      <translation>角色</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.ui" />
      <source>Your name, department and role are written with every opinion and decision. A shared GeoPackage cannot verify them: they are self-declared, so agree on them within the team. Departments give opinions; only the leading-group office (领导小组办公室) with the final role decides.</source>
      <translation>您的姓名、部门和角色会随每条意见和决定一起记录。共享的 GeoPackage 无法核验身份：这些信息由本人填写，请在团队内统一。各部门提出意见；只有具有最终决定角色的领导小组办公室才能作出决定。</translation>
    </message>
  </context>
  <context>
    <name>multiplan</name>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="170" />
      <source>'User crosswalk only' needs a crosswalk CSV.</source>
      <translation>“仅用用户对照表”需要提供对照表 CSV。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="898" />
      <source>'{role}' carries no land use and no plan here is {what}: set a class</source>
      <translation>“{role}”不含用地分类，且此处没有规划为{what}：请设定地类</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="903" />
      <source>'{role}' carries no land use: class of '{src}'</source>
      <translation>“{role}”不含用地分类：采用“{src}”的地类</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="512" />
      <source>(These particular values mean the same in all of them, so any choice gives the same result.)</source>
      <translation>（这些取值在上述标准中含义相同，因此选择任一标准结果都一样。）</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="909" />
      <source>(outside every street)</source>
      <translation>（不在任何街道/镇内）</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="272" />
      <source>A CRS (WKT or authority id) is required.</source>
      <translation>必须提供坐标系（WKT 或权威机构编码）。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="270" />
      <source>A blueprint needs a working CRS.</source>
      <translation>蓝图必须有工作坐标系。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="266" />
      <source>A control-line adjustment must be one of {targets}.</source>
      <translation>控制线调整必须是以下之一：{targets}。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="251" />
      <source>A decision needs a patch id.</source>
      <translation>决定必须指明图斑编号。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="272" />
      <source>A decision needs an id.</source>
      <translation>决定必须有编号。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="270" />
      <source>A decision needs the reviewer's name (set it in the plugin settings).</source>
      <translation>决定需要审查人姓名（请在插件设置中填写）。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1116" />
      <source>A newer detection run closed this patch: the ground no longer differs. It is out of the queue.</source>
      <translation>新一轮检测已关闭此图斑：该处已不再存在差异，图斑已移出队列。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1414" />
      <source>A plan role must be lower-case letters, digits and '_': {role}</source>
      <translation>规划角色只能由小写字母、数字和“_”组成：{role}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="262" />
      <source>A population of 0 gives no per-capita figures.</source>
      <translation>人口为 0，不计算人均指标。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="650" />
      <source>Adopt the {plan} for this patch — key {key}</source>
      <translation>此图斑采纳{plan} — 快捷键 {key}</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="88" />
      <source>Apply decisions: build the blueprint (一张蓝图)</source>
      <translation>应用决定：生成一张蓝图</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1039" />
      <source>Applying the decisions</source>
      <translation>正在应用决定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="188" />
      <source>Approved exception</source>
      <translation>特批例外</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="186" />
      <source>Approved exception: both plans keep their use; the blueprint draws the chosen plan</source>
      <translation>特批例外：两规各自保留用途；蓝图按所选规划绘制</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="99" />
      <source>Area</source>
      <translation>面积</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="103" />
      <source>Area field (m²) for point projects</source>
      <translation>点状项目的面积字段（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1621" />
      <source>As computed by the latest control-line run; not recomputed here.</source>
      <translation>取自最近一次三线协调运行的结果，此处未重新计算。</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="680" />
      <source>Assembling patches</source>
      <translation>正在生成图斑</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1116" />
      <source>Assembling the blueprint</source>
      <translation>正在拼合蓝图</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="221" />
      <source>Atlas (PDF)</source>
      <translation>图集（PDF）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="232" />
      <source>Atlas pages</source>
      <translation>图集页数</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="233" />
      <source>Atlas seconds per page</source>
      <translation>图集每页用时（秒）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="340" />
      <source>Atlas {path}: {n} pages in {s:.1f} s ({spp:.3f} s per page), font {font}</source>
      <translation>图集 {path}：{n} 页，用时 {s:.1f} 秒（每页 {spp:.3f} 秒），字体 {font}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="177" />
      <source>Atlas: at most this many pages, largest patches first (0: no atlas)</source>
      <translation>图集：最多页数，按图斑面积从大到小（0：不生成图集）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="184" />
      <source>Atlas: include slivers</source>
      <translation>图集：包括碎屑图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="190" />
      <source>Atlas: only these kinds (comma-separated, e.g. LG_URBAN_CON,RL_URBAN)</source>
      <translation>图集：仅限这些类型（以逗号分隔，如 LG_URBAN_CON,RL_URBAN）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="194" />
      <source>Atlas: only these statuses (comma-separated, e.g. undecided,conflict)</source>
      <translation>图集：仅限这些状态（以逗号分隔，如 undecided,conflict）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="202" />
      <source>Atlas: smallest patch area (m²)</source>
      <translation>图集：最小图斑面积（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="32" />
      <source>Auto-detect (weighs every value against every table)</source>
      <translation>自动识别（将全部取值与每一张分类表比对）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="275" />
      <source>Auto-detected standard: {std} (confidence {conf:.0%}). {msg}</source>
      <translation>自动识别的标准：{std}（置信度 {conf:.0%}）。{msg}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="189" />
      <source>Awaiting expert review</source>
      <translation>待专家评审</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1942" />
      <source>Balance tables</source>
      <translation>用地平衡表</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1879" />
      <source>Blueprint</source>
      <translation>蓝图</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="228" />
      <source>Blueprint (integrated land use)</source>
      <translation>一张蓝图（整合用地）</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="159" />
      <source>Blueprint (一张蓝图)</source>
      <translation>一张蓝图</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="47" />
      <source>Blueprint GeoPackage</source>
      <translation>蓝图 GeoPackage</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="299" />
      <source>Blueprint GeoPackage (*.gpkg);;All files (*)</source>
      <translation>蓝图 GeoPackage (*.gpkg);;所有文件 (*)</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="40" />
      <source>Blueprint GeoPackage to write into (created when missing; empty: outputs only)</source>
      <translation>写入的蓝图 GeoPackage（不存在时新建；留空：仅输出结果）</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="167" />
      <source>Blueprint area (m²)</source>
      <translation>蓝图面积（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1195" />
      <source>Blueprint construction land (final ground, by {flag}) on ground the current land-use layer shows as non-construction (its legal 三大类): {a:,.1f} m² ({ha:,.2f} ha).</source>
      <translation>蓝图建设用地（已定用地，按{flag}）中，现状用地图层显示为非建设用地（按法定三大类）的部分：{a:,.1f} 平方米（{ha:,.2f} 公顷）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="164" />
      <source>Blueprint features</source>
      <translation>蓝图要素数</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="101" />
      <source>Blueprint run id</source>
      <translation>蓝图运行编号</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="438" />
      <source>Blueprint run {run}: LINE_* patches {counts}; {closed} closed, {flagged} to re-confirm</source>
      <translation>蓝图运行 {run}：LINE_* 图斑 {counts}；关闭 {closed} 个，待重新确认 {flagged} 个</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="460" />
      <source>Blueprint run {run}: {closed} patches closed, {flagged} flagged to re-confirm</source>
      <translation>蓝图运行 {run}：关闭图斑 {closed} 个，标记待重新确认 {flagged} 个</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="160" />
      <source>Blueprint summary per rule</source>
      <translation>按规则汇总的蓝图统计</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="241" />
      <source>Blueprint: {n} features over {area:.1f} m² from {roles}; run {run}</source>
      <translation>蓝图：{n} 个要素，共 {area:.1f} 平方米，来自 {roles}；运行 {run}</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="91" />
      <source>Builds the blueprint layer — the integrated land use after the decisions — over the WHOLE district, from the harmonised plan copies a detection run stored in the blueprint and the decision log, and writes it into the blueprint (layer 'blueprint') in one run.

Only plans that carry land use feed it (urban-rural plan, land-use plan, further land-use plans). Where their unified classes agree, that class (the finer one when one refines the other). Where they differ and no patch covers the ground, a role precedence decides: by default the urban-rural plan for construction land and the land-use plan for non-construction land (and, where the plans' own construction flags differ without a patch, the non-construction precedence). Where only one plan covers the ground, that plan.

In a decided patch, what the decision says: adopt a plan, set a unified class, an approved exception draws the named plan's class, a technical error takes the neighbouring agreed class. Where patches of several kinds overlap, the higher kind decides (control-line kinds &gt; red line &gt; eco zones &gt; permanent farmland &gt; boundary &gt; 两规 &gt; zones &gt; projects &gt; class level); the other decisions are listed in the provenance. Undecided ground (no decision, deferred, or flagged 'changed, re-confirm') is marked 'pending' with the candidate classes, or the run stops and names the patches.

Every feature carries its class (mp_code, mp_name), the construction flag of the plan that supplied it (mp_construction) and the planning flag of the unified class (plan_construction), the source role, the rule, the decision and patch, and the provenance (JSON). Streets (optional) split the features by street.

When the blueprint holds control lines (multiplan:reconcilecontrollines), the final lines and the 补划 deficit are built from the line decisions in the same run.</source>
      <translation>在整个区域范围内生成蓝图图层——即按各项决定整合后的用地——数据来自差异分析运行时保存在蓝图中的分类梳理后规划副本和决定记录，并在一次运行中写入蓝图（图层“blueprint”）。

只有包含用地分类的规划参与生成（城乡规划、土地利用总体规划及其他用地类规划）。各规划的统一地类一致时，采用该地类（一个细化另一个时，取较细的地类）。地类不一致且没有图斑覆盖时，按规划角色优先顺序决定：默认建设用地以城乡规划为准，非建设用地以土地利用总体规划为准（各规划自身的建设用地属性不一致但没有图斑时，按非建设用地的优先顺序）。只有一个规划覆盖时，采用该规划。

在已决定的图斑内按决定执行：采纳某一规划、设定统一地类、特批例外按指定规划的地类绘制、技术误差采用相邻的一致地类。多种类型的图斑重叠时，由较高级别的类型决定（控制线类 &gt; 生态保护红线 &gt; 生态管控区 &gt; 永久基本农田 &gt; 城镇开发边界 &gt; 两规 &gt; 分区 &gt; 项目 &gt; 地类层级）；其他决定列入来源记录。未决用地（无决定、暂缓或标记为“已变更，待重新确认”）标记为“pending”（待定）并列出候选地类，或者停止运行并列出这些图斑。

每个要素都带有其地类（mp_code、mp_name）、提供该地类的规划自身的建设用地属性（mp_construction）和统一地类的规划建设用地属性（plan_construction）、来源角色、规则、决定和图斑，以及来源记录（JSON）。街道/镇图层（可选）用于按街道/镇拆分要素。

蓝图中有控制线（multiplan:reconcilecontrollines）时，在同一次运行中根据控制线决定生成最终控制线和补划缺口。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="520" />
      <source>Cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="439" />
      <source>Cancelled: nothing was written into the blueprint.</source>
      <translation>已取消：未向蓝图写入任何内容。</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="226" />
      <source>Cancelled: the blueprint was not changed.</source>
      <translation>已取消：蓝图未作任何改动。</translation>
    </message>
    <message>
      <location filename="../algorithms/report_xlsx.py" line="80" />
      <source>Cannot create {path}</source>
      <translation>无法创建 {path}</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="221" />
      <source>Cannot find the centre of the data: every input is empty</source>
      <translation>无法确定数据中心：所有输入均为空</translation>
    </message>
    <message>
      <location filename="../processing_provider/provider.py" line="55" />
      <source>Cannot load the model {path}</source>
      <translation>无法加载模型 {path}</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="66" />
      <source>Cannot open {path}</source>
      <translation>无法打开 {path}</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="64" />
      <source>Cannot open {path}: {error}</source>
      <translation>无法打开 {path}：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="240" />
      <source>Cannot read {path}: {error}</source>
      <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
      <location filename="../processing_provider/sources.py" line="242" />
      <source>Cannot write {path}: {why}</source>
      <translation>无法写入 {path}：{why}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1144" />
      <source>Changed by a re-detection: re-confirm or change the earlier decision ({action}).</source>
      <translation>重新检测发现变化：请重新确认或修改原决定（{action}）。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="797" />
      <source>Change…</source>
      <translation>修改…</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="70" />
      <source>Check project siting (项目选址核查)</source>
      <translation>项目选址核查</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="73" />
      <source>Checks construction projects against the blueprint (一张蓝图) and the three control lines.

Per project: its area on construction and on non-construction land of the blueprint, on ground still pending, in the ecological red line, on permanent farmland, outside the urban development boundary, outside the blueprint, and the difference patches it touches. Points are drawn as discs of exactly the area in the area field.

The verdict — 合规 (compliant), 需调整 (needs adjustment), 不符合 (non-compliant) — comes from a rule table (CSV, data/rules/siting_rules.csv by default): 不符合 when more than the tolerance lies in the red line or on permanent farmland; 需调整 when more than the tolerance lies on non-construction land of the blueprint, outside the development boundary (urban project types), on pending ground or outside the blueprint. The rules that decided are listed with each project.

Projects in another CRS are reprojected to the blueprint's. The lines are the blueprint's (final, else proposed, else input) unless line layers are given.</source>
      <translation>对照一张蓝图和三条控制线核查建设项目。

逐个项目统计：位于蓝图建设用地和非建设用地上的面积、位于仍待定用地上的面积、位于生态保护红线内的面积、占用永久基本农田的面积、位于城镇开发边界外的面积、位于蓝图范围外的面积，以及所涉及的差异图斑。点状项目按面积字段中的面积精确绘制为圆形。

核查结论——合规、需调整、不符合——由规则表（CSV，默认为 data/rules/siting_rules.csv）确定：位于生态保护红线内或占用永久基本农田的面积超过容差时为“不符合”；位于蓝图非建设用地上、城镇开发边界外（城镇类项目）、待定用地上或蓝图范围外的面积超过容差时为“需调整”。每个项目都会列出作出判定的规则。

其他坐标系的项目会重投影到蓝图的坐标系。除非另行指定控制线图层，控制线采用蓝图中的控制线（优先最终，其次建议，再次原始输入）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="167" />
      <source>Choose the code field, the name field, or both.</source>
      <translation>请选择代码字段、名称字段或两者。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="527" />
      <source>Choosing the working CRS</source>
      <translation>正在选择工作坐标系</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="69" />
      <source>Class conflicts</source>
      <translation>地类冲突</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1050" />
      <source>Classes and provenance</source>
      <translation>地类与来源</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="109" />
      <source>Classification standard of the layer</source>
      <translation>图层的用地分类标准</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="587" />
      <source>Cleaning inputs</source>
      <translation>正在清理输入数据</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1030" />
      <source>Cleaning the plans</source>
      <translation>正在清理规划数据</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1433" />
      <source>Cleaning {line}</source>
      <translation>正在清理 {line}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="91" />
      <source>Code field</source>
      <translation>用地代码字段</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="190" />
      <source>Compare only inside (district boundary)</source>
      <translation>仅在此范围内比较（区界）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1126" />
      <source>Conflict: {n} final decision(s) were made without seeing the current one. The leading-group office resolves it by recording a new decision.</source>
      <translation>冲突：有 {n} 条最终决定是在未看到当前决定的情况下作出的。由领导小组办公室记录一条新决定来解决。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="153" />
      <source>Construction</source>
      <translation>建设用地属性</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="236" />
      <source>Construction flag counted</source>
      <translation>统计的建设用地属性口径</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="292" />
      <source>Construction flag counted: {flag}</source>
      <translation>统计的建设用地属性口径：{flag}</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="127" />
      <source>Construction flag of the blueprint</source>
      <translation>蓝图的建设用地属性口径</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="151" />
      <source>Construction flag the quota check counts</source>
      <translation>指标核查采用的建设用地属性口径</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="229" />
      <source>Construction land of the blueprint (m²)</source>
      <translation>蓝图建设用地（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="945" />
      <source>Construction land {a:,.1f} m² ({ha:,.2f} ha) exceeds the quota of {q:,.1f} m² by {d:,.1f} m² ({u:.1%}); counted by {flag}.</source>
      <translation>建设用地 {a:,.1f} 平方米（{ha:,.2f} 公顷）超出指标 {q:,.1f} 平方米，超出 {d:,.1f} 平方米（{u:.1%}）；按{flag}统计。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="951" />
      <source>Construction land {a:,.1f} m² ({ha:,.2f} ha) is within the quota of {q:,.1f} m²: {r:,.1f} m² remain ({u:.1%} used); counted by {flag}.</source>
      <translation>建设用地 {a:,.1f} 平方米（{ha:,.2f} 公顷）未超出指标 {q:,.1f} 平方米：剩余 {r:,.1f} 平方米（已使用 {u:.1%}）；按{flag}统计。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="142" />
      <source>Construction-land quota in ha (公顷; empty: no check)</source>
      <translation>建设用地指标（公顷；留空：不核查）</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="555" />
      <source>Control line '{line}'</source>
      <translation>控制线“{line}”</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="530" />
      <source>Control line layer '{line}' is empty</source>
      <translation>控制线图层“{line}”为空</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="737" />
      <source>Control line {line} ({layer})</source>
      <translation>控制线 {line}（{layer}）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1366" />
      <source>Control line {line} ({layer}) is empty: left out</source>
      <translation>控制线 {line}（{layer}）为空：已略去</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1437" />
      <source>Control line {line} has no area left (inside the district): left out</source>
      <translation>控制线 {line} 在区界内没有面积：已略去</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="191" />
      <source>Control line: deduct (扣除)</source>
      <translation>控制线：扣除</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="189" />
      <source>Control line: retain (保留)</source>
      <translation>控制线：保留</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="190" />
      <source>Control line: withdraw (退出)</source>
      <translation>控制线：退出</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="218" />
      <source>Control lines</source>
      <translation>控制线</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1651" />
      <source>Control lines need a line_type column.</source>
      <translation>控制线必须有 line_type 列。</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="136" />
      <source>Control lines of the blueprint</source>
      <translation>蓝图中的控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="233" />
      <source>Control lines of the blueprint, stage {stage}: {lines}</source>
      <translation>蓝图中的控制线，阶段 {stage}：{lines}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="561" />
      <source>Control lines:</source>
      <translation>控制线：</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="565" />
      <source>Control lines: none involved</source>
      <translation>控制线：不涉及</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="260" />
      <source>Control-line adjustment ({kind})</source>
      <translation>控制线调整（{kind}）</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="213" />
      <source>Control-line adjustments</source>
      <translation>控制线调整</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="186" />
      <source>Control-line coordination</source>
      <translation>控制线协调</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="237" />
      <source>Control-line overlaps</source>
      <translation>控制线重叠</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="244" />
      <source>Control-line statistics</source>
      <translation>控制线统计</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="213" />
      <source>Core zones in the eco plan (class set, e.g. zone:一级管控区)</source>
      <translation>生态环境保护规划中的核心管控区（地类集合，如 zone:一级管控区）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="576" />
      <source>Could not open {path}: {error}</source>
      <translation>无法打开 {path}：{error}</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="407" />
      <source>Created the blueprint {path}</source>
      <translation>已新建蓝图 {path}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="117" />
      <source>Crosswalk CSV (optional; overrides built-in rows)</source>
      <translation>对照表 CSV（可选，覆盖内置对照）</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="729" />
      <source>Crosswalk file {path} does not exist</source>
      <translation>对照表文件 {path} 不存在</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="119" />
      <source>Current land use (三调), for 新增建设用地 (harmonised, or give its code field)</source>
      <translation>现状用地（三调），用于新增建设用地统计（已分类梳理，或指定其地类编码字段）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="127" />
      <source>Current land use: code field (DLBM) when the layer is not harmonised</source>
      <translation>现状用地：地类编码字段（DLBM），图层未分类梳理时使用</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="254" />
      <source>Data problems</source>
      <translation>数据问题</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="524" />
      <source>Decided by values that only {std} explains: {values}.</source>
      <translation>依据只有 {std} 能解释的取值确定：{values}。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1307" />
      <source>Decision recorded on {patch}: {action}.</source>
      <translation>已记录对 {patch} 的决定：{action}。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="196" />
      <source>Defer: decide later (not counted as decided)</source>
      <translation>暂缓：稍后决定（不计为已决定）</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.py" line="31" />
      <source>Department opinion</source>
      <translation>部门意见</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1141" />
      <source>Department opinions disagree — {opinions}</source>
      <translation>部门意见不一致 — {opinions}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="631" />
      <source>Departments give opinions; only the leading-group office decides. Your opinion is written at once.</source>
      <translation>各部门提出意见，只有领导小组办公室作出决定。您的意见立即写入。</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="131" />
      <source>Detect differences (差异分析)</source>
      <translation>差异分析</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="160" />
      <source>Detection confidence</source>
      <translation>识别置信度</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="142" />
      <source>Development plan (main functions)</source>
      <translation>主体功能区规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="72" />
      <source>Development plan / main-function zones (主体功能区), harmonised</source>
      <translation>经济社会发展规划 / 主体功能区规划（已分类梳理）</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="67" />
      <source>Development-prohibited zones</source>
      <translation>禁止开发区域</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="252" />
      <source>Difference patches</source>
      <translation>差异图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="253" />
      <source>Difference statistics</source>
      <translation>差异统计</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="187" />
      <source>Digitising error (sliver)</source>
      <translation>数字化误差（碎屑图斑）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1402" />
      <source>District layer</source>
      <translation>区界图层</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="54" />
      <source>Do not build the final control lines</source>
      <translation>不生成最终控制线</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="532" />
      <source>Each control line may be given once</source>
      <translation>每条控制线只能指定一次</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1363" />
      <source>Each control line may be given once; repeated: {line}</source>
      <translation>每条控制线只能指定一次；重复的：{line}</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="508" />
      <source>Each plan role may be given once; repeated: {roles}</source>
      <translation>每个规划角色只能指定一次；重复的角色：{roles}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="604" />
      <source>Earlier patches and their decisions:</source>
      <translation>原图斑及其决定：</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="63" />
      <source>Eco control zones</source>
      <translation>生态管控区</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="844" />
      <source>Eco plan {layer}</source>
      <translation>生态环境保护规划 {layer}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="143" />
      <source>Eco-environment plan</source>
      <translation>生态环境保护规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="74" />
      <source>Eco-environment protection plan (生态环境保护规划), harmonised</source>
      <translation>生态环境保护规划（已分类梳理）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="172" />
      <source>Eco-environment protection plan, harmonised (its 一级管控区 are the core zones)</source>
      <translation>生态环境保护规划，已完成分类梳理（其一级管控区为核心管控区）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="183" />
      <source>Ecological protection</source>
      <translation>生态保护</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="160" />
      <source>Ecological protection red line</source>
      <translation>生态保护红线</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="39" />
      <source>Ecological protection red line (empty: the blueprint's)</source>
      <translation>生态保护红线（留空：采用蓝图中的）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="78" />
      <source>Ecological protection red line (生态保护红线)</source>
      <translation>生态保护红线</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="62" />
      <source>Ecological red line</source>
      <translation>生态保护红线</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="711" />
      <source>Ellipsoidal areas</source>
      <translation>椭球面积</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="180" />
      <source>Error in a plan</source>
      <translation>规划编制错误</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1034" />
      <source>Every land-use plan copy is empty</source>
      <translation>所有规划用地副本均为空</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="772" />
      <source>Every patch in this queue is decided.</source>
      <translation>此队列中的图斑均已决定。</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="171" />
      <source>Excel workbook (*.xlsx)</source>
      <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="325" />
      <source>Exporting the atlas ({n} pages)…</source>
      <translation>正在导出图集（{n} 页）…</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="568" />
      <source>Extended GeoPackage geometries are not supported.</source>
      <translation>不支持扩展 GeoPackage 几何类型。</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="77" />
      <source>Farmland / development boundary overlap</source>
      <translation>永久基本农田 / 城镇开发边界重叠</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="163" />
      <source>Farmland deduction coefficient field (扣除系数; default KCXS when present)</source>
      <translation>基本农田扣除系数字段（默认：存在时使用 KCXS）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="184" />
      <source>Farmland protection</source>
      <translation>耕地保护</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="161" />
      <source>Features with unmapped codes</source>
      <translation>代码未映射的要素数</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1415" />
      <source>Field {field} not found in the street layer</source>
      <translation>街道/镇图层中没有字段 {field}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="532" />
      <source>Field {field} not found in {layer}</source>
      <translation>图层 {layer} 中没有字段 {field}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="303" />
      <source>Field {f} from an earlier harmonisation is replaced.</source>
      <translation>已替换此前分类梳理生成的字段 {f}。</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="227" />
      <source>Field(s) {fields} not found in layer {layer}</source>
      <translation>图层 {layer} 中没有字段 {fields}</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="207" />
      <source>File not found: {path}</source>
      <translation>找不到文件：{path}</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="139" />
      <source>Final</source>
      <translation>最终</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="143" />
      <source>Final control lines</source>
      <translation>最终控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="248" />
      <source>Final control lines written; 补划 deficit {a:.1f} m²</source>
      <translation>已写入最终控制线；补划缺口 {a:.1f} 平方米</translation>
    </message>
    <message>
      <location filename="../ui/settings_page.py" line="32" />
      <source>Final decision (leading-group office)</source>
      <translation>最终决定（领导小组办公室）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="123" />
      <source>Finds where the ecological protection red line (生态保护红线), the permanent basic farmland (永久基本农田) and the urban development boundary (城镇开发边界) overlap, and proposes an adjustment for every overlap — the 2019 guidance says the three lines must not cross, overlap or conflict.

Each line layer is optional and may hold many features, multipart polygons with holes, or one dissolved polygon of 100k+ vertices. Invalid rings are repaired and counted, overlaps between features of one line are reported and counted once, layers in another CRS are reprojected.

Defaults (DOMAIN.md §5, editable per pair): the development boundary gives up its overlaps with both other lines (退出); a red-line/farmland overlap is retained (保留: the farmland stays inside the red line), except inside the eco plan's 一级管控区, where the farmland is withdrawn (退出) and its area added to the 补划 deficit. 扣除 cuts the protected line back.

Overlaps are maximal connected patches per pair, core-zone condition and street, with planar and CGCS2000 ellipsoidal area. With a blueprint, every overlap is queued as a LINE_* patch for the review dock (ids stable across runs), with its line adjustment, and the lines are stored as stage 'input' and 'proposed'; multiplan:applydecisions (or lines.apply_line_decisions) turns the decisions into the final lines. Construction-versus-line conflicts are detection's: those already in the blueprint are summarised in the statistics.

Plans (harmonised) give coverage statistics: plan inside / outside each line, line without plan.</source>
      <translation>找出生态保护红线、永久基本农田和城镇开发边界之间的重叠，并为每处重叠提出调整建议——2019 年的指导意见要求三条控制线不交叉、不重叠、不冲突。

每个控制线图层均为可选，可以包含大量要素、带洞的多部件面，或一个融合后超过 10 万个顶点的面。无效环会被修复并计数，同一控制线内部要素之间的重叠会被报告且只计一次，其他坐标系的图层会被重投影。

默认规则（DOMAIN.md §5，可按每对控制线修改）：城镇开发边界让出其与另两条控制线的重叠（退出）；生态保护红线与永久基本农田的重叠予以保留（保留：基本农田保留在红线内），但位于生态环境保护规划一级管控区内的除外——此处基本农田退出，其面积计入补划缺口。扣除则将受保护的控制线缩减。

重叠按每对控制线、是否位于核心管控区以及街道/镇划分为最大连通图斑，同时给出平面面积和 CGCS2000 椭球面积。指定蓝图时，每处重叠作为 LINE_* 图斑连同其控制线调整列入审查面板的队列（编号在多次运行间保持稳定），控制线按“原始输入”（input）和“建议”（proposed）两个阶段保存；multiplan:applydecisions（或 lines.apply_line_decisions）根据决定生成最终控制线。建设用地与控制线的冲突属于差异分析的范围：蓝图中已有的此类冲突在统计中汇总。

已完成分类梳理的规划用于覆盖统计：规划位于每条控制线内 / 外的面积，以及控制线内无规划覆盖的面积。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="127" />
      <source>Flag as unmapped and continue</source>
      <translation>标记为“未映射”并继续</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1015" />
      <source>Flag counted: {flag}</source>
      <translation>统计口径：{flag}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="41" />
      <source>Flag of the source plan's own standard</source>
      <translation>来源规划自身标准的建设用地属性</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="145" />
      <source>Forestry plan</source>
      <translation>林地保护利用规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="180" />
      <source>Further harmonised plans (coverage statistics)</source>
      <translation>其他已分类梳理的规划（覆盖统计）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="197" />
      <source>Further special plans, harmonised (role from a 'role' field or the layer name)</source>
      <translation>其他专项规划，已完成分类梳理（角色取自“role”字段或图层名称）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="33" />
      <source>GB 50137-2011 城乡用地 (urban-rural plan)</source>
      <translation>GB 50137-2011 城乡用地分类（城乡规划）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="35" />
      <source>GB/T 21010-2017 / 三调 (current land use)</source>
      <translation>GB/T 21010-2017 / 三调（土地利用现状）</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="630" />
      <source>Geometry and column lengths differ.</source>
      <translation>几何与属性列的长度不一致。</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="259" />
      <source>Give at least one control line layer.</source>
      <translation>请至少指定一个控制线图层。</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="534" />
      <source>Give at least two plans, or one plan and at least one control line</source>
      <translation>请至少指定两个规划，或一个规划加至少一条控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="269" />
      <source>Give at least two plans, or one plan and at least one control line.</source>
      <translation>请至少指定两个规划，或一个规划加至少一条控制线。</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="173" />
      <source>Give codes, names or both.</source>
      <translation>请提供代码、名称或两者。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="179" />
      <source>Go to the patch id typed on the left</source>
      <translation>转到左侧输入的图斑编号</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.py" line="56" />
      <source>Groups (when only the group is known)</source>
      <translation>地类组（仅知大类时）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="216" />
      <source>HTML page (*.html)</source>
      <translation>HTML 网页 (*.html)</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="62" />
      <source>Harmonise land-use codes (用地分类标准梳理)</source>
      <translation>用地分类标准梳理</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="149" />
      <source>Harmonised plan</source>
      <translation>分类梳理后的规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="374" />
      <source>Harmonised {n} features with {std}. {counts}</source>
      <translation>已按 {std} 对 {n} 个要素完成分类梳理。{counts}</translation>
    </message>
    <message>
      <location filename="../ui/class_picker.py" line="39" />
      <source>In this patch</source>
      <translation>本图斑涉及的地类</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="141" />
      <source>Input</source>
      <translation>原始输入</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="98" />
      <source>Invalid column name: {name}</source>
      <translation>无效的列名：{name}</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="91" />
      <source>Invalid table name: {name}</source>
      <translation>无效的表名：{name}</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="399" />
      <source>It has no GeoPackage tables.</source>
      <translation>它没有 GeoPackage 表。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="344" />
      <source>It is a folder.</source>
      <translation>它是一个文件夹。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="353" />
      <source>It is not an SQLite database.</source>
      <translation>它不是 SQLite 数据库。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="185" />
      <source>Key project</source>
      <translation>重大项目</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="144" />
      <source>Key projects</source>
      <translation>重大项目</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="171" />
      <source>Key projects (重大项目): polygon and/or point layers</source>
      <translation>重大项目：面图层和/或点图层</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="330" />
      <source>Key projects layer {layer}: field {field} not found</source>
      <translation>重大项目图层 {layer}：找不到字段 {field}</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="189" />
      <source>Key projects: area field for points, m² (empty: XMMJ, MJ, AREA when present)</source>
      <translation>重大项目：点状项目的面积字段，平方米（留空：依次使用存在的 XMMJ、MJ、AREA）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="180" />
      <source>Key projects: name field (empty: XMMC, NAME, MC … when present)</source>
      <translation>重大项目：名称字段（留空：依次使用存在的 XMMC、NAME、MC……）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="100" />
      <source>Kind</source>
      <translation>类型</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="98" />
      <source>Kind: {group}</source>
      <translation>类型：{group}</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="67" />
      <source>Land-use master plan (土地利用总体规划), harmonised</source>
      <translation>土地利用总体规划（已分类梳理）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="141" />
      <source>Land-use plan</source>
      <translation>土地利用总体规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="154" />
      <source>Land-use roles to use (comma-separated; empty: every land-use plan copy)</source>
      <translation>采用的用地规划角色（以逗号分隔；留空：所有规划用地副本）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="138" />
      <source>Latest (final, else proposed, else input)</source>
      <translation>最新（优先最终，其次建议，再次原始输入）</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="79" />
      <source>Layer {layer} not found in {path}</source>
      <translation>{path} 中没有图层 {layer}</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="275" />
      <source>Layer(s) without a coordinate reference system: {names}. Assign one in QGIS first.</source>
      <translation>以下图层没有坐标系：{names}。请先在 QGIS 中为其指定坐标系。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="168" />
      <source>Layer(s) without a usable coordinate reference system: {names}. Assign one in QGIS first.</source>
      <translation>图层没有可用的坐标系：{names}。请先在 QGIS 中为其指定坐标系。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1846" />
      <source>Ledger</source>
      <translation>台账</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="169" />
      <source>Ledger: include patches closed by a later run</source>
      <translation>台账：包括被后续运行关闭的图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="42" />
      <source>Legal 三大类 (建设用地)</source>
      <translation>法定三大类（建设用地）</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1661" />
      <source>Line adjustments need an adjustment_id column.</source>
      <translation>控制线调整必须有 adjustment_id 列。</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="223" />
      <source>Line rule table (CSV; replaces data/rules/line_rules.csv)</source>
      <translation>控制线规则表（CSV；替换 data/rules/line_rules.csv）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="258" />
      <source>Line rule table {path} has no rules</source>
      <translation>控制线规则表 {path} 中没有规则</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="219" />
      <source>Line rule table {path}: missing column(s) {columns}</source>
      <translation>控制线规则表 {path}：缺少列 {columns}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="144" />
      <source>Local code prefixes to strip (e.g. XGN for 土规 X211 / G211 / N11)</source>
      <translation>去除的地方代码前缀（如 XGN，对应土规 X211 / G211 / N11）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="91" />
      <source>Makes the figures the review meetings and the approval need, from a blueprint GeoPackage:
• the difference ledger (台账): every patch with its codes per plan, areas, street and current decision;
• statistics by kind × street (count, area, shares);
• a land-use balance table (用地平衡表) for each plan copy, the current land use and the blueprint, by unified level-1 class, with group rows (e.g. 城镇建设用地 from TD/T 211) and, for the blueprint, a pending row. Each table sums to the area of the union of its layer: where features overlap, the overlap counts once, for the feature with the lowest id, and the overlap is reported beside the table. Per-capita figures when a population is given;
• a construction-land quota check — which flag it counts is a parameter and is printed with the result; a quota of zero is allowed;
• 新增建设用地: blueprint construction land on ground the current land-use layer (三调) shows as non-construction, per street;
• review progress by department and kind, and the control-line figures.

Outputs: an XLSX workbook (GDAL, one sheet per table), a self-contained HTML page with charts (no internet needed) and a PDF atlas from QGIS's print layout, one page per patch (default: non-sliver patches, the 200 largest), with the seconds per page. Chinese and English headings.</source>
      <translation>根据蓝图 GeoPackage 生成评审会议和成果审定所需的数据：
• 差异图斑台账：每个图斑在各规划中的代码、面积、所在街道/镇及当前决定；
• 按类型 × 街道/镇的统计（个数、面积、占比）；
• 用地平衡表：每个规划副本、现状用地和蓝图各一张，按统一的一级地类统计，附地类组行（如由 TD/T 211 得出的城镇建设用地），蓝图另附待定行。每张表的合计等于该图层所有要素合并后的面积：要素重叠处只计一次，计入编号最小的要素，重叠情况在表旁注明。指定人口时给出人均指标；
• 建设用地指标核查——统计所用的建设用地属性口径是一个参数，并随结果一并输出；允许指标为零；
• 新增建设用地：蓝图中的建设用地位于现状用地图层（三调）显示为非建设用地上的部分，按街道/镇统计；
• 按部门和类型统计的审查进度，以及控制线相关数据。

输出：XLSX 工作簿（由 GDAL 写出，每张表一个工作表）、带图表的独立 HTML 网页（无需联网），以及由 QGIS 打印布局生成的 PDF 图集，每个图斑一页（默认：非碎屑图斑中面积最大的 200 个），并报告每页用时。表头为中英文对照。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="259" />
      <source>Mapping codes…</source>
      <translation>正在映射代码…</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="47" />
      <source>Mark undecided ground 'pending' (no class) and continue</source>
      <translation>将未决用地标记为“pending”（待定，无地类）并继续</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="584" />
      <source>Matching with the blueprint's earlier patches</source>
      <translation>正在与蓝图中的原图斑匹配</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1136" />
      <source>Measuring</source>
      <translation>正在量算面积</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="698" />
      <source>Measuring patches</source>
      <translation>正在量算图斑面积</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="792" />
      <source>Multi-Plan Integration</source>
      <translation>多规合一</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="100" />
      <source>Name field (used where the code is missing)</source>
      <translation>用地名称字段（代码缺失时使用）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1949" />
      <source>New construction land</source>
      <translation>新增建设用地</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="231" />
      <source>New construction land vs the current land use (m²)</source>
      <translation>相对现状用地的新增建设用地（平方米）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1152" />
      <source>New patch from a re-detection: see the earlier patches' decisions below and confirm one.</source>
      <translation>重新检测产生的新图斑：请查看下方原图斑的决定并确认。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="181" />
      <source>Newer approval or permit</source>
      <translation>新批准的项目或许可</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="176" />
      <source>Next patch</source>
      <translation>下一个图斑</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="178" />
      <source>Next patch that is not decided</source>
      <translation>下一个未决图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/atlas.py" line="600" />
      <source>No CJK font found on this machine: Chinese text in the atlas may not show.</source>
      <translation>本机未找到中日韩（CJK）字体：图集中的中文可能无法显示。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="592" />
      <source>No blueprint layer: the share of each street's area is not known.</source>
      <translation>没有蓝图图层：无法得知各街道/镇的面积占比。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="376" />
      <source>No blueprint open</source>
      <translation>未打开蓝图</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="483" />
      <source>No classification standard fits these values well enough to choose one automatically (best fits: {top}; at least {min:.0%} needed). Choose the standard, or supply a crosswalk CSV for a local or foreign system.</source>
      <translation>没有哪个用地分类标准与这些取值足够相符，无法自动选择（最相符的：{top}；至少需要 {min:.0%}）。请手动选择标准，或为地方或其他分类体系提供对照表 CSV。</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="457" />
      <source>No codes or names to detect a standard from (all values are empty).</source>
      <translation>没有可用于识别标准的代码或名称（所有值均为空）。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1443" />
      <source>No control line has any area to reconcile</source>
      <translation>所有控制线均没有可协调的面积</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1373" />
      <source>No control line to reconcile: give at least one non-empty line layer</source>
      <translation>没有需要协调的控制线：请至少指定一个非空的控制线图层</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1490" />
      <source>No control lines in the blueprint: run multiplan:reconcilecontrollines.</source>
      <translation>蓝图中没有控制线：请运行 multiplan:reconcilecontrollines。</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="77" />
      <source>No coordinate reference system given</source>
      <translation>未指定坐标系</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1948" />
      <source>No current land-use (三调) layer given: no 新增建设用地 table.</source>
      <translation>未指定现状用地（三调）图层：不生成新增建设用地表。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1275" />
      <source>No decisions yet: every patch is still undecided.</source>
      <translation>尚无决定：所有图斑均未决。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1388" />
      <source>No decisions yet: no department has given an opinion or a decision.</source>
      <translation>尚无决定：还没有部门提出意见或作出决定。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1957" />
      <source>No decisions yet: the ledger shows every patch as undecided.</source>
      <translation>尚无决定：台账中所有图斑均显示为未决。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1463" />
      <source>No eco plan given: {kind} is proposed as {proposal} everywhere (no core zones)</source>
      <translation>未指定生态环境保护规划：{kind} 全部建议为 {proposal}（无核心管控区）</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="544" />
      <source>No enabled rule applies to the given inputs ({why})</source>
      <translation>没有适用于所给输入的已启用规则（{why}）</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="281" />
      <source>No input layers to choose a working CRS from</source>
      <translation>没有可用于选择工作坐标系的输入图层</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="503" />
      <source>No patch</source>
      <translation>无图斑</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="718" />
      <source>No patch matches these filters. Widen or reset the filters.</source>
      <translation>没有图斑符合这些筛选条件。请放宽或重置筛选。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="323" />
      <source>No patch passes the atlas filter: no atlas written.</source>
      <translation>没有图斑符合图集筛选条件：未生成图集。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="931" />
      <source>No quota given: {a:,.1f} m² ({ha:,.2f} ha) of construction land counted by {flag}.</source>
      <translation>未指定指标：按{flag}统计，建设用地 {a:,.1f} 平方米（{ha:,.2f} 公顷）。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="331" />
      <source>No recent blueprints</source>
      <translation>没有最近打开的蓝图</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="335" />
      <source>No transformation between the two CRSs: {error}</source>
      <translation>两个坐标系之间没有可用的转换：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="460" />
      <source>No user crosswalk standard (USER:&lt;name&gt;) to choose from.</source>
      <translation>没有可供选择的用户对照表标准（USER:&lt;名称&gt;）。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="175" />
      <source>No working CRS can be chosen: {error}</source>
      <translation>无法确定工作坐标系：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="565" />
      <source>Not a GeoPackage geometry blob.</source>
      <translation>不是 GeoPackage 几何二进制数据。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1235" />
      <source>Nothing was written; what you typed is kept in the form.</source>
      <translation>未写入任何内容；您输入的内容仍保留在表单中。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="126" />
      <source>On unknown code</source>
      <translation>遇到未知代码时</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1458" />
      <source>Only one control line given: there is nothing to overlap, statistics only</source>
      <translation>只指定了一条控制线：不存在重叠，仅作统计</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1575" />
      <source>Open LINE_* patches only; 'pending' = no current decision yet.</source>
      <translation>仅含未关闭的 LINE_* 图斑；“pending”表示尚无当前决定。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="299" />
      <source>Open a blueprint</source>
      <translation>打开蓝图</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1206" />
      <source>Open a blueprint and choose a patch first.</source>
      <translation>请先打开蓝图并选择一个图斑。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="805" />
      <source>Open settings</source>
      <translation>打开设置</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1300" />
      <source>Opinion recorded on {patch}: {action}.</source>
      <translation>已记录对 {patch} 的意见：{action}。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="468" />
      <source>Order and filters</source>
      <translation>排序与筛选</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="466" />
      <source>Order and filters (filtered)</source>
      <translation>排序与筛选（已筛选）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="190" />
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="131" />
      <source>Other lines</source>
      <translation>其他控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="249" />
      <source>Overlap area (m²)</source>
      <translation>重叠面积（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="931" />
      <source>Overlaps {kind}</source>
      <translation>重叠 {kind}</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1035" />
      <source>Overlaying the land-use plans</source>
      <translation>正在叠加各规划用地</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="134" />
      <source>Overlays the harmonised plans and finds every difference patch (差异图斑) the rule table asks for: 城规建设/土规非建设 and 土规建设/城规非建设 (两规), construction inside the ecological red line or the eco plan's 一级/二级管控区, construction on permanent basic farmland, urban construction outside the urban development boundary, construction in 禁止开发区域, key projects on land the land-use plan keeps non-construction, and conflicting classes.

Inputs: plans by role (each optional) — run multiplan:harmonisecodes on each first; an unharmonised layer is refused — any number of further special plans (the role is taken from a 'role' field, else from the layer name), key projects (not harmonised: a name, a type and a polygon, or a point with an area drawn as a disc), the three control lines and the streets. At least two plans, or one plan and one control line.

Working CRS: an existing blueprint's stored CRS always wins (re-detection compares like with like); otherwise the override, else the one projected CRS all inputs share, else the QGIS project's projected CRS, else the CGCS2000 3° Gauss-Krüger zone (EPSG:4534–4554) or UTM zone of the data's centroid. Inputs in another CRS are reprojected; the choice is always reported.

Patches are maximal connected areas of one kind, one code combination and one street, with planar area (working CRS) and ellipsoidal area (CGCS2000 ellipsoid). Slivers (minimum area, width and shape tests, all parameters) stay visible with their reason; specks are dropped and counted. Invalid geometries are repaired and counted, overlaps and gaps inside one plan are reported (never double-counted), unknown codes listed with their feature ids.

Blueprint (created when missing): the run is written in ONE transaction — harmonised plan copies, patches, their plans, statistics. Re-running keeps patch ids (and their decisions) where the difference is the same; a patch that changed keeps its id and is flagged 'changed, re-confirm'; re-coded, split and merged patches get new ids listing their predecessors; vanished ones are closed, never deleted. Patches of kinds this run did not evaluate are left as they are. Cancelling leaves the blueprint unchanged.

Rule table: a CSV extends (or replaces) data/rules/detection_rules.csv — see docs/detection.md.</source>
      <translation>叠加已完成用地分类标准梳理的各规划，找出规则表要求的全部差异图斑：城规建设/土规非建设与土规建设/城规非建设（两规差异）、生态保护红线或生态环境保护规划一级/二级管控区内的建设用地、占用永久基本农田的建设用地、城镇开发边界外的城镇建设用地、禁止开发区域内的建设用地、位于土规非建设用地上的重大项目，以及地类冲突。

输入：按角色指定的各规划（均可选）——请先对每个规划运行 multiplan:harmonisecodes，未经梳理的图层会被拒绝；任意数量的其他专项规划（角色取自“role”字段，否则取自图层名称）；重大项目（无需梳理：名称、类型及面，或按面积绘制为圆形的点）；三条控制线和街道/镇。至少需要两个规划，或一个规划加一条控制线。

工作坐标系：已有蓝图中保存的坐标系始终优先（重新检测须在同一坐标系下比较）；否则依次采用手动指定的坐标系、所有输入共用的投影坐标系、QGIS 工程的投影坐标系，最后采用数据质心所在的 CGCS2000 3° 高斯-克吕格投影带（EPSG:4534–4554）或 UTM 投影带。其他坐标系的输入会被重投影；所作的选择始终会报告。

图斑是同一类型、同一代码组合、同一街道/镇内的最大连通区域，同时给出平面面积（工作坐标系）和椭球面积（CGCS2000 椭球）。碎屑图斑（按最小面积、宽度和形状检验，均为参数）保留可见并注明原因；微小碎屑被去除并计数。无效几何会被修复并计数，单个规划内部的重叠和缝隙会被报告（绝不重复计算），未知代码连同其要素编号一并列出。

蓝图（不存在时新建）：一次运行在同一个事务中写入——分类梳理后的规划副本、图斑、图斑所涉规划、统计。重新运行时，差异不变的图斑保留原编号（及其决定）；发生变化的图斑保留编号并标记为“已变更，待重新确认”；代码变化、拆分或合并的图斑获得新编号并列出其前身；消失的图斑被关闭，绝不删除。本次未检测类型的图斑保持不变。取消运行时蓝图不作任何改动。

规则表：CSV 文件，扩展（或替换）data/rules/detection_rules.csv——参见 docs/detection.md。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="221" />
      <source>PDF (*.pdf)</source>
      <translation>PDF (*.pdf)</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1495" />
      <source>Patch ids must be unique and not empty.</source>
      <translation>图斑编号必须唯一且不能为空。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="690" />
      <source>Patch {patch} is not in the blueprint {path}.</source>
      <translation>图斑 {patch} 不在蓝图 {path} 中。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="794" />
      <source>Patch {patch} is not in the current queue ({status}); it is shown, but stepping continues in the queue.</source>
      <translation>图斑 {patch} 不在当前队列中（{status}）；已显示该图斑，但翻页仍在队列中进行。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1279" />
      <source>Patch {patch} was closed by a newer detection run (the ground no longer differs). Your entry ({action}) is recorded in its history, but the patch is out of the queue.</source>
      <translation>图斑 {patch} 已被新一轮检测关闭（该处已不再存在差异）。您的记录（{action}）已写入其历史，但该图斑已移出队列。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1349" />
      <source>Patch {patch} was closed by a newer detection run and left the queue.</source>
      <translation>图斑 {patch} 已被新一轮检测关闭，已移出队列。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="2075" />
      <source>Patch {pid} ({kind}): cannot tell which lines it concerns</source>
      <translation>图斑 {pid}（{kind}）：无法判断涉及哪些控制线</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1266" />
      <source>Patch {pid}: technical error without a decided neighbour; its own plans decide</source>
      <translation>图斑 {pid}：技术误差，但没有已决定的相邻图斑；由其自身规划决定</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="255" />
      <source>Patches</source>
      <translation>图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="228" />
      <source>Patches decided</source>
      <translation>已决定图斑数</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1491" />
      <source>Patches need a {column} column.</source>
      <translation>图斑必须有 {column} 列。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="590" />
      <source>Patches of different kinds may overlap: the total row adds the kinds.</source>
      <translation>不同类型的图斑可能重叠：合计行为各类型之和。</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="258" />
      <source>Patches: {case}</source>
      <translation>图斑：{case}</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="166" />
      <source>Pending area (m²)</source>
      <translation>待定面积（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="804" />
      <source>Per capita: construction land {a:,.1f} m² per person (population {p:,.0f}).</source>
      <translation>人均建设用地 {a:,.1f} 平方米（人口 {p:,.0f}）。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="161" />
      <source>Permanent basic farmland</source>
      <translation>永久基本农田</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="40" />
      <source>Permanent basic farmland (empty: the blueprint's)</source>
      <translation>永久基本农田（留空：采用蓝图中的）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="79" />
      <source>Permanent basic farmland (永久基本农田)</source>
      <translation>永久基本农田</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="544" />
      <source>Plan '{role}'</source>
      <translation>规划“{role}”</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="519" />
      <source>Plan '{role}' ({layer}) is empty</source>
      <translation>规划“{role}”（{layer}）为空</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="338" />
      <source>Plan '{role}' ({layer}) is not harmonised (no {fields}): run multiplan:harmonisecodes (Harmonise land-use codes) on it first</source>
      <translation>规划“{role}”（{layer}）尚未进行用地分类标准梳理（缺少 {fields}）：请先对其运行 multiplan:harmonisecodes（用地分类标准梳理）</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="513" />
      <source>Plan '{role}': unknown kind '{kind}' (expected {kinds})</source>
      <translation>规划“{role}”：未知类型“{kind}”（应为 {kinds}）</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="225" />
      <source>Plan '{role}': {rep} repaired, {ovl} overlaps resolved (lower fid keeps the ground), {null} without geometry, {np} not polygons</source>
      <translation>规划“{role}”：修复 {rep} 个，处理重叠 {ovl} 处（重叠部分归 fid 较小者），无几何 {null} 个，非面要素 {np} 个</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1497" />
      <source>Plan coverage of the lines</source>
      <translation>规划对控制线的覆盖</translation>
    </message>
    <message>
      <location filename="../processing_provider/base.py" line="24" />
      <source>Plan integration</source>
      <translation>多规整合</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="86" />
      <source>Plan layer</source>
      <translation>规划图层</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="988" />
      <source>Plan(s) {roles} carry no land use (zones, eco control levels or projects): the blueprint layer is built from land-use plans only.</source>
      <translation>规划 {roles} 不含用地（为分区、生态管控级别或项目）：蓝图图层只由用地规划构建。</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="224" />
      <source>Plan: {plan}</source>
      <translation>规划：{plan}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="40" />
      <source>Planning flag of the unified class (用地用海 规划建设用地)</source>
      <translation>用地用海分类的规划建设用地属性</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="182" />
      <source>Planning policy</source>
      <translation>规划政策</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1902" />
      <source>Plans</source>
      <translation>规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="183" />
      <source>Point projects need an area field (m²): each point is drawn as a disc of that area.</source>
      <translation>点状项目需要面积字段（平方米）：每个点按该面积绘制为圆形。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="159" />
      <source>Population (for per-capita figures; empty: none)</source>
      <translation>人口（用于人均指标；留空：不计算）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1397" />
      <source>Preparing the district and streets</source>
      <translation>正在准备区界和街道/镇</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="177" />
      <source>Previous patch</source>
      <translation>上一个图斑</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1960" />
      <source>Progress and control lines</source>
      <translation>审查进度与控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="100" />
      <source>Project id field</source>
      <translation>项目编号字段</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="79" />
      <source>Project name (for a new blueprint)</source>
      <translation>项目名称（用于新建蓝图）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="101" />
      <source>Project name field</source>
      <translation>项目名称字段</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="102" />
      <source>Project type field (for rules on project types)</source>
      <translation>项目类型字段（用于按项目类型适用的规则）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="96" />
      <source>Projects (polygons, or points with an area)</source>
      <translation>项目（面，或带面积的点）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="574" />
      <source>Projects not checked: {list}</source>
      <translation>未核查的项目：{list}</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="203" />
      <source>Proposal: {what}</source>
      <translation>调整建议：{what}</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="140" />
      <source>Proposed</source>
      <translation>建议</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="242" />
      <source>Proposed control lines</source>
      <translation>建议的控制线</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="239" />
      <source>Proposed line adjustments</source>
      <translation>控制线调整建议</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="230" />
      <source>Quota remaining (m²; negative: exceeded)</source>
      <translation>剩余指标（平方米；负数表示超出）</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="198" />
      <source>Re-confirm the earlier decision on a changed or replaced patch</source>
      <translation>对已变更或被替代的图斑重新确认原决定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="776" />
      <source>Reached the end of the queue; continued from the start.</source>
      <translation>已到队列末尾，从头继续。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="254" />
      <source>Reading the current land use…</source>
      <translation>正在读取现状用地…</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="278" />
      <source>Reading the inputs…</source>
      <translation>正在读取输入…</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1007" />
      <source>Reading the plan copies</source>
      <translation>正在读取规划副本</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="196" />
      <source>Reading the plan layer…</source>
      <translation>正在读取规划图层…</translation>
    </message>
    <message>
      <location filename="../processing_provider/sources.py" line="162" />
      <source>Reading {name}: {k} of {n}</source>
      <translation>正在读取 {name}：{k} / {n}</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="120" />
      <source>Reconcile control lines (三线协调)</source>
      <translation>三线协调</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="76" />
      <source>Red line / development boundary overlap</source>
      <translation>生态保护红线 / 城镇开发边界重叠</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="74" />
      <source>Red line / farmland overlap inside the eco plan's core zones</source>
      <translation>生态保护红线 / 永久基本农田重叠（生态环境保护规划核心管控区内）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="69" />
      <source>Red line / farmland overlap outside the core zones</source>
      <translation>生态保护红线 / 永久基本农田重叠（核心管控区外）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1402" />
      <source>Reopened the blueprint {path}.</source>
      <translation>已重新打开蓝图 {path}。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="216" />
      <source>Report page (HTML)</source>
      <translation>报告网页（HTML）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="304" />
      <source>Report page {path}</source>
      <translation>报告网页 {path}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="88" />
      <source>Report: ledger, statistics, balance tables, atlas (台账·统计·用地平衡表·图集)</source>
      <translation>成果报告：台账·统计·用地平衡表·图集</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="602" />
      <source>Resumed at patch {patch}, where you stopped.</source>
      <translation>已回到您上次停下的图斑 {patch}。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="790" />
      <source>Review</source>
      <translation>审查</translation>
    </message>
    <message>
      <location filename="../processing_provider/base.py" line="25" />
      <source>Review and blueprint</source>
      <translation>审查与一张蓝图</translation>
    </message>
    <message>
      <location filename="../ui/gui.py" line="50" />
      <source>Review dock</source>
      <translation>审查面板</translation>
    </message>
    <message>
      <location filename="../ui/gui.py" line="63" />
      <source>Reviewer settings…</source>
      <translation>审查人设置…</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="121" />
      <source>Role precedence for construction land (comma-separated)</source>
      <translation>建设用地的规划角色优先顺序（以逗号分隔）</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="128" />
      <source>Role precedence for non-construction land (comma-separated)</source>
      <translation>非建设用地的规划角色优先顺序（以逗号分隔）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="220" />
      <source>Rule table (CSV; see docs/detection.md)</source>
      <translation>规则表（CSV；参见 docs/detection.md）</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="277" />
      <source>Rule table {path} has no rules</source>
      <translation>规则表 {path} 中没有规则</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="253" />
      <source>Rule table {path}: missing column(s) {columns}</source>
      <translation>规则表 {path}：缺少列 {columns}</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="620" />
      <source>Rule {kind}: {name}</source>
      <translation>规则 {kind}：{name}</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="459" />
      <source>Rule {rule} ({name}) skipped: {m} is not known (no {line} given).</source>
      <translation>已跳过规则 {rule}（{name}）：{m} 未知（未指定 {line}）。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="469" />
      <source>Rule {rule} is for project types {types}, but no type field was given: applied to every project.</source>
      <translation>规则 {rule} 适用于项目类型 {types}，但未指定类型字段：已应用于所有项目。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="182" />
      <source>Set the unified class (用地用海 2023) from the code tables</source>
      <translation>从分类表中设定统一地类（用地用海 2023）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1214" />
      <source>Set your name and department in the plugin settings first (Settings ▸ Options ▸ Multi-Plan Integration). What you typed is kept in the form.</source>
      <translation>请先在插件设置中填写姓名和部门（设置 ▸ 选项 ▸ 多规合一）。您输入的内容仍保留在表单中。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="804" />
      <source>Set your name, department and role once.</source>
      <translation>请设置一次姓名、部门和角色。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1480" />
      <source>Settling the proposals</source>
      <translation>正在确定调整建议</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="98" />
      <source>Severity</source>
      <translation>严重程度</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="135" />
      <source>Shapefile encoding (e.g. GBK; empty = as the layer says)</source>
      <translation>Shapefile 字符编码（如 GBK；留空则按图层声明）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="166" />
      <source>Siting check</source>
      <translation>选址核查结果</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="170" />
      <source>Siting check as a workbook (XLSX)</source>
      <translation>选址核查结果工作簿（XLSX）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="159" />
      <source>Siting rule table (CSV; replaces data/rules/siting_rules.csv)</source>
      <translation>选址规则表（CSV；替换 data/rules/siting_rules.csv）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="213" />
      <source>Siting rule table {path} has no rules</source>
      <translation>选址规则表 {path} 中没有规则</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="145" />
      <source>Siting rule table {path}: missing column(s) {columns}</source>
      <translation>选址规则表 {path}：缺少列 {columns}</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="111" />
      <source>Sliver (technical difference)</source>
      <translation>碎屑图斑（技术差异）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1160" />
      <source>Sliver ({reason}): probably a digitising difference, not a planning one.</source>
      <translation>碎屑图斑（{reason}）：可能是数字化误差，而非规划差异。</translation>
    </message>
    <message>
      <location filename="../algorithms/slivers.py" line="55" />
      <source>Sliver parameter {name} must not be negative</source>
      <translation>碎屑图斑参数 {name} 不能为负数</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="85" />
      <source>Sliver: always below this area (m²)</source>
      <translation>碎屑图斑：面积小于此值即为碎屑图斑（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="91" />
      <source>Sliver: elongated from this length/width ratio</source>
      <translation>碎屑图斑：狭长的长宽比下限</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="97" />
      <source>Sliver: irregular at or below this compactness 4πA/P²</source>
      <translation>碎屑图斑：形状不规则的紧凑度上限 4πA/P²</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="87" />
      <source>Sliver: narrow at or below this width (m)</source>
      <translation>碎屑图斑：过窄的宽度上限（米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="86" />
      <source>Sliver: small at or below this area (m²)</source>
      <translation>碎屑图斑：面积过小的上限（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="353" />
      <source>Some coordinates cannot be transformed (outside the CRS's area of use?)</source>
      <translation>部分坐标无法转换（超出该坐标系的适用范围？）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1289" />
      <source>Someone else decided patch {patch} after you opened it. Your decision ({action}) is recorded as a conflict, not as the current decision; the history shows both. Record a new decision to resolve it.</source>
      <translation>在您打开图斑 {patch} 之后，另一人已作出决定。您的决定（{action}）记为冲突，而不是当前决定；历史中两者均可见。请记录一条新决定以解决冲突。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="150" />
      <source>Source code</source>
      <translation>原代码</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="151" />
      <source>Source name</source>
      <translation>原名称</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="149" />
      <source>Source standard</source>
      <translation>原分类标准</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="84" />
      <source>Specks dropped and counted at or below (m²)</source>
      <translation>微小碎屑阈值：不超过此面积的碎屑去除并计数（平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1081" />
      <source>Splitting by street</source>
      <translation>按街道/镇拆分</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="159" />
      <source>Standard used</source>
      <translation>采用的标准</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="614" />
      <source>Standard {s} is defined by no row of the user crosswalk.</source>
      <translation>用户对照表中没有任何一行定义标准 {s}。</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="750" />
      <source>Statistics</source>
      <translation>统计</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="48" />
      <source>Stop and list the undecided patches</source>
      <translation>停止并列出未决图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="127" />
      <source>Stop and list the unknown codes</source>
      <translation>停止并列出未知代码</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="53" />
      <source>Stop when a control-line overlap is undecided</source>
      <translation>有控制线重叠未决时停止</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="246" />
      <source>Store harmonised copies of the plans in the blueprint</source>
      <translation>在蓝图中保存分类梳理后的规划副本</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="101" />
      <source>Street</source>
      <translation>街道/镇</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1407" />
      <source>Street layer</source>
      <translation>街道/镇图层</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="61" />
      <source>Street name field</source>
      <translation>街道/镇名称字段</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1093" />
      <source>Streets</source>
      <translation>街道/镇</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="57" />
      <source>Streets (街道/镇)</source>
      <translation>街道/镇</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="136" />
      <source>Streets (街道/镇), used only when the blueprint layer has no street</source>
      <translation>街道/镇（仅在蓝图图层没有街道/镇信息时使用）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="34" />
      <source>TD/T 1024-2010 土地规划用途 (land-use master plan)</source>
      <translation>TD/T 1024-2010 土地规划用途分类（土地利用总体规划）</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="193" />
      <source>Technical error (sliver): the blueprint takes the neighbouring agreed class</source>
      <translation>技术误差（碎屑图斑）：蓝图采用相邻的一致地类</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="181" />
      <source>The CRS is labelled EPSG:{label} but its parameters are those of EPSG:{real}</source>
      <translation>该坐标系标注为 EPSG:{label}，但其投影参数实为 EPSG:{real}</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="262" />
      <source>The action {action} needs a target (a plan role, a unified class or a line change).</source>
      <translation>操作 {action} 需要指定目标（规划角色、统一地类或控制线调整）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/atlas.py" line="618" />
      <source>The atlas could not be exported: {error}</source>
      <translation>无法导出图集：{error}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="347" />
      <source>The atlas page cap is 0: no atlas written.</source>
      <translation>图集页数上限为 0：未生成图集。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1856" />
      <source>The blueprint has no 'blueprint' layer yet (run multiplan:applydecisions): no balance table, quota check or 新增建设用地 for the blueprint.</source>
      <translation>蓝图中还没有“blueprint”图层（请运行 multiplan:applydecisions）：无法生成蓝图的用地平衡表、指标核查和新增建设用地统计。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1998" />
      <source>The blueprint has no control lines: run multiplan:reconcilecontrollines first</source>
      <translation>蓝图中没有控制线：请先运行 multiplan:reconcilecontrollines</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="982" />
      <source>The blueprint has no copy of plan(s): {roles}</source>
      <translation>蓝图中没有以下规划的副本：{roles}</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1843" />
      <source>The blueprint has no difference patches yet: run multiplan:detectdifferences.</source>
      <translation>蓝图中还没有差异图斑：请运行 multiplan:detectdifferences。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="2002" />
      <source>The blueprint has no input control lines: run multiplan:reconcilecontrollines first</source>
      <translation>蓝图中没有原始输入的控制线：请先运行 multiplan:reconcilecontrollines</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="345" />
      <source>The blueprint has no patches: no atlas written.</source>
      <translation>蓝图中没有图斑：未生成图集。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="975" />
      <source>The blueprint holds no land-use plan copies: run multiplan:detectdifferences with the urban-rural and land-use plans first</source>
      <translation>蓝图中没有规划用地副本：请先用城乡规划和土地利用总体规划运行 multiplan:detectdifferences</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="647" />
      <source>The blueprint is in WAL mode (another program, often QGIS while editing, left it so and still has it open). That is safe on this computer's disk, but on a network folder two computers must not use it at once: close the other program and reopen the blueprint.</source>
      <translation>蓝图处于 WAL 模式（另一个程序——通常是正在编辑的 QGIS——将其置于此模式且仍在使用）。在本机磁盘上是安全的，但在网络文件夹中不能两台电脑同时使用：请关闭另一个程序后重新打开蓝图。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="183" />
      <source>The blueprint keeps its working CRS; the requested working CRS is ignored (re-detection must compare like with like).</source>
      <translation>蓝图保持其工作坐标系，忽略所指定的工作坐标系（重新检测必须在同一坐标系下比较）。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1925" />
      <source>The blueprint layer has no status column: all of it is taken as final.</source>
      <translation>蓝图图层没有 status 列：全部视为已定。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1873" />
      <source>The blueprint layer has no street: its features were split by the streets layer given.</source>
      <translation>蓝图图层没有街道/镇信息：已按所指定的街道/镇图层拆分其要素。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="402" />
      <source>The blueprint layer is empty: every project lies outside it.</source>
      <translation>蓝图图层为空：所有项目都位于蓝图范围外。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1853" />
      <source>The blueprint layer is empty: run multiplan:applydecisions.</source>
      <translation>蓝图图层为空：请运行 multiplan:applydecisions。</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="176" />
      <source>The blueprint {path} does not exist: run multiplan:detectdifferences first.</source>
      <translation>蓝图 {path} 不存在：请先运行 multiplan:detectdifferences。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="123" />
      <source>The blueprint {path} has an unfinished transaction from a program that stopped while writing (its rollback journal {journal} is still there), and it was opened read-only, which cannot undo it. Open it once with write access — in QGIS or in the review dock — and the unfinished transaction is rolled back; nothing that was saved before is lost.</source>
      <translation>蓝图 {path} 中有一个未完成的事务：某个程序在写入时中断（其回滚日志 {journal} 仍在）。当前以只读方式打开，无法撤销该事务。请以可写方式打开一次（在 QGIS 或审查面板中），未完成的事务将被回滚；此前已保存的内容不会丢失。</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="215" />
      <source>The blueprint {path} has no 'blueprint' layer yet: run multiplan:applydecisions first.</source>
      <translation>蓝图 {path} 中还没有“blueprint”图层：请先运行 multiplan:applydecisions。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="985" />
      <source>The blueprint {path} has no layer {layer}.</source>
      <translation>蓝图 {path} 中没有图层 {layer}。</translation>
    </message>
    <message>
      <location filename="../processing_provider/atlas.py" line="353" />
      <source>The blueprint {path} has no patches layer.</source>
      <translation>蓝图 {path} 中没有图斑图层。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="139" />
      <source>The blueprint {path} is locked by another user or program (waited {seconds:.1f} s).</source>
      <translation>蓝图 {path} 被其他用户或程序锁定（已等待 {seconds:.1f} 秒）。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1376" />
      <source>The blueprint {path} is not there any more (moved, renamed or deleted, or its network folder is disconnected). Decisions you record are kept in the pending journal on this computer.</source>
      <translation>蓝图 {path} 已不在原处（被移动、重命名或删除，或网络文件夹已断开）。您记录的决定保存在本机待写日志中。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="110" />
      <source>The blueprint {path} is read-only (the file, or its folder, cannot be written, or it was opened read-only).</source>
      <translation>蓝图 {path} 为只读（文件或其所在文件夹不可写，或以只读方式打开）。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="637" />
      <source>The blueprint {path} is read-only ({reason}). You can review it; decisions you record are kept in the pending journal on this computer and written when it can be written again (then press Refresh).</source>
      <translation>蓝图 {path} 为只读（{reason}）。您可以查看；记录的决定保存在本机待写日志中，待文件可写后写入（届时请点击“刷新”）。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="82" />
      <source>The blueprint {path} uses schema version {found}, but this plugin understands versions up to {supported}. Update the Multi-Plan Integration plugin to open it.</source>
      <translation>蓝图 {path} 使用结构版本 {found}，而本插件最高支持版本 {supported}。请更新多规合一插件后再打开。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="98" />
      <source>The blueprint {path} uses the older schema version {found} and must be upgraded to version {supported}; open it with write access once to upgrade it.</source>
      <translation>蓝图 {path} 使用较旧的结构版本 {found}，需升级到版本 {supported}；请以可写方式打开一次以完成升级。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="47" />
      <source>The blueprint {path} was not found: it may have been moved, renamed or deleted, or its network folder is not connected.</source>
      <translation>未找到蓝图 {path}：可能已被移动、重命名或删除，或其网络文件夹未连接。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="265" />
      <source>The code tables in {dir} are inconsistent:</source>
      <translation>{dir} 中的分类代码表不一致：</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="935" />
      <source>The construction-land quota cannot be negative ({q}).</source>
      <translation>建设用地指标不能为负数（{q}）。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="781" />
      <source>The crosswalk {path} has no rows</source>
      <translation>对照表 {path} 没有任何行</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="778" />
      <source>The crosswalk {path} has {n} problem(s):</source>
      <translation>对照表 {path} 有 {n} 处问题：</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1906" />
      <source>The current land-use layer</source>
      <translation>现状用地图层</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1203" />
      <source>The current land-use layer has {n} overlapping pairs ({a:,.1f} m²): counted once.</source>
      <translation>现状用地图层有 {n} 对要素重叠（{a:,.1f} 平方米）：只计一次。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1061" />
      <source>The current land-use layer is not harmonised and has no code field (DLBM): run multiplan:harmonisecodes on it or name its code field.</source>
      <translation>现状用地图层尚未进行用地分类标准梳理，也没有地类编码字段（DLBM）：请对其运行 multiplan:harmonisecodes，或指定其编码字段。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1072" />
      <source>The current land-use layer was harmonised as {std} from field {f} ({u} features unmapped).</source>
      <translation>现状用地图层已按 {std} 从字段 {f} 进行分类梳理（{u} 个要素未映射）。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="887" />
      <source>The eco plan has no zone matching {expr}: no core-zone proposals</source>
      <translation>生态环境保护规划中没有与 {expr} 匹配的分区：不生成核心管控区调整建议</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="844" />
      <source>The layer has no mp_construction column to count.</source>
      <translation>该图层没有可供统计的 mp_construction 列。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="195" />
      <source>The plan layer has no field {f}.</source>
      <translation>规划图层没有字段 {f}。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="223" />
      <source>The plan layer is empty: nothing to harmonise.</source>
      <translation>规划图层为空：无需梳理。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1811" />
      <source>The population cannot be negative ({p}).</source>
      <translation>人口不能为负数（{p}）。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="369" />
      <source>The project layer</source>
      <translation>项目图层</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="376" />
      <source>The project layer has no field {f}.</source>
      <translation>项目图层中没有字段 {f}。</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="201" />
      <source>The project layer is empty: nothing to check.</source>
      <translation>项目图层为空：无需核查。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="941" />
      <source>The quota is zero: every m² of construction land exceeds it — {a:,.1f} m² counted by {flag}.</source>
      <translation>指标为零：所有建设用地均超出指标——按{flag}统计为 {a:,.1f} 平方米。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="719" />
      <source>The review queue is empty: this blueprint has no open patches. Run difference detection into it first, or open another blueprint.</source>
      <translation>审查队列为空：此蓝图没有未关闭的图斑。请先向其中运行差异检测，或打开其他蓝图。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1000" />
      <source>The role precedence names {roles}, which the blueprint layer is not built from: ignored.</source>
      <translation>规划优先顺序中的 {roles} 不参与构建蓝图图层：已忽略。</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="229" />
      <source>The rule table</source>
      <translation>规则表</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="167" />
      <source>The run was cancelled; nothing was written to the blueprint.</source>
      <translation>运行已取消；未向蓝图写入任何内容。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1101" />
      <source>The streets layer</source>
      <translation>街道/镇图层</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1005" />
      <source>The streets layer has no field {f}.</source>
      <translation>街道/镇图层中没有字段 {f}。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="365" />
      <source>The tolerance must be 0 m² or more.</source>
      <translation>容差必须大于或等于 0 平方米。</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="506" />
      <source>The values fit several standards about equally ({listing}): they use the same codes with different meanings (e.g. 三调 and 用地用海, or the 2020 and 2023 用地用海 editions). Choose the standard explicitly.</source>
      <translation>这些取值与多个标准的相符程度相近（{listing}）：这些标准使用相同的代码但含义不同（如三调与用地用海，或用地用海 2020 版与 2023 版）。请明确选择标准。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="289" />
      <source>The working CRS is not usable: {error}</source>
      <translation>工作坐标系不可用：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1387" />
      <source>The working CRS must be projected (metres), not geographic: choose one or let it be chosen</source>
      <translation>工作坐标系必须是投影坐标系（单位为米），而不是地理坐标系：请选择一个，或由系统自动选择</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1258" />
      <source>There is no earlier decision to re-confirm on this patch.</source>
      <translation>此图斑没有可重新确认的原决定。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="788" />
      <source>There is no patch {patch} in this blueprint.</source>
      <translation>此蓝图中没有图斑 {patch}。</translation>
    </message>
    <message>
      <location filename="../algorithms/report_xlsx.py" line="77" />
      <source>This GDAL has no XLSX driver.</source>
      <translation>当前 GDAL 没有 XLSX 驱动。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1303" />
      <source>This decision was already in the blueprint.</source>
      <translation>该决定已在蓝图中。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="758" />
      <source>This is the first patch of the queue.</source>
      <translation>这是队列中的第一个图斑。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="748" />
      <source>This is the last patch of the queue.</source>
      <translation>这是队列中的最后一个图斑。</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="171" />
      <source>Timings: {t}</source>
      <translation>耗时：{t}</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="118" />
      <source>Tolerance (m²)</source>
      <translation>容差（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="65" />
      <source>Turns a plan's land-use codes (GB 50137-2011, TD/T 1024-2010, GB/T 21010 / 三调, 用地用海 2020/2023, 主体功能区 zones, eco control levels, or a local system through a crosswalk CSV) into the unified 用地用海 2023 classification.

The output keeps every input field and appends mp_src_standard, mp_src_code, mp_code, mp_name, mp_level, mp_construction (the construction flag by the source standard's own rule), mp_sandalei (legal 三大类) and mp_status (exact / coarse / unmapped).

Codes are text: leading zeros are kept, integer fields become text without '.0', whitespace, full-width characters and case are normalised; a name field is used where the code is missing.

Auto-detect weighs all values (and names) against every table, reports the standard it chose and how sure it is, and refuses to guess when standards collide (三调 and 用地用海 share many codes) — then choose the standard yourself.

Crosswalk CSV (UTF-8): source_standard, source_code, source_name, target_code, construction, sandalei, source. Its rows override the built-in tables.

Invalid geometries are repaired and counted, Z/M values dropped and counted. The second output lists every unmapped or ambiguous code with its feature count and area.</source>
      <translation>将规划的用地代码（GB 50137-2011、TD/T 1024-2010、GB/T 21010 / 三调、用地用海 2020/2023、主体功能区、生态管控级别，或通过对照表 CSV 定义的地方分类体系）转换为统一的用地用海 2023 分类。

输出保留全部输入字段，并追加 mp_src_standard、mp_src_code、mp_code、mp_name、mp_level、mp_construction（按原分类标准自身规则判定的建设用地属性）、mp_sandalei（法定三大类）和 mp_status（exact / coarse / unmapped）。

代码按文本处理：保留前导零，整数字段转为不带“.0”的文本，空白、全角字符和大小写统一规范；代码缺失时使用名称字段。

自动识别将全部取值（及名称）与每一张分类表比对，报告所选标准及其置信度；当多个标准冲突时（三调与用地用海有大量相同代码）不作猜测——此时请自行选择标准。

对照表 CSV（UTF-8）：source_standard、source_code、source_name、target_code、construction、sandalei、source。其中的行覆盖内置对照表。

无效几何会被修复并计数，Z/M 值会被去除并计数。第二个输出列出所有未映射或有歧义的代码，以及对应的要素数和面积。</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="51" />
      <source>Undecided control-line overlaps follow the proposal</source>
      <translation>未决的控制线重叠按调整建议处理</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="52" />
      <source>Undecided control-line overlaps stay pending (both lines keep the ground)</source>
      <translation>未决的控制线重叠保持待定（两条控制线均保留该区域）</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="135" />
      <source>Undecided patches</source>
      <translation>未决图斑</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="165" />
      <source>Undecided patches governing land use</source>
      <translation>决定用地的未决图斑数</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="152" />
      <source>Unified class</source>
      <translation>统一地类</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="258" />
      <source>Unknown action {action}; expected one of {actions}.</source>
      <translation>未知操作 {action}；应为以下之一：{actions}。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1097" />
      <source>Unknown choice(s) {values}</source>
      <translation>未知选项 {values}</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="834" />
      <source>Unknown construction flag {flag}; use one of {flags}.</source>
      <translation>未知的建设用地属性口径 {flag}；请使用以下之一：{flags}。</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="525" />
      <source>Unknown control line '{line}' (expected {lines})</source>
      <translation>未知控制线“{line}”（应为 {lines}）</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="381" />
      <source>Unknown geometry type {type}</source>
      <translation>未知几何类型 {type}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="515" />
      <source>Unknown group '{group}' in a rule (see data/codes/groups.csv)</source>
      <translation>规则中有未知地类组“{group}”（参见 data/codes/groups.csv）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="976" />
      <source>Unknown proposal '{value}' (expected {values})</source>
      <translation>未知的调整建议“{value}”（应为 {values}）</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="253" />
      <source>Unknown reviewer role {role}: use 'opinion' (a department) or 'final' (the leading-group office).</source>
      <translation>未知审查角色 {role}：请使用“opinion”（部门）或“final”（领导小组办公室）。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="483" />
      <source>Unknown standard {s}; known: {known}</source>
      <translation>未知标准 {s}；已知标准：{known}</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="618" />
      <source>Unknown standard {s}; known: {known}, USER:&lt;name&gt;, auto</source>
      <translation>未知标准 {s}；已知：{known}、USER:&lt;名称&gt;、auto</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="153" />
      <source>Unmapped and ambiguous codes</source>
      <translation>未映射及有歧义的代码</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="274" />
      <source>Unreadable CRS: {error}</source>
      <translation>无法识别的坐标系：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="81" />
      <source>Unreadable coordinate reference system: {error}</source>
      <translation>无法识别的坐标系：{error}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="162" />
      <source>Urban development boundary</source>
      <translation>城镇开发边界</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="41" />
      <source>Urban development boundary (empty: the blueprint's)</source>
      <translation>城镇开发边界（留空：采用蓝图中的）</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="80" />
      <source>Urban development boundary (城镇开发边界)</source>
      <translation>城镇开发边界</translation>
    </message>
    <message>
      <location filename="../ui/layers.py" line="66" />
      <source>Urban vs land-use plan (两规)</source>
      <translation>两规差异</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="140" />
      <source>Urban-rural plan</source>
      <translation>城乡规划</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="66" />
      <source>Urban-rural plan (城乡规划), harmonised</source>
      <translation>城乡规划（已分类梳理）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="40" />
      <source>User crosswalk only</source>
      <translation>仅用用户对照表</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="161" />
      <source>What</source>
      <translation>内容</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1241" />
      <source>What you typed is kept in the form.</source>
      <translation>您输入的内容仍保留在表单中。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="161" />
      <source>When</source>
      <translation>时间</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="161" />
      <source>Who</source>
      <translation>记录人</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="804" />
      <source>Who are you?</source>
      <translation>您是谁？</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="546" />
      <source>Who are you? Set your name, department and role in the plugin settings before recording.</source>
      <translation>您是谁？记录之前请在插件设置中填写姓名、部门和角色。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="161" />
      <source>Why</source>
      <translation>理由与说明</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="211" />
      <source>Workbook (XLSX)</source>
      <translation>工作簿（XLSX）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="300" />
      <source>Workbook {path}: {n} sheets</source>
      <translation>工作簿 {path}：{n} 个工作表</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="105" />
      <source>Working CRS</source>
      <translation>工作坐标系</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="213" />
      <source>Working CRS (empty: chosen from the data; an existing blueprint's CRS always wins)</source>
      <translation>工作坐标系（留空：根据数据选择；已有蓝图的坐标系始终优先）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="232" />
      <source>Working CRS (empty: the blueprint's, else chosen as detection does)</source>
      <translation>工作坐标系（留空：采用蓝图的坐标系，否则按差异分析的方式选择）</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="260" />
      <source>Working CRS {crs} chosen by the user</source>
      <translation>工作坐标系 {crs}：由用户指定</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="285" />
      <source>Working CRS {crs}: every input uses it</source>
      <translation>工作坐标系 {crs}：所有输入均使用该坐标系</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="267" />
      <source>Working CRS {crs}: the blueprint's stored CRS (re-detection always uses it)</source>
      <translation>工作坐标系 {crs}：蓝图中保存的坐标系（重新检测始终使用它）</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="317" />
      <source>Working CRS {crs}: the inputs differ and are not all CGCS2000, so the UTM zone of the centroid is used</source>
      <translation>工作坐标系 {crs}：各输入的坐标系不同且并非都是 CGCS2000，因此采用数据质心所在的 UTM 投影带</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="294" />
      <source>Working CRS {crs}: the inputs differ, so the QGIS project's CRS is used</source>
      <translation>工作坐标系 {crs}：各输入的坐标系不同，因此采用 QGIS 工程的坐标系</translation>
    </message>
    <message>
      <location filename="../algorithms/crs.py" line="306" />
      <source>Working CRS {crs}: the inputs differ; for CGCS2000 data the 3-degree Gauss-Krüger zone of the centroid ({lon:.3f}E) is used</source>
      <translation>工作坐标系 {crs}：各输入的坐标系不同；对 CGCS2000 数据，采用数据质心（东经 {lon:.3f}°）所在的 3 度高斯-克吕格投影带</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="180" />
      <source>Write pending decisions and show others' decisions</source>
      <translation>写入待写决定并显示他人的决定</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1415" />
      <source>Writing into the blueprint</source>
      <translation>正在写入蓝图</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="416" />
      <source>Writing into the blueprint…</source>
      <translation>正在写入蓝图…</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="251" />
      <source>Writing the outputs…</source>
      <translation>正在写出结果…</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="295" />
      <source>Writing the workbook and the page…</source>
      <translation>正在写出工作簿和网页…</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1106" />
      <source>Writing to the blueprint {path} failed: {error}</source>
      <translation>写入蓝图 {path} 失败：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="152" />
      <source>Writing to the blueprint {path} failed: {error}.</source>
      <translation>写入蓝图 {path} 失败：{error}。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="317" />
      <source>Writing {n} features…</source>
      <translation>正在写出 {n} 个要素…</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="629" />
      <source>You decide for the leading-group office; a decision is written at once.</source>
      <translation>您代表领导小组办公室决定；决定立即写入。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="627" />
      <source>Your decision</source>
      <translation>您的决定</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="37" />
      <source>Your decision was kept in the pending journal on this computer ({journal}) and will be written with the next successful write.</source>
      <translation>您的决定已保存在本机待写日志（{journal}）中，将在下一次成功写入时写入。</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="627" />
      <source>Your opinion</source>
      <translation>您的意见</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="257" />
      <source>Z/M values dropped on {n} features.</source>
      <translation>已去除 {n} 个要素的 Z/M 值。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="284" />
      <source>a point needs an area (name the area field)</source>
      <translation>点状项目需要面积（请指定面积字段）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="289" />
      <source>a point without a positive area in {f}</source>
      <translation>点状项目在 {f} 中没有大于零的面积</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="325" />
      <source>a rule compares two different plans (a_role equals b_source)</source>
      <translation>规则须比较两个不同的规划（a_role 与 b_source 相同）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="295" />
      <source>a {t} is not a footprint (polygons or points with an area)</source>
      <translation>{t} 不能作为项目范围（应为面，或带面积的点）</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="303" />
      <source>a_classes: {error}</source>
      <translation>a_classes：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="297" />
      <source>a_role is empty</source>
      <translation>a_role 为空</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="299" />
      <source>a_role must be a plan role, not a control line</source>
      <translation>a_role 必须是规划角色，不能是控制线</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="925" />
      <source>action {action} does not set a land use</source>
      <translation>操作 {action} 不确定用地</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="83" />
      <source>adjust control line: {target}</source>
      <translation>调整控制线：{target}</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="81" />
      <source>adopt plan {target}</source>
      <translation>采纳{target}</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="418" />
      <source>ambiguous name: {codes}</source>
      <translation>名称有歧义：{codes}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="429" />
      <source>any</source>
      <translation>全部</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="84" />
      <source>approved exception (draw {target})</source>
      <translation>特批例外（按{target}绘制）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1574" />
      <source>area: the plan; inside / outside: the plan inside / outside the line; uncovered: the line without the plan</source>
      <translation>area：规划面积；inside / outside：规划位于控制线内 / 外的面积；uncovered：控制线内无规划覆盖的面积</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="167" />
      <source>as given</source>
      <translation>原始输入</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="318" />
      <source>b_classes must be empty when b is a control line</source>
      <translation>b 为控制线时，b_classes 必须为空</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="333" />
      <source>b_classes: {error}</source>
      <translation>b_classes：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="309" />
      <source>b_source is empty</source>
      <translation>b_source 为空</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="476" />
      <source>by area</source>
      <translation>按面积加权</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="476" />
      <source>by feature count</source>
      <translation>按要素数加权</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="87" />
      <source>changed, re-confirm</source>
      <translation>已变更，待重新确认</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="864" />
      <source>class {code} is not a 用地用海 class</source>
      <translation>{code} 不是用地用海分类中的地类</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="113" />
      <source>closed by a newer run</source>
      <translation>已被新一轮检测关闭</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="383" />
      <source>code {code}: no unified class or construction flag</source>
      <translation>代码 {code}：没有统一地类，也没有建设用地属性</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="169" />
      <source>codes, names and weights must have the same length ({a} vs {b})</source>
      <translation>代码、名称和权重的长度必须相同（{a} 与 {b}）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="154" />
      <source>condition (eco zone)</source>
      <translation>条件（生态管控区）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="112" />
      <source>conflict</source>
      <translation>冲突</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="121" />
      <source>conflict (open)</source>
      <translation>冲突（未解决）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="122" />
      <source>conflict (resolved)</source>
      <translation>冲突（已解决）</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="899" />
      <source>construction</source>
      <translation>建设用地</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="205" />
      <source>construction must be 0 or 1, not '{value}'</source>
      <translation>construction 必须为 0 或 1，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1915" />
      <source>control-line overlap changed since the last reconciliation</source>
      <translation>控制线重叠自上次协调以来已发生变化</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="303" />
      <source>core_proposal is given but core_zones is empty</source>
      <translation>已指定 core_proposal，但 core_zones 为空</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="298" />
      <source>core_proposal must be one of {values} when core_zones is given</source>
      <translation>指定 core_zones 时，core_proposal 必须是 {values} 之一</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="295" />
      <source>core_zones: {error}</source>
      <translation>core_zones：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="458" />
      <source>crosswalks/{std}.csv: no row for {codes}</source>
      <translation>crosswalks/{std}.csv：没有 {codes} 的对照行</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="119" />
      <source>current decision</source>
      <translation>当前决定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="110" />
      <source>decided</source>
      <translation>已决定</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="89" />
      <source>deduct (扣除)</source>
      <translation>扣除</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="86" />
      <source>defer</source>
      <translation>暂缓</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="109" />
      <source>deferred</source>
      <translation>暂缓</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="132" />
      <source>department opinion</source>
      <translation>部门意见</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="661" />
      <source>draw {plan}</source>
      <translation>按{plan}绘制</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="190" />
      <source>empty class set (use * for every feature)</source>
      <translation>地类集合为空（所有要素请用 *）</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="195" />
      <source>empty term in class set '{expr}'</source>
      <translation>地类集合“{expr}”中有空项</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="305" />
      <source>enabled must be 0 or 1, not '{value}'</source>
      <translation>enabled 必须为 0 或 1，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="293" />
      <source>enabled must be 1 or 0, not '{value}'</source>
      <translation>enabled 必须为 1 或 0，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="190" />
      <source>enabled must be 1 or 0, not {v!r}</source>
      <translation>enabled 必须为 1 或 0，而不是 {v!r}</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="374" />
      <source>enclosed ground no feature of this layer covers</source>
      <translation>被本图层要素包围但未被覆盖的区域（缝隙）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="501" />
      <source>entirely outside the blueprint: check the district and the layer's CRS</source>
      <translation>完全位于蓝图范围外：请检查区界和该图层的坐标系</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="231" />
      <source>extends the default rules (same kind replaces)</source>
      <translation>扩展默认规则（同类型的规则被替换）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1040" />
      <source>farmland to replace elsewhere (补划): {area}</source>
      <translation>需补划耕地：{area}</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="356" />
      <source>features of one plan overlap: the lower fid keeps the ground (kept&gt;cut), counted once</source>
      <translation>同一规划内要素重叠：重叠部分归 fid 较小者（kept&gt;cut），只计一次</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="167" />
      <source>final</source>
      <translation>最终</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="133" />
      <source>final decision</source>
      <translation>最终决定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1033" />
      <source>gives up {area} to {other}; proposal: {proposal}</source>
      <translation>让出 {area} 给{other}；建议：{proposal}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="464" />
      <source>groups.csv {g}: construction {got} but its members say {want}</source>
      <translation>groups.csv {g}：construction 为 {got}，但其成员地类应为 {want}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="396" />
      <source>input(s) not given: {names}</source>
      <translation>未指定的输入：{names}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1650" />
      <source>inside the eco plan's core zones</source>
      <translation>位于生态环境保护规划的核心管控区内</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="337" />
      <source>invalid geometry repaired (make_valid, polygonal part kept)</source>
      <translation>已修复无效几何（make_valid，保留面状部分）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="275" />
      <source>invalid polygon repaired</source>
      <translation>已修复无效面</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="277" />
      <source>invalid polygon with no area left after repair</source>
      <translation>无效多边形修复后已无面积</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1257" />
      <source>its folder cannot be written (SQLite needs to create a journal file next to it)</source>
      <translation>所在文件夹不可写（SQLite 需要在其旁边创建日志文件）</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="286" />
      <source>kind '{kind}' may only use letters, digits, _ and -</source>
      <translation>类型“{kind}”只能使用字母、数字、_ 和 -</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="265" />
      <source>kind '{kind}' must be letters, digits, '_' or '-'</source>
      <translation>类型“{kind}”只能由字母、数字、“_”或“-”组成</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="284" />
      <source>kind is empty</source>
      <translation>kind 为空</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="237" />
      <source>kind {kind} already defined on line {line}</source>
      <translation>类型 {kind} 已在第 {line} 行定义</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="319" />
      <source>left out: no geometry</source>
      <translation>已剔除：无几何</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="328" />
      <source>left out: not a polygon</source>
      <translation>已剔除：不是面要素</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="346" />
      <source>left out: nothing of the area was left after repair</source>
      <translation>已剔除：修复后面积为零</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="153" />
      <source>line that gives way</source>
      <translation>让出的控制线</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1450" />
      <source>line(s) not given: {names}</source>
      <translation>未指定的控制线：{names}</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="136" />
      <source>lines must be one of {v}</source>
      <translation>lines 必须是以下之一：{v}</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="172" />
      <source>measure {m!r} must be one of {ms}</source>
      <translation>指标 {m!r} 必须是 {ms} 之一</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1018" />
      <source>named by the patch's kind</source>
      <translation>由图斑类型指明</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1300" />
      <source>neighbouring class ({rule})</source>
      <translation>相邻地类（{rule}）</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="557" />
      <source>no</source>
      <translation>否</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="421" />
      <source>no code and no name</source>
      <translation>既无代码也无名称</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1283" />
      <source>no decided neighbour: own plans' rule</source>
      <translation>无已决定的相邻图斑：按其自身规划的规则</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="263" />
      <source>no geometry</source>
      <translation>无几何</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="545" />
      <source>no rules</source>
      <translation>无规则</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="899" />
      <source>non-construction</source>
      <translation>非建设用地</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="573" />
      <source>none yet</source>
      <translation>暂无</translation>
    </message>
    <message>
      <location filename="../algorithms/slivers.py" line="77" />
      <source>not compact</source>
      <translation>形状不规则</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="354" />
      <source>opened read-only</source>
      <translation>以只读方式打开</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="123" />
      <source>opinion</source>
      <translation>部门意见</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="108" />
      <source>opinions only</source>
      <translation>仅有部门意见</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1650" />
      <source>outside the core zones</source>
      <translation>位于核心管控区外</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="679" />
      <source>outside the queue ({n})</source>
      <translation>不在队列中（共 {n}）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1010" />
      <source>overlap {area}</source>
      <translation>重叠 {area}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1493" />
      <source>overlaps between features of one line, counted once</source>
      <translation>同一控制线内要素之间的重叠，只计一次</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1567" />
      <source>patch_plans needs a {column} column.</source>
      <translation>patch_plans 必须有 {column} 列。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="393" />
      <source>pieces of at most the speck area dropped (floating-point crumbs of shared edges)</source>
      <translation>已去除不超过微小碎屑面积阈值的碎块（公共边产生的浮点运算碎屑）</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="888" />
      <source>plan '{role}' does not cover this ground</source>
      <translation>规划“{role}”未覆盖此处</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="503" />
      <source>point drawn as a disc of its stated area</source>
      <translation>点状项目已按其标注面积绘制为圆形</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="286" />
      <source>proposal must be one of {values}, not '{value}'</source>
      <translation>proposal 必须是 {values} 之一，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="167" />
      <source>proposed</source>
      <translation>建议</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="283" />
      <source>protected and intruder must be two different lines</source>
      <translation>protected 与 intruder 必须是两条不同的控制线</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="152" />
      <source>protected line</source>
      <translation>受保护的控制线</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="677" />
      <source>queue empty</source>
      <translation>队列为空</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="124" />
      <source>re-confirm pending</source>
      <translation>待重新确认</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="125" />
      <source>re-confirmed</source>
      <translation>已重新确认</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="328" />
      <source>relation between plans must be and or incompatible, not '{value}'</source>
      <translation>规划之间的关系必须为 and 或 incompatible，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="321" />
      <source>relation to a line must be inside or outside, not '{value}'</source>
      <translation>与控制线的关系必须为 inside 或 outside，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="232" />
      <source>replaces the default rules</source>
      <translation>替换默认规则</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="941" />
      <source>replaces {patches}</source>
      <translation>替代 {patches}</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="89" />
      <source>retain (保留)</source>
      <translation>保留</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="160" />
      <source>rule id {rule!r} must be letters, digits, '_' or '-'</source>
      <translation>规则编号 {rule!r} 只能由字母、数字、“_”或“-”组成</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="162" />
      <source>rule {rule} already defined on line {line}</source>
      <translation>规则 {rule} 已在第 {line} 行定义</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="82" />
      <source>set unified class {target}</source>
      <translation>设定统一地类 {target}</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="289" />
      <source>severity must be 1 to 5, not {value}</source>
      <translation>severity 必须为 1 到 5，而不是 {value}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="543" />
      <source>severity {n}</source>
      <translation>严重程度 {n}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1161" />
      <source>small or thin</source>
      <translation>过小或过窄</translation>
    </message>
    <message>
      <location filename="../algorithms/slivers.py" line="73" />
      <source>smaller than the minimum area</source>
      <translation>小于最小面积</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="626" />
      <source>standard not determined</source>
      <translation>未能确定标准</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="120" />
      <source>superseded</source>
      <translation>已被取代</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="134" />
      <source>system (re-detection)</source>
      <translation>系统（重新检测）</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="85" />
      <source>technical error</source>
      <translation>技术误差</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="224" />
      <source>term '{term}' lists no values</source>
      <translation>项“{term}”没有列出任何值</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1254" />
      <source>the file is read-only</source>
      <translation>文件为只读</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="498" />
      <source>the file was replaced</source>
      <translation>文件已被替换</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="244" />
      <source>the pair {a}/{b} already has a rule on line {line}</source>
      <translation>{a}/{b} 这一组合已在第 {line} 行定义了规则</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="181" />
      <source>threshold {t!r} must be 'tolerance', a number of m² or a percentage such as 5%</source>
      <translation>阈值 {t!r} 必须为“tolerance”、平方米数值或百分比（如 5%）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="107" />
      <source>undecided</source>
      <translation>未决</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="134" />
      <source>undecided must be one of {v}</source>
      <translation>undecided 必须是以下之一：{v}</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="425" />
      <source>unknown code</source>
      <translation>未知代码</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="427" />
      <source>unknown code and name</source>
      <translation>未知代码和名称</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="313" />
      <source>unknown control line '{line}' (expected {lines})</source>
      <translation>未知控制线“{line}”（应为 {lines}）</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="423" />
      <source>unknown name</source>
      <translation>未知名称</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="210" />
      <source>unknown term '{term}' (expected *, construction=0/1, class:, group:, zone: or src:)</source>
      <translation>未知项“{term}”（应为 *、construction=0/1、class:、group:、zone: 或 src:）</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="169" />
      <source>verdict {v!r} must be 不符合 or 需调整</source>
      <translation>结论 {v!r} 必须为“不符合”或“需调整”</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="126" />
      <source>waiting in the pending journal</source>
      <translation>在本机待写日志中等待写入</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="365" />
      <source>wholly inside a lower-fid feature of the same layer</source>
      <translation>完全位于同一图层中 fid 较小的要素内</translation>
    </message>
    <message>
      <location filename="../algorithms/store/decisions.py" line="89" />
      <source>withdraw (退出)</source>
      <translation>退出</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="555" />
      <source>yes — {reason}</source>
      <translation>是 — {reason}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="203" />
      <source>{action} — key {key}</source>
      <translation>{action} — 快捷键 {key}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="556" />
      <source>{a} and {b} are not compatible</source>
      <translation>{a} 与 {b} 不兼容</translation>
    </message>
    <message>
      <location filename="../processing_provider/params.py" line="184" />
      <source>{a} and {b} are the same layer ({path}): check the inputs.</source>
      <translation>{a} 与 {b} 是同一个图层（{path}）：请检查输入。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="271" />
      <source>{column} must be an integer, not '{value}'</source>
      <translation>{column} 必须是整数，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="277" />
      <source>{column} must be one of {lines}, not '{value}'</source>
      <translation>{column} 必须是 {lines} 之一，而不是“{value}”</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="2256" />
      <source>{d} decided, {s} slivers ({a:.1f} m²)</source>
      <translation>已决定 {d} 个，碎屑图斑 {s} 个（{a:.1f} 平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="1273" />
      <source>{d} of {n} patches decided ({s:.1%}).</source>
      <translation>已决定 {d} / {n} 个图斑（{s:.1%}）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="453" />
      <source>{input}: {problem} × {count} — {note}</source>
      <translation>{input}：{problem} × {count} — {note}</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="681" />
      <source>{i} of {n}</source>
      <translation>第 {i} / {n} 个</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="449" />
      <source>{kind} skipped: {why}</source>
      <translation>已跳过 {kind}：{why}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1474" />
      <source>{kind}: {n} overlaps of at most {speck} m² ({area:.4f} m² together) are rounding specks, not queued</source>
      <translation>{kind}：{n} 处不超过 {speck} 平方米的重叠（合计 {area:.4f} 平方米）属于舍入误差碎屑，未列入审查队列</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="646" />
      <source>{k}. Adopt {plan}</source>
      <translation>{k}. 采纳{plan}</translation>
    </message>
    <message>
      <location filename="../processing_provider/detect_differences.py" line="514" />
      <source>{layer} is not harmonised (no {fields}): run multiplan:harmonisecodes (Harmonise land-use codes) on it first.</source>
      <translation>{layer} 尚未进行用地分类标准梳理（缺少 {fields}）：请先对其运行 multiplan:harmonisecodes（用地分类标准梳理）。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="1467" />
      <source>{layer} is not in the blueprint's working CRS {crs}; reproject it first.</source>
      <translation>{layer} 不在蓝图的工作坐标系 {crs} 中；请先重投影。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="919" />
      <source>{line} ({side})</source>
      <translation>{line}（{side}）</translation>
    </message>
    <message>
      <location filename="../processing_provider/check_siting.py" line="241" />
      <source>{line} from the layer given</source>
      <translation>{line} 取自所指定的图层</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="205" />
      <source>{m2} m² ({ha} ha)</source>
      <translation>{m2} 平方米（{ha} 公顷）</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="553" />
      <source>{name} · {department} — department: what you record is an opinion; only the leading-group office (领导小组办公室) decides.</source>
      <translation>{name} · {department} — 部门：您记录的是意见；只有领导小组办公室作出决定。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="550" />
      <source>{name} · {department} — leading-group office: what you record is a decision.</source>
      <translation>{name} · {department} — 领导小组办公室：您记录的是决定。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1141" />
      <source>{n} blueprint features</source>
      <translation>蓝图要素 {n} 个</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="290" />
      <source>{n} codes could not be mapped ({f} features), flagged mp_status=unmapped: {list}</source>
      <translation>{n} 个代码无法映射（{f} 个要素），已标记 mp_status=unmapped：{list}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="284" />
      <source>{n} codes could not be mapped ({f} features): {list}. Add them to a crosswalk CSV or choose 'Flag as unmapped and continue'.</source>
      <translation>{n} 个代码无法映射（{f} 个要素）：{list}。请把它们加入对照表 CSV，或选择“标记为‘未映射’并继续”。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="367" />
      <source>{n} codes had lost their leading zero (integer field) and were repaired, e.g. 101 → 0101.</source>
      <translation>{n} 个代码丢失了前导零（整数字段），已修复，如 101 → 0101。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="2137" />
      <source>{n} control-line overlaps are undecided (e.g. {ids}); decide them or choose to follow the proposals or keep them pending</source>
      <translation>有 {n} 处控制线重叠尚未决定（如 {ids}）；请作出决定，或选择按调整建议处理或保持待定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1266" />
      <source>{n} decision(s) from the pending journal on this computer were written first.</source>
      <translation>已先写入本机待写日志中的 {n} 条决定。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1330" />
      <source>{n} decision(s) from the pending journal were written.</source>
      <translation>已写入待写日志中的 {n} 条决定。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="656" />
      <source>{n} decision(s) made earlier on this computer wait in the pending journal; they are written with your next decision or when you press Refresh.</source>
      <translation>本机待写日志中有 {n} 条先前的决定等待写入；将随您的下一条决定或点击“刷新”时写入。</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="412" />
      <source>{n} detection kinds against the lines are in the blueprint: summarised</source>
      <translation>蓝图中有 {n} 类针对控制线的差异检测结果：已汇总</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="566" />
      <source>{n} farmland features have a deduction coefficient {field} outside [0, 1); their net area is taken as the full area. Feature ids: {ids}</source>
      <translation>{n} 个基本农田要素的扣除系数 {field} 不在 [0, 1) 范围内；其净面积按全部面积计。要素编号：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="575" />
      <source>{n} farmland features have no {field}; their net area is the full area.</source>
      <translation>{n} 个基本农田要素没有 {field}；其净面积按全部面积计。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="360" />
      <source>{n} features have a name that contradicts their code — often the wrong standard or edition.</source>
      <translation>{n} 个要素的名称与代码不符——通常是标准或版本选错了。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="252" />
      <source>{n} features have no geometry; kept without geometry, ids: {ids}</source>
      <translation>{n} 个要素没有几何，已保留（无几何），编号：{ids}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="217" />
      <source>{n} features have text in {fields} that cannot be decoded (shown as �): set the shapefile encoding (e.g. GBK).</source>
      <translation>{n} 个要素的 {fields} 字段文本无法解码（显示为 �）：请设置 Shapefile 编码（如 GBK）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="208" />
      <source>{n} features have text in {fields} that is not UTF-8 and the layer does not say its encoding (a shapefile without .cpg?): read as GBK. If that is wrong, set the shapefile encoding.</source>
      <translation>{n} 个要素的 {fields} 字段文本不是 UTF-8，且图层未注明编码（shapefile 缺少 .cpg？）：已按 GBK 读取。如不正确，请设置 Shapefile 编码。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="799" />
      <source>{n} features without a polygon geometry count 0.</source>
      <translation>{n} 个没有面几何的要素按 0 计。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1132" />
      <source>{n} floating-point crumbs ({area:.2e} m² together) left out of the blueprint</source>
      <translation>{n} 个浮点运算碎屑（合计 {area:.2e} 平方米）未纳入蓝图</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="514" />
      <source>{n} geometries are not {type} (the first is row {row}).</source>
      <translation>有 {n} 个几何不是 {type}（第一个在第 {row} 行）。</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="245" />
      <source>{n} invalid geometries had nothing of their area left after repair; kept with an empty geometry, feature ids: {ids}</source>
      <translation>{n} 个无效几何修复后已无任何面积，保留为空几何，要素编号：{ids}</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="239" />
      <source>{n} invalid geometries repaired (make_valid), feature ids: {ids}</source>
      <translation>已修复 {n} 个无效几何（make_valid），要素编号：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="801" />
      <source>{n} invalid geometries were repaired before measuring.</source>
      <translation>量算前已修复 {n} 个无效几何。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1270" />
      <source>{n} of them became conflicts (someone decided those patches meanwhile) and are shown as such.</source>
      <translation>其中 {n} 条成为冲突（期间已有他人决定这些图斑），并以冲突显示。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1332" />
      <source>{n} of them became conflicts and are shown as such.</source>
      <translation>其中 {n} 条成为冲突，并以冲突显示。</translation>
    </message>
    <message>
      <location filename="../algorithms/overlay.py" line="884" />
      <source>{n} of {total} features have an edge no neighbour shares</source>
      <translation>{total} 个要素中有 {n} 个存在不与任何相邻要素共用的边</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1413" />
      <source>{n} of {total} patches decided ({share}) · {area} of the conflict area decided</source>
      <translation>已决定 {n} / {total} 个图斑（{share}）· 差异面积已决定 {area}</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="605" />
      <source>{n} open patches of kinds this run did not evaluate were left as they are ({kinds})</source>
      <translation>本次未检测的类型中有 {n} 个未关闭图斑，保持不变（{kinds}）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="934" />
      <source>{n} overlap pieces larger than {speck} m² lie in different streets on the two lines (streets given as overlapping or misfitting polygons?); the protected line's street is used</source>
      <translation>有 {n} 个大于 {speck} 平方米的重叠碎块在两条控制线上分属不同的街道/镇（街道/镇图层存在重叠或不吻合的面？）；采用受保护控制线所在的街道/镇</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="793" />
      <source>{n} overlapping feature pairs, {a:,.1f} m² of ground counted once (for the feature with the lowest id).</source>
      <translation>{n} 对要素相互重叠，{a:,.1f} 平方米只计一次（计入编号最小的要素）。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="1502" />
      <source>{n} overlaps</source>
      <translation>{n} 处重叠</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="383" />
      <source>{n} overlaps, {area:.1f} m²; proposed 补划 deficit {buhua:.1f} m² (net {net:.1f} m²)</source>
      <translation>重叠 {n} 处，{area:.1f} 平方米；建议补划缺口 {buhua:.1f} 平方米（净面积 {net:.1f} 平方米）</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="768" />
      <source>{n} patches</source>
      <translation>{n} 个图斑</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="106" />
      <source>{n} patches ({cases})</source>
      <translation>{n} 个图斑（{cases}）</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1073" />
      <source>{n} patches that govern the land use are undecided ({area:.1f} m²), e.g. {ids}: decide them, or choose to mark undecided ground as pending</source>
      <translation>有 {n} 个决定用地的图斑尚未决定（{area:.1f} 平方米），如 {ids}：请作出决定，或选择将未决用地标记为待定</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="477" />
      <source>{n} patches, {a:,.1f} m² (planar; patches of different kinds may overlap).</source>
      <translation>{n} 个图斑，{a:,.1f} 平方米（平面面积；不同类型的图斑可能重叠）。</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="382" />
      <source>{n} point project(s) drawn as discs of their stated area ({f}).</source>
      <translation>{n} 个点状项目已按其标注面积（{f}）绘制为圆形。</translation>
    </message>
    <message>
      <location filename="../algorithms/detect.py" line="363" />
      <source>{n} point project(s) of '{role}' drawn as discs of their stated area</source>
      <translation>“{role}”中的 {n} 个点状项目已按其标注面积绘制为圆形</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="582" />
      <source>{n} project(s) lie entirely outside the blueprint (outside the district, or in a wrong CRS?): {list}</source>
      <translation>{n} 个项目完全位于蓝图范围外（在区界外，或坐标系有误？）：{list}</translation>
    </message>
    <message>
      <location filename="../algorithms/siting.py" line="559" />
      <source>{n} projects: {ok} 合规, {adj} 需调整, {fail} 不符合, {un} not checked (tolerance {t} m², {flag}).</source>
      <translation>{n} 个项目：合规 {ok} 个，需调整 {adj} 个，不符合 {fail} 个，未核查 {un} 个（容差 {t} 平方米，{flag}）。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1422" />
      <source>{n} to re-confirm</source>
      <translation>{n} 个待重新确认</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="236" />
      <source>{n} undecided patches leave {area:.1f} m² pending, e.g. {ids}</source>
      <translation>{n} 个未决图斑导致 {area:.1f} 平方米待定，如 {ids}</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1424" />
      <source>{n} waiting in the pending journal</source>
      <translation>{n} 条在待写日志中</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1420" />
      <source>{n} with conflicts</source>
      <translation>{n} 个有冲突</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="957" />
      <source>{p:,.1f} m² of the blueprint are still pending and not counted.</source>
      <translation>蓝图中有 {p:,.1f} 平方米仍待定，未计入。</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1092" />
      <source>{patch}: no decision</source>
      <translation>{patch}：无决定</translation>
    </message>
    <message>
      <location filename="../ui/controller.py" line="1097" />
      <source>{patch}: {action} — {who} ({department}), {when}</source>
      <translation>{patch}：{action} — {who}（{department}），{when}</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="1064" />
      <source>{path} already exists.</source>
      <translation>{path} 已存在。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/core.py" line="263" />
      <source>{path} already exists; choose another name or allow overwriting.</source>
      <translation>{path} 已存在；请换一个名称或允许覆盖。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="750" />
      <source>{path} changed while detection was running; run it again.</source>
      <translation>检测运行期间 {path} 已被修改，请重新运行。</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="69" />
      <source>{path} is a GeoPackage but not a Multi-Plan blueprint (it has no blueprint project table). Choose a blueprint, or create a new one.</source>
      <translation>{path} 是 GeoPackage，但不是多规合一蓝图（没有蓝图项目表）。请选择一个蓝图，或新建一个。</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="350" />
      <source>{path} is left from an earlier run: it is not this run's atlas.</source>
      <translation>{path} 是以前运行留下的文件，并非本次运行的图集。</translation>
    </message>
    <message>
      <location filename="../algorithms/rules.py" line="237" />
      <source>{path} is not UTF-8: save it as “CSV UTF-8” ({error})</source>
      <translation>{path} 不是 UTF-8 编码：请另存为“CSV UTF-8”（{error}）</translation>
    </message>
    <message>
      <location filename="../algorithms/store/errors.py" line="58" />
      <source>{path} is not a GeoPackage, so it cannot be a blueprint.</source>
      <translation>{path} 不是 GeoPackage，因此不能作为蓝图。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="235" />
      <source>{path} is not {enc} text (byte {pos}): save it as “CSV UTF-8”.</source>
      <translation>{path} 不是 {enc} 编码的文本（第 {pos} 字节）：请另存为“CSV UTF-8”。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="224" />
      <source>{path} line {line}: {n} values for {m} columns (a comma inside an unquoted text?)</source>
      <translation>{path} 第 {line} 行：{m} 列却有 {n} 个值（未加引号的文本中含逗号？）</translation>
    </message>
    <message>
      <location filename="../algorithms/vector_io.py" line="52" />
      <source>{path} was not written (GDAL logs why)</source>
      <translation>{path} 未能写出（原因见 GDAL 日志）</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="249" />
      <source>{path}, line {line}: {problem}</source>
      <translation>{path} 第 {line} 行：{problem}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="294" />
      <source>{path}: missing code table</source>
      <translation>{path}：缺少分类代码表</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="212" />
      <source>{path}: missing column(s) {cols}; expected {expected}</source>
      <translation>{path}：缺少列 {cols}；应有 {expected}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="380" />
      <source>{path}: missing crosswalk</source>
      <translation>{path}：缺少对照表</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="338" />
      <source>{path}: missing group table</source>
      <translation>{path}：缺少地类组表</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="206" />
      <source>{path}: the file is empty</source>
      <translation>{path}：文件为空</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="550" />
      <source>{planar} (plane) · {ellipsoidal} (ellipsoid)</source>
      <translation>{planar}（平面）· {ellipsoidal}（椭球）</translation>
    </message>
    <message>
      <location filename="../algorithms/harmonise.py" line="518" />
      <source>{std} fits {fit:.0%} of the values ({basis}, half by distinct values); next best {other} fits {fit2:.0%}.</source>
      <translation>{std} 与 {fit:.0%} 的取值相符（{basis}，其中一半权重按不同取值计）；次优的 {other} 相符 {fit2:.0%}。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="413" />
      <source>{std} {c}: parent chain loops</source>
      <translation>{std} {c}：上级代码链形成循环</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="411" />
      <source>{std} {c}: parent {p} missing</source>
      <translation>{std} {c}：缺少上级代码 {p}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="418" />
      <source>{std}: name {k} is ambiguous ({codes})</source>
      <translation>{std}：名称“{k}”有歧义（{codes}）</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="646" />
      <source>{table} is not a feature table.</source>
      <translation>{table} 不是要素表。</translation>
    </message>
    <message>
      <location filename="../algorithms/gpkg.py" line="849" />
      <source>{table}: {got} rows copied, {want} expected.</source>
      <translation>{table}：已复制 {got} 行，应为 {want} 行。</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="155" />
      <source>{title}: name field</source>
      <translation>{title}：名称字段</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="214" />
      <source>{what} ({crs}): {error}</source>
      <translation>{what}（{crs}）：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="203" />
      <source>{what} has no coordinate reference system; assign one in QGIS first.</source>
      <translation>{what} 没有坐标系；请先在 QGIS 中为其指定坐标系。</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="519" />
      <source>{what} holds {kinds}, not polygons: a control line must be a polygon layer.</source>
      <translation>{what} 包含的是 {kinds}，不是面：控制线必须是面图层。</translation>
    </message>
    <message>
      <location filename="../algorithms/apply.py" line="1098" />
      <source>{what} is in {crs}, which cannot be transformed to the blueprint's CRS: assign its real coordinate reference system in QGIS first.</source>
      <translation>{what}的坐标参照系为 {crs}，无法转换到蓝图的坐标参照系：请先在 QGIS 中为其指定正确的坐标参照系。</translation>
    </message>
    <message>
      <location filename="../algorithms/report.py" line="328" />
      <source>{what} was reprojected from {src} to the blueprint's CRS.</source>
      <translation>{what} 已从 {src} 重投影到蓝图的坐标系。</translation>
    </message>
    <message>
      <location filename="../algorithms/detection_run.py" line="218" />
      <source>{what} was reprojected from {src} to the working CRS</source>
      <translation>{what} 已从 {src} 重投影到工作坐标系</translation>
    </message>
    <message>
      <location filename="../processing_provider/sources.py" line="233" />
      <source>{what}: the folder {folder} cannot be created: {error}</source>
      <translation>{what}：无法创建文件夹 {folder}：{error}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="622" />
      <source>{what}: {n} features had no area left after repair: {ids}</source>
      <translation>{what}：{n} 个要素修复后面积为零：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="764" />
      <source>{what}: {n} features lie outside the district and are left out</source>
      <translation>{what}：{n} 个要素位于区界之外，已剔除</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="636" />
      <source>{what}: {n} features lie wholly inside lower-fid features: {ids}</source>
      <translation>{what}：{n} 个要素完全位于 fid 较小的要素内：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="610" />
      <source>{what}: {n} features that are not polygons left out: {ids}</source>
      <translation>{what}：已剔除 {n} 个非面要素：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="604" />
      <source>{what}: {n} features without geometry left out: {ids}</source>
      <translation>{what}：已剔除 {n} 个无几何的要素：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="616" />
      <source>{what}: {n} invalid geometries repaired (make_valid): {ids}</source>
      <translation>{what}：已修复 {n} 个无效几何（make_valid）：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="868" />
      <source>{what}: {n} invalid zones repaired (make_valid): {ids}</source>
      <translation>{what}：已修复 {n} 个无效分区（make_valid）：{ids}</translation>
    </message>
    <message>
      <location filename="../algorithms/lines.py" line="629" />
      <source>{what}: {n} overlaps between its own features ({area:.2f} m²) dissolved — the ground is counted once, the lowest fid keeps it (fid pairs {pairs})</source>
      <translation>{what}：已融合其内部要素之间的 {n} 处重叠（{area:.2f} 平方米）——重叠部分只计一次，归 fid 最小者（fid 对：{pairs}）</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="385" />
      <source>{what}: {path} could not be written. {error}</source>
      <translation>{what}：无法写入 {path}。{error}</translation>
    </message>
    <message>
      <location filename="../processing_provider/report.py" line="375" />
      <source>{what}: {path} must end in {ext}.</source>
      <translation>{what}：{path} 的扩展名必须为 {ext}。</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="673" />
      <source>{where}: USER: needs a name, e.g. USER:MAES</source>
      <translation>{where}：USER: 后需要名称，如 USER:MAES</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="346" />
      <source>{where}: a group code is G followed by digits, not {c!r}</source>
      <translation>{where}：地类组代码应为 G 后接数字，而不是 {c!r}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="393" />
      <source>{where}: built-in crosswalk rows are keyed by code</source>
      <translation>{where}：内置对照表的行必须以代码为键</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="305" />
      <source>{where}: code {c!r} is not in normal form</source>
      <translation>{where}：代码 {c!r} 不是规范形式</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="429" />
      <source>{where}: code {c} not in the {std} code table</source>
      <translation>{where}：代码 {c} 不在 {std} 分类代码表中</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="308" />
      <source>{where}: duplicate code {c}</source>
      <translation>{where}：代码 {c} 重复</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="352" />
      <source>{where}: duplicate group {c}</source>
      <translation>{where}：地类组 {c} 重复</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="301" />
      <source>{where}: empty code</source>
      <translation>{where}：代码为空</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="311" />
      <source>{where}: empty name</source>
      <translation>{where}：名称为空</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="313" />
      <source>{where}: empty source</source>
      <translation>{where}：来源为空</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="668" />
      <source>{where}: empty source_standard</source>
      <translation>{where}：source_standard 为空</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="685" />
      <source>{where}: give source_code or source_name</source>
      <translation>{where}：请填写 source_code 或 source_name</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="317" />
      <source>{where}: level must be an integer</source>
      <translation>{where}：level 必须是整数</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="693" />
      <source>{where}: match must be exact, coarse or empty, not {v!r}</source>
      <translation>{where}：match 必须为 exact、coarse 或空，而不是 {v!r}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="358" />
      <source>{where}: members must be 用地用海 2023 codes; unknown: {bad}</source>
      <translation>{where}：成员必须是用地用海 2023 代码；未知代码：{bad}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="452" />
      <source>{where}: name {got} differs from the code table's {want}</source>
      <translation>{where}：名称“{got}”与分类代码表中的“{want}”不一致</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="750" />
      <source>{where}: no target_code, so the construction flag (0/1) must be given</source>
      <translation>{where}：没有 target_code，因此必须给出建设用地属性（0/1）</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="190" />
      <source>{where}: sandalei must be one of {allowed} or empty, not {v!r}</source>
      <translation>{where}：sandalei 必须是 {allowed} 之一或为空，而不是 {v!r}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="677" />
      <source>{where}: source_standard {s!r} is neither a built-in standard ({known}) nor USER:&lt;name&gt;</source>
      <translation>{where}：source_standard {s!r} 既不是内置标准（{known}），也不是 USER:&lt;名称&gt;</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="388" />
      <source>{where}: source_standard {s} in the crosswalk of {std}</source>
      <translation>{where}：{std} 的对照表中出现了 source_standard {s}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="436" />
      <source>{where}: target {t} is neither a 用地用海 2023 class nor a group</source>
      <translation>{where}：目标 {t} 既不是用地用海 2023 地类，也不是地类组</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="738" />
      <source>{where}: target_code {t} is neither a 用地用海 2023 code nor a group code</source>
      <translation>{where}：target_code {t} 既不是用地用海 2023 代码，也不是地类组代码</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="768" />
      <source>{where}: {kind} {key} of {std} already given differently on line {prev}</source>
      <translation>{where}：{std} 的 {kind} {key} 已在第 {prev} 行给出了不同的值</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="179" />
      <source>{where}: {what} must be 0, 1 or empty, not {v!r}</source>
      <translation>{where}：{what} 必须为 0、1 或空，而不是 {v!r}</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="446" />
      <source>{where}: {what} {got} differs from the code table's {want}</source>
      <translation>{where}：{what} {got} 与分类代码表中的 {want} 不一致</translation>
    </message>
    <message>
      <location filename="../algorithms/codes.py" line="91" />
      <source>… and {n} more</source>
      <translation>…… 另有 {n} 条</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="38" />
      <source>主体功能区 zones (development plan)</source>
      <translation>主体功能区（经济社会发展规划）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="80" />
      <source>保留 retain — both lines keep the ground</source>
      <translation>保留——两条控制线均保留该区域</translation>
    </message>
    <message>
      <location filename="../plugin.py" line="55" />
      <source>多规合一 Multi-Plan Integration</source>
      <translation>多规合一</translation>
    </message>
    <message>
      <location filename="../ui/dock.py" line="95" />
      <source>多规合一 Review</source>
      <translation>多规合一审查</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="82" />
      <source>扣除 deduct — the first (protected) line is cut back</source>
      <translation>扣除——前一条（受保护的）控制线缩减</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="39" />
      <source>生态红线 control levels (eco plan)</source>
      <translation>生态红线管控级别（生态环境保护规划）</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="37" />
      <source>用地用海分类 2020 trial edition</source>
      <translation>用地用海分类 2020 试行版</translation>
    </message>
    <message>
      <location filename="../processing_provider/harmonise_codes.py" line="36" />
      <source>用地用海分类 2023</source>
      <translation>用地用海分类 2023</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="250" />
      <source>补划 deficit (m²)</source>
      <translation>补划缺口（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/apply_decisions.py" line="168" />
      <source>补划 deficit of the final control lines (m²)</source>
      <translation>最终控制线的补划缺口（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="251" />
      <source>补划 deficit, net of KCXS (m²)</source>
      <translation>补划缺口，扣除 KCXS 后的净面积（平方米）</translation>
    </message>
    <message>
      <location filename="../processing_provider/reconcile_control_lines.py" line="81" />
      <source>退出 withdraw — the second line gives the ground up</source>
      <translation>退出——后一条控制线让出该区域</translation>
    </message>
  </context>
</TS>
