r"""The mathematics of finite differences: exact weights, moments and error terms.

Given distinct offsets :math:`x_i` (relative to the evaluation point) the weights
:math:`w_i` of the ``m``-th derivative satisfy the Taylor moment conditions

.. math:: M_k = \sum_i w_i x_i^k = k!\,\delta_{km}, \qquad k = 0, \dots, n-1,

so the approximation is exact on polynomials of degree below ``n``. The unique
solution is the ``m``-th derivative at 0 of the Lagrange interpolant,
:math:`w_i = m!\,[t^m]\,L_i(t)` with
:math:`L_i(t) = \prod_{j \ne i} (t - x_j) / \prod_{j \ne i} (x_i - x_j)`.
That closed form is what this module evaluates, in two exact ways:

* numeric offsets: scaled to integers, so every weight costs integer
  multiply-adds and one final division (far cheaper than Fornberg's recurrence in
  rational arithmetic, and than SymPy's general solver);
* symbolic offsets: in SymPy's sparse polynomial ring, factoring numerator and
  denominator as they are built, which gives compact factored rational functions
  (the denominators are products of differences of offsets; a numerator too large
  to factor in predictable time keeps only its known factors and stays expanded,
  see :data:`FACTOR_MAX_SYMBOLS`).

The Taylor-system solve, :func:`solve_taylor_system`, is kept as an independent
path for tests and for :mod:`stencilgen.explain`.

Sign convention, used everywhere in stencilgen: the truncation error is
*approximation minus exact value*, i.e. :math:`\sum_i w_i f(x + x_i) - f^{(m)}(x)
= \sum_{k > m} M_k / k!\, f^{(k)}(x)`; its first non-zero term is the *leading
error term*.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy
from sympy.core.mul import _keep_coeff
from sympy.polys.domains import QQ
from sympy.polys.fields import field
from sympy.polys.matrices import DomainMatrix
from sympy.polys.polyerrors import PolynomialError
from sympy.polys.rings import PolyElement, ring

from stencilgen import limits
from stencilgen.errors import ExpressionError, StencilError
from stencilgen.expr import parse_expression

__all__ = [
    "LeadingTerm",
    "as_exact",
    "check_derivative",
    "fd_weights",
    "is_zero",
    "leading_term",
    "moment",
    "prepare_offsets",
    "solve_taylor_system",
]

_NON_FINITE = (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan)


def as_exact(value: Any, what: str = "value") -> sympy.Expr:
    """Convert a user value to an exact SymPy expression.

    Parameters
    ----------
    value : int, Fraction, float, str, numpy scalar or sympy.Expr
        Floats are taken at their shortest decimal representation (``0.1`` is
        ``1/10``); strings go through the restricted parser of
        :mod:`stencilgen.expr`, never ``sympify``.
    what : str
        How to name the value in error messages, e.g. ``"offset 3"``.

    Returns
    -------
    sympy.Expr
        The exact value.

    Raises
    ------
    StencilError
        For non-finite numbers, booleans and unsupported types.

    Examples
    --------
    >>> as_exact(0.25), as_exact("hd/2")
    (1/4, hd/2)
    """
    if isinstance(value, bool):
        raise StencilError(f"{what} is a boolean ({value}); give a number or a symbol")
    if isinstance(value, sympy.Basic):
        expr = value
    elif isinstance(value, numbers.Integral):
        expr = sympy.Integer(int(value))
    elif isinstance(value, Fraction):
        expr = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise StencilError(
                f"{what} is {number}, not a finite number; give a finite value"
            )
        expr = sympy.Rational(repr(number))
    elif isinstance(value, str):
        try:
            expr = parse_expression(value)
        except ExpressionError as error:
            raise ExpressionError(f"{what}: {error}") from None
    else:
        raise StencilError(
            f"{what} has unsupported type {type(value).__name__}; give an int, "
            "Fraction, float, SymPy expression or text such as 'h/2'"
        )
    if expr.is_Rational:  # the common case: nothing more to check
        return expr
    if not isinstance(expr, sympy.Expr):
        raise StencilError(f"{what} {expr} is not an expression; give a number")
    if isinstance(expr, sympy.Float):
        expr = sympy.Rational(str(expr))
    if expr.has(*_NON_FINITE):
        raise StencilError(
            f"{what} is {expr}, not a finite number; give a finite value"
        )
    if expr.has(sympy.Float):
        raise StencilError(
            f"{what} {expr} contains a floating-point number; use exact rationals "
            "such as 1/10"
        )
    # Symbols' assumptions are stored: cheap, unlike ``expr.is_real`` of a sum.
    if expr.has(sympy.I) or any(s.is_real is False for s in expr.free_symbols):
        raise StencilError(
            f"{what} is {expr}, not a real number; give a real value such as 1/2 "
            "or h (no I, no imaginary symbols)"
        )
    return expr


def check_derivative(derivative: Any) -> int:
    """Return ``derivative`` as an int, or raise if it is not a whole number >= 0.

    Examples
    --------
    >>> check_derivative(2)
    2
    >>> check_derivative(-1)
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilError: derivative must be a whole number >= 0 (0 is the function itself, 1 the first derivative); got -1
    """  # noqa: E501
    if isinstance(derivative, bool) or not isinstance(derivative, numbers.Integral):
        if isinstance(derivative, float | Fraction) and float(derivative).is_integer():
            derivative = int(derivative)
        else:
            raise StencilError(
                "derivative must be a whole number >= 0 (0 is the function itself, "
                f"1 the first derivative); got {derivative!r}"
            )
    if derivative < 0:
        raise StencilError(
            "derivative must be a whole number >= 0 (0 is the function itself, "
            f"1 the first derivative); got {derivative}"
        )
    return int(derivative)


def is_zero(expr: sympy.Expr) -> bool:
    """Decide exactly whether ``expr`` is identically zero (no float tolerance).

    Rational functions are decided by cancellation; anything else (roots, say)
    falls back to ``simplify``.

    Examples
    --------
    >>> h = sympy.Symbol("h")
    >>> is_zero(1 / (h * (h + 1)) - 1 / h + 1 / (h + 1)), is_zero(h - 1)
    (True, False)
    """
    if expr.is_Number:
        return bool(expr == 0)
    cancelled = sympy.cancel(sympy.together(expr))
    if cancelled == 0:
        return True
    if cancelled.is_rational_function():
        return False
    return bool(sympy.simplify(cancelled) == 0)


def prepare_offsets(
    derivative: Any, offsets: Iterable[Any], at: Any = 0
) -> tuple[int, tuple[sympy.Expr, ...], sympy.Expr]:
    """Validate and normalise the arguments of :func:`fd_weights`.

    Parameters
    ----------
    derivative : int
        Which derivative, >= 0.
    offsets : iterable
        At least ``derivative + 1`` distinct offsets (see :func:`as_exact`).
    at : number, str or sympy.Expr
        The evaluation point, relative to the same origin as the offsets.

    Returns
    -------
    derivative : int
    offsets : tuple of sympy.Expr
    at : sympy.Expr

    Raises
    ------
    StencilError
        With a one-line message for every invalid input.

    Examples
    --------
    >>> prepare_offsets(1, [-1, 0, "1"])
    (1, (-1, 0, 1), 0)
    """
    m = check_derivative(derivative)
    limits.check_derivative_limit(m)
    if isinstance(offsets, str | bytes) or not isinstance(offsets, Iterable):
        raise StencilError(
            "offsets must be a list such as [-1, 0, 1]; got "
            f"{type(offsets).__name__} {offsets!r}"
        )
    points = tuple(
        as_exact(value, f"offset {i + 1}")
        for i, value in enumerate(limits.take_offsets(offsets))
    )
    if not points:
        raise StencilError("the offset list is empty; give offsets such as [-1, 0, 1]")
    if len(points) < m + 1:
        raise StencilError(
            f"derivative {m} needs at least {m + 1} offsets, got {len(points)}; "
            f"add {m + 1 - len(points)} more"
        )
    origin = as_exact(at, "at")
    limits.check_stencil_size(m, points, origin)
    _check_names((*points, origin))
    _check_distinct(points)
    return m, points, origin


def _check_names(values: Sequence[sympy.Expr]) -> None:
    """Refuse two different symbols with one name (``h`` and ``h`` positive)."""
    seen: dict[str, sympy.Symbol] = {}
    for value in values:
        for symbol in sorted(value.free_symbols, key=sympy.default_sort_key):
            other = seen.setdefault(symbol.name, symbol)
            if other != symbol:
                raise StencilError(
                    f"two different symbols are both named {symbol.name!r} (with "
                    "different assumptions); use one"
                )


def _check_distinct(points: Sequence[sympy.Expr]) -> None:
    if all(p.is_Rational for p in points):
        if len(set(points)) == len(points):
            return
        keys: Sequence[Any] = points
    else:
        # Polynomials in the symbols have a canonical form in a polynomial ring,
        # so equal offsets are equal ring elements: no pairwise simplification.
        elements = _ring_elements(points)
        if elements is not None and len(set(elements)) == len(elements):
            return
        keys = elements if elements is not None else points
    for i, first in enumerate(points):
        for j in range(i + 1, len(points)):
            same = (
                keys[i] == keys[j] if keys is not points else is_zero(first - points[j])
            )
            if same:
                raise StencilError(
                    f"offsets {i + 1} ({first}) and {j + 1} ({points[j]}) are the "
                    "same point; every offset must be distinct"
                )


def _ring_elements(points: Sequence[sympy.Expr]) -> list[PolyElement] | None:
    """The points as elements of Q[symbols], or None if they are not polynomials."""
    symbols = sorted(set().union(*(x.free_symbols for x in points)), key=str)
    if not symbols:
        return None
    try:
        R, *_ = ring(symbols, QQ)
        return [R.from_expr(x) if x.free_symbols else R(x) for x in points]
    except (PolynomialError, ValueError, TypeError, sympy.CoercionFailed):
        return None


def _fast_rational(value: Any) -> int | Fraction | None:
    """``value`` as an int or Fraction when it plainly is one, else None."""
    kind = type(value)
    if kind is int or kind is Fraction:
        return value  # type: ignore[no-any-return]
    if isinstance(value, sympy.Rational):
        return int(value.p) if value.q == 1 else Fraction(int(value.p), int(value.q))
    return None


def _fast_nodes(offsets: Any, at: Any) -> tuple[int | Fraction, ...] | None:
    """Rational nodes ``offsets - at`` for plain numeric input, else None.

    The common case (ints, Fractions, SymPy Rationals) skips the general
    validation; anything unusual, including every invalid input, returns None so
    that :func:`prepare_offsets` reports it.
    """
    if not isinstance(offsets, list | tuple):
        return None
    origin = _fast_rational(at)
    if origin is None:
        return None
    nodes = []
    for value in offsets:
        x = _fast_rational(value)
        if x is None:
            return None
        nodes.append(x - origin if origin else x)
    if not nodes or len(set(nodes)) != len(nodes):
        return None
    return tuple(nodes)


def fd_weights(derivative: Any, offsets: Iterable[Any], at: Any = 0) -> tuple[Any, ...]:
    r"""Exact finite-difference weights.

    Returns :math:`w_i` such that :math:`f^{(m)}(x + at) \approx \sum_i w_i\,
    f(x + \mathrm{offsets}_i)`, exact on polynomials of degree below
    ``len(offsets)``.

    Parameters
    ----------
    derivative : int
        Which derivative ``m >= 0``.
    offsets : sequence
        At least ``m + 1`` distinct offsets: ints, ``Fraction``, floats (taken at
        their decimal value), SymPy numbers, symbols or expressions, or text such
        as ``"hd"`` parsed by the restricted parser.
    at : optional
        Where the derivative is evaluated, e.g. ``Fraction(1, 2)`` for a staggered
        stencil. Default 0.

    Returns
    -------
    tuple of sympy.Expr
        One weight per offset, in the order given: ``sympy.Rational`` for numeric
        offsets, factored rational functions for symbolic ones.

    Raises
    ------
    ValueError
        (:class:`~stencilgen.errors.StencilError`) for too few or repeated offsets,
        a negative or non-integer derivative, non-finite or unparsable values.

    Examples
    --------
    >>> fd_weights(1, [-1, 0, 1])
    (-1/2, 0, 1/2)
    >>> fd_weights(2, [-2, -1, 0, 1, 2])
    (-1/12, 4/3, -5/2, 4/3, -1/12)
    >>> fd_weights(1, [0, 1], at=Fraction(1, 2))
    (-1, 1)
    >>> hd, hs = sympy.symbols("hd hs")
    >>> fd_weights(1, [0, hd, -hs])
    ((hd - hs)/(hd*hs), hs/(hd*(hd + hs)), -hd/(hs*(hd + hs)))
    """
    if type(derivative) is int and derivative >= 0:
        nodes = _fast_nodes(offsets, at)
        if nodes is not None and len(nodes) > derivative:
            limits.check_stencil_size(derivative, offsets, at)
            return _weights(derivative, nodes, 0)
    m, points, origin = prepare_offsets(derivative, offsets, at)
    return _weights(m, points, origin)


@lru_cache(maxsize=4096)
def _weights(m: int, points: tuple[Any, ...], at: Any) -> tuple[sympy.Expr, ...]:
    # ``points`` are validated offsets: ints and Fractions from the fast path of
    # fd_weights, or SymPy expressions from prepare_offsets. Equal numbers hash
    # alike in both forms, so they share one cache entry.
    nodes = [p - at for p in points] if at != 0 else list(points)
    if all(type(x) is int or type(x) is Fraction for x in nodes):
        return _rational_weights(m, nodes)
    if all(x.is_Rational for x in nodes):
        return _rational_weights(m, [Fraction(int(x.p), int(x.q)) for x in nodes])
    return _symbolic_weights(m, nodes)


# SymPy >= 1.13 builds a Rational from coprime ints without a gcd or a cache lookup.
_from_coprime = getattr(sympy.Rational, "from_coprime_ints", sympy.Rational)


def _rational(p: int, q: int) -> sympy.Rational:
    """The Rational p/q for ints, q != 0, built without SymPy's general constructor."""
    if q < 0:
        p, q = -p, -q
    g = math.gcd(p, q)
    if g > 1:
        p //= g
        q //= g
    return _from_coprime(p, q)


