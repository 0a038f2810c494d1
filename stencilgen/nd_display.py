"""N-D operators and multivariate analyses as people read them.

Derivatives print in the operator language (``u_xxxx`` rather than
``Derivative(u(x, y), (x, 4))``); the explanation shows the N-D Taylor table, the
moment system and its solution, and is checked against the engine's weights. This
module only formats; the mathematics lives in :mod:`stencilgen.nd`.
"""

from __future__ import annotations

import math
from typing import Any

import sympy

from stencilgen.nd import Operator, homogeneous_parts, multi_indices
from stencilgen.nd_analyze import OperatorAnalysis
from stencilgen.nd_language import derivative_name, plain, step_symbol

__all__ = [
    "analysis_json",
    "analysis_latex",
    "analysis_text",
    "explain",
    "operator_json",
    "operator_report",
    "plain",
]

ERROR_CONVENTION = "approximation − exact"


def operator_json(op: Operator) -> dict[str, Any]:
    """The JSON document of an operator; exact values are strings.

    Examples
    --------
    >>> from stencilgen.nd import operator
    >>> doc = operator_json(operator("u_xy"))
    >>> doc["dims"], doc["points"][0], doc["weights"][0], doc["accuracy"]
    (['x', 'y'], [-1, -1], '1/(4*h_x*h_y)', 2)
    """
    return {
        "expression": op.expression,
        "dims": list(op.dims),
        "steps": [h.name for h in op.steps],
        "points": [list(p) for p in op.points],
        "weights": [str(w) for w in op.weights],
        "accuracy": op.accuracy,
        "leading_error": str(op.leading_error),
        "error_convention": "approximation - exact",
        "note": op.note,
    }


def operator_report(op: Operator) -> str:
    """A readable table of points and weights with accuracy and error.

    Examples
    --------
    >>> from stencilgen.nd import operator
    >>> print(operator_report(operator("u_xx + u_yy")))
    operator u_xx + u_yy in (x, y), offsets in units of h_x, h_y
        point  weight
      (-1, 0)  h_x**(-2)
      (0, -1)  h_y**(-2)
       (0, 0)  -2/h_y**2 - 2/h_x**2
       (0, 1)  h_y**(-2)
       (1, 0)  h_x**(-2)
    accuracy:       2
    leading error:  h_x**2*u_xxxx/12 + h_y**2*u_yyyy/12  (approximation − exact)
    """
    steps = ", ".join(h.name for h in op.steps)
    lines = [
        f"operator {op.expression} in ({', '.join(op.dims)}), offsets in units of "
        f"{steps}"
    ]
    rows = [(str(p), str(w)) for p, w in zip(op.points, op.weights, strict=True)]
    left = max(len("point"), *(len(p) for p, _ in rows))
    lines.append(f"  {'point':>{left}}  weight")
    lines += [f"  {p:>{left}}  {w}" for p, w in rows]
    if op.accuracy is None:
        lines.append("accuracy:       exact (no truncation error)")
    else:
        lines.append(f"accuracy:       {op.accuracy}")
        error = plain(op.leading_error, op.dims)
        lines.append(f"leading error:  {error}  ({ERROR_CONVENTION})")
    if op.note:
        lines.append(f"note:           {op.note}")
    return "\n".join(lines)


