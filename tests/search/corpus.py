"""Loading the labelled corpus (corpus.json, written by make_corpus.py) into the database
with bulk inserts, then indexing it with `rebuild_index`, the backfill people run."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from tests.helpers import Cast
from xietong.chat.models import Channel, ChannelMember, Message
from xietong.search.indexing import rebuild_index

CORPUS = Path(__file__).with_name("corpus.json")


@cache
def corpus() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return loaded


@dataclass
class Loaded:
    channel_ids: dict[str, int]  # corpus key → id
    message_ids: dict[int, int]  # corpus id → id
    channel_of: dict[int, str]  # id → corpus channel key
    indexed: int

    def readable(self, username: str, channel_key: str) -> bool:
        channel = corpus()["channels"][channel_key]
        return username in channel["members"] or (
            channel["kind"] == "public" and username != "alex")


async def load_corpus(cast: Cast) -> Loaded:
    data = corpus()
    people = {name: person.id for name, person in cast.people.items()}
    async with cast.runtime.unit_of_work() as uow:
        channels = {}
        for key, spec in data["channels"].items():
            members = sorted(people[m] for m in spec["members"])
            channel = Channel(kind=spec["kind"], name=spec["name"], created_by=members[0],
                              dm_key=",".join(map(str, members)) if spec["kind"] == "dm" else None)
            uow.session.add(channel)
            channels[key] = (channel, members)
        await uow.flush()
        uow.session.add_all(ChannelMember(channel_id=channel.id, user_id=u)
                            for channel, members in channels.values() for u in members)
        rows = []
        for spec in data["messages"]:
            mentions = {"user_ids": [people[u] for u in spec["mention_users"]],
                        "department_ids": [cast.departments[d]
                                           for d in spec["mention_departments"]],
                        "all": spec["mention_all"]}
            created = datetime.fromisoformat(spec["created_at"])
            rows.append(Message(
                channel_id=channels[spec["channel"]][0].id, sender_id=people[spec["sender"]],
                text=spec["text"], html=html.escape(spec["text"]), created_at=created,
                deleted_at=created if spec["deleted"] else None, mentions=mentions,
                file_ids=[1] if spec["has_file"] else []))
        uow.session.add_all(rows)
        await uow.flush()
        message_ids = {spec["id"]: row.id for spec, row in zip(data["messages"], rows,
                                                              strict=True)}
        by_corpus_id = {spec["id"]: row for spec, row in zip(data["messages"], rows,
                                                            strict=True)}
        for spec, row in zip(data["messages"], rows, strict=True):
            if spec["thread_root"] is not None:
                root = by_corpus_id[spec["thread_root"]]
                row.thread_root_id = root.id
                root.reply_count += 1
        await uow.flush()
        indexed = await rebuild_index(uow)
    return Loaded(channel_ids={k: c.id for k, (c, _) in channels.items()},
                  message_ids=message_ids,
                  channel_of={message_ids[s["id"]]: s["channel"] for s in data["messages"]},
                  indexed=indexed)
