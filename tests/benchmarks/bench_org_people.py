"""Organisations and People pages on the 60,000-case / 300,000-task workspace (issue 3,
points 4-5): the list queries, the busiest organisation's detail, the pages' first rows
and a paint of the welfare triangle with every organisation (medians)."""

from __future__ import annotations

import os
import time

from tests.benchmarks.common import big_workspace, measure, report


def main() -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QApplication

    from recovery_desk.services import org_queries, people_queries
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.ui.context import AppContext
    from recovery_desk.ui.pages.organisations_page import OrganisationsPage
    from recovery_desk.ui.pages.people_page import PeoplePage
    from recovery_desk.ui.worker import DatabaseWorker

    ok = True
    app = QApplication.instance() or QApplication([])
    ws = Workspace.open(big_workspace(), actor="bench")
    try:
        with ws.session() as s:
            orgs = org_queries.list_organisations(s)
            people = people_queries.list_people(s)
        busiest = max(orgs, key=lambda r: r.open_tasks)
        crossing = max(people, key=lambda r: r.organisation_count)
        print(f"  ({len(orgs)} organisations, {len(people)} people; busiest {busiest.open_tasks} open tasks)")

        def query(fn):
            def run():
                with ws.session() as s:
                    fn(s)
            return run

        ok &= report("list_organisations_fast: names (60k cases)",
                     measure(query(org_queries.list_organisations_fast)), 0.05)
        ok &= report("organisation_counts: open tasks, cases, members", measure(query(org_queries.organisation_counts)),
                     0.75)
        # The busiest organisation leads about half of all open tasks (an extreme case); a
        # typical one is the median by open tasks.
        typical = sorted(orgs, key=lambda r: r.open_tasks)[len(orgs) // 2]
        ok &= report("organisation_detail, busiest (60k cases)",
                     measure(query(lambda s: org_queries.organisation_detail(s, busiest.id))), 1.0)
        ok &= report("organisation_detail, typical (60k cases)",
                     measure(query(lambda s: org_queries.organisation_detail(s, typical.id))), 0.1)
        ok &= report("list_people (60k cases)", measure(query(people_queries.list_people)), 0.3)
        ok &= report("person_detail (60k cases)",
                     measure(query(lambda s: people_queries.person_detail(s, crossing.id))), 0.05)

        worker = DatabaseWorker()
        ctx = AppContext(worker, lang="ja")
        ctx.set_workspace(ws)

        def first_rows(page_class, signal="rows_loaded", repeat=5):
            """Construct and show the page until ``signal``; the worker is idle before each run."""
            times = []
            for i in range(repeat + 1):
                while worker.busy:
                    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
                started = time.perf_counter()
                page = page_class(ctx)
                page.resize(1360, 820)
                loop = QEventLoop()
                getattr(page, signal).connect(loop.quit)
                QTimer.singleShot(10_000, loop.quit)
                page.show()
                loop.exec()
                if i:  # the first run warms up
                    times.append(time.perf_counter() - started)
                assert page.model.rowCount() > 0
                page.close()
                page.deleteLater()
            return times

        ok &= report("Organisations page: shown to first rows",
                     first_rows(OrganisationsPage, "first_rows_shown"), 0.3)
        report("Organisations page: shown to counts", first_rows(OrganisationsPage), None)
        ok &= report("People page: shown to first rows", first_rows(PeoplePage), 0.3)

        page = OrganisationsPage(ctx)
        page.resize(1360, 820)
        page.triangle.set_rows(orgs)
        page.left_tabs.setCurrentWidget(page.triangle)
        pixmap = QPixmap(page.triangle.size())
        ok &= report(f"welfare triangle paint ({len(orgs)} organisations)",
                     measure(lambda: page.triangle.render(pixmap)), 0.05)
        worker.stop()
        ctx.workspace = None
    finally:
        ws.close()
    return ok


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    raise SystemExit(0 if main() else 1)
