"""Comments on a page, as Feishu Docs and Confluence have them: threads on the page as a whole
or on a range of it, replies one level deep, `@` mentions of the people who may read the page,
and resolving (or reopening) a thread.

A range is the text it quoted and a pair of Yjs relative positions the web client computed
(`PageCommentAnchor`): the server keeps them as opaque bytes and never puts a mark into the
co-edited document, so commenting needs no edit level and leaves the page's history alone.

Who may: the page's readers read the threads; from the comment level up, people begin,
reply to, resolve and reopen them; a comment's writer edits it; its writer or the page's
managers remove it (`policy.documents`). A page in the trash keeps its threads, out of
sight with it (`access_page` finds no live page)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import delete, select

from xietong.chat.actions import render_html
from xietong.chat.mentioning import ResolvedMentions, people_named
from xietong.chat.mentions import MentionDirectory, find_mentions, mention_candidates
from xietong.core.actor import Actor
from xietong.core.clock import utcnow
from xietong.core.errors import Invalid, NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents.access import PageAccess
from xietong.documents.events import PageCommentChanged, page_audience, page_readers
from xietong.documents.models import PageComment
from xietong.documents.schemas import (
    PageCommentAnchor,
    PageCommentOut,
    PageThreadCreate,
    PageThreadList,
    PageThreadOut,
    decode_position,
)
from xietong.policy import documents as policy
from xietong.policy import require

ThreadStatus = Literal["open", "resolved", "all"]
Change = Literal["created", "replied", "edited", "deleted", "resolved", "reopened"]


# --- reading -------------------------------------------------------------------------------

def comment_out(comment: PageComment) -> PageCommentOut:
    return PageCommentOut(id=comment.id, thread_id=comment.thread_id or comment.id,
                         author_id=comment.author_id, text=comment.text, html=comment.html,
                         mentioned_ids=list(comment.mentioned_ids or []),
                         created_at=comment.created_at, edited_at=comment.edited_at)


def _anchor_out(root: PageComment) -> PageCommentAnchor | None:
    if root.anchor_quote is None or root.anchor_start is None or root.anchor_end is None:
        return None
    return PageCommentAnchor(quote=root.anchor_quote,
                         start=base64.b64encode(root.anchor_start).decode("ascii"),
                         end=base64.b64encode(root.anchor_end).decode("ascii"))


def thread_out(root: PageComment, replies: Sequence[PageComment]) -> PageThreadOut:
    return PageThreadOut(id=root.id, page_id=root.page_id, anchor=_anchor_out(root),
                     resolved_at=root.resolved_at, resolved_by=root.resolved_by,
                     comments=[comment_out(c) for c in (root, *replies)])


async def thread_now(uow: UnitOfWork, root: PageComment) -> PageThreadOut:
    """The thread as it stands (two statements: a flush, its replies)."""
    await uow.flush()
    replies = (await uow.session.scalars(
        select(PageComment).where(PageComment.thread_id == root.id)
        .order_by(PageComment.id))).all()
    return thread_out(root, replies)


async def thread_list(uow: UnitOfWork, page_id: int, status: ThreadStatus) -> PageThreadList:
    """The page's threads (`status`: only the open or the resolved ones), in the order they
    began, each with its replies: one statement."""
    rows = (await uow.session.scalars(
        select(PageComment).where(PageComment.page_id == page_id)
        .order_by(PageComment.id))).all()
    roots = [c for c in rows if c.thread_id is None]
    replies: dict[int, list[PageComment]] = {}
    for comment in rows:
        if comment.thread_id is not None:
            replies.setdefault(comment.thread_id, []).append(comment)
    resolved = sum(1 for root in roots if root.resolved_at is not None)
    shown = [root for root in roots
             if status == "all" or (root.resolved_at is not None) == (status == "resolved")]
    return PageThreadList(items=[thread_out(root, replies.get(root.id, [])) for root in shown],
                      open_count=len(roots) - resolved, resolved_count=resolved)


async def comment_of(uow: UnitOfWork, found: PageAccess, comment_id: int, *,
                     thread: bool = False) -> PageComment:
    """A comment of the page (`thread`: one that began a thread), or `NotFound`."""
    comment = await uow.session.get(PageComment, comment_id)
    if comment is None or comment.page_id != found.page.id or (
            thread and comment.thread_id is not None):
        raise NotFound("No such thread." if thread else "No such comment.")
    return comment


# --- writing -------------------------------------------------------------------------------

async def _mentioned(uow: UnitOfWork, actor: Actor, found: PageAccess,
                     text: str) -> tuple[list[int], MentionDirectory | None]:
    """Whom the text's @names mention among the people who may read the page (chat's parsing,
    `chat.mentions`: display names and usernames); the others' names stay text."""
    candidates = mention_candidates(text)
    if not candidates:
        return [], None
    readers = await page_readers(uow, found.page, found.space)
    # Display names are looked up company-wide and kept only for the page's readers: the
    # readers of a page everyone reads are the whole company, too many to name in a query.
    named = await people_named(uow, actor, candidates, among=None)
    directory = MentionDirectory(people={p.id: (p.username, p.display_name)
                                         for p in named if p.id in readers})
    return sorted(set(find_mentions(text, directory).user_ids)), directory


