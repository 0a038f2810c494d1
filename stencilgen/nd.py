r"""N-D operators: exact weights, accuracy and error terms of linear stencils.

A stencil for a linear operator :math:`L = \sum_\alpha c_\alpha \partial^\alpha`
in the variables :math:`x = (x_1, \dots, x_d)` approximates :math:`Lu(x)` by
:math:`\sum_j w_j\, u(x + p_j \circ h)`, with integer offsets :math:`p_j` in units
of the steps :math:`h = (h_x, h_y, \dots)`. The multivariate Taylor expansion

.. math:: \sum_j w_j u(x + p_j \circ h) = \sum_\beta M_\beta\, \partial^\beta u(x),
          \qquad M_\beta = \sum_j w_j \prod_d \frac{(p_{jd} h_d)^{\beta_d}}{\beta_d!}

turns the question into moment conditions. Scaling every step by
:math:`\varepsilon` (the steps are fixed multiples of one h), a weight of the
part of :math:`L` with derivatives of total order ``s`` scales as
:math:`\varepsilon^{-s}`, so :math:`M_\beta` contributes at the power
:math:`|\beta| - s`; the stencil has accuracy ``p`` when
:math:`M_\beta = c_\beta` for every :math:`|\beta| < s + p`. The error convention
of the whole package holds: ``leading_error`` is approximation minus exact value,
the lowest non-vanishing power of :math:`\varepsilon` (for the 5-point Laplacian
:math:`h_x^2 u_{xxxx}/12 + h_y^2 u_{yyyy}/12`).

Two constructions:

* **default** — each pure derivative :math:`\partial_x^m` from the 1-D central
  stencil of the requested accuracy along its axis, each mixed partial from the
  tensor product of 1-D central stencils (if each factor is
  :math:`\partial^{m} + O(h^p)`, so is the product), summed. A greedy search then
  tries to drop points while the moment conditions still hold; when it succeeds,
  :attr:`Operator.note` says that a smaller point set reaches the same accuracy.
* **explicit points** — the moment system solved exactly. Its solutions form an
  affine family; the weights of the points whose columns are not pivots of the
  reduced system are its free parameters. A family is never narrowed silently:
  :func:`operator` raises :class:`OperatorFamilyError` (a ``ValueError``)
  naming them, unless ``free=`` fixes them or ``choose=`` asks for one of the
  documented members (see :data:`CHOICES`).

Everything is exact: rational linear algebra over :math:`\mathbb{Q}`
(SymPy's ``DomainMatrix``), weights as SymPy expressions in the positive step
symbols ``h_x``, ``h_y``, ….
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from stencilgen.errors import ExpressionError, LimitError, StencilError
from stencilgen.expr import parse_expression
from stencilgen.limits import (
    MAX_ERROR_POWER,
    MAX_EXPANSION_WORK,
    MAX_GROUP_TERMS,
    MAX_MOMENT_ENTRIES,
    MAX_OPERATOR_ACCURACY,
    MAX_OPERATOR_POINTS,
    MAX_SEARCH_POINTS,
)
from stencilgen.nd_language import (
    LinearOperator,
    derivative_name,
    operator_text,
    parse_operator,
    step_symbol,
    variable_symbol,
)
from stencilgen.stencil import family_offsets
from stencilgen.taylor import fd_weights, is_zero

__all__ = [
    "CHOICES",
    "MAX_ACCURACY",
    "MAX_EXPANSION_WORK",
    "MAX_GROUP_TERMS",
    "MAX_MOMENT_ENTRIES",
    "MAX_POINTS",
    "MAX_SEARCH_POINTS",
    "Expansion",
    "Operator",
    "OperatorFamilyError",
    "derivative_of",
    "function_of",
    "homogeneous_parts",
    "multi_indices",
    "operator",
]

#: Documented ways to pick one member of a family of stencils:
#: ``"isotropic"`` — the member whose leading error, with all steps equal, is a
#: multiple of a power of the Laplacian (:math:`\Delta^2 u` for the 3×3 box, which
#: gives the 9-point stencil with weights 1, 4, -20 over 6h²);
#: ``"smallest-error"`` — the member whose leading error, with all steps equal,
#: has the smallest sum of squared coefficients (the 5-point stencil on the box).
#: Free weights keep, on unequal steps, the multiple of
#: :math:`\sum_\alpha h^{-\alpha}` found with equal steps.
CHOICES = ("isotropic", "smallest-error")
# The limits live in stencilgen.limits (documented in docs/limits.md); the
# short names stay importable from here.
MAX_ACCURACY = MAX_OPERATOR_ACCURACY
MAX_POINTS = MAX_OPERATOR_POINTS


def function_of(dims: Sequence[str], name: str = "u") -> Any:
    """``u(x, y, …)`` (or another function ``name``) of the variables ``dims``.

    Examples
    --------
    >>> function_of(("x", "y"))
    u(x, y)
    """
    return sympy.Function(name)(*[variable_symbol(d) for d in dims])


def derivative_of(
    alpha: Sequence[int], dims: Sequence[str], name: str = "u"
) -> sympy.Expr:
    r""":math:`\partial^\alpha u` as a SymPy ``Derivative`` of ``u(x, y, …)``.

    Examples
    --------
    >>> derivative_of((1, 2), ("x", "y"))
    Derivative(u(x, y), x, (y, 2))
    >>> derivative_of((0, 0), ("x", "y"))
    u(x, y)
    """
    u = function_of(dims, name)
    pairs = [(variable_symbol(d), a) for d, a in zip(dims, alpha, strict=True) if a]
    return sympy.Derivative(u, *pairs) if pairs else u


def multi_indices(degree: int, ndims: int) -> list[tuple[int, ...]]:
    """All multi-indices of total ``degree`` in ``ndims`` variables, sorted.

    Examples
    --------
    >>> multi_indices(2, 2)
    [(2, 0), (1, 1), (0, 2)]
    """
    found = [
        c
        for c in itertools.product(range(degree + 1), repeat=ndims)
        if sum(c) == degree
    ]
    return sorted(found, reverse=True)


def _factorial(beta: Sequence[int]) -> int:
    return math.prod(math.factorial(b) for b in beta)


def _clean(expr: sympy.Expr) -> sympy.Expr:
    """A sum of monomials when it is one, else a cancelled, factored quotient."""
    if expr.is_Number:
        return expr
    expanded = sympy.expand(expr)
    if any(
        isinstance(p, sympy.Pow) and p.exp.is_negative and p.base.is_Add
        for p in sympy.preorder_traversal(expanded)
    ):
        return sympy.factor(sympy.cancel(sympy.together(expanded)))
    return expanded


def homogeneous_parts(
    expr: sympy.Expr, steps: Sequence[sympy.Symbol], what: str
) -> dict[int, sympy.Expr]:
    """Split ``expr`` into parts homogeneous in the steps: degree → part.

    Examples
    --------
    >>> h, k = sympy.symbols("h k", positive=True)
    >>> homogeneous_parts(3 + 1 / h**2 + k / h**3, [h, k], "the weight")
    {0: 3, -2: h**(-2) + k/h**3}

    Raises
    ------
    ExpressionError
        When the steps enter other than through a homogeneous quotient (a
        weight such as ``1/(1 + h_x)``).
    """
    step_set = set(steps)
    if not expr.free_symbols & step_set:
        return {0: expr} if not is_zero(expr) else {}
    parts: dict[int, sympy.Expr] = {}
    # Fast path: a sum of products of powers of the steps and other factors.
    simple = True
    for term in sympy.Add.make_args(sympy.expand(expr)):
        degree = 0
        for base, exponent in term.as_powers_dict().items():
            if base in step_set and exponent.is_Integer:
                degree += int(exponent)
            elif base.free_symbols & step_set:
                simple = False
                break
        if not simple:
            break
        parts[degree] = parts.get(degree, sympy.S.Zero) + term
    if simple:
        return {k: v for k, v in parts.items() if v != 0}
    eps = sympy.Dummy("epsilon")
    scaled = sympy.cancel(sympy.together(expr.xreplace({h: eps * h for h in steps})))
    numerator, denominator = sympy.fraction(scaled)
    try:
        den = sympy.Poly(denominator, eps)
        num = sympy.Poly(numerator, eps)
    except sympy.PolynomialError:
        raise ExpressionError(
            f"{what} {expr} is not a quotient of polynomials in the steps"
        ) from None
    if len(den.terms()) != 1:
        raise ExpressionError(
            f"{what} {expr} is not homogeneous in the steps; give a weight such as "
            "c/h_x**2 that scales as a power of the steps"
        )
    ((low,), scale) = den.terms()[0]
    return {k - low: _clean(c / scale) for (k,), c in num.terms()}


class Expansion:
    r"""The Taylor expansion of :math:`\sum_j w_j u(x + s_j)`, power by power.

    Parameters
    ----------
    shifts : sequence of tuples of sympy.Expr
        The shift vectors :math:`s_j`, each entry linear in the steps.
    weights : sequence of sympy.Expr
        The coefficients, each a sum of parts homogeneous in the steps.
    steps : sequence of sympy.Symbol
        The symbols that go to 0 together.
    dims : sequence of str
        The variables.

    Examples
    --------
    >>> hx, hy = step_symbol("x"), step_symbol("y")
    >>> shifts = [(hx, 0), (-hx, 0), (0, 0)]
    >>> e = Expansion(shifts, [1 / hx**2, 1 / hx**2, -2 / hx**2], [hx, hy], "xy")
    >>> e.group(0), e.group(1), e.group(2)
    ({(2, 0): 1}, {}, {(4, 0): h_x**2/12})
    """

    def __init__(
        self,
        shifts: Sequence[Sequence[sympy.Expr]],
        weights: Sequence[sympy.Expr],
        steps: Sequence[sympy.Symbol],
        dims: Sequence[str],
    ) -> None:
        self.dims = tuple(dims)
        self.shifts = [tuple(sympy.sympify(s) for s in shift) for shift in shifts]
        self.parts = [homogeneous_parts(w, steps, "the weight") for w in weights]
        degrees = [k for part in self.parts for k in part]
        self.lowest = min(degrees, default=0)
        self.moving = any(
            any(s != 0 for s in shift) and part
            for shift, part in zip(self.shifts, self.parts, strict=True)
        )
        self._monomials: dict[tuple[int, tuple[int, ...]], sympy.Expr] = {}

    def _monomial(self, j: int, beta: tuple[int, ...]) -> sympy.Expr:
        key = (j, beta)
        if key not in self._monomials:
            shift = self.shifts[j]
            value = sympy.Mul(*[s**b for s, b in zip(shift, beta, strict=True)])
            self._monomials[key] = value / _factorial(beta)
        return self._monomials[key]

    def group(self, power: int) -> dict[tuple[int, ...], sympy.Expr]:
        """The non-zero coefficients of ``∂^β u`` at ``power`` of the step."""
        found: dict[tuple[int, ...], sympy.Expr] = {}
        for degree in range(power - self.lowest + 1):
            if degree > 0 and not self.moving:
                break
            k = power - degree
            if math.comb(degree + len(self.dims) - 1, degree) > MAX_GROUP_TERMS:
                raise LimitError(
                    f"the expansion needs derivatives of order {degree} in "
                    f"{len(self.dims)} variables, more than {MAX_GROUP_TERMS} of them "
                    "(MAX_GROUP_TERMS); this formula is outside the limits"
                )
            for beta in multi_indices(degree, len(self.dims)):
                total = sympy.Add(
                    *[
                        part[k] * self._monomial(j, beta)
                        for j, part in enumerate(self.parts)
                        if k in part
                    ]
                )
                value = _clean(total)
                if value != 0 and not is_zero(value):
                    found[beta] = value
        return found

    def expression(self, group: Mapping[tuple[int, ...], sympy.Expr]) -> sympy.Expr:
        """A group as a SymPy sum of coefficients times derivatives of ``u``."""
        return sympy.Add(
            *[c * derivative_of(beta, self.dims) for beta, c in sorted(group.items())]
        )

    def error(
        self, exact: Mapping[tuple[int, ...], sympy.Expr]
    ) -> tuple[int | None, dict[tuple[int, ...], sympy.Expr]]:
        """The accuracy and leading error group against the operator ``exact``.

        Raises
        ------
        StencilError
            When a power below 1 does not vanish (the stencil does not
            approximate ``exact``).
        """
        for power in range(min(self.lowest, 0), 1):
            group = self.group(power)
            if power == 0:
                for beta, c in exact.items():
                    group[beta] = _clean(group.get(beta, sympy.S.Zero) - c)
                group = {b: c for b, c in group.items() if not is_zero(c)}
            if group:
                raise StencilError(
                    f"the stencil does not approximate the operator: its expansion "
                    f"has the term {self.expression(group)} at power {power} of the "
                    "step"
                )
        if not self.moving:
            return None, {}
        for power in range(1, MAX_ERROR_POWER + 1):
            group = self.group(power)
            if group:
                return power, group
        raise StencilError(
            f"the error of the stencil starts beyond power {MAX_ERROR_POWER} of "
            "the step (MAX_ERROR_POWER); this is outside the limits of the analysis"
        )


class OperatorFamilyError(StencilError):
    """The points admit a family of stencils; the free parameters are named.

    Attributes
    ----------
    points : tuple of tuple of int
        The point set.
    weights : tuple of sympy.Expr
        The family: weights in terms of the free parameters.
    free : tuple of sympy.Symbol
        The free parameters, ``w[1,1]`` being the weight of point ``(1, 1)``.
    """

    def __init__(
        self,
        message: str,
        points: tuple[tuple[int, ...], ...],
        weights: tuple[sympy.Expr, ...],
        free: tuple[sympy.Symbol, ...],
    ) -> None:
        super().__init__(message)
        self.points = points
        self.weights = weights
        self.free = free


@dataclass(frozen=True)
class Operator:
    r"""An N-D stencil with what it promises.

    Attributes
    ----------
    expression : str
        The operator in the operator language, e.g. ``"u_xx + u_yy"``.
    dims : tuple of str
        The variables, alphabetical.
    points : tuple of tuple of int
        Integer offsets, one per variable, in units of that variable's step.
    weights : tuple of sympy.Expr
        Exact weights in the positive step symbols ``h_x``, ``h_y``, …, in the
        order of :attr:`points`.
    accuracy : int or None
        The order in h when every step is a fixed multiple of one h; ``None``
        for an exact stencil (the function itself).
    leading_error : sympy.Expr
        Approximation minus exact value, lowest power of the steps, in
        derivatives of ``u(x, y, …)``; 0 for an exact stencil.
    terms : dict
        The operator: multi-index to exact coefficient.
    note : str or None
        Remarks on the construction (a smaller point set of the same accuracy).
    construction : str
        ``"default"`` (1-D stencils and their tensor products) or ``"points"``
        (an explicit point set).
    requested : int
        The accuracy asked for (:attr:`accuracy` may be higher).
    """

    expression: str
    dims: tuple[str, ...]
    points: tuple[tuple[int, ...], ...]
    weights: tuple[sympy.Expr, ...]
    accuracy: int | None
    leading_error: sympy.Expr
    terms: dict[tuple[int, ...], sympy.Expr] = field(default_factory=dict)
    note: str | None = None
    construction: str = "default"
    requested: int = 2

    @property
    def steps(self) -> tuple[sympy.Symbol, ...]:
        """The step symbols, one per variable."""
        return tuple(step_symbol(d) for d in self.dims)

    @property
    def function(self) -> Any:
        """``u(x, y, …)``."""
        return function_of(self.dims)

    @property
    def exact(self) -> sympy.Expr:
        """The operator applied to ``u``, as SymPy derivatives."""
        return sympy.Add(
            *[c * derivative_of(a, self.dims) for a, c in self.terms.items()]
        )

    @property
    def formula(self) -> sympy.Expr:
        r""":math:`\sum_j w_j u(x + p_j h)` as a SymPy expression."""
        u = sympy.Function("u")
        variables = [variable_symbol(d) for d in self.dims]
        return sympy.Add(
            *[
                w
                * u(
                    *[
                        v + o * h
                        for v, o, h in zip(variables, p, self.steps, strict=True)
                    ]
                )
                for p, w in zip(self.points, self.weights, strict=True)
                if w != 0
            ]
        )

    def weight(self, point: Sequence[int]) -> sympy.Expr:
        """The weight of ``point`` (0 for a point outside the stencil).

        Examples
        --------
        >>> operator("u_xx + u_yy").weight((0, 0))
        -2/h_y**2 - 2/h_x**2
        """
        table = dict(zip(self.points, self.weights, strict=True))
        return table.get(tuple(point), sympy.S.Zero)

    def __str__(self) -> str:
        error = "exact" if self.accuracy is None else f"accuracy {self.accuracy}"
        return (
            f"{self.expression} on {len(self.points)} points in "
            f"({', '.join(self.dims)}), {error}"
        )


# -- construction ----------------------------------------------------------------------


def _check_accuracy(accuracy: Any) -> int:
    if isinstance(accuracy, bool) or not isinstance(accuracy, int | sympy.Integer):
        raise StencilError(
            f"accuracy must be a whole number from 1 to {MAX_ACCURACY}, got "
            f"{accuracy!r}"
        )
    if not 1 <= int(accuracy) <= MAX_ACCURACY:
        raise StencilError(
            f"accuracy must be from 1 to {MAX_ACCURACY} (MAX_OPERATOR_ACCURACY), "
            f"got {accuracy}"
        )
    return int(accuracy)


def _default_weights(
    op: LinearOperator, accuracy: int
) -> dict[tuple[int, ...], sympy.Expr]:
    """Sum of 1-D central stencils and tensor products of them."""
    if accuracy % 2:
        raise StencilError(
            f"the default construction uses central stencils, whose accuracy is "
            f"even; got accuracy {accuracy}: ask for accuracy {accuracy + 1} or "
            "give points="
        )
    steps = [step_symbol(d) for d in op.dims]
    total: dict[tuple[int, ...], sympy.Expr] = {}
    for alpha, coefficient in op.terms.items():
        factors: list[list[tuple[int, sympy.Expr]]] = []
        for axis, count in enumerate(alpha):
            if count == 0:
                factors.append([(0, sympy.S.One)])
                continue
            offsets = family_offsets("central", count, accuracy)
            weights = fd_weights(count, offsets)
            factors.append(
                [
                    (o, w / steps[axis] ** count)
                    for o, w in zip(offsets, weights, strict=True)
                    if w != 0
                ]
            )
        for combination in itertools.product(*factors):
            point = tuple(o for o, _ in combination)
            weight = coefficient * sympy.Mul(*[w for _, w in combination])
            total[point] = total.get(point, sympy.S.Zero) + weight
    return {p: _clean(w) for p, w in sorted(total.items()) if not is_zero(w)}


def _moment_rows(
    points: Sequence[tuple[int, ...]], degree_limit: int, ndims: int
) -> tuple[list[tuple[int, ...]], list[list[Fraction]]]:
    count = math.comb(degree_limit - 1 + ndims, ndims)
    if count * len(points) > MAX_MOMENT_ENTRIES:
        raise LimitError(
            f"the moment system has {count} conditions on {len(points)} points, more "
            f"than the limit of {MAX_MOMENT_ENTRIES} entries (MAX_MOMENT_ENTRIES); "
            "lower the accuracy or use fewer points"
        )
    betas = [b for n in range(degree_limit) for b in multi_indices(n, ndims)]
    rows = [
        [
            Fraction(math.prod(p**b for p, b in zip(point, beta, strict=True)))
            / _factorial(beta)
            for point in points
        ]
        for beta in betas
    ]
    return betas, rows


def _matrix(rows: Sequence[Sequence[Fraction]], ncols: int) -> DomainMatrix:
    return DomainMatrix(
        [[QQ(v.numerator, v.denominator) for v in row] for row in rows],
        (len(rows), ncols),
        QQ,
    )


def _monomial_text(beta: tuple[int, ...], dims: Sequence[str]) -> str:
    factors = []
    for d, b in zip(dims, beta, strict=True):
        if b == 1:
            factors.append(f"p{d}")
        elif b > 1:
            factors.append(f"p{d}^{b}")
    return "·".join(factors) if factors else "1"


def _solve_part(
    op: LinearOperator,
    degree: int,
    points: Sequence[tuple[int, ...]],
    accuracy: int,
    tag: str,
) -> tuple[list[sympy.Expr], list[sympy.Symbol], list[int]]:
    """Weights of the part of total derivative ``degree`` on ``points``.

    Returns the weights (in terms of free-parameter symbols), the symbols and the
    indices of their points.
    """
    part = op.part(degree)
    ndims = len(op.dims)
    steps = [step_symbol(d) for d in op.dims]
    betas, rows = _moment_rows(points, degree + accuracy, ndims)
    n = len(points)
    alphas = list(part)
    augmented = [
        [*row, *[Fraction(int(beta == alpha)) for alpha in alphas]]
        for row, beta in zip(rows, betas, strict=True)
    ]
    reduced, pivots = _matrix(augmented, n + len(alphas)).rref()
    if any(p >= n for p in pivots):
        raise StencilError(_impossible(op, points, accuracy, betas, rows, alphas))
    table = reduced.to_Matrix()
    free_columns = [j for j in range(n) if j not in pivots]
    symbols = [
        sympy.Symbol(f"w{tag}[{','.join(str(o) for o in points[j])}]")
        for j in free_columns
    ]
    scale = [
        part[alpha] / sympy.Mul(*[h**a for h, a in zip(steps, alpha, strict=True)])
        for alpha in alphas
    ]
    weights: list[sympy.Expr] = [sympy.S.Zero] * n
    for j, symbol in zip(free_columns, symbols, strict=True):
        weights[j] = symbol
    for r, j in enumerate(pivots):
        value = sympy.Add(
            *[table[r, n + a] * scale[a] for a in range(len(alphas))],
            *[-table[r, f] * s for f, s in zip(free_columns, symbols, strict=True)],
        )
        weights[j] = _clean(value)
    return weights, symbols, free_columns


def _impossible(
    op: LinearOperator,
    points: Sequence[tuple[int, ...]],
    accuracy: int,
    betas: Sequence[tuple[int, ...]],
    rows: Sequence[Sequence[Fraction]],
    alphas: Sequence[tuple[int, ...]],
) -> str:
    """Which moment condition the points cannot meet (the first in degree order)."""
    n = len(points)
    for alpha in alphas:
        target = [Fraction(int(b == alpha)) for b in betas]
        for k in range(1, len(betas) + 1):
            plain = _matrix(rows[:k], n).rank()
            extended = _matrix(
                [[*row, t] for row, t in zip(rows[:k], target[:k], strict=True)], n + 1
            ).rank()
            if extended > plain:
                beta = betas[k - 1]
                value = "1" if beta == alpha else "0"
                moment = _monomial_text(beta, op.dims)
                factorial = _factorial(beta)
                rhs = value if factorial == 1 or value == "0" else f"{factorial}"
                lower = " together with the conditions before it" if k > 1 else ""
                return (
                    f"no stencil on these {n} points approximates "
                    f"{derivative_name(alpha, op.dims)} at accuracy {accuracy}: the "
                    f"moment condition Σ w·{moment} = {rhs} (in units of the steps, "
                    f"the coefficient of {derivative_name(beta, op.dims)} in the "
                    f"expansion) cannot be met{lower}; add points or lower the "
                    "accuracy"
                )
    return f"no stencil on these {n} points approximates {op} at accuracy {accuracy}"


def _check_points(points: Any, ndims: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(points, str):
        raise StencilError(
            "points must be a list of integer tuples such as [(-1, 0), (0, 0)], "
            "not text"
        )
    try:
        items = list(points)
    except TypeError:
        raise StencilError(
            f"points must be a list of integer tuples, got {type(points).__name__}"
        ) from None
    if not items:
        raise StencilError("points is empty; give the offsets of the stencil")
    if len(items) > MAX_POINTS:
        raise StencilError(
            f"{len(items)} points is more than the limit of {MAX_POINTS} "
            "(MAX_OPERATOR_POINTS); use fewer points"
        )
    result = []
    for item in items:
        try:
            values = tuple(item)
        except TypeError:
            values = (item,)
        if len(values) != ndims:
            raise StencilError(
                f"the point {item!r} has {len(values)} coordinates but the operator "
                f"has {ndims} variables; give one integer per variable"
            )
        offsets = []
        for v in values:
            if isinstance(v, bool) or not (
                isinstance(v, int | sympy.Integer)
                or (isinstance(v, Fraction) and v.denominator == 1)
            ):
                raise StencilError(
                    f"the point {item!r} has the offset {v!r}; offsets are whole "
                    "numbers of steps"
                )
            offsets.append(int(v))
        result.append(tuple(offsets))
    if len(set(result)) != len(result):
        seen = next(p for p in result if result.count(p) > 1)
        raise StencilError(f"the point {seen} is given twice; give each point once")
    return tuple(result)


def _value(value: Any, steps: Sequence[sympy.Symbol], what: str) -> sympy.Expr:
    if isinstance(value, str):
        expr = parse_expression(value)
    elif isinstance(value, bool):
        raise StencilError(f"{what} must be a number or an expression, got {value!r}")
    elif isinstance(value, int | Fraction):
        expr = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, sympy.Expr):
        if value.has(sympy.Float):
            raise StencilError(f"{what} is a floating-point number; use exact values")
        expr = value
    else:
        raise StencilError(
            f"{what} must be text, an int, a Fraction or a SymPy expression, got "
            f"{type(value).__name__}"
        )
    by_name = {h.name: h for h in steps}
    return expr.xreplace(
        {s: by_name[s.name] for s in expr.free_symbols if s.name in by_name}
    )


def _unit_weights(
    weights: Sequence[sympy.Expr], steps: Sequence[sympy.Symbol]
) -> list[sympy.Expr]:
    return [w.xreplace({h: 1 for h in steps}) for w in weights]


def _choose(
    op: LinearOperator,
    degree: int,
    points: Sequence[tuple[int, ...]],
    weights: list[sympy.Expr],
    symbols: list[sympy.Symbol],
    accuracy: int,
    choice: str,
) -> dict[sympy.Symbol, sympy.Expr]:
    """Values of the free parameters for the documented ``choice``."""
    ndims = len(op.dims)
    steps = [step_symbol(d) for d in op.dims]
    scale = sympy.Add(
        *[
            sympy.Mul(*[h ** (-a) for h, a in zip(steps, alpha, strict=True)])
            for alpha in op.part(degree)
        ]
    )
    unit = _unit_weights(weights, steps)
    order = degree + accuracy
    errors = []
    for beta in multi_indices(order, ndims):
        moment = sympy.Add(
            *[
                w
                * math.prod(p**b for p, b in zip(point, beta, strict=True))
                / _factorial(beta)
                for w, point in zip(unit, points, strict=True)
            ]
        )
        errors.append((beta, sympy.expand(moment)))
    if choice == "smallest-error":
        objective = sympy.Add(*[e**2 for _, e in errors])
        equations = [sympy.diff(objective, s) for s in symbols]
        unknowns = list(symbols)
    else:
        if order % 2:
            raise StencilError(
                f"no member of the family is isotropic: its leading error has "
                f"derivatives of odd total order {order}; use choose='smallest-error' "
                "or free="
            )
        lam = sympy.Dummy("lambda")
        laplacian = sympy.Poly(
            sympy.Add(*[sympy.Symbol(f"z{i}") ** 2 for i in range(ndims)])
            ** (order // 2),
            *[sympy.Symbol(f"z{i}") for i in range(ndims)],
        )
        equations = [e - lam * laplacian.coeff_monomial(beta) for beta, e in errors]
        unknowns = [*symbols, lam]
    solutions = sympy.linsolve(equations, unknowns)
    if not solutions:
        raise StencilError(
            f"no member of the family meets choose={choice!r}; fix the free weights "
            "with free= instead"
        )
    (solution,) = solutions
    values = dict(zip(unknowns, solution, strict=True))
    undetermined = sorted(
        {str(s) for v in solution for s in v.free_symbols} & {str(s) for s in symbols}
    )
    if undetermined:
        raise StencilError(
            f"choose={choice!r} leaves the weights {', '.join(undetermined)} free; "
            "fix them with free={point: value}"
        )
    # The values were found at unit steps; keep the same multiple of the scale.
    unit_scale = scale.xreplace({h: 1 for h in steps})
    return {s: _clean(values[s] * scale / unit_scale) for s in symbols}


def _solve(
    op: LinearOperator,
    points: tuple[tuple[int, ...], ...],
    accuracy: int,
    free: Mapping[Any, Any] | None,
    choose: str | None,
) -> list[sympy.Expr]:
    steps = [step_symbol(d) for d in op.dims]
    several = not op.homogeneous
    total: list[sympy.Expr] = [sympy.S.Zero] * len(points)
    family: list[sympy.Symbol] = []
    parts = []
    for degree in op.degrees:
        tag = f"{degree}" if several else ""
        weights, symbols, _ = _solve_part(op, degree, points, accuracy, tag)
        parts.append((degree, weights, symbols))
    if free:
        if several:
            raise StencilError(
                "free= fixes weights of one family, but this operator's terms have "
                "different derivative orders and each has its own; use choose= or "
                "build the parts separately"
            )
        (degree, weights, symbols) = parts[0]
        equations = []
        for key, value in free.items():
            (point,) = _check_points([key], len(op.dims))
            if point not in points:
                raise StencilError(
                    f"free= names the point {key!r}, which is not in points; use "
                    "points of the stencil as keys"
                )
            index = points.index(point)
            equations.append(
                weights[index] - _value(value, steps, f"the weight of {point}")
            )
        solutions = sympy.linsolve(equations, symbols) if symbols else None
        if symbols and not solutions:
            raise StencilError(
                "the weights given in free= contradict the moment conditions; fix "
                "only the free weights: " + ", ".join(str(s) for s in symbols)
            )
        if not symbols:
            if any(not is_zero(e) for e in equations):
                raise StencilError(
                    "the points determine every weight, and free= gives other values; "
                    "leave free= out"
                )
        else:
            assert solutions is not None
            (solution,) = solutions
            values = dict(zip(symbols, solution, strict=True))
            parts[0] = (
                degree,
                [_clean(w.xreplace(values)) for w in weights],
                [s for s in symbols if values[s].has(*symbols)],
            )
    for degree, weights, symbols in parts:
        if symbols and choose is not None:
            values = _choose(op, degree, points, weights, symbols, accuracy, choose)
            weights = [_clean(w.xreplace(values)) for w in weights]
            symbols = []
        family.extend(symbols)
        total = [a + b for a, b in zip(total, weights, strict=True)]
    total = [_clean(w) for w in total]
    if family:
        names = ", ".join(str(s) for s in family)
        first = family[0]
        example = str(first)[str(first).index("[") :]
        raise OperatorFamilyError(
            f"these {len(points)} points admit a family of stencils for {op} at "
            f"accuracy {accuracy}, with free weights {names}; fix them with "
            f"free={{({example[1:-1]}): value, ...}} or choose one of "
            f"{', '.join(repr(c) for c in CHOICES)}",
            points,
            tuple(total),
            tuple(family),
        )
    return total


def _smaller(
    op: LinearOperator, points: Sequence[tuple[int, ...]], accuracy: int
) -> tuple[tuple[int, ...], ...] | None:
    """A proper subset of ``points`` on which a stencil of the accuracy exists."""
    if not op.homogeneous or len(points) > MAX_SEARCH_POINTS:
        return None
    degree = op.degrees[0]
    alphas = list(op.part(degree))
    betas, rows = _moment_rows(points, degree + accuracy, len(op.dims))
    targets = [[Fraction(int(b == a)) for a in alphas] for b in betas]
    keep = list(range(len(points)))

    def feasible(columns: Sequence[int]) -> bool:
        # Solvable iff no pivot of the reduced [A | targets] lies in the targets.
        augmented = [
            [*(row[j] for j in columns), *t]
            for row, t in zip(rows, targets, strict=True)
        ]
        _, pivots = _matrix(augmented, len(columns) + len(alphas)).rref()
        return all(p < len(columns) for p in pivots)

    order = sorted(keep, key=lambda j: (-max(abs(o) for o in points[j]), points[j]))
    for j in order:
        trial = [k for k in keep if k != j]
        if trial and feasible(trial):
            keep = trial
    if len(keep) == len(points):
        return None
    return tuple(points[k] for k in keep)


def operator(
    expression: str,
    accuracy: int = 2,
    points: Iterable[Sequence[int]] | None = None,
    free: Mapping[Any, Any] | None = None,
    choose: str | None = None,
) -> Operator:
    """Exact N-D stencil for a linear differential operator, with its error term.

    Parameters
    ----------
    expression : str
        The operator in ``u``: ``"u_xx + u_yy"``, ``"u_xy"``, ``"2*u_x - 3*u_yy"``,
        ``"c*u_xxx"`` (see :mod:`stencilgen.nd_language`; parsed by the
        restricted parser, never evaluated).
    accuracy : int, optional
        The order of accuracy in the step (default 2). The default construction
        (central stencils) needs an even accuracy.
    points : iterable of tuples of int, optional
        An explicit point set, one integer offset per variable (in units of that
        variable's step). The moment system is then solved exactly.
    free : mapping, optional
        Values of free weights, point → value (text such as ``"1/(6*h_x*h_y)"``,
        numbers or SymPy expressions), for a point set that admits a family.
    choose : {"isotropic", "smallest-error"}, optional
        Pick a documented member of a family instead (see :data:`CHOICES`).

    Returns
    -------
    Operator
        Points, exact weights, accuracy and leading error.

    Raises
    ------
    ExpressionError
        For an expression that is not a linear differential operator.
    StencilError
        For an accuracy or point set that admits no stencil (naming the moment
        condition that fails); :class:`OperatorFamilyError` for a family that
        ``free``/``choose`` do not fix.

    Examples
    --------
    >>> lap = operator("u_xx + u_yy")
    >>> lap.dims, lap.points
    (('x', 'y'), ((-1, 0), (0, -1), (0, 0), (0, 1), (1, 0)))
    >>> lap.weight((0, 0)), lap.accuracy
    (-2/h_y**2 - 2/h_x**2, 2)
    >>> lap.leading_error
    h_x**2*Derivative(u(x, y), (x, 4))/12 + h_y**2*Derivative(u(x, y), (y, 4))/12

    The 3×3 box admits a family for the Laplacian; it is never narrowed silently:

    >>> box = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]
    >>> operator("u_xx + u_yy", points=box)
    Traceback (most recent call last):
    ...
    stencilgen.nd.OperatorFamilyError: these 9 points admit a family of stencils for u_xx + u_yy at accuracy 2, with free weights w[1,1]; fix them with free={(1,1): value, ...} or choose one of 'isotropic', 'smallest-error'
    >>> operator("u_xx + u_yy", points=box, choose="isotropic").weight((1, 1))
    1/(12*h_y**2) + 1/(12*h_x**2)
    """  # noqa: E501
    p = _check_accuracy(accuracy)
    op = parse_operator(expression)
    if choose is not None and choose not in CHOICES:
        raise StencilError(
            f"choose must be one of {', '.join(repr(c) for c in CHOICES)}, got "
            f"{choose!r}"
        )
    steps = [step_symbol(d) for d in op.dims]
    note = None
    if points is None:
        if free or choose is not None:
            raise StencilError(
                "free= and choose= pick a member of the family of an explicit point "
                "set; give points= too"
            )
        table = _default_weights(op, p)
        chosen_points = tuple(table)
        weights = list(table.values())
        smaller = _smaller(op, chosen_points, p)
        if smaller is not None:
            note = (
                f"a smaller point set reaches accuracy {p}: {len(smaller)} points "
                f"instead of {len(chosen_points)} (operator({str(op)!r}, "
                f"accuracy={p}, points={list(smaller)}))"
            )
    else:
        chosen_points = _check_points(points, len(op.dims))
        weights = _solve(op, chosen_points, p, free, choose)
    degree = max(op.degrees) + p
    work = len(chosen_points) * math.comb(degree + len(op.dims), len(op.dims))
    if work > MAX_EXPANSION_WORK:
        raise LimitError(
            f"{len(chosen_points)} points and derivatives up to order {degree} in "
            f"{len(op.dims)} variables are beyond the limit of the expansion "
            f"(MAX_EXPANSION_WORK = {MAX_EXPANSION_WORK}); lower the accuracy"
        )
    shifts = [
        tuple(o * h for o, h in zip(point, steps, strict=True))
        for point in chosen_points
    ]
    expansion = Expansion(shifts, weights, steps, op.dims)
    measured, group = expansion.error(op.terms)
    if measured is not None and measured < p:
        raise StencilError(
            f"the weights given reach accuracy {measured}, not {p}: give free weights "
            "that scale like the operator's (c/h_x**2 for second derivatives)"
        )
    return Operator(
        expression=operator_text(op.terms, op.dims),
        dims=op.dims,
        points=chosen_points,
        weights=tuple(weights),
        accuracy=measured,
        leading_error=expansion.expression(group),
        terms=dict(op.terms),
        note=note,
        construction="default" if points is None else "points",
        requested=p,
    )
