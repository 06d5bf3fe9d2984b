"""Pages out of Xietong: one page as Markdown or Word, a whole space as a zip of Markdown.

A page's file starts with its title as a heading, then its content as it stands this
moment (as people are co-editing it, if they are: `collab.Rooms.current`). A confidential
(机密) page is never exported: asking for one is refused (403 `page_export_confidential`)
and the attempt is audited; every export that is made is audited too (who, what, which
format) — a copy has left the system's access rules.

A space's zip (`<space>.zip`) holds one folder named after the space, and in it:
- a page without children as `<title>.md`;
- a page with children as a folder `<title>/`, its own content in `<title>/index.md`, its
  children beside it;
- `README.md`, saying what the zip holds and which confidential pages were left out.
Only live pages the caller may read are in it, placed as the caller's tree shows them (a
page under one they may not see hangs from the nearest one above it that they see). A
confidential page is left out; its children that are not confidential are kept, in a
folder named after it with no `index.md`. Names are the titles, made safe for every
system's file names: `/ \\ : * ? " < > |` and control characters become `_`, trailing dots
and spaces go, Windows' reserved names (CON, NUL, COM1 …) get a `_` before them, long
titles are cut to 80 characters, and two siblings whose names would clash (case aside)
become `名称.md` and `名称 (2).md`. Chinese stays as it is (the zip marks its names UTF-8).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import anyio
from pycrdt import Doc
from sqlalchemy import select

from xietong.audit.actions import AuditAction, do_record
from xietong.core.actor import Actor
from xietong.core.errors import Forbidden
from xietong.core.uow import UnitOfWork
from xietong.documents import queries
from xietong.documents.access import PageAccess, SpaceAccess, seen_parents
from xietong.documents.actions import page_target
from xietong.documents.collab import Rooms
from xietong.documents.models import Page
from xietong.documents.templates import UNTITLED
from xietong.documents.ydoc import (
    EMPTY_UPDATE,
    Content,
    document_from,
    escape_markdown,
    markdown_of,
    seed_from_markdown,
)
from xietong.policy import documents as policy

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_TYPE = "application/zip"
README = "README.md"
INDEX = "index.md"
MAX_NAME_CHARS = 80
# How many pages' Markdown one statement reads while a zip is written.
BATCH = 200

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                       *(f"lpt{n}" for n in range(1, 10))})


def space_target(space_id: int) -> str:
    return f"space:{space_id}"


# --- one page ---------------------------------------------------------------------------


def confidential_refusal() -> Forbidden:
    return Forbidden("A confidential page cannot be exported.",
                     code="page_export_confidential")


async def do_record_page_export(uow: UnitOfWork, actor: Actor, found: PageAccess,
                                export_format: str) -> bool:
    """Audit an export of the page in `export_format` — or the attempt, refused, when the
    page may not be exported (a confidential one). Whether it may be."""
    page = found.page
    allowed = policy.can_export(found.level, page.classification)
    await do_record(uow, AuditAction.PAGE_EXPORTED if allowed
                    else AuditAction.PAGE_EXPORT_REFUSED,
                    actor_id=actor.user_id, ip=actor.ip, target=page_target(page.id),
                    details={"format": export_format, "title": page.title,
                             "classification": page.classification,
                             "space_id": page.space_id})
    return allowed


def page_document(content: Content, page: Page) -> Doc[Any]:
    """The page's document as it stands (`content`: `Rooms.current`); a page made from a
    template that nobody has opened yet has no document: made from its Markdown, as
    opening it would."""
    if content.state == EMPTY_UPDATE and page.markdown:
        return document_from(seed_from_markdown(page.markdown))
    return document_from(content.state)


def page_markdown(title: str, markdown: str) -> str:
    """A page's Markdown file: its title as a heading, then its content."""
    head = f"# {escape_markdown(title)}\n"
    return head + ("\n" + markdown if markdown.strip() else "")


