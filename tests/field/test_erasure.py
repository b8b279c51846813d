"""Erasure on request: `case erase` leaves no trace of the household's name, phone or address
in the workspace file (its raw bytes after VACUUM, and the -wal) nor in a backup made after;
an anonymous record of the case and of the erasure remains."""

from __future__ import annotations

import io
import sys

import pytest
from sqlalchemy import select

from recovery_desk.cli.main import main
from recovery_desk.services import cases, tasks
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Activity, Case, Need, Task

NAME, PHONE, ADDRESS = "能登 忘子", "0767-99-1234", "石川県七尾市忘れ町9-9-9"


def _household(ws) -> tuple[str, str]:
    case_id = cases.create_case(ws, contact_name=NAME, contact_phone=PHONE, address=ADDRESS,
                                notes=f"{NAME}さんは一人暮らし", vulnerable_members="90代の母",
                                latitude=37.04, longitude=136.96, household_size=2).primary_id
    cases.update_case(ws, case_id, contact_phone=PHONE, address=ADDRESS + " 離れ")
    cases.update_case(ws, case_id, address=ADDRESS)
    cases.set_need(ws, case_id, "housing_repair", note=f"{ADDRESS}の屋根")
    task_id = tasks.create_task(ws, case_id, title=f"{NAME}宅の片付け",
                                description=f"電話 {PHONE} で日程調整").primary_id
    tasks.add_comment(ws, task_id, f"{NAME}さんに{PHONE}で連絡した。{ADDRESS}")
    with ws.session() as s:
        return case_id, s.get(Case, case_id).reference


def _bytes(path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_case_erase_leaves_no_trace_in_the_file_or_a_later_backup(workspace, capsys, tmp_path) -> None:
    case_id, reference = _household(workspace)
    path = workspace.path
    assert NAME.encode() in _bytes(path)
    workspace.close()
    code = main(["--workspace", str(path), "case", "erase", reference, "--yes"])
    assert code == 0, capsys.readouterr().err
    raw = _bytes(path)
    for value in (NAME, PHONE, ADDRESS, "".join(NAME.split()), "0767991234", "90代の母"):
        assert value.encode() not in raw, value
        assert value.encode("utf-16-le") not in raw
    # a backup made afterwards is as clean
    from recovery_desk.storage.database import backup_file

    copy = backup_file(path, tmp_path / "after.rdesk")
    assert NAME.encode() not in _bytes(copy) and PHONE.encode() not in _bytes(copy)
    # the anonymous record of the case and of the erasure remain
    with Workspace.open(path) as ws, ws.session() as s:
        case = s.get(Case, case_id)
        assert case.reference == reference and case.household_size == 2 and case.contact_name == ""
        assert case.latitude is None
        assert s.scalar(select(Need.category).where(Need.case_id == case_id)) == "housing_repair"
        assert s.scalar(select(Task.title).where(Task.case_id == case_id)) == "[erased]宅の片付け"
        erased = s.scalar(select(Activity).where(Activity.action == "erase", Activity.entity_id == case_id))
        assert erased is not None and "contact_name" in erased.new_value and NAME not in erased.new_value
    code = main(["--workspace", str(path), "check"])
    assert code == 0


def test_case_erase_refuses_without_a_terminal_and_asks_on_one(workspace, capsys, monkeypatch) -> None:
    _case_id, reference = _household(workspace)
    path = str(workspace.path)
    workspace.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--workspace", path, "case", "erase", reference]) == 1
    assert "--yes" in capsys.readouterr().err
    assert NAME.encode() in _bytes(workspace.path)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("WRONG\n"))
    assert main(["--workspace", path, "case", "erase", reference]) == 1
    err = capsys.readouterr().err
    assert reference in err and "phone" in err  # the confirmation names what goes
    assert NAME.encode() in _bytes(workspace.path)
    monkeypatch.setattr(sys, "stdin", Terminal(reference + "\n"))
    assert main(["--workspace", path, "case", "erase", reference]) == 0
    assert NAME.encode() not in _bytes(workspace.path)


def test_erasing_an_unknown_case_exits_1(workspace, capsys) -> None:
    path = str(workspace.path)
    workspace.close()
    assert main(["--workspace", path, "case", "erase", "NOPE-1", "--yes"]) == 1
    assert "NOPE-1" in capsys.readouterr().err


@pytest.mark.parametrize("short", ["林"])
def test_short_values_are_cleared_but_not_hunted_elsewhere(workspace, short) -> None:
    from recovery_desk.services.erasure import erase_case

    case_id = cases.create_case(workspace, contact_name=short).primary_id
    other = cases.create_case(workspace, notes=f"{short}業の方").primary_id
    with workspace.session() as s:
        reference = s.get(Case, case_id).reference
    erase_case(workspace, reference)
    with workspace.session() as s:
        assert s.get(Case, case_id).contact_name == ""
        assert s.get(Case, other).notes == f"{short}業の方"
