"""Reads of goals, each a few statements whatever the number of objectives."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, func, select, union

from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.goals.models import (
    CheckIn,
    KeyResult,
    KeyResultKind,
    KeyResultProject,
    KeyResultTask,
    Objective,
)
from xietong.goals.rollup import Node
from xietong.org.models import Department, DepartmentManager, DepartmentMember
from xietong.policy import goals as goals_policy
from xietong.projects.models import Category, ProjectStatus, Task


def departments_at_or_above_mine(user_id: int) -> Select[tuple[int]]:
    """The person's departments and every department above them (a recursive query)."""
    found = (select(DepartmentMember.department_id.label("id"))
             .where(DepartmentMember.user_id == user_id).cte("above_mine", recursive=True))
    found = found.union(select(Department.parent_id).join(found, Department.id == found.c.id)
                        .where(Department.parent_id.is_not(None)))
    return select(found.c.id)


def departments_at_or_below_managed(user_id: int) -> Select[tuple[int]]:
    """The departments the person manages and every department below them."""
    found = (select(DepartmentManager.department_id.label("id"))
             .where(DepartmentManager.user_id == user_id).cte("managed", recursive=True))
    found = found.union(select(Department.id).join(found, Department.parent_id == found.c.id))
    return select(found.c.id)


def seen_by(actor: Actor) -> ColumnElement[bool]:
    """SQL: the objectives `actor` sees — `policy.goals.can_see_objective` over every row,
    the departments worked out in the query (search, which has no unit of work to ask)."""
    return goals_policy.seeing_sql(
        actor, owner=Objective.owner_id == actor.user_id,
        in_department=Objective.department_id.in_(departments_at_or_above_mine(actor.user_id)),
        manages_department=Objective.department_id.in_(
            departments_at_or_below_managed(actor.user_id)),
        visibility=Objective.visibility)


class ObjectiveFields(Protocol):
    """What an objective's reply reads: an `Objective`, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def period(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def progress(self) -> float: ...
    @property
    def archived_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def objectives_query(*, period: str, seeing: ColumnElement[bool], level: str | None = None,
                     department_id: int | None = None, owner_id: int | None = None,
                     archived: bool = False) -> Select[*tuple[Any, ...]]:
    """The period's objectives `seeing` admits, by id: their columns (`ObjectiveFields`)."""
    query = select(*Objective.__table__.columns).where(Objective.period == period, seeing)
    if not archived:
        query = query.where(Objective.archived_at.is_(None))
    if level is not None:
        query = query.where(Objective.level == level)
    if department_id is not None:
        query = query.where(Objective.department_id == department_id)
    if owner_id is not None:
        query = query.where(Objective.owner_id == owner_id)
    return query.order_by(Objective.id)


async def objectives_in(uow: UnitOfWork, query: Select[*tuple[Any, ...]]
                        ) -> Sequence[ObjectiveFields]:
    """The objectives `query` chooses, as rows: a tree holds hundreds."""
    return (await (await uow.session.connection()).execute(query)).all()


# Which rows a read is of: their ids, or a query of them — hundreds of ids are read faster
# by the query that chose them than listed one by one in the statement.
Ids = Iterable[int] | Select[int]


def _listed(ids: Ids) -> list[int] | Select[int] | None:
    """`ids` as a statement takes them: a query as it is, ids once each; None for none."""
    if isinstance(ids, Select):
        return ids
    return list(set(ids)) or None


async def key_results_of(uow: UnitOfWork,
                         objective_ids: Iterable[int]) -> dict[int, list[KeyResult]]:
    ids = list(set(objective_ids))
    found: dict[int, list[KeyResult]] = defaultdict(list)
    if ids:
        for kr in await uow.session.scalars(
                select(KeyResult).where(KeyResult.objective_id.in_(ids))
                .order_by(KeyResult.objective_id, KeyResult.position, KeyResult.id)):
            found[kr.objective_id].append(kr)
    return found


# A key result as its reply shows it: `schemas.KeyResultOut`'s fields but its links.
_KEY_RESULT_FIELDS = (KeyResult.id, KeyResult.objective_id, KeyResult.title, KeyResult.kind,
                      KeyResult.owner_id, KeyResult.start_value.label("start"),
                      KeyResult.target_value.label("target"),
                      KeyResult.current_value.label("current"), KeyResult.unit,
                      KeyResult.weight, KeyResult.progress, KeyResult.confidence,
                      KeyResult.checked_in_at)


async def key_result_fields(uow: UnitOfWork, objective_ids: Ids
                            ) -> dict[int, list[dict[str, Any]]]:
    """Each objective's key results as dicts of `schemas.KeyResultOut`'s fields but its
    links (`links_of`), in order. Dicts made of the rows as they come: a quarter's tree holds
    thousands of key results, and shaping each through an object cost more than the query."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if (ids := _listed(objective_ids)) is not None:
        result = await (await uow.session.connection()).execute(
            select(*_KEY_RESULT_FIELDS).where(KeyResult.objective_id.in_(ids))
            .order_by(KeyResult.objective_id, KeyResult.position, KeyResult.id))
        names = tuple(result.keys())
        for row in result:
            fields = dict(zip(names, row, strict=True))
            found[fields["objective_id"]].append(fields)
    return found


async def links_of(uow: UnitOfWork, key_result_ids: Ids
                   ) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Each key result's linked task ids and project ids."""
    tasks: dict[int, list[int]] = defaultdict(list)
    projects: dict[int, list[int]] = defaultdict(list)
    if (ids := _listed(key_result_ids)) is None:
        return tasks, projects
    for kr_id, task_id in await uow.session.execute(
            select(KeyResultTask.key_result_id, KeyResultTask.task_id)
            .where(KeyResultTask.key_result_id.in_(ids))
            .order_by(KeyResultTask.task_id)):
        tasks[kr_id].append(task_id)
    for kr_id, project_id in await uow.session.execute(
            select(KeyResultProject.key_result_id, KeyResultProject.project_id)
            .where(KeyResultProject.key_result_id.in_(ids))
            .order_by(KeyResultProject.project_id)):
        projects[kr_id].append(project_id)
    return tasks, projects


