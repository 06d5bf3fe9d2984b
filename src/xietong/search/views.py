"""Search results as the API shows them: the query parsed and resolved, the matches found,
and each hit shaped by its kind — a message as the chat API has it, a request, a task, a
project, an objective, a page or a glossary term as its domain describes it (it answers
`FoundItems`) — with its highlighted snippet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from xietong.chat import queries as chat_queries
from xietong.chat.views import messages_out
from xietong.core.actor import Actor
from xietong.core.signals import FoundItems
from xietong.core.uow import UnitOfWork
from xietong.search import queries
from xietong.search.highlight import snippet
from xietong.search.models import ItemKind
from xietong.search.query import Highlight, parse
from xietong.search.schemas import (
    HitKind,
    MessageHit,
    ObjectiveHit,
    ObjectiveSummary,
    PageHit,
    PageSummary,
    ProjectHit,
    ProjectSummary,
    RequestHit,
    RequestSummary,
    SearchHit,
    SearchResults,
    TaskHit,
    TaskSummary,
    TermHit,
    TermSummary,
)
from xietong.search.scopes import ReadableScopes


@dataclass(frozen=True, slots=True)
class FoundRequest:
    """How the requests domain answers `FoundItems` for a request: its summary, and the
    text a hit highlights (`body`: its description and the form's text)."""

    summary: RequestSummary
    body: str


@dataclass(frozen=True, slots=True)
class FoundTask:
    """How projects answer `FoundItems` for a task: its summary and its description."""

    summary: TaskSummary
    body: str


@dataclass(frozen=True, slots=True)
class FoundProject:
    """How projects answer `FoundItems` for a project: its summary and its description."""

    summary: ProjectSummary
    body: str


@dataclass(frozen=True, slots=True)
class FoundObjective:
    """How goals answer `FoundItems` for an objective: its summary, and the text a hit
    highlights (its description and its key results)."""

    summary: ObjectiveSummary
    body: str


@dataclass(frozen=True, slots=True)
class FoundPage:
    """How documents answer `FoundItems` for a page: its summary and its text."""

    summary: PageSummary
    body: str


@dataclass(frozen=True, slots=True)
class FoundTerm:
    """How the glossary answers `FoundItems` for a term: its summary, and the text a hit
    highlights (its other names, its definition and its examples)."""

    summary: TermSummary
    body: str


async def message_hits(uow: UnitOfWork, message_ids: Sequence[int],
                       wanted: Sequence[Highlight]) -> dict[int, MessageHit]:
    # As chat has them now: one deleted since the search ran is left out.
    messages = await chat_queries.live_messages_in_order(uow, message_ids)
    shaped = await messages_out(uow, messages)
    return {message.id: MessageHit(kind="message", message=out,
                                   highlight=snippet(message.text, wanted))
            for message, out in zip(messages, shaped, strict=True)}


async def _found(uow: UnitOfWork, kind: str, item_ids: Sequence[int]) -> dict[int, object]:
    """The domain's answers to `FoundItems` for these items of `kind`, merged."""
    if not item_ids:
        return {}
    answers: list[dict[int, object] | None] = await uow.signal(FoundItems(kind, tuple(item_ids)))
    return {item_id: found for answer in answers if answer for item_id, found in answer.items()}


def _hit(found: object, wanted: Sequence[Highlight]) -> SearchHit | None:
    """A domain's answer for one item as search's reply shows it."""
    match found:
        case FoundRequest(summary=summary, body=body):
            return RequestHit(kind="request", request=summary,
                              title_highlight=snippet(summary.title, wanted),
                              highlight=snippet(body, wanted))
        case FoundTask(summary=task, body=body):
            return TaskHit(kind="task", task=task, title_highlight=snippet(task.title, wanted),
                           highlight=snippet(body, wanted))
        case FoundProject(summary=project, body=body):
            return ProjectHit(kind="project", project=project,
                              title_highlight=snippet(project.name, wanted),
                              highlight=snippet(body, wanted))
        case FoundObjective(summary=objective, body=body):
            return ObjectiveHit(kind="objective", objective=objective,
                                title_highlight=snippet(objective.title, wanted),
                                highlight=snippet(body, wanted))
        case FoundPage(summary=page, body=body):
            return PageHit(kind="page", page=page, title_highlight=snippet(page.title, wanted),
                           highlight=snippet(body, wanted))
        case FoundTerm(summary=term, body=body):
            return TermHit(kind="term", term=term, title_highlight=snippet(term.term, wanted),
                           highlight=snippet(body, wanted))
    return None


async def hits_out(uow: UnitOfWork, found: Sequence[tuple[str, int]],
                   wanted: Sequence[Highlight]) -> list[SearchHit]:
    """The hits in `found`'s order (one rank over every kind), each kind shaped at once."""
    by_kind: dict[str, list[int]] = {}
    for kind, item_id in found:
        by_kind.setdefault(kind, []).append(item_id)
    shaped: dict[tuple[str, int], SearchHit] = {
        (ItemKind.MESSAGE, item_id): hit for item_id, hit in (await message_hits(
            uow, by_kind.pop(ItemKind.MESSAGE, []), wanted)).items()}
    for kind, item_ids in by_kind.items():
        for item_id, answer in (await _found(uow, kind, item_ids)).items():
            if (hit := _hit(answer, wanted)) is not None:
                shaped[kind, item_id] = hit
    return [hit for key in found if (hit := shaped.get(key)) is not None]


async def search_results(uow: UnitOfWork, actor: Actor, q: str, *, scopes: ReadableScopes,
                         now: datetime,
                         channel_id: int | None = None, sender_id: int | None = None,
                         before: datetime | None = None, after: datetime | None = None,
                         kind: HitKind | None = None,
                         sort: queries.Sort = "relevance", limit: int = 20, offset: int = 0,
                         utc_offset_minutes: int = 480) -> SearchResults:
    """What `GET /search` answers (the channel filter already access-checked)."""
    parsed = parse(q, now=now, utc_offset_minutes=utc_offset_minutes)
    if parsed.is_empty and channel_id is None and sender_id is None and (
            before is None and after is None):
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    criteria = await queries.resolve(uow, actor, parsed, channel_id=channel_id,
                                     sender_id=sender_id, before=before, after=after,
                                     kind=kind)
    if criteria is None:
        return SearchResults(items=[], total=0, warnings=parsed.warnings)
    found = await queries.find(uow, actor, criteria, scopes=scopes, sort=sort, limit=limit,
                               offset=offset, now=now)
    items = await hits_out(uow, found.items, parsed.highlights)
    return SearchResults(items=items, total=found.total, total_capped=found.total_capped,
                         warnings=parsed.warnings)
