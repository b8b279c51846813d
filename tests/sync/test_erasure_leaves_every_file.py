"""An erasure leaves the bytes of every laptop's file, not only its rows: the laptop that
erases and each laptop its bundle reaches rewrite their files (services/erasure.py), and a
process killed between the erasing commit and that rewrite leaves a mark that the next open
finishes (the values would otherwise stay in freed pages and in the write-ahead log for good).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recovery_desk.services import cases
from recovery_desk.services.erasure import FORGET_PENDING, erase_case
from recovery_desk.services.workspace import Workspace
from tests.sync.conftest import PASSPHRASE

PHONE = "090-4321-8765"
NAME = "能登 花子"


def _file_bytes(path: Path) -> bytes:
    """The workspace file and its write-ahead log, as they lie on disk."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _holds_values(path: Path) -> bool:
    data = _file_bytes(path)
    return PHONE.encode() in data or NAME.encode() in data


def _pending(ws: Workspace) -> bool:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM workspace_info WHERE key = ?", (FORGET_PENDING,)).first() is not None


def _shared_case(laptops):
    net, home = laptops
    case_id = cases.create_case(home, contact_name=NAME, contact_phone=PHONE, notes=f"call {PHONE}").primary_id
    a, b = net.join(home, "a", "Aiko (NPO)"), net.join(home, "b", "Ben (City)")
    with a.session() as s:
        from recovery_desk.storage.models import Case

        reference = s.get(Case, case_id).reference
    return net, a, b, reference


def test_a_laptop_that_receives_an_erasure_forgets_the_values_in_its_file(laptops):
    net, a, b, reference = _shared_case(laptops)
    assert _holds_values(b.path)
    erase_case(a, reference)
    assert not _holds_values(a.path)
    net.send(a, b)
    assert not _holds_values(b.path), "the receiving laptop's file still holds the erased values"
    assert not _pending(b)


# A real process, killed by SIGKILL at the moment the erasing transaction has committed and the
# file's rewrite would begin (the rewrite is replaced by the kill in that process only).
KILLED_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
import recovery_desk.services.erasure as erasure
erasure._forget_in_file = lambda ws: os.kill(os.getpid(), signal.SIGKILL)
from recovery_desk.services.workspace import Workspace
ws = Workspace.open(Path(sys.argv[2]), actor="Killed (QA)")
if sys.argv[1] == "erase":
    erasure.erase_case(ws, sys.argv[3])
else:
    from recovery_desk.services.sync.exchange import import_bundle
    import_bundle(ws, Path(sys.argv[3]), sys.argv[4])
raise SystemExit("not killed")
"""


def _killed_after_commit(*args: object) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9, done.stderr


def _reopened_forgets(path: Path) -> None:
    assert _holds_values(path), "the trial's premise: the killed process left the values in the file"
    with Workspace.open(path, actor="Next (QA)") as ws:
        assert not _pending(ws)
    assert not _holds_values(path)


def test_an_erasure_killed_before_the_rewrite_is_finished_by_the_next_open(laptops):
    net, a, b, reference = _shared_case(laptops)
    path = a.path
    a.close()
    _killed_after_commit("erase", path, reference)
    _reopened_forgets(path)


def test_a_received_erasure_killed_before_the_rewrite_is_finished_by_the_next_open(laptops):
    net, a, b, reference = _shared_case(laptops)
    erase_case(a, reference)
    bundle = net.bundle_path()
    from recovery_desk.services.sync.exchange import export_bundle

    export_bundle(a, bundle, PASSPHRASE)
    path = b.path
    b.close()
    _killed_after_commit("import", path, bundle, PASSPHRASE)
    _reopened_forgets(path)
