"""SQLAlchemy 2.0 typed models of a workspace.

Every synchronisable row carries a UUID primary key, created/updated timestamps (UTC),
a row version (optimistic locking, and the basis of conflict detection when replicas
exchange change bundles) and a tombstone (``deleted_at``) instead of a hard delete.
Every change is recorded in :class:`Activity` by :mod:`recovery_desk.services.operation`.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The version-4 and RFC 4122 variant bits that uuid.UUID(int=..., version=4) sets.
_UUID4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)


def _uuid_text(value: int) -> str:
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid4_text(random_bits: int) -> str:
    """A version-4 UUID as text from 128 random bits, without a uuid.UUID object
    (bulk paths create hundreds of thousands; the demo draws the bits from its seed)."""
    return _uuid_text(random_bits & _UUID4_MASK | _UUID4_BITS)


def new_id() -> str:
    """A version-7 UUID (RFC 9562): the time in milliseconds, then 74 random bits.

    Time-ordered keys are appended to the primary-key and foreign-key indexes instead of
    landing on random pages: a 100,000-case import writes its cases and needs about a
    quarter faster than with random (version-4) keys. Still unique across replicas."""
    random_bits = secrets.randbits(74)
    return _uuid_text(time.time_ns() // 1_000_000 << 80 | 0x7 << 76 | (random_bits >> 62) << 64
                      | 0b10 << 62 | random_bits & (1 << 62) - 1)


def new_ids(count: int) -> list[str]:
    """``count`` version-7 UUIDs made at once (imports), in increasing order: one time, a
    26-bit counter in the first bits after it (RFC 9562 section 6.2, method 1), 48 random bits."""
    import numpy as np

    if count >= 1 << 26:
        raise ValueError("at most 67,108,863 ids at once")
    raw = np.zeros((count, 16), dtype=np.uint8)
    raw[:, :6] = np.frombuffer((time.time_ns() // 1_000_000).to_bytes(6, "big"), dtype=np.uint8)
    counter = np.arange(count, dtype=np.uint32)
    raw[:, 6] = 0x70 | (counter >> 22) & 0x0F
    raw[:, 7] = (counter >> 14) & 0xFF
    raw[:, 8] = 0x80 | (counter >> 8) & 0x3F
    raw[:, 9] = counter & 0xFF
    raw[:, 10:] = np.frombuffer(secrets.token_bytes(6 * count), dtype=np.uint8).reshape(count, 6)
    h = raw.tobytes().hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
            for i in range(0, 32 * count, 32)]


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones; the UI and reports convert to local time."""
    return datetime.now(UTC).replace(tzinfo=None)


def where(condition: str) -> dict[str, Any]:
    """A partial index's condition, for both engines (PostgreSQL would otherwise build a full index)."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


# Conditions of partial indexes that resource mapping's SQL repeats word for word (SQLite
# uses a partial index only when the query's WHERE contains the index's): services/matching.py.
OPEN_CASES = "deleted_at IS NULL AND stage NOT IN ('closed', 'transferred')"
NOT_OPEN_CASES = "stage IN ('closed', 'transferred') OR deleted_at IS NOT NULL"
UNMET_NEEDS = "state = 'unmet' AND deleted_at IS NULL"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncMixin:
    """Columns every replicated entity has."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}

    # Columns the audit trail never records as user changes.
    BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "row_version", "deleted_at"})

    def values(self) -> dict[str, Any]:
        """The row as plain values (for the audit trail, exports and sync bundles)."""
        return {c.key: getattr(self, c.key) for c in self.__table__.columns}  # type: ignore[attr-defined]


class WorkspaceInfo(Base):
    """Key/value facts about this workspace file (replica id, creation time…)."""

    __tablename__ = "workspace_info"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Incident(SyncMixin, Base):
    __tablename__ = "incident"
    name: Mapped[str] = mapped_column(String(200))
    hazard: Mapped[str] = mapped_column(String(4), default="OT")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    area_description: Mapped[str] = mapped_column(String(200), default="")
    reference_prefix: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")


