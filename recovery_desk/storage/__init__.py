"""Qt-free storage: SQLAlchemy models, the SQLite engine and Alembic migrations."""
