"""A request's timeline: each step recorded, and the request as it now is sent to
everyone who sees it. Every change of a request ends here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xietong.approvals.views import summary_for
from xietong.core.events import Scope
from xietong.core.uow import UnitOfWork
from xietong.requests import queries
from xietong.requests.events import REQUEST, RequestChanged, audience_of
from xietong.requests.models import EntryKind, Request, RequestEntry
from xietong.requests.views import entry_out, request_data


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a request's timeline: who (None: the system), what, when."""

    actor_id: int | None
    kind: EntryKind
    data: dict[str, Any]
    at: datetime


async def record_steps(uow: UnitOfWork, request: Request, steps: Sequence[Step], *,
                       watcher_ids: list[int] | None = None, also: Sequence[int] = ()) -> None:
    """The steps into the timeline, and for each an event with the request as it now is to
    everyone who sees it (and `also` to these people: those the steps just left out). Who
    that is, the watchers and the approval are read once for all the steps (filing and its
    assignment; SLA stages recorded together)."""
    if not steps:
        return
    entries = [RequestEntry(request_id=request.id, actor_id=step.actor_id,
                            kind=step.kind.value, data=step.data, created_at=step.at)
               for step in steps]
    uow.session.add_all(entries)
    await uow.flush()
    if watcher_ids is None:
        watcher_ids = (await queries.watcher_ids(uow, [request.id])).get(request.id, [])
    data = request_data(request, watcher_ids, await summary_for(uow, Scope(REQUEST, request.id)))
    audience = await audience_of(uow, request, watcher_ids, list(also))
    for entry in entries:
        uow.emit(RequestChanged(request=data, entry=entry_out(entry)), audience)


async def record_step(uow: UnitOfWork, request: Request, watcher_ids: list[int] | None,
                      actor_id: int | None, kind: EntryKind, data: dict[str, Any],
                      now: datetime, also: Sequence[int] = ()) -> None:
    """One step (`record_steps`)."""
    await record_steps(uow, request, [Step(actor_id, kind, data, now)],
                       watcher_ids=watcher_ids, also=also)
