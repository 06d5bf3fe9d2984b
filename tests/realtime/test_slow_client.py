"""A client that stops reading must not slow anyone else: it is cut off (4008) once its
queue is full, and loses nothing because it resumes from its last event id."""

from __future__ import annotations

import asyncio
import base64
import os
import socket

import httpx

from tests.conftest import Backend, serving
from tests.helpers import Cast
from tests.realtime.wsclient import Socket
from xietong.runtime import Runtime

MESSAGES = 150


async def test_stuck_client_is_cut_off_and_others_keep_up(backend: Backend, cast: Cast) -> None:
    runtime = Runtime(backend.settings(ws_queue_limit=50))
    try:
        async with serving(runtime) as url:
            channel = await cast.zhangwei.api.post("/api/v1/channels", json={
                "name": "大文件讨论", "kind": "private", "member_ids": [cast.lina.id]})
            channel_id = channel.json()["id"]
            fast = await Socket.open(url, cast.lina.token)
            # A client that completes the handshake and then never reads again, with a tiny
            # kernel receive buffer: the server's writes to it soon block.
            stuck = socket.socket()
            stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stuck.connect(("127.0.0.1", int(url.rsplit(":", 1)[1])))
            key = base64.b64encode(os.urandom(16)).decode()
            stuck.sendall(
                f"GET /api/v1/events/ws?token={cast.lina.token} HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
            hub = runtime.realtime.hub
            async with asyncio.timeout(5):
                while len(hub.connections_of(cast.lina.id)) < 2:
                    await asyncio.sleep(0.02)
            start = fast.other[0]["data"]["last_event_id"]
            big = "大" * 12_000

            async def read_fast() -> None:
                while len([e for e in fast.events if e["type"] == "message.created"]) < MESSAGES:
                    await fast.next_frame(20)

            # The fast client reads all along, as a live client does.
            reader = asyncio.create_task(read_fast())
            # Sent through this server, so its hub is woken at once for each message.
            async with httpx.AsyncClient(base_url=url, headers={
                    "Authorization": f"Bearer {cast.zhangwei.token}"}) as api:
                for i in range(MESSAGES):
                    sent = await api.post(f"/api/v1/channels/{channel_id}/messages",
                                          json={"text": f"{i} {big}"})
                    assert sent.status_code == 201

            await reader
            # The server dropped the stuck socket; the fast one is all that is left.
            async with asyncio.timeout(10):
                while len(hub.connections_of(cast.lina.id)) > 1:
                    await asyncio.sleep(0.05)
            stuck.close()
            # The stuck client comes back and resumes from where it was: nothing is lost.
            resumed = await Socket.open(url, cast.lina.token, last_event_id=start)
            while len([e for e in resumed.events if e["type"] == "message.created"]) < MESSAGES:
                await resumed.next_frame(10)
            texts = [e["data"]["message"]["text"].split()[0] for e in resumed.events
                     if e["type"] == "message.created"]
            assert texts == [str(i) for i in range(MESSAGES)]
            await fast.close()
            await resumed.close()
    finally:
        await runtime.close()
