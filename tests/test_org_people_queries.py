"""The Organisations / People queries (set-based) and the restore service (undo of delete)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from recovery_desk.services import org_queries, people_queries
from recovery_desk.services.cases import create_case
from recovery_desk.services.organisations import (
    create_organisation,
    delete_organisation,
    set_capability,
)
from recovery_desk.services.people import add_membership, create_person, delete_person
from recovery_desk.services.restore import restore
from recovery_desk.services.stats import compute_stats
from recovery_desk.services.tasks import create_task
from recovery_desk.storage.models import Activity, Organisation

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def _count_queries(ws, fn):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(ws.engine, "before_cursor_execute", before)
    try:
        with ws.session() as session:
            result = fn(session)
    finally:
        event.remove(ws.engine, "before_cursor_execute", before)
    return result, statements


def test_list_organisations_counts_open_tasks_like_the_dashboard(demo_path):
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(demo_path)
    try:
        rows, statements = _count_queries(ws, org_queries.list_organisations)
        with ws.session() as session:
            stats = compute_stats(session)
            n_orgs = len(session.scalars(select(Organisation.id).where(Organisation.deleted_at.is_(None))).all())
    finally:
        ws.close()
    assert len(rows) == n_orgs > 20
    # A fixed number of statements (names, then three grouped counts), never one per organisation.
    assert len(statements) == 4
    by_sector: dict[str, int] = {}
    for row in rows:
        by_sector[row.sector] = by_sector.get(row.sector, 0) + row.open_tasks
    for sector, load in stats["load_by_sector"].items():
        assert by_sector.get(sector, 0) == load["open_tasks"], sector
    assert sum(by_sector.values()) > 0


def test_list_people_counts_organisations_in_two_queries(demo_path):
    from recovery_desk.services.workspace import Workspace

    ws = Workspace.open(demo_path)
    try:
        rows, statements = _count_queries(ws, people_queries.list_people)
    finally:
        ws.close()
    assert len(statements) == 2
    assert any(r.organisation_count >= 2 for r in rows)
    assert all(r.organisation_count >= 1 for r in rows)


def test_detail_lists_cases_and_tasks_held(workspace):
    org = create_organisation(workspace, name="七尾市社会福祉協議会", ownership="private", profit="nonprofit",
                              formality="formal", org_type="social_welfare_council").primary_id
    other = create_organisation(workspace, name="Other NPO").primary_id
    case = create_case(workspace, contact_name="X").primary_id
    create_task(workspace, case, title="Mud out", lead_org_id=org)
    create_task(workspace, case, title="Paperwork", lead_org_id=other)
    set_capability(workspace, org, "care_welfare", 20)
    with workspace.session() as session:
        detail = org_queries.organisation_detail(session, org)
        rows = {r.id: r for r in org_queries.list_organisations(session)}
    assert [t.title for t in detail.tasks] == ["Mud out"]
    assert [c.case_id for c in detail.cases] == [case] and detail.cases_total == 1
    assert detail.tasks_total == 1
    assert [(c.need_category, c.capacity) for c in detail.capabilities] == [("care_welfare", 20)]
    assert rows[org].open_tasks == 1 and rows[other].open_tasks == 1
    assert rows[org].sector == "third_sector"


def test_restore_undoes_a_delete_and_is_audited(workspace):
    org = create_organisation(workspace, name="Gone for a moment").primary_id
    person = create_person(workspace, name="山田 太郎", organisation_ids=[org]).primary_id
    delete_organisation(workspace, org)
    delete_person(workspace, person)
    with workspace.session() as session:
        assert org not in {r.id for r in org_queries.list_organisations(session)}
        assert person not in {r.id for r in people_queries.list_people(session)}
    changes = restore(workspace, "organisation", org)
    restore(workspace, "person", person)
    assert org in changes.updated["organisation"]
    with workspace.session() as session:
        assert org in {r.id for r in org_queries.list_organisations(session)}
        people = {r.id: r for r in people_queries.list_people(session)}
        audit = session.scalars(select(Activity).where(Activity.entity_id == org, Activity.field == "deleted_at"))
        assert [a.new_value for a in audit] == [None]
    assert people[person].organisations == ("Gone for a moment",)


def test_membership_lookup_for_undo(workspace):
    org = create_organisation(workspace, name="A").primary_id
    person = create_person(workspace, name="B").primary_id
    with workspace.session() as session:
        assert people_queries.membership_of(session, person, org) is None
    add_membership(workspace, person, org, "理事")
    with workspace.session() as session:
        found = people_queries.membership_of(session, person, org)
    assert found is not None and found.title == "理事"
