"""What the glossary reads off the event log: a term whose definition changed, or that was
deprecated, becomes a notification (`glossary_term_changed`) to each of its followers but
the person who changed it — those who may still read it when the batch is handled. A batch
at a time; a notification is recorded once per person and event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from xietong.core.clock import utcnow
from xietong.core.events import USER, CommittedEvent, Scope
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.actions import ANNOUNCED_FIELDS
from xietong.glossary.events import TermChanged
from xietong.glossary.models import TermStatus, TermVisibility
from xietong.glossary.views import excerpt, term_link
from xietong.notifications.actions import NewNotification, do_notify
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries


class TermChangeNotices:
    name = "glossary.notifications"
    types = frozenset({"glossary.term_changed"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        changes = [(event, TermChanged.model_validate_json(event.data)) for event in events]
        changes = [(event, change) for event, change in changes
                   if change.change == "updated" and ANNOUNCED_FIELDS & set(change.fields)]
        if not changes:
            return
        term_ids = {change.term.id for _, change in changes}
        # As the terms are now: a term deleted since tells nobody, one narrowed since
        # only those who still read it.
        terms = await queries.terms_by_ids(uow, term_ids)
        followers = await queries.followers_of(uow, terms)
        owners = await queries.owners_of(uow, terms)
        readers: dict[int, set[int] | None] = {}
        for term in terms.values():
            readers[term.id] = (None if term.visibility == TermVisibility.COMPANY.value
                                else await queries.department_readers(
                                    uow, term.department_id, owners[term.id]))
        everyone = {u for people in followers.values() for u in people}
        active = await org_queries.active_user_ids(uow, everyone)
        actors = {change.actor_id for _, change in changes if change.actor_id is not None}
        names = {user.id: user.display_name
                 for user in await org_queries.users_by_ids(uow, actors, None)}
        wanted = []
        for event, change in changes:
            if change.term.id not in terms:
                continue
            seeing = readers[change.term.id]
            told = {u for u in followers[change.term.id] if u in active and u != change.actor_id
                    and (seeing is None or u in seeing)}
            deprecated = ("status" in change.fields
                          and change.term.status == TermStatus.DEPRECATED)
            actor_name = names.get(change.actor_id, "") if change.actor_id else ""
            title = (f"术语「{change.term.term}」已停用" if deprecated
                     else f"术语「{change.term.term}」的定义已更新")
            for user_id in sorted(told):
                wanted.append(NewNotification(
                    user_id=user_id, kind=NotificationKind.GLOSSARY_TERM_CHANGED,
                    title=title, body=excerpt(change.term.definition_html),
                    scope=str(Scope(USER, user_id)), actor_id=change.actor_id,
                    link=term_link(change.term.id), source_event_id=event.id,
                    data={"term_id": change.term.id, "subject_label": change.term.term,
                          "actor_name": actor_name, "deprecated": deprecated}))
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)
