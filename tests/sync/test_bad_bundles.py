"""Every bundle that must be refused is refused with one clear line, and writes nothing at all."""

from __future__ import annotations

import struct

import pytest

from recovery_desk.cli.main import main
from recovery_desk.services import cases
from recovery_desk.services.sync.bundle import MAGIC, BundleError, write_bundle
from recovery_desk.services.sync.exchange import export_bundle, import_bundle
from recovery_desk.services.workspace import Workspace
from tests.sync.conftest import PASSPHRASE, database_digest


@pytest.fixture
def pair(laptops, tmp_path):
    """Laptop b (a closed file, for the CLI) and a fresh bundle from laptop a."""
    net, home = laptops
    cases.create_case(home, contact_name="x")
    a = net.join(home, "a")
    b = net.join(home, "b")
    cases.create_case(a, contact_name="new on a")
    cases.create_case(a, contact_name="another on a")
    bundle = tmp_path / "a.rdsync"
    export_bundle(a, bundle, PASSPHRASE)
    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    b_path = b.path
    b.close()
    a.close()
    return b_path, bundle, tmp_path / "pass"


def refused(capsys, b_path, bundle, passfile, expected: str) -> None:
    before = database_digest(b_path)
    code = main(["--workspace", str(b_path), "sync", "import", str(bundle), "--passphrase-file", str(passfile)])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert expected in err and err.count("\n") == 1, err
    assert database_digest(b_path) == before  # no peer record, no log row, nothing


def test_a_good_bundle_is_read(pair, capsys):
    b_path, bundle, passfile = pair
    code = main(["--workspace", str(b_path), "sync", "import", str(bundle), "--passphrase-file", str(passfile)])
    out, _ = capsys.readouterr()
    assert code == 0 and "2 new" in out


def test_wrong_passphrase(pair, capsys, tmp_path):
    b_path, bundle, _ = pair
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    refused(capsys, b_path, bundle, wrong, "wrong passphrase")


@pytest.mark.parametrize("where", ["header", "ciphertext", "last byte"])
def test_a_changed_byte_is_detected(pair, capsys, where):
    b_path, bundle, passfile = pair
    data = bytearray(bundle.read_bytes())
    header_end = len(MAGIC) + 4 + struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])[0]
    if where == "header":
        header = bytes(data[len(MAGIC) + 4:header_end])
        changed = header.replace(b'"written_at": "20', b'"written_at": "19')  # same length, still JSON
        assert changed != header
        data[len(MAGIC) + 4:header_end] = changed
    else:
        data[header_end + 40 if where == "ciphertext" else -1] ^= 0x01
    bundle.write_bytes(bytes(data))
    refused(capsys, b_path, bundle, passfile, "changed or damaged")


def test_a_truncated_bundle(pair, capsys):
    b_path, bundle, passfile = pair
    data = bundle.read_bytes()
    bundle.write_bytes(data[:len(data) - 100])
    refused(capsys, b_path, bundle, passfile, "truncated")
    bundle.write_bytes(data[:20])
    refused(capsys, b_path, bundle, passfile, "damaged")


def test_not_a_bundle_and_no_file(pair, capsys, tmp_path):
    b_path, _, passfile = pair
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    refused(capsys, b_path, other, passfile, "not a Recovery Desk exchange file")
    refused(capsys, b_path, tmp_path / "missing.rdsync", passfile, "no such file")


def test_a_bundle_of_another_workspace(pair, capsys, tmp_path):
    b_path, _, passfile = pair
    foreign = Workspace.create(tmp_path / "foreign.rdesk", incident_name="Kumamoto", reference_prefix="KUMA")
    cases.create_case(foreign, contact_name="y")
    export_bundle(foreign, tmp_path / "foreign.rdsync", PASSPHRASE)
    foreign.close()
    refused(capsys, b_path, tmp_path / "foreign.rdsync", passfile, "belongs to another workspace (incident 'Kumamoto')")


def _rewritten(source, target, passphrase=PASSPHRASE, **manifest_changes):
    """A bundle re-written as a newer version (or a tampering writer who knows the passphrase) would."""
    from recovery_desk.services.sync.bundle import open_bundle

    bundle = open_bundle(source, passphrase)
    header = {k: v for k, v in bundle.header.items() if k not in ("kdf", "nonce", "check", "length", "format")}
    header.update({k: v for k, v in manifest_changes.items() if k in header})
    manifest = {k: v for k, v in bundle.manifest.items() if k != "checksum"} | manifest_changes
    write_bundle(target, header, manifest, bundle.body, passphrase)


def test_a_newer_schema_is_refused_an_older_applied(pair, capsys, tmp_path):
    b_path, bundle, passfile = pair
    newer = tmp_path / "newer.rdsync"
    _rewritten(bundle, newer, schema="9999_future")
    refused(capsys, b_path, newer, passfile, "newer version")
    older = tmp_path / "older.rdsync"
    _rewritten(bundle, older, schema="0003")
    assert main(["--workspace", str(b_path), "sync", "import", str(older), "--passphrase-file", str(passfile)]) == 0


