"""Events of 员工之声, all to the `voice:0` scope that everyone in the company reads.

A new suggestion is deliberately *not* an event: the event log keeps each event's exact
time, and the box keeps only the day a suggestion was written. Its answer is one (the
answer is public, and the person answering is named on it). Kudos are live in the feed.
"""

from __future__ import annotations

from typing import Literal

from xietong.core.actor import Actor, Role
from xietong.core.events import Audience, CommittedEvent, Event, Scope
from xietong.core.uow import UnitOfWork
from xietong.feedback.schemas import KudosOut, SuggestionOut
from xietong.org import queries as org_queries
from xietong.policy import feedback as feedback_policy

VOICE = "voice"
EVERYONE = Scope(VOICE, 0)


class SuggestionAnswered(Event):
    """A department answered a suggestion (or changed its answer). `suggestion.can_answer`
    is as the person answering sees it: each client keeps its own."""

    type: Literal["suggestion.answered"] = "suggestion.answered"
    suggestion: SuggestionOut


class KudosGiven(Event):
    type: Literal["kudos.given"] = "kudos.given"
    kudos: KudosOut


FEEDBACK_EVENTS: tuple[type[Event], ...] = (SuggestionAnswered, KudosGiven)


def to_everyone() -> Audience:
    return Audience.readers_of(EVERYONE)


class VoiceScopes:
    """`voice:0`: whoever may use 员工之声 (everyone in the company, no guest)."""

    kind = VOICE

    async def readable(self, uow: UnitOfWork, user_id: int) -> set[int] | None:
        return {0} if await self._may_use(uow, user_id) else set()

    async def may_see(self, uow: UnitOfWork, user_id: int, scope_id: int) -> bool:
        return scope_id == 0 and await self._may_use(uow, user_id)

    def membership_changes(self, event: CommittedEvent) -> set[int]:
        return set()

    @staticmethod
    async def _may_use(uow: UnitOfWork, user_id: int) -> bool:
        user = await org_queries.get_user(uow, user_id)
        return user is not None and user.active and feedback_policy.can_use_voice(
            Actor(user_id=user.id, role=Role(user.role)))
