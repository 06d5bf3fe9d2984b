from __future__ import annotations

import logging
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from xietong.edge import get_services

router = APIRouter(tags=["ops"])
log = logging.getLogger("xietong.ops")


class OpsServices(Protocol):
    """What the health checks use of the runtime (`xietong.runtime.Runtime` provides it)."""

    @property
    def redis(self) -> object | None:
        """The Redis client, when one is configured."""
        ...

    async def check_database(self) -> None: ...

    async def check_redis(self) -> None: ...


Rt = Annotated[OpsServices, Depends(get_services)]


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(rt: Rt) -> JSONResponse:
    """Ready to serve: the database answers, and Redis too when configured."""
    checks: dict[str, str] = {}
    for name, check in (("database", rt.check_database), ("redis", rt.check_redis)):
        if name == "redis" and rt.redis is None:
            continue
        try:
            await check()
            checks[name] = "ok"
        except Exception as error:  # any failure means "not ready", whatever raised it
            log.warning("readiness check %s failed: %s", name, error)
            checks[name] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)
