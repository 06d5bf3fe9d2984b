"""Presence over HTTP (the WebSocket pushes changes; this answers "who is online now")."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from xietong.core.errors import BadRequest
from xietong.edge import CurrentActor, get_services
from xietong.realtime.presence import Status
from xietong.realtime.service import Realtime

router = APIRouter(prefix="/api/v1", tags=["realtime"])


class PresenceOut(BaseModel):
    statuses: dict[int, Status]


class RealtimeServices(Protocol):
    """What these routes use of the runtime (`xietong.runtime.Runtime` provides it)."""

    @property
    def realtime(self) -> Realtime: ...


Rt = Annotated[RealtimeServices, Depends(get_services)]


@router.get("/presence")
async def get_presence(actor: CurrentActor, rt: Rt,
                       user_ids: Annotated[str, Query(max_length=8000)]) -> PresenceOut:
    """`user_ids=1,2,3`: each person's status (online, away or offline). People the caller
    may not see (a guest sees those sharing a channel with them) are left out, as are
    unknown ids for a guest."""
    try:
        ids = sorted({int(part) for part in user_ids.split(",") if part.strip()})
    except ValueError:
        raise BadRequest("user_ids is a comma-separated list of ids.") from None
    if len(ids) > 1000:
        raise BadRequest("Ask for at most 1,000 people at a time.")
    return PresenceOut(statuses=await rt.realtime.statuses_seen_by(actor.user_id, ids))
