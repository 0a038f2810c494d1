"""A stencil's derivation, step by step, the way one does it by hand.

:func:`derive_by_hand` collects the steps as expressions (ansatz, Taylor expansion
of each sample, the moment equations, their solution, the first neglected term);
:func:`render` formats them as plain text, Markdown or LaTeX. The solution shown is
SymPy's solve of the very equations displayed, and it is checked against the
engine's weights, so the explanation can never drift from what stencilgen uses.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sympy

from stencilgen import display, limits
from stencilgen.notation import H, derivative_at
from stencilgen.stencil import Stencil

__all__ = ["Derivation", "derive_by_hand", "render", "stencil_weights"]

Style = Literal["text", "markdown", "latex"]


@dataclass(frozen=True)
class Derivation:
    """The steps of a hand derivation, as SymPy expressions.

    Attributes
    ----------
    stencil : Stencil
        The stencil being derived.
    unknowns : tuple of sympy.Symbol
        The weight names, ``a, b, c, ...``.
    samples : tuple of sympy.Expr
        ``f(x + offset)`` for each offset (offsets in ``h`` when numeric).
    expansions : tuple of tuple of sympy.Expr
        The terms of the Taylor expansion of each sample about the evaluation
        point, lowest derivative first, through the order of the leading error.
    equations : tuple of tuple of sympy.Expr
        ``(lhs, rhs)`` for ``k = 0 .. n-1``: ``sum_i w_i x_i**k = k! [k == m]``.
    solution : tuple of sympy.Expr
        The weights, in the units of the samples.
    neglected : sympy.Expr or None
        ``sum_i w_i x_i**K / K!`` in the unknowns, for the first ``K`` with a
        non-zero value; ``None`` for an exact stencil.
    """

    stencil: Stencil
    unknowns: tuple[sympy.Symbol, ...]
    samples: tuple[sympy.Expr, ...]
    expansions: tuple[tuple[sympy.Expr, ...], ...]
    equations: tuple[tuple[sympy.Expr, sympy.Expr], ...]
    solution: tuple[sympy.Expr, ...]
    neglected: sympy.Expr | None


def _unknown_names(count: int, taken: set[str]) -> tuple[sympy.Symbol, ...]:
    letters = [c for c in string.ascii_lowercase if c not in taken | {"f", "h", "x"}]
    if count <= len(letters):
        return tuple(sympy.Symbol(c) for c in letters[:count])
    return tuple(sympy.Symbol(f"w{i}") for i in range(count))


def derive_by_hand(stencil: Stencil) -> Derivation:
    """Collect the steps that derive ``stencil`` from Taylor expansions.

    Examples
    --------
    >>> from stencilgen import make_stencil
    >>> steps = derive_by_hand(make_stencil(1, ["0", "hd", "-hs"]))
    >>> [f"{lhs} = {rhs}" for lhs, rhs in steps.equations]
    ['a + b + c = 0', 'b*hd - c*hs = 1', 'b*hd**2 + c*hs**2 = 0']
    >>> steps.solution == stencil_weights(steps)
    True
    """
    limits.check_explain(len(stencil.offsets), stencil.symbolic)
    unit = 1 if stencil.symbolic else H
    positions = [o * unit for o in stencil.offsets]
    at = stencil.at * unit
    nodes = [p - at for p in positions]
    n, m = len(nodes), stencil.derivative
    taken = {s.name for p in positions for s in p.free_symbols}
    unknowns = _unknown_names(n, taken)
    top = stencil.error_derivative if stencil.error_derivative is not None else n - 1
    point = stencil.point

    def expansion(node: sympy.Expr) -> tuple[sympy.Expr, ...]:
        terms = (
            node**k / math.factorial(k) * derivative_at(k, point)
            for k in range(top + 1)
        )
        return tuple(t for t in terms if t != 0)

    equations = tuple(
        (
            sympy.Add(*[w * x**k for w, x in zip(unknowns, nodes, strict=True)]),
            sympy.Integer(math.factorial(m) if k == m else 0),
        )
        for k in range(n)
    )
    solved = sympy.solve([lhs - rhs for lhs, rhs in equations], unknowns, dict=True)
    solution = tuple(sympy.factor(solved[0][u]) for u in unknowns)
    neglected = None
    if stencil.error_derivative is not None:
        k = stencil.error_derivative
        neglected = sympy.Add(
            *[w * x**k for w, x in zip(unknowns, nodes, strict=True)]
        ) / math.factorial(k)
    return Derivation(
        stencil,
        unknowns,
        tuple(sympy.Function("f")(p + sympy.Symbol("x")) for p in positions),
        tuple(expansion(x) for x in nodes),
        equations,
        solution,
        neglected,
    )


def stencil_weights(steps: Derivation) -> tuple[sympy.Expr, ...]:
    """The engine's weights in the units of the derivation (divided by h^m).

    Examples
    --------
    >>> from stencilgen import central
    >>> stencil_weights(derive_by_hand(central(2, 2)))
    (h**(-2), -2/h**2, h**(-2))
    """
    stencil = steps.stencil
    scale = 1 if stencil.symbolic else H**stencil.derivative
    return tuple(sympy.factor(w / scale) for w in stencil.weights)


def _join(terms: tuple[sympy.Expr, ...], show: Callable[[sympy.Expr], str]) -> str:
    """Join terms with + and -, in the order given (SymPy would re-sort them)."""
    text = show(terms[0])
    for term in terms[1:]:
        shown = show(term)
        text += f" - {shown[1:].lstrip()}" if shown.startswith("-") else f" + {shown}"
    return text


def _neglected_terms(steps: Derivation, factorial: int) -> tuple[sympy.Expr, ...]:
    """The terms of ``k! * neglected`` in the order of the unknowns a, b, c, ..."""
    assert steps.neglected is not None
    order = {u: i for i, u in enumerate(steps.unknowns)}

    def position(term: sympy.Expr) -> int:
        return min((order[s] for s in term.free_symbols if s in order), default=-1)

    terms = sympy.Add.make_args(steps.neglected * factorial)
    return tuple(sorted(terms, key=position))


def _ansatz(steps: Derivation) -> sympy.Expr:
    return sympy.Add(
        *[u * s for u, s in zip(steps.unknowns, steps.samples, strict=True)],
        evaluate=False,
    )


def render(steps: Derivation, style: Style = "text") -> str:
    """Format a derivation as ``"text"``, ``"markdown"`` or ``"latex"``.

    Examples
    --------
    >>> from stencilgen import central
    >>> print(render(derive_by_hand(central(1, 2))))  # doctest: +ELLIPSIS
    Derivation of f'(x) from the samples f(x - h), f(x), f(x + h)
    ...
       f(x + h) = f(x) + h·f'(x) + h²·f''(x)/2 + h³·f'''(x)/6
    ...
    """
    if style == "text":
        return _render_text(steps)
    return _render_math(steps, markdown=style == "markdown")


def _render_text(steps: Derivation) -> str:
    s, p = steps.stencil, display.plain
    ansatz = p(_ansatz(steps))
    lines = [
        f"Derivation of {p(s.exact)} from the samples "
        + ", ".join(p(x) for x in steps.samples),
        "",
        f"1. Ansatz: {p(s.exact)} ≈ {ansatz}",
        "",
        f"2. Taylor-expand each sample about {p(s.point)}:",
    ]
    width = max(len(p(x)) for x in steps.samples)
    lines += [
        f"   {p(x):<{width}} = {_join(e, p)} + …"
        for x, e in zip(steps.samples, steps.expansions, strict=True)
    ]
    lines += [
        "",
        f"3. Collect terms; for the sum to equal {p(s.exact)}, the coefficient of each",
        f"   derivative (times k!) must be 1 for {p(s.exact)} and 0 for the others:",
    ]
    labels = [p(derivative_at(k, s.point)) + ":" for k in range(len(steps.equations))]
    width = max(len(label) for label in labels)
    lines += [
        f"   {label:<{width}} {p(lhs)} = {p(rhs)}"
        for label, (lhs, rhs) in zip(labels, steps.equations, strict=True)
    ]
    lines += ["", "4. Solve the linear system:"]
    lines += [
        f"   {u} = {p(w)}" for u, w in zip(steps.unknowns, steps.solution, strict=True)
    ]
    lines.append("")
    if steps.neglected is None:
        lines.append("5. Every higher term cancels: the stencil is exact.")
    else:
        k = s.error_derivative
        assert k is not None
        lines += [
            "5. The first neglected term is the leading error (approximation − exact):",
            f"   ({_join(_neglected_terms(steps, math.factorial(k)), p)})"
            f"/{math.factorial(k)}"
            f"·{p(derivative_at(k, s.point))} = {p(s.leading_error)}",
            f"   so the error is O(h^{s.accuracy}): accuracy {s.accuracy}.",
        ]
    return "\n".join(lines)


def _render_math(steps: Derivation, *, markdown: bool) -> str:
    s, t = steps.stencil, display.latex
    exact = t(s.exact)
    rows: list[tuple[str, list[str]]] = [
        ("Ansatz", [rf"{exact} \approx {t(_ansatz(steps))}"]),
        (
            "Taylor expansion of each sample",
            [
                f"{t(x)} &= {_join(e, t)} + \\dots"
                for x, e in zip(steps.samples, steps.expansions, strict=True)
            ],
        ),
        (
            "Moment equations",
            [f"{t(lhs)} &= {t(rhs)}" for lhs, rhs in steps.equations],
        ),
        (
            "Solution",
            [
                f"{sympy.latex(u)} &= {t(w)}"
                for u, w in zip(steps.unknowns, steps.solution, strict=True)
            ],
        ),
    ]
    if steps.neglected is not None:
        factorial = math.factorial(s.error_derivative or 0)
        rows.append(
            (
                f"Leading error (approximation minus exact), accuracy {s.accuracy}",
                [
                    rf"\frac{{{_join(_neglected_terms(steps, factorial), t)}}}"
                    rf"{{{factorial}}} "
                    f"{t(derivative_at(s.error_derivative or 0, s.point))}"
                    f" &= {t(s.leading_error)}"
                ],
            )
        )
    out: list[str] = []
    for title, lines in rows:
        body = " \\\\\n".join(lines)
        if markdown:
            out += [
                f"**{title}**",
                "",
                "$$",
                r"\begin{aligned}",
                body,
                r"\end{aligned}",
                "$$",
                "",
            ]
        else:
            out += [f"% {title}", r"\begin{align*}", body, r"\end{align*}", ""]
    return "\n".join(out).rstrip() + "\n"
