"""The two-laptop exercise of issue 11, from a shell: only the command line."""

from __future__ import annotations

import json

import pytest

from recovery_desk.cli.main import main


class Shell:
    def __init__(self, capsys, monkeypatch, folder):
        self.capsys, self.monkeypatch, self.folder = capsys, monkeypatch, folder
        (folder / "pass").write_text("a long shared passphrase\n")

    def run(self, laptop: str, *argv: str, actor: str = "", expect: int = 0) -> str:
        self.monkeypatch.setenv("RECOVERY_DESK_ACTOR", actor or f"{laptop} user")
        code = main(["--workspace", str(self.folder / f"{laptop}.rdesk"), *argv])
        out, err = self.capsys.readouterr()
        assert code == expect, (argv, out, err)
        return out

    def send(self, source: str, target: str, name: str) -> str:
        bundle = str(self.folder / f"{name}.rdsync")
        self.run(source, "sync", "export", "--out", bundle, "--passphrase-file", str(self.folder / "pass"))
        return self.run(target, "sync", "import", bundle, "--passphrase-file", str(self.folder / "pass"))

    def cases_file(self, name: str, *people: str) -> str:
        path = self.folder / f"{name}.csv"
        path.write_text("氏名,住所,段階\n" + "".join(f"{p},七尾市{i}丁目,把握\n" for i, p in enumerate(people)),
                        encoding="utf-8")
        return str(path)

    def views(self, laptop: str) -> tuple[dict, dict, list]:
        stats = json.loads(self.run(laptop, "stats", "--json"))
        listed = json.loads(self.run(laptop, "case", "list", "--json", "--all", "--include-pii"))
        conflicts = json.loads(self.run(laptop, "sync", "conflicts", "--json"))["conflicts"]
        return stats, listed, conflicts


@pytest.mark.parametrize("first, second", [("a", "b"), ("b", "a")])
def test_two_laptops_edit_apart_and_converge(first, second, capsys, monkeypatch, tmp_path):
    sh = Shell(capsys, monkeypatch, tmp_path)
    pw = ["--passphrase-file", str(tmp_path / "pass")]
    sh.run("home", "init", "--incident", "Noto quake", "--start", "2024-01-01", "--prefix", "NOTO")
    sh.run("home", "import", "cases", sh.cases_file("first", "山田 太郎", "佐藤 花子", "鈴木 一郎"))
    sh.run("home", "sync", "export", "--all", "--out", str(tmp_path / "all.rdsync"), *pw)
    for laptop in ("a", "b"):
        sh.run(laptop, "join", str(tmp_path / "all.rdsync"), *pw)
    sh.run("a", "join", str(tmp_path / "all.rdsync"), *pw, expect=1)  # an existing file is refused

    sh.run("a", "case", "set", "NOTO-0001", "priority=urgent", actor="Aiko (NPO)")
    sh.run("b", "case", "set", "NOTO-0001", "household_size=4", actor="Ben (City)")
    sh.run("a", "case", "set", "NOTO-0002", "stage=planning", actor="Aiko (NPO)")
    sh.run("b", "case", "set", "NOTO-0002", "stage=in_support", actor="Ben (City)")
    sh.run("a", "case", "delete", "NOTO-0003", actor="Aiko (NPO)")
    sh.run("b", "case", "set", "NOTO-0003", "notes=gate is locked", actor="Ben (City)")
    sh.run("a", "import", "cases", sh.cases_file("on_a", "高橋 次郎"))
    sh.run("b", "import", "cases", sh.cases_file("on_b", "田中 三郎"))

    # Either laptop's bundle read first; each read twice (the second time brings nothing new).
    assert "2 new conflict(s)" in sh.send(first, second, "x1")
    assert "2 new conflict(s)" in sh.send(second, first, "y1")
    assert "nothing new" in sh.send(first, second, "x2")
    assert "nothing new" in sh.send(second, first, "y2")
    view_a, view_b = sh.views("a"), sh.views("b")
    assert view_a == view_b
    stats, listed, conflicts = view_a
    assert stats["cases"]["total"] == 4  # 3 − 1 deleted + 1 + 1
    cases = {c["reference"]: c for c in listed["cases"]}
    assert (cases["NOTO-0001"]["priority"], cases["NOTO-0001"]["household_size"]) == ("urgent", 4)
    assert cases["NOTO-0003"]["deleted"] is True
    assert len(set(cases)) == 5 and sum(r.count("-") == 2 for r in cases) == 2  # laptop codes in new references
    assert sorted((c["reference"], c["kind"], c["field"]) for c in conflicts) == [
        ("NOTO-0002", "field", "stage"), ("NOTO-0003", "edit_delete", "notes")]
    stage = next(c for c in conflicts if c["field"] == "stage")
    assert {stage["ours"], stage["theirs"]} == {"planning", "in_support"}
    assert {stage["ours_by"], stage["theirs_by"]} == {"Aiko (NPO)", "Ben (City)"}

    for conflict in conflicts:
        sh.run(first, "sync", "resolve", conflict["id"], "--keep", "theirs")
    sh.send(first, second, "x3")
    sh.send(second, first, "y3")
    view_a, view_b = sh.views("a"), sh.views("b")
    assert view_a == view_b and view_a[2] == []
    status = json.loads(sh.run("a", "sync", "status", "--json"))
    assert {"replica", "peers", "unsent"} <= set(status)
    assert {p["replica"] for p in status["peers"]} >= {json.loads(sh.run("b", "sync", "status", "--json"))["replica"]}