def _rational_weights(
    m: int, nodes: Sequence[int | Fraction]
) -> tuple[sympy.Expr, ...]:
    """Lagrange weights for rational nodes, in Python integers until the end.

    With the nodes scaled to integers ``y_i = s x_i``, the weight is
    ``w_i = m! s^m q_i / prod_{j != i} (y_i - y_j)``, where ``q_i`` is the
    ``t^m`` coefficient of ``P(t) / (t - y_i)`` and ``P(t) = prod_j (t - y_j)``.
    """
    ints: list[int]
    if all(type(x) is int for x in nodes):
        scale = 1
        ints = list(nodes)  # type: ignore[arg-type]  # all ints, checked above
    else:
        scale = math.lcm(*(Fraction(x).denominator for x in nodes))
        ints = [int(x * scale) for x in nodes]
    n = len(ints)
    # Coefficients of P(t) = prod_j (t - y_j), lowest degree first.
    poly = [1]
    for y in ints:
        shifted = [0, *poly]
        for k, c in enumerate(poly):
            shifted[k] -= y * c
        poly = shifted
    factor_m = math.factorial(m) * scale**m
    weights = []
    for y in ints:
        # Synthetic division of P by (t - y) from the top, down to the t^m term:
        # q_{k-1} = p_k + y q_k.
        q = 1
        for k in range(n - 1, m, -1):
            q = poly[k] + y * q
        denominator = 1
        for other in ints:
            if other != y:
                denominator *= y - other
        weights.append(_rational(factor_m * q, denominator))
    return tuple(weights)


