r"""Optimised (DRP) stencils and compact schemes under exact accuracy constraints.

A scheme :math:`\sum_l \alpha_l f^{(m)}_{i+l} = h^{-m}\sum_j b_j f(x_i + d_j h)`
keeps accuracy ``p`` when its Taylor coefficients
:math:`c_n = \sum_j b_j d_j^n/n! - \sum_l \alpha_l l^{n-m}/(n-m)!` vanish for
:math:`n < m + p` (with :math:`\alpha_0 = 1`). Those are linear equations with
rational coefficients: :func:`family` solves them exactly (fractions, no
floats) as a particular solution plus a basis of the free directions,

.. math:: u = u_0 + \sum_k c_k v_k .

:func:`design` then chooses the free values :math:`c_k` to minimise the
relative error of the symbol, :math:`e(\theta) = (\sigma(\theta) - \theta^m)/
\theta^m` (see :mod:`stencilgen.spectrum`):

* ``band`` only: least squares, :math:`\int_0^B |e|^2 d\theta` (explicit
  stencils; for compact schemes the linearised residual :math:`D\,e`, as in Lele
  1992, §3), or :math:`\int_0^B |\sigma - \theta^m|^2 d\theta` with
  ``objective="absolute"`` (Tam & Webb 1993);
* ``tolerance`` only: minimax — the widest band :math:`(0, B]` on which
  :math:`|e| \le \varepsilon` can hold, found by bisection over linear programs
  (:math:`|e| \le \varepsilon` is :math:`|N - (i\theta)^m D| \le \varepsilon
  \theta^m D`, linear in the unknowns when :math:`D > 0`); this maximises the
  resolving efficiency at :math:`\varepsilon`;
* both: minimax on that band, refused when :math:`\varepsilon` cannot be met.

The optimised :math:`c_k` are floats; they are then taken as the exact rationals
they are (``Fraction(float)``), so the final weights satisfy every accuracy
constraint *exactly* (residuals are zero in rational arithmetic) and print to
full double precision. The linear programs use SciPy (``scipy.optimize.linprog``,
imported inside the function; the ``design`` extra).

Examples
--------
>>> d = design(1, range(-3, 4), accuracy=4, tolerance=1e-3)
>>> [str(r) for r in d.residuals()]
['0', '0', '0', '0', '0']
>>> bool(d.report.points_per_wavelength <= 6.0)
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import sympy
from numpy.typing import NDArray

from stencilgen.errors import LimitError, StencilgenError
from stencilgen.limits import (
    MAX_DESIGN_POINTS,
    MAX_GRID_OFFSET,
    check_stencil_size,
    take_offsets,
)
from stencilgen.spectrum import (
    DEFAULT_TOLERANCE,
    Scheme,
    SpectralReport,
    check_tolerance,
    exp_tail,
    spectrum,
    taylor_coefficient,
)

__all__ = [
    "Design",
    "DesignError",
    "Family",
    "check_band",
    "design",
    "family",
    "solve_rational",
]

Objective = Literal["relative", "absolute"]


class DesignError(StencilgenError):
    """A design that cannot be made: no freedom, impossible accuracy or tolerance."""


def solve_rational(
    rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]
) -> tuple[list[Fraction], list[list[Fraction]]] | None:
    """Solve ``rows · u = rhs`` exactly: a particular solution and a null-space basis.

    Gauss-Jordan elimination in fractions; ``None`` when the system has no
    solution. Written here because the systems are tiny and exactness is the
    point (``sympy.Matrix.gauss_jordan_solve`` does the same, far slower).

    Examples
    --------
    >>> F = Fraction
    >>> solve_rational([[F(1), F(1)]], [F(2)])
    ([Fraction(2, 1), Fraction(0, 1)], [[Fraction(-1, 1), Fraction(1, 1)]])
    >>> solve_rational([[F(1)], [F(1)]], [F(1), F(2)]) is None
    True
    """
    n = len(rows[0]) if rows else 0
    matrix = [
        [*map(Fraction, row), Fraction(b)] for row, b in zip(rows, rhs, strict=True)
    ]
    pivots: list[int] = []
    r = 0
    for col in range(n):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                matrix[i] = [
                    x - factor * y for x, y in zip(matrix[i], matrix[r], strict=True)
                ]
        pivots.append(col)
        r += 1
    if any(row[n] != 0 for row in matrix[r:]):
        return None
    particular = [Fraction(0)] * n
    for i, col in enumerate(pivots):
        particular[col] = matrix[i][n]
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        vector = [Fraction(0)] * n
        vector[free] = Fraction(1)
        for i, col in enumerate(pivots):
            vector[col] = -matrix[i][free]
        basis.append(vector)
    return particular, basis


@dataclass(frozen=True)
class Family:
    """All schemes on given points that keep an accuracy, exactly.

    ``lhs`` and ``rhs`` vectors are ``u_0`` (with ``α_0 = 1``) and the basis
    directions ``v_k`` (with ``α_0 = 0``), in fractions.

    Attributes
    ----------
    derivative : int
    accuracy : int
    offsets : tuple of Fraction
        Right-hand side offsets relative to the evaluation point.
    lhs_offsets : tuple of int
        Left-hand side offsets (``(0,)`` for an explicit stencil).
    particular : tuple[tuple[Fraction, ...], tuple[Fraction, ...]]
        ``(α, b)`` of one member.
    basis : tuple of such pairs
        The free directions.
    """

    derivative: int
    accuracy: int
    offsets: tuple[Fraction, ...]
    lhs_offsets: tuple[int, ...]
    particular: tuple[tuple[Fraction, ...], tuple[Fraction, ...]]
    basis: tuple[tuple[tuple[Fraction, ...], tuple[Fraction, ...]], ...]

    @property
    def free(self) -> int:
        """How many free parameters remain."""
        return len(self.basis)

    def member(self, values: Sequence[Fraction]) -> Scheme:
        """The scheme ``u_0 + Σ c_k v_k`` for exact ``values`` ``c_k``."""
        lhs = list(self.particular[0])
        rhs = list(self.particular[1])
        for c, (va, vb) in zip(values, self.basis, strict=True):
            lhs = [a + c * x for a, x in zip(lhs, va, strict=True)]
            rhs = [b + c * x for b, x in zip(rhs, vb, strict=True)]
        return Scheme.make(self.derivative, self.offsets, rhs, self.lhs_offsets, lhs)


def _fractions(values: Iterable[Any], what: str) -> tuple[Fraction, ...]:
    out = []
    for v in values:
        expr = sympy.sympify(v) if not isinstance(v, int | Fraction) else v
        if isinstance(expr, int | Fraction):
            out.append(Fraction(expr))
        elif getattr(expr, "is_Rational", False):
            out.append(Fraction(int(expr.p), int(expr.q)))
        else:
            raise DesignError(f"{what} must be rational numbers, got {v!r}")
    if len(set(out)) != len(out):
        raise DesignError(f"{what} repeat a value; give each point once")
    return tuple(out)


def family(
    derivative: int,
    offsets: Iterable[Any],
    accuracy: int,
    lhs_offsets: Iterable[int] = (0,),
    at: Any = 0,
    symmetric: bool | None = None,
) -> Family:
    """The exact family of schemes on the points that keep ``accuracy``.

    ``symmetric`` (default: whenever both point sets are symmetric about the
    evaluation point) adds the central-scheme symmetry: ``α_{-l} = α_l`` and
    ``b_{-j} = (-1)^m b_j`` (no dissipation).

    Examples
    --------
    >>> f = family(1, range(-3, 4), accuracy=4)
    >>> f.free, f.particular[1]  # one free weight; the member with b_3 = 0
    (1, (Fraction(0, 1), Fraction(1, 12), Fraction(-2, 3), Fraction(0, 1), Fraction(2, 3), Fraction(-1, 12), Fraction(0, 1)))
    >>> family(1, [-1, 0, 1], accuracy=4)
    Traceback (most recent call last):
    ...
    stencilgen.design.DesignError: accuracy 4 of derivative 1 cannot be kept on 3 points (offsets -1, 0, 1): give more points or a lower accuracy
    """  # noqa: E501
    if (
        isinstance(derivative, bool)
        or not isinstance(derivative, int)
        or derivative < 1
    ):
        raise DesignError(f"derivative must be a whole number >= 1, got {derivative!r}")
    if isinstance(accuracy, bool) or not isinstance(accuracy, int) or accuracy < 1:
        raise DesignError(f"accuracy must be a whole number >= 1, got {accuracy!r}")
    offsets = take_offsets(offsets)
    lhs_offsets = take_offsets(lhs_offsets)
    check_stencil_size(derivative, offsets, at)
    count = len(offsets) + len(lhs_offsets) - 1  # the point itself is no unknown
    if count > MAX_DESIGN_POINTS:
        raise LimitError(
            f"{count} points (both sides) is more than the limit of "
            f"{MAX_DESIGN_POINTS} (MAX_DESIGN_POINTS); use fewer offsets"
        )
    origin = _fractions([at], "at")[0]
    points = _fractions(offsets, "offsets")
    d = tuple(p - origin for p in points)
    lhs_points = _fractions(lhs_offsets, "left-hand offsets")
    if any(x.denominator != 1 for x in lhs_points):
        raise DesignError("left-hand offsets are grid points: whole numbers")
    lo = tuple(int(x) for x in lhs_points)
    if any(abs(x) > MAX_GRID_OFFSET for x in (*points, *lhs_points)):
        raise LimitError(
            f"an offset beyond ±{MAX_GRID_OFFSET} (MAX_GRID_OFFSET); use offsets "
            "nearer the point"
        )
    if 0 not in lo:
        raise DesignError("the left-hand offsets must include 0 (the point itself)")
    m = derivative
    if symmetric is None:
        symmetric = set(d) == {-x for x in d} and set(lo) == {-x for x in lo}
    elif symmetric and not (set(d) == {-x for x in d} and set(lo) == {-x for x in lo}):
        raise DesignError(
            "symmetric=True needs point sets symmetric about the evaluation point"
        )
    free_lhs = [x for x in lo if x != 0]
    size = len(free_lhs) + len(d)
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    for n in range(m + accuracy):
        row = [Fraction(0)] * size
        if n >= m:
            for i, left in enumerate(free_lhs):
                row[i] = -(Fraction(left) ** (n - m)) / math.factorial(n - m)
        for j, right in enumerate(d):
            row[len(free_lhs) + j] = right**n / math.factorial(n)
        rows.append(row)
        rhs.append(Fraction(1) if n == m else Fraction(0))
    if symmetric:
        sign = -1 if m % 2 else 1
        for i, left in enumerate(free_lhs):
            if left > 0:
                row = [Fraction(0)] * size
                row[i], row[free_lhs.index(-left)] = Fraction(1), Fraction(-1)
                rows.append(row)
                rhs.append(Fraction(0))
        for j, x in enumerate(d):
            if x >= 0:
                row = [Fraction(0)] * size
                k = len(free_lhs)
                row[k + j] += 1
                row[k + d.index(-x)] -= sign
                rows.append(row)
                rhs.append(Fraction(0))
    shown = ", ".join(str(p) for p in points)
    solution = solve_rational(rows, rhs)
    if solution is None:
        raise DesignError(
            f"accuracy {accuracy} of derivative {m} cannot be kept on {len(d)} "
            f"points (offsets {shown}): give more points or a lower accuracy"
        )
    particular, basis = solution

    def split(u: Sequence[Fraction], lead: int) -> tuple[tuple[Fraction, ...], ...]:
        alpha = dict(zip(free_lhs, u[: len(free_lhs)], strict=True))
        alpha[0] = Fraction(lead)
        return tuple(alpha[x] for x in lo), tuple(u[len(free_lhs) :])

    return Family(
        m,
        accuracy,
        d,
        lo,
        split(particular, 1),  # type: ignore[arg-type]
        tuple(split(v, 0) for v in basis),  # type: ignore[misc]
    )


def check_band(band: Any) -> float:
    """``band`` (θ in radians, ``0 < B <= π``) as a float, or a one-line error.

    Examples
    --------
    >>> check_band(math.pi / 2)
    1.5707963267948966
    >>> check_band(4)
    Traceback (most recent call last):
    ...
    stencilgen.design.DesignError: band must be a wavenumber θ = k·h with 0 < θ <= π (3.14159...), got 4; a grid resolves nothing beyond π
    """  # noqa: E501
    try:
        value = float(band)
    except (TypeError, ValueError):
        value = math.nan
    if not (0 < value <= math.pi * (1 + 1e-15)):
        raise DesignError(
            "band must be a wavenumber θ = k·h with 0 < θ <= π (3.14159...), got "
            f"{band}; a grid resolves nothing beyond π"
        )
    return min(value, math.pi)


class _Residuals:
    """The relative-error pieces of a family on a θ grid, without cancellation.

    ``r[k](θ) = E_k(θ)/(iθ)^m`` and ``D[k](θ)`` for ``k = 0`` (the particular
    member) and each basis direction, so that for ``u = u_0 + Σ c_k v_k``:
    ``e(θ) = (r_0 + Σ c_k r_k)/(D_0 + Σ c_k D_k)``.
    """

    def __init__(self, fam: Family, theta: NDArray[np.float64]) -> None:
        m = fam.derivative
        K = m + fam.accuracy
        tails_b = [exp_tail(1j * theta * float(x), K) for x in fam.offsets]
        tails_a = [exp_tail(1j * theta * x, K - m) for x in fam.lhs_offsets]
        waves = [np.exp(1j * theta * x) for x in fam.lhs_offsets]
        self.r: list[NDArray[np.complex128]] = []
        self.D: list[NDArray[np.complex128]] = []
        for alpha, b in (fam.particular, *fam.basis):
            E = sum(
                (float(w) * t for w, t in zip(b, tails_b, strict=True) if w),
                np.zeros(theta.shape, complex),
            )
            A = sum(
                (float(w) * t for w, t in zip(alpha, tails_a, strict=True) if w),
                np.zeros(theta.shape, complex),
            )
            self.r.append(E / (1j * theta) ** m - A)
            self.D.append(
                sum(
                    (float(w) * t for w, t in zip(alpha, waves, strict=True) if w),
                    np.zeros(theta.shape, complex),
                )
            )


@dataclass(frozen=True)
class Design:
    """An optimised scheme: exact weights, how they were chosen, and the result.

    Attributes
    ----------
    family : Family
        The exact constraints' solution set.
    values : tuple of Fraction
        The chosen free parameters (exactly the doubles the optimiser found).
    scheme : Scheme
        The member: exact weights satisfying every constraint exactly.
    method : str
        ``"least squares"`` or ``"minimax"``.
    objective : str
        What was minimised, in words.
    band : float
        The wavenumber band ``(0, B]`` optimised over.
    objective_value : float
        The value reached (integral, or largest relative error on the band).
    report : SpectralReport
        The spectral report at ``tolerance``.
    """

    family: Family
    values: tuple[Fraction, ...]
    scheme: Scheme
    method: str
    objective: str
    band: float
    objective_value: float
    report: SpectralReport

    def residuals(self) -> tuple[Fraction, ...]:
        """The exact Taylor coefficients ``c_n`` for ``n < m + accuracy``.

        All are zero when the constraints hold exactly (``c_m = Σ b d^m/m! -
        Σ α`` included).
        """
        s = self.scheme
        return tuple(
            taylor_coefficient(
                n, s.derivative, s.offsets, s.weights, s.lhs_offsets, s.lhs_weights
            )
            for n in range(s.derivative + self.family.accuracy)
        )

    @property
    def weights(self) -> tuple[float, ...]:
        """Right-hand side weights as doubles (exactly rounded)."""
        return tuple(float(w) for w in self.scheme.weights)

    @property
    def lhs_weights(self) -> tuple[float, ...]:
        """Left-hand side weights as doubles."""
        return tuple(float(w) for w in self.scheme.lhs_weights)


def _require_scipy() -> Any:
    try:
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - scipy is in the test extra
        raise DesignError(
            "minimax designs need SciPy; pip install 'stencilgen[design]' or give "
            "--band alone for a least-squares design"
        ) from None
    return linprog


def _lp_feasible(
    fam: Family, band: float, tolerance: float, grid: int = 600
) -> NDArray[np.float64] | None:
    """Free values with ``|e| <= tolerance`` on ``(0, band]`` (and ``D > 0``)."""
    linprog = _require_scipy()
    theta = np.linspace(band / grid, band, grid)
    res = _Residuals(fam, theta)
    positivity = [
        np.cos(np.outer(np.linspace(0, math.pi, 181), fam.lhs_offsets))
        @ np.array([float(a) for a in alpha])
        for alpha, _ in (fam.particular, *fam.basis)
    ]
    n = fam.free
    rows: list[NDArray[np.float64]] = []
    bounds: list[NDArray[np.float64]] = []
    complex_valued = any(np.any(np.abs(r.imag) > 1e-12) for r in res.r)
    complex_valued |= any(np.any(np.abs(D.imag) > 1e-12) for D in res.D)
    if complex_valued and fam.lhs_offsets != (0,):
        raise DesignError(
            "minimax compact designs need symmetric point sets (a real symbol); "
            "use symmetric offsets or a least-squares --band design"
        )
    directions = 16 if complex_valued else 2
    # |e| <= ε ⟸ Re(r·e^{-iφ}) <= ε·cos(π/P)·D for P directions φ (a polygon
    # inside the circle); for a real symbol P = 2 is exact.
    shrink = math.cos(math.pi / directions) if complex_valued else 1.0
    for k in range(directions):
        phase = np.exp(-2j * math.pi * k / directions)
        # Re(phase·(r0 + Σ c r_j)) - ε' (D0 + Σ c D_j) <= 0
        A = np.stack(
            [
                (phase * res.r[j + 1]).real - tolerance * shrink * res.D[j + 1].real
                for j in range(n)
            ],
            axis=1,
        )
        b = -((phase * res.r[0]).real - tolerance * shrink * res.D[0].real)
        rows.append(A)
        bounds.append(b)
    # D(θ) >= 0.01 on [0, π]: a positive definite left-hand side, condition
    # number at most D(0)/0.01 (Lele's spectral-like scheme has D(π) = 0.025).
    if fam.lhs_offsets != (0,):
        A = -np.stack(positivity[1:], axis=1)
        rows.append(A)
        bounds.append(positivity[0] - 0.01)
    result = linprog(
        np.zeros(n),
        A_ub=np.concatenate(rows),
        b_ub=np.concatenate(bounds),
        bounds=[(None, None)] * n,
        method="highs",
    )
    if result.status != 0:
        return None
    values: NDArray[np.float64] = result.x
    return values


def _least_squares(
    fam: Family, band: float, objective: Objective
) -> tuple[NDArray[np.float64], float]:
    nodes, quad = np.polynomial.legendre.leggauss(200)
    theta = band * (nodes + 1) / 2
    quad = quad * band / 2
    res = _Residuals(fam, theta)
    scale = theta**fam.derivative if objective == "absolute" else np.ones_like(theta)
    root = np.sqrt(quad) * scale
    A = np.stack([root * r for r in res.r[1:]], axis=1)
    y = -root * res.r[0]
    A_real = np.concatenate([A.real, A.imag])
    y_real = np.concatenate([y.real, y.imag])
    values, *_ = np.linalg.lstsq(A_real, y_real, rcond=None)
    value = float(np.sum((A_real @ values - y_real) ** 2))
    return values, value


def design(
    derivative: int,
    offsets: Iterable[Any],
    accuracy: int,
    *,
    band: float | None = None,
    tolerance: float | None = None,
    lhs_offsets: Iterable[int] = (0,),
    at: Any = 0,
    symmetric: bool | None = None,
    objective: Objective = "relative",
) -> Design:
    """Choose the free weights of a scheme that keeps ``accuracy`` exactly.

    Parameters
    ----------
    derivative, offsets, accuracy, at
        As for :func:`stencilgen.make_stencil`; ``accuracy`` is kept exactly.
    band : float, optional
        Optimise over wavenumbers ``0 < θ <= band`` (at most π). Alone: least
        squares.
    tolerance : float, optional
        Alone: the widest band with relative error at most ``tolerance``
        (minimax). With ``band``: minimax on the band, refused if the tolerance
        cannot be met there. Also the tolerance of the report (default 1e-3).
    lhs_offsets : iterable of int
        Left-hand side offsets of a compact scheme, e.g. ``(-1, 0, 1)``.
    symmetric : bool, optional
        Impose the central symmetry (default: when the points allow it).
    objective : {"relative", "absolute"}
        Least squares of ``|σ - θ^m|/θ^m`` or of ``|σ - θ^m|`` (Tam & Webb).

    Raises
    ------
    DesignError
        No free weight, an impossible accuracy, a band outside ``(0, π]``, or a
        tolerance that cannot be met.

    Examples
    --------
    >>> d = design(1, range(-3, 4), accuracy=4, band=math.pi / 2)
    >>> d.method, d.scheme.accuracy, all(r == 0 for r in d.residuals())
    ('least squares', 4, True)
    """
    fam = family(derivative, offsets, accuracy, lhs_offsets, at, symmetric)
    if fam.free == 0:
        raise DesignError(
            f"no free weight remains: accuracy {accuracy} on these points fixes "
            "every weight; add points or lower the accuracy"
        )
    if objective not in ("relative", "absolute"):
        raise DesignError(
            f"objective must be 'relative' or 'absolute', got {objective!r}"
        )
    if band is not None:
        band = check_band(band)
    report_tolerance = DEFAULT_TOLERANCE if tolerance is None else tolerance
    report_tolerance = check_tolerance(report_tolerance)
    if tolerance is None:
        if band is None:
            raise DesignError("give a band (least squares) or a tolerance (minimax)")
        values, value = _least_squares(fam, band, objective)
        what = "|σ - θ^m|" if objective == "absolute" else "|σ - θ^m|/θ^m"
        method, text = "least squares", f"∫ {what}² dθ over (0, {band:.6g}]"
    elif band is not None:
        found = _minimax(fam, band)
        if found is None or found[1] > report_tolerance:
            best = "unbounded" if found is None else f"{found[1]:.3g}"
            raise DesignError(
                f"tolerance {report_tolerance:g} cannot be met on the band (0, "
                f"{band:.6g}]: the smallest largest relative error there is {best}; "
                "narrow the band, raise the tolerance or add points"
            )
        values, value = found
        method, text = "minimax", f"max |σ - θ^m|/θ^m over (0, {band:.6g}]"
    else:
        band, values = _widest_band(fam, report_tolerance)
        value = report_tolerance
        method = "minimax"
        text = f"widest band with max |σ - θ^m|/θ^m <= {report_tolerance:g}"
    exact = tuple(Fraction(float(c)) for c in values)
    scheme = fam.member(exact)
    report = spectrum(scheme, report_tolerance)
    return Design(fam, exact, scheme, method, text, band, value, report)


def _minimax(fam: Family, band: float) -> tuple[NDArray[np.float64], float] | None:
    """Smallest largest relative error on the band, by bisection on ε."""
    low, high = 0.0, 1.0
    best = _lp_feasible(fam, band, high)
    if best is None:
        return None
    for _ in range(40):
        middle = math.sqrt(low * high) if low > 0 else high / 16
        if high - low <= 1e-4 * high:
            break
        values = _lp_feasible(fam, band, middle)
        if values is None:
            low = middle
        else:
            high, best = middle, values
    return best, high


def _widest_band(fam: Family, tolerance: float) -> tuple[float, NDArray[np.float64]]:
    """The widest band ``(0, B]`` with relative error within the tolerance."""
    # A small margin keeps the error within tolerance between the LP's nodes.
    target = tolerance * (1 - 2e-3)
    low, high = 0.0, math.pi
    best = _lp_feasible(fam, high, target)
    if best is not None:
        return high, best
    for _ in range(30):
        middle = 0.5 * (low + high)
        values = _lp_feasible(fam, middle, target)
        if values is None:
            high = middle
        else:
            low, best = middle, values
    if best is None:
        raise DesignError(
            f"tolerance {tolerance:g} cannot be met on any band; raise it"
        )
    return low, best
