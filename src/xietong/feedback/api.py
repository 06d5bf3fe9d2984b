"""员工之声 over HTTP: the suggestion box, kudos and the showcase (thin routes).

The box's two routes that an author calls as the author (writing a suggestion, looking it
up by its receipt) take `UnrecordedActor`: their requests leave no address, user or
session touch behind (`edge.unrecorded_actor`). The receipt travels in a body, never in
a URL, so no access log line can hold it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from xietong.chat.access import access_message
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid, NotFound
from xietong.core.ids import MAX_ID
from xietong.core.pagination import decode_cursor, encode_cursor
from xietong.documents.access import access_page
from xietong.documents.access import viewer_of as documents_viewer_of
from xietong.edge import CurrentActor, IdPath, Rt, UnrecordedActor
from xietong.feedback import actions, queries
from xietong.feedback.access import access_suggestion, check_may_use, viewer_of
from xietong.feedback.models import KudosValue, ShowcaseKind, SuggestionStatus
from xietong.feedback.quota import AnonymousQuota
from xietong.feedback.schemas import (
    DepartmentKudosCount,
    DepartmentSuggestionCount,
    FromDepartmentCount,
    KudosCreate,
    KudosOut,
    KudosPage,
    KudosStats,
    ReceiptLookup,
    ShowcaseCreate,
    ShowcaseList,
    ShowcaseOut,
    SuggestionAnswer,
    SuggestionCreate,
    SuggestionCreated,
    SuggestionOut,
    SuggestionPage,
    SuggestionStats,
    ValueCount,
)
from xietong.feedback.views import case_out, kudos_out, people, suggestions_out
from xietong.org import queries as org_queries
from xietong.policy import feedback as feedback_policy

suggestions = APIRouter(prefix="/api/v1/suggestions", tags=["suggestions"])
kudos = APIRouter(prefix="/api/v1/kudos", tags=["kudos"])
showcase = APIRouter(prefix="/api/v1/showcase", tags=["showcase"])

Cursor = Annotated[str | None, Query(max_length=200)]
# The longest period kudos are counted over at once.
MAX_STATS_DAYS = 366
SHOWCASE_LIMIT = 100


def quota_of(request: Request) -> AnonymousQuota:
    """The app's suggestion quota (in memory, one per serving process)."""
    state = request.app.state
    if not hasattr(state, "suggestion_quota"):
        state.suggestion_quota = AnonymousQuota()
    quota: AnonymousQuota = state.suggestion_quota
    return quota


@suggestions.post("", status_code=201)
async def submit_suggestion(body: SuggestionCreate, actor: UnrecordedActor, rt: Rt,
                            request: Request) -> SuggestionCreated:
    """Anonymous: what is kept is the text, the department it is addressed to, the category,
    the day, the receipt's digest and (only if asked, for a department of at least
    `min_group_size` people) the author's department. The receipt is shown only here."""
    today = utcnow().astimezone(rt.settings.zone).date()
    async with rt.unit_of_work() as uow:
        viewer = await viewer_of(uow, actor)
        suggestion, receipt = await actions.do_submit_suggestion(uow, actor, viewer, body,
                                                                 today=today)
        # Last, so a refused suggestion does not count.
        quota_of(request).spend(actor.user_id)
    return SuggestionCreated(id=suggestion.id, receipt=receipt)