def _elementary_symmetric(values: Sequence[Any], r: int, one: Any) -> Any:
    """e_r of ``values`` by the usual dynamic programme (works in any ring)."""
    e = [one] + [one * 0] * r
    for value in values:
        for k in range(r, 0, -1):
            e[k] = e[k] + value * e[k - 1]
    return e[r]


def _symbolic_weights(m: int, nodes: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    elements = _ring_elements(nodes)
    if elements is None:
        return _generic_weights(m, nodes)
    r = len(nodes) - 1 - m
    sign_factorial = (-1) ** r * math.factorial(m)
    factors = _Factorizer(elements)
    weights = []
    for i, xi in enumerate(elements):
        others = elements[:i] + elements[i + 1 :]
        numerator = _elementary_symmetric(others, r, xi.ring.one) * sign_factorial
        if not numerator:
            weights.append(sympy.S.Zero)
            continue
        # x_i - x_j and x_j - x_i differ by a sign: factor each pair once.
        denominator = [
            factors.difference(elements, i, j) for j in range(len(elements)) if j != i
        ]
        weights.append(_factored_ratio(factors(numerator), denominator))
    return tuple(weights)


_Factored = tuple[Any, list[tuple[PolyElement, int]]]

#: Full factorisation (SymPy's ``factor_list``, Wang's randomised algorithm for
#: several variables) is only tried on polynomials this small: beyond them its run
#: time varies from a fraction of a second to minutes between runs (7 symbolic
#: offsets). Larger polynomials have their known factors divided out and the rest
#: is kept expanded, so the time stays predictable.
FACTOR_MAX_SYMBOLS = 4
FACTOR_MAX_DEGREE = 6
FACTOR_MAX_TERMS = 40


def _small(poly: PolyElement) -> bool:
    """Whether ``factor_list`` of ``poly`` is cheap and predictable."""
    used = sum(1 for d in poly.degrees() if d > 0)
    if used <= 1:
        return True  # univariate factorisation is fast and deterministic enough
    degree = max(sum(monomial) for monomial in poly.itermonoms())
    return (
        used <= FACTOR_MAX_SYMBOLS
        and degree <= FACTOR_MAX_DEGREE
        and len(poly) <= FACTOR_MAX_TERMS
    )


def _linear(poly: PolyElement) -> bool:
    return all(sum(monomial) <= 1 for monomial in poly.itermonoms())


def _normalised(poly: PolyElement) -> tuple[Any, PolyElement]:
    """Content and primitive part with a positive leading coefficient."""
    content, primitive = poly.primitive()
    if primitive.LC < 0:
        content, primitive = -content, -primitive
    return content, primitive


def _divides(factor: PolyElement, poly: PolyElement) -> bool:
    """Cheap necessary condition for ``factor | poly`` (degrees per symbol)."""
    return all(d <= e for d, e in zip(factor.degrees(), poly.degrees(), strict=True))


class _Factorizer:
    """Factorisation into irreducibles, bounded in time.

    Linear polynomials are irreducible at once. Others first lose the known
    irreducible factors (those of the nodes and of their differences) by exact
    division; what remains is factored with ``factor_list`` only when
    :func:`_small`, else kept whole (so a result may hold a reducible factor, but
    never after minutes of work).
    """

    def __init__(self, nodes: Sequence[PolyElement] = ()) -> None:
        self.pairs: dict[tuple[int, int], _Factored] = {}
        self.known: list[PolyElement] = []
        for node in nodes:
            if node:
                self._learn(self._irreducible(node)[1])

    def _learn(self, factors: Sequence[tuple[PolyElement, int]]) -> None:
        for f, _ in factors:
            # Only proven irreducibles: linear, or from factor_list (small).
            if f not in self.known and (_linear(f) or _small(f)):
                self.known.append(f)

    def _irreducible(self, poly: PolyElement) -> _Factored:
        """The factorisation of ``poly`` without using the known factors."""
        if poly.is_ground:
            return poly.LC, []
        content, primitive = _normalised(poly)
        if _linear(primitive):
            return content, [(primitive, 1)]
        if _small(primitive):
            coeff, factor_list = primitive.factor_list()
            return content * coeff, factor_list
        return content, [(primitive, 1)]

    def __call__(self, poly: PolyElement) -> _Factored:
        if poly.is_ground:
            return poly.LC, []
        content, rest = _normalised(poly)
        found: list[tuple[PolyElement, int]] = []
        if not _linear(rest):
            for f in self.known:
                power = 0
                while not rest.is_ground and _divides(f, rest):
                    quotient, remainder = rest.div(f)
                    if remainder:
                        break
                    rest, power = quotient, power + 1
                if power:
                    found.append((f, power))
        coeff, factors = self._irreducible(rest)
        return content * coeff, found + factors

    def difference(self, elements: Sequence[PolyElement], i: int, j: int) -> _Factored:
        """The factorisation of ``elements[i] - elements[j]``."""
        if (j, i) in self.pairs:
            coeff, factor_list = self.pairs[j, i]
            # factor_list keeps signs in the coefficient: factors of -p are those of p.
            return -coeff, factor_list
        result = self._irreducible(elements[i] - elements[j])
        self._learn(result[1])
        self.pairs[i, j] = result
        return result


def _factored_ratio(numerator: _Factored, denominators: Sequence[_Factored]) -> Any:
    """Numerator / prod(denominators) as a product of powers of irreducibles."""
    coeff, factors = numerator
    powers: dict[PolyElement, int] = {}
    for f, k in factors:
        powers[f] = powers.get(f, 0) + k
    for d_coeff, d_factors in denominators:
        coeff = coeff / d_coeff
        for f, k in d_factors:
            powers[f] = powers.get(f, 0) - k
    parts = [
        sympy.Pow(f.as_expr(), k)
        for f, k in sorted(powers.items(), key=lambda item: str(item[0]))
        if k
    ]
    return _keep_coeff(
        sympy.Rational(int(coeff.numerator), int(coeff.denominator)), sympy.Mul(*parts)
    )


def _generic_weights(m: int, nodes: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """Fallback for offsets outside Q[symbols] (e.g. ``sqrt(2)*h``)."""
    r = len(nodes) - 1 - m
    weights = []
    for i, xi in enumerate(nodes):
        others = list(nodes[:i]) + list(nodes[i + 1 :])
        numerator = sympy.expand(_elementary_symmetric(others, r, sympy.S.One))
        denominator = sympy.Mul(*[xi - x for x in others])
        weights.append(
            sympy.factor((-1) ** r * math.factorial(m) * numerator / denominator)
        )
    return tuple(weights)


def solve_taylor_system(
    derivative: Any, offsets: Iterable[Any], at: Any = 0
) -> tuple[Any, ...]:
    r"""Weights by solving the Taylor system :math:`\sum_i w_i x_i^k = k!\,\delta_{km}`.

    The independent (and slower) path: Gaussian elimination (SymPy's exact LU
    over the field of the entries) on the moment equations, exactly as one solves
    them by hand. Used as a cross-check of :func:`fd_weights`.

    Examples
    --------
    >>> solve_taylor_system(1, [-1, 0, 1])
    (-1/2, 0, 1/2)
    """
    m, points, origin = prepare_offsets(derivative, offsets, at)
    nodes = [p - origin for p in points]
    n = len(nodes)
    matrix = sympy.Matrix(n, n, lambda k, i: nodes[i] ** k)
    rhs = sympy.Matrix(n, 1, lambda k, _: math.factorial(m) if k == m else 0)
    # LU over the exact field of the entries (Q, or Q(symbols)): a plain
    # Matrix.LUsolve builds unsimplified expressions that take minutes to cancel
    # for five symbolic offsets.
    A, b = DomainMatrix.from_Matrix(matrix).unify(DomainMatrix.from_Matrix(rhs))
    solution = A.to_field().lu_solve(b.to_field()).to_Matrix()
    return tuple(sympy.factor(w) for w in solution)


def moment(
    weights: Sequence[sympy.Expr], nodes: Sequence[sympy.Expr], k: int
) -> sympy.Expr:
    r"""The Taylor moment :math:`M_k = \sum_i w_i x_i^k`.

    Examples
    --------
    >>> moment([-sympy.Rational(1, 2), 0, sympy.Rational(1, 2)], [-1, 0, 1], 3)
    1
    """
    return sympy.Add(
        *[
            as_exact(w, "weight") * as_exact(x, "node") ** k
            for w, x in zip(weights, nodes, strict=True)
        ]
    )


@dataclass(frozen=True)
class LeadingTerm:
    """The first non-vanishing Taylor moment beyond the derivative.

    Examples
    --------
    >>> term = leading_term(2, [-1, 0, 1], fd_weights(2, [-1, 0, 1]))
    >>> term.derivative, term.coefficient
    (4, 1/12)

    Attributes
    ----------
    derivative : int
        ``k``: the derivative :math:`f^{(k)}` the leading error multiplies.
    coefficient : sympy.Expr
        :math:`M_k / k!`, simplified (factored when symbolic).
    """

    derivative: int
    coefficient: sympy.Expr


def leading_term(
    derivative: int, nodes: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]
) -> LeadingTerm | None:
    r"""Find the leading truncation-error term exactly, or ``None`` if there is none.

    The moments below ``len(nodes)`` vanish by construction (except ``M_m``), so
    the search starts at ``k = n``. Moments involve only the non-zero nodes, and
    ``r`` consecutive vanishing moments of ``r`` distinct non-zero nodes force
    their weights to zero (a Vandermonde argument), so checking ``k = n .. 2n-1``
    decides the question; ``None`` means the stencil is exact for every ``f``
    (e.g. the derivative 0 taken at a node).

    ``weights`` must be the weights of ``derivative`` on ``nodes`` (those of
    :func:`fd_weights`): they are then the only ones with those vanishing moments.
    For nodes that are polynomials in the symbols that also gives the moments
    without the weights: :math:`\sum_i w_i x_i^k` is :math:`m!` times the
    :math:`t^m` coefficient of the interpolant of :math:`t^k`, i.e. of
    :math:`t^k \bmod P(t)` with :math:`P(t) = \prod_j (t - x_j)`, a polynomial
    in the nodes computed without any fraction (summing the rational weights
    instead takes seconds of gcds for seven symbolic offsets).

    Examples
    --------
    >>> leading_term(1, [-1, 0, 1], fd_weights(1, [-1, 0, 1]))
    LeadingTerm(derivative=3, coefficient=1/6)
    """
    nodes = [as_exact(x, "node") for x in nodes]
    weights = [as_exact(w, "weight") for w in weights]
    n = len(nodes)
    orders = range(max(n, derivative + 1), 2 * n)
    if all(x.is_Rational for x in (*nodes, *weights)):
        return _rational_leading_term(orders, nodes, weights)
    elements = _ring_elements(nodes)
    if elements is not None and orders.start == n:
        return _ring_leading_term(orders, derivative, elements)
    field = _fraction_field(nodes, weights)
    if field is not None:
        return _field_leading_term(orders, field, nodes, weights)
    for k in orders:
        value = moment(weights, nodes, k)
        if not is_zero(value):
            return LeadingTerm(k, sympy.factor(value / math.factorial(k)))
    return None


def _rational_leading_term(
    orders: range, nodes: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]
) -> LeadingTerm | None:
    """Moments in Python Fractions: SymPy arithmetic costs 100x more here."""
    xs = [Fraction(int(x.p), int(x.q)) for x in nodes]
    ws = [Fraction(int(w.p), int(w.q)) for w in weights]
    terms = [w * x**orders.start for w, x in zip(ws, xs, strict=True)]
    for k in orders:
        value = sum(terms, Fraction())
        if value:
            return LeadingTerm(
                k, _rational(value.numerator, value.denominator * math.factorial(k))
            )
        terms = [t * x for t, x in zip(terms, xs, strict=True)]
    return None


