"""Collaboration maturity reports: scores from known figures, the jobs that make them (once
per period and department), who may fetch them, and the HTML and PDF a manager forwards.

The figures are rollup rows written here directly, for a quarter already over (2026-Q3),
until the rollup consumer lands and they can be arranged through real actions."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from sqlalchemy import func, select

from tests.files.test_files import image_bytes, upload
from tests.helpers import Cast, Follow, Person, create_channel, error_code, post
from tests.projects.helpers import make_project, make_task
from tests.requests.test_requests import act, file, make_type
from xietong.analytics.manifest import MANIFEST
from xietong.analytics.models import (
    DepartmentCount,
    MentionFact,
    PairCount,
    Report,
    RequestFact,
    TaskFact,
)
from xietong.analytics.report import Quarter, parse_period, window_of
from xietong.analytics.report_jobs import QUARTERLY_JOB, generate_report, make_quarterly_reports
from xietong.analytics.rollups import NAME as ROLLUPS
from xietong.core.actor import Role
from xietong.core.errors import Invalid
from xietong.documents.models import Page
from xietong.documents.queries import space_for_department
from xietong.jobs.models import Job
from xietong.runtime import Runtime

HOUR = 3600.0


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


async def _grow(cast: Cast) -> None:
    """研发部 and 客服部 with three people each (the smallest group shown, set to 3)."""
    await cast.add_person("zhaolei", "赵磊", departments=("研发部",))
    await cast.add_person("sunli", "孙丽", departments=("研发部",))
    await cast.add_person("zhoumin", "周敏", departments=("客服部",))
    await cast.add_person("wujing", "吴静", departments=("客服部",))
    response = await cast.linxiaoyan.api.patch("/api/v1/admin/settings",
                                               json={"analytics_min_group_size": 3})
    assert response.status_code == 200, response.text


async def _figures(runtime: Runtime, cast: Cast) -> None:
    """Known figures of 研发部 for 2026-Q3 (and a little of Q2, for the trend)."""
    rd, sales, service = (cast.departments[n] for n in ("研发部", "销售部", "客服部"))
    east, office = cast.departments["华东区"], cast.departments["总经办"]
    rows: list[Any] = [
        # Links: 研发部 talked to 销售部 only in Q3 (1 of 4 others); to both in Q2.
        PairCount(day=date(2026, 8, 3), from_department_id=rd, to_department_id=sales,
                  metric="messages", value=3),
        PairCount(day=date(2026, 8, 4), from_department_id=rd, to_department_id=rd,
                  metric="messages", value=9),
        PairCount(day=date(2026, 8, 5), from_department_id=east, to_department_id=office,
                  metric="mentions", value=1),
        PairCount(day=date(2026, 5, 6), from_department_id=service, to_department_id=rd,
                  metric="requests", value=1),
        PairCount(day=date(2026, 5, 7), from_department_id=rd, to_department_id=sales,
                  metric="mentions", value=1),
        # Messages: 30 of 200 across (15 %); Q2: 30 of 100 (30 %).
        DepartmentCount(day=date(2026, 7, 1), department_id=rd, metric="messages", value=120),
        DepartmentCount(day=date(2026, 9, 30), department_id=rd, metric="messages", value=80),
        DepartmentCount(day=date(2026, 9, 30), department_id=rd, metric="cross_messages",
                        value=30),
        DepartmentCount(day=date(2026, 10, 1), department_id=rd, metric="messages", value=999),
        DepartmentCount(day=date(2026, 6, 1), department_id=rd, metric="messages", value=100),
        DepartmentCount(day=date(2026, 6, 1), department_id=rd, metric="cross_messages",
                        value=30),
        DepartmentCount(day=date(2026, 8, 1), department_id=sales, metric="messages",
                        value=50),
    ]
    # Requests to 研发部 filed in Q3: first responses after 1, 2 and 4 working hours, one
    # not yet answered; one breached its SLA; two rated (5 and 3) when resolved.
    for number, (response, breached, rating) in enumerate(
            ((1.0, False, 5), (2.0, True, 3), (4.0, False, None), (None, False, None)), 1):
        rows.append(RequestFact(
            request_id=number, department_id=rd, requester_department_id=sales, type_id=None,
            status="closed" if rating else "in_progress", filed_at=_at("2026-08-10"),
            filed_day=date(2026, 8, 10),
            first_response_at=_at("2026-08-10", 12) if response else None,
            response_seconds=response * HOUR if response else None,
            resolved_at=_at("2026-08-20") if rating else None,
            resolution_seconds=None, response_breached=breached, resolution_breached=False,
            rating=rating))
    rows.append(RequestFact(  # another department's
        request_id=9, department_id=service, requester_department_id=rd, type_id=None,
        status="closed", filed_at=_at("2026-08-10"), filed_day=date(2026, 8, 10),
        response_seconds=30 * HOUR, response_breached=True, resolution_breached=True,
        resolved_at=_at("2026-08-12"), rating=1))
    # A cross-department @mention of someone in 研发部, answered after 5 working hours.
    rows.append(MentionFact(message_id=1, user_id=cast.lina.id, channel_id=1,
                            from_department_id=sales, to_department_id=rd,
                            mentioned_at=_at("2026-09-01"), day=date(2026, 9, 1),
                            answered_at=_at("2026-09-02"), response_seconds=5 * HOUR))
    # Tasks due in Q3: three done on time, one late; a deleted one and one due in Q4.
    for task_id, (due, done, deleted) in enumerate((
            (date(2026, 7, 10), date(2026, 7, 9), False),
            (date(2026, 8, 10), date(2026, 8, 10), False),
            (date(2026, 9, 10), date(2026, 9, 1), False),
            (date(2026, 9, 20), date(2026, 9, 25), False),
            (date(2026, 9, 21), None, True),
            (date(2026, 10, 5), None, False)), 1):
        rows.append(TaskFact(task_id=task_id, project_id=1, department_id=rd,
                             created_at=_at("2026-07-01"), created_day=date(2026, 7, 1),
                             due_at=due, completed_day=done,
                             completed_at=_at(done.isoformat()) if done else None,
                             late=bool(done and done > due), deleted=deleted))
    async with runtime.unit_of_work() as uow:
        uow.session.add_all(rows)
        space = await space_for_department(uow, rd)
        assert space is not None
        # Pages of 研发部's space at the end of Q3: three of four touched in its last 90
        # days; one in the trash and one made later are not counted.
        pages: tuple[tuple[str, str | None, str | None], ...] = (
                ("2026-01-10", "2026-09-01", None), ("2026-01-10", "2026-08-15", None),
                ("2026-07-20", None, None), ("2026-01-10", "2026-03-01", None),
                ("2026-01-10", None, "2026-05-01"), ("2026-11-01", None, None))
        for rank, (made, edited, trashed) in enumerate(pages, 1):
            uow.session.add(Page(
                space_id=space.id, title=f"页面 {rank}", rank=f"a{rank}",
                created_at=_at(made), updated_at=_at(made),
                edited_at=_at(edited) if edited else None,
                deleted_at=_at(trashed) if trashed else None))


async def _run_jobs(runtime: Runtime) -> None:
    while await runtime.jobs.runner.run_due():
        pass


async def _ask(person: Person, period: str, department_id: int | None = None) -> Any:
    body: dict[str, Any] = {"period": period}
    if department_id is not None:
        body["department_id"] = department_id
    return await person.api.post("/api/v1/analytics/reports", json=body)


async def _made(runtime: Runtime, person: Person, period: str,
                department_id: int | None = None) -> dict[str, Any]:
    response = await _ask(person, period, department_id)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    await _run_jobs(runtime)
    fetched = await person.api.get(f"/api/v1/analytics/reports/{response.json()['id']}")
    assert fetched.status_code == 200, fetched.text
    report: dict[str, Any] = fetched.json()
    assert report["status"] == "ready", report
    return report


def test_periods() -> None:
    quarter = parse_period("2026-Q4")
    assert (quarter.first_day, quarter.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.label == "2026年第四季度"
    assert parse_period("2026-Q1").previous == Quarter(2025, 4)
    for bad in ("2026-Q5", "2026Q4", "26-Q1", "2026-q4 extra", ""):
        with pytest.raises(Invalid):
            parse_period(bad)
    window = window_of(Quarter(2026, 4), ZoneInfo("Asia/Shanghai"), date(2026, 11, 15))
    # Midnight in Shanghai is 16:00 UTC the day before; a quarter under way ends today.
    assert window.start == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert window.due_until == date(2026, 11, 14)


async def test_scores_trend_and_weakest(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    await _figures(runtime, cast)
    report = await _made(runtime, cast.linxiaoyan, "2026-Q3", cast.departments["研发部"])
    data = report["data"]
    assert (data["period"], data["label"], data["department_name"]) == (
        "2026-Q3", "2026年第三季度", "研发部")
    assert data["range"] == {"from": "2026-07-01", "to": "2026-09-30"}
    scores = {i["key"]: i["score"] for i in data["indicators"]}
    assert scores == {
        "links": 50.0,  # 1 of the 4 other departments; half of them scores 100
        "cross_share": 50.0,  # 15 % of messages; 30 % scores 100
        "response": 62.5,  # median of 1, 2, 4, 5 working hours = 3 h; 8 h scores 0
        "sla": 75.0,  # 3 of 4 requests within their SLA
        "on_time": 75.0,  # 3 of 4 tasks due (the deleted one left out)
        "satisfaction": 75.0,  # average 4 of 5
        "freshness": 75.0,  # 3 of 4 live pages touched in the last 90 days
    }
    assert data["overall"]["score"] == round((50 + 50 + 62.5 + 75 * 4) / 7, 1)
    # Q2 had links (2 of 4: 100), cross share (30 %: 100) and three live pages, two of
    # them edited since April (a page's last edit is all that is known: a page edited
    # after the quarter counts as kept up).
    previous = {i["key"]: i["previous_score"] for i in data["indicators"]}
    assert previous == {"links": 100.0, "cross_share": 100.0, "response": None, "sla": None,
                        "on_time": None, "satisfaction": None, "freshness": 66.7}
    assert data["overall"]["previous"] == round((100 + 100 + 66.7) / 3, 1)
    assert data["overall"]["change"] == round(data["overall"]["score"]
                                              - data["overall"]["previous"], 1)
    assert [w["key"] for w in data["weakest"]] == ["links", "cross_share", "response"]
    assert all(w["advice"] for w in data["weakest"])
    assert data["left_out"] == []

    company = await _made(runtime, cast.linxiaoyan, "2026-Q3")
    assert company["department_id"] is None
    assert company["data"]["department_name"] == "全公司"
    company_scores = {i["key"]: i for i in company["data"]["indicators"]}
    # Five departments; 研发部–销售部 and 华东区–总经办: each of four talks to 1 of 4.
    assert company_scores["links"]["value"] == pytest.approx((1 + 1 + 1 + 1 + 0) / 4 / 5)
    assert company_scores["satisfaction"]["value"] == pytest.approx((5 + 3 + 1) / 3)


async def test_a_report_is_kept_as_made(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    report = await _made(runtime, cast.linxiaoyan, "2026-Q3", cast.departments["研发部"])
    # Nothing happened: nothing to score.
    assert report["data"]["left_out"] == ["links", "cross_share", "response", "sla",
                                          "on_time", "satisfaction", "freshness"]
    assert report["data"]["overall"]["score"] is None
    await _figures(runtime, cast)
    again = await cast.linxiaoyan.api.get(f"/api/v1/analytics/reports/{report['id']}")
    assert again.json() == report


async def test_quarterly_job_makes_each_report_once(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    await _figures(runtime, cast)
    assert any(k.kind == QUARTERLY_JOB and k.every == "daily 06:00" for k in MANIFEST.job_kinds)
    zone = runtime.settings.zone
    for today in (date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 3)):
        async with runtime.unit_of_work() as uow:
            await make_quarterly_reports(uow, zone=zone, today=today)
    await _run_jobs(runtime)
    async with runtime.unit_of_work() as uow:
        # Past the first week of the quarter it makes nothing (a department made now
        # would otherwise get a report for a quarter it did not see).
        assert await make_quarterly_reports(uow, zone=zone, today=date(2026, 10, 8)) == []
    async with runtime.reader() as uow:
        rows = (await uow.session.execute(
            select(Report.period, Report.department_id, Report.status, func.count())
            .group_by(Report.period, Report.department_id, Report.status))).all()
    # The company, and the departments with at least 3 people: 研发部 and 客服部 (销售部
    # has two, 张伟 and 刘洋 of 华东区 below it), each once.
    expected = {None, cast.departments["研发部"], cast.departments["客服部"]}
    assert {(p, d, s, n) for p, d, s, n in rows} == {
        ("2026-Q3", d, "ready", 1) for d in expected}
    listed = await cast.linxiaoyan.api.get("/api/v1/analytics/reports",
                                           params={"period": "2026-Q3"})
    assert {r["department_id"] for r in listed.json()["items"]} == expected
    assert all(r["requested_by"] is None for r in listed.json()["items"])


async def test_who_may_see_which_report(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    await cast.add_person("qianhao", "钱浩", departments=("销售部",))
    rd, service, sales = (cast.departments[n] for n in ("研发部", "客服部", "销售部"))
    mine = await _made(runtime, cast.lina, "2026-Q3", rd)
    theirs = await _made(runtime, cast.wangfang, "2026-Q3", service)
    company = await _made(runtime, cast.linxiaoyan, "2026-Q3")

    # 李娜 manages 研发部: hers, not 客服部's nor the company's.
    listed = await cast.lina.api.get("/api/v1/analytics/reports")
    assert [r["id"] for r in listed.json()["items"]] == [mine["id"]]
    for report_id in (theirs["id"], company["id"]):
        for suffix in ("", ".html", ".pdf"):
            response = await cast.lina.api.get(f"/api/v1/analytics/reports/{report_id}{suffix}")
            assert response.status_code == 404, response.text
            assert error_code(response) == "report_not_found"
    assert error_code(await _ask(cast.lina, "2026-Q3", sales)) == "analytics_department_hidden"
    assert error_code(await _ask(cast.lina, "2026-Q3")) == "analytics_department_hidden"
    # The administrator sees all three, newest first.
    listed = await cast.linxiaoyan.api.get("/api/v1/analytics/reports")
    assert [r["id"] for r in listed.json()["items"]] == [company["id"], theirs["id"],
                                                         mine["id"]]
    paged = await cast.linxiaoyan.api.get("/api/v1/analytics/reports", params={"limit": 2})
    assert paged.json()["next_cursor"]
    rest = await cast.linxiaoyan.api.get("/api/v1/analytics/reports",
                                         params={"cursor": paged.json()["next_cursor"]})
    assert [r["id"] for r in rest.json()["items"]] == [mine["id"]]

    # A member without analytics sees none of it; a guest neither.
    for person in (cast.liuyang, cast.alex):
        assert person.role in (Role.MEMBER, Role.GUEST)
        for path in ("/api/v1/analytics/reports", f"/api/v1/analytics/reports/{mine['id']}",
                     f"/api/v1/analytics/reports/{mine['id']}.pdf"):
            response = await person.api.get(path)
            assert response.status_code == 404, (path, response.text)
            assert error_code(response) == "analytics_hidden"
        assert error_code(await _ask(person, "2026-Q3", rd)) == "analytics_hidden"


async def test_bad_periods_and_pending_reports(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    admin = cast.linxiaoyan
    for period, code in (("2026-Q5", "invalid_period"), ("Q4 2026", "invalid_period"),
                         ("2099-Q1", "period_in_future")):
        response = await _ask(admin, period)
        assert response.status_code == 422, response.text
        assert error_code(response) == code
    response = await admin.api.post("/api/v1/analytics/reports",
                                    json={"period": "2026-Q3", "department_id": 999999})
    assert error_code(response) == "unknown_department"
    # 销售部 has two people (张伟, 刘洋 below it): too few to be shown on its own.
    response = await _ask(admin, "2026-Q3", cast.departments["销售部"])
    assert response.status_code == 422
    assert error_code(response) == "report_group_too_small"

    first = await _ask(admin, "2026-Q4", cast.departments["研发部"])
    second = await _ask(admin, "2026-Q4", cast.departments["研发部"])
    assert first.json()["id"] == second.json()["id"]  # a second click makes nothing
    assert first.json()["department_name"] == "研发部"
    pending = await admin.api.get(f"/api/v1/analytics/reports/{first.json()['id']}.pdf")
    assert pending.status_code == 409
    assert error_code(pending) == "report_not_ready"
    await _run_jobs(runtime)
    ready = await admin.api.get(f"/api/v1/analytics/reports/{first.json()['id']}")
    # The quarter under way: counted up to today.
    assert ready.json()["data"]["complete"] is False


async def test_html_and_pdf(runtime: Runtime, cast: Cast) -> None:
    await _grow(cast)
    await _figures(runtime, cast)
    rd = cast.departments["研发部"]
    renamed = await cast.zhoujianguo.api.patch(f"/api/v1/departments/{rd}",
                                               json={"name": "研发<script>alert(1)</script>"})
    assert renamed.status_code == 200, renamed.text
    report = await _made(runtime, cast.lina, "2026-Q3", rd)

    page = await cast.lina.api.get(f"/api/v1/analytics/reports/{report['id']}.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert "研发&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "协作成熟度报告" in page.text
    assert "2026年第三季度" in page.text
    assert "三个最薄弱的环节" in page.text

    pdf = await cast.lina.api.get(f"/api/v1/analytics/reports/{report['id']}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # RFC 5987's UTF-8 name (what a file system refuses replaced), an ASCII one for old
    # clients.
    name = "协作成熟度报告-2026年第三季度-研发_script_alert(1)__script_.pdf"
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="maturity-report-2026-Q3.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}")
    document = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert len(document.pages) >= 1
    text = "".join("".join(p.extract_text().split()) for p in document.pages)
    for words in ("协作成熟度报告", "2026年第三季度", "研发<script>alert(1)</script>",
                  "跨部门连接", "知识新鲜度", "三个最薄弱的环节"):
        assert words in text, words

    # Making a PDF leaves uploads as strict as before: WeasyPrint's import turns on Pillow's
    # LOAD_TRUNCATED_IMAGES for the whole process, and a corrupt image would get a thumbnail.
    photo = image_bytes((640, 480), "JPEG")
    stored = await upload(cast.lina, "broken.jpg", photo[: len(photo) // 3])
    assert stored.status_code == 201, stored.text
    assert stored.json()["has_thumbnail"] is False


async def test_a_report_that_cannot_be_made_says_so(runtime: Runtime, cast: Cast) -> None:
    async with runtime.unit_of_work() as uow:
        broken = Report(period="2026-Q9", department_id=None, status="pending", data={})
        uow.session.add(broken)
        await uow.session.flush()
        broken_id = broken.id
    async with runtime.unit_of_work() as uow:
        await generate_report(uow, broken_id, zone=runtime.settings.zone,
                              today=date(2026, 12, 1))
    response = await cast.linxiaoyan.api.get(f"/api/v1/analytics/reports/{broken_id}")
    assert response.json()["status"] == "failed"
    assert response.json()["data"] is None
    pdf = await cast.linxiaoyan.api.get(f"/api/v1/analytics/reports/{broken_id}.pdf")
    assert pdf.status_code == 409
    assert error_code(pdf) == "report_not_ready"


async def test_the_quarterly_job_is_scheduled_once(runtime: Runtime) -> None:
    await runtime.schedule_recurring_jobs()
    await runtime.schedule_recurring_jobs()  # a second node starting
    async with runtime.reader() as uow:
        jobs = (await uow.session.execute(
            select(Job.kind, Job.recurrence).where(Job.key == f"recurring:{QUARTERLY_JOB}")
        )).all()
    assert [tuple(j) for j in jobs] == [(QUARTERLY_JOB, "daily 06:00")]


async def test_a_quarter_of_real_work_scored(cast: Cast, follow: Follow) -> None:
    """Two days of real work in December 2026 (the rollup consumer counting it), and 李娜's
    report for 2026-Q4 asked for after the quarter: every indicator as the actions make it."""
    runtime = cast.runtime
    shanghai = ZoneInfo("Asia/Shanghai")
    monday, tuesday = date(2026, 12, 14), date(2026, 12, 15)

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=shanghai)

    with time_machine.travel(at(monday, 8), tick=False) as clock:
        await _grow(cast)
        zhaolei = cast.zhaolei
        room = await create_channel(cast.zhangwei, "跨部门协作", "public", cast.lina,
                                    zhaolei, cast.wangfang)
        kind = await make_type(cast)  # 研发部's: respond in 2 working hours, resolve in 16
        project = await make_project(cast.lina, "报表重构", member_ids=[zhaolei.id])
        await follow.held()

        # 王芳 (客服部) files to 研发部 at 09:05; accepted at 13:35: 3 working hours, breached.
        clock.move_to(at(monday, 9, 5))
        late = await file(cast.wangfang, kind["id"], title="客户投诉：报表导出失败")
        # 张伟 (销售部) asks 李娜 at 10:00; she answers at 11:30 (1.5 working hours).
        clock.move_to(at(monday, 10))
        await post(cast.zhangwei, room, "@李娜 请评估一下报表需求")
        task_late = await make_task(cast.lina, project["id"], "导出修复",
                                    assignee_id=zhaolei.id, due_at=str(monday))
        task_on_time = await make_task(cast.lina, project["id"], "报表模板",
                                       assignee_id=zhaolei.id, due_at="2026-12-18")
        clock.move_to(at(monday, 11, 30))
        await post(cast.lina, room, "好的，今天评估")
        clock.move_to(at(monday, 11, 32))
        await post(cast.zhangwei, room, "谢谢")
        clock.move_to(at(monday, 11, 35))
        await post(cast.lina, room, "需要先确认字段")  # 3 minutes after 张伟: an answer
        clock.move_to(at(monday, 13, 35))
        assert (await act(cast.lina, late["id"], "accept")).status_code == 200
        # 张伟 files at 14:00; accepted at 15:00 (1 h), resolved Tuesday, rated 4.
        clock.move_to(at(monday, 14))
        prompt = await file(cast.zhangwei, kind["id"], title="季度报表新增字段")
        clock.move_to(at(monday, 15))
        assert (await act(cast.lina, prompt["id"], "accept")).status_code == 200
        clock.move_to(at(monday, 16))
        moved = await zhaolei.api.post(f"/api/v1/tasks/{task_on_time['id']}/move",
                                       json={"status": "done"})
        assert moved.status_code == 200, moved.text
        clock.move_to(at(tuesday, 9, 30))
        moved = await zhaolei.api.post(f"/api/v1/tasks/{task_late['id']}/move",
                                       json={"status": "done"})  # due Monday: late
        assert moved.status_code == 200, moved.text
        clock.move_to(at(tuesday, 10))
        for action in ("start", "resolve"):
            assert (await act(cast.lina, prompt["id"], action)).status_code == 200
        assert (await act(cast.zhangwei, prompt["id"], "confirm")).status_code == 200
        rated = await cast.zhangwei.api.post(f"/api/v1/requests/{prompt['id']}/rating",
                                             json={"score": 4})
        assert rated.status_code in (200, 201), rated.text
        await follow.catch_up(ROLLUPS)

        clock.move_to(at(date(2027, 1, 4), 9))
        report = await _made(runtime, cast.lina, "2026-Q4", cast.departments["研发部"])
    data = report["data"]
    assert data["complete"] is True
    found = {i["key"]: (i["value"], i["score"]) for i in data["indicators"]}
    # 研发部 had requests from 客服部 and 销售部 and mentions from 销售部: 2 of 4 others.
    assert found["links"] == (0.5, 100.0)
    # Two messages of 李娜, one of them answering 张伟 five minutes after him.
    assert found["cross_share"] == (0.5, 100.0)
    # First responses of 3 h and 1 h (requests) and 1.5 h (李娜 to 张伟): median 1.5 h.
    assert found["response"] == (1.5, round((1 - 1.5 / 8) * 100, 1))
    assert found["sla"] == (0.5, 50.0)
    assert found["on_time"] == (0.5, 50.0)
    assert found["satisfaction"] == (4.0, 75.0)
    assert data["left_out"] == ["freshness"]  # 研发部's space has no pages
    assert [w["key"] for w in data["weakest"]] == ["sla", "on_time", "satisfaction"]
    # Nothing happened in Q3: no trend.
    assert data["overall"]["previous"] is None
