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

# The change log (sync_change, sync_head) holds every value ever written, of every case: only
# a coordinator reads those values (members and viewers see which rows changed and when, not
# to what); who wrote them (actor) is blanked for viewers as in the audit trail.
LOG_TABLES = ("sync_change", "sync_head")

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


def _log_column(table: Any, name: str) -> str | None:
    if table.name in LOG_TABLES and name == "value":
        return f"CASE WHEN {_KIND} = 'coordinator' THEN t.\"value\" END AS \"value\""
    if table.name in ("sync_change", "sync_peer") and name == "actor":
        return f"CASE WHEN {_KIND} = 'viewer' THEN '' ELSE t.\"actor\" END AS \"actor\""
    return None


def _column(table: Any, column: Any) -> str:
    name = column.name
    q = f't."{name}"'
    blank = "NULL" if column.nullable else "''"
    log = _log_column(table, name)
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
    for table in restricted_tables(metadata):
        view = f'{SCHEMA}."{table.name}"'
        columns = ",\n  ".join(_column(table, c) for c in table.columns)
        statements.append(f"DROP VIEW IF EXISTS {view} CASCADE")
        triggered = ("case", "activity", *LOG_TABLES, "sync_peer")
        check = "" if table.name in triggered else "\nWITH CASCADED CHECK OPTION"
        statements.append(f'CREATE VIEW {view} WITH (security_barrier) AS SELECT\n  {columns}\n'
                          f'FROM public."{table.name}" t WHERE {_row_filter(table)}{check}')
        statements.append(f"GRANT SELECT ON {view} TO {member}, {viewer}")
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON {view} TO {member}")
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
