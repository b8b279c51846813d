"""Japanese for field work: identity, My work, task list, undo, vulnerability, consent,
erasure, visit sheets (keyed by the English text; see recovery_desk/i18n/ja.py)."""

MESSAGES: dict[str, str] = {
    # cli
    "{count} tasks": "{count}件のタスク",
    "the board's tasks": "ボードのタスク",
    "list tasks (the board's query language)": "タスクを一覧表示（ボードの検索式）",
    'a board query, e.g. "assignee:me status:in_progress"': 'ボードの検索式（例: "assignee:me status:in_progress"）',
    "only open tasks assigned to me or led by my organisations": "自分の担当または自団体が主担当の未完了タスクのみ",
    "print JSON": "JSONで出力",
    "--mine needs a person: sign in in the app, or give --as NAME":
        "--mine には人の指定が必要です。アプリでサインインするか --as 名前 を指定してください",
    "act as this person of the workspace (name or id; default: as saved by the app)":
        "ワークスペースのこの人として操作する（名前またはID。既定: アプリで保存した人）",
    # services/identity.py
    "{name} names several people: {matches}": "「{name}」に当てはまる人が複数います: {matches}",
    "no person named {name} in this workspace": "このワークスペースに「{name}」という人はいません",
    "only a coordinator (municipality or social welfare council) may do this":
        "この操作は調整役（市町村または社会福祉協議会）だけが行えます",
    # services/search.py
    "org:my-org, assignee:me — my organisations' cases / cases with a task assigned to me":
        "org:my-org, assignee:me — 自団体が関わるケース／自分が担当のタスクがあるケース",
    "vulnerable:elderly_alone — a coded vulnerability (要配慮者)": "vulnerable:elderly_alone — 要配慮者の区分",
    "{token}: nobody is signed in as a member of an organisation": "{token}: 団体の一員としてサインインしている人がいません",
    "{token}: nobody is signed in as a person of this workspace": "{token}: このワークスペースの人としてサインインしている人がいません",
    # services/undo.py
    "there is nothing to undo for this change": "この変更には元に戻せる内容がありません",
    "an import or a batch of rows cannot be undone here; restore a backup instead":
        "取り込みや一括作成はここでは元に戻せません。バックアップから復元してください",
    "this was changed again since ({entity} {field}); it is left as it is":
        "その後に再び変更されています（{entity} {field}）。そのままにします",
    # ui/board
    "Edit card {title}": "カード「{title}」の編集",
    "claimed by {person}": "担当申出: {person}",
    "{org} leads this task but has not claimed it: it can claim it, or another organisation can.":
        "{org}が主担当ですが、まだ担当を申し出ていません。{org}または他の団体が申し出られます。",
    "by {person}": "（{person}）",
    "Archive {count} cards": "カード{count}枚をアーカイブ",
    # ui/main_window.py, ui/sign_in.py
    "Switch user…": "ユーザーを切り替え…",
    "My work": "自分の仕事",
    "Sign in as yourself: your name and the organisations you act for sign every change, claim, comment and "
    "report, and fill your My work page.":
        "自分としてサインインしてください。名前と所属団体が、すべての変更・担当申出・コメント・報告書に記録され、"
        "「自分の仕事」に表示されます。",
    "I am in the list of people": "人の一覧に自分がいる",
    "Type part of your name": "名前の一部を入力",
    "I am not in the list: add me": "一覧にいない: 自分を追加する",
    "Sign in": "サインイン",
    "I act for:": "所属として活動する団体:",
    "My organisations:": "所属団体:",
    "Choose yourself in the list.": "一覧から自分を選んでください。",
    # ui/pages/my_work_page.py
    "Today: {overdue} overdue, {soon} due this week, {stale} stale claims, {handovers} hand-overs to answer":
        "今日: 期限切れ {overdue}件、今週期限 {soon}件、停滞中の担当 {stale}件、回答待ちの引き継ぎ {handovers}件",
    "Move {title} to {status}": "「{title}」を{status}へ移動",
    "Hand-overs waiting for my answer": "回答待ちの引き継ぎ依頼",
    "Cases where my organisation is the only sector": "自団体のセクターだけが関わるケース",
    "Show a summary of today when I sign in": "サインイン時に今日のまとめを表示する",
    "Hand-overs waiting for my answer ({count})": "回答待ちの引き継ぎ依頼（{count}）",
    "Cases where my organisation is the only sector ({count})": "自団体のセクターだけが関わるケース（{count}）",
    "Today": "今日",
    "Show this when I sign in": "サインイン時に表示する",
    "Overdue": "期限切れ",
    "Due this week": "今週期限",
    "Stale claim": "停滞中の担当",
    "Nobody is signed in": "サインインしていません",
    "Sign in as a person of this workspace to see your tasks here.":
        "このワークスペースの人としてサインインすると、ここに自分のタスクが表示されます。",
    "Sign in…": "サインイン…",
    "{name} — for {orgs}": "{name} — {orgs}",
    "Asked by": "依頼元",
    "Only sector": "唯一のセクター",
    # erasure (cli/commands/case.py, services/erasure.py)
    "cases": "ケース",
    "Erased the personal data of {reference}": "{reference}の個人情報を消去しました",
    "erase the personal data of a case (the household asked to be forgotten)":
        "ケースの個人情報を消去する（世帯から削除の申し出があったとき）",
    "do not ask for confirmation (for scripts)": "確認を求めない（スクリプト用）",
    "erasing {reference} needs --yes when there is no terminal to confirm on":
        "確認できる端末がないため、{reference}の消去には --yes が必要です",
    "This removes for good the personal data of {reference}: {fields}; and the same values in comments, notes "
    "and the audit trail. Backups made before keep them.":
        "{reference}の個人情報（{fields}）と、コメント・メモ・変更履歴の中の同じ値を完全に消去します。"
        "以前のバックアップには残ります。",
    "Type the reference to confirm: ": "確認のためケース番号を入力してください: ",
    "not confirmed: nothing was erased": "確認されなかったため、何も消去していません",
    "contact name": "連絡先氏名",
    "phone": "電話番号",
    "address": "住所",
    "notes": "メモ",
    "vulnerable members": "要配慮者",
    "vulnerability categories": "要配慮者の区分",
    "latitude": "緯度",
    "longitude": "経度",
    # reports/visit_sheet.py, cli/commands/report.py
    "visit sheets: cases of a district or a query, to print": "訪問シート: 地区または検索式のケースを印刷用に",
    'a cases query, e.g. "area:御祓 stage:identified" (default: every case)':
        'ケースの検索式（例: "area:御祓 stage:identified"。既定: すべてのケース）',
    "who printed or exported personal data, when, how many": "個人情報を印刷・出力した人、日時、件数",
    "Visit sheet": "訪問シート",
    "(no consent)": "（同意なし）",
    "Reading the cases": "ケースを読み込んでいます",
    "Open needs": "未充足のニーズ",
    "What to ask": "聞き取ること",
    "Notes from the visit": "訪問時のメモ",
    "Confidential: carry it with care, and destroy it after the visits.": "取扱注意: 大切に持ち歩き、訪問後は廃棄してください。",
    "Generated {when} by {actor}": "作成 {when}（{actor}）",
    "{count} cases: {query}": "{count}件のケース: {query}",
    "Name and phone are printed only where the household consented to sharing.":
        "氏名と電話番号は、世帯が共有に同意した場合のみ印刷しています。",
    "Ask for consent to share (and how far)": "情報共有の同意（範囲も）を確認",
    "How many people live here?": "世帯の人数は？",
    "Damage level (disaster victim certificate)?": "被害程度（罹災証明）は？",
    "Check on: {who}": "様子を確認: {who}",
    "First visit: what is needed now?": "初回訪問: いま必要なことは？",
    "all cases": "すべてのケース",
    "Only the first {shown} of {total} cases are listed: narrow the query.":
        "{total}件のうち最初の{shown}件のみ載せています。検索条件を絞ってください。",
    "Is {need} still needed?": "{need}はまだ必要か？",
    # services/consent.py
    "No consent to share: personal data stays with the coordinators; visit sheets give the address only; never in "
    "reports or exports.":
        "共有の同意なし: 個人情報は調整役の手元にとどめます。訪問シートには住所のみ載せ、報告書や出力には含めません。",
    "Personal data may be shared with the organisations working on this case, printed on visit sheets, and "
    "included in reports and exports that ask for it.":
        "個人情報は、このケースに関わる団体と共有でき、訪問シートに載せられ、個人情報を含める報告書や出力にも含められます。",
    "Personal data may be shared with the organisations working on this case and printed on visit sheets; never "
    "in reports or exports.":
        "個人情報は、このケースに関わる団体と共有でき、訪問シートに載せられます。報告書や出力には含めません。",
    "The consent expired on {day}: personal data stays with the coordinators (as with no consent).":
        "同意は{day}に期限切れです。個人情報は調整役の手元にとどめます（同意なしと同じ扱い）。",
    # services/disclosure.py
    "incident report": "災害全体の報告書",
    "case report": "ケース報告書",
    "cases export": "ケースの出力",
    "visit sheet": "訪問シート",
    "Loading…": "読み込み中…",
    "Tasks": "タスク",
    "New task": "新しいタスク",
    "Show on the board": "ボードで見る",
    "Needing special care": "要配慮者の区分",
    "Erase personal data…": "個人情報を消去…",
    "The household asked to be forgotten (coordinators only)": "世帯から削除の申し出があったとき（調整役のみ）",
    "What this allows": "この同意でできること",
    "The household's consent does not let its personal data be shown to your organisation: name, phone, "
    "address and notes are hidden.":
        "世帯の同意の範囲外のため、あなたの団体には個人情報（氏名・電話番号・住所・メモ）を表示しません。",
    "Erase personal data": "個人情報の消去",
    "Erase for good the personal data of {reference}: {fields}? The same values go from comments, notes and the "
    "audit trail; the case stays, anonymous. Backups made before keep them. This cannot be undone.":
        "{reference}の個人情報（{fields}）を完全に消去しますか？ コメント・メモ・変更履歴の中の同じ値も消え、"
        "ケースは匿名で残ります。以前のバックアップには残ります。元に戻せません。",
    "Erase": "消去",
    "New card": "新しいカード",
    "'{value}' is not a vulnerability category; use one of: {known}":
        "「{value}」は要配慮者の区分ではありません。次のいずれかを使ってください: {known}",

    "Households with people needing special care": "要配慮者のいる世帯",
    "A household counts once in each of its categories; the total counts mentions.":
        "世帯は該当する区分ごとに1件と数えます。合計は延べ件数です。",
    # ui/pages/reports_page.py
    "Visit sheet (a district or a query)": "訪問シート（地区または検索式）",
    "cases query, e.g. area:御祓 stage:identified": "ケースの検索式（例: area:御祓 stage:identified）",
    "Who printed personal data…": "個人情報の印刷・出力記録…",
    "The log of reports, exports and visit sheets that included personal data (coordinators)":
        "個人情報を含む報告書・出力・訪問シートの記録（調整役）",
    "Who printed personal data": "個人情報の印刷・出力記録",
    "Only a coordinator may read who printed personal data.": "個人情報の印刷・出力記録は調整役だけが見られます。",
    "Households": "世帯数",
    "{count} records": "{count}件の記録",
    # dates
    "the date is after the end of that era ({era} ended on {last})":
        "その元号の終わった後の日付です（{era}は{last}まで）",
    "{option}: '{value}' is not a date: {reason}": "{option}: 「{value}」は日付ではありません: {reason}",
    "{code} is not a local-government code: 6 digits whose last is the check digit (七尾市 is 172022)":
        "{code}は地方公共団体コードではありません。6桁で最後の1桁が検査数字です（七尾市は172022）",
    "A {type} usually sits in the {typical} sector; these axes make it {sector}: check the type or the axes.":
        "{type}はふつう{typical}に位置しますが、この3軸では{sector}になります。種別か軸を確かめてください。",
    "{org} holds it": "{org}が担当",
    "{org} (not claimed)": "{org}（担当申出なし）",
    # services/incident.py, cli/commands/incident.py, the import's start-date warning
    "{count} of these cases were opened before the incident's start ({start}), the earliest on {earliest}: the "
    "reports count \u201copened in the period\u201d from the start, so they count none of them.":
        "このうち {count} 件のケースは災害の発生日（{start}）より前に受付されています（最も早いのは {earliest}）。"
        "報告書の「期間中の受付」は発生日から数えるため、これらは1件も数えられません。",
    "Warning: {what} Move the start: recovery-desk incident start {earliest}":
        "注意: {what} 発生日を移すには: recovery-desk incident start {earliest}",
    "the incident's dates": "災害の日付",
    "move the incident's start date": "災害の発生日を移す",
    "the new start date (YYYY-MM-DD or an era date)": "新しい発生日（YYYY-MM-DD または和暦）",
    "The incident now starts on {date}": "災害の発生日を {date} にしました",
    "Incident start": "災害の発生日",
    "{what} Move the incident's start to {earliest}?": "{what} 発生日を {earliest} に移しますか？",
    "Move the start to {earliest}": "発生日を {earliest} に移す",
    "Keep {start}": "{start} のままにする",
    # reports/incident.py: the welfare triangle by place
    "Each engaged organisation sits where its ownership, profit motive and formality place it (Pestoff's "
    "welfare triangle). Organisations at the same place share one circle: its label gives the place's letter "
    "and how many organisations are there, its area the open tasks they lead together. The table below names "
    "them.":
        "参画団体を、所有（公・私）、営利・非営利、公式・非公式の3つの軸が決める位置に置いています（ペストフの福祉"
        "トライアングル）。同じ位置の団体は1つの円にまとめ、ラベルに位置の記号と団体数を、円の面積にそれらの団体が"
        "主担当の未完了タスクの合計を示します。団体名は下の表にあります。",
    "Place on the triangle": "トライアングル上の位置",
    "Heaviest load first": "団体（負荷の大きい順）",
    "and {count} more organisations": "ほか {count} 団体",
    # services/local_time.py: times in the workspace's zone, said as such
    "JST": "日本時間",
    " (UTC{offset})": "（UTC{offset}）",
    "{title} ({zone})": "{title}（{zone}）",
    "'{zone}' is not a time zone this computer knows (e.g. Asia/Tokyo, Europe/Berlin)":
        "「{zone}」はこのコンピューターが知らないタイムゾーンです（例: Asia/Tokyo、Europe/Berlin）",
    "show or set the time zone times are shown in": "時刻を表示するタイムゾーンを表示・設定する",
    "an IANA time zone, e.g. Asia/Tokyo": "IANA のタイムゾーン名（例: Asia/Tokyo）",
    "Times are shown in {zone} ({label}): {why}": "時刻は {zone}（{label}）で表示します: {why}",
    "named in this workspace file": "このワークスペースファイルで指定",
    "Several municipalities are called {name}: {choices}. Type the code of yours.":
        "{name}という市区町村は複数あります: {choices}。該当するコードを入力してください。",
    "{zone} is named in this file but this computer does not know it: Japan's time":
        "このファイルは{zone}を指定していますが、このパソコンはその時間帯を知りません: 日本時間で表示します",
    "the areas are Japanese local governments": "地域が日本の地方公共団体です",
    "Japan's time (the areas say no country)": "日本時間（地域から国が分かりません）",
    "from the areas' P-codes ({country})": "地域のPコード（{country}）から",
    "the areas are in several countries: Japan's time until one is named (incident zone NAME)":
        "地域が複数の国にあります: 指定するまで日本時間で表示します（incident zone 名前）",
    "the areas are in {country}, which has {count} time zones (or this computer knows none): Japan's time until "
    "one is named (incident zone NAME)":
        "地域は{country}にあり、時間帯が{count}つあります（またはこのパソコンが知りません）: "
        "指定するまで日本時間で表示します（incident zone 名前）",
    # closing the incident, anonymising it (cli/commands/incident.py, ui/dialogs/close_incident.py)
    "record the incident's end (and, with --anonymise, erase every case's personal data)":
        "災害対応の終了日を記録する（--anonymise で全ケースの個人情報も消去）",
    "the end date (default: today)": "終了日（既定: 今日）",
    "erase the personal data of every case (contact, phone, address, notes…)":
        "全ケースの個人情報（連絡先、電話、住所、メモなど）を消去する",
    "The incident ended on {date}": "災害対応の終了日を {date} としました",
    "Erased the personal data of {count} households": "{count} 世帯の個人情報を消去しました",
    "anonymising needs --yes when there is no terminal to confirm on":
        "確認できる端末がないため、匿名化には --yes が必要です",
    "This erases for good the personal data of {count} households: {fields}; and the same values in comments, "
    "notes and the audit trail. Backups made before keep them.":
        "{count} 世帯の個人情報（{fields}）と、コメント・メモ・変更履歴の中の同じ値を完全に消去します。"
        "これより前のバックアップには残ります。",
    "Type {word} to confirm: ": "確認のため {word} と入力してください: ",
    "Erasing the personal data of every case": "すべてのケースの個人情報を消去しています",
    "the incident cannot end ({end}) before it starts ({start})":
        "災害対応の終了日（{end}）を発生日（{start}）より前にはできません",
    "Close the incident": "災害対応を終了する",
    "Close the incident…": "災害対応を終了…",
    "Anonymise it: erase the personal data of every case": "匿名化する: 全ケースの個人情報を消去する",
    "This erases for good the personal data of {count} households: {fields}; and the same values in comments, "
    "notes and the audit trail. Backups made before keep them. It cannot be undone.":
        "{count} 世帯の個人情報（{fields}）と、コメント・メモ・変更履歴の中の同じ値を完全に消去します。"
        "これより前のバックアップには残ります。元に戻せません。",
    "Ended on": "終了日",
    "Close and erase personal data": "終了して個人情報を消去",
    "Closing the incident": "災害対応を終了しています",
}
