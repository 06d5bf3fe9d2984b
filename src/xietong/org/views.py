"""Turning organisation rows into API shapes, batching the lookups a page needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from xietong.core.actor import Role
from xietong.core.signals import LastSignIns
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.models import Department, User
from xietong.org.names import label_search_text
from xietong.org.schemas import (
    AccountOut,
    DepartmentNode,
    DepartmentOut,
    DepartmentRef,
    UserOut,
)


async def users_out(uow: UnitOfWork, users: Sequence[User]) -> list[UserOut]:
    memberships = await queries.memberships_of(uow, [u.id for u in users])
    return [UserOut(id=u.id, username=u.username, display_name=u.display_name, email=u.email,
                    phone=u.phone, title=u.title, avatar_url=u.avatar_url, role=Role(u.role),
                    active=u.active, department_ids=memberships[u.id].department_ids,
                    primary_department_id=memberships[u.id].primary_department_id,
                    created_at=u.created_at, bot=u.bot)
            for u in users]


def department_path(names: dict[int, str], parents: dict[int, int | None],
                    department_id: int) -> list[str]:
    """The names from the root down to the department ("研发部", "后端组")."""
    return [names[d] for d in reversed(queries.ancestors_and_self(parents, department_id))]


async def accounts_out(uow: UnitOfWork, users: Sequence[User]) -> list[AccountOut]:
    """People as the administrators' list shows them: with their departments' paths and
    their last sign-in (which auth knows, and answers `LastSignIns` with)."""
    people = await users_out(uow, users)
    departments = await queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    parents = queries.parent_map(departments)
    answers: list[dict[int, datetime]] = await uow.signal(
        LastSignIns(tuple(person.id for person in people)))
    signed_in = {user_id: at for answer in answers for user_id, at in answer.items()}
    return [AccountOut(**person.model_dump(),
                       departments=[DepartmentRef(id=d, path=department_path(names, parents, d))
                                    for d in person.department_ids],
                       last_sign_in_at=signed_in.get(person.id))
            for person in people]


async def user_out(uow: UnitOfWork, user: User) -> UserOut:
    return (await users_out(uow, [user]))[0]


async def department_tree(uow: UnitOfWork) -> list[DepartmentNode]:
    """The whole tree in three queries, siblings in their arranged order."""
    departments = await queries.all_departments(uow)
    managers = await queries.managers_of(uow)
    counts = await queries.headcounts(uow, departments)
    nodes = {d.id: DepartmentNode(id=d.id, name=d.name, parent_id=d.parent_id,
                                  position=d.position, manager_ids=managers.get(d.id, []),
                                  member_count=counts[d.id].direct,
                                  total_member_count=counts[d.id].total,
                                  search_text=label_search_text(d.name), children=[])
             for d in departments}
    children: dict[int | None, list[DepartmentNode]] = defaultdict(list)
    for department in departments:  # already ordered by (position, id)
        children[department.parent_id].append(nodes[department.id])
    for node in nodes.values():
        node.children = children.get(node.id, [])
    return children.get(None, [])


async def departments_out(uow: UnitOfWork, departments: Sequence[Department]
                          ) -> list[DepartmentOut]:
    """Several departments in three queries, whatever their number."""
    if not departments:
        return []
    everything = await queries.all_departments(uow)
    names = {d.id: d.name for d in everything}
    parents = queries.parent_map(everything)
    managers = await queries.managers_of(uow, [d.id for d in departments])
    counts = await queries.headcounts(uow, everything)
    return [DepartmentOut(id=d.id, name=d.name, parent_id=d.parent_id, position=d.position,
                          manager_ids=managers.get(d.id, []),
                          member_count=counts[d.id].direct,
                          total_member_count=counts[d.id].total,
                          path=department_path(names, parents, d.id))
            for d in departments]


async def department_out(uow: UnitOfWork, department: Department) -> DepartmentOut:
    return (await departments_out(uow, [department]))[0]
