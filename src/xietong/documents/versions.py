"""A page's versions: its document as it stood at a moment — taken every few minutes while
people edit, saved under a name, or made by restoring an older one (as a new change on top:
nothing is lost, and editors connected at the time receive it as any other change). Each
keeps the whole CRDT state, and the text and Markdown to show and compare."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from pycrdt import Doc
from sqlalchemy import select

from xietong.core.clock import utcnow
from xietong.core.errors import NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents.models import PageVersion, VersionKind
from xietong.documents.schemas import DiffLine, VersionDetail, VersionDiff, VersionOut
from xietong.documents.ydoc import Content, document_from

# While people edit, a version is taken when the last is at least this old.
AUTO_EVERY = timedelta(minutes=10)
VERSIONS_PAGE = 50


def _versions_lock(page_id: int) -> str:
    return f"documents.versions:{page_id}"


def version_out(version: PageVersion) -> VersionOut:
    return VersionOut(id=version.id, page_id=version.page_id, kind=VersionKind(version.kind),
                      name=version.name, created_by=version.created_by,
                      created_at=version.created_at, editor_ids=list(version.editor_ids or []),
                      characters=len(version.text))


def version_detail(version: PageVersion) -> VersionDetail:
    return VersionDetail(**version_out(version).model_dump(), text=version.text,
                         markdown=version.markdown)


async def take_version(uow: UnitOfWork, page_id: int, content: Content, *,
                       kind: VersionKind, name: str | None = None,
                       created_by: int | None = None,
                       editor_ids: Iterable[int] = ()) -> PageVersion:
    await uow.lock(_versions_lock(page_id))
    version = PageVersion(page_id=page_id, kind=kind.value, name=name, state=content.state,
                          text=content.text, markdown=content.markdown,
                          editor_ids=sorted(set(editor_ids)), created_by=created_by,
                          created_at=utcnow())
    uow.session.add(version)
    await uow.flush()
    return version


async def latest_version(uow: UnitOfWork, page_id: int) -> PageVersion | None:
    found: PageVersion | None = await uow.session.scalar(
        select(PageVersion).where(PageVersion.page_id == page_id)
        .order_by(PageVersion.id.desc()).limit(1))
    return found


async def snapshot_if_due(uow: UnitOfWork, page_id: int, content: Content,
                          editor_ids: Iterable[int]) -> PageVersion | None:
    """While people edit: a version when the last one is `AUTO_EVERY` old (or there is
    none) and the page reads differently from it. Decided under the page's versions lock, so
    a version saved meanwhile (the last editor leaving as someone saves one under a name) is
    seen, not followed by a second one."""
    await uow.lock(_versions_lock(page_id))
    latest = await latest_version(uow, page_id)
    if latest is not None and utcnow() - latest.created_at < AUTO_EVERY:
        return None
    if latest is not None and latest.markdown == content.markdown:
        return None
    return await take_version(uow, page_id, content, kind=VersionKind.AUTO,
                              editor_ids=editor_ids)


async def versions_page(uow: UnitOfWork, page_id: int, before_id: int | None,
                        limit: int = VERSIONS_PAGE) -> list[PageVersion]:
    """The page's versions, newest first."""
    statement = select(PageVersion).where(PageVersion.page_id == page_id)
    if before_id is not None:
        statement = statement.where(PageVersion.id < before_id)
    return list(await uow.session.scalars(
        statement.order_by(PageVersion.id.desc()).limit(limit)))


async def version_of(uow: UnitOfWork, page_id: int, version_id: int) -> PageVersion:
    version = await uow.session.get(PageVersion, version_id)
    if version is None or version.page_id != page_id:
        raise NotFound("No such version of this page.")
    return version


def document_of(version: PageVersion) -> Doc[Any]:
    return document_from(version.state)


def diff(old: str, new: str, *, from_id: int, to_id: int | None) -> VersionDiff:
    """Line by line, as a reviewer reads it: what stayed, what went, what came."""
    before, after = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after,
                                                       autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine(op="equal", text=line) for line in before[a1:a2]]
            continue
        lines += [DiffLine(op="delete", text=line) for line in before[a1:a2]]
        lines += [DiffLine(op="insert", text=line) for line in after[b1:b2]]
    return VersionDiff(from_id=from_id, to_id=to_id,
                       inserted=sum(line.op == "insert" for line in lines),
                       deleted=sum(line.op == "delete" for line in lines), lines=lines)
