"""File ▸ Exchange, the Conflicts page with its badge, and the unsent count, in the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_idle

PASSPHRASE = "a long shared passphrase"


def _other_laptop(window, tmp_path: Path):
    """A second laptop holding the same workspace (a copy takes its own identity)."""
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.database import backup_file

    return Workspace.open(backup_file(window.ctx.workspace.path, tmp_path / "other.rdesk"), actor="Ben (City)")


def _first_case(ws):
    from sqlalchemy import select

    from recovery_desk.storage.models import Case

    with ws.session() as s:
        return s.scalars(select(Case).where(Case.deleted_at.is_(None)).order_by(Case.sequence)).first()


def _actions(window, path: Path, summaries: list[str]):
    actions = window.exchange
    actions.ask_open_path = lambda: str(path)
    actions.ask_save_path = lambda: str(path)
    actions.ask_passphrase = lambda: PASSPHRASE
    actions.on_summary = summaries.append
    return actions


def test_read_changes_shows_a_summary_the_conflict_and_its_badge(qtbot, main_window, tmp_path):
    from recovery_desk.services import cases
    from recovery_desk.services.sync.exchange import export_bundle, import_bundle

    ctx = main_window.ctx
    other = _other_laptop(main_window, tmp_path)
    case = _first_case(other)
    cases.update_case(other, case.id, notes="from the other laptop")
    export_bundle(other, tmp_path / "other.rdsync", PASSPHRASE)
    ctx.change(lambda ws: cases.update_case(ws, case.id, notes="typed here"))
    wait_idle(qtbot, ctx)

    summaries: list[str] = []
    _actions(main_window, tmp_path / "other.rdsync", summaries).read()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: bool(summaries))
    assert "1 new conflict(s)" in summaries[0]
    wait_idle(qtbot, ctx)
    assert main_window.sidebar_item("conflicts").text() == "Conflicts (1)"

    page = main_window.show_page("conflicts")
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 1
    row = [page.model.data(page.model.index(0, c)) for c in range(4)]
    assert row[0] == case.reference and row[1] == "notes"
    assert {row[2].split(" — ")[0], row[3].split(" — ")[0]} == {"typed here", "from the other laptop"}
    page.table.selectRow(0)
    shown_before = _first_case(ctx.workspace).notes
    qtbot.mouseClick(page.keep_theirs, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 0
    assert main_window.sidebar_item("conflicts").text() == "Conflicts"
    chosen = _first_case(ctx.workspace).notes
    assert chosen != shown_before
    ctx.undo_stack.undo()  # reopens the conflict: the earlier value shown, both values listed again
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert _first_case(ctx.workspace).notes == shown_before
    assert page.model.rowCount() == 1
    assert main_window.sidebar_item("conflicts").text() == "Conflicts (1)"
    ctx.undo_stack.redo()  # settles it again, the same way
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert _first_case(ctx.workspace).notes == chosen and page.model.rowCount() == 0
    ctx.undo_stack.undo()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 1

    # The reopening travels: the other laptop lists the same open conflict (same id, same values).
    from recovery_desk.services.sync.conflicts import list_conflicts, resolve

    summaries.clear()
    _actions(main_window, tmp_path / "back.rdsync", summaries).write()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: bool(summaries))
    import_bundle(other, tmp_path / "back.rdsync", PASSPHRASE)
    here = list_conflicts(ctx.workspace)
    assert list_conflicts(other) == here and len(here) == 1
    assert _first_case(other).notes == shown_before

    # Settled on the other laptop, it closes here when its bundle is read.
    resolve(other, here[0]["id"], keep="theirs")
    export_bundle(other, tmp_path / "settled.rdsync", PASSPHRASE)
    import_bundle(ctx.workspace, tmp_path / "settled.rdsync", PASSPHRASE)
    assert list_conflicts(ctx.workspace) == [] == list_conflicts(other)
    assert _first_case(other).notes == _first_case(ctx.workspace).notes
    other.close()


def test_unsent_changes_show_in_the_status_bar(qtbot, main_window, tmp_path):
    from recovery_desk.services import cases
    from recovery_desk.services.sync.exchange import export_bundle, import_bundle

    ctx = main_window.ctx
    main_window.refresh_sync_state()
    wait_idle(qtbot, ctx)
    assert main_window.unsent_label.text() == "Not yet exchanged with another laptop"
    other = _other_laptop(main_window, tmp_path)
    export_bundle(other, tmp_path / "other.rdsync", PASSPHRASE)
    other.close()
    import_bundle(ctx.workspace, tmp_path / "other.rdsync", PASSPHRASE)
    main_window.refresh_sync_state()
    wait_idle(qtbot, ctx)
    before = main_window.unsent_label.text()
    assert before == "Not sent to other laptops: 0"
    case = _first_case(ctx.workspace)
    ctx.change(lambda ws: cases.update_case(ws, case.id, priority="urgent" if case.priority != "urgent" else "low"))
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert main_window.unsent_label.text() != before
    assert main_window.unsent_label.text().startswith("Not sent to other laptops:")


def test_a_refused_bundle_is_one_line_and_changes_nothing(qtbot, main_window, tmp_path, monkeypatch):
    from recovery_desk.domain.errors import RecoveryDeskError

    ctx = main_window.ctx
    bad = tmp_path / "bad.rdsync"
    bad.write_bytes(b"not a bundle")
    shown: list[str] = []
    monkeypatch.setattr(main_window, "show_error", lambda exc, trace="": shown.append(exc.message("en")))
    ctx.error.disconnect()
    ctx.error.connect(lambda exc, trace: shown.append(exc.message("en")) if isinstance(exc, RecoveryDeskError)
                      else None)
    _actions(main_window, bad, []).read()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: bool(shown))
    assert "not a Recovery Desk exchange file" in shown[0]


def test_japanese_exchange_menu_and_conflicts_page(qtbot, ctx_ja):
    from recovery_desk.ui.main_window import MainWindow
    from tests.ui.conftest import _delete

    window = MainWindow(ctx_ja)
    window.show()
    page = window.show_page("conflicts")
    wait_idle(qtbot, ctx_ja)
    texts = [a.text() for a in window.exchange_menu.actions()] + [page.keep_ours.text(), page.keep_theirs.text(),
                                                                   page.title.text()]
    assert all(t and not t.isascii() for t in texts), texts
    _delete(window)


def test_the_conflicts_table_shows_labels_not_codes_in_either_language(qtbot):
    """Field names and vocabulary codes (a need's category, a stage) as a person reads them."""
    from recovery_desk.ui.pages.conflicts_page import ConflictsModel

    who = {"ours_by": "Ben (City)", "theirs_by": "Aiko (NPO)", "ours_at": "2024-02-01T10:00:00",
           "theirs_at": "2024-02-01T11:00:00"}
    rows = [{"kind": "field", "entity": "case", "row_id": "c1", "reference": "NOTO-0001", "field": "stage",
             "ours": "planning", "theirs": "in_support", "deleted": False, **who},
            {"kind": "added_to_deleted", "entity": "need", "row_id": "n1", "reference": "NOTO-0002",
             "field": "case_id", "ours": None, "theirs": "food", "deleted": True, "owner_entity": "case", **who}]
    for lang, stage, need, food in (("en", "stage", "need added to the deleted case", "Food"),
                                    ("ja", "段階", "削除されたケースに追加されたニーズ", "食料")):
        model = ConflictsModel(lang)
        model.set_rows(rows)
        text = [[model.data(model.index(r, c)) for c in range(4)] for r in range(2)]
        assert text[0][1] == stage and text[1][1] == need
        assert "planning" not in text[0][2] and "in_support" not in text[0][3]
        assert text[1][3].startswith(food) and "food" not in text[1][3]