def _ring_leading_term(
    orders: range, m: int, elements: Sequence[PolyElement]
) -> LeadingTerm | None:
    """Moments from the nodes alone, as polynomials (see :func:`leading_term`)."""
    ring_ = elements[0].ring
    n = len(elements)
    # Coefficients of P(t) = prod_j (t - x_j), lowest degree first; P is monic.
    poly = [ring_.one]
    for x in elements:
        shifted = [ring_.zero, *poly]
        for k, c in enumerate(poly):
            shifted[k] = shifted[k] - x * c
        poly = shifted
    p = poly[:n]
    # t^n mod P = t^n - P(t); then t^(k+1) mod P = t * (t^k mod P) mod P.
    remainder = [-c for c in p]
    for k in orders:
        value = remainder[m]
        if value:
            coefficient = value * QQ(math.factorial(m), math.factorial(k))
            return LeadingTerm(
                k, _factored_ratio(_Factorizer(elements)(coefficient), [])
            )
        top = remainder[-1]
        remainder = [
            (remainder[j - 1] if j else ring_.zero) - top * p[j] for j in range(n)
        ]
    return None


def _fraction_field(
    nodes: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]
) -> tuple[Any, list[Any], list[Any]] | None:
    """Nodes and weights as elements of Q(symbols), or None if they do not fit."""
    symbols = sorted(
        set().union(*(e.free_symbols for e in (*nodes, *weights))), key=str
    )
    try:
        K, *_ = field(symbols, QQ)
        return K, [K(x) for x in nodes], [K(w) for w in weights]
    except (PolynomialError, ValueError, TypeError, sympy.CoercionFailed):
        return None


def _field_leading_term(
    orders: range,
    fields: tuple[Any, list[Any], list[Any]],
    nodes: Sequence[sympy.Expr],
    weights: Sequence[sympy.Expr],
) -> LeadingTerm | None:
    """Moments in the field Q(symbols), where zero is decided exactly and fast."""
    _, xs, ws = fields
    terms = [w * x**orders.start for w, x in zip(ws, xs, strict=True)]
    for k in orders:
        value = sum(terms[1:], terms[0])
        if value:
            numerator = value.numer * QQ(1, math.factorial(k))
            factorizer = _Factorizer()
            coefficient = _factored_ratio(
                factorizer(numerator), [factorizer(value.denom)]
            )
            return LeadingTerm(k, coefficient)
        terms = [t * x for t, x in zip(terms, xs, strict=True)]
    return None
