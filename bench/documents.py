"""Documents at company scale: 20 departments of 20 people, each with its department space,
and one space holding `--pages` pages (10,000) three levels deep — every 50th page at the
second level with grants of its own (its department only), which hide it and the pages
under it from everyone else — each page with a few hundred characters of Chinese text,
indexed for search. Then over real HTTP against a served node, `--samples` times each,
p50/p95/p99: the space's whole tree (one answer), a page deep in it, and search for pages by
a word most pages hold, by a word one page in a hundred holds, and by a word in no page —
as a colleague from another department (who does not see the restricted pages) and as one
of the space's own people.

    .venv/bin/python -m bench.documents [--postgres] [--pages 10000] [--samples 200]

The company and its pages are written with multi-row inserts, and indexed with the server's
own indexing functions in process (not through the actions: that would measure making
pages, not reading them).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.common import (
    PASSWORD,
    Environment,
    add_database_options,
    insert_company,
    latency_summary_ms,
    machine_info,
    print_report,
    scratch_environment,
    serving,
    sign_in,
)
from xietong.core import ranks
from xietong.core.clock import utcnow
from xietong.documents.models import Grant, Page, Space
from xietong.documents.searching import page_searchable
from xietong.search.indexing import do_index_many

DEPARTMENTS = 20
PEOPLE_PER_DEPARTMENT = 20
TOP_PAGES = 20
CHILDREN = 25
RESTRICTED_EVERY = 50
BATCH = 2_000
SPACE = 1  # department 1's space holds the big tree

TOPICS = ["发布流程", "接口规范", "值班手册", "客户回访", "预算编制", "招聘流程", "质量检查",
          "采购审批", "渠道培训", "版本规划", "数据备份", "安全审计", "需求评审", "故障复盘"]
PHRASES = ["本页说明{topic}的背景、目标和负责人。", "遇到问题先在频道里提出，再提工单。",
           "每周一更新一次进度，周五前完成复核。", "涉及客户数据的内容请先确认权限。",
           "上线前需要测试组验收，灰度观察三十分钟。", "相关部门：市场部、研发部、销售部、客服部。",
           "附件放在共享空间，版本号按日期命名。", "如有变更，请同步到项目周报。",
           "检查清单逐项打勾，未完成的写明原因。", "指标口径以财务部的月报为准。"]
RARE_WORD = "熔断演练"  # in one page of a hundred
ABSENT_WORD = "量子纠缠"


def page_text(rng: random.Random, n: int, topic: str) -> str:
    sentences = [rng.choice(PHRASES).format(topic=topic) for _ in range(rng.randrange(6, 12))]
    if n % 100 == 0:
        sentences.insert(rng.randrange(len(sentences)), f"本季度安排一次{RARE_WORD}。")
    return "\n".join(sentences)


async def build_company(environment: Environment, pages: int, seed: int) -> dict[str, Any]:
    """Departments and people, a space per department with its default grants, and the
    big tree in department 1's space, indexed."""
    rng = random.Random(seed)
    runtime = environment.runtime()
    try:
        password_hash = await runtime.passwords.hash(PASSWORD)
        now = utcnow()
        async with runtime.unit_of_work() as uow:
            session = uow.session
            await insert_company(session, departments=DEPARTMENTS,
                                 per_department=PEOPLE_PER_DEPARTMENT,
                                 password_hash=password_hash, managers=True)
            await session.execute(insert(Space), [
                {"id": d, "kind": "department", "department_id": d, "name": f"部门{d:02d}",
                 "description": "", "icon": "", "created_at": now, "updated_at": now}
                for d in range(1, DEPARTMENTS + 1)])
            await session.execute(insert(Grant), [
                grant for d in range(1, DEPARTMENTS + 1) for grant in (
                    {"space_id": d, "subject": "department", "department_id": d,
                     "level": "edit", "created_at": now},
                    {"space_id": d, "subject": "everyone", "level": "view",
                     "created_at": now})])
            rows, restricted, deepest = tree_rows(pages, rng, now)
            for start in range(0, len(rows), BATCH):
                await session.execute(insert(Page), rows[start:start + BATCH])
            await session.execute(insert(Grant), [
                {"page_id": page_id, "subject": "department", "department_id": SPACE,
                 "level": "edit", "created_at": now} for page_id in restricted])
            for start in range(0, len(rows), BATCH):
                await do_index_many(uow, [page_searchable(IndexedPage(
                    row["id"], row["title"], row["text"], row["created_by"],
                    row["created_at"])) for row in rows[start:start + BATCH]])
            if uow.is_postgres:
                await session.execute(text("ANALYZE"))
    finally:
        await runtime.close()
    hidden = sum(1 for row in rows if row["grants_from_id"] is not None)
    return {"pages": len(rows), "restricted_pages": len(restricted),
            "pages_hidden_from_other_departments": hidden, "deep_page": deepest,
            "rare_word_pages": sum(1 for row in rows if RARE_WORD in row["text"])}