def markdown_file(content: Content, page: Page) -> str:
    return page_markdown(page.title, markdown_of(page_document(content, page)))


# --- names ------------------------------------------------------------------------------


def safe_name(title: str) -> str:
    """A file or folder name for `title` that every common system accepts (see the
    module's note)."""
    name = unicodedata.normalize("NFC", title)
    name = "".join(char for char in name if unicodedata.category(char) not in
                   ("Cf", "Cs", "Co", "Zl", "Zp"))
    name = " ".join(_UNSAFE.sub("_", name).split())
    name = name.strip(" .")[:MAX_NAME_CHARS].rstrip(" .")
    if not name:
        name = UNTITLED
    if name.split(".", 1)[0].strip().lower() in _RESERVED:
        name = "_" + name
    return name


@dataclass(slots=True)
class _Folder:
    """The names taken in one folder of the zip (compared as Windows and macOS do: case
    aside)."""

    taken: set[str] = field(default_factory=set)

    def claim(self, name: str, extension: str = "") -> str:
        candidate, number = name + extension, 2
        while candidate.casefold() in self.taken:
            candidate = f"{name} ({number}){extension}"
            number += 1
        self.taken.add(candidate.casefold())
        return candidate


# --- a space ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreePage:
    id: int
    title: str
    confidential: bool


@dataclass(frozen=True, slots=True)
class SpaceLayout:
    root: str
    # Each exported page's file in the zip, in the tree's order.
    files: dict[int, str]
    # The confidential pages left out: (their place in the zip, as a folder or a file).
    left_out: list[tuple[int, str]]


def lay_out(space_name: str, pages: dict[int, TreePage],
            children: dict[int | None, list[int]]) -> SpaceLayout:
    """Where each page goes in the zip. `children`: each page's (None: the top's) seen
    children in the tree's order."""
    keeps: dict[int, bool] = {}
    # Whether a page is in the zip: it is not confidential, or a page under it is in it.
    order: list[int] = []
    stack = list(children.get(None, []))
    while stack:
        page_id = stack.pop()
        order.append(page_id)
        stack.extend(children.get(page_id, []))
    for page_id in reversed(order):  # children before their parents
        keeps[page_id] = not pages[page_id].confidential or any(
            keeps[child] for child in children.get(page_id, []))
    root = safe_name(space_name)
    files: dict[int, str] = {}
    left_out: list[tuple[int, str]] = []
    folders: list[tuple[int | None, str, _Folder]] = [(None, root, _Folder({README.casefold()}))]
    while folders:
        parent, path, folder = folders.pop(0)
        for page_id in children.get(parent, []):
            page = pages[page_id]
            below = [child for child in children.get(page_id, []) if keeps[child]]
            if not keeps[page_id]:
                left_out.append((page_id, f"{path}/{folder.claim(safe_name(page.title), '.md')}"))
            elif below:
                inner = f"{path}/{folder.claim(safe_name(page.title))}"
                if page.confidential:
                    left_out.append((page_id, inner + "/"))
                else:
                    files[page_id] = f"{inner}/{INDEX}"
                folders.append((page_id, inner, _Folder({INDEX})))
            else:
                files[page_id] = f"{path}/{folder.claim(safe_name(page.title), '.md')}"
    ordered = {page_id: files[page_id] for page_id in order if page_id in files}
    return SpaceLayout(root, ordered, left_out)


