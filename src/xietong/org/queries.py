"""Read paths of the organisation: directory search, the tree, memberships. No writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    case,
    func,
    or_,
    select,
)

from xietong.core.actor import Role
from xietong.core.text import like_escaped, like_pattern
from xietong.core.uow import UnitOfWork
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.org.names import label_search_text, search_term
from xietong.policy import org as org_policy


@dataclass(frozen=True, slots=True)
class Memberships:
    department_ids: list[int]
    primary_department_id: int | None


async def get_user(uow: UnitOfWork, user_id: int) -> User | None:
    return await uow.session.get(User, user_id)


async def users_by_ids(uow: UnitOfWork, user_ids: Iterable[int],
                       visible_ids: set[int] | None) -> Sequence[User]:
    """The people among `user_ids` (former ones too: their names still label what they
    wrote) who are among `visible_ids` (None: everyone), by id."""
    statement = select(User).where(User.id.in_(set(user_ids))).order_by(User.id)
    if visible_ids is not None:
        statement = statement.where(User.id.in_(visible_ids))
    return (await uow.session.scalars(statement)).all()


async def find_user_by_login(uow: UnitOfWork, login: str) -> User | None:
    """A user by username or (when `login` contains '@') email, case-insensitively."""
    login = login.strip().lower()
    if "\x00" in login:
        # No username or address holds a NUL, and PostgreSQL refuses one in a text parameter.
        return None
    column = User.email if "@" in login else User.username
    return await uow.session.scalar(select(User).where(column == login))


async def count_users(uow: UnitOfWork) -> int:
    return await uow.session.scalar(select(func.count()).select_from(User)) or 0


async def count_active_users(uow: UnitOfWork) -> int:
    return await uow.session.scalar(
        select(func.count()).select_from(User).where(User.active)) or 0


async def count_departments(uow: UnitOfWork) -> int:
    return await uow.session.scalar(select(func.count()).select_from(Department)) or 0


async def existing_user_ids(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    wanted = set(user_ids)
    if not wanted:
        return set()
    found = await uow.session.scalars(select(User.id).where(User.id.in_(wanted)))
    return set(found)


async def active_display_names(uow: UnitOfWork) -> Sequence[tuple[int, str]]:
    """(id, display_name) of every active person: the names a new one must not copy.
    One narrow column scan; it runs only when someone is added or renamed."""
    rows = await uow.session.execute(
        select(User.id, User.display_name).where(User.active.is_(True)))
    return [(user_id, name) for user_id, name in rows]


async def guest_ids(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    """The guests among `user_ids`."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        select(User.id).where(User.id.in_(wanted), org_policy.is_guest_sql(User.role))))


async def active_owner_count(uow: UnitOfWork) -> int:
    query = select(func.count()).select_from(User).where(org_policy.is_owner_sql(User.role),
                                                          User.active)
    return await uow.session.scalar(query) or 0


async def memberships_of(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, Memberships]:
    """Department ids (primary first) of each user, in one query for the whole page."""
    ids = list(set(user_ids))
    found: dict[int, list[tuple[bool, int]]] = defaultdict(list)
    if ids:
        rows = await uow.session.execute(
            select(DepartmentMember.user_id, DepartmentMember.is_primary,
                   DepartmentMember.department_id)
            .where(DepartmentMember.user_id.in_(ids)))
        for user_id, is_primary, department_id in rows:
            found[user_id].append((not is_primary, department_id))
    result = {}
    for user_id in ids:
        ordered = sorted(found.get(user_id, []))
        primary = ordered[0][1] if ordered and not ordered[0][0] else None
        result[user_id] = Memberships([d for _, d in ordered], primary)
    return result


async def all_departments(uow: UnitOfWork) -> Sequence[Department]:
    return (await uow.session.scalars(
        select(Department).order_by(Department.position, Department.id))).all()


