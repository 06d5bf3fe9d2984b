"""What durable jobs contribute to the server (the runner itself is the runtime's)."""

from __future__ import annotations

from xietong.core.i18n import CHINESE
from xietong.jobs import models
from xietong.jobs.api import router
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="jobs",
    routers=(Mount(router),),
    models=(models,),
    error_texts={
        CHINESE: {
            "job_not_found": "没有这个任务。",
            "job_not_failed": "只有失败的任务可以重试。",
        },
    },
)
