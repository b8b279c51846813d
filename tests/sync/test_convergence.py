"""Laptops that work apart and exchange bundles in any order converge, and lose no edit.

A hypothesis state machine drives three real workspaces through the real services (create,
edit, delete cases; create, move, claim tasks; blocked-by links; a CSV import) and passes
real bundle files between them in random order — some delivered twice, some never, some
laptops writing for a peer, some for everyone. At the end everyone sends to everyone, and:

- every laptop holds the same data (a canonical dump: bookkeeping columns left out);
- every laptop lists the same open conflicts, and no conflict seen open was lost;
- every value that was overwritten was either seen by the edit that replaced it (it is in
  that edit's base) or is still there, in an open conflict;
- case references are unique;
- reading a bundle a second time changes nothing.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from sqlalchemy import select

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.services import board, cases, organisations, tasks
from recovery_desk.services.sync.conflicts import (
    list_conflicts,
    open_conflicts,
    reopen,
    resolve_undoably,
)
from recovery_desk.services.sync.exchange import export_bundle, import_bundle
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case, Organisation, Task
from tests.sync.conftest import PASSPHRASE, canonical_dump, database_digest

LAPTOPS = 3
laptop = st.integers(0, LAPTOPS - 1)
pick = st.integers(0, 1000)
words = st.sampled_from(["gate", "call", "roof", "mud", "visit", "ok", "雨漏り", "電話"])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Three laptops joined from one workspace (copied for each example: each copy takes
    an identity of its own on first open, as a copied file does)."""
    from recovery_desk.services.sync.exchange import join_workspace

    folder = tmp_path_factory.mktemp("template")
    home = Workspace.create(folder / "laptop0.rdesk", incident_name="Noto quake", start_date=date(2024, 1, 1),
                            reference_prefix="NOTO", actor="Laptop 0")
    for name in ("七尾市社会福祉協議会", "NPO Mud"):
        organisations.create_organisation(home, name=name, ownership="private", profit="nonprofit", formality="formal")
    for i in range(2):
        case_id = cases.create_case(home, contact_name=f"Seed {i}").primary_id
        tasks.create_task(home, case_id, title=f"Task {i}")
    export_bundle(home, folder / "all.rdsync", PASSPHRASE, everything=True)
    home.close()
    for i in range(1, LAPTOPS):
        join_workspace(folder / f"laptop{i}.rdesk", folder / "all.rdsync", PASSPHRASE, actor=f"Laptop {i}").close()
    return folder


