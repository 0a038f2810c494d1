"""``stencilgen verify``: re-run the numerical checks on the committed modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from stencilgen.build import verify_files

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``verify`` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="check the generated modules numerically and print the table",
        description="Import every module the spec names from DIR and check it: "
        "exactness on polynomials and measured convergence orders, interior and "
        "boundary. Exit 1 if any check fails or a module is missing.",
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
        help="the folder holding the modules (default: generated)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the verification table; 1 if anything failed or is missing."""
    report, missing = verify_files(Path(args.spec), Path(args.out))
    if report.rows:
        print(report.table())
    for name in missing:
        print(
            f"stencilgen verify: {Path(args.out).as_posix()}/{name} is missing; "
            "run stencilgen build",
            file=sys.stderr,
        )
    return 0 if report.ok and not missing else 1
