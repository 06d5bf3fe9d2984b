"""Freshness owners: a page with an owner and a review cadence is due its cadence after its
last review; the daily job reminds the owner once, then — a third of the cadence later —
the space's owners once; the space's stale list shows it until it is reviewed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.documents.helpers import PAGES, SPACES, make_page, space_id_of
from tests.helpers import Cast, Follow, error_code
from xietong.core.clock import utcnow
from xietong.documents.freshness import send_review_reminders
from xietong.documents.models import Page

NOTIFICATIONS = "/api/v1/notifications"


async def test_an_overdue_review_reminds_the_owner_then_the_space_owner_once_each(
        cast: Cast, follow: Follow) -> None:
    member = await cast.add_person("zengzhiwei", "曾志伟", departments=("研发部",))
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "发布手册", template="manual")
    fresh = await make_page(cast.lina, space, "新写的手册")
    set_up = await member.api.put(f"{PAGES}/{page['id']}/freshness", json={
        "owner_id": member.id, "review_every_days": 90})
    assert set_up.status_code == 200, set_up.text
    assert (set_up.json()["owner_id"], set_up.json()["review_every_days"]) == (member.id, 90)
    assert set_up.json()["stale"] is False
    await member.api.put(f"{PAGES}/{fresh['id']}/freshness", json={
        "owner_id": member.id, "review_every_days": 90})
    # Last reviewed 100 days ago: ten days overdue.
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(Page).where(Page.id == page["id"]).values(
            reviewed_at=utcnow() - timedelta(days=100)))
    stale = (await cast.wangfang.api.get(f"{SPACES}/{space}/stale")).json()["items"]
    assert [(s["id"], s["owner_id"], s["overdue_days"]) for s in stale] == [
        (page["id"], member.id, 10)]
    assert (await cast.lina.api.get(f"{PAGES}/{page['id']}")).json()["stale"] is True
    await follow.held()
    now = utcnow()
    async with cast.runtime.unit_of_work() as uow:
        assert await send_review_reminders(uow, now) == (1, 0)
    async with cast.runtime.unit_of_work() as uow:  # a retried run sends nothing again
        assert await send_review_reminders(uow, now + timedelta(hours=1)) == (0, 0)
    # Twenty days on (a third of 90 past due): 研发部's manager is told, once.
    for days in (21, 22):
        async with cast.runtime.unit_of_work() as uow:
            assert await send_review_reminders(uow, now + timedelta(days=days)) == (
                (0, 1) if days == 21 else (0, 0))
    await follow.catch_up()
    mine = (await member.api.get(NOTIFICATIONS)).json()["items"]
    assert [(n["kind"], n["title"], n["link"]) for n in mine] == [
        ("doc_review_due", "请复核文档：发布手册", f"/docs/pages/{page['id']}")]
    assert mine[0]["body"] == "研发部"
    managers = (await cast.lina.api.get(NOTIFICATIONS)).json()["items"]
    assert [(n["kind"], n["title"]) for n in managers] == [
        ("doc_review_due", "文档已逾期未复核：发布手册")]
    assert (await cast.wangfang.api.get(NOTIFICATIONS)).json()["items"] == []
    # Reviewed: fresh again, off the list; the next review is due in 90 days.
    reviewed = await member.api.post(f"{PAGES}/{page['id']}/review")
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["stale"] is False
    assert reviewed.json()["review_due_at"] > (now + timedelta(days=89)).isoformat()
    assert (await cast.wangfang.api.get(f"{SPACES}/{space}/stale")).json()["items"] == []
    async with cast.runtime.unit_of_work() as uow:
        assert await send_review_reminders(uow, now + timedelta(days=23)) == (0, 0)


async def test_who_may_own_and_review_a_page(cast: Cast) -> None:
    space = await space_id_of(cast, "研发部")
    page = await make_page(cast.lina, space, "值班手册")
    url = f"{PAGES}/{page['id']}/freshness"
    # The owner must read the page; a reader of the space may not set it.
    refused = await cast.lina.api.put(url, json={"owner_id": cast.alex.id,
                                                 "review_every_days": 30})
    assert (refused.status_code, error_code(refused)) == (422, "owner_cannot_read")
    refused = await cast.wangfang.api.put(url, json={"owner_id": cast.wangfang.id})
    assert refused.status_code == 403
    for bad in ({"review_every_days": 0}, {"review_every_days": 3651},
                {"review_every_days": "90"}, {"review_every_days": 9.5},
                {"owner_id": 999_999}):
        answer = await cast.lina.api.put(url, json=bad)
        assert answer.status_code == 422, bad
    # 王芳 (a reader) owns it: she may mark it reviewed, as may its editors; not others.
    owned = await cast.lina.api.put(url, json={"owner_id": cast.wangfang.id,
                                               "review_every_days": 30})
    assert owned.status_code == 200
    assert "review" in (await cast.wangfang.api.get(f"{PAGES}/{page['id']}")).json()["can"]
    assert (await cast.wangfang.api.post(f"{PAGES}/{page['id']}/review")).status_code == 200
    assert (await cast.zhangwei.api.post(f"{PAGES}/{page['id']}/review")).status_code == 403
    assert (await cast.alex.api.post(f"{PAGES}/{page['id']}/review")).status_code == 404
    # Taken off: no owner, no cadence, never stale.
    cleared = await cast.lina.api.put(url, json={"owner_id": None, "review_every_days": None})
    assert (cleared.json()["owner_id"], cleared.json()["review_due_at"]) == (None, None)
