"""HTTP shapes of messaging (API.md "Channels" and "Messages")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from xietong.chat.models import ChannelKind
from xietong.core.ids import Flag, Id
from xietong.core.text import FreeText, clean_name, fits

MAX_MESSAGE_CHARS = 16_000

ChannelName = Annotated[str, StringConstraints(max_length=80), AfterValidator(clean_name),
                        AfterValidator(fits(80))]
Emoji = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    # DMs: the other people, so a client can name the conversation.
    member_ids: list[int] | None


class ChannelList(BaseModel):
    items: list[MyChannel]


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
    ack_required: bool
    client_msg_id: str | None
    pinned: bool


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
