from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from xietong.edge import Rt

router = APIRouter(tags=["ops"])
log = logging.getLogger("xietong.ops")


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
