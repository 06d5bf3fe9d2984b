"""Quick polls in a channel (a message whose card votes, with counts for voters and its
creator; `survey.changed` on the socket to the channel's members only), and the reminders
and closing a deadline brings: the reminder reaches only those who have not answered."""

from __future__ import annotations

from typing import Any

from tests.helpers import Cast, Follow, create_channel, error_code
from tests.projects.test_project_events import frames
from tests.realtime.wsclient import Socket
from tests.surveys.helpers import SURVEYS, answer, in_days, make_survey
from xietong.surveys.actions import CLOSE_JOB, REMIND_JOB

LUNCH: dict[str, Any] = {"kind": "poll", "title": "今天中午吃什么？",
         "questions": [{"kind": "single", "title": "今天中午吃什么？",
                        "options": ["兰州拉面", "黄焖鸡米饭", "麻辣香锅"]}]}


async def summary(person: Any, survey_id: int) -> dict[str, Any] | None:
    found = (await person.api.get("/api/v1/survey-summaries",
                                  params={"ids": [survey_id]})).json()["items"]
    return found[0] if found else None


async def vote(person: Any, poll: dict[str, Any], *options: int) -> Any:
    return await person.api.post(f"{SURVEYS}/{poll['id']}/responses", json={"answers": [
        {"question_id": poll["questions"][0]["id"], "option_ids": list(options)}]})


async def test_a_poll_posts_its_card_and_counts_live(cast: Cast, live_server: str) -> None:
    channel = await create_channel(cast.zhangwei, "销售午餐群", "private", cast.liuyang,
                                   cast.lina)
    sockets = {name: await Socket.open(live_server, cast.people[name].token)
               for name in ("zhangwei", "liuyang", "lina", "wangfang")}
    try:
        made = await cast.zhangwei.api.post(SURVEYS, json={**LUNCH, "channel_id": channel})
        assert made.status_code == 201, made.text
        poll = made.json()
        assert (poll["audience"]["kind"], poll["audience_size"], poll["results_published"]) == (
            "channel", 3, True)
        messages = (await cast.liuyang.api.get(f"/api/v1/channels/{channel}/messages")).json()
        posted = messages["items"][-1]
        assert posted["text"] == f"发起了投票：今天中午吃什么？\n/surveys/{poll['id']}"
        assert poll["message_id"] == messages["items"][-1]["id"]
        for name in ("zhangwei", "liuyang", "lina"):
            [frame] = await frames(sockets[name], "survey.changed", 1)
            assert frame["data"] == {"survey_id": poll["id"], "change": "created"}
        # Before voting a member sees the question, not the counts; its creator sees them.
        before = await summary(cast.liuyang, poll["id"])
        assert before is not None
        assert before["may_answer"]
        assert before["counts"] is None
        assert [o["label"] for o in before["question"]["options"]] == [
            "兰州拉面", "黄焖鸡米饭", "麻辣香锅"]
        creators = await summary(cast.zhangwei, poll["id"])
        assert creators is not None
        assert [c["count"] for c in creators["counts"]] == [0, 0, 0]
        assert (await vote(cast.liuyang, poll, 2)).status_code == 201
        for name in ("zhangwei", "liuyang", "lina"):
            [_, frame] = await frames(sockets[name], "survey.changed", 2)
            assert frame["data"] == {"survey_id": poll["id"], "change": "answered"}
        after = await summary(cast.liuyang, poll["id"])
        assert after is not None
        assert ([c["count"] for c in after["counts"]], after["my_choices"],
                after["may_answer"]) == ([0, 1, 0], [2], False)
        twice = await vote(cast.liuyang, poll, 1)
        assert (twice.status_code, error_code(twice)) == (409, "already_answered")
        both = await vote(cast.lina, poll, 1, 2)
        assert (both.status_code, error_code(both)) == (422, "one_option_only")
        # Not in the channel: no card, no frames, no vote.
        assert await summary(cast.wangfang, poll["id"]) is None
        assert (await vote(cast.wangfang, poll, 1)).status_code == 404
        assert not [f for f in await sockets["wangfang"].quiet() if f["type"] == "survey.changed"]
    finally:
        for socket in sockets.values():
            await socket.close()


async def test_a_poll_belongs_in_a_channel_its_creator_may_post_in(cast: Cast) -> None:
    channel = await create_channel(cast.zhangwei, "销售午餐群", "private", cast.liuyang)
    alone = await cast.zhangwei.api.post(SURVEYS, json={**LUNCH, "audience": {"kind": "company"}})
    assert (alone.status_code, error_code(alone)) == (422, "poll_needs_channel")
    outsider = await cast.lina.api.post(SURVEYS, json={**LUNCH, "channel_id": channel})
    assert outsider.status_code == 404
    both = await cast.zhangwei.api.post(SURVEYS, json={
        **LUNCH, "channel_id": channel, "audience": {"kind": "company"}})
    assert (both.status_code, error_code(both)) == (422, "audience_conflict")
    two = await cast.zhangwei.api.post(SURVEYS, json={
        **LUNCH, "channel_id": channel, "questions": LUNCH["questions"] * 2})
    assert (two.status_code, error_code(two)) == (422, "poll_shape")


async def notified(person: Any) -> list[tuple[str, str]]:
    items = (await person.api.get("/api/v1/notifications")).json()["items"]
    return [(n["kind"], n["link"]) for n in items if n["kind"].startswith("survey_")]


async def test_invitations_reminders_and_closing(cast: Cast, follow: Follow) -> None:
    await follow.held()
    survey = await make_survey(cast.linxiaoyan, deadline=in_days(2))
    link = f"/surveys/{survey['id']}"
    await follow.catch_up()
    assert await notified(cast.lina) == [("survey_invited", link)]
    assert await notified(cast.linxiaoyan) == []  # its creator is not invited by herself
    assert (await answer(cast.lina, survey)).status_code == 201
    registry = cast.runtime.jobs.registry
    remind, close = registry.handler_for(REMIND_JOB), registry.handler_for(CLOSE_JOB)
    assert remind is not None
    assert close is not None
    async with cast.runtime.unit_of_work() as uow:
        await remind(uow, {"survey_id": survey["id"]})
    await follow.catch_up()
    assert await notified(cast.lina) == [("survey_invited", link)]
    assert await notified(cast.zhangwei) == [("survey_reminder", link), ("survey_invited", link)]
    async with cast.runtime.unit_of_work() as uow:
        await close(uow, {"survey_id": survey["id"]})
    closed = (await cast.zhangwei.api.get(f"{SURVEYS}/{survey['id']}")).json()
    assert (closed["closed"], closed["may_answer"]) == (True, False)
    late = await answer(cast.zhangwei, survey)
    assert (late.status_code, error_code(late)) == (409, "survey_closed")
    # A reminder after closing reminds nobody.
    async with cast.runtime.unit_of_work() as uow:
        await remind(uow, {"survey_id": survey["id"]})
    await follow.catch_up()
    assert len(await notified(cast.zhangwei)) == 2
