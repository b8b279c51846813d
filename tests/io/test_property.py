"""Broken, truncated and random files: the importer never crashes (only RecoveryDeskError)
and never leaves a partial write (the workspace file is unchanged after a refusal)."""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.io.importer import ImportOptions, ImportRejected, import_file
from recovery_desk.services.workspace import Workspace
from tests.io.conftest import file_hash

KINDS = ["cases", "organisations", "people", "tasks", "areas", "3w"]
HEADERS = ["氏名", "住所", "電話番号", "世帯人数", "地区", "被害程度", "受付日", "段階", "終結理由", "ニーズ", "団体名",
           "略称", "団体種別", "ケース番号", "件名", "状態", "期限", "市区町村コード", "cid", "pid", "lat", "lng",
           "#org+name", "#sector", "#adm1+name", "Implementing Partner Name", "Cluster", "reference", "同意"]
CELL = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["令和6年1月14日", "R6.13.1", "平成0年1月1日", "2024-02-30", "全壊", "closed", "goals_met",
                     "３", "-1", "1e309", "NaN", "172022", "JP-48", "NANAO-0001", "NANAO-0001", "#org", '"', "\r",
                     "0767-53-1111", "food;health", "魔法", "", " ", "\u200b"]),
)
# The number of examples comes from the hypothesis profile (tests/conftest.py): the same
# examples on every `make test`, many random ones under `make fuzz`.
SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Harness:
    """Each example imports into a fresh copy of one empty workspace, so no example depends
    on what an earlier one imported (a failure found is a failure replayed)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rd-prop-"))
        atexit.register(shutil.rmtree, self.dir, True)
        self.template = self.dir / "template.rdesk"
        Workspace.create(self.template, incident_name="P", start_date=date(2024, 1, 1),
                         reference_prefix="NANAO").close()
        self.ws = self.dir / "p.rdesk"
        self.n = 0

    def feed(self, data: bytes, kind: str, suffix: str = ".csv", **options) -> None:
        self.n += 1
        path = self.dir / f"in{self.n}{suffix}"
        path.write_bytes(data)
        shutil.copyfile(self.template, self.ws)  # the template is closed: a plain copy is a whole workspace
        before = file_hash(self.ws)
        failed = False
        with Workspace.open(self.ws) as ws:
            try:
                import_file(ws, path, ImportOptions(kind, **options))
            except ImportRejected as exc:
                failed = True
                assert exc.problems and all(p.line("ja") and p.line("en") for p in exc.problems)
            except RecoveryDeskError as exc:
                failed = True
                assert exc.message("ja") and exc.message("en")
        if failed:
            assert file_hash(self.ws) == before
        path.unlink()
        self.ws.unlink()

    def refusal(self, data: bytes, kind: str) -> RecoveryDeskError:
        """The error refusing ``data`` (the test fails if it is imported or changes the workspace)."""
        self.n += 1
        path = self.dir / f"in{self.n}.csv"
        path.write_bytes(data)
        shutil.copyfile(self.template, self.ws)
        before = file_hash(self.ws)
        try:
            with Workspace.open(self.ws) as ws:
                import_file(ws, path, ImportOptions(kind))
        except RecoveryDeskError as exc:
            assert file_hash(self.ws) == before
            return exc
        finally:
            path.unlink()
            self.ws.unlink()
        raise AssertionError("the file was imported")


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


@SETTINGS
@given(data=st.binary(max_size=600), kind=st.sampled_from(KINDS))
def test_random_bytes(data: bytes, kind: str) -> None:
    harness("bytes").feed(data, kind)


@SETTINGS
# Pinned: the people importer once raised TypeError on an unknown organisation (issue 10).
@example(header=["氏名", "団体名"], rows=[["田中", "魔法"]], encoding="utf-8", cut=None, kind="people",
         valid_only=False)
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
       rows=st.lists(st.lists(CELL, max_size=7), max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"]),
       cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
       kind=st.sampled_from(KINDS), valid_only=st.booleans())
def test_random_csv(header, rows, encoding, cut, kind, valid_only) -> None:
    data = csv_bytes([header, *rows], encoding)
    if cut is not None:
        data = data[:cut]
    harness("csv").feed(data, kind, valid_only=valid_only)


PLAIN = st.text(alphabet="山田佐藤七尾市御祓町abcXYZ0123456789-", min_size=1, max_size=8)
CASE_HEADERS = ["氏名", "住所", "電話番号", "世帯人数", "地区", "備考", "受付日"]


@SETTINGS
@given(header=st.lists(st.sampled_from(CASE_HEADERS), min_size=2, max_size=5, unique=True),
       rows=st.lists(st.lists(PLAIN, min_size=5, max_size=5), min_size=1, max_size=6), data=st.data())
def test_an_unclosed_quote_is_always_refused_at_its_row(header, rows, data) -> None:
    rows = [r[:len(header)] for r in rows]
    row = data.draw(st.integers(min_value=0, max_value=len(rows) - 1), label="row")
    column = data.draw(st.integers(min_value=0, max_value=len(header) - 1), label="column")
    rows[row][column] = '"' + rows[row][column]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    error = harness("quote").refusal(text.encode("utf-8"), "cases")
    assert f"row {row + 2} (line {row + 2}) opens a quote that is never closed" in error.message("en")


@SETTINGS
@given(header=st.lists(st.sampled_from(CASE_HEADERS), min_size=2, max_size=5, unique=True),
       rows=st.lists(st.lists(PLAIN, min_size=5, max_size=5), min_size=1, max_size=6), data=st.data())
def test_a_repeated_header_is_always_named(header, rows, data) -> None:
    rows = [r[:len(header)] for r in rows]
    at = data.draw(st.integers(min_value=0, max_value=len(rows)), label="at")
    rows.insert(at, list(header))
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    error = harness("header").refusal(text.encode("utf-8"), "cases")
    assert isinstance(error, ImportRejected)
    assert (at + 2, "this row repeats the header row (row {header}); remove it") in [
        (p.row, p.msgid) for p in error.problems]


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["氏名", "受付日", "世帯人数"])
    for i in range(30):
        book.active.append([f"名前{i}", "令和6年1月14日", i % 5 + 1])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


XLSX = _xlsx()


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=len(XLSX)), flip=st.integers(min_value=0, max_value=len(XLSX) - 1))
def test_truncated_or_damaged_xlsx(cut: int, flip: int) -> None:
    data = bytearray(XLSX)
    data[flip] ^= 0x55
    harness("xlsx").feed(bytes(data[:cut] if cut < len(data) else data), "cases", suffix=".xlsx")


@functools.cache
def harness(name: str) -> Harness:
    """One workspace per test function, made on first use (hypothesis runs many examples)."""
    return Harness()
