"""An announcement's flow over HTTP: nothing shows before its review approves it, a
rejection gives it back to its author, a scheduled one is published once by its job, an
expired one is hidden; its audience (and only it) reads and acknowledges it; its publisher
follows who did, per department, and reminds the others."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from tests.announcements.helpers import (
    API,
    Clock,
    company,
    decide,
    draft,
    move_expiry,
    published_ids,
    refused,
    run_until_idle,
    runner_for,
    submit,
)
from tests.helpers import Cast, Follow
from xietong.announcements.actions import PUBLISH_JOB, run_publish
from xietong.chat.models import Message
from xietong.core.clock import utcnow


async def test_nothing_is_visible_before_approval(cast: Cast, follow: Follow) -> None:
    """A company-wide notice by 人力资源部: reviewed by its manager, then an administrator;
    until both approve, nobody but its author and reviewers sees it."""
    co = await company(cast)
    await follow.held()
    made = await draft(co.dujuan, importance="important", requires_ack=True)
    assert made["status"] == "draft"
    assert (await co.liuyang.api.get(f"{API}/{made['id']}")).status_code == 404
    assert (await co.panting.api.get(f"{API}/{made['id']}")).status_code == 404
    submitted = await submit(co.dujuan, made["id"])
    assert submitted["status"] == "in_review"
    # The reviewing department's manager has it in both inboxes.
    review_box = (await co.panting.api.get(API, params={"box": "review"})).json()["items"]
    assert [a["id"] for a in review_box] == [made["id"]]
    approvals = (await co.panting.api.get("/api/v1/approvals")).json()["items"]
    assert approvals[0]["approval"]["subject_kind"] == "announcement_review"
    assert approvals[0]["approval"]["reference"].startswith("公告审核-")
    await decide(co.panting, made["id"])
    # Half approved is not approved: the audience still sees nothing.
    assert made["id"] not in await published_ids(co.liuyang)
    assert (await co.liuyang.api.get(f"{API}/{made['id']}")).status_code == 404
    pins = (await co.liuyang.api.get(f"/api/v1/channels/{co.channel_id}/pins")).json()
    assert pins == []
    await decide(co.linxiaoyan, made["id"])
    shown = await co.liuyang.api.get(f"{API}/{made['id']}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "published"
    assert shown.json()["can_acknowledge"] is True
    assert made["id"] in await published_ids(co.liuyang)
    # Company-wide is the company's people: not its guests.
    assert (await co.alex.api.get(f"{API}/{made['id']}")).status_code == 404
    assert made["id"] not in await published_ids(co.alex)
    # Posted into the company's announcement channel by the system account, and pinned.
    pins = (await co.liuyang.api.get(f"/api/v1/channels/{co.channel_id}/pins")).json()
    assert [p["card"]["kind"] for p in pins] == ["announcement"]
    assert pins[0]["card"]["link"] == f"/announcements/{made['id']}"
    # In the notification centre of its audience.
    await follow.catch_up()
    feed = (await co.liuyang.api.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["body"]) for n in feed if n["kind"].startswith("announcement")] == [
        ("announcement_published", "春节放假通知")]


async def test_rejection_returns_it_to_its_author(cast: Cast, follow: Follow) -> None:
    """A department notice from 华东区 is reviewed by the nearest manager above (销售部's
    张伟); rejected, it is 刘洋's draft again with the reason; changed and submitted
    again, it is approved and reaches 华东区 only."""
    co = await company(cast)
    await follow.held()
    made = await draft(co.liuyang, title="华东区周例会改期",
                       audience={"department_ids": [co.cast.departments["华东区"]]})
    await submit(co.liuyang, made["id"])
    await decide(co.zhangwei, made["id"], "reject", "时间和客户拜访冲突，请改到周四。")
    back = (await co.liuyang.api.get(f"{API}/{made['id']}")).json()
    assert back["status"] == "draft"
    assert back["review_comment"] == "时间和客户拜访冲突，请改到周四。"
    assert back["can_edit"] is True
    assert made["id"] not in await published_ids(co.liuyang)
    await follow.catch_up()
    feed = (await co.liuyang.api.get("/api/v1/notifications")).json()["items"]
    assert any(n["kind"] == "announcement_reviewed" and n["title"] == "你的公告未通过审核"
               for n in feed)
    changed = await co.liuyang.api.patch(f"{API}/{made['id']}",
                                         json={"body": "周例会改到周四上午 10 点。"})
    assert changed.status_code == 200, changed.text
    again = await submit(co.liuyang, made["id"])
    assert again["approval"]["id"] != back["approval"]["id"]  # a new review
    await decide(co.zhangwei, made["id"])
    assert made["id"] in await published_ids(co.liuyang)
    # 张伟 reviewed it, but 销售部 above 华东区 is not its audience: he sees it as reviewer,
    # not in his list; 研发部 sees nothing.
    assert made["id"] not in await published_ids(co.zhangwei)
    assert (await co.lina.api.get(f"{API}/{made['id']}")).status_code == 404


async def test_a_returned_announcement_is_changed_and_resubmitted(cast: Cast) -> None:
    co = await company(cast)
    made = await draft(co.gaoyuan, title="代码冻结通知",
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    await submit(co.gaoyuan, made["id"])
    # A draft in review is not changed under its reviewer's eyes.
    refused(await co.gaoyuan.api.patch(f"{API}/{made['id']}", json={"title": "改"}),
            409, "announcement_not_draft")
    await decide(co.lina, made["id"], "return", "请写明冻结的具体时间。")
    back = (await co.gaoyuan.api.get(f"{API}/{made['id']}")).json()
    assert (back["status"], back["review_comment"]) == ("draft", "请写明冻结的具体时间。")
    withdrawn = await co.gaoyuan.api.post(f"{API}/{made['id']}/withdraw")
    refused(withdrawn, 409, "announcement_not_in_review")
    # Changed and submitted again: the same approval, a second round, back with 李娜.
    await co.gaoyuan.api.patch(f"{API}/{made['id']}", json={"body": "1 月 25 日 18:00 起冻结。"})
    again = await submit(co.gaoyuan, made["id"])
    assert (again["approval"]["id"], again["approval"]["round"]) == (back["approval"]["id"], 2)
    await decide(co.lina, made["id"])
    assert made["id"] in await published_ids(co.lina)
    # Returned, then addressed to all of 销售部 rather than 华东区: another review, a new
    # approval (the returned one is withdrawn).
    other = await draft(co.liuyang, title="华东区客户答谢会",
                        audience={"department_ids": [co.cast.departments["华东区"]]})
    first = (await submit(co.liuyang, other["id"]))["approval"]["id"]
    await decide(co.zhangwei, other["id"], "return", "请发给整个销售部。")
    widened = await co.liuyang.api.patch(f"{API}/{other['id']}", json={
        "audience": {"department_ids": [co.cast.departments["销售部"]]}})
    assert widened.status_code == 200, widened.text
    second = (await submit(co.liuyang, other["id"]))["approval"]
    assert (second["id"] != first, second["round"]) == (True, 1)
    mine = (await co.liuyang.api.get("/api/v1/approvals", params={"box": "mine"})).json()
    assert {i["approval"]["id"]: i["approval"]["status"] for i in mine["items"]} == {
        first: "withdrawn", second["id"]: "pending"}


async def test_scheduled_publish_happens_once(cast: Cast) -> None:
    co = await company(cast)
    publish_at = utcnow() + timedelta(hours=2)
    made = await draft(co.linxiaoyan, publish_at=publish_at.isoformat())
    await submit(co.linxiaoyan, made["id"])
    await decide(co.panting, made["id"])
    await decide(co.zhoujianguo, made["id"])
    scheduled = (await co.linxiaoyan.api.get(f"{API}/{made['id']}")).json()
    assert scheduled["status"] == "scheduled"
    assert (await co.liuyang.api.get(f"{API}/{made['id']}")).status_code == 404
    clock = Clock(utcnow())
    assert await run_until_idle(runner_for(cast.runtime, clock)) == 0  # not due yet
    assert made["id"] not in await published_ids(co.liuyang)
    clock.now = publish_at + timedelta(seconds=1)
    # Two nodes at once: the job runs once.
    ran = await asyncio.gather(run_until_idle(runner_for(cast.runtime, clock, "a")),
                               run_until_idle(runner_for(cast.runtime, clock, "b")))
    assert sum(ran) >= 1
    shown = (await co.liuyang.api.get(f"{API}/{made['id']}")).json()
    assert shown["status"] == "published"
    # A repeat of the handler (a node that died before its commit) publishes nothing twice.
    async with cast.runtime.unit_of_work() as uow:
        await run_publish(uow, made["id"], utcnow())
    async with cast.runtime.reader() as uow:
        posted = await uow.session.scalar(select(func.count()).select_from(Message).where(
            Message.channel_id == co.channel_id, Message.card.is_not(None)))
    assert posted == 1
    assert cast.runtime.jobs.registry.handler_for(PUBLISH_JOB) is not None


async def test_expiry_hides_it(cast: Cast) -> None:
    co = await company(cast)
    expires_at = utcnow() + timedelta(days=7)
    made = await draft(co.dujuan, expires_at=expires_at.isoformat(), requires_ack=True)
    await submit(co.dujuan, made["id"])
    await decide(co.panting, made["id"])
    await decide(co.linxiaoyan, made["id"])
    assert made["id"] in await published_ids(co.liuyang)
    await move_expiry(cast.runtime, made["id"], utcnow() - timedelta(seconds=1))
    assert made["id"] not in await published_ids(co.liuyang)
    assert (await co.liuyang.api.get(f"{API}/{made['id']}")).status_code == 404
    # Its publisher still finds it, marked expired, with its read tracking.
    mine = (await co.dujuan.api.get(API, params={"box": "mine"})).json()["items"]
    assert [(a["id"], a["expired"]) for a in mine] == [(made["id"], True)]
    assert (await co.dujuan.api.get(f"{API}/{made['id']}/receipts")).status_code == 200
    refused(await co.dujuan.api.post(f"{API}/{made['id']}/remind"), 409, "announcement_expired")
    # Its expiry job takes its pin down.
    await run_until_idle(runner_for(cast.runtime, Clock(expires_at + timedelta(seconds=1))))
    pins = (await co.liuyang.api.get(f"/api/v1/channels/{co.channel_id}/pins")).json()
    assert pins == []


async def test_reads_acknowledgements_and_the_chart(cast: Cast, follow: Follow) -> None:
    co = await company(cast)
    await follow.held()
    made = await draft(co.dujuan, requires_ack=True)
    await submit(co.dujuan, made["id"])
    await decide(co.panting, made["id"])
    await decide(co.linxiaoyan, made["id"])
    read = await co.liuyang.api.post(f"{API}/{made['id']}/read")
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    assert read.json()["acknowledged_at"] is None
    for person in (co.lina, co.lina):  # twice: acknowledged once
        acked = await person.api.post(f"{API}/{made['id']}/acknowledge")
        assert acked.status_code == 200, acked.text
    receipts = (await co.dujuan.api.get(f"{API}/{made['id']}/receipts")).json()
    by_name = {d["name"]: (d["total"], d["read"], d["acknowledged"])
               for d in receipts["departments"]}
    assert by_name["华东区"] == (1, 1, 0)
    assert by_name["研发部"] == (2, 1, 1)  # 李娜 and 高远
    assert by_name["未分配部门"] == (1, 0, 0)  # 周建国
    assert "外部顾问 Alex" not in {p["display_name"] for p in receipts["pending"]}
    assert co.dujuan.id not in {p["user_id"] for p in receipts["pending"]}  # its publisher
    assert (receipts["read"], receipts["acknowledged"]) == (2, 1)
    pending = {p["user_id"] for p in receipts["pending"]}
    assert co.liuyang.id in pending
    assert co.lina.id not in pending
    reminded = await co.dujuan.api.post(f"{API}/{made['id']}/remind")
    assert reminded.status_code == 200, reminded.text
    assert set(reminded.json()["user_ids"]) == pending
    refused(await co.dujuan.api.post(f"{API}/{made['id']}/remind"), 429,
            "announcement_remind_too_soon")
    await follow.catch_up()
    feed = (await co.liuyang.api.get("/api/v1/notifications")).json()["items"]
    assert any(n["kind"] == "announcement_reminder" and n["title"] == "杜鹃 提醒你确认公告"
               for n in feed), feed
    lina_feed = (await co.lina.api.get("/api/v1/notifications")).json()["items"]
    assert not any(n["kind"] == "announcement_reminder" for n in lina_feed)


async def test_important_first_and_unread_marked(cast: Cast) -> None:
    co = await company(cast)
    ids = []
    for title, importance in (("下周停电", "urgent"), ("食堂菜单", "normal"),
                              ("安全培训", "important")):
        made = await draft(co.linxiaoyan, title=title, importance=importance)
        await submit(co.linxiaoyan, made["id"])
        await decide(co.panting, made["id"])
        await decide(co.zhoujianguo, made["id"])
        ids.append(made["id"])
    await co.liuyang.api.post(f"{API}/{ids[0]}/read")
    listed = (await co.liuyang.api.get(API, params={"limit": 2})).json()
    assert [a["title"] for a in listed["items"]] == ["下周停电", "安全培训"]
    assert [a["read_at"] is not None for a in listed["items"]] == [True, False]
    rest = (await co.liuyang.api.get(API, params={"cursor": listed["next_cursor"]})).json()
    assert [a["title"] for a in rest["items"]] == ["食堂菜单"]
    assert rest["next_cursor"] is None


async def test_an_automatic_reminder_a_day_later(cast: Cast, follow: Follow) -> None:
    co = await company(cast)
    await follow.held()
    made = await draft(co.gaoyuan, title="代码冻结", requires_ack=True,
                       audience={"department_ids": [co.cast.departments["研发部"]]})
    await submit(co.gaoyuan, made["id"])
    await decide(co.lina, made["id"])
    clock = Clock(utcnow() + timedelta(hours=23))
    assert await run_until_idle(runner_for(cast.runtime, clock)) == 0
    clock.now = utcnow() + timedelta(days=1, minutes=1)
    assert await run_until_idle(runner_for(cast.runtime, clock)) == 1
    await follow.catch_up()
    feed = (await co.lina.api.get("/api/v1/notifications")).json()["items"]
    assert [n["title"] for n in feed if n["kind"] == "announcement_reminder"] == ["请确认公告"]
    # Once: the job is done, a second runner finds nothing.
    assert await run_until_idle(runner_for(cast.runtime, clock, "other")) == 0
