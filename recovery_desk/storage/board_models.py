"""Board data: claims and hand-overs of tasks between organisations, and board settings.

Every step of a claim or hand-over is one :class:`TaskHandover` row (claim, release,
request, accept, decline), so the history of who held a task, and why it changed hands,
is kept alongside the audit trail. :class:`BoardSetting` holds the per-workspace board
settings (WIP limits per column and per swimlane, days before a claimed task is stale);
both are ordinary synchronisable entities, written through operations.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recovery_desk.storage.models import ENTITY_MODELS, Base, SyncMixin

HANDOVER_KINDS = ("claim", "release", "request", "accept", "decline")
# A request is "open" until the holder accepts or declines it (or it is withdrawn);
# every other step is recorded as "done".
HANDOVER_STATES = ("open", "accepted", "declined", "withdrawn", "done")


class TaskHandover(SyncMixin, Base):
    """One step of a claim or hand-over of a task between organisations."""

    __tablename__ = "task_handover"
    __table_args__ = (Index("ix_task_handover_task_state", "task_id", "state"),
                      Index("ix_task_handover_touched", "updated_at", "task_id"))
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    to_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="done")
    # accept / decline point at the request they answer
    request_id: Mapped[str | None] = mapped_column(String(36))


class BoardSetting(SyncMixin, Base):
    """A board setting: ``key`` is ``wip`` (limit for ``status`` in swimlane ``lane``, or the
    whole column when ``lane`` is empty) or ``stale_days`` (``status`` and ``lane`` empty)."""

    __tablename__ = "board_setting"
    __table_args__ = (Index("ix_board_setting_key", "key", "status", "lane"),)
    key: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="")
    lane: Mapped[str] = mapped_column(String(80), default="")
    value: Mapped[int] = mapped_column(Integer)


ENTITY_MODELS.update({m.__tablename__: m for m in (TaskHandover, BoardSetting)})
