"""Fixtures for the desktop app's tests: a database worker, an AppContext on a writable
copy of the demo workspace, and the main window built on it.

Use ``wait_idle(qtbot, ctx)`` after an action to let the worker finish and its results
reach the widgets (never sleep).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ACTOR = "Test User (Test Org)"


def wait_idle(qtbot, ctx, timeout: int = 10_000) -> None:
    """Wait until the database worker has run every queued job and delivered its result."""
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=timeout)


def _delete(widget) -> None:
    """Delete a window now, not when the interpreter shuts down (PySide6 can abort then)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    if not shiboken6.isValid(widget):
        return
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """QSettings resolves its folder once per process: point it at a fresh one per test.
    Unexpected errors are logged, not shown in a modal dialog (which would block the test);
    the ``main_window`` fixture fails the test if any reached the window."""
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("RECOVERY_DESK_NO_CRASH_DIALOG", "1")
    monkeypatch.setenv("RECOVERY_DESK_LOG_DIR", str(tmp_path_factory.mktemp("log")))

    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture
def worker(qapp) -> Iterator:
    from recovery_desk.ui.worker import DatabaseWorker

    w = DatabaseWorker()
    yield w
    w.stop()


def _context(worker, path: Path | None, lang: str = "en"):
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext

    ctx = AppContext(worker, lang=lang)
    if path is not None:
        ctx.set_workspace(Workspace.open(path, actor=ACTOR))
    return ctx


@pytest.fixture
def ctx(worker, demo_copy: Path) -> Iterator:
    """An AppContext on a private copy of the 300-case demo workspace (English)."""
    context = _context(worker, demo_copy)
    yield context
    context.set_workspace(None)  # the worker closes it before it stops


@pytest.fixture
def ctx_ja(worker, demo_copy: Path) -> Iterator:
    from recovery_desk.i18n import set_language

    set_language("ja")
    context = _context(worker, demo_copy, "ja")
    yield context
    context.set_workspace(None)
    set_language("en")


@pytest.fixture
def empty_ctx(worker, workspace) -> Iterator:
    """An AppContext on an empty workspace (one incident, nothing else)."""
    from recovery_desk.ui.context import AppContext

    workspace.actor = ACTOR
    context = AppContext(worker, lang="en")
    context.set_workspace(workspace)
    yield context
    context.workspace = None  # the `workspace` fixture closes it


@pytest.fixture
def main_window(qtbot, ctx) -> Iterator:
    """The main window on the demo copy, shown, with its first data loaded."""
    from recovery_desk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    errors: list[BaseException] = []
    ctx.error.connect(lambda exc, trace: errors.append((exc, trace)))
    window.unexpected_errors = errors
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    yield window
    wait_idle(qtbot, ctx)
    from recovery_desk.domain.errors import RecoveryDeskError

    _delete(window)
    unexpected = [(e, t) for e, t in errors if not isinstance(e, RecoveryDeskError)]
    assert not unexpected, "errors reached the window:\n" + "\n".join(t or repr(e) for e, t in unexpected)


def _checked(context) -> Iterator:
    """The shared context, failing the test if any job reported an unexpected error."""
    errors: list = []
    context.error.connect(lambda exc, trace: errors.append((exc, trace)))
    yield context
    assert not errors, errors


@pytest.fixture
def app_ctx(empty_ctx) -> Iterator:
    """An empty workspace, errors checked."""
    yield from _checked(empty_ctx)


@pytest.fixture
def demo_ctx(ctx) -> Iterator:
    """The shared context on a copy of the 300-case demo, errors checked."""
    yield from _checked(ctx)


@pytest.fixture
def model_testers(request) -> Iterator:
    """pytest-qt's model tester, one per model: a single ModelTester checking a source model
    and its proxy shares one record of the change in flight and trips on the proxy's
    nested reset, so each model gets its own (cleaned up like the qtmodeltester fixture)."""
    from pytestqt.modeltest import ModelTester

    testers: list[ModelTester] = []

    def check(*models) -> None:
        for model in models:
            tester = ModelTester(request.config)
            tester.check(model, force_py=True)
            testers.append(tester)

    yield check
    for tester in testers:
        tester._cleanup()
