"""Coordination gaps against the hand-built workspace (every figure worked out in conftest.py),
and the ``match`` / ``gaps`` commands' JSON."""

from __future__ import annotations

import json

import pytest

from recovery_desk.cli.main import main
from recovery_desk.services import gaps, matching

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def compute(m, **kwargs) -> gaps.Gaps:
    with m.ws.session() as s:
        return gaps.compute_gaps(matching.dbapi(s), **kwargs)


def cell_rows(g: gaps.Gaps) -> list[tuple]:
    return [(c.key[2], c.need, c.unmet, c.organisations_able, c.capacity_left, c.capacity_unknown, c.gap)
            for c in g.cells]


def test_cells_worst_first_with_their_figures(mapped) -> None:
    assert cell_rows(compute(mapped)) == [
        ("和倉", "protection", 1, 0, None, 0, "no_one"),
        # MUNI (unknown capacity) and PREF (full) serve 和倉; DIST serves 御祓 only
        ("和倉", "housing_repair", 1, 2, 0, 1, "over_capacity"),
        # only IDLE, capacity unknown: nothing known to plan on
        ("和倉", "legal_property", 1, 1, None, 1, "over_capacity"),
        # DIST 2 left + PREF 0 left; MUNI unknown; NONE serves 輪島市
        ("御祓", "housing_repair", 1, 3, 2, 1, None),
        ("御祓", "food", 1, 1, 5, 0, None),
    ]


def test_lists_needs_idle_and_single_sector(mapped) -> None:
    g = compute(mapped)
    assert g.needs_without_capability == ["protection"]
    # MUNI, NONE, FOOD, IDLE take part in no open case (DIST's closed case does not count)
    assert g.idle_organisations == sorted(["七尾工務店", "河井町会", "炊き出し有志", "和倉法律相談"])
    assert [s.as_json() for s in g.single_sector_cases] == [
        {"case": mapped.ref["A"], "sector": "state", "candidate": "御祓復興の会", "need": "housing_repair"}]


def test_single_sector_candidate_is_the_first_other_sector_candidate_match_lists(mapped) -> None:
    single = compute(mapped).single_sector_cases[0]
    ranked = [c for n in matching.match_in_workspace(mapped.ws, mapped.case["A"]).needs for c in n.candidates]
    other = min((c for c in ranked if c.sector not in ("state", "hybrid")), key=matching.rank_key)
    assert other.name == single.candidate.name


def test_filters_by_area_and_need(mapped) -> None:
    assert {c.key[2] for c in compute(mapped, area="御祓").cells} == {"御祓"}
    assert cell_rows(compute(mapped, need="housing_repair"))[0][:2] == ("和倉", "housing_repair")
    assert compute(mapped, need="food").needs_without_capability == []
    with pytest.raises(Exception, match="no area matches"):
        compute(mapped, area="札幌")


def test_cell_cases_and_candidates(mapped) -> None:
    g = compute(mapped)
    key = next(c.key for c in g.cells if c.key[2] == "御祓")
    with mapped.ws.session() as s:
        assert [ref for _, ref, _ in gaps.cell_cases(matching.dbapi(s), key, "housing_repair")] == [mapped.ref["A"]]
    assert [c.acronym for c in g.cell_candidates(key, "housing_repair")] == ["DIST", "MUNI", "PREF"]


