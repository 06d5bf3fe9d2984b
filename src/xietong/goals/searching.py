"""Objectives in search. Each objective is one item of kind "objective" in its own scope,
`objective:<id>`: its title, description and its key results' titles. Who finds it is asked
when a search runs (`ObjectiveReaders`: whoever sees it now, `queries.seen_by`), so a change
of visibility or of department needs no re-indexing.

Indexed in the transaction that sets the objective or changes its words or its key results
(`do_index_objective`); `xietong reindex` indexes every objective afresh. Objectives came
with search (migration 0024 precedes any of them), so no migration indexes older ones."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import ColumnElement, select

from xietong.core.actor import Actor
from xietong.core.events import Scope
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.goals import queries
from xietong.goals.models import Objective
from xietong.search.indexing import Searchable, do_index, do_index_many, do_unindex_kind
from xietong.search.models import ItemKind
from xietong.search.schemas import ObjectiveLevel, ObjectiveSummary
from xietong.search.views import FoundObjective

OBJECTIVE = "objective"
REINDEX_BATCH = 1000


class ObjectiveFields(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


def searchable_body(objective: ObjectiveFields, key_result_titles: list[str]) -> str:
    return "\n".join(part for part in (objective.description, *key_result_titles) if part)


def objective_searchable(objective: ObjectiveFields,
                         key_result_titles: list[str]) -> Searchable:
    """The objective as the index sees it; `from:` its owner."""
    return Searchable(kind=ItemKind.OBJECTIVE, item_id=objective.id,
                      scope=Scope(OBJECTIVE, objective.id), author_id=objective.owner_id,
                      created_at=objective.created_at,
                      text=f"{objective.title}\n{searchable_body(objective, key_result_titles)}")


async def do_index_objective(uow: UnitOfWork, objective: Objective) -> None:
    """Index an objective just set (after its flush), or again when its words changed."""
    await uow.flush()
    titles = [kr.title for kr in (await queries.key_results_of(uow, [objective.id])
                                  ).get(objective.id, [])]
    await do_index(uow, objective_searchable(objective, titles))


class ObjectiveReaders:
    """Who may find an objective: whoever sees it now (the rule of `access_objective`)."""

    kind = OBJECTIVE

    def may_read(self, actor: Actor, scope_id: ColumnElement[int]) -> ColumnElement[bool]:
        return scope_id.in_(select(Objective.id).where(queries.seen_by(actor)))


async def found_objectives(uow: UnitOfWork,
                           signal: FoundItems) -> dict[int, FoundObjective] | None:
    if signal.kind != ItemKind.OBJECTIVE:
        return None
    objectives = (await uow.session.scalars(
        select(Objective).where(Objective.id.in_(signal.item_ids)))).all()
    key_results = await queries.key_results_of(uow, [o.id for o in objectives])
    return {o.id: FoundObjective(
        summary=ObjectiveSummary(id=o.id, title=o.title, level=cast(ObjectiveLevel, o.level),
                                 period=o.period, owner_id=o.owner_id, progress=o.progress,
                                 archived=o.archived_at is not None),
        body=searchable_body(o, [kr.title for kr in key_results.get(o.id, [])]))
        for o in objectives}


async def reindex_objectives(uow: UnitOfWork, _signal: IndexRebuilding) -> tuple[str, int]:
    """Every objective into the index afresh."""
    await do_unindex_kind(uow, ItemKind.OBJECTIVE)
    count, after = 0, 0
    while batch := list(await uow.session.scalars(
            select(Objective).where(Objective.id > after).order_by(Objective.id)
            .limit(REINDEX_BATCH))):
        key_results = await queries.key_results_of(uow, [o.id for o in batch])
        await do_index_many(uow, [objective_searchable(
            o, [kr.title for kr in key_results.get(o.id, [])]) for o in batch])
        after, count = batch[-1].id, count + len(batch)
    return "objectives", count
