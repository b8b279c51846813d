"""Visit sheets: a printable list of cases for an outreach team that goes without a laptop.

For a district or any cases query (``area:御祓 stage:identified``): each case's reference,
address, open needs, what to ask on the doorstep, and a blank column to write in. Contact
name and phone only where the consent allows it (services/consent.py: ``coordination`` or
``reports``, unexpired); every sheet that prints them is logged (services/disclosure.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Frame, PageTemplate

from recovery_desk.domain.vocabulary import NEED_CATEGORY, VULNERABILITY
from recovery_desk.i18n import tr
from recovery_desk.reports.common import (
    CONTENT_WIDTH,
    FONT,
    MARGIN,
    PAGE_SIZE,
    LaidOutDoc,
    PageFrame,
    ProgressFn,
    check_output_path,
    data_table,
    format_local,
    local_now,
    make_styles,
    no_progress,
    numbered_canvas,
    para,
    write_atomically,
)

MAX_CASES = 2000


@dataclass
class VisitRow:
    reference: str
    area: str
    address: str
    contact: str  # name and phone, or "" when the consent does not allow them
    contact_allowed: bool
    needs: list[str]
    ask: list[str]


def sheet_row(r: VisitRow, lang: str) -> list[Any]:
    """A household's cells. Its needs and its questions are a paragraph each (see data_table):
    joined with line breaks, an item whose last character hung at a line's end ("住宅修理 (対応中)")
    left an empty line before the next."""
    contact = r.contact or (tr("(no consent)", lang) if not r.contact_allowed else "—")
    return [r.reference, r.area, r.address, contact, list(r.needs) or "—", [f"□ {a}" for a in r.ask] or "—", ""]


# The columns but the last (the notes from the visit take the rest of the page's width).
COLUMN_WIDTHS = [22 * mm, 18 * mm, 32 * mm, 27 * mm, 24 * mm, 36 * mm]


@dataclass
class VisitSheetData:
    query: str
    incident: str
    total: int
    rows: list[VisitRow] = field(default_factory=list)
    zone: Any = None  # services.local_time.Zone: the workspace's

    @property
    def with_contact(self) -> int:
        return sum(1 for r in self.rows if r.contact_allowed and r.contact)


def gather_visits(session: Any, query: str, lang: str, today: date, me: Any = None) -> VisitSheetData:
    """The cases of ``query`` (the cases query language), by district and address."""
    from sqlalchemy import func, select

    from recovery_desk.services.consent import allows, effective_scope
    from recovery_desk.services.report_data import incident_info
    from recovery_desk.services.search import case_conditions
    from recovery_desk.storage.models import Area, Case, Consent, Need

    conditions = case_conditions(query, today, me)
    total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    rows = session.execute(
        select(Case, Area, Consent).outerjoin(Area, Area.id == Case.area_id)
        .outerjoin(Consent, Consent.case_id == Case.id).where(*conditions)
        .order_by(func.coalesce(Area.district, ""), Case.address, Case.sequence).limit(MAX_CASES)).all()
    ids = [case.id for case, _a, _c in rows]
    needs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        for case_id, category, state in session.execute(
                select(Need.case_id, Need.category, Need.state).where(
                    Need.case_id.in_(ids[start:start + 900]), Need.deleted_at.is_(None),
                    Need.state.in_(("unmet", "in_progress")))):
            needs[case_id].append((category, state))
    incident = incident_info(session)
    from recovery_desk.services.local_time import workspace_zone

    out = VisitSheetData(query, incident.name if incident else "", total, zone=workspace_zone(session))
    for case, area, consent in rows:
        allowed = allows(consent, "visit_sheet", today)
        # one per line: a phone number is never broken across lines
        contact = "\n".join(v for v in (case.contact_name, case.contact_phone) if v) if allowed else ""
        ask: list[str] = []
        if effective_scope(consent, today) == "none":
            ask.append(tr("Ask for consent to share (and how far)", lang))
        if case.household_size is None:
            ask.append(tr("How many people live here?", lang))
        if case.damage_level is None:
            ask.append(tr("Damage level (disaster victim certificate)?", lang))
        for code in (case.vulnerable_categories or "").split():
            ask.append(tr("Check on: {who}", lang, who=VULNERABILITY.label(code, lang)))
        for category, state in needs.get(case.id, []):
            if state == "unmet":
                ask.append(tr("Is {need} still needed?", lang, need=NEED_CATEGORY.label(category, lang)))
        if case.stage == "identified":
            ask.append(tr("First visit: what is needed now?", lang))
        out.rows.append(VisitRow(
            case.reference, area.district if area and area.district else (area.municipality if area else ""),
            case.address, contact, allowed,
            [NEED_CATEGORY.label(c, lang) + ("" if s == "unmet" else f" ({tr('in progress', lang)})")
             for c, s in needs.get(case.id, [])], ask))
    return out


def build_visit_sheet(ws: Any, out: Path, *, query: str = "", lang: str = "en", today: date | None = None,
                      progress: ProgressFn | None = None) -> VisitSheetData:
    """Write the visit sheet of ``query`` to ``out`` (atomically); log it when it names people."""
    from recovery_desk.services.disclosure import record_disclosure

    check_output_path(Path(out))
    progress = progress or no_progress
    today = today or date.today()
    progress(0, 2, tr("Reading the cases"))
    with ws.session() as session:
        data = gather_visits(session, query, lang, today, getattr(ws, "identity", None))
    progress(1, 2, tr("Laying out the PDF"))
    write_atomically(Path(out), lambda tmp: render_visit_sheet(data, tmp, lang=lang, actor=ws.actor))
    record_disclosure(ws, "visit_sheet", f"{query or '*'} → {out}", data.with_contact)
    progress(2, 2, tr("Done"))
    return data


def render_visit_sheet(data: VisitSheetData, path: str, *, lang: str, actor: str) -> None:
    st = make_styles(lang)
    title = tr("Visit sheet", lang)
    generated = format_local(local_now(), lang, data.zone)
    frame = PageFrame(
        header_left=f"{data.incident} — {title}",
        header_right=data.query or tr("all cases", lang),
        footer_left=tr("Confidential: carry it with care, and destroy it after the visits.", lang),
        footer_second=tr("Generated {when} by {actor}", lang, when=generated, actor=actor or "—"),
        lang=lang,
    )
    doc = LaidOutDoc(path, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4,
                     bottomMargin=MARGIN + 2, title=title, author=actor, creator="Recovery Desk", lang=lang,
                     initialFontName=FONT)
    doc.addPageTemplates([PageTemplate("page", [Frame(MARGIN, MARGIN + 2, CONTENT_WIDTH,
                                                      PAGE_SIZE[1] - 2 * MARGIN - 6, id="body")])])
    story: list[Any] = [para(title, st.title),
                        para(tr("{count} cases: {query}", lang, count=data.total, query=data.query or tr(
                            "all cases", lang)), st.subtitle)]
    if data.total > len(data.rows):
        story.append(para(tr("Only the first {shown} of {total} cases are listed: narrow the query.", lang,
                             shown=len(data.rows), total=data.total), st.notice))
    story.append(para(tr("Name and phone are printed only where the household consented to sharing.", lang),
                      st.note))
    header = [tr("Case", lang), tr("District", lang), tr("Address", lang), tr("Contact", lang),
              tr("Open needs", lang), tr("What to ask", lang), tr("Notes from the visit", lang)]
    rows = [sheet_row(r, lang) for r in data.rows]
    widths = [*COLUMN_WIDTHS, CONTENT_WIDTH - sum(COLUMN_WIDTHS)]
    # A household's row stays whole on one page (a row of several paragraphs split in two was
    # drawn twice, the first half under a second header): a visit is read row by row.
    story.append(data_table(header, rows, widths, st, split_in_row=False))
    doc.build(story, canvasmaker=numbered_canvas(frame))

