"""What 员工之声 contributes to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.feedback import models
from xietong.feedback.api import kudos, showcase, suggestions
from xietong.feedback.consumer import KudosNotices
from xietong.feedback.demo import demo_feedback
from xietong.feedback.events import FEEDBACK_EVENTS, VoiceScopes
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount


def _notices(needs: ConsumerNeeds) -> KudosNotices:
    return KudosNotices(zone=needs.zone)


MANIFEST = DomainManifest(
    name="feedback",
    routers=(Mount(suggestions), Mount(kudos), Mount(showcase)),
    models=(models,),
    event_types=FEEDBACK_EVENTS,
    scope_resolvers=(VoiceScopes(),),
    event_consumers=(_notices,),
    demo=(demo_feedback,),
    error_texts={
        CHINESE: {
            "voice_for_staff": "员工之声只对公司内部成员开放，访客不能使用。",
            "no_department_to_share": "你还没有加入任何部门，无法注明来源部门。",
            "group_too_small":
                "你所在的部门人数少于 5 人，注明部门可能暴露你的身份，因此不能注明。",
            "too_many_suggestions": "每人每小时最多提交 5 条建议，请稍后再试。",
            "unknown_receipt": "没有与这个回执码对应的建议，请检查后重试。",
            "may_not_answer": "只有建议所投递部门的负责人（或上级部门负责人）和管理员可以回复。",
            "kudos_to_self": "点赞是给别人的：请感谢一位同事或一个团队。",
            "unknown_recipient": "没有这位同事。",
            "bad_period": "统计区间必须从前往后，且不超过 366 天。",
            "may_not_curate": "只有管理员可以选定最佳实践案例。",
            "already_showcased": "它已经在最佳实践案例里了。",
        },
    },
)
