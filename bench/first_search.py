"""The first search after a restart: how long it takes, and what warming jieba at start-up
costs the node meanwhile.

On a scratch installation with the demo company (`xietong seed-demo`), each round starts a
real `xietong serve`, polls /healthz every 10 ms until it answers (`ready_ms`, from the
process's start), then:
- `immediate`: asks who it is signed in as (`me_ms`: the first authenticated request), then
  searches, then again (`first_ms`, `second_ms`);
- `after_idle`: waits `--idle` seconds first (a restart at night, searched in the morning);
- `probe`: no search; /healthz every 20 ms for 2 s (`healthz_max_ms`: the longest the event
  loop was kept from answering, e.g. by the warm-up's thread holding the GIL).
The query is a Chinese sentence, which jieba splits into words (search/text.py).
`--no-warm-up` runs the server with XIETONG_WARM_UP=false (what every start did before it).

Run: .venv/bin/python -m bench.first_search [--rounds 5] [--idle 3] [--no-warm-up]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Environment,
    Server,
    machine_info,
    print_report,
    scratch_environment,
    serving,
)

DEMO_PASSWORD = "bench-demo"
QUERY = "发布会物料清单"


@contextmanager
def node(environment: Environment) -> Iterator[tuple[Server, float]]:
    """A freshly started server, and how long it took to answer /healthz (ms)."""
    started = time.perf_counter()
    with serving(environment, poll_seconds=0.01) as server:
        yield server, (time.perf_counter() - started) * 1000


def timed_get(client: httpx.Client, path: str, **params: Any) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:200]}")
    return elapsed


def sign_in(environment: Environment) -> str:
    with node(environment) as (server, _):
        response = httpx.post(server.base_url + "/api/v1/auth/login", timeout=30,
                              json={"login": "zhangwei", "password": DEMO_PASSWORD})
        response.raise_for_status()
        token: str = response.json()["token"]
        return token


def one_round(environment: Environment, token: str, idle: float) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    figures: dict[str, float] = {}
    with node(environment) as (server, ready_ms), httpx.Client(
            base_url=server.base_url, headers=headers, timeout=60) as client:
        figures["ready_ms"] = ready_ms
        # The first authenticated request (a cold credential cache and connection pool)
        # apart, so that the search's own first cost shows.
        figures["immediate_me_ms"] = timed_get(client, "/api/v1/users/me")
        figures["immediate_first_ms"] = timed_get(client, "/api/v1/search", q=QUERY)
        figures["immediate_second_ms"] = timed_get(client, "/api/v1/search", q=QUERY)
    with node(environment) as (server, _), httpx.Client(
            base_url=server.base_url, headers=headers, timeout=60) as client:
        time.sleep(idle)
        figures["after_idle_me_ms"] = timed_get(client, "/api/v1/users/me")
        figures["after_idle_first_ms"] = timed_get(client, "/api/v1/search", q=QUERY)
    with node(environment) as (server, _), httpx.Client(base_url=server.base_url,
                                                        timeout=60) as client:
        probes = []
        until = time.perf_counter() + 2
        while time.perf_counter() < until:
            probes.append(timed_get(client, "/healthz"))
            time.sleep(0.02)
        figures["probe_healthz_max_ms"] = max(probes)
        figures["probe_healthz_median_ms"] = statistics.median(probes)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0)
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args()
    extra = {**FAST_ARGON2_ENV, "XIETONG_WARM_UP": "false" if args.no_warm_up else "true"}
    with scratch_environment(extra) as environment:
        environment.xietong("seed-demo", "--password", DEMO_PASSWORD)
        token = sign_in(environment)
        rounds = [one_round(environment, token, args.idle) for _ in range(args.rounds)]
    summary = {key: {"median": round(statistics.median(r[key] for r in rounds), 1),
                     "min": round(min(r[key] for r in rounds), 1),
                     "max": round(max(r[key] for r in rounds), 1)}
               for key in rounds[0]}
    print_report({"benchmark": "first_search", "warm_up": not args.no_warm_up,
                  "query": QUERY, "rounds": args.rounds, "idle_seconds": args.idle,
                  **summary, "argon2": FAST_ARGON2_NOTE, "machine": machine_info()})


if __name__ == "__main__":
    main()
