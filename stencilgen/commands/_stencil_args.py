"""Options shared by the commands that pick one stencil (``weights``, ``explain``).

``-d`` with ``--offsets`` or ``--kind`` picks a 1-D stencil; ``--operator`` (with
``--points``, ``--free``, ``--choose``) an N-D one (:func:`stencilgen.operator`).
"""

from __future__ import annotations

import argparse

from stencilgen.errors import ExpressionError, StencilError
from stencilgen.expr import parse_expression, parse_list
from stencilgen.nd import CHOICES, Operator, OperatorFamilyError, operator
from stencilgen.stencil import FAMILIES, Stencil, family_offsets, make_stencil

__all__ = [
    "add_stencil_arguments",
    "operator_from_args",
    "parse_points",
    "stencil_from_args",
]


def add_stencil_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``-d``, ``--offsets``, ``--at``, ``--kind``, ``--accuracy`` and N-D options.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_stencil_arguments(parser)
    >>> args = parser.parse_args(["-d", "1", "--offsets=0,hd,-hs"])
    >>> args.derivative, args.offsets, args.at, args.kind, args.accuracy
    (1, '0,hd,-hs', None, None, None)
    """
    parser.add_argument(
        "-d",
        "--derivative",
        type=int,
        help="which derivative (1 = first derivative); required unless --operator",
    )
    parser.add_argument(
        "--offsets",
        help="comma-separated offsets, numbers or expressions: --offsets=-1,0,1 or "
        "--offsets=0,hd,-hs (write '=' before a leading minus)",
    )
    parser.add_argument(
        "--at",
        help="evaluation point relative to the offsets' origin, e.g. 1/2 for a "
        "staggered stencil (default 0; only with --offsets)",
    )
    parser.add_argument(
        "--kind",
        choices=FAMILIES,
        help="stencil family when no --offsets are given (default central)",
    )
    parser.add_argument(
        "--accuracy",
        type=int,
        help="order of accuracy for --kind or --operator (default 2)",
    )
    parser.add_argument(
        "--operator",
        metavar="EXPRESSION",
        help="an N-D linear operator instead of -d, e.g. 'u_xx + u_yy' or 'u_xy'",
    )
    parser.add_argument(
        "--points",
        help="with --operator: explicit integer points, ';' between points, e.g. "
        "--points='-1,0;0,0;1,0;0,-1;0,1'",
    )
    parser.add_argument(
        "--free",
        action="append",
        default=[],
        metavar="POINT=VALUE",
        help="with --points: fix a free weight, e.g. --free '1,1=1/(6*h_x*h_y)' "
        "(repeatable)",
    )
    parser.add_argument(
        "--choose",
        choices=CHOICES,
        help="with --points: pick a documented member of a family of stencils",
    )


def parse_points(text: str) -> list[tuple[int, ...]]:
    """Read ``"-1,0;0,0;1,0"`` as integer points.

    Examples
    --------
    >>> parse_points("-1,0; 0,0; 1,0")
    [(-1, 0), (0, 0), (1, 0)]
    """
    points = []
    for number, item in enumerate(text.split(";"), start=1):
        try:
            points.append(tuple(int(v) for v in item.split(",")))
        except ValueError:
            raise StencilError(
                f"point {number} of --points, {item.strip()!r}, is not integers "
                "separated by commas; write --points='-1,0;0,0;1,0'"
            ) from None
    return points


def operator_from_args(args: argparse.Namespace) -> Operator:
    """Build the N-D operator the options describe.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_stencil_arguments(parser)
    >>> operator_from_args(parser.parse_args(["--operator", "u_xy"])).accuracy
    2

    Raises
    ------
    StencilError
        For options of 1-D stencils given with ``--operator``, or a bad point
        list.
    """
    clashing = [
        name
        for name, value in (
            ("-d", args.derivative),
            ("--offsets", args.offsets),
            ("--at", args.at),
            ("--kind", args.kind),
        )
        if value is not None
    ]
    if clashing:
        raise StencilError(
            f"{', '.join(clashing)} describe a 1-D stencil and --operator an N-D "
            "one; give one or the other"
        )
    if args.points is None and (args.free or args.choose):
        raise StencilError("--free and --choose need --points")
    points = parse_points(args.points) if args.points is not None else None
    free: dict[tuple[int, ...], str] = {}
    for item in args.free:
        key, equals, value = item.partition("=")
        if not equals or not value.strip():
            raise StencilError(
                f"--free takes POINT=VALUE, e.g. --free '1,1=1/(6*h_x*h_y)'; got "
                f"{item!r}"
            )
        (point,) = parse_points(key)
        free[point] = value.strip()
    accuracy = 2 if args.accuracy is None else args.accuracy
    try:
        return operator(
            args.operator,
            accuracy,
            points=points,
            free=free or None,
            choose=args.choose,
        )
    except OperatorFamilyError as error:
        # The same facts, with the command line's way of fixing them.
        names = ", ".join(str(s) for s in error.free)
        example = str(error.free[0])[len("w") :].strip("0123456789")[1:-1]
        raise StencilError(
            f"these {len(error.points)} points admit a family of stencils, with free "
            f"weights {names}; fix them with --free '{example}=VALUE' or --choose "
            f"{'|'.join(CHOICES)}"
        ) from None


def stencil_from_args(args: argparse.Namespace) -> Stencil:
    """Derive the stencil the options describe.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_stencil_arguments(parser)
    >>> stencil_from_args(parser.parse_args(["-d", "2", "--kind", "forward"])).weights
    (2, -5, 4, -1)
    >>> args = parser.parse_args(["-d", "1", "--offsets=0,1", "--at=1/2"])
    >>> stencil_from_args(args).at
    1/2

    Raises
    ------
    StencilError
        For contradictory options or an impossible stencil.
    """
    if args.derivative is None:
        raise StencilError(
            "the following arguments are required: -d/--derivative (or --operator "
            "EXPRESSION for an N-D operator)"
        )
    # Commands that share -d but not the N-D options (plot-error) lack them.
    nd_only = [
        name
        for name, key in (("--points", "points"), ("--choose", "choose"))
        if getattr(args, key, None) is not None
    ] + (["--free"] if getattr(args, "free", None) else [])
    if nd_only:
        raise StencilError(f"{', '.join(nd_only)} go with --operator, not with -d")
    if args.offsets is not None:
        if args.kind is not None or args.accuracy is not None:
            raise StencilError(
                "--kind/--accuracy choose a standard stencil and --offsets an "
                "explicit one; give one or the other"
            )
        try:
            offsets = parse_list(args.offsets)
        except ExpressionError as error:
            raise ExpressionError(f"--offsets: {error}") from None
        try:
            at = parse_expression(args.at) if args.at is not None else 0
        except ExpressionError as error:
            raise ExpressionError(f"--at: {error}") from None
        return make_stencil(args.derivative, offsets, at)
    if args.at is not None:
        raise StencilError("--at needs explicit --offsets, e.g. --offsets=0,1 --at 1/2")
    kind = args.kind or "central"
    accuracy = 2 if args.accuracy is None else args.accuracy
    return make_stencil(
        args.derivative, family_offsets(kind, args.derivative, accuracy)
    )
