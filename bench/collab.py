"""Co-editing one page: `--editors` (20) scripted Yjs peers (pycrdt, speaking the
y-websocket protocol as the browser's provider does) connected to a served node, each making
`--rate` (5) changes a second for `--seconds` (60) — a few characters typed into its own
paragraph, stamped with the time it was made. Every other editor notes when each change
reaches it: p50/p99 propagation, the server's CPU and memory. Then opening a 1 MB page
(`--document-kb`): a fresh editor's time from connecting to holding the whole document,
with nobody else in the room (read from the store) and with someone in it (in memory).

    .venv/bin/python -m bench.collab [--postgres] [--editors 20] [--rate 5] [--seconds 60]

The load generator (all the editors, one process) runs on the same two cores as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from typing import Any

import httpx
from pycrdt import Doc, Map, MapEvent, XmlElement, XmlText
from tests.documents.yclient import Editor, eventually

from bench.common import (
    Admin,
    CpuMeter,
    add_database_options,
    latency_summary_ms,
    machine_info,
    print_report,
    rss_kib,
    scratch_environment,
    serving,
)
from xietong.documents.ydoc import fragment_of

STAMPS = "bench-stamps"


async def make_page(base_url: str, token: str, title: str) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                 headers={"Authorization": f"Bearer {token}"}) as api:
        space = await api.post("/api/v1/spaces", json={"name": f"{title} 空间"})
        space.raise_for_status()
        page = await api.post("/api/v1/pages", json={"space_id": space.json()["id"],
                                                     "title": title})
        page.raise_for_status()
        page_id: int = page.json()["id"]
        return page_id


async def typing(base_url: str, token: str, editors: int, rate: float,
                 seconds: float, pid: int, postgres: bool) -> dict[str, Any]:
    page_id = await make_page(base_url, token, "二十人同时编辑")
    people = [await Editor.open(base_url, page_id, token) for _ in range(editors)]
    for editor in people:
        await editor.wait_synced()
    delays: list[float] = []
    seen = 0
    subscriptions = []  # kept: a dropped subscription stops observing

    def watch(me: int, doc: Doc[Any]) -> None:
        def arrived(event: MapEvent) -> None:
            nonlocal seen
            now = time.time()
            keys: dict[str, dict[str, Any]] = getattr(event, "keys")  # noqa: B009
            for key, change in keys.items():
                if change.get("action") == "add" and not key.startswith(f"{me}:"):
                    delays.append(now - float(change["newValue"]))
                    seen += 1
        subscriptions.append(doc.get(STAMPS, type=Map).observe(arrived))

    paragraphs = []
    for number, editor in enumerate(people):
        watch(number, editor.doc)
        paragraph = fragment_of(editor.doc).children.append(XmlElement("paragraph"))
        paragraphs.append(paragraph.children.append(XmlText()))
    await asyncio.sleep(1.0)
    delays.clear()
    seen = 0
    meter = CpuMeter(pid, postgres)
    rss_before = rss_kib(pid)
    rng = random.Random(7)
    interval = 1.0 / rate
    sent = 0

    async def one(number: int) -> None:
        nonlocal sent
        editor, text = people[number], paragraphs[number]
        await asyncio.sleep(rng.random() * interval)
        deadline = time.monotonic() + seconds
        count = 0
        while time.monotonic() < deadline:
            with editor.doc.transaction():
                text.insert(len(text), rng.choice(["协同", "编辑", "文档", "abc ", "。"]))
                editor.doc.get(STAMPS, type=Map)[f"{number}:{count}"] = time.time()
            count += 1
            sent += 1
            await asyncio.sleep(interval)

    await asyncio.gather(*(one(n) for n in range(editors)))
    expected = sent * (editors - 1)
    with contextlib.suppress(AssertionError):
        await eventually(lambda: seen >= expected, timeout=30)
    cores = meter.cores_used()
    rss_after = rss_kib(pid)
    texts = {e.text for e in people}
    for editor in people:
        await editor.close()
    return {"editors": editors, "changes_per_second_each": rate, "seconds": seconds,
            "changes": sent, "deliveries_expected": expected, "deliveries_seen": seen,
            "replicas_identical": len(texts) == 1,
            "propagation": latency_summary_ms(delays, with_max=True), "cores": cores,
            "server_rss_mb": round(rss_after / 1024, 1),
            "server_rss_growth_mb": round((rss_after - rss_before) / 1024, 1)}


async def opening(base_url: str, token: str, kilobytes: int, samples: int) -> dict[str, Any]:
    """A page of about `kilobytes` KB of text, opened cold (from the store) and warm."""
    page_id = await make_page(base_url, token, "一兆字节的文档")
    writer = await Editor.open(base_url, page_id, token)
    await writer.wait_synced()
    line = "这是一段用来测量打开大文档所需时间的中文文字，包含标点和 English words。" * 4
    written = 0
    while written < kilobytes * 1024:
        with writer.doc.transaction():
            for _ in range(50):
                paragraph = fragment_of(writer.doc).children.append(XmlElement("paragraph"))
                paragraph.children.append(XmlText(line))
                written += len(line.encode())
        await asyncio.sleep(0.05)
    size = len(writer.doc.get_update())
    target = writer.text
    await writer.close()
    await asyncio.sleep(2.0)  # the room is let go: opening reads the store

    async def open_once() -> float:
        began = time.perf_counter()
        reader = await Editor.open(base_url, page_id, token)
        await reader.wait_synced(timeout=60)
        elapsed = time.perf_counter() - began
        assert len(reader.text) == len(target)
        await reader.close()
        return elapsed

    cold = []
    for _ in range(samples):
        cold.append(await open_once())
        await asyncio.sleep(0.3)
    keeper = await Editor.open(base_url, page_id, token)
    await keeper.wait_synced(timeout=60)
    warm = [await open_once() for _ in range(samples)]
    await keeper.close()
    return {"document_bytes": size, "text_characters": len(target),
            "cold": latency_summary_ms(cold), "warm": latency_summary_ms(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--document-kb", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=10)
    add_database_options(parser)
    args = parser.parse_args()
    with scratch_environment(postgres=args.postgres) as environment, \
            serving(environment) as server:
        admin = Admin(server)
        token = admin.person.token
        typed = asyncio.run(typing(server.base_url, token, args.editors, args.rate,
                                   args.seconds, server.pid, args.postgres))
        opened = asyncio.run(opening(server.base_url, token, args.document_kb, args.samples))
        admin.close()
    print_report({"benchmark": "collab", "database": environment.database, "typing": typed,
                  "opening": opened, "machine": machine_info()})


if __name__ == "__main__":
    main()
