"""Hypothesis strategies shared by the test modules (import them from here).

Everything is exact: offsets are :class:`fractions.Fraction` values, and the
stencil cases always have at least ``derivative + 1`` distinct offsets.
"""

from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import strategies as st

__all__ = [
    "distinct_offsets",
    "evaluation_points",
    "nonzero_rationals",
    "rationals",
    "stencil_cases",
    "symbolic_offsets",
]


def rationals(limit: int = 12, max_denominator: int = 6) -> st.SearchStrategy[Fraction]:
    """Fractions ``p/q`` with ``|p/q| <= limit`` and ``1 <= q <= max_denominator``."""
    return st.builds(
        lambda p, q: Fraction(p, q),
        st.integers(-limit * max_denominator, limit * max_denominator),
        st.integers(1, max_denominator),
    ).filter(lambda x: abs(x) <= limit)


def nonzero_rationals(
    limit: int = 5, max_denominator: int = 4
) -> st.SearchStrategy[Fraction]:
    """Non-zero fractions, e.g. a scale factor ``λ``."""
    return rationals(limit, max_denominator).filter(lambda x: x != 0)


def distinct_offsets(
    min_size: int = 1, max_size: int = 7, *, integers: bool = False
) -> st.SearchStrategy[list[Fraction]]:
    """Lists of distinct rational offsets (integer ones when ``integers``)."""
    elements = (
        st.integers(-10, 10).map(Fraction) if integers else rationals(max_denominator=5)
    )
    return st.lists(elements, min_size=min_size, max_size=max_size, unique=True)


def evaluation_points() -> st.SearchStrategy[Fraction]:
    """Values for ``at``: mostly 0, otherwise a small rational (staggered)."""
    return st.one_of(st.just(Fraction(0)), rationals(limit=3, max_denominator=4))


@st.composite
def stencil_cases(
    draw: st.DrawFn, max_size: int = 7, *, integers: bool = False
) -> tuple[int, list[Fraction], Fraction]:
    """``(derivative, offsets, at)`` with ``len(offsets) >= derivative + 1``."""
    offsets = draw(distinct_offsets(1, max_size, integers=integers))
    derivative = draw(st.integers(0, len(offsets) - 1))
    return derivative, offsets, draw(evaluation_points())


@st.composite
def symbolic_offsets(
    draw: st.DrawFn, min_size: int = 2, max_size: int = 4
) -> list[sympy.Expr]:
    """Distinct offsets that are small polynomials in the symbols ``h`` and ``k``.

    Some are linear (``2*h - k``), some not (``h**2 + k``), so both the shortcut
    for linear factors and full factorisation are exercised.
    """
    h, k = sympy.symbols("h k")
    monomials = [sympy.Integer(1), h, k, h**2, h * k]
    polynomial = st.lists(
        st.integers(-2, 2), min_size=len(monomials), max_size=len(monomials)
    ).map(lambda cs: sum((c * m for c, m in zip(cs, monomials, strict=True)), 0))
    values = draw(
        st.lists(polynomial, min_size=min_size, max_size=max_size, unique=True)
    )
    return [sympy.sympify(v) for v in values]
