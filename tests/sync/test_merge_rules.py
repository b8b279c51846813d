"""The merge rules of the README, one by one, between real workspaces and real bundles."""

from __future__ import annotations

import json

from sqlalchemy import select

from recovery_desk.services import cases, tasks
from recovery_desk.services.sync.conflicts import board_flags, list_conflicts, resolve
from recovery_desk.services.sync.duplicates import likely_duplicates, merge_cases
from recovery_desk.services.sync.exchange import status
from recovery_desk.storage.models import Case, Consent, Need
from tests.sync.conftest import canonical_dump


def _case(ws, case_id):
    with ws.session() as s:
        return s.get(Case, case_id)


def _two(laptops_fixture, **case_fields):
    net, home = laptops_fixture
    case_id = cases.create_case(home, contact_name="山田 太郎", **case_fields).primary_id
    a, b = net.join(home, "a", "Aiko (NPO)"), net.join(home, "b", "Ben (City)")
    return net, home, a, b, case_id


def _exchange(net, *laptops):
    for source in laptops:
        for target in laptops:
            if source is not target:
                net.send(source, target)


def test_different_fields_of_one_row_both_stand(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, priority="urgent")
    cases.update_case(b, case_id, household_size=4)
    _exchange(net, a, b)
    for ws in (a, b):
        case = _case(ws, case_id)
        assert (case.priority, case.household_size) == ("urgent", 4)
        assert list_conflicts(ws) == []
    assert canonical_dump(a) == canonical_dump(b)


def test_same_field_concurrently_one_winner_everywhere_and_the_other_kept_as_a_conflict(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, notes="gate locked")
    cases.update_case(b, case_id, notes="call after 5 pm")
    net.send(a, b)
    net.send(b, a)
    shown = {_case(ws, case_id).notes for ws in (a, b)}
    assert len(shown) == 1
    conflicts_a, conflicts_b = list_conflicts(a), list_conflicts(b)
    assert conflicts_a == conflicts_b and len(conflicts_a) == 1
    c = conflicts_a[0]
    assert {c["ours"], c["theirs"]} == {"gate locked", "call after 5 pm"}
    assert {c["ours_by"], c["theirs_by"]} == {"Aiko (NPO)", "Ben (City)"}
    assert c["reference"] == "NOTO-0001" and c["field"] == "notes"
    # Resolving on one laptop closes it on the other when the resolution arrives.
    resolve(a, c["id"], keep="theirs")
    net.send(a, b)
    assert list_conflicts(a) == list_conflicts(b) == []
    assert _case(a, case_id).notes == _case(b, case_id).notes == c["theirs"]


def test_an_edit_that_saw_the_other_is_no_conflict(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, notes="first")
    net.send(a, b)
    cases.update_case(b, case_id, notes="second, having read the first")
    net.send(b, a)
    assert _case(a, case_id).notes == "second, having read the first"
    assert list_conflicts(a) == list_conflicts(b) == []


