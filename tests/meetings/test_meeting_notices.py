"""Invitations and reminders: each invited person is notified once; the reminder is a
durable job per meeting and start, sent once to those who did not decline, and a moved or
cancelled meeting's old job reminds nobody. Who receives each `meeting.changed` frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.helpers import Cast, Follow, Person
from tests.meetings.test_meetings import MEETINGS, local, make_meeting
from tests.realtime.wsclient import Socket
from xietong.jobs.models import Job
from xietong.meetings.reminders import REMINDER_JOB, send_reminder


async def notices(person: Person, kind: str) -> list[tuple[str, str]]:
    items = (await person.api.get("/api/v1/notifications")).json()["items"]
    return [(n["title"], n["link"]) for n in items if n["kind"] == kind]


async def test_invitations_and_one_reminder_for_those_coming(cast: Cast,
                                                             follow: Follow) -> None:
    await follow.held()
    start = local(3, 10)
    meeting = await make_meeting(cast.lina, "季度经营分析会", starts_at=start,
                                 attendee_ids=[cast.zhangwei.id, cast.liuyang.id],
                                 remind_minutes=30)
    await follow.catch_up()
    link = f"/meetings/{meeting['id']}"
    assert await notices(cast.zhangwei, "meeting_invited") == [
        ("李娜 邀请你参加会议：季度经营分析会", link)]
    assert await notices(cast.lina, "meeting_invited") == []
    # The reminder's job: keyed by meeting and start, due 30 minutes before.
    async with cast.runtime.reader() as uow:
        [job] = (await uow.session.scalars(select(Job).where(Job.kind == REMINDER_JOB))).all()
    assert job.run_at == start.astimezone(UTC) - timedelta(minutes=30)
    await cast.liuyang.api.post(f"{MEETINGS}/{meeting['id']}/response",
                                json={"response": "declined"})
    now = datetime.now(UTC)
    for attempt in range(2):  # a retried job reminds nobody again
        async with cast.runtime.unit_of_work() as uow:
            sent = await send_reminder(uow, meeting["id"], job.payload["starts_at"], now)
        assert sent == (attempt == 0)
    await follow.catch_up()
    assert await notices(cast.zhangwei, "meeting_reminder") == [
        ("会议即将开始：季度经营分析会", link)]
    assert await notices(cast.lina, "meeting_reminder") == [
        ("会议即将开始：季度经营分析会", link)]
    assert await notices(cast.liuyang, "meeting_reminder") == []


async def test_a_moved_meetings_old_reminder_is_cancelled(cast: Cast) -> None:
    meeting = await make_meeting(cast.lina, starts_at=local(3, 10), remind_minutes=15)
    moved = await cast.lina.api.patch(f"{MEETINGS}/{meeting['id']}", json={
        "starts_at": local(4, 10).isoformat(), "ends_at": local(4, 11).isoformat()})
    assert moved.status_code == 200
    async with cast.runtime.reader() as uow:
        jobs = (await uow.session.scalars(
            select(Job).where(Job.kind == REMINDER_JOB).order_by(Job.id))).all()
    assert [j.state for j in jobs] == ["cancelled", "queued"]
    # The old job, had it run anyway, reminds nobody: the meeting moved.
    async with cast.runtime.unit_of_work() as uow:
        assert not await send_reminder(uow, meeting["id"], jobs[0].payload["starts_at"],
                                       datetime.now(UTC))
    assert (await cast.lina.api.delete(f"{MEETINGS}/{meeting['id']}")).status_code == 204
    async with cast.runtime.reader() as uow:
        states = [j.state for j in (await uow.session.scalars(
            select(Job).where(Job.kind == REMINDER_JOB).order_by(Job.id))).all()]
    assert states == ["cancelled", "cancelled"]


async def test_who_hears_of_a_meetings_changes(cast: Cast, live_server: str) -> None:
    meeting = await make_meeting(cast.lina, attendee_ids=[cast.zhangwei.id])
    attendee = await Socket.open(live_server, cast.zhangwei.token)
    outsider = await Socket.open(live_server, cast.wangfang.token)
    try:
        answered = await cast.zhangwei.api.post(f"{MEETINGS}/{meeting['id']}/response",
                                                json={"response": "accepted"})
        assert answered.status_code == 200
        frame = await attendee.wait_for("meeting.changed", change="response")
        assert frame["data"]["meeting"]["id"] == meeting["id"]
        # Removed from it: told once more, then it is no longer theirs to hear of.
        await cast.lina.api.patch(f"{MEETINGS}/{meeting['id']}", json={"attendee_ids": []})
        await attendee.wait_for("meeting.changed", change="updated")
        await cast.lina.api.put(f"{MEETINGS}/{meeting['id']}/minutes", json={"minutes": "x"})
        heard = await attendee.quiet()
        assert [f for f in heard if f["type"] == "meeting.changed"] == []
        assert [f for f in await outsider.quiet() if f["type"] == "meeting.changed"] == []
    finally:
        await attendee.close()
        await outsider.close()
