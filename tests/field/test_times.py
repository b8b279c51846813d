"""Times in the workspace's zone, said as such: Japan's by default whatever the computer's
zone (this machine runs in UTC), another zone when the workspace names one; in the reports
and in the app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_desk.cli.main import main
from recovery_desk.domain.errors import ValidationError
from recovery_desk.services.local_time import JAPAN, set_workspace_zone, workspace_zone, zone_named
from recovery_desk.services.workspace import Workspace
from recovery_desk.storage.models import Activity, Case
from tests.ui.conftest import wait_idle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
STORED = datetime(2024, 6, 30, 23, 5)  # naive UTC, as the audit trail keeps it: 08:05 next day in Japan


def test_a_zone_says_its_name_in_both_languages() -> None:
    assert JAPAN.format(STORED, "en") == "2024-07-01 08:05 JST"
    assert JAPAN.format(STORED, "ja") == "2024-07-01 08:05 日本時間"
    assert JAPAN.format(STORED, "en", offset=True) == "2024-07-01 08:05 JST (UTC+09:00)"
    assert JAPAN.format(STORED, "ja", offset=True) == "2024-07-01 08:05 日本時間（UTC+09:00）"
    berlin = zone_named("Europe/Berlin")
    assert berlin.format(STORED, "en") == "2024-07-01 01:05 CEST"  # summer time
    assert berlin.format(datetime(2024, 1, 10, 12, 0), "en") == "2024-01-10 13:00 CET"
    with pytest.raises(ValidationError):
        zone_named("Mars/Olympus_Mons")


def test_the_cli_shows_and_sets_the_zone(demo_copy, capsys) -> None:
    assert main(["--workspace", str(demo_copy), "incident", "zone"]) == 0
    assert "Asia/Tokyo (JST)" in capsys.readouterr().out
    assert main(["--workspace", str(demo_copy), "incident", "zone", "Mars/Olympus_Mons"]) == 1
    assert "is not a time zone" in capsys.readouterr().err
    assert main(["--workspace", str(demo_copy), "incident", "zone", "Europe/Berlin"]) == 0
    with Workspace.open(demo_copy, actor="Test") as ws, ws.session() as s:
        assert workspace_zone(s).name == "Europe/Berlin"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_case_report_prints_times_in_japan_and_says_so(demo_copy, tmp_path: Path, lang: str) -> None:
    from recovery_desk.reports.case import build_case_report
    from tests.reports.helpers import pdf_text

    with Workspace.open(demo_copy, actor="Test") as ws:
        with ws.session() as s:
            case_id, reference = s.execute(select(Case.id, Case.reference).order_by(Case.sequence)).first()
            at = s.scalar(select(Activity.at).where(Activity.case_id == case_id).order_by(Activity.at.desc()))
        out = build_case_report(ws, reference, tmp_path / "case.pdf", lang=lang)
    text = pdf_text(out)
    assert JAPAN.format(at, lang)[:16] in text  # the stored UTC time, shown nine hours later
    assert ("日時（日本時間）" if lang == "ja" else "When (JST)") in text
    assert ("日本時間（UTC+09:00）" if lang == "ja" else "JST (UTC+09:00)") in text  # "Generated …"


def test_the_case_editor_timeline_shows_the_workspace_zone(qtbot, ctx) -> None:
    from recovery_desk.ui.formatting import display_zone
    from recovery_desk.ui.pages.case_editor import CaseEditor

    with ctx.workspace.session() as s:
        case_id = s.scalar(select(Case.id).order_by(Case.sequence))
    editor = CaseEditor(ctx)
    qtbot.addWidget(editor)

    def first_time() -> str:
        editor.load(case_id)
        qtbot.waitUntil(lambda: editor.detail is not None and editor.timeline.topLevelItemCount() > 0,
                        timeout=10_000)
        wait_idle(qtbot, ctx)
        return editor.timeline.topLevelItem(0).text(0)

    shown = first_time()
    latest = editor.detail.timeline[0].at
    assert display_zone() is JAPAN and shown == JAPAN.format(latest, "en")
    set_workspace_zone(ctx.workspace, "Europe/Berlin")
    ctx.set_workspace(ctx.workspace)  # opened again: the zone is read once more
    wait_idle(qtbot, ctx)
    assert first_time() == zone_named("Europe/Berlin").format(latest, "en")


def test_the_zone_follows_the_areas_country_when_the_file_names_none(workspace, capsys) -> None:
    """Japanese local-government codes say Japan; OCHA P-codes of one country with one zone say
    that zone (Philippines: Asia/Manila); a country of several zones, or several countries, keep
    Japan's time and say why; a zone the file names wins."""
    from recovery_desk.services.areas import create_area
    from recovery_desk.services.local_time import zone_and_reason

    path = workspace.path
    with workspace.session() as s:
        assert zone_and_reason(s)[0].name == "Asia/Tokyo"
    create_area(workspace, prefecture="Leyte", prefecture_code="PH08", municipality="Tacloban City",
                municipality_code="PH0803747")
    with workspace.session() as s:
        zone, why = zone_and_reason(s)
        assert (zone.name, why) == ("Asia/Manila", "from the areas' P-codes (PH)")
        assert zone.format(datetime(2024, 7, 1, 0, 0), "en") == "2024-07-01 08:00 PST"
    create_area(workspace, prefecture="Oregon", municipality="Salem", municipality_code="US4106700")
    with workspace.session() as s:
        zone, why = zone_and_reason(s)
        assert zone.name == "Asia/Tokyo" and why.startswith("the areas are in several countries")
    workspace.close()
    assert main(["--workspace", str(path), "incident", "zone", "Asia/Manila"]) == 0
    assert "Asia/Manila (PST): named in this workspace file" in capsys.readouterr().out
    assert main(["--workspace", str(path), "--lang", "ja", "incident", "zone"]) == 0
    assert "このワークスペースファイルで指定" in capsys.readouterr().out


def test_a_country_of_several_zones_keeps_japans_time_and_says_why(workspace) -> None:
    from recovery_desk.services.areas import create_area
    from recovery_desk.services.local_time import zone_and_reason

    create_area(workspace, prefecture="Oregon", municipality="Salem", municipality_code="US4106700")
    with workspace.session() as s:
        zone, why = zone_and_reason(s)
    assert zone.name == "Asia/Tokyo" and why.startswith("the areas are in US, which has ") and "incident zone" in why
