"""A demo workspace that looks like Nanao city (石川県七尾市) after the 2024 Noto earthquake.

Deterministic for a seed and an as-of date, and scalable to 60,000 cases / 300,000 tasks:
rows are generated in batches and written through ``Operation.add_many`` (the same audit
path as every other change) in one transaction. Districts and coordinates come from
``resources/demo/nanao_places.csv`` (CC BY 4.0, raokiey, from Nanao city's shelter list).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from recovery_desk.domain.vocabulary import CLOSED_TASK_STATUSES, derive_sector
from recovery_desk.resources import resource_path
from recovery_desk.services.operation import Operation
from recovery_desk.services.tasks import POSITION_GAP
from recovery_desk.services.workspace import Workspace, build_empty, claim_new_path
from recovery_desk.storage import database, files
from recovery_desk.storage.engines import is_server_url
from recovery_desk.storage.models import (
    Area,
    Capability,
    Case,
    ChecklistItem,
    Comment,
    Conference,
    ConferenceAttendee,
    Consent,
    Decision,
    Incident,
    Membership,
    Need,
    Organisation,
    Participation,
    Person,
    ServiceArea,
    Task,
    TaskDependency,
    TaskSupporter,
    uuid4_text,
)
from recovery_desk.storage.retry import retrying

INCIDENT_NAME = "令和6年能登半島地震（デモ）"
INCIDENT_START = date(2024, 1, 1)
PREFECTURE, PREFECTURE_CODE = "石川県", "JP-17"
MUNICIPALITY, MUNICIPALITY_CODE = "七尾市", "172022"
BATCH = 2000

# (name, acronym, ownership, profit, formality, type, legal form, capabilities)
BASE_ORGANISATIONS: list[tuple[str, str, str, str, str, str, str, tuple[str, ...]]] = [
    ("七尾市役所", "NANAO-CITY", "public", "nonprofit", "formal", "gov_local", "地方公共団体",
     ("benefits_paperwork", "temporary_housing", "information", "housing_repair")),
    ("石川県庁", "ISHIKAWA-PREF", "public", "nonprofit", "formal", "gov_local", "地方公共団体",
     ("temporary_housing", "benefits_paperwork")),
    ("七尾市地域包括支援センター", "NANAO-HOKATSU", "public", "nonprofit", "formal", "gov_local", "地方公共団体",
     ("care_welfare", "health", "mental_health")),
    ("陸上自衛隊 第10師団", "JGSDF-10D", "public", "nonprofit", "formal", "military", "",
     ("debris_mud_removal", "water_sanitation", "food", "transport")),
    ("七尾市社会福祉協議会", "NANAO-SHAKYO", "private", "nonprofit", "formal", "social_welfare_council",
     "社会福祉法人", ("care_welfare", "community", "household_items", "debris_mud_removal", "information")),
    ("石川県社会福祉協議会", "ISHIKAWA-SHAKYO", "private", "nonprofit", "formal", "social_welfare_council",
     "社会福祉法人", ("care_welfare", "benefits_paperwork")),
    ("特定非営利活動法人 能登復興ネットワーク", "NOTO-NET", "private", "nonprofit", "formal", "npo",
     "特定非営利活動法人", ("housing_repair", "debris_mud_removal", "community")),
    ("特定非営利活動法人 災害支援ななお", "DS-NANAO", "private", "nonprofit", "formal", "npo",
     "特定非営利活動法人", ("debris_mud_removal", "household_items", "transport")),
    ("一般社団法人 こころのケアいしかわ", "KOKORO", "private", "nonprofit", "formal", "npo", "一般社団法人",
     ("mental_health", "health")),
    ("日本赤十字社 石川県支部", "JRCS-ISHIKAWA", "private", "nonprofit", "formal", "red_cross", "",
     ("health", "household_items", "food")),
    ("生活協同組合コープいしかわ", "COOP-ISHIKAWA", "private", "nonprofit", "formal", "cooperative",
     "生活協同組合", ("food", "household_items")),
    ("JA能登わかば", "JA-NOTO", "private", "nonprofit", "formal", "cooperative", "農業協同組合",
     ("livelihood_employment", "food")),
    ("能登法律支援センター", "NOTO-LEGAL", "private", "nonprofit", "formal", "npo", "一般社団法人",
     ("legal_property", "benefits_paperwork")),
    ("公益財団法人 北陸こども未来財団", "HOKURIKU-KIDS", "private", "nonprofit", "formal", "foundation",
     "公益財団法人", ("child_education",)),
    ("株式会社 能登建設", "NOTO-KENSETSU", "private", "forprofit", "formal", "private_company", "株式会社",
     ("housing_repair", "debris_mud_removal")),
    ("七尾工務店 株式会社", "NANAO-KOMUTEN", "private", "forprofit", "formal", "private_company", "株式会社",
     ("housing_repair",)),
    ("能登運送 株式会社", "NOTO-UNSO", "private", "forprofit", "formal", "private_company", "株式会社",
     ("transport", "household_items")),
    ("合同会社 のと電気設備", "NOTO-DENKI", "private", "forprofit", "formal", "private_company", "合同会社",
     ("housing_repair",)),
    ("和倉温泉旅館組合", "WAKURA-RYOKAN", "private", "forprofit", "formal", "private_company", "",
     ("temporary_housing", "livelihood_employment")),
    ("のと鉄道 株式会社（第三セクター）", "NOTO-RAIL", "public", "forprofit", "formal", "private_company",
     "株式会社", ("transport",)),
    ("金沢大学 災害支援チーム", "KANAZAWA-U", "public", "nonprofit", "formal", "academic", "",
     ("information", "mental_health")),
    ("七尾ボランティアの会", "NANAO-VOL", "private", "nonprofit", "informal", "volunteer_group", "任意団体",
     ("debris_mud_removal", "community", "household_items")),
    ("能登の炊き出し有志", "TAKIDASHI", "private", "nonprofit", "informal", "volunteer_group", "任意団体",
     ("food", "community")),
]
COMMUNITY_CAPABILITIES = ("community", "information", "household_items", "debris_mud_removal")
EXTRA_ORG_TEMPLATES = [
    ("特定非営利活動法人 {area}復興支援の会", "private", "nonprofit", "formal", "npo", "特定非営利活動法人"),
    ("{area}建設 株式会社", "private", "forprofit", "formal", "private_company", "株式会社"),
    ("{area}ボランティアグループ", "private", "nonprofit", "informal", "volunteer_group", "任意団体"),
    ("一般社団法人 {area}くらしサポート", "private", "nonprofit", "formal", "npo", "一般社団法人"),
    ("{area}商店会", "private", "forprofit", "informal", "other", "任意団体"),
]

SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本",
            "松本", "井上", "木村", "林", "清水", "山口", "森", "池田", "橋本", "石川", "前田", "藤田", "岡田",
            "後藤", "長谷川", "村上", "近藤", "坂本", "北村", "能登", "七尾", "和田", "中島", "宮本"]
GIVEN_NAMES = ["太郎", "花子", "一郎", "恵子", "健一", "美智子", "誠", "洋子", "修", "幸子", "隆", "和子",
               "博", "節子", "茂", "久美子", "大輔", "由美", "翔太", "さくら", "陽菜", "蓮", "悠人", "結衣"]
SKILLS = ["重機操作", "介護福祉士", "看護師", "社会福祉士", "大工", "電気工事", "法律相談", "通訳（英語）",
          "運転（中型）", "傾聴", "保育士", "調理", "事務", "写真記録"]
VULNERABLE = ["高齢者（80代）", "要介護2", "障害者手帳あり", "乳幼児", "妊婦", "独居高齢者", "日本語が不自由",
              "持病あり（透析）", "認知症の疑い"]

STAGE_WEIGHTS = [("identified", 8), ("intake", 10), ("assessment", 12), ("planning", 12),
                 ("in_support", 25), ("monitoring", 12), ("closed", 15), ("on_hold", 4), ("transferred", 2)]
DAMAGE_WEIGHTS = [("zenkai", 10), ("daikibo_hankai", 10), ("chukibo_hankai", 12), ("hankai", 20),
                  ("jun_hankai", 18), ("ichibu_sonkai", 25), ("none", 5)]
SUPPORT_WEIGHTS = [("self_reliant", 35), ("daily_life_support", 25), ("housing_support", 25), ("both", 15)]
PRIORITY_WEIGHTS = [("urgent", 8), ("high", 22), ("normal", 55), ("low", 15)]
CLOSURE_WEIGHTS = [("goals_met", 50), ("self_reliant", 20), ("declined", 8), ("unreachable", 5),
                   ("moved", 10), ("deceased", 2), ("program_ended", 3), ("duplicate", 2)]
NEED_WEIGHTS = [("housing_repair", 20), ("debris_mud_removal", 14), ("benefits_paperwork", 14),
                ("temporary_housing", 8), ("household_items", 9), ("care_welfare", 9), ("mental_health", 6),
                ("health", 5), ("food", 4), ("water_sanitation", 3), ("livelihood_employment", 4),
                ("legal_property", 3), ("transport", 3), ("community", 4), ("child_education", 2),
                ("protection", 1), ("information", 2), ("other", 1)]
TASK_TITLES = {
    "housing_repair": ["屋根のブルーシート張り", "応急修理の見積もり", "応急修理制度の申請支援", "床の張り替え"],
    "debris_mud_removal": ["家財の搬出", "泥出し作業", "災害ごみの運搬", "倒壊ブロック塀の撤去"],
    "benefits_paperwork": ["罹災証明書の申請同行", "被災者生活再建支援金の申請", "義援金の案内", "保険請求の書類確認"],
    "temporary_housing": ["仮設住宅の入居申込", "みなし仮設の物件探し", "引っ越しの手配"],
    "household_items": ["家電の配布調整", "布団・毛布の配布", "生活用品セットの配達"],
    "care_welfare": ["ケアマネジャーとの連絡", "デイサービス再開の調整", "見守り訪問"],
    "mental_health": ["心のケア面談", "傾聴ボランティア訪問"],
    "health": ["服薬の確認", "保健師の訪問"],
    "food": ["食料の配達", "炊き出しの案内"],
    "water_sanitation": ["給水タンクの設置", "トイレの修理手配"],
    "livelihood_employment": ["仕事の相談", "店舗再開の補助金案内"],
    "legal_property": ["法律相談の予約", "相続・登記の相談"],
    "transport": ["通院の送迎", "移動手段の確保"],
    "community": ["サロンへの案内", "町内会との顔合わせ"],
    "child_education": ["学用品の支援", "学童保育の調整"],
    "protection": ["安全確認の訪問"],
    "information": ["支援制度の説明", "連絡先の共有"],
    "other": ["その他の相談対応"],
}
CHECKLIST_TEXTS = ["本人に連絡", "現地確認", "写真記録", "見積書を受領", "申請書を提出", "完了報告"]
COMMENT_TEXTS = ["本人と電話で確認済み。", "来週訪問予定。", "資材の到着待ち。", "社協と調整中。",
                 "雨天のため延期。", "家族の同意を得た。"]


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> Callable[[], str]:
    codes = [c for c, _ in pairs]
    cum: list[int] = []
    total = 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return lambda: rng.choices(codes, cum_weights=cum)[0]


@dataclass
class DemoResult:
    cases: int = 0
    organisations: int = 0
    people: int = 0
    tasks: int = 0
    rows: dict[str, int] = field(default_factory=dict)


class DemoBuilder:
    def __init__(self, op: Operation, incident_id: str, seed: int, as_of: date, prefix: str):
        self.op = op
        self.incident_id = incident_id
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.prefix = prefix
        self.result = DemoResult()
        self.position = {s: 0.0 for s in ("received", "matched", "in_progress", "blocked", "done", "cancelled")}

    def uid(self) -> str:
        """A version-4 UUID drawn from the seeded generator (deterministic per seed)."""
        return uuid4_text(self.rng.getrandbits(128))

    def add(self, model: type, rows: list[dict[str, Any]], case_key: str | None = "case_id") -> None:
        n = self.op.add_many(model, rows, case_key=case_key)
        self.result.rows[model.__tablename__] = self.result.rows.get(model.__tablename__, 0) + n
        rows.clear()

    def person_name(self) -> str:
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(GIVEN_NAMES)}"

    def phone(self) -> str:
        return f"0767-{self.rng.randint(50, 69):02d}-{self.rng.randint(0, 9999):04d}"

    # -- reference data ----------------------------------------------------------------------
    def areas(self) -> list[dict[str, Any]]:
        rows = []
        with resource_path("demo", "nanao_places.csv").open(encoding="utf-8") as f:
            lines = [line for line in f if not line.startswith("#")]
        places = list(csv.DictReader(lines))
        by_district: dict[str, list[dict[str, str]]] = {}
        for p in places:
            by_district.setdefault(p["district"], []).append(p)
        for district, towns in by_district.items():
            lat = sum(float(t["latitude"]) for t in towns) / len(towns)
            lon = sum(float(t["longitude"]) for t in towns) / len(towns)
            rows.append(dict(id=self.uid(), prefecture=PREFECTURE, prefecture_code=PREFECTURE_CODE,
                             municipality=MUNICIPALITY, municipality_code=MUNICIPALITY_CODE, district=district,
                             kana="", latitude=round(lat, 6), longitude=round(lon, 6),
                             _towns=[t["town"] for t in towns]))
        return rows

    def organisations(self, areas: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
        orgs: list[dict[str, Any]] = []

        def org(name, acronym, own, profit, form, otype, legal, caps):
            orgs.append(dict(id=self.uid(), name=name, acronym=acronym, ownership=own, profit=profit,
                             formality=form, sector=derive_sector(own, profit, form), org_type=otype,
                             legal_form=legal, phone=self.phone(), email="", address=f"{MUNICIPALITY}",
                             website="", notes="", _caps=caps))

        for spec in BASE_ORGANISATIONS:
            org(*spec)
        for area in areas:  # every district has its neighbourhood association
            org(f"{area['district']}地区町会連合会", "", "private", "nonprofit", "informal", "neighbourhood_assoc",
                "任意団体", COMMUNITY_CAPABILITIES)
        i = 0
        while len(orgs) < count:
            area = areas[i % len(areas)]
            name, own, profit, form, otype, legal = EXTRA_ORG_TEMPLATES[(i // len(areas)) % len(EXTRA_ORG_TEMPLATES)]
            suffix = "" if i < len(areas) * len(EXTRA_ORG_TEMPLATES) else f" 第{i // (len(areas) * 5) + 1}"
            caps = tuple(self.rng.sample([c for c, _ in NEED_WEIGHTS], 3))
            org(name.format(area=area["district"]) + suffix, "", own, profit, form, otype, legal, caps)
            i += 1
        return orgs[:max(count, len(BASE_ORGANISATIONS))]

    # -- the whole workspace -----------------------------------------------------------------
    def build(self, n_cases: int) -> DemoResult:
        rng = self.rng
        areas = self.areas()
        area_rows = [{k: v for k, v in a.items() if not k.startswith("_")} for a in areas]
        self.add(Area, area_rows, case_key=None)
        n_orgs = min(500, max(len(BASE_ORGANISATIONS) + len(areas), n_cases // 120))
        orgs = self.organisations(areas, n_orgs)
        self.result.organisations = len(orgs)
        caps, service = [], []
        for o in orgs:
            for c in o["_caps"]:
                caps.append(dict(id=self.uid(), organisation_id=o["id"], need_category=c,
                                 capacity=rng.choice([None, 20, 50, 100, 300])))
            for a in rng.sample(areas, k=min(len(areas), rng.randint(1, 6))):
                service.append(dict(id=self.uid(), organisation_id=o["id"], area_id=a["id"]))
        self.add(Organisation, [{k: v for k, v in o.items() if not k.startswith("_")} for o in orgs], case_key=None)
        self.add(Capability, caps, case_key=None)
        self.add(ServiceArea, service, case_key=None)

        people, members = [], []
        members_of: dict[str, list[str]] = {o["id"]: [] for o in orgs}
        for o in orgs:
            for _ in range(rng.randint(2, 4)):
                pid = self.uid()
                people.append(dict(id=pid, name=self.person_name(), kana="", phone=self.phone(), email="",
                                   skills=rng.sample(SKILLS, k=rng.randint(0, 3)), notes=""))
                joined = [o["id"]] + ([rng.choice(orgs)["id"]] if rng.random() < 0.25 else [])
                for oid in dict.fromkeys(joined):  # a quarter cross organisational borders
                    members.append(dict(id=self.uid(), person_id=pid, organisation_id=oid, title=""))
                    members_of[oid].append(pid)
        self.result.people = len(people)
        self.add(Person, people, case_key=None)
        self.add(Membership, members, case_key=None)

        orgs_for_need: dict[str, list[dict[str, Any]]] = {}
        for o in orgs:
            for c in o["_caps"]:
                orgs_for_need.setdefault(c, []).append(o)
        community_of = {a["id"]: o for a, o in zip(areas, orgs[len(BASE_ORGANISATIONS):], strict=False)}
        shakyo = orgs[4]
        for start in range(0, n_cases, BATCH):
            self.case_batch(range(start, min(n_cases, start + BATCH)), areas, orgs, orgs_for_need,
                            community_of, shakyo, members_of)
        self.result.cases = n_cases
        self.result.tasks = self.result.rows.get("task", 0)
        return self.result

    def case_batch(self, numbers: range, areas, orgs, orgs_for_need, community_of, shakyo, members_of) -> None:
        rng, as_of = self.rng, self.as_of
        stage_of, damage_of = weighted(rng, STAGE_WEIGHTS), weighted(rng, DAMAGE_WEIGHTS)
        support_of, priority_of = weighted(rng, SUPPORT_WEIGHTS), weighted(rng, PRIORITY_WEIGHTS)
        closure_of, need_of = weighted(rng, CLOSURE_WEIGHTS), weighted(rng, NEED_WEIGHTS)
        span = max(1, (as_of - INCIDENT_START).days)
        cases, needs, parts, consents, tasks, supporters, deps = [], [], [], [], [], [], []
        checklist, comments, confs, attendees, decisions = [], [], [], [], []
        for number in numbers:
            cid = self.uid()
            area = areas[number % len(areas)] if rng.random() < 0.3 else rng.choice(areas)
            stage = stage_of()
            # Cases arrive fast in the first weeks, then trickle in.
            opened = INCIDENT_START + timedelta(days=min(span - 1, int(rng.expovariate(1 / (span / 6)))))
            closed_on = None
            if stage == "closed":
                closed_on = min(as_of, opened + timedelta(days=rng.randint(14, 300)))
            idle_days = rng.choice([1, 2, 3, 5, 8, 12]) if rng.random() < 0.85 else rng.randint(15, 90)
            last_activity = max(datetime.combine(opened, time(9)),
                                datetime.combine(as_of - timedelta(days=idle_days), time(rng.randint(8, 18))))
            cases.append(dict(
                id=cid, incident_id=self.incident_id, reference=f"{self.prefix}-{number + 1:04d}",
                sequence=number + 1, area_id=area["id"],
                address=f"{MUNICIPALITY}{rng.choice(area['_towns'])}{rng.randint(1, 40)}番地{rng.randint(1, 20)}",
                latitude=round(area["latitude"] + rng.uniform(-0.006, 0.006), 6),
                longitude=round(area["longitude"] + rng.uniform(-0.006, 0.006), 6),
                contact_name=self.person_name(), contact_phone=self.phone(),
                household_size=rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6]),
                vulnerable_members="、".join(rng.sample(VULNERABLE, k=rng.choice([0, 0, 1, 1, 2]))),
                damage_level=damage_of(), flood_level=None, support_class=support_of(), stage=stage,
                closure_reason=closure_of() if stage == "closed" else None, priority=priority_of(),
                notes=rng.choice(["", "", "日中は不在のことが多い。", "近所の方が様子を見ている。", "ペットあり。"]),
                opened_on=opened, closed_on=closed_on, last_activity_at=last_activity,
            ))
            if stage != "identified" or rng.random() < 0.3:
                given = rng.random() < 0.8
                consents.append(dict(id=self.uid(), case_id=cid, given=given,
                                     scope=rng.choice(["coordination", "coordination", "reports"]) if given else "none",
                                     given_on=opened if given else None, expires_on=None, recorded_by=""))
            # Needs, and the organisations that take them.
            categories = list(dict.fromkeys(need_of() for _ in range(rng.choice([1, 2, 2, 3, 3, 4]))))
            case_orgs: dict[str, str] = {shakyo["id"]: "lead"} if rng.random() < 0.55 else {}
            for category in categories:
                if stage == "closed":
                    state = rng.choice(["met", "met", "met", "withdrawn"])
                elif stage in ("identified", "intake", "assessment"):
                    state = "unmet"
                else:
                    state = rng.choice(["unmet", "in_progress", "in_progress", "met"])
                needs.append(dict(id=self.uid(), case_id=cid, category=category, state=state, note=""))
                if stage not in ("identified",) and rng.random() < 0.85:
                    candidates = orgs_for_need.get(category) or orgs
                    case_orgs.setdefault(rng.choice(candidates)["id"], "implementer")
            if rng.random() < 0.35 and area["id"] in community_of:
                case_orgs.setdefault(community_of[area["id"]]["id"], "supporter")
            if case_orgs and "lead" not in case_orgs.values():
                case_orgs[next(iter(case_orgs))] = "lead"
            if rng.random() < 0.1 and case_orgs:
                case_orgs.setdefault(orgs[0]["id"], "funder")
            for oid, role in case_orgs.items():
                parts.append(dict(id=self.uid(), case_id=cid, organisation_id=oid, role=role))
            # Tasks: about five per case, in statuses that fit the case's stage.
            if stage != "identified" and case_orgs:
                org_ids = list(case_orgs)
                case_tasks: list[dict[str, Any]] = []
                for _ in range(rng.choice([2, 3, 4, 5, 6, 7, 8, 9])):
                    category = rng.choice(categories)
                    status = self.task_status(stage)
                    lead = rng.choice(org_ids)
                    due = None
                    if rng.random() < 0.8:
                        due = as_of + timedelta(days=rng.randint(-12, 50))
                    self.position[status] += POSITION_GAP
                    task = dict(
                        id=self.uid(), case_id=cid, title=rng.choice(TASK_TITLES[category]), description="",
                        need_category=category, status=status, lead_org_id=lead,
                        assignee_id=rng.choice(members_of[lead]) if members_of[lead] and rng.random() < 0.7 else None,
                        due_date=due, priority=priority_of(), position=self.position[status],
                        claimed_at=datetime.combine(opened, time(10)) if status != "received" else None,
                        completed_at=datetime.combine(min(as_of, opened + timedelta(days=rng.randint(3, 60))), time(15))
                        if status == "done" else None,
                        archived_at=None)
                    case_tasks.append(task)
                    if len(org_ids) > 1 and rng.random() < 0.2:
                        other = rng.choice([o for o in org_ids if o != lead])
                        supporters.append(dict(id=self.uid(), task_id=task["id"], organisation_id=other))
                    if rng.random() < 0.3:
                        k = rng.randint(1, 3)
                        done_k = k if status == "done" else rng.randint(0, k)
                        for j, text in enumerate(rng.sample(CHECKLIST_TEXTS, k)):
                            checklist.append(dict(id=self.uid(), task_id=task["id"], text=text, done=j < done_k,
                                                  position=(j + 1) * POSITION_GAP))
                    if rng.random() < 0.2:
                        comments.append(dict(id=self.uid(), task_id=task["id"], author=self.person_name(),
                                             body=rng.choice(COMMENT_TEXTS)))
                # A blocked task waits for an open one of the same case.
                open_tasks = [t for t in case_tasks if t["status"] not in CLOSED_TASK_STATUSES]
                for t in case_tasks:
                    if t["status"] == "blocked":
                        blockers = [o for o in open_tasks if o is not t and o["status"] != "blocked"]
                        if blockers:
                            deps.append(dict(id=self.uid(), task_id=t["id"], blocked_by_id=rng.choice(blockers)["id"]))
                tasks.extend(case_tasks)
                if stage in ("planning", "in_support", "monitoring", "closed") and rng.random() < 0.7:
                    conf_id = self.uid()
                    held = min(as_of, opened + timedelta(days=rng.randint(7, 40)))
                    confs.append(dict(id=conf_id, case_id=cid, held_on=held, title="ケース会議",
                                      notes="関係機関で支援方針を確認。"))
                    for oid in org_ids:
                        attendees.append(dict(id=self.uid(), conference_id=conf_id, organisation_id=oid, person_id=None))
                    for t in rng.sample(case_tasks, k=min(len(case_tasks), rng.randint(1, 2))):
                        decisions.append(dict(id=self.uid(), conference_id=conf_id,
                                              text=f"「{t['title']}」を実施する。", task_id=t["id"]))
        self.add(Case, cases)
        self.add(Consent, consents)
        self.add(Need, needs)
        self.add(Participation, parts)
        self.add(Task, tasks)
        for model, rows in ((TaskSupporter, supporters), (TaskDependency, deps), (ChecklistItem, checklist),
                            (Comment, comments)):
            self.add(model, rows, case_key=None)
        self.add(Conference, confs)
        self.add(ConferenceAttendee, attendees, case_key=None)
        self.add(Decision, decisions, case_key=None)

    def task_status(self, stage: str) -> str:
        r = self.rng.random()
        if stage in ("closed", "transferred"):
            return "done" if r < 0.85 else "cancelled"
        if stage in ("intake", "assessment"):
            return "received" if r < 0.6 else "matched"
        if stage == "monitoring":
            return "done" if r < 0.7 else ("in_progress" if r < 0.9 else "matched")
        if stage == "on_hold":
            return "blocked" if r < 0.4 else "received"
        # planning / in_support
        for status, upto in (("received", 0.15), ("matched", 0.3), ("in_progress", 0.6), ("blocked", 0.7),
                             ("done", 0.95)):
            if r < upto:
                return status
        return "cancelled"


def create_demo(path: Path, *, cases: int = 500, seed: int = 1, as_of: date | None = None,
                actor: str = "") -> DemoResult:
    """Create a demo workspace at ``path`` (refuses to overwrite an existing file).

    Built whole under a temporary name beside ``path`` and linked into place at the end
    (storage/files.py), so a kill leaves no half-made demo and two runs on one new path
    give one demo and one "already exists"."""
    as_of = as_of or date.today()
    if is_server_url(path):  # before Path(): a URL is never a file path
        return _create_demo_on_server(path, cases=cases, seed=seed, as_of=as_of, actor=actor)
    path = Path(path)
    claim_new_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with files.creating(path, replace=False, database=True) as tmp:
        build_empty(tmp)
        # One transaction in DELETE journal mode: WAL would write every page twice. The file
        # is switched to WAL before it gets its name, so no one ever uses it in DELETE mode.
        with Workspace(tmp, database.make_engine(tmp, journal="DELETE"), actor) as ws:
            with ws.operation("create_incident") as op:
                op.add(Incident, name=INCIDENT_NAME, hazard="EQ", start_date=INCIDENT_START,
                       area_description=f"{PREFECTURE}{MUNICIPALITY}", reference_prefix="NANAO")
            with ws.operation("create_demo") as op:
                incident = ws.default_incident(op.session)
                result = DemoBuilder(op, incident.id, seed, as_of, incident.reference_prefix).build(cases)
        database.set_wal(tmp)
    return result


def _create_demo_on_server(url: str, *, cases: int, seed: int, as_of: date, actor: str) -> DemoResult:
    """The demo in an empty server database; a failure leaves it empty again."""
    from recovery_desk.storage import postgres

    ws = Workspace.create(url, incident_name=INCIDENT_NAME, hazard="EQ", start_date=INCIDENT_START,
                          area_description=f"{PREFECTURE}{MUNICIPALITY}", reference_prefix="NANAO", actor=actor)

    def build_once() -> DemoResult:  # one transaction after the workspace's own: retried alone
        with ws.operation("create_demo") as op:
            incident = ws.default_incident(op.session)
            return DemoBuilder(op, incident.id, seed, as_of, incident.reference_prefix).build(cases)

    try:
        return retrying(build_once)
    except BaseException:
        postgres.drop_workspace_tables(ws.engine)
        raise
    finally:
        ws.close()
