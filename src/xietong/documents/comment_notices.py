"""Who hears of a page's comments in the notification centre, read off the event log: those a
comment mentions for the first time (`doc_comment_mention`), and those who wrote in a thread
that gets a reply (`doc_comment_reply`) — never the writer, each told once per comment, and
only people who may read the page when the event is handled (a page in the trash, or one
whose grants changed meanwhile, tells nobody who cannot open it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.events import CommittedEvent
from xietong.core.uow import UnitOfWork
from xietong.documents.events import PageCommentChanged, page_readers, space_scope
from xietong.documents.models import Page, Space
from xietong.notifications.actions import NewNotification, do_notify, excerpt
from xietong.notifications.models import NotificationKind
from xietong.org import queries as org_queries


class CommentNotices:
    name = "documents.comment_notifications"
    types = frozenset({"doc.comment_changed"})

    def __init__(self, *, zone: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self._zone = zone
        self._clock = clock

    async def handle(self, uow: UnitOfWork, events: list[CommittedEvent]) -> None:
        read = [(event.id, PageCommentChanged.model_validate_json(event.data))
                for event in events]
        read = [(i, c) for i, c in read if c.thread is not None and c.comment_id is not None
                and (c.newly_mentioned_ids or c.change == "replied")]
        if not read:
            return
        pages = {p.id: p for p in await uow.session.scalars(
            select(Page).where(Page.id.in_({c.page_id for _, c in read}),
                               Page.deleted_at.is_(None)))}
        spaces = {s.id: s for s in await uow.session.scalars(
            select(Space).where(Space.id.in_({p.space_id for p in pages.values()})))}
        readers = {page.id: await page_readers(uow, page, spaces[page.space_id])
                   for page in pages.values()}
        names = {u.id: u.display_name for u in await org_queries.users_by_ids(
            uow, {c.actor_id for _, c in read}, None)}
        wanted = [n for event_id, changed in read if changed.page_id in pages
                  for n in _notifications(event_id, changed, pages[changed.page_id],
                                          names.get(changed.actor_id, ""))
                  if n.user_id in readers[changed.page_id]]
        if wanted:
            await do_notify(uow, wanted, now=self._clock(), zone=self._zone)


def _notifications(event_id: int, changed: PageCommentChanged, page: Page,
                   actor_name: str) -> list[NewNotification]:
    assert changed.thread is not None
    writer = changed.actor_id
    comment = next((c for c in changed.thread.comments if c.id == changed.comment_id), None)
    if comment is None:
        return []
    mentioned = set(changed.newly_mentioned_ids) - {writer}
    participants = (set() if changed.change != "replied" else
                    {c.author_id for c in changed.thread.comments
                     if c.author_id is not None}) - {writer} - mentioned
    who = actor_name or "有人"
    people = ([(u, NotificationKind.DOC_COMMENT_MENTION,
                f"{who} 在文档评论中提到了你：{page.title}") for u in sorted(mentioned)]
              + [(u, NotificationKind.DOC_COMMENT_REPLY,
                  f"{who} 回复了你参与的评论：{page.title}") for u in sorted(participants)])
    data = {"page_id": page.id, "space_id": page.space_id, "thread_id": changed.thread_id,
            "comment_id": comment.id, "subject_label": page.title, "actor_name": actor_name}
    return [NewNotification(user_id=user_id, kind=kind, title=title, body=excerpt(comment.text),
                            scope=str(space_scope(page.space_id)), actor_id=writer, data=data,
                            link=f"/docs/pages/{page.id}?comment={changed.thread_id}",
                            source_event_id=event_id)
            for user_id, kind, title in people]
