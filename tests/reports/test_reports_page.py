"""The Reports page builds PDFs on the database worker, with progress, cancel, open and print."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.helpers import pdf_text


@pytest.fixture
def ctx(qtbot, demo_copy: Path):
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.worker import DatabaseWorker

    worker = DatabaseWorker()
    context = AppContext(worker, lang="en")
    context.set_workspace(Workspace.open(demo_copy, actor="Page Tester"))
    yield context
    context.set_workspace(None)  # closes the workspace on the worker
    worker.stop()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Where the page writes (the workspace copy lives in tmp_path itself)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.fixture
def page(qtbot, ctx):
    from recovery_desk.ui.pages.reports_page import ReportsPage

    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.start.date().toString("yyyy-MM-dd") == "2024-01-01")  # the incident's start
    return widget


def test_incident_report_in_the_background(qtbot, page, out_dir: Path) -> None:
    out = out_dir / "incident.pdf"
    page.out.setText(str(out))
    page.language.setCurrentIndex(page.language.findData("ja"))
    progress_seen = []
    page.progress.valueChanged.connect(progress_seen.append)
    assert not page.open_button.isEnabled() and not page.print_button.isEnabled()
    with qtbot.waitSignal(page.report_ready, timeout=30_000) as blocker:
        qtbot.mouseClick(page.generate, qtbot_button())
        assert page.cancel.isEnabled() and not page.generate.isEnabled()
    assert blocker.args == [str(out)]
    assert "災害対応 進捗報告書" in pdf_text(out)
    assert page.open_button.isEnabled() and page.print_button.isEnabled()
    assert page.generate.isEnabled() and not page.cancel.isEnabled()
    assert progress_seen and max(progress_seen) >= 1
    assert str(out) in page.status.text()


def test_case_report_and_unknown_reference(qtbot, page, out_dir: Path) -> None:
    page.kind.setCurrentIndex(page.kind.findData("case"))
    assert page.reference.isEnabled() and not page.start.isEnabled()
    page.reference.setText("NANAO-9999")
    page.out.setText(str(out_dir / "case.pdf"))
    with qtbot.waitSignal(page.report_failed, timeout=30_000) as blocker:
        page.generate.click()
    assert "no case with reference NANAO-9999" in blocker.args[0]
    assert list(out_dir.iterdir()) == []
    page.reference.setText("NANAO-0001")
    with qtbot.waitSignal(page.report_ready, timeout=30_000):
        page.generate.click()
    assert "Case NANAO-0001" in pdf_text(out_dir / "case.pdf")


def test_cancel_writes_nothing(qtbot, page, out_dir: Path) -> None:
    page.out.setText(str(out_dir / "incident.pdf"))
    with qtbot.waitSignal(page.report_failed, timeout=30_000) as blocker:
        page.generate.click()
        page.cancel.click()
    assert "Cancelled" in blocker.args[0]
    assert list(out_dir.iterdir()) == []
    assert page.generate.isEnabled() and not page.open_button.isEnabled()


def test_open_and_print_hand_the_file_to_the_system(qtbot, page, out_dir: Path, monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    from recovery_desk.ui.pages import reports_page

    out = out_dir / "incident.pdf"
    page.out.setText(str(out))
    with qtbot.waitSignal(page.report_ready, timeout=30_000):
        page.generate.click()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    page.open_button.click()
    assert opened == [str(out)]
    assert reports_page.print_command("Office_A4", out) == ["lp", "-d", "Office_A4", str(out)]
    # The spooler is a separate program; a missing `lp` is reported, not raised.
    monkeypatch.setattr(reports_page, "print_command", lambda name, path: ["/nonexistent/lp", str(path)])
    page.send_to_printer("Office_A4")
    qtbot.waitUntil(lambda: "Printing failed" in page.status.text(), timeout=10_000)


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
