"""Durability of the embedded database: every commit is synced to disk unless the operator
chooses otherwise (`XIETONG_SQLITE_SYNCHRONOUS=normal`). These run on an SQLite file of
their own whichever backend the suite runs on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from xietong.runtime import Runtime
from xietong.settings import ConfigurationError, Settings, load_settings

SECRET = "durability-test-secret-" + "x" * 32
# SQLite's numbers for PRAGMA synchronous.
NORMAL, FULL = 1, 2


async def synchronous_level(settings: Settings) -> tuple[int, int]:
    """PRAGMA synchronous as a writer's and a reader's connection report it."""
    runtime = Runtime(settings)
    try:
        async with runtime.unit_of_work() as uow:
            writer = (await uow.session.execute(text("PRAGMA synchronous"))).scalar_one()
        async with runtime.reader() as uow:
            reader = (await uow.session.execute(text("PRAGMA synchronous"))).scalar_one()
    finally:
        await runtime.close()
    return int(writer), int(reader)


async def test_the_embedded_database_syncs_every_commit_by_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIETONG_SQLITE_SYNCHRONOUS", raising=False)
    settings = Settings(data_dir=tmp_path, secret_key=SECRET)
    assert settings.database_url.startswith("sqlite")
    assert settings.sqlite_synchronous == "full"
    assert await synchronous_level(settings) == (FULL, FULL)


@pytest.mark.parametrize(("given", "level"), [("normal", NORMAL), ("NORMAL", NORMAL),
                                              ("Full", FULL)])
async def test_the_operator_may_choose_normal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              given: str, level: int) -> None:
    monkeypatch.setenv("XIETONG_SQLITE_SYNCHRONOUS", given)
    settings = load_settings(data_dir=tmp_path, secret_key=SECRET)
    assert await synchronous_level(settings) == (level, level)


def test_an_unknown_level_stops_start_up_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIETONG_SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ConfigurationError, match="XIETONG_SQLITE_SYNCHRONOUS"):
        load_settings()
