"""Run generated source numerically: polynomial exactness and convergence orders.

Verification is part of the build: every rendered module is imported in memory
(:func:`load_module`, nothing written) and its kind's ``verify`` checks it with
the helpers here, returning :class:`VerifyRow` values that a
:class:`VerifyReport` prints as a table.

* **Polynomial exactness** — a stencil of accuracy ``p`` for derivative ``m`` is
  exact on polynomials of degree up to ``p + m - 1``; :func:`polynomial_cases`
  gives random such polynomials with their exact derivatives, and
  :func:`relative_error` measures the worst error against the rounding scale.
* **Convergence** — on smooth functions (:func:`smooth_cases`) over refined grids,
  uniform and randomly perturbed (:func:`perturbed_grid`), the error should fall
  like :math:`h^p`: :func:`convergence_order` fits the log-log slope, and
  :func:`order_ok` accepts it within :data:`ORDER_TOLERANCE` of the claim.

Examples
--------
>>> convergence_order([0.1, 0.05, 0.025], [1e-2, 2.5e-3, 6.25e-4])
2.0
>>> order_ok(3.8, 4)
True
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "ORDER_TOLERANCE",
    "POLYNOMIAL_TOLERANCE",
    "Case",
    "VerifyReport",
    "VerifyRow",
    "convergence_order",
    "load_module",
    "order_ok",
    "perturbed_grid",
    "polynomial_cases",
    "relative_error",
    "smooth_cases",
    "stable_order",
    "wave_case",
]

#: How far a measured convergence order may be from the claimed accuracy.
ORDER_TOLERANCE = 0.3
#: Largest accepted polynomial error, relative to the function's scale.
POLYNOMIAL_TOLERANCE = 1e-8

Array = npt.NDArray[np.floating[Any]]
Func = Callable[[Array], Array]


@dataclass(frozen=True)
class VerifyRow:
    """One verified function (or variant) of a generated module.

    Attributes
    ----------
    module : str
        The spec entry / module name.
    function : str
        What was checked, e.g. ``"d2_central8"`` or ``"gradient edge_order=2"``.
    claimed : int or None
        The accuracy the module claims (``None``: not an accuracy claim).
    interior, boundary : float or None
        Measured convergence orders (``None``: not measured, e.g. no boundary).
    polynomial : float or None
        Worst relative error on polynomials the stencil must differentiate
        exactly (``None``: not measured).
    passed : bool
        Whether every check of this row passed.
    note : str
        Short remark: the grid, or why it failed.
    """

    module: str
    function: str
    claimed: int | None
    interior: float | None
    boundary: float | None
    polynomial: float | None
    passed: bool
    note: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """All rows of a build or ``stencilgen verify`` run."""

    rows: tuple[VerifyRow, ...]

    @property
    def ok(self) -> bool:
        """True when every row passed."""
        return all(row.passed for row in self.rows)

    def table(self) -> str:
        """The rows as an aligned plain-text table.

        Examples
        --------
        >>> row = VerifyRow("d1", "d1", 2, 2.0, 2.01, 1e-15, True, "uniform")
        >>> print(VerifyReport((row,)).table())
        module  function  accuracy  interior  boundary  poly error  result  note
        d1      d1        2         2.00      2.01      1.0e-15     ok      uniform
        """
        header = (
            "module",
            "function",
            "accuracy",
            "interior",
            "boundary",
            "poly error",
            "result",
            "note",
        )
        body = [
            (
                row.module,
                row.function,
                "-" if row.claimed is None else str(row.claimed),
                _fixed(row.interior),
                _fixed(row.boundary),
                "-" if row.polynomial is None else f"{row.polynomial:.1e}",
                "ok" if row.passed else "FAILED",
                row.note,
            )
            for row in self.rows
        ]
        widths = [max(len(r[k]) for r in (header, *body)) for k in range(len(header))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True))
            for r in (header, *body)
        ]
        return "\n".join(line.rstrip() for line in lines)


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def load_module(source: str, name: str) -> types.ModuleType:
    """Import generated ``source`` as a module named ``name``, in memory only.

    The text is our own rendered output (never user text). The module is not
    added to ``sys.modules``.
    """
    module = types.ModuleType(name)
    module.__file__ = f"<stencilgen:{name}>"
    code = compile(source, module.__file__, "exec")
    exec(code, module.__dict__)
    return module


def convergence_order(steps: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of ``log(error)`` against ``log(step)``.

    Examples
    --------
    >>> round(convergence_order([1, 0.5, 0.25], [1, 0.125, 0.015625]), 6)
    3.0
    """
    if len(steps) != len(errors) or len(steps) < 2:
        raise ValueError("need at least two (step, error) pairs of equal length")
    x = np.log(np.asarray(steps, dtype=float))
    floor = np.finfo(float).tiny
    y = np.log(np.maximum(np.asarray(errors, dtype=float), floor))
    slope = np.polyfit(x, y, 1)[0]
    return float(round(slope, 12))


