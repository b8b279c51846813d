"""Laptops for exchange tests: real workspace files, real bundles on disk."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from recovery_desk.services.sync.exchange import export_bundle, import_bundle, join_workspace
from recovery_desk.services.workspace import Workspace
from tests.board.conftest import board_ctx, board_page, board_ws  # noqa: F401  (the board page, for its markers)

PASSPHRASE = "correct horse battery staple"

# Columns that follow from the merged changes and may differ between laptops (bookkeeping).
BOOKKEEPING = {"updated_at", "row_version", "last_activity_at"}


class Laptops:
    """A first workspace and laptops joined from it; bundles go through files in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def bundle_path(self) -> Path:
        self.count += 1
        return self.folder / f"bundle-{self.count}.rdsync"

    def send(self, source: Workspace, target: Workspace, **options):
        path = self.bundle_path()
        export_bundle(source, path, PASSPHRASE, **options)
        return import_bundle(target, path, PASSPHRASE)

    def join(self, source: Workspace, name: str, actor: str = "") -> Workspace:
        path = self.bundle_path()
        export_bundle(source, path, PASSPHRASE, everything=True)
        return join_workspace(self.folder / f"{name}.rdesk", path, PASSPHRASE, actor=actor or name)


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Laptops, Workspace]]:
    first = Workspace.create(tmp_path / "home.rdesk", incident_name="Noto quake", hazard="EQ",
                             start_date=date(2024, 1, 1), reference_prefix="NOTO", actor="Home (Council)")
    yield Laptops(tmp_path), first
    first.close()


def canonical_dump(ws: Workspace) -> dict[str, list[tuple]]:
    """Every entity table's rows without bookkeeping columns, sorted: what must converge."""
    from recovery_desk.storage.models import ENTITY_MODELS

    out: dict[str, list[tuple]] = {}
    with ws.engine.connect() as conn:
        for entity, model in sorted(ENTITY_MODELS.items()):
            columns = [c.key for c in model.__table__.columns if c.key not in BOOKKEEPING]
            rows = conn.exec_driver_sql(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{entity}"')
            index = columns.index("deleted_at")
            out[entity] = sorted(tuple(r[:index]) + (r[index] is not None,) + tuple(r[index + 1:]) for r in rows)
    return out


def database_digest(path: Path) -> str:
    """A digest of everything a workspace file holds (to prove that nothing was written)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()