def primary_department_of(user_id: SQLColumnExpression[int | None]) -> ScalarSelect[int]:
    """SQL: the primary department of the person in column `user_id` (NULL without one), as
    a subquery correlated with the enclosing query."""
    return (select(DepartmentMember.department_id)
            .where(DepartmentMember.user_id == user_id, DepartmentMember.is_primary.is_(True))
            .limit(1).scalar_subquery())


def people_whose_primary_department_is_in(department_ids: Iterable[int]) -> Select[int]:
    """SQL: the ids of the people whose primary department is one of `department_ids` (an
    uncorrelated subquery, for `IN`)."""
    return select(DepartmentMember.user_id).where(
        DepartmentMember.department_id.in_(sorted(set(department_ids))),
        DepartmentMember.is_primary.is_(True))


def departments_matching(departments: Sequence[Department], query: str) -> set[int]:
    """The departments whose name `query` finds as directory search finds a person's (the
    name itself, its pinyin or its initials: "研发", "yanfa", "yfb" for 研发部), and every
    department below them (研发部's 前端组 is 研发部 too)."""
    term = search_term(query)
    if not term:
        return set()
    parents = parent_map(departments)
    found: set[int] = set()
    for department in departments:
        if term in label_search_text(department.name):
            found |= descendants_and_self(parents, department.id)
    return found


async def department_exists(uow: UnitOfWork, department_ids: Iterable[int]) -> set[int]:
    wanted = set(department_ids)
    if not wanted:
        return set()
    return set(await uow.session.scalars(select(Department.id).where(Department.id.in_(wanted))))


async def managers_of(uow: UnitOfWork, department_ids: Iterable[int] | None = None
                      ) -> dict[int, list[int]]:
    query = select(DepartmentManager.department_id, DepartmentManager.user_id).order_by(
        DepartmentManager.user_id)
    if department_ids is not None:
        query = query.where(DepartmentManager.department_id.in_(list(department_ids)))
    result: dict[int, list[int]] = defaultdict(list)
    for department_id, user_id in await uow.session.execute(query):
        result[department_id].append(user_id)
    return result


@dataclass(frozen=True, slots=True)
class Headcount:
    """A department's active people: its own members, and everyone in it or below it (whom
    `@department` reaches), each person once."""

    direct: int
    total: int


async def headcounts(uow: UnitOfWork, departments: Iterable[Department]) -> dict[int, Headcount]:
    """Headcounts of every department in `departments` (the whole tree: totals need the
    departments below), from one query."""
    people: dict[int, set[int]] = defaultdict(set)
    for department_id, user_id in await uow.session.execute(
            select(DepartmentMember.department_id, DepartmentMember.user_id)
            .join(User, User.id == DepartmentMember.user_id).where(User.active)):
        people[department_id].add(user_id)
    parents = parent_map(departments)
    below: dict[int, set[int]] = defaultdict(set)
    for department_id, members in people.items():
        for holder in ancestors_and_self(parents, department_id):
            below[holder] |= members
    return {d: Headcount(len(people.get(d, ())), len(below.get(d, ()))) for d in parents}


async def member_ids(uow: UnitOfWork, department_id: int) -> list[int]:
    return list(await uow.session.scalars(
        select(DepartmentMember.user_id).where(DepartmentMember.department_id == department_id)
        .order_by(DepartmentMember.user_id)))


async def departments_managed_by(uow: UnitOfWork, user_id: int) -> set[int]:
    return set(await uow.session.scalars(
        select(DepartmentManager.department_id).where(DepartmentManager.user_id == user_id)))


def parent_map(departments: Iterable[Department]) -> dict[int, int | None]:
    return {d.id: d.parent_id for d in departments}


