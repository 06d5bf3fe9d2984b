"""Dispatch suggestions for a request being written: which department, which type, whom.

The models (`requests.dispatch`) are trained on the company's closed requests by a
recurring job, and stored in `dispatch_models`; a process keeps the copy of the revision
it last read. The keyword lists speak for departments and types by name, so they are
mapped onto this company's departments and types of those names. The assignees suggested
are the receiving department's people with the fewest open requests. A department is
called by its name (and by its name without 部/组: 客服), and by what the package's name
lists call a department of its name (法务 for 总经办): how the model and the keywords tell
the department a request asks from the one asking (`dispatch.mentions`)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.revisions import ByRevision
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobNeeds
from xietong.org import queries as org_queries
from xietong.org.models import Department
from xietong.requests import queries
from xietong.requests.actions import assignable_ids
from xietong.requests.dispatch import (
    DEPARTMENT_KEYWORDS,
    DEPARTMENT_NAMES,
    TYPE_KEYWORDS,
    DispatchModel,
    LabelledText,
    Suggestion,
    Target,
    dumps,
    loads,
    name_table,
    suggest,
    train,
)
from xietong.requests.models import DispatchModelRow, Request, RequestType, Status

TRAINING_JOB = "requests.dispatch_training"
# Nightly, when nobody files requests: a training takes seconds of one core.
TRAINING_SCHEDULE = "daily 03:30"
# The most recent closed requests a model learns from.
TRAINING_LIMIT = 5000
TARGETS: tuple[Target, ...] = ("department", "type")
_models: ByRevision[DispatchModel] = ByRevision()


@dataclass(frozen=True, slots=True)
class Suggested:
    departments: list[tuple[Department, Suggestion]]
    types: list[tuple[RequestType, Suggestion]]
    # (person, open requests) in the first department suggested, the least loaded first.
    assignees: list[tuple[int, int]]


def by_id(keywords: Mapping[str, Sequence[str]], names: Mapping[int, str]
          ) -> dict[str, list[str]]:
    """The keyword lists of the labels named like one of `names`, keyed by its id."""
    ids = {name: identifier for identifier, name in names.items()}
    return {str(ids[label]): list(words) for label, words in keywords.items() if label in ids}


async def _labels(uow: UnitOfWork) -> tuple[dict[int, Department], dict[int, RequestType]]:
    """What the labels of the models name: the departments, and the types still in use."""
    departments = {d.id: d for d in await org_queries.all_departments(uow)}
    types = {t.id: t for t in await queries.types_of(uow, None, include_archived=False)}
    return departments, types


def _names(rows: Mapping[int, Department | RequestType]) -> dict[int, str]:
    return {identifier: row.name for identifier, row in rows.items()}


def department_names(departments: Mapping[int, Department]) -> dict[str, list[str]]:
    """What each department is called in a request, keyed by its id: its name, its name
    without 部 or 组 (客服部 → 客服, 前端组 → 前端), and the package's names for a
    department of its name."""
    called: dict[str, list[str]] = {}
    for identifier, department in departments.items():
        name = department.name.strip()
        short = name[:-1] if name.endswith(("部", "组")) and len(name) > 2 else name
        called[str(identifier)] = list(dict.fromkeys(
            [name, short, *DEPARTMENT_NAMES.get(name, ())]))
    return called


async def training_examples(uow: UnitOfWork) -> list[LabelledText]:
    """The company's closed and resolved requests, newest first: where they ended up is
    where they belonged (a rejected one went to the wrong place, so it teaches nothing)."""
    rows = await uow.session.execute(
        select(Request.title, Request.description, Request.department_id, Request.type_id)
        .where(Request.status.in_([Status.CLOSED.value, Status.RESOLVED.value]))
        .order_by(Request.id.desc()).limit(TRAINING_LIMIT))
    return [LabelledText(f"{title}\n{description}", str(department),
                         str(type_id) if type_id is not None else None)
            for title, description, department, type_id in rows]


def training_handler(needs: JobNeeds) -> JobHandler:
    """Train both models on the closed requests (in a thread: seconds of CPU) and store
    them; a target with fewer than two labels to tell apart keeps its last model."""

    async def train_models(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        examples = await training_examples(uow)
        departments, types = await _labels(uow)
        keywords = {"department": by_id(DEPARTMENT_KEYWORDS, _names(departments)),
                    "type": by_id(TYPE_KEYWORDS, _names(types))}
        names = {"department": department_names(departments), "type": {}}
        for target in TARGETS:
            try:
                model = await anyio.to_thread.run_sync(functools.partial(
                    train, examples, target, keywords[target], names=names[target]))
            except ValueError:
                continue
            await uow.upsert(table_of(DispatchModelRow), {
                "target": target, "revision": secrets.token_hex(8),
                "payload": dumps(model).decode(), "examples": len(examples),
                "trained_at": utcnow()}, key=("target",))

    return train_models


async def _model(uow: UnitOfWork, target: str) -> DispatchModel | None:
    revision = await uow.session.scalar(
        select(DispatchModelRow.revision).where(DispatchModelRow.target == target))
    if revision is None:
        return None
    cached = _models.get(revision)
    if cached is None:
        row = await uow.session.get(DispatchModelRow, target)
        if row is None:
            return None
        cached = loads(row.payload.encode())
        _models.put(row.revision, cached)
    return cached


async def suggestions(uow: UnitOfWork, text: str, *, requester_id: int) -> Suggested:
    """Departments (never the requester's own: a request crosses a wall), types (of the
    suggested departments first) and the least loaded people of the first department."""
    departments, types = await _labels(uow)
    memberships = await org_queries.memberships_of(uow, [requester_id])
    own = set(memberships[requester_id].department_ids)
    found = suggest(text, await _model(uow, "department"),
                    by_id(DEPARTMENT_KEYWORDS, _names(departments)), k=6,
                    names=name_table(department_names(departments)))
    chosen = [(departments[int(s.label)], s) for s in found
              if s.label.isdigit() and int(s.label) in departments
              and int(s.label) not in own][:3]
    typed = [(types[int(s.label)], s) for s in suggest(text, await _model(uow, "type"),
                                                        by_id(TYPE_KEYWORDS, _names(types)), k=6)
             if s.label.isdigit() and int(s.label) in types]
    wanted = {department.id for department, _ in chosen}
    typed.sort(key=lambda pair: pair[0].department_id not in wanted)  # stable: by score
    assignees: list[tuple[int, int]] = []
    if chosen:
        people = await assignable_ids(uow, chosen[0][0].id)
        load = await queries.open_load(uow, people)
        assignees = sorted(load.items(), key=lambda pair: (pair[1], pair[0]))[:3]
    return Suggested(chosen, typed[:3], assignees)
