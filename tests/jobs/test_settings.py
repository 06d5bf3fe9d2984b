"""The job settings a node starts with."""

from __future__ import annotations

import pytest

from xietong.settings import ConfigurationError, load_settings


def test_handler_modules_are_read_as_a_comma_separated_list(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIETONG_JOB_HANDLER_MODULES", " xietong.jobs.probe ,, ")
    assert load_settings().job_handler_module_names == ("xietong.jobs.probe",)


def test_a_handler_module_that_does_not_exist_stops_start_up_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIETONG_JOB_HANDLER_MODULES", "xietong.jobs.probe,xietong.jobs.prbe")
    with pytest.raises(ConfigurationError,
                       match=r"XIETONG_JOB_HANDLER_MODULES .*'xietong\.jobs\.prbe'"):
        load_settings()
