"""The incident progress report: what the disaster headquarters and the council meeting read.

Every figure comes from :func:`recovery_desk.services.stats.compute_stats` (the numbers
``stats --json`` prints); the lists come from :mod:`recovery_desk.services.report_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from recovery_desk.domain.errors import ValidationError
from recovery_desk.domain.vocabulary import (
    DAMAGE_LEVEL,
    FORMALITY,
    HAZARD,
    NEED_CATEGORY,
    NEED_STATE,
    OWNERSHIP,
    PRIORITY,
    PROFIT,
    SECTOR,
    STAGE,
    SUPPORT_CLASS,
    TASK_STATUS,
    VULNERABILITY,
    derive_sector,
)
from recovery_desk.i18n import tr, trp
from recovery_desk.reports import charts
from recovery_desk.reports.common import (
    CONTENT_WIDTH,
    FONT,
    MARGIN,
    PAGE_SIZE,
    LaidOutDoc,
    PageFrame,
    ProgressFn,
    Styles,
    check_output_path,
    data_table,
    format_local,
    keep_headings_with_sections,
    key_value_table,
    local_now,
    make_styles,
    no_progress,
    numbered_canvas,
    para,
    utc_naive_to_local,
    when_title,
    write_atomically,
)
from recovery_desk.services import report_data
from recovery_desk.services.gaps import Gaps, compute_gaps, place_label
from recovery_desk.services.local_time import workspace_zone
from recovery_desk.services.matching import dbapi
from recovery_desk.services.stats import Period, compute_stats

TRIANGLE_NAMED = 4  # organisations named per place on the triangle, heaviest first
ORG_TABLE_LIMIT = 60


@dataclass
class IncidentReportData:
    incident_name: str
    hazard: str
    area: str
    period: Period
    as_of: date
    stats: dict[str, Any]
    overdue: report_data.Listing
    stalled: report_data.Listing
    single_sector: report_data.Listing
    areas: list[dict[str, Any]]
    organisations: list[dict[str, Any]]
    stalled_days: int
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    gaps: Any = None  # services.gaps.Gaps: the figures ``gaps --json`` prints
    zone: Any = None  # services.local_time.Zone: the workspace's, times are printed in it


def gather_incident(session: Any, *, start: date | None = None, end: date | None = None,
                    include_pii: bool = False, stalled_days: int = report_data.DEFAULT_STALLED_DAYS,
                    today: date | None = None, list_limit: int = report_data.DEFAULT_LIST_LIMIT,
                    progress: ProgressFn = no_progress) -> IncidentReportData:
    """Read everything the report prints (figures, then lists); raises on a bad period."""
    today = today or date.today()
    incident = report_data.incident_info(session)
    start = start or (incident.start_date if incident else None)
    end = end or today
    if start and end < start:
        raise ValidationError("the period ends ({end}) before it starts ({start})", end=end, start=start)
    if stalled_days < 1:
        raise ValidationError("--stalled-days must be 1 or more")
    period = Period(start, end)
    steps = 7
    progress(0, steps, tr("Counting the figures"))
    stats = compute_stats(session, period, today)
    as_of = date.fromisoformat(stats["period"]["as_of"])
    progress(1, steps, tr("Listing overdue tasks"))
    overdue = report_data.overdue_tasks(session, as_of, list_limit, include_pii, today)
    progress(2, steps, tr("Listing stalled cases"))
    stalled = report_data.stalled_cases(session, as_of, stalled_days, list_limit)
    progress(3, steps, tr("Listing single-sector cases"))
    single = report_data.single_sector_cases(session, list_limit, stats["cases"]["single_sector_open"])
    progress(4, steps, tr("Counting by area"))
    areas = report_data.cases_by_area(session)
    progress(5, steps, tr("Counting load by organisation"))
    orgs = report_data.organisation_load(session)
    progress(5, steps, tr("Finding coordination gaps"))
    coordination = compute_gaps(dbapi(session))
    contacts: dict[str, dict[str, str]] = {}
    if include_pii:
        ids = {r["id"] for r in stalled.rows} | {r["id"] for r in single.rows}
        contacts = report_data.contacts_for(session, ids, today)
    return IncidentReportData(
        incident_name=incident.name if incident else "", hazard=incident.hazard if incident else "",
        area=incident.area_description if incident else "", period=period, as_of=as_of, stats=stats,
        overdue=overdue, stalled=stalled, single_sector=single, areas=areas, organisations=orgs,
        stalled_days=stalled_days, contacts=contacts, gaps=coordination, zone=workspace_zone(session))


def build_incident_report(ws: Any, out: Path, *, start: date | None = None, end: date | None = None,
                          lang: str = "en", include_pii: bool = False,
                          stalled_days: int = report_data.DEFAULT_STALLED_DAYS, today: date | None = None,
                          list_limit: int = report_data.DEFAULT_LIST_LIMIT,
                          progress: ProgressFn | None = None) -> Path:
    """Write the incident progress report of ``ws`` to ``out`` (atomically); returns ``out``."""
    check_output_path(Path(out))
    progress = progress or no_progress
    with ws.session() as session:
        data = gather_incident(session, start=start, end=end, include_pii=include_pii,
                               stalled_days=stalled_days, today=today, list_limit=list_limit, progress=progress)
    progress(6, 7, tr("Laying out the PDF"))
    result = write_atomically(Path(out), lambda tmp: render_incident(
        data, tmp, lang=lang, include_pii=include_pii, actor=ws.actor, workspace=ws.path.name,
        progress=progress))
    if include_pii:
        from recovery_desk.services.disclosure import record_disclosure

        record_disclosure(ws, "report_incident", str(out), sum(1 for c in data.contacts.values() if any(c.values())))
    progress(7, 7, tr("Done"))
    return result


def render_incident(data: IncidentReportData, path: str, *, lang: str, include_pii: bool, actor: str,
                    workspace: str, progress: ProgressFn = no_progress) -> list[tuple[int, str, str]]:
    """Lay the report out into ``path``; returns where each paragraph landed (LaidOutDoc.placed)."""
    st = make_styles(lang)
    generated = format_local(local_now(), lang, data.zone)
    title = tr("Incident progress report", lang)
    frame = PageFrame(
        header_left=f"{data.incident_name} — {title}",
        header_right=tr("Period {start} – {end}", lang, start=_d(data.period.start), end=_d(data.period.end)),
        footer_left=tr("Confidential: for the organisations coordinating this recovery only.", lang),
        footer_second=tr("Generated {when}", lang, when=generated),
        lang=lang,
    )
    doc = LaidOutDoc(path, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4,
                     bottomMargin=MARGIN + 2, title=f"{title} — {data.incident_name}",
                     author=actor, creator="Recovery Desk", lang=lang, initialFontName=FONT)
    doc.addPageTemplates([PageTemplate("page", [Frame(MARGIN, MARGIN + 2, CONTENT_WIDTH,
                                                      PAGE_SIZE[1] - 2 * MARGIN - 6, id="body")])])
    # reportlab reports ("PAGE", n) as it lays out pages: a chance to honour a cancel.
    doc.setProgressCallBack(lambda kind, value: progress(6, 7, tr("Laying out the PDF")) if kind == "PAGE" else None)
    story = keep_headings_with_sections(_story(data, st, lang, include_pii, actor, workspace, generated))
    doc.build(story, canvasmaker=numbered_canvas(frame))
    return doc.placed


def _d(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _story(data: IncidentReportData, st: Styles, lang: str, include_pii: bool, actor: str, workspace: str,
           generated: str) -> list[Any]:
    s = data.stats
    c, t, o = s["cases"], s["tasks"], s["organisations"]
    W = CONTENT_WIDTH
    story: list[Any] = [
        para(tr("Incident progress report", lang), st.title),
        para(data.incident_name, st.subtitle),
        key_value_table([
            (tr("Incident", lang), data.incident_name),
            (tr("Hazard", lang), HAZARD.label(data.hazard, lang)),
            (tr("Area", lang), data.area),
            (tr("Period", lang), f"{_d(data.period.start)} – {_d(data.period.end)}"),
            (tr("Figures as of", lang), data.as_of.isoformat()),
            (tr("Generated at", lang), generated),
            (tr("Generated by", lang), actor or "—"),
            (tr("Workspace", lang), workspace),
        ], [45 * mm, W - 45 * mm], st),
    ]
    if include_pii:
        story.append(para(tr("Contains personal data. Names and phone numbers are printed only for cases whose "
                             "consent allows it; all other cases are redacted. Keep this report confidential "
                             "and destroy it when no longer needed.", lang), st.notice))
    else:
        story.append(para(tr("Personal data redacted: names, phone numbers, exact addresses and notes are not "
                             "printed in this report. Cases are identified by their reference.", lang), st.notice))

    # -- key figures ---------------------------------------------------------------------
    story.append(para(tr("Key figures", lang), st.h1))
    key = [
        (tr("Cases total", lang), c["total"]),
        (tr("Open cases", lang), c["open"]),
        (tr("Closed cases", lang), c["closed"]),
        (tr("Cases opened in the period", lang), c["opened_in_period"]),
        (tr("Cases closed in the period", lang), c["closed_in_period"]),
        (tr("Open tasks", lang), t["open"]),
        (tr("Overdue tasks", lang), t["overdue"]),
        (tr("Organisations engaged", lang), o["engaged"]),
        (tr("Open cases relying on one sector only", lang), c["single_sector_open"]),
    ]
    story.append(data_table([tr("Figure", lang), tr("Value", lang)], key, [95 * mm, 30 * mm], st, numeric=[1]))
    story.append(para(tr("Case, need and task counts describe the workspace on {as_of}; 'in the period' counts "
                         "cases opened or closed between the period's dates; overdue tasks are open tasks due "
                         "before {as_of}.", lang, as_of=data.as_of.isoformat()), st.note))

    # -- cases -----------------------------------------------------------------------------
    story.append(para(tr("Cases by stage", lang), st.h1))
    story.extend(_chart_and_table(st, lang, STAGE, c["by_stage"], tr("Stage", lang)))
    story.append(para(tr("Cases by support class", lang), st.h1))
    story.extend(_chart_and_table(st, lang, SUPPORT_CLASS, c["by_support_class"], tr("Support class", lang)))
    story.append(para(tr("Cases by damage level", lang), st.h1))
    story.extend(_chart_and_table(st, lang, DAMAGE_LEVEL, c["by_damage_level"], tr("Damage level", lang)))
    if any(c["by_vulnerability"].values()):
        story.append(para(tr("Households with people needing special care", lang), st.h1))
        story.extend(_chart_and_table(st, lang, VULNERABILITY, c["by_vulnerability"], tr("Needing special care",
                                                                                         lang)))
        story.append(para(tr("A household counts once in each of its categories; the total counts mentions.",
                             lang), st.note))

    # -- needs -----------------------------------------------------------------------------
    story.append(para(tr("Needs by category", lang), st.h1))
    needs = s["needs"]["by_category"]
    shown_states = ["unmet", "in_progress", "met"]
    categories = [k for k in needs if sum(needs[k].values())]
    story.append(charts.bar_chart(
        [NEED_CATEGORY.label(k, lang) for k in categories],
        [[needs[k][state] for k in categories] for state in shown_states], W,
        series_names=[NEED_STATE.label(x, lang) for x in shown_states], stacked=True))
    story.append(Spacer(1, 4))
    rows = [[NEED_CATEGORY.label(k, lang), *(needs[k][x] for x in NEED_STATE.codes)] for k in needs]
    rows.append([tr("Total", lang), *(sum(needs[k][x] for k in needs) for x in NEED_STATE.codes)])
    story.append(data_table([tr("Need category", lang), *(NEED_STATE.label(x, lang) for x in NEED_STATE.codes)],
                            rows, [70 * mm, 25 * mm, 25 * mm, 25 * mm, 25 * mm], st, numeric=[1, 2, 3, 4],
                            total_row=True))

    # -- tasks -----------------------------------------------------------------------------
    story.append(para(tr("Tasks by status", lang), st.h1))
    story.extend(_chart_and_table(st, lang, TASK_STATUS, t["by_status"], tr("Task status", lang)))

    # -- load ------------------------------------------------------------------------------
    story.append(para(tr("Load by sector", lang), st.h1))
    load = s["load_by_sector"]
    sectors = SECTOR.codes
    story.append(charts.bar_chart(
        [SECTOR.label(x, lang) for x in sectors],
        [[load[x]["open_tasks"] for x in sectors], [load[x]["cases_led"] for x in sectors]], W,
        series_names=[tr("Open tasks led", lang), tr("Cases led", lang)]))
    story.append(Spacer(1, 4))
    story.append(data_table(
        [tr("Sector", lang), trp("count", "Organisations", lang), tr("Open tasks led", lang), tr("Cases led", lang)],
        [[SECTOR.label(x, lang), o["by_sector"].get(x, 0), load[x]["open_tasks"], load[x]["cases_led"]]
         for x in sectors],
        [60 * mm, 30 * mm, 30 * mm, 30 * mm], st, numeric=[1, 2, 3]))

    orgs = data.organisations
    story.append(para(tr("Load by organisation", lang), st.h1))
    story.append(para(_shown(lang, len(orgs[:ORG_TABLE_LIMIT]), len(orgs),
                             tr("organisations engaged on cases, heaviest load first", lang)), st.note))
    story.append(data_table(
        ["#", tr("Organisation", lang), tr("Sector", lang), tr("Open tasks led", lang), tr("Cases led", lang),
         trp("count", "Cases", lang)],
        [[i + 1, _org_name(org), SECTOR.label(org["sector"], lang), org["open_tasks"], org["cases_led"],
          org["cases"]] for i, org in enumerate(orgs[:ORG_TABLE_LIMIT])],
        [9 * mm, W - 9 * mm - 30 * mm - 3 * 22 * mm, 30 * mm, 22 * mm, 22 * mm, 22 * mm], st,
        numeric=[0, 3, 4, 5]))

    # -- welfare triangle ------------------------------------------------------------------
    story.extend(_triangle(orgs, st, lang))

    # -- cross-sector coverage ---------------------------------------------------------------
    by_n = c["by_sectors_engaged"]
    labels = [tr("{n} sectors", lang, n=k) if k != "1" else tr("1 sector", lang) for k in by_n]
    story.append(KeepTogether([
        para(tr("Cross-sector coverage", lang), st.h1),
        para(tr("Cases by number of sectors engaged", lang), st.h2),
        charts.bar_chart(labels, [list(by_n.values())], W * 0.8),
        Spacer(1, 4),
        data_table([tr("Sectors engaged", lang), trp("count", "Cases", lang)], list(zip(labels, by_n.values(), strict=True)),
                   [50 * mm, 30 * mm], st, numeric=[1]),
    ]))
    story.append(para(tr("Open cases that depend on one sector only", lang), st.h2))
    story.append(para(_shown(lang, len(data.single_sector.rows), data.single_sector.total,
                             tr("open cases with one sector engaged, most urgent first", lang)), st.note))
    story.append(_case_list(data.single_sector.rows, st, lang, include_pii, data.contacts, extra="sector",
                            zone=data.zone))

    # -- areas -------------------------------------------------------------------------------
    story.append(para(tr("Cases and unmet needs by area", lang), st.h1))
    area_rows = [[a["municipality"] or tr("(no area)", lang), a["district"], a["cases"], a["open"], a["unmet"]]
                 for a in data.areas]
    area_rows.append([tr("Total", lang), "", sum(a["cases"] for a in data.areas),
                      sum(a["open"] for a in data.areas), sum(a["unmet"] for a in data.areas)])
    story.append(data_table(
        [tr("Municipality", lang), tr("District", lang), trp("count", "Cases", lang), tr("Open cases", lang),
         tr("Unmet needs", lang)], area_rows, [45 * mm, 55 * mm, 25 * mm, 25 * mm, 25 * mm], st,
        numeric=[2, 3, 4], total_row=True))

    # -- coordination gaps ---------------------------------------------------------------------
    if data.gaps is not None:
        story.extend(_coordination_gaps(data.gaps, st, lang))

    # -- overdue tasks and stalled cases ---------------------------------------------------------
    story.append(para(tr("Overdue tasks", lang), st.h1))
    story.append(para(_shown(lang, len(data.overdue.rows), data.overdue.total,
                             tr("open tasks due before {as_of}, most overdue first", lang,
                                as_of=data.as_of.isoformat())), st.note))
    header = [tr("Case", lang), tr("Task", lang), tr("Status", lang), tr("Due", lang), tr("Days overdue", lang),
              tr("Held by", lang)]
    rows = []
    for r in data.overdue.rows:
        holder = (r["holder"] or "—") + (f" / {r['assignee']}" if r["assignee"] else "")
        rows.append([r["reference"], r["title"], TASK_STATUS.label(r["status"], lang), r["due_date"].isoformat(),
                     r["days_overdue"], holder])
    story.append(data_table(header, rows, [24 * mm, W - 24 * mm - 20 * mm - 20 * mm - 17 * mm - 45 * mm,
                                           20 * mm, 20 * mm, 17 * mm, 45 * mm], st, numeric=[4]))
    story.append(para(tr("Stalled cases", lang), st.h1))
    story.append(para(_shown(lang, len(data.stalled.rows), data.stalled.total,
                             tr("open cases with no recorded activity for {days} days or more, longest idle first",
                                lang, days=data.stalled_days)), st.note))
    story.append(_case_list(data.stalled.rows, st, lang, include_pii, data.contacts, extra="idle",
                            zone=data.zone))
    return story


GAP_CELLS_SHOWN = 20
SINGLE_SECTOR_SHOWN = 25


def _coordination_gaps(g: Gaps, st: Styles, lang: str) -> list[Any]:
    """The worst area × need cells, the needs no one can take, single-sector cases with a
    candidate of another sector: the figures of ``gaps --json`` (services.gaps)."""
    W = CONTENT_WIDTH
    out: list[Any] = [para(tr("Coordination gaps", lang), st.h1), para(tr(
        "For each area and need: the unmet needs of open cases, the organisations whose capabilities and service "
        "areas cover them there, and the capacity those organisations have left (capacity minus the open cases "
        "they already hold for that need; a capacity not recorded counts for nothing). A gap is a cell no one "
        "can take, or one whose unmet needs exceed the capacity left.", lang), st.note)]
    cells = g.cells
    worst = cells[:GAP_CELLS_SHOWN]
    out.append(para(tr("The worst cells", lang), st.h2))
    out.append(para(_shown(lang, len(worst), len(cells), tr("area × need cells with unmet needs, worst first; "
                                                             "{gaps} are gaps", lang, gaps=len(g.gap_cells))),
                    st.note))
    flags = {"no_one": tr("no one can take it", lang), "over_capacity": tr("over capacity", lang), None: "—"}
    out.append(data_table(
        [tr("Area", lang), tr("Need", lang), tr("Unmet needs", lang), tr("Organisations able", lang),
         tr("Capacity left", lang), tr("Gap", lang)],
        [[place_label(c.key, lang), NEED_CATEGORY.label(c.need, lang), c.unmet, c.organisations_able,
          "—" if c.capacity_left is None else c.capacity_left, flags[c.gap]] for c in worst],
        [32 * mm, W - 32 * mm - 4 * 22 * mm - 28 * mm, 22 * mm, 22 * mm, 22 * mm, 28 * mm], st,
        numeric=[2, 3, 4]))
    out.append(para(tr("Needs no organisation can take", lang), st.h2))
    names = [NEED_CATEGORY.label(c, lang) for c in g.needs_without_capability]
    out.append(para(tr("Unmet needs of these categories have no organisation with the capability anywhere: {needs}.",
                       lang, needs=("、" if lang == "ja" else ", ").join(names)) if names
                    else tr("Every category with unmet needs has at least one organisation able to take it.", lang),
                    st.body))
    with_candidate = [s for s in g.single_sector_cases if s.candidate is not None]
    shown = with_candidate[:SINGLE_SECTOR_SHOWN]
    out.append(para(tr("Single-sector cases with a candidate of another sector", lang), st.h2))
    out.append(para(tr("{with_candidate} of the {total} open cases that depend on one sector have a candidate "
                       "from another sector for one of their unmet needs (the first one the matching proposes).",
                       lang, with_candidate=f"{len(with_candidate):,}", total=f"{len(g.single_sector_cases):,}")
                    + " " + _shown(lang, len(shown), len(with_candidate), tr("cases with a candidate", lang)),
                    st.note))
    out.append(data_table(
        [tr("Case", lang), tr("Sector", lang), tr("Need", lang), tr("Candidate", lang), tr("Its sector", lang)],
        [[s.reference, SECTOR.label(s.sector, lang), NEED_CATEGORY.label(s.candidate.category, lang),
          s.candidate.name, SECTOR.label(s.candidate.sector, lang)] for s in shown],
        [24 * mm, 26 * mm, 34 * mm, W - 24 * mm - 26 * mm - 34 * mm - 26 * mm, 26 * mm], st))
    return out


def _org_name(org: dict[str, Any]) -> str:
    return f"{org['name']} ({org['acronym']})" if org["acronym"] else org["name"]


def _shown(lang: str, shown: int, total: int, what: str) -> str:
    if shown >= total:
        return tr("{total} {what}.", lang, total=f"{total:,}", what=what)
    return tr("{total} {what}; the first {shown} are listed.", lang, total=f"{total:,}", what=what,
              shown=f"{shown:,}")


def _chart_and_table(st: Styles, lang: str, vocab: Any, counts: dict[str, int], column: str) -> list[Any]:
    codes = list(counts)
    labels = [vocab.label(k, lang) if k in vocab else tr("Unknown", lang) for k in codes]
    values = [counts[k] for k in codes]
    rows = [*zip(labels, values, strict=True), (tr("Total", lang), sum(values))]
    chart = charts.bar_chart(labels, [values], CONTENT_WIDTH * 0.55)
    table = data_table([column, trp("count", "Cases", lang) if vocab is not TASK_STATUS else tr("Tasks", lang)], rows,
                       [45 * mm, 22 * mm], st, numeric=[1], total_row=True)
    side = Table([[chart, table]], colWidths=[CONTENT_WIDTH * 0.57, CONTENT_WIDTH * 0.43], hAlign="LEFT")
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [side]


def _case_list(rows: list[dict[str, Any]], st: Styles, lang: str, include_pii: bool,
               contacts: dict[str, dict[str, str]], extra: str, zone: Any = None) -> Any:
    W = CONTENT_WIDTH
    header = [tr("Case", lang), tr("Stage", lang), tr("Priority", lang), tr("Area", lang)]
    widths = [23 * mm, 32 * mm, 13 * mm, 32 * mm]
    if extra == "idle":
        header += [when_title(lang, zone, "Last activity"), tr("Days idle", lang)]
        widths += [26 * mm, 15 * mm]
    else:
        header += [tr("Sector", lang)]
        widths += [26 * mm]
    header.append(tr("Lead organisation", lang))
    if include_pii:
        header.append(tr("Contact", lang))
    rest = W - sum(widths)
    if include_pii:
        widths += [rest * 0.55, rest * 0.45]
    else:
        widths.append(rest)
    body = []
    for r in rows:
        row = [r["reference"], STAGE.label(r["stage"], lang), PRIORITY.label(r["priority"], lang), r["area"]]
        if extra == "idle":
            row += [utc_naive_to_local(r["last_activity_at"], zone)[:10], r["idle_days"]]
        else:
            row += [SECTOR.label(r["sector"], lang)]
        row.append(r["holder"] or "—")
        if include_pii:
            contact = contacts.get(r["id"])
            row.append(f"{contact['name']} {contact['phone']}".strip() if contact else tr("(redacted)", lang))
        body.append(row)
    return data_table(header, body, widths, st, numeric=[5] if extra == "idle" else [])


def triangle_groups(orgs: list[dict[str, Any]]) -> list[tuple[charts.TriangleGroup, list[dict[str, Any]]]]:
    """The engaged organisations by position on the triangle (their three axes), heaviest
    position first, lettered A, B, C… in that order; each with its organisations, heaviest first."""
    by_position: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for org in orgs:  # already heaviest first
        by_position.setdefault((org["ownership"], org["profit"], org["formality"]), []).append(org)
    ranked = sorted(by_position.items(), key=lambda kv: (-sum(o["open_tasks"] for o in kv[1]), -len(kv[1]), kv[0]))
    return [(charts.TriangleGroup(chr(ord("A") + i), *position, len(members), sum(o["open_tasks"] for o in members)),
             members) for i, (position, members) in enumerate(ranked)]


def _triangle(orgs: list[dict[str, Any]], st: Styles, lang: str) -> list[Any]:
    groups = triangle_groups(orgs)
    size = CONTENT_WIDTH * 0.8
    figure = charts.welfare_triangle(
        [g for g, _members in groups], {k: SECTOR.label(k, lang) for k in ("state", "market", "community")},
        SECTOR.label("third_sector", lang), size)
    largest = max((g.open_tasks for g, _members in groups), default=0)
    out: list[Any] = [
        para(tr("The welfare triangle", lang), st.h1),
        para(tr("Each engaged organisation sits where its ownership, profit motive and formality place it "
                "(Pestoff's welfare triangle). Organisations at the same place share one circle: its label gives "
                "the place's letter and how many organisations are there, its area the open tasks they lead "
                "together. The table below names them.", lang), st.note),
        KeepTogether([figure]),
    ]
    if largest:
        side = size - 140
        samples = sorted({max(1, largest // 10), max(1, largest // 2), largest})
        out.append(charts.bubble_legend(samples, largest, side,
                                        [tr("{n} open tasks", lang, n=f"{v:,}") for v in samples]))
    if groups:
        out.append(Spacer(1, 4))
        joined = "・".join if lang == "ja" else " · ".join
        rows = []
        for g, members in groups:
            axes = joined([OWNERSHIP.label(g.ownership, lang), PROFIT.label(g.profit, lang),
                           FORMALITY.label(g.formality, lang)])
            sector = SECTOR.label(derive_sector(g.ownership, g.profit, g.formality), lang)
            position = f"{sector}（{axes}）" if lang == "ja" else f"{sector} ({axes})"
            named = [_org_name(o) for o in members[:TRIANGLE_NAMED]]
            if len(members) > TRIANGLE_NAMED:
                named.append(tr("and {count} more organisations", lang, count=f"{len(members) - TRIANGLE_NAMED:,}"))
            names = ("、" if lang == "ja" else ", ").join(named)
            rows.append([g.letter, position, g.organisations, g.open_tasks, names])
        out.append(data_table(
            ["", tr("Place on the triangle", lang), trp("count", "Organisations", lang), tr("Open tasks led", lang),
             tr("Heaviest load first", lang)], rows,
            [7 * mm, 46 * mm, 24 * mm, 21 * mm, CONTENT_WIDTH - 98 * mm], st, numeric=[2, 3]))
    return out
