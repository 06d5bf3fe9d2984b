"""What the audit log contributes to the server."""

from __future__ import annotations

from xietong.audit import models
from xietong.audit.api import router
from xietong.manifest import DomainManifest, Mount

MANIFEST = DomainManifest(
    name="audit",
    routers=(Mount(router),),
    models=(models,),
)
