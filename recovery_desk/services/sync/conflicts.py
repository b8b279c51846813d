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
    change_id,
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
    kind: str  # field | edit_delete | added_to_deleted
    entity: str
    row_id: str
    field: str
    ours: Head
    theirs: Head
    # added_to_deleted: the deleted row (entity, id) the row was added to.
    owner: tuple[str, str] | None = None

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


# The rows that hang off a case, by the field naming the row they belong to: a case's needs,
# organisations (participations), tasks, conferences, consent and aliases; a task's checklist,
# comments, supporting organisations, dependencies and hand-overs; a conference's attendees
# and decisions. (tests/sync/test_merge_rules.py checks that every reference to a case, task
# or conference in the models is listed here or in REFERENCES_ONLY.)
CONTAINED: dict[str, tuple[str, str]] = {
    "need": ("case_id", "case"), "participation": ("case_id", "case"), "task": ("case_id", "case"),
    "conference": ("case_id", "case"), "consent": ("case_id", "case"), "case_alias": ("case_id", "case"),
    "checklist_item": ("task_id", "task"), "comment": ("task_id", "task"), "task_supporter": ("task_id", "task"),
    "task_dependency": ("task_id", "task"), "task_handover": ("task_id", "task"),
    "conference_attendee": ("conference_id", "conference"), "decision": ("conference_id", "conference"),
}
# References that do not make a row part of the one named (a decision may name a task of the
# case; a dependency names the task it waits for, which has its own place).
REFERENCES_ONLY = frozenset({("decision", "task_id"), ("task_dependency", "blocked_by_id")})


def row_noun(entity: str, lang: str | None = None) -> str:
    """What a person calls a row that hangs off a case (messages about added_to_deleted)."""
    from recovery_desk.i18n import tr

    names = {"case": tr("case", lang), "task": tr("task", lang), "need": tr("need", lang),
             "participation": tr("organisation on the case", lang), "conference": tr("conference", lang),
             "consent": tr("consent", lang), "case_alias": tr("other reference of the case", lang),
             "checklist_item": tr("checklist item", lang), "comment": tr("comment", lang),
             "task_supporter": tr("supporting organisation", lang), "task_dependency": tr("task dependency", lang),
             "task_handover": tr("claim or hand-over", lang), "conference_attendee": tr("attendee", lang),
             "decision": tr("decision", lang)}
    return names.get(entity, entity)


def _added_to_deleted(conn: Connection, deleted: dict[tuple[str, str], dict[str, list[Head]]]) -> list[Conflict]:
    """Live rows put into a deleted row (a task, a need, an organisation joining the case, a
    comment on one of its tasks…) by a change that the laptop which deleted it had not seen:
    each is a conflict, against that deletion (the nearest deleted row above it).

    Walked down from each deleted case, task or conference: a row its deleting laptop had
    seen is looked into in turn (a comment added to a known task of the case); a row it had
    not seen is the conflict, and what hangs off that row goes with it."""
    owners = {owner for _, owner in CONTAINED.values()}
    deletions: dict[tuple[str, str], Head] = {}
    for (entity, row_id), fields in deleted.items():
        if entity in owners:
            deletion = winner(fields["deleted_at"])
            if stored(entity, "deleted_at", deletion[3]) is not None:
                deletions[(entity, row_id)] = deletion
    if not deletions:
        return []
    bases = _bases(conn, list(deletions.values()))
    found: list[Conflict] = []
    # {owner entity: {owner row id: the deleted row it stands in}}: where to look next.
    frontier: dict[str, dict[str, tuple[str, str]]] = {}
    for entity, row_id in deletions:
        frontier.setdefault(entity, {})[row_id] = (entity, row_id)
    while frontier:
        below: dict[str, dict[str, tuple[str, str]]] = {}
        level: dict[str, dict[str, tuple[str, str]]] = {}  # {entity: {row id: the deleted row above it}}
        for entity, (key, owner) in CONTAINED.items():
            parents = frontier.get(owner)
            rows = _live_rows_in(conn, entity, key, sorted(parents)) if parents else []
            if rows:
                level[entity] = {row_id: parents[owner_id] for row_id, owner_id in rows}
        placements = _placing_changes(conn, {e: {r: deletions[d] for r, d in inside.items()}
                                             for e, inside in level.items()}, bases)
        for entity, inside in level.items():
            key = CONTAINED[entity][0]
            placed = placements.get(entity, {})
            for row_id in sorted(inside):
                root = inside[row_id]
                deletion = deletions[root]
                unseen = [h for h in placed.get(row_id, ()) if not seen_by(deletion, bases[deletion.id], h)]
                if unseen and len(unseen) == len(placed[row_id]):
                    placing = min(unseen, key=lambda h: h.order)
                    found.append(Conflict(conflict_id(deletion.id, placing.id), "added_to_deleted", entity, row_id,
                                          key, deletion, placing, root))
                elif entity in owners and (entity, row_id) not in deletions:
                    below.setdefault(entity, {})[row_id] = root
        frontier = below
    return found