async def task_counts(uow: UnitOfWork,
                      key_result_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per key result, (done, counted) over its linked tasks and its linked projects' tasks,
    each task once; cancelled ones are not counted."""
    ids = list(set(key_result_ids))
    if not ids:
        return {}
    direct = select(KeyResultTask.key_result_id.label("kr"), KeyResultTask.task_id.label("task")
                    ).where(KeyResultTask.key_result_id.in_(ids))
    through = (select(KeyResultProject.key_result_id.label("kr"), Task.id.label("task"))
               .join(Task, Task.project_id == KeyResultProject.project_id)
               .where(KeyResultProject.key_result_id.in_(ids)))
    linked = union(direct, through).subquery()
    rows = await uow.session.execute(
        select(linked.c.kr, ProjectStatus.category, func.count())
        .join(Task, Task.id == linked.c.task)
        .join(ProjectStatus, ProjectStatus.id == Task.status_id)
        .group_by(linked.c.kr, ProjectStatus.category))
    counts: dict[int, tuple[int, int]] = {kr: (0, 0) for kr in ids}
    for kr, category, count in rows:
        done, counted = counts[kr]
        if category == Category.CANCELLED.value:
            continue
        counts[kr] = (done + (count if category == Category.DONE.value else 0),
                      counted + count)
    return counts


async def key_results_counting(uow: UnitOfWork, task_ids: Iterable[int],
                               project_ids: Iterable[int]) -> set[int]:
    """The task-counted key results that count any of these tasks or projects' tasks."""
    tasks, projects = list(set(task_ids)), list(set(project_ids))
    found: set[int] = set()
    if tasks:
        found |= set(await uow.session.scalars(
            select(KeyResultTask.key_result_id).where(KeyResultTask.task_id.in_(tasks))))
        # A task of a linked project counts too.
        found |= set(await uow.session.scalars(
            select(KeyResultProject.key_result_id)
            .join(Task, Task.project_id == KeyResultProject.project_id)
            .where(Task.id.in_(tasks))))
    if projects:
        found |= set(await uow.session.scalars(
            select(KeyResultProject.key_result_id)
            .where(KeyResultProject.project_id.in_(projects))))
    if not found:
        return found
    return set(await uow.session.scalars(
        select(KeyResult.id).where(KeyResult.id.in_(found),
                                   KeyResult.kind == KeyResultKind.TASKS.value)))


async def period_nodes(uow: UnitOfWork, period: str) -> tuple[dict[int, Objective],
                                                                dict[int, Node]]:
    """The period's objects under way and what their roll-up needs, in two statements."""
    objectives = {o.id: o for o in await uow.session.scalars(
        select(Objective).where(Objective.period == period, Objective.archived_at.is_(None)))}
    parts: dict[int, list[tuple[float, float]]] = defaultdict(list)
    if objectives:
        for objective_id, weight, progress in await uow.session.execute(
                select(KeyResult.objective_id, KeyResult.weight, KeyResult.progress)
                .where(KeyResult.objective_id.in_(list(objectives)))):
            parts[objective_id].append((weight, progress))
    return objectives, {i: Node(parent_id=o.parent_id, weight=o.weight,
                                key_results=tuple(parts[i]))
                        for i, o in objectives.items()}


async def ancestors_of(uow: UnitOfWork, objective_id: int) -> list[int]:
    """The objectives `objective_id` serves, nearest first (stops on a loop)."""
    chain: list[int] = []
    current: int | None = objective_id
    while current is not None and current not in chain:
        chain.append(current)
        current = await uow.session.scalar(select(Objective.parent_id)
                                           .where(Objective.id == current))
    return chain[1:]


async def key_results_to_remind(uow: UnitOfWork, period: str, *, checked_before: datetime,
                                 today: date) -> Sequence[tuple[KeyResult, Objective]]:
    """The period's key results under way with no check-in since `checked_before`, not yet
    reminded today."""
    rows = await uow.session.execute(
        select(KeyResult, Objective).join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.period == period, Objective.archived_at.is_(None),
               (KeyResult.checked_in_at.is_(None)) | (KeyResult.checked_in_at < checked_before),
               KeyResult.reminded_on.is_(None) | (KeyResult.reminded_on != today))
        .order_by(KeyResult.id))
    return [(kr, o) for kr, o in rows]


async def check_ins_of(uow: UnitOfWork, key_result_id: int, *,
                       limit: int) -> Sequence[CheckIn]:
    """A key result's check-ins, newest first."""
    return (await uow.session.scalars(
        select(CheckIn).where(CheckIn.key_result_id == key_result_id)
        .order_by(CheckIn.id.desc()).limit(limit))).all()
