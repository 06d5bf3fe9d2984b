"""A request's milestones as compact cards in the conversation: filed, accepted, assigned,
passed to another department, overdue, and how it ended — posted by the system account
(协同助手) in the requester's direct conversation with it and in the receiving department's
queue channel, a department channel made the first time that department gets a card (a
transfer's card goes to the queue it left as well as to the one it joined).

A consumer of `request.changed`, like the notifications: what the cards say is read off the
event log, and a batch's cards are posted in the transaction that moves its position, so
each milestone is posted once."""

from __future__ import annotations

from xietong.chat.access import ChannelAccess, access_channel_for_posting
from xietong.chat.actions import do_open_dm, do_post_card, open_department_channel
from xietong.chat.models import Channel
from xietong.chat.schemas import MessageCard
from xietong.core.actor import Actor, Role
from xietong.core.errors import Forbidden, NotFound
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.actions import system_account
from xietong.requests.events import RequestChanged
from xietong.requests.models import EntryKind, RequestQueueChannel
from xietong.requests.schemas import EntryOut

NAME = "requests.cards"

# Which transitions make a card, as the card's event.
_TRANSITIONS = {"accept": "accepted", "confirm": "closed", "reject": "rejected",
                "withdraw": "withdrawn"}
# The plain-text line each card falls back to (search, notifications of other clients).
_HEADLINES = {
    "filed": "新工单", "accepted": "工单已受理", "assigned": "工单已指派",
    "transferred": "工单已转交", "breached": "工单已超时", "closed": "工单已关闭",
    "rejected": "工单已驳回", "withdrawn": "工单已撤回",
}
_CLOCKS = {"response": "响应", "resolution": "解决"}


def card_event(entry: EntryOut) -> str | None:
    """The card a timeline step makes, if any."""
    match entry.kind:
        case EntryKind.FILED:
            return "filed"
        case EntryKind.ASSIGNED:
            return "assigned" if entry.data.get("to") is not None else None
        case EntryKind.TRANSFERRED:
            return "transferred"
        case EntryKind.SLA_BREACHED:
            return "breached"
        case EntryKind.TRANSITION:
            return _TRANSITIONS.get(str(entry.data.get("action")))
        case EntryKind.APPROVAL:
            return "rejected" if entry.data.get("outcome") == "rejected" else None
    return None


class RequestCards:
    name = NAME
    types = frozenset({"request.changed"})

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        wanted = [(changed.request, changed.entry, event)
                  for changed in (RequestChanged.model_validate_json(e.data) for e in events)
                  if (event := card_event(changed.entry)) is not None]
        if not wanted:
            return
        bot = await system_account(uow)
        poster = Actor(user_id=bot.id, role=Role.MEMBER)
        people = {p for request, entry, _ in wanted
                  for p in (entry.actor_id, request.assignee_id, request.requester_id) if p}
        users = {u.id: u for u in await org_queries.users_by_ids(uow, people, None)}
        departments = {d.id: d.name for d in await org_queries.all_departments(uow)}
        for request, entry, event in wanted:
            actor = users.get(entry.actor_id) if entry.actor_id else None
            assignee = users.get(request.assignee_id) if request.assignee_id else None
            department = departments.get(request.department_id, "")
            clock = entry.data.get("clock") if event == "breached" else None
            card = MessageCard(
                kind="request", event=event, title=f"{request.number} {request.title}",
                link=f"/requests/{request.id}",
                facts={"number": request.number, "status": request.status.value,
                       "department": department,
                       "assignee": assignee.display_name if assignee else None,
                       "actor": actor.display_name if actor else None,
                       "clock": str(clock) if clock else None})
            text = _fallback(card, department, str(clock) if clock else None)
            requester = users.get(request.requester_id)
            if requester is not None and requester.active:
                dm, _ = await do_open_dm(uow, poster, [request.requester_id])
                await do_post_card(uow, poster, dm.id, text, card)
            queues = [request.department_id]
            if event == "transferred" and isinstance(moved_from := entry.data.get("from"), int):
                queues.insert(0, moved_from)  # the queue it left hears where it went
            for department_id in queues:
                queue = await _queue_channel(uow, poster, department_id,
                                             departments.get(department_id, ""))
                await do_post_card(uow, poster, queue.channel.id, text, card)


def _fallback(card: MessageCard, department: str, clock: str | None) -> str:
    line = f"【{_HEADLINES[card.event]}】{card.title}"
    if card.event in ("filed", "transferred") and department:
        line += f"（{department}）"
    if clock in _CLOCKS:
        line += f"：{_CLOCKS[clock]}已超时"
    return line


async def _queue_channel(uow: UnitOfWork, poster: Actor, department_id: int,
                         department: str) -> ChannelAccess:
    """The department's queue channel, made (again) when it has none the system account can
    still post in — never made yet, archived, or the account removed from it."""
    row = await uow.session.get(RequestQueueChannel, department_id)
    if row is not None:
        try:
            return await access_channel_for_posting(uow, poster, row.channel_id)
        except (Forbidden, NotFound):
            pass
    channel: Channel = await open_department_channel(
        uow, department_id, f"{department} · 工单"[:80],
        description=f"{department}收到的工单：新工单、受理、指派、超时和关闭都会在这里出现。",
        creator_id=poster.user_id)
    if row is None:
        uow.session.add(RequestQueueChannel(department_id=department_id, channel_id=channel.id))
    else:
        row.channel_id = channel.id
    await uow.flush()
    return await access_channel_for_posting(uow, poster, channel.id)

