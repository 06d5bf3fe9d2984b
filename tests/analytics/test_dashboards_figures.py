"""The dashboards' figures from a scripted two days of a company, through the real API and
the runtime's own rollup consumer: every figure is known in advance, and the drill-downs
list only what their caller may open.

Monday 14 and Tuesday 15 December 2026 are working days, 09:00–18:00 less 12:00–13:30 in
Shanghai (7.5 working hours a day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.analytics.test_dashboards import get, refused, rows, staff
from tests.analytics.test_exports import csv_rows
from tests.helpers import Cast, Follow, Person, create_channel, post
from tests.projects.helpers import make_project, make_task
from tests.requests.test_requests import act, file, make_type
from tests.surveys.helpers import answer, make_survey
from xietong.analytics.rollups import NAME

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY, TUESDAY = date(2026, 12, 14), date(2026, 12, 15)
DAYS = {"from": str(MONDAY), "to": str(TUESDAY)}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(at(MONDAY, 8), tick=False) as traveller:
        yield traveller


async def move(person: Person, task_id: int, status: str) -> None:
    response = await person.api.post(f"/api/v1/tasks/{task_id}/move", json={"status": status})
    assert response.status_code == 200, response.text


async def two_days(cast: Cast, follow: Follow, clock: time_machine.Traveller
                   ) -> dict[str, Any]:
    """研发部 receives two requests (one answered late) and a mention, delivers tasks (one
    late, one overdue, one in a project its manager is not in); 销售部 answers it."""
    company = await staff(cast)
    dev, other_dev = company.dev0, company.dev1
    room = await create_channel(company.zhangwei, "跨部门协作", "public", company.lina,
                                company.liuyang, dev, company.wangfang)
    kind = await make_type(company)  # 研发部's: respond in 2 working hours, resolve in 16
    project = await make_project(company.lina, "报表重构", member_ids=[dev.id])
    hidden = await make_project(company.zhangwei, "大客户方案", member_ids=[other_dev.id])
    await follow.held()

    clock.move_to(at(MONDAY, 9, 5))
    late = await file(company.wangfang, kind["id"], title="客户投诉：报表导出失败")
    clock.move_to(at(MONDAY, 10))
    await post(company.zhangwei, room, "@李娜 请评估一下报表需求")
    task_late = await make_task(company.lina, project["id"], "导出修复", assignee_id=dev.id,
                                due_at=str(MONDAY))
    task_on_time = await make_task(company.lina, project["id"], "报表模板",
                                   assignee_id=dev.id, due_at="2026-12-18")
    overdue = await make_task(company.lina, project["id"], "性能评估",
                              assignee_id=company.lina.id, due_at=str(MONDAY))
    unseen = await make_task(company.zhangwei, hidden["id"], "方案评审",
                             assignee_id=other_dev.id, due_at=str(MONDAY))
    clock.move_to(at(MONDAY, 11, 30))
    await post(company.lina, room, "好的，今天评估")  # answers the mention in 1.5 h
    clock.move_to(at(MONDAY, 11, 35))
    await post(company.zhangwei, room, "谢谢")  # 销售部 answers 研发部
    clock.move_to(at(MONDAY, 13, 35))
    assert (await act(company.lina, late["id"], "accept")).status_code == 200  # 3 h: late
    clock.move_to(at(MONDAY, 14))
    prompt = await file(company.zhangwei, kind["id"], title="季度报表新增字段")
    clock.move_to(at(MONDAY, 15))
    assert (await act(company.lina, prompt["id"], "accept")).status_code == 200  # 1 h
    clock.move_to(at(MONDAY, 16))
    await move(dev, task_on_time["id"], "done")  # 4.5 working hours after its creation

    clock.move_to(at(TUESDAY, 9, 30))
    await move(dev, task_late["id"], "done")  # due Monday; 7 working hours
    clock.move_to(at(TUESDAY, 10))
    for action in ("start", "resolve"):
        assert (await act(company.lina, prompt["id"], action)).status_code == 200
    assert (await act(company.zhangwei, prompt["id"], "confirm")).status_code == 200
    rated = await company.zhangwei.api.post(f"/api/v1/requests/{prompt['id']}/rating",
                                            json={"score": 4})
    assert rated.status_code in (200, 201), rated.text
    clock.move_to(at(TUESDAY, 11))
    everyone = await make_survey(company.linxiaoyan, "员工满意度调查")
    assert (await answer(company.zhangwei, everyone, nps=10)).status_code == 201
    assert (await answer(company.lina, everyone, nps=6)).status_code == 201
    ours = await make_survey(company.lina, "研发部协作调查", audience={
        "kind": "departments", "department_ids": [company.departments["研发部"]]})
    assert (await answer(dev, ours, nps=9)).status_code == 201
    clock.move_to(at(TUESDAY, 12))
    await follow.catch_up(NAME)
    return {"company": company, "late": late, "prompt": prompt, "task_late": task_late,
            "task_on_time": task_on_time, "overdue": overdue, "unseen": unseen,
            "project": project, "hidden": hidden, "type": kind, "everyone": everyone,
            "ours": ours}


async def test_the_dashboards_show_the_two_days(cast: Cast, follow: Follow,
                                                clock: time_machine.Traveller) -> None:
    made = await two_days(cast, follow, clock)
    company: Cast = made["company"]
    d = company.departments
    admin = company.linxiaoyan
    dev_id, sales_id = d["研发部"], d["销售部"]

    overview = await get(admin, "overview", **DAYS)
    assert overview["totals"] == {"messages": 3, "channels_active": 1, "shared_channels": 1,
                                  "files_uploaded": 0, "files_downloaded": 0,
                                  "searches": 0, "requests_filed": 2, "tasks_completed": 2}
    assert overview["previous_totals"]["messages"] == 0
    assert overview["previous_people"]["mau"] == 0
    monday, tuesday = overview["daily"]
    assert monday["messages_by_kind"] == {"public": 3, "private": 0, "department": 0,
                                          "announcement": 0, "dm": 0}
    assert tuesday["messages_by_kind"]["public"] == 0
    assert monday["active"] >= 4  # 王芳, 张伟, 李娜, 赵磊 at least
    # Tuesday alone: the range before it is Monday, whose people are the trend's baseline.
    tuesday_only = await get(admin, "overview", **{"from": str(TUESDAY), "to": str(TUESDAY)})
    assert tuesday_only["previous_people"]["mau"] == monday["active"]
    assert tuesday_only["people"]["mau"] == tuesday["active"]
    assert overview["people"]["mau"] >= 4
    assert [h["hour"] for h in overview["today_hourly"]][:1] == ["2026-12-14T16:00:00Z"]

    network = await get(admin, "network", **DAYS)
    nodes = {n["department_id"]: n for n in network["nodes"]}
    assert (nodes[sales_id]["messages"], nodes[sales_id]["cross_messages"],
            nodes[sales_id]["cross_share"], nodes[sales_id]["island"]) == (2, 1, 0.5, False)
    assert (nodes[dev_id]["messages"], nodes[dev_id]["cross_messages"],
            nodes[dev_id]["island"]) == (1, 0, True)
    assert nodes[d["客服部"]]["suppressed"] is True
    # 客服部's request to 研发部 is no edge: 客服部 is too small to show.
    assert network["edges"] == [{"from_department_id": sales_id, "to_department_id": dev_id,
                                 "messages": 1, "mentions": 1, "requests": 1, "kudos": 0,
                                 "weight": 1.0}]

    # 研发部's manager sees the rest of the company as one node: 销售部's and 客服部's
    # interactions with 研发部 together.
    seen_by_manager = await get(company.lina, "network", **DAYS)
    others = {n["department_id"]: n for n in seen_by_manager["nodes"]}[0]
    assert (others["name"], others["messages"], others["suppressed"]) == ("其他部门", 2, False)
    assert others["people"] >= 10
    assert [n["department_id"] for n in seen_by_manager["nodes"]] == [dev_id, 0]
    assert seen_by_manager["edges"] == [{
        "from_department_id": 0, "to_department_id": dev_id, "messages": 1, "mentions": 1,
        "requests": 2, "kudos": 0, "weight": 1.0}]

    responsiveness = (await rows(admin, "responsiveness", **DAYS))[dev_id]
    assert responsiveness["mentions"] == {"count": 1, "answered": 1, "median_hours": 1.5,
                                          "p90_hours": 1.5}
    # First responses of 3 h and 1 h.
    assert responsiveness["requests"] == {"count": 2, "responded": 2, "median_hours": 2.0,
                                          "p90_hours": 2.8}

    sla = await get(admin, "sla", **DAYS)
    assert [r for r in sla["rows"] if r["department_id"] == dev_id] == [{
        "department_id": dev_id, "name": "研发部", "type_id": made["type"]["id"],
        "type_name": "需求评审", "suppressed": False, "filed": 2, "response_met": 1,
        "resolution_met": 1, "breached": 1, "compliance": 0.5}]
    assert sla["company"] == {"filed": 2, "breached": 1, "compliance": 0.5}

    delivery = await get(admin, "delivery", **DAYS)
    figures = {k: v for k, v in rows_by(delivery["departments"])[dev_id].items()
               if k not in ("department_id", "name", "suppressed")}
    # Four tasks created, two completed (one after its day), two due Monday still open.
    # Cycle times 4.5 h and 7 h: a median of 5.75 working hours, of 7.5 a day.
    assert figures == {"created": 4, "completed": 2, "completion_rate": 0.5,
                       "median_cycle_days": 0.77, "due": 3, "overdue_open": 2,
                       "overdue_rate": 0.6667, "completed_late": 1}
    projects = {p["name"]: p for p in delivery["projects"]}
    assert (projects["报表重构"]["created"], projects["大客户方案"]["overdue_open"]) == (3, 1)

    satisfaction = (await rows(admin, "satisfaction", **DAYS))[dev_id]
    assert (satisfaction["ratings"], satisfaction["average"],
            satisfaction["distribution"]) == (1, 4.0, [0, 0, 0, 1, 0])

    # Surveys: the NPS of each (one promoter and one detractor: 0); 李娜 sees her own
    # department's, 张伟 neither (the company's is not his, nor are its results published).
    surveys = [(s["title"], s["kind"], s["responses"], s["score"])
               for s in (await get(admin, "satisfaction", **DAYS))["surveys"]]
    assert surveys == [("研发部协作调查", "nps", 1, 100.0), ("员工满意度调查", "nps", 2, 0.0)]
    assert [s["survey_id"] for s in (await get(company.lina, "satisfaction", **DAYS))[
        "surveys"]] == [made["ours"]["id"]]
    assert (await get(company.zhangwei, "satisfaction", **DAYS))["surveys"] == []

    adoption = await get(admin, "adoption", **DAYS)
    assert adoption["weeks"] == ["2026-12-14"]
    # 李娜 and 赵磊 of 研发部's five did something.
    assert rows_by(adoption["rows"])[dev_id]["shares"] == [0.4]
    # The whole week (counted from the weekly active table), and two cut ones around it.
    week = timedelta(days=7)
    for days in ({"from": str(MONDAY), "to": str(MONDAY + week - timedelta(days=1))},
                 {"from": str(MONDAY - timedelta(days=3)), "to": str(TUESDAY + week)}):
        weekly = await get(admin, "adoption", **days)
        assert [s for s in rows_by(weekly["rows"])[dev_id]["shares"] if s] == [0.4], days

    exported = csv_rows((await admin.api.get("/api/v1/analytics/export/sla.csv",
                                             params=DAYS)).content)
    assert ["研发部", "需求评审", "2", "1", "1", "1", "0.5", ""] in exported

    # Channels: the shared room (销售部 and 研发部 posted there); then a room of 研发部 alone.
    assert (overview["totals"]["channels_active"], overview["totals"]["shared_channels"]) == (1, 1)
    clock.move_to(at(TUESDAY, 15))
    team = await create_channel(company.dev0, "研发小组", "private", company.dev1)
    await post(company.dev0, team, "周报已更新")
    await follow.catch_up()
    tuesday_dev = await get(admin, "overview", department_id=dev_id,
                            **{"from": str(TUESDAY), "to": str(TUESDAY)})
    assert tuesday_dev["suppressed"] is False
    assert tuesday_dev["totals"]["channels_active"] == 1
    assert tuesday_dev["totals"]["shared_channels"] == 0
    both_days = (await get(admin, "overview", department_id=dev_id, **DAYS))["totals"]
    assert (both_days["channels_active"], both_days["shared_channels"]) == (2, 1)


def rows_by(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["department_id"]: row for row in items}


async def test_drill_downs_list_what_their_caller_may_open(
        cast: Cast, follow: Follow, clock: time_machine.Traveller) -> None:
    made = await two_days(cast, follow, clock)
    company: Cast = made["company"]
    d = company.departments
    manager = company.lina  # manages 研发部

    def ids(page: dict[str, Any]) -> list[int]:
        return [item["id"] for item in page["items"]]

    requests = await get(manager, "sla/requests", **DAYS)
    assert ids(requests) == [made["prompt"]["id"], made["late"]["id"]]
    breached = await get(manager, "sla/requests", breached="true", **DAYS)
    assert ids(breached) == [made["late"]["id"]]
    item = breached["items"][0]
    assert (item["number"], item["title"], item["response_hours"], item["response_breached"]
            ) == (f"REQ-{made['late']['id']:05d}", "客户投诉：报表导出失败", 3.0, True)
    assert ids(await get(manager, "sla/requests", breached="false", **DAYS)) == [
        made["prompt"]["id"]]
    assert ids(await get(manager, "sla/requests", type_id=made["type"]["id"] + 1, **DAYS)) == []
    # One page at a time, newest first.
    first = await get(manager, "sla/requests", limit=1, **DAYS)
    assert ids(first) == [made["prompt"]["id"]]
    assert first["next_cursor"]
    second = await get(manager, "sla/requests", limit=1, cursor=first["next_cursor"], **DAYS)
    assert ids(second) == [made["late"]["id"]]
    assert second["next_cursor"] is None

    # Overdue: 李娜's own task; 方案评审 (研发部's, in a project she is not in) is not hers
    # to open, though the department's figures count it.
    overdue = await get(manager, "delivery/tasks", kind="overdue", **DAYS)
    assert ids(overdue) == [made["overdue"]["id"]]
    assert overdue["items"][0]["project_name"] == "报表重构"
    assert ids(await get(company.zhoujianguo, "delivery/tasks", kind="overdue", **DAYS)) == [
        made["unseen"]["id"], made["overdue"]["id"]]
    late = await get(manager, "delivery/tasks", kind="late", **DAYS)
    assert ids(late) == [made["task_late"]["id"]]
    assert late["items"][0]["late"] is True
    assert ids(await get(manager, "delivery/tasks", kind="completed",
                         project_id=made["project"]["id"], **DAYS)) == [
        made["task_on_time"]["id"], made["task_late"]["id"]]

    # 张伟 manages 销售部: 研发部's items are not his to list, and 销售部 received nothing.
    sales = company.zhangwei
    for path in ("sla/requests", "delivery/tasks"):
        await refused(sales, path, 404, "analytics_department_hidden",
                      department_id=d["研发部"], **DAYS)
        assert (await get(sales, path, **DAYS))["items"] == []
