"""Fixtures of the server tests (they all need the test server: tests/pg_server.sh)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import _isolated_qsettings, ctx, main_window, worker  # noqa: F401  (fixtures of the window tests)


@pytest.fixture(scope="module")
def demo_path_pg(pg_server):
    """The shared demo on the server (built once per run)."""
    from recovery_desk.services.demo import create_demo
    from tests.conftest import DEMO_AS_OF

    return pg_server.demo_database(lambda url: create_demo(url, cases=300, seed=7, as_of=DEMO_AS_OF, actor="Demo"))


@pytest.fixture
def server_demo(pg_server, demo_path_pg):
    """A private copy of the demo on the server."""
    url = pg_server.copy_of_demo(user="Test User (Test Org)")
    yield url
    pg_server.drop(url)