class Area(SyncMixin, Base):
    """A place: prefecture (adm1), municipality with its 6-digit code (adm2), district.

    Rows imported from non-Japanese 3W files keep adm1/adm2 names and P-codes in the
    same columns.
    """

    __tablename__ = "area"
    prefecture: Mapped[str] = mapped_column(String(100), default="")
    prefecture_code: Mapped[str] = mapped_column(String(16), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    municipality_code: Mapped[str] = mapped_column(String(16), default="", index=True)
    district: Mapped[str] = mapped_column(String(100), default="")
    kana: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    def display_name(self) -> str:
        parts = [self.municipality, self.district]
        return " ".join(p for p in parts if p) or self.prefecture


class Case(SyncMixin, Base):
    """One household or site in recovery."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("incident_id", "reference", name="uq_case_incident_reference"),
        Index("ix_case_stage", "stage"),
        Index("ix_case_priority", "priority"),
        Index("ix_case_last_activity", "last_activity_at"),
        # Tombstones are few: statistics exclude them through this small partial index.
        Index("ix_case_deleted", "deleted_at", **where("deleted_at IS NOT NULL")),
        # Resource mapping (services/gaps.py, matching.py; migration mapping_speed): the open
        # cases by area, and the few cases that are not open, each read without the table.
        Index("ix_case_open", "area_id", "id", "reference", "stage", "deleted_at", **where(OPEN_CASES)),
        Index("ix_case_not_open", "id", "stage", "deleted_at", **where(NOT_OPEN_CASES)),
        # The cases view's default order (reference = sequence): its first screen and its id
        # list read in index order, not sorted (migration case_sequence_index).
        Index("ix_case_live_sequence", "sequence", "id", **where("deleted_at IS NULL")),
    )
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"))
    reference: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[str | None] = mapped_column(ForeignKey("area.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    household_size: Mapped[int | None] = mapped_column(Integer)
    vulnerable_members: Mapped[str] = mapped_column(Text, default="")
    # Coded 要配慮者 categories (domain.vocabulary.VULNERABILITY), space-separated, sorted.
    vulnerable_categories: Mapped[str] = mapped_column(String(300), default="", server_default="")
    damage_level: Mapped[str | None] = mapped_column(String(32))
    flood_level: Mapped[str | None] = mapped_column(String(32))
    support_class: Mapped[str | None] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32), default="identified")
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    notes: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Need(SyncMixin, Base):
    __tablename__ = "need"
    __table_args__ = (
        # Covers the cases filter need:… (category and state to case, live rows only); every
        # query of needs by category or state reads live rows only (migration 0003 dropped
        # the plain (category, state) index that only slowed writes).
        Index("ix_need_filter", "category", "state", "case_id", **where("deleted_at IS NULL")),
        # Covers the unmet needs of a case (resource mapping; migration mapping_speed).
        Index("ix_need_unmet", "case_id", "category", "state", "deleted_at", **where(UNMET_NEEDS)),
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="unmet")
    note: Mapped[str] = mapped_column(Text, default="")


class Organisation(SyncMixin, Base):
    __tablename__ = "organisation"
    name: Mapped[str] = mapped_column(String(200), index=True)
    acronym: Mapped[str] = mapped_column(String(50), default="")
    ownership: Mapped[str] = mapped_column(String(16))
    profit: Mapped[str] = mapped_column(String(16))
    formality: Mapped[str] = mapped_column(String(16))
    # Derived from the three axes by domain.vocabulary.derive_sector; stored so that
    # filters and statistics can use an index. Only the services write it.
    sector: Mapped[str] = mapped_column(String(16), index=True)
    org_type: Mapped[str] = mapped_column(String(32), default="other")
    legal_form: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Capability(SyncMixin, Base):
    """A need category an organisation can take, with an optional capacity (cases)."""

    __tablename__ = "capability"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    need_category: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int | None] = mapped_column(Integer)


class ServiceArea(SyncMixin, Base):
    __tablename__ = "service_area"
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    area_id: Mapped[str] = mapped_column(ForeignKey("area.id"), index=True)


class Person(SyncMixin, Base):
    __tablename__ = "person"
    name: Mapped[str] = mapped_column(String(200), index=True)
    kana: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")


class Membership(SyncMixin, Base):
    """A person belongs to any number of organisations."""

    __tablename__ = "membership"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(100), default="")


class Participation(SyncMixin, Base):
    """An organisation's role on a case."""

    __tablename__ = "participation"
    __table_args__ = (
        Index("ix_participation_stats", "case_id", "organisation_id", "role",
              **where("deleted_at IS NULL")),
        # Covers the cases filters org:… and sector:… (organisation to case).
        Index("ix_participation_filter", "organisation_id", "case_id", **where("deleted_at IS NULL")),
        # Covers the sectors engaged per case (resource mapping; migration mapping_speed).
        Index("ix_participation_sectors", "case_id", "organisation_id", "deleted_at", **where("deleted_at IS NULL")),
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    # Indexed only by the partial covering indexes above: with a plain index as well,
    # SQLite (without statistics) picks the plain one and pays a row lookup per match.
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(16), default="implementer")


# The tasks that hold a need for their lead organisation (open, live, not archived).
HOLDING_TASKS = ("deleted_at IS NULL AND archived_at IS NULL AND status NOT IN ('done', 'cancelled')"
                 " AND lead_org_id IS NOT NULL")
CLAIMED_TASKS = HOLDING_TASKS + " AND claimed_at IS NOT NULL"


class Task(SyncMixin, Base):
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_status_position", "status", "position"),
        Index("ix_task_due_date", "due_date"),
        # Covers the statistics' scan of live tasks (a third of the table's size).
        Index("ix_task_stats", "status", "lead_org_id", "due_date", "case_id",
              **where("deleted_at IS NULL")),
        # Covers the cases filter overdue (due date and status to case).
        Index("ix_task_overdue", "due_date", "status", "case_id", **where("deleted_at IS NULL")),
        # Covers resource mapping's count of the open cases on which an organisation holds a
        # need, and its stale-claim test (services/matching.py; migration mapping_capacity).
        Index("ix_task_holding", "lead_org_id", "need_category", "case_id", "status", "claimed_at", "updated_at",
              "deleted_at", "archived_at", **where(HOLDING_TASKS)),
        # The same tasks by case (what the cases that are not open hold), and the claimed ones
        # with the task id (the stale-claim test) — migration mapping_speed.
        Index("ix_task_holding_case", "case_id", "lead_org_id", "need_category", "status", "deleted_at",
              "archived_at", **where(HOLDING_TASKS)),
        Index("ix_task_claim", "lead_org_id", "claimed_at", "updated_at", "id", "status", "deleted_at", "archived_at",
              **where(CLAIMED_TASKS)),
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    need_category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="received")
    lead_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    # Sparse board position (gaps of POSITION_GAP): a drop between two cards writes one row.
    position: Mapped[float] = mapped_column(Float, default=0.0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)