def stable_order(
    steps: Sequence[float], errors: Sequence[float], width: int = 4
) -> float:
    """The convergence order over the most consistent ``width`` refinements.

    The local slopes between successive grids drift on coarse grids (higher-order
    terms) and scatter on fine ones (rounding); the stretch of ``width``
    successive grids whose local slopes agree best is the asymptotic range, and
    its least-squares slope is the measured order. The choice looks only at the
    spread of the slopes, never at the order claimed.

    Examples
    --------
    >>> h = [2.0**-k for k in range(16)]
    >>> e = [x**2 * (1 + 4 * x) + 1e-11 for x in h]  # coarse drift, fine floor
    >>> round(stable_order(h, e), 2), round(convergence_order(h, e), 2)
    (2.0, 2.11)
    """
    if len(steps) != len(errors):
        raise ValueError("need one error per step")
    if len(steps) <= width:
        return convergence_order(steps, errors)
    ranks = np.argsort(steps)
    h = np.log(np.asarray(steps, dtype=float)[ranks])
    floor = np.finfo(float).tiny
    e = np.log(np.maximum(np.asarray(errors, dtype=float)[ranks], floor))
    slopes = np.diff(e) / np.diff(h)
    spreads = [
        float(np.ptp(slopes[j : j + width - 1])) for j in range(len(h) - width + 1)
    ]
    best = int(np.argmin(spreads))
    chosen = ranks[best : best + width]
    return convergence_order([steps[i] for i in chosen], [errors[i] for i in chosen])


def order_ok(measured: float | None, claimed: int) -> bool:
    """Whether a measured order is within :data:`ORDER_TOLERANCE` of the claim.

    A claim that was never measured (``None``) fails: verification must not
    pass what it did not check.

    Examples
    --------
    >>> order_ok(2.1, 2), order_ok(None, 2), order_ok(float("nan"), 2)
    (True, False, False)
    """
    if measured is None:
        return False
    return math.isfinite(measured) and abs(measured - claimed) <= ORDER_TOLERANCE


@dataclass(frozen=True)
class Case:
    """A test function with its exact derivatives: ``derivative(k)(x)``."""

    name: str
    function: Func
    derivative: Callable[[int], Func]


def smooth_cases(period: float | None = None) -> tuple[Case, ...]:
    """Smooth, bounded test functions with exact derivatives of every order.

    ``period`` given: functions periodic with that period (for periodic
    boundaries). The frequencies and phases are generic so no leading error
    term vanishes everywhere by accident.

    Examples
    --------
    >>> case = smooth_cases()[0]
    >>> d1 = case.derivative(1)(np.array([0.0]))[0]
    >>> bool(np.isclose(d1, 1.3 * math.cos(0.4) - 0.6 * 0.7 * math.sin(0.2)))
    True
    """
    a, b, c, d = 1.3, 0.4, 0.7, 0.2
    if period is not None:
        a, c = 2 * math.pi / period, 4 * math.pi / period

    def f(x: Array) -> Array:
        result: Array = np.sin(a * x + b) + 0.6 * np.cos(c * x + d)
        return result

    def df(k: int) -> Func:
        def derivative(x: Array) -> Array:
            shift = k * math.pi / 2
            result: Array = a**k * np.sin(a * x + b + shift) + 0.6 * c**k * np.cos(
                c * x + d + shift
            )
            return result

        return derivative

    name = "sin+cos" if period is None else "periodic sin+cos"
    return (Case(name, f, df),)