def explain(op: Operator) -> str:
    """The derivation: N-D Taylor table, moment system, solution, error term.

    For an operator whose terms have different derivative orders, each part is
    derived on its own (its weights scale with another power of the step), and
    the weights are their sums. The equations shown are checked against the
    engine's weights, so the explanation cannot drift from what stencilgen uses.

    Examples
    --------
    >>> from stencilgen.nd import operator
    >>> text = explain(operator("u_xy"))
    >>> print(text.splitlines()[0])
    Derivation of u_xy (accuracy 2) on 4 points in (x, y)
    >>> "u_xy :  w1 - w2 - w3 + w4 = 1/(h_x*h_y)" in text
    True
    """
    n = len(op.points)
    steps = op.steps
    names = [sympy.Symbol(f"w{j + 1}") for j in range(n)]
    samples = " + ".join(
        f"w{j + 1}·u({', '.join(_offset(d, o) for d, o in zip(op.dims, p, strict=True))})"  # noqa: E501
        for j, p in enumerate(op.points)
    )
    lines = [
        f"Derivation of {op.expression} (accuracy {op.accuracy}) on {n} points in "
        f"({', '.join(op.dims)})",
        "",
        f"1. Ansatz: {op.expression} ≈ {samples}",
    ]
    degrees = sorted({sum(a) for a in op.terms}, reverse=True)
    requested = op.accuracy if op.accuracy is not None else 1
    parts = [homogeneous_parts(w, steps, "the weight") for w in op.weights]
    for degree in degrees:
        weights = [part.get(-degree, sympy.S.Zero) for part in parts]
        limit = degree + requested
        betas = [b for k in range(limit) for b in multi_indices(k, len(op.dims))]
        table = [
            [
                sympy.Rational(
                    math.prod(o**b for o, b in zip(p, beta, strict=True)),
                    math.prod(math.factorial(b) for b in beta),
                )
                for beta in betas
            ]
            for p in op.points
        ]
        which = ""
        if len(degrees) > 1:
            which = (
                f" — part of derivative order {degree}, whose weights scale as "
                f"h^-{degree}"
            )
        lines += [
            "",
            "2. Taylor table: row j holds the coefficients of h^β·∂^β u in the "
            f"expansion of sample j{which}",
        ]
        labels = [derivative_name(b, op.dims) for b in betas]
        widths = [
            max(len(label), *(len(str(row[c])) for row in table))
            for c, label in enumerate(labels)
        ]
        first = max(len("point"), *(len(str(p)) for p in op.points))
        cells = "  ".join(f"{t:>{w}}" for t, w in zip(labels, widths, strict=True))
        lines.append(f"   {'':3}{'point':>{first}}  {cells}")
        for j, (p, row) in enumerate(zip(op.points, table, strict=True)):
            cells = "  ".join(f"{v!s:>{w}}" for v, w in zip(row, widths, strict=True))
            lines.append(f"   {f'w{j + 1}':3}{p!s:>{first}}  {cells}")
        lines += [
            "",
            f"3. Moment conditions, one per column of total order below {limit}: "
            "Σ_j w_j·(column) = (coefficient in the operator)/h^β",
        ]
        part = {a: c for a, c in op.terms.items() if sum(a) == degree}
        for c, beta in enumerate(betas):
            lhs = sympy.Add(*[table[j][c] * names[j] for j in range(n)])
            target = part.get(beta, sympy.S.Zero) / sympy.Mul(
                *[h**b for h, b in zip(steps, beta, strict=True)]
            )
            check = lhs.xreplace(dict(zip(names, weights, strict=True))) - target
            if sympy.expand(check) != 0:  # pragma: no cover - a bug, not bad input
                raise AssertionError(f"explain: condition {labels[c]} does not hold")
            if lhs != 0 or target != 0:
                lines.append(
                    f"   {labels[c]} :  {sympy.sstr(lhs)} = {sympy.sstr(target)}"
                )
        lines += ["", "4. Solution" + (" of this part:" if len(degrees) > 1 else ":")]
        lines += [f"   w{j + 1} = {w}" for j, w in enumerate(weights)]
    if len(degrees) > 1:
        lines += ["", "   The weights are the sums of the parts:"]
        lines += [f"   w{j + 1} = {w}" for j, w in enumerate(op.weights)]
    lines.append("")
    if op.accuracy is None:
        lines.append("5. The stencil is exact: no truncation error.")
    else:
        lines.append(
            "5. The first columns whose sums miss the operator give the leading "
            f"error (power {op.accuracy} of the steps, {ERROR_CONVENTION}):"
        )
        lines.append(f"   {plain(op.leading_error, op.dims)}")
    if op.note:
        lines += ["", f"Note: {op.note}"]
    return "\n".join(lines)


