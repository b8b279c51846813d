"""The fields each import kind understands, and the column headers that name them.

Headers are matched after :func:`normalise.header_key` (NFKC, case-folded, no spaces or
punctuation), so ``Contact Name``, ``contact_name`` and ``ＣＯＮＴＡＣＴ　ＮＡＭＥ`` are one
header. Within a field, aliases are listed best first: when two columns name the same
field, the one with the better alias is used and the other is reported as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recovery_desk.domain.vocabulary import (
    CLOSURE_REASON,
    CONSENT_SCOPE,
    DAMAGE_LEVEL,
    FLOOD_LEVEL,
    FORMALITY,
    NEED_CATEGORY,
    OWNERSHIP,
    PRIORITY,
    PROFIT,
    STAGE,
    SUPPORT_CLASS,
    TASK_STATUS,
    VULNERABILITY,
    Vocabulary,
)
from recovery_desk.io.normalise import header_key

KINDS = ("cases", "organisations", "people", "tasks", "areas")
# The fields of a 3W row (io.hxl3w maps HXL hashtags or column names to them).
FIELDS_3W = ("org_name", "org_acronym", "org_type", "sector", "activity", "adm1_name", "adm1_code", "adm2_name",
             "adm2_code", "adm3_name", "adm3_code", "status")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # text | phone | email | int | float | date | vocab | vocab_list | capability_list | list | lgcode6 | lgcode5 | prefcode | org_type
    aliases: tuple[str, ...] = ()
    max_length: int = 200
    vocab: Vocabulary | None = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pii: bool = False
    label_ja: str = ""
    keys: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        keys = (self.name, *self.aliases, *((self.label_ja,) if self.label_ja else ()))
        object.__setattr__(self, "keys", tuple(dict.fromkeys(header_key(a) for a in keys)))


def _f(name: str, type_: str, aliases: str, ja: str, **kw) -> FieldSpec:
    return FieldSpec(name, type_, tuple(a.strip() for a in aliases.split("|") if a.strip()), label_ja=ja, **kw)


AREA_LOCATION = [
    _f("prefecture", "text", "都道府県|都道府県名|pref|prefecture name|所在地_都道府県|adm1|adm1 name|県", "都道府県",
       max_length=100),
    _f("prefecture_code", "prefcode", "都道府県コード|ISO3166-2|iso 3166-2|pref code|prefecture code|pid", "都道府県コード"),
    _f("municipality", "text", "市区町村|市区町村名|市町村|市町村名|自治体|自治体名|city|municipality name|所在地_市区町村|adm2|"
       "adm2 name|市町", "市区町村", max_length=100),
    _f("municipality_code", "lgcode6", "市区町村コード|全国地方公共団体コード|団体コード|地方公共団体コード|lgcode|"
       "local government code|所在地_全国地方公共団体コード|municipality code", "市区町村コード"),
    _f("municipality_code5", "lgcode5", "cid|団体コード5桁|市区町村コード5桁", "市区町村コード（5桁）"),
    _f("district", "text", "地区|地区名|地域|町内|行政区|district|area|エリア|地区・町内", "地区", max_length=100),
]

CASE_FIELDS = [
    _f("reference", "text", "ケース番号|ケースID|受付番号|整理番号|管理番号|case reference|case ref|ref|case no|case number|"
       "case id|no", "ケース番号", max_length=32),
    _f("contact_name", "text", "氏名|名前|世帯主|世帯主氏名|代表者|代表者氏名|相談者|相談者氏名|お名前|contact|contact person|name|"
       "household head|full name", "連絡先氏名", pii=True),
    _f("contact_phone", "phone", "電話番号|電話|連絡先|連絡先電話番号|携帯|携帯電話|tel|phone|telephone|mobile|phone number",
       "連絡先電話番号", max_length=50, pii=True),
    _f("address", "text", "住所|所在地|所在地_連結表記|居所|被災住所|被災家屋の住所|address|location address", "住所",
       max_length=300, pii=True),
    *AREA_LOCATION,
    _f("latitude", "float", "緯度|lat|latitude|y", "緯度", minimum=-90, maximum=90, pii=True),
    _f("longitude", "float", "経度|lon|lng|long|longitude|x", "経度", minimum=-180, maximum=180, pii=True),
    _f("household_size", "int", "世帯人数|世帯人員|人数|家族数|世帯員数|household size|household members|people|persons",
       "世帯人数", minimum=1, maximum=1000),
    _f("vulnerable_members", "text", "要配慮者|要支援者|要配慮事項|vulnerable members|vulnerable", "要配慮者",
       max_length=20_000, pii=True),
    _f("vulnerable_categories", "vocab_list", "要配慮者区分|要配慮区分|要支援者区分|避難行動要支援者区分|"
       "vulnerable categories|vulnerability|vulnerabilities", "要配慮者区分", vocab=VULNERABILITY),
    _f("damage_level", "vocab", "被害程度|被害の程度|被害状況|被害区分|罹災区分|罹災証明|罹災証明区分|住家被害|damage|"
       "damage level", "被害程度", vocab=DAMAGE_LEVEL),
    _f("flood_level", "vocab", "浸水|浸水被害|浸水状況|flood|flood level", "浸水", vocab=FLOOD_LEVEL),
    _f("support_class", "vocab", "世帯の支援区分|支援区分|世帯区分|support class|household support class", "世帯の支援区分",
       vocab=SUPPORT_CLASS),
    _f("stage", "vocab", "段階|進捗|ステージ|対応状況|stage|case stage", "段階", vocab=STAGE),
    _f("closure_reason", "vocab", "終結理由|closure reason", "終結理由", vocab=CLOSURE_REASON),
    _f("priority", "vocab", "優先度|緊急度|priority", "優先度", vocab=PRIORITY),
    _f("opened_on", "date", "受付日|受付年月日|登録日|把握日|相談日|opened|opened on|date opened|intake date|date",
       "受付日"),
    _f("closed_on", "date", "終結日|closed|closed on|date closed", "終結日"),
    _f("needs", "vocab_list", "ニーズ|ニーズ分類|必要な支援|支援ニーズ|needs|need categories", "ニーズ",
       vocab=NEED_CATEGORY),
    _f("consent_scope", "vocab", "同意の範囲|同意|情報共有の同意|consent|consent scope", "同意の範囲", vocab=CONSENT_SCOPE),
    _f("consent_given_on", "date", "同意日|consent given on|consent date", "同意日"),
    _f("notes", "text", "備考|メモ|特記事項|notes|note|remarks|comments", "メモ", max_length=20_000, pii=True),
]

ORGANISATION_FIELDS = [
    _f("name", "text", "団体名|名称|組織名|法人名|事業者名|機関名|organisation|organization|organisation name|"
       "organization name|org name|org|partner name|partner|#org+name|組織", "名称", required=True),
    _f("acronym", "text", "略称|acronym|short name|abbreviation|#org+acronym", "略称", max_length=50),
    _f("org_type", "org_type", "団体種別|種別|組織種別|type|organisation type|organization type|org type|org_type_code|"
       "type code|#org+type|org_type_description|type description|partner type", "団体種別"),
    _f("ownership", "vocab", "所有|公私|ownership", "所有（公/私）", vocab=OWNERSHIP),
    _f("profit", "vocab", "営利性|営利|profit", "営利性", vocab=PROFIT),
    _f("formality", "vocab", "公式性|formality", "公式性", vocab=FORMALITY),
    _f("legal_form", "text", "法人格|法人種別|legal form", "法人格", max_length=50),
    _f("phone", "phone", "電話番号|電話|tel|phone|telephone", "電話番号", max_length=50),
    _f("email", "email", "メール|メールアドレス|e-mail|email|mail", "メール"),
    _f("address", "text", "住所|所在地|address", "住所", max_length=300),
    _f("website", "text", "ウェブサイト|ホームページ|url|website|web", "ウェブサイト", max_length=300),
    _f("capabilities", "capability_list", "対応可能分野|対応分野|活動分野|支援分野|capabilities|capability|services|sectors",
       "対応可能分野", vocab=NEED_CATEGORY),
    _f("service_areas", "list", "活動地域|対応地域|service areas|service area|areas", "活動地域"),
    _f("notes", "text", "備考|メモ|notes|note|remarks", "メモ", max_length=20_000),
]

PERSON_FIELDS = [
    _f("name", "text", "氏名|名前|お名前|担当者|name|full name|person", "氏名", required=True),
    _f("kana", "text", "ふりがな|フリガナ|よみがな|ヨミガナ|カナ|kana|furigana", "ふりがな"),
    _f("phone", "phone", "電話番号|電話|携帯|携帯電話|tel|phone|mobile", "電話番号", max_length=50),
    _f("email", "email", "メール|メールアドレス|e-mail|email|mail", "メール"),
    _f("skills", "list", "技能|資格|スキル|特技|skills|skill|qualifications", "技能"),
    _f("organisations", "list", "所属|所属団体|団体|団体名|organisation|organization|organisations|organizations|org",
       "所属団体"),
    _f("title", "text", "役職|肩書|title|role|position", "役職", max_length=100),
    _f("notes", "text", "備考|メモ|notes|note|remarks", "メモ", max_length=20_000),
]

TASK_FIELDS = [
    _f("case_reference", "text", "ケース番号|ケースID|受付番号|case reference|case ref|case|reference|ref", "ケース番号",
       required=True, max_length=32),
    _f("title", "text", "件名|タスク|作業|作業内容|task|title|task title", "件名", required=True, max_length=300),
    _f("description", "text", "説明|内容|詳細|description|details", "説明", max_length=20_000),
    _f("need_category", "vocab", "ニーズ分類|分野|ニーズ|need category|category|need", "ニーズ分類", vocab=NEED_CATEGORY),
    _f("status", "vocab", "状態|ステータス|status", "状態", vocab=TASK_STATUS),
    _f("lead_organisation", "text", "主担当団体|担当団体|主担当|lead organisation|lead organization|lead org|lead|organisation|"
       "organization", "主担当団体"),
    _f("assignee", "text", "担当者|assignee|assigned to", "担当者"),
    _f("due_date", "date", "期限|期日|締切|due|due date|deadline", "期限"),
    _f("priority", "vocab", "優先度|priority", "優先度", vocab=PRIORITY),
]

AREA_FIELDS = [
    *AREA_LOCATION,
    _f("kana", "text", "ふりがな|よみがな|かな|citykana|kana|名称_カナ", "ふりがな"),
    _f("latitude", "float", "緯度|lat|latitude", "緯度", minimum=-90, maximum=90),
    _f("longitude", "float", "経度|lon|lng|long|longitude", "経度", minimum=-180, maximum=180),
]

FIELDS: dict[str, list[FieldSpec]] = {
    "cases": CASE_FIELDS,
    "organisations": ORGANISATION_FIELDS,
    "people": PERSON_FIELDS,
    "tasks": TASK_FIELDS,
    "areas": AREA_FIELDS,
}


def field_names(kind: str) -> list[str]:
    return [f.name for f in FIELDS[kind]]


def spec(kind: str, name: str) -> FieldSpec:
    for f in FIELDS[kind]:
        if f.name == name:
            return f
    raise KeyError(name)


def guess_field(kind: str, header: str) -> tuple[str, int] | None:
    """The field a header names, and how good the match is (0 = best)."""
    key = header_key(header)
    if not key:
        return None
    best: tuple[str, int] | None = None
    for f in FIELDS[kind]:
        if key in f.keys:
            rank = f.keys.index(key)
            if best is None or rank < best[1]:
                best = (f.name, rank)
    return best


def field_label(kind: str, name: str, lang: str) -> str:
    """A field's column title in an export (Japanese label or the field code)."""
    try:
        f = spec(kind, name)
    except KeyError:
        return name
    return f.label_ja if lang == "ja" and f.label_ja else name
