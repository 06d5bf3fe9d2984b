"""The hub's per-socket queue: a cut-off that comes before the socket can be stopped."""

from __future__ import annotations

import pytest

from xietong.realtime.hub import Connection
from xietong.realtime.scopes import Subscriptions

READS_ONE_CHANNEL = Subscriptions({"channel": frozenset({1})})


@pytest.mark.parametrize("cause", ["credential ended", "queue overflowed", "node stopping"])
def test_a_socket_cut_off_during_its_replay_is_stopped_as_soon_as_it_can_be(cause: str) -> None:
    """A socket is replayed to before its send and receive loops exist; a logout, an
    overflow or a shutdown meanwhile must still end it, not leave it open and silent."""
    connection = Connection(7, READS_ONE_CHANNEL, queue_limit=10, token_id=3)
    if cause == "credential ended":
        connection.end_credential()
    elif cause == "queue overflowed":
        for n in range(11):
            connection.offer(f'{{"id": {n}}}')
        assert connection.overflowed
    else:
        connection.cut_off()
    stopped: list[str] = []
    connection.stop_with(lambda: stopped.append("stopped"))
    assert stopped == ["stopped"]


def test_an_ended_credential_gets_nothing_more() -> None:
    connection = Connection(7, READS_ONE_CHANNEL, queue_limit=10, token_id=3)
    stopped: list[str] = []
    connection.stop_with(lambda: stopped.append("stopped"))
    assert stopped == []
    connection.offer('{"id": 1}')
    connection.end_credential()
    connection.offer('{"id": 2}')
    assert stopped == ["stopped"]
    assert connection.is_cut_off
    assert not connection.overflowed
    assert not connection._pending  # what was queued is dropped too
