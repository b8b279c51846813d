"""`recovery-desk report …`: exit codes, messages, and never a half-written file."""

from __future__ import annotations

from pathlib import Path

import pytest

from recovery_desk.cli.main import main

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def _run(demo_path: Path, *args: str) -> int:
    return main(["--workspace", str(demo_path), "report", *args])


def test_incident_and_case_reports_are_written(demo_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "incident.pdf"
    assert _run(demo_path, "incident", "--out", str(out), "--to", "2024-06-30", "--lang", "ja",
                "--stalled-days", "30") == 0
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 10_000
    assert str(out) in capsys.readouterr().out
    case = tmp_path / "case.pdf"
    assert _run(demo_path, "case", "NANAO-0001", "--out", str(case), "--include-pii") == 0
    assert case.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.pdf", "incident.pdf"]


@pytest.mark.parametrize("args, message", [
    (["case", "NANAO-9999", "--out", "{dir}/c.pdf"], "no case with reference NANAO-9999"),
    (["incident", "--out", "{dir}/x.pdf", "--from", "2024-13-01"], "--from: '2024-13-01' is not a date"),
    (["incident", "--out", "{dir}/x.pdf", "--to", "yesterday"], "--to: 'yesterday' is not a date"),
    (["incident", "--out", "{dir}/x.pdf", "--from", "2024-05-01", "--to", "2024-04-01"], "before it starts"),
    (["incident", "--out", "{dir}/missing/x.pdf"], "does not exist"),
    (["incident", "--out", "{dir}/a-file/x.pdf"], "does not exist"),
    (["incident", "--out", "{dir}/folder.pdf"], "it is a folder"),
    (["incident", "--out", "{dir}/x.txt"], "must end in .pdf"),
    (["incident", "--out", "{dir}/x.pdf", "--stalled-days", "0"], "--stalled-days"),
])
def test_bad_input_exits_1_and_leaves_nothing(demo_path: Path, tmp_path: Path, capsys, args, message) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "folder.pdf").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert _run(demo_path, *(a.replace("{dir}", str(tmp_path)) for a in args)) == 1
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_failure_while_writing_keeps_the_old_file_and_no_temporary(demo_path: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    import recovery_desk.reports.incident as incident

    out = tmp_path / "incident.pdf"
    out.write_bytes(b"%PDF old report")

    def broken(data, path, **kwargs):
        Path(path).write_bytes(b"%PDF half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(incident, "render_incident", broken)
    assert _run(demo_path, "incident", "--out", str(out)) == 1
    assert out.read_bytes() == b"%PDF old report"
    assert [p.name for p in tmp_path.iterdir()] == ["incident.pdf"]


def test_cancel_leaves_no_file(demo_path: Path, tmp_path: Path) -> None:
    from recovery_desk.reports.incident import build_incident_report
    from recovery_desk.services.workspace import Workspace

    class Stop(Exception):
        pass

    calls = []

    def progress(done: int, total: int, text: str) -> None:
        calls.append(done)
        if calls.count(6) >= 3:  # in the middle of laying out the pages
            raise Stop()

    with Workspace.open(demo_path) as ws, pytest.raises(Stop):
        build_incident_report(ws, tmp_path / "x.pdf", progress=progress)
    assert calls.count(6) == 3
    assert list(tmp_path.iterdir()) == []


def test_report_command_does_not_load_reportlab_until_it_runs() -> None:
    import subprocess
    import sys

    code = ("import sys; from recovery_desk.cli.main import build_parser; build_parser(); "
            "print('reportlab' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
