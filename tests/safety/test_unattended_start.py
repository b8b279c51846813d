"""``gui --self-test`` (and the launch benchmark) has nobody to click a message box: a workspace
that cannot be opened is one line on stderr and exit 1, never a window waiting for ever."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.safety.helpers import cli_env

pytestmark = pytest.mark.slow


def self_test(*argv: str, lang: str = "en") -> subprocess.CompletedProcess:
    env = cli_env(QT_QPA_PLATFORM="offscreen", RECOVERY_DESK_LANG=lang)
    # A hang is the defect: the timeout turns it into a failure instead of a stuck suite.
    return subprocess.run([sys.executable, "-m", "recovery_desk.cli.main", *argv, "gui", "--self-test"],
                          capture_output=True, text=True, timeout=120, env=env)


def our_lines(stderr: str) -> list[str]:
    """Our messages (Qt's offscreen platform adds warnings of its own on stderr)."""
    return [line for line in stderr.splitlines() if line.startswith("recovery-desk:")]


@pytest.mark.parametrize("lang, words", [("en", "is not a Recovery Desk workspace"),
                                         ("ja", "ワークスペースではありません")])
def test_self_test_on_a_workspace_that_cannot_be_opened_says_why_and_exits_1(tmp_path, lang, words):
    not_ours = tmp_path / "notes.rdesk"
    not_ours.write_text("a text file, not a workspace\n", encoding="utf-8")
    done = self_test("--workspace", str(not_ours), lang=lang)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = our_lines(done.stderr)
    assert len(lines) == 1 and words in lines[0] and "notes.rdesk" in lines[0], done.stderr
    assert "self-test: FAILED" in done.stdout
    assert not_ours.read_text(encoding="utf-8") == "a text file, not a workspace\n"
