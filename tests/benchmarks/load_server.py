"""Twenty clients editing and moving cards on one server workspace for a minute.

    tests/pg_server.sh .venv/bin/python tests/benchmarks/load_server.py [URL] [--clients 20] [--seconds 60]

Each client is a process with its own Workspace (as twenty laptops would be), on loopback.
It edits the titles of tasks only it touches, and moves and re-prioritises a few "hot" cards
every client touches, through the same services the app calls (based-on values, retries).
Afterwards, from a fresh connection: every acknowledged write is in the audit trail, every
task's final value is the last one written, no client met an unhandled error, and the p95
write latency is printed (budget 100 ms). Without URL it uses bench_server.py's workspace.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import time
import traceback
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

OPEN = ["received", "matched", "in_progress"]
OWN_TASKS, HOT_TASKS = 25, 8


def client(index: int, url: str, own: list[str], hot: list[str], seconds: float, out: str) -> None:
    from sqlalchemy import select

    from recovery_desk.domain.errors import ConflictError
    from recovery_desk.services import board, tasks
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Task
    from recovery_desk.storage.postgres import retrying

    rng = random.Random(index)
    acks, refused, errors = [], 0, []
    with Workspace.open(url) as ws:
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            n += 1
            kind = rng.random()
            task_id = rng.choice(own) if kind < 0.5 else rng.choice(hot)
            started = time.perf_counter()
            try:
                if kind < 0.5:
                    value = f"client {index} edit {n}"
                    with ws.session() as s:
                        before = s.scalar(select(Task.title).where(Task.id == task_id))
                    retrying(partial(tasks.update_task, ws, task_id, based_on={"title": before}, title=value))
                    field = "title"
                elif kind < 0.75:
                    value = rng.choice(OPEN)
                    with ws.session() as s:
                        before = s.scalar(select(Task.status).where(Task.id == task_id))
                    retrying(partial(board.move_cards, ws, [task_id], value))
                    field = "status"
                else:
                    value = rng.choice(["low", "normal", "high", "urgent"])
                    with ws.session() as s:
                        before = s.scalar(select(Task.priority).where(Task.id == task_id))
                    retrying(partial(tasks.update_task, ws, task_id, based_on={"priority": before},
                                     priority=value))
                    field = "priority"
            except ConflictError:
                refused += 1  # someone saved that field meanwhile: refused, both values named
                continue
            except Exception:
                errors.append(traceback.format_exc())
                continue
            acks.append({"task": task_id, "field": field, "value": value, "noop": before == value,
                         "ms": (time.perf_counter() - started) * 1000})
        actor = ws.actor
    Path(out).write_text(json.dumps({"acks": acks, "refused": refused, "errors": errors, "actor": actor}))


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    from tests.benchmarks.bench_server import server_workspace

    url = server_workspace(args.url)

    import psycopg

    with psycopg.connect(url) as con:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM task WHERE deleted_at IS NULL AND status IN ('received', 'matched', 'in_progress') "
            "ORDER BY id LIMIT %s", (args.clients * OWN_TASKS + HOT_TASKS,))]
        (start_activity,) = con.execute("SELECT coalesce(max(id), 0) FROM activity").fetchone()
    hot = ids[:HOT_TASKS]
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="rd-load-"))
    processes = []
    for i in range(args.clients):
        own = ids[HOT_TASKS + i * OWN_TASKS: HOT_TASKS + (i + 1) * OWN_TASKS]
        p = multiprocessing.get_context("spawn").Process(
            target=client, args=(i, url, own, hot, args.seconds, str(folder / f"{i}.json")))
        p.start()
        processes.append(p)
    for p in processes:
        p.join(args.seconds + 120)
    results = [json.loads((folder / f"{i}.json").read_text()) for i in range(args.clients)
               if (folder / f"{i}.json").exists()]
    ok = len(results) == args.clients
    acks = [a for r in results for a in r["acks"]]
    errors = [e for r in results for e in r["errors"]]
    refused = sum(r["refused"] for r in results)

    from recovery_desk.services.operation import encode

    with psycopg.connect(url) as con:
        audited = {(r[0], r[1], r[2]) for r in con.execute(
            "SELECT entity_id, field, new_value FROM activity WHERE id > %s AND entity = 'task'", (start_activity,))}
        last = {(r[0], r[1]): r[2] for r in con.execute(
            "SELECT DISTINCT ON (entity_id, field) entity_id, field, new_value FROM activity "
            "WHERE id > %s AND entity = 'task' AND field IN ('title', 'status', 'priority') "
            "ORDER BY entity_id, field, id DESC", (start_activity,))}
        final = {r[0]: {"title": r[1], "status": r[2], "priority": r[3]} for r in con.execute(
            "SELECT id, title, status, priority FROM task WHERE id = ANY(%s)", (ids,))}
    # A write of the value already stored (a move within its column, a priority already set)
    # changes that field in no row and needs no record; every other one must be audited.
    noops = [a for a in acks if a["noop"]]
    missing = [a for a in acks if not a["noop"] and (a["task"], a["field"], encode(a["value"])) not in audited]
    # Titles of a client's own tasks: only that client writes them, so its last write is final.
    last_own = {}
    for r in results:
        for a in r["acks"]:
            if a["field"] == "title":
                last_own[a["task"]] = a["value"]
    missing += [(t, v, final[t]["title"]) for t, v in last_own.items() if final[t]["title"] != v]
    wrong_final = [(k, v, final[k[0]][k[1]]) for k, v in last.items() if encode(final[k[0]][k[1]]) != v]
    latencies = sorted(a["ms"] for a in acks)
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else float("nan")
    print(f"{args.clients} clients, {args.seconds:.0f} s: {len(acks)} acknowledged writes "
          f"({len(acks) / args.seconds:.0f}/s), {refused} refused as conflicts (both values named), "
          f"{len(errors)} unhandled errors")
    print(f"write latency: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms (budget 100 ms), "
          f"max {latencies[-1]:.1f} ms" if latencies else "no writes")
    print(f"lost updates: {len(missing)} acknowledged writes neither audited nor in the final state; "
          f"{len(noops)} no-op writes; {len(wrong_final)} fields whose final value is not "
          f"the last audited one")
    for e in errors[:3]:
        print(e)
    ok &= not errors and not missing and not wrong_final and p95 < 100
    print("OK" if ok else "NOT OK")
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
