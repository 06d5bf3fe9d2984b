from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.approvals.helpers import Concluded
from xietong.core.signals import ApprovalConcluded
from xietong.runtime import Runtime

_recorders: dict[int, Concluded] = {}


@pytest.fixture
async def concluded(runtime: Runtime) -> AsyncIterator[Concluded]:
    """The runtime's signals reach this recorder (connected once per runtime: signals
    cannot be disconnected), emptied for each test."""
    recorder = _recorders.get(id(runtime))
    if recorder is None:
        recorder = _recorders[id(runtime)] = Concluded()
        runtime.signals.connect(ApprovalConcluded, recorder.handle)
    recorder.heard.clear()
    recorder.refuse = False
    yield recorder
    recorder.heard.clear()
    recorder.refuse = False
