"""Who may see what on a server workspace, enforced by PostgreSQL itself.

Each person is a LOGIN role named as they are, member of one of three group roles:

- ``recovery_desk_coordinator``: every table in ``public``, everything;
- ``recovery_desk_member``: a member of one organisation: only the cases it takes part in (and
  their needs, tasks, conferences, consent, audit records), personal data of a household only
  where the case's consent allows sharing among coordinating organisations (or reports);
- ``recovery_desk_viewer``: officials: every figure, no personal data at all.

Members and viewers hold no privilege on the tables in ``public``. Their search path starts
with the schema ``rd_restricted``, where a ``security_barrier`` view of the same name stands
for every table: it filters the rows and blanks the columns the role may not read, so the same
application (and a plain ``psql``) reads the same names and simply gets less. The views run
with their owner's rights; who the reader is comes from ``session_user`` (which ``SET ROLE``
cannot change) looked up in ``public.rd_user`` (one row per person: kind, organisation).
Writes by members go through the views too: plain columns directly (``WITH CHECK OPTION``
keeps a row inside what the member may see), and the case and audit views through INSTEAD OF
triggers that refuse a change to personal data the member may not see and stamp every audit
record with the role that wrote it.

Roles are the cluster's (PostgreSQL has no per-database roles); what a role may do in a
workspace is decided by its ``rd_user`` row in that database, so a person registered in one
workspace sees nothing in another.
"""

from __future__ import annotations

from typing import Any

GROUPS = {"coordinator": "recovery_desk_coordinator", "member": "recovery_desk_member",
          "viewer": "recovery_desk_viewer"}
KINDS = tuple(GROUPS)
SCHEMA = "rd_restricted"
VULNERABILITY_COUNTS = "case_vulnerability_counts"  # (vulnerable_categories, cases) for those who may count

# Household personal data: blanked unless the reader may see the case's personal data.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("address", "contact_name", "contact_phone", "vulnerable_members", "vulnerable_categories", "notes",
             "latitude", "longitude"),
    "activity": ("old_value", "new_value"),
}
# Viewers get no personal data at all: people (staff and volunteers too), who wrote what, and
# free text that may name anyone are blanked for them.
VIEWER_BLANK_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("name", "kana", "phone", "email", "notes"),
    "activity": ("actor",),
    "need": ("note",),
    "task": ("description",),
    "comment": ("body", "author"),
    "conference": ("notes",),
    "decision": ("text",),
    "consent": ("recorded_by",),
    "task_handover": ("reason",),
}

# The change log (sync_change, sync_head) holds every value ever written, of every case.
# A coordinator reads all of it. A member reads the heads of the rows of its cases (the values
# of fields it may read: a field's conflict is then visible to it) and, of the changes of other
# cases, only their numbers: sync_change keeps every row, because the next write's numbering
# reads the last one, but what, where, when and who are blanked (the replica's last change keeps
# its clock, which the next write must exceed). A viewer reads every head's value but the
# personal ones (so it counts the conflicts it may know of), and no change's value or actor.
LOG_TABLES = ("sync_change", "sync_head")
# The columns of a change that say what changed, where, when and by whom, and their blank.
LOG_IDENTIFYING = {"kind": "''", "entity": "''", "row_id": "''", "field": "NULL", "value": "NULL", "at": "0",
                   "actor": "''", "actor_id": "NULL", "operation": "''", "base": "NULL"}

_KIND = "(SELECT kind FROM public.rd_user WHERE role_name = session_user)"
_ORG = "(SELECT organisation_id FROM public.rd_user WHERE role_name = session_user)"


def _sees_case(case_id: str) -> str:
    return (f"({_KIND} IN ('coordinator', 'viewer') OR ({_KIND} = 'member' AND EXISTS ("
            f"SELECT 1 FROM public.participation p WHERE p.case_id = {case_id} AND p.deleted_at IS NULL "
            f"AND p.organisation_id = {_ORG})))")


def _sees_personal(case_id: str) -> str:
    return (f"({_KIND} = 'coordinator' OR ({_KIND} = 'member' AND {_sees_case(case_id)} AND EXISTS ("
            f"SELECT 1 FROM public.consent c WHERE c.case_id = {case_id} AND c.deleted_at IS NULL AND c.given "
            f"AND c.scope IN ('coordination', 'reports') AND (c.expires_on IS NULL OR c.expires_on >= current_date))))")


