"""The maturity report as a page a manager can forward: standalone HTML (inline CSS and SVG,
no script, nothing fetched) and the same page as a PDF laid out by WeasyPrint.

Everything that comes from the report's data is escaped here, names above all (a department
may be called anything); numbers are formatted, never pasted."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# The CJK faces a server is likely to have (Debian's fonts-noto-cjk first), then the
# desktop ones for a browser that opens the HTML elsewhere.
FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
         '"WenQuanYi Micro Hei", sans-serif')
BAR_WIDTH = 150

_STYLE = """
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-left { content: "协作成熟度报告 · 仅供内部使用"; font-size: 8pt; color: #8a94a6; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;
                  color: #8a94a6; } }
* { box-sizing: border-box; }
html { font-family: FONTS; color: #1f2937; font-size: 10.5pt; line-height: 1.6; }
body { margin: 0 auto; max-width: 58rem; padding: 0; background: #fff; }
@media screen { body { padding: 2rem 1.5rem 3rem; } }
header.cover { border-bottom: 3px solid #1d4ed8; padding-bottom: 0.8rem; margin-bottom: 1rem; }
.kicker { color: #1d4ed8; font-weight: 700; letter-spacing: 0.2em; font-size: 9pt; margin: 0; }
h1 { font-size: 20pt; margin: 0.2rem 0 0.3rem; font-weight: 700; letter-spacing: 0.02em; }
h1 .sep { color: #9ca3af; font-weight: 400; margin: 0 0.35em; }
.meta { color: #6b7280; font-size: 9pt; margin: 0; }
h2 { font-size: 12.5pt; margin: 1.2rem 0 0.5rem; padding-left: 0.6rem;
     border-left: 4px solid #1d4ed8; }
.summary { display: flex; gap: 1.2rem; align-items: stretch; }
.score-card { flex: 0 0 13rem; border: 1px solid #dbe3f0; border-radius: 8px;
              padding: 0.9rem 1.1rem; background: #f5f8ff; }
.score-card .label { color: #4b5563; font-size: 9pt; margin: 0; }
.score-card .score { font-size: 30pt; font-weight: 700; line-height: 1.15; margin: 0.2rem 0; }
.score-card .score small { font-size: 11pt; color: #6b7280; font-weight: 400; }
.summary-text { flex: 1; border: 1px solid #e5e7eb; border-radius: 8px;
                padding: 0.9rem 1.1rem; }
.summary-text p { margin: 0 0 0.4rem; }
table { width: 100%; border-collapse: collapse; font-size: 9.5pt; }
th { text-align: left; color: #4b5563; font-weight: 600; background: #f3f4f6;
     border-bottom: 1px solid #d1d5db; padding: 0.4rem 0.5rem; white-space: nowrap; }
td { border-bottom: 1px solid #e5e7eb; padding: 0.4rem 0.5rem; vertical-align: middle; }
tr { page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.name { font-weight: 600; white-space: nowrap; }
td.target { color: #6b7280; font-size: 8pt; line-height: 1.4; max-width: 11rem; }
.bar { display: flex; align-items: center; gap: 0.5rem; white-space: nowrap; }
.bar svg { flex: none; }
.up { color: #15803d; } .down { color: #b91c1c; } .flat { color: #6b7280; }
.none { color: #9ca3af; }
ol.weakest { list-style: none; padding: 0; margin: 0; counter-reset: weak; }
ol.weakest li { border: 1px solid #fde2e2; background: #fff8f7; border-radius: 8px;
                padding: 0.55rem 0.9rem 0.55rem 3rem; margin-bottom: 0.5rem; position: relative;
                page-break-inside: avoid; }
ol.weakest li::before { counter-increment: weak; content: counter(weak);
  position: absolute; left: 0.9rem; top: 0.6rem; width: 1.5rem; height: 1.5rem;
  border-radius: 50%; background: #b91c1c; color: #fff; text-align: center;
  font-weight: 700; line-height: 1.5rem; font-size: 9pt; }
ol.weakest h3 { font-size: 10.5pt; margin: 0 0 0.2rem; }
ol.weakest h3 span { color: #b91c1c; font-weight: 600; margin-left: 0.5rem; }
ol.weakest p { margin: 0; color: #374151; }
.notes { margin-top: 1.2rem; color: #6b7280; font-size: 8.5pt; border-top: 1px solid #e5e7eb;
         padding-top: 0.6rem; }
.notes p { margin: 0.15rem 0; }
.table-wrap { overflow-x: auto; }
@media screen and (max-width: 40rem) {
  body { padding: 1rem 0.9rem 2rem; }
  h1 { font-size: 16pt; }
  .summary { flex-direction: column; gap: 0.7rem; }
  .score-card { flex: none; }
  .target { display: none; }
  .bar svg { width: 90px; }
}
""".replace("FONTS", FONTS)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _colour(score: float) -> str:
    if score >= 80:
        return "#16a34a"
    if score >= 60:
        return "#2563eb"
    return "#dc2626"


def _bar(score: float | None) -> str:
    if score is None:
        return '<span class="none">无数据</span>'
    filled = max(0.0, min(100.0, score)) / 100 * BAR_WIDTH
    return (f'<span class="bar"><svg width="{BAR_WIDTH}" height="10" '
            f'viewBox="0 0 {BAR_WIDTH} 10" role="img" aria-label="{score:.0f} 分">'
            f'<rect width="{BAR_WIDTH}" height="10" rx="5" fill="#e5e7eb"/>'
            f'<rect width="{filled:.1f}" height="10" rx="5" fill="{_colour(score)}"/></svg>'
            f'<strong>{score:.0f}</strong></span>')


def _change(change: float | None) -> str:
    if change is None:
        return '<span class="none">—</span>'
    if change > 0.05:
        return f'<span class="up" title="较上季度提高">▲ {change:.1f}</span>'
    if change < -0.05:
        return f'<span class="down" title="较上季度下降">▼ {abs(change):.1f}</span>'
    return '<span class="flat" title="与上季度持平">→ 0.0</span>'


def _score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.0f}"


def _level(score: float) -> str:
    if score >= 80:
        return "成熟：跨部门协作顺畅，保持现有做法并分享经验。"
    if score >= 60:
        return "发展中：协作基础良好，关注下方的薄弱环节即可明显提升。"
    if score >= 40:
        return "起步：协作有一定基础，但多个环节需要改进。"
    return "待加强：跨部门协作较少或响应较慢，建议从薄弱环节逐项改进。"


def report_title(data: Mapping[str, Any]) -> str:
    return f"协作成熟度报告 · {data['label']} · {data['department_name']}"


def file_name(data: Mapping[str, Any], extension: str) -> str:
    """The name a downloaded report is saved under: 协作成熟度报告-2026年第四季度-研发部.pdf
    (characters a file system refuses are replaced)."""
    name = f"协作成熟度报告-{data['label']}-{data['department_name']}"
    safe = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name)
    return f"{safe}.{extension}"


def ascii_file_name(data: Mapping[str, Any], extension: str) -> str:
    """The name for clients that cannot read RFC 5987's UTF-8 one."""
    return f"maturity-report-{data['period']}.{extension}"


def render_html(data: Mapping[str, Any], *, generated_at: datetime | None,
                zone: ZoneInfo) -> str:
    """The report as one standalone HTML page (`Report.data`, as `analytics.report` makes
    it)."""
    overall = data["overall"]
    indicators = data["indicators"]
    weakest = data["weakest"]
    made = (generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if generated_at is not None else "—")
    span = f"{data['range']['from']} 至 {data['range']['to']}"
    if not data.get("complete", True):
        span += "（季度尚未结束，统计至今日）"
    score = overall["score"]
    score_html = (f'<p class="score" style="color:{_colour(score)}">{score:.0f}'
                  '<small> / 100</small></p>' if score is not None
                  else '<p class="score none">—</p>')
    previous = overall["previous"]
    summary = [
        f"<p>{_e(_level(score))}</p>" if score is not None
        else "<p>本季度尚无可计算的指标数据。</p>",
        f"<p>上季度得分：{_score_text(previous)}，变化：{_change(overall['change'])}</p>",
        f"<p>计分指标 {sum(1 for i in indicators if i['score'] is not None)} 项，"
        f"共 {len(indicators)} 项。</p>",
    ]
    rows = "\n".join(
        f'<tr><td class="name">{_e(i["name"])}</td>'
        f'<td class="num">{_e(i["display"])}</td>'
        f"<td>{_bar(i['score'])}</td>"
        f'<td class="num">{_score_text(i["previous_score"])}</td>'
        f'<td class="num">{_change(i["change"])}</td>'
        f'<td class="target">{_e(i["target"])}</td></tr>'
        for i in indicators)
    if weakest:
        weak = "\n".join(
            f"<li><h3>{_e(w['name'])}<span>{_score_text(w['score'])} 分</span></h3>"
            f"<p>{_e(w['advice'])}</p></li>" for w in weakest)
        weak_html = f'<ol class="weakest">{weak}</ol>'
    else:
        weak_html = '<p class="none">本季度没有可比较的指标。</p>'
    names = {i["key"]: i["name"] for i in indicators}
    left_out = "、".join(_e(names.get(k, k)) for k in data.get("left_out", []))
    left_out_note = (f"<p>本季度没有数据、未计入总分的指标：{left_out}。</p>"
                     if left_out else "")
    title = _e(report_title(data))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<header class="cover">
<p class="kicker">协同 · 数据洞察</p>
<h1>协作成熟度报告<span class="sep">·</span>{_e(data['label'])}<span class="sep">·</span>\
{_e(data['department_name'])}</h1>
<p class="meta">统计区间：{_e(span)}　生成时间：{_e(made)}</p>
</header>
<main>
<h2>总体得分</h2>
<section class="summary">
<div class="score-card"><p class="label">协作成熟度（0–100）</p>{score_html}
<p class="label">较上季度 {_change(overall['change'])}</p></div>
<div class="summary-text">{''.join(summary)}</div>
</section>
<h2>指标明细</h2>
<div class="table-wrap"><table>
<thead><tr><th>指标</th><th>本季度</th><th>得分</th><th>上季度</th><th>变化</th>\
<th class="target">满分标准</th></tr></thead>
<tbody>
{rows}
</tbody>
</table></div>
<h2>三个最薄弱的环节</h2>
{weak_html}
</main>
<footer class="notes">
<p>说明：各项指标按 0–100 分计，总体得分为各项得分的平均值；趋势与上一季度的同一指标比较。</p>
{left_out_note}<p>所有数字均为部门汇总，不涉及任何个人；响应时间按工作日历的工作小时计算。</p>
</footer>
</body>
</html>
"""


def render_pdf(page: str) -> bytes:
    """The HTML page laid out as an A4 PDF. Blocking (about half a second): call it in a
    worker thread."""
    from PIL import ImageFile
    from weasyprint import HTML  # a heavy import, needed only here

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process:
    # uploads would then make thumbnails of corrupt images. The report draws no raster image.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    pdf: bytes = HTML(string=page, url_fetcher=_fetch_nothing).write_pdf()
    return pdf


def _fetch_nothing(url: str, *_args: object, **_kwargs: object) -> dict[str, Any]:
    """The page is whole in itself: nothing it names is fetched (no file, no network)."""
    raise ValueError(f"the report fetches nothing ({url[:60]})")
