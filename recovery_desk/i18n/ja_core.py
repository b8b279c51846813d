"""Japanese for the core: CLI, workspace files, validation (keyed by the English text).

Field names (``field`` parameters of validation errors) are translated too: see FIELD_NAMES.
"""

FIELD_NAMES: dict[str, str] = {
    "name": "名称", "title": "件名", "stage": "段階", "status": "状態", "priority": "優先度",
    "closure_reason": "終結理由", "category": "ニーズ分類", "need_category": "ニーズ分類", "state": "状況",
    "note": "メモ", "notes": "メモ", "role": "役割", "scope": "同意の範囲", "given_on": "同意日",
    "expires_on": "有効期限", "ownership": "所有（公/私）", "profit": "営利性", "formality": "公式性",
    "org_type": "団体種別", "legal_form": "法人格", "phone": "電話番号", "email": "メール",
    "address": "住所", "website": "ウェブサイト", "acronym": "略称", "capacity": "対応可能数",
    "skills": "技能", "kana": "ふりがな", "text": "内容", "body": "本文", "held_on": "開催日",
    "due_date": "期限", "description": "説明", "lead_org_id": "主担当団体", "assignee_id": "担当者",
    "area_id": "地区", "contact_name": "連絡先氏名", "contact_phone": "連絡先電話番号",
    "household_size": "世帯人数", "vulnerable_members": "要配慮者", "damage_level": "被害程度",
    "flood_level": "浸水", "support_class": "世帯の支援区分", "opened_on": "受付日",
    "latitude": "緯度", "longitude": "経度", "incident_name": "災害名", "hazard": "災害種別",
    "start_date": "発生日", "municipality": "市区町村", "municipality_code": "市区町村コード",
    "prefecture": "都道府県", "district": "地区", "blocked_by": "先行タスク", "title_field": "件名",
}

