"""The durable jobs of announcements: publishing a scheduled one at its time, unpinning an
expired one, and the automatic reminder to acknowledge. Each is keyed by the announcement
(`actions.publish_key`, …), so it is queued once, and its handler acts only on an
announcement still in the state it expects, so running it twice does nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xietong.announcements import actions
from xietong.core.clock import utcnow
from xietong.core.uow import UnitOfWork
from xietong.manifest import JobHandler, JobKind, JobNeeds


def _handler(run: actions.JobRun) -> Callable[[JobNeeds], JobHandler]:
    def factory(_needs: JobNeeds) -> JobHandler:
        async def handle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
            await run(uow, int(payload["announcement_id"]), utcnow())
        return handle
    return factory


JOB_KINDS = (JobKind(actions.PUBLISH_JOB, _handler(actions.run_publish)),
             JobKind(actions.EXPIRE_JOB, _handler(actions.run_expire)),
             JobKind(actions.REMIND_JOB, _handler(actions.run_remind)))
