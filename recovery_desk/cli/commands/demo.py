from __future__ import annotations

import argparse
import time

from recovery_desk.cli.commands._common import parse_date
from recovery_desk.i18n import tr


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help=tr("create a demo workspace (refuses to overwrite)"))
    p.add_argument("--cases", type=int, default=500, metavar="N", help=tr("number of cases (up to 60,000)"))
    p.add_argument("--seed", type=int, default=1, metavar="S", help=tr("random seed; the same seed gives the same data"))
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help=tr("the demo's 'today' (default: today)"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from recovery_desk.domain.errors import ValidationError
    from recovery_desk.services.demo import create_demo
    from recovery_desk.services.settings import current_actor
    from recovery_desk.services.workspace import demo_workspace_path

    if not 1 <= args.cases <= 200_000:
        raise ValidationError("--cases must be between 1 and 200000")
    path = args.workspace or demo_workspace_path()
    started = time.perf_counter()
    result = create_demo(path, cases=args.cases, seed=args.seed, as_of=parse_date(args.as_of, "--as-of"),
                         actor=current_actor())
    print(tr("Created demo workspace {path}: {cases} cases, {tasks} tasks, {orgs} organisations, "
             "{people} people in {seconds:.1f} s", path=path, cases=result.cases, tasks=result.tasks,
             orgs=result.organisations, people=result.people, seconds=time.perf_counter() - started))
    return 0
