"""``stencilgen stability``: the advection stability of boundary closures.

Computes the eigenvalues of the semi-discrete advection operator
``u_t + u_x = 0`` (inflow at the left) built from the closure, for grid sizes
``n`` (default 51, 61, ..., 201), and prints the largest real part for each.
Exit 0 when no eigenvalue enters the right half-plane, 1 when one does (the
last line names it).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from stencilgen.errors import LimitError, StencilgenError
from stencilgen.limits import MAX_STABILITY_N, MAX_STABILITY_SIZES
from stencilgen.sbp import CLOSURES, StabilityReport, stability

__all__ = ["parse_sizes", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``stability`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["stability", "--accuracy", "4"]).closure
    'one-sided'
    """
    parser = subparsers.add_parser(
        "stability",
        help="advection eigenvalues of a first derivative's boundary closures",
        description="Largest real part of the eigenvalues of the semi-discrete "
        "advection operator u_t + u_x = 0 on [0, 1] (inflow at x = 0) for the "
        "first derivative with --closure one-sided (same-accuracy one-sided "
        "stencils, inflow imposed strongly) or sbp (diagonal-norm summation by "
        "parts, inflow by a penalty term). Exit 1 when an eigenvalue has a "
        "positive real part.",
    )
    parser.add_argument(
        "--accuracy", type=int, required=True, help="interior accuracy (even)"
    )
    parser.add_argument(
        "--closure", choices=CLOSURES, default="one-sided", help="closure kind"
    )
    parser.add_argument(
        "--sizes",
        default="51:201:10",
        help="grid sizes n as FIRST:LAST:STEP or a comma list (default 51:201:10)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"51:201:10"`` or ``"51,101"`` as grid sizes.

    Examples
    --------
    >>> parse_sizes("51:71:10"), parse_sizes("9,12")
    ((51, 61, 71), (9, 12))
    """
    try:
        if ":" in text:
            first, last, step = (int(part) for part in text.split(":"))
            sizes = tuple(range(first, last + 1, step))
        else:
            sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(n < 3 or n > MAX_STABILITY_N for n in sizes):
        raise StencilgenError(
            f"--sizes must be FIRST:LAST:STEP or a comma list of grid sizes between "
            f"3 and {MAX_STABILITY_N} (MAX_STABILITY_N), got {text!r}"
        )
    if len(sizes) > MAX_STABILITY_SIZES:
        raise LimitError(
            f"{len(sizes)} grid sizes is more than the limit of "
            f"{MAX_STABILITY_SIZES} (MAX_STABILITY_SIZES); use a larger STEP"
        )
    return sizes


def _json(report: StabilityReport) -> dict[str, Any]:
    return {
        "closure": report.closure,
        "accuracy": report.accuracy,
        "sizes": list(report.sizes),
        "largest_real_part": list(report.largest),
        "worst_eigenvalue": [report.worst.real, report.worst.imag],
        "stable": report.stable,
        "verdict": report.describe(),
    }


def run(args: argparse.Namespace) -> int:
    """Compute, print, and return 1 when unstable.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["stability", "--accuracy", "6", "--sizes", "51,101"]))
    closure one-sided, interior accuracy 6, advection u_t + u_x = 0, inflow at x = 0
           n  largest Re λ
          51     9.816e+00
         101     1.963e+01
    unstable: eigenvalue 19.63+136.8j at n = 101 has a positive real part that grows with n (closure one-sided, accuracy 6)
    1
    """  # noqa: E501
    accuracy = args.accuracy
    if accuracy < 2 or accuracy % 2:
        raise StencilgenError(
            f"--accuracy must be an even number >= 2 (central interior), got {accuracy}"
        )
    report = stability(args.closure, accuracy, parse_sizes(args.sizes))
    if args.json:
        print(json.dumps(_json(report), indent=2))
    else:
        print(
            f"closure {report.closure}, interior accuracy {report.accuracy}, "
            "advection u_t + u_x = 0, inflow at x = 0"
        )
        print(f"  {'n':>6}  {'largest Re λ':>12}")
        for n, value in zip(report.sizes, report.largest, strict=True):
            print(f"  {n:>6}  {value:12.3e}")
        print(report.describe())
    return 0 if report.stable else 1