def test_an_edit_against_a_concurrent_deletion_is_a_conflict_either_order(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.delete_case(a, case_id)
    cases.update_case(b, case_id, notes="visited today")
    net.send(b, a)  # the edit arrives where the case is deleted
    net.send(a, b)  # the deletion arrives where the case was edited
    for ws in (a, b):
        case = _case(ws, case_id)
        assert case.deleted_at is not None and case.notes == "visited today"
        (c,) = list_conflicts(ws)
        assert c["kind"] == "edit_delete" and c["deleted"] and c["theirs"] == "visited today"
    resolve(b, list_conflicts(b)[0]["id"], keep="theirs")  # keep the edit: the case comes back
    net.send(b, a)
    assert _case(a, case_id).deleted_at is None and list_conflicts(a) == []


def test_bookkeeping_never_conflicts(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, priority="high")
    cases.update_case(b, case_id, notes="x")
    _exchange(net, a, b)
    assert list_conflicts(a) == []
    assert _case(a, case_id).row_version >= 2


def test_a_row_unique_per_case_created_on_two_laptops_is_one_row(laptops):
    net, home, a, b, case_id = _two(laptops)
    cases.set_consent(a, case_id, given=True, scope="reports")
    cases.set_consent(b, case_id, given=True, scope="coordination")
    cases.set_need(a, case_id, "food")
    cases.set_need(b, case_id, "food", state="in_progress")
    _exchange(net, a, b)
    for ws in (a, b):
        with ws.session() as s:
            assert len(s.scalars(select(Consent).where(Consent.case_id == case_id)).all()) == 1
            assert len(s.scalars(select(Need).where(Need.case_id == case_id, Need.category == "food")).all()) == 1
    fields = sorted(c["field"] for c in list_conflicts(a))
    assert fields == ["scope", "state"] and list_conflicts(a) == list_conflicts(b)
    assert canonical_dump(a) == canonical_dump(b)


def test_references_stay_unique_and_the_home_laptop_keeps_plain_numbers(laptops):
    net, home, a, b, _ = _two(laptops)
    made = [cases.create_case(ws, contact_name=f"n{i}").primary_id for i, ws in enumerate((home, a, b, a))]
    _exchange(net, home, a, b)
    refs = [_case(home, cid).reference for cid in made]
    assert refs[0] == "NOTO-0002"
    assert len(set(refs)) == 4 and all(r.startswith("NOTO-") for r in refs)
    assert refs[1][:-4] == refs[3][:-4] and refs[1] != refs[3]  # one code per laptop
    assert status(a)["reference_code"] and status(a)["reference_code"] != status(b)["reference_code"]


def test_likely_duplicate_households_are_flagged_and_merged_with_history(laptops):
    net, home, a, b, _ = _two(laptops)
    first = cases.create_case(a, contact_name="佐藤 一郎", contact_phone="0767-11-2222", address="七尾市 1-2").primary_id
    second = cases.create_case(b, contact_name="佐藤一郎", contact_phone="0767112222", address="七尾市1-2").primary_id
    cases.set_need(a, first, "food")
    cases.set_need(b, second, "food")
    cases.set_need(b, second, "health")
    task_id = tasks.create_task(b, second, title="Visit").primary_id
    _exchange(net, a, b)
    pairs = likely_duplicates(a)
    refs = {_case(a, first).reference, _case(a, second).reference}
    assert [set(p["references"]) for p in pairs] == [refs]
    merge_cases(a, first, second)
    net.send(a, b)
    for ws in (a, b):
        assert likely_duplicates(ws) == []
        assert cases.find_case(ws, _case(a, second).reference).id == first  # the alias
        with ws.session() as s:
            needs = s.scalars(select(Need.category).where(Need.case_id == first, Need.deleted_at.is_(None))).all()
        assert sorted(needs) == ["food", "health"]
        assert tasks_of(ws, first) == [task_id]
    assert canonical_dump(a) == canonical_dump(b)


def test_a_likely_duplicate_is_told_in_words_in_both_languages():
    """`sync duplicates` and the Conflicts page said "same name_address" in English (the code)."""
    from recovery_desk.services.sync.duplicates import describe_pair

    by_name, by_phone = ({"references": ["NOTO-0001", "NOTO-KQXT-0001"], "reason": r} for r in ("name_address", "phone"))
    assert describe_pair(by_name, "en") == "NOTO-0001 and NOTO-KQXT-0001: same name and address"
    assert describe_pair(by_phone, "en") == "NOTO-0001 and NOTO-KQXT-0001: same phone number"
    assert describe_pair(by_name, "ja") == "NOTO-0001 と NOTO-KQXT-0001: 氏名と住所が同じ"
    assert describe_pair(by_phone, "ja") == "NOTO-0001 と NOTO-KQXT-0001: 電話番号が同じ"


def tasks_of(ws, case_id):
    from recovery_desk.storage.models import Task

    with ws.session() as s:
        return s.scalars(select(Task.id).where(Task.case_id == case_id, Task.deleted_at.is_(None))).all()


def test_a_cycle_made_by_two_laptops_is_flagged_not_a_crash(laptops):
    net, home, _, _, case_id = _two(laptops)
    t1 = tasks.create_task(home, case_id, title="One").primary_id
    t2 = tasks.create_task(home, case_id, title="Two").primary_id
    a, b = net.join(home, "a2"), net.join(home, "b2")
    tasks.add_dependency(a, t1, t2)
    tasks.add_dependency(b, t2, t1)
    _exchange(net, a, b)
    with a.engine.connect() as conn:
        assert [f["kind"] for f in board_flags(conn)] == ["cycle"]


def test_erasure_scrubs_the_value_from_every_laptops_log(laptops):
    from recovery_desk.services.sync.changelog import scrub_row_from_log

    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, contact_phone="090-1234-5678")
    net.send(a, b)
    with a.operation("erase_case") as op:
        case = op.session.get(Case, case_id)
        op.update(case, contact_name="", contact_phone="")
        scrub_row_from_log(op, case, ["contact_name", "contact_phone"])
    net.send(a, b)
    for ws in (a, b):
        with ws.engine.connect() as conn:
            text = json.dumps([list(r) for r in conn.exec_driver_sql("SELECT * FROM sync_change").all()],
                              ensure_ascii=False)
            audit = json.dumps([list(r) for r in conn.exec_driver_sql("SELECT * FROM activity").all()],
                               ensure_ascii=False)
        assert "090-1234-5678" not in text and "山田" not in text
        assert "090-1234-5678" not in audit
        assert _case(ws, case_id).contact_phone == ""


