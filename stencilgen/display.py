"""Mathematics as people write it: ``f'''(x)``, ``f(x - hs)``, ``h²``.

SymPy's own printing shows ``Derivative(f(x), (x, 3))`` and ``f(-hs + x)``; this
module rewrites derivatives as primed functions and samples as ``f(x + offset)``
before printing, in plain text or LaTeX. It only formats; it computes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sympy

from stencilgen.notation import F, H, X

if TYPE_CHECKING:
    from stencilgen.stencil import Stencil

__all__ = [
    "ascii_text",
    "error_text",
    "latex",
    "offsets_text",
    "ordinal",
    "plain",
    "plain_sum",
    "prime_name",
    "readable",
    "stencil_latex",
]

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_FROM_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth")
# Text that reads as one factor after "1/": h², (h + 1)², sqrt(h).
_ONE_FACTOR = r"[\w⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([^()]*\)[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\w+\([^()]*\)"


def prime_name(k: int, *, tex: bool = False, name: str = "f") -> str:
    r"""The name of the ``k``-th derivative of ``name``: ``f'``, ``f''``, ``f⁽⁴⁾``.

    Examples
    --------
    >>> prime_name(2), prime_name(5), prime_name(3, tex=True), prime_name(1, name="u")
    ("f''", 'f⁽⁵⁾', 'f^{\\prime\\prime\\prime}', "u'")
    """
    if tex:
        return name + ("^{" + r"\prime" * k + "}" if k <= 3 else f"^{{({k})}}")
    return name + ("'" * k if k <= 3 else "⁽" + str(k).translate(_SUPERSCRIPTS) + "⁾")


def readable(
    expr: sympy.Expr,
    *,
    tex: bool = False,
    function: Any = F,
    variable: sympy.Symbol = X,
) -> sympy.Expr:
    """Rewrite ``expr`` for display: primed derivatives, samples as ``x + offset``.

    Examples
    --------
    >>> from stencilgen.notation import H
    >>> sample, third = readable(F(X - H)), readable(sympy.Derivative(F(X), (X, 3)))
    >>> sympy.sstr(sample, order="none"), third
    ('f(x - h)', f'''(x))

    ``function`` and ``variable`` name the sampled function (default ``f`` of
    ``x``). The result is for printing with ``order="none"`` only; it is not meant for
    further computation.
    """

    def sample(arg: sympy.Expr) -> sympy.Expr:
        rest = sympy.expand(arg - variable)
        return variable if rest == 0 else sympy.Add(variable, rest, evaluate=False)

    def derivative(k: int, point: sympy.Expr) -> sympy.Expr:
        name = prime_name(k, tex=tex, name=str(function))
        return sympy.Function(name)(sample(point))

    replacements: dict[sympy.Expr, sympy.Expr] = {}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Subs) and isinstance(node.expr, sympy.Derivative):
            replacements[node] = derivative(node.expr.derivative_count, node.point[0])
        elif isinstance(node, sympy.Derivative) and node.expr == function(variable):
            replacements.setdefault(node, derivative(node.derivative_count, variable))
        elif getattr(node, "func", None) == function:
            replacements[node] = function(sample(node.args[0]))
    return expr.xreplace(replacements)


def plain(expr: sympy.Expr, *, function: Any = F, variable: sympy.Symbol = X) -> str:
    """Plain-text rendering: ``h²·f'''(x)/6``.

    Examples
    --------
    >>> from stencilgen import central
    >>> plain(central(1, 2).leading_error)
    "h²·f'''(x)/6"
    >>> plain(central(1, 2).formula)
    'f(x + h)/(2·h) - f(x - h)/(2·h)'
    >>> from stencilgen.notation import H
    >>> plain(1 / H**2), plain(H ** sympy.Rational(3, 2)), plain(1 / (H + 1) ** 2)
    ('1/h²', 'h^(3/2)', '1/(1 + h)²')
    """
    if isinstance(expr, sympy.Pow) and expr.exp.is_Rational and expr.exp < 0:
        # SymPy prints a lone h**(-2) as such; people write 1/h².
        inverse = plain(
            sympy.Pow(expr.base, -expr.exp), function=function, variable=variable
        )
        plain_word = re.fullmatch(_ONE_FACTOR, inverse) is not None
        return "1/" + (inverse if plain_word else f"({inverse})")
    shown = readable(expr, function=function, variable=variable)
    text = sympy.sstr(shown, order="none")
    text = re.sub(
        r"\*\*(\d+)|\*\*\((-\d+)\)",
        lambda m: (m.group(1) or m.group(2)).translate(_SUPERSCRIPTS),
        text,
    )
    return text.replace("**", "^").replace("*", "·")


def plain_sum(terms: Iterable[sympy.Expr]) -> str:
    """Plain text for a sum, with its terms in the order given (SymPy re-sorts).

    Examples
    --------
    >>> from stencilgen.notation import H
    >>> plain_sum([-F(X - H) / (2 * H), F(X + H) / (2 * H)])
    '-f(x - h)/(2·h) + f(x + h)/(2·h)'
    """
    text = ""
    for term in terms:
        shown = plain(term)
        if not text:
            text = shown
        elif shown.startswith("-"):
            text += " - " + shown[1:]
        else:
            text += " + " + shown
    return text or "0"


def latex(expr: sympy.Expr, *, function: Any = F, variable: sympy.Symbol = X) -> str:
    r"""LaTeX rendering with primed derivatives.

    Examples
    --------
    >>> from stencilgen import central
    >>> latex(central(1, 2).leading_error)
    '\\frac{h^{2} f^{\\prime\\prime\\prime}{\\left(x \\right)}}{6}'
    """
    shown = readable(expr, tex=True, function=function, variable=variable)
    return str(sympy.latex(shown, order="none"))


def stencil_latex(stencil: Stencil) -> str:
    r"""LaTeX for the approximation and its leading error term.

    Derivatives print primed and samples as ``f(x + offset)``, in the order of
    the offsets, as in the text output (:mod:`stencilgen.display`).

    Examples
    --------
    >>> from stencilgen.stencil import central, make_stencil
    >>> print(stencil_latex(central(1, 2)))
    f^{\prime}{\left(x \right)} \approx - \frac{f{\left(x - h \right)}}{2 h} + \frac{f{\left(x + h \right)}}{2 h} \quad\text{error: } \frac{h^{2} f^{\prime\prime\prime}{\left(x \right)}}{6} + \dots
    >>> print(stencil_latex(make_stencil(1, [0, 1], at="1/2")))
    f^{\prime}{\left(x + \frac{h}{2} \right)} \approx - \frac{f{\left(x \right)}}{h} + \frac{f{\left(x + h \right)}}{h} \quad\text{error: } \frac{h^{2} f^{\prime\prime\prime}{\left(x + \frac{h}{2} \right)}}{24} + \dots
    """  # noqa: E501
    unit = 1 if stencil.symbolic else H
    scale = 1 if stencil.symbolic else H**stencil.derivative
    formula = ""
    for w, o in zip(stencil.weights, stencil.offsets, strict=True):
        if w == 0:
            continue
        term = latex(w / scale * F(X + o * unit))
        if not formula:
            formula = term
        elif term.startswith("-"):
            formula += " - " + term[1:].lstrip()
        else:
            formula += " + " + term
    exact = latex(stencil.exact)
    if stencil.error_derivative is None:
        return rf"{exact} = {formula or '0'}"
    error = latex(stencil.leading_error)
    return rf"{exact} \approx {formula or '0'} \quad\text{{error: }} {error} + \dots"


def ascii_text(expr: sympy.Expr) -> str:
    """Readable like :func:`plain` but ASCII only: ``-h**4*f^(5)(x)/30``.

    For generated files, which land in projects with other lint settings.

    Examples
    --------
    >>> from stencilgen import central
    >>> ascii_text(central(1, 4).leading_error)
    '-h**4*f^(5)(x)/30'
    """
    text: str = sympy.sstr(readable(expr), order="none")
    return text.replace("⁽", "^(").replace("⁾", ")").translate(_FROM_SUPERSCRIPTS)


def offsets_text(offsets: Iterable[Any]) -> str:
    """Offsets as a comma-separated list: ``-h, 0, h`` or ``-1, 0, 1``.

    Examples
    --------
    >>> from stencilgen.notation import H
    >>> offsets_text([-H, 0, 2 * H]), offsets_text([-1, 0, 1])
    ('-h, 0, 2·h', '-1, 0, 1')
    """
    return ", ".join(plain(sympy.sympify(o)) for o in offsets)


def error_text(error: sympy.Expr | None) -> str:
    """A leading error term in plain text, ``none (exact)`` when there is none.

    Examples
    --------
    >>> from stencilgen import central
    >>> print(error_text(central(1, 2).leading_error), "|", error_text(None))
    h²·f'''(x)/6 | none (exact)
    """
    return "none (exact)" if error is None else plain(error)


def ordinal(n: int) -> str:
    """``first``, ``second``, ..., ``sixth``, then ``7th``.

    Examples
    --------
    >>> ordinal(1), ordinal(6), ordinal(12)
    ('first', 'sixth', '12th')
    """
    return _ORDINALS[n] if 0 <= n < len(_ORDINALS) else f"{n}th"
