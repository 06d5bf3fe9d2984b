"""The demo company's figures: its seeded history is counted like anything people do."""

from __future__ import annotations

from xietong.analytics.rollups import NAME
from xietong.core.uow import UnitOfWork
from xietong.manifest import DemoOptions, DemoOutcome
from xietong.realtime.models import ConsumerPosition


async def count_the_demo(uow: UnitOfWork, options: DemoOptions) -> DemoOutcome:
    """A consumer seen for the first time starts at the end of the log (`realtime.consumers`),
    which would leave the demo's conversations, requests and tasks out of the figures: when
    the rollups have not started yet, they start at the beginning."""
    started = await uow.insert_ignoring_duplicates(ConsumerPosition, [
        {"name": NAME, "position": 0, "failures": 0}])
    if not started:
        return DemoOutcome()
    return DemoOutcome(created=("collaboration figures from the first event",),
                       hint="数据洞察 (/analytics) counts the demo's history once the server runs.")
