"""Twenty clients editing and moving cards on one server workspace for a minute.

    tests/pg_server.sh .venv/bin/python tests/benchmarks/load_server.py [URL] [--clients 20] [--seconds 60]
        [--think 1.0] [--saturation-seconds 60]

Each client is a process with its own Workspace (as twenty laptops would be), on loopback.
It edits the titles of tasks only it touches, and moves and re-prioritises a few "hot" cards
every client touches, through the same services the app calls (based-on values, retries).
A write's latency runs from reading the value the editor saw to the acknowledged save.

Two runs, one after the other, on the same workspace:

1. **People at work** (the budget: p95 under 100 ms). Each client waits a random think time
   between its saves (exponential, mean ``--think`` s: ~20 saves a second from 20 clients,
   already busier than twenty people, who do not save every second each).
2. **Saturation** (no budget; ``--saturation-seconds``, 0 skips it): every client saves again
   the moment its last save returns (a closed loop, no think time). Then the clients (on the
   same 2 cores as the server) queue for the CPU, and by Little's law the latency is about
   clients / throughput whatever each save costs: this run measures the throughput.

Afterwards, from a fresh connection: every acknowledged write of both runs is in the audit
trail, every task's final value is the last one written, and no client met an unhandled error.
Without URL it uses bench_server.py's workspace.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

OPEN = ["received", "matched", "in_progress"]
OWN_TASKS, HOT_TASKS = 25, 8
BUDGET_MS = 100


def client(index: int, url: str, own: list[str], hot: list[str], seconds: float, think: float, out: str) -> None:
    from sqlalchemy import select

    from recovery_desk.domain.errors import ConflictError
    from recovery_desk.services import board, tasks
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Task
    from recovery_desk.storage.retry import retrying

    rng = random.Random(index)
    acks, refused, errors = [], 0, []
    with Workspace.open(url) as ws:
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            if think:
                time.sleep(rng.expovariate(1 / think))  # a person reading, typing, looking away
            n += 1
            kind = rng.random()
            task_id = rng.choice(own) if kind < 0.5 else rng.choice(hot)
            started = time.perf_counter()
            try:
                if kind < 0.5:
                    value = f"{Path(out).stem} edit {n}"  # client and run: no two writes alike
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


def run_clients(url: str, ids: list[str], clients: int, seconds: float, think: float, name: str) -> list[dict]:
    """One run of ``clients`` processes; their results (a missing one = a client that died)."""
    folder = Path(tempfile.mkdtemp(prefix="rd-load-"))
    hot = ids[:HOT_TASKS]
    processes = []
    for i in range(clients):
        own = ids[HOT_TASKS + i * OWN_TASKS: HOT_TASKS + (i + 1) * OWN_TASKS]
        p = multiprocessing.get_context("spawn").Process(
            target=client, args=(i, url, own, hot, seconds, think, str(folder / f"{name}-{i}.json")))
        p.start()
        processes.append(p)
    for p in processes:
        p.join(seconds + 120)
    return [json.loads(path.read_text()) for i in range(clients) if (path := folder / f"{name}-{i}.json").exists()]


def report(title: str, results: list[dict], clients: int, seconds: float, budget: bool) -> bool:
    acks = [a for r in results for a in r["acks"]]
    errors = [e for r in results for e in r["errors"]]
    refused = sum(r["refused"] for r in results)
    latencies = sorted(a["ms"] for a in acks)
    print(f"{title}: {clients} clients, {seconds:.0f} s: {len(acks)} acknowledged writes "
          f"({len(acks) / seconds:.1f}/s), {refused} refused as conflicts (both values named), "
          f"{len(errors)} unhandled errors")
    if not latencies:
        print("  no writes")
        return False
    p95 = latencies[int(len(latencies) * 0.95)]
    verdict = f"budget {BUDGET_MS} ms: {'OK' if p95 < BUDGET_MS else 'OVER'}" if budget else "no budget: saturation"
    print(f"  write latency: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
          f"max {latencies[-1]:.1f} ms  ({verdict})")
    for e in errors[:3]:
        print(e)
    return len(results) == clients and not errors and (not budget or p95 < BUDGET_MS)


def lost_updates(url: str, ids: list[str], start_activity: int, runs: list[list[dict]]) -> bool:
    """Every acknowledged write (of every run, in order) audited, and the final state the last one."""
    import psycopg

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
    acks = [a for results in runs for r in results for a in r["acks"]]
    # A write of the value already stored (a move within its column, a priority already set)
    # changes that field in no row and needs no record; every other one must be audited.
    noops = [a for a in acks if a["noop"]]
    missing = [a for a in acks if not a["noop"] and (a["task"], a["field"], encode(a["value"])) not in audited]
    # Titles of a client's own tasks: only that client writes them, so its last write is final.
    last_own = {a["task"]: a["value"] for a in acks if a["field"] == "title"}
    missing += [(t, v, final[t]["title"]) for t, v in last_own.items() if final[t]["title"] != v]
    wrong_final = [(k, v, final[k[0]][k[1]]) for k, v in last.items() if encode(final[k[0]][k[1]]) != v]
    print(f"lost updates: {len(missing)} acknowledged writes neither audited nor in the final state; "
          f"{len(noops)} no-op writes; {len(wrong_final)} fields whose final value is not the last audited one")
    return not missing and not wrong_final


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between one client's saves (s)")
    parser.add_argument("--saturation-seconds", type=float, default=60)
    args = parser.parse_args()
    from tests.benchmarks.bench_server import server_workspace

    url = server_workspace(args.url)

    import psycopg

    with psycopg.connect(url) as con:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM task WHERE deleted_at IS NULL AND status IN ('received', 'matched', 'in_progress') "
            "ORDER BY id LIMIT %s", (args.clients * OWN_TASKS + HOT_TASKS,))]
        (start_activity,) = con.execute("SELECT coalesce(max(id), 0) FROM activity").fetchone()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    paced = run_clients(url, ids, args.clients, args.seconds, args.think, "paced")
    title = f"people at work (think time {args.think:g} s on average)" if args.think else "closed loop (--think 0)"
    ok = report(title, paced, args.clients, args.seconds, True)
    runs = [paced]
    if args.saturation_seconds:
        saturated = run_clients(url, ids, args.clients, args.saturation_seconds, 0, "saturation")
        ok &= report("saturation (closed loop, no think time)", saturated, args.clients, args.saturation_seconds,
                     False)
        runs.append(saturated)
    ok &= lost_updates(url, ids, start_activity, runs)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print("OK" if ok else "NOT OK")
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
