"""Closing the 60,000-case demo's incident with its personal data erased (File ▸ Close the
incident…, `incident close --anonymise`): the set-based anonymisation (services/anonymise.py)
as a whole, and its rows' part alone (without the file's rewrite, VACUUM). No budget in the
issue; case by case it took ~56 ms a household (about an hour for 60,000), which is what this
replaced. Each run on a fresh copy of the demo (it erases).

    .venv/bin/python tests/benchmarks/bench_anonymise.py [WORKSPACE] [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.common import big_workspace, report  # noqa: E402


def _coordinator(ws) -> None:
    from sqlalchemy import select

    from recovery_desk.services import identity
    from recovery_desk.storage.models import Membership, Organisation

    with ws.session() as s:
        person_id = s.scalar(select(Membership.person_id).join(Organisation, Organisation.id == Membership.organisation_id)
                             .where(Organisation.org_type.in_(identity.COORDINATING_TYPES)).limit(1))
        identity.sign_in(ws, identity.identity_of(s, person_id))


def main() -> bool:
    from recovery_desk.services.anonymise import anonymise_incident, anonymise_rows
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.database import backup_file

    args = [a for a in sys.argv[1:] if a and not a.isdigit()]
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "3"))
    source = Path(args[0]) if args else big_workspace()
    whole, rows = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            ws = Workspace.open(backup_file(source, Path(folder) / "bench.rdesk"), actor="bench")
            _coordinator(ws)
            with ws.engine.connect() as conn:  # the rows' part alone, rolled back
                started = time.perf_counter()
                done = anonymise_rows(conn)
                rows.append(time.perf_counter() - started)
                conn.rollback()
            started = time.perf_counter()
            erased = anonymise_incident(ws)
            whole.append(time.perf_counter() - started)
            ws.close()
        print(f"  {len(erased.case_ids)} households erased, {done.values} values searched")
    report("anonymise: rows, audit trail, change log", rows)
    report("anonymise: the whole close (with VACUUM)", whole)
    print(f"  median whole {statistics.median(whole):.1f} s")
    return True


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