def run(capsys, *argv: str) -> tuple[int, dict | str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


def test_match_json_shape(mapped, capsys) -> None:
    mapped.ws.close()  # the CLI opens the file itself
    code, out, _ = run(capsys, "--workspace", str(mapped.path), "--lang", "ja", "match", mapped.ref["A"], "--json")
    assert code == 0
    assert out["case"] == mapped.ref["A"] and [n["category"] for n in out["needs"]] == ["housing_repair", "food"]
    first = out["needs"][0]["candidates"][0]
    assert set(first) == {"name", "acronym", "sector", "serves", "capacity_left", "on_case", "reasons"}
    assert (first["acronym"], first["sector"], first["serves"], first["capacity_left"], first["on_case"]) == (
        "DIST", "third_sector", "district", 2, False)
    assert first["reasons"][0] == "住宅修理に対応可能"  # reasons follow --lang, codes do not
    code, out, _ = run(capsys, "--workspace", str(mapped.path), "match", mapped.ref["A"], "--need", "food",
                       "--json", "--limit", "1")
    assert [n["category"] for n in out["needs"]] == ["food"] and len(out["needs"][0]["candidates"]) == 1


def test_gaps_json_shape_equals_the_service(mapped, capsys) -> None:
    expected = compute(mapped).as_json()
    mapped.ws.close()
    code, out, _ = run(capsys, "--workspace", str(mapped.path), "gaps", "--json")
    assert code == 0 and out == expected
    assert set(out) == {"cells", "needs_without_capability", "idle_organisations", "single_sector_cases"}
    assert {"municipality_code", "municipality", "district", "need", "unmet", "organisations_able",
            "capacity_left"} <= set(out["cells"][0])
    code, text, _ = run(capsys, "--workspace", str(mapped.path), "--lang", "ja", "gaps")
    assert code == 0 and "担い手なし" in text


@pytest.mark.parametrize("argv, message", [
    (("match", "NOPE-9"), "NOPE-9"),
    (("match", "TEST-0003", "--need", "roofing"), "roofing"),
    (("gaps", "--need", "roofing"), "roofing"),
    (("gaps", "--area", "札幌"), "札幌"),
])
def test_bad_input_exits_1_with_one_line(mapped, capsys, argv, message) -> None:
    mapped.ws.close()
    code, out, err = run(capsys, "--workspace", str(mapped.path), *argv)
    assert code == 1 and out == "" and message in err and err.count("\n") == 1


def test_the_counts_read_covering_indexes_not_the_tables(mapped, engine_name) -> None:
    """The speed of ``gaps`` (60,000 cases in well under 1.5 s) rests on its queries reading
    only covering indexes of the big tables, never their rows: SQLite's plans say so."""
    import re
    import sqlite3

    if engine_name != "sqlite":
        pytest.skip("SQLite's query plans (PostgreSQL plans by its own statistics)")
    statements: list[str] = []
    with mapped.ws.session() as s:
        con = matching.dbapi(s)
        assert isinstance(con, sqlite3.Connection)
        con.set_trace_callback(statements.append)
        try:
            gaps.compute_gaps(con)
        finally:
            con.set_trace_callback(None)
        used, row_reads = set(), []
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            for *_, detail in con.execute("EXPLAIN QUERY PLAN " + sql):
                found = re.search(r"USING (COVERING )?INDEX (\w+)", detail)
                big = found and re.match(r"(ix|sqlite_autoindex)_(case|need|task|participation)_", found.group(2))
                if found and found.group(1):
                    used.add(found.group(2))
                elif big and found.group(2) != "ix_participation_filter":  # per organisation, stops at its first row
                    row_reads.append(detail)
                elif re.match(r"SCAN (case|need|task|participation)$", detail):
                    row_reads.append(detail)
    assert not row_reads
    assert {"ix_case_open", "ix_case_not_open", "ix_need_unmet", "ix_participation_sectors", "ix_task_holding",
            "ix_task_holding_case", "ix_task_claim"} <= used


def test_the_commands_read_one_snapshot(mapped, engine_name) -> None:
    """match and gaps read every figure from one snapshot on both engines: a write committed
    between two of their queries does not show in the second (the figures of one answer agree)."""
    import argparse

    from recovery_desk.cli.commands._reading import reading_connection
    from recovery_desk.storage.engines import run_query

    location = mapped.path
    mapped.ws.close()  # the command opens the workspace itself
    if engine_name == "sqlite":
        import sqlite3

        writer = sqlite3.connect(location)
    else:
        import psycopg

        writer = psycopg.connect(str(location))
    unmet = "SELECT count(*) FROM need WHERE state = 'unmet' AND deleted_at IS NULL"
    try:
        with reading_connection(argparse.Namespace(workspace=location)) as con:
            before = run_query(con, unmet).fetchone()[0]
            writer.execute("UPDATE need SET state = 'met' WHERE state = 'unmet'")
            writer.commit()
            assert run_query(con, unmet).fetchone()[0] == before > 0
        with reading_connection(argparse.Namespace(workspace=location)) as con:
            assert run_query(con, unmet).fetchone()[0] == 0  # a new command sees the write
    finally:
        writer.close()
