"""``stencilgen build``: spec file → verified NumPy modules in the output folder.

Exit codes follow the build-step convention: 0 up to date (or written), 1 stale
files (or staging files left by an interrupted build) under ``--check``/``--diff``
or a module that fails verification (nothing written), 2 bad input (spec errors,
a protected file without ``--force``, an output folder that is a file, an
unwritable folder), 130 interrupted (Ctrl-C).

Several specs may build into one folder: a module whose header names another
spec file is never deleted as an orphan (nor listed by ``--check``), and
overwriting it needs ``--force`` (see :mod:`stencilgen.outputs`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from stencilgen.header import regenerate_command
from stencilgen.inputs import up_to_date
from stencilgen.outputs import (
    protected,
    remove_staging,
    stale_staging,
    unified_diff,
)

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``build`` subcommand."""
    parser = subparsers.add_parser(
        "build",
        help="generate verified NumPy modules from a spec file",
        description="Derive every entry of SPEC exactly, render it through the "
        "templates, verify the module numerically and write it to DIR. Entries "
        "whose inputs did not change are reused as they are.",
    )
    parser.add_argument(
        "spec",
        nargs="?",
        default="stencils.toml",
        metavar="SPEC",
        help="the spec file (default: stencils.toml)",
    )
    parser.add_argument(
        "--out",
        default="generated",
        metavar="DIR",
        help="the output folder (default: generated)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing changed, missing and orphaned files "
        "with diffs",
    )
    mode.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print unified diffs of what would change (exit 1 if any)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite or delete files edited by hand or not written by "
        "stencilgen, and overwrite modules generated from another spec",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build, check or diff; return the exit code."""
    spec = Path(args.spec)
    out = Path(args.out)
    dry = args.check or args.diff
    # Debris of an interrupted build: --check reports it, a build removes it
    # (once the spec is read and verified; write_changes also does, under lock).
    stale = stale_staging(out)
    fresh = up_to_date(spec, out) if dry and not stale else None
    if fresh is not None:
        # Every recorded input hash matches: decided without SymPy or Jinja2.
        print(f"{out.as_posix()}/ is up to date ({fresh} modules)")
        return 0
    # The pipeline (SymPy, Jinja2, NumPy) loads only when the hashes cannot
    # decide: a registry-style lazy load, like the kinds' (stencilgen.kinds).
    pipeline = importlib.import_module("stencilgen.build")
    result = pipeline.build(spec, out, write=not dry, force=args.force)
    regenerated = [m for m in result.modules if not m.reused]
    if regenerated and (not result.report.ok or not dry):
        print(result.report.table())
    if not result.report.ok:
        failed = sorted({row.module for row in result.report.rows if not row.passed})
        print(
            f"stencilgen build: verification failed for {', '.join(failed)}; "
            "nothing written",
            file=sys.stderr,
        )
        return 1
    folder = out.as_posix()
    if dry:
        if not result.changes and not stale:
            print(f"{folder}/ is up to date ({len(result.modules)} modules)")
            return 0
        for name in stale:
            print(
                f"would delete {folder}/{name} (a staging file left by an "
                "interrupted build)"
            )
        if args.check:
            for change in result.changes:
                reason = protected(change)
                note = f"; it {reason}, so a build needs --force" if reason else ""
                print(
                    f"would {_verb(change.status)} {folder}/{change.name} "
                    f"({change.status}{note})"
                )
        for change in result.changes:
            sys.stdout.write(unified_diff(change, out))
        if args.check:
            print(f"to regenerate, run: {regenerate_command(spec, out)}")
        return 1
    remove_staging(out)
    for name in stale:
        print(f"deleted {folder}/{name} (a staging file left by an interrupted build)")
    for change in result.changes:
        print(f"{_past(change.status)} {folder}/{change.name} ({change.status})")
    unchanged = len(result.modules) - sum(
        c.status != "orphaned" for c in result.changes
    )
    print(
        f"{folder}/: {len(result.changes)} file(s) updated, {unchanged} unchanged, "
        f"{len(regenerated)} verified"
    )
    return 0


def _verb(status: str) -> str:
    return {"missing": "create", "changed": "update", "orphaned": "delete"}[status]


def _past(status: str) -> str:
    return {"missing": "created", "changed": "updated", "orphaned": "deleted"}[status]
