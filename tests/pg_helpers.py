"""The test server's databases and roles (tests/pg_server.sh starts the server itself).

Each test that wants a server workspace gets a database of its own, dropped after it; the
demo is built once per run into a template database that is never connected to again, so
that copies of it (``CREATE DATABASE … TEMPLATE``) take a fraction of a second.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

# Roles the tests sign in as (superusers on this throw-away server; the permission tests
# create their own restricted roles with `server add-user`).
TEST_ROLES = ("Test User (Test Org)", "Demo")
_DEMO_TEMPLATE = "rd_demo_template"
_DEMO_SHARED = "rd_demo_shared"


class PgServer:
    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        params = conninfo_to_dict(admin_url)
        self.host, self.port = params.get("host", ""), params.get("port", "5432")
        self._names = itertools.count(1)
        self._databases: set[str] = set()
        self._demo_ready = False
        with self.admin() as con:
            for role in TEST_ROLES:
                if not con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    con.execute(sql.SQL("CREATE ROLE {} SUPERUSER LOGIN").format(sql.Identifier(role)))

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.admin_url, dbname=dbname, autocommit=True)

    def url(self, dbname: str, user: str = "postgres") -> str:
        """The libpq URI in its Unix-socket form: postgresql://USER@/DB?host=/sock&port=N."""
        return f"postgresql://{quote(user, safe='')}@/{dbname}?host={quote(self.host)}&port={self.port}"

    def create_database(self, user: str = "postgres", template: str = "template0") -> str:
        name = f"rd_test_{next(self._names)}"
        with self.admin() as con:
            con.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                          sql.Identifier(template)))
        self._databases.add(name)
        return self.url(name, user)

    def drop(self, url: str) -> None:
        name = conninfo_to_dict(url)["dbname"]
        with self.admin() as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self._databases.discard(name)

    def demo_database(self, build: Callable[[str], object]) -> str:
        """The shared read-only demo (built once per run by ``build(url)``)."""
        if not self._demo_ready:
            with self.admin() as con:
                for name in (_DEMO_TEMPLATE, _DEMO_SHARED):
                    con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                con.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(_DEMO_TEMPLATE)))
            build(self.url(_DEMO_TEMPLATE, "Demo"))
            with self.admin() as con:
                con.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(_DEMO_SHARED), sql.Identifier(_DEMO_TEMPLATE)))
            self._databases |= {_DEMO_TEMPLATE, _DEMO_SHARED}
            self._demo_ready = True
        return self.url(_DEMO_SHARED, TEST_ROLES[0])

    def copy_of_demo(self, user: str) -> str:
        assert self._demo_ready, "demo_database() first"
        return self.create_database(user=user, template=_DEMO_TEMPLATE)

    def drop_all(self) -> None:
        for name in sorted(self._databases):
            with self.admin() as con:
                con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self._databases.clear()


def signed_in_as(location, role: str):
    """``location`` as ``role`` signs in: on a server the audit trail's actor is the database
    role (a superuser here, created when missing); a file path is returned as it is."""
    if not isinstance(location, str) or not location.startswith("postgresql://"):
        return location
    import os

    with psycopg.connect(os.environ["RD_TEST_PG_URL"], autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            con.execute(sql.SQL("CREATE ROLE {} SUPERUSER LOGIN").format(sql.Identifier(role)))
    return as_user(location, role)


def as_user(url: str, role: str) -> str:
    """The same server URL, signing in as ``role``."""
    return f"postgresql://{quote(role, safe='')}@{url.split('@', 1)[1]}"


def raw_connection(location):
    """A plain DB-API connection to a workspace of either engine (to break it on purpose)."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        return psycopg.connect(location)
    import sqlite3

    return sqlite3.connect(location)


def abort_writes(url: str, table: str, *, row_id: str | None = None, times: int = 1_000_000) -> Callable[[], int]:
    """The server refuses the first ``times`` writes of ``table`` (of its row ``row_id`` only, if
    given) with a serialization failure, as it does to one of two transactions that collide.
    Returns how many writes were tried: a sequence counts them (its numbers survive the
    rollback)."""
    name = f"rd_test_abort_{table}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("CREATE SEQUENCE {}").format(sql.Identifier(name)))
        con.execute(sql.SQL(
            "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF nextval({sequence}) <= {times} THEN RAISE EXCEPTION 'could not serialize access (test)' "
            "USING ERRCODE = 'serialization_failure'; END IF; RETURN NEW; END $$").format(
                function=sql.Identifier(name), sequence=sql.Literal(name), times=sql.Literal(times)))
        when = sql.SQL("WHEN (OLD.id = {})").format(sql.Literal(row_id)) if row_id else sql.SQL("")
        con.execute(sql.SQL("CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW {when} "
                            "EXECUTE FUNCTION {name}()").format(name=sql.Identifier(name),
                                                                 table=sql.Identifier(table), when=when))

    def tried() -> int:
        with psycopg.connect(url) as con:
            value, called = con.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(
                sql.Identifier(name))).fetchone()
        return value if called else 0

    return tried