def _row_filter(table: Any) -> str:
    names = set(table.columns.keys())
    if table.name == "case":
        return _sees_case("t.id")
    if "case_id" in names:
        # Audit records of no case (organisations, people, bulk batches) are not household data.
        nullable = table.c.case_id.nullable
        return f"(t.case_id IS NULL AND {_KIND} IS NOT NULL OR {_sees_case('t.case_id')})" if nullable \
            else _sees_case("t.case_id")
    if "task_id" in names and table.name != "decision":
        return _sees_case("(SELECT x.case_id FROM public.task x WHERE x.id = t.task_id)")
    if "conference_id" in names:
        return _sees_case("(SELECT x.case_id FROM public.conference x WHERE x.id = t.conference_id)")
    return f"({_KIND} IS NOT NULL)"


def _log_row_case(metadata: Any) -> tuple[str, list[str]]:
    """SQL giving the case a change-log row (``t.entity``, ``t.row_id``) belongs to, and the
    entities that belong to a case (a row of theirs that is gone belongs to no visible case)."""
    whens, owned = ["WHEN 'case' THEN t.row_id"], ["case"]
    for table in metadata.sorted_tables:
        names = set(table.columns.keys())
        if table.name == "case" or "id" not in names or table.c.id.type.python_type is not str:
            continue  # (the audit trail's integer ids are not in the log)
        if "case_id" in names:
            lookup = f'(SELECT x.case_id FROM public."{table.name}" x WHERE x.id = t.row_id)'
        elif "task_id" in names and table.name != "decision":
            lookup = (f'(SELECT k.case_id FROM public."{table.name}" x JOIN public.task k ON k.id = x.task_id '
                      f"WHERE x.id = t.row_id)")
        elif "conference_id" in names:
            lookup = (f'(SELECT k.case_id FROM public."{table.name}" x JOIN public.conference k '
                      f"ON k.id = x.conference_id WHERE x.id = t.row_id)")
        else:
            continue
        whens.append(f"WHEN '{table.name}' THEN {lookup}")
        owned.append(table.name)
    return f"(CASE t.entity {' '.join(whens)} END)", owned


def _log_row_visible(metadata: Any) -> str:
    """A change-log row the reader may know of: not a case's, or of a case it sees."""
    case_of, owned = _log_row_case(metadata)
    entities = ", ".join(f"'{name}'" for name in owned)
    return f"(t.entity NOT IN ({entities}) OR {_sees_case(case_of)})"


def _log_value_readable(kind_column: bool) -> str:
    """A value of the log the reader may read (the row being visible): a coordinator, any;
    others a field's value (an update or a head, never a whole row's snapshot), not personal
    data — a member's personal data of the case only where its consent allows."""
    personal_case = ", ".join(f"'{n}'" for n in PERSONAL_COLUMNS["case"])
    viewer_blank = " OR ".join(f"(t.entity = '{table}' AND t.field IN ({', '.join(repr(c) for c in columns)}))"
                               for table, columns in {**VIEWER_BLANK_COLUMNS, **PERSONAL_COLUMNS}.items())
    field_change = "t.kind = 'update' AND " if kind_column else ""
    return (f"({_KIND} = 'coordinator' OR ({field_change}("
            f"({_KIND} = 'viewer' AND NOT ({viewer_blank})) OR "
            f"({_KIND} = 'member' AND NOT (t.entity = 'case' AND t.field IN ({personal_case}) "
            f"AND NOT {_sees_personal('t.row_id')})))))")


def _log_column(table: Any, name: str, visible: str) -> str | None:
    if table.name == "sync_change" and name in LOG_IDENTIFYING:
        shown = f'CASE WHEN {_log_value_readable(True)} THEN t."value" END' if name == "value" else f't."{name}"'
        if name == "actor":
            shown = f"CASE WHEN {_KIND} = 'viewer' THEN '' ELSE t.\"actor\" END"
        return f'CASE WHEN {visible} THEN {shown} ELSE {LOG_IDENTIFYING[name]} END AS "{name}"'
    if table.name == "sync_change" and name == "hlc":
        last = "t.seq = (SELECT max(s.seq) FROM public.sync_change s WHERE s.replica = t.replica)"
        return f'CASE WHEN {visible} OR {last} THEN t."hlc" ELSE 0 END AS "hlc"'
    if table.name == "sync_head" and name == "value":
        return f'CASE WHEN {_log_value_readable(False)} THEN t."value" END AS "value"'
    if table.name == "sync_peer" and name == "actor":
        return f"CASE WHEN {_KIND} = 'viewer' THEN '' ELSE t.\"actor\" END AS \"actor\""
    return None