@dataclass(frozen=True, slots=True)
class IndexedPage:
    """What indexing reads of a page (`searching.PageFields`)."""

    id: int
    title: str
    text: str
    created_by: int | None
    created_at: datetime


def tree_rows(count: int, rng: random.Random, now: Any
              ) -> tuple[list[dict[str, Any]], list[int], int]:
    """`count` pages: 20 at the top, 25 under each of those, the rest under the second
    level; every 50th of the second level restricted (its grants are its own, and the
    pages under it take them). Also the last page of the third level everyone reads."""
    rows: list[dict[str, Any]] = []
    deepest = 1
    restricted: list[int] = []
    second = list(range(TOP_PAGES + 1, TOP_PAGES + TOP_PAGES * CHILDREN + 1))
    spread = ranks.spread(CHILDREN * 20)
    source: dict[int, int | None] = {}
    for page_id in range(1, count + 1):
        if page_id <= TOP_PAGES:
            parent, depth = None, 0
        elif page_id <= TOP_PAGES + TOP_PAGES * CHILDREN:
            parent, depth = (page_id - TOP_PAGES - 1) // CHILDREN + 1, 1
        else:
            parent, depth = second[(page_id - 1) % len(second)], 2
        is_restricted = depth == 1 and page_id % RESTRICTED_EVERY == 0
        if is_restricted:
            restricted.append(page_id)
        source[page_id] = page_id if is_restricted else (
            source[parent] if parent is not None else None)
        topic = rng.choice(TOPICS)
        rows.append({"id": page_id, "space_id": SPACE, "parent_id": parent,
                     "title": f"{topic} {page_id}", "icon": "",
                     "rank": spread[page_id % len(spread)],
                     "classification": "internal", "restricted": is_restricted,
                     "grants_from_id": source[page_id],
                     "text": page_text(rng, page_id, topic), "markdown": "",
                     "content_version": 0, "created_by": 1, "created_at": now,
                     "updated_at": now})
        if depth == 2 and source[page_id] is None:
            deepest = page_id
    return rows, restricted, deepest


def measure(base_url: str, username: str, path: str, samples: int,
            params: dict[str, str] | None = None) -> dict[str, Any]:
    person = sign_in(base_url, username)
    with httpx.Client(base_url=base_url, timeout=60,
                      headers={"Authorization": f"Bearer {person.token}"}) as client:
        for _ in range(5):  # warm: connections, the first queries
            client.get(path, params=params)
        seconds = []
        for _ in range(samples):
            began = time.perf_counter()
            response = client.get(path, params=params)
            seconds.append(time.perf_counter() - began)
            response.raise_for_status()
        body = response.json()
    found = len(body["items"]) if "items" in body else None
    return {"as": username, "path": path, "params": params or {},
            "bytes": len(response.content), "items": found,
            **({"total": body["total"]} if "total" in body else {}),
            **latency_summary_ms(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    with scratch_environment(postgres=args.postgres) as environment:
        began = time.perf_counter()
        company = asyncio.run(build_company(environment, args.pages, args.seed))
        built = time.perf_counter() - began
        # user0021: another department's (reads the space, not its restricted pages);
        # user0002: one of the space's own people.
        outsider, insider = "user0021", "user0002"
        with serving(environment) as server:
            url = server.base_url
            reads = [
                measure(url, outsider, f"/api/v1/spaces/{SPACE}/tree", args.samples),
                measure(url, insider, f"/api/v1/spaces/{SPACE}/tree", args.samples),
                measure(url, outsider, f"/api/v1/pages/{company['deep_page']}", args.samples),
            ]
            searches = [
                measure(url, person, "/api/v1/search", args.samples,
                        {"q": q, "kind": "page", "limit": "20"})
                for q in ("发布", RARE_WORD, ABSENT_WORD) for person in (outsider, insider)]
    print_report({"benchmark": "documents", "database": environment.database, **company,
                  "build_seconds": round(built, 1), "reads": reads, "searches": searches,
                  "machine": machine_info()})


if __name__ == "__main__":
    main()
