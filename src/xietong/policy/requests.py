"""Rules of cross-department requests: who sees a request, who works on it, who defines the
types a department receives.

Where someone stands towards a request (`RequestStanding`) is fetched by the caller
(`requests.access`): the requester, a watcher, its assignee, in the receiving department's
queue (a member of it or of a department below it), or a manager of it (or of a department
above it). An administrator is none of these by being one: a request to 法务部 or 人事部
is seen by those it concerns, not by whoever runs the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xietong.core.actor import Actor
from xietong.policy.org import is_guest


@dataclass(frozen=True, slots=True)
class RequestStanding:
    requester: bool = False
    watcher: bool = False
    assignee: bool = False
    in_queue: bool = False
    manager: bool = False
    # Named in its approval (to approve, or having approved): sees it, does nothing to it.
    approver: bool = False


class Action(StrEnum):
    """What moves a request from one status to another (`requests.workflow`)."""

    ACCEPT = "accept"
    START = "start"
    WAIT = "wait"
    RESUME = "resume"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    REJECT = "reject"
    WITHDRAW = "withdraw"


def can_file_requests(actor: Actor) -> bool:
    """Members and up file requests with other departments; a guest from outside the
    company has no department to ask for."""
    return not is_guest(actor.role)


# The standings that show a person the request, each on its own: all of them. The SQL form
# of the rule (`requests.queries.seen_by`, for lists and search) is built from this too.
SEEING: tuple[str, ...] = ("requester", "watcher", "assignee", "in_queue", "manager",
                           "approver")


def can_see_request(standing: RequestStanding) -> bool:
    return any(getattr(standing, name) for name in SEEING)


def can_act(action: Action, standing: RequestStanding) -> bool:
    """The requester confirms, reopens and withdraws what they filed, and resumes it when it
    waited on them (they answered; an approval sent back is submitted again). The receiving
    side works on it: its assignee, and the department's managers (who may step in for
    anyone); a member of the queue may take an unassigned request (accept or start it: it
    becomes theirs), but another member's only through a manager's reassignment."""
    if action in (Action.CONFIRM, Action.REOPEN, Action.WITHDRAW):
        return standing.requester
    if action is Action.RESUME and standing.requester:
        return True
    return standing.assignee or standing.manager


def can_take(action: Action, standing: RequestStanding, unassigned: bool) -> bool:
    """Whether a member of the queue may take an unassigned request by `action`."""
    return unassigned and standing.in_queue and action in (Action.ACCEPT, Action.START)


def can_assign(standing: RequestStanding) -> bool:
    """Assign or reassign: the receiving department's managers, or the assignee handing
    it on to a colleague."""
    return standing.manager or standing.assignee


def can_transfer(standing: RequestStanding) -> bool:
    """Pass a request to another department: whoever may assign it."""
    return can_assign(standing)


def can_add_watchers(standing: RequestStanding) -> bool:
    """Bring others in to follow a request: its requester and those working on it."""
    return standing.requester or standing.assignee or standing.manager


def can_remove_watcher(standing: RequestStanding, is_self: bool) -> bool:
    """Anyone stops watching; who may bring people in may also take them out."""
    return is_self or can_add_watchers(standing)


def can_comment(standing: RequestStanding) -> bool:
    """The discussion is between those the request concerns: its requester, watchers and
    the receiving side. An approver only sees what they approve (their word goes with
    their decision)."""
    return (standing.requester or standing.watcher or standing.assignee
            or standing.in_queue or standing.manager)


def can_rate(standing: RequestStanding) -> bool:
    return standing.requester


def can_manage_request_types(actor: Actor, manages_department: bool) -> bool:
    """The types a department receives (form, SLA, assignment): administrators, and the
    department's managers (of it or of a department above it) for their own."""
    return actor.is_admin or manages_department
