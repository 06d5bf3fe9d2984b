"""Rules of messaging: who may read, post in, manage and add people to a conversation.

Rules read a channel's kind and the actor's membership through the protocols below, which
`chat.models.Channel` and `ChannelMember` satisfy; the kinds and member roles are the
stored values of `chat.models.ChannelKind` and `MemberRole` (this package sits below the
domains and imports none of them; `tests/test_policy_boundary.py` checks the values agree).
"""

from __future__ import annotations

from typing import Protocol

from xietong.core.actor import Actor, Role
from xietong.policy.company import Group, Standing, is_in_group

PUBLIC = "public"
DEPARTMENT = "department"
ANNOUNCEMENT = "announcement"
DM = "dm"
CHANNEL_ADMIN = "admin"

# @all in a channel larger than this is for its admins only: it pages everyone.
MENTION_ALL_OPEN_LIMIT = 50


class Conversation(Protocol):
    """What the rules read of a channel."""

    @property
    def kind(self) -> str: ...


class Membership(Protocol):
    """What the rules read of the actor's membership of a channel (None: not a member)."""

    @property
    def role(self) -> str: ...


def is_channel_admin(member: Membership | None) -> bool:
    """The actor is one of the channel's own admins (its creator, or made one)."""
    return member is not None and member.role == CHANNEL_ADMIN


def _manages(actor: Actor, member: Membership | None) -> bool:
    return is_channel_admin(member) or actor.is_admin


# --- reading ------------------------------------------------------------------------------

def can_preview_public_channels(actor: Actor) -> bool:
    """Non-members may read public channels (to decide whether to join); guests may not."""
    return actor.role != Role.GUEST


def can_preview(actor: Actor, channel: Conversation) -> bool:
    """Read `channel` without being a member: public channels, for those who preview them."""
    return channel.kind == PUBLIC and can_preview_public_channels(actor)


def can_join(channel: Conversation) -> bool:
    """Join without being added: public channels only."""
    return channel.kind == PUBLIC


# --- the channel directory ----------------------------------------------------------------
# What `GET /channels/browse` lists: the actor's own public and department channels, the
# public channels they may preview (and so join), and every department's channel by name.

DIRECTORY_KINDS = (PUBLIC, DEPARTMENT)


def can_list_department_channels(actor: Actor) -> bool:
    """Every department's channel is listed by name (with its department and head count),
    so people find where another department talks; what is said there, and when, stays
    for its members. Membership follows the organisation, which administrators keep
    (`can_join`: nobody joins one by themselves). Guests see no org chart, so none of
    these either."""
    return actor.role != Role.GUEST


def is_listed_by_name(actor: Actor, channel: Conversation) -> bool:
    """The directory names this channel to the actor even when they may not read it."""
    return channel.kind == DEPARTMENT and can_list_department_channels(actor)


def members_are_chosen(channel: Conversation) -> bool:
    """People are added to it, removed from it and leave it by hand: not a department
    channel (its members follow the organisation) nor a direct conversation (its people
    are fixed)."""
    return channel.kind not in (DEPARTMENT, DM)


# --- creating -----------------------------------------------------------------------------

def can_create_channels(actor: Actor, creators: Group, standing: Standing) -> bool:
    """Public and private channels: whom the company's `create_channels` setting names (by
    default every member). Never guests (`policy.company`): a channel of their choosing is
    a room nobody checked."""
    return is_in_group(actor, creators, standing)


def can_create_channel_of_kind(actor: Actor, kind: str) -> bool:
    """Department and announcement channels speak for the company: administrators only."""
    return kind not in (DEPARTMENT, ANNOUNCEMENT) or actor.is_admin


def can_message_anyone(actor: Actor) -> bool:
    """Open a direct conversation with anyone; otherwise only with the people the actor's
    directory shows (a guest: those sharing a channel with them)."""
    return actor.role != Role.GUEST


# --- posting and managing -----------------------------------------------------------------

def is_announcement_channel(channel: Conversation) -> bool:
    """Posting in it asks more than membership (`can_post_announcements`)."""
    return channel.kind == ANNOUNCEMENT


def can_post_announcements(actor: Actor, channel_admin: bool, announcers: Group,
                           standing: Standing) -> bool:
    """Post in an announcement channel one is a member of: whom the company's
    `post_announcements` setting names (by default the channel's own admins) and the
    company's administrators. `channel_admin`: the actor is one of this channel's admins
    (`is_channel_admin`)."""
    return is_in_group(actor, announcers, standing, channel_admin=channel_admin)


def can_manage_channel(actor: Actor, member: Membership | None) -> bool:
    """Rename, archive, set the topic: the channel's admins and the company's admins."""
    return _manages(actor, member)


def can_mention_all_in(actor: Actor, member: Membership | None, member_count: int) -> bool:
    """@all pages everyone: anyone in a small channel, only its admins in a large one."""
    return member_count <= MENTION_ALL_OPEN_LIMIT or _manages(actor, member)


def can_delete_message(actor: Actor, sender_id: int | None,
                       member: Membership | None) -> bool:
    """The author, the channel's admins and the company's admins."""
    return sender_id == actor.user_id or _manages(actor, member)


# --- membership ---------------------------------------------------------------------------

def can_add_people_to(actor: Actor, member: Membership | None) -> bool:
    """The channel's members add people; the company's admins also from outside it."""
    return member is not None or actor.is_admin


def can_add_people(actor: Actor) -> bool:
    """Guests add nobody to any channel (they would open it to whomever they chose)."""
    return actor.role != Role.GUEST


def can_add_guest_to_announcements(actor: Actor) -> bool:
    """Announcement channels are the company's own (often everyone is in one): a guest in
    one reads every announcement and sees everyone there. Administrators decide that; the
    channel's other members, who may add colleagues, may not."""
    return actor.is_admin


def can_remove_from(actor: Actor, member: Membership | None, user_id: int) -> bool:
    """Everyone may remove themselves (leave); the channel's admins and the company's
    admins remove anyone."""
    return user_id == actor.user_id or _manages(actor, member)
