"""Every CLI command beside a process holding the workspace as the app does: the app's
-wal and -shm are never deleted under it, and its edits survive (checked in /proc)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from recovery_desk.services import cases
from recovery_desk.services.workspace import Workspace
from tests.safety.helpers import Holder, cli, count, run_here

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/fd (Linux)")


def test_cli_commands_beside_the_app_never_delete_its_wal(tmp_path):
    path = tmp_path / "w.rdesk"
    with Workspace.create(path, incident_name="Noto", reference_prefix="NOTO") as ws:
        for i in range(5):
            cases.create_case(ws, contact_name=f"c{i}")
    csv = tmp_path / "more.csv"
    csv.write_text("氏名,電話番号\n山田,0767-00-0001\n佐藤,0767-00-0002\n", encoding="utf-8")
    holder = Holder(path)
    try:
        held = holder.open_files()
        assert f"{path}-wal" in held and f"{path}-shm" in held, held
        commands = [
            ("export", "tasks", str(tmp_path / "t.csv")),  # the command of the original report
            ("stats", "--json"),
            ("check",),
            ("backup", str(tmp_path / "b.rdesk")),
            ("export", "cases", str(tmp_path / "c.xlsx")),
            ("report", "incident", "--out", str(tmp_path / "r.pdf")),
            ("import", "cases", str(csv)),
        ]
        for argv in commands:
            # the command of the original report and the backup in processes of their own, as a
            # user would run them; the rest through main() here (also another process than the app)
            run = cli if argv[0] == "backup" or argv[:2] == ("export", "tasks") else run_here
            result = run("--workspace", str(path), *argv)
            assert result.returncode == 0, (argv, result.stderr)
            holder.send("write")  # the app goes on editing
            assert holder.deleted_files() == [], argv
            assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists(), argv
        holder.send("backup")  # the app's own backup on open, again, while it holds the file
        assert holder.deleted_files() == []
    finally:
        holder.close()
    # 5 + the holder's edit on open + one per command + the 2 imported rows: nothing lost
    assert count(path) == 5 + 1 + len(commands) + 2
    assert run_here("--workspace", str(path), "check").returncode == 0
