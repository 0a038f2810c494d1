"""``stencilgen design``: optimised stencils under exact accuracy constraints.

``stencilgen design -d 1 --offsets=-3,-2,-1,0,1,2,3 --accuracy 4 --tolerance 1e-3``
keeps accuracy 4 exactly and chooses the remaining weight to maximise the
resolving efficiency at 0.1 % (minimax); ``--band pi/2`` alone minimises the
relative phase error over ``(0, π/2]`` (least squares); ``--lhs=-1,0,1`` makes it
a compact (Padé) scheme. Weights print to 17 significant digits (and, with
``--json``, as the exact fractions that satisfy the constraints exactly).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from stencilgen.design import Design, DesignError, design
from stencilgen.errors import ExpressionError
from stencilgen.expr import parse_expression, parse_list
from stencilgen.plotting import parse_point

__all__ = ["design_json", "design_text", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``design`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["design", "-d", "1", "--offsets=-1,0,1",
    ...                           "--accuracy", "2", "--band", "pi/2"])
    >>> args.band, args.lhs
    ('pi/2', '0')
    """
    parser = subparsers.add_parser(
        "design",
        help="optimise a stencil's free weights for phase error, accuracy kept exactly",
        description="Keep --accuracy exactly (constraints solved in rational "
        "arithmetic) and choose the remaining weights to minimise the relative "
        "error of the symbol, |κ^m - θ^m|/θ^m: least squares over --band, or "
        "minimax for --tolerance (the widest band within it; with --band, "
        "minimax on that band). Minimax needs SciPy.",
    )
    parser.add_argument(
        "-d", "--derivative", type=int, required=True, help="which derivative"
    )
    parser.add_argument(
        "--offsets",
        required=True,
        help="comma-separated offsets in units of h, e.g. --offsets=-3,-2,-1,0,1,2,3",
    )
    parser.add_argument(
        "--accuracy", type=int, required=True, help="order of accuracy kept exactly"
    )
    parser.add_argument(
        "--lhs",
        default="0",
        help="left-hand side offsets of a compact scheme, e.g. --lhs=-1,0,1 "
        "(default 0: explicit)",
    )
    parser.add_argument("--at", help="evaluation point relative to the offsets")
    parser.add_argument(
        "--band", help="optimise over 0 < θ = k·h <= BAND (radians, e.g. pi/2)"
    )
    parser.add_argument(
        "--tolerance", type=float, help="relative error to meet (minimax)"
    )
    parser.add_argument(
        "--objective",
        choices=("relative", "absolute"),
        default="relative",
        help="least squares of |σ-θ^m|/θ^m (default) or |σ-θ^m| (Tam & Webb)",
    )
    parser.add_argument(
        "--asymmetric",
        action="store_true",
        help="do not impose the central symmetry on symmetric point sets",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _float(value: float) -> str:
    """A double to 17 significant digits (round-trips exactly)."""
    return format(value, ".17g")


def design_json(result: Design) -> dict[str, Any]:
    """The JSON document of a design.

    Examples
    --------
    >>> from stencilgen.design import design
    >>> doc = design_json(design(1, range(-3, 4), 4, band=math.pi / 2))
    >>> doc["method"], doc["constraint_residuals"]
    ('least squares', ['0', '0', '0', '0', '0'])
    """
    scheme = result.scheme
    report = result.report
    ppw = report.points_per_wavelength
    return {
        "derivative": scheme.derivative,
        "offsets": [str(o) for o in scheme.offsets],
        "accuracy": result.family.accuracy,
        "weights": [_float(w) for w in result.weights],
        "weights_exact": [str(w) for w in scheme.weights],
        "lhs_offsets": list(scheme.lhs_offsets),
        "lhs_weights": [_float(w) for w in result.lhs_weights],
        "lhs_weights_exact": [str(w) for w in scheme.lhs_weights],
        "free_parameters": len(result.values),
        "method": result.method,
        "objective": result.objective,
        "band": result.band,
        "objective_value": result.objective_value,
        "constraint_residuals": [str(r) for r in result.residuals()],
        "tolerance": report.tolerance,
        "resolving_efficiency": report.resolving_efficiency,
        "points_per_wavelength": ppw if math.isfinite(ppw) else None,
    }


def design_text(result: Design) -> str:
    """The design as text: what was optimised, the weights, the resolution."""
    scheme = result.scheme
    report = result.report
    residuals = result.residuals()
    zero = all(r == 0 for r in residuals)
    lines = [
        f"derivative {scheme.derivative}, accuracy {result.family.accuracy} kept "
        f"exactly ({len(residuals)} Taylor conditions, residuals "
        f"{'all exactly 0' if zero else 'NOT zero'}), "
        f"{len(result.values)} free parameter(s)",
        f"method:     {result.method}: {result.objective}",
    ]
    if scheme.lhs_offsets != (0,):
        lines.append("left-hand side (compact):")
        lines.append(f"  {'offset':>6}  weight")
        for o, w in zip(scheme.lhs_offsets, result.lhs_weights, strict=True):
            lines.append(f"  {o:>6}  {_float(w)}")
        lines.append("right-hand side:")
    lines.append(f"  {'offset':>6}  weight")
    for offset, w in zip(scheme.offsets, result.weights, strict=True):
        lines.append(f"  {offset!s:>6}  {_float(w)}")
    ppw = report.points_per_wavelength
    lines.append(
        f"at tolerance {report.tolerance:g}: resolving efficiency "
        f"{report.resolving_efficiency:.4f}, {ppw:.2f} points per wavelength"
    )
    return "\n".join(lines)


def _band(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(parse_point(text))
    except ExpressionError as error:
        raise ExpressionError(f"--band: {error}") from None


def run(args: argparse.Namespace) -> int:
    """Design and print.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["design", "-d", "1", "--offsets=-1,0,1",
    ...                        "--accuracy", "2", "--band", "1"]))
    Traceback (most recent call last):
    ...
    stencilgen.design.DesignError: no free weight remains: accuracy 2 on these points fixes every weight; add points or lower the accuracy
    """  # noqa: E501
    try:
        offsets = parse_list(args.offsets)
        lhs = parse_list(args.lhs)
        at = parse_expression(args.at) if args.at is not None else 0
    except ExpressionError as error:
        raise ExpressionError(f"--offsets/--lhs/--at: {error}") from None
    if any(not x.is_Integer for x in lhs):
        raise DesignError(f"--lhs takes whole numbers such as -1,0,1, got {args.lhs}")
    result = design(
        args.derivative,
        offsets,
        args.accuracy,
        band=_band(args.band),
        tolerance=args.tolerance,
        lhs_offsets=[int(x) for x in lhs],
        at=at,
        symmetric=False if args.asymmetric else None,
        objective=args.objective,
    )
    if args.json:
        print(json.dumps(design_json(result), indent=2))
    else:
        print(design_text(result))
    return 0
