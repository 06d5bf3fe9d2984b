"""Contract testing: schemathesis against a real server process, from its own OpenAPI
document, signed in as an owner (bearer token), on SQLite or PostgreSQL + Redis.

Every operation is exercised with generated valid and invalid inputs (the examples,
coverage and fuzzing phases; stateful links are not declared yet), and every reply is
checked against the document: no 5xx, only declared statuses, content types, headers and
bodies, invalid data refused, 405s with a true Allow. Bounded by --max-examples per
operation and --max-time; the run is recorded in a JSON report.

Run: .venv/bin/python -m bench.contract [--postgres] [--max-examples 20] [--max-time 120]
Prints one JSON document (operations, cases, failures by check, seconds) and keeps
schemathesis's own output and report under --report-dir.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import Admin, add_database_options, print_report, running_server


def seed(admin: Admin) -> None:
    """Something for the generated ids to find: a person, a department, a channel with a
    message that asks for acknowledgement."""
    client = admin.client
    department = client.post("/api/v1/departments", json={"name": "研发部"}).json()
    people = admin.create_people("contract", 2)
    channel = admin.create_channel("契约测试", [p.user_id for p in people])
    client.post(f"/api/v1/channels/{channel}/messages",
                json={"text": "请确认 @contract0", "ack_required": True})
    client.put(f"/api/v1/departments/{department['id']}/members",
               json={"user_ids": [people[0].user_id]})


_FAILURE_LINE = re.compile(r"^\s*❌ (ST\d+ [^:]+): (\d+)$", re.MULTILINE)
_CASES_LINE = re.compile(r"^\s*(\d+) generated", re.MULTILINE)
_OPERATIONS_LINE = re.compile(r"^\s*Tested: (\d+)", re.MULTILINE)


def summarise(output: str) -> dict[str, Any]:
    """Figures from schemathesis's summary: operations tested, cases generated, and the
    unique failures found per kind (ST1xx response conformance, ST2xx validation)."""
    cases = _CASES_LINE.search(output)
    operations = _OPERATIONS_LINE.search(output)
    return {"operations": int(operations.group(1)) if operations else None,
            "cases": int(cases.group(1)) if cases else None,
            "unique_failures": {name: int(count)
                                for name, count in _FAILURE_LINE.findall(output)}}


def run(args: argparse.Namespace) -> dict[str, Any]:
    report_dir = (Path(args.report_dir) / ("postgresql" if args.postgres else "sqlite")).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    ndjson = report_dir / "events.ndjson"
    with running_server(postgres=args.postgres) as server:
        admin = Admin(server)
        try:
            seed(admin)
        finally:
            admin.close()
        command = [
            str(Path(sys.executable).with_name("st")), "run",
            f"{server.base_url}/api/openapi.json",
            "--header", f"Authorization: Bearer {admin.person.token}",
            "--checks", "all", "--max-examples", str(args.max_examples),
            "--max-time", str(args.max_time), "--workers", "1", "--seed", str(args.seed),
            "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
            "--no-color", "--report", "ndjson", "--report-ndjson-path", str(ndjson),
            # The sign-in and logout operations would end the run's own credential.
            "--exclude-path-regex", "^/api/v1/auth/(logout|password)$",
        ]
        started = time.monotonic()
        # In the report dir: schemathesis leaves a .schemathesis/ cache where it runs.
        finished = subprocess.run(command, capture_output=True, text=True, check=False,
                                  cwd=report_dir)
        seconds = time.monotonic() - started
        healthy = httpx.get(server.base_url + "/healthz", timeout=5).status_code == 200
    (report_dir / "output.txt").write_text(finished.stdout + finished.stderr)
    return {"database": "postgresql" if args.postgres else "sqlite",
            "schemathesis_exit_code": finished.returncode, "seconds": round(seconds, 1),
            "max_examples": args.max_examples, "server_healthy_after": healthy,
            **summarise(finished.stdout), "output": str(report_dir / "output.txt"),
            "events": str(ndjson)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--max-time", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-dir", default="data/contract")
    print_report(run(parser.parse_args()))


if __name__ == "__main__":
    main()
