"""Import cases, organisations, people, tasks and areas from CSV and XLSX files.

All or nothing: the whole file is read and validated first; every problem is reported
with its row, column, value and reason; nothing is written unless the file is valid, or
the user asked for the valid rows only (the operation is then named ``import_<kind>_valid_only``
in the audit trail). The rows are written in ONE operation (one transaction, the normal
audit trail) with ``Operation.add_many`` in batches; between batches the job's progress
object is told, and a cancel there rolls everything back.

Case locations: the prefecture / municipality / code / district columns name an area
(created once when missing; a district inherits its municipality's names and codes).
Without such columns, the municipality is read from the start of the address among the
municipalities in the workspace (import the municipality list first), when unambiguous.

Values are converted once per distinct value in a column (a 100,000-row file has few
distinct dates, stages or districts), so validation costs little more than parsing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import Vocabulary, derive_sector
from recovery_desk.i18n import tr
from recovery_desk.io import normalise as norm
from recovery_desk.io.fields import FIELDS, KINDS, FieldSpec, field_names, guess_field
from recovery_desk.io.orgtypes import DEFAULT_AXES, lookup_org_type
from recovery_desk.io.tables import Grid, ImportFileError, read_grid
from recovery_desk.services.sync.identity import numbering
from recovery_desk.services.tasks import POSITION_GAP
from recovery_desk.services.validation import control_character, shown_safely
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    Consent,
    Incident,
    Membership,
    Need,
    Organisation,
    Participation,
    Person,
    ServiceArea,
    Task,
    new_id,
    new_ids,
    utcnow,
)

BATCH = 5000
_BLANK = " \t\r\n\u3000\u200b\ufeff\xa0"
HEADER_SCAN_ROWS = 30
IGNORE = "-"


class ProgressLike(Protocol):
    def report(self, done: int, total: int, text: str = "") -> None: ...


class ImportProblem:
    """One problem in one cell: row (as Excel numbers it), column, value, why (a msgid)."""

    def __init__(self, message: str, /, *, row: int, column: str, value: object = "", **params: object):
        self.msgid = message
        self.row = row
        self.column = column
        self.value = "" if value is None else str(value)
        self.params = params

    def why(self, lang: str | None = None) -> str:
        params = dict(self.params)
        if "vocab" in params:  # the allowed values, in the reader's language
            from recovery_desk.domain.vocabulary import ALL_VOCABULARIES
            from recovery_desk.i18n import current_language

            name = params.pop("vocab")
            vocab = next(v for v in ALL_VOCABULARIES if v.name == name)
            shown_lang = lang or current_language()
            params["allowed"] = ", ".join(vocab.codes if shown_lang == "en" else [t.ja for t in vocab])
        return tr(self.msgid, lang, value=self.value, **params)

    def line(self, lang: str | None = None) -> str:
        return tr("row {row}, column '{column}', value '{value}': {why}", lang, row=self.row, column=self.column,
                  value=self.value[:80], why=self.why(lang))

    def __repr__(self) -> str:
        return f"ImportProblem({self.line('en')!r})"


class ImportRejected(RecoveryDeskError):
    """The file has problems and nothing was written; ``problems`` lists them."""

    def __init__(self, path: Path | str, problems: list[ImportProblem]):
        super().__init__("{path}: {count} problem(s) found; nothing was imported", path=path, count=len(problems))
        self.problems = problems


@dataclass
class Note:
    """Something the user should know that is not an error (a duplicate skipped…)."""

    row: int
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def line(self, lang: str | None = None) -> str:
        return tr("row {row}: {what}", lang, row=self.row, what=tr(self.msgid, lang, **self.params))


@dataclass
class ImportOptions:
    kind: str
    mapping: dict[str, str] = field(default_factory=dict)  # source column -> field ('-' ignores it)
    encoding: str = "auto"
    sheet: str | None = None
    valid_only: bool = False
    dry_run: bool = False


@dataclass
class SourceTable:
    """A file read and its columns mapped: what the preview and the validation work on."""

    path: Path
    grid: Grid
    header_index: int  # 0-based index of the header row in the grid
    headers: list[str]
    mapping: dict[int, str]  # column index -> field
    ignored: list[tuple[str, str]]  # (column, reason msgid)

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    def column_name(self, index: int) -> str:
        return self.headers[index] or column_letter(index)

    def data_frame(self):
        return self.grid.frame.iloc[self.header_index + 1:]

    def preview(self, rows: int = 20) -> list[list[str]]:
        return self.data_frame().head(rows).values.tolist()


@dataclass
class ImportResult:
    kind: str
    path: Path
    total_rows: int = 0
    empty_rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # entity -> rows created (or to create)
    skipped_rows: int = 0  # rows with problems left out (valid-only)
    duplicates: int = 0
    written: bool = False
    operation: str = ""
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    mapping: dict[str, str] = field(default_factory=dict)
    changes: Any = None
    dry_run: bool = False
    valid_only: bool = False
    opened_before_start: Any = None  # services.incident.OpenedBeforeStart: the start looks wrong

    @property
    def would_be_refused(self) -> bool:
        """A dry run of a file the real import (without --valid-only) would refuse as a whole."""
        return self.dry_run and not self.valid_only and bool(self.problems)

    def summary(self, lang: str | None = None) -> str:
        from recovery_desk.i18n import current_language

        lang = lang or current_language()
        what = ", ".join(f"{entity_label(e, lang)} {n}" for e, n in self.counts.items() if n) or tr("nothing", lang)
        if self.would_be_refused:
            # The real import writes nothing at all then: saying "skipped" would promise the other rows.
            lines = [tr("The import of {path} would be refused: {invalid} rows have problems; without them it "
                        "would import {what} (fix them, or import the valid rows only)", lang, path=self.path,
                        invalid=self.skipped_rows, what=what),
                     tr("{rows} data rows, {empty} empty rows skipped, {duplicates} duplicates skipped", lang,
                        rows=self.total_rows, empty=self.empty_rows, duplicates=self.duplicates)]
            return "\n".join(lines)
        key = "Would import from {path}: {what}" if self.dry_run else "Imported from {path}: {what}"
        lines = [tr(key, lang, path=self.path, what=what)]
        lines.append(tr("{rows} data rows, {empty} empty rows skipped, {duplicates} duplicates skipped, "
                        "{invalid} rows with problems skipped", lang, rows=self.total_rows, empty=self.empty_rows,
                        duplicates=self.duplicates, invalid=self.skipped_rows))
        return "\n".join(lines)

    def problem_line(self, problem: ImportProblem, lang: str | None = None) -> str:
        """One problem as the CLI prints it: skipped (valid-only, or after a real import) or refusing."""
        key = "would refuse the file: {line}" if self.would_be_refused else "skipped: {line}"
        return tr(key, lang, line=problem.line(lang))


ENTITY_LABELS = {
    "case": "cases", "need": "needs", "consent": "consents", "area": "areas", "organisation": "organisations",
    "capability": "capabilities", "service_area": "service areas", "person": "people",
    "membership": "memberships", "task": "tasks", "participation": "participations",
}


def entity_label(entity: str, lang: str | None = None) -> str:
    labels = {
        "case": tr("cases", lang), "need": tr("needs", lang), "consent": tr("consents", lang),
        "area": tr("areas", lang), "organisation": tr("organisations", lang),
        "capability": tr("capabilities", lang), "service_area": tr("service areas", lang),
        "person": tr("people", lang), "membership": tr("memberships", lang), "task": tr("tasks", lang),
        "participation": tr("participations", lang),
    }
    return labels.get(entity, entity)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# -- reading and mapping -------------------------------------------------------------------
def load_source(path: Path | str, options: ImportOptions, require_mapping: bool = True) -> SourceTable:
    """Read the file, find the header row and map the columns (automatic + explicit)."""
    if options.kind not in KINDS:
        raise ImportFileError("unknown import kind '{kind}' (choose from {kinds})", kind=options.kind,
                              kinds=", ".join((*KINDS, "3w")))
    path = Path(path)
    grid = read_grid(path, options.encoding, options.sheet)
    table = map_columns(path, grid, options.kind, options.mapping, require_mapping)
    if require_mapping and not options.mapping:  # columns the user maps by hand are the user's choice
        check_kind(path, grid, options.kind, [table.column_name(i) for i in table.mapping], table.header_row)
    return table


def kind_fit(grid: Grid, kind: str) -> list[str]:
    """The columns of the header row (as this kind finds it) that give a field of ``kind``,
    one per field."""
    header_index = find_header_row(grid, kind, set())
    given: dict[str, str] = {}
    for header in (norm.fold_width(h) for h in grid.row_values(header_index)) if grid.rows else ():
        guess = guess_field(kind, header)
        if guess is not None:
            given.setdefault(guess[0], header)
    return list(given.values())


def check_kind(path: Path, grid: Grid, kind: str, own: list[str], header_row: int) -> None:
    """Refuse a file of another kind (a household list imported as areas): another kind
    recognises at least twice as many of its columns, and at least two more. A file that
    merely shares some columns (a shelter list has districts and addresses) is not refused."""
    for other in KINDS:
        if other == kind:
            continue
        theirs = kind_fit(grid, other)
        if len(theirs) >= max(2 * len(own), len(own) + 2):
            raise ImportFileError(
                "{path} looks like a file of {other}, not of {kind}: of its columns (header on row {row}), "
                "{theirs} give fields of {other} ({their_columns}) and {ours} give fields of {kind} "
                "({our_columns}); choose 'import {other}', or map the columns with --map COLUMN=FIELD",
                path=path, other=other, kind=kind, row=header_row, theirs=len(theirs),
                their_columns=", ".join(theirs), ours=len(own), our_columns=", ".join(own) or "-")


def map_columns(path: Path, grid: Grid, kind: str, explicit: dict[str, str], require_mapping: bool = True) -> SourceTable:
    names = set(field_names(kind))
    for source, target in explicit.items():
        if target not in names and target != IGNORE:
            raise ImportFileError("--map {source}={target}: '{target}' is not a field of {kind} (fields: {fields})",
                                  source=source, target=target, kind=kind, fields=", ".join(sorted(names)))
    explicit_keys = {norm.header_key(k): v for k, v in explicit.items()}
    header_index = find_header_row(grid, kind, set(explicit_keys))
    raw_headers = grid.row_values(header_index) if grid.rows else []
    headers = [norm.fold_width(h) for h in raw_headers]
    mapping: dict[int, str] = {}
    ranks: dict[str, tuple[int, int]] = {}  # field -> (rank, column)
    ignored: list[tuple[str, str]] = []
    matched_sources: set[str] = set()
    for index, header in enumerate(headers):
        key = norm.header_key(header)
        target = explicit.get(header) or explicit.get(raw_headers[index]) or explicit_keys.get(key)
        if target is None and header == "" and column_letter(index) in explicit:
            target = explicit[column_letter(index)]
        if target is not None:
            matched_sources.update(s for s in explicit if s in (header, raw_headers[index], column_letter(index))
                                   or norm.header_key(s) == key)
            if target == IGNORE:
                ignored.append((header or column_letter(index), "ignored (--map)"))
                continue
            rank = (-1, index)
        else:
            guess = guess_field(kind, header)
            if guess is None:
                if header:
                    ignored.append((header, "no matching field"))
                continue
            target, rank = guess[0], (guess[1], index)
        previous = ranks.get(target)
        if previous is None or rank < previous:
            if previous is not None:
                del mapping[previous[1]]
                ignored.append((headers[previous[1]], "another column gives the same field"))
            mapping[index] = target
            ranks[target] = rank
        else:
            ignored.append((header, "another column gives the same field"))
    unknown = [s for s in explicit if s not in matched_sources]
    if unknown:
        raise ImportFileError("--map: no column named {columns} in {path} (columns: {available})",
                              columns=", ".join(f"'{u}'" for u in unknown), path=path,
                              available=", ".join(h for h in headers if h))
    if not mapping and require_mapping:
        raise ImportFileError(
            "no column of {path} matches a field of {kind}; map columns with --map COLUMN=FIELD (fields: {fields})",
            path=path, kind=kind, fields=", ".join(field_names(kind)))
    return SourceTable(path, grid, header_index, headers, mapping, ignored)


def find_header_row(grid: Grid, kind: str, extra_keys: set[str]) -> int:
    """The row among the first ones whose cells best match known column names."""
    known = {k for f in FIELDS[kind] for k in f.keys} | extra_keys
    best, best_score = 0, 0
    frame = grid.frame
    for index in range(min(HEADER_SCAN_ROWS, len(frame))):
        score = sum(1 for v in frame.iloc[index].tolist() if norm.header_key(v) in known)
        if score > best_score:
            best, best_score = index, score
    return best


# -- converting values ---------------------------------------------------------------------
class Bad(Exception):
    def __init__(self, msgid: str, **params: object):
        self.msgid = msgid
        self.params = params


# What the conversion of these field types does first, done a column at a time (each
# step is idempotent, so a value prepared here converts as it would on its own).
PREPARED = {"phone": norm.normalise_phone_many, "email": norm.nfkc_many, "int": norm.nfkc_many,
            "float": norm.nfkc_many, "date": norm.nfkc_many}
_PHONE = re.compile(r"[0-9+()\-\s#*内線,ext.x]+", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _vocab(vocab: Vocabulary, text: str) -> str:
    code = vocab.lookup(text) or vocab.lookup(norm.nfkc(text))
    if code is None:
        raise Bad("not one of: {allowed} (give a code, or its English or Japanese label)", vocab=vocab.name)
    return code


# "住宅修理:20" / "housing repair: 20" / "住宅修理：２０": a capability with its capacity (cases).
_CAPACITY = re.compile(r"^(?P<label>.*?)\s*[:：]\s*(?P<capacity>[^:：]+)$")


def _capability(vocab: Vocabulary, part: str) -> tuple[str, int | None]:
    """A need category and its optional capacity, from one item of a capabilities cell."""
    found = _CAPACITY.match(part)
    if found is None:
        return _vocab(vocab, part), None
    category = _vocab(vocab, found["label"])
    try:
        capacity = norm.parse_int(found["capacity"])
    except ValueError:
        raise Bad("capacity '{capacity}' is not a whole number (e.g. 住宅修理:20)", capacity=found["capacity"]) from None
    if capacity < 0:
        raise Bad("capacity '{capacity}' is not a whole number (e.g. 住宅修理:20)", capacity=found["capacity"])
    return category, capacity


def control_problem(spec: FieldSpec, raw: str) -> Bad | None:
    """A control character the field may not hold (the services' rule, services/validation.py),
    looked for in the cell as written: the width folding would silently drop some of them."""
    found = control_character(raw.strip(), spec.name)
    if found is None:
        return None
    return Bad("contains the control character {code} at position {position}; remove it",
               code=found[0], position=found[1])


def convert(spec: FieldSpec, raw: str) -> Any:
    """One cell's value; raises Bad with the reason."""
    problem = control_problem(spec, raw)
    if problem is not None:
        raise problem
    return convert_folded(spec, norm.fold_width(raw))


def convert_folded(spec: FieldSpec, text: str, prepared: bool = False) -> Any:
    """A value from a cell already passed through ``fold_width`` (and through its type's
    PREPARED step when ``prepared``); raises Bad with the reason."""
    if not text:
        return None
    t = spec.type
    if t == "text":
        if len(text) > spec.max_length:
            raise Bad("too long ({length} characters, at most {max})", length=len(text), max=spec.max_length)
        return text
    if t == "phone":
        value = text if prepared else norm.normalise_phone(text)
        if len(value) > spec.max_length or not _PHONE.fullmatch(value):
            raise Bad("not a phone number")
        return value
    if t == "email":
        value = norm.nfkc(text)
        if len(value) > spec.max_length or not _EMAIL.fullmatch(value):
            raise Bad("not an e-mail address")
        return value
    if t == "int":
        try:
            number = norm.parse_int(text)
        except ValueError:
            raise Bad("not a whole number") from None
        if spec.minimum is not None and number < spec.minimum or spec.maximum is not None and number > spec.maximum:
            raise Bad("must be between {low} and {high}", low=int(spec.minimum or 0), high=int(spec.maximum or 0))
        return number
    if t == "float":
        try:
            number = norm.parse_float(text)
        except ValueError:
            raise Bad("not a number") from None
        if not (spec.minimum <= number <= spec.maximum):  # type: ignore[operator]
            raise Bad("must be between {low} and {high}", low=spec.minimum, high=spec.maximum)
        return number
    if t == "date":
        try:
            return norm.parse_date(text)
        except norm.DateFormatError as exc:
            raise Bad(exc.reason, **exc.params) from None
    if t == "vocab":
        assert spec.vocab is not None
        return _vocab(spec.vocab, text)
    if t == "vocab_list":
        assert spec.vocab is not None
        return list(dict.fromkeys(_vocab(spec.vocab, part) for part in norm.split_list(text)))
    if t == "capability_list":
        assert spec.vocab is not None
        found: dict[str, int | None] = {}
        for part in norm.split_list(text):
            category, capacity = _capability(spec.vocab, part)
            found.setdefault(category, capacity)
        return list(found.items())
    if t == "list":
        return list(dict.fromkeys(norm.split_list(text)))
    if t == "lgcode6":
        try:
            return norm.lgcode6(text)
        except ValueError:
            raise Bad("not a 6-digit local-government code (check digit wrong?)") from None
    if t == "lgcode5":
        try:
            return norm.lgcode_from5(text)
        except ValueError:
            raise Bad("not a 5-digit local-government code") from None
    if t == "prefcode":
        try:
            return norm.prefecture_code(text)
        except ValueError:
            raise Bad("not a prefecture code (JP-01 … JP-47 or 1 … 47)") from None
    if t == "org_type":
        code = lookup_org_type(text)
        if code is None:
            raise Bad("not an organisation type (a type code, its label, or an HDX type code such as 441)")
        return code
    raise AssertionError(t)


@dataclass
class Columns:
    """The converted values of the mapped columns, row by row."""

    rows: list[int]  # Excel row numbers of the non-empty data rows
    values: dict[str, list[Any]]
    raw: dict[str, list[str]]
    column_of: dict[str, str]
    bad: dict[int, list[ImportProblem]]  # position -> problems
    empty_rows: int

    def get(self, name: str, pos: int) -> Any:
        column = self.values.get(name)
        return None if column is None else column[pos]

    def problem(self, pos: int, name: str, msgid: str, /, **params: object) -> None:
        # Positional-only: the message's own parameters may be called "name" ("no organisation '{name}'").
        value = self.raw[name][pos] if name in self.raw else ""
        self.bad.setdefault(pos, []).append(ImportProblem(msgid, row=self.rows[pos],
                                                          column=self.column_of.get(name, name), value=value,
                                                          **params))


def convert_columns(table: SourceTable, kind: str) -> Columns:
    """Every mapped cell converted, and every problem found, a column at a time.

    Each column is factorised (pandas, in C) into its distinct values and a code per row;
    only the distinct values are folded, checked and converted, and the results are
    spread back over the rows by their codes. A 100,000-row file has few distinct dates,
    stages or districts, and names are folded in one pass over the joined column.
    """
    import numpy as np
    import pandas as pd

    frame = table.data_frame()
    specs = {f.name: f for f in FIELDS[kind]}
    factorised = {c: pd.factorize(frame[c].to_numpy(dtype=object)) for c in frame.columns}
    # Empty rows: every cell blank (also cells of unmapped columns), after width folding.
    filled = np.zeros(len(frame), dtype=bool)
    for codes, uniques in factorised.values():
        blank = np.fromiter((not str(u).strip(_BLANK) for u in uniques), dtype=bool, count=len(uniques))
        filled |= ~blank[codes]
    positions = np.flatnonzero(filled)
    first_row = table.header_index + 2
    rows = (positions + first_row).tolist()
    empty = len(frame) - len(positions)
    values: dict[str, list[Any]] = {}
    raw: dict[str, list[str]] = {}
    column_of: dict[str, str] = {}
    bad: dict[int, list[ImportProblem]] = {}
    for index, name in table.mapping.items():
        spec = specs[name]
        codes, uniques = factorised[index]
        codes = codes[positions]
        column = table.column_name(index)
        column_of[name] = column
        converted = np.empty(len(uniques), dtype=object)
        failed: dict[int, Bad] = {}
        originals = [str(u) for u in uniques]
        texts = norm.fold_width_many(originals)
        prepare = PREPARED.get(spec.type)
        if prepare is not None:
            texts = prepare(texts)
        if spec.type == "text":  # names, addresses: as many distinct values as rows
            converted[:] = [t or None for t in texts]
            failed = {code: Bad("too long ({length} characters, at most {max})", length=len(t), max=spec.max_length)
                      for code, t in enumerate(texts) if len(t) > spec.max_length}
        else:
            for code, text in enumerate(texts):
                try:
                    converted[code] = convert_folded(spec, text, prepared=prepare is not None)
                except Bad as exc:
                    failed[code] = exc
        if control_character("".join(originals), spec.name):  # rare: then cell by cell
            for code, original in enumerate(originals):
                problem = control_problem(spec, original)
                if problem is not None:
                    failed[code] = problem
        for code in failed:
            converted[code] = None
        if failed:
            for pos in np.flatnonzero(np.isin(codes, list(failed))).tolist():
                exc = failed[int(codes[pos])]
                value = uniques[codes[pos]]
                bad.setdefault(pos, []).append(ImportProblem(
                    exc.msgid, row=rows[pos], column=column,
                    value=shown_safely(value) if isinstance(value, str) else value, **exc.params))
        values[name] = converted[codes].tolist()
        raw[name] = uniques[codes].tolist()
    for name, spec in specs.items():
        if spec.required and name not in values:
            label = name
            raise ImportFileError("{path}: no column gives the required field '{field}'; map one with --map COLUMN={field}",
                                  path=table.path, field=label)
    if not rows:
        raise ImportFileError("{path}: no data rows below the header (row {row}); nothing to import",
                              path=table.path, row=table.header_row)
    first = min(table.mapping)
    for pos in repeated_header_rows(table, kind, factorised, positions):
        # The header again: that is the row's only problem (its "values" are column names).
        bad[pos] = [ImportProblem("this row repeats the header row (row {header}); remove it", row=rows[pos],
                                  column=table.column_name(first), value=raw[table.mapping[first]][pos],
                                  header=table.header_row)]
    return Columns(rows, values, raw, column_of, bad, empty)


def repeated_header_rows(table: SourceTable, kind: str, factorised: dict, positions: Any) -> list[int]:
    """Positions of data rows that are the header again (two sheets pasted one under the
    other): every mapped column holds a name of its own field (the header's text or another
    alias: 氏名 under "name"), with at least two such columns, or the whole row equals the
    header row.

    A row qualifies only if every one of those columns qualifies, so the columns are looked
    at fewest distinct values first and only the rows still in question are kept: in a
    normal file the first column (a stage, a district) already leaves none, and names and
    addresses (one distinct value per row) are never looked at.
    """
    import numpy as np

    def rows_where(tests: list[tuple[int, Callable[[str], bool]]]) -> np.ndarray:
        candidates = np.arange(len(positions))
        for index, passes in sorted(tests, key=lambda t: len(factorised[t[0]][1])):
            codes, uniques = factorised[index]
            at = codes[positions[candidates]]
            good = [code for code in np.unique(at).tolist() if passes(str(uniques[code]))]
            candidates = candidates[np.isin(at, good)]
            if not len(candidates):
                break
        return candidates

    if not len(positions):
        return []
    names_field: list[tuple[int, Callable[[str], bool]]] = []
    for index, name in table.mapping.items():
        header = norm.header_key(table.headers[index])
        if header:
            keys = {header, *next(f.keys for f in FIELDS[kind] if f.name == name)}
            names_field.append((index, partial(_names_one_of, keys)))
    same_as_header = [(index, partial(_is_text, table.headers[index].strip(_BLANK)))
                      for index in factorised if index < len(table.headers)]
    repeated = set(rows_where(same_as_header).tolist())
    if len(names_field) >= 2:
        repeated.update(rows_where(names_field).tolist())
    return sorted(repeated)


def _names_one_of(keys: set[str], text: str) -> bool:
    return norm.header_key(text) in keys


def _is_text(expected: str, text: str) -> bool:
    return norm.fold_width(text).strip(_BLANK) == expected


# -- building rows -------------------------------------------------------------------------
@dataclass
class Plan:
    """Rows ready for the bulk writes, and what was found on the way. Rows come one
    dictionary each (``rows``), or a column at a time (``columns``: the many rows of a
    cases file, where a dictionary per row would be the largest cost of planning)."""

    rows: dict[type, list[dict[str, Any]]] = field(default_factory=dict)
    columns: dict[type, dict[str, list[Any]]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    duplicates: int = 0

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows.setdefault(model, []).append(row)

    def count(self, model: type) -> int:
        block = self.columns.get(model)
        return len(self.rows.get(model, ())) + (len(next(iter(block.values()))) if block else 0)

    def counts(self) -> dict[str, int]:
        models = dict.fromkeys([*self.rows, *self.columns])
        return {m.__tablename__: n for m in models if (n := self.count(m))}  # type: ignore[attr-defined]


_SPACES = re.compile(r"\s+")
_PREFECTURE_RE = re.compile(r"^(東京都|北海道|京都府|大阪府|.{2,3}県)")
def key_text(value: Any) -> str:
    """A value reduced for duplicate detection: NFKC, no spaces, case-folded."""
    return _key(str(value or ""))


def key_text_many(values: list[Any]) -> list[str]:
    """``key_text`` of each value, a column at a time (one pass over the joined values)."""
    texts = [str(v or "") for v in values]
    joined = norm.CELL_SEPARATOR.join(texts)
    if not texts or joined.count(norm.CELL_SEPARATOR) != len(texts) - 1:
        return [_key(t) for t in texts]
    return _key(joined).split(norm.CELL_SEPARATOR)


def _key(text: str) -> str:
    text = norm.full_width_to_ascii(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text).casefold()


class AreaIndex:
    """Live areas by code, name and district; new areas are created once per import."""

    def __init__(self, session: Session, plan: Plan):
        self.plan = plan
        self.by_key: dict[tuple[str, str, str], str] = {}
        self.by_code: dict[tuple[str, str], str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        self.by_district: dict[str, set[str]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        for a in session.scalars(select(Area).where(Area.deleted_at.is_(None))):
            self._index(a.id, a.values())

    def _index(self, area_id: str, v: dict[str, Any]) -> None:
        self.rows[area_id] = v
        district = key_text(v["district"])
        self.by_key.setdefault((key_text(v["prefecture"]), v["municipality_code"] or key_text(v["municipality"]),
                                district), area_id)
        if v["municipality_code"]:
            self.by_code.setdefault((v["municipality_code"], district), area_id)
        if v["municipality"]:
            self.by_name.setdefault((key_text(v["municipality"]), district), area_id)
        if district:
            self.by_district.setdefault(district, set()).add(area_id)

    def has_municipalities(self) -> bool:
        return bool(self._municipalities())

    def _municipalities(self) -> dict[str, dict[str, str]]:
        """Municipality-level areas: name key -> prefecture key -> area id (built once)."""
        if not hasattr(self, "_munis"):
            self._munis: dict[str, dict[str, str]] = {}
            for area_id, v in self.rows.items():
                if v["municipality"] and not v["district"]:
                    self._munis.setdefault(key_text(v["municipality"]), {}).setdefault(
                        key_text(v["prefecture"]), area_id)
        return self._munis

    def from_address(self, address: str) -> str | None:
        """The municipality an address starts with (after its prefecture), when it is known
        and unambiguous: 石川県七尾市御祓町1-2 → 七尾市."""
        munis = self._municipalities()
        text = key_text(address)
        m = _PREFECTURE_RE.match(text)
        prefecture, rest = (m.group(0), text[m.end():]) if m else ("", text)
        for length in range(min(len(rest), 12), 1, -1):
            found = munis.get(rest[:length])
            if found:
                if prefecture:
                    return found.get(prefecture)
                return next(iter(found.values())) if len(found) == 1 else None
        return None

    def find(self, v: dict[str, Any]) -> str | None:
        district = key_text(v.get("district"))
        code = v.get("municipality_code") or ""
        if code:
            return self.by_code.get((code, district))
        if v.get("municipality"):
            return self.by_name.get((key_text(v["municipality"]), district))
        if district:
            found = self.by_district.get(district, set())
            return next(iter(found)) if len(found) == 1 else None
        return self.by_key.get((key_text(v.get("prefecture")), "", ""))

    def resolve(self, v: dict[str, Any]) -> str | None:
        """The area a row names, created (once) when missing; None when the row names none."""
        if not any(v.get(k) for k in ("prefecture", "prefecture_code", "municipality", "municipality_code",
                                      "district")):
            return None
        found = self.find(v)
        if found:
            return found
        row = {k: v.get(k) or "" for k in ("prefecture", "prefecture_code", "municipality", "municipality_code",
                                           "district", "kana")}
        row.update(latitude=v.get("latitude"), longitude=v.get("longitude"))
        # A district of a known municipality inherits the municipality's names and codes.
        if row["district"] and (row["municipality_code"] or row["municipality"]):
            parent = self.find({**row, "district": ""})
            if parent:
                p = self.rows[parent]
                for k in ("prefecture", "prefecture_code", "municipality", "municipality_code"):
                    row[k] = row[k] or p[k]
        if not (row["prefecture"] or row["municipality"] or row["district"]):
            row["municipality"] = row["municipality_code"] or row["prefecture_code"]
        row["id"] = new_id()
        self.plan.add(Area, row)
        self._index(row["id"], row)
        return row["id"]


def _location(cols: Columns, pos: int) -> dict[str, Any]:
    v = {k: cols.get(k, pos) for k in ("prefecture", "prefecture_code", "municipality", "municipality_code",
                                         "district", "kana", "latitude", "longitude")}
    code5 = cols.get("municipality_code5", pos)
    if code5 and not v["municipality_code"]:
        v["municipality_code"] = code5
    elif code5 and v["municipality_code"] != code5:
        cols.problem(pos, "municipality_code5", "does not match the 6-digit code {code} of the same row",
                     code=v["municipality_code"])
    return v


def build_cases(session: Session, cols: Columns, plan: Plan, now: datetime) -> None:
    incident = session.scalars(select(Incident).where(Incident.deleted_at.is_(None))
                               .order_by(Incident.created_at)).first()
    if incident is None:
        raise ImportFileError("the workspace has no incident to import cases into")
    incident_id, prefix = incident.id, incident.reference_prefix
    ref_re = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    existing_refs = set(session.scalars(select(Case.reference).where(Case.incident_id == incident_id)))
    known = session.execute(select(Case.contact_name, Case.address).where(
        Case.deleted_at.is_(None), Case.contact_name != "", Case.address != "")).all()
    existing_people = set(zip(key_text_many([n for n, _ in known]), key_text_many([a for _, a in known]),
                              strict=True))
    # New references are unique across laptops (services/sync/identity.py).
    seq, issue, plain = numbering(session, incident)
    # Sequences of references given in the file are kept; new references continue after them.
    for ref in cols.values.get("reference", []) if plain else ():
        m = ref_re.match(ref or "")
        if m:
            seq = max(seq, int(m.group(1)))
    areas = AreaIndex(session, plan)
    area_cache: dict[tuple, str | None] = {}
    seen_refs: dict[str, int] = {}
    seen_people: dict[tuple[str, str], int] = {}
    today = date.today()
    n = len(cols.rows)
    none = [None] * n
    v = {name: cols.values.get(name, none) for name in (
        "reference", "contact_name", "contact_phone", "address", "latitude", "longitude", "household_size",
        "vulnerable_members", "damage_level", "flood_level", "support_class", "stage", "closure_reason",
        "priority", "notes", "opened_on", "closed_on", "needs", "consent_scope", "consent_given_on",
        "vulnerable_categories")}
    names, addresses, references = v["contact_name"], v["address"], v["reference"]
    # Computed a column at a time: the row loop below is the import's hot path.
    name_keys, address_keys = key_text_many(names), key_text_many(addresses)
    location_fields = [f for f in ("prefecture", "prefecture_code", "municipality", "municipality_code",
                                   "municipality_code5", "district") if f in cols.values]
    location_keys = list(zip(*(cols.values[f] for f in location_fields), strict=True)) if location_fields else None
    # A file naming districts but no municipality: the municipality comes from the address
    # (七尾市府中町… → 七尾市) when the workspace knows it, so the district gets its codes.
    municipality_from_address = (bool(location_fields) and areas.has_municipalities() and not any(
        f in location_fields for f in ("municipality", "municipality_code", "municipality_code5")))
    case_ids = iter(new_ids(n))
    new_consent = plan.rows.setdefault(Consent, [])
    # The rows kept, a column at a time: what the loop decides, then the rest by position.
    kept: list[int] = []
    decided: dict[str, list[Any]] = {k: [] for k in (
        "id", "reference", "sequence", "area_id", "stage", "closure_reason", "opened_on", "closed_on")}
    (ids_, refs_, numbers_, areas_, stages_, closures_, opened_, closed_) = decided.values()
    need_case: list[str] = []
    need_category: list[str] = []
    need_state: list[str] = []
    bad = cols.bad
    for pos, row in enumerate(cols.rows):
        if pos in bad:
            continue
        reference = references[pos]
        if reference and (reference in existing_refs or reference in seen_refs):
            where = seen_refs.get(reference)
            plan.notes.append(Note(row, "duplicate of case {reference} already in the workspace" if where is None
                                   else "duplicate of row {other} (same reference {reference}); skipped",
                                   {"reference": reference, "other": where}))
            plan.duplicates += 1
            continue
        name, address = names[pos], addresses[pos]
        person = (name_keys[pos], address_keys[pos]) if name and address else None
        if person is not None and (person in existing_people or person in seen_people):
            where = seen_people.get(person)
            plan.notes.append(Note(row, "same name and address as a case already in the workspace; skipped"
                                   if where is None else "same name and address as row {other}; skipped",
                                   {"other": where}))
            plan.duplicates += 1
            continue
        stage = v["stage"][pos] or "identified"
        closure = v["closure_reason"][pos]
        if stage == "closed" and not closure:
            cols.problem(pos, "stage", "a closed case needs a closure reason (add a closure_reason column)")
            continue
        if stage != "closed" and closure:
            cols.problem(pos, "closure_reason", "a closure reason is only given for a closed case")
            continue
        opened = v["opened_on"][pos] or today
        closed_on = v["closed_on"][pos] if stage == "closed" else None
        if stage == "closed" and closed_on is None:
            closed_on = max(opened, today)
        if closed_on and closed_on < opened:
            cols.problem(pos, "closed_on", "the case closes before it opens")
            continue
        area_id = None
        if location_keys is not None:
            municipality = areas.from_address(address) if municipality_from_address and address else None
            key = (location_keys[pos], municipality)
            if key in area_cache:
                area_id = area_cache[key]
            else:
                location = _location(cols, pos)
                if municipality is not None:
                    location.update({k: areas.rows[municipality][k] for k in (
                        "prefecture", "prefecture_code", "municipality", "municipality_code")})
                area_id = areas.resolve(location)
                if pos in bad:
                    continue
                area_cache[key] = area_id
        elif address and areas.has_municipalities():
            area_id = areas.from_address(address)
        m = ref_re.match(reference) if reference else None
        if m:
            number = int(m.group(1))
        else:
            seq += 1
            number = seq
            reference = reference or issue(number)
        seen_refs[reference] = row
        if person is not None:
            seen_people[person] = row
        cid = next(case_ids)
        kept.append(pos)
        ids_.append(cid)
        refs_.append(reference)
        numbers_.append(number)
        areas_.append(area_id)
        stages_.append(stage)
        closures_.append(closure)
        opened_.append(opened)
        closed_.append(closed_on)
        needs = v["needs"][pos]
        if needs:
            state = "met" if stage == "closed" else "unmet"
            for category in needs:
                need_case.append(cid)
                need_category.append(category)
                need_state.append(state)
        scope = v["consent_scope"][pos]
        if scope:
            given = scope != "none"
            new_consent.append(dict(id=new_id(), case_id=cid, given=given, scope=scope,
                                    given_on=(v["consent_given_on"][pos] or opened) if given else None,
                                    expires_on=None, recorded_by=""))
    if not kept:
        return
    texts = ("address", "contact_name", "contact_phone", "vulnerable_members", "notes")
    plain = ("latitude", "longitude", "household_size", "damage_level", "flood_level", "support_class")
    plan.columns[Case] = {
        **decided, "incident_id": [incident_id] * len(kept), "last_activity_at": [now] * len(kept),
        **{k: [v[k][p] or "" for p in kept] for k in texts},
        **{k: [v[k][p] for p in kept] for k in plain},
        "priority": [v["priority"][p] or "normal" for p in kept],
        # coded 要配慮者 categories as stored: known codes in vocabulary order, space-separated
        "vulnerable_categories": [_vulnerability_text(v["vulnerable_categories"][p]) for p in kept],
    }
    if need_case:
        plan.columns[Need] = {"id": new_ids(len(need_case)), "case_id": need_case, "category": need_category,
                              "state": need_state}


def _vulnerability_text(codes: list[str] | None) -> str:
    from recovery_desk.domain.vocabulary import VULNERABILITY

    return " ".join(c for c in VULNERABILITY.codes if c in set(codes)) if codes else ""


class OrgIndex:
    def __init__(self, session: Session):
        self.by_name: dict[str, str] = {}
        self.by_acronym: dict[str, str] = {}
        for oid, name, acronym in session.execute(
                select(Organisation.id, Organisation.name, Organisation.acronym)
                .where(Organisation.deleted_at.is_(None))):
            self.remember(oid, name, acronym)

    def remember(self, oid: str, name: str, acronym: str) -> None:
        self.by_name.setdefault(key_text(name), oid)
        if acronym:
            self.by_acronym.setdefault(key_text(acronym), oid)

    def find(self, text: str | None) -> str | None:
        key = key_text(text)
        if not key:
            return None
        return self.by_name.get(key) or self.by_acronym.get(key)


def org_axes(cols: Columns, pos: int, org_type: str) -> tuple[str, str, str]:
    default = DEFAULT_AXES[org_type]
    return (cols.get("ownership", pos) or default[0], cols.get("profit", pos) or default[1],
            cols.get("formality", pos) or default[2])


def build_organisations(session: Session, cols: Columns, plan: Plan, now: datetime) -> None:
    orgs = OrgIndex(session)
    areas = AreaIndex(session, plan)
    seen: dict[str, int] = {}
    for pos, row in enumerate(cols.rows):
        if pos in cols.bad:
            continue
        g = lambda name, pos=pos: cols.get(name, pos)  # noqa: E731
        name, acronym = g("name"), g("acronym") or ""
        if not name:
            cols.problem(pos, "name", "an organisation needs a name")
            continue
        existing = orgs.find(name) or (orgs.find(acronym) if acronym else None)
        if existing:
            first = seen.get(existing)
            plan.notes.append(Note(row, "organisation '{name}' is already in the workspace; skipped" if first is None
                                   else "same organisation as row {other}; skipped", {"name": name, "other": first}))
            plan.duplicates += 1
            continue
        service_area_ids = []
        for text in g("service_areas") or ():
            area_id = _find_area_text(areas, text)
            if area_id is None:
                cols.problem(pos, "service_areas", "no area '{area}' in the workspace (import the areas first)",
                             area=text)
                break
            service_area_ids.append(area_id)
        if pos in cols.bad:
            continue
        org_type = g("org_type") or "other"
        ownership, profit, formality = org_axes(cols, pos, org_type)
        oid = new_id()
        plan.add(Organisation, dict(
            id=oid, name=name, acronym=acronym, ownership=ownership, profit=profit, formality=formality,
            sector=derive_sector(ownership, profit, formality), org_type=org_type, legal_form=g("legal_form") or "",
            phone=g("phone") or "", email=g("email") or "", address=g("address") or "", website=g("website") or "",
            notes=g("notes") or ""))
        orgs.remember(oid, name, acronym)
        seen[oid] = row
        for category, capacity in g("capabilities") or ():
            plan.add(Capability, dict(id=new_id(), organisation_id=oid, need_category=category, capacity=capacity))
        for area_id in dict.fromkeys(service_area_ids):
            plan.add(ServiceArea, dict(id=new_id(), organisation_id=oid, area_id=area_id))


def _find_area_text(areas: AreaIndex, text: str) -> str | None:
    """An area from a 6-digit code or a municipality / district name."""
    t = norm.nfkc(text)
    try:
        code = norm.lgcode6(t)
    except ValueError:
        code = None
    if code:
        return areas.by_code.get((code, ""))
    key = key_text(t)
    found = areas.by_name.get((key, ""))
    if found:
        return found
    districts = areas.by_district.get(key, set())
    return next(iter(districts)) if len(districts) == 1 else None


def build_people(session: Session, cols: Columns, plan: Plan, now: datetime) -> None:
    orgs = OrgIndex(session)
    existing = {(key_text(n), key_text(p), key_text(e)) for n, p, e in session.execute(
        select(Person.name, Person.phone, Person.email).where(Person.deleted_at.is_(None)))}
    seen: dict[tuple[str, str, str], int] = {}
    for pos, row in enumerate(cols.rows):
        if pos in cols.bad:
            continue
        g = lambda name, pos=pos: cols.get(name, pos)  # noqa: E731
        name = g("name")
        if not name:
            cols.problem(pos, "name", "a person needs a name")
            continue
        key = (key_text(name), key_text(g("phone")), key_text(g("email")))
        if key in existing or key in seen:
            plan.notes.append(Note(row, "same person as one already in the workspace; skipped" if key not in seen
                                   else "same person as row {other}; skipped", {"other": seen.get(key)}))
            plan.duplicates += 1
            continue
        org_ids = []
        for text in g("organisations") or ():
            oid = orgs.find(text)
            if oid is None:
                cols.problem(pos, "organisations", "no organisation '{name}' in the workspace", name=text)
                break
            org_ids.append(oid)
        if pos in cols.bad:
            continue
        pid = new_id()
        seen[key] = row
        plan.add(Person, dict(id=pid, name=name, kana=g("kana") or "", phone=g("phone") or "",
                              email=g("email") or "", skills=g("skills") or [], notes=g("notes") or ""))
        for oid in dict.fromkeys(org_ids):
            plan.add(Membership, dict(id=new_id(), person_id=pid, organisation_id=oid, title=g("title") or ""))


def build_tasks(session: Session, cols: Columns, plan: Plan, now: datetime) -> None:
    cases = dict(session.execute(select(Case.reference, Case.id).where(Case.deleted_at.is_(None))).all())
    orgs = OrgIndex(session)
    people: dict[str, list[str]] = {}
    for pid, name in session.execute(select(Person.id, Person.name).where(Person.deleted_at.is_(None))):
        people.setdefault(key_text(name), []).append(pid)
    existing = {(c, key_text(t), n or "") for c, t, n in session.execute(
        select(Task.case_id, Task.title, Task.need_category).where(Task.deleted_at.is_(None)))}
    positions = dict(session.execute(select(Task.status, func.max(Task.position)).group_by(Task.status)).all())
    # As services.tasks.add_task does: the lead organisation takes part in the case.
    taking_part = set(session.execute(select(Participation.case_id, Participation.organisation_id)
                                      .where(Participation.deleted_at.is_(None))).all())
    seen: dict[tuple[str, str, str], int] = {}
    for pos, row in enumerate(cols.rows):
        if pos in cols.bad:
            continue
        g = lambda name, pos=pos: cols.get(name, pos)  # noqa: E731
        case_id = cases.get(g("case_reference") or "")
        if case_id is None:
            cols.problem(pos, "case_reference", "no case with this reference in the workspace")
            continue
        title = g("title")
        if not title:
            cols.problem(pos, "title", "a task needs a title")
            continue
        key = (case_id, key_text(title), g("need_category") or "")
        if key in existing or key in seen:
            plan.notes.append(Note(row, "the same task is already on case {reference}; skipped" if key not in seen
                                   else "same task as row {other}; skipped",
                                   {"reference": g("case_reference"), "other": seen.get(key)}))
            plan.duplicates += 1
            continue
        lead = None
        if g("lead_organisation"):
            lead = orgs.find(g("lead_organisation"))
            if lead is None:
                cols.problem(pos, "lead_organisation", "no organisation with this name or acronym in the workspace")
                continue
        assignee = None
        if g("assignee"):
            found = people.get(key_text(g("assignee")), [])
            if len(found) != 1:
                cols.problem(pos, "assignee", "no person with this name in the workspace" if not found
                             else "several people have this name")
                continue
            assignee = found[0]
        if lead and (case_id, lead) not in taking_part:
            taking_part.add((case_id, lead))
            plan.add(Participation, dict(id=new_id(), case_id=case_id, organisation_id=lead, role="implementer"))
        status = g("status") or "received"
        positions[status] = (positions.get(status) or 0.0) + POSITION_GAP
        seen[key] = row
        plan.add(Task, dict(
            id=new_id(), case_id=case_id, title=title, description=g("description") or "",
            need_category=g("need_category"), status=status, lead_org_id=lead, assignee_id=assignee,
            due_date=g("due_date"), priority=g("priority") or "normal", position=positions[status],
            claimed_at=now if status != "received" and lead else None,
            completed_at=now if status == "done" else None, archived_at=None))


def build_areas(session: Session, cols: Columns, plan: Plan, now: datetime) -> None:
    areas = AreaIndex(session, plan)
    seen: dict[str, int] = {}
    for pos, row in enumerate(cols.rows):
        if pos in cols.bad:
            continue
        v = _location(cols, pos)
        if pos in cols.bad:
            continue
        if not (v["prefecture"] or v["municipality"] or v["district"]):
            cols.problem(pos, next(iter(cols.values)), "an area needs a prefecture, municipality or district name")
            continue
        found = areas.find(v)
        if found:
            first = seen.get(found)
            plan.notes.append(Note(row, "area already in the workspace; skipped" if first is None
                                   else "same area as row {other}; skipped", {"other": first}))
            plan.duplicates += 1
            continue
        area_id = areas.resolve(v)
        if area_id:
            seen[area_id] = row


BUILDERS: dict[str, Callable[[Session, Columns, Plan, datetime], None]] = {
    "cases": build_cases, "organisations": build_organisations, "people": build_people,
    "tasks": build_tasks, "areas": build_areas,
}
WRITE_ORDER = (Area, Organisation, Capability, ServiceArea, Person, Membership, Case, Consent, Need, Participation,
               Task)


def plan_import(session: Session, table: SourceTable, kind: str, now: datetime,
                progress: ProgressLike | None = None) -> tuple[Plan, Columns]:
    cols = convert_columns(table, kind)
    if progress is not None:
        progress.report(1, 3, tr("Checking…"))
    plan = Plan()
    BUILDERS[kind](session, cols, plan, now)
    return plan, cols


def _result(table: SourceTable, options: ImportOptions, cols: Columns, plan: Plan) -> ImportResult:
    problems = [p for pos in sorted(cols.bad) for p in cols.bad[pos]]
    return ImportResult(
        kind=options.kind, path=table.path, total_rows=len(cols.rows), empty_rows=cols.empty_rows,
        problems=problems, notes=plan.notes, counts=plan.counts(), skipped_rows=len(cols.bad),
        duplicates=plan.duplicates, encoding=table.grid.encoding, sheet=table.grid.sheet,
        header_row=table.header_row, mapping={table.column_name(i): f for i, f in table.mapping.items()},
        dry_run=options.dry_run, valid_only=options.valid_only)


def _opened_before_start(ws: Any, session: Session, plan: Plan) -> Any:
    """The planned cases opened before the incident's start (None when there are none)."""
    from recovery_desk.services.incident import opened_before_start

    opened = [*plan.columns.get(Case, {}).get("opened_on", ()), *(r.get("opened_on") for r in plan.rows.get(Case, ()))]
    if not opened:
        return None
    return opened_before_start(opened, ws.default_incident(session).start_date)


def write_plan(op: Any, plan: Plan, progress: ProgressLike | None = None) -> None:
    """Write the planned rows with add_many in batches; progress between batches (may cancel)."""
    total = sum(plan.count(m) for m in WRITE_ORDER)
    done = 0
    if progress is not None:
        progress.report(0, total, tr("Writing…"))
    for model in WRITE_ORDER:
        case_key = "case_id" if model in (Case, Consent, Need, Participation, Task) else None
        rows = plan.rows.get(model, [])
        block = plan.columns.get(model, {})
        writes = [partial(op.add_many, model, rows[start:start + BATCH], case_key=case_key)
                  for start in range(0, len(rows), BATCH)]
        writes += [partial(op.add_columns, model, {k: v[start:start + BATCH] for k, v in block.items()},
                           case_key=case_key)
                   for start in range(0, plan.count(model) - len(rows), BATCH)]
        for write in writes:
            done += write()
            if progress is not None:
                progress.report(done, total, tr("Writing…"))


def operation_name(kind: str, valid_only: bool) -> str:
    return f"import_{kind}" + ("_valid_only" if valid_only else "")


def import_file(ws: Any, path: Path | str, options: ImportOptions,
                progress: ProgressLike | None = None, table: SourceTable | None = None) -> ImportResult:
    """Validate the whole file, then write it in one operation (or raise ImportRejected)."""
    if options.kind == "3w":
        from recovery_desk.io.hxl3w import import_3w

        return import_3w(ws, path, options, progress)
    table = table or load_source(path, options)
    if progress is not None:
        progress.report(0, 1, tr("Checking…"))
    now = utcnow()
    if options.dry_run:
        with ws.session() as session:
            plan, cols = plan_import(session, table, options.kind, now, progress)
            result = _result(table, options, cols, plan)
            result.opened_before_start = _opened_before_start(ws, session, plan)
        if result.problems and not options.valid_only:
            result.operation = ""
        return result
    name = operation_name(options.kind, options.valid_only)
    with ws.operation(name) as op:
        plan, cols = plan_import(op.session, table, options.kind, now, progress)
        result = _result(table, options, cols, plan)
        result.opened_before_start = _opened_before_start(ws, op.session, plan)
        if result.problems and not options.valid_only:
            raise ImportRejected(table.path, result.problems)
        write_plan(op, plan, progress)
        result.written = bool(plan.counts())
        result.operation = name
    result.changes = op.changes
    return result


@dataclass
class Preview:
    """What the import dialog shows before anything is checked: columns, guesses, first rows."""

    headers: list[str]
    fields: list[str | None]  # the field each column gives (None: not imported)
    rows: list[list[str]]
    header_row: int
    encoding: str | None
    sheets: tuple[str, ...]
    choices: list[str]  # the fields a column can be mapped to


def preview_file(path: Path | str, options: ImportOptions, rows: int = 20) -> Preview:
    """Read the file and map its columns, as the import will (no workspace needed)."""
    path = Path(path)
    if options.kind == "3w":
        from recovery_desk.io.fields import FIELDS_3W
        from recovery_desk.io.hxl3w import load_3w

        header_index, headers, fields, grid_rows, grid = load_3w(path, options, require_org=False)
        data = [[str(v) for v in r[:len(headers)]] for r in grid_rows[header_index + 1:header_index + 1 + rows]]
        return Preview(list(headers), list(fields), data, header_index + 1, grid.encoding, grid.sheets,
                       list(FIELDS_3W))
    table = load_source(path, options, require_mapping=False)  # the user maps the columns by hand
    fields = [table.mapping.get(i) for i in range(len(table.headers))]
    return Preview([table.column_name(i) for i in range(len(table.headers))], fields,
                   [[str(v) for v in r] for r in table.preview(rows)], table.header_row, table.grid.encoding,
                   table.grid.sheets, field_names(options.kind))
