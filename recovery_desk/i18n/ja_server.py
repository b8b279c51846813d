"""Japanese for the server workspace (PostgreSQL): connecting, roles, permissions, notifications."""

MESSAGES: dict[str, str] = {
    "workspace file, or a PostgreSQL server's postgresql://USER@HOST/DATABASE (default: the file in your user data folder)":
        "ワークスペースのファイル、または PostgreSQL サーバーの postgresql://ユーザー@ホスト/データベース"
        "（既定: ユーザーデータフォルダーのファイル）",
    "{server}: no workspace here (create one with 'init' or 'demo')":
        "{server}: ワークスペースがありません（'init' または 'demo' で作成してください）",
    "{server} already holds a workspace; choose an empty database":
        "{server} には既にワークスペースがあります。空のデータベースを指定してください",
    "{server} needs a schema upgrade": "{server} はスキーマの更新が必要です",
    "{url} is not a PostgreSQL URL (postgresql://USER@HOST/DATABASE)":
        "{url} は PostgreSQL の URL ではありません（postgresql://ユーザー@ホスト/データベース）",
    "{url}: a password does not belong in the URL (it would show in command lines and logs); put it in ~/.pgpass or "
    "the file PGPASSFILE names, or type it when asked":
        "{url}: パスワードを URL に含めないでください（コマンドラインやログに残ります）。~/.pgpass か PGPASSFILE が"
        "指すファイルに書くか、尋ねられたときに入力してください",
    "{url} is not a valid PostgreSQL URL: {detail}": "{url} は正しい PostgreSQL の URL ではありません: {detail}",
    "{server} was created by a newer version of Recovery Desk (schema {revision}); update the application to open it":
        "{server} は新しいバージョンの Recovery Desk で作成されています（スキーマ {revision}）。"
        "開くにはアプリケーションを更新してください",
    "{server} needs a schema upgrade, and the backup before it needs pg_dump (Debian package postgresql-client)":
        "{server} はスキーマの更新が必要ですが、その前のバックアップに pg_dump が必要です"
        "（Debian パッケージ postgresql-client）",
    "{server}: the backup before the schema upgrade failed, nothing was changed: {detail}":
        "{server}: スキーマ更新前のバックアップに失敗しました。何も変更していません: {detail}",
    "could not connect to {server}: {detail}": "{server} に接続できません: {detail}",
    "{server} holds other tables, not a Recovery Desk workspace; use an empty database":
        "{server} には別のテーブルがあり、Recovery Desk のワークスペースではありません。空のデータベースを使ってください",
    "could not sign in to {server}: {detail} (a password comes from ~/.pgpass, the file PGPASSFILE names, or a prompt "
    "on a terminal)":
        "{server} にサインインできません: {detail}（パスワードは ~/.pgpass、PGPASSFILE が指すファイル、"
        "または端末での入力から与えます）",
    "{server}: backup and restore are for workspace files; back a server up with pg_dump":
        "{server}: backup と restore はワークスペースのファイル用です。サーバーは pg_dump でバックアップしてください",
    "Password for {user} on {server}: ": "{server} の {user} のパスワード: ",
    "{path} is a file; server add-user needs --workspace postgresql://…":
        "{path} はファイルです。server add-user には --workspace postgresql://… が必要です",
    "{user} may now sign in as {role}": "{user} は {role} としてサインインできます",
    "a workspace on a PostgreSQL server: roles and access": "PostgreSQL サーバー上のワークスペース: ロールとアクセス権",
    "create the schema, roles and access rules (or add the missing ones)":
        "スキーマ・ロール・アクセス規則を作成（不足分だけ追加）",
    "postgresql://USER@HOST/DATABASE": "postgresql://ユーザー@ホスト/データベース",
    "name of the first incident (new workspace)": "最初の災害の名前（新しいワークスペース）",
    "add a person as a database role": "人をデータベースのロールとして追加",
    "the role name, exactly as the person signs in": "ロール名（その人がサインインする名前そのもの）",
    "what they may see": "見てよい範囲",
    "the organisation of a member (name, acronym or id)": "メンバーの所属団体（名前・略称・ID）",
    "a file whose first line is the password (otherwise asked on a terminal only)":
        "1 行目がパスワードのファイル（指定しなければ端末でのみ尋ねます）",
    "{server}: roles and access rules are in place": "{server}: ロールとアクセス規則を設定しました",
    "--password-file {path}: the first line is empty": "--password-file {path}: 1 行目が空です",
    "--password-file {path}: {detail}": "--password-file {path}: {detail}",
    "Password for {user} (empty: none): ": "{user} のパスワード（空欄: なし）: ",
    "{path} is a file; server init needs a postgresql:// URL":
        "{path} はファイルです。server init には postgresql:// の URL が必要です",
    "--role must be one of {kinds}": "--role は {kinds} のいずれかです",
    "a user name has 1 to 63 bytes: {name}": "ユーザー名は 1〜63 バイトです: {name}",
    "--organisation is needed for a member, and only for a member":
        "--organisation はメンバーにだけ、必ず指定します",
    "{server} has no roles yet: run 'recovery-desk server init {server}' first":
        "{server} にはまだロールがありません。先に 'recovery-desk server init {server}' を実行してください",
    "no organisation {organisation} in this workspace": "このワークスペースに団体 {organisation} はありません",
    "the server does not allow this to your role: {detail}": "サーバーがあなたのロールにこの操作を許可していません: {detail}",
    "another person changed the same rows at the same moment; nothing was saved, try again: {detail}":
        "同時に別の人が同じ行を変更しました。保存していません。もう一度お試しください: {detail}",
    "the connection to the server was lost ({detail}); everything saved before is kept, the last change was not saved":
        "サーバーとの接続が切れました（{detail}）。それまでに保存した内容は残っています。最後の変更は保存されていません",
    "{field} was changed by someone else to '{theirs}' while you changed it to '{yours}'; nothing was saved, look at "
    "their value and save again":
        "{field} は別の人が「{theirs}」に変更しました（あなたの変更は「{yours}」）。保存していません。"
        "相手の値を確認してから保存し直してください",
    "Signed in to the server as {actor} (viewer): figures and reports only; the server hides all personal data":
        "サーバーに {actor} としてサインイン中（閲覧者）: 数値と報告書のみ。個人情報はすべてサーバーが非表示にします",
    "Signed in to the server as {actor} (member of an organisation): only the cases it takes part in; personal data "
    "where the case's consent allows":
        "サーバーに {actor} としてサインイン中（団体メンバー）: 所属団体が関わるケースのみ。"
        "個人情報はケースの同意がある場合のみ",
    "Signed in to the server as {actor} (coordinator)": "サーバーに {actor} としてサインイン中（調整役）",
    # A laptop and the server meet (services/server_sync.py, cli sync push|pull, server copy-to-*).
    "put this file's workspace into an empty server database": "このファイルのワークスペースを空のサーバーデータベースに入れる",
    "write this server workspace out as a new workspace file": "このサーバーのワークスペースを新しいワークスペースファイルに書き出す",
    "the new workspace file": "新しいワークスペースファイル",
    "send this laptop's changes to a server workspace": "このパソコンの変更をサーバーのワークスペースに送る",
    "read a server workspace's changes into this laptop": "サーバーのワークスペースの変更をこのパソコンに読み込む",
    "{path} is a server workspace; copy-to-server is run on a workspace file":
        "{path} はサーバーのワークスペースです。copy-to-server はワークスペースファイルに対して実行します",
    "{path} is a file; copy-to-file needs --workspace postgresql://…":
        "{path} はファイルです。copy-to-file には --workspace postgresql://… が必要です",
    "{path} is a server workspace; sync push/pull --server is run on a laptop's file":
        "{path} はサーバーのワークスペースです。sync push/pull --server はパソコンのファイルに対して実行します",
    "Copied {path} to {server}: {new} rows; the server is a replica of its own, synchronise with "
    "'sync push|pull --server'":
        "{path} を {server} にコピーしました: {new} 行。サーバーは独立した複製です。"
        "'sync push|pull --server' で同期してください",
    "Wrote {server} to {path} (laptop {replica}); bring its work back with 'sync push --server'":
        "{server} を {path} に書き出しました（パソコン {replica}）。作業は 'sync push --server' で戻せます",
    "{path} already exists; write the server workspace into a new file":
        "{path} は既にあります。サーバーのワークスペースは新しいファイルに書き出してください",
    "only a coordinator may synchronise a laptop with the server: a laptop's file holds every case and all personal "
    "data ({actor} signed in as a {kind})":
        "パソコンとサーバーを同期できるのは調整役だけです。パソコンのファイルにはすべてのケースと個人情報が入ります"
        "（{actor} は {kind} としてサインインしています）",
    "{server} holds another workspace than {path} (not the same incident's exchanges); nothing was exchanged":
        "{server} は {path} とは別のワークスペースです（同じ災害のやり取りではありません）。何も交換していません",
    # The app: Open server workspace…, Exchange ▸ Synchronise with a server…
    "Open server workspace…": "サーバーのワークスペースを開く…",
    "Open server workspace": "サーバーのワークスペースを開く",
    "A workspace on a PostgreSQL server: choose a saved connection or type its URL ({example}).":
        "PostgreSQL サーバー上のワークスペース: 保存した接続を選ぶか、URL を入力してください（{example}）。",
    "The password is never saved here: it comes from ~/.pgpass or the file PGPASSFILE names (libpq's own means).":
        "パスワードはここには保存しません。~/.pgpass か PGPASSFILE が指すファイルから読み込みます（libpq の仕組み）。",
    "Forget this connection": "この接続を削除",
    "Synchronise with a server…": "サーバーと同期…",
    "Synchronise with a server": "サーバーと同期",
    "Synchronise": "同期",
    "Synchronising with the server…": "サーバーと同期しています…",
    "This workspace is on a server already: synchronise a laptop's file with it.":
        "このワークスペースは既にサーバー上にあります。パソコンのファイルをこのサーバーと同期してください。",
    "Sent to the server: {text}": "サーバーへ送信: {text}",
    "Received from the server: {text}": "サーバーから受信: {text}",
    "nothing new": "新しい変更はありません",
    "{new} new, {updated} updated, {deleted} deleted, {conflicts} new conflict(s)":
        "新規 {new} 件、更新 {updated} 件、削除 {deleted} 件、新しい競合 {conflicts} 件",
    "Cancelled: each side keeps only what was completely exchanged before.":
        "キャンセルしました。両側とも、それまでに完全にやり取りした分だけが残ります。",
}
