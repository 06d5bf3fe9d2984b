"""A dashboard's figures as a table (Chinese headers), written as CSV (UTF-8 with a byte
order mark, so Excel opens it as such) or as an Excel workbook. Cells that a spreadsheet
would read as a formula ("=…", "+…") are kept as text."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO, StringIO

from openpyxl import Workbook

from xietong.analytics.schemas import (
    AnalyticsAdoption,
    AnalyticsDelivery,
    AnalyticsDeliveryFigures,
    AnalyticsNetwork,
    AnalyticsOverview,
    AnalyticsResponsiveness,
    AnalyticsSatisfaction,
    AnalyticsSla,
)
from xietong.core.spreadsheets import as_cell

Cell = str | int | float | None


class Chart(StrEnum):
    OVERVIEW = "overview"
    NETWORK = "network"
    RESPONSIVENESS = "responsiveness"
    SLA = "sla"
    DELIVERY = "delivery"
    SATISFACTION = "satisfaction"
    ADOPTION = "adoption"


TITLES = {Chart.OVERVIEW: "概览", Chart.NETWORK: "协作网络", Chart.RESPONSIVENESS: "响应速度",
          Chart.SLA: "SLA", Chart.DELIVERY: "交付", Chart.SATISFACTION: "满意度",
          Chart.ADOPTION: "采用率"}

SUPPRESSED = "人数过少，不单独显示"
KIND_NAMES = {"public": "公开频道", "private": "私有群组", "department": "部门群",
              "announcement": "公告频道", "dm": "私信"}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of an export: its name, header row and rows."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def _note(suppressed: bool, values: list[Cell]) -> list[Cell]:
    return [*values, SUPPRESSED if suppressed else None]


def overview_sheets(reply: AnalyticsOverview) -> list[Sheet]:
    kinds = list(KIND_NAMES)
    totals = [("消息", "messages"), ("有消息的群聊", "channels_active"),
              ("跨部门群聊", "shared_channels"), ("上传文件", "files_uploaded"),
              ("下载文件", "files_downloaded"), ("搜索", "searches"),
              ("提交的请求", "requests_filed"), ("完成的任务", "tasks_completed")]
    summary: list[list[Cell]] = [["期间", f"{reply.range.from_} 至 {reply.range.to}", None],
                                 ["上一期间", f"{reply.previous.from_} 至 {reply.previous.to}",
                                  None]]
    if reply.suppressed or reply.people is None:
        summary.append([SUPPRESSED, None, None])
    else:
        people = reply.people
        summary += [["日均活跃人数", people.dau_avg, None], ["周活跃人数", people.wau, None],
                    ["月活跃人数", people.mau, None], ["活跃占比", people.active_share, None]]
        for label, key in totals:
            summary.append([label, getattr(reply.totals, key),
                            getattr(reply.previous_totals, key)])
    daily: list[list[Cell]] = [
        [str(day.day), day.active, *(day.messages_by_kind.get(k, 0) for k in kinds),
         day.files_uploaded, day.files_downloaded, day.searches] for day in reply.daily]
    return [Sheet("概览", ["指标", "本期", "上一期"], summary),
            Sheet("每日", ["日期", "活跃人数", *(f"消息（{KIND_NAMES[k]}）" for k in kinds),
                         "上传文件", "下载文件", "搜索"], daily)]


def network_sheets(reply: AnalyticsNetwork) -> list[Sheet]:
    names = {node.department_id: node.name for node in reply.nodes}
    return [
        Sheet("部门", ["部门", "人数", "消息", "跨部门消息", "跨部门占比", "孤岛", "备注"],
              [_note(n.suppressed, [n.name, n.people, n.messages, n.cross_messages,
                                    n.cross_share,
                                    None if n.island is None else ("是" if n.island else "否")])
               for n in reply.nodes]),
        Sheet("往来", ["从", "到", "回复消息", "提及", "请求", "点赞", "权重"],
              [[names.get(e.from_department_id, str(e.from_department_id)),
                names.get(e.to_department_id, str(e.to_department_id)), e.messages,
                e.mentions, e.requests, e.kudos, e.weight] for e in reply.edges])]


def responsiveness_sheets(reply: AnalyticsResponsiveness) -> list[Sheet]:
    rows: list[list[Cell]] = []
    for row in reply.rows:
        m, r = row.mentions, row.requests
        rows.append(_note(row.suppressed, [
            row.name, m.count if m else None, m.answered if m else None,
            m.median_hours if m else None, m.p90_hours if m else None,
            r.count if r else None, r.responded if r else None,
            r.median_hours if r else None, r.p90_hours if r else None]))
    return [Sheet("响应速度", ["部门", "被提及次数", "已回应", "提及响应中位数（工作小时）",
                           "提及响应 P90（工作小时）", "收到请求", "已响应",
                           "请求首次响应中位数（工作小时）", "请求首次响应 P90（工作小时）",
                           "备注"], rows)]


def sla_sheets(reply: AnalyticsSla) -> list[Sheet]:
    rows: list[list[Cell]] = [
        _note(row.suppressed, [row.name, row.type_name or ("—" if not row.suppressed else None),
                               row.filed, row.response_met, row.resolution_met, row.breached,
                               row.compliance]) for row in reply.rows]
    rows.append(["合计", None, reply.company.filed, None, None, reply.company.breached,
                 reply.company.compliance, None])
    return [Sheet("SLA", ["部门", "请求类型", "提交", "按时响应", "按时解决", "超时", "达标率",
                          "备注"], rows)]


def _delivery_cells(figures: AnalyticsDeliveryFigures) -> list[Cell]:
    return [figures.created, figures.completed, figures.completion_rate,
            figures.median_cycle_days, figures.due, figures.overdue_open, figures.overdue_rate,
            figures.completed_late]


_DELIVERY_HEADER = ["新建任务", "完成任务", "完成率", "周期中位数（天）", "到期任务", "逾期未完成",
                    "逾期率", "延期完成"]


def delivery_sheets(reply: AnalyticsDelivery) -> list[Sheet]:
    return [
        Sheet("部门", ["部门", *_DELIVERY_HEADER, "备注"],
              [_note(d.suppressed, [d.name, *_delivery_cells(d)]) for d in reply.departments]),
        Sheet("项目", ["项目", *_DELIVERY_HEADER],
              [[p.name, *_delivery_cells(p)] for p in reply.projects])]


def satisfaction_sheets(reply: AnalyticsSatisfaction) -> list[Sheet]:
    rows: list[list[Cell]] = []
    for row in reply.requests:
        spread: list[Cell] = list(row.distribution) if row.distribution else [None] * 5
        rows.append(_note(row.suppressed, [row.name, row.ratings, row.average, *spread]))
    return [
        Sheet("请求评分", ["部门", "评分数", "平均分", "1 分", "2 分", "3 分", "4 分", "5 分",
                       "备注"], rows),
        Sheet("问卷", ["问卷", "类型", "回复数", "得分"],
              [[s.title, "NPS" if s.kind == "nps" else "量表", s.responses, s.score]
               for s in reply.surveys])]


def adoption_sheets(reply: AnalyticsAdoption) -> list[Sheet]:
    return [Sheet("采用率", ["部门", "人数", *(f"{week} 当周" for week in reply.weeks), "备注"],
                  [_note(row.suppressed, [row.name, row.people,
                                          *(row.shares or [None] * len(reply.weeks))])
                   for row in reply.rows])]


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """The sheets one after another, a blank line and the sheet's name before each but the
    first; UTF-8 with a BOM."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, sheet in enumerate(sheets):
        if n:
            writer.writerow([])
            writer.writerow([sheet.name])
        writer.writerow(sheet.header)
        for row in sheet.rows:
            writer.writerow(["" if v is None else as_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for sheet in sheets:
        written = book.create_sheet(sheet.name)
        written.append(sheet.header)
        for row in sheet.rows:
            written.append([as_cell(v) for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
