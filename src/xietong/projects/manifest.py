"""What projects contribute to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.core.signals import FileReadable, FoundItems, IndexRebuilding
from xietong.core.uow import UnitOfWork
from xietong.manifest import ConsumerNeeds, DomainManifest, JobKind, Mount, Reaction
from xietong.projects import models
from xietong.projects.api import router
from xietong.projects.cards import TaskCards
from xietong.projects.consumer import TaskNotifications
from xietong.projects.demo import demo_projects
from xietong.projects.details import file_readable_by
from xietong.projects.events import PROJECT_EVENTS, ProjectScopes
from xietong.projects.reminders import REMINDER_JOB, REMINDER_SCHEDULE, reminder_handler
from xietong.projects.searching import (
    ProjectReaders,
    found_items,
    reindex_projects,
    reindex_tasks,
)


def _notifications(needs: ConsumerNeeds) -> TaskNotifications:
    return TaskNotifications(zone=needs.zone)


async def _file_on_a_visible_task(uow: UnitOfWork, signal: FileReadable) -> bool:
    """A task carrying the file is one the actor sees."""
    return await file_readable_by(uow, signal.actor, signal.file_id)


def _cards(_needs: ConsumerNeeds) -> TaskCards:
    return TaskCards()


MANIFEST = DomainManifest(
    name="projects",
    routers=(Mount(router),),
    models=(models,),
    event_types=PROJECT_EVENTS,
    scope_resolvers=(ProjectScopes(),),
    scope_readers=(ProjectReaders(),),
    signal_handlers=(Reaction(FoundItems, found_items),
                     Reaction(IndexRebuilding, reindex_projects),
                     Reaction(IndexRebuilding, reindex_tasks),
                     Reaction(FileReadable, _file_on_a_visible_task)),
    event_consumers=(_notifications, _cards),
    job_kinds=(JobKind(REMINDER_JOB, reminder_handler, every=REMINDER_SCHEDULE),),
    demo=(demo_projects,),
    error_texts={
        CHINESE: {
            "unknown_person": "人员不存在或已停用。",
            "owner_stays": "项目负责人不能移出项目。",
            "not_a_project_member": "只有项目成员可以处理任务（项目归档后不能再修改）。",
            "assignee_not_member": "只能指派给项目成员。",
            "unknown_status": "这个状态不属于该项目。",
            "unknown_parent": "父任务必须是同一项目中的任务。",
            "unknown_neighbour": "目标位置的任务不在这一列。",
            "due_before_start": "截止日期不能早于开始日期。",
            "dependency_cycle": "不能添加这个依赖：任务之间会互相等待。",
            "status_name_taken": "看板中已有同名的列。",
            "statuses_incomplete": "看板至少要有一个“待处理”类和一个“已完成”类的列。",
            "status_in_use": "这一列还有任务，先把任务移走再删除。",
            "unknown_label": "标签不在该项目的标签列表中。",
            "label_name_taken": "已有同名的标签。",
            "label_too_long": "标签名称最多 20 个字。",
            "collaborator_not_member": "协作者必须是项目成员。",
            "checklist_full": "检查项最多 200 条。",
            "unknown_check_item": "检查项不属于这个任务。",
            "unknown_file": "只能添加你自己上传的文件。",
            "attachments_full": "一个任务最多 100 个附件。",
            "empty_comment": "评论不能为空。",
        },
    },
)
