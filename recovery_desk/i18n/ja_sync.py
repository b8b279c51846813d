"""Japanese for exchanges between laptops (sync), conflicts, and the case/task commands."""

MESSAGES: dict[str, str] = {
    # case / task commands
    "change, delete or list cases": "ケースの変更・削除・一覧",
    "set fields of a case (field names of 'import --help' for cases)":
        "ケースの項目を設定します（項目名は 'import --help' のケースの項目）",
    "case reference, e.g. NANAO-0042": "ケース番号（例: NANAO-0042）",
    "e.g. stage=planning priority=high (an empty VALUE clears the field)":
        "例: stage=planning priority=high（値を空にすると項目を消去）",
    "delete a case (a tombstone that other laptops receive)": "ケースを削除します（削除は他のパソコンにも伝わります）",
    "list cases (the cases query language)": "ケースの一覧（ケースの検索式）",
    "e.g. 'stage:planning need:housing_repair' (Help ▸ Filter syntax in the app)":
        "例: 'stage:planning need:housing_repair'（アプリの ヘルプ ▸ 絞り込みの書き方）",
    "include deleted cases": "削除したケースも含める",
    "print JSON (vocabulary values as codes)": "JSON で出力（区分の値はコード）",
    "include contact name, phone and address, for cases whose consent allows it":
        "同意のあるケースについて、連絡先氏名・電話番号・住所を含める",
    "'{item}': use FIELD=VALUE": "「{item}」: 項目=値 の形で指定してください",
    "{field}: not a field of {kind} (see 'import --help')": "{field}: {kind} の項目ではありません（'import --help' を参照）",
    "{field}: '{value}' {reason}": "{field}: 「{value}」{reason}",
    "{reference}: set {fields}": "{reference}: {fields} を設定しました",
    "{reference}: nothing to change": "{reference}: 変更はありません",
    "{reference}: deleted": "{reference}: 削除しました",
    "(deleted)": "（削除済み）",
    "{count} case(s)": "{count} 件のケース",
    "{names}: not a field that can be set on a case": "{names}: ケースで設定できる項目ではありません",
    "{names}: not a field that can be set on a task": "{names}: タスクで設定できる項目ではありません",
    "change tasks": "タスクの変更",
    "set fields of a task (field names of 'import --help' for tasks)":
        "タスクの項目を設定します（項目名は 'import --help' のタスクの項目）",
    "the task's id (or its first 8 or more characters)": "タスクの ID（または先頭 8 文字以上）",
    "e.g. status=done priority=high (an empty VALUE clears the field)":
        "例: status=done priority=high（値を空にすると項目を消去）",
    "case_reference: a task cannot move to another case": "case_reference: タスクを別のケースに移すことはできません",
    "task {id}: set {fields}": "タスク {id}: {fields} を設定しました",
    "task {id}: nothing to change": "タスク {id}: 変更はありません",
    "no task with id {id}": "ID {id} のタスクはありません",
    "several tasks have ids starting with {id}": "{id} で始まる ID のタスクが複数あります",
    "lead_organisation: no organisation named '{value}'": "lead_organisation: 「{value}」という団体はありません",
    "lead_organisation: several organisations are named '{value}'":
        "lead_organisation: 「{value}」という団体が複数あります",
    "assignee: no person named '{value}'": "assignee: 「{value}」という人はいません",
    "assignee: several people are named '{value}'": "assignee: 「{value}」という人が複数います",
}
