"""Image uploads: the server's peak memory and CPU while it thumbnails a large image.

Uploads a `--size`×`--size` PNG (7700×7700 RGB by default, about 0.25 MB on the wire,
about 180 MB of pixels once decoded) to a real `xietong serve` process, once alone and
then `--parallel` at the same moment (each by a different person, so the per-person upload
rate limit is not what is measured); the same for a JPEG photo of that size, and for the
worst case that still gets a thumbnail: a PNG of `--bound-side`×`--bound-side` (4800×4800,
23 million pixels, just within the default XIETONG_MAX_THUMBNAIL_DECODED_PIXELS). Each scenario
gets a freshly started server on the same scratch installation, so its high-water mark is
its own. Reported per scenario and round: the server's resident memory before (VmRSS),
its peak while the uploads ran and the growth between them (the peak is the larger of
VmRSS sampled every 2 ms from this process and the kernel's high-water mark VmHWM, which
on its own can miss memory that was freed by some paths),
the server's CPU seconds (user + system, threads included) and wall time of the uploads,
and what the uploads answered (status, has_thumbnail).

Run: .venv/bin/python -m bench.thumbnails [--size 7700] [--parallel 4] [--rounds 2]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from tests.files.images import banded_png, photo_jpeg

from bench.common import (
    FAST_ARGON2_ENV,
    FAST_ARGON2_NOTE,
    Admin,
    Person,
    Server,
    cpu_seconds,
    machine_info,
    print_report,
    rss_kib,
    scratch_environment,
    serving,
)


def _status_field(pid: int, name: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {name} for process {pid}")


def upload_at_once(server: Server, people: list[Person], name: str, data: bytes
                   ) -> dict[str, Any]:
    """Each person uploads `data` at the same moment; the server's memory and CPU around it."""
    # Let start-up settle, then take the figures before.
    time.sleep(1.0)
    rss_before = rss_kib(server.pid)
    hwm_before = _status_field(server.pid, "VmHWM")
    cpu_before = cpu_seconds(server.pid)
    barrier = threading.Barrier(len(people))
    answers: list[dict[str, Any]] = [{} for _ in people]

    def one(index: int, person: Person) -> None:
        with httpx.Client(base_url=server.base_url, timeout=300, headers={
                "Authorization": f"Bearer {person.token}"}) as client:
            client.get("/healthz")
            barrier.wait()
            started = time.monotonic()
            response = client.post("/api/v1/files",
                                   files={"file": (name, data, "application/octet-stream")})
            elapsed = time.monotonic() - started
            body = response.json()
            answers[index] = {"status": response.status_code, "seconds": round(elapsed, 3),
                              "has_thumbnail": body.get("has_thumbnail"),
                              "error": body.get("error", {}).get("code")}

    sampled_peak = rss_before
    done = threading.Event()

    def sample() -> None:
        nonlocal sampled_peak
        while not done.is_set():
            sampled_peak = max(sampled_peak, rss_kib(server.pid))
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    hwm_after = _status_field(server.pid, "VmHWM")
    peak = max(sampled_peak, hwm_after)
    return {"uploads": len(people),
            "server_rss_before_mib": round(rss_before / 1024, 1),
            "server_peak_rss_mib": round(peak / 1024, 1),
            "server_peak_growth_mib": round((peak - rss_before) / 1024, 1),
            "sampled_peak_mib": round(sampled_peak / 1024, 1),
            "vmhwm_mib": round(hwm_after / 1024, 1),
            "start_up_peak_mib": round(hwm_before / 1024, 1),
            "server_cpu_seconds": round(cpu_seconds(server.pid) - cpu_before, 3),
            "wall_seconds": round(wall, 3),
            "answers": answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=7700, help="image width and height")
    parser.add_argument("--parallel", type=int, default=4, help="uploads at the same moment")
    parser.add_argument("--rounds", type=int, default=2, help="times each scenario is run")
    parser.add_argument("--bound-side", type=int, default=4800,
                        help="side of the png_bound image (the largest PNG thumbnailed)")
    parser.add_argument("--formats", default="png,jpeg,png_bound",
                        help="any of png, jpeg, png_bound")
    args = parser.parse_args()
    images: dict[str, Callable[[int], bytes]] = {
        "png": lambda side: banded_png(side, side), "jpeg": lambda side: photo_jpeg(side, side),
        "png_bound": lambda _side: banded_png(args.bound_side, args.bound_side)}
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if any(f not in images for f in formats) or args.parallel < 1 or args.rounds < 1:
        parser.error("--formats takes png, jpeg, png_bound; --parallel and --rounds are "
                     "positive")
    report: dict[str, Any] = {"benchmark": "thumbnails", "machine": machine_info(),
                              "database": "sqlite", "image_side": args.size,
                              "argon2": FAST_ARGON2_NOTE, "started_at": time.strftime(
                                  "%Y-%m-%d %H:%M:%S %Z"), "scenarios": {}}
    with scratch_environment(FAST_ARGON2_ENV) as environment:
        with serving(environment) as server:
            admin = Admin(server)
            try:
                people = admin.create_people("uploader", args.parallel)
            finally:
                admin.close()
        for fmt in formats:
            data = images[fmt](args.size)
            report["scenarios"][f"{fmt}_bytes"] = len(data)
            for label, who in (("single", people[:1]), (f"parallel_{args.parallel}", people)):
                runs = []
                for _ in range(args.rounds):
                    with serving(environment) as server:
                        runs.append(upload_at_once(server, who, f"large.{fmt[:4]}", data))
                report["scenarios"][f"{fmt}_{label}"] = runs
    print_report(report)


if __name__ == "__main__":
    main()
