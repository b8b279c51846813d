"""Export cases, tasks and organisations to CSV (UTF-8 with BOM, for Japanese Excel) or XLSX.

Column titles are the import field names (English) or their Japanese labels, values are
vocabulary labels in the export language; the importer reads all of these back, so an
export imports again as the same content. Personal data (name, phone, address, exact
location, vulnerable members, notes) is left out unless ``include_pii`` is given, and even
then only for cases whose consent allows it (``services.cases.consent_allows_pii``).

A user's file is never overwritten without a copy: the export is written to a temporary
file beside the target and renamed over it (storage.files); an existing file is first kept as ``.bak``.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from recovery_desk.domain.errors import RecoveryDeskError
from recovery_desk.domain.vocabulary import (
    CLOSURE_REASON,
    CONSENT_SCOPE,
    DAMAGE_LEVEL,
    FLOOD_LEVEL,
    FORMALITY,
    NEED_CATEGORY,
    ORG_TYPE,
    OWNERSHIP,
    PRIORITY,
    PROFIT,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    TASK_STATUS,
    VULNERABILITY,
)
from recovery_desk.i18n import tr
from recovery_desk.io.fields import field_label
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    Consent,
    Need,
    Organisation,
    Person,
    ServiceArea,
    Task,
)

EXPORT_KINDS = ("cases", "organisations", "tasks", "3w")
FORMATS = ("csv", "xlsx", "hxl")


class ExportError(RecoveryDeskError):
    pass


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[Any]]


def _join(values: list[str], lang: str) -> str:
    return ("、" if lang == "ja" else "; ").join(values)


CASE_COLUMNS = [
    "reference", "stage", "closure_reason", "priority", "opened_on", "closed_on", "prefecture",
    "prefecture_code", "municipality", "municipality_code", "district", "household_size", "damage_level",
    "flood_level", "support_class", "needs", "consent_scope", "consent_given_on",
]
CASE_PII = ["contact_name", "contact_phone", "address", "latitude", "longitude", "vulnerable_members",
            "vulnerable_categories", "notes"]


def case_sheet(session: Session, lang: str, include_pii: bool, today: date | None = None) -> Sheet:
    from recovery_desk.services.cases import consent_allows_pii

    columns = CASE_COLUMNS + (CASE_PII if include_pii else [])
    needs: dict[str, list[str]] = {}
    for case_id, category in session.execute(
            select(Need.case_id, Need.category).where(Need.deleted_at.is_(None))
            .order_by(Need.case_id, Need.created_at, Need.category)):
        needs.setdefault(case_id, []).append(category)
    query = (select(Case, Area, Consent).outerjoin(Area, Area.id == Case.area_id)
             .outerjoin(Consent, Consent.case_id == Case.id)
             .where(Case.deleted_at.is_(None)).order_by(Case.sequence, Case.reference))
    rows: list[list[Any]] = []
    for case, area, consent in session.execute(query):
        row: list[Any] = [
            case.reference, STAGE.label(case.stage, lang), CLOSURE_REASON.label(case.closure_reason, lang),
            PRIORITY.label(case.priority, lang), case.opened_on, case.closed_on,
            area.prefecture if area else "", area.prefecture_code if area else "",
            area.municipality if area else "", area.municipality_code if area else "",
            area.district if area else "", case.household_size, DAMAGE_LEVEL.label(case.damage_level, lang),
            FLOOD_LEVEL.label(case.flood_level, lang), SUPPORT_CLASS.label(case.support_class, lang),
            _join([NEED_CATEGORY.label(c, lang) for c in needs.get(case.id, [])], lang),
            CONSENT_SCOPE.label(consent.scope, lang) if consent and consent.deleted_at is None else "",
            consent.given_on if consent and consent.deleted_at is None else None,
        ]
        if include_pii:
            if consent_allows_pii(consent, today):
                row += [case.contact_name, case.contact_phone, case.address, case.latitude, case.longitude,
                        case.vulnerable_members,
                        _join([VULNERABILITY.label(c, lang) for c in case.vulnerable_categories.split()], lang),
                        case.notes]
            else:
                row += ["", "", "", None, None, "", "", ""]
        rows.append(row)
    return Sheet([field_label("cases", c, lang) for c in columns], rows)


TASK_COLUMNS = ["case_reference", "title", "description", "need_category", "status", "lead_organisation",
                "assignee", "due_date", "priority"]


def task_sheet(session: Session, lang: str, include_pii: bool = False, today: date | None = None) -> Sheet:
    lead = aliased(Organisation)
    query = (select(Task, Case.reference, lead.name, Person.name).join(Case, Case.id == Task.case_id)
             .outerjoin(lead, lead.id == Task.lead_org_id).outerjoin(Person, Person.id == Task.assignee_id)
             .where(Task.deleted_at.is_(None), Case.deleted_at.is_(None))
             .order_by(Case.sequence, Task.status, Task.position))
    rows = [[reference, t.title, t.description, NEED_CATEGORY.label(t.need_category, lang),
             TASK_STATUS.label(t.status, lang), org or "", person or "", t.due_date, PRIORITY.label(t.priority, lang)]
            for t, reference, org, person in session.execute(query)]
    return Sheet([field_label("tasks", c, lang) for c in TASK_COLUMNS], rows)


ORG_COLUMNS = ["name", "acronym", "org_type", "ownership", "profit", "formality", "sector", "legal_form", "phone",
               "email", "address", "website", "capabilities", "service_areas", "notes"]


def area_token(area: Area) -> str:
    """How an organisation export names a service area so that the import finds it again."""
    if area.municipality_code and not area.district:
        return area.municipality_code
    return area.district or area.municipality or area.prefecture


def organisation_sheet(session: Session, lang: str, include_pii: bool = False, today: date | None = None) -> Sheet:
    caps: dict[str, list[str]] = {}  # "住宅修理:20" when the capacity is known (the import reads it back)
    for oid, category, capacity in session.execute(
            select(Capability.organisation_id, Capability.need_category, Capability.capacity)
            .where(Capability.deleted_at.is_(None)).order_by(Capability.created_at, Capability.need_category)):
        label = NEED_CATEGORY.label(category, lang)
        caps.setdefault(oid, []).append(label if capacity is None else f"{label}:{capacity}")
    areas: dict[str, list[str]] = {}
    for oid, area in session.execute(
            select(ServiceArea.organisation_id, Area).join(Area, Area.id == ServiceArea.area_id)
            .where(ServiceArea.deleted_at.is_(None), Area.deleted_at.is_(None))
            .order_by(ServiceArea.created_at)):
        areas.setdefault(oid, []).append(area_token(area))
    rows = []
    for o in session.scalars(select(Organisation).where(Organisation.deleted_at.is_(None))
                             .order_by(Organisation.name)):
        rows.append([o.name, o.acronym, ORG_TYPE.label(o.org_type, lang), OWNERSHIP.label(o.ownership, lang),
                     PROFIT.label(o.profit, lang), FORMALITY.label(o.formality, lang), SECTOR.label(o.sector, lang),
                     o.legal_form, o.phone, o.email, o.address, o.website,
                     _join(caps.get(o.id, []), lang),
                     _join(list(dict.fromkeys(areas.get(o.id, []))), lang), o.notes])
    headers = [tr("sector", lang) if c == "sector" else field_label("organisations", c, lang) for c in ORG_COLUMNS]
    return Sheet(headers, rows)


SHEETS: dict[str, Callable[..., Sheet]] = {
    "cases": case_sheet, "tasks": task_sheet, "organisations": organisation_sheet,
}


# -- writing files ---------------------------------------------------------------------------
def write_atomic(path: Path, write: Callable[[Path], None]) -> Path | None:
    """Write ``path`` through a temporary file and a rename (``storage.files.creating``: the
    complete file or none, a killed run's leftovers removed by the next); an existing file is
    first kept as ``.bak`` (itself written the same way). Returns the .bak path when one was made."""
    from recovery_desk.storage import files
    from recovery_desk.storage.failures import known_error

    path = Path(path)
    if path.is_dir():
        raise ExportError("{path} is a folder; give a file name", path=path)
    bak = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with files.creating(path, replace=True) as tmp:
            write(tmp)
            if path.exists():
                bak = path.with_name(path.name + ".bak")
                files.write_new_file(bak, lambda copy: shutil.copy2(path, copy))
    except OSError as exc:  # disk full, read-only, permission denied…: the one message for each
        raise known_error(exc, path) or ExportError(
            "{path}: cannot write the file ({detail})", path=path, detail=exc.strerror or exc) from None
    return bak


# -- cells a spreadsheet would evaluate (OWASP "CSV injection") --------------------------------
# A text beginning with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(…), @SUM(…), +1+2, -2+3; tab and carriage return hide the rest). In a CSV the
# text is written with a leading apostrophe, which makes it text; the importer takes that
# apostrophe off again (io.tables.unprotect), so our own export imports back as it was. In an
# XLSX the cell is typed as a string, which no spreadsheet evaluates, and nothing is added.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value: object) -> bool:
    """A text a spreadsheet would evaluate. Numbers are numbers (a negative number too), and
    so is a text that is only a number ("-2"): a spreadsheet reads it as that number."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value))


def _cell(value: Any) -> Any:
    """A value as a CSV cell: dates in ISO form, formula-like text marked as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if looks_like_formula(value):
        return TEXT_MARK + value
    return value


def write_csv(path: Path, sheet: Sheet) -> Path | None:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([_cell(h) for h in sheet.headers])
            for row in sheet.rows:
                w.writerow([_cell(v) for v in row])

    return write_atomic(path, write)


def write_xlsx(path: Path, sheet: Sheet, title: str = "export") -> Path | None:
    def write(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        ws = book.create_sheet(title[:31])
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for h in sheet.headers:
            cell = text_cell(ws, h)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            cells = []
            for v in row:
                if isinstance(v, date) and not isinstance(v, datetime):
                    cell = WriteOnlyCell(ws, value=v)  # a real date cell: Excel sorts and filters it
                    cell.number_format = "yyyy-mm-dd"
                    cells.append(cell)
                elif isinstance(v, str):
                    cells.append(text_cell(ws, v) if v.startswith(FORMULA_STARTS) else xlsx_text(v))
                else:
                    cells.append(v)
            ws.append(cells)
        book.save(tmp)

    return write_atomic(path, write)


def text_cell(ws: Any, text: str) -> Any:
    """An XLSX cell holding ``text`` as a string. openpyxl makes any str beginning with "="
    a formula; the type is set after the value so that it stays a string."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=xlsx_text(text))
    cell.data_type = "s"
    return cell


def xlsx_text(text: str) -> str:
    """``text`` as an XLSX cell can hold it: control characters (other than tab and line
    breaks) cannot appear in the file's XML, so each becomes U+FFFD instead of failing the export."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def format_for(path: Path, fmt: str | None, kind: str) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ExportError("unknown format '{format}' (csv, xlsx or hxl)", format=fmt)
        if fmt == "hxl" and kind != "3w":
            raise ExportError("the hxl format is for the 3w export")
        return fmt
    if Path(path).suffix.lower() == ".xlsx":
        return "xlsx"
    return "hxl" if kind == "3w" else "csv"


@dataclass
class ExportResult:
    path: Path
    rows: int
    backup: Path | None


def export(ws: Any, kind: str, path: Path | str, fmt: str | None = None, *, include_pii: bool = False,
           lang: str = "en", today: date | None = None) -> ExportResult:
    path = Path(path)
    if kind not in EXPORT_KINDS:
        raise ExportError("unknown export kind '{kind}' (choose from {kinds})", kind=kind, kinds=", ".join(EXPORT_KINDS))
    fmt = format_for(path, fmt, kind)
    with ws.session() as session:
        if kind == "3w":
            from recovery_desk.io.hxl3w import three_w_sheet

            sheet = three_w_sheet(session, lang)
        else:
            sheet = SHEETS[kind](session, lang, include_pii, today)
    if fmt == "xlsx":
        bak = write_xlsx(path, sheet, kind)
    else:
        bak = write_csv(path, sheet)
    if include_pii and kind == "cases":
        from recovery_desk.services.disclosure import record_disclosure

        first_pii = len(CASE_COLUMNS)
        record_disclosure(ws, "export_cases", str(path), sum(1 for r in sheet.rows if any(r[first_pii:])))
    return ExportResult(path, len(sheet.rows) - (1 if kind == "3w" else 0), bak)
