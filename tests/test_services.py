"""The Qt-free services: validation, the audit trail, and what each call reports as changed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services import cases, conferences, organisations, people, tasks
from recovery_desk.storage.models import Activity, Case, Organisation, Task

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def activities(ws, entity_id):
    with ws.session() as s:
        return s.scalars(select(Activity).where(Activity.entity_id == entity_id).order_by(Activity.at)).all()


def test_create_case_numbers_references_per_incident_and_audits(workspace):
    first = cases.create_case(workspace, contact_name="山田 太郎", household_size=3)
    second = cases.create_case(workspace)
    with workspace.session() as s:
        refs = [s.get(Case, c.primary_id).reference for c in (first, second)]
    assert refs == ["TEST-0001", "TEST-0002"]
    assert first.created["case"] == {first.primary_id}
    [created] = activities(workspace, first.primary_id)
    assert created.action == "create" and created.actor == "Test User (Test Org)"
    assert created.replica_id == workspace.replica_id
    assert json.loads(created.new_value)["contact_name"] == "山田 太郎"


def test_update_records_old_and_new_per_field(workspace):
    case_id = cases.create_case(workspace, priority="normal").primary_id
    changes = cases.update_case(workspace, case_id, priority="urgent", household_size="4")
    assert changes.updated["case"] == {case_id} and case_id in changes.case_ids
    updates = {a.field: a for a in activities(workspace, case_id) if a.action == "update"}
    assert json.loads(updates["priority"].old_value) == "normal"
    assert json.loads(updates["priority"].new_value) == "urgent"
    assert json.loads(updates["household_size"].new_value) == 4
    with workspace.session() as s:
        assert s.get(Case, case_id).row_version == 2


def test_unchanged_update_writes_nothing(workspace):
    case_id = cases.create_case(workspace, priority="high").primary_id
    changes = cases.update_case(workspace, case_id, priority="high")
    assert not changes
    assert len(activities(workspace, case_id)) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"priority": "very"}, "priority"), ({"household_size": "many"}, "household_size"),
     ({"household_size": 0}, "household_size"), ({"latitude": 123}, "latitude"),
     ({"damage_level": "broken"}, "damage_level"), ({"opened_on": "2024-13-01"}, "opened_on"),
     ({"colour": "red"}, None)],
)
def test_bad_case_fields_are_refused_naming_the_field_and_nothing_is_written(workspace, fields, field):
    case_id = cases.create_case(workspace).primary_id
    with pytest.raises(ValidationError) as info:
        cases.update_case(workspace, case_id, **fields)
    assert info.value.field == field
    assert len(activities(workspace, case_id)) == 1


def test_closing_needs_a_reason_and_reopening_clears_it(workspace):
    case_id = cases.create_case(workspace).primary_id
    with pytest.raises(ValidationError, match="closure reason"):
        cases.set_stage(workspace, case_id, "closed")
    with pytest.raises(ValidationError, match="not one of"):
        cases.set_stage(workspace, case_id, "closed", closure_reason="bored")
    with pytest.raises(ValidationError, match="not one of"):
        cases.set_stage(workspace, case_id, "finished")
    cases.set_stage(workspace, case_id, "closed", closure_reason="goals_met", on=date(2024, 3, 1))
    with workspace.session() as s:
        case = s.get(Case, case_id)
        assert (case.stage, case.closure_reason, case.closed_on) == ("closed", "goals_met", date(2024, 3, 1))
    cases.set_stage(workspace, case_id, "monitoring")
    with workspace.session() as s:
        case = s.get(Case, case_id)
        assert (case.stage, case.closure_reason, case.closed_on) == ("monitoring", None, None)


def test_japanese_message_for_a_validation_error(workspace):
    case_id = cases.create_case(workspace).primary_id
    with pytest.raises(ValidationError) as info:
        cases.set_stage(workspace, case_id, "closed")
    assert "終結理由" in info.value.message("ja")
    assert "closure reason" in info.value.message("en")


def test_organisation_sector_is_derived_from_the_axes(workspace):
    org_id = organisations.create_organisation(
        workspace, name="七尾市役所", ownership="public", profit="nonprofit", formality="formal",
        org_type="gov_local").primary_id
    with workspace.session() as s:
        assert s.get(Organisation, org_id).sector == "state"
    organisations.update_organisation(workspace, org_id, ownership="private", formality="informal")
    with workspace.session() as s:
        assert s.get(Organisation, org_id).sector == "community"
    sector_change = [a for a in activities(workspace, org_id) if a.field == "sector"]
    assert json.loads(sector_change[0].new_value) == "community"


def test_blocked_task_cannot_be_done_and_the_message_names_the_blocker(workspace):
    case_id = cases.create_case(workspace).primary_id
    mud = tasks.create_task(workspace, case_id, title="泥出し作業").primary_id
    floor = tasks.create_task(workspace, case_id, title="床の張り替え").primary_id
    tasks.add_dependency(workspace, floor, mud)
    with pytest.raises(ValidationError) as info:
        tasks.move_task(workspace, floor, "done")
    assert "泥出し作業" in info.value.message("en") and "TEST-0001" in info.value.message("en")
    with workspace.session() as s:
        assert s.get(Task, floor).status == "received"
    tasks.move_task(workspace, mud, "done")
    tasks.move_task(workspace, floor, "done")
    with workspace.session() as s:
        assert s.get(Task, floor).completed_at is not None


def test_dependencies_refuse_cycles_and_self(workspace):
    case_id = cases.create_case(workspace).primary_id
    a, b, c = (tasks.create_task(workspace, case_id, title=t).primary_id for t in "abc")
    tasks.add_dependency(workspace, b, a)
    tasks.add_dependency(workspace, c, b)
    with pytest.raises(ValidationError, match="cycle"):
        tasks.add_dependency(workspace, a, c)
    with pytest.raises(ValidationError, match="itself"):
        tasks.add_dependency(workspace, a, a)


def test_task_lead_joins_the_case_and_positions_are_sparse(workspace):
    case_id = cases.create_case(workspace).primary_id
    org_id = organisations.create_organisation(workspace, name="NPO").primary_id
    first = tasks.create_task(workspace, case_id, title="one", lead_org_id=org_id)
    second = tasks.create_task(workspace, case_id, title="two")
    assert "participation" in first.created
    with workspace.session() as s:
        p1, p2 = (s.get(Task, c.primary_id).position for c in (first, second))
    assert p2 - p1 == tasks.POSITION_GAP
    mid = tasks.position_between(p1, p2)
    changes = tasks.move_task(workspace, second.primary_id, "received", position=tasks.position_between(None, p1))
    assert changes.updated["task"] == {second.primary_id}
    assert p1 < mid < p2


def test_conference_decision_creates_a_task(workspace):
    case_id = cases.create_case(workspace).primary_id
    org_id = organisations.create_organisation(workspace, name="社協").primary_id
    conf_id = conferences.create_conference(workspace, case_id, held_on="2024-02-01",
                                            organisation_ids=[org_id]).primary_id
    changes = conferences.add_decision(workspace, conf_id, "屋根を直す",
                                       task={"title": "屋根の修理", "lead_org_id": org_id})
    assert len(changes.created["task"]) == 1 and "decision" in changes.created
    assert case_id in changes.case_ids


def test_people_belong_to_several_organisations(workspace):
    a = organisations.create_organisation(workspace, name="A").primary_id
    b = organisations.create_organisation(workspace, name="B").primary_id
    changes = people.create_person(workspace, name="佐藤 花子", skills="看護師、傾聴", organisation_ids=[a, b, a])
    assert len(changes.created["membership"]) == 2
    with pytest.raises(ValidationError):
        people.create_person(workspace, name="  ")


def test_consent_rules_for_personal_data(workspace):
    case_id = cases.create_case(workspace).primary_id
    cases.set_consent(workspace, case_id, given=True, scope="reports", given_on="2024-01-10",
                      expires_on="2024-12-31")
    with workspace.session() as s:
        from recovery_desk.storage.models import Consent
        consent = s.scalar(select(Consent).where(Consent.case_id == case_id))
    assert cases.consent_allows_pii(consent, today=date(2024, 6, 1))
    assert not cases.consent_allows_pii(consent, today=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        cases.set_consent(workspace, case_id, given=True, given_on="2024-05-01", expires_on="2024-01-01")


def test_deleted_rows_are_tombstones_and_no_longer_found(workspace):
    case_id = cases.create_case(workspace).primary_id
    changes = cases.delete_case(workspace, case_id)
    assert changes.deleted["case"] == {case_id}
    with workspace.session() as s:
        assert s.get(Case, case_id).deleted_at is not None
    with pytest.raises(NotFoundError):
        cases.update_case(workspace, case_id, notes="x")


def test_a_failing_operation_writes_nothing(workspace):
    case_id = cases.create_case(workspace).primary_id
    before = len(activities(workspace, case_id))
    with pytest.raises(RuntimeError), workspace.operation("half") as op:
        with workspace.session() as s:
            case = s.get(Case, case_id)
        op.update(op.session.get(Case, case.id), notes="written?")
        raise RuntimeError("power cut")
    with workspace.session() as s:
        assert s.get(Case, case_id).notes == ""
    assert len(activities(workspace, case_id)) == before
