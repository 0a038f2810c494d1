"""Generated N-D operator modules (kind "nd"), run as users run them.

Oracles: the engine's exact weights applied with plain NumPy slicing and
``numpy.roll``, exact derivatives of polynomials and exponentials, measured
convergence slopes, and manufactured-solution Poisson solves.
"""

from __future__ import annotations

import ast
import math
import re
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy
from conftest import ROOT
from conftest import load_generated as load
from scipy.sparse.linalg import cg, spsolve

from stencilgen import operator
from stencilgen.build import render_body, run_checks
from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec
from stencilgen.verify import load_module, perturbed_grid

GENERATED = ROOT / "generated"


def render(toml: str) -> ModuleType:
    entry = parse_spec(toml).entries[0]
    _, text = render_body(entry)
    return load_module(text, entry.name)


LAP2 = load("laplacian2d")
LAP2_4 = load("laplacian2d_4")
LAP3_4 = load("laplacian3d_4")


def stencil_interior(op, u, steps):
    """The engine's stencil at the points where it fits, by NumPy slicing."""
    values = dict(zip(op.steps, steps, strict=True))
    reach = [max(abs(p[d]) for p in op.points) for d in range(len(op.dims))]
    inner = tuple(slice(r, n - r) for r, n in zip(reach, u.shape, strict=True))
    total = np.zeros(u[inner].shape)
    for point, weight in zip(op.points, op.weights, strict=True):
        index = tuple(
            slice(r + o, n - r + o)
            for r, o, n in zip(reach, point, u.shape, strict=True)
        )
        total += float(weight.xreplace(values)) * u[index]
    return total, inner


def test_interior_is_the_engine_stencil_with_one_step_per_axis():
    rng = np.random.default_rng(0)
    u = rng.standard_normal((23, 31))
    for module, name, accuracy in (
        (LAP2, "laplacian2d", 2),
        (LAP2_4, "laplacian2d_4", 4),
    ):
        result = getattr(module, name)(u, h=(0.3, 0.7))
        expected, inner = stencil_interior(
            operator("u_xx + u_yy", accuracy), u, (0.3, 0.7)
        )
        np.testing.assert_allclose(result[inner], expected, rtol=1e-12, atol=1e-12)
        assert result.shape == u.shape and result.dtype == np.float64


def test_polynomials_are_exact_at_edges_and_corners():
    x = 0.2 + 0.3 * np.arange(12)
    y = -0.5 + 0.45 * np.arange(10)
    X, Y = np.meshgrid(x, y, indexing="ij")
    u = X**5 - 2 * X**3 * Y**2 + Y**5 + X * Y**4
    exact = 20 * X**3 - 12 * X * Y**2 - 4 * X**3 + 20 * Y**3 + 12 * X * Y**2
    result = LAP2_4.laplacian2d_4(u, (0.3, 0.45))
    np.testing.assert_allclose(result, exact, rtol=1e-9, atol=1e-8)


def test_axes_batches_out_and_float32():
    rng = np.random.default_rng(1)
    u = rng.standard_normal((4, 20, 17))
    full = LAP2.laplacian2d(u, 0.5)
    for k in range(4):
        np.testing.assert_allclose(full[k], LAP2.laplacian2d(u[k], 0.5), rtol=1e-13)
    moved = LAP2.laplacian2d(np.moveaxis(u, 0, 2), 0.5, axes=(0, 1))
    np.testing.assert_allclose(np.moveaxis(moved, 2, 0), full, rtol=1e-13)
    out = np.empty_like(u)
    assert LAP2.laplacian2d(u, 0.5, out=out) is out
    np.testing.assert_array_equal(out, full)
    single = LAP2.laplacian2d(u.astype(np.float32), 0.5)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, full, rtol=1e-4, atol=1e-3)


def test_three_d_accuracy_4_converges_at_order_4_everywhere():
    errors, steps = [], []
    for n in (10, 20, 40):
        grid = np.linspace(0.0, 1.0, n)
        X, Y, Z = np.meshgrid(grid, grid, grid, indexing="ij")
        u = np.sin(1.3 * X + 0.4) * np.cos(0.7 * Y) * np.exp(0.5 * Z)
        exact = (-(1.3**2) - 0.7**2 + 0.25) * u
        h = grid[1] - grid[0]
        errors.append(np.max(np.abs(LAP3_4.laplacian3d_4(u, h) - exact)))
        steps.append(h)
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope > 3.7


