"""``case set / delete / list`` and ``task set``: the services' rules from a shell."""

from __future__ import annotations

import json

from recovery_desk.cli.main import main
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Activity, Case, Task


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, ws: str, *extra: str) -> dict[str, dict]:
    code, out, err = run(capsys, "--workspace", ws, "case", "list", "--json", *extra)
    assert code == 0, err
    return {c["reference"]: c for c in json.loads(out)["cases"]}


def test_case_set_takes_import_field_names_codes_and_labels(demo_copy, capsys):
    ws = str(demo_copy)
    code, out, err = run(capsys, "--workspace", ws, "case", "set", "NANAO-0001", "stage=ケース会議・支援計画",
                         "priority=High", "household_size=３", "district=御祓", "needs=food,health",
                         "damage_level=半壊")
    assert code == 0, err
    case = listed(capsys, ws, "--query", "NANAO-0001")["NANAO-0001"]
    assert (case["stage"], case["priority"], case["household_size"], case["damage_level"]) == (
        "planning", "high", 3, "hankai")
    assert case["area"].endswith("御祓") and {"food", "health"} <= set(case["needs"])
    with Workspace.open(demo_copy) as w, w.session() as s:
        ops = {a.operation for a in s.query(Activity).filter(Activity.operation == "edit_case")}
    assert ops == {"edit_case"}


def test_case_set_bad_value_exits_1_naming_the_field_and_changes_nothing(demo_copy, capsys):
    ws = str(demo_copy)
    before = listed(capsys, ws)
    for assignment, named in (("priority=bogus", "priority"), ("household_size=0", "household_size"),
                              ("stage=closed", "closure reason"), ("opened_on=yesterday", "opened_on"),
                              ("reference=X-1", "reference"), ("colour=red", "colour")):
        code, _, err = run(capsys, "--workspace", ws, "case", "set", "NANAO-0002", "priority=urgent", assignment)
        assert code == 1 and named in err and err.count("\n") == 1, (assignment, err)
    assert listed(capsys, ws) == before
    code, _, err = run(capsys, "--workspace", ws, "case", "set", "NANAO-9999", "priority=high")
    assert code == 1 and "NANAO-9999" in err


def test_case_close_and_reopen(demo_copy, capsys):
    ws = str(demo_copy)
    ref = next(r for r, c in listed(capsys, ws).items() if c["stage"] != "closed")
    assert run(capsys, "--workspace", ws, "case", "set", ref, "stage=closed", "closure_reason=goals_met")[0] == 0
    assert listed(capsys, ws)[ref]["closure_reason"] == "goals_met"
    assert run(capsys, "--workspace", ws, "case", "set", ref, "stage=monitoring")[0] == 0
    case = listed(capsys, ws)[ref]
    assert (case["stage"], case["closure_reason"], case["closed_on"]) == ("monitoring", None, None)


def test_case_delete_and_list_all(demo_copy, capsys):
    ws = str(demo_copy)
    assert run(capsys, "--workspace", ws, "case", "delete", "NANAO-0003")[0] == 0
    assert "NANAO-0003" not in listed(capsys, ws)
    assert listed(capsys, ws, "--all")["NANAO-0003"]["deleted"] is True
    code, _, err = run(capsys, "--workspace", ws, "case", "delete", "NANAO-0003")
    assert code == 1 and "NANAO-0003" in err


def test_case_list_json_keys_and_pii_only_on_request(demo_path, capsys):
    ws = str(demo_path)
    plain = listed(capsys, ws)
    assert len(plain) == 300
    one = next(iter(plain.values()))
    assert {"reference", "stage", "priority", "area", "deleted"} <= set(one)
    assert "contact_name" not in one
    with_pii = listed(capsys, ws, "--include-pii")
    assert all({"contact_name", "contact_phone", "address"} <= set(c) for c in with_pii.values())
    assert any(c["contact_name"] for c in with_pii.values())
    assert listed(capsys, ws, "--query", "stage:closed").keys() == {
        r for r, c in plain.items() if c["stage"] == "closed"}
    code, out, _ = run(capsys, "--lang", "ja", "--workspace", ws, "case", "list", "--json", "--query", "stage:終結")
    assert code == 0 and {c["stage"] for c in json.loads(out)["cases"]} == {"closed"}


def _task(path, **where):
    with Workspace.open(path) as w, w.session() as s:
        return s.query(Task).filter_by(deleted_at=None, **where).order_by(Task.id).first()


def test_task_set_through_the_board_rules(demo_copy, capsys):
    ws = str(demo_copy)
    task = _task(demo_copy, status="received")
    code, _, err = run(capsys, "--workspace", ws, "task", "set", task.id[:13], "status=活動中", "priority=urgent",
                       "due_date=令和6年7月1日")
    assert code == 0, err
    after = _task(demo_copy, id=task.id)
    assert (after.status, after.priority, str(after.due_date)) == ("in_progress", "urgent", "2024-07-01")
    code, _, err = run(capsys, "--workspace", ws, "task", "set", task.id, "status=nonsense")
    assert code == 1 and "status" in err


def test_task_set_done_refused_while_blocked(demo_copy, capsys):
    from recovery_desk.services.tasks import open_blockers

    with Workspace.open(demo_copy) as w, w.session() as s:
        blocked = next(t for t in s.query(Task).filter_by(deleted_at=None)
                       if t.status != "done" and open_blockers(s, t.id))
    code, _, err = run(capsys, "--workspace", str(demo_copy), "task", "set", blocked.id, "status=done")
    assert code == 1 and "blocked" in err
    assert _task(demo_copy, id=blocked.id).status == blocked.status


def test_case_set_is_recorded_field_by_field(demo_copy, capsys):
    ws = str(demo_copy)
    assert run(capsys, "--workspace", ws, "case", "set", "NANAO-0004", "notes=gate is locked", "priority=low")[0] == 0
    with Workspace.open(demo_copy) as w, w.session() as s:
        case = s.query(Case).filter_by(reference="NANAO-0004").one()
        fields = {a.field for a in s.query(Activity).filter_by(entity_id=case.id, operation="edit_case")}
    assert {"notes", "priority"} <= fields
