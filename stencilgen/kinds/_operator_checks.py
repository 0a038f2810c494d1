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

from stencilgen.stencil import Stencil, make_stencil
from stencilgen.verify import (
    POLYNOMIAL_TOLERANCE,
    VerifyRow,
    order_ok,
    perturbed_grid,
    polynomial_cases,
    relative_error,
    stable_order,
    wave_case,
)

if TYPE_CHECKING:
    from stencilgen.kinds.operator import Plan

__all__ = ["check"]

Array = npt.NDArray[np.floating[Any]]
_START = 0.3
_RATIO = 1.5
_REFINEMENTS = 11  # steps over a factor 1.5**10 ≈ 58
_FREQUENCY = 1.3
_MARGIN = 30.0  # truncation over rounding error on the finest grid


def check(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Rows for one operator module: one per grid kind checked."""
    c = plan.config
    if c.grid == "coordinates":
        return [
            _row(plan, module, "uniform x", False),
            _row(plan, module, "perturbed x", True),
        ]
    return [_row(plan, module, "uniform", False)]


def _claims(plan: Plan, perturbed: bool) -> tuple[int, int | None]:
    """The accuracy the engine promises on this grid, interior and edges.

    On a perturbed grid every window has its generic accuracy (the entry's).
    On a uniform grid the engine's accuracy of the integer offsets holds, which
    symmetry can raise (a centred 5-point window for f'' gains an order).
    """
    c = plan.config
    edges = (*plan.left, *plan.right)
    if perturbed:
        wraps = c.boundary == "periodic"
        return c.accuracy, c.accuracy if edges or wraps else None
    if c.design is not None:  # designed weights: the accuracy kept exactly
        interior = plan.interior.accuracy
    else:
        interior = make_stencil(c.derivative, c.offsets, c.at).accuracy
    assert interior is not None
    accuracies = [e.stencil.accuracy for e in edges if e.stencil.accuracy is not None]
    if c.boundary == "periodic":
        return interior, interior
    return interior, min(accuracies) if edges else None


def _row(plan: Plan, module: ModuleType, note: str, perturbed: bool) -> VerifyRow:
    c = plan.config
    apply = _applier(plan, module)
    polynomial, allowance = _polynomial_error(plan, apply, perturbed)
    if c.grid == "uniform":
        # Arrays of several dimensions take another code path (ufuncs per term
        # rather than np.convolve): exact on polynomials too, checked along
        # axis 1.
        lines = _polynomial_error(plan, _across_lines(apply), perturbed)
        polynomial, allowance = max(polynomial, lines[0]), max(allowance, lines[1])
    interior, boundary = _orders(plan, apply, perturbed)
    inner_claim, edge_claim = _claims(plan, perturbed)
    passed = (
        polynomial <= max(POLYNOMIAL_TOLERANCE, allowance)
        and order_ok(interior, inner_claim)
        and (
            order_ok(boundary, edge_claim)
            if edge_claim is not None
            else boundary is None  # no edges: nothing measured, nothing claimed
        )
    )
    if inner_claim != c.accuracy:
        note += f"; accuracy {inner_claim} on this grid"
    if edge_claim is not None and edge_claim != inner_claim:
        note += f"; edges {edge_claim}"
    return VerifyRow(
        c.name, c.name, c.accuracy, interior, boundary, polynomial, passed, note
    )


Apply = Callable[[Array, Array, float], Array]


def _applier(plan: Plan, module: ModuleType) -> Apply:
    op = getattr(module, plan.config.name)
    if plan.config.grid == "coordinates" and plan.config.boundary == "periodic":
        # The periodic grids below have n points per period of length n·h.
        return lambda f, x, h: np.asarray(op(f, x, h * x.shape[0]))
    if plan.config.grid == "coordinates":
        return lambda f, x, h: np.asarray(op(f, x))
    return lambda f, x, h: np.asarray(op(f, h))


def _across_lines(apply: Apply) -> Apply:
    """``apply`` on a 2-D array of two copies of f, the row back."""
    return lambda f, x, h: apply(np.stack([f, f]), x, h)[1]


def _grid(plan: Plan, n: int, length: float, perturbed: bool) -> tuple[Array, float]:
    """N points on [START, START + length] (the end excluded when periodic)."""
    if plan.config.boundary == "periodic":
        h = length / n
        if perturbed:
            return _START + h * _periodic_perturbed(n), h
        return _START + h * np.arange(n), h
    h = length / (n - 1)
    if perturbed:
        return perturbed_grid(n, _START, _START + length, seed=7), h
    return _START + h * np.arange(n), h


def _periodic_perturbed(n: int) -> Array:
    """0 .. n-1, each point moved randomly by up to 0.15 (one period is n).

    The points near the ends (where indices wrap) move the same way at every
    n, so their errors converge as cleanly as the interior's.
    """
    shift = np.random.default_rng(11).uniform(-0.15, 0.15, n)
    edge = min(8, n // 2)
    ends = np.random.default_rng(12).uniform(-0.15, 0.15, 2 * edge)
    shift[:edge], shift[n - edge :] = ends[:edge], ends[edge:]
    return np.arange(n) + shift


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


def _polynomial_error(plan: Plan, apply: Apply, perturbed: bool) -> tuple[float, float]:
    """Worst relative error on polynomials, and what rounding alone explains.

    The grid spans [-1, 1] so the polynomials stay of size 1; the rounding
    allowance is eps Σ|w| max|f| / h**m relative to the derivative's size,
    for the stencil with the largest weights.
    """
    c = plan.config
    n = plan.min_points + 6
    if c.boundary == "periodic":
        h = 2 / n
        x = -1 + h * (_periodic_perturbed(n) if perturbed else np.arange(n))
    elif perturbed:
        x, h = perturbed_grid(n, -1.0, 1.0, seed=3), 2 / (n - 1)
    else:
        h = 2 / (n - 1)
        x = -1 + h * np.arange(n)
    points, interior, _ = _positions(plan, x, h)
    keep = interior if c.boundary == "periodic" else slice(None)
    stencils = [plan.interior, *(e.stencil for e in (*plan.left, *plan.right))]
    size = max(float(sum(abs(w) for w in s.weights)) for s in stencils)
    worst, allowance = 0.0, 0.0
    for case in polynomial_cases(c.accuracy + c.derivative - 1):
        values = case.function(x)
        exact = case.derivative(c.derivative)(points)[keep]
        worst = max(worst, relative_error(apply(values, x, h)[keep], exact))
        scale = max(1.0, float(np.max(np.abs(exact)))) if exact.size else 1.0
        rounding = float(np.finfo(float).eps) * size * float(np.max(np.abs(values)))
        allowance = max(allowance, 100 * rounding / h**c.derivative / scale)
    return worst, allowance


def _rounding_limit(stencil: Stencil, a: float) -> float:
    """The step below which rounding error rivals the truncation error.

    From the engine's exact error term, for the wave exp(i a x): truncation
    ≈ |C| h**p a**(m+p), rounding ≈ eps Σ|w| / h**m.
    """
    if stencil.accuracy is None:
        return 0.0
    k = stencil.derivative + stencil.accuracy
    size = float(sum(abs(w) for w in stencil.weights))
    coefficient = abs(float(stencil.error_coefficient))
    ratio = _MARGIN * float(np.finfo(float).eps) * size / (coefficient * a**k)
    return float(ratio ** (1 / k))


def _orders(plan: Plan, apply: Apply, perturbed: bool) -> tuple[float, float | None]:
    """Measured orders, interior and edges, from one sequence of refined grids.

    The test function is the wave exp(i a x) (no accidental zeros of the error
    term). The steps grow by factors of 1.5 from the rounding limit; each
    region's order is the slope over its most consistent stretch of refinements
    (:func:`stencilgen.verify.stable_order`), which leaves out both the coarse
    grids where higher-order terms still matter and fine ones lost to rounding.
    """
    c = plan.config
    periodic = c.boundary == "periodic"
    stencils = [plan.interior, *(e.stencil for e in (*plan.left, *plan.right))]
    finest = max(_rounding_limit(s, _FREQUENCY) for s in stencils)
    steps = [finest * _RATIO**k for k in range(_REFINEMENTS)]
    length = steps[-1] * (3 * plan.min_points + 10)
    a = _FREQUENCY
    if periodic:
        # A whole number of waves on the period, at about the same frequency.
        a = 2 * np.pi * max(1, round(_FREQUENCY * length / (2 * np.pi))) / length
    case = wave_case(a)
    hs, inner, outer = [], [], []
    for target in steps:
        n = round(length / target) + (0 if periodic else 1)
        x, h = _grid(plan, n, length, perturbed)
        points, interior, edges = _positions(plan, x, h)
        exact = case.derivative(c.derivative)(points)
        error = np.abs(apply(case.function(x), x, h) - exact)
        hs.append(h)
        inner.append(float(np.max(error[interior])))
        if edges:
            outer.append(float(np.max(error[edges])))
    boundary = stable_order(hs, outer) if outer else None
    return stable_order(hs, inner), boundary
