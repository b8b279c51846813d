"""A row added to a case (or to a task or conference of it) on one laptop while another laptop,
which had not seen it, deleted the case: a conflict, never silently kept in the deleted case nor
lost. Every kind of row that hangs off a case, through real bundles on disk.

Two laptops joined from one: ``a`` adds, ``b`` deletes; ``a`` hears of the deletion after its
addition, ``b`` of the addition after its deletion. Both must list the same conflict (so both
orders of arrival are covered in each test)."""

from __future__ import annotations

from datetime import date

import pytest

from recovery_desk.services import board, cases, conferences, organisations, tasks
from recovery_desk.services.sync.conflicts import (
    CONTAINED,
    REFERENCES_ONLY,
    list_conflicts,
    resolve,
)
from recovery_desk.storage.models import ENTITY_MODELS
from tests.sync.conftest import canonical_dump


class Setting:
    """What every laptop knows before the two go apart: a case with a task, a second task, a
    conference, an organisation on the case and one not on it."""

    def __init__(self, laptops):
        self.net, home = laptops
        self.case = cases.create_case(home, contact_name="山田 太郎").primary_id
        self.known_org = organisations.create_organisation(home, name="Mud Busters").primary_id
        self.other_org = organisations.create_organisation(home, name="Roof Crew").primary_id
        cases.add_participation(home, self.case, self.known_org)
        self.task = tasks.create_task(home, self.case, title="clear the mud").primary_id
        self.blocker = tasks.create_task(home, self.case, title="dry the floor").primary_id
        self.conference = conferences.create_conference(home, self.case, held_on=date(2024, 2, 1),
                                                        title="first meeting").primary_id
        self.home = home
        self.a = self.net.join(home, "a", "Aiko (NPO)")
        self.b = self.net.join(home, "b", "Ben (City)")

    def apart_then_together(self):
        cases.delete_case(self.b, self.case)
        self.net.send(self.b, self.a)  # a: the deletion after its own addition
        self.net.send(self.a, self.b)  # b: the addition after its own deletion

    def everyone(self):
        self.net.send(self.a, self.b)
        self.net.send(self.b, self.a)


def _row(ws, entity, row_id):
    with ws.session() as s:
        return s.get(ENTITY_MODELS[entity], row_id)


# (entity added, what adds it on laptop a (returns the row id), the label the conflict shows)
ADDITIONS = {
    "need": (lambda w, s: cases.set_need(w, s.case, "food").primary_id, "food"),
    "participation": (lambda w, s: cases.add_participation(w, s.case, s.other_org).primary_id, "Roof Crew"),
    "task": (lambda w, s: tasks.create_task(w, s.case, title="remove the mud").primary_id, "remove the mud"),
    "conference": (lambda w, s: conferences.create_conference(w, s.case, held_on=date(2024, 3, 1),
                                                              title="second meeting").primary_id, "second meeting"),
    "consent": (lambda w, s: cases.set_consent(w, s.case, given=True, scope="coordination").primary_id,
                "coordination"),
    "checklist_item": (lambda w, s: tasks.add_checklist_item(w, s.task, "buy a tarp").primary_id, "buy a tarp"),
    "comment": (lambda w, s: tasks.add_comment(w, s.task, "called the family").primary_id, "called the family"),
    "task_supporter": (lambda w, s: tasks.add_supporter(w, s.task, s.known_org).primary_id, "Mud Busters"),
    "task_dependency": (lambda w, s: tasks.add_dependency(w, s.task, s.blocker).primary_id, "dry the floor"),
    "task_handover": (lambda w, s: board.claim_task(w, s.task, s.known_org).primary_id, "claim"),
    "decision": (lambda w, s: conferences.add_decision(w, s.conference, "rebuild the fence").primary_id,
                 "rebuild the fence"),
}


@pytest.mark.parametrize("entity", sorted(ADDITIONS))
def test_a_row_added_to_a_case_deleted_elsewhere_is_one_conflict_everywhere_until_settled(laptops, entity):
    s = Setting(laptops)
    add, label = ADDITIONS[entity]
    row_id = add(s.a, s)
    s.apart_then_together()
    conflicts = list_conflicts(s.a)
    assert conflicts == list_conflicts(s.b)
    assert [(c["kind"], c["entity"], c["row_id"], c["theirs"], c["owner_entity"], c["owner_id"]) for c in conflicts] == [
        ("added_to_deleted", entity, row_id, label, "case", s.case)]
    (c,) = conflicts
    assert (c["ours_by"], c["theirs_by"], c["deleted"]) == ("Ben (City)", "Aiko (NPO)", True)
    assert c["reference"] == _row(s.a, "case", s.case).reference
    # Settled on one laptop, closed on all. Ours (on the laptop that deleted): the row is deleted
    # too; theirs (on the one that added; every other kind): the case comes back, the row in it.
    keep = "ours" if sorted(ADDITIONS).index(entity) % 2 == 0 else "theirs"
    resolve(s.b if keep == "ours" else s.a, c["id"], keep=keep)
    s.everyone()
    for ws in (s.a, s.b):
        assert list_conflicts(ws) == []
        assert (_row(ws, "case", s.case).deleted_at is None) == (keep == "theirs")
        assert (_row(ws, entity, row_id).deleted_at is None) == (keep == "theirs")
    assert canonical_dump(s.a) == canonical_dump(s.b)


