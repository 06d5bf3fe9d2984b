"""Co-editing across two nodes (PostgreSQL + Redis): twenty scripted editors split over
both, one node killed in the middle and started again, its editors reconnecting to the
other — every replica, the store and the derived text end identical, nothing typed lost or
doubled."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.documents.yclient import Editor, eventually
from tests.realtime.test_guarantees import Cluster, bearer, cluster, postgres_only, sign_in

__all__ = ["cluster", "postgres_only"]

EDITORS = 20
ROUNDS = 6


async def make_page(base: str, token: str) -> int:
    async with bearer(base, token) as api:
        space = await api.post("/api/v1/spaces", json={"name": "跨节点协作"})
        assert space.status_code == 201, space.text
        page = await api.post("/api/v1/pages", json={"space_id": space.json()["id"],
                                                     "title": "二十人一起写"})
        assert page.status_code == 201, page.text
        page_id: int = page.json()["id"]
        return page_id


async def test_twenty_editors_over_two_nodes_with_a_restart_converge(
        cluster: Cluster, postgres_only: None) -> None:
    a, b = cluster.node(), cluster.node()
    boss = await sign_in(a.url, "boss")
    page_id = await make_page(a.url, boss)
    editors = [await Editor.open((a if n % 2 else b).url, page_id, boss)
               for n in range(EDITORS)]
    for editor in editors:
        await editor.wait_synced()

    async def type_round(round_: int) -> None:
        for number, editor in enumerate(editors):
            editor.type_paragraph(f"编辑{number:02d}·第{round_}轮")
        await asyncio.sleep(0.05)

    for round_ in range(2):
        await type_round(round_)
    b.kill()  # in the middle of it: what B had not stored yet is still in its editors' replicas
    await type_round(2)
    for number in range(0, EDITORS, 2):  # B's editors reconnect to A
        editors[number] = await editors[number].reconnect(a.url, page_id, boss)
    await type_round(3)
    b.start()
    for number in range(0, EDITORS, 4):  # and some go back to B once it is up again
        editors[number] = await editors[number].reconnect(b.url, page_id, boss)
    for round_ in range(4, ROUNDS):
        await type_round(round_)

    expected = sorted(f"编辑{n:02d}·第{r}轮" for n in range(EDITORS) for r in range(ROUNDS))
    await eventually(lambda: all(sorted(e.text.split("\n")) == expected for e in editors),
                     timeout=60)
    assert len({e.text for e in editors}) == 1
    for editor in editors:
        await editor.close()
    # The store holds it all: a newcomer on either node gets exactly that.
    for node in (a, b):
        fresh = await Editor.open(node.url, page_id, boss)
        await fresh.wait_synced()
        await eventually(lambda fresh=fresh: sorted(fresh.text.split("\n")) == expected)
        assert fresh.text == editors[0].text
        await fresh.close()
    # And the page's derived text says the same, on both nodes.
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {boss}"}) as http:
        for node in (a, b):
            shown: dict[str, Any] = {}
            for _ in range(100):
                shown = (await http.get(f"{node.url}/api/v1/pages/{page_id}")).json()
                if sorted(shown["text"].split("\n")) == expected:
                    break
                await asyncio.sleep(0.1)
            assert sorted(shown["text"].split("\n")) == expected
