"""Resolving the mentions of a message against the database (the parsing is `mentions.py`).

Only the names that could follow an @ in this text are looked up, so a message costs two
small indexed queries however large the company is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from xietong.chat import queries
from xietong.chat.access import ChannelAccess
from xietong.chat.mentions import MentionDirectory, find_mentions, mention_candidates
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.org import access as org_access
from xietong.org import queries as org_queries
from xietong.org.models import Department, User
from xietong.policy import chat as chat_policy
from xietong.policy import org as org_policy
from xietong.policy import require

# @all in a channel larger than this is for its admins only: it pages everyone.
MENTION_ALL_OPEN_LIMIT = chat_policy.MENTION_ALL_OPEN_LIMIT


@dataclass(frozen=True, slots=True)
class ResolvedMentions:
    user_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    all: bool = False
    # Channel members this message notifies (mentioned people, department members, @all).
    notified_user_ids: frozenset[int] = field(default_factory=frozenset)
    # Who the names in the text resolved among, for marking them when rendering.
    directory: MentionDirectory | None = None

    def as_json(self) -> dict[str, Any]:
        return {"user_ids": list(self.user_ids), "department_ids": list(self.department_ids),
                "all": self.all}


@dataclass(frozen=True, slots=True)
class NamedPerson:
    id: int
    username: str
    display_name: str
    role: str


async def people_named(uow: UnitOfWork, actor: Actor, candidates: Collection[str], *,
                       among: Collection[int] | None) -> list[NamedPerson]:
    """The active people the candidate names (`mention_candidates`) may mean: display names
    resolve only `among` the people of the conversation (two 张伟 in the company, one here;
    None: anyone, for a caller that keeps only some of them afterwards);
    usernames are unique and resolve company-wide — among the people the writer may see: a
    guest's @username of anyone else stays text, and the answer names no id for it. One
    statement (two when the writer sees only some people)."""
    if not candidates:
        return []
    visible = await org_access.visible_user_ids(uow, actor)
    return [NamedPerson(row.id, row.username, row.display_name, row.role)
            for row in await uow.session.execute(
                select(User.id, User.username, User.display_name, User.role).where(
                    User.active, or_(User.username.in_({c.lower() for c in candidates}),
                                     User.display_name.in_(candidates) if among is None
                                     else User.display_name.in_(candidates)
                                     & User.id.in_(list(among)))))
            if visible is None or row.id in visible]


async def resolve_mentions(uow: UnitOfWork, actor: Actor, found: ChannelAccess,
                           text: str) -> ResolvedMentions:
    candidates = mention_candidates(text)
    if not candidates:
        return ResolvedMentions()
    members = set(await queries.member_ids(uow, found.channel.id))
    people = {p.id: (p.username, p.display_name)
              for p in await people_named(uow, actor, candidates, among=members)}
    # Departments are the org chart's, which guests do not see.
    departments = {row.id: row.name for row in await uow.session.execute(
        select(Department.id, Department.name).where(Department.name.in_(candidates)))
    } if org_policy.can_browse_departments(actor) else {}
    directory = MentionDirectory(people=people, departments=departments)
    found_mentions = find_mentions(text, directory)
    notified = set(found_mentions.user_ids) & members
    if found_mentions.department_ids:
        parents = org_queries.parent_map(await org_queries.all_departments(uow))
        subtree: set[int] = set()
        for department_id in found_mentions.department_ids:
            subtree |= org_queries.descendants_and_self(parents, department_id)
        notified |= await org_queries.active_member_ids_of_departments(uow, subtree) & members
    if found_mentions.all:
        require(chat_policy.can_mention_all_in(actor, found.member, len(members)),
                f"Only channel admins may notify everyone in a channel of more than "
                f"{MENTION_ALL_OPEN_LIMIT} people.", code="mention_all_forbidden")
        notified |= members
    notified.discard(actor.user_id)
    return ResolvedMentions(tuple(found_mentions.user_ids), tuple(found_mentions.department_ids),
                            found_mentions.all, frozenset(notified), directory)