def test_coordinate_grid_mixed_partial_keeps_full_accuracy():
    module = render('[mxy]\nexpression = "u_xy"\ngrid = "coordinates"\n')
    errors, steps = [], []
    for n in (16, 32, 64):
        x = perturbed_grid(n, 0.0, 1.0, seed=1)
        y = perturbed_grid(n + 3, 0.0, 1.2, seed=2)
        X, Y = np.meshgrid(x, y, indexing="ij")
        u = np.sin(1.1 * X + 0.3) * np.exp(0.8 * Y)
        exact = 1.1 * np.cos(1.1 * X + 0.3) * 0.8 * np.exp(0.8 * Y)
        errors.append(np.max(np.abs(module.mxy(u, (x, y)) - exact)))
        steps.append(1.0 / n)
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope > 1.7


def test_periodic_matrix_times_u_is_the_periodic_operator():
    rng = np.random.default_rng(2)
    u = rng.standard_normal((9, 12))
    for module, name, accuracy in (
        (LAP2, "laplacian2d", 2),
        (LAP2_4, "laplacian2d_4", 4),
    ):
        matrix = getattr(module, f"{name}_matrix")(u.shape, (0.5, 0.25), bc="periodic")
        op = operator("u_xx + u_yy", accuracy)
        expected = np.zeros_like(u)
        for point, weight in zip(op.points, op.weights, strict=True):
            w = float(weight.xreplace(dict(zip(op.steps, (0.5, 0.25), strict=True))))
            expected += w * np.roll(u, (-point[0], -point[1]), axis=(0, 1))
        np.testing.assert_allclose(
            matrix @ u.ravel(), expected.ravel(), rtol=1e-12, atol=1e-10
        )
    periodic = render('[p]\nexpression = "u_xx + u_yy"\nboundary = "periodic"\n')
    np.testing.assert_allclose(
        periodic.p(u, (0.5, 0.25)).ravel(),
        LAP2.laplacian2d_matrix(u.shape, (0.5, 0.25), bc="periodic") @ u.ravel(),
        rtol=1e-12,
        atol=1e-10,
    )


def test_dirichlet_matrix_is_symmetric_and_cg_solves_poisson():
    n = 33
    grid = np.linspace(0.0, 1.0, n)
    X, Y = np.meshgrid(grid, grid, indexing="ij")
    exact = np.exp(X) * np.sin(2 * Y)
    source = -3 * exact
    h = grid[1] - grid[0]
    matrix = LAP2.laplacian2d_matrix((n, n), h)
    assert (matrix - matrix.T).count_nonzero() == 0
    rhs = LAP2.laplacian2d_rhs(source, exact, h)
    solution, info = cg(-matrix, -rhs, rtol=1e-12, maxiter=5000)
    assert info == 0
    direct = spsolve(matrix.tocsc(), rhs)
    np.testing.assert_allclose(solution, direct, rtol=1e-8)
    assert np.max(np.abs(solution - exact[1:-1, 1:-1].ravel())) < 5e-4  # O(h²)


def test_accuracy_4_poisson_with_neumann_edges_converges_at_order_4():
    errors, steps = [], []
    for n in (9, 17, 33):
        grid = np.linspace(0.0, 1.0, n)
        X, Y = np.meshgrid(grid, grid, indexing="ij")
        exact = np.exp(X) * np.sin(2 * Y) + X * Y**2
        source = -3 * np.exp(X) * np.sin(2 * Y) + 2 * X
        du = (
            np.exp(X) * np.sin(2 * Y) + Y**2,
            2 * np.exp(X) * np.cos(2 * Y) + 2 * X * Y,
        )
        h = grid[1] - grid[0]
        bc = ("neumann", "dirichlet")  # Neumann on both x sides, Dirichlet in y
        matrix, _, _, unknown = LAP2_4.laplacian2d_4_system((n, n), h, bc)
        rhs = LAP2_4.laplacian2d_4_rhs(source, exact, h, bc, du=du)
        solution = spsolve(matrix.tocsc(), rhs)
        errors.append(np.max(np.abs(solution - exact[unknown].ravel())))
        steps.append(h)
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope > 3.7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LAP2.laplacian2d(np.ones((5, 5)), (1.0, 2.0, 3.0)), "h has 3 values"),
        (lambda: LAP2.laplacian2d(np.ones((5, 5)), 1.0, axes=(0,)), "axes has 1"),
        (lambda: LAP2.laplacian2d(np.ones((5, 5)), 1.0, axes=(0, 0)), "repeat"),
        (lambda: LAP2.laplacian2d(np.ones((5, 5)), 1.0, axes=(0, 2)), "out of bounds"),
        (lambda: LAP2.laplacian2d(np.ones(5), 1.0), "acts on 2 dimensions"),
        (lambda: LAP2.laplacian2d(np.ones((3, 5)), 1.0), "at least 4 points"),
        (lambda: LAP2.laplacian2d(np.ones((5, 5)), -1.0), "positive and finite"),
        (lambda: LAP2.laplacian2d_matrix((5, 5), 1.0, bc="robin"), "unknown bc"),
        (lambda: LAP2.laplacian2d_matrix((5,), 1.0), "shape has 1 entries"),
        (lambda: LAP2_4.laplacian2d_4_matrix((4, 9), 1.0), "at least 6 points"),
    ],
)
def test_bad_arguments_are_one_clear_line(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_coordinates_are_checked():
    module = load("laplacian2d_coordinates")
    u = np.ones((8, 9))
    x, y = np.linspace(0, 1, 8), np.linspace(0, 1, 9)
    with pytest.raises(ValueError, match="coordinate array 1 has 8 points"):
        module.laplacian2d_coordinates(u, (x, x))
    with pytest.raises(ValueError, match="strictly monotonic"):
        module.laplacian2d_coordinates(u, (x, np.r_[y[:4], y[4], y[4:-1]]))
    with pytest.raises(ValueError, match="got 1 coordinate arrays"):
        module.laplacian2d_coordinates(u, (x,))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('expression = "u_x*u_y"', "multiplies two terms in u"),
        ('expression = "sin(u)"', "is not allowed"),
        ('expression = "c**2*u_xx"', "a number times one name"),
        ('expression = "k*u_xx"\nmatrix = true', "numeric coefficients"),
        ('expression = "u_xx"\naccuracy = 3', "even accuracy"),
        (
            'expression = "u_xx"\ngrid = "coordinates"\nboundary = "periodic"',
            "one-sided",
        ),
        ('expression = "u_xx"\ngrid = "coordinates"\nmatrix = true', "uniform"),
        ('expression = "u_xx"\nderivative = 2', "unknown key"),
    ],
)
def test_bad_spec_entries(toml, message):
    with pytest.raises(SpecError, match=message) as info:
        parse_spec(f"[e]\n{toml}\n")
    assert "\n" not in str(info.value)