MESSAGES: dict[str, str] = {
    # CLI
    "Recovery Desk: offline case management for disaster recovery across sectors.":
        "Recovery Desk: 分野を越えた災害復興のためのオフライン・ケース管理",
    "workspace file (default: the one in your user data folder)":
        "ワークスペースのファイル（省略時はユーザーデータフォルダのもの）",
    "language of messages and reports": "メッセージと報告書の言語",
    "error": "エラー",
    "interrupted": "中断しました",
    "open the desktop app (the default when no command is given)": "デスクトップアプリを開く（コマンド省略時の既定）",
    "open the demo workspace, creating it on first run": "デモ用ワークスペースを開く（初回は作成する）",
    "open the main window, quit once it is shown and say whether the installation is complete (exit 0)": "メインウィンドウを開き、表示されたら終了して、インストールに欠けているものがないかを報告する（正常なら終了コード 0）",
    "create an empty workspace": "空のワークスペースを作成する",
    "name of the incident": "災害の名称",
    "hazard code (EQ, TS, FL, TC, LS, VO, FR, ST, OT)": "災害種別コード（EQ, TS, FL, TC, LS, VO, FR, ST, OT）",
    "start date of the incident (YYYY-MM-DD)": "災害の発生日（YYYY-MM-DD）",
    "case reference prefix, e.g. NANAO": "ケース番号の接頭辞（例: NANAO）",
    "New incident": "新しい災害",
    "Created workspace {path}": "ワークスペース {path} を作成しました",
    "create a demo workspace (refuses to overwrite)": "デモ用ワークスペースを作成する（上書きはしない）",
    "number of cases (up to 60,000)": "ケース数（60,000件まで）",
    "random seed; the same seed gives the same data": "乱数の種（同じ種なら同じデータ）",
    "the demo's 'today' (default: today)": "デモの「今日」（省略時は今日）",
    "--cases must be between 1 and 200000": "--cases は 1 から 200000 の間で指定してください",
    "Created demo workspace {path}: {cases} cases, {tasks} tasks, {orgs} organisations, "
    "{people} people in {seconds:.1f} s":
        "デモ用ワークスペース {path} を作成しました: ケース {cases} 件、タスク {tasks} 件、団体 {orgs}、"
        "人 {people} 名（{seconds:.1f} 秒）",
    "integrity and schema check; exit 0 when healthy": "整合性とスキーマの検査（正常なら終了コード 0）",
    "{path}: healthy": "{path}: 正常です",
    "the figures the reports print": "報告書に載る集計値",
    "print one JSON object": "JSON オブジェクトを1つ出力する",
    "start of the period (YYYY-MM-DD)": "期間の開始日（YYYY-MM-DD）",
    "end of the period (YYYY-MM-DD)": "期間の終了日（YYYY-MM-DD）",
    "--to is before --from": "--to が --from より前です",
    "{option}: '{value}' is not a date (use YYYY-MM-DD)": "{option}: 「{value}」は日付ではありません（YYYY-MM-DD で指定）",
    "Cases: {total} ({open} open, {closed} closed)": "ケース: {total} 件（対応中 {open}、終結 {closed}）",
    "Opened in period: {opened}, closed in period: {closed}": "期間内の受付: {opened} 件、期間内の終結: {closed} 件",
    "Cases by number of sectors engaged: {counts}": "関与セクター数別のケース: {counts}",
    "Tasks: {total} ({open} open, {overdue} overdue)": "タスク: {total} 件（未完了 {open}、期限超過 {overdue}）",
    "Unmet needs:": "未対応のニーズ:",
    "Organisations: {total} ({engaged} engaged)": "団体: {total}（ケースに関与 {engaged}）",
    "People: {total}": "人: {total} 名",
    # Workspace files
    "{path} already exists; choose another file name": "{path} は既に存在します。別のファイル名を選んでください",
    "{path} has no incident": "{path} には災害が登録されていません",
    "{path} needs a schema upgrade": "{path} はスキーマの更新が必要です",
    "{path} is a folder, not a workspace file": "{path} はフォルダです。ワークスペースのファイルではありません",
    "{path} is not a Recovery Desk workspace (not an SQLite file)":
        "{path} は Recovery Desk のワークスペースではありません（SQLite ファイルではない）",
    "{path} is damaged: the file is shorter than its header says (truncated copy?)":
        "{path} は破損しています: ヘッダーの記載より短いファイルです（コピーが途中で切れた可能性）",
    "{path} is an SQLite file but not a Recovery Desk workspace":
        "{path} は SQLite ファイルですが Recovery Desk のワークスペースではありません",
    "{path} is damaged: {detail}": "{path} は破損しています: {detail}",
    "{path} was created by a newer version of Recovery Desk (schema {revision}); update the application to open it":
        "{path} は新しい版の Recovery Desk で作成されています（スキーマ {revision}）。開くにはアプリを更新してください",
    "{path}: no workspace here (create one with 'init' or 'demo')":
        "{path}: ワークスペースがありません（'init' または 'demo' で作成してください）",
    "schema {revision} is older than this version's; opening the workspace upgrades it (after a backup)":
        "スキーマ {revision} はこの版より古いため、開くと（バックアップの後に）更新されます",
    "table {table} row {rowid} points to a missing {parent} row":
        "テーブル {table} の行 {rowid} が存在しない {parent} の行を参照しています",
    "case reference {reference} is used {n} times": "ケース番号 {reference} が {n} 回使われています",
    "case {reference} is closed without a closure reason": "ケース {reference} は終結理由なしで終結しています",
    "SQLite integrity: {detail}": "SQLite の整合性: {detail}",
    "organisation '{name}': stored sector {sector} does not follow from its axes":
        "団体「{name}」: 保存されたセクター {sector} が3つの軸と一致しません",
    # Validation
    "{field}: '{value}' is not one of {allowed}": "{field}: 「{value}」は次のいずれでもありません: {allowed}",
    "{field} is required": "{field} は必須です",
    "{field} is too long ({length} characters, at most {max})": "{field} が長すぎます（{length} 文字、上限 {max} 文字）",
    "{field} must be at least {minimum}": "{field} は {minimum} 以上にしてください",
    "{field} must be between {low} and {high}": "{field} は {low} から {high} の間にしてください",
    "unknown field(s): {names}": "不明な項目: {names}",
    "{field}: '{value}' is not a date (use YYYY-MM-DD)": "{field}: 「{value}」は日付ではありません（YYYY-MM-DD で指定）",
    "{field}: '{value}' is not a whole number": "{field}: 「{value}」は整数ではありません",
    "{field}: '{value}' is not a number": "{field}: 「{value}」は数値ではありません",
    "no {entity} with id {id}": "ID {id} の {entity} はありません",
    "no case with reference {reference}": "ケース番号 {reference} のケースはありません",
    "an area needs a prefecture, municipality or district name": "地域には都道府県・市区町村・地区のいずれかの名称が必要です",
    "the consent expires before it was given": "同意の有効期限が同意日より前です",
    "a new case cannot start closed": "新しいケースを終結の状態で作ることはできません",
    "case {reference}: closing a case needs a closure reason": "ケース {reference}: 終結するには終結理由が必要です",
    "a closure reason is only given when closing a case": "終結理由は終結するときだけ指定します",
    "skills must be a list of words": "技能は語のリストで指定してください",
    "a new task cannot start done": "新しいタスクを完了の状態で作ることはできません",
    "'{task}' cannot be done: it is blocked by '{blocker}' ({reference}), which is still open":
        "「{task}」は完了にできません: 先行タスク「{blocker}」（{reference}）が未完了です",
    "a task cannot be blocked by itself": "タスクを自分自身の先行タスクにはできません",
    "'{task}' cannot be blocked by '{blocker}': that would make a cycle":
        "「{task}」の先行タスクに「{blocker}」は設定できません: 循環になります",
}
