from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA  # noqa: F401  (re-exported for the tests here)


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    """A closed, empty workspace file (prefix NANAO)."""
    from recovery_desk.services.workspace import Workspace

    path = tmp_path / "io.rdesk"
    Workspace.create(path, incident_name="Noto quake", hazard="EQ", start_date=date(2024, 1, 1),
                     reference_prefix="NANAO", actor="Test").close()
    return path


@pytest.fixture
def ws(ws_path: Path):
    from recovery_desk.services.workspace import Workspace

    w = Workspace.open(ws_path, actor="Test")
    yield w
    w.close()
