"""The case editor for field work: the Tasks tab (New task prefilled), what the consent
allows, personal data hidden from another organisation, vulnerability checkboxes, Save and
Revert only after a change, and erasure by a coordinator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recovery_desk.services import cases, identity
from recovery_desk.storage.models import Case, Membership, Organisation, Participation, Person, Task
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _editor(qtbot, ctx, case_id):
    from recovery_desk.ui.pages.case_editor import CaseEditor

    editor = CaseEditor(ctx)
    qtbot.addWidget(editor)
    editor.load(case_id)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.case.id == case_id, timeout=10_000)
    wait_idle(qtbot, ctx)
    return editor


def _case_with_lead_and_tasks(session):
    return session.scalar(
        select(Case.id).join(Participation, Participation.case_id == Case.id)
        .join(Task, Task.case_id == Case.id)
        .where(Participation.role == "lead", Participation.deleted_at.is_(None), Task.deleted_at.is_(None),
               Task.archived_at.is_(None), Case.deleted_at.is_(None)).order_by(Case.sequence))


def test_tasks_tab_lists_the_case_tasks_and_new_task_is_prefilled(qtbot, ctx) -> None:
    with ctx.workspace.session() as s:
        case_id = _case_with_lead_and_tasks(s)
        expected = set(s.scalars(select(Task.id).where(Task.case_id == case_id, Task.deleted_at.is_(None),
                                                       Task.archived_at.is_(None))))
        lead = s.scalar(select(Participation.organisation_id).where(Participation.case_id == case_id,
                                                                    Participation.role == "lead"))
    editor = _editor(qtbot, ctx, case_id)
    tab = editor.tasks_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(expected), timeout=10_000)
    assert {r.id for r in tab.model.rows} == expected
    dialog = tab.new_task()
    qtbot.waitUntil(lambda: dialog.lead.count() > 1, timeout=10_000)
    assert dialog.case_id == case_id and dialog.lead.currentData() == lead
    need = editor.tasks_tab.need
    assert dialog.need.currentData() == need
    dialog.title.setText("屋根の応急修理")
    dialog.create()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(expected) + 1, timeout=10_000)
    with ctx.workspace.session() as s:
        new = s.scalar(select(Task).where(Task.case_id == case_id, Task.title == "屋根の応急修理"))
        assert new.lead_org_id == lead and new.need_category == need
    ctx.undo_stack.undo()  # New task is one undo step too
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(expected), timeout=10_000)


def test_save_and_revert_wait_for_a_change_and_vulnerability_is_saved_as_codes(qtbot, ctx) -> None:
    with ctx.workspace.session() as s:
        case_id = s.scalar(select(Case.id).where(Case.deleted_at.is_(None)).order_by(Case.sequence))
    editor = _editor(qtbot, ctx, case_id)
    assert not editor.save_button.isEnabled() and not editor.revert_button.isEnabled()
    editor.vulnerable_codes["elderly_alone"].setChecked(True)
    editor.vulnerable_codes["medical_devices"].setChecked(True)
    assert editor.save_button.isEnabled() and editor.revert_button.isEnabled()
    editor.save_button.click()
    wait_idle(qtbot, ctx)
    with ctx.workspace.session() as s:
        assert s.get(Case, case_id).vulnerable_categories == "elderly_alone medical_devices"
    qtbot.waitUntil(lambda: not editor.save_button.isEnabled(), timeout=10_000)
    editor.contact_phone.setText("000")
    assert editor.revert_button.isEnabled()
    editor.revert_button.click()
    assert editor.contact_phone.text() != "000" and not editor.save_button.isEnabled()


def test_consent_says_what_it_allows_and_hides_personal_data_from_another_org(qtbot, ctx) -> None:
    with ctx.workspace.session() as s:
        case_id = _case_with_lead_and_tasks(s)
        taking_part = set(s.scalars(select(Participation.organisation_id).where(Participation.case_id == case_id)))
        outsider = s.execute(select(Person.id, Organisation.id).join(Membership, Membership.person_id == Person.id)
                             .join(Organisation, Organisation.id == Membership.organisation_id)
                             .where(Organisation.id.not_in(taking_part),
                                    Organisation.org_type.not_in(identity.COORDINATING_TYPES))).first()
        insider = s.execute(select(Person.id, Organisation.id).join(Membership, Membership.person_id == Person.id)
                            .join(Organisation, Organisation.id == Membership.organisation_id)
                            .where(Organisation.id.in_(taking_part),
                                   Organisation.org_type.not_in(identity.COORDINATING_TYPES))).first()
    cases.update_case(ctx.workspace, case_id, contact_name="見える 太郎")
    cases.set_consent(ctx.workspace, case_id, given=True, scope="coordination")
    with ctx.workspace.session() as s:
        identity.sign_in(ctx.workspace, identity.identity_of(s, outsider[0], [outsider[1]]))
    editor = _editor(qtbot, ctx, case_id)
    assert editor.contact_name.text() == "" and not editor.pii_note.isHidden()
    assert "never in reports" in editor.consent_meaning.text()
    assert not editor.save_button.isEnabled()  # hidden fields are not "changed"
    assert editor.erase_button.isHidden()  # not a coordinator
    if insider is not None:
        with ctx.workspace.session() as s:
            identity.sign_in(ctx.workspace, identity.identity_of(s, insider[0], [insider[1]]))
        editor.load(case_id)
        qtbot.waitUntil(lambda: editor.contact_name.text() == "見える 太郎", timeout=10_000)
        assert editor.pii_note.isHidden()


def test_a_coordinator_erases_after_a_confirmation_naming_what_goes(qtbot, ctx) -> None:
    from tests.field.helpers import coordinator

    with ctx.workspace.session() as s:
        person_id, _name = coordinator(s)
        identity.sign_in(ctx.workspace, identity.identity_of(s, person_id))
        case_id = s.scalar(select(Case.id).where(Case.contact_name != "", Case.deleted_at.is_(None))
                           .order_by(Case.sequence))
        name = s.get(Case, case_id).contact_name
    editor = _editor(qtbot, ctx, case_id)
    assert not editor.erase_button.isHidden()
    editor.erase_button.click()
    qtbot.waitUntil(lambda: getattr(editor, "erase_box", None) is not None, timeout=10_000)
    assert "contact name" in editor.erase_box.text() and editor.detail.case.reference in editor.erase_box.text()
    editor.erase()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: editor.contact_name.text() == "", timeout=10_000)
    with ctx.workspace.session() as s:
        assert s.get(Case, case_id).contact_name == ""
        assert name.encode() not in ctx.workspace.path.read_bytes()


def test_the_consent_form_says_what_it_would_allow_as_it_is_filled(qtbot, ctx) -> None:
    """Without the household's agreement the scope and dates mean nothing: they wait for the
    tick (a "Shared among coordinating organisations" beside "No consent to share" read as a
    contradiction); the sentence under them follows each change before it is saved."""
    from recovery_desk.storage.models import Consent

    with ctx.workspace.session() as s:
        case_id = s.scalar(select(Case.id).outerjoin(Consent, Consent.case_id == Case.id)
                           .where(Consent.id.is_(None), Case.deleted_at.is_(None)).order_by(Case.sequence))
    editor = _editor(qtbot, ctx, case_id)
    editor.tabs.setCurrentIndex(editor.tabs.indexOf(editor.consent_given.parentWidget()))
    assert not editor.consent_given.isChecked()
    assert not editor.consent_scope.isEnabled() and not editor.consent_until.isEnabled()
    assert editor.consent_meaning.text().startswith("No consent to share")
    editor.consent_given.setChecked(True)
    assert editor.consent_scope.isEnabled() and editor.consent_until.isEnabled()
    assert "never in reports or exports" in editor.consent_meaning.text()  # coordination, as shown
    editor.consent_scope.setCurrentIndex(editor.consent_scope.findData("reports"))
    assert "included in reports and exports" in editor.consent_meaning.text()
    editor.consent_until.setText("2020-01-31")
    assert editor.consent_meaning.text().startswith("The consent expired on 2020-01-31")
    with ctx.workspace.session() as s:
        assert s.scalar(select(Consent.id).where(Consent.case_id == case_id)) is None  # nothing saved yet
