"""Every enumeration of the product, with its stable code and its English/Japanese labels.

Codes travel in exports and sync bundles and never change; labels are translated.
This is the one place that maps codes to labels, to IASC cluster codes, to HDX
organisation type codes and to HXL statuses (see shared/docs/vocabulary.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    en: str
    ja: str

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class Vocabulary:
    """An ordered, closed list of terms."""

    def __init__(self, name: str, terms: list[tuple[str, str, str]]):
        self.name = name
        self.terms = [Term(*t) for t in terms]
        self._by_code = {t.code: t for t in self.terms}

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def label(self, code: str | None, lang: str = "en") -> str:
        if code is None:
            return ""
        term = self._by_code.get(code)
        return term.label(lang) if term else code

    def lookup(self, text: str) -> str | None:
        """Find a code from its code, English label or Japanese label (case-insensitive)."""
        key = text.strip().casefold()
        for t in self.terms:
            if key in (t.code.casefold(), t.en.casefold(), t.ja.casefold()):
                return t.code
        return None


OWNERSHIP = Vocabulary("ownership", [("public", "Public", "公的"), ("private", "Private", "私的")])
PROFIT = Vocabulary("profit", [("nonprofit", "Non-profit", "非営利"), ("forprofit", "For-profit", "営利")])
FORMALITY = Vocabulary("formality", [("formal", "Formal", "公式"), ("informal", "Informal", "非公式")])

SECTOR = Vocabulary(
    "sector",
    [
        ("state", "State", "行政"),
        ("market", "Market", "市場"),
        ("community", "Community", "地域コミュニティ"),
        ("third_sector", "Third sector", "非営利セクター"),
        ("hybrid", "Hybrid", "混合"),
    ],
)
# The four corners and centre of Pestoff's triangle; "hybrid" is any other combination
# of the axes and is not counted as a sector of its own when counting sectors on a case.
PESTOFF_SECTORS = ("state", "market", "community", "third_sector")


def derive_sector(ownership: str, profit: str, formality: str) -> str:
    """Pestoff's welfare triangle: the sector follows from the three stored axes."""
    axes = (ownership, profit, formality)
    return {
        ("public", "nonprofit", "formal"): "state",
        ("private", "forprofit", "formal"): "market",
        ("private", "nonprofit", "informal"): "community",
        ("private", "nonprofit", "formal"): "third_sector",
    }.get(axes, "hybrid")


ORG_TYPE = Vocabulary(
    "org_type",
    [
        ("gov_national", "National government", "国の機関"),
        ("gov_local", "Local government", "地方公共団体"),
        ("military", "Military (SDF)", "自衛隊"),
        ("social_welfare_council", "Social welfare council", "社会福祉協議会"),
        ("npo", "NPO / national NGO", "NPO・国内NGO"),
        ("ngo_international", "International NGO", "国際NGO"),
        ("un", "United Nations", "国連機関"),
        ("red_cross", "Red Cross / Red Crescent", "赤十字"),
        ("faith_based", "Faith-based organisation", "宗教団体"),
        ("foundation", "Foundation", "財団"),
        ("cooperative", "Co-operative", "協同組合"),
        ("private_company", "Private company", "民間企業"),
        ("academic", "Academic / research", "大学・研究機関"),
        ("neighbourhood_assoc", "Neighbourhood association", "自治会・町内会"),
        ("volunteer_group", "Volunteer group", "ボランティア団体"),
        ("media", "Media", "報道機関"),
        ("donor", "Donor", "ドナー"),
        ("other", "Other", "その他"),
    ],
)
# HDX organisation type code (shared/data/hdx/org_types.csv) for each organisation type.
ORG_TYPE_HDX = {
    "gov_national": "435", "gov_local": "435", "military": "440",
    "social_welfare_council": "441", "npo": "441", "ngo_international": "437",
    "un": "447", "red_cross": "445", "faith_based": "446", "foundation": "60",
    "cooperative": "90", "private_company": "444", "academic": "431",
    "neighbourhood_assoc": "501", "volunteer_group": "501", "media": "439",
    "donor": "433", "other": "443",
}
# Reverse mapping used by importers: the first type listed for a code wins.
HDX_TYPE_TO_ORG_TYPE: dict[str, str] = {}
for _code, _hdx in ORG_TYPE_HDX.items():
    HDX_TYPE_TO_ORG_TYPE.setdefault(_hdx, _code)
