"""``stencilgen plot-error``: |error| against step h for a stencil on a formula.

Draws, on log-log axes, the measured error of the stencil's derivative of a
function typed as text (restricted parser, never ``eval``) at one point, the
predicted truncation line ``|C|·h^p·|f^(m+p)(x)|``, the round-off line
``ε·Σ|w|·|f(x)|/h^m`` and the default step of :mod:`stencilgen.steps`. Needs the
optional extra ``stencilgen[plot]`` (matplotlib).
"""

from __future__ import annotations

import argparse
from typing import Any

from stencilgen.commands._stencil_args import stencil_from_args
from stencilgen.plotting import (
    check_output,
    error_curve,
    parse_function,
    parse_point,
    plot_error,
)
from stencilgen.stencil import FAMILIES

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``plot-error`` subcommand."""
    parser = subparsers.add_parser(
        "plot-error",
        help="plot |error| against the step for a stencil applied to a function",
        description="Measure the stencil's derivative of FUNCTION at the point "
        "--at over a sweep of steps and draw |error| against h (log-log) with "
        "the predicted truncation and round-off lines and the default step "
        "marked. Needs matplotlib: pip install 'stencilgen[plot]'.",
    )
    parser.add_argument(
        "-d", "--derivative", type=int, required=True, help="which derivative"
    )
    parser.add_argument(
        "--offsets",
        help="comma-separated numeric offsets in units of h, e.g. --offsets=-1,0,1",
    )
    parser.add_argument(
        "--kind",
        choices=FAMILIES,
        help="stencil family when no --offsets are given (default central)",
    )
    parser.add_argument(
        "--accuracy", type=int, help="order of accuracy for --kind (default 2)"
    )
    parser.add_argument(
        "--function",
        required=True,
        help='the function of x, e.g. "sin(x)" or "x**2 - 2*x*sin(1) + 1/x" '
        "(numbers, x, pi, e, + - * / **, and sin cos tan asin acos atan sinh cosh "
        "tanh asinh exp log sqrt)",
    )
    parser.add_argument(
        "--at",
        default="1",
        help="the point x where f is differentiated, e.g. 1 or pi/4 (default 1)",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="error.png",
        help="PNG file to write, named *.png (default error.png)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Measure, draw and save; print a one-line summary."""
    check_output(args.output)
    function = parse_function(args.function)
    point = parse_point(args.at)
    # --at is the point x here, not a staggered evaluation point of the stencil.
    stencil = stencil_from_args(argparse.Namespace(**{**vars(args), "at": None}))
    curve = error_curve(stencil, function, point)
    path = plot_error(curve, args.output)
    print(
        f"wrote {path}: default step h = {curve.chosen_step:.3e} gives error "
        f"{curve.chosen_error:.2e}; the bottom of the measured curve is "
        f"{curve.best_error:.2e} at h = {curve.best_step:.3e}"
    )
    return 0
