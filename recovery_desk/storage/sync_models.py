"""The replicable change log and what merging needs (see services/sync/changelog.py).

``sync_change`` holds every change made on any replica that this one knows: made here by
an :class:`~recovery_desk.services.operation.Operation`, or read from another laptop's
bundle. A change is identified by (origin replica, sequence number): sequences are
gap-free per replica, so what a replica has is a version vector (replica -> highest
sequence). ``sync_head`` holds, per row and field, the change(s) the current value comes
from: one normally; several when laptops changed the field concurrently (an open
conflict). ``sync_peer`` remembers what each other laptop had when its last bundle was
read here, so that the next bundle for it holds only what it lacks.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recovery_desk.storage.models import ENTITY_MODELS, Base, SyncMixin


class SyncChange(Base):
    __tablename__ = "sync_change"
    __table_args__ = {"sqlite_with_rowid": False}
    replica: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Hybrid logical clock: milliseconds << 16 | counter (Kulkarni et al. 2014).
    hlc: Mapped[int] = mapped_column(BigInteger)
    # Wall time of the operation (microseconds since the epoch, UTC): the rows' timestamps.
    at: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[str | None] = mapped_column(String(36))  # the signed-in person, when there is one
    operation: Mapped[str] = mapped_column(String(64), default="")
    # create | update | bulk | erase | history
    kind: Mapped[str] = mapped_column(String(8))
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(36), default="")
    field: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    # What the editor had seen: change ids "replica:seq" separated by spaces; "c" = the row's creation.
    base: Mapped[str | None] = mapped_column(Text)


class SyncHead(Base):
    __tablename__ = "sync_head"
    __table_args__ = {"sqlite_with_rowid": False}
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    replica: Mapped[str] = mapped_column(String(36), primary_key=True)  # "" for the row's creation
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hlc: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[str | None] = mapped_column(Text)


class SyncPeer(Base):
    __tablename__ = "sync_peer"
    replica: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_seen: Mapped[str] = mapped_column(String(32))
    # JSON {replica: highest sequence}: what that laptop had when it wrote its last bundle.
    known: Mapped[str] = mapped_column(Text, default="{}")
    actor: Mapped[str] = mapped_column(String(200), default="")


class CaseAlias(SyncMixin, Base):
    """Another reference that names a case: the reference of a case merged into this one
    (the same household registered on two laptops). Replicates like any entity."""

    __tablename__ = "case_alias"
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)


ENTITY_MODELS["case_alias"] = CaseAlias
