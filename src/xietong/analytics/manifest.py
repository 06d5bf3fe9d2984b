"""What analytics contributes to the server."""

from __future__ import annotations

from xietong.analytics import models
from xietong.manifest import DomainManifest

MANIFEST = DomainManifest(
    name="analytics",
    models=(models,),
)