class TaskSupporter(SyncMixin, Base):
    __tablename__ = "task_supporter"
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)


class TaskDependency(SyncMixin, Base):
    """``task`` is blocked by ``blocked_by`` until that one is done or cancelled."""

    __tablename__ = "task_dependency"
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    blocked_by_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)


class ChecklistItem(SyncMixin, Base):
    __tablename__ = "checklist_item"
    # The parts touched since a time (the stale-claim test; migration mapping_capacity).
    __table_args__ = (Index("ix_checklist_item_touched", "updated_at", "task_id"),)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[float] = mapped_column(Float, default=0.0)


class Comment(SyncMixin, Base):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_touched", "updated_at", "task_id"),)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)


class Conference(SyncMixin, Base):
    """A case conference (ケース会議)."""

    __tablename__ = "conference"
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class ConferenceAttendee(SyncMixin, Base):
    __tablename__ = "conference_attendee"
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))


class Decision(SyncMixin, Base):
    __tablename__ = "decision"
    conference_id: Mapped[str] = mapped_column(ForeignKey("conference.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    task_id: Mapped[str | None] = mapped_column(ForeignKey("task.id"))


class Consent(SyncMixin, Base):
    """Consent to share a case's personal data (one row per case)."""

    __tablename__ = "consent"
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), unique=True)
    given: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(16), default="none")
    given_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


# The action of an audit record that stands for a batch of rows created at once.
BULK_CREATE = "create_many"


class Activity(Base):
    """The audit trail: one row per created entity, changed field or deletion.

    Rich enough to replay: entity, id, field, old and new value (JSON), actor, replica,
    time, and the operation that grouped the change. ``case_id`` indexes the timeline.
    The id is a local sequence (SQLite rowid: compact, and in the order things happened
    here); across replicas an activity is identified by (replica_id, id).

    Rows created in bulk (imports, demo data) share one record per batch: action
    ``create_many``, ``entity_id`` empty, ``new_value`` = {"ids": [...], "case_ids": [...]}
    and ``at`` equal to the rows' ``created_at`` (how a row finds its record; see
    services/audit.py). The rows at version 1 are what was created; later changes are
    recorded field by field with their old values.
    """

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_entity", "entity", "entity_id"),
        # A case's timeline in local order (the id) needs no time in the index: smaller, faster.
        Index("ix_activity_case", "case_id"),
        # Batch records by time: a row created in bulk finds its record by its created_at.
        Index("ix_activity_bulk", "at", **where(f"action = '{BULK_CREATE}'")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    # The Person who acted (services/identity.py), when the actor is one of the workspace.
    actor_id: Mapped[str | None] = mapped_column(String(36))
    replica_id: Mapped[str] = mapped_column(String(36))
    operation_id: Mapped[str] = mapped_column(String(36))
    operation: Mapped[str] = mapped_column(String(64), default="")
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(String(36))


class Disclosure(Base):
    """A record of personal data leaving the workspace: a report, export or visit sheet
    that named households. Local to this file (not replicated), read by a coordinator."""

    __tablename__ = "disclosure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))  # report_incident, report_case, export_cases, visit_sheet…
    detail: Mapped[str] = mapped_column(Text, default="")  # the query or case, and the file written
    households: Mapped[int] = mapped_column(Integer, default=0)


ENTITY_MODELS: dict[str, type[SyncMixin]] = {
    m.__tablename__: m  # type: ignore[misc]
    for m in (
        Incident, Area, Case, Need, Organisation, Capability, ServiceArea, Person, Membership,
        Participation, Task, TaskSupporter, TaskDependency, ChecklistItem, Comment, Conference,
        ConferenceAttendee, Decision, Consent,
    )
}

# Board tables and the sync change log register themselves in ENTITY_MODELS.
from recovery_desk.storage import board_models, sync_models  # noqa: E402,F401,I001
