"""Writes of 员工之声: check_* validate, do_* write and emit; none of them commits.

`do_submit_suggestion` is the one write that must leave no trace of its author: it takes
the actor only to read their primary department when they chose to share it, and writes
one row (no event, no audit entry, no search entry, no job).
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from xietong.chat.access import access_message
from xietong.core.actor import Actor, Role
from xietong.core.errors import Conflict, Invalid, NotFound
from xietong.core.security import token_digest
from xietong.core.uow import UnitOfWork
from xietong.documents.access import access_page
from xietong.feedback import events
from xietong.feedback.access import Viewer
from xietong.feedback.models import (
    Kudos,
    ShowcaseCase,
    ShowcaseKind,
    Suggestion,
    SuggestionStatus,
)
from xietong.feedback.schemas import KudosCreate, ShowcaseCreate, SuggestionCreate
from xietong.feedback.views import kudos_out, suggestions_out
from xietong.org import queries as org_queries
from xietong.org.models import User
from xietong.policy import feedback as feedback_policy
from xietong.policy import require
from xietong.policy.org import is_guest

# 80 random bits, written as four groups of four base32 letters: ABCD-EFGH-JKLM-NPQR.
RECEIPT_BYTES = 10
_NOT_RECEIPT = re.compile(r"[^A-Z2-7]")
# Base32 has no 0, 1 or 8: typed back, they can only be the letters they look like.
_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_receipt() -> str:
    letters = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode()
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def receipt_digest(receipt: str) -> str:
    """The stored form of a receipt as the author may type it back (case, dashes, spaces
    and 0/O, 1/I, 8/B do not matter). 80 random bits need no salt or slow hash."""
    return token_digest(_NOT_RECEIPT.sub("", receipt.upper().translate(_LOOK_ALIKES)))


def check_department(viewer: Viewer, department_id: int) -> None:
    if department_id not in viewer.parents:
        raise Invalid("There is no such department.", code="unknown_department")


async def shared_department(uow: UnitOfWork, actor: Actor) -> int:
    """The author's primary department, when it is big enough to be named."""
    mine = (await org_queries.memberships_of(uow, [actor.user_id]))[actor.user_id]
    department_id = mine.primary_department_id or next(iter(mine.department_ids), None)
    if department_id is None:
        raise Invalid("You are in no department, so there is none to name.",
                      code="no_department_to_share")
    departments = await org_queries.all_departments(uow)
    headcount = (await org_queries.headcounts(uow, departments))[department_id].total
    if not feedback_policy.may_show_group(headcount):
        raise Invalid(
            f"Your department has fewer than {feedback_policy.MIN_GROUP_SIZE} people: naming it "
            "could point at you.", code="group_too_small",
            details={"min_group_size": feedback_policy.MIN_GROUP_SIZE})
    return department_id


async def do_submit_suggestion(uow: UnitOfWork, actor: Actor, viewer: Viewer,
                               body: SuggestionCreate, *, today: date) -> tuple[Suggestion, str]:
    """The new suggestion and its receipt (shown once; only its digest is kept)."""
    check_department(viewer, body.department_id)
    from_department = await shared_department(uow, actor) if body.share_department else None
    receipt = new_receipt()
    suggestion = Suggestion(department_id=body.department_id, category=body.category.value,
                            body=body.body, from_department_id=from_department,
                            submitted_on=today, receipt_digest=receipt_digest(receipt),
                            status=SuggestionStatus.OPEN.value)
    uow.session.add(suggestion)
    await uow.flush()
    return suggestion, receipt


async def do_answer_suggestion(uow: UnitOfWork, viewer: Viewer, suggestion: Suggestion,
                               answer: str, *, now: datetime) -> Suggestion:
    """Answer for the department (again: the new answer replaces the old)."""
    require(viewer.may_answer(suggestion.department_id),
            "Only the managers of the department it is addressed to, or administrators, "
            "answer a suggestion.", code="may_not_answer")
    suggestion.answer = answer
    suggestion.answered_by = viewer.actor.user_id
    suggestion.answered_at = now
    suggestion.status = SuggestionStatus.ANSWERED.value
    await uow.flush()
    shown = (await suggestions_out(uow, viewer, [suggestion]))[0]
    uow.emit(events.SuggestionAnswered(suggestion=shown), events.to_everyone())
    return suggestion


async def check_recipient(uow: UnitOfWork, actor: Actor, recipient_id: int) -> User:
    if recipient_id == actor.user_id:
        raise Invalid("Kudos are for someone else: thank a colleague or a team.",
                      code="kudos_to_self")
    user = await org_queries.get_user(uow, recipient_id)
    if user is None or not feedback_policy.may_receive_kudos(is_guest(Role(user.role)),
                                                             user.active):
        raise Invalid("There is no such colleague.", code="unknown_recipient")
    return user


async def do_give_kudos(uow: UnitOfWork, actor: Actor, viewer: Viewer, body: KudosCreate, *,
                        now: datetime) -> Kudos:
    if body.recipient_id is not None:
        await check_recipient(uow, actor, body.recipient_id)
    if body.department_id is not None:
        check_department(viewer, body.department_id)
    kudos = Kudos(giver_id=actor.user_id, recipient_id=body.recipient_id,
                  department_id=body.department_id, value=body.value.value,
                  message=body.message, created_at=now)
    uow.session.add(kudos)
    await uow.flush()
    shown = (await kudos_out(uow, viewer, [kudos]))[0]
    uow.emit(events.KudosGiven(kudos=shown), events.to_everyone())
    return kudos


async def do_promote_case(uow: UnitOfWork, actor: Actor, body: ShowcaseCreate, *,
                          now: datetime) -> tuple[ShowcaseCase, int | None]:
    """The new case and, for a message, its channel (for the link). The administrator must
    read the page or message themselves: one they cannot see is `NotFound`."""
    require(feedback_policy.can_curate_showcase(actor),
            "Only administrators choose the best-practice cases.", code="may_not_curate")
    channel_id: int | None = None
    if body.kind == ShowcaseKind.PAGE:
        await access_page(uow, actor, body.target_id)
        case = ShowcaseCase(kind=body.kind.value, page_id=body.target_id)
    else:
        channel_id = (await access_message(uow, actor, body.target_id)).message.channel_id
        case = ShowcaseCase(kind=body.kind.value, message_id=body.target_id)
    case.title, case.summary = body.title, body.summary
    case.promoted_by, case.created_at = actor.user_id, now
    try:
        async with uow.session.begin_nested():
            uow.session.add(case)
    except IntegrityError:
        raise Conflict("That is in the showcase already.", code="already_showcased") from None
    return case, channel_id


async def do_remove_case(uow: UnitOfWork, actor: Actor, case_id: int) -> None:
    require(feedback_policy.can_curate_showcase(actor),
            "Only administrators choose the best-practice cases.", code="may_not_curate")
    case = await uow.session.get(ShowcaseCase, case_id)
    if case is None:
        raise NotFound("No such case.")
    await uow.session.delete(case)
    await uow.flush()
