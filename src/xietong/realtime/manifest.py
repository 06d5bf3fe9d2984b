"""What realtime delivery contributes to the server: the event log's tables, the socket
and its HTTP companion. (The hub and delivery are the runtime's `Realtime`.)"""

from __future__ import annotations

from xietong.manifest import DomainManifest, Mount
from xietong.realtime import models
from xietong.realtime.api import router
from xietong.realtime.socket import router as socket_router

MANIFEST = DomainManifest(
    name="realtime",
    routers=(Mount(router), Mount(socket_router)),
    models=(models,),
)
