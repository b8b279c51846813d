"""The incident report's "Coordination gaps" section prints the figures ``gaps --json`` prints."""

from __future__ import annotations

import json

import pytest

from recovery_desk.cli.main import main
from recovery_desk.domain.vocabulary import NEED_CATEGORY, SECTOR
from recovery_desk.reports.incident import build_incident_report
from recovery_desk.services.gaps import place_label
from tests.reports.helpers import contains_run, pdf_lines, table_run

pytestmark = pytest.mark.both_engines  # on a workspace file and on a PostgreSQL server


def test_report_section_equals_the_cli(mapped, tmp_path, capsys) -> None:
    pdfs = {lang: build_incident_report(mapped.ws, tmp_path / f"{lang}.pdf", lang=lang) for lang in ("en", "ja")}
    mapped.ws.close()
    assert main(["--workspace", str(mapped.path), "gaps", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    for lang, pdf in pdfs.items():
        lines = pdf_lines(pdf)
        flags = {"no_one": "no one can take it" if lang == "en" else "担い手なし",
                 "over_capacity": "over capacity" if lang == "en" else "受け入れ超過", None: "—"}
        rows = [[place_label((c["municipality_code"], c["municipality"], c["district"] or ""), lang),
                 NEED_CATEGORY.label(c["need"], lang), c["unmet"], c["organisations_able"],
                 "—" if c["capacity_left"] is None else c["capacity_left"], flags[c["gap"]]] for c in cli["cells"]]
        text = "\n".join(lines)
        # the table's rows: every cell of the CLI, in the CLI's order, with its figures
        assert contains_run(lines, table_run([], rows)), lang
        assert text.index("Coordination gaps" if lang == "en" else "調整の空白") < text.index(rows[0][0])
        assert NEED_CATEGORY.label(cli["needs_without_capability"][0], lang) in text
        single = cli["single_sector_cases"][0]
        assert contains_run(lines, table_run([], [[single["case"], SECTOR.label(single["sector"], lang),
                                                   NEED_CATEGORY.label(single["need"], lang), single["candidate"]]]))
