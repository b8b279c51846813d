"""Imports (issue 6), medians:

- the Lebanon 4W (13,600 rows, HXL) as resource mapping into an empty workspace
  (budget 3 s): read, libhxl tags, organisations / capabilities / areas / service areas,
  one operation with its audit trail;
- 100,000 case rows from a Japanese CSV (era dates, full-width digits, vocabulary labels,
  districts) into an empty workspace, against the floor of the same work without any of
  the product: ``pandas.read_csv`` plus a plain ``sqlite3`` ``executemany`` of the same
  rows into a table with the case table's columns and indexes. Budget: ratio <= 2.

The 100,000-row CSV is generated once in the bench folder (common.bench_dir()). The two
are timed in turns (ours, floor, ours, floor…) so that the shared machine's slow spells
fall on both; the ratio is of the medians.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

from tests.benchmarks.common import bench_dir, report

ROOT = Path(__file__).resolve().parents[2]
LEBANON = ROOT.parent / "shared" / "data" / "hdx" / "lbn_4w_by_district_2024_hxl.csv"
ROWS = 100_000
REPEAT = 3
PAIRS = 5

HEADER = ["氏名", "住所", "電話番号", "世帯人数", "地区", "被害程度", "受付日", "段階", "優先度", "ニーズ"]
DISTRICTS = ["御祓", "府中", "和倉", "石崎", "矢田郷", "徳田", "東湊", "西湊", "北大呑", "南大呑", "崎山", "田鶴浜",
             "中島", "能登島"]
DAMAGE = ["全壊", "大規模半壊", "中規模半壊", "半壊", "準半壊", "一部損壊"]
STAGES = ["把握", "訪問・聞き取り", "アセスメント", "支援中", "見守り"]
PRIORITIES = ["緊急", "高", "通常", "低"]
NEEDS = ["食料", "住宅修理", "泥出し・家財搬出", "心のケア", "介護・福祉", "罹災証明・支援金申請"]
SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "中村", "小林", "加藤", "吉田", "山本", "松本", "井上"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健", "陽子", "翔", "さくら", "誠", "恵子"]


def cases_csv() -> Path:
    path = bench_dir() / f"import-cases-{ROWS}.csv"
    if path.exists():
        return path
    rng = random.Random(6)
    lines = [",".join(HEADER)]
    for i in range(ROWS):
        d = date.fromordinal(date(2024, 1, 1).toordinal() + rng.randint(0, 170))
        opened = rng.choice([f"令和6年{d.month}月{d.day}日", f"R6.{d.month}.{d.day}", d.isoformat()])
        lines.append(",".join([
            f"{rng.choice(SURNAMES)}　{rng.choice(GIVEN)}{i}", f"七尾市{rng.choice(DISTRICTS)}町{rng.randint(1, 40)}－{i}",
            f"０７６７－{rng.randint(10, 99)}－{rng.randint(1000, 9999)}", str(rng.randint(1, 6)),
            rng.choice(DISTRICTS), rng.choice(DAMAGE), opened, rng.choice(STAGES), rng.choice(PRIORITIES),
            "、".join(rng.sample(NEEDS, rng.randint(0, 2))),
        ]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def new_workspace(folder: Path, name: str):
    from recovery_desk.services.workspace import Workspace

    path = folder / f"{name}.rdesk"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Workspace.create(path, incident_name="令和6年能登半島地震", start_date=date(2024, 1, 1),
                            reference_prefix="NANAO", actor="bench")


class WriteClock:
    """Notes when the import starts writing (its first 'Writing…' progress report)."""

    def __init__(self) -> None:
        self.writing_at: float | None = None

    def report(self, done: int, total: int, text: str = "") -> None:
        if self.writing_at is None and done == 0 and total > 1:
            self.writing_at = time.perf_counter()


def time_import(source: Path, kind: str, name: str, repeat: int = REPEAT,
                checking: list[float] | None = None) -> tuple[list[float], object]:
    """Import times; ``checking`` (if given) collects the time to the first write."""
    from recovery_desk.io.importer import ImportOptions, import_file

    times, result = [], None
    checking = [] if checking is None else checking
    for run in range(repeat):
        ws = new_workspace(bench_dir(), f"{name}-{run}")
        try:
            clock = WriteClock()
            started = time.perf_counter()
            result = import_file(ws, source, ImportOptions(kind), clock)
            times.append(time.perf_counter() - started)
            if clock.writing_at is not None:
                checking.append(clock.writing_at - started)
        finally:
            ws.close()
    return times, result


def baseline(source: Path, repeat: int = REPEAT) -> list[float]:
    """pandas parsing + a plain sqlite3 executemany of the same rows (no validation, no audit)."""
    import pandas as pd
    from sqlalchemy import create_engine
    from sqlalchemy.schema import CreateIndex, CreateTable

    from recovery_desk.storage.models import Case

    engine = create_engine("sqlite://")
    # The case table with its constraints and indexes (foreign keys are not enforced: no
    # incident or area table here, and SQLite checks them only with PRAGMA foreign_keys).
    ddl = [str(CreateTable(Case.__table__).compile(engine))]
    ddl += [str(CreateIndex(ix).compile(engine)) for ix in Case.__table__.indexes]
    times = []
    for run in range(repeat):
        db = bench_dir() / f"baseline-{run}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        for statement in ddl:
            con.execute(statement)
        now = "2024-06-30 00:00:00"
        rows = [(str(uuid.uuid4()), now, now, 1, None, "incident", f"NANAO-{i + 1:04d}", i + 1, None, address, None,
                 None, name, phone, size, "", damage, None, None, stage, None, priority, needs, opened, None, now)
                for i, (name, address, phone, size, district, damage, opened, stage, priority, needs)
                in enumerate(frame.itertuples(index=False, name=None))]
        columns = ("id, created_at, updated_at, row_version, deleted_at, incident_id, reference, sequence, area_id, "
                   "address, latitude, longitude, contact_name, contact_phone, household_size, vulnerable_members, "
                   "damage_level, flood_level, support_class, stage, closure_reason, priority, notes, opened_on, "
                   "closed_on, last_activity_at")
        with con:
            con.executemany(f'INSERT INTO "case" ({columns}) VALUES ({", ".join("?" * 26)})', rows)
        con.close()
        times.append(time.perf_counter() - started)
    return times


def main() -> bool:
    import recovery_desk.io.hxl3w  # noqa: F401  (imports are not part of the timings)
    import recovery_desk.io.importer  # noqa: F401

    ok = True
    times, result = time_import(LEBANON, "3w", "bench-lbn")
    print(f"  Lebanon 4W: {result.total_rows} rows → {result.counts}")
    ok &= report("import Lebanon 4W (13,600 rows, HXL)", times, 3.0)

    source = cases_csv()
    ours: list[float] = []
    floor: list[float] = []
    checking: list[float] = []
    for _ in range(PAIRS):
        times, result = time_import(source, "cases", "bench-cases", repeat=1, checking=checking)
        ours += times
        floor += baseline(source, repeat=1)
    print(f"  cases CSV: {result.total_rows} rows → {result.counts}")
    check = statistics.median(checking)
    print(f"  of which reading + checking + planning {check:.2f} s, writing (rows + audit records) and commit "
          f"{statistics.median(ours) - check:.2f} s")
    assert result.counts["case"] == ROWS, result.counts
    report(f"import {ROWS:,} case rows (validated, audited)", ours)
    report(f"pandas read_csv + sqlite3 executemany ({ROWS:,})", floor)
    ratio = statistics.median(ours) / statistics.median(floor)
    within = ratio <= 2.0
    print(f"{'ratio import / (pandas + executemany)':<48} {ratio:9.2f}        budget 2.00: {'OK' if within else 'OVER'}")
    return ok and within


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    raise SystemExit(0 if main() else 1)
