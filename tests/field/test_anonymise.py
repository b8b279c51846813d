"""Closing an incident offers to anonymise it: every case's personal data erased (a
coordinator only, after a confirmation naming what goes), in the file and in a change
bundle written afterwards (a real .rdsync, decrypted and joined with sync's own functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.cli.main import main
from recovery_desk.services import cases, identity, organisations, people
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Case
from tests.field.test_erasure import ADDRESS, NAME, PHONE, _bytes, _household
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
OTHER_NAME, OTHER_PHONE = "輪島 次郎", "0768-22-3344"
PASSPHRASE = "correct horse battery staple"


def _incident(ws) -> tuple[str, str]:
    """Two households and a coordinator of the city; (coordinator's name, first case id)."""
    case_id, _ref = _household(ws)
    cases.create_case(ws, contact_name=OTHER_NAME, contact_phone=OTHER_PHONE, household_size=1)
    city = organisations.create_organisation(ws, name="七尾市役所", ownership="public", org_type="gov_local").primary_id
    people.create_person(ws, name="調整 花子", organisation_ids=[city])
    return "調整 花子", case_id


def _bundle_text(path: Path) -> str:
    from recovery_desk.services.sync.bundle import open_bundle

    bundle = open_bundle(path, PASSPHRASE)
    return json.dumps(bundle.manifest, ensure_ascii=False) + json.dumps(bundle.body, ensure_ascii=False)


def test_closing_and_anonymising_leaves_no_trace_in_the_file_nor_in_a_later_bundle(workspace, tmp_path, capsys):
    from recovery_desk.services.sync.exchange import export_bundle, join_workspace

    coordinator, case_id = _incident(workspace)
    before = tmp_path / "before.rdsync"
    export_bundle(workspace, before, PASSPHRASE, everything=True)
    assert NAME in _bundle_text(before) and PHONE in _bundle_text(before)  # what the check would catch
    path = workspace.path
    workspace.close()
    # only a coordinator; without --yes and no terminal, refused; nothing changes
    assert main(["--workspace", str(path), "incident", "close", "--anonymise", "--yes"]) == 1
    assert "only a coordinator" in capsys.readouterr().err
    assert main(["--workspace", str(path), "--as", coordinator, "incident", "close", "--anonymise"]) == 1
    assert "needs --yes" in capsys.readouterr().err and NAME.encode() in _bytes(path)
    assert main(["--workspace", str(path), "--as", coordinator, "incident", "close", "--on", "2024-12-31",
                 "--anonymise", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "ended on 2024-12-31" in out and "Erased the personal data of 2 households" in out
    raw = _bytes(path)
    for value in (NAME, PHONE, ADDRESS, OTHER_NAME, OTHER_PHONE, "0767991234"):
        assert value.encode() not in raw, value
    with Workspace.open(path, actor="Test") as ws:
        with ws.session() as s:
            assert ws.default_incident(s).end_date.isoformat() == "2024-12-31"
            assert set(s.scalars(select(Case.contact_name))) == {""}
            assert s.get(Case, case_id).household_size == 2  # the anonymous record stays
        after = tmp_path / "after.rdsync"
        export_bundle(ws, after, PASSPHRASE, everything=True)
    text = _bundle_text(after)
    for value in (NAME, PHONE, ADDRESS, OTHER_NAME, OTHER_PHONE):
        assert value not in text, value
    joined = join_workspace(tmp_path / "joined.rdesk", after, PASSPHRASE, actor="Another laptop")
    joined_path = joined.path
    joined.close()
    for value in (NAME, PHONE, OTHER_NAME):
        assert value.encode() not in _bytes(joined_path), value


def test_the_app_offers_to_anonymise_when_closing_and_names_what_goes(qtbot, workspace, worker) -> None:
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.main_window import MainWindow
    from tests.ui.conftest import _delete

    coordinator_name, case_id = _incident(workspace)  # a small incident: two households
    with workspace.session() as s:
        identity.sign_in(workspace, identity.identity_of(s, identity.find_person(s, coordinator_name).id))
    ctx = AppContext(worker)
    ctx.set_workspace(workspace)
    window = MainWindow(ctx)
    window.backup_on_open = False
    window.show()
    try:
        window.findChild(type(window.close_incident_action), "close_incident").trigger()  # File ▸ Close…
        qtbot.waitUntil(lambda: getattr(window, "close_incident_dialog", None) is not None, timeout=10_000)
        dialog = window.close_incident_dialog
        assert "2 households" in dialog.what.text() and "contact name" in dialog.what.text()
        assert "phone" in dialog.what.text() and "address" in dialog.what.text()
        assert not dialog.what.isEnabled() and dialog.ok.text() == "Close the incident"
        dialog.end.setText("2024-12-31")
        dialog.anonymise.setChecked(True)
        assert dialog.ok.text() == "Close and erase personal data"
        with qtbot.waitSignal(dialog.closed, timeout=60_000):
            dialog.ok.click()
        wait_idle(qtbot, ctx)
        with workspace.session() as s:
            assert workspace.default_incident(s).end_date.isoformat() == "2024-12-31"
            assert set(s.scalars(select(Case.contact_name))) == {""}
        for value in (NAME, PHONE, OTHER_NAME):
            assert value.encode() not in _bytes(workspace.path), value
    finally:
        wait_idle(qtbot, ctx)
        _delete(window)


def test_someone_not_a_coordinator_cannot_close_the_incident(qtbot, main_window, ctx) -> None:
    from tests.field.helpers import npo_volunteer

    with ctx.workspace.session() as s:
        person_id, _name = npo_volunteer(s)
        identity.sign_in(ctx.workspace, identity.identity_of(s, person_id))
    main_window.close_incident()
    assert getattr(main_window, "close_incident_dialog", None) is None
    assert "only a coordinator" in main_window.statusBar().currentMessage()
