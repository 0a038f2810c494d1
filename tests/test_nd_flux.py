"""The conservative flux form (k*u_x)_x + (k*u_y)_y: generated/flux2d.py.

Oracles: the scheme written out with plain loops, the analytic (k u_x)_x + (k u_y)_y
of smooth functions (measured order), and properties: three points per axis (a
checkerboard is not in the kernel, unlike chained first derivatives), a symmetric
negative-definite matrix that conjugate gradients solves.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.linalg import cg, spsolve

from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec

PATH = Path(__file__).resolve().parent.parent / "generated" / "flux2d.py"
SPEC = importlib.util.spec_from_file_location("flux2d", PATH)
assert SPEC is not None and SPEC.loader is not None
FLUX = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(FLUX)


def loops(u, k, hx, hy):
    n, m = u.shape
    out = np.zeros((n - 2, m - 2))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            kxp, kxm = (k[i, j] + k[i + 1, j]) / 2, (k[i, j] + k[i - 1, j]) / 2
            kyp, kym = (k[i, j] + k[i, j + 1]) / 2, (k[i, j] + k[i, j - 1]) / 2
            out[i - 1, j - 1] = (
                kxp * (u[i + 1, j] - u[i, j]) - kxm * (u[i, j] - u[i - 1, j])
            ) / hx**2 + (
                kyp * (u[i, j + 1] - u[i, j]) - kym * (u[i, j] - u[i, j - 1])
            ) / hy**2
    return out


def test_matches_the_scheme_written_out():
    rng = np.random.default_rng(0)
    u, k = rng.standard_normal((8, 11)), rng.uniform(0.5, 2.0, (8, 11))
    np.testing.assert_allclose(
        FLUX.flux2d(u, k, (0.3, 0.7)), loops(u, k, 0.3, 0.7), rtol=1e-13
    )


def test_compact_stencil_sees_the_checkerboard():
    # Chaining two central first derivatives annihilates (-1)**(i+j); the compact
    # flux form maps it to -8/h² times itself (k = 1).
    i, j = np.meshgrid(np.arange(9), np.arange(9), indexing="ij")
    board = (-1.0) ** (i + j)
    np.testing.assert_allclose(FLUX.flux2d(board, 1.0, 0.5), -32.0 * board[1:-1, 1:-1])


def test_second_order_convergence_with_variable_k():
    errors, steps = [], []
    for n in (17, 33, 65):
        grid = np.linspace(0.0, 1.0, n)
        x, y = np.meshgrid(grid, grid, indexing="ij")
        u, k = np.sin(2 * x + y), 1.5 + x * y
        exact = (y * 2 * np.cos(2 * x + y) - k * 4 * np.sin(2 * x + y)) + (
            x * np.cos(2 * x + y) - k * np.sin(2 * x + y)
        )
        h = grid[1] - grid[0]
        errors.append(np.max(np.abs(FLUX.flux2d(u, k, h) - exact[1:-1, 1:-1])))
        steps.append(h)
    assert np.polyfit(np.log(steps), np.log(errors), 1)[0] > 1.8


def test_matrix_is_symmetric_negative_definite_and_solves_poisson():
    n = 33
    grid = np.linspace(0.0, 1.0, n)
    x, y = np.meshgrid(grid, grid, indexing="ij")
    u, k = np.sin(2 * x + y), 1.5 + x * y
    f = (y * 2 * np.cos(2 * x + y) - k * 4 * np.sin(2 * x + y)) + (
        x * np.cos(2 * x + y) - k * np.sin(2 * x + y)
    )
    h = grid[1] - grid[0]
    matrix = FLUX.flux2d_matrix((n, n), h, k=k)
    assert abs(matrix - matrix.T).max() == 0
    rhs = FLUX.flux2d_rhs(f, u, h, k=k)
    solution, info = cg(-matrix, -rhs, rtol=1e-12, maxiter=5000)
    assert info == 0
    np.testing.assert_allclose(solution, spsolve(matrix.tocsc(), rhs), rtol=1e-7)
    assert np.max(np.abs(solution - u[1:-1, 1:-1].ravel())) < 1e-3
    # The interior rows are the array operator.
    _, companion, unknown = FLUX.flux2d_system((n, n), h, k=k)
    np.testing.assert_allclose(
        matrix @ u[unknown].ravel() + companion @ u.ravel(),
        FLUX.flux2d(u, k, h).ravel(),
        rtol=1e-10,
        atol=1e-9,
    )


def test_bad_input():
    with pytest.raises(ValueError, match="does not broadcast"):
        FLUX.flux2d(np.ones((5, 5)), np.ones(4))
    with pytest.raises(ValueError, match="unknown bc 'neumann'"):
        FLUX.flux2d_matrix((5, 5), 1.0, "neumann", k=np.ones((5, 5)))
    with pytest.raises(ValueError, match="give the coefficient arrays"):
        FLUX.flux2d_matrix((5, 5), 1.0)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("(k*u_x)_y", "mixes two variables"),
        ("(k*u_x)_x + (k*u_x)_x", "one flux term"),
        ("(k*u_x)_x + u_yy", "a flux form is a sum of terms"),
        ("(x*u_x)_x", "also a variable"),
    ],
)
def test_bad_flux_entries(expression, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(f'[e]\nexpression = "{expression}"\n')
    with pytest.raises(SpecError, match="accuracy 2"):
        parse_spec('[e]\nexpression = "(k*u_x)_x"\naccuracy = 4\n')
