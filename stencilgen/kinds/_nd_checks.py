"""Numerical checks of generated N-D operator modules (the ``nd`` kind's verify).

* polynomial exactness: on a random polynomial of the degree the accuracy
  guarantees (every term of derivative order ``s`` is exact up to degree
  ``s + p - 1``), on a grid with a different step per axis (perturbed coordinates
  for coordinate grids), over the whole output: interior, edges and corners;
* convergence: on ``Re exp((a + ib)·x)`` (periodic: ``Re exp(i k·x)``) over three
  refinements, the error measured separately in the interior, on the edges (one
  axis within reach of an end) and at the corners (two or more), each fitted to
  a log-log slope that must be within the tolerance of the claimed accuracy;
* matrices: ``name_matrix(..., bc="periodic") @ u.ravel()`` against the periodic
  stencil applied with ``numpy.roll``; the Dirichlet matrix and its companion
  exact on polynomials; for Laplacian-like operators, a manufactured-solution
  Poisson solve (scipy's ``spsolve``) converging at the claimed accuracy.

The exact values come from differentiating the test functions in closed form,
never from the stencil.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from stencilgen.verify import (
    VerifyRow,
    convergence_order,
    order_ok,
    perturbed_grid,
    relative_error,
)

if TYPE_CHECKING:
    from stencilgen.kinds.nd import Plan

__all__ = ["check", "check_flux"]

_STEPS = (0.3, 0.45, 0.2, 0.35)
_A = (0.7, -0.4, 0.5, 0.3)
_B = (1.1, 0.8, -0.9, 0.6)


def _fields(plan: Plan, mesh: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Smooth coefficient arrays for the operator's coefficient names."""
    total = sum(mesh, np.zeros_like(mesh[0]))
    return {
        name: 1.0 + 0.4 * np.sin(0.9 * total + number)
        for number, name in enumerate(plan.coefficients)
    }


def _terms(plan: Plan, mesh: Sequence[np.ndarray]) -> list[tuple[Any, tuple[int, ...]]]:
    """(weight, alpha) per term; the weight an array for a coefficient array."""
    fields = _fields(plan, mesh)
    terms = []
    for alpha, c in plan.operator.terms.items():
        number, rest = sympy.sympify(c).as_coeff_Mul()
        weight: Any = float(number)
        if rest != 1:
            weight = weight * fields[str(rest)]
        terms.append((weight, alpha))
    return terms


def _grid(plan: Plan, n: int, seed: int = 0) -> list[np.ndarray]:
    ndim = len(plan.operator.dims)
    if plan.config.grid == "coordinates":
        return [perturbed_grid(n, 0.0, 1.0, seed=seed + d) for d in range(ndim)]
    return [np.linspace(0.0, 1.0, n) for _ in range(ndim)]


def _call(plan: Plan, function: Callable[..., Any], u: np.ndarray, axes1d: Any) -> Any:
    if plan.config.grid == "coordinates":
        return function(u, axes1d)
    steps = [float(x[1] - x[0]) for x in axes1d]
    fields = _fields(plan, np.meshgrid(*axes1d, indexing="ij"))
    return function(u, *[fields[name] for name in plan.coefficients], steps)