def wave_case(frequency: float = 1.3) -> Case:
    """The complex wave exp(i a x), whose k-th derivative is (i a)**k exp(i a x).

    Its derivatives never vanish (|f^(k)| = a**k everywhere), so a stencil's
    leading error term has the same size at every point and a measured
    convergence order cannot be spoiled by a zero of f^(m+p) near a sample
    point. With ``a = 2*pi*j/L`` it is periodic on ``[0, L)``.

    Examples
    --------
    >>> case = wave_case(2.0)
    >>> complex(case.derivative(2)(np.array([0.0]))[0])
    (-4+0j)
    """

    def f(x: Array) -> Array:
        result: Array = np.exp(1j * frequency * x)
        return result

    def df(k: int) -> Func:
        def derivative(x: Array) -> Array:
            result: Array = (1j * frequency) ** k * np.exp(1j * frequency * x)
            return result

        return derivative

    return Case(f"exp({frequency:g}ix)", f, df)


def polynomial_cases(degree: int, seed: int = 1) -> tuple[Case, ...]:
    """Random polynomials of exactly ``degree`` (and each lower degree ≥ 0).

    Examples
    --------
    >>> case = polynomial_cases(2)[-1]
    >>> x = np.array([0.5])
    >>> bool(np.allclose(case.derivative(3)(x), 0))
    True
    """
    rng = np.random.default_rng(seed)
    cases = []
    for d in range(degree + 1):
        coefficients = rng.uniform(-1, 1, d + 1)
        poly = np.polynomial.Polynomial(coefficients)

        def make(p: np.polynomial.Polynomial) -> Case:
            def deriv(k: int) -> Func:
                q = p.deriv(k)

                def evaluate(x: Array) -> Array:
                    return np.asarray(q(x), dtype=float)

                return evaluate

            return Case(f"degree {p.degree()}", deriv(0), deriv)

        cases.append(make(poly))
    return tuple(cases)


def relative_error(approx: npt.ArrayLike, exact: npt.ArrayLike) -> float:
    """Worst ``|approx - exact|`` relative to ``max(1, max|exact|)``.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.5])
    0.2
    """
    a = np.asarray(approx)
    e = np.asarray(exact)
    scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
    return float(np.max(np.abs(a - e))) / scale if a.size else 0.0


def perturbed_grid(
    n: int, start: float, stop: float, *, seed: int = 0, amount: float = 0.3
) -> Array:
    """``n`` increasing points from ``start`` to ``stop``, randomly non-uniform.

    Each interior point moves by up to ``amount/2`` of the uniform spacing, so
    neighbouring spacings differ by a bounded ratio at every refinement (what
    convergence on non-uniform grids needs). The same ``seed`` gives the same
    relative geometry near both ends at every ``n`` (the right end mirrors the
    left), so errors at the edges converge cleanly under refinement while the
    interior stays random.

    Examples
    --------
    >>> x = perturbed_grid(5, 0.0, 1.0)
    >>> bool(x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0))
    True
    """
    rng = np.random.default_rng(seed)
    shift = rng.uniform(-amount / 2, amount / 2, n)
    edge = min(_EDGE_POINTS, n // 2)
    shift[n - edge :] = -shift[:edge][::-1]
    shift[0] = shift[-1] = 0.0
    return start + (stop - start) * (np.arange(n) + shift) / (n - 1)


_EDGE_POINTS = 12
