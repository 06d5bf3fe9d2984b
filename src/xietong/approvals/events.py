"""Events of approvals: to the people concerned with one approval, by name.

An approval's scope is its subject's (`request:12`): the event says what it is about, and
its audience is exactly the requester and the instance's approvers (every step, every
round, with those a delegate acts for), whatever the subject's domain lets others see.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from xietong.approvals.models import ApprovalInstance, ApprovalTask
from xietong.approvals.schemas import ApprovalOut
from xietong.core.events import Audience, Event, Scope


class ApprovalChange(StrEnum):
    STARTED = "started"
    DECIDED = "decided"
    APPROVER_ADDED = "approver_added"
    RESUBMITTED = "resubmitted"
    WITHDRAWN = "withdrawn"


class ApprovalChanged(Event):
    """An approval started, was decided on, gained a co-approver (加签), was resubmitted
    or withdrawn: `approval` as it now stands (as the inbox shows it), `task_id` the task
    decided or added, `actor_id` who did it."""

    type: Literal["approval.changed"] = "approval.changed"
    approval: ApprovalOut
    change: ApprovalChange
    actor_id: int | None
    task_id: int | None


def concerned(instance: ApprovalInstance, tasks: Iterable[ApprovalTask]) -> set[int]:
    """The requester and everyone who approves or approved it, or was meant to."""
    people = {instance.requester_id}
    for task in tasks:
        people.add(task.assignee_id)
        if task.on_behalf_of_id is not None:
            people.add(task.on_behalf_of_id)
    return people


def to_concerned(instance: ApprovalInstance, tasks: Iterable[ApprovalTask]) -> Audience:
    return Audience.users(concerned(instance, tasks),
                          scope=Scope(instance.subject_kind, instance.subject_id))


APPROVAL_EVENTS: tuple[type[Event], ...] = (ApprovalChanged,)
