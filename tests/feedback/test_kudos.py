"""Kudos over HTTP: to a colleague or a team with one of the company's values, a feed for
everyone in the company (not guests), counts per department and per value over a period,
and every refusal (oneself, an unknown colleague, value or team, a guest) writes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.api_inputs import Unchanged
from tests.feedback.helpers import KUDOS, thank
from tests.helpers import Cast, anonymous_client, error_code
from xietong.core.clock import utcnow
from xietong.feedback.models import Kudos


async def test_kudos_to_a_person_and_a_team_make_the_feed(cast: Cast) -> None:
    personal = await thank(cast.lina, "customer_first", "周末帮客户恢复了系统，太给力了！",
                           recipient_id=cast.wangfang.id)
    assert personal["giver"] == {"id": cast.lina.id, "display_name": "李娜"}
    assert personal["recipient"] == {"id": cast.wangfang.id, "display_name": "王芳"}
    assert personal["department"] is None
    assert personal["value"] == "customer_first"
    team = await thank(cast.wangfang, "teamwork", "研发部连夜修复了问题 🙏",
                       department_id=cast.departments["研发部"])
    assert team["recipient"] is None
    assert team["department"] == {"id": cast.departments["研发部"], "path": ["研发部"]}
    # A team one belongs to may be thanked too (one's own colleagues).
    await thank(cast.liuyang, "ownership", "华东区的伙伴们辛苦了",
                department_id=cast.departments["华东区"])
    feed = (await cast.zhangwei.api.get(KUDOS)).json()
    assert [k["message"] for k in feed["items"]] == [
        "华东区的伙伴们辛苦了", "研发部连夜修复了问题 🙏", "周末帮客户恢复了系统，太给力了！"]
    assert feed["items"][-1] == personal
    mine = (await cast.zhangwei.api.get(KUDOS, params={"recipient_id": cast.wangfang.id})).json()
    assert [k["id"] for k in mine["items"]] == [personal["id"]]
    teams = (await cast.zhangwei.api.get(
        KUDOS, params={"department_id": cast.departments["研发部"]})).json()
    assert [k["id"] for k in teams["items"]] == [team["id"]]
    page = (await cast.zhangwei.api.get(KUDOS, params={"limit": 2})).json()
    rest = (await cast.zhangwei.api.get(KUDOS, params={"limit": 2,
                                                       "cursor": page["next_cursor"]})).json()
    assert [k["id"] for k in page["items"] + rest["items"]] == [
        k["id"] for k in feed["items"]]


async def test_bad_kudos_are_refused_and_write_nothing(cast: Cast) -> None:
    async with Unchanged(cast):
        for body, status, code in (
                ({"recipient_id": cast.lina.id}, 422, "kudos_to_self"),
                ({"recipient_id": 99999}, 422, "unknown_recipient"),
                ({"recipient_id": cast.alex.id}, 422, "unknown_recipient"),
                ({"department_id": 99999}, 422, "unknown_department"),
                ({"recipient_id": cast.wangfang.id, "value": "loyalty"}, 422, "invalid"),
                ({"recipient_id": cast.wangfang.id, "message": ""}, 422, "invalid"),
                ({"recipient_id": cast.wangfang.id, "message": "赞" * 501}, 422, "invalid"),
                ({}, 422, "invalid"),
                ({"recipient_id": cast.wangfang.id,
                  "department_id": cast.departments["客服部"]}, 422, "invalid")):
            refused = await cast.lina.api.post(KUDOS, json={
                "value": "teamwork", "message": "谢谢", **body})
            assert refused.status_code == status, (body, refused.text)
            assert error_code(refused) == code, body
        # Someone who left is no longer thanked.
        async with cast.runtime.unit_of_work() as uow:
            from xietong.org.models import User
            await uow.session.execute(update(User).where(User.id == cast.liuyang.id)
                                      .values(active=False))
        gone = await cast.lina.api.post(KUDOS, json={
            "value": "teamwork", "message": "谢谢", "recipient_id": cast.liuyang.id})
        assert error_code(gone) == "unknown_recipient"
        async with cast.runtime.unit_of_work() as uow:
            await uow.session.execute(update(User).where(User.id == cast.liuyang.id)
                                      .values(active=True))


async def test_guests_neither_give_nor_see_kudos(cast: Cast) -> None:
    await thank(cast.lina, recipient_id=cast.wangfang.id)
    async with Unchanged(cast):
        for response in (await cast.alex.api.get(KUDOS),
                         await cast.alex.api.get(f"{KUDOS}/stats"),
                         await cast.alex.api.post(KUDOS, json={
                             "value": "teamwork", "message": "谢谢",
                             "recipient_id": cast.lina.id})):
            assert response.status_code == 403
            assert error_code(response) == "voice_for_staff"
        async with anonymous_client(cast.client) as nobody:
            assert (await nobody.get(KUDOS)).status_code == 401


async def test_counts_per_department_and_value_over_a_period(cast: Cast) -> None:
    await thank(cast.lina, "teamwork", recipient_id=cast.wangfang.id)
    await thank(cast.zhangwei, "teamwork", recipient_id=cast.wangfang.id)
    await thank(cast.wangfang, "excellence", department_id=cast.departments["研发部"])
    # 刘洋 is in 华东区: his kudos count there, not for 销售部 above it.
    await thank(cast.lina, "integrity", recipient_id=cast.liuyang.id)
    old = await thank(cast.lina, "ownership", recipient_id=cast.zhangwei.id)
    async with cast.runtime.unit_of_work() as uow:
        await uow.session.execute(update(Kudos).where(Kudos.id == old["id"])
                                  .values(created_at=utcnow() - timedelta(days=60)))
    stats = (await cast.zhoujianguo.api.get(f"{KUDOS}/stats")).json()
    assert stats["total"] == 4
    assert [(c["department"]["path"], c["count"]) for c in stats["by_department"]] == [
        (["客服部"], 2), (["销售部", "华东区"], 1), (["研发部"], 1)]
    assert {v["value"]: v["count"] for v in stats["by_value"]} == {
        "customer_first": 0, "teamwork": 2, "excellence": 1, "integrity": 1, "ownership": 0}
    today = utcnow().date()
    wide = (await cast.zhoujianguo.api.get(f"{KUDOS}/stats", params={
        "from": str(today - timedelta(days=90)), "to": str(today + timedelta(days=1))})).json()
    assert wide["total"] == 5
    assert (wide["start"], wide["end"]) == (str(today - timedelta(days=90)),
                                            str(today + timedelta(days=1)))
    for params in ({"from": str(today), "to": str(today - timedelta(days=1))},
                   {"from": str(today - timedelta(days=400)), "to": str(today)}):
        refused = await cast.lina.api.get(f"{KUDOS}/stats", params=params)
        assert refused.status_code == 422
        assert error_code(refused) == "bad_period"
    assert (await cast.lina.api.get(f"{KUDOS}/stats",
                                    params={"from": "昨天"})).status_code == 422
