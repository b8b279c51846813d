"""Open conflicts, their resolution, and board problems a merge can leave.

A conflict is not stored: it *is* the state of the heads (changelog.py), the same on every
laptop that has the same changes — so it has the same identity everywhere, derived from the
two change ids. Three kinds:

- ``field``: a field changed on two laptops without either seeing the other's value. "Ours"
  is the value shown now (the deterministic winner), "theirs" the other one;
- ``edit_delete``: a row deleted on one laptop while a field of it was changed on another.
  The row stays deleted (the edit is kept in it) until a person chooses;
- ``added_to_deleted``: a task added to a case (or moved to it) on a laptop, while another
  laptop deleted the case without having seen the task (deletions carry the deleting
  laptop's version vector). Ours: the task is deleted too; theirs: the case comes back.

Resolving is an ordinary change that stands on every value in conflict, so it replicates
and closes the conflict on every laptop that receives it. Undoing a resolution (the app's
Undo) is a ``reopen`` change: the conflict is open again, with the same id, everywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from recovery_desk.domain import vocabulary as v
from recovery_desk.domain.errors import NotFoundError, ValidationError
from recovery_desk.services.changes import Changes
from recovery_desk.services.operation import encode
from recovery_desk.services.sync.apply import case_ids, distinct_values, same_value, stored
from recovery_desk.services.sync.changelog import (
    CREATION,
    QUIET,
    Head,
    load_heads,
    reopened,
    reopening,
    seen_by,
    superseded_ids,
    winner,
)
from recovery_desk.services.sync.sql import run_sql
from recovery_desk.storage.models import ENTITY_MODELS, Case

# Fields whose values are codes of a vocabulary (a typed value is checked against it).
VOCABULARIES: dict[tuple[str, str], v.Vocabulary] = {
    ("case", "stage"): v.STAGE, ("case", "priority"): v.PRIORITY, ("case", "damage_level"): v.DAMAGE_LEVEL,
    ("case", "flood_level"): v.FLOOD_LEVEL, ("case", "support_class"): v.SUPPORT_CLASS,
    ("case", "closure_reason"): v.CLOSURE_REASON, ("task", "status"): v.TASK_STATUS, ("task", "priority"): v.PRIORITY,
    ("task", "need_category"): v.NEED_CATEGORY, ("need", "state"): v.NEED_STATE, ("need", "category"): v.NEED_CATEGORY,
    ("participation", "role"): v.ROLE, ("organisation", "ownership"): v.OWNERSHIP, ("organisation", "profit"): v.PROFIT,
    ("organisation", "formality"): v.FORMALITY, ("consent", "scope"): v.CONSENT_SCOPE,
}


@dataclass
class Conflict:
    id: str
    kind: str  # field | edit_delete
    entity: str
    row_id: str
    field: str
    ours: Head
    theirs: Head

    def key(self) -> tuple[str, str, str]:
        return (self.entity, self.row_id, self.field)


def conflict_id(a: str, b: str) -> str:
    return hashlib.sha256("|".join(sorted((a, b))).encode()).hexdigest()[:12]


def _heads_of(conn: Connection, where: str, params: tuple = ()) -> dict[tuple[str, str], dict[str, list[Head]]]:
    out: dict[tuple[str, str], dict[str, list[Head]]] = {}
    for entity, row_id, name, replica, seq, hlc, value in run_sql(conn,
            f"SELECT entity, row_id, field, replica, seq, hlc, value FROM sync_head {where}", params):
        out.setdefault((entity, row_id), {}).setdefault(name, []).append(Head((replica, seq, hlc, value)))
    return out


def open_conflicts(conn: Connection) -> list[Conflict]:
    found: list[Conflict] = []
    crowded = _heads_of(conn, "WHERE (entity, row_id, field) IN (SELECT entity, row_id, field FROM sync_head "
                              "GROUP BY entity, row_id, field HAVING count(*) > 1)")
    for (entity, row_id), fields in crowded.items():
        for name, heads in fields.items():
            if name in QUIET.get(entity, ()) or distinct_values(entity, name, heads) < 2:
                continue
            shown = winner(heads)
            for other in heads:
                if other is not shown and not same_value(entity, name, other[3], shown[3]):
                    found.append(Conflict(conflict_id(shown.id, other.id), "field", entity, row_id, name, shown, other))
    deleted = _heads_of(conn, "WHERE (entity, row_id) IN (SELECT entity, row_id FROM sync_head "
                              "WHERE field = 'deleted_at' AND value IS NOT NULL)")
    for (entity, row_id), fields in deleted.items():
        shown = winner(fields["deleted_at"])
        others = {n: hs for n, hs in fields.items() if n != "deleted_at" and n not in QUIET.get(entity, ())}
        if stored(entity, "deleted_at", shown[3]) is None or not others:
            continue
        seen = set(_base(conn, shown).split())
        for name, heads in others.items():
            for edit in heads:
                if edit.id != CREATION and edit.id not in seen:
                    found.append(Conflict(conflict_id(shown.id, edit.id), "edit_delete", entity, row_id, name,
                                          shown, edit))
    found += _added_to_deleted(conn, deleted)
    found.sort(key=lambda c: (c.entity, c.row_id, c.field, c.id))
    return found


# Rows that belong to another (a task to its case): (entity, the field naming the owner, owner).
OWNED = (("task", "case_id", "case"),)


def _added_to_deleted(conn: Connection, deleted: dict[tuple[str, str], dict[str, list[Head]]]) -> list[Conflict]:
    """Live rows put into a row (a task added to a case) by a change the laptop that deleted
    that row had not seen: each is a conflict (the deleted case keeps a task nobody saw)."""
    found: list[Conflict] = []
    for entity, key, owner in OWNED:
        deletions = {row_id: winner(fields["deleted_at"]) for (e, row_id), fields in deleted.items() if e == owner}
        deletions = {r: d for r, d in deletions.items() if stored(owner, "deleted_at", d[3]) is not None}
        rows: list[tuple[str, str]] = []
        ids = sorted(deletions)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += run_sql(conn, f'SELECT id, "{key}" FROM "{entity}" WHERE deleted_at IS NULL AND "{key}" IN '
                                  f'({",".join("?" * len(chunk))})', tuple(chunk)).all()
        if not rows:
            continue
        bases = {d.id: _base(conn, d) for d in deletions.values()}
        owners = dict(rows)
        placed = _placing_changes(conn, entity, key, owners, deletions, bases)
        for row_id, owner_id in sorted(rows):
            deletion, placing = deletions[owner_id], placed.get(row_id)
            if placing is not None and not seen_by(deletion, bases[deletion.id], placing):
                found.append(Conflict(conflict_id(deletion.id, placing.id), "added_to_deleted", entity, row_id, key,
                                      deletion, placing))
    return found


def _placing_changes(conn: Connection, entity: str, key: str, owners: dict[str, str], deletions: dict[str, Head],
                     bases: dict[str, str]) -> dict[str, Head]:
    """{row id: the change that put the row where it is}: its last move (a head of ``key``),
    else its creation, else the bulk creation (imports) that listed it."""
    placed: dict[str, Head] = {}
    ids = sorted(owners)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row_id, replica, seq, hlc in run_sql(conn,
                f"SELECT row_id, replica, seq, hlc FROM sync_head WHERE entity = ? AND field = ? AND replica != '' "
                f"AND row_id IN ({','.join('?' * len(chunk))})", (entity, key, *chunk)):
            head = Head((replica, seq, hlc, None))
            if row_id not in placed or head.order > placed[row_id].order:
                placed[row_id] = head
    missing = set(owners) - set(placed)
    if missing:
        for replica, seq, hlc, row_id in run_sql(conn, "SELECT replica, seq, hlc, row_id FROM sync_change WHERE "
                                                       "kind = 'create' AND entity = ?", (entity,)):
            if row_id in missing:
                placed[row_id] = Head((replica, seq, hlc, None))
        missing -= set(placed)
    if missing:
        # Only a bulk creation some deletion had not seen can matter: read the ids of those alone.
        wanted = {deletions[owners[r]].id for r in missing}
        by_id = {d.id: d for d in deletions.values()}
        for replica, seq, hlc, value in run_sql(conn, "SELECT replica, seq, hlc, value FROM sync_change WHERE "
                                                      "kind = 'bulk' AND entity = ?", (entity,)).all():
            bulk = Head((replica, seq, hlc, None))
            if all(seen_by(by_id[d], bases[d], bulk) for d in wanted):
                continue
            for row_id in json.loads(value)["ids"]:
                if row_id in missing:
                    placed[row_id] = bulk
    return placed


def _base(conn: Connection, head: Head) -> str:
    row = run_sql(conn, "SELECT base FROM sync_change WHERE replica = ? AND seq = ?", head[:2]).fetchone()
    return (row[0] or "") if row else ""


def open_conflict_ids(conn: Connection) -> set[str]:
    return {c.id for c in open_conflicts(conn)}


def _who(conn: Connection, head: Head) -> dict[str, Any]:
    row = run_sql(conn, "SELECT actor, at FROM sync_change WHERE replica = ? AND seq = ?", head[:2]).fetchone()
    from recovery_desk.services.sync.changelog import from_micros

    return {"by": row[0] if row else "", "at": from_micros(row[1]).isoformat(timespec="seconds") if row else None,
            "replica": head[0]}


def describe(conn: Connection, conflicts: list[Conflict]) -> list[dict[str, Any]]:
    """The conflicts as ``sync conflicts --json`` prints them (values as codes)."""
    owners: dict[str, dict[str, str]] = {}
    for entity in {c.entity for c in conflicts}:
        owners[entity] = case_ids(conn, entity, [c.row_id for c in conflicts if c.entity == entity])
    case_refs = dict(run_sql(conn, 'SELECT id, reference FROM "case"').all()) if conflicts else {}
    added = [c.row_id for c in conflicts if c.kind == "added_to_deleted"]
    titles = dict(run_sql(conn, f"SELECT id, title FROM task WHERE id IN ({','.join('?' * len(added))})",
                          tuple(added)).all()) if added else {}
    out = []
    for c in conflicts:
        ours, theirs = _who(conn, c.ours), _who(conn, c.theirs)
        case_id = owners.get(c.entity, {}).get(c.row_id)
        out.append({
            "id": c.id, "kind": c.kind, "entity": c.entity, "row_id": c.row_id,
            "reference": case_refs.get(case_id) if case_id else None, "field": c.field,
            "ours": None if c.kind != "field" else _decoded(c.ours[3]),
            "theirs": titles.get(c.row_id) if c.kind == "added_to_deleted" else _decoded(c.theirs[3]),
            "deleted": c.kind != "field",
            "ours_by": ours["by"], "theirs_by": theirs["by"], "ours_at": ours["at"], "theirs_at": theirs["at"],
            "ours_replica": ours["replica"], "theirs_replica": theirs["replica"],
        })
    return out


def _decoded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def list_conflicts(ws: Any) -> list[dict[str, Any]]:
    with ws.engine.connect() as conn:
        return describe(conn, open_conflicts(conn))


def count_conflicts(ws: Any) -> int:
    with ws.engine.connect() as conn:
        return len(open_conflicts(conn))


# -- resolving -----------------------------------------------------------------------------------
def find_conflict(conn: Connection, conflict_id_text: str) -> Conflict:
    text = conflict_id_text.strip().lower()
    matches = [c for c in open_conflicts(conn) if c.id.startswith(text)] if text else []
    if len(matches) != 1:
        raise NotFoundError("no open conflict {id} (see 'sync conflicts')", id=conflict_id_text)
    return matches[0]


def typed_value(entity: str, name: str, text: str) -> Any:
    """A value typed by a person, as the field holds it (checked against its vocabulary)."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer

    column = ENTITY_MODELS[entity].__table__.c[name]  # type: ignore[attr-defined]
    text = text.strip()
    vocab = VOCABULARIES.get((entity, name))
    if vocab is not None:
        code = vocab.lookup(text) if text else None
        if text and code is None:
            raise ValidationError("{field}: '{value}' is not one of {allowed}", field=name, value=text,
                                  allowed=", ".join(vocab.codes))
        return code
    if not text and column.nullable:
        return None
    kind = column.type
    try:
        if isinstance(kind, Boolean):
            return text.lower() in ("1", "true", "yes", "y", "はい")
        if isinstance(kind, Integer):
            return int(text)
        if isinstance(kind, Float):
            return float(text)
        if isinstance(kind, DateTime):
            from datetime import datetime

            return datetime.fromisoformat(text)
        if isinstance(kind, Date):
            return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("{field}: '{value}' is not a valid value", field=name, value=text) from None
    return text


