"""The notation every layer shares: the function ``f``, the variable ``x``, the step.

The engine writes error terms and formulas in these symbols and the presentation
layer recognises them to print ``f'''(x)``; both import them from here, so
neither imports the other for them.

Examples
--------
>>> derivative_at(2)
Derivative(f(x), (x, 2))
"""

from __future__ import annotations

import sympy

__all__ = ["F", "H", "X", "derivative_at"]

#: The function, variable and grid step used in formulas and error terms.
F = sympy.Function("f")
X = sympy.Symbol("x")
H = sympy.Symbol("h")


def derivative_at(k: int, point: sympy.Expr = X) -> sympy.Expr:
    """The expression for :math:`f^{(k)}` evaluated at ``point``.

    Examples
    --------
    >>> derivative_at(3)
    Derivative(f(x), (x, 3))
    >>> derivative_at(0, X + H / 2)
    f(h/2 + x)
    """
    if k == 0:
        return F(point)
    expr = sympy.Derivative(F(X), (X, k))
    return expr if point == X else sympy.Subs(expr, X, point)
