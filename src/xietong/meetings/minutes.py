"""A meeting's minutes as a documents page: made once, in the organiser's department space
under its "会议纪要" page, from a template of the meeting (or from the Markdown minutes
taken before), editable by the attendees and hidden from everyone else the space does not
already let manage it. Extraction then reads the page's Markdown as people edit it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound
from xietong.core.uow import UnitOfWork
from xietong.documents.access import access_page
from xietong.documents.actions import do_create_page
from xietong.documents.models import GrantLevel, Page, Space, Subject
from xietong.documents.schemas import GrantIn, PageCreate
from xietong.meetings.models import AgendaItem, Meeting
from xietong.org import queries as org_queries
from xietong.org.models import Department

FOLDER_TITLE = "会议纪要"
# The meeting's title in the page's (which holds 200): room for the prefix and the day.
TITLE_PART = 160
WEEKDAYS = "一二三四五六日"
ACTION_ITEMS_HEADING = "行动项"
# Says how to write an action item without being one (no name the extractor knows, no day).
CHECKLIST_HINT = ("每个待办一行勾选项：@负责人、要做的事和截止日期。"
                  "写完回到会议页，点「从纪要提取待办」。")
PREVIEW_LENGTH = 160


def page_title(meeting: Meeting, zone: ZoneInfo) -> str:
    day = meeting.starts_at.astimezone(zone)
    return f"会议纪要 · {meeting.title[:TITLE_PART]} · {day.month}月{day.day}日"


def template_markdown(meeting: Meeting, agenda: Sequence[AgendaItem], names: dict[int, str],
                      attendee_ids: Sequence[int], zone: ZoneInfo) -> str:
    """The page a meeting's minutes start from: when and where, who, a heading per agenda
    item (with its notes), and the action items' checklist."""
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    when = (f"{start.year}年{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）"
            f"{start:%H:%M}–{end:%H:%M}")
    lines = [f"**时间**：{when}"]
    if meeting.location:
        lines.append(f"**地点**：{meeting.location}")
    lines.append(f"**组织者**：{names.get(meeting.organiser_id, '')}")
    people = [names[i] for i in attendee_ids if i in names and i != meeting.organiser_id]
    if people:
        lines.append(f"**参会人**：{'、'.join(people)}")
    blocks = ["  \n".join(lines)]
    for number, item in enumerate(agenda, start=1):
        heading = f"## {number}. {item.title}"
        if item.owner_id is not None and item.owner_id in names:
            heading += f"（{names[item.owner_id]}）"
        blocks.append(heading)
        blocks.append(item.notes.strip() or "讨论与结论：")
    if not agenda:
        blocks += ["## 讨论与结论", "要点："]
    blocks += [f"## {ACTION_ITEMS_HEADING}", CHECKLIST_HINT]
    return "\n\n".join(blocks) + "\n"


_ITEM = re.compile(r"([-*+])( \[[ xX]\])?(?=\s)")


def separate_checklists(markdown: str) -> str:
    """Markdown minutes whose lists mix plain items and checkboxes, with each run of the
    one kind its own list (a new bullet character starts a new list): in the editor a list
    holding a checkbox is a checklist, and every plain line of it would become an action
    item. Top-level lists only."""
    out: list[str] = []
    kind: bool | None = None  # the list being read: a checklist or not (None: no list)
    marker = "-"
    for line in markdown.split("\n"):
        item = _ITEM.match(line)
        if item is None:
            if line.strip() and not line.startswith((" ", "\t")):
                kind = None
            out.append(line)
            continue
        checkbox = item.group(2) is not None
        if kind is None:
            marker = item.group(1)
        elif checkbox != kind:
            marker = "*" if marker != "*" else "-"
        kind = checkbox
        out.append(marker + line[1:])
    return "\n".join(out)


async def department_for(uow: UnitOfWork, meeting: Meeting) -> Department:
    """Whose space holds the minutes: the organiser's primary department (else another of
    theirs), else the first department invited."""
    mine = (await org_queries.memberships_of(uow, [meeting.organiser_id]))[meeting.organiser_id]
    for department_id in [*mine.department_ids, *meeting.department_ids]:
        department = await uow.session.get(Department, department_id)
        if department is not None:
            return department
    raise Conflict("The organiser is in no department and none is invited: there is no "
                   "department space to keep the minutes in.", code="no_minutes_space")


async def folder_in(uow: UnitOfWork, agent: Actor, space: Space) -> int:
    """The space's "会议纪要" page at its top, made the first time (it takes the space's
    grants: a folder; each minutes page under it has its own)."""
    found = await uow.session.scalar(
        select(Page.id).where(Page.space_id == space.id, Page.parent_id.is_(None),
                              Page.title == FOLDER_TITLE, Page.deleted_at.is_(None))
        .order_by(Page.id).limit(1))
    if found is not None:
        return found
    folder = await do_create_page(uow, agent, PageCreate(space_id=space.id,
                                                         title=FOLDER_TITLE, icon="📝"))
    return folder.id


def attendee_grants(attendee_ids: Sequence[int], department_ids: Sequence[int]
                    ) -> list[GrantIn]:
    """Every attendee edits: each person, and each department invited as a whole (so who
    joins it later edits too)."""
    return ([GrantIn(subject=Subject.USER, user_id=u, level=GrantLevel.EDIT)
             for u in sorted(set(attendee_ids))]
            + [GrantIn(subject=Subject.DEPARTMENT, department_id=d, level=GrantLevel.EDIT)
               for d in sorted(set(department_ids))])


async def minutes_page_markdown(uow: UnitOfWork, actor: Actor, page_id: int,
                                live: str | None) -> str:
    """The page's Markdown for someone who may read it: `live` (as people are editing it
    on this node) or as last derived. A page gone to the trash or hidden from them is
    refused (409 `minutes_page_unreadable`): reading nothing would look like no action
    items."""
    try:
        found = await access_page(uow, actor, page_id)
    except NotFound:
        raise Conflict("The minutes page is in the trash or hidden from you.",
                       code="minutes_page_unreadable") from None
    return live if live is not None else found.page.markdown


async def preview_of(uow: UnitOfWork, actor: Actor, page_id: int) -> str | None:
    """The first words of the page's text, for someone who reads it (None otherwise)."""
    try:
        found = await access_page(uow, actor, page_id)
    except NotFound:
        return None
    text = " ".join(found.page.text.split())
    return text[:PREVIEW_LENGTH] + ("…" if len(text) > PREVIEW_LENGTH else "")
