"""A starting node loads jieba's dictionary in the background (`Settings.warm_up`), so the
first search after a restart does not pay for it; the start itself does not wait.

jieba's dictionary is process-wide, and this suite's own process has loaded it long ago:
each case starts a runtime in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

STARTING_NODE = """
import asyncio, json, sys, time
from pathlib import Path
from xietong.migrate import upgrade_to_head
from xietong.runtime import Runtime
from xietong.search import text
from xietong.settings import Settings

async def main(data: Path, warm_up: bool) -> None:
    runtime = Runtime(Settings(data_dir=data, database_url=f"sqlite+aiosqlite:///{data}/x.db",
                               secret_key="k" * 40, run_jobs=False, run_consumers=False,
                               warm_up=warm_up))
    await upgrade_to_head(runtime)
    await runtime.start()
    warm_after_start = text.is_warm()
    await runtime.warmed_up()
    print(json.dumps({"after_start": warm_after_start, "after_warm_up": text.is_warm()}))
    await runtime.close()

asyncio.run(main(Path(sys.argv[1]), sys.argv[2] == "on"))
"""


def start_a_node(data: Path, warm_up: str) -> dict[str, Any]:
    data.mkdir()
    done = subprocess.run([sys.executable, "-c", STARTING_NODE, str(data), warm_up],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.mark.slow
def test_a_starting_node_loads_the_dictionary_in_the_background(tmp_path: Path) -> None:
    assert start_a_node(tmp_path / "on", "on") == {"after_start": False, "after_warm_up": True}


@pytest.mark.slow
def test_the_setting_turns_it_off(tmp_path: Path) -> None:
    assert start_a_node(tmp_path / "off", "off") == {"after_start": False,
                                                     "after_warm_up": False}
