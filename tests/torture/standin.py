"""A process that holds a workspace open the way the desktop app does, and commits on request.

``python -m tests.torture.standin WORKSPACE`` opens the workspace on a worker thread
(``Workspace.open``, as ``MainWindow.open_workspace`` does on the database worker), then runs
``services.backups.backup_on_open`` on a thread of its own (as ``MainWindow._backup_on_open``),
reads as the app's first page does (its pooled connection then holds the -wal open), prints ``ready`` and then reads commands on stdin:

* ``edit NAME``  — create an organisation NAME in one operation; prints ``committed NAME``
  once the transaction has committed (the app's "All changes saved").
* ``quit``       — close the workspace and exit.

No Qt: the trials need a process they can drive; the real app (``gui``) is started as well,
for the ``/proc/<pid>/fd`` check (see ``trials.real_app_beside_cli``).
"""

from __future__ import annotations

import argparse
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def first_page_read(ws) -> None:
    from sqlalchemy import func, select

    from recovery_desk.storage.models import Case

    with ws.session() as s:
        s.scalar(select(func.count()).select_from(Case))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    args = parser.parse_args(argv)

    from recovery_desk.services import backups
    from recovery_desk.services.organisations import create_organisation
    from recovery_desk.services.workspace import Workspace

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-worker")  # ui/worker.py's one thread
    ws = worker.submit(Workspace.open, args.workspace, actor="Torture App (QA)").result()
    # The app's first page reads the workspace at once; from then on its pooled connection holds
    # the -wal and -shm open (Workspace.open itself may leave no connection behind).
    worker.submit(first_page_read, ws).result()
    backup = threading.Thread(target=backups.backup_on_open, args=(args.workspace,), name="backup")
    backup.start()  # MainWindow._backup_on_open: a thread of its own, beside the worker
    backup.join()
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, rest = line.strip().partition(" ")
        if command == "edit":
            worker.submit(create_organisation, ws, name=rest).result()
            print(f"committed {rest}", flush=True)
        elif command == "quit":
            break
    worker.submit(ws.close).result()
    worker.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