def test_a_task_added_to_a_case_deleted_elsewhere_is_a_conflict_either_order(laptops):
    net, home, a, b, case_id = _two(laptops)
    seen_task = tasks.create_task(a, case_id, title="known before").primary_id
    _exchange(net, a, b)
    cases.delete_case(b, case_id)  # b had seen "known before": no conflict about that one
    new_task = tasks.create_task(a, case_id, title="remove the mud").primary_id
    net.send(b, a)
    net.send(a, b)
    conflicts = list_conflicts(a)
    assert conflicts == list_conflicts(b) and len(conflicts) == 1
    c = conflicts[0]
    assert (c["kind"], c["entity"], c["row_id"], c["theirs"]) == ("added_to_deleted", "task", new_task, "remove the mud")
    assert (c["reference"], c["ours_by"], c["theirs_by"], c["deleted"]) == ("NOTO-0001", "Ben (City)", "Aiko (NPO)", True)
    assert seen_task != new_task
    # Ours: the case stays deleted and the task goes with it, on both laptops.
    resolve(b, c["id"], keep="ours")
    net.send(b, a)
    assert list_conflicts(a) == list_conflicts(b) == []
    assert canonical_dump(a) == canonical_dump(b)


def test_a_task_added_to_a_deleted_case_kept_brings_the_case_back(laptops):
    from recovery_desk.storage.models import Task

    net, home, a, b, case_id = _two(laptops)
    cases.delete_case(b, case_id)
    task_id = tasks.create_task(a, case_id, title="roof tarp").primary_id
    net.send(a, b)  # the other order: the task arrives after the deletion
    net.send(b, a)
    (c,) = list_conflicts(b)
    assert c["kind"] == "added_to_deleted"
    resolve(a, c["id"], keep="theirs")
    net.send(a, b)
    for ws in (a, b):
        assert _case(ws, case_id).deleted_at is None
        with ws.session() as s:
            assert s.get(Task, task_id).deleted_at is None
        assert list_conflicts(ws) == []


def test_a_case_deleted_with_its_tasks_known_is_no_conflict(laptops):
    net, home, a, b, case_id = _two(laptops)
    tasks.create_task(a, case_id, title="seen")
    net.send(a, b)
    cases.delete_case(b, case_id)
    net.send(b, a)
    assert list_conflicts(a) == list_conflicts(b) == []


def _clash(net, home, first_ws, second_ws):
    """Two laptops that drew one reference code each register a case before they meet."""
    one = cases.create_case(first_ws, contact_name="one").primary_id  # gives the first laptop its code
    with first_ws.engine.connect() as conn:
        code = conn.exec_driver_sql("SELECT value FROM workspace_info WHERE key = 'reference_code'").scalar()
    with second_ws.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO workspace_info (key, value) VALUES ('reference_code', ?) ON CONFLICT(key) "
                             "DO UPDATE SET value = excluded.value", (code,))
    two = cases.create_case(second_ws, contact_name="two").primary_id
    cases.create_case(first_ws, contact_name="three")  # and a second clash
    cases.create_case(second_ws, contact_name="four")
    return one, two