HDX_TYPE_TO_ORG_TYPE["441"] = "npo"
HDX_TYPE_TO_ORG_TYPE["501"] = "volunteer_group"

LEGAL_FORMS = [
    "特定非営利活動法人", "一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人",
    "社会福祉法人", "生活協同組合", "農業協同組合", "株式会社", "合同会社", "任意団体",
    "地方公共団体",
]

ROLE = Vocabulary(
    "role",
    [
        ("lead", "Lead", "主担当"),
        ("implementer", "Implementer", "実施"),
        ("supporter", "Supporter", "協力"),
        ("funder", "Funder", "資金提供"),
        ("coordinator", "Coordinator", "調整"),
    ],
)

STAGE = Vocabulary(
    "stage",
    [
        ("identified", "Identified", "把握"),
        ("intake", "Intake", "訪問・聞き取り"),
        ("assessment", "Assessment", "アセスメント"),
        ("planning", "Planning", "ケース会議・支援計画"),
        ("in_support", "In support", "支援中"),
        ("monitoring", "Monitoring", "見守り"),
        ("closed", "Closed", "終結"),
        ("on_hold", "On hold", "保留"),
        ("transferred", "Transferred", "移管"),
    ],
)
CLOSED_STAGES = ("closed", "transferred")
OPEN_STAGES = tuple(c for c in STAGE.codes if c not in CLOSED_STAGES)

CLOSURE_REASON = Vocabulary(
    "closure_reason",
    [
        ("goals_met", "Goals met", "目標達成"),
        ("self_reliant", "Self-reliant", "自立"),
        ("declined", "Declined support", "支援辞退"),
        ("unreachable", "Unreachable", "連絡不能"),
        ("moved", "Moved away", "転居"),
        ("deceased", "Deceased", "死亡"),
        ("program_ended", "Programme ended", "事業終了"),
        ("duplicate", "Duplicate", "重複"),
    ],
)

SUPPORT_CLASS = Vocabulary(
    "support_class",
    [
        ("self_reliant", "Self-reliant", "生活再建可能"),
        ("daily_life_support", "Daily-life support", "日常生活支援"),
        ("housing_support", "Housing support", "住まいの再建支援"),
        ("both", "Both", "両方"),
    ],
)

NEED_CATEGORY = Vocabulary(
    "need_category",
    [
        ("housing_repair", "Housing repair", "住宅修理"),
        ("temporary_housing", "Temporary housing", "仮設住宅"),
        ("household_items", "Household items", "生活用品"),
        ("debris_mud_removal", "Debris and mud removal", "泥出し・家財搬出"),
        ("food", "Food", "食料"),
        ("water_sanitation", "Water and sanitation", "水・衛生"),
        ("health", "Health", "保健・医療"),
        ("mental_health", "Mental health", "心のケア"),
        ("care_welfare", "Care and welfare", "介護・福祉"),
        ("protection", "Protection", "保護"),
        ("child_education", "Children and education", "子ども・教育"),
        ("livelihood_employment", "Livelihood and employment", "生業・就労"),
        ("benefits_paperwork", "Benefits and paperwork", "罹災証明・支援金申請"),
        ("legal_property", "Legal and property", "法律・財産"),
        ("transport", "Transport", "移動・交通"),
        ("information", "Information", "情報"),
        ("community", "Community", "居場所・サロン"),
        ("other", "Other", "その他"),
    ],
)
NEED_CLUSTER = {
    "housing_repair": "SHL", "temporary_housing": "SHL", "household_items": "SHL",
    "debris_mud_removal": "ERY", "food": "FSC", "water_sanitation": "WSH", "health": "HEA",
    "mental_health": "HEA", "care_welfare": "PRO", "protection": "PRO",
    "child_education": "EDU", "livelihood_employment": "ERY", "benefits_paperwork": "ERY",
    "legal_property": "PRO-HLP", "transport": "LOG", "information": "TEL",
    "community": "ERY", "other": "",
}

NEED_STATE = Vocabulary(
    "need_state",
    [
        ("unmet", "Unmet", "未対応"),
        ("in_progress", "In progress", "対応中"),
        ("met", "Met", "充足"),
        ("withdrawn", "Withdrawn", "取下げ"),
    ],
)

