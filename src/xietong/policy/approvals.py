"""Rules of approvals: who defines approval flows, who may approve, who acts on a task."""

from __future__ import annotations

from typing import Protocol

from xietong.core.actor import Actor, Role
from xietong.policy.org import is_guest


class Task(Protocol):
    """An approval task as the rules read it (`approvals.models.ApprovalTask`)."""

    @property
    def assignee_id(self) -> int: ...


def can_manage_flows(actor: Actor) -> bool:
    """Create, rename and archive approval flows: administrators. A flow names approvers
    anywhere in the company (a person, a department's managers), so it is company
    configuration; department managers choose among the flows when they set up their
    request types, they do not write new ones."""
    return actor.is_admin


def can_read_flows(actor: Actor) -> bool:
    """List and read flows (to pick one for a request type): everyone but guests."""
    return not is_guest(actor.role)


def can_be_approver(role: Role) -> bool:
    """A guest is someone from outside the company: they approve nothing of it, and no task
    (as an approver, a co-approver or a delegate) goes to them."""
    return not is_guest(role)


def can_delegate(actor: Actor) -> bool:
    """Set a delegate for one's absence: whoever can be an approver."""
    return can_be_approver(actor.role)


def holds_task(actor: Actor, task: Task) -> bool:
    """The task is the actor's to decide (or to add a co-approver to): it was assigned to
    them, by the flow or, during someone's absence, as their delegate. Anyone else's task
    is answered as missing."""
    return task.assignee_id == actor.user_id
