"""Every table of every domain: importing this imports each domain's models modules
(`DomainManifest.models`, through `xietong.domains`), so `Base.metadata` is complete
(migrations, tests)."""

from xietong.core.db import Base
from xietong.domains import DOMAINS

MODEL_MODULES = tuple(module for domain in DOMAINS for module in domain.models)

__all__ = ["MODEL_MODULES", "Base"]