def _offset(dim: str, offset: int) -> str:
    h = step_symbol(dim).name
    if offset == 0:
        return dim
    magnitude = "" if abs(offset) == 1 else f"{abs(offset)}·"
    return f"{dim} {'-' if offset < 0 else '+'} {magnitude}{h}"


def analysis_json(analysis: OperatorAnalysis) -> dict[str, Any]:
    """The JSON document of a multivariate analysis.

    Examples
    --------
    >>> from stencilgen.nd_analyze import analyze_operator
    >>> doc = analysis_json(analyze_operator("(u(x+h, y) - u(x-h, y))/(2*h)"))
    >>> doc["operator"], doc["accuracy"], doc["leading_error"], doc["consistent"]
    ('u_x', 2, 'h**2*Derivative(u(x, y), (x, 3))/6', True)
    """
    exact = analysis.exact
    return {
        "formula": analysis.text,
        "function": analysis.function,
        "variables": list(analysis.dims),
        "steps": [s.name for s in analysis.steps],
        "samples": [
            {"shift": [str(s) for s in shift], "coefficient": str(c)}
            for shift, c in analysis.samples
        ],
        "consistent": analysis.consistent,
        "derivative": None,
        "operator": analysis.operator,
        "exact": None if exact is None else str(exact),
        "accuracy": analysis.accuracy,
        "leading_error": str(analysis.leading_error),
        "error_convention": "approximation - exact",
        "series": [{"power": p, "term": str(t)} for p, t in analysis.series],
        "reason": analysis.reason,
        "hint": analysis.hint,
    }


def analysis_text(analysis: OperatorAnalysis) -> str:
    """The readable report of a multivariate analysis.

    Examples
    --------
    >>> from stencilgen.nd_analyze import analyze_operator
    >>> print(analysis_text(analyze_operator("(u(x+h, y) - u(x-h, y))/(2*h)")))
    formula:        (u(x+h, y) - u(x-h, y))/(2*h)
    approximates:   u_x
    accuracy:       2  (as h → 0)
    leading error:  h**2*u_xxx/6  (approximation − exact)
    expansion:      u_x + h**2*u_xxx/6 + h**4*u_xxxxx/120 + …
    """
    dims, function = analysis.dims, analysis.function
    lines = [f"formula:        {analysis.text}"]
    steps = ", ".join(s.name for s in analysis.steps) or "the step"
    together = " together" if len(analysis.steps) > 1 else ""
    if analysis.consistent:
        lines.append(f"approximates:   {analysis.operator}")
        if analysis.accuracy is None:
            lines.append("accuracy:       exact (no truncation error)")
        else:
            lines.append(
                f"accuracy:       {analysis.accuracy}  (as {steps} → 0{together})"
            )
            lines.append(
                f"leading error:  {plain(analysis.leading_error, dims, function)}  "
                f"({ERROR_CONVENTION})"
            )
    else:
        lines.append(f"consistent:     no — {analysis.reason}")
    if analysis.series:
        terms = " + ".join(plain(t, dims, function) for _, t in analysis.series)
        lines.append(f"expansion:      {terms.replace('+ -', '- ')} + …")
    if analysis.hint:
        lines.append(f"hint:           {analysis.hint}")
    return "\n".join(lines)


def analysis_latex(analysis: OperatorAnalysis) -> str:
    r"""LaTeX: the formula's expansion, lowest power first.

    Examples
    --------
    >>> from stencilgen.nd_analyze import analyze_operator
    >>> analysis_latex(analyze_operator("(u(x+h, y) - u(x, y))/h", terms=1))
    '\\frac{\\partial}{\\partial x} u{\\left(x,y \\right)} + \\frac{h \\frac{\\partial^{2}}{\\partial x^{2}} u{\\left(x,y \\right)}}{2} + \\dots'
    """  # noqa: E501
    parts = [sympy.latex(t) for _, t in analysis.series] or ["0"]
    return " + ".join(parts) + r" + \dots"
