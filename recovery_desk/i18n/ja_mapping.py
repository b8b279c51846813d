"""Japanese for resource mapping (matching, coordination gaps, the Resource map page),
keyed by the English text (see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    # cli/commands/match.py, gaps.py
    "organisations that could take a case's unmet needs, ranked": "ケースの未対応ニーズを担える団体（順位付き）",
    "case reference, e.g. NANAO-0042": "ケース番号（例: NANAO-0042）",
    "candidates per need (default 10; 0 for all)": "ニーズごとの候補数（既定 10、0 ですべて）",
    "{option} must be 0 or more": "{option}は0以上で指定してください",
    "coordination gaps: unmet needs per area against who can take them": "調整の空白: 地区ごとの未対応ニーズと担い手",
    "only areas whose district, municipality or code contains this": "地区名・市区町村名・コードにこの文字を含む地域のみ",
    "only this need category (code or label)": "このニーズ分類のみ（コードまたは名称）",
    # services/matching.py
    "unknown need category {value}; use one of: {known}": "不明なニーズ分類 {value} です。次のいずれかを指定してください: {known}",
    "Who could take the needs of {reference}:": "{reference} のニーズを担える団体:",
    "the case has no unmet need": "このケースに未対応のニーズはありません",
    "no organisation has this capability": "この対応分野を持つ団体はありません",
    "can take {need}": "{need}に対応可能",
    "serves the district {area}": "地区 {area} で活動",
    "serves the municipality {area}": "{area} 全域で活動",
    "serves the whole prefecture {area}": "{area} 全域（県）で活動",
    "has no service area covering this case": "このケースの地域は活動地域外",
    "capacity not known": "受け入れ可能数は不明",
    "capacity: not known": "受け入れ可能数: 不明",
    "full: holds {held} of {capacity} cases": "満杯: {capacity}件中{held}件を担当中",
    "{left} of {capacity} cases left": "あと{left}件（上限{capacity}件）",
    "already on the case as {role}": "すでにこのケースに参加（{role}）",
    "adds the {sector} sector the case lacks": "このケースにない{sector}の担い手が加わる",
    "{n} stale claims": "放置された担当 {n}件",
    # services/gaps.py
    "no area matches {value}": "{value} に一致する地域はありません",
    "Coordination gaps: {gaps} of {cells} area × need cells with unmet needs":
        "調整の空白: 未対応ニーズのある地区×ニーズ {cells}件のうち {gaps}件",
    "no one can take it": "担い手なし",
    "over capacity": "受け入れ超過",
    "{area} · {need}: {unmet} unmet, {able} able, {capacity} capacity left":
        "{area}・{need}: 未対応 {unmet}件、対応可能な団体 {able}、残りの受け入れ可能数 {capacity}",
    "Needs no organisation has as a capability: {needs}": "どの団体も対応分野に持たないニーズ: {needs}",
    "Idle organisations (a capability, no open case): {n}": "待機中の団体（対応分野あり、進行中のケースなし）: {n}",
    "Open cases with one sector only: {n} ({m} with a candidate of another sector)":
        "1つのセクターだけが関わる進行中のケース: {n}件（うち他セクターの候補あり {m}件）",
    # io: capacities in organisation sheets and 3W files
    "capacity '{capacity}' is not a whole number (e.g. 住宅修理:20)": "受け入れ可能数「{capacity}」が整数ではありません（例: 住宅修理:20）",
    "Capacity": "受け入れ可能数",
    # ui: the Resource map page and the case editor's suggestions
    "Resource map": "資源マップ",
    "unmet need": "未対応のニーズあり",
    "unmet: {need}": "未対応: {need}",
    "Heat map: area × need": "ヒートマップ: 地区 × ニーズ",
    "Map of the cases": "ケースの地図",
    "Show capacity left instead of unmet needs": "未対応ニーズの代わりに残りの受け入れ可能数を表示",
    "Any unmet need": "未対応のニーズすべて",
    "Choose a cell (arrow keys, Enter) or select cases on the map.":
        "セルを選ぶ（矢印キー・Enter）か、地図上でケースを選択してください。",
    "{gaps} gaps in {cells} cells with unmet needs · {none} needs no one has · {single} single-sector cases":
        "未対応ニーズのあるセル {cells}件中 空白 {gaps}件 · 担い手のいないニーズ {none}件 · 単一セクターのケース {single}件",
    "Serves": "活動範囲",
    "Capacity left": "残りの受け入れ可能数",
    "Unmet cases (Enter opens one)": "未対応のケース（Enter で開く）",
    "Organisations able to take it there": "この地域で対応できる団体",
    "{n} cases selected": "{n}件のケースを選択",
    "other open cases": "その他の進行中ケース",
    "outside its areas": "活動地域外",
    "Who could take this": "担える団体",
    "Invite onto the case": "ケースに招く",
    "Adds the organisation with this role and a task for the need it leads":
        "この役割で団体をケースに加え、そのニーズのタスクを団体の担当として作成します",
    "Invite {org} for {need}": "{org}を{need}に招く",
    "district": "地区",
    "municipality": "市区町村",
    "prefecture": "都道府県",
    "Why": "理由",
    # services/search.py (Help ▸ Filter syntax)
    "untaken — has a need no organisation has taken (on the board: the cards of such needs)":
        "untaken — どの団体も引き受けていないニーズがある（ボードでは、そのニーズのカード）",
    # reports/incident.py: the "Coordination gaps" section
    "Finding coordination gaps": "調整の空白を調べています",
    "Coordination gaps": "調整の空白",
    "For each area and need: the unmet needs of open cases, the organisations whose capabilities and service "
    "areas cover them there, and the capacity those organisations have left (capacity minus the open cases "
    "they already hold for that need; a capacity not recorded counts for nothing). A gap is a cell no one "
    "can take, or one whose unmet needs exceed the capacity left.":
        "地区とニーズごとに、進行中ケースの未対応ニーズ、その地区でそのニーズに対応できる（対応分野と活動地域が合う）団体、"
        "それらの団体の残りの受け入れ可能数（上限から、そのニーズですでに担当している進行中ケースの数を引いたもの。"
        "上限が記録されていない団体は数えません）を示します。空白とは、担い手のいないセル、"
        "または未対応ニーズが残りの受け入れ可能数を超えるセルです。",
    "The worst cells": "空白の大きいセル",
    "area × need cells with unmet needs, worst first; {gaps} are gaps":
        "未対応ニーズのある地区×ニーズのセル（空白の大きい順、うち空白 {gaps}件）",
    "Organisations able": "対応できる団体",
    "Gap": "空白",
    "Needs no organisation can take": "どの団体も担えないニーズ",
    "Unmet needs of these categories have no organisation with the capability anywhere: {needs}.":
        "次の分類の未対応ニーズには、対応分野として持つ団体がどこにもありません: {needs}。",
    "Every category with unmet needs has at least one organisation able to take it.":
        "未対応ニーズのある分類には、いずれも対応できる団体が1つ以上あります。",
    "Single-sector cases with a candidate of another sector": "他セクターの候補がある単一セクターのケース",
    "{with_candidate} of the {total} open cases that depend on one sector have a candidate from another sector "
    "for one of their unmet needs (the first one the matching proposes).":
        "1つのセクターだけが関わる進行中ケース {total}件のうち {with_candidate}件に、未対応ニーズのいずれかについて"
        "他セクターの候補があります（マッチングが最初に挙げる団体）。",
    "cases with a candidate": "候補のあるケース",
    "Candidate": "候補",
    "Its sector": "候補のセクター",
    "Reading where the cases are…": "ケースの位置を読み込み中…",
}
