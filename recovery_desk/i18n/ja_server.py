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
}