def _column(table: Any, column: Any, log_visible: str = "true") -> str:
    name = column.name
    q = f't."{name}"'
    blank = "NULL" if column.nullable else "''"
    log = _log_column(table, name, log_visible)
    if log is not None:
        return log
    if name in PERSONAL_COLUMNS.get(table.name, ()):
        case_id = "t.id" if table.name == "case" else "t.case_id"
        return f'CASE WHEN {_sees_personal(case_id)} THEN {q} ELSE {blank} END AS "{name}"'
    if name in VIEWER_BLANK_COLUMNS.get(table.name, ()):
        return f"""CASE WHEN {_KIND} = 'viewer' THEN {blank} ELSE {q} END AS "{name}\""""
    return q


def restricted_tables(metadata: Any) -> list[Any]:
    """The tables the restricted views stand for (every model table; unknown ones stay closed)."""
    return [t for t in metadata.sorted_tables]


def access_sql(metadata: Any, database: str, owner: str) -> list[str]:
    """Every statement that installs (or refreshes) the groups, views, triggers and grants;
    each is idempotent, so ``server init`` on an existing workspace adds what it lacks."""
    from psycopg.sql import Identifier

    def ident(name: str) -> str:
        return Identifier(name).as_string(None)

    statements = [
        "CREATE TABLE IF NOT EXISTS public.rd_user (role_name text PRIMARY KEY, kind text NOT NULL "
        "CHECK (kind IN ('coordinator', 'member', 'viewer')), organisation_id varchar(36) "
        "REFERENCES public.organisation(id), added_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'), "
        "CHECK ((kind = 'member') = (organisation_id IS NOT NULL)))",
        "REVOKE ALL ON public.rd_user FROM PUBLIC",
        "CREATE OR REPLACE VIEW public.rd_me WITH (security_barrier) AS "
        "SELECT kind, organisation_id FROM public.rd_user WHERE role_name = session_user",
    ]
    for group in GROUPS.values():
        statements.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$")
    coordinator, member, viewer = (GROUPS[k] for k in KINDS)
    statements += [
        f"GRANT CONNECT ON DATABASE {ident(database)} TO {coordinator}, {member}, {viewer}",
        f"GRANT USAGE ON SCHEMA public TO {coordinator}, {member}, {viewer}",
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {coordinator}",
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {coordinator}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ident(owner)} IN SCHEMA public GRANT ALL ON TABLES TO {coordinator}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ident(owner)} IN SCHEMA public GRANT ALL ON SEQUENCES TO {coordinator}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {member}, {viewer}",
        f"GRANT SELECT ON public.alembic_version, public.workspace_info, public.rd_me TO {member}, {viewer}",
        f"REVOKE ALL ON public.rd_user FROM {coordinator}",
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {member}, {viewer}",
    ]
    log_visible = _log_row_visible(metadata)
    for table in restricted_tables(metadata):
        view = f'{SCHEMA}."{table.name}"'
        columns = ",\n  ".join(_column(table, c, log_visible) for c in table.columns)
        statements.append(f"DROP VIEW IF EXISTS {view} CASCADE")
        triggered = ("case", "activity", *LOG_TABLES, "sync_peer")
        check = "" if table.name in triggered else "\nWITH CASCADED CHECK OPTION"
        rows = f"({_KIND} <> 'member' OR {log_visible})" if table.name == "sync_head" else _row_filter(table)
        statements.append(f'CREATE VIEW {view} WITH (security_barrier) AS SELECT\n  {columns}\n'
                          f'FROM public."{table.name}" t WHERE {rows}{check}')
        # The change log is appended to (its trigger), never rewritten by a member.
        writes = "INSERT" if table.name == "sync_change" else "INSERT, UPDATE, DELETE"
        statements.append(f"GRANT SELECT ON {view} TO {member}, {viewer}")
        statements.append(f"GRANT {writes} ON {view} TO {member}")
    # Care-needs categories are personal data, blanked row by row for a viewer; their counts are
    # figures it gets (services/figures.py reads this view when the search path finds it). A member
    # counts the cases whose categories it may read.
    case_row = _row_filter(metadata.tables["case"])
    statements += [
        f"DROP VIEW IF EXISTS {SCHEMA}.{VULNERABILITY_COUNTS}",
        f"CREATE VIEW {SCHEMA}.{VULNERABILITY_COUNTS} WITH (security_barrier) AS "
        f'SELECT t.vulnerable_categories, count(*) AS cases FROM public."case" t '
        f"WHERE t.deleted_at IS NULL AND t.vulnerable_categories <> '' AND {case_row} "
        f"AND ({_KIND} = 'viewer' OR {_sees_personal('t.id')}) GROUP BY 1",
        f"GRANT SELECT ON {SCHEMA}.{VULNERABILITY_COUNTS} TO {member}, {viewer}",
    ]
    statements += _case_triggers(metadata.tables["case"]) + _activity_trigger(metadata.tables["activity"])
    for name in LOG_TABLES:
        if name in metadata.tables:
            statements += _log_trigger(metadata.tables[name])
    statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {member}")
    return statements