@dataclass(frozen=True)
class Resolution:
    """What undoing a resolution needs: the field it settled, the resolution's change id and
    the heads (values, authors) it settled."""

    entity: str
    row_id: str
    field: str
    change: str
    settled: tuple[Head, ...]


def resolve(ws: Any, conflict_id_text: str, *, keep: str | None = None, value: str | None = None) -> Changes:
    """Settle one open conflict: keep ours (the value shown), theirs, or a value typed in."""
    return resolve_undoably(ws, conflict_id_text, keep=keep, value=value)[0]


def resolve_undoably(ws: Any, conflict_id_text: str, *, keep: str | None = None,
                     value: str | None = None) -> tuple[Changes, Resolution]:
    """:func:`resolve`, and what :func:`reopen` needs to undo it."""
    if (keep is None) == (value is None):
        raise ValidationError("give either --keep ours|theirs or --value TEXT", field="keep")
    with ws.operation("resolve_conflict") as op:
        conn = op.session.connection()
        conflict = find_conflict(conn, conflict_id_text)
        model = ENTITY_MODELS[conflict.entity]
        obj = op.session.get(model, conflict.row_id)
        if conflict.kind == "added_to_deleted":
            # Ours: the case stays deleted, and so does the task; theirs: the case comes back.
            if value is not None:
                raise ValidationError("a task added to a case deleted elsewhere is settled with --keep ours (delete "
                                      "the task too) or --keep theirs (the case comes back)", field="keep")
            if keep == "theirs":
                obj = op.session.get(Case, getattr(obj, conflict.field))
        name = conflict.field if conflict.kind == "field" else "deleted_at"
        settled = tuple(load_heads(conn, obj.__tablename__, [obj.id]).get(obj.id, {}).get(name, [])) or (
            Head(("", 0, 0, None)),)  # a row never deleted stands on its creation
        if conflict.kind in ("edit_delete", "added_to_deleted"):
            if value is not None:
                raise ValidationError("a deletion against an edit is settled with --keep ours (stay deleted) or "
                                      "--keep theirs (keep the edit)", field="keep")
            if conflict.kind == "added_to_deleted" and keep == "ours":
                op.delete(obj)
            else:
                _settle(op, obj, "deleted_at", obj.deleted_at if keep == "ours" else None)
        else:
            if value is not None:
                chosen = typed_value(conflict.entity, name, value)
            else:
                head = conflict.ours if keep == "ours" else conflict.theirs
                chosen = _python_value(conflict.entity, name, head[3])
            _settle(op, obj, name, chosen)
        op.changes.primary_id = conflict.row_id
    entity, row_id = obj.__tablename__, obj.id
    with ws.engine.connect() as conn:
        (change,) = [h.id for h in load_heads(conn, entity, [row_id])[row_id][name]]
    return op.changes, Resolution(entity, row_id, name, change, settled)


