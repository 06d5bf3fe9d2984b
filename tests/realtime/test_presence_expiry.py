"""Presence expires. A socket whose client falls silent (its connection open, nothing said,
not even a ping) is closed, and whoever watches its person sees them go offline, unless
they are still connected elsewhere; a client that keeps pinging is never expired. A node
that dies leaves its people's presence in Redis: the live nodes take them offline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Backend, serving
from tests.helpers import Cast
from tests.realtime.test_guarantees import PASSWORD, bearer, setup_channel
from tests.realtime.wsclient import Socket
from tests.servers import Node
from xietong.runtime import Runtime

# Short, so the test is quick; pings come four times as often, so a loaded machine still
# gets them in on time.
IDLE = 2.0
# Ample: nothing below waits this long unless something is wrong.
WAIT = 6 * IDLE


@contextlib.asynccontextmanager
async def pinging(socket: Socket, every: float = IDLE / 4) -> AsyncIterator[None]:
    """Ping over `socket` while inside, as the web client does (every 25 s in earnest)."""
    async def ping() -> None:
        while True:
            await socket.send({"type": "ping"})
            await asyncio.sleep(every)

    task = asyncio.create_task(ping())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def listen(socket: Socket, seconds: float) -> None:
    """Read whatever arrives for `seconds` (`Socket.quiet` waits for a pause, and a pinging
    socket has none)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                await socket.next_frame(seconds)


def presence_of(socket: Socket, user_id: int) -> list[str]:
    return [f["data"]["status"] for f in socket.other
            if f["type"] == "presence" and f["data"]["user_id"] == user_id]


async def test_a_silent_socket_is_closed_and_its_person_goes_offline(backend: Backend,
                                                                     cast: Cast) -> None:
    runtime = Runtime(backend.settings(ws_idle_seconds=IDLE))
    opened: list[Socket] = []

    async def open_socket(url: str, token: str) -> Socket:
        opened.append(await Socket.open(url, token))
        return opened[-1]

    try:
        async with serving(runtime) as url:
            try:
                watcher = await open_socket(url, cast.zhangwei.token)
                async with pinging(watcher):
                    await watcher.send({"type": "watch_presence", "user_ids": [cast.lina.id]})
                    await watcher.wait_for("presence", user_id=cast.lina.id, status="offline")
                    # 李娜 in two tabs: one falls silent, the other keeps pinging.
                    silent = await open_socket(url, cast.lina.token)
                    await watcher.wait_for("presence", user_id=cast.lina.id, status="online")
                    alive = await open_socket(url, cast.lina.token)
                    async with pinging(alive):
                        assert await silent.refused_with(WAIT) == ("idle_timeout", 4408)
                        # Still connected in the other tab: still online, and nothing said.
                        await listen(watcher, IDLE)
                        assert presence_of(watcher, cast.lina.id) == ["offline", "online"]
                        statuses = await runtime.realtime.statuses([cast.lina.id])
                        assert statuses == {cast.lina.id: "online"}
                        watcher.other.clear()
                    # The other tab falls silent too: she goes offline, and her watcher hears.
                    assert await alive.refused_with(WAIT) == ("idle_timeout", 4408)
                    gone = await watcher.wait_for("presence", timeout=WAIT,
                                                  user_id=cast.lina.id, status="offline")
                    assert gone["data"] == {"user_id": cast.lina.id, "status": "offline"}
                    assert presence_of(watcher, cast.lina.id) == ["offline"]
                    assert await runtime.realtime.statuses([cast.lina.id]) == {
                        cast.lina.id: "offline"}
                    assert not runtime.realtime.hub.connections_of(cast.lina.id)
                    # The watcher, pinging all along, has outlived several timeouts.
                    watcher.other.clear()
                    await watcher.wait_for("pong")
            finally:
                # (An open socket would keep the server from stopping.)
                for socket in opened:
                    await socket.close()
    finally:
        await runtime.close()


@pytest.mark.slow
async def test_the_people_of_a_dead_node_go_offline(backend: Backend, tmp_path: Path) -> None:
    """kill -9 of a node leaves its presence in Redis, and nobody to take it out: the other
    nodes notice its heartbeat stopped and announce its people as they are now."""
    if not backend.is_postgres:
        pytest.skip("several nodes need PostgreSQL + Redis; this is the SQLite run")
    ttl = 2.0
    async with backend.installation(tmp_path, PASSWORD) as env:
        env = {**env, "XIETONG_PRESENCE_TTL_SECONDS": str(ttl)}
        # A watches, B dies, C lives on too: A and C both notice, one of them sweeps.
        nodes = [Node(dict(env)).start() for _ in range(3)]
        a, b, _ = nodes
        try:
            boss, lina, _ = await setup_channel(a.url)
            watcher = await Socket.open(a.url, boss)
            async with pinging(watcher, ttl / 4):
                on_b = await Socket.open(b.url, lina)
                lina_id = on_b.other[0]["data"]["user_id"]
                await watcher.send({"type": "watch_presence", "user_ids": [lina_id]})
                await watcher.wait_for("presence", user_id=lina_id, status="online")
                watcher.other.clear()
                b.kill()
                gone = await watcher.wait_for("presence", timeout=10 * ttl, user_id=lina_id,
                                              status="offline")
                assert gone["data"] == {"user_id": lina_id, "status": "offline"}
                # One announcement: one node swept it, though two noticed.
                await listen(watcher, ttl)
                assert presence_of(watcher, lina_id) == ["offline"]
                async with bearer(a.url, boss) as api:
                    looked_up = await api.get("/api/v1/presence",
                                              params={"user_ids": str(lina_id)})
                assert looked_up.json()["statuses"] == {str(lina_id): "offline"}
            await watcher.close()
        finally:
            for node in nodes:
                node.stop()
