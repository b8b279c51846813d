"""Rows created in bulk (imports, demo data) share one audit record per batch, and every
reader of the trail still shows each row's creation: the case timeline, the stage
history of the case report, the card history of the board."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import select

from recovery_desk.io.importer import BATCH, ImportOptions, import_file
from recovery_desk.services import cases as case_service
from recovery_desk.services.audit import case_timeline
from recovery_desk.services.report_data import stage_history
from recovery_desk.storage.models import BULK_CREATE, Activity, Case, Need, new_id, new_ids

HEADER = "氏名,住所,地区,段階,ニーズ\n"


def cases_file(tmp_path: Path, rows: int) -> Path:
    lines = [f"世帯{i},七尾市府中町{i},府中,アセスメント,食料、心のケア\n" for i in range(rows)]
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_one_record_per_batch_lists_what_it_created(ws, tmp_path: Path) -> None:
    rows = BATCH + 10
    import_file(ws, cases_file(tmp_path, rows), ImportOptions("cases"))
    with ws.session() as s:
        records = s.scalars(select(Activity).where(Activity.action == BULK_CREATE)).all()
        by_entity: dict[str, list[dict]] = {}
        for record in records:
            assert record.operation == "import_cases" and record.actor == "Test"
            by_entity.setdefault(record.entity, []).append(json.loads(record.new_value))
        assert [len(p["ids"]) for p in by_entity["case"]] == [BATCH, 10]
        assert len(by_entity["need"]) == 3  # 2 × rows needs, in batches of BATCH
        case_ids = set(s.scalars(select(Case.id)))
        assert {i for p in by_entity["case"] for i in p["ids"]} == case_ids
        assert {i for p in by_entity["need"] for i in p["case_ids"]} == case_ids
        assert {i for p in by_entity["need"] for i in p["ids"]} == set(s.scalars(select(Need.id)))
        # No record per row: the trail grows by batches, not by rows.
        assert s.query(Activity).filter(Activity.entity.in_(("case", "need"))).count() == len(records) - 1


def test_the_timeline_of_an_imported_case_shows_its_creation_and_later_changes(ws, tmp_path: Path) -> None:
    import_file(ws, cases_file(tmp_path, 3), ImportOptions("cases"))
    with ws.session() as s:
        case = s.scalars(select(Case).order_by(Case.reference)).first()
    case_service.set_stage(ws, case.id, "in_support")
    with ws.session() as s:
        timeline = case_timeline(s, case.id, limit=50)
        created = [(a.entity, a.action, a.operation, a.actor) for a in timeline if a.action == "create"]
        assert sorted(created) == [("case", "create", "import_cases", "Test"),
                                   ("need", "create", "import_cases", "Test"),
                                   ("need", "create", "import_cases", "Test")]
        assert timeline[0].field == "stage" and timeline[0].action == "update"  # newest first
        assert case_timeline(s, case.id, limit=2)[1].action == "create"
        history = stage_history(s, s.get(Case, case.id))
        assert [(h["stage"], h["created"]) for h in history] == [("assessment", True), ("in_support", False)]
        assert history[0]["at"] == s.get(Case, case.id).created_at


def test_a_card_created_in_bulk_has_its_creation_in_its_history(tmp_path: Path) -> None:
    from recovery_desk.services.board_query import load_card
    from recovery_desk.services.demo import create_demo
    from recovery_desk.services.workspace import Workspace
    from recovery_desk.storage.models import Task

    path = tmp_path / "demo.rdesk"
    create_demo(path, cases=20, seed=3, as_of=date(2024, 6, 30))
    with Workspace.open(path) as ws, ws.session() as s:
        task_id = s.scalars(select(Task.id).limit(1)).one()
        history = load_card(s, task_id).history
    assert ("task", "create") in {(h[2], h[3]) for h in history}
    assert not any(h[3] == BULK_CREATE for h in history)


def test_new_ids_are_time_ordered_version_7_uuids() -> None:
    batch = new_ids(5000)
    assert batch == sorted(batch) and len(set(batch)) == 5000
    for text in (*batch[:3], new_id()):
        value = uuid.UUID(text)
        assert value.version == 7 and value.variant == uuid.RFC_4122 and str(value) == text
    assert new_ids(0) == []
