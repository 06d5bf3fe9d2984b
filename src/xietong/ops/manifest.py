"""What the health checks contribute to the server."""

from __future__ import annotations

from xietong.manifest import DomainManifest, Mount
from xietong.ops.api import router

MANIFEST = DomainManifest(
    name="ops",
    routers=(Mount(router),),
)