async def _render(uow: UnitOfWork, actor: Actor, found: PageAccess,
                  text: str) -> tuple[str, list[int]]:
    """The sanitised HTML of a comment's Markdown (as task comments and messages are
    rendered), and whom it mentions."""
    if not text.strip():
        raise Invalid("A comment needs some text.", code="doc_comment_empty")
    mentioned, directory = await _mentioned(uow, actor, found, text)
    html = await render_html(text, ResolvedMentions(user_ids=tuple(mentioned),
                                                    directory=directory))
    return html, mentioned


async def _emit(uow: UnitOfWork, actor: Actor, found: PageAccess, root: PageComment,
                change: Change, *, comment_id: int | None, newly_mentioned: Sequence[int] = (),
                removed: bool = False) -> None:
    """To the page's readers (`events.page_audience`)."""
    thread = None if removed else await thread_now(uow, root)
    uow.emit(PageCommentChanged(page_id=found.page.id, thread_id=root.id, comment_id=comment_id,
                                change=change, thread=thread, actor_id=actor.user_id,
                                newly_mentioned_ids=list(newly_mentioned)),
             await page_audience(uow, found.page, found.space))


def _may_comment(found: PageAccess) -> None:
    require(policy.can_comment(found.level), "You need the comment level on this page.",
            code="page_level_too_low", details={"need": policy.COMMENT.label,
                                                "have": found.level.label})


async def do_start_thread(uow: UnitOfWork, actor: Actor, found: PageAccess,
                          body: PageThreadCreate) -> PageComment:
    """A new thread, on the page or (with `body.anchor`) on a range of it."""
    _may_comment(found)
    html, mentioned = await _render(uow, actor, found, body.text)
    anchor = body.anchor
    root = PageComment(
        page_id=found.page.id, author_id=actor.user_id, text=body.text, html=html,
        mentioned_ids=mentioned, created_at=utcnow(),
        anchor_quote=anchor.quote if anchor else None,
        anchor_start=decode_position(anchor.start) if anchor else None,
        anchor_end=decode_position(anchor.end) if anchor else None)
    uow.session.add(root)
    await uow.flush()
    await _emit(uow, actor, found, root, "created", comment_id=root.id,
                newly_mentioned=mentioned)
    return root


async def do_reply(uow: UnitOfWork, actor: Actor, found: PageAccess, root: PageComment,
                   text: str) -> PageComment:
    """A reply at the end of the thread `root` began. Replying to a resolved thread reopens
    it: the question is open again."""
    _may_comment(found)
    html, mentioned = await _render(uow, actor, found, text)
    reply = PageComment(page_id=found.page.id, thread_id=root.id, author_id=actor.user_id,
                        text=text, html=html, mentioned_ids=mentioned, created_at=utcnow())
    uow.session.add(reply)
    root.resolved_at = root.resolved_by = None
    await uow.flush()
    await _emit(uow, actor, found, root, "replied", comment_id=reply.id,
                newly_mentioned=mentioned)
    return reply


async def _root_of(uow: UnitOfWork, comment: PageComment) -> PageComment:
    if comment.thread_id is None:
        return comment
    root = await uow.session.get(PageComment, comment.thread_id)
    if root is None:
        raise NotFound("No such comment.")
    return root


async def do_edit_comment(uow: UnitOfWork, actor: Actor, found: PageAccess,
                          comment: PageComment, text: str) -> PageComment:
    require(policy.can_edit_comment(found.level, wrote_it=comment.author_id == actor.user_id),
            "Only its writer changes a comment.", code="not_your_comment")
    if text == comment.text:
        return comment
    html, mentioned = await _render(uow, actor, found, text)
    before = set(comment.mentioned_ids or [])
    comment.text, comment.html, comment.mentioned_ids = text, html, mentioned
    comment.edited_at = utcnow()
    await _emit(uow, actor, found, await _root_of(uow, comment), "edited",
                comment_id=comment.id, newly_mentioned=[u for u in mentioned if u not in before])
    return comment


async def do_delete_comment(uow: UnitOfWork, actor: Actor, found: PageAccess,
                            comment: PageComment) -> None:
    """Remove the comment; the first comment of a thread takes the thread with it."""
    require(policy.can_delete_comment(found.level,
                                      wrote_it=comment.author_id == actor.user_id),
            "Only its writer or the page's managers remove a comment.",
            code="not_your_comment")
    root = await _root_of(uow, comment)
    if comment is root:
        await uow.session.execute(delete(PageComment).where(PageComment.thread_id == root.id))
    await uow.session.delete(comment)
    await _emit(uow, actor, found, root, "deleted", comment_id=comment.id,
                removed=comment is root)


async def do_set_resolved(uow: UnitOfWork, actor: Actor, found: PageAccess, root: PageComment,
                          resolved: bool) -> PageComment:
    """Resolve the thread (who and when are kept) or reopen it; doing it twice changes
    nothing more."""
    _may_comment(found)
    if (root.resolved_at is not None) == resolved:
        return root
    root.resolved_at = utcnow() if resolved else None
    root.resolved_by = actor.user_id if resolved else None
    await _emit(uow, actor, found, root, "resolved" if resolved else "reopened",
                comment_id=None)
    return root