def reopen(ws: Any, resolution: Resolution) -> Changes:
    """Undo a resolution: the conflict is open again (with its values and their authors), on
    this laptop and on every laptop that receives the undoing. A value settled by it that a
    later edit was made on stays superseded by that edit."""
    r = resolution
    with ws.operation("reopen_conflict") as op:
        conn = op.session.connection()
        obj = op.session.get(ENTITY_MODELS[r.entity], r.row_id)
        heads = load_heads(conn, r.entity, [r.row_id]).get(r.row_id, {}).get(r.field)
        after = reopened(heads, r.change, r.settled, superseded_ids(conn, r.entity, r.row_id, r.field, r.change))
        shown = _python_value(r.entity, r.field, winner(after)[3]) if after else getattr(obj, r.field)
        key = ("update", r.entity, r.row_id, r.field)
        if getattr(obj, r.field) != shown:
            op.update(obj, **{r.field: shown})
            # The value shown follows from the reopened heads: the log records the reopening.
            op.sync_log = [entry for entry in op.sync_log if entry[:4] != key]
        else:
            op._record(r.entity, r.row_id, "update", r.field, encode(shown), encode(shown), op.case_of(obj))
            op.changes.updated[r.entity].add(r.row_id)
        op.sync_log.append(("reopen", r.entity, r.row_id, r.field, reopening(r.change, r.settled)))
        op.changes.primary_id = r.row_id
    return op.changes


