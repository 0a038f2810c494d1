"""templates/runtime/nd_matrix.py, tested directly as the Python file it is.

Oracles: the periodic operator applied with ``numpy.roll`` from the engine's exact
weights, exact derivatives of polynomials, a hand-written ``scipy.sparse``
kron/diags Laplacian, and measured convergence slopes of manufactured-solution
Poisson solves.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from conftest import load_file

from stencilgen import operator
from stencilgen.errors import StencilError
from stencilgen.nd_tables import matrix_terms, runtime_tables

RUNTIME = Path(__file__).resolve().parent.parent / "templates" / "runtime"


NDM = load_file(RUNTIME / "nd_matrix.py", "runtime_nd_matrix")


def system(expression, accuracy, shape, h, bc, companions=True):
    op = operator(expression, accuracy)
    terms, tables = matrix_terms(op)
    numeric = [(float(c), keys) for c, keys in terms]
    return NDM._nd_system(shape, h, bc, numeric, runtime_tables(tables), companions)


def periodic_apply(op, u, steps):
    total = np.zeros_like(u)
    values = dict(zip(op.steps, steps, strict=True))
    for point, weight in zip(op.points, op.weights, strict=True):
        w = float(weight.xreplace(values))
        total += w * np.roll(u, [-o for o in point], axis=tuple(range(u.ndim)))
    return total


def test_scipy_is_imported_inside_functions_only():
    tree = ast.parse((RUNTIME / "nd_matrix.py").read_text())
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert all(
        not alias.name.startswith("scipy") for node in top for alias in node.names
    )
    assert all(
        node.module is None or not node.module.startswith("scipy")
        for node in top
        if isinstance(node, ast.ImportFrom)
    )


@pytest.mark.parametrize(
    ("expression", "accuracy", "shape", "steps"),
    [
        ("u_xx + u_yy", 2, (7, 9), (0.3, 0.7)),
        ("u_xx + u_yy", 4, (8, 6), (0.25, 0.5)),
        ("u_xy", 2, (6, 7), (0.5, 0.2)),
        ("2*u_x - 3*u_yy + u_xy", 4, (9, 7), (0.1, 0.3)),
        ("u_xx + u_yy + u_zz", 2, (5, 6, 4), (1.0, 0.5, 0.25)),
    ],
)
def test_periodic_matrix_equals_the_periodic_operator(
    expression, accuracy, shape, steps
):
    op = operator(expression, accuracy)
    rng = np.random.default_rng(1)
    u = rng.standard_normal(shape)
    matrix, _, _, unknown = system(expression, accuracy, shape, steps, "periodic")
    assert sp.issparse(matrix) and matrix.format == "csr"
    assert unknown == tuple(slice(0, n) for n in shape)
    expected = periodic_apply(op, u, steps)
    np.testing.assert_allclose(
        matrix @ u.ravel(), expected.ravel(), rtol=1e-12, atol=1e-10
    )


def test_dirichlet_laplacian_accuracy_2_is_exactly_symmetric_and_the_hand_built_one():
    n, m, hx, hy = 9, 7, 0.1, 0.3
    matrix, _, _, unknown = system("u_xx + u_yy", 2, (n, m), (hx, hy), "dirichlet")
    assert (matrix - matrix.T).count_nonzero() == 0

    def second(k, h):
        return sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(k, k)) / h**2

    hand = sp.kron(second(n - 2, hx), sp.eye(m - 2)) + sp.kron(
        sp.eye(n - 2), second(m - 2, hy)
    )
    assert abs(matrix - hand).max() < 1e-12
    assert unknown == (slice(1, n - 1), slice(1, m - 1))


def polynomial(x, y, degree):
    """A dense polynomial of total degree ``degree`` and its exact derivatives."""
    terms = [(i, degree - i) for i in range(degree + 1)] + [(1, 1), (2, 0), (0, 0)]
    u = sum((i + 2 * j + 1) * x**i * y**j for i, j in terms)

    def d(i, j, a, b):
        if a > i or b > j:
            return 0 * x
        c = math.perm(i, a) * math.perm(j, b)
        return c * x ** (i - a) * y ** (j - b)

    derivative = {
        (a, b): sum((i + 2 * j + 1) * d(i, j, a, b) for i, j in terms)
        for a in range(4)
        for b in range(4)
    }
    return u, derivative


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize(
    "bc",
    [
        "dirichlet",
        "neumann",
        [("neumann", "dirichlet"), ("dirichlet", "neumann")],
        [("dirichlet", "dirichlet"), "periodic"],
    ],
)
def test_boundary_rows_are_exact_on_polynomials(accuracy, bc):
    # Interior, edge and corner rows (one-sided, Neumann) all reach the operator's
    # accuracy: exact on polynomials of degree accuracy + 1.
    shape, steps = (9, 8), (0.5, 0.25)
    x = np.arange(shape[0])[:, None] * steps[0] + 0.0 * np.arange(shape[1])
    y = np.arange(shape[1])[None, :] * steps[1] + 0.0 * x
    if bc != "dirichlet" and "periodic" in str(bc):
        # Periodic in y: a polynomial in x only, with a periodic factor in y.
        u, d = polynomial(x, 0 * y, accuracy + 1)
        exact = d[(2, 0)]
        du = [d[(1, 0)], 0 * x]
    else:
        u, d = polynomial(x, y, accuracy + 1)
        exact = d[(2, 0)] + d[(0, 2)]
        du = [d[(1, 0)], d[(0, 1)]]
    matrix, companion, datum, unknown = system(
        "u_xx + u_yy", accuracy, shape, steps, bc
    )
    result = matrix @ u[unknown].ravel() + companion @ u.ravel()
    for dim, piece in enumerate(datum):
        if piece is not None:
            result = result + piece @ du[dim].ravel()
    np.testing.assert_allclose(result, exact[unknown].ravel(), rtol=1e-9, atol=1e-8)


def test_mixed_partial_dirichlet_companion_is_exact_on_polynomials():
    shape, steps = (8, 9), (0.5, 0.25)
    x = np.arange(shape[0])[:, None] * steps[0] + 0.0 * np.arange(shape[1])
    y = np.arange(shape[1])[None, :] * steps[1] + 0.0 * x
    u, d = polynomial(x, y, 5)
    matrix, companion, _, unknown = system("u_xy", 4, shape, steps, "dirichlet")
    result = matrix @ u[unknown].ravel() + companion @ u.ravel()
    np.testing.assert_allclose(result, d[(1, 1)][unknown].ravel(), rtol=1e-9, atol=1e-8)


def solve_poisson(accuracy, n, bc, neumann_low_x=False):
    """-Δu = f on [0, 1]² with u = exp(x)·sin(2y) + x·y²; max error at the nodes."""
    h = 1.0 / (n - 1)
    grid = np.linspace(0.0, 1.0, n)
    x, y = np.meshgrid(grid, grid, indexing="ij")
    exact = np.exp(x) * np.sin(2 * y) + x * y**2
    laplacian = -3 * np.exp(x) * np.sin(2 * y) + 2 * x
    du_x = np.exp(x) * np.sin(2 * y) + y**2
    du_y = 2 * np.exp(x) * np.cos(2 * y) + 2 * x * y
    matrix, companion, datum, unknown = system("u_xx + u_yy", accuracy, (n, n), h, bc)
    known = np.where(
        np.isin(np.arange(n), [0, n - 1])[:, None]
        | np.isin(np.arange(n), [0, n - 1])[None, :],
        exact,
        0.0,
    )
    rhs = laplacian[unknown].ravel() - companion @ known.ravel()
    for piece, du in zip(datum, (du_x, du_y), strict=True):
        if piece is not None:
            rhs = rhs - piece @ du.ravel()
    solution = spla.spsolve(matrix.tocsc(), rhs)
    return np.max(np.abs(solution - exact[unknown].ravel()))


@pytest.mark.parametrize(
    ("accuracy", "bc"),
    [
        (2, "dirichlet"),
        (4, "dirichlet"),
        (4, [("neumann", "dirichlet"), "dirichlet"]),
        (2, [("neumann", "neumann"), "dirichlet"]),
    ],
)
def test_manufactured_poisson_solve_converges_at_the_claimed_order(accuracy, bc):
    sizes = np.array([9, 17, 33])
    errors = [solve_poisson(accuracy, n, bc) for n in sizes]
    # The log-log slope of the error against the step, fitted over the sizes.
    slope = np.polyfit(np.log(1.0 / (sizes - 1)), np.log(errors), 1)[0]
    assert slope > accuracy - 0.3, (errors, slope)
    assert errors[-1] < 1e-3


def test_dirichlet_three_d_poisson_solve_with_cg():
    # The symmetric accuracy-2 matrix lets conjugate gradients solve the system.
    n = 9
    h = 1.0 / (n - 1)
    grid = np.linspace(0.0, 1.0, n)
    x, y, z = np.meshgrid(grid, grid, grid, indexing="ij")
    exact = x**2 + y**2 - 2 * z**2 + x * y * z  # Δu = 0; exact on this grid
    matrix, companion, _, unknown = system(
        "u_xx + u_yy + u_zz", 2, (n, n, n), h, "dirichlet"
    )
    known = exact.copy()
    known[unknown] = 0.0
    rhs = -(companion @ known.ravel())
    solution, info = spla.cg(-matrix, -rhs, rtol=1e-13, maxiter=2000)
    assert info == 0
    np.testing.assert_allclose(solution, exact[unknown].ravel(), atol=1e-9)


@pytest.mark.parametrize(
    ("shape", "h", "bc", "message"),
    [
        ((6, 6), 1.0, "robin", "unknown bc 'robin'"),
        ((6, 6), 1.0, ["dirichlet"], "bc has 1 items for 2 dimensions"),
        ((6, 6), 1.0, [("periodic", "dirichlet"), "dirichlet"], "one side only"),
        ((6, 6), (1.0, 2.0, 3.0), "dirichlet", "h has 3 values"),
        ((6, 6), -1.0, "dirichlet", "positive and finite"),
        ((4, 6), 1.0, "dirichlet", "at least 6 points"),
    ],
)
def test_bad_arguments_are_one_clear_line(shape, h, bc, message):
    with pytest.raises(ValueError, match=message):
        system("u_xx + u_yy", 4, shape, h, bc)


def test_neumann_with_mixed_partials_is_refused():
    with pytest.raises(ValueError, match="without mixed partials"):
        system("u_xx + u_xy", 2, (6, 6), 1.0, "neumann")


def test_only_default_construction_operators_have_matrices():
    box = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]
    with pytest.raises(StencilError, match="default construction"):
        matrix_terms(operator("u_xx + u_yy", points=box, choose="isotropic"))
    with pytest.raises(StencilError, match="not a number"):
        matrix_terms(operator("c*u_xx + u_yy"))
