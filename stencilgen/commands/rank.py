"""``stencilgen rank``: compare point sets for a derivative and an accuracy.

Prints every candidate point set (default: windows of consecutive offsets
containing 0, ``m + p`` and ``m + p + 1`` wide; or ``--candidates``) that reaches
the accuracy, with its error constant ``|C|``, ``Σ|w|`` (round-off
amplification) and points per wavelength at ``--tolerance``, best first.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from stencilgen.choose import RANK_KEYS, Candidate, rank
from stencilgen.errors import ExpressionError
from stencilgen.expr import parse_list
from stencilgen.spectrum import DEFAULT_TOLERANCE

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``rank`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["rank", "-d", "1", "--accuracy", "4"]).by
    'points_per_wavelength'
    """
    parser = subparsers.add_parser(
        "rank",
        help="rank point sets by error constant, Σ|w| and points per wavelength",
        description="Rank the point sets that reach --accuracy for derivative -d by "
        "points per wavelength (default), error constant or Σ|w|.",
    )
    parser.add_argument(
        "-d", "--derivative", type=int, required=True, help="which derivative"
    )
    parser.add_argument(
        "--accuracy", type=int, required=True, help="least order of accuracy"
    )
    parser.add_argument(
        "--candidates",
        help="point sets separated by ';', e.g. '-1,0,1;0,1,2' (default: windows "
        "of consecutive offsets containing 0)",
    )
    parser.add_argument(
        "--by", choices=RANK_KEYS, default="points_per_wavelength", help="sort key"
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help="phase-error tolerance for points per wavelength (default 1e-3)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _row(c: Candidate) -> dict[str, Any]:
    ppw = c.points_per_wavelength
    return {
        "offsets": [str(o) for o in c.stencil.offsets],
        "accuracy": c.stencil.accuracy,
        "error_constant": str(c.error_constant),
        "weight_sum": str(c.weight_sum),
        "points_per_wavelength": ppw if math.isfinite(ppw) else None,
    }


def run(args: argparse.Namespace) -> int:
    """Rank and print.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["rank", "-d", "2", "--accuracy", "2",
    ...                        "--candidates=-1,0,1;0,1,2,3"]))
    offsets  accuracy    |C|   Σ|w|  points per wavelength
    -1,0,1          2   1/12      4                  57.35
    0,1,2,3         2  11/12     12                 190.22
    0
    """
    candidates = None
    if args.candidates is not None:
        try:
            candidates = [parse_list(part) for part in args.candidates.split(";")]
        except ExpressionError as error:
            raise ExpressionError(f"--candidates: {error}") from None
    ranked = rank(args.derivative, args.accuracy, candidates, args.tolerance, args.by)
    if args.json:
        print(json.dumps([_row(c) for c in ranked], indent=2))
        return 0
    rows = [
        (
            ",".join(str(o) for o in c.stencil.offsets),
            str(c.stencil.accuracy),
            str(c.error_constant),
            str(c.weight_sum),
            f"{c.points_per_wavelength:.2f}",
        )
        for c in ranked
    ]
    width = max(len("offsets"), *(len(r[0]) for r in rows))
    print(
        f"{'offsets':{width}}  {'accuracy':>8}  {'|C|':>5}  {'Σ|w|':>5}  "
        "points per wavelength"
    )
    for offsets, accuracy, constant, total, ppw in rows:
        print(f"{offsets:{width}}  {accuracy:>8}  {constant:>5}  {total:>5}  {ppw:>21}")
    return 0
