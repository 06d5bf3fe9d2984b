"""How `xietong serve` runs the app: one process, or several worker processes on one port.

Each worker is a node of its own (its own runtime, hub and node id); with more than one,
they share events, presence and rate limits through Redis exactly as separate machines do,
so several workers need PostgreSQL and Redis (Settings refuses anything else).
"""

from __future__ import annotations

import gc
import logging
import re
import sys

import uvicorn
from fastapi import FastAPI

from xietong.app import WS_MAX_SIZE, create_app
from xietong.runtime import Runtime
from xietong.settings import Settings, load_settings

# What each worker process imports to build its app (uvicorn's factory mode).
WORKER_APP = "xietong.serving:worker_app"


class RedactTokens(logging.Filter):
    """`?token=` on WebSocket URLs is a credential: never write it to a log."""

    PATTERN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(self.PATTERN.sub(r"\1[redacted]", a) if isinstance(a, str)
                                else a for a in record.args)
        record.msg = self.PATTERN.sub(r"\1[redacted]", str(record.msg))
        return True


def serve(settings: Settings) -> None:
    """Serve until stopped; the schema is expected to be current already."""
    uvicorn.run(WORKER_APP, factory=True, workers=settings.workers,
                host=settings.host, port=settings.port, log_level=settings.log_level,
                proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
                # Per-socket compression would compress every event once per recipient
                # (and costs ~36 KB per socket): frames go out as is.
                ws_max_size=WS_MAX_SIZE, ws_per_message_deflate=False)


def worker_app() -> FastAPI:
    """The app of one serving process (uvicorn calls this in each worker)."""
    settings = load_settings()
    _configure_logging(settings)
    app = create_app(Runtime(settings), close_runtime_on_shutdown=True)
    calm_the_garbage_collector()
    return app


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def calm_the_garbage_collector() -> None:
    """What start-up built (modules, models, SQLAlchemy's and jieba's tables) lives as long
    as the process: freeze it so collections stop re-scanning it, and collect the young
    generation less often — a request allocates thousands of short-lived objects, and
    with the default threshold (700) the collector ran several times per request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
