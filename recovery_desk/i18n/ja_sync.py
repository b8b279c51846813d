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
    # sync
    "exchange changes with other laptops (change bundles)": "他のパソコンと変更をやり取りします（変更ファイル）",
    "write the changes another laptop may not have to a bundle": "他のパソコンにまだない変更を変更ファイルに書き出します",
    "bundle file to write": "書き出す変更ファイル",
    "only what that laptop lacks (its id, or the first characters of it)":
        "そのパソコンにない変更だけ（そのパソコンの ID、または先頭の数文字）",
    "every change (to join a new laptop)": "すべての変更（新しいパソコンを参加させるとき）",
    "read another laptop's bundle and merge its changes": "他のパソコンの変更ファイルを読み込み、変更をまとめます",
    "bundle file to read": "読み込む変更ファイル",
    "show what reading it would do; write nothing": "読み込むと何が起きるかを表示するだけで、何も書き込みません",
    "this laptop, the laptops it knows, changes not yet sent": "このパソコン、知っている他のパソコン、未送信の変更",
    "print JSON": "JSONで出力",
    "open conflicts between laptops, each with an id": "パソコン間の未解決の競合（それぞれ ID 付き）",
    "settle a conflict (the choice reaches every laptop)": "競合を解決します（選んだ結果はすべてのパソコンに伝わります）",
    "the id 'sync conflicts' shows": "'sync conflicts' が表示する ID",
    "ours: the value shown now; theirs: the other laptop's value": "ours: いま表示されている値、theirs: 他のパソコンの値",
    "a value typed in instead of either": "どちらでもなく入力した値",
    "cases that look like the same household registered twice": "同じ世帯が二重に登録されているらしいケース",
    "create this laptop's workspace (--workspace NEW) from a bundle":
        "変更ファイルからこのパソコンのワークスペース（--workspace 新しいファイル）を作ります",
    "a bundle written with 'sync export --all'": "'sync export --all' で書き出した変更ファイル",
    "file whose first line is the passphrase of the bundles": "1 行目に変更ファイルのパスフレーズを書いたファイル",
    "Passphrase of the bundle: ": "変更ファイルのパスフレーズ: ",
    "--passphrase-file {path}: cannot be read ({detail})": "--passphrase-file {path}: 読み込めません（{detail}）",
    "a passphrase is needed: give --passphrase-file F": "パスフレーズが必要です: --passphrase-file F で指定してください",
    "Wrote {count} change(s) to {path} ({size} bytes)": "{count} 件の変更を {path} に書き出しました（{size} バイト）",
    "{path}: nothing new": "{path}: 新しい変更はありません",
    "{path}: {new} new, {updated} updated, {deleted} deleted, {conflicts} new conflict(s)":
        "{path}: 新規 {new}、更新 {updated}、削除 {deleted}、新しい競合 {conflicts} 件",
    "(dry run: nothing was written)": "（試行のみ: 何も書き込んでいません）",
    "This laptop: {replica}": "このパソコン: {replica}",
    "  knows {replica} ({actor}), last bundle read {when}": "  既知のパソコン {replica}（{actor}）、最後に読み込んだ変更ファイル {when}",
    "Changes made here that no other laptop has yet: {count}": "ここで行い、まだどのパソコンにも届いていない変更: {count} 件",
    "{id}  {where} {field}: deleted by {ours_by}, but changed to '{theirs}' by {theirs_by}":
        "{id}  {where} {field}: {ours_by} が削除しましたが、{theirs_by} が「{theirs}」に変更しています",
    "{id}  {where} {field}: '{ours}' ({ours_by}) here, '{theirs}' ({theirs_by}) from another laptop":
        "{id}  {where} {field}: ここでは「{ours}」（{ours_by}）、他のパソコンでは「{theirs}」（{theirs_by}）",
    "board: {kind} ({tasks})": "ボード: {kind}（{tasks}）",
    "{count} open conflict(s)": "未解決の競合 {count} 件",
    "Conflict {id} resolved": "競合 {id} を解決しました",
    "{first} and {second}: same phone number": "{first} と {second}: 電話番号が同じ",
    "{first} and {second}: same name and address": "{first} と {second}: 氏名と住所が同じ",
    "{count} likely duplicate(s)": "重複の可能性 {count} 件",
    "Joined: {path} is this laptop's workspace (laptop {replica})":
        "参加しました: {path} がこのパソコンのワークスペースです（パソコン {replica}）",
    "no open conflict {id} (see 'sync conflicts')": "未解決の競合 {id} はありません（'sync conflicts' を参照）",
    "give either --keep ours|theirs or --value TEXT": "--keep ours|theirs か --value 値 のどちらかを指定してください",
    "{field}: '{value}' is not a valid value": "{field}: 「{value}」は正しい値ではありません",
    "a deletion against an edit is settled with --keep ours (stay deleted) or --keep theirs (keep the edit)":
        "削除と変更の競合は --keep ours（削除のまま）か --keep theirs（変更を残す）で解決します",
    "a case cannot be merged into itself": "ケースを自分自身に統合することはできません",
    "{path} already exists; join into a new file": "{path} は既にあります。新しいファイルに参加してください",
    "no other laptop {replica} is known here (see 'sync status')":
        "パソコン {replica} はここでは知られていません（'sync status' を参照）",
    "two laptops issued reference {reference}: one case keeps it, the other is now {renamed}":
        "2台のパソコンがケース番号 {reference} を発行していました: 一方のケースがこの番号を保ち、もう一方は {renamed} になりました",
    "the passphrase is too short (at least {n} characters)": "パスフレーズが短すぎます（{n} 文字以上）",
    "{path} is not a Recovery Desk exchange file (.rdsync)": "{path} は Recovery Desk の変更ファイル（.rdsync）ではありません",
    "{path} is damaged: its header cannot be read (truncated or changed?)":
        "{path} は破損しています: ヘッダーを読めません（途中で切れたか、書き換えられた？）",
    "{path} was written by a newer version of Recovery Desk; update the application to read it":
        "{path} は新しい版の Recovery Desk で書き出されています。読み込むにはアプリを更新してください",
    "{path} is truncated ({have} of {want} bytes): copy it again":
        "{path} は途中で切れています（{want} バイト中 {have} バイト）: もう一度コピーしてください",
    "{path}: wrong passphrase": "{path}: パスフレーズが違います",
    "{path} has been changed or damaged since it was written; nothing was read":
        "{path} は書き出した後に書き換えられたか破損しています。何も読み込んでいません",
    "{path}: no such file": "{path}: ファイルがありません",
    "{path}: cannot be read ({detail})": "{path}: 読み込めません（{detail}）",
    "{path} belongs to another workspace (incident '{incident}'), not to this one":
        "{path} は別のワークスペース（災害「{incident}」）のもので、このワークスペースのものではありません",
    "{path} was written by a newer version of Recovery Desk (schema {revision}); update the application to read it":
        "{path} は新しい版の Recovery Desk で書き出されています（スキーマ {revision}）。読み込むにはアプリを更新してください",
    "{path} does not follow on from what this laptop has (laptop {replica}: changes up to {have} here, the bundle "
    "starts at {first}); ask for a bundle written with --all":
        "{path} はこのパソコンにある変更の続きではありません（パソコン {replica}: ここには {have} 番まで、ファイルは "
        "{first} 番から）。--all で書き出した変更ファイルをもらってください",
    "{path} could not be applied ({detail}); nothing was read": "{path} を反映できませんでした（{detail}）。何も読み込んでいません",
    "{path} holds changes made under this laptop's identity ({replica}) that this laptop did not make: a copy of "
    "this workspace file is in use on another laptop. Nothing was read. Keep working on one of the two; on the "
    "other, join the incident again from a bundle ('join')":
        "{path} には、このパソコンの識別子（{replica}）で行われたが、このパソコンでは行っていない変更があります: "
        "このワークスペースファイルのコピーが別のパソコンで使われています。何も読み込んでいません。どちらか一方で作業を続け、"
        "もう一方は変更ファイルから参加し直してください（'join'）",
    "{path} does not hold the whole workspace; to join a laptop, write a bundle with --all":
        "{path} にはワークスペース全体が入っていません。パソコンを参加させるには --all で書き出してください",
    # the app
    "Conflicts": "競合",
    "Exchange": "変更のやり取り",
    "Write changes for another laptop…": "他のパソコン用に変更を書き出す…",
    "Read changes…": "変更を読み込む…",
    "Writing changes for another laptop…": "他のパソコン用に変更を書き出しています…",
    "Reading changes…": "変更を読み込んでいます…",
    "Recovery Desk exchange (*.rdsync)": "Recovery Desk 変更ファイル (*.rdsync)",
    "Passphrase": "パスフレーズ",
    "Passphrase of the incident's bundles:": "この災害の変更ファイルのパスフレーズ:",
    "See the Conflicts page to settle them.": "競合のページで解決してください。",
    "Cancelled: nothing was read.": "中止しました: 何も読み込んでいません。",
    "Not sent to other laptops: {count}": "他のパソコンに未送信: {count}",
    "Not yet exchanged with another laptop": "まだ他のパソコンと交換していません",
    "Case": "ケース",
    "Field": "項目",
    "Shown here": "ここでの値",
    "Other laptop": "他のパソコンの値",
    "(empty)": "（空）",
    "{value} — {who}, {when}": "{value} — {who}、{when}",
    "Keep the value shown here": "ここでの値を残す",
    "Keep the other laptop's value": "他のパソコンの値を残す",
    "Enter another value…": "別の値を入力…",
    "Merge the two cases": "2つのケースを統合",
    "Likely the same household registered twice": "同じ世帯が二重に登録されている可能性",
    "No open conflicts: every laptop that has the same changes shows the same values.":
        "未解決の競合はありません: 同じ変更を持つパソコンはどれも同じ値を表示します。",
    "Blocked-by cycle between {count} tasks": "{count} 件のタスクの間で先行タスクが循環しています",
    "A task is done while the task blocking it is open again": "先行タスクが再開されたのに、完了になっているタスクがあります",
    "Settle conflict on {field}": "{field} の競合を解決",
    "In conflict with another laptop's value: see the Conflicts page": "他のパソコンの値と競合しています: 競合のページを参照",
    "{id}  {where}: {owner} deleted by {ours_by}, but {what} '{theirs}' was added to it by {theirs_by}":
        "{id}  {where}: {ours_by} が{owner}を削除しましたが、{theirs_by} が{what}「{theirs}」を追加しています",
    "{what} added to the deleted {owner}": "削除された{owner}に追加された{what}",
    "a row added to a case deleted elsewhere is settled with --keep ours (delete it too) or --keep theirs "
    "(the case comes back)":
        "他のパソコンで削除されたケースに追加されたものは --keep ours（それも削除）か --keep theirs"
        "（ケースを元に戻す）で解決します",
    "other reference of the case": "ケースの別の番号",
    "claim or hand-over": "引き受け・引き継ぎ",
    "Conflict": "競合",
    "In conflict with another laptop's value ({fields}): see the Conflicts page":
        "他のパソコンの値と競合しています（{fields}）: 競合のページを参照",
}
