"""The window and the server: File ▸ Open server workspace… with its saved connections (never a
password), and Exchange ▸ Synchronise with a server… on the worker thread."""

from __future__ import annotations

from sqlalchemy import select

from tests.ui.conftest import wait_idle

OWNER = "Test User (Test Org)"


def _first_case(ws):
    from recovery_desk.storage.models import Case

    with ws.session() as s:
        return s.scalars(select(Case).where(Case.deleted_at.is_(None)).order_by(Case.sequence)).first()


def _settings_text() -> str:
    from recovery_desk.ui import options

    settings = options.qsettings()
    settings.sync()
    with open(settings.fileName(), encoding="utf-8") as f:  # QSettings' own ini file, not a workspace
        return f.read()


def test_the_open_server_dialog_keeps_urls_and_refuses_a_password(qtbot, pg_server):
    from recovery_desk.ui import options
    from recovery_desk.ui.dialogs.server_dialog import ServerDialog

    url = pg_server.url("rd_nowhere", OWNER)
    options.save_server(url)
    dialog = ServerDialog(None, "ja", title="t", action="open")
    qtbot.addWidget(dialog)
    assert [dialog.urls.itemText(i) for i in range(dialog.urls.count())] == [url]
    assert ".pgpass" in dialog.findChild(type(dialog.problem), "password_note").text()
    dialog.urls.setEditText("postgresql://ann:secret@db.example/recovery")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and not dialog.problem.isHidden()
    assert ".pgpass" in dialog.problem.text() and "secret" not in dialog.problem.text()
    dialog.urls.setEditText(url)
    dialog.forget()
    assert options.SAVED_SERVERS.get() == [] and dialog.urls.count() == 0


def test_a_server_opened_from_the_dialog_is_remembered_as_its_url_only(qtbot, main_window, server_demo):
    from recovery_desk.storage.engines import ServerUrl
    from recovery_desk.ui import options

    main_window.ask_server_url = lambda: server_demo
    main_window.open_server_action.trigger()
    qtbot.waitUntil(lambda: isinstance(main_window.ctx.workspace.path, ServerUrl), timeout=30_000)
    wait_idle(qtbot, main_window.ctx)
    assert options.SAVED_SERVERS.get() == [server_demo]
    assert "password" not in _settings_text().lower()
    main_window.ctx.set_workspace(None)
    wait_idle(qtbot, main_window.ctx)


def test_synchronise_with_a_server_brings_both_sides_edits(qtbot, main_window, pg_server):
    from recovery_desk.services import cases
    from recovery_desk.services.server_sync import copy_to_server
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui import options

    ctx = main_window.ctx
    url = pg_server.create_database(user=OWNER)
    try:
        wait_idle(qtbot, ctx)
        copy_to_server(ctx.workspace, url)
        case = _first_case(ctx.workspace)
        with Workspace.open(url) as server:
            cases.update_case(server, case.id, notes="typed at the headquarters")
        ctx.change(lambda ws: cases.update_case(ws, case.id, household_size=6))
        wait_idle(qtbot, ctx)

        summaries: list[str] = []
        main_window.exchange.ask_server_url = lambda: url
        main_window.exchange.on_summary = summaries.append
        main_window.sync_server_action.trigger()
        qtbot.waitUntil(lambda: bool(summaries), timeout=60_000)
        wait_idle(qtbot, ctx)
        assert "Sent to the server: 0 new, 1 updated" in summaries[0]
        assert "Received from the server: 0 new, 1 updated" in summaries[0]
        assert _first_case(ctx.workspace).notes == "typed at the headquarters"
        with Workspace.open(url) as server:
            assert _first_case(server).household_size == 6
        assert options.SAVED_SERVERS.get() == [url]
    finally:
        pg_server.drop(url)
