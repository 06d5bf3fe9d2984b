"""What messaging contributes to the server."""

from __future__ import annotations

from xietong.chat import events, models
from xietong.chat.access import readable_now
from xietong.chat.actions import sync_department_channels
from xietong.chat.api import router
from xietong.chat.audience import ChannelReaders, ChannelScopes
from xietong.chat.demo import demo_conversations
from xietong.chat.queries import file_visible_to, people_sharing_a_channel_with
from xietong.core.i18n import CHINESE
from xietong.core.signals import CoMembersOf, DepartmentMembershipChanged, FileReadable
from xietong.core.uow import UnitOfWork
from xietong.manifest import DomainManifest, Mount, Reaction


async def _department_channels_follow(uow: UnitOfWork,
                                      _signal: DepartmentMembershipChanged) -> None:
    await sync_department_channels(uow)


async def _file_in_a_readable_message(uow: UnitOfWork, signal: FileReadable) -> bool:
    """A live message carrying the file sits in a channel the actor may read."""
    return await file_visible_to(uow, signal.file_id,
                                 readable_now(signal.actor, models.MessageFile.channel_id))


async def _people_sharing_a_channel(uow: UnitOfWork, signal: CoMembersOf) -> set[int]:
    return await people_sharing_a_channel_with(uow, signal.user_id, signal.among)


MANIFEST = DomainManifest(
    name="chat",
    routers=(Mount(router),),
    models=(models,),
    event_types=(events.MessageCreated, events.MessageUpdated, events.MessageDeleted,
                 events.ReactionAdded, events.ReactionRemoved, events.ChannelRead,
                 events.ChannelUpdated, events.MemberAdded, events.MemberRemoved,
                 events.MessagePinned, events.MessageAcknowledged, events.AckReminder),
    scope_resolvers=(ChannelScopes(),),
    scope_readers=(ChannelReaders(),),
    signal_handlers=(
        Reaction(DepartmentMembershipChanged, _department_channels_follow),
        Reaction(FileReadable, _file_in_a_readable_message),
        # Guests see the people they share a channel with.
        Reaction(CoMembersOf, _people_sharing_a_channel),
    ),
    error_texts={
        CHINESE: {
            "remind_too_soon": "刚刚已经提醒过，请稍后再提醒。",
            "bad_emoji": "表情无效：请使用表情符号或已知的短代码（如 :thumbsup:）。",
            "bad_file_ids": "只能附加你自己上传的文件。",
            "empty_message": "消息不能为空。",
            "not_a_member": "请先加入该频道。",
            "channel_archived": "频道已归档，只读。",
            "announcement_only": "你不能在这个公告频道发言：由管理员决定谁可以发言。",
            "mention_all_forbidden": "超过 50 人的频道中，只有频道管理员可以 @所有人。",
            "bad_thread_root": "只能回复本频道的顶层消息。",
            "not_joinable": ("只有公开频道可以自行加入；"
                             "部门频道的成员随组织架构同步，由管理员安排。"),
        },
    },
    demo=(demo_conversations,),
)