@suggestions.get("")
async def list_suggestions(
    actor: CurrentActor, rt: Rt,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: SuggestionStatus | None = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> SuggestionPage:
    """Every suggestion, newest first (all are public to the company); `department_id`
    keeps those addressed to it and the departments below it."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        departments = None
        if department_id is not None:
            departments = (org_queries.descendants_and_self(viewer.parents, department_id)
                           if department_id in viewer.parents else set())
        rows = await queries.suggestions_page(
            uow, department_ids=departments, status=status.value if status else None,
            before_id=before_id, limit=limit + 1)
        page = rows[:limit]
        items = await suggestions_out(uow, viewer, page)
    return SuggestionPage(items=items, next_cursor=encode_cursor(page[-1].id)
                          if len(rows) > limit else None)


@suggestions.get("/stats")
async def suggestion_stats(actor: CurrentActor, rt: Rt) -> SuggestionStats:
    """Counts per department addressed, and per department the authors named — only for
    departments of at least `min_group_size` people now (the rest are `from_unnamed`)."""
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        counts = await queries.suggestion_counts(uow)
        sources = await queries.suggestions_from(uow)
        headcounts = await org_queries.headcounts(uow, await org_queries.all_departments(uow))
    per_department: dict[int, list[int]] = {}
    for department_id, status, count in counts:
        totals = per_department.setdefault(department_id, [0, 0])
        totals[0] += count
        if status == SuggestionStatus.ANSWERED.value:
            totals[1] += count
    named = [(d, n) for d, n in sources if d is not None and d in headcounts
             and feedback_policy.may_show_group(headcounts[d].total)]
    return SuggestionStats(
        min_group_size=feedback_policy.MIN_GROUP_SIZE,
        total=sum(n for _, _, n in counts), answered=queries.answered_count(counts),
        by_department=[DepartmentSuggestionCount(department=viewer.department(d), total=t,
                                                 answered=a)
                       for d, (t, a) in sorted(per_department.items(),
                                               key=lambda item: (-item[1][0], item[0]))],
        from_departments=[FromDepartmentCount(department=viewer.department(d), count=n)
                          for d, n in sorted(named, key=lambda item: (-item[1], item[0]))],
        from_unnamed=sum(n for _, n in sources) - sum(n for _, n in named))


@suggestions.post("/receipt")
async def find_by_receipt(body: ReceiptLookup, actor: UnrecordedActor, rt: Rt) -> SuggestionOut:
    """The suggestion a receipt belongs to (a read, as a POST: the receipt stays out of
    URLs and so out of access logs)."""
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        suggestion = await queries.suggestion_by_receipt(uow, actions.receipt_digest(
            body.receipt))
        if suggestion is None:
            raise NotFound("No suggestion has that receipt.", code="unknown_receipt")
        return (await suggestions_out(uow, viewer, [suggestion]))[0]


@suggestions.get("/{suggestion_id}")
async def get_suggestion(suggestion_id: IdPath, actor: CurrentActor, rt: Rt) -> SuggestionOut:
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        suggestion = await access_suggestion(uow, viewer, suggestion_id)
        return (await suggestions_out(uow, viewer, [suggestion]))[0]


@suggestions.post("/{suggestion_id}/answer")
async def answer_suggestion(suggestion_id: IdPath, body: SuggestionAnswer, actor: CurrentActor,
                            rt: Rt) -> SuggestionOut:
    """The department's public answer (a second answer replaces the first)."""
    async with rt.unit_of_work() as uow:
        viewer = await viewer_of(uow, actor)
        suggestion = await access_suggestion(uow, viewer, suggestion_id, for_update=True)
        await actions.do_answer_suggestion(uow, viewer, suggestion, body.answer, now=utcnow())
        return (await suggestions_out(uow, viewer, [suggestion]))[0]


@kudos.post("", status_code=201)
async def give_kudos(body: KudosCreate, actor: CurrentActor, rt: Rt) -> KudosOut:
    """To a colleague (not oneself) or a team; the colleague, or the team's people, are
    notified (`kudos_received`)."""
    async with rt.unit_of_work() as uow:
        viewer = await viewer_of(uow, actor)
        given = await actions.do_give_kudos(uow, actor, viewer, body, now=utcnow())
        return (await kudos_out(uow, viewer, [given]))[0]


@kudos.get("")
async def list_kudos(
    actor: CurrentActor, rt: Rt,
    recipient_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> KudosPage:
    """The feed, newest first; `recipient_id` a person's, `department_id` a team's."""
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        rows = await queries.kudos_page(uow, recipient_id=recipient_id,
                                        department_id=department_id, before_id=before_id,
                                        limit=limit + 1)
        page = rows[:limit]
        items = await kudos_out(uow, viewer, page)
    return KudosPage(items=items, next_cursor=encode_cursor(page[-1].id)
                     if len(rows) > limit else None)


@kudos.get("/stats")
async def kudos_stats(
    actor: CurrentActor, rt: Rt,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> KudosStats:
    """Kudos per department and per value over company-local days `from`..`to` (both
    included; default the last 30 days up to today)."""
    zone = rt.settings.zone
    last = end or utcnow().astimezone(zone).date()
    first = start or last - timedelta(days=29)
    if first > last or (last - first).days >= MAX_STATS_DAYS:
        raise Invalid(f"The period runs forwards and is at most {MAX_STATS_DAYS} days.",
                      code="bad_period")
    since = datetime.combine(first, time.min, zone)
    until = datetime.combine(last + timedelta(days=1), time.min, zone)
    async with rt.reader() as uow:
        viewer = await viewer_of(uow, actor)
        per_department = await queries.kudos_by_department(uow, since, until)
        per_value = dict(await queries.kudos_by_value(uow, since, until))
    return KudosStats(
        start=first, end=last, total=sum(per_value.values()),
        by_department=[DepartmentKudosCount(department=viewer.department(d), count=n)
                       for d, n in sorted(per_department, key=lambda item: (-item[1], item[0] or 0))
                       if d is not None and d in viewer.parents],
        by_value=[ValueCount(value=value, count=per_value.get(value.value, 0))
                  for value in KudosValue])


@showcase.get("")
async def list_showcase(actor: CurrentActor, rt: Rt) -> ShowcaseList:
    """The best-practice cases whose page or message the caller may read (the others are
    left out: a case is only a link, and says nothing of what its reader may not see)."""
    async with rt.reader() as uow:
        check_may_use(actor)
        cases = await queries.showcase_cases(uow, SHOWCASE_LIMIT)
        promoters = await people(uow, {c.promoted_by for c in cases})
        items: list[ShowcaseOut] = []
        reader = await documents_viewer_of(uow, actor) if cases else None
        for case in cases:
            try:
                channel_id = None
                if case.kind == ShowcaseKind.PAGE.value and case.page_id is not None:
                    await access_page(uow, actor, case.page_id, viewer=reader)
                elif case.message_id is not None:
                    found = await access_message(uow, actor, case.message_id)
                    channel_id = found.message.channel_id
            except NotFound:
                continue
            items.append(case_out(case, promoters.get(case.promoted_by or 0), channel_id))
    return ShowcaseList(items=items)


@showcase.post("", status_code=201)
async def promote_case(body: ShowcaseCreate, actor: CurrentActor, rt: Rt) -> ShowcaseOut:
    """Administrators: hold up a documents page or a chat message as a best practice."""
    async with rt.unit_of_work() as uow:
        check_may_use(actor)
        case, channel_id = await actions.do_promote_case(uow, actor, body, now=utcnow())
        promoter = await people(uow, {actor.user_id})
        return case_out(case, promoter.get(actor.user_id), channel_id)


@showcase.delete("/{case_id}", status_code=204)
async def remove_case(case_id: IdPath, actor: CurrentActor, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        await actions.do_remove_case(uow, actor, case_id)
    return Response(status_code=204)