def _python_value(entity: str, name: str, text: str | None) -> Any:
    """A value of the log as the model holds it."""
    from datetime import datetime

    from sqlalchemy import Date, DateTime

    raw = _decoded(text)
    if raw is None:
        return None
    kind = ENTITY_MODELS[entity].__table__.c[name].type  # type: ignore[attr-defined]
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(raw)
    if isinstance(kind, Date):
        return date.fromisoformat(raw)
    return raw


def _settle(op: Any, obj: Any, name: str, chosen: Any) -> None:
    """Write ``chosen`` standing on every value in conflict (even when it is the shown one)."""
    entity = obj.__tablename__
    op.supersede_all.add((entity, obj.id, name))
    if getattr(obj, name) != chosen:
        op.update(obj, **{name: chosen})
    else:
        op._record(entity, obj.id, "update", name, encode(chosen), encode(chosen), op.case_of(obj))
        op.sync_log.append(("update", entity, obj.id, name, encode(chosen)))
        op.changes.updated[entity].add(obj.id)


# -- board problems ------------------------------------------------------------------------------
def board_flags(conn: Connection) -> list[dict[str, Any]]:
    """Blocked-by cycles and done tasks whose blocker is open again (two laptops' edits can make
    them; neither is refused on arrival, both are shown for a person to fix)."""
    edges = run_sql(conn,
        "SELECT d.task_id, d.blocked_by_id FROM task_dependency d JOIN task a ON a.id = d.task_id "
        "JOIN task b ON b.id = d.blocked_by_id WHERE d.deleted_at IS NULL AND a.deleted_at IS NULL "
        "AND b.deleted_at IS NULL").all()
    graph: dict[str, list[str]] = {}
    for task, blocker in edges:
        graph.setdefault(task, []).append(blocker)
    flags: list[dict[str, Any]] = []
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(graph.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                flags.append({"kind": "cycle", "tasks": sorted(path[path.index(child):])})
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph.get(child, ()))))
                path.append(child)
    for task, blocker in run_sql(conn,
            "SELECT a.id, b.id FROM task_dependency d JOIN task a ON a.id = d.task_id JOIN task b ON b.id = "
            "d.blocked_by_id WHERE d.deleted_at IS NULL AND a.deleted_at IS NULL AND b.deleted_at IS NULL AND "
            "a.status = 'done' AND b.status NOT IN ('done', 'cancelled')"):
        flags.append({"kind": "done_while_blocked", "tasks": [task, blocker]})
    return flags