def _live_rows_in(conn: Connection, entity: str, key: str, owner_ids: list[str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for start in range(0, len(owner_ids), 500):
        chunk = owner_ids[start:start + 500]
        rows += run_sql(conn, f'SELECT id, "{key}" FROM "{entity}" WHERE deleted_at IS NULL AND "{key}" IN '
                              f'({",".join("?" * len(chunk))})', tuple(chunk)).all()
    return rows


def _placing_changes(conn: Connection, rows: dict[str, dict[str, Head]],
                     bases: dict[str, str]) -> dict[str, dict[str, list[Head]]]:
    """{entity: {row id: the change(s) that put the row where it is}}: its last move (a head
    of the field naming its owner) or its coming back (a head of ``deleted_at`` that undid a
    deletion), whichever is later; else its creation(s) — a row unique by its key may have
    been created on several laptops, and one seen is enough; else the bulk creation (imports)
    that listed it. ``rows``: {entity: {row id: the deletion above it}}. The log is read once
    for all the entities (it has no index by row)."""
    placed: dict[str, dict[str, list[Head]]] = {entity: {} for entity in rows}
    for entity, deletions in rows.items():
        key, ids = CONTAINED[entity][0], sorted(deletions)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row_id, name, replica, seq, hlc, value in run_sql(conn,
                    f"SELECT row_id, field, replica, seq, hlc, value FROM sync_head WHERE entity = ? AND field IN "
                    f"(?, 'deleted_at') AND replica != '' AND row_id IN ({','.join('?' * len(chunk))})",
                    (entity, key, *chunk)):
                if name == "deleted_at" and stored(entity, name, value) is not None:
                    continue
                head = Head((replica, seq, hlc, None))
                if row_id not in placed[entity] or head.order > placed[entity][row_id][0].order:
                    placed[entity][row_id] = [head]
    missing = {entity: set(deletions) - set(placed[entity]) for entity, deletions in rows.items()}
    missing = {entity: ids for entity, ids in missing.items() if ids}
    if missing:
        marks = ",".join("?" * len(missing))
        for replica, seq, hlc, entity, row_id in run_sql(conn, "SELECT replica, seq, hlc, entity, row_id FROM "
                                                               f"sync_change WHERE kind = 'create' AND entity IN ({marks})",
                                                         tuple(missing)):
            if row_id in missing[entity]:
                placed[entity].setdefault(row_id, []).append(Head((replica, seq, hlc, None)))
        missing = {entity: ids - set(placed[entity]) for entity, ids in missing.items()}
        missing = {entity: ids for entity, ids in missing.items() if ids}
    if missing:
        # Only a bulk creation some deletion had not seen can matter: read the ids of those alone.
        for replica, seq, hlc, entity, value in run_sql(conn, "SELECT replica, seq, hlc, entity, value FROM sync_change "
                                                              f"WHERE kind = 'bulk' AND entity IN "
                                                              f"({','.join('?' * len(missing))})", tuple(missing)).all():
            bulk = Head((replica, seq, hlc, None))
            wanted = {rows[entity][r].id: rows[entity][r] for r in missing[entity]}
            if all(seen_by(d, bases[d.id], bulk) for d in wanted.values()):
                continue
            for row_id in json.loads(value)["ids"]:
                if row_id in missing[entity]:
                    placed[entity][row_id] = [bulk]
    return placed


def _bases(conn: Connection, heads: list[Head]) -> dict[str, str]:
    """{change id: its base} of these changes, a few look-ups per laptop rather than one each."""
    out = {h.id: "" for h in heads}
    by_replica: dict[str, list[int]] = {}
    for h in heads:
        by_replica.setdefault(h[0], []).append(h[1])
    for replica, seqs in by_replica.items():
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            for seq, base in run_sql(conn, f"SELECT seq, base FROM sync_change WHERE replica = ? AND seq IN "
                                           f"({','.join('?' * len(chunk))})", (replica, *chunk)):
                out[change_id(replica, seq)] = base or ""
    return out


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
    labels = _row_labels(conn, [c for c in conflicts if c.kind == "added_to_deleted"])
    out = []
    for c in conflicts:
        ours, theirs = _who(conn, c.ours), _who(conn, c.theirs)
        case_id = owners.get(c.entity, {}).get(c.row_id)
        out.append({
            "id": c.id, "kind": c.kind, "entity": c.entity, "row_id": c.row_id,
            "reference": case_refs.get(case_id) if case_id else None, "field": c.field,
            "ours": None if c.kind != "field" else _decoded(c.ours[3]),
            "theirs": labels.get((c.entity, c.row_id)) if c.kind == "added_to_deleted" else _decoded(c.theirs[3]),
            "deleted": c.kind != "field",
            "owner_entity": c.owner[0] if c.owner else None, "owner_id": c.owner[1] if c.owner else None,
            "ours_by": ours["by"], "theirs_by": theirs["by"], "ours_at": ours["at"], "theirs_at": theirs["at"],
            "ours_replica": ours["replica"], "theirs_replica": theirs["replica"],
        })
    return out


# What names a row added to a deleted one, for a person ("theirs" of added_to_deleted): its
# title or text, the organisation it brings, the code of its category. Each query names the
# row's table ``r``: it is filtered by ``r.id``.
_LABELS: dict[str, str] = {
    "task": "SELECT r.id, r.title FROM task r",
    "need": "SELECT r.id, r.category FROM need r",
    "participation": "SELECT r.id, o.name FROM participation r JOIN organisation o ON o.id = r.organisation_id",
    "conference": "SELECT r.id, coalesce(nullif(r.title, ''), CAST(r.held_on AS TEXT)) FROM conference r",
    "consent": "SELECT r.id, r.scope FROM consent r",
    "case_alias": "SELECT r.id, r.reference FROM case_alias r",
    "checklist_item": "SELECT r.id, r.text FROM checklist_item r",
    "comment": "SELECT r.id, r.body FROM comment r",
    "task_supporter": "SELECT r.id, o.name FROM task_supporter r JOIN organisation o ON o.id = r.organisation_id",
    "task_dependency": "SELECT r.id, t.title FROM task_dependency r JOIN task t ON t.id = r.blocked_by_id",
    "task_handover": "SELECT r.id, r.kind FROM task_handover r",
    "conference_attendee": "SELECT r.id, coalesce(o.name, p.name) FROM conference_attendee r LEFT JOIN organisation "
                           "o ON o.id = r.organisation_id LEFT JOIN person p ON p.id = r.person_id",
    "decision": "SELECT r.id, r.text FROM decision r",
}


def _row_labels(conn: Connection, conflicts: list[Conflict]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for entity in sorted({c.entity for c in conflicts}):
        select = _LABELS[entity]
        ids = sorted({c.row_id for c in conflicts if c.entity == entity})
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row_id, label in run_sql(conn, f"{select} WHERE r.id IN ({','.join('?' * len(chunk))})",
                                         tuple(chunk)):
                out[(entity, row_id)] = str(label) if label is not None else ""
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
            # Ours: the case (task, conference) stays deleted, and so does what was added to it;
            # theirs: the deleted row comes back.
            if value is not None:
                raise ValidationError("a row added to a case deleted elsewhere is settled with --keep ours (delete it "
                                      "too) or --keep theirs (the case comes back)", field="keep")
            if keep == "theirs" and conflict.owner is not None:
                obj = op.session.get(ENTITY_MODELS[conflict.owner[0]], conflict.owner[1])
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
