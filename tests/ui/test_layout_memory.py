"""Splitter positions and column widths of the Organisations and People pages are remembered."""

from __future__ import annotations

import pytest

from tests.ui.conftest import wait_idle


# A column the user can resize (the organisations list stretches its name column).
@pytest.mark.parametrize(("page_name", "column"), [("organisations", 1), ("people", 0)])
def test_splitter_and_columns_come_back_in_a_new_page(qtbot, ctx, page_name, column):
    from recovery_desk.ui.pages.organisations_page import OrganisationsPage
    from recovery_desk.ui.pages.people_page import PeoplePage

    factory = {"organisations": OrganisationsPage, "people": PeoplePage}[page_name]
    first = factory(ctx)
    qtbot.addWidget(first)
    first.resize(1300, 700)
    first.show()
    wait_idle(qtbot, ctx)
    first.splitter.moveSplitter(500, 1)  # as a drag of the handle does: emits splitterMoved
    first.view.horizontalHeader().resizeSection(column, 150)
    sizes = first.splitter.sizes()

    second = factory(ctx)
    qtbot.addWidget(second)
    second.resize(1300, 700)
    second.show()
    wait_idle(qtbot, ctx)
    assert second.view.horizontalHeader().sectionSize(column) == 150
    assert second.splitter.sizes() == sizes
