"""What durable jobs contribute to the server (the runner itself is the runtime's)."""

from __future__ import annotations

from xietong.jobs import models
from xietong.jobs.api import router
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="jobs",
    routers=(Mount(router),),
    models=(models,),
)