DAMAGE_LEVEL = Vocabulary(
    "damage_level",
    [
        ("zenkai", "Total collapse", "全壊"),
        ("daikibo_hankai", "Large-scale half collapse", "大規模半壊"),
        ("chukibo_hankai", "Medium-scale half collapse", "中規模半壊"),
        ("hankai", "Half collapse", "半壊"),
        ("jun_hankai", "Quasi half collapse", "準半壊"),
        ("ichibu_sonkai", "Partial damage", "一部損壊"),
        ("none", "No damage", "被害なし"),
    ],
)
FLOOD_LEVEL = Vocabulary(
    "flood_level",
    [("above_floor", "Flooded above floor", "床上浸水"), ("below_floor", "Flooded below floor", "床下浸水")],
)

TASK_STATUS = Vocabulary(
    "task_status",
    [
        ("received", "Received", "受付"),
        ("matched", "Matched", "調整済"),
        ("in_progress", "In progress", "活動中"),
        ("blocked", "Blocked", "保留"),
        ("done", "Done", "完了"),
        ("cancelled", "Cancelled", "中止"),
    ],
)
CLOSED_TASK_STATUSES = ("done", "cancelled")
TASK_STATUS_HXL = {
    "received": "planned", "matched": "planned", "in_progress": "active",
    "blocked": "active", "done": "complete", "cancelled": "canceled",
}

PRIORITY = Vocabulary(
    "priority",
    [("urgent", "Urgent", "緊急"), ("high", "High", "高"), ("normal", "Normal", "通常"), ("low", "Low", "低")],
)

HAZARD = Vocabulary(
    "hazard",
    [
        ("EQ", "Earthquake", "地震"),
        ("TS", "Tsunami", "津波"),
        ("FL", "Flood", "洪水"),
        ("TC", "Tropical cyclone / typhoon", "台風"),
        ("LS", "Landslide", "土砂災害"),
        ("VO", "Volcano", "火山"),
        ("FR", "Fire", "火災"),
        ("ST", "Severe storm", "暴風雨"),
        ("OT", "Other", "その他"),
    ],
)

CONSENT_SCOPE = Vocabulary(
    "consent_scope",
    [
        ("none", "No sharing", "共有しない"),
        ("coordination", "Shared among coordinating organisations", "支援調整の範囲で共有"),
        ("reports", "May appear in reports with personal data", "報告書への個人情報記載可"),
    ],
)

# The sector an organisation of a type usually sits in, to warn when its axes say otherwise
# (an "NPO" whose axes make it Market). Types that sit anywhere (other, media, donor…) are absent.
TYPICAL_SECTOR = {
    "gov_national": "state", "gov_local": "state", "military": "state", "social_welfare_council": "third_sector",
    "npo": "third_sector", "ngo_international": "third_sector", "red_cross": "third_sector",
    "faith_based": "third_sector", "foundation": "third_sector", "cooperative": "third_sector",
    "private_company": "market", "neighbourhood_assoc": "community", "volunteer_group": "community",
}

# 要配慮者 (people needing special care in a disaster, 災害対策基本法 8条2項15号): the categories
# municipalities' lists of 避難行動要支援者 use. Codes are never substrings of one another
# (the cases filter matches them inside case.vulnerable_categories).
VULNERABILITY = Vocabulary(
    "vulnerability",
    [
        ("elderly_alone", "Elderly person living alone", "独居高齢者"),
        ("elderly_household", "Elderly-only household", "高齢者のみ世帯"),
        ("nursing_care", "Needs nursing care", "要介護者"),
        ("disability", "Disability", "障害者"),
        ("infants", "Infants", "乳幼児"),
        ("pregnancy", "Pregnancy", "妊産婦"),
        ("medical_devices", "Chronic illness or medical devices", "難病・医療機器使用"),
        ("limited_japanese", "Foreign resident with limited Japanese", "日本語が不自由な外国人"),
        ("dementia", "Dementia", "認知症"),
    ],
)

ALL_VOCABULARIES = [
    OWNERSHIP, PROFIT, FORMALITY, SECTOR, ORG_TYPE, ROLE, STAGE, CLOSURE_REASON,
    SUPPORT_CLASS, NEED_CATEGORY, NEED_STATE, DAMAGE_LEVEL, FLOOD_LEVEL, TASK_STATUS,
    PRIORITY, HAZARD, CONSENT_SCOPE, VULNERABILITY,
]