def case_reference(session: Any, case_id: str) -> str:
    return session.scalar(select(Case.reference).where(Case.id == case_id)) or ""


def fields_in_conflict(ws: Any, entity: str, row_id: str) -> dict[str, str]:
    """{field: conflict id} of one row's open conflicts (the editors mark those fields)."""
    with ws.engine.connect() as conn:
        return {c.field: c.id for c in open_conflicts(conn) if c.entity == entity and c.row_id == row_id}


def cards_in_conflict(session: Any) -> dict[str, list[str]]:
    """{task id: the fields in conflict} of tasks with an open conflict on the task itself or
    on a row of it (checklist item, supporter, comment…): the board marks those cards."""
    conn = session.connection()
    out: dict[str, list[str]] = {}
    by_entity: dict[str, list[Conflict]] = {}
    for c in open_conflicts(conn):
        by_entity.setdefault(c.entity, []).append(c)
    for entity, conflicts in by_entity.items():
        if entity == "task":
            owners = {c.row_id: c.row_id for c in conflicts}
        elif "task_id" in ENTITY_MODELS[entity].__table__.c:  # type: ignore[attr-defined]
            ids = sorted({c.row_id for c in conflicts})
            owners = dict(run_sql(conn, f'SELECT id, task_id FROM "{entity}" WHERE id IN ({",".join("?" * len(ids))})',
                                  tuple(ids)).all())
        else:
            continue
        for c in conflicts:
            task_id = owners.get(c.row_id)
            if task_id:
                name = c.field if entity == "task" else f"{entity}.{c.field}"
                fields = out.setdefault(task_id, [])
                if name not in fields:
                    fields.append(name)
    return out
