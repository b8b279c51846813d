"""Japanese for the ui messages, keyed by the English text (see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    # -- shell, cases, dashboard (issue 3: search.py, main window, cases, dashboard) --
    "a quote is not closed in {token}": "引用符が閉じられていません: {token}",
    "cannot read the query at {token}": "検索条件を読み取れません: {token}",
    "unknown field {name} in {token}; use one of: {known}": "{token} の項目名 {name} は使えません。使える項目: {known}",
    "{token} needs a value after the colon": "{token} のコロンの後に値を入れてください",
    "unknown flag {token}; use one of: {known}": "{token} は使えません。使える指定: {known}",
    "{value} is not a known {name} in {token}; use one of: {known}": "{token} の {value} は {name} の値ではありません。使える値: {known}",
    "{token}: the date must be written YYYY-MM-DD": "{token}: 日付は YYYY-MM-DD の形で書いてください",
    "{token}: answer yes or no": "{token}: yes か no で指定してください",
    "stage:planning — stage (code, English or Japanese label)": "stage:planning — 段階（コード・英語名・日本語名）",
    "priority:urgent — priority": "priority:urgent — 優先度",
    "need:housing_repair — has an open need of that category": "need:housing_repair — その分類の未充足ニーズがある",
    'org:"name" — an organisation taking part (name or acronym)': 'org:"名称" — 関わっている団体（名称または略称）',
    "sector:community — an organisation of that sector takes part": "sector:community — そのセクターの団体が関わっている",
    "area:text — district, municipality or municipality code": "area:文字 — 地区・市町村名・市町村コード",
    "damage:hankai, support:both — damage level, support class": "damage:hankai, support:both — 被害程度、支援区分",
    "consent:yes / consent:no — consent to share given": "consent:yes / consent:no — 情報共有の同意の有無",
    "opened:<2024-02-01 — opening date (<, <=, >, >=)": "opened:<2024-02-01 — 受付日（<, <=, >, >=）",
    "overdue, unmet — has an overdue task / an unmet need": "overdue, unmet — 期限切れのタスク／未対応のニーズがある",
    "-stage:closed — a minus sign negates a term; a,b means a or b": "-stage:closed — 先頭のマイナスで否定、a,b は a または b",
    "other words — reference, address, contact name or phone": "その他の語 — 番号・住所・連絡先氏名・電話番号",
    # -- end of issue 3 block (shell) --
}
