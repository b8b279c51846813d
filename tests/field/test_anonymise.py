"""Closing an incident offers to anonymise it: every case's personal data erased (a
coordinator only, after a confirmation naming what goes), in the file and in a change
bundle written afterwards (a real .rdsync, decrypted and joined with sync's own functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from recovery_desk.cli.main import main
from recovery_desk.services import cases, identity, organisations, people, tasks
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


def _sign_in_coordinator(ws) -> None:
    city = organisations.create_organisation(ws, name="穴水町役場", ownership="public", org_type="gov_local").primary_id
    person_id = people.create_person(ws, name="閉鎖 一郎", organisation_ids=[city]).primary_id
    with ws.session() as s:
        identity.sign_in(ws, identity.identity_of(s, person_id))


def _statements_of_anonymising(ws) -> int:
    from sqlalchemy import event

    from recovery_desk.services.anonymise import anonymise_incident

    count = [0]

    def counted(*_args) -> None:
        count[0] += 1

    event.listen(ws.engine, "before_cursor_execute", counted)
    try:
        anonymise_incident(ws)
    finally:
        event.remove(ws.engine, "before_cursor_execute", counted)
    return count[0]


def _households(ws, numbers: range) -> None:
    for n in numbers:
        case_id = cases.create_case(ws, contact_name=f"世帯 {n:03d}号", contact_phone=f"0768-{n:04d}",
                                    address=f"輪島市河井町{n}番地", notes="二人暮らし").primary_id
        cases.set_need(ws, case_id, "housing_repair", note=f"世帯 {n:03d}号の屋根")
        task_id = tasks.create_task(ws, case_id, title=f"世帯 {n:03d}号宅の片付け").primary_id
        tasks.add_comment(ws, task_id, f"0768-{n:04d} に電話した")


@pytest.mark.both_engines
def test_anonymising_costs_the_same_statements_whatever_the_number_of_households(workspace):
    """Set-based: erasing case by case ran a dozen full-text searches per household (an hour for
    60,000); now 30 households take the same statements as 3, and nothing of theirs is left."""
    _sign_in_coordinator(workspace)
    _households(workspace, range(3))
    few = _statements_of_anonymising(workspace)
    _households(workspace, range(100, 130))  # 30 more households since
    assert _statements_of_anonymising(workspace) == few
    with workspace.engine.connect() as conn:
        for table in ("case", "need", "task", "comment", "activity", "sync_change", "sync_head"):
            text = json.dumps([list(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()],
                              ensure_ascii=False, default=str)
            for value in ("世帯 1", "世帯1", "0768-01", "河井町"):
                assert value not in text, (table, value)
        titles = sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM task"))
        assert titles == ["[erased]宅の片付け"] * 33  # the anonymous record stays, the names do not
        anonymised = conn.exec_driver_sql("SELECT new_value FROM activity WHERE action = 'anonymise' "
                                          "ORDER BY at").scalars().all()
        assert [json.loads(a)["households"] for a in anonymised] == [3, 30]


def test_an_anonymisation_travels_to_the_other_laptops_and_they_converge(tmp_path):
    """The close of the incident on laptop a reaches laptop b as one change: b erases its own
    rows (a comment only b had, quoting the name, too) and its log; what b changed before it
    heard of the close arrives erased on a; what b set afterwards stays on both."""
    from recovery_desk.services.anonymise import anonymise_incident
    from tests.sync.conftest import Laptops, canonical_dump

    net = Laptops(tmp_path)
    home = Workspace.create(tmp_path / "home.rdesk", incident_name="Noto quake", hazard="EQ",
                            reference_prefix="NOTO", actor="Home (Council)")
    case_id = cases.create_case(home, contact_name=NAME, contact_phone=PHONE, address=ADDRESS).primary_id
    other = cases.create_case(home, contact_name=OTHER_NAME, contact_phone=OTHER_PHONE).primary_id
    a, b = net.join(home, "a", "Aiko (City)"), net.join(home, "b", "Ben (NPO)")
    home.close()
    try:
        cases.update_case(b, other, contact_phone="0768-55-6677")  # on b, before it hears of the close
        task_id = tasks.create_task(b, case_id, title="片付け").primary_id
        tasks.add_comment(b, task_id, f"{NAME}さんに電話した")
        _sign_in_coordinator(a)
        anonymise_incident(a)
        net.send(a, b)
        for value in (NAME, PHONE, OTHER_NAME, "0768-55-6677"):  # b's file forgot them too (VACUUM)
            assert value.encode() not in _bytes(b.path), value
        late = cases.create_case(b, contact_name="後日 登録", contact_phone="0768-99-0000").primary_id
        net.send(b, a)
        net.send(a, b)
        assert canonical_dump(a) == canonical_dump(b)
        for ws in (a, b):
            with ws.engine.connect() as conn:
                for table in ("case", "task", "comment", "activity", "sync_change", "sync_head"):
                    text = json.dumps([list(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()],
                                      ensure_ascii=False, default=str)
                    for value in (NAME, PHONE, ADDRESS, OTHER_NAME, OTHER_PHONE, "0768-55-6677"):
                        assert value not in text, (ws.path.name, table, value)
                body = conn.exec_driver_sql("SELECT body FROM comment").scalar()
                assert body == "[erased]さんに電話した"
            with ws.session() as s:
                assert s.get(Case, late).contact_phone == "0768-99-0000"  # set after the close: stays
    finally:
        a.close()
        b.close()


@given(values=st.lists(st.text(alphabet="山田太郎09-", min_size=3, max_size=6), min_size=1, max_size=8),
       text=st.text(alphabet="山田太郎09- 花", max_size=40))
def test_the_scrubber_leaves_no_value_in_any_text(values, text):
    """However the values overlap and repeat, none is left whole in what the scrubber returns;
    a text holding none comes back as it was."""
    from recovery_desk.services.anonymise import Scrubber

    scrubbed = Scrubber(values)(text)
    for value in values:
        assert value not in scrubbed
    if not any(value in text for value in values):
        assert scrubbed == text