def _polynomial_case(
    plan: Plan, axes1d: Sequence[np.ndarray], degree: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A random polynomial of ``degree`` on the grid, and the operator applied."""
    ndim = len(axes1d)
    mesh = np.meshgrid(*axes1d, indexing="ij")
    monomials = [
        e for e in np.ndindex(*(degree + 1,) * ndim) if degree - 1 <= sum(e) <= degree
    ]
    coefficients = rng.uniform(-1.0, 1.0, len(monomials))
    u = np.zeros(mesh[0].shape)
    exact = np.zeros(mesh[0].shape)
    for c, e in zip(coefficients, monomials, strict=True):
        u += c * math.prod(x**k for x, k in zip(mesh, e, strict=True))
        for weight, alpha in _terms(plan, mesh):
            if any(a > k for a, k in zip(alpha, e, strict=True)):
                continue
            factor = math.prod(math.perm(k, a) for k, a in zip(e, alpha, strict=True))
            exact += (
                weight
                * c
                * factor
                * math.prod(
                    x ** (k - a) for x, k, a in zip(mesh, e, alpha, strict=True)
                )
            )
    return u, exact


def _polynomial(plan: Plan, function: Callable[..., Any]) -> float:
    op = plan.operator
    ndim = len(op.dims)
    degree = min(sum(a) for a in op.terms) + plan.config.accuracy - 1
    n = max(plan.min_points + 3, 9)
    rng = np.random.default_rng(7)
    if plan.config.grid == "coordinates":
        axes1d = [0.2 + perturbed_grid(n, 0.0, 2.0, seed=d) for d in range(ndim)]
    else:
        axes1d = [0.1 + _STEPS[d] * np.arange(n) for d in range(ndim)]
    u, exact = _polynomial_case(plan, axes1d, degree, rng)
    approx = _call(plan, function, u, axes1d)
    return relative_error(approx, _trimmed(plan, exact))


def _trimmed(plan: Plan, array: np.ndarray) -> np.ndarray:
    return array[
        tuple(
            slice(r, n - r) if side == "valid" else slice(None)
            for r, n, side in zip(
                plan.reach, array.shape, plan.config.sides, strict=True
            )
        )
    ]


def _regions(plan: Plan, shape: Sequence[int]) -> dict[str, np.ndarray]:
    """Interior, edges (one axis near a one-sided end) and corners (several)."""
    count = np.zeros(shape, dtype=int)
    sides = plan.config.sides
    for d, (n, r) in enumerate(zip(shape, plan.reach, strict=True)):
        index = np.arange(n)
        near = ((index < r) | (index >= n - r)) & (sides[d] == "one-sided")
        count += near.reshape((1,) * d + (n,) + (1,) * (len(shape) - d - 1))
    return {"interior": count == 0, "edges": count == 1, "corners": count >= 2}


#: Grid sizes of the convergence check per dimension count. Periodic axes carry
#: whole waves on [0, 2π) (up to 3 per period, to keep the axes' errors apart),
#: so they are the coarsest: with 8..32 points a 3-D entry with a periodic axis
#: measured 3.41 for accuracy 4, with 16..64 3.73; 24..96 gives 3.83 (0.3 s).
#: Beyond 3-D, smaller grids keep the check within seconds.
_CONVERGENCE_SIZES = {1: (24, 48, 96), 2: (24, 48, 96), 3: (24, 48, 96)}


def _convergence(plan: Plan, function: Callable[..., Any]) -> dict[str, float | None]:
    op = plan.operator
    ndim = len(op.dims)
    periodic = [side == "periodic" for side in plan.config.sides]
    sizes = _CONVERGENCE_SIZES.get(ndim, (8, 16, 32))
    errors: dict[str, list[float]] = {"interior": [], "edges": [], "corners": []}
    steps = []
    for n in sizes:
        # Periodic axes: [0, 2π) and whole waves; others [0, 1] and a generic k.
        grids = _grid(plan, n)
        axes1d = [
            np.arange(n) * (2 * math.pi / n) if periodic[d] else grids[d]
            for d in range(ndim)
        ]
        k = [
            complex(0, (1, 2, 1, 3)[d]) if periodic[d] else complex(_A[d], _B[d])
            for d in range(ndim)
        ]
        mesh = np.meshgrid(*axes1d, indexing="ij")
        phase = np.exp(sum(kd * x for kd, x in zip(k, mesh, strict=True)))
        u = phase.real
        symbol = sum(
            w * math.prod(kd**a for kd, a in zip(k, alpha, strict=True))
            for w, alpha in _terms(plan, mesh)
        )
        exact = (symbol * phase).real
        approx = _call(plan, function, u, axes1d)
        error = np.abs(approx - _trimmed(plan, exact))
        scale = max(float(np.max(np.abs(exact))), 1e-300)
        steps.append(float(axes1d[0][1] - axes1d[0][0]))
        regions = _regions(plan, error.shape)
        for key, mask in regions.items():
            if mask.any():
                errors[key].append(float(np.max(error[mask])) / scale)
    return {
        key: convergence_order(steps, values) if len(values) == len(sizes) else None
        for key, values in errors.items()
    }


def _periodic_roll(plan: Plan, u: np.ndarray, steps: Sequence[float]) -> np.ndarray:
    op = plan.operator
    values = dict(zip(op.steps, steps, strict=True))
    total = np.zeros_like(u)
    for point, weight in zip(op.points, op.weights, strict=True):
        w = float(sympy.sympify(weight).xreplace(values))
        total += w * np.roll(u, [-o for o in point], axis=tuple(range(u.ndim)))
    return total


def _elliptic(plan: Plan) -> bool:
    terms = plan.operator.terms
    return all(
        sum(1 for a in alpha if a) == 1 and sum(alpha) == 2 and c.is_positive
        for alpha, c in terms.items()
    ) and len(terms) == len(plan.operator.dims)


def _matrix_checks(plan: Plan, module: ModuleType) -> VerifyRow:
    name = plan.config.name
    op = plan.operator
    ndim = len(op.dims)
    notes = []
    passed = True
    steps = list(_STEPS[:ndim])
    shape = tuple(max(plan.min_points + 2, 7) + d for d in range(ndim))
    rng = np.random.default_rng(3)
    u = rng.standard_normal(shape)
    matrix = getattr(module, f"{name}_matrix")(shape, steps, "periodic")
    periodic = relative_error(
        matrix @ u.ravel(), _periodic_roll(plan, u, steps).ravel()
    )
    if periodic > 1e-12:
        passed = False
        notes.append(f"periodic matrix differs from the stencil by {periodic:.1e}")
    # Dirichlet: exact on polynomials with the companion.
    degree = min(sum(a) for a in op.terms) + plan.config.accuracy - 1
    axes1d = [0.1 + s * np.arange(n) for s, n in zip(steps, shape, strict=True)]
    poly, exact = _polynomial_case(plan, axes1d, degree, rng)
    m, c, _, unknown = getattr(module, f"{name}_system")(shape, steps, "dirichlet")
    residual = relative_error(
        m @ poly[unknown].ravel() + c @ poly.ravel(), exact[unknown].ravel()
    )
    if residual > 1e-8:
        passed = False
        notes.append(f"dirichlet system not exact on polynomials ({residual:.1e})")
    order = None
    if _elliptic(plan):
        order = _poisson_order(plan, module)
        if not (order_ok(order, plan.config.accuracy) or order > plan.config.accuracy):
            passed = False
            notes.append(f"Poisson solve converges at {order:.2f}")
    return VerifyRow(
        name,
        f"{name}_matrix",
        plan.config.accuracy,
        order,
        None,
        max(periodic, residual),
        passed,
        "; ".join(notes)
        or "periodic = stencil; dirichlet exact on polynomials"
        + ("; Poisson solve order measured" if order is not None else ""),
    )


def _poisson_order(plan: Plan, module: ModuleType) -> float:
    from scipy.sparse.linalg import spsolve

    name = plan.config.name
    ndim = len(plan.operator.dims)
    sizes = (9, 17, 33) if ndim == 2 else (7, 11, 15)
    errors, steps = [], []
    for n in sizes:
        grid = np.linspace(0.0, 1.0, n)
        mesh = np.meshgrid(*[grid] * ndim, indexing="ij")
        k = [complex(a, b) for a, b in zip(_A, _B, strict=False)][:ndim]
        phase = np.exp(sum(kd * x for kd, x in zip(k, mesh, strict=True)))
        exact = phase.real
        symbol = sum(
            w * math.prod(kd**a for kd, a in zip(k, alpha, strict=True))
            for w, alpha in _terms(plan, mesh)
        )
        source = (symbol * phase).real
        h = 1.0 / (n - 1)
        matrix = getattr(module, f"{name}_matrix")(exact.shape, h, "dirichlet")
        rhs = getattr(module, f"{name}_rhs")(source, exact, h, "dirichlet")
        _, _, _, unknown = getattr(module, f"{name}_system")(
            exact.shape, h, "dirichlet"
        )
        solution = spsolve(matrix.tocsc(), rhs)
        errors.append(float(np.max(np.abs(solution - exact[unknown].ravel()))))
        steps.append(h)
    return convergence_order(steps, errors)


def check(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """The rows of one ``nd`` entry: the operator, and its matrix if any."""
    name = plan.config.name
    function = getattr(module, name)
    claimed = plan.config.accuracy
    # Polynomials are not periodic: periodic entries are checked by convergence.
    periodic = "periodic" in plan.config.sides
    polynomial = None if periodic else _polynomial(plan, function)
    orders = _convergence(plan, function)
    boundary_orders = [
        o for k, o in orders.items() if k != "interior" and o is not None
    ]
    boundary = min(boundary_orders) if boundary_orders else None
    interior = orders["interior"]
    ok = (polynomial is None or polynomial < 1e-8) and all(
        o is None or order_ok(o, claimed) or o > claimed for o in orders.values()
    )
    grid = "perturbed coordinates" if plan.config.grid == "coordinates" else "uniform"
    note = f"{len(plan.operator.dims)}-D {grid}; " + ", ".join(
        f"{k} {o:.2f}" for k, o in orders.items() if o is not None
    )
    rows = [VerifyRow(name, name, claimed, interior, boundary, polynomial, ok, note)]
    if plan.config.matrix:
        rows.append(_matrix_checks(plan, module))
    return rows


# ----------------------------------------------------------------- flux form


def _flux_exact(
    mesh: Sequence[np.ndarray],
    u: np.ndarray,
    du: Sequence[np.ndarray],
    ddu: Sequence[np.ndarray],
    k: np.ndarray,
    dk: Sequence[np.ndarray],
) -> np.ndarray:
    """Σ_d (k u_d)_d = Σ_d (k_d u_d + k u_dd)."""
    return sum((dk[d] * du[d] + k * ddu[d] for d in range(len(mesh))), np.zeros_like(u))


def _flux_call(plan: Plan, module: ModuleType, u: Any, k: Any, h: Any) -> Any:
    name = plan.config.name
    names = list(dict.fromkeys(n for n, _ in plan.config.flux))
    return getattr(module, name)(u, *([k] * len(names)), h)


def _flux_trim(plan: Plan, array: np.ndarray) -> np.ndarray:
    if plan.config.boundary == "periodic":
        return array
    return array[(slice(1, -1),) * array.ndim]


def check_flux(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Exactness (u quadratic, k linear), convergence, and the matrix if any."""
    name = plan.config.name
    ndim = len(plan.config.flux)
    rng = np.random.default_rng(5)
    periodic = plan.config.boundary == "periodic"
    polynomial = None
    if not periodic:
        axes1d = [0.1 + _STEPS[d] * np.arange(9 + d) for d in range(ndim)]
        mesh = np.meshgrid(*axes1d, indexing="ij")
        a, b = rng.uniform(0.5, 1.5, ndim + 1), rng.uniform(-1, 1, (ndim, ndim))
        k = a[0] + sum(a[d + 1] * mesh[d] for d in range(ndim))
        u = sum(b[i, j] * mesh[i] * mesh[j] for i in range(ndim) for j in range(ndim))
        du = [
            sum((b[d, j] + b[j, d]) * mesh[j] for j in range(ndim)) for d in range(ndim)
        ]
        ddu = [2 * b[d, d] + 0 * u for d in range(ndim)]
        exact = _flux_exact(
            mesh, u, du, ddu, k, [a[d + 1] + 0 * u for d in range(ndim)]
        )
        approx = _flux_call(plan, module, u, k, list(_STEPS[:ndim]))
        polynomial = relative_error(approx, _flux_trim(plan, exact))
    errors, steps = [], []
    for n in (16, 32, 64) if ndim == 2 else (8, 16, 32):
        if periodic:
            axes1d = [np.arange(n) * (2 * math.pi / n) for _ in range(ndim)]
            waves: list[float] = [1.0, 2.0, 1.0][:ndim]
        else:
            axes1d = [np.linspace(0.0, 1.0, n) for _ in range(ndim)]
            waves = [_B[d] for d in range(ndim)]
        mesh = np.meshgrid(*axes1d, indexing="ij")
        phase = sum(w * x for w, x in zip(waves, mesh, strict=True))
        u = np.sin(phase + 0.3)
        du = [w * np.cos(phase + 0.3) for w in waves]
        ddu = [-(w**2) * u for w in waves]
        k = 2.0 + np.cos(phase)
        dk = [-w * np.sin(phase) for w in waves]
        exact = _flux_exact(mesh, u, du, ddu, k, dk)
        h = [float(x[1] - x[0]) for x in axes1d]
        approx = _flux_call(plan, module, u, k, h)
        error = np.max(np.abs(approx - _flux_trim(plan, exact)))
        errors.append(float(error) / float(np.max(np.abs(exact))))
        steps.append(h[0])
    order = convergence_order(steps, errors)
    ok = (polynomial is None or polynomial < 1e-8) and (order_ok(order, 2) or order > 2)
    rows = [
        VerifyRow(
            name, name, 2, order, None, polynomial, ok, f"{ndim}-D flux form, uniform"
        )
    ]
    if plan.config.matrix:
        rows.append(_flux_matrix_checks(plan, module))
    return rows


def _flux_matrix_checks(plan: Plan, module: ModuleType) -> VerifyRow:
    from scipy.sparse.linalg import spsolve

    name = plan.config.name
    ndim = len(plan.config.flux)
    names = list(dict.fromkeys(n for n, _ in plan.config.flux))
    system = getattr(module, f"{name}_system")
    notes = []
    # Periodic: the matrix against the flux formula with numpy.roll.
    shape = tuple(7 + d for d in range(ndim))
    rng = np.random.default_rng(4)
    u, k = rng.standard_normal(shape), rng.uniform(0.5, 2.0, shape)
    steps = list(_STEPS[:ndim])
    matrix, _, _ = system(shape, steps, "periodic", *([k] * len(names)))
    expected = np.zeros(shape)
    for d in range(ndim):
        up = 0.5 * (k + np.roll(k, -1, axis=d))
        down = 0.5 * (k + np.roll(k, 1, axis=d))
        expected += (
            up * (np.roll(u, -1, axis=d) - u) - down * (u - np.roll(u, 1, axis=d))
        ) / steps[d] ** 2
    periodic = relative_error(matrix @ u.ravel(), expected.ravel())
    symmetric = abs(matrix - matrix.T).max() if matrix.nnz else 0.0
    if periodic > 1e-12 or symmetric > 0:
        notes.append(
            f"periodic matrix: error {periodic:.1e}, asymmetry {symmetric:.1e}"
        )
    # Poisson with variable k, Dirichlet sides: convergence order.
    errors, hs = [], []
    for n in (9, 17, 33) if ndim == 2 else (7, 11, 15):
        grid = np.linspace(0.0, 1.0, n)
        mesh = np.meshgrid(*[grid] * ndim, indexing="ij")
        phase = sum(_B[d] * x for d, x in enumerate(mesh))
        u = np.sin(phase + 0.3)
        du = [_B[d] * np.cos(phase + 0.3) for d in range(ndim)]
        ddu = [-(_B[d] ** 2) * u for d in range(ndim)]
        k = 2.0 + np.cos(phase)
        dk = [-_B[d] * np.sin(phase) for d in range(ndim)]
        f = _flux_exact(mesh, u, du, ddu, k, dk)
        h = grid[1] - grid[0]
        matrix, _, unknown = system(u.shape, h, "dirichlet", *([k] * len(names)))
        rhs = getattr(module, f"{name}_rhs")(f, u, h, "dirichlet", *([k] * len(names)))
        solution = spsolve(matrix.tocsc(), rhs)
        errors.append(float(np.max(np.abs(solution - u[unknown].ravel()))))
        hs.append(h)
    order = convergence_order(hs, errors)
    if not (order_ok(order, 2) or order > 2):
        notes.append(f"Poisson solve converges at {order:.2f}")
    return VerifyRow(
        name,
        f"{name}_matrix",
        2,
        order,
        None,
        periodic,
        not notes,
        "; ".join(notes) or "periodic = flux formula, symmetric; Poisson order",
    )