def _case_triggers(table: Any) -> list[str]:
    """A member inserts cases and updates them through the view; personal data only where
    allowed (an unchanged blanked value is left as stored, never overwritten with the blank)."""
    names = [c.name for c in table.columns]
    personal = PERSONAL_COLUMNS["case"]
    cols = ", ".join(f'"{n}"' for n in names)
    new_values = ", ".join(f'NEW."{n}"' for n in names)
    sets = []
    for n in names:
        if n in personal:
            sets.append(f'"{n}" = CASE WHEN NEW."{n}" IS DISTINCT FROM OLD."{n}" THEN NEW."{n}" ELSE c."{n}" END')
        elif n != "id":
            sets.append(f'"{n}" = NEW."{n}"')
    changed_personal = " OR ".join(f'NEW."{n}" IS DISTINCT FROM OLD."{n}"' for n in personal)
    return [
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.case_write() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO public."case" ({cols}) VALUES ({new_values});
    RETURN NEW;
  END IF;
  IF ({changed_personal}) AND NOT {_sees_personal('OLD.id')} THEN
    RAISE EXCEPTION 'personal data of case % is not yours to change', OLD.reference
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE public."case" c SET {", ".join(sets)} WHERE c.id = OLD.id;
  RETURN NEW;
END $$""",
        f'CREATE TRIGGER case_write INSTEAD OF INSERT OR UPDATE ON {SCHEMA}."case" '
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.case_write()",
        f"REVOKE ALL ON FUNCTION {SCHEMA}.case_write() FROM PUBLIC",
    ]


def _activity_trigger(table: Any) -> list[str]:
    """Audit records written through the view: the actor is the role that signed in."""
    names = [c.name for c in table.columns if c.name != "id"]
    cols = ", ".join(f'"{n}"' for n in names)
    values = ", ".join("session_user" if n == "actor" else f'NEW."{n}"' for n in names)
    return [
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.activity_write() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO public.activity ({cols}) VALUES ({values});
  RETURN NEW;
END $$""",
        f"CREATE TRIGGER activity_write INSTEAD OF INSERT ON {SCHEMA}.activity "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.activity_write()",
        f"REVOKE ALL ON FUNCTION {SCHEMA}.activity_write() FROM PUBLIC",
    ]


def _log_trigger(table: Any) -> list[str]:
    """A member's operation appends to the change log through the view, whose value column is
    blanked for some fields: the row goes in as given; a field's surviving head that the member
    read blank is written back with its change's own value (a head's value is its change's)."""
    names = [c.name for c in table.columns]
    cols = ", ".join(f'"{n}"' for n in names)
    values = []
    for n in names:
        if n == "value" and table.name == "sync_head":
            values.append('coalesce(NEW."value", (SELECT c."value" FROM public.sync_change c '
                          'WHERE c.replica = NEW.replica AND c.seq = NEW.seq))')
        else:
            values.append(f'NEW."{n}"')
    function = f"{SCHEMA}.{table.name}_write"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO public.{table.name} ({cols}) VALUES ({", ".join(values)});
  RETURN NEW;
END $$""",
        f"CREATE TRIGGER {table.name}_write INSTEAD OF INSERT ON {SCHEMA}.{table.name} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC",
    ]
