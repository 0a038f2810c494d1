"""``stencilgen explain``: the derivation of a stencil, step by step."""

from __future__ import annotations

import argparse
from typing import Any

from stencilgen import nd_display
from stencilgen.commands._stencil_args import (
    add_stencil_arguments,
    operator_from_args,
    stencil_from_args,
)
from stencilgen.errors import StencilError
from stencilgen.explain import derive_by_hand, render

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``explain`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["explain", "-d", "1", "--markdown"]).run is run
    True
    """
    parser = subparsers.add_parser(
        "explain",
        help="show how a stencil is derived from Taylor expansions",
        description="Show the derivation by hand: Taylor expansion of each sample, "
        "the linear system for the weights, its solution and the error term.",
    )
    add_stencil_arguments(parser)
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print LaTeX")
    style.add_argument("--markdown", action="store_true", help="print Markdown")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the derivation.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["explain", "-d", "1", "--offsets=0,1"]))
    ... # doctest: +ELLIPSIS
    Derivation of f'(x) from the samples f(x), f(x + h)
    ...
       a = -1/h
       b = 1/h
    ...
    0
    """
    if args.operator is not None:
        if args.latex or args.markdown:
            raise StencilError(
                "--operator explanations are plain text; leave out --latex/--markdown"
            )
        print(nd_display.explain(operator_from_args(args)))
        return 0
    steps = derive_by_hand(stencil_from_args(args))
    if args.latex:
        print(render(steps, "latex"))
    elif args.markdown:
        print(render(steps, "markdown"))
    else:
        print(render(steps, "text"))
    return 0
