"""Organisation types as 3W files and registries write them, and the welfare-triangle
axes an imported organisation gets when the file does not give them.

Default axes by type (Pestoff; shared/docs/vocabulary.md), used only when the file has no
ownership/profit/formality columns — a coordinator can correct any organisation later:

=========================  =========  ==========  =========  ============
type                       ownership  profit      formality  sector
=========================  =========  ==========  =========  ============
gov_national, gov_local,   public     nonprofit   formal     state
military, un, donor
social_welfare_council,    private    nonprofit   formal     third_sector
npo, ngo_international,
red_cross, faith_based,
foundation, cooperative,
academic, other
private_company, media     private    forprofit   formal     market
neighbourhood_assoc,       private    nonprofit   informal   community
volunteer_group
=========================  =========  ==========  =========  ============

Donors are mostly governments and their agencies in 3W files (ECHO, USAID, BHA), hence
state; a foundation that funds is typed ``foundation``. UN agencies are intergovernmental
public bodies: state. Universities may be public or private; private is the default.
"""

from __future__ import annotations

from recovery_desk.domain.vocabulary import HDX_TYPE_TO_ORG_TYPE, ORG_TYPE
from recovery_desk.io.normalise import header_key, nfkc

STATE = ("public", "nonprofit", "formal")
THIRD = ("private", "nonprofit", "formal")
MARKET = ("private", "forprofit", "formal")
COMMUNITY = ("private", "nonprofit", "informal")

DEFAULT_AXES: dict[str, tuple[str, str, str]] = {
    "gov_national": STATE, "gov_local": STATE, "military": STATE, "un": STATE, "donor": STATE,
    "social_welfare_council": THIRD, "npo": THIRD, "ngo_international": THIRD, "red_cross": THIRD,
    "faith_based": THIRD, "foundation": THIRD, "cooperative": THIRD, "academic": THIRD, "other": THIRD,
    "private_company": MARKET, "media": MARKET,
    "neighbourhood_assoc": COMMUNITY, "volunteer_group": COMMUNITY,
}
assert set(DEFAULT_AXES) == set(ORG_TYPE.codes)

# HDX type codes missing from vocabulary.ORG_TYPE_HDX's reverse mapping.
_EXTRA_HDX = {"434": "gov_national", "438": "un"}

# Type names as 3W files write them (HDX preferred terms, common short forms, Japanese).
TYPE_NAMES: dict[str, str] = {
    "academic / research": "academic", "academic": "academic", "university": "academic", "research": "academic",
    "donor": "donor", "embassy": "gov_national", "government": "gov_national",
    "national government": "gov_national", "local government": "gov_local", "gov": "gov_national",
    "international ngo": "ngo_international", "ingo": "ngo_international", "international ngos": "ngo_international",
    "international organization": "un", "international organisation": "un", "media": "media",
    "military": "military", "national ngo": "npo", "nngo": "npo", "local ngo": "npo", "ngo": "npo",
    "national ngos": "npo", "other": "other", "private sector": "private_company", "private": "private_company",
    "red cross / red crescent": "red_cross", "red cross": "red_cross", "rcrc": "red_cross", "religious": "faith_based",
    "faith based": "faith_based", "faith-based": "faith_based", "united nations": "un", "un": "un",
    "un agency": "un", "un agencies": "un",
    "国": "gov_national", "省庁": "gov_national", "自治体": "gov_local", "市役所": "gov_local", "市町村": "gov_local",
    "都道府県": "gov_local", "県": "gov_local", "自衛隊": "military", "社協": "social_welfare_council",
    "npo法人": "npo", "特定非営利活動法人": "npo", "国際ngo": "ngo_international",
    "赤十字": "red_cross", "宗教法人": "faith_based", "財団法人": "foundation", "生協": "cooperative",
    "農協": "cooperative", "漁協": "cooperative", "企業": "private_company", "民間企業": "private_company",
    "株式会社": "private_company", "大学": "academic", "自治会": "neighbourhood_assoc",
    "町内会": "neighbourhood_assoc", "自主防災組織": "neighbourhood_assoc", "任意団体": "volunteer_group",
    "ボランティア団体": "volunteer_group", "報道": "media",
}
_TYPE_KEYS = {header_key(k): v for k, v in TYPE_NAMES.items()}


def lookup_org_type(text: str) -> str | None:
    """An organisation type from its code, English or Japanese label, HDX code or common name."""
    value = nfkc(text)
    if not value:
        return None
    code = ORG_TYPE.lookup(value)
    if code:
        return code
    digits = value.removesuffix(".0")
    if digits.isdigit():
        return _EXTRA_HDX.get(digits) or HDX_TYPE_TO_ORG_TYPE.get(digits)
    return _TYPE_KEYS.get(header_key(value))
