"""What surveys and votes contribute to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount
from xietong.surveys import models
from xietong.surveys.api import router
from xietong.surveys.consumer import SurveyNotices
from xietong.surveys.deadlines import SURVEY_JOBS
from xietong.surveys.demo import demo_surveys
from xietong.surveys.events import SURVEY_EVENTS


def _notices(needs: ConsumerNeeds) -> SurveyNotices:
    return SurveyNotices(zone=needs.zone)


MANIFEST = DomainManifest(
    name="surveys",
    routers=(Mount(router),),
    models=(models,),
    event_types=SURVEY_EVENTS,
    event_consumers=(_notices,),
    job_kinds=SURVEY_JOBS,
    demo=(demo_surveys,),
    error_texts={
        CHINESE: {
            "may_not_create_survey": "访客不能发起问卷或投票。",
            "may_not_ask_company": "只有管理员可以向全公司发起问卷。",
            "may_not_ask_departments": "只能向自己所在或负责的部门（及其下级部门）发起问卷。",
            "may_not_manage_survey": "只有发起人和管理员可以修改、结束或删除问卷。",
            "not_in_audience": "这份问卷没有邀请你填写。",
            "results_hidden": "结果仅发起人可见；发起人公开结果后，已填写的人也可以查看。",
            "poll_shape": "投票只能有一个单选或多选问题。",
            "poll_needs_channel": "投票需要在频道中发起。",
            "audience_conflict": "请选择频道成员或指定范围，二者只能选一个。",
            "audience_required": "请选择问卷的填写范围。",
            "unknown_audience_department": "所选部门不存在。",
            "empty_audience": "所选范围内没有可以填写的人。",
            "options_required": "选择题至少需要两个选项。",
            "options_repeated": "同一题的选项不能重复。",
            "options_not_allowed": "只有选择题可以设置选项。",
            "deadline_past": "截止时间已经过去，请选择将来的时间。",
            "survey_closed": "问卷已结束。",
            "questions_locked": "已经有人填写，问题不能再修改。",
            "unknown_question": "回答的问题不属于这份问卷。",
            "answer_repeated": "同一个问题回答了两次。",
            "answer_wrong_kind": "回答的形式与题型不符。",
            "unknown_option": "所选的选项不存在。",
            "one_option_only": "单选题只能选一个选项。",
            "answer_out_of_range": "分数超出了这道题的范围。",
            "answer_required": "还有必答题没有回答。",
            "already_answered": "你已经填写过这份问卷了。",
        },
    },
)