def test_the_same_reference_issued_on_two_laptops_converges_in_either_order(laptops):
    net, home, a, b, _ = _two(laptops)
    c = net.join(home, "c", "Chie (NPO)")
    one, two = _clash(net, home, a, b)
    assert _case(a, one).reference == _case(b, two).reference
    reference = _case(a, one).reference
    net.send(a, c)  # c hears of a's case first, home of b's
    net.send(b, home)
    net.send(b, c)
    net.send(a, home)
    _exchange(net, a, b, c, home)
    dumps = [canonical_dump(ws) for ws in (a, b, c, home)]
    assert all(d == dumps[0] for d in dumps[1:])
    refs = [row[1] for row in dumps[0]["case"]]
    assert len(refs) == len(set(refs))
    keeper, other = sorted((one, two))
    for ws in (a, b, c, home):
        assert _case(ws, keeper).reference == reference
        assert _case(ws, other).reference == f"{reference}~{other[:4]}"


def test_undoing_a_resolution_reopens_the_conflict_everywhere(laptops):
    from recovery_desk.services.sync.conflicts import reopen, resolve_undoably

    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, notes="gate locked")
    cases.update_case(b, case_id, notes="call after 5 pm")
    _exchange(net, a, b)
    (before,) = list_conflicts(a)
    shown = _case(a, case_id).notes
    _changes, resolution = resolve_undoably(a, before["id"], value="gate locked; call after 5 pm")
    net.send(a, b)
    assert list_conflicts(b) == []
    reopen(a, resolution)
    assert list_conflicts(a) == [before] and _case(a, case_id).notes == shown
    net.send(a, b)
    assert list_conflicts(b) == [before] and _case(b, case_id).notes == shown
    # An edit made on the settled value elsewhere meanwhile is not undone by the reopening.
    (c,) = list_conflicts(b)
    _changes, again = resolve_undoably(b, c["id"], keep="ours")
    net.send(b, a)
    cases.update_case(a, case_id, notes="later, on the settled value")
    reopen(b, again)
    _exchange(net, a, b)
    assert canonical_dump(a) == canonical_dump(b) and list_conflicts(a) == list_conflicts(b)
    assert _case(a, case_id).notes in ("later, on the settled value", shown)


def test_an_erasure_scrubs_the_values_from_the_other_laptops_free_text_too(laptops, tmp_path):
    """The household's values copied into task titles, comments and another case's notes
    (typed, or imported in bulk) leave every laptop: rows, change log and audit trail."""
    from recovery_desk.io.importer import ImportOptions, import_file
    from recovery_desk.services.erasure import erase_case
    from recovery_desk.storage.models import Comment, Task

    net, home, a, b, case_id = _two(laptops)
    cases.update_case(a, case_id, contact_phone="090-1234-5678")
    task_id = tasks.create_task(a, case_id, title="call 山田 太郎 on 090-1234-5678").primary_id
    tasks.add_comment(a, task_id, "山田 太郎 is home after 5")
    other = cases.create_case(a, contact_name="Neighbour", notes="knows 山田 太郎 (090-1234-5678)").primary_id
    reference = _case(a, case_id).reference
    sheet = tmp_path / "tasks.csv"
    sheet.write_text(f"ケース番号,件名\n{reference},山田 太郎 の家の泥出し\n", encoding="utf-8")
    import_file(a, sheet, ImportOptions("tasks"))
    _exchange(net, a, b)
    with b.session() as s:
        assert len(s.scalars(select(Task.id).where(Task.title.contains("山田"))).all()) == 2

    erase_case(a, reference)
    net.send(a, b)
    for ws in (a, b):
        with ws.session() as s:
            titles = s.scalars(select(Task.title).where(Task.case_id == case_id)).all()
            assert sorted(titles) == ["[erased] の家の泥出し", "call [erased] on [erased]"]
            assert s.scalars(select(Comment.body)).all() == ["[erased] is home after 5"]
            assert s.get(Case, other).notes == "knows [erased] ([erased])"
        with ws.engine.connect() as conn:
            for table in ("sync_change", "sync_head", "activity", "task", "comment", "case"):
                text = json.dumps([list(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()],
                                  ensure_ascii=False, default=str)
                assert "山田" not in text and "090-1234-5678" not in text, (ws.path.name, table)
    assert canonical_dump(a) == canonical_dump(b)
