"""``import``, ``export``, ``backup`` and ``restore``: files in and out of a workspace."""

from __future__ import annotations

import argparse
import sys

from recovery_desk.cli.commands._common import open_workspace, workspace_path
from recovery_desk.i18n import current_language, tr

IMPORT_KINDS = ("cases", "organisations", "people", "tasks", "areas", "3w")
EXPORT_KINDS = ("cases", "organisations", "tasks", "3w")
MAX_NOTES = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import", help=tr("import cases, organisations, people, tasks, areas or a 3W from CSV/XLSX"),
                              formatter_class=FieldsEpilog)
    p.add_argument("kind", choices=IMPORT_KINDS, help=tr("what the file holds"))
    p.add_argument("file", metavar="FILE", help=tr("CSV or XLSX file"))
    p.add_argument("--map", dest="mapping", action="append", default=[], metavar="SRC=FIELD",
                   help=tr("use column SRC for FIELD (repeatable; FIELD '-' ignores the column)"))
    p.add_argument("--encoding", default="auto",
                   help=tr("text encoding: auto (UTF-8 or Shift_JIS), utf-8, cp932, latin-1…"))
    p.add_argument("--sheet", metavar="NAME", help=tr("sheet of an XLSX file (default: the first)"))
    p.add_argument("--dry-run", action="store_true", help=tr("check the file and show what would happen; write nothing"))
    p.add_argument("--valid-only", action="store_true",
                   help=tr("import the valid rows and skip the rows with problems (recorded in the audit trail)"))
    p.set_defaults(run=run_import)

    p = subparsers.add_parser("export", help=tr("export cases, organisations, tasks or a 3W (HXL) to CSV/XLSX"))
    p.add_argument("kind", choices=EXPORT_KINDS, help=tr("what to export"))
    p.add_argument("file", metavar="FILE", help=tr("file to write (an existing file is kept as .bak)"))
    p.add_argument("--format", choices=("csv", "xlsx", "hxl"), help=tr("file format (default: from the file name)"))
    p.add_argument("--include-pii", action="store_true",
                   help=tr("include personal data, for cases whose consent allows it"))
    p.set_defaults(run=run_export)

    p = subparsers.add_parser("backup", help=tr("copy the workspace safely, even while the app is using it"))
    p.add_argument("dest", metavar="DEST", help=tr("backup file or folder"))
    p.add_argument("--force", action="store_true",
                   help=tr("copy even a workspace that fails SQLite's quick check (a damaged file)"))
    p.set_defaults(run=run_backup)

    p = subparsers.add_parser("restore", help=tr("replace the workspace with a checked backup (the current file is kept)"))
    p.add_argument("src", metavar="SRC", help=tr("backup file"))
    p.set_defaults(run=run_restore)


class FieldsEpilog(argparse.RawDescriptionHelpFormatter):
    """``import --help`` ends with the list of fields, built only when help is shown: building
    it imports io.fields, which every other command (``match`` must answer in 300 ms) would pay."""

    def format_help(self) -> str:
        self.add_text(fields_help())
        return super().format_help()


def fields_help() -> str:
    from recovery_desk.io.fields import FIELDS, FIELDS_3W

    lines = [tr("Fields for --map (known English and Japanese column names are mapped automatically):")]
    for kind, specs in FIELDS.items():
        lines.append(f"  {kind}: " + ", ".join(f.name for f in specs))
    lines.append("  3w: " + ", ".join(FIELDS_3W))
    return "\n".join(lines)


def parse_mapping(items: list[str]) -> dict[str, str]:
    from recovery_desk.domain.errors import ValidationError

    mapping: dict[str, str] = {}
    for item in items:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValidationError("--map {item}: use --map COLUMN=FIELD", item=item)
        mapping[source.strip()] = target.strip()
    return mapping


def run_import(args: argparse.Namespace) -> int:
    from recovery_desk.io.importer import ImportOptions, ImportRejected, import_file

    lang = current_language()
    options = ImportOptions(args.kind, parse_mapping(args.mapping), args.encoding, args.sheet,
                            args.valid_only, args.dry_run)
    with open_workspace(args) as ws:
        try:
            result = import_file(ws, args.file, options)
        except ImportRejected as exc:
            for problem in exc.problems:
                print(problem.line(lang), file=sys.stderr)
            raise
    print(tr("Columns: {mapping}", lang, mapping=", ".join(f"{c} → {f}" for c, f in result.mapping.items())))
    if result.encoding:
        print(tr("Encoding: {encoding}; header on row {row}", lang, encoding=result.encoding, row=result.header_row))
    for problem in result.problems:
        print(result.problem_line(problem, lang))
    for note in result.notes[:MAX_NOTES]:
        print(note.line(lang))
    if len(result.notes) > MAX_NOTES:
        print(tr("… and {count} more notes", lang, count=len(result.notes) - MAX_NOTES))
    print(result.summary(lang))
    if result.opened_before_start is not None:
        early = result.opened_before_start
        print(tr("Warning: {what} Move the start: recovery-desk incident start {earliest}", lang,
                 what=early.message(lang), earliest=early.earliest.isoformat()), file=sys.stderr)
    if result.would_be_refused:
        print(tr("{count} problem(s): the import would be refused (or use --valid-only)", lang,
                 count=len(result.problems)))
        return 1
    return 0


def run_export(args: argparse.Namespace) -> int:
    from recovery_desk.io.export import export

    with open_workspace(args) as ws:
        result = export(ws, args.kind, args.file, args.format, include_pii=args.include_pii,
                        lang=current_language())
    print(tr("Exported {rows} rows to {path}", rows=result.rows, path=result.path))
    if result.backup:
        print(tr("The previous file is kept as {path}", path=result.backup))
    return 0


def _file_only(args: argparse.Namespace) -> None:
    from recovery_desk.domain.errors import WorkspaceError
    from recovery_desk.storage.engines import is_server_url

    if is_server_url(workspace_path(args)):
        raise WorkspaceError("{server}: backup and restore are for workspace files; back a server up with "
                             "pg_dump", server=workspace_path(args))


# A workspace this large takes long enough to copy and check (about half a minute at 600 MB)
# that the command says what it is doing, on stderr (stdout stays what scripts read).
SAY_PROGRESS_FROM_BYTES = 64 * 1024 * 1024


def progress_for(path) -> object:
    """A progress callback printing on stderr for a large workspace, else None."""
    import os

    try:
        large = os.stat(path).st_size >= SAY_PROGRESS_FROM_BYTES
    except OSError:
        large = False
    from recovery_desk.cli.commands._common import say_on_stderr

    return say_on_stderr if large else None


def run_backup(args: argparse.Namespace) -> int:
    from recovery_desk.services.backups import backup

    _file_only(args)
    dest = backup(workspace_path(args), args.dest, force=args.force, progress=progress_for(workspace_path(args)))
    print(tr("Backed up to {path}", path=dest))
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from recovery_desk.services.backups import restore

    _file_only(args)
    kept = restore(Path(args.src), workspace_path(args), progress=progress_for(args.src))
    print(tr("Restored {src} into {path}", src=args.src, path=workspace_path(args)))
    if kept:
        print(tr("The replaced workspace is kept as {path}", path=kept))
    return 0
