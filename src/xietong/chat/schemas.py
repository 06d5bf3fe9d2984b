"""HTTP shapes of messaging (API.md "Channels" and "Messages")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from xietong.chat.models import ChannelKind
from xietong.core.ids import Flag, Id
from xietong.core.schemas import Strict
from xietong.core.text import FreeText, clean_name, fits
from xietong.files.schemas import FileOut
from xietong.org.schemas import DepartmentOut, UserOut

MAX_MESSAGE_CHARS = 16_000

ChannelName = Annotated[str, StringConstraints(max_length=80), AfterValidator(clean_name),
                        AfterValidator(fits(80))]
Emoji = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ChannelCreate(Strict):
    name: ChannelName
    kind: ChannelKind = ChannelKind.PUBLIC
    description: FreeText = Field(default="", max_length=2000)
    topic: FreeText = Field(default="", max_length=250)
    member_ids: list[Id] = Field(default_factory=list, max_length=5000)
    department_ids: list[Id] = Field(default_factory=list, max_length=100)
    # For kind "department": the department whose subtree the channel follows.
    department_id: Id | None = None


class ChannelUpdate(Strict):
    name: ChannelName | None = None
    description: FreeText | None = Field(default=None, max_length=2000)
    topic: FreeText | None = Field(default=None, max_length=250)
    archived: Flag | None = None


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: ChannelKind
    description: str
    topic: str
    department_id: int | None
    archived: bool
    created_at: datetime
    last_message_id: int | None
    member_count: int


class MyChannel(ChannelOut):
    unread_count: int
    mention_count: int
    last_read_id: int
    role: str
    # Whether the caller may post here now: false in an archived channel and in an
    # announcement channel the company's setting keeps them from (the client shows why).
    can_post: bool
    # DMs: the other people, so a client can name the conversation.
    member_ids: list[int] | None


class ChannelList(BaseModel):
    items: list[MyChannel]


class DirectoryChannel(BaseModel):
    """A channel as the channel directory lists it. A channel listed by name only (another
    department's channel: `can_preview` false) has an empty description and no activity."""

    id: int
    name: str
    kind: ChannelKind
    description: str
    member_count: int
    joined: bool
    # The department channel's own department, or the primary department of whoever made
    # the channel; None when it has none or the caller sees no org chart (guests).
    department_id: int | None
    department_name: str | None
    # That department's names from the top of the organisation down ("研发部", "前端组").
    department_path: list[str]
    # When its newest message was sent (None: no messages yet, or not the caller's to know).
    last_activity_at: datetime | None
    # Read it before joining (GET …/messages answers); members read it anyway.
    can_preview: bool
    can_join: bool
    can_leave: bool


class DirectoryPage(BaseModel):
    items: list[DirectoryChannel]
    next_cursor: str | None


class DirectCreate(Strict):
    user_ids: list[Id] = Field(min_length=1, max_length=20)


class MembersAdd(Strict):
    user_ids: list[Id] = Field(default_factory=list, max_length=5000)
    department_ids: list[Id] = Field(default_factory=list, max_length=100)


class MemberOut(BaseModel):
    user_id: int
    role: str
    last_read_id: int


class MemberList(BaseModel):
    items: list[MemberOut]


class MentionSuggestion(BaseModel):
    """A person or a department an @ may name (`kind` says which field is set)."""

    kind: Literal["person", "department"]
    user: UserOut | None = None
    department: DepartmentOut | None = None
    # The person is in the conversation: a mention notifies only those who are.
    in_channel: bool = False


class MentionSuggestions(BaseModel):
    items: list[MentionSuggestion]
    # The caller may add people to the conversation, so may invite a person outside it.
    can_invite: bool


class MessageCreate(Strict):
    text: str = Field(max_length=MAX_MESSAGE_CHARS)
    client_msg_id: str | None = Field(default=None, min_length=1, max_length=64)
    thread_root_id: Id | None = None
    file_ids: list[Id] = Field(default_factory=list, max_length=20)
    ack_required: Flag = False


class MessageEditIn(Strict):
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class Mentions(BaseModel):
    user_ids: list[int] = Field(default_factory=list)
    department_ids: list[int] = Field(default_factory=list)
    all: bool = False


class MessageCard(BaseModel):
    """A compact card another domain posts through a system account (a request filed,
    accepted, closed …). `kind` (the domain's thing) and `event` tell a client how to
    draw and word it; `facts` are what it shows, by name; `link` is the app path it opens."""

    kind: str
    event: str
    title: str
    link: str
    facts: dict[str, str | int | None]


class MessageOut(BaseModel):
    id: int
    channel_id: int
    sender_id: int
    text: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    thread_root_id: int | None
    reply_count: int
    last_reply_at: datetime | None
    reactions: dict[str, list[int]]
    mentions: Mentions
    file_ids: list[int]
    # What `file_ids` name, in their order (a file since removed is left out): a client
    # shows attachments, and reserves an image's box from its width and height, without
    # asking once per message.
    files: list[FileOut]
    ack_required: bool
    client_msg_id: str | None
    pinned: bool
    # Posted by a system account as a card (the text is its plain-text fallback).
    card: MessageCard | None


class MessagePage(BaseModel):
    items: list[MessageOut]
    # Cursors for the next page in each direction (None at either end).
    before: int | None
    after: int | None


class ThreadOut(BaseModel):
    root: MessageOut
    replies: list[MessageOut]
    follower_ids: list[int]


class ReadIn(Strict):
    message_id: Id


class Receipts(BaseModel):
    read: list[int]
    unread: list[int]


class AckStatus(BaseModel):
    acknowledged: list[int]
    pending: list[int]


class EditHistory(BaseModel):
    items: list[dict[str, str]]
