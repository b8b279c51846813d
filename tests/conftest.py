"""Test set-up: Qt offscreen, and no test ever touches the user's real data or settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, Phase, Verbosity, settings  # noqa: E402

from recovery_desk.i18n import set_language  # noqa: E402

# Property tests (hypothesis). "ci", the default, makes `make test` the same on every run and
# every machine: examples derived from each test's own code (derandomize), no example
# database replaying an earlier run's finds, no deadline (2 shared cores make timings noise).
# "fuzz" (`make fuzz`) runs many random examples, keeps what fails in .hypothesis/ so the
# next run tries it first, and says what it tried. Tests leave max_examples to the profile
# (a test that needs more asks for a multiple of it), so `make fuzz` really runs more.
_NO_TIMING = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", derandomize=True, database=None, max_examples=50, deadline=None,
                          print_blob=True, suppress_health_check=_NO_TIMING)
settings.register_profile("fuzz", derandomize=False, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
                          deadline=None, print_blob=True, suppress_health_check=_NO_TIMING,
                          phases=list(Phase), verbosity=Verbosity.normal)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
DEMO_AS_OF = date(2024, 6, 30)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("RECOVERY_DESK_CONFIG_DIR", str(home / "config" / "RecoveryDesk"))
    monkeypatch.setenv("RECOVERY_DESK_ACTOR", "Test User (Test Org)")
    monkeypatch.delenv("RECOVERY_DESK_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language("en")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator:
    """An empty workspace with one incident."""
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.create(tmp_path / "test.rdesk", incident_name="Test quake", hazard="EQ",
                          start_date=date(2024, 1, 1), reference_prefix="TEST", actor="Test User (Test Org)")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo workspace shared read-only by tests (copy it before writing)."""
    from recovery_desk.services.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.rdesk"
    create_demo(path, cases=300, seed=7, as_of=DEMO_AS_OF, actor="Demo")
    return path


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo workspace."""
    from recovery_desk.storage.database import backup_file

    return backup_file(demo_path, tmp_path / "demo.rdesk")
