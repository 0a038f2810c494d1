"""The generated numpy.gradient drop-in, run against numpy.gradient itself.

The modules are rendered in memory from the ``gradient`` kind (what ``stencilgen
build`` writes to ``generated/``; its freshness is tested with the build), so
these tests exercise the generator as it is now.
"""

from __future__ import annotations

import doctest
import types

import numpy as np
import pytest
import sympy
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from stencilgen.build import render_body
from stencilgen.kinds import gradient as kind
from stencilgen.render import Renderer
from stencilgen.spec import parse_spec
from stencilgen.verify import load_module


def _render(name: str, accuracy: int, edge_order: int) -> types.ModuleType:
    toml = f'[{name}]\nkind = "gradient"\naccuracy = {accuracy}\n'
    entry = parse_spec(toml + f"edge_order = {edge_order}\n", "stencils.toml").entries[
        0
    ]
    _, source = render_body(entry, Renderer())
    module = load_module(source, name)
    module.__dict__["SOURCE"] = source
    return module


@pytest.fixture(scope="module")
def grad() -> types.ModuleType:
    return _render("gradient", 2, 1)


@pytest.fixture(scope="module")
def grad4() -> types.ModuleType:
    return _render("gradient4", 4, 4)


def assert_same(expected, actual, ulps: int = 2) -> None:
    """Same type, dtype, shape and values within a few ulps of the result scale."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple)
        assert len(actual) == len(expected)
        for e, a in zip(expected, actual, strict=True):
            assert_same(e, a, ulps)
        return
    assert type(actual) is type(expected)
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    if expected.dtype.kind == "m":
        np.testing.assert_array_equal(actual, expected)
        return
    scale = np.max(np.abs(expected)) if expected.size else 1.0
    tol = ulps * np.finfo(expected.dtype).eps * max(float(scale), 1.0)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tol)


# -- numpy's own docstring examples -------------------------------------------

F = np.array([1, 2, 4, 7, 11, 16])
M = np.array([[1, 2, 6], [3, 4, 5]])
X5 = np.array([0.0, 2.0, 3.0, 6.0, 8.0])


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((F,), {}),
        ((F, 2), {}),
        ((F, np.arange(F.size)), {}),
        ((F, np.array([0.0, 1.0, 1.5, 3.5, 4.0, 6.0])), {}),
        ((M,), {}),
        ((M, 2.0, [1.0, 1.5, 3.5]), {}),
        ((np.arange(5) ** 2,), {"edge_order": 1}),
        ((np.arange(5) ** 2,), {"edge_order": 2}),
        ((M,), {"axis": 0}),
        ((X5**2, X5), {"edge_order": 2}),
        ((np.arange(0.0, 9, 2) ** 2, 2), {"edge_order": 2}),
    ],
)
def test_numpy_docstring_examples(grad, args, kwargs):
    assert_same(np.gradient(*args, **kwargs), grad.gradient(*args, **kwargs), 0)


def test_numpy_meshgrid_example(grad):
    x, y = np.arange(0, 6, 2), np.arange(0, 9, 3)
    xs, ys = np.meshgrid(x, y)
    zs = xs + 2 * ys
    assert_same(np.gradient(zs, 3, 2), grad.gradient(zs, 3, 2))
    assert_same(np.gradient(zs, y, 2), grad.gradient(zs, y, 2))


def test_docstring_examples_of_generated_module(grad, grad4):
    for module in (grad, grad4):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        for test in finder.find(
            module, module.__name__, globs={"np": np, **vars(module)}
        ):
            runner.run(test)
        assert runner.failures == 0
        assert runner.tries > 0


# -- random grids, every axis, mixed spacing ---------------------------------


@st.composite
def problems(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(3, 7), min_size=ndim, max_size=ndim)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    axes = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(
                st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True
            ).map(tuple),
        )
    )
    count = ndim if axes is None else (1 if isinstance(axes, int) else len(axes))
    along = range(ndim) if axes is None else ([axes] if isinstance(axes, int) else axes)
    spacing_kind = draw(st.sampled_from(["none", "one", "each"]))
    if spacing_kind == "none":
        varargs = []
    elif spacing_kind == "one":
        varargs = [float(rng.uniform(0.1, 3.0))]
    else:
        varargs = []
        for ax in along:
            choice = draw(st.sampled_from(["scalar", "coords", "even", "int"]))
            n = shape[ax]
            if choice == "scalar":
                varargs.append(float(rng.uniform(0.1, 3.0)))
            elif choice == "coords":
                varargs.append(np.cumsum(rng.uniform(0.1, 2.0, n)) - 3.0)
            elif choice == "even":
                varargs.append(0.25 * np.arange(n) + 1.0)
            else:
                varargs.append(np.cumsum(rng.integers(1, 4, n)))
    assert count == len(list(along))
    dtype = draw(
        st.sampled_from(["float64", "float32", "float16", "complex128", "int64"])
    )
    if dtype == "int64":
        f = rng.integers(-50, 50, shape)
    elif dtype == "complex128":
        f = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    else:
        f = rng.standard_normal(shape).astype(dtype)
    edge_order = draw(st.sampled_from([1, 2]))
    return f, varargs, axes, edge_order


@settings(max_examples=examples(150), deadline=None)
@given(problems())
def test_agrees_with_numpy_on_random_grids(grad, problem):
    f, varargs, axes, edge_order = problem
    expected = np.gradient(f, *varargs, axis=axes, edge_order=edge_order)
    actual = grad.gradient(f, *varargs, axis=axes, edge_order=edge_order)
    assert_same(expected, actual)


@pytest.mark.parametrize(
    "shape", [(20_000,), (70, 300), (3, 9_000), (9_000, 3), (4, 5, 600), (30, 40, 50)]
)
def test_agrees_with_numpy_on_arrays_of_many_blocks(grad, shape, monkeypatch):
    # Small odd blocks: every way of cutting an array into blocks is exercised.
    monkeypatch.setattr(grad, "_BLOCK", 997)
    rng = np.random.default_rng(5)
    f = rng.standard_normal(shape)
    for axis in range(f.ndim):
        x = np.cumsum(rng.uniform(0.2, 1.0, shape[axis]))
        weights = grad.gradient_weights(x)
        for edge_order in (1, 2):
            expected = np.gradient(f, x, axis=axis, edge_order=edge_order)
            assert_same(expected, grad.gradient(f, x, axis=axis, edge_order=edge_order))
            assert_same(
                expected, grad.gradient(f, weights, axis=axis, edge_order=edge_order)
            )
            assert_same(
                np.gradient(f, 0.3, axis=axis, edge_order=edge_order),
                grad.gradient(f, 0.3, axis=axis, edge_order=edge_order),
            )
        fortran = np.asfortranarray(f)
        assert_same(
            np.gradient(fortran, x, axis=axis), grad.gradient(fortran, x, axis=axis)
        )
        strided = f[..., ::2] if f.ndim > 1 else f[::2]
        assert_same(np.gradient(strided, axis=axis), grad.gradient(strided, axis=axis))


def test_out_buffers_and_precomputed_weights(grad):
    rng = np.random.default_rng(2)
    f = rng.standard_normal((30, 40))
    x = np.cumsum(rng.uniform(0.5, 1.5, 40))
    outs = (np.empty_like(f), np.empty_like(f))
    result = grad.gradient(f, 0.5, grad.gradient_weights(x), out=outs)
    assert result[0] is outs[0] and result[1] is outs[1]
    assert_same(np.gradient(f, 0.5, x), result)
    with pytest.raises(ValueError, match="must not overlap f"):
        grad.gradient(f, axis=0, out=f)
    with pytest.raises(ValueError, match="shape"):
        grad.gradient(f, axis=0, out=np.empty(3))
    with pytest.raises(ValueError, match="weights are for 40 points"):
        grad.gradient(f, grad.gradient_weights(x), axis=0)


def test_datetime_and_timedelta(grad):
    dates = np.array(
        ["2020-01-01", "2020-01-03", "2020-01-04", "2020-01-10"], dtype="datetime64[D]"
    )
    deltas = np.array([0, 5, 7, 30], dtype="timedelta64[s]")
    for f in (dates, deltas):
        for edge_order in (1, 2):
            assert_same(
                np.gradient(f, edge_order=edge_order),
                grad.gradient(f, edge_order=edge_order),
            )


def test_zero_dimensional_input_gives_empty_tuple(grad):
    assert grad.gradient(np.float64(3.0)) == np.gradient(np.float64(3.0)) == ()


# -- bad input: numpy's exception types, clear messages ----------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.arange(5.0), 1.0, 2.0), {}, TypeError, "invalid number of arguments"),
        ((np.ones((3, 3)), 1.0, 2.0, 3.0), {}, TypeError, "3 spacings for 2 axes"),
        ((np.arange(5.0), np.ones((5, 1))), {}, ValueError, "scalars or 1d"),
        ((np.arange(5.0), np.arange(4.0)), {}, ValueError, "has 4 points but"),
        ((np.arange(2.0),), {"edge_order": 2}, ValueError, "needs at least 3"),
        ((np.arange(1.0),), {}, ValueError, "too few"),
        ((np.arange(5.0),), {"edge_order": 3}, ValueError, "edge_order=3"),
        ((np.ones((3, 3)),), {"axis": (0, 0)}, ValueError, "repeated axis"),
        ((np.ones((3, 3)),), {"axis": 2}, np.exceptions.AxisError, "out of bounds"),
        ((np.ones((3, 3)),), {"axis": -3}, np.exceptions.AxisError, "out of bounds"),
        ((np.ones(3, dtype=bool),), {}, TypeError, "boolean subtract"),
    ],
)
def test_bad_input_raises_like_numpy(grad, args, kwargs, error, match):
    with pytest.raises(error):
        np.gradient(*args, **kwargs)
    with pytest.raises(error, match=match):
        grad.gradient(*args, **kwargs)


@pytest.mark.parametrize("spacing", [0.0, 0, -0.0, np.float64(0.0), np.zeros(4)])
@pytest.mark.parametrize(
    "f", [np.array([1.0, 2.0, 4.0, 8.0]), np.ones(4), np.arange(4, dtype=np.float32)]
)
def test_zero_spacing_gives_inf_and_nan_like_numpy(grad, f, spacing):
    # numpy divides arrays by the zero step: inf/nan and a RuntimeWarning (a
    # Python 0.0 used to raise a bare ZeroDivisionError here).
    with pytest.warns(RuntimeWarning):
        expected = np.gradient(f, spacing)
    with pytest.warns(RuntimeWarning):
        actual = grad.gradient(f, spacing)
    assert actual.dtype == expected.dtype
    assert np.array_equal(actual, expected, equal_nan=True)
    assert not np.all(np.isfinite(actual))


def test_zero_spacing_with_edge_order_2_raises_like_numpy(grad):
    # numpy.gradient divides Python numbers by a Python zero step at the edges.
    f = np.array([1.0, 2.0, 4.0, 8.0])
    # Both warn first: the interior's array division by the zero step.
    with pytest.raises(ZeroDivisionError), pytest.warns(RuntimeWarning):
        np.gradient(f, 0.0, edge_order=2)
    with pytest.raises(ZeroDivisionError), pytest.warns(RuntimeWarning):
        grad.gradient(f, 0.0, edge_order=2)
    with pytest.warns(RuntimeWarning):
        expected = np.gradient(f, np.float64(0.0), edge_order=2)
    with pytest.warns(RuntimeWarning):
        actual = grad.gradient(f, np.float64(0.0), edge_order=2)
    assert np.array_equal(actual, expected, equal_nan=True)


def test_one_point_coordinate_array_is_an_index_error_too(grad):
    # numpy raises IndexError here; ours is a ValueError that is also one.
    with pytest.raises(IndexError):
        np.gradient(np.ones(1), np.ones(1))
    with pytest.raises(IndexError, match="at least 2 points"):
        grad.gradient(np.ones(1), np.ones(1))


# -- the accuracy-4 variant: exactness and measured convergence ---------------


def _grid(n: int, uniform: bool) -> np.ndarray:
    if uniform:
        return np.linspace(0.0, 1.0, n)
    shift = np.random.default_rng(n).uniform(-0.15, 0.15, n)
    shift[0] = shift[-1] = 0.0
    return (np.arange(n) + shift) / (n - 1)


@pytest.mark.parametrize("uniform", [True, False])
@pytest.mark.parametrize("edge_order", [1, 2, 3, 4])
def test_accuracy4_convergence_order(grad4, uniform, edge_order):
    steps, inner, edges = [], [], []
    for n in (41, 81, 161, 321):
        x = _grid(n, uniform)
        error = np.abs(
            grad4.gradient4(np.sin(3 * x + 0.4), x, edge_order=edge_order)
            - 3 * np.cos(3 * x + 0.4)
        )
        steps.append(1.0 / (n - 1))
        inner.append(error[2:-2].max())
        edges.append(max(error[:2].max(), error[-2:].max()))
    slope_inner = np.polyfit(np.log(steps), np.log(inner), 1)[0]
    slope_edges = np.polyfit(np.log(steps), np.log(edges), 1)[0]
    assert abs(slope_inner - 4) < 0.3
    assert abs(slope_edges - edge_order) < 0.3


@pytest.mark.parametrize("uniform", [True, False])
def test_polynomial_exactness(grad, grad4, uniform):
    x = _grid(12, uniform) * 3 - 1
    rng = np.random.default_rng(4)
    for module, name, accuracy in ((grad, "gradient", 2), (grad4, "gradient4", 4)):
        for edge_order in range(1, accuracy + 1):
            degree = edge_order  # exact everywhere up to the edge accuracy
            p = np.polynomial.Polynomial(rng.uniform(-1, 1, degree + 1))
            approx = getattr(module, name)(p(x), x, edge_order=edge_order)
            np.testing.assert_allclose(approx, p.deriv()(x), rtol=0, atol=1e-11)
        p = np.polynomial.Polynomial(rng.uniform(-1, 1, accuracy + 1))
        inside = slice(accuracy // 2, -(accuracy // 2))
        approx = getattr(module, name)(p(x), x)[inside]
        np.testing.assert_allclose(approx, p.deriv()(x)[inside], rtol=0, atol=1e-10)


def test_accuracy4_beats_numpy_on_smooth_data(grad4):
    x = np.linspace(0.0, 2.0, 201)
    f = np.exp(np.sin(2 * x))
    exact = 2 * np.cos(2 * x) * f
    ours = np.max(np.abs(grad4.gradient4(f, x) - exact))
    numpys = np.max(np.abs(np.gradient(f, x, edge_order=2) - exact))
    assert ours < numpys / 100


def test_weights_come_from_the_engine(grad):
    # The founding a, b, c, printed from fd_weights(1, [-dx1, 0, dx2]) with
    # numpy's operands in numpy's order (its complex products do not commute
    # bitwise).
    source = grad.SOURCE
    assert "a = -dx2 / (dx1 * (dx1 + dx2))" in source
    assert "b = (dx2 - dx1) / (dx1 * dx2)" in source
    assert "c = dx1 / (dx2 * (dx1 + dx2))" in source
    # Independent oracle: SymPy's weights on [-hs, 0, hd], evaluated where the
    # module evaluates its own (the interior point of x = 0, 0.3, 1.0).
    hs, hd = sympy.symbols("hs hd", positive=True)
    oracle = sympy.finite_diff_weights(1, [-hs, 0, hd], 0)[1][-1]
    x = np.array([0.0, 0.3, 1.0])
    ours = grad._interior_weights(x, np.diff(x), 0, 1)
    for mine, theirs in zip(ours, oracle, strict=True):
        assert float(mine[0]) == pytest.approx(float(theirs.subs({hs: 0.3, hd: 0.7})))


def test_kind_rejects_bad_entries():
    from stencilgen.errors import SpecError
    from stencilgen.spec import Fields

    with pytest.raises(SpecError, match="key 'accuracy': must be 2"):
        kind.parse(Fields("s.toml", "g", {"accuracy": 3}))
    with pytest.raises(SpecError, match="or 4, got 6"):
        kind.parse(Fields("s.toml", "g", {"accuracy": 6}))
    with pytest.raises(SpecError, match="at most the accuracy"):
        kind.parse(Fields("s.toml", "g", {"accuracy": 2, "edge_order": 3}))


def test_kind_verify_rows_pass(grad4):
    config = kind.GradientConfig(4, 4, "gradient4")
    rows = kind.verify(kind.derive(config), grad4)
    assert rows and all(row.passed for row in rows), rows


def test_committed_module_is_the_drop_in():
    # generated/gradient.py as committed (its freshness is tested with the build).
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "generated" / "gradient.py"
    module = load_module(path.read_text(), "gradient_committed")
    f = np.array([[1, 2, 6], [3, 4, 5]])
    assert_same(
        np.gradient(f, 2.0, [1.0, 1.5, 3.5]),
        module.gradient(f, 2.0, [1.0, 1.5, 3.5]),
        0,
    )
    x = np.array([0.0, 2.0, 3.0, 6.0, 8.0])
    assert_same(
        np.gradient(x**2, x, edge_order=2), module.gradient(x**2, x, edge_order=2), 0
    )


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_low_precision_with_float64_coordinates_is_bit_identical(grad, dtype):
    # numpy sums weights * f in float64 and rounds once: so do we.
    rng = np.random.default_rng(8)
    f = rng.standard_normal((40, 50_000 // 40)).astype(dtype)
    x = np.cumsum(rng.uniform(0.1, 1.0, f.shape[1]))
    assert_same(np.gradient(f, x, axis=1), grad.gradient(f, x, axis=1), 0)
    assert_same(np.gradient(f[0], x), grad.gradient(f[0], x), 0)


def test_object_arrays_are_differenced_as_float64(grad):
    f = np.array([1, 2, 4, 8], dtype=object)
    assert_same(np.gradient(f), grad.gradient(f), 0)


def test_subclasses_keep_their_type(grad):
    f = np.ma.masked_array(np.arange(12.0).reshape(3, 4) ** 2)
    assert_same(np.gradient(f), grad.gradient(f), 0)


@pytest.mark.parametrize("n", [5, 9, 12, 100])
def test_short_line_paths_match_the_array_paths(grad4, n):
    # One float64 line takes its own paths (edges on Python floats; on a
    # coordinate grid the interior by Newton's divided differences); every row
    # of a 2-D array takes the general ones (edges on array slices, the
    # interior weights block by block): the same numbers, bit for bit, for
    # every edge_order and both spacing forms, but for the coordinate
    # interior: the same derivative rounded otherwise, within a few eps of the
    # sum of |w_k f_k| (tests/test_newton.py).
    rng = np.random.default_rng(n)
    x = np.cumsum(rng.uniform(0.1, 1.0, n))
    f = rng.standard_normal(n)
    rows = np.stack([f, -f])
    for edge_order in (1, 2, 3, 4):
        for spacing in (0.3, 2, np.float64(0.7), x):
            one = grad4.gradient4(f, spacing, edge_order=edge_order)
            two = grad4.gradient4(rows, spacing, axis=1, edge_order=edge_order)
            if spacing is not x:
                assert np.array_equal(one, two[0]), (edge_order, spacing)
                continue
            interior = slice(2, n - 2)
            ends = np.r_[:2, n - 2 : n]
            assert np.array_equal(one[ends], two[0][ends]), edge_order
            w = grad4.gradient4_weights(x).weights
            scale = sum(np.abs(wk * f[k : k + n - 4]) for k, wk in enumerate(w))
            error = np.abs(one[interior] - two[0][interior])
            assert (error <= 8 * np.finfo(float).eps * scale).all(), edge_order
    # Coinciding coordinates and a zero step: Python floats would raise, the
    # arrays give numpy's infinities and NaNs (as numpy.gradient does).
    y = x.copy()
    y[1] = y[0]
    with np.errstate(all="ignore"):
        for spacing in (np.float64(0.0), y):
            one = grad4.gradient4(f, spacing)
            two = grad4.gradient4(rows, spacing, axis=1)
            if spacing is y:  # the windows of the coinciding points
                assert np.array_equal(np.isfinite(one), np.isfinite(two[0]))
                one, two = one[np.r_[:2, 3:n]], two[:, np.r_[:2, 3:n]]
                assert np.allclose(one, two[0], rtol=1e-12, equal_nan=True)
            else:
                assert np.array_equal(one, two[0], equal_nan=True)
            assert not np.isfinite(one).all()
