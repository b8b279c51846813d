"""Japanese for the storage safety messages: locks, full disks, read-only media, damage,
backups and restores, atomic files (storage/failures.py, storage/database.py, services/backups.py)."""

MESSAGES: dict[str, str] = {
    "Upgrading {path} to this version's schema (a copy of it is kept beside it first); "
    "a large workspace takes minutes…":
        "{path} をこのバージョンのスキーマに更新しています（先に同じフォルダーへコピーを残します）。"
        "大きなワークスペースでは数分かかります…",
    # what a long backup or restore is doing (services/backups.py; the CLI prints it for a large workspace)
    "Copying {path} ({size} MB) through SQLite, then checking the copy (quick_check)…":
        "{path}（{size} MB）を SQLite でコピーし、コピーを検査しています（quick_check）…",
    "Checking the backup {path} ({size} MB, integrity_check)…":
        "バックアップ {path}（{size} MB）を検査しています（integrity_check）…",
    "Keeping the current workspace as {path} (a checked copy), then restoring…":
        "現在のワークスペースを {path} として残し（検査済みのコピー）、それから復元します…",
    # a schema upgrade beside an older app (storage/database.py upgrade_alone, make_engine)
    "{path} must be upgraded to this version's schema, but another program has it open ({holder}); "
    "close it there (an older version of Recovery Desk?) and open it here again":
        "{path} はこのバージョンのスキーマへの更新が必要ですが、別のプログラム（{holder}）が開いています。"
        "そちら（古いバージョンの Recovery Desk など）で閉じてから、こちらでもう一度開いてください",
    "{path} must be upgraded to this version's schema, but another program has it open; close it "
    "there (an older version of Recovery Desk?) and open it here again":
        "{path} はこのバージョンのスキーマへの更新が必要ですが、別のプログラムが開いています。"
        "そちら（古いバージョンの Recovery Desk など）で閉じてから、こちらでもう一度開いてください",
    "{path} was upgraded by a newer version of Recovery Desk (schema {revision}) while this one "
    "had it open; close it here and use the newer version":
        "{path} は、このバージョンで開いている間に新しいバージョンの Recovery Desk によって更新されました"
        "（スキーマ {revision}）。こちらで閉じて、新しいバージョンをお使いください",
    # names and other text (services/validation.py, io/importer.py)
    "{field} contains the control character {code} at position {position}; remove it":
        "{field} の {position} 文字目に制御文字 {code} が含まれています。取り除いてください",
    "contains the control character {code} at position {position}; remove it":
        "{position} 文字目に制御文字 {code} が含まれています。取り除いてください",
    "the workspace": "ワークスペース",
    "{path} is in use by another program ({holder}); gave up waiting after {seconds} s — try again when it has "
    "finished":
        "{path} は別のプログラム（{holder}）が使用中です。{seconds} 秒待ちましたが空きませんでした。"
        "そちらの処理が終わってからもう一度お試しください",
    "{path} is in use by another program; gave up waiting after {seconds} s — try again when it has finished":
        "{path} は別のプログラムが使用中です。{seconds} 秒待ちましたが空きませんでした。"
        "そちらの処理が終わってからもう一度お試しください",
    "{path}: the disk is full; free some space and try again (this change was not saved)":
        "{path}: ディスクがいっぱいです。空き容量を作ってからもう一度お試しください（この変更は保存されていません）",
    "{path} is read-only (a write-protected file, folder or disk): it can be read but nothing can be saved to it":
        "{path} は読み取り専用です（書き込み禁止のファイル・フォルダー・ディスク）。読むことはできますが、"
        "保存はできません",
    "{path}: permission denied": "{path}: アクセスが許可されていません",
    "{path} cannot be opened ({detail}): check that it exists and that you may read it":
        "{path} を開けません（{detail}）。ファイルがあること、読む権限があることを確認してください",
    "{path} is damaged ({detail}); run 'check' and restore a backup":
        "{path} は破損しています（{detail}）。'check' で確認し、バックアップから復元してください",
    "{path}: the disk reported an error ({detail}); copy your work elsewhere and check the disk":
        "{path}: ディスクがエラーを返しました（{detail}）。作業内容を別の場所にコピーし、ディスクを点検してください",
    "the output was closed before everything was written": "すべてを書き出す前に出力先が閉じられました",
    "cannot use {path}: {reason}": "{path} を使用できません: {reason}",
    "{path}: {detail}": "{path}: {detail}",
    "{path} is another application's SQLite database, not a Recovery Desk workspace":
        "{path} は別のアプリケーションの SQLite データベースで、Recovery Desk のワークスペースではありません",
    "{path} is damaged: it is marked as a Recovery Desk workspace but has no schema revision":
        "{path} は破損しています: Recovery Desk のワークスペースの印がありますが、スキーマのリビジョンがありません",
    "{path} was left with an unfinished change that SQLite must roll back, but the file or its folder is "
    "read-only; copy the file together with the files beside it named like it (-journal, -wal) to a writable "
    "folder and open it there":
        "{path} には途中で終わった変更が残っており、SQLite が取り消す必要がありますが、ファイルかフォルダーが"
        "読み取り専用です。同じ名前で始まる隣のファイル（-journal、-wal）と一緒に書き込めるフォルダーへ"
        "コピーし、そこで開いてください",
    "{path}: could not switch to WAL mode ({mode})": "{path}: WAL モードに切り替えられませんでした（{mode}）",
    "{path} needs a schema upgrade but is read-only; copy it to a writable folder and open it there":
        "{path} はスキーマの更新が必要ですが読み取り専用です。書き込めるフォルダーへコピーしてから開いてください",
    "copy even a workspace that fails SQLite's quick check (a damaged file)":
        "SQLite のクイックチェックに通らないワークスペース（破損したファイル）もコピーする",
    "{path} fails SQLite's quick check ({detail}); nothing was copied — use --force to copy it anyway":
        "{path} は SQLite のクイックチェックに通りません（{detail}）。何もコピーしていません。"
        "それでもコピーするには --force を付けてください",
}
