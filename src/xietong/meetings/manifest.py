"""What meetings contribute to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.manifest import ConsumerNeeds, DomainManifest, JobKind, Mount
from xietong.meetings import models
from xietong.meetings.api import router
from xietong.meetings.consumer import MeetingNotifications
from xietong.meetings.demo import demo_meetings
from xietong.meetings.events import MEETING_EVENTS
from xietong.meetings.reminders import REMINDER_JOB, reminder_handler


def _notifications(needs: ConsumerNeeds) -> MeetingNotifications:
    return MeetingNotifications(zone=needs.zone)


MANIFEST = DomainManifest(
    name="meetings",
    routers=(Mount(router),),
    models=(models,),
    event_types=MEETING_EVENTS,
    event_consumers=(_notifications,),
    job_kinds=(JobKind(REMINDER_JOB, reminder_handler),),
    demo=(demo_meetings,),
    error_texts={
        CHINESE: {
            "may_not_create_meeting": "访客不能发起会议。",
            "may_not_edit_meeting": "只有会议组织者或管理员可以修改会议。",
            "may_not_write_minutes": "只有参会人可以记录会议纪要。",
            "may_not_manage_action_items": "只有会议组织者或管理员可以确认、修改或忽略待办。",
            "not_invited": "你没有被邀请参加这个会议。",
            "meeting_cancelled": "会议已取消。",
            "meeting_ends_before_start": "会议的结束时间要晚于开始时间。",
            "meeting_too_long": "一次会议最长 24 小时。",
            "meeting_in_past": "不能安排已经过去的会议。",
            "too_many_attendees": "一次会议最多 500 位参会人。",
            "too_many_agenda_items": "一个会议最多 50 个议程。",
            "too_many_action_items": "一个会议最多 200 条待办。",
            "rrule_invalid": "重复规则无法识别。",
            "rrule_unbounded":
                "重复会议必须有结束：请设置次数（COUNT）或截止日期（UNTIL），最长两年。",
            "rrule_too_many": "一个系列最多 200 次会议，请提前结束。",
            "rrule_empty": "按这个规则（跳过节假日后）没有可开的会议。",
            "item_decided": "这条待办已经处理过了。",
            "unknown_project": "项目不存在或你看不到。",
            "bad_range": "结束时间要晚于开始时间。",
            "range_too_long": "一次最多查询 62 天。",
            "minutes_in_page": "这个会议的纪要已经是一篇文档，请在文档里修改。",
            "minutes_page_unreadable": "会议纪要文档已被删除或你无权查看。",
            "no_minutes_space": "组织者不属于任何部门，也没有邀请部门，无法确定纪要存放的空间。",
        },
    },
)