def ancestors_and_self(parents: dict[int, int | None], department_id: int) -> list[int]:
    """The department then each ancestor up to the root. Stops on a cycle rather than looping."""
    chain: list[int] = []
    current: int | None = department_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def descendants_and_self(parents: dict[int, int | None], department_id: int) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    found, stack = set(), [department_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


async def search_directory(uow: UnitOfWork, *, query: str | None, department_ids: set[int] | None,
                           visible_ids: set[int] | None, include_inactive: bool,
                           after: tuple[str, int] | None, limit: int,
                           role: Role | None = None, inactive_only: bool = False,
                           include_setup_accounts: bool = True) -> Sequence[User]:
    """People matching `query` (name, username, pinyin, initials, email, title), in
    Chinese reading order (by pinyin), keyset-paged on (sort_key, id). `role` and
    `inactive_only` (with `include_inactive`) narrow the administrators' list."""
    # System accounts are nobody's colleague: no list of people holds them.
    statement = select(User).where(~User.bot).order_by(User.sort_key, User.id).limit(limit)
    if role is not None:
        statement = statement.where(User.role == role.value)
    if inactive_only:
        statement = statement.where(User.active.is_(False))
    if query and (term := search_term(query)):
        statement = statement.where(User.search_text.like(like_pattern(term), escape="\\"))
    if department_ids is not None:
        statement = statement.where(User.id.in_(
            select(DepartmentMember.user_id)
            .where(DepartmentMember.department_id.in_(department_ids))))
    if visible_ids is not None:
        statement = statement.where(User.id.in_(visible_ids))
    if not include_inactive:
        statement = statement.where(User.active)
    if not include_setup_accounts:
        statement = statement.where(~User.setup_account)
    if after is not None:
        sort_key, user_id = after
        statement = statement.where(
            (User.sort_key > sort_key) | ((User.sort_key == sort_key) & (User.id > user_id)))
    return (await uow.session.scalars(statement)).all()


async def people_matching(uow: UnitOfWork, *, term: str, visible_ids: set[int] | None,
                          favoured: Select[int] | None, limit: int) -> Sequence[User]:
    """Up to `limit` active people whose search text holds `term` (a `search_term`; empty:
    everyone): the pool a ranking picks from, so the likeliest come first — those with a
    word starting with `term`, then those among `favoured` (a subquery of user ids: a
    conversation's members), then in pinyin order."""
    statement = select(User).where(User.active, ~User.bot).limit(limit)
    order: list[ColumnElement[int]] = []
    if term:
        escaped = like_escaped(term)
        statement = statement.where(User.search_text.like(f"%{escaped}%", escape="\\"))
        # search_text is words separated by spaces (names, pinyin, initials, username…).
        word_start = or_(User.search_text.like(f"{escaped}%", escape="\\"),
                         User.search_text.like(f"% {escaped}%", escape="\\"))
        order.append(case((word_start, 0), else_=1))
    if favoured is not None:
        order.append(case((User.id.in_(favoured), 0), else_=1))
    if visible_ids is not None:
        statement = statement.where(User.id.in_(visible_ids))
    return (await uow.session.scalars(statement.order_by(*order, User.sort_key, User.id))).all()


async def bot_ids(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    """The system accounts among `user_ids`."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    return set(await uow.session.scalars(select(User.id).where(User.id.in_(wanted), User.bot)))


async def active_user_ids(uow: UnitOfWork, user_ids: Iterable[int]) -> set[int]:
    wanted = set(user_ids)
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        select(User.id).where(User.id.in_(wanted), User.active)))


async def active_member_ids_by_department(uow: UnitOfWork) -> dict[int, set[int]]:
    """Every department's active direct members (departments with none are left out)."""
    found: dict[int, set[int]] = {}
    for department_id, user_id in await uow.session.execute(
            select(DepartmentMember.department_id, DepartmentMember.user_id)
            .join(User, User.id == DepartmentMember.user_id).where(User.active)):
        found.setdefault(department_id, set()).add(user_id)
    return found


async def active_member_ids_of_departments(uow: UnitOfWork,
                                           department_ids: Iterable[int]) -> set[int]:
    """Active people directly in any of the departments (callers pass whole subtrees)."""
    wanted = list(set(department_ids))
    if not wanted:
        return set()
    return set(await uow.session.scalars(
        select(DepartmentMember.user_id).join(User, User.id == DepartmentMember.user_id)
        .where(DepartmentMember.department_id.in_(wanted), User.active)))
