"""Rows of 员工之声 shaped for replies."""

from __future__ import annotations

from collections.abc import Sequence

from xietong.core.uow import UnitOfWork
from xietong.feedback.access import Viewer
from xietong.feedback.models import (
    Kudos,
    KudosValue,
    ShowcaseCase,
    ShowcaseKind,
    Suggestion,
    SuggestionCategory,
    SuggestionStatus,
)
from xietong.feedback.schemas import KudosOut, PersonRef, ShowcaseOut, SuggestionOut
from xietong.org import queries as org_queries


async def people(uow: UnitOfWork, user_ids: set[int | None]) -> dict[int, PersonRef]:
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    return {user.id: PersonRef(id=user.id, display_name=user.display_name)
            for user in await org_queries.users_by_ids(uow, wanted, None)}


async def suggestions_out(uow: UnitOfWork, viewer: Viewer,
                          rows: Sequence[Suggestion]) -> list[SuggestionOut]:
    answerers = await people(uow, {s.answered_by for s in rows})
    return [SuggestionOut(
        id=s.id, department=viewer.department(s.department_id),
        category=SuggestionCategory(s.category), body=s.body,
        from_department=(viewer.department(s.from_department_id)
                         if s.from_department_id in viewer.parents else None),
        submitted_on=s.submitted_on, status=SuggestionStatus(s.status), answer=s.answer,
        answered_by=answerers.get(s.answered_by) if s.answered_by else None,
        answered_at=s.answered_at, can_answer=viewer.may_answer(s.department_id))
        for s in rows]


async def kudos_out(uow: UnitOfWork, viewer: Viewer, rows: Sequence[Kudos]) -> list[KudosOut]:
    named = await people(uow, {k.recipient_id for k in rows} | {k.giver_id for k in rows})
    return [KudosOut(
        id=k.id, giver=named[k.giver_id],
        recipient=named[k.recipient_id] if k.recipient_id is not None else None,
        department=(viewer.department(k.department_id)
                    if k.department_id is not None else None),
        value=KudosValue(k.value), message=k.message, created_at=k.created_at)
        for k in rows]


def case_link(case: ShowcaseCase, channel_id: int | None) -> str:
    if case.kind == ShowcaseKind.PAGE.value:
        return f"/docs/pages/{case.page_id}"
    return f"/chat/{channel_id}?message={case.message_id}"


def case_out(case: ShowcaseCase, promoted_by: PersonRef | None,
             channel_id: int | None) -> ShowcaseOut:
    target = case.page_id if case.kind == ShowcaseKind.PAGE.value else case.message_id
    assert target is not None
    return ShowcaseOut(id=case.id, kind=ShowcaseKind(case.kind), target_id=target,
                       title=case.title, summary=case.summary,
                       link=case_link(case, channel_id), promoted_by=promoted_by,
                       created_at=case.created_at)
