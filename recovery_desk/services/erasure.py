"""Erasure on request: a household asks to be forgotten.

:func:`erase_case` removes the case's personal data — contact name, phone, address, notes,
vulnerable members and categories, coordinates — from the live rows, and the same values
wherever they were copied: the notes of its needs and conferences, comments, task titles
and descriptions (the values are replaced by "[erased]" in any row of the workspace), the
audit trail's old and new values and creation snapshots, and (through its scrub hook) the
replicable change log. What stays is an anonymous record of the case (reference, area,
stage, needs, tasks, who took part) and one audit record of the erasure itself, naming
who erased which fields, never their values.

Then the file forgets too: SQLite's ``secure_delete`` zeroes freed content during the
erasing transaction, ``VACUUM`` rewrites the file and ``wal_checkpoint(TRUNCATE)`` empties
the write-ahead log, so the values are in no byte of the workspace or of a backup or bundle
made afterwards. Backups made before stay as they were (README: "Erasure").

Values shorter than :data:`MIN_SCRUB_LENGTH` characters are cleared in the case's own
fields but not searched for elsewhere (replacing "林" everywhere would damage other rows).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import or_, select, text, update

from recovery_desk.i18n import tr
from recovery_desk.services.cases import find_case
from recovery_desk.storage.models import Activity, Case, Conference, Need, new_id, utcnow
from recovery_desk.storage.retry import retrying

log = logging.getLogger(__name__)

PERSONAL_FIELDS = ("contact_name", "contact_phone", "address", "notes", "vulnerable_members",
                   "vulnerable_categories", "latitude", "longitude")
TEXT_DEFAULTS = {"contact_name": "", "contact_phone": "", "address": "", "notes": "", "vulnerable_members": "",
                 "vulnerable_categories": "", "latitude": None, "longitude": None}
ERASED = "[erased]"
MIN_SCRUB_LENGTH = 3
# Free-text columns anywhere in the workspace where a household's values may have been copied.
FREE_TEXT = (("comment", "body"), ("task", "title"), ("task", "description"), ("conference", "notes"),
             ("conference", "title"), ("decision", "text"), ("need", "note"), ("case", "notes"),
             ("case", "vulnerable_members"))


def personal_field_label(name: str, lang: str | None = None) -> str:
    return {"contact_name": tr("contact name", lang), "contact_phone": tr("phone", lang),
            "address": tr("address", lang), "notes": tr("notes", lang),
            "vulnerable_members": tr("vulnerable members", lang),
            "vulnerable_categories": tr("vulnerability categories", lang),
            "latitude": tr("latitude", lang), "longitude": tr("longitude", lang)}.get(name, name)


@dataclass(frozen=True)
class ErasurePlan:
    """What :func:`erase_case` will remove (for the confirmation that names it)."""

    case_id: str
    reference: str
    fields: tuple[str, ...]  # the personal fields that hold something
    values: tuple[str, ...]  # the text values to search for elsewhere

    def describe(self, lang: str | None = None) -> str:
        return ", ".join(personal_field_label(f, lang) for f in self.fields) or tr("nothing", lang)


def plan_erasure(ws: Any, reference: str) -> ErasurePlan:
    case = find_case(ws, reference)
    fields = tuple(f for f in PERSONAL_FIELDS if getattr(case, f) not in ("", None))
    return ErasurePlan(case.id, case.reference, fields, scrub_values(case))


def scrub_values(case: Case) -> tuple[str, ...]:
    """The strings to hunt down: each personal text value (and the phone without separators,
    the name without spaces), longest first so a longer value is replaced before its parts."""
    values: set[str] = set()
    for name in ("contact_name", "contact_phone", "address", "notes", "vulnerable_members"):
        value = (getattr(case, name) or "").strip()
        if value:
            values.add(value)
            if name == "contact_phone":
                values.add("".join(ch for ch in value if ch.isdigit()))
            if name == "contact_name":
                values.add("".join(value.split()))
            for line in value.splitlines():
                values.add(line.strip())
    return tuple(sorted((v for v in values if len(v) >= MIN_SCRUB_LENGTH), key=lambda v: (-len(v), v)))


def _scrub_json_text(value: str | None, values: tuple[str, ...], drop_keys: tuple[str, ...] = ()) -> str | None:
    if value is None:
        return None
    if drop_keys:
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in drop_keys:
                if key in data:
                    data[key] = TEXT_DEFAULTS.get(key, "")
            value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for v in values:
        value = value.replace(v, ERASED)
        encoded = json.dumps(v, ensure_ascii=False)[1:-1]  # the form inside JSON text (escapes)
        if encoded != v:
            value = value.replace(encoded, ERASED)
    return value


def erase_case(ws: Any, reference: str) -> ErasurePlan:
    """Erase the personal data of the case ``reference`` (see the module's docstring)."""
    def erase_once() -> ErasurePlan:  # planned inside the attempt: a retry erases what is there then
        plan = plan_erasure(ws, reference)
        with ws.engine.connect() as conn, secure_delete(conn):
            _erase_rows(ws, conn, plan)
            conn.commit()
        return plan

    plan = retrying(erase_once)
    values = plan.values
    _forget_in_file(ws)
    log.info("erased %s fields of case %s (%d values searched)", len(plan.fields), plan.reference, len(values))
    return plan


@dataclass(frozen=True)
class AnonymisePlan:
    """What anonymising the incident erases (for the confirmation that names it)."""

    households: int  # cases holding any personal data
    fields: tuple[str, ...]  # the personal fields that hold something in at least one case
    case_ids: tuple[str, ...] = ()  # once done: the cases erased

    def describe(self, lang: str | None = None) -> str:
        return ", ".join(personal_field_label(f, lang) for f in self.fields) or tr("nothing", lang)


def _with_personal_data() -> Any:
    return or_(*(getattr(Case, f) != "" for f in PERSONAL_FIELDS if TEXT_DEFAULTS[f] == ""),
               Case.latitude.is_not(None), Case.longitude.is_not(None))


def plan_anonymise(ws: Any) -> AnonymisePlan:
    from sqlalchemy import func

    with ws.session() as s:
        live = (Case.deleted_at.is_(None), _with_personal_data())
        households = s.scalar(select(func.count()).select_from(Case).where(*live)) or 0
        fields = tuple(f for f in PERSONAL_FIELDS if s.scalar(select(func.count()).select_from(Case).where(
            Case.deleted_at.is_(None), getattr(Case, f).is_not(None) if TEXT_DEFAULTS[f] is None
            else getattr(Case, f) != "")))
    return AnonymisePlan(households, fields)


def _erase_rows(ws: Any, conn: Any, plan: ErasurePlan) -> None:
    from sqlalchemy.orm import Session

    from recovery_desk.services.sync.identity import settle

    values = plan.values
    with Session(bind=conn) as session, session.begin():
        now = utcnow()
        session.execute(update(Case).where(Case.id == plan.case_id).values(
            **TEXT_DEFAULTS, updated_at=now, row_version=Case.row_version + 1)
            .execution_options(synchronize_session=False))
        session.execute(update(Need).where(Need.case_id == plan.case_id).values(note="")
                        .execution_options(synchronize_session=False))
        session.execute(update(Conference).where(Conference.case_id == plan.case_id).values(notes="")
                        .execution_options(synchronize_session=False))
        for table, column in FREE_TEXT:
            for value in values:
                session.execute(text(
                    f'UPDATE "{table}" SET "{column}" = replace("{column}", :v, :erased) '
                    f'WHERE instr("{column}", :v) > 0'), {"v": value, "erased": ERASED})
        _erase_audit(session, plan)
        _scrub_change_log(session, plan)
        # The anonymous record of the erasure: who erased which fields of which case, when.
        session.add(Activity(at=now, actor=ws.actor, actor_id=getattr(ws, "person_id", None),
                             replica_id=settle(session.connection()), operation_id=new_id(), operation="erase_case",
                             entity="case", entity_id=plan.case_id, action="erase", field=None, old_value=None,
                             new_value=json.dumps({"fields": list(plan.fields)}), case_id=plan.case_id))


def _erase_audit(session: Any, plan: ErasurePlan) -> None:
    """The audit trail forgets the values: the case's personal fields' old/new values, the
    personal keys of creation snapshots of the case and its needs and conferences, and every
    copy of a value in any record."""
    values = plan.values
    session.execute(update(Activity).where(
        Activity.entity == "case", Activity.entity_id == plan.case_id, Activity.field.in_(PERSONAL_FIELDS))
        .values(old_value=None, new_value=None))
    drop = {"case": PERSONAL_FIELDS, "need": ("note",), "conference": ("notes",)}
    snapshot_rows = session.execute(select(Activity.id, Activity.entity, Activity.new_value).where(
        Activity.case_id == plan.case_id, Activity.action == "create", Activity.entity.in_(tuple(drop)))).all()
    for activity_id, entity, new_value in snapshot_rows:
        session.execute(update(Activity).where(Activity.id == activity_id).values(
            new_value=_scrub_json_text(new_value, values, drop[entity])))
    session.execute(update(Activity).where(
        Activity.case_id == plan.case_id, Activity.entity.in_(("need", "conference")),
        Activity.field.in_(("note", "notes"))).values(old_value=None, new_value=None))
    if not values:
        return
    forms = {f for v in values for f in (v, json.dumps(v, ensure_ascii=False)[1:-1])}
    hits = or_(*(Activity.old_value.contains(f, autoescape=True) | Activity.new_value.contains(f, autoescape=True)
                 for f in forms))
    for activity_id, old, new in session.execute(select(Activity.id, Activity.old_value, Activity.new_value)
                                                 .where(hits)).all():
        session.execute(update(Activity).where(Activity.id == activity_id).values(
            old_value=_scrub_json_text(old, values), new_value=_scrub_json_text(new, values)))


def _scrub_change_log(session: Any, plan: ErasurePlan) -> None:
    """The replicable change log (services/sync) scrubs its own copies, when it exists."""
    try:
        from recovery_desk.services.sync import scrub_case  # type: ignore[attr-defined]
    except ImportError:
        return
    scrub_case(session, plan.case_id, list(plan.values))


@contextmanager
def secure_delete(conn: Any) -> Iterator[None]:
    """SQLite's secure_delete for the erasing transaction: it zeroes the freed content of the
    pages it rewrites (a server keeps its own files: nothing to set there)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    conn.commit()
    try:
        yield
    finally:
        conn.rollback()  # whatever the erasing transaction left open (an error) before the pragma
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")
        conn.commit()


def _vacuum_full(ws: Any, table: str) -> None:
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'VACUUM FULL "{table}"')


def _forget_in_file(ws: Any) -> None:
    """Rewrite the file without the freed pages and empty the write-ahead log (SQLite; on a
    server, VACUUM FULL rewrites the tables that held the values)."""
    if ws.dialect != "sqlite":  # each table's VACUUM FULL is its own transaction: retried alone
        for table in ("case", "need", "conference", "comment", "task", "decision", "activity", "sync_change",
                      "sync_head"):
            retrying(partial(_vacuum_full, ws, table))
        return
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
