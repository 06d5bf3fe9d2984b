"""What goals contribute to the server."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.core.signals import FoundItems, IndexRebuilding
from xietong.goals import models
from xietong.goals.api import router
from xietong.goals.consumer import CheckInReminders, TaskProgress
from xietong.goals.demo import demo_goals
from xietong.goals.events import GOAL_EVENTS, GoalScopes
from xietong.goals.reminders import CHECK_IN_JOB, CHECK_IN_SCHEDULE, check_in_handler
from xietong.goals.searching import ObjectiveReaders, found_objectives, reindex_objectives
from xietong.manifest import ConsumerNeeds, DomainManifest, JobKind, Mount, Reaction


def _progress(_needs: ConsumerNeeds) -> TaskProgress:
    return TaskProgress()


def _reminders(needs: ConsumerNeeds) -> CheckInReminders:
    return CheckInReminders(zone=needs.zone)


MANIFEST = DomainManifest(
    name="goals",
    routers=(Mount(router),),
    models=(models,),
    event_types=GOAL_EVENTS,
    scope_resolvers=(GoalScopes(),),
    scope_readers=(ObjectiveReaders(),),
    signal_handlers=(Reaction(FoundItems, found_objectives),
                     Reaction(IndexRebuilding, reindex_objectives)),
    event_consumers=(_progress, _reminders),
    job_kinds=(JobKind(CHECK_IN_JOB, check_in_handler, every=CHECK_IN_SCHEDULE),),
    demo=(demo_goals,),
    error_texts={
        CHINESE: {
            "department_required": "部门目标需要选择所属部门。",
            "may_not_set_objective":
                "公司目标由管理员制定，部门目标由部门负责人制定，个人目标由本人或其上级制定。",
            "visibility_too_narrow": "部门目标至少要对本部门可见。",
            "unknown_parent_objective": "要对齐的上级目标不存在。",
            "period_mismatch": "只能对齐同一周期的目标。",
            "alignment_cycle": "不能这样对齐：目标会对齐到自己。",
            "objective_archived": "目标已归档，不能再修改。",
            "too_many_key_results": "一个目标最多 20 个关键结果。",
            "links_need_tasks_kind": "只有“按任务计算”的关键结果可以关联任务和项目。",
            "unknown_link": "只能关联你能看到的任务和项目。",
            "progress_from_tasks": "这个关键结果的进度由关联任务自动计算。",
        },
    },
)
