"""The case editor's "who could take this" (invite from a suggestion, undo, redo) and the
Resource map page (heat map by keyboard, a cell's cases and candidates, the map mode)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from recovery_desk.services import gaps, matching
from recovery_desk.storage.models import Need, Participation, Task
from tests.ui.conftest import wait_idle


def _db(ctx, fn):
    with ctx.workspace.session() as s:
        return fn(s)


def test_invite_from_a_suggestion_then_undo_and_redo(qtbot, main_window) -> None:
    ctx = main_window.ctx
    page = main_window.show_page("cases")
    page.use_filter("-stage:closed is:unmet")
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    case_id = page.model.ids[0]
    page.select_case(case_id)
    editor = page.editor
    panel = editor.need_suggestions
    qtbot.waitUntil(lambda: panel.match is not None and panel.match.case.id == case_id and editor.detail is not None)
    expected = _db(ctx, lambda s: matching.match_case(matching.dbapi(s), case_id))
    assert [n.category for n in panel.match.needs] == [n.category for n in expected.needs]
    assert editor.org_suggestions.match.needs[0].candidates[0].name == expected.needs[0].candidates[0].name
    top = panel.tree.topLevelItem(0)
    shown = [top.child(i).text(0) for i in range(top.childCount())]
    assert shown == [c.name for c in expected.needs[0].candidates[:len(shown)]]

    first = panel.selected()
    assert first is not None and panel.invite_button.isEnabled()
    panel.role.setCurrentIndex(panel.role.findData("supporter"))
    qtbot.mouseClick(panel.invite_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)

    def state(s):
        task = s.scalar(select(Task).where(Task.case_id == case_id, Task.lead_org_id == first.organisation_id,
                                           Task.need_category == first.category, Task.deleted_at.is_(None)))
        role = s.scalar(select(Participation.role).where(
            Participation.case_id == case_id, Participation.organisation_id == first.organisation_id,
            Participation.deleted_at.is_(None)))
        needs = set(s.scalars(select(Need.state).where(Need.case_id == case_id, Need.category == first.category,
                                                       Need.deleted_at.is_(None))))
        return task is not None, role, needs

    invited = _db(ctx, state)
    assert invited[0] and invited[2] == {"in_progress"}
    assert invited[1] == (first.role or "supporter")
    assert ctx.undo_stack.count() == 1  # one step
    ctx.undo_stack.undo()
    wait_idle(qtbot, ctx)
    assert _db(ctx, state) == (False, first.role, {"unmet"})
    ctx.undo_stack.redo()
    wait_idle(qtbot, ctx)
    assert _db(ctx, state)[0]


def test_resource_map_heat_map_by_keyboard(qtbot, main_window) -> None:
    ctx = main_window.ctx
    page = main_window.show_page("resource_map")
    qtbot.waitUntil(lambda: page.data is not None)
    expected = _db(ctx, lambda s: gaps.compute_gaps(matching.dbapi(s)))
    heat = page.heat
    assert heat.rows == list(expected.places) and heat.columns == list(expected.categories)
    assert page.summary.text().startswith(f"{len(expected.gap_cells)} gaps in {len(expected.cells)} cells")
    # the heat map did not wait for the single-sector cases; the summary counts them next
    qtbot.waitUntil(lambda: page.data.gaps.single_sector_cases is not None)
    assert page.summary.text().endswith(f"{len(expected.single_sector_cases)} single-sector cases")
    heat.setFocus()
    qtbot.keyClick(heat, Qt.Key.Key_Down)
    qtbot.keyClick(heat, Qt.Key.Key_Right)
    assert heat.current == (1, 1)
    # the worst cell: go there, Enter opens its cases and candidates
    worst = expected.cells[0]
    row, column = heat.rows.index(worst.key), heat.columns.index(worst.need)
    heat.current = (row, column)
    with qtbot.waitSignal(page.detail_shown):
        qtbot.keyClick(heat, Qt.Key.Key_Return)
    assert page.cases.count() == worst.unmet
    assert page.candidates.topLevelItemCount() == worst.organisations_able
    assert page.detail_title.text().startswith(gaps.place_label(worst.key, "en"))
    page.capacity.setChecked(True)
    assert heat.show_capacity
    heat.grab()  # paints without error in both modes of the toggle


def test_a_cell_opened_before_the_ranking_gets_its_candidates_when_it_arrives(qtbot, main_window) -> None:
    """The heat map shows before the candidates are ranked (a second worker job): a cell opened
    in between lists them as soon as they are."""
    page = main_window.show_page("resource_map")
    qtbot.waitUntil(lambda: page.data is not None and page.data.gaps.complete)
    opened: list[int] = []

    def taken(g: gaps.Gaps) -> gaps.Cell:  # the worst cell that some organisation can take
        return next(c for c in g.cells if c.organisations_able)

    def open_worst() -> None:  # runs as the first data arrives, before the second job's answer
        assert not page.data.gaps.complete
        worst = taken(page.data.gaps)
        page.heat.current = (page.heat.rows.index(worst.key), page.heat.columns.index(worst.need))
        page.heat.activate()
        opened.append(page.candidates.topLevelItemCount())

    page.loaded.connect(open_worst)
    with qtbot.waitSignal(page.summary_complete):
        page.reload()
    page.loaded.disconnect(open_worst)
    worst = taken(page.data.gaps)
    assert opened == [0]
    assert page.candidates.topLevelItemCount() == worst.organisations_able
    assert [page.candidates.topLevelItem(i).text(0) for i in range(worst.organisations_able)] == [
        c.name for c in page.data.gaps.cell_candidates(worst.key, worst.need)]


def test_resource_map_map_mode_selects_a_district(qtbot, main_window) -> None:
    page = main_window.show_page("resource_map")
    qtbot.waitUntil(lambda: page.data is not None)
    assert page.data.points is None  # the heat map did not wait for the points
    with qtbot.waitSignal(page.points_loaded):
        page.set_mode("map")
    case_map = page.map
    assert case_map.points and case_map.labels
    with qtbot.waitSignal(page.detail_shown):
        qtbot.keyClick(case_map, Qt.Key.Key_Right)
    district = case_map.labels[0][0]
    in_district = [p for p in case_map.points if p.key[2] == district]
    assert page.cases.count() == len(in_district) > 0
    page.need.setCurrentIndex(page.need.findData("housing_repair"))
    assert case_map.need == "housing_repair"
    case_map.grab()
    # a rectangle over the whole widget selects every open case with coordinates
    from PySide6.QtCore import QRectF

    case_map.select_rect(QRectF(case_map.rect()))
    assert page.cases.count() == len(case_map.points)