def test_modules_are_standalone_and_import_scipy_inside_functions_only():
    for name in ("laplacian2d", "laplacian3d_4", "mixed_xy", "laplacian2d_coordinates"):
        tree = ast.parse((GENERATED / f"{name}.py").read_text())
        top = {
            alias.name.split(".")[0]
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert top <= {"functools", "math", "operator", "numpy"}, (name, top)


def test_docstring_holds_the_exact_weights_and_error():
    doc = LAP2.laplacian2d.__doc__
    assert "(-2 / h_x**2 - 2 / h_y**2)*u[i_x, i_y]" in doc
    assert "h_x**2*u_xxxx/12 + h_y**2*u_yyyy/12" in doc
    assert math.isclose(
        float(sympy.Rational(-5, 2)), LAP2_4._TABLES["d2"]["weights"][2]
    )


def test_variable_coefficients_are_array_arguments():
    module = render('[v]\nexpression = "k*u_xx + 2*c*u_yy"\n')
    assert "c : array_like" in module.v.__doc__  # arguments in alphabetical order
    x = 0.1 + 0.3 * np.arange(9)
    y = -0.2 + 0.25 * np.arange(11)
    X, Y = np.meshgrid(x, y, indexing="ij")
    u = X**3 - X * Y**2 + 2 * Y**3
    k = np.random.default_rng(5).uniform(0.5, 2.0, u.shape)
    c = np.cos(X + Y)
    exact = k * 6 * X + 2 * c * (-2 * X + 12 * Y)
    np.testing.assert_allclose(
        module.v(u, c, k, (0.3, 0.25)), exact, rtol=1e-9, atol=1e-9
    )
    # A coefficient broadcasts against u (here: constant along y).
    kx = k[:, :1]
    np.testing.assert_allclose(
        module.v(u, c, kx, (0.3, 0.25)),
        module.v(u, c, np.broadcast_to(kx, u.shape), (0.3, 0.25)),
    )
    with pytest.raises(ValueError, match="does not broadcast"):
        module.v(u, c, k[:3], (0.3, 0.25))


def test_periodic_entry_matrix_defaults_to_periodic_and_equals_the_operator():
    module = render(
        '[p4]\nexpression = "u_xx + 2*u_yy + u_xy"\naccuracy = 4\n'
        'boundary = "periodic"\nmatrix = true\n'
    )
    u = np.random.default_rng(8).standard_normal((11, 13))
    np.testing.assert_allclose(
        module.p4_matrix(u.shape, (0.3, 0.2)) @ u.ravel(),
        module.p4(u, (0.3, 0.2)).ravel(),
        rtol=1e-12,
        atol=1e-10,
    )


def test_one_dimensional_entry():
    module = render('[d1]\nexpression = "u_xx"\naccuracy = 4\n')
    x = np.linspace(0.0, 1.0, 20)
    np.testing.assert_allclose(module.d1(x**5, x[1] - x[0]), 20 * x**3, atol=1e-9)
    assert module.d1(np.ones((3, 20)), 0.1).shape == (3, 20)


@pytest.mark.parametrize("accuracy", [2, 4])
def test_boundary_per_dimension_matches_padding_and_trimming(accuracy):
    # Periodic in x and one-sided in y is the one-sided operator on u padded
    # periodically in x; valid in x is the one-sided operator with x trimmed.
    toml = '[m]\nexpression = "u_xx + u_yy + u_xy"\naccuracy = {a}\nboundary = {b}\n'
    mixed = render(toml.format(a=accuracy, b='["periodic", "one-sided"]'))
    valid = render(toml.format(a=accuracy, b='["valid", "one-sided"]'))
    sided = render(toml.format(a=accuracy, b='"one-sided"'))
    r = accuracy // 2
    u = np.random.default_rng(9).standard_normal((13, 11))
    padded = np.pad(u, [(r, r), (0, 0)], mode="wrap")
    np.testing.assert_allclose(
        mixed.m(u, (0.3, 0.2)), sided.m(padded, (0.3, 0.2))[r:-r], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(
        valid.m(u, (0.3, 0.2)), sided.m(u, (0.3, 0.2))[r:-r], rtol=1e-12, atol=1e-9
    )
    with pytest.raises(SpecError, match="one name or a list of 2 names"):
        parse_spec(toml.format(a=2, b='["periodic"]'))


def test_three_d_periodic_axis_at_accuracy_4_verifies():
    # The build's convergence check puts whole waves on the periodic axes; with
    # 8 points per axis in 3-D it measured 3.41 for accuracy 4 and refused the
    # entry, which converges at order 4.
    toml = (
        '[m]\nexpression = "u_xx + u_yy + u_zz"\naccuracy = 4\n'
        'boundary = ["one-sided", "periodic", "valid"]\n'
    )
    entry = parse_spec(toml).entries[0]
    plan, body = render_body(entry)
    rows = run_checks(entry, body, plan)
    assert rows and all(r.passed for r in rows), rows
    orders = [float(v) for v in re.findall(r"\d+\.\d+", rows[0].note)]
    assert orders and min(orders) > 3.8, rows[0].note


@pytest.mark.parametrize(
    ("expression", "merges"),
    [
        ("u_xx + u_yy", ((0, 2), (1, 3))),
        ("u_xx + u_yy + u_zz", ((0, 2, 4), (1, 3, 5))),
        ("u_xx + 2*u_yy", ()),
        ("u_xy", ()),
    ],
)
def test_groups_equal_for_equal_steps_are_merged_at_call_time(
    expression: str, merges: tuple[tuple[int, ...], ...]
) -> None:
    from stencilgen.build import render_body
    from stencilgen.spec import parse_spec

    text = f'[op]\nexpression = "{expression}"\naccuracy = 4\n'
    plan, body = render_body(parse_spec(text).entries[0])
    assert plan.merges == merges
    for members in merges:
        weights = {plan.groups[k][0] for k in members}
        steps = {h: sympy.Symbol("h") for h in plan.operator.steps}
        assert len({sympy.simplify(w.subs(steps)) for w in weights}) == 1
        assert len(weights) == len(members)  # distinct for unequal steps
    assert ("merged = " in body) == bool(merges)
    if expression == "u_xx + u_yy":
        namespace: dict[str, object] = {}
        exec(compile(body, "op", "exec"), namespace)
        op: Any = namespace["op"]
        u = np.random.default_rng(3).standard_normal((9, 11))
        n0, n1 = u.shape

        def at(p: int, q: int) -> np.ndarray:
            return u[2 + p : n0 - 2 + p, 2 + q : n1 - 2 + q]

        # Equal steps: the far and the near points summed first, in group order.
        h = 0.5
        c0, c1, c4 = -1 / (12 * h**2), 4 / (3 * h**2), -5 / (2 * h**2) * 2
        far = at(-2, 0) + at(2, 0) + at(0, -2) + at(0, 2)
        near = at(-1, 0) + at(1, 0) + at(0, -1) + at(0, 1)
        expected = far * c0 + near * c1 + at(0, 0) * c4
        np.testing.assert_array_equal(op(u, h)[2:-2, 2:-2], expected)
        # Unequal steps: one group per weight.
        c2, c3 = -1 / (12 * 0.25**2), 4 / (3 * 0.25**2)
        c4 = -5 / (2 * h**2) - 5 / (2 * 0.25**2)
        expected = (
            (at(-2, 0) + at(2, 0)) * c0
            + (at(-1, 0) + at(1, 0)) * c1
            + (at(0, -2) + at(0, 2)) * c2
            + (at(0, -1) + at(0, 1)) * c3
            + at(0, 0) * c4
        )
        np.testing.assert_array_equal(op(u, (h, 0.25))[2:-2, 2:-2], expected)
