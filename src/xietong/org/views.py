"""Turning organisation rows into API shapes, batching the lookups a page needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from xietong.core.actor import Role
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.models import Department, User
from xietong.org.schemas import DepartmentNode, DepartmentOut, UserOut


async def users_out(uow: UnitOfWork, users: Sequence[User]) -> list[UserOut]:
    memberships = await queries.memberships_of(uow, [u.id for u in users])
    return [UserOut(id=u.id, username=u.username, display_name=u.display_name, email=u.email,
                    phone=u.phone, title=u.title, avatar_url=u.avatar_url, role=Role(u.role),
                    active=u.active, department_ids=memberships[u.id].department_ids,
                    primary_department_id=memberships[u.id].primary_department_id,
                    created_at=u.created_at)
            for u in users]


async def user_out(uow: UnitOfWork, user: User) -> UserOut:
    return (await users_out(uow, [user]))[0]


async def department_tree(uow: UnitOfWork) -> list[DepartmentNode]:
    """The whole tree in three queries, siblings in their arranged order."""
    departments = await queries.all_departments(uow)
    managers = await queries.managers_of(uow)
    counts = await queries.member_counts(uow)
    nodes = {d.id: DepartmentNode(id=d.id, name=d.name, parent_id=d.parent_id,
                                  position=d.position, manager_ids=managers.get(d.id, []),
                                  member_count=counts.get(d.id, 0), children=[])
             for d in departments}
    children: dict[int | None, list[DepartmentNode]] = defaultdict(list)
    for department in departments:  # already ordered by (position, id)
        children[department.parent_id].append(nodes[department.id])
    for node in nodes.values():
        node.children = children.get(node.id, [])
    return children.get(None, [])


async def department_out(uow: UnitOfWork, department: Department) -> DepartmentOut:
    departments = await queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    chain = queries.ancestors_and_self(queries.parent_map(departments), department.id)
    managers = await queries.managers_of(uow, [department.id])
    counts = await queries.member_counts(uow)
    return DepartmentOut(id=department.id, name=department.name, parent_id=department.parent_id,
                         position=department.position,
                         manager_ids=managers.get(department.id, []),
                         member_count=counts.get(department.id, 0),
                         path=[names[d] for d in reversed(chain)])
