"""What announcements contribute to the server."""

from __future__ import annotations

from xietong.announcements import models
from xietong.announcements.access import standing_of
from xietong.announcements.actions import do_conclude_review
from xietong.announcements.api import router
from xietong.announcements.consumer import AnnouncementNotifications
from xietong.announcements.demo import demo_announcements
from xietong.announcements.events import ANNOUNCEMENT_EVENTS, REVIEW
from xietong.announcements.queries import (
    announcement_ids_carrying,
    get_announcement,
    targets_of,
)
from xietong.announcements.timers import JOB_KINDS
from xietong.core.clock import utcnow
from xietong.core.i18n import CHINESE
from xietong.core.signals import ApprovalConcluded, FileReadable, SubjectReferences
from xietong.core.uow import UnitOfWork
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount, Reaction
from xietong.policy import announcements as policy


async def _review_concluded(uow: UnitOfWork, signal: ApprovalConcluded) -> None:
    """A review ended: the announcement is published, scheduled or back to its author."""
    if signal.subject.kind == REVIEW:
        await do_conclude_review(uow, signal.subject.id, signal.outcome, signal.instance_id,
                                 utcnow())


async def _references(_uow: UnitOfWork, signal: SubjectReferences) -> dict[int, str]:
    """A review is quoted as 公告审核 and its number."""
    if signal.kind != REVIEW:
        return {}
    return {review_id: f"公告审核-{review_id:05d}" for review_id in signal.subject_ids}


async def _file_in_a_visible_announcement(uow: UnitOfWork, signal: FileReadable) -> bool:
    """An announcement the actor may see carries the file (its cover or an attachment)."""
    now = utcnow()
    for announcement_id in await announcement_ids_carrying(uow, signal.file_id):
        announcement = await get_announcement(uow, announcement_id)
        if announcement is None:
            continue
        targets = (await targets_of(uow, [announcement.id]))[announcement.id]
        if policy.can_see_announcement(signal.actor, await standing_of(
                uow, signal.actor, announcement, targets, now)):
            return True
    return False


def _notifications(needs: ConsumerNeeds) -> AnnouncementNotifications:
    return AnnouncementNotifications(zone=needs.zone)


MANIFEST = DomainManifest(
    name="announcements",
    routers=(Mount(router),),
    models=(models,),
    event_types=ANNOUNCEMENT_EVENTS,
    event_consumers=(_notifications,),
    job_kinds=JOB_KINDS,
    signal_handlers=(Reaction(ApprovalConcluded, _review_concluded),
                     Reaction(SubjectReferences, _references),
                     Reaction(FileReadable, _file_in_a_visible_announcement)),
    demo=(demo_announcements,),
    error_texts={
        CHINESE: {
            "announcement_publish_in_past": "发布时间已过，请选择将来的时间，"
                                            "或留空在审核通过后立即发布。",
            "announcement_expiry_in_past": "过期时间已过，请选择将来的时间。",
            "announcement_expiry_before_publish": "过期时间必须晚于发布时间。",
            "announcement_too_far_ahead": "发布时间和过期时间须在一年以内。",
            "announcement_no_audience": "请选择公告的发布范围：全公司、部门或公告频道。",
            "announcement_unknown_audience": "发布范围中的部门或公告频道不存在。",
            "announcement_may_not_address": "你不能向这个范围发布公告：全公司公告由管理员和"
                                            "审核部门发布，部门公告由本部门成员和负责人发布，"
                                            "频道公告由频道管理员发布。",
            "announcement_bad_files": "只能添加你自己上传的文件。",
            "announcement_cover_not_image": "封面必须是图片。",
            "announcement_null_field": "此项不能为空；不修改请不要提交该项。",
            "announcement_not_author": "只有公告的作者可以这样做。",
            "announcement_not_draft": "只有草稿可以修改、提交或删除；审核中的公告请先撤回。",
            "announcement_not_in_review": "只有审核中的公告可以撤回。",
            "announcement_no_reviewer": "除作者外没有可以审核这条公告的管理员。",
            "announcement_not_publisher": "只有发布人和管理员可以查看阅读情况和发送提醒。",
            "announcement_no_ack": "这条公告不需要确认。",
            "announcement_expired": "公告已过期。",
            "announcement_remind_too_soon": "刚刚已经提醒过，请稍后再试。",
            "announcement_not_published": "公告尚未发布。",
            "announcement_not_audience": "只有公告的发布范围内的成员可以阅读和确认。",
        },
    },
)
