"""What typing @ in a conversation offers, best first: people and departments.

`rank_mentions` (pure) orders what matched by, in turn:
1. how the typed text matches the name (`org.names.Tier`): the name's start, then its
   pinyin or initials from the start (the surname), then a later syllable or word (the
   given name), then the pinyin with a rarer reading of the surname, then elsewhere in the
   name, then only the title or e-mail. So "@li" offers 李娜 before 邓丽君, and "@研发" the
   department 研发部 before 李娜, whose title is 研发总监;
2. text that ends with a syllable before text that stops inside one: "li" is all of 李's
   syllable and only part of 林's ("lin"), so 李娜 comes before 林晓燕;
3. people before departments at the same match (a department notifies many people);
4. people in the conversation before people outside it: a mention notifies members only;
5. Chinese reading order (pinyin) for people, the org chart's order for departments.

`suggest_mentions` fetches what may match: at most `POOL` people (those with a word starting
with the typed text first, then the conversation's members) and every department, so a
keystroke costs two bounded queries however large the company is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from xietong.chat import actions, queries
from xietong.chat.access import ChannelAccess
from xietong.chat.schemas import MentionSuggestion, MentionSuggestions
from xietong.core.actor import Actor
from xietong.core.uow import UnitOfWork
from xietong.org import access as org_access
from xietong.org import queries as org_queries
from xietong.org import views as org_views
from xietong.org.models import Department, User
from xietong.org.names import name_match, search_term
from xietong.policy import org as org_policy

# People read from the database per keystroke, before ranking.
POOL = 200


@dataclass(frozen=True, slots=True)
class Ranked:
    kind: Literal["person", "department"]
    id: int
    in_channel: bool = False


def rank_mentions(query: str, people: Iterable[User], departments: Iterable[Department],
                  members: Collection[int], limit: int) -> list[Ranked]:
    """The `limit` best matches of `query` (as typed after the @) among `people` and
    `departments`, best first; `members` are the conversation's people. What does not
    match at all is left out."""
    term = search_term(query)
    keyed: list[tuple[tuple[int, bool, int, bool, str | int, int], Ranked]] = []
    for person in people:
        match = name_match(term, person.display_name, username=person.username,
                           details=(person.title, person.email))
        if match is not None:
            inside = person.id in members
            keyed.append(((match.tier, match.partial, 0, not inside, person.sort_key, person.id),
                          Ranked("person", person.id, inside)))
    for department in departments:
        match = name_match(term, department.name)
        if match is not None:
            keyed.append(((match.tier, match.partial, 1, False, department.position,
                           department.id), Ranked("department", department.id)))
    keyed.sort(key=lambda pair: pair[0])
    return [ranked for _, ranked in keyed[:limit]]


async def suggest_mentions(uow: UnitOfWork, actor: Actor, found: ChannelAccess, query: str,
                           limit: int) -> MentionSuggestions:
    """What @`query` offers in the conversation `found` (which the actor may read): people
    the actor may see (not themselves) and, for those who may browse the organisation,
    departments; and whether the actor may invite someone who is outside it."""
    channel_id = found.channel.id
    people = [p for p in await org_queries.people_matching(
                  uow, term=search_term(query),
                  visible_ids=await org_access.visible_user_ids(uow, actor),
                  favoured=queries.member_ids_query(channel_id), limit=POOL)
              if p.id != actor.user_id]
    departments = (await org_queries.all_departments(uow)
                   if org_policy.can_browse_departments(actor) else [])
    members = await queries.members_among(uow, channel_id, (p.id for p in people))
    ranked = rank_mentions(query, people, departments, members, limit)
    chosen_people = {p.id: p for p in people}
    users = {u.id: u for u in await org_views.users_out(
        uow, [chosen_people[r.id] for r in ranked if r.kind == "person"])}
    chosen_departments = {d.id: d for d in departments}
    units = {d.id: d for d in await org_views.departments_out(
        uow, [chosen_departments[r.id] for r in ranked if r.kind == "department"])}
    return MentionSuggestions(
        items=[MentionSuggestion(kind="person", user=users[r.id], in_channel=r.in_channel)
               if r.kind == "person" else
               MentionSuggestion(kind="department", department=units[r.id])
               for r in ranked],
        can_invite=actions.may_add_members(actor, found))