def seen_children(shown_parent: dict[int, int | None],
                  rows: Sequence[Any]) -> dict[int | None, list[int]]:
    """Each seen page's seen children (None: the top's), in the order of `rows`
    (`queries.tree_rows`: siblings by rank)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in sorted((r for r in rows if r.id in shown_parent),
                      key=lambda r: (r.rank, r.id)):
        children[shown_parent[row.id]].append(row.id)
    return children


def readme(space_name: str, exported: int, left_out: list[tuple[str, str]],
           at: datetime) -> str:
    """The zip's README.md: what it holds, how, and the confidential pages left out
    ((title, place) each)."""
    lines = [f"# {escape_markdown(space_name)}", "",
             f"导出时间 Exported at: {at:%Y-%m-%d %H:%M} UTC", "",
             f"共 {exported} 个页面 · {exported} pages.", "",
             "每个页面是一个 Markdown 文件；有子页面的页面是一个文件夹，它自己的内容在文件夹里的 "
             "`index.md` 中。只包含你有权查看的页面，不含回收站里的页面。",
             "Each page is a Markdown file; a page with children is a folder, its own content "
             "in the folder's `index.md`. Only pages you may read are here; none from the trash."]
    if left_out:
        lines += ["", "## 未导出的机密页面 · Confidential pages left out", "",
                  f"以下 {len(left_out)} 个页面是机密页面，不能导出。"
                  f"The following {len(left_out)} pages are confidential and cannot be "
                  "exported.", ""]
        lines += [f"- {escape_markdown(title)} (`{place}`)" for title, place in left_out]
    return "\n".join(lines) + "\n"


def open_zip(target: IO[bytes]) -> zipfile.ZipFile:
    return zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)


def write_entries(archive: zipfile.ZipFile, entries: list[tuple[str, str]]) -> None:
    """(path, text) each, written into the zip (CPU work: off the event loop)."""
    for path, text in entries:
        archive.writestr(path, text.encode("utf-8"))


async def write_space_zip(uow: UnitOfWork, rooms: Rooms, found: SpaceAccess,
                          target: IO[bytes], now: datetime) -> SpaceLayout:
    """Write the zip of the space `found` (as its caller sees it) into `target`; where each
    page went. Reads the pages' Markdown a batch at a time (as people are editing it on
    this node, if they are; else as last derived, a second behind at most)."""
    space_id = found.space.id
    rows = await queries.tree_rows(uow, space_id)
    restricted = (await queries.restricted_grants_in(uow, space_id)
                  if any(row.grants_from_id is not None for row in rows) else {})
    shown_parent = seen_parents(found, rows, restricted)
    classes: dict[int, str] = {page_id: classification for page_id, classification in (
        await uow.session.execute(select(Page.id, Page.classification).where(
            Page.space_id == space_id, Page.deleted_at.is_(None))))}
    titles = {row.id: row.title for row in rows}
    # Every page here is seen (at least read), so whether it may be exported is its
    # classification's to say.
    layout = lay_out(found.space.name, {
        page_id: TreePage(page_id, titles[page_id],
                          not policy.can_export(policy.VIEW, classes.get(page_id, "")))
        for page_id in shown_parent}, seen_children(shown_parent, rows))
    archive = open_zip(target)
    ids = list(layout.files)
    for start in range(0, len(ids), BATCH):
        entries = []
        for page_id, markdown in (await uow.session.execute(
                select(Page.id, Page.markdown).where(
                    Page.id.in_(ids[start:start + BATCH])))):
            live = await rooms.live(page_id)
            entries.append((layout.files[page_id], page_markdown(
                titles[page_id], live.markdown if live is not None else markdown)))
        entries.sort(key=lambda entry: entry[0])
        await anyio.to_thread.run_sync(write_entries, archive, entries)
    left_out = [(titles[page_id], place) for page_id, place in layout.left_out]
    await anyio.to_thread.run_sync(write_entries, archive, [(
        f"{layout.root}/{README}", readme(found.space.name, len(layout.files), left_out,
                                          now))])
    archive.close()
    return layout


async def do_record_space_export(uow: UnitOfWork, actor: Actor, found: SpaceAccess,
                                 layout: SpaceLayout) -> None:
    await do_record(uow, AuditAction.SPACE_EXPORTED, actor_id=actor.user_id, ip=actor.ip,
                    target=space_target(found.space.id),
                    details={"name": found.space.name, "pages": len(layout.files),
                             "confidential_left_out": [i for i, _ in layout.left_out]})
