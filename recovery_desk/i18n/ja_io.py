"""Japanese for the io messages, keyed by the English text (see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    # CLI: import / export / backup / restore
    "import cases, organisations, people, tasks, areas or a 3W from CSV/XLSX":
        "ケース・団体・人・タスク・地域・3W を CSV/XLSX から取り込む",
    "what the file holds": "ファイルの内容の種類",
    "Fields for --map (known English and Japanese column names are mapped automatically):":
        "--map で指定できる項目（よく使われる英語・日本語の列名は自動で対応づけます）:",
    "CSV or XLSX file": "CSV または XLSX ファイル",
    "use column SRC for FIELD (repeatable; FIELD '-' ignores the column)":
        "列 SRC を項目 FIELD として使う（複数指定可。FIELD に '-' を指定するとその列を無視）",
    "text encoding: auto (UTF-8 or Shift_JIS), utf-8, cp932, latin-1…":
        "文字コード: auto（UTF-8 または Shift_JIS を自動判定）、utf-8、cp932、latin-1 など",
    "sheet of an XLSX file (default: the first)": "XLSX ファイルのシート（省略時は最初のシート）",
    "check the file and show what would happen; write nothing": "ファイルを検査して結果だけを表示する（書き込まない）",
    "import the valid rows and skip the rows with problems (recorded in the audit trail)":
        "問題のない行だけを取り込み、問題のある行は飛ばす（操作履歴に記録されます）",
    "export cases, organisations, tasks or a 3W (HXL) to CSV/XLSX":
        "ケース・団体・タスク・3W（HXL）を CSV/XLSX に書き出す",
    "what to export": "書き出す内容",
    "file to write (an existing file is kept as .bak)": "書き出すファイル（既存のファイルは .bak として残します）",
    "file format (default: from the file name)": "ファイル形式（省略時はファイル名から判断）",
    "include personal data, for cases whose consent allows it": "個人情報を含める（同意のあるケースのみ）",
    "copy the workspace safely, even while the app is using it": "ワークスペースを安全に複製する（アプリの使用中でも可）",
    "backup file or folder": "バックアップ先のファイルまたはフォルダ",
    "replace the workspace with a checked backup (the current file is kept)":
        "検査済みのバックアップでワークスペースを置き換える（現在のファイルは残します）",
    "backup file": "バックアップファイル",
    "--map {item}: use --map COLUMN=FIELD": "--map {item}: --map 列名=項目名 の形で指定してください",
    "Columns: {mapping}": "列の対応: {mapping}",
    "Encoding: {encoding}; header on row {row}": "文字コード: {encoding}、見出しは {row} 行目",
    "skipped: {line}": "飛ばした行: {line}",
    "would refuse the file: {line}": "ファイル全体が取り込めなくなる行: {line}",
    "… and {count} more notes": "…ほか {count} 件のお知らせ",
    "{count} problem(s): the import would be refused (or use --valid-only)":
        "問題が {count} 件あります。このままでは取り込めません（--valid-only で問題のない行だけ取り込めます）",
    "Exported {rows} rows to {path}": "{path} に {rows} 行を書き出しました",
    "The previous file is kept as {path}": "以前のファイルは {path} として残しました",
    "Backed up to {path}": "{path} にバックアップしました",
    "Restored {src} into {path}": "{src} から {path} を復元しました",
    "The replaced workspace is kept as {path}": "置き換える前のワークスペースは {path} として残しました",
    # Import: results
    "{path}: {count} problem(s) found; nothing was imported":
        "{path}: 問題が {count} 件見つかりました。何も取り込んでいません",
    "row {row}, column '{column}', value '{value}': {why}": "{row} 行目、列「{column}」、値「{value}」: {why}",
    "row {row}: {what}": "{row} 行目: {what}",
    "Imported from {path}: {what}": "{path} から取り込みました: {what}",
    "Would import from {path}: {what}": "{path} から取り込む予定: {what}",
    "{rows} data rows, {empty} empty rows skipped, {duplicates} duplicates skipped, "
    "{invalid} rows with problems skipped":
        "データ {rows} 行（空行 {empty} 行、重複 {duplicates} 行、問題のある {invalid} 行を除外）",
    "The import of {path} would be refused: {invalid} rows have problems; without them it would import {what} "
    "(fix them, or import the valid rows only)":
        "{path} は取り込めません: 問題のある行が {invalid} 行あります。それらを除けば {what} を取り込めます"
        "（問題を直すか、問題のない行だけ取り込んでください）",
    "{rows} data rows, {empty} empty rows skipped, {duplicates} duplicates skipped":
        "データ {rows} 行（空行 {empty} 行、重複 {duplicates} 行を除外）",
    "nothing": "なし",
    "cases": "ケース", "needs": "ニーズ", "consents": "同意", "areas": "地域", "organisations": "団体",
    "capabilities": "対応可能分野", "service areas": "活動地域", "people": "人", "memberships": "所属",
    "tasks": "タスク", "participations": "ケースへの参加",
    "Checking…": "検査しています…",
    "Writing…": "書き込んでいます…",
    "ignored (--map)": "無視（--map による指定）",
    "no matching field": "対応する項目なし",
    "another column gives the same field": "同じ項目を別の列が指定しています",
    # Import: reading files
    "{path}: cannot read the file ({detail})": "{path}: ファイルを読めません（{detail}）",
    "{path} is a folder, not a file": "{path} はフォルダです。ファイルを指定してください",
    "{path} is too large to import ({size} MB)": "{path} は大きすぎて取り込めません（{size} MB）",
    "{path} is empty": "{path} は空です",
    "{path} is an old Excel .xls file; save it as .xlsx or CSV and import that":
        "{path} は古い Excel 形式（.xls）です。.xlsx か CSV で保存し直してから取り込んでください",
    "--sheet is only for XLSX files": "--sheet は XLSX ファイルにだけ指定できます",
    "unknown encoding '{encoding}'": "不明な文字コード「{encoding}」",
    "{path} is not valid {encoding} text (byte {position}); choose another encoding":
        "{path} は {encoding} の文字として読めません（{position} バイト目）。別の文字コードを指定してください",
    "{path} is not a text table (it contains binary data)": "{path} は文字の表ではありません（バイナリデータを含みます）",
    "{path}: cannot tell the text encoding (it is neither UTF-8 nor Shift_JIS); "
    "give it with --encoding, e.g. --encoding latin-1":
        "{path}: 文字コードを判定できません（UTF-8 でも Shift_JIS でもありません）。"
        "--encoding で指定してください（例: --encoding latin-1）",
    "{path} is not a readable CSV file ({detail})": "{path} は読み取れる CSV ファイルではありません（{detail}）",
    "{path} is not a readable XLSX file ({detail})": "{path} は読み取れる XLSX ファイルではありません（{detail}）",
    "{path} has no sheets": "{path} にはシートがありません",
    "{path} has no sheet '{sheet}' (sheets: {sheets})": "{path} にシート「{sheet}」はありません（シート: {sheets}）",
    "sheet '{sheet}' of {path} is empty": "{path} のシート「{sheet}」は空です",
    # Import: mapping
    "unknown import kind '{kind}' (choose from {kinds})": "不明な取り込みの種類「{kind}」（{kinds} から選んでください）",
    "--map {source}={target}: '{target}' is not a field of {kind} (fields: {fields})":
        "--map {source}={target}: 「{target}」は {kind} の項目ではありません（項目: {fields}）",
    "--map: no column named {columns} in {path} (columns: {available})":
        "--map: {path} に列 {columns} はありません（列: {available}）",
    "no column of {path} matches a field of {kind}; map columns with --map COLUMN=FIELD (fields: {fields})":
        "{path} には {kind} の項目に当たる列がありません。--map 列名=項目名 で対応を指定してください（項目: {fields}）",
    "{path}: no column gives the required field '{field}'; map one with --map COLUMN={field}":
        "{path}: 必須の項目「{field}」に当たる列がありません。--map 列名={field} で指定してください",
    "{path}: no organisation column (HXL #org or a column such as 'Implementing Partner Name'); "
    "map one with --map COLUMN=org_name":
        "{path}: 団体の列がありません（HXL の #org、または「Implementing Partner Name」のような列）。"
        "--map 列名=org_name で指定してください",
    # Import: cell problems
    "too long ({length} characters, at most {max})": "長すぎます（{length} 文字。最大 {max} 文字）",
    "not a phone number": "電話番号ではありません",
    "not an e-mail address": "メールアドレスではありません",
    "not a whole number": "整数ではありません",
    "not a number": "数値ではありません",
    "must be between {low} and {high}": "{low} から {high} の間で指定してください",
    "not one of: {allowed} (give a code, or its English or Japanese label)":
        "次のいずれでもありません: {allowed}（コード、または英語か日本語の名称で指定してください）",
    "not a 6-digit local-government code (check digit wrong?)":
        "6桁の全国地方公共団体コードではありません（検査数字の誤り？）",
    "not a 5-digit local-government code": "5桁の団体コードではありません",
    "not a prefecture code (JP-01 … JP-47 or 1 … 47)": "都道府県コードではありません（JP-01〜JP-47 または 1〜47）",
    "not an organisation type (a type code, its label, or an HDX type code such as 441)":
        "団体種別ではありません（種別コード、その名称、または 441 のような HDX 種別コードで指定してください）",
    "not a date (use YYYY-MM-DD or a Japanese era date such as 令和6年1月14日)":
        "日付ではありません（YYYY-MM-DD か、令和6年1月14日 のような和暦で指定してください）",
    "the date is before the start of that era": "その元号が始まる前の日付です",
    "the year is out of range": "年が範囲外です",
    "there is no year 0 in a Japanese era": "元号に 0 年はありません",
    "no such day in the calendar": "暦にない日付です",
    "does not match the 6-digit code {code} of the same row": "同じ行の6桁コード {code} と一致しません",
    "the workspace has no incident to import cases into": "ケースを取り込む災害がワークスペースにありません",
    "a closed case needs a closure reason (add a closure_reason column)":
        "終結したケースには終結理由が必要です（終結理由の列を追加してください）",
    "a closure reason is only given for a closed case": "終結理由は終結したケースにだけ指定します",
    "the case closes before it opens": "終結日が受付日より前です",
    "an organisation needs a name": "団体には名称が必要です",
    "a person needs a name": "人には氏名が必要です",
    "a task needs a title": "タスクには件名が必要です",
    "no case with this reference in the workspace": "この番号のケースはワークスペースにありません",
    "no organisation with this name or acronym in the workspace": "この名称・略称の団体はワークスペースにありません",
    "no person with this name in the workspace": "この氏名の人はワークスペースにいません",
    "several people have this name": "この氏名の人が複数います",
    "no area '{area}' in the workspace (import the areas first)":
        "地域「{area}」はワークスペースにありません（先に地域を取り込んでください）",
    "no organisation '{name}' in the workspace": "団体「{name}」はワークスペースにありません",
    "no organisation named in this row": "この行には団体がありません",
    # Import: duplicates and notes
    "duplicate of case {reference} already in the workspace": "ワークスペースにあるケース {reference} と重複するため飛ばしました",
    "duplicate of row {other} (same reference {reference}); skipped": "{other} 行目と重複（同じ番号 {reference}）のため飛ばしました",
    "same name and address as a case already in the workspace; skipped":
        "ワークスペースにあるケースと氏名・住所が同じため飛ばしました",
    "same name and address as row {other}; skipped": "{other} 行目と氏名・住所が同じため飛ばしました",
    "organisation '{name}' is already in the workspace; skipped": "団体「{name}」は既にワークスペースにあるため飛ばしました",
    "same organisation as row {other}; skipped": "{other} 行目と同じ団体のため飛ばしました",
    "same person as one already in the workspace; skipped": "ワークスペースにいる人と同じため飛ばしました",
    "same person as row {other}; skipped": "{other} 行目と同じ人のため飛ばしました",
    "the same task is already on case {reference}; skipped": "同じタスクが既にケース {reference} にあるため飛ばしました",
    "same task as row {other}; skipped": "{other} 行目と同じタスクのため飛ばしました",
    "area already in the workspace; skipped": "既にワークスペースにある地域のため飛ばしました",
    "same area as row {other}; skipped": "{other} 行目と同じ地域のため飛ばしました",
    "sector '{sector}' is not a known cluster; no capability added":
        "分野「{sector}」は既知のクラスターではないため、対応可能分野に加えませんでした",
    "organisation type '{type}' not recognised; 'other' used": "団体種別「{type}」が分からないため「その他」にしました",
    # Export
    "sector": "セクター",
    "{path} is a folder; give a file name": "{path} はフォルダです。ファイル名を指定してください",
    "{path}: cannot write the file ({detail})": "{path}: ファイルに書き込めません（{detail}）",
    "unknown export kind '{kind}' (choose from {kinds})": "不明な書き出しの種類「{kind}」（{kinds} から選んでください）",
    "unknown format '{format}' (csv, xlsx or hxl)": "不明な形式「{format}」（csv、xlsx、hxl のいずれか）",
    "the hxl format is for the 3w export": "hxl 形式は 3w の書き出し専用です",
    "Organisation": "団体", "Acronym": "略称", "Organisation type": "団体種別", "Implementing partner": "実施団体",
    "Funder": "資金提供", "Cluster": "クラスター", "Activity": "活動", "Prefecture": "都道府県",
    "Prefecture code": "都道府県コード", "Municipality": "市区町村", "Municipality code": "市区町村コード",
    "Status": "状態", "Start date": "開始日", "End date": "終了日", "Households reached": "支援世帯数", "ID": "ID",
    # Backups
    "{path}: a backup cannot replace the workspace itself": "{path}: バックアップでワークスペース自身を置き換えることはできません",
    "{path}: the backup failed ({detail})": "{path}: バックアップに失敗しました（{detail}）",
    "{path}: the restore failed ({detail}); the previous workspace is kept as {kept}":
        "{path}: 復元に失敗しました（{detail}）。以前のワークスペースは {kept} として残しています",
    # Dialogs: File ▸ Import… / Export… / Back up…
    "Cases (households and sites)": "ケース（世帯・現場）",
    "Organisations (list or registry)": "団体（一覧・名簿）",
    "People (contacts and volunteers)": "人（連絡先・ボランティア）",
    "Tasks (on cases already here)": "タスク（登録済みのケースに追加）",
    "Areas (municipality list)": "地域（市区町村一覧）",
    "3W / 4W (who does what where)": "3W / 4W（どの団体が・何を・どこで）",
    "(not imported)": "（取り込まない）",
    "Import": "取り込み",
    "Browse…": "参照…",
    "File": "ファイル",
    "The file holds": "ファイルの内容",
    "Encoding": "文字コード",
    "Sheet": "シート",
    "automatic (UTF-8 or Shift_JIS)": "自動判定（UTF-8 または Shift_JIS）",
    "Column in the file": "ファイルの列",
    "Field": "項目",
    "Columns (change a field by clicking it)": "列の対応（項目をクリックすると変更できます）",
    "Preview": "プレビュー",
    "Preview (header on row {row}, {encoding})": "プレビュー（見出しは {row} 行目、{encoding}）",
    "Check the file to see what would be imported.": "「検査」を押すと、取り込まれる内容と問題点を表示します。",
    "Import the valid rows only (skip rows with problems)": "問題のない行だけを取り込む（問題のある行は飛ばす）",
    "Check": "検査",
    "Close": "閉じる",
    "Choose a file to import": "取り込むファイルを選ぶ",
    "Tables (*.csv *.xlsx *.txt);;All files (*)": "表のファイル (*.csv *.xlsx *.txt);;すべてのファイル (*)",
    "Reading {path}…": "{path} を読み込んでいます…",
    "{count} columns; {mapped} mapped to fields. Check the file before importing.":
        "{count} 列のうち {mapped} 列を項目に対応づけました。取り込む前に検査してください。",
    "{count} problem(s): nothing can be imported until they are fixed, or import the valid rows only.":
        "問題が {count} 件あります。直すまで取り込めません（問題のない行だけを取り込むこともできます）。",
    "No problems found. Import when ready.": "問題はありません。取り込めます。",
    "Importing…": "取り込んでいます…",
    "Import cancelled: nothing was changed.": "取り込みを中止しました。何も変更していません。",
    "… and {count} more": "…ほか {count} 件",
    "Export": "書き出し",
    "Format": "形式",
    "CSV (UTF-8 with BOM, opens in Japanese Excel)": "CSV（BOM 付き UTF-8。日本語版 Excel で開けます）",
    "Include personal data (only for cases whose consent allows it)": "個人情報を含める（同意のあるケースのみ）",
    "Export to": "書き出し先",
    "Choose a file to export to.": "書き出し先のファイルを選んでください。",
    "Exporting…": "書き出しています…",
    "Back up the workspace to": "ワークスペースのバックアップ先",
    "Back up": "バックアップ",
    "Backing up…": "バックアップしています…",
    # Malformed files refused (io.tables.check_quotes, importer, hxl3w)
    "{path}: row {row} (line {line}) opens a quote that is never closed, so the rest of the file would be one cell; "
    "close the quote or remove it":
        "{path}: {row} 行目（テキストの {line} 行目）で始まる引用符（\"）が閉じられていないため、ファイルの残りがすべて 1 つのセルに"
        "なってしまいます。引用符を閉じるか削除してください",
    "{path}: row {row} (line {line}) has a quoted cell of more than {limit} characters: a quote is probably never "
    "closed; check the quotes of this row":
        "{path}: {row} 行目（テキストの {line} 行目）の引用符で囲まれたセルが {limit} 文字を超えています。引用符が閉じられて"
        "いない可能性があります。この行の引用符を確認してください",
    "{path}: row {row} (line {line}) has a quote in the wrong place (a quoted cell must end at a delimiter); "
    "check the quotes of this row":
        "{path}: {row} 行目（テキストの {line} 行目）の引用符の位置が正しくありません（引用符で囲んだセルは区切り文字の直前で"
        "終わる必要があります）。この行の引用符を確認してください",
    "{path}: row {row} (line {line}) has a quoted cell running over several lines that look like rows of the table: "
    "a quote is probably missing or extra; check the quotes of this row":
        "{path}: {row} 行目（テキストの {line} 行目）の引用符で囲まれたセルが、表の行のように見える複数の行にまたがって"
        "います。引用符が足りないか多すぎる可能性があります。この行の引用符を確認してください",
    "{path}: no data rows below the header (row {row}); nothing to import":
        "{path}: 見出し（{row} 行目）の下にデータの行がありません。取り込むものがありません",
    "this row repeats the header row (row {header}); remove it":
        "この行は見出しの行（{header} 行目）の繰り返しです。削除してください",
    "{path} looks like a file of {other}, not of {kind}: of its columns (header on row {row}), {theirs} give fields "
    "of {other} ({their_columns}) and {ours} give fields of {kind} ({our_columns}); choose 'import {other}', or map "
    "the columns with --map COLUMN=FIELD":
        "{path} は {kind} ではなく {other} のファイルのようです: 列（見出しは {row} 行目）のうち {theirs} 列が {other} の"
        "項目（{their_columns}）、{ours} 列が {kind} の項目（{our_columns}）にあたります。「import {other}」を選ぶか、"
        "--map 列名=項目名 で列を対応づけてください",
}
