"""Test set-up: Qt offscreen, and no test ever touches the user's real data or settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from recovery_desk.i18n import set_language  # noqa: E402

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
