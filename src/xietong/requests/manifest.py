"""What requests contribute to the server."""

from __future__ import annotations

from xietong.core.clock import utcnow
from xietong.core.i18n import CHINESE
from xietong.core.signals import (
    ApprovalConcluded,
    FileReadable,
    FlowUsers,
    FoundItems,
    IndexRebuilding,
    SubjectReferences,
)
from xietong.core.uow import UnitOfWork
from xietong.manifest import ConsumerNeeds, DomainManifest, JobKind, Mount, Reaction
from xietong.policy import requests as requests_policy
from xietong.requests import models
from xietong.requests.access import standing_of
from xietong.requests.actions import do_conclude_approval
from xietong.requests.api import router
from xietong.requests.cards import RequestCards
from xietong.requests.consumer import RequestNotifications
from xietong.requests.demo import demo_requests
from xietong.requests.dispatching import TRAINING_JOB, TRAINING_SCHEDULE, training_handler
from xietong.requests.events import REQUEST, REQUEST_EVENTS
from xietong.requests.queries import get_request, request_ids_carrying, types_on_flow
from xietong.requests.searching import RequestReaders, found_requests, reindex_requests
from xietong.requests.timers import SLA_JOB, sla_handler
from xietong.requests.views import number_of


async def _file_in_a_visible_request(uow: UnitOfWork, signal: FileReadable) -> bool:
    """A request whose form carries the file is one the actor may see."""
    for request_id in await request_ids_carrying(uow, signal.file_id):
        request = await uow.session.get(models.Request, request_id)
        if request is not None and requests_policy.can_see_request(
                await standing_of(uow, signal.actor, request)):
            return True
    return False


def _notifications(needs: ConsumerNeeds) -> RequestNotifications:
    return RequestNotifications(zone=needs.zone)


def _cards(_needs: ConsumerNeeds) -> RequestCards:
    return RequestCards()


async def _approval_concluded(uow: UnitOfWork, signal: ApprovalConcluded) -> None:
    """A request's approval ended: the request moves on (`do_conclude_approval`)."""
    if signal.subject.kind != REQUEST:
        return
    request = await get_request(uow, signal.subject.id, for_update=True)
    if request is not None:
        await do_conclude_approval(uow, request, signal.outcome, utcnow())


async def _references(_uow: UnitOfWork, signal: SubjectReferences) -> dict[int, str]:
    """Requests are quoted by their number, which their id makes: nothing to read."""
    if signal.kind != REQUEST:
        return {}
    return {request_id: number_of(request_id) for request_id in signal.subject_ids}


async def _types_on_flow(uow: UnitOfWork, signal: FlowUsers) -> list[str]:
    """The active request types whose requests start approvals on the flow."""
    return await types_on_flow(uow, signal.flow_id)


MANIFEST = DomainManifest(
    name="requests",
    routers=(Mount(router),),
    models=(models,),
    event_types=REQUEST_EVENTS,
    event_consumers=(_notifications, _cards),
    job_kinds=(JobKind(SLA_JOB, sla_handler),
               JobKind(TRAINING_JOB, training_handler, every=TRAINING_SCHEDULE)),
    scope_readers=(RequestReaders(),),
    signal_handlers=(Reaction(FileReadable, _file_in_a_visible_request),
                     Reaction(ApprovalConcluded, _approval_concluded),
                     Reaction(SubjectReferences, _references),
                     Reaction(FlowUsers, _types_on_flow),
                     Reaction(FoundItems, found_requests),
                     Reaction(IndexRebuilding, reindex_requests)),
    demo=(demo_requests,),
    error_texts={
        CHINESE: {
            "not_type_manager": "只有管理员和该部门负责人可以设置它受理的工单类型。",
            "type_name_taken": "该部门已有同名的工单类型。",
            "null_setting": "设置项不能设为空；不修改请不要提交该项。",
            "sla_order": "解决时限不能短于响应时限。",
            "unknown_department": "部门不存在。",
            "unknown_type": "工单类型不存在。",
            "type_department": "该工单类型属于另一个部门。",
            "unknown_watcher": "关注人不存在。",
            "unknown_field": "表单中没有这一项。",
            "invalid_value": "表单中有一项填写不正确。",
            "required_field": "请填写必填项。",
            "unknown_reference": "表单中引用的人员、部门或文件不存在。",
            "not_yours": "你不能对这个工单执行此操作。",
            "wrong_status": "工单当前的状态不能执行此操作。",
            "reason_required": "请填写原因。",
            "request_closed": "工单已结束，不能再修改。",
            "not_in_department": "只能指派给受理部门的在职成员。",
            "not_closed": "工单关闭后才能评价。",
            "same_department": "工单已经在这个部门了。",
            "unknown_flow": "审批流程不存在或已停用。",
            "approval_pending": "工单需要审批通过后才会完成，不能提前标记解决。",
            "already_rated": "这个工单已经评价过了。",
        },
    },
)
