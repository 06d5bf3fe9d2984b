"""What approvals contribute to the server."""

from __future__ import annotations

from xietong.approvals import models
from xietong.approvals.api import router
from xietong.approvals.consumer import ApprovalNotifications
from xietong.approvals.demo import demo_flows
from xietong.approvals.events import APPROVAL_EVENTS
from xietong.core.i18n import CHINESE
from xietong.manifest import ConsumerNeeds, DomainManifest, Mount


def _notifications(needs: ConsumerNeeds) -> ApprovalNotifications:
    return ApprovalNotifications(zone=needs.zone)


MANIFEST = DomainManifest(
    name="approvals",
    routers=(Mount(router),),
    models=(models,),
    event_types=APPROVAL_EVENTS,
    event_consumers=(_notifications,),
    demo=(demo_flows,),
    error_texts={
        CHINESE: {
            "approval_bad_approver": "审批人必须是公司在职成员（不能是访客）。",
            "approval_unknown_department": "部门不存在。",
            "approval_unknown_flow": "审批流程不存在。",
            "approval_flow_archived": "该审批流程已归档，不能再发起新的审批。",
            "approval_already_started": "已经发起过审批。",
            "approval_no_approver": "审批流程中有一步找不到审批人（没有在职的主管或审批人，"
                                    "且不能由申请人自己审批）。",
            "approval_comment_required": "拒绝或退回时请填写理由。",
            "approval_step_not_reached": "审批还没有到这一步。",
            "approval_task_closed": "这项审批已无需处理（本步骤或整个审批已结束）。",
            "approval_already_decided": "你已经处理过这项审批。",
            "approval_requester_cannot_approve": "申请人不能审批自己的申请。",
            "approval_already_approver": "此人已是这一步的审批人。",
            "approval_step_full": "这一步的审批人已达上限。",
            "approval_not_returned": "只有被退回的审批可以重新提交。",
            "approval_concluded": "审批已经结束。",
            "approval_flow_in_use": "还有工单类型在使用这个审批流程，请先修改或停用这些类型。",
            "approval_delegate_self": "请选择其他人作为代理人。",
            "approval_bad_until": "代理结束时间须在将来，且不超过一年。",
            "approval_bad_delegate": "代理人必须是公司在职成员（不能是访客）。",
        },
    },
)