class Exchange(RuleBasedStateMachine):
    folder: Path
    source: Path

    @initialize()
    def open_laptops(self) -> None:
        self.dir = Path(self.folder) / f"run{id(self)}"
        self.dir.mkdir()
        from recovery_desk.storage.database import backup_file

        self.laptops = [Workspace.open(backup_file(self.source / f"laptop{i}.rdesk", self.dir / f"l{i}.rdesk"),
                                       actor=f"Laptop {i}") for i in range(LAPTOPS)]
        self.bundles: list[Path] = []
        self.resolutions: list[list] = [[] for _ in range(LAPTOPS)]

    def teardown(self) -> None:
        for ws in getattr(self, "laptops", []):
            ws.close()
        shutil.rmtree(getattr(self, "dir", self.folder / "none"), ignore_errors=True)

    # -- helpers
    def _ids(self, ws: Workspace, model, where=()) -> list[str]:
        with ws.session() as s:
            return sorted(s.scalars(select(model.id).where(model.deleted_at.is_(None), *where)).all())

    def _one(self, ws, model, n, where=()):
        ids = self._ids(ws, model, where)
        return ids[n % len(ids)] if ids else None

    def _try(self, call, *args, **kwargs) -> None:
        try:
            call(*args, **kwargs)
        except RecoveryDeskError:
            pass  # refused by the services' rules (a cycle, done while blocked…): as in the app

    # -- work on one laptop
    @rule(i=laptop, name=words)
    def create_case(self, i, name):
        cases.create_case(self.laptops[i], contact_name=name)

    @rule(i=st.sampled_from([1, 2]), name=words)
    def draw_the_same_code(self, i, name):
        """Two laptops that never met drew one reference code (~1 in 330,000 per pair): from
        now on they may issue the same references, which must still converge (one case
        keeps the reference, the other is told apart the same way on every laptop)."""
        source, target = self.laptops[i], self.laptops[3 - i]
        cases.create_case(source, contact_name=name)  # the source has its code from now on
        with source.engine.connect() as conn:
            code = conn.exec_driver_sql("SELECT value FROM workspace_info WHERE key = 'reference_code'").scalar()
        with target.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO workspace_info (key, value) VALUES ('reference_code', ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (code,))
        cases.create_case(target, contact_name=name)

    @rule(i=laptop, n=pick, priority=st.sampled_from(["urgent", "high", "normal", "low"]))
    def set_priority(self, i, n, priority):
        case_id = self._one(self.laptops[i], Case, n)
        if case_id:
            cases.update_case(self.laptops[i], case_id, priority=priority)

    @rule(i=laptop, n=pick, note=words)
    def set_notes(self, i, n, note):
        case_id = self._one(self.laptops[i], Case, n)
        if case_id:
            cases.update_case(self.laptops[i], case_id, notes=note)

    @rule(i=laptop, n=pick)
    def delete_case(self, i, n):
        case_id = self._one(self.laptops[i], Case, n)
        if case_id:
            cases.delete_case(self.laptops[i], case_id)

    @rule(i=laptop, n=pick, title=words)
    def create_task(self, i, n, title):
        case_id = self._one(self.laptops[i], Case, n)
        if case_id:
            tasks.create_task(self.laptops[i], case_id, title=title)

    @rule(i=laptop, n=pick, status=st.sampled_from(["received", "matched", "in_progress", "blocked", "done"]))
    def move_task(self, i, n, status):
        task_id = self._one(self.laptops[i], Task, n)
        if task_id:
            self._try(tasks.move_task, self.laptops[i], task_id, status)

    @rule(i=laptop, n=pick, o=pick)
    def claim_task(self, i, n, o):
        ws = self.laptops[i]
        task_id, org_id = self._one(ws, Task, n), self._one(ws, Organisation, o)
        if task_id and org_id:
            self._try(board.claim_task, ws, task_id, org_id)

    @rule(i=laptop, n=pick, m=pick)
    def add_dependency(self, i, n, m):
        ws = self.laptops[i]
        first, second = self._one(ws, Task, n), self._one(ws, Task, m)
        if first and second:
            self._try(tasks.add_dependency, ws, first, second)

    @rule(i=laptop, name=words)
    def import_cases(self, i, name):
        from recovery_desk.io.importer import ImportOptions, import_file

        path = self.dir / f"import{len(self.bundles)}-{i}.csv"
        path.write_text(f"氏名,住所\n{name} 一,七尾市 {len(self.bundles)}\n{name} 二,七尾市 {len(self.bundles)}-2\n",
                        encoding="utf-8")
        import_file(self.laptops[i], path, ImportOptions("cases"))

    @rule(i=laptop, n=pick, keep=st.sampled_from(["ours", "theirs"]))
    def resolve_a_conflict(self, i, n, keep):
        ws = self.laptops[i]
        open_now = list_conflicts(ws)
        if open_now:
            chosen = open_now[n % len(open_now)]
            self.resolutions[i].append(resolve_undoably(ws, chosen["id"], keep=keep)[1])

    @rule(i=laptop)
    def undo_a_resolution(self, i):
        """Undo (in the app) reopens the conflict, here and wherever the undoing goes."""
        if self.resolutions[i]:
            reopen(self.laptops[i], self.resolutions[i].pop())

    # -- exchanges
    @rule(i=laptop, everything=st.booleans())
    def write_bundle(self, i, everything):
        path = self.dir / f"b{len(self.bundles)}.rdsync"
        export_bundle(self.laptops[i], path, PASSPHRASE, everything=everything)
        self.bundles.append(path)

    @rule(n=pick, i=laptop, twice=st.booleans())
    def read_bundle(self, n, i, twice):
        if not self.bundles:
            return
        path = self.bundles[n % len(self.bundles)]  # any bundle: old ones again, some never
        ws = self.laptops[i]
        import_bundle(ws, path, PASSPHRASE)
        if twice:
            before = database_digest(ws.path)
            import_bundle(ws, path, PASSPHRASE)
            assert database_digest(ws.path) == before

    # -- the end: everyone sends to everyone
    def check_convergence(self) -> None:
        for _ in range(2):
            for source in self.laptops:
                path = self.dir / f"final{len(self.bundles)}.rdsync"
                export_bundle(source, path, PASSPHRASE)
                self.bundles.append(path)
                for target in self.laptops:
                    if target is not source:
                        import_bundle(target, path, PASSPHRASE)
        dumps = [canonical_dump(ws) for ws in self.laptops]
        assert all(d == dumps[0] for d in dumps[1:])
        conflicts = [list_conflicts(ws) for ws in self.laptops]
        assert all(c == conflicts[0] for c in conflicts[1:])
        references = [row[1] for row in dumps[0]["case"]]
        assert len(references) == len(set(references))
        type(self).examples_with_a_clash += any("~" in r for r in references)
        self._check_nothing_lost()

    def _check_nothing_lost(self) -> None:
        """Every field change is the value shown, or was seen by a later edit (it is in that
        edit's base), or is still there in an open conflict: no edit silently lost, and no
        conflict seen open lost either (its values are such changes)."""
        from recovery_desk.services.sync.apply import same_value
        from recovery_desk.services.sync.changelog import QUIET

        with self.laptops[0].engine.connect() as conn:
            bases: set[str] = set()
            for (base,) in conn.exec_driver_sql("SELECT base FROM sync_change WHERE base IS NOT NULL"):
                bases.update(base.split())
            heads: dict[tuple, dict[str, tuple]] = {}
            for entity, row_id, name, replica, seq, hlc, value in conn.exec_driver_sql(
                    "SELECT entity, row_id, field, replica, seq, hlc, value FROM sync_head"):
                heads.setdefault((entity, row_id, name), {})[f"{replica}:{seq}"] = (hlc, replica, value)
            conflicts = open_conflicts(conn)
            in_conflict = {c.ours.id for c in conflicts} | {c.theirs.id for c in conflicts}
            for replica, seq, entity, row_id, name, value in conn.exec_driver_sql(
                    "SELECT replica, seq, entity, row_id, field, value FROM sync_change WHERE kind = 'update'"):
                change = f"{replica}:{seq}"
                if change in bases:
                    continue
                field_heads = heads.get((entity, row_id, name), {})
                assert change in field_heads, f"{change} ({entity}.{name}) was lost"
                shown = max(field_heads, key=lambda k: field_heads[k][:2])
                if change == shown or name in QUIET.get(entity, ()) or same_value(
                        entity, name, value, field_heads[shown][2]):
                    continue
                assert change in in_conflict, f"{change} ({entity}.{name}) overwritten without a conflict"


Exchange.TestCase.settings = settings(max_examples=max(settings.default.max_examples // 10, 1), stateful_step_count=18,
                                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_laptops_converge(template, tmp_path):
    class Run(Exchange):
        folder = tmp_path
        source = template
        examples_with_a_clash = 0

        def teardown(self) -> None:
            if hasattr(self, "laptops"):
                self.check_convergence()
            super().teardown()

    Run.TestCase.settings = Exchange.TestCase.settings
    Run.TestCase().runTest()
    # The derandomized examples include laptops that drew one reference code and issued the
    # same reference (so the rule that settles it is exercised, not only written).
    assert Run.examples_with_a_clash > 0
