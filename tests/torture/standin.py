"""A process that holds a workspace open the way the desktop app does, and commits on request.

``python -m tests.torture.standin WORKSPACE`` opens the workspace on a worker thread
(``Workspace.open``, as ``MainWindow.open_workspace`` does on the database worker), then runs
``services.backups.backup_on_open`` on a thread of its own (as ``MainWindow._backup_on_open``),
keeps the engine's connection open, prints ``ready`` and then reads commands on stdin:

* ``edit NAME``  — create an organisation NAME in one operation; prints ``committed NAME``
  once the transaction has committed (the app's "All changes saved").
* ``quit``       — close the workspace and exit.

``--commit-and-die NAME`` commits one such edit and then kills itself with SIGKILL: a crashed
app whose last transaction is committed in the ``-wal`` and not yet checkpointed.

No Qt: the trials need a process they can drive; the real app (``gui``) is started as well,
for the ``/proc/<pid>/fd`` check (see ``trials.app_beside_cli``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path


def _on_thread(job):
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = job()
        except BaseException as exc:  # handed back to the caller
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--commit-and-die", metavar="NAME")
    parser.add_argument("--no-backup", action="store_true")
    args = parser.parse_args(argv)

    from recovery_desk.services import backups
    from recovery_desk.services.organisations import create_organisation
    from recovery_desk.services.workspace import Workspace

    ws = _on_thread(lambda: Workspace.open(args.workspace, actor="Torture App (QA)"))

    def edit(name: str) -> None:
        _on_thread(lambda: create_organisation(ws, name=name))

    if args.commit_and_die:
        edit(args.commit_and_die)
        os.kill(os.getpid(), signal.SIGKILL)
    if not args.no_backup:
        _on_thread(lambda: backups.backup_on_open(args.workspace))
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, rest = line.strip().partition(" ")
        if command == "edit":
            edit(rest)
            print(f"committed {rest}", flush=True)
        elif command == "quit":
            break
    ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
