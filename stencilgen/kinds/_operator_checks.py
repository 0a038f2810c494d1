"""Numerical verification of generated ``operator`` modules.

For each operator: the worst error on random polynomials of degree up to
``accuracy + derivative - 1`` (which the stencils must differentiate exactly, to
rounding) at every output point, and the convergence order measured on a smooth
function over refined grids, separately for the interior points and the edge
points. Coordinate-grid operators are checked on uniform and on randomly perturbed
grids.

The step sizes are chosen per stencil so that the truncation error dominates the
rounding error on every grid: the finest step satisfies ``h**(p + m) ≈ 1e-9``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from stencilgen.verify import (
    POLYNOMIAL_TOLERANCE,
    Case,
    VerifyRow,
    convergence_order,
    order_ok,
    perturbed_grid,
    polynomial_cases,
    relative_error,
    smooth_cases,
)

if TYPE_CHECKING:
    from stencilgen.kinds.operator import Plan

__all__ = ["check"]

Array = npt.NDArray[np.floating[Any]]
_START = 0.3
_REFINEMENTS = 4
_RATIO = 1.6


def check(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Rows for one operator module: one per grid kind checked."""
    c = plan.config
    if c.grid == "coordinates":
        return [
            _row(plan, module, "uniform x", False),
            _row(plan, module, "perturbed x", True),
        ]
    return [_row(plan, module, "uniform", False)]


def _row(plan: Plan, module: ModuleType, note: str, perturbed: bool) -> VerifyRow:
    c = plan.config
    apply = _applier(plan, module)
    polynomial = _polynomial_error(plan, apply, perturbed)
    interior, boundary = _orders(plan, apply, perturbed)
    passed = (
        polynomial <= POLYNOMIAL_TOLERANCE
        and order_ok(interior, c.accuracy)
        and order_ok(boundary, c.accuracy)
    )
    return VerifyRow(
        c.name, c.name, c.accuracy, interior, boundary, polynomial, passed, note
    )


Apply = Callable[[Array, Array, float], Array]


def _applier(plan: Plan, module: ModuleType) -> Apply:
    op = getattr(module, plan.config.name)
    if plan.config.grid == "coordinates":
        return lambda f, x, h: np.asarray(op(f, x))
    return lambda f, x, h: np.asarray(op(f, h))


def _grid(plan: Plan, n: int, length: float, perturbed: bool) -> tuple[Array, float]:
    """N points on [START, START + length] (the end excluded when periodic)."""
    if plan.config.boundary == "periodic":
        h = length / n
        return _START + h * np.arange(n), h
    h = length / (n - 1)
    if perturbed:
        return perturbed_grid(n, _START, _START + length, seed=7), h
    return _START + h * np.arange(n), h


def _positions(plan: Plan, x: Array, h: float) -> tuple[Array, slice, list[int]]:
    """Where each output is taken, which outputs are interior, which are edges."""
    c = plan.config
    n = x.shape[0]
    lo, hi = plan.before, plan.after
    at = float(c.at) * h
    if c.boundary == "valid":
        points = x[lo : n - hi] + at
        return points, slice(0, points.shape[0]), []
    edges = list(range(lo)) + list(range(n - hi, n))
    return x + at, slice(lo, n - hi), edges


def _polynomial_error(plan: Plan, apply: Apply, perturbed: bool) -> float:
    c = plan.config
    n = plan.min_points + 6
    x, h = _grid(plan, n, 0.1 * (n - 1), perturbed)
    points, interior, edges = _positions(plan, x, h)
    keep = interior if c.boundary == "periodic" else slice(None)
    worst = 0.0
    for case in polynomial_cases(c.accuracy + c.derivative - 1):
        result = apply(case.function(x), x, h)
        exact = case.derivative(c.derivative)(points)
        worst = max(worst, relative_error(result[keep], exact[keep]))
    del edges
    return worst


def _steps(plan: Plan, digits: float) -> list[float]:
    c = plan.config
    finest = 10 ** (-digits / (c.accuracy + c.derivative))
    return [finest * _RATIO**k for k in range(_REFINEMENTS)]


def _orders(plan: Plan, apply: Apply, perturbed: bool) -> tuple[float, float | None]:
    # One-sided edge stencils have larger error constants than the interior one
    # and reach their asymptotic rate only on finer grids: measure each on its
    # own sweep (edges: finer steps).
    interior, _ = _sweep(plan, apply, perturbed, _steps(plan, 9.0))
    _, boundary = _sweep(plan, apply, perturbed, _steps(plan, 11.5))
    return interior, boundary


def _sweep(
    plan: Plan, apply: Apply, perturbed: bool, steps: list[float]
) -> tuple[float, float | None]:
    c = plan.config
    length = steps[-1] * (3 * plan.min_points + 10)
    case: Case
    if c.boundary == "periodic":
        case = smooth_cases(period=length)[0]
    else:
        case = smooth_cases()[0]
    hs, inner, outer = [], [], []
    for target in steps:
        n = round(length / target) + (0 if c.boundary == "periodic" else 1)
        x, h = _grid(plan, n, length, perturbed)
        points, interior, edges = _positions(plan, x, h)
        error = np.abs(
            apply(case.function(x), x, h) - case.derivative(c.derivative)(points)
        )
        hs.append(h)
        inner.append(float(np.max(error[interior])))
        if edges:
            outer.append(float(np.max(error[edges])))
    boundary = convergence_order(hs, outer) if outer else None
    return convergence_order(hs, inner), boundary
