"""Events of the glossary. A company-wide term's changes go to the `glossary:0` scope,
which everyone reads (guests too: a glossary is for outsiders as much as anyone); a
department-only term's to the people who may read it, named when it changes. A term that
leaves someone's sight (deleted, or narrowed to its department) is withdrawn from those who
read it before, without its words."""

from __future__ import annotations

from typing import Literal

from xietong.core.events import Audience, CommittedEvent, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.models import TermVisibility
from xietong.glossary.schemas import TermData
from xietong.org import queries as org_queries

GLOSSARY = "glossary"
EVERYONE = Scope(GLOSSARY, 0)


class TermChanged(Event):
    """A term was created or changed (`fields`: what changed, by `actor_id`)."""

    type: Literal["glossary.term_changed"] = "glossary.term_changed"
    term: TermData
    change: Literal["created", "updated"]
    fields: list[str]
    actor_id: int | None


class TermWithdrawn(Event):
    """A term is gone for these readers: deleted, or kept to its department from now on
    (those who still read it get its `glossary.term_changed` right after)."""

    type: Literal["glossary.term_withdrawn"] = "glossary.term_withdrawn"
    term_id: int
    reason: Literal["deleted", "hidden"]


GLOSSARY_EVENTS: tuple[type[Event], ...] = (TermChanged, TermWithdrawn)


async def audience_of(uow: UnitOfWork, *, visibility: str, department_id: int | None,
                      owner_ids: list[int]) -> Audience:
    """Who is told of a term's changes: everyone for a company-wide one; otherwise whoever
    may read it now (`queries.department_readers`)."""
    if visibility == TermVisibility.COMPANY.value:
        return Audience.readers_of(EVERYONE)
    people = await queries.department_readers(uow, department_id, owner_ids)
    return Audience.users(people, scope=Scope(GLOSSARY, 0))


class GlossaryScopes:
    """`glossary:0`, the company-wide terms: everyone who has an account reads them."""

    kind = GLOSSARY

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        return {0} if await org_queries.get_user(uow, user_id) is not None else set()

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        return scope_id == 0 and await org_queries.get_user(uow, user_id) is not None

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        return set()
