"""The import contracts in pyproject.toml (run by `lint-imports` in `make lint`) hold on the
real package and fail on a copy of it with one violation planted: a check that cannot
fail would prove nothing.

Each case copies `src/xietong` (Python files only) into a temporary directory, adds one
import, and runs `lint-imports` there with the copy first on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from xietong.auth.api import AuthServices
from xietong.documents.api import VersionServices
from xietong.domains import DOMAINS
from xietong.edge import Services
from xietong.jobs.api import JobServices
from xietong.meetings.api import MinutesServices
from xietong.ops.api import OpsServices
from xietong.realtime.api import RealtimeServices
from xietong.realtime.socket import SocketServices
from xietong.runtime import Runtime
from xietong.search.api import SearchServices

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "xietong"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def runtime_serves(runtime: Runtime) -> tuple[Services, AuthServices, SocketServices,
                                               RealtimeServices, OpsServices, JobServices,
                                               SearchServices, VersionServices,
                                               MinutesServices]:
    """Routes get the runtime as these protocols; mypy checks here that it provides them."""
    return runtime, runtime, runtime, runtime, runtime, runtime, runtime, runtime, runtime


def lint_imports(config: Path, source: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    selected = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *selected, str(config)],
        cwd=config.parent, env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package and of pyproject.toml (the contracts); returns its `src`."""
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, source / "xietong",
                    ignore=shutil.ignore_patterns("static", "__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return source


def plant(source: Path, module: str, line: str) -> None:
    path = source / "xietong" / module
    path.write_text(path.read_text() + "\n" + line + "\n")


def test_the_package_keeps_the_contracts() -> None:
    result = lint_imports(ROOT / "pyproject.toml", ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_untouched_copy_keeps_them(copy: Path) -> None:
    """The control: the cases below fail because of what they plant, not of the copying."""
    result = lint_imports(copy.parent / "pyproject.toml", copy)
    assert result.returncode == 0, result.stdout + result.stderr


VIOLATIONS = {
    # chat imports files (attachments): files importing chat back closes a cycle.
    "domain_cycle": ("files/access.py", "from xietong.chat import queries as _chat_queries",
                     {"acyclic", "layers"}),
    # Inside a function counts as much as at the top: org is below search.
    "cycle_inside_a_function": ("org/access.py",
                                "def _planted() -> None:\n    from xietong.search import queries",
                                {"acyclic", "layers"}),
    # A route importing the runtime (which imports every domain) instead of `edge.Services`.
    "route_imports_runtime": ("chat/api.py", "from xietong.runtime import Runtime as _Runtime",
                              {"acyclic", "layers"}),
    # core imports nothing else of xietong.
    "core_imports_a_domain": ("core/clock.py", "import xietong.org.models", {"acyclic", "layers"}),
    # realtime knows no domain (and no domain needs realtime: they speak core's event,
    # scope and consumer protocols, so this is a layering break, not a cycle).
    "realtime_imports_a_domain": ("realtime/hub.py", "import xietong.chat.models",
                                  {"layers"}),
    # Lower in the layers but no cycle: audit must not reach up into files.
    "reaching_up_without_a_cycle": ("audit/queries.py", "import xietong.files.models",
                                    {"layers"}),
    # The manifest type sits below every domain, which imports it.
    "manifest_type_imports_a_domain": ("manifest.py", "import xietong.chat.models",
                                       {"acyclic", "layers"}),
    # Only the entry points take the list of domains; a domain that did would import all.
    "domain_imports_the_list": ("org/api.py", "from xietong.domains import DOMAINS as _all",
                                {"acyclic", "layers"}),
    # Siblings in one layer stay independent: auth and chat.
    "independent_siblings": ("auth/queries.py", "import xietong.chat.models", {"layers"}),
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_a_planted_violation_breaks_the_contracts(copy: Path, case: str) -> None:
    module, line, broken = VIOLATIONS[case]
    plant(copy, module, line)
    config = copy.parent / "pyproject.toml"
    for contract in ("acyclic", "layers"):
        result = lint_imports(config, copy, contract)
        expected = 1 if contract in broken else 0
        assert result.returncode == expected, (contract, result.stdout + result.stderr)
        if expected:
            assert "BROKEN" in result.stdout


LAYER_IGNORES = {"__init__", "__main__", "migrations", "static"}


def unplaced(source: Path, domains: set[str]) -> set[str]:
    """Top-level packages and modules of the package under `source` that have no place:
    neither in the layers contract nor a domain of `xietong.domains` (a domain's package
    is named as its manifest)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["id"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    top = {path.stem for path in (source / "xietong").iterdir()
           if path.suffix == ".py" or (path / "__init__.py").exists()}
    return top - LAYER_IGNORES - placed - domains


DOMAIN_NAMES = {domain.name for domain in DOMAINS}


def test_every_top_level_package_has_a_place() -> None:
    assert unplaced(ROOT / "src", DOMAIN_NAMES) == set()


def test_a_new_top_level_package_must_be_placed_in_the_layers_or_the_domains(
        copy: Path) -> None:
    (copy / "xietong" / "unplaced").mkdir()
    (copy / "xietong" / "unplaced" / "__init__.py").write_text("")
    assert unplaced(copy, DOMAIN_NAMES) == {"unplaced"}
    # A new domain is placed by its line in the list of domains.
    assert unplaced(copy, DOMAIN_NAMES | {"unplaced"}) == set()


def test_a_domain_outside_the_layers_is_still_kept_out_of_cycles(copy: Path) -> None:
    """notifications has no place in the layers (it needs none): a cycle through it breaks
    the acyclic contract all the same."""
    plant(copy, "chat/queries.py", "import xietong.notifications.models")
    result = lint_imports(copy.parent / "pyproject.toml", copy, "acyclic")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
