"""Plain SQL of the change log on either engine.

The change log is written and read with DB-API statements (``?`` placeholders, SQLite's
style) for speed. On an engine whose driver takes ``%s`` (psycopg on a PostgreSQL server)
the placeholders are rewritten once here, and a literal ``%`` is doubled, so one statement
text serves both engines."""

from __future__ import annotations

from contextlib import nullcontext
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection


def run_sql(conn: Connection, statement: str, parameters: Any = None):
    if conn.dialect.paramstyle != "qmark":
        statement = _format_style(statement)
    if parameters is None:
        return conn.exec_driver_sql(statement)
    return conn.exec_driver_sql(statement, parameters)


def driver_sql(conn: Connection, statement: str, parameters: Any = (), *, many: bool = False) -> Any:
    """``run_sql`` straight on the DB-API cursor (returned, to fetch from), for the statements
    every write runs (the change log's, the identity check): SQLAlchemy's own work per statement
    cost more than SQLite's. Same transaction; errors come as the driver's own (not wrapped)."""
    if conn.dialect.paramstyle != "qmark":
        statement = _format_style(statement)
    cursor = conn.connection.cursor()
    if many:
        cursor.executemany(statement, parameters)
    else:
        cursor.execute(statement, parameters)
    return cursor


def all_rows(conn: Connection, statement: str, parameters: Any = ()) -> list[tuple]:
    """Every row of a query as the driver's plain tuples: a bundle of the whole workspace reads
    a million rows, and a SQLAlchemy row object for each cost more than reading it."""
    cursor = driver_sql(conn, statement, parameters)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def batch(conn: Connection) -> Any:
    """A block whose ``driver_sql`` statements go to a server together (a psycopg pipeline: one
    round trip for them all; read their cursors after the block, an error is raised at its end);
    on SQLite, nothing (each statement is a call into the library, no trip to make)."""
    if conn.dialect.name == "postgresql":
        return conn.connection.driver_connection.pipeline()
    return nullcontext()


@lru_cache(maxsize=256)
def _format_style(statement: str) -> str:
    return statement.replace("%", "%%").replace("?", "%s")


# -- values: the log and bundles carry what SQLite stores; a server stores typed values ---------
def sqlite_form(conn: Connection, column: Any, value: Any) -> Any:
    """A column's value read from this engine, as SQLite stores it (what bundles carry and the
    merge compares): a server gives timestamps, dates, booleans and JSON back typed."""
    import json
    from datetime import date, datetime

    from sqlalchemy import JSON

    if value is None or conn.dialect.name == "sqlite":
        return value
    if isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        from recovery_desk.services.operation import _format_datetime

        return _format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def bound(conn: Connection, column: Any, value: Any) -> Any:
    """A value in SQLite's stored form as this engine's driver takes it: psycopg sends an int
    for a boolean column as a number, which PostgreSQL refuses (text it casts itself)."""
    from sqlalchemy import Boolean

    if value is not None and conn.dialect.name != "sqlite" and isinstance(column.type, Boolean):
        return bool(value)
    return value


def greatest(conn: Connection) -> str:
    """SQLite's two-argument max() is PostgreSQL's GREATEST (and min(), LEAST)."""
    return "max" if conn.dialect.name == "sqlite" else "GREATEST"


def least(conn: Connection) -> str:
    return "min" if conn.dialect.name == "sqlite" else "LEAST"
