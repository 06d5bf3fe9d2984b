"""Who reads the organisation's scopes (`user:N`, `department:N`), asked one scope at a time
(`may_see`) and all at once (`readable`): both follow the directory's rules for members,
guests and the deactivated, and answer with few queries (a socket's subscriptions are asked
for at every connect and every membership change)."""

from __future__ import annotations

import httpx

from tests.helpers import Cast, create_channel, statements
from xietong.core.events import USER, Scope
from xietong.org.events import DEPARTMENT
from xietong.realtime.scopes import Scopes
from xietong.runtime import Runtime

NOBODY = 999_999


def registry(runtime: Runtime) -> Scopes:
    """The scope resolvers of every domain, as the hub asks them."""
    return Scopes(resolver for domain in runtime.domains for resolver in domain.scope_resolvers)


async def sees(runtime: Runtime, viewer_id: int, scope: Scope) -> bool:
    async with runtime.reader() as uow:
        return await registry(runtime).may_see(uow, viewer_id, scope)


async def seen_people(runtime: Runtime, viewer_id: int, candidates: list[int]) -> set[int]:
    """Those of `candidates` whose scope `viewer_id` may see, asked one by one."""
    return {c for c in candidates if await sees(runtime, viewer_id, Scope(USER, c))}


async def test_one_person_at_a_time_agrees_with_the_whole_set(cast: Cast) -> None:
    runtime = cast.runtime
    everyone = [p.id for p in cast.people.values()]
    candidates = [*everyone, NOBODY]
    await create_channel(cast.zhangwei, "顾问沟通", "private", cast.alex)
    deactivated = await cast.linxiaoyan.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                                  json={"active": False})
    assert deactivated.status_code == 200, deactivated.text

    # A member sees everyone, the deactivated included (their names label what they wrote).
    assert await seen_people(runtime, cast.lina.id, candidates) == set(candidates)
    # A guest: themselves and whom they share a conversation with, no one else.
    assert await seen_people(runtime, cast.alex.id, candidates) == {cast.alex.id,
                                                                    cast.zhangwei.id}
    # The deactivated and the unknown see nobody, not even themselves.
    assert await seen_people(runtime, cast.liuyang.id, candidates) == set()
    assert await seen_people(runtime, NOBODY, candidates) == set()

    for viewer in (cast.lina.id, cast.alex.id, cast.liuyang.id, NOBODY):
        async with runtime.reader() as uow:
            reads = await registry(runtime).readable(uow, viewer)
        assert {c for c in candidates if reads.covers(Scope(USER, c))} == \
            await seen_people(runtime, viewer, candidates), viewer

    # The org chart: members, not guests, not the deactivated.
    department = Scope(DEPARTMENT, cast.departments["销售部"])
    assert [await sees(runtime, p, department)
            for p in (cast.lina.id, cast.alex.id, cast.liuyang.id, NOBODY)] == [
        True, False, False, False]


async def test_a_guest_leaving_the_conversation_is_no_longer_seen(cast: Cast) -> None:
    channel_id = await create_channel(cast.zhangwei, "顾问沟通", "private", cast.alex)
    assert await sees(cast.runtime, cast.alex.id, Scope(USER, cast.zhangwei.id))
    left = await cast.alex.api.delete(f"/api/v1/channels/{channel_id}/members/{cast.alex.id}")
    assert left.status_code in (200, 204), left.text
    assert not await sees(cast.runtime, cast.alex.id, Scope(USER, cast.zhangwei.id))
    assert await sees(cast.runtime, cast.alex.id, Scope(USER, cast.alex.id))


async def test_few_queries(cast: Cast) -> None:
    """A guest asked about one person: their row and one look at their conversations,
    limited to that person (not everyone they share one with). The whole set: the person is
    loaded once, though two resolvers need them."""
    runtime = cast.runtime
    await create_channel(cast.zhangwei, "顾问沟通", "private", cast.alex, cast.lina)
    async with runtime.reader() as uow:
        with statements(runtime, words=None) as seen:
            assert await registry(runtime).may_see(uow, cast.alex.id,
                                                   Scope(USER, cast.lina.id))
    assert len(seen) == 2, seen
    [asked] = [s for s in seen if "FROM channel_members" in s]
    assert "channel_members.user_id IN" in asked, asked
    async with runtime.reader() as uow:
        with statements(runtime) as seen:
            assert await registry(runtime).may_see(uow, cast.lina.id,
                                                   Scope(USER, cast.alex.id))
    assert len(seen) == 1, seen  # a member sees everyone: their row says so

    for person in (cast.lina, cast.alex):
        async with runtime.reader() as uow:
            with statements(runtime) as seen:
                await registry(runtime).readable(uow, person.id)
        assert len([s for s in seen if s.startswith("SELECT users.")]) == 1, seen


async def test_a_guest_opens_only_profiles_they_may_see(cast: Cast) -> None:
    """`GET /users/{id}` asks the same one-person question: an invisible person and a
    missing one look alike."""
    await create_channel(cast.zhangwei, "顾问沟通", "private", cast.alex)

    async def status(user_id: int) -> int:
        response: httpx.Response = await cast.alex.api.get(f"/api/v1/users/{user_id}")
        return response.status_code

    assert [await status(u) for u in (cast.alex.id, cast.zhangwei.id, cast.lina.id,
                                      NOBODY)] == [200, 200, 404, 404]