def test_a_comment_on_a_task_deleted_elsewhere_is_a_conflict_about_the_task(laptops):
    s = Setting(laptops)
    comment = tasks.add_comment(s.a, s.task, "the family is back").primary_id
    tasks.delete_task(s.b, s.task)
    s.everyone()
    conflicts = list_conflicts(s.a)
    assert conflicts == list_conflicts(s.b)
    assert [(c["entity"], c["row_id"], c["owner_entity"], c["owner_id"]) for c in conflicts] == [
        ("comment", comment, "task", s.task)]
    resolve(s.a, conflicts[0]["id"], keep="theirs")  # the task comes back
    s.everyone()
    for ws in (s.a, s.b):
        assert list_conflicts(ws) == []
        assert _row(ws, "task", s.task).deleted_at is None


def test_a_new_task_and_what_hangs_off_it_are_one_conflict(laptops):
    """The task's checklist and comments go with it: the task is the conflict, not each of them."""
    s = Setting(laptops)
    new_task = tasks.create_task(s.a, s.case, title="fix the roof").primary_id
    tasks.add_checklist_item(s.a, new_task, "ladder")
    tasks.add_comment(s.a, new_task, "needs two people")
    conferences.create_conference(s.a, s.case, held_on=date(2024, 3, 2), title="roof", organisation_ids=[s.other_org])
    s.apart_then_together()
    conflicts = list_conflicts(s.b)
    assert conflicts == list_conflicts(s.a)
    assert sorted(c["entity"] for c in conflicts) == ["conference", "task"]
    for c in conflicts:
        resolve(s.b, c["id"], keep="ours")
    s.everyone()
    assert [list_conflicts(ws) for ws in (s.a, s.b)] == [[], []]
    assert canonical_dump(s.a) == canonical_dump(s.b)


def test_rows_the_deleting_laptop_had_seen_are_no_conflict(laptops):
    s = Setting(laptops)
    tasks.add_comment(s.a, s.task, "seen by b")
    cases.set_need(s.a, s.case, "food")
    s.net.send(s.a, s.b)
    cases.delete_case(s.b, s.case)
    s.everyone()
    assert [list_conflicts(ws) for ws in (s.a, s.b)] == [[], []]


def test_a_row_unique_by_its_key_made_on_both_laptops_is_known_to_the_deleting_one(laptops):
    """Both laptops add the need 'food'; one then deletes the case: it knew that need (one row)."""
    s = Setting(laptops)
    cases.set_need(s.a, s.case, "food")
    cases.set_need(s.b, s.case, "food")
    cases.delete_case(s.b, s.case)
    s.everyone()
    assert [c["kind"] for c in list_conflicts(s.a)] == [c["kind"] for c in list_conflicts(s.b)] == []


def test_rows_moved_into_a_case_deleted_elsewhere_by_a_merge_are_conflicts(laptops):
    """Merging the same household's second case into the case another laptop deleted: its task
    and need (moved) and the second reference (an alias) are each a conflict."""
    from recovery_desk.services.sync.duplicates import merge_cases

    s = Setting(laptops)
    second = cases.create_case(s.a, contact_name="山田 太郎").primary_id
    moved_task = tasks.create_task(s.a, second, title="lend a pump").primary_id
    moved_need = cases.set_need(s.a, second, "water_sanitation").primary_id
    s.everyone()  # everyone knows the second case, its task and need
    merge_cases(s.a, s.case, second)
    s.apart_then_together()
    conflicts = list_conflicts(s.a)
    assert conflicts == list_conflicts(s.b)
    found = {(c["entity"], c["row_id"] if c["entity"] != "case_alias" else c["theirs"]) for c in conflicts}
    assert found == {("task", moved_task), ("need", moved_need),
                     ("case_alias", _row(s.a, "case", second).reference)}
    resolve(s.a, conflicts[0]["id"], keep="theirs")  # the case comes back: the others are settled with it
    assert list_conflicts(s.a) == []
    s.everyone()
    assert [list_conflicts(ws) for ws in (s.a, s.b)] == [[], []]
    assert _row(s.b, "task", moved_task).case_id == s.case and _row(s.b, "case", s.case).deleted_at is None


def test_every_row_that_hangs_off_a_case_is_covered():
    """A new kind of row that names a case, task or conference must say whether it is part of it."""
    named = {(entity, column.name) for entity, model in ENTITY_MODELS.items()
             for column in model.__table__.columns for fk in column.foreign_keys
             if fk.column.table.name in ("case", "task", "conference")}
    listed = {(entity, key) for entity, (key, _) in CONTAINED.items()}
    assert named == listed | REFERENCES_ONLY
    with pytest.raises(AssertionError):  # the check can fail: a listed kind left out
        assert named == (listed - {("comment", "task_id")}) | REFERENCES_ONLY
