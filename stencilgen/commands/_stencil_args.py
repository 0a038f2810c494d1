"""Options shared by the commands that pick one stencil (``weights``, ``explain``)."""

from __future__ import annotations

import argparse

from stencilgen.errors import ExpressionError, StencilError
from stencilgen.expr import parse_expression, parse_list
from stencilgen.stencil import FAMILIES, Stencil, family_offsets, make_stencil

__all__ = ["add_stencil_arguments", "stencil_from_args"]


def add_stencil_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``-d``, ``--offsets``, ``--at``, ``--kind`` and ``--accuracy``.

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
        required=True,
        help="which derivative (1 = first derivative)",
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
        help="order of accuracy for --kind (default 2)",
    )


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
