"""Where each action takes a request: 新建 → 已受理 → 处理中 → 待确认 → 已关闭, with 等待
(the clocks stop), 已驳回 and 已撤回 on the side. Who may take an action is policy's
(`policy.requests.can_act`); whether it applies to the status it is in is this table's."""

from __future__ import annotations

from xietong.policy.requests import Action
from xietong.requests.models import Status

_WORKING = frozenset({Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING})

# action: (the statuses it applies to, where it leads; None: back where it waited from)
MOVES: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACCEPT: (frozenset({Status.NEW}), Status.ACCEPTED),
    Action.START: (frozenset({Status.NEW, Status.ACCEPTED}), Status.IN_PROGRESS),
    Action.WAIT: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.WAITING),
    Action.RESUME: (frozenset({Status.WAITING}), None),
    Action.RESOLVE: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING}),
                     Status.RESOLVED),
    Action.CONFIRM: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.IN_PROGRESS),
    Action.REJECT: (_WORKING, Status.REJECTED),
    Action.WITHDRAW: (_WORKING, Status.WITHDRAWN),
}

# Actions that answer the requester: the first of them is the response the SLA times.
RESPONSES = frozenset({Action.ACCEPT, Action.START, Action.REJECT, Action.RESOLVE})
# Actions that must say why.
NEED_REASON = frozenset({Action.REJECT, Action.REOPEN, Action.WAIT})


def applies(action: Action, status: Status) -> bool:
    return status in MOVES[action][0]


def target(action: Action, status_before_wait: Status | None) -> Status:
    to = MOVES[action][1]
    if to is None:
        return status_before_wait or Status.IN_PROGRESS
    return to
