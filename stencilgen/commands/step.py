"""``stencilgen step``: the recommended relative step of a stencil, and why.

Prints the constants of :mod:`stencilgen.steps` for one stencil: ``Σ|w|``, the
leading error constant ``C``, the factor ``m·Σ|w| / (p·|C|)`` and the relative
step ``h_rel = (factor·ε)^(1/(m+p))`` for double (or single) precision.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from stencilgen import display
from stencilgen.commands._stencil_args import add_stencil_arguments, stencil_from_args
from stencilgen.notation import H, derivative_at
from stencilgen.printing import float17
from stencilgen.stencil import Stencil
from stencilgen.steps import FLOAT32_EPS, FLOAT64_EPS, step_rule

__all__ = ["register", "run", "step_json", "step_text"]

#: Precision name → machine epsilon (exact).
PRECISIONS = {"float64": FLOAT64_EPS, "float32": FLOAT32_EPS}
_EPS_TEXT = {"float64": "2**-52", "float32": "2**-23"}


def register(subparsers: Any) -> None:
    """Add the ``step`` subcommand."""
    parser = subparsers.add_parser(
        "step",
        help="recommended relative step of a stencil for derivatives of functions",
        description="Print the step h_rel = (m·ε·Σ|w| / (p·|C|))^(1/(m+p)) that "
        "balances the stencil's truncation error C·h^p·f^(m+p) against round-off "
        "ε·Σ|w|·|f|/h^m (assuming |f| ≈ |f^(m+p)|), and the constants it comes "
        "from. The absolute step at x is h_rel·max(1, |x|).",
    )
    add_stencil_arguments(parser)
    parser.add_argument(
        "--precision",
        choices=tuple(PRECISIONS),
        default="float64",
        help="floating-point precision of the function values (default float64)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def step_json(stencil: Stencil, precision: str = "float64") -> dict[str, Any]:
    """The JSON document: exact constants as strings, the step as a float.

    Examples
    --------
    >>> from stencilgen import central
    >>> doc = step_json(central(1, 4))
    >>> doc["weight_sum"], doc["error_coefficient"], doc["step_factor"]
    ('3/2', '-1/30', '45/4')
    >>> doc["relative_step"]
    0.0012009323661373843
    """
    rule = step_rule(stencil)
    eps = PRECISIONS[precision]
    return {
        "derivative": rule.derivative,
        "accuracy": rule.accuracy,
        "offsets": [str(o) for o in stencil.offsets],
        "at": str(stencil.at),
        "weights": [str(w) for w in stencil.weights],
        "weight_sum": str(rule.weight_sum),
        "error_coefficient": str(rule.error_coefficient),
        "error_derivative": rule.derivative + rule.accuracy,
        "error_order": rule.derivative + rule.accuracy,  # deprecated alias
        "step_factor": str(rule.factor),
        "exponent": str(rule.exponent),
        "precision": precision,
        "eps": _EPS_TEXT[precision],
        "relative_step_exact": str(rule.relative_step_exact(eps)),
        "relative_step": rule.relative_step(eps),
        "predicted_error": rule.best_error(float(eps)),
        "rule": "h = relative_step * max(1, |x|), then h = (x + h) - x",
    }


def step_text(stencil: Stencil, precision: str = "float64") -> str:
    """The readable report.

    Examples
    --------
    >>> from stencilgen import central
    >>> print(step_text(central(1, 2)))
    derivative 1, offsets -1, 0, 1 (in units of h)
    weights:          -1/2, 0, 1/2
    Σ|w|:             1
    leading error:    h²·f'''(x)/6  (C = 1/6, accuracy p = 2)
    step factor:      m·Σ|w| / (p·|C|) = 3
    relative step:    h_rel = (3·ε)^(1/3) = 8.7334765819803762e-6  (ε = 2**-52, float64)
    absolute step:    h = h_rel·max(1, |x|), made exact as (x + h) - x
    predicted error:  3.8e-11·|f|  (at h_rel, assuming |f| ≈ |f'''|)
    """
    rule = step_rule(stencil)
    eps = PRECISIONS[precision]
    m, p = rule.derivative, rule.accuracy
    where = f", evaluated at {stencil.at}" if stencil.at != 0 else ""
    error = rule.error_coefficient * H**p * derivative_at(m + p, stencil.point)
    high = display.prime_name(m + p)
    lines = [
        f"derivative {m}, offsets {', '.join(str(o) for o in stencil.offsets)} "
        f"(in units of h){where}",
        f"weights:          {', '.join(str(w) for w in stencil.weights)}",
        f"Σ|w|:             {rule.weight_sum}",
        f"leading error:    {display.plain(error)}  "
        f"(C = {rule.error_coefficient}, accuracy p = {p})",
        f"step factor:      m·Σ|w| / (p·|C|) = {rule.factor}",
        f"relative step:    h_rel = ({rule.factor}·ε)^({rule.exponent}) = "
        f"{float17(rule.relative_step(eps))}  (ε = {_EPS_TEXT[precision]}, "
        f"{precision})",
        "absolute step:    h = h_rel·max(1, |x|), made exact as (x + h) - x",
        f"predicted error:  {rule.best_error(float(eps)):.1e}·|f|  (at h_rel, "
        f"assuming |f| ≈ |{high}|)",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the step report for the stencil the options describe."""
    stencil = stencil_from_args(args)
    if args.json:
        print(json.dumps(step_json(stencil, args.precision), indent=2))
    else:
        print(step_text(stencil, args.precision))
    return 0
