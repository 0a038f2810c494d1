"""``stencilgen weights``: exact weights, formula, accuracy and error term."""

from __future__ import annotations

import argparse
import json
from typing import Any

from stencilgen import display
from stencilgen.commands._stencil_args import add_stencil_arguments, stencil_from_args
from stencilgen.notation import F, H, X
from stencilgen.stencil import Stencil

__all__ = ["formula_text", "register", "run", "stencil_json", "stencil_text"]

ERROR_CONVENTION = "approximation − exact"


def register(subparsers: Any) -> None:
    """Add the ``weights`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["weights", "-d", "1", "--json"]).run is run
    True
    """
    parser = subparsers.add_parser(
        "weights",
        help="exact weights of a finite-difference stencil",
        description="Print the exact weights of a stencil, its formula, order of "
        "accuracy and leading truncation-error term.",
    )
    add_stencil_arguments(parser)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--latex", action="store_true", help="print LaTeX")
    parser.set_defaults(run=run)


def stencil_json(stencil: Stencil) -> dict[str, Any]:
    """The JSON document for a stencil; every exact value is a string.

    Examples
    --------
    >>> from stencilgen import central
    >>> doc = stencil_json(central(1, 2))
    >>> doc["weights"], doc["accuracy"], doc["leading_error"]
    (['-1/2', '0', '1/2'], 2, 'h**2*Derivative(f(x), (x, 3))/6')
    """
    return {
        "derivative": stencil.derivative,
        "offsets": [str(o) for o in stencil.offsets],
        "at": str(stencil.at),
        "weights": [str(w) for w in stencil.weights],
        "accuracy": stencil.accuracy,
        "leading_error": str(stencil.leading_error),
        "error_derivative": stencil.error_derivative,
        "error_order": stencil.error_derivative,  # deprecated alias
        "error_coefficient": str(stencil.error_coefficient),
        "error_convention": "approximation - exact",
        "units": "symbolic" if stencil.symbolic else "offsets in units of h",
        "formula": str(stencil.formula),
        "latex": display.stencil_latex(stencil),
    }


def formula_text(stencil: Stencil) -> str:
    """The formula in plain text, its samples in the order of the offsets.

    Examples
    --------
    >>> from stencilgen import central
    >>> formula_text(central(2, 2))
    'f(x - h)/h² - 2·f(x)/h² + f(x + h)/h²'
    """
    unit = 1 if stencil.symbolic else H
    scale = 1 if stencil.symbolic else H**stencil.derivative
    pairs = zip(stencil.weights, stencil.offsets, strict=True)
    return display.plain_sum(w / scale * F(X + o * unit) for w, o in pairs if w != 0)


def stencil_text(stencil: Stencil) -> str:
    """A readable table of offsets and weights followed by the summary lines.

    Examples
    --------
    >>> from stencilgen import central
    >>> print(stencil_text(central(1, 2)))
    derivative 1, offsets in units of h
      offset  weight
          -1    -1/2
           0       0
           1     1/2
    formula:        f'(x) ≈ -f(x - h)/(2·h) + f(x + h)/(2·h)
    accuracy:       2
    leading error:  h²·f'''(x)/6  (approximation − exact)
    """
    units = "symbolic offsets" if stencil.symbolic else "offsets in units of h"
    pairs = zip(stencil.offsets, stencil.weights, strict=True)
    rows = [(str(o), str(w)) for o, w in pairs]
    left = max(len("offset"), *(len(o) for o, _ in rows))
    right = max(len("weight"), *(len(w) for _, w in rows))
    lines = [f"derivative {stencil.derivative}, {units}"]
    if stencil.at != 0:
        lines[0] += f", evaluated at {stencil.at}"
    lines.append(f"  {'offset':>{left}}  {'weight':>{right}}")
    lines += [f"  {o:>{left}}  {w:>{right}}" for o, w in rows]
    exact = display.plain(stencil.exact)
    lines.append(f"formula:        {exact} ≈ {formula_text(stencil)}")
    if stencil.accuracy is None:
        lines.append("accuracy:       exact (no truncation error)")
    else:
        lines.append(f"accuracy:       {stencil.accuracy}")
        error = display.plain(stencil.leading_error)
        lines.append(f"leading error:  {error}  ({ERROR_CONVENTION})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the stencil the options describe.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["weights", "-d", "1", "--offsets=0,1"]))
    derivative 1, offsets in units of h
      offset  weight
           0      -1
           1       1
    formula:        f'(x) ≈ -f(x)/h + f(x + h)/h
    accuracy:       1
    leading error:  h·f''(x)/2  (approximation − exact)
    0
    """
    stencil = stencil_from_args(args)
    if args.json:
        print(json.dumps(stencil_json(stencil), indent=2))
    elif args.latex:
        print(display.stencil_latex(stencil))
    else:
        print(stencil_text(stencil))
    return 0
