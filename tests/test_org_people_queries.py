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


def test_counts_leave_out_deleted_rows_like_a_count_row_by_row(demo_copy):
    """Each organisation's three counts against a count of the rows one by one, after deleting
    a case that still has open tasks and participations, a task, a participation, a membership
    and a person (the counts take away the deleted cases' tasks rather than test each task)."""
    from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES
    from recovery_desk.services.cases import delete_case, remove_participation
    from recovery_desk.services.people import remove_membership
    from recovery_desk.services.tasks import delete_task
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Case, Membership, Participation, Person, Task

    def live_open(task):
        return task.deleted_at is None and task.status not in CLOSED_TASK_STATUSES and task.lead_org_id

    ws = Workspace.open(demo_copy)
    try:
        with ws.session() as session:
            tasks = session.scalars(select(Task).order_by(Task.id)).all()
            on_case: dict[str, list] = {}
            for task in tasks:
                if live_open(task):
                    on_case.setdefault(task.case_id, []).append(task)
            participations = session.scalars(
                select(Participation).where(Participation.deleted_at.is_(None)).order_by(Participation.id)).all()
            with_participation = {p.case_id for p in participations}
            # A case with two or more open tasks and organisations on it: deleted whole.
            doomed_case = next(c for c, ts in sorted(on_case.items()) if len(ts) >= 2 and c in with_participation)
            doomed_task = next(t.id for c, ts in sorted(on_case.items()) if c != doomed_case for t in ts)
            doomed_participation = next(p.id for p in participations if p.case_id != doomed_case)
            memberships = session.scalars(
                select(Membership).where(Membership.deleted_at.is_(None)).order_by(Membership.id)).all()
            doomed_membership, doomed_person = memberships[0].id, memberships[-1].person_id
        delete_case(ws, doomed_case)
        delete_task(ws, doomed_task)
        remove_participation(ws, doomed_participation)
        remove_membership(ws, doomed_membership)
        delete_person(ws, doomed_person)

        with ws.session() as session:
            counted = org_queries.organisation_counts(session)
            rows = org_queries.list_organisations(session)
            live_cases = {c.id for c in session.scalars(select(Case)) if c.deleted_at is None}
            live_people = {p.id for p in session.scalars(select(Person)) if p.deleted_at is None}
            open_tasks: dict[str, int] = {}
            for task in session.scalars(select(Task)):
                if live_open(task) and task.case_id in live_cases:
                    open_tasks[task.lead_org_id] = open_tasks.get(task.lead_org_id, 0) + 1
            cases: dict[str, set[str]] = {}
            for p in session.scalars(select(Participation)):
                if p.deleted_at is None and p.case_id in live_cases:
                    cases.setdefault(p.organisation_id, set()).add(p.case_id)
            members: dict[str, int] = {}
            for m in session.scalars(select(Membership)):
                if m.deleted_at is None and m.person_id in live_people:
                    members[m.organisation_id] = members.get(m.organisation_id, 0) + 1
    finally:
        ws.close()
    # The deleted case still had open tasks (its tasks are not deleted with it).
    assert len(on_case[doomed_case]) >= 2
    for org_id in set(counted) | set(open_tasks) | set(cases) | set(members):
        expected = (open_tasks.get(org_id, 0), len(cases.get(org_id, ())), members.get(org_id, 0))
        assert counted.get(org_id, (0, 0, 0)) == expected, org_id
    assert sum(open_tasks.values()) > 100 and len(members) > 10
    assert all((r.open_tasks, r.cases, r.members) == counted.get(r.id, (0, 0, 0)) for r in rows)
