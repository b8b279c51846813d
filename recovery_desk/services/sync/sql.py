"""Plain SQL of the change log on either engine.

The change log is written and read with DB-API statements (``?`` placeholders, SQLite's
style) for speed. On an engine whose driver takes ``%s`` (psycopg on a PostgreSQL server)
the placeholders are rewritten once here, and a literal ``%`` is doubled, so one statement
text serves both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def run_sql(conn: Connection, statement: str, parameters: Any = None):
    if conn.dialect.paramstyle != "qmark":
        statement = statement.replace("%", "%%").replace("?", "%s")
    if parameters is None:
        return conn.exec_driver_sql(statement)
    return conn.exec_driver_sql(statement, parameters)