def test_a_bundle_that_does_not_follow_on(pair, capsys, tmp_path):
    """A bundle missing the first changes this laptop lacks (written for another laptop)."""
    b_path, bundle, passfile = pair
    from recovery_desk.services.sync.bundle import open_bundle

    gap = tmp_path / "gap.rdsync"
    opened = open_bundle(bundle, PASSPHRASE)
    body = dict(opened.body)
    source = body["replicas"].index(opened.manifest["source_replica"])
    first = min(c[1] for c in body["changes"] if c[0] == source)
    body["changes"] = [c for c in body["changes"] if not (c[0] == source and c[1] == first)]
    header = {k: v for k, v in opened.header.items() if k not in ("kdf", "nonce", "check", "length", "format")}
    write_bundle(gap, header, {k: v for k, v in opened.manifest.items() if k != "checksum"}, body, PASSPHRASE)
    refused(capsys, b_path, gap, passfile, "does not follow on")


def test_a_copied_workspace_file_gets_its_own_identity(laptops, tmp_path):
    """Opening writes nothing; the copy's first write gives it a replica id of its own."""
    from recovery_desk.services.sync.exchange import status
    from recovery_desk.storage.database import backup_file

    net, home = laptops
    original = home.replica_id
    copy = backup_file(home.path, tmp_path / "copy.rdesk")
    before = database_digest(copy)
    with Workspace.open(copy) as ws:
        assert database_digest(copy) == before
        cases.create_case(ws, contact_name="made on the copy")
        assert status(ws)["replica"] != original
    cases.create_case(home, contact_name="made on the original")
    assert status(home)["replica"] == original


def test_the_workspace_tells_the_identity_its_copy_took_whatever_wrote_first(laptops, tmp_path):
    """Workspace.replica_id is the file's id now, not the one it had when it was opened: an
    operation or an erasure — each the copy's first write — takes the new one, and so do the
    audit records it writes."""
    from sqlalchemy import select

    from recovery_desk.services.erasure import erase_case
    from recovery_desk.services.sync.exchange import status
    from recovery_desk.storage.database import backup_file
    from recovery_desk.storage.models import Activity, Case

    net, home = laptops
    case_id = cases.create_case(home, contact_name="山田 花子", contact_phone="090-1111-2222").primary_id
    with home.session() as s:
        reference = s.get(Case, case_id).reference
    original = home.replica_id
    for name, first_write in (("edited", lambda ws: cases.update_case(ws, case_id, notes="on the copy")),
                              ("erased", lambda ws: erase_case(ws, reference))):
        copy = backup_file(home.path, tmp_path / f"{name}.rdesk")
        with Workspace.open(copy) as ws:
            assert ws.replica_id == original  # opening writes nothing
            first_write(ws)
            assert ws.replica_id == status(ws)["replica"] != original
            with ws.session() as s:
                latest = s.scalars(select(Activity.replica_id).order_by(Activity.id.desc()).limit(1)).one()
            assert latest == ws.replica_id
    assert home.replica_id == original


def test_two_laptops_sharing_one_identity_are_detected_when_their_bundles_meet(laptops, tmp_path):
    """A byte-for-byte copy that the file check could not tell apart (its recorded file
    identity matches where it is): its changes meet the original's, and the user is told what to do."""
    import sqlite3

    from recovery_desk.services.sync.identity import file_fingerprint
    from recovery_desk.storage.database import backup_file

    net, home = laptops
    cases.create_case(home, contact_name="x")
    copy_path = backup_file(home.path, tmp_path / "copy.rdesk")
    con = sqlite3.connect(copy_path)
    con.execute("UPDATE workspace_info SET value = ? WHERE key = 'file_fingerprint'", (file_fingerprint(copy_path),))
    con.commit()
    con.close()
    twin = Workspace.open(copy_path)
    cases.create_case(home, contact_name="made on the original")
    cases.create_case(twin, contact_name="made on the copy")
    export_bundle(twin, tmp_path / "twin.rdsync", PASSPHRASE)
    before = database_digest(home.path)
    with pytest.raises(BundleError, match="a copy of this workspace file is in use on another laptop"):
        import_bundle(home, tmp_path / "twin.rdsync", PASSPHRASE)
    assert database_digest(home.path) == before
    twin.close()


def test_dry_run_writes_nothing_and_a_second_reading_changes_nothing(pair, capsys):
    b_path, bundle, passfile = pair
    before = database_digest(b_path)
    args = ["--workspace", str(b_path), "sync", "import", str(bundle), "--passphrase-file", str(passfile)]
    assert main([*args, "--dry-run"]) == 0
    assert "2 new" in capsys.readouterr().out
    assert database_digest(b_path) == before
    assert main(args) == 0
    after_first = database_digest(b_path)
    assert main(args) == 0
    assert "nothing new" in capsys.readouterr().out
    assert database_digest(b_path) == after_first


def test_join_refuses_an_existing_file(pair, capsys):
    b_path, bundle, passfile = pair
    before = database_digest(b_path)
    code = main(["--workspace", str(b_path), "join", str(bundle), "--passphrase-file", str(passfile)])
    assert code == 1 and "already exists" in capsys.readouterr().err
    assert database_digest(b_path) == before
