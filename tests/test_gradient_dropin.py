"""The gradient drop-in against numpy.gradient, as a property over every input type.

For random arrays of every dtype numpy.gradient accepts (and some it refuses),
every spacing form (none, one scalar for all axes, one per axis: Python and numpy
scalars of every width, 0-d arrays, coordinate arrays of every dtype), every
``edge_order``, axis form and memory layout, the generated ``gradient`` returns
what numpy returns (same type, dtype and shape, values within 1 ulp, datetimes
exactly) or raises an exception of the type numpy raises. The accuracy-4 module
has other interior weights, so it is held to numpy's dtypes, shapes and
exceptions, and its values to the accuracy-2 module's on data it differentiates
exactly (linear data).
"""

from __future__ import annotations

import types
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stencilgen.build import render_body
from stencilgen.render import Renderer
from stencilgen.spec import parse_spec
from stencilgen.verify import load_module

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float16", "float32", "float64", "longdouble"]
COMPLEX = ["complex64", "complex128"]
TIMES = ["timedelta64[s]", "timedelta64[ms]", "datetime64[s]", "datetime64[D]"]
DATA_DTYPES = [*INTS, *FLOATS, *COMPLEX, "bool", *TIMES]
SCALAR_DTYPES = [*INTS, *FLOATS, *COMPLEX, "bool"]
COORD_DTYPES = [*INTS, *FLOATS, *COMPLEX, "bool", "timedelta64[s]", "datetime64[ms]"]


def _render(name: str, accuracy: int, edge_order: int) -> types.ModuleType:
    toml = f'[{name}]\nkind = "gradient"\naccuracy = {accuracy}\n'
    entry = parse_spec(toml + f"edge_order = {edge_order}\n", "s.toml").entries[0]
    _, source = render_body(entry, Renderer())
    return load_module(source, name)


@pytest.fixture(scope="module")
def modules() -> tuple[types.ModuleType, types.ModuleType]:
    return _render("gradient", 2, 1), _render("gradient4", 4, 4)


def _values(rng: np.random.Generator, dtype: np.dtype[Any], shape: Any) -> Any:
    """Random values representable in ``dtype`` (small, so sums do not overflow)."""
    if dtype.kind in "mM":
        return rng.integers(-50, 50, shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        low = 0 if dtype.kind == "u" else -100
        return rng.integers(low, 100, shape).astype(dtype)
    values = rng.normal(0, 10, shape)
    if dtype.kind == "c":
        values = values + 1j * rng.normal(0, 10, shape)
    return values.astype(dtype)


def _layout(rng: np.random.Generator, array: Any, layout: str) -> Any:
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        # A non-contiguous view with the same values: every other element.
        wide = np.zeros(
            (*array.shape[:-1], 2 * array.shape[-1]) if array.ndim else (),
            dtype=array.dtype,
        )
        wide[..., ::2] = array
        return wide[..., ::2]
    if layout == "reversed":
        return np.flip(np.flip(array).copy())
    return np.ascontiguousarray(array)


def _scalar(draw: Any, rng: np.random.Generator) -> Any:
    form = draw(
        st.sampled_from(
            [
                "python int",
                "python float",
                "python complex",
                "numpy",
                "0-d",
                "timedelta",
            ]
        )
    )
    value = draw(st.sampled_from([1, 2, 3, 7, -2, 0.1, 0.3, 1.7, -0.6, 1e-3]))
    if form == "python int":
        return round(value) or 1
    if form == "python float":
        return float(value)
    if form == "python complex":
        return complex(value, 0.5)
    if form == "timedelta":
        return np.timedelta64(round(abs(value)) or 1, draw(st.sampled_from("sm")))
    dtype = np.dtype(draw(st.sampled_from(SCALAR_DTYPES)))
    if dtype.kind in "iub":
        value = abs(round(value)) or 1
    scalar = np.asarray(value).astype(dtype)
    return scalar if form == "0-d" else scalar[()]


def _coordinates(draw: Any, rng: np.random.Generator, n: int) -> Any:
    dtype = np.dtype(draw(st.sampled_from(COORD_DTYPES)))
    kind = draw(st.sampled_from(["increasing", "uniform", "decreasing", "random"]))
    if kind == "uniform":
        steps = np.full(n, draw(st.sampled_from([1, 2, 3])))
    else:
        steps = rng.integers(1, 4, n)
    x = np.cumsum(steps).astype(np.float64)
    if dtype.kind in "fc" and kind != "uniform":
        x = x + rng.uniform(-0.3, 0.3, n)
    if dtype.kind == "c":
        x = x + 1j * rng.uniform(-0.3, 0.3, n)
    if kind == "decreasing":
        x = x[::-1].copy()
    if kind == "random":
        x = rng.permutation(x)
    if dtype.kind == "b":
        return (np.arange(n) % 2).astype(bool)
    if dtype.kind in "mM":
        return np.round(x).astype(np.int64).astype(dtype)
    return x.astype(dtype)


@st.composite
def cases(draw: Any) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = np.dtype(draw(st.sampled_from(DATA_DTYPES)))
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=ndim, max_size=ndim)))
    f = _layout(
        rng,
        _values(rng, dtype, shape),
        draw(st.sampled_from(["C", "F", "strided", "reversed"])),
    )
    axis_form = draw(st.sampled_from(["none", "int", "negative", "tuple", "absent"]))
    kwargs: dict[str, Any] = {"edge_order": draw(st.sampled_from([1, 2, 1, 2, 3]))}
    if axis_form == "none":
        kwargs["axis"] = None
    elif axis_form in ("int", "negative"):
        ax = draw(st.integers(0, ndim - 1))
        kwargs["axis"] = ax - ndim if axis_form == "negative" else ax
    elif axis_form == "tuple":
        kwargs["axis"] = tuple(
            draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim))
        )
    axes = kwargs.get("axis")
    if axes is None:
        axes = tuple(range(ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    spacing = draw(st.sampled_from(["none", "one scalar", "per axis", "per axis"]))
    varargs: tuple[Any, ...] = ()
    if spacing == "one scalar":
        varargs = (_scalar(draw, rng),)
    elif spacing == "per axis":
        items = []
        for ax in axes:
            if draw(st.booleans()):
                items.append(_scalar(draw, rng))
            else:
                items.append(_coordinates(draw, rng, shape[ax % ndim]))
        varargs = tuple(items)
    return f, varargs, kwargs


def _run(function: Any, f: Any, varargs: Any, kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return function(f, *varargs, **kwargs)
        except Exception as error:
            return error


def _ulps_apart(expected: Any, actual: Any) -> Any:
    """Per element: how many ulps of ``expected``'s dtype separate the two."""
    if expected.dtype.kind == "c":
        return np.maximum(
            _ulps_apart(expected.real, actual.real),
            _ulps_apart(expected.imag, actual.imag),
        )
    e = expected.astype(np.float64 if expected.itemsize <= 8 else expected.dtype)
    a = actual.astype(e.dtype)
    same = (e == a) | (np.isnan(e) & np.isnan(a))
    scale = np.maximum(np.abs(e), np.abs(a))
    ulp = np.spacing(scale.astype(expected.dtype)).astype(e.dtype)
    with np.errstate(invalid="ignore"):
        apart = np.abs(e - a) / ulp
    return np.where(same, 0, np.where(np.isfinite(apart), apart, np.inf))


def _complex_spacing(varargs: tuple[Any, ...]) -> bool:
    return any(np.asarray(v).dtype.kind == "c" for v in varargs)


def assert_like_numpy(
    expected: Any, actual: Any, values: bool = True, ulps: float = 1
) -> None:
    if isinstance(expected, Exception):
        assert isinstance(actual, type(expected)), (expected, actual)
        return
    assert not isinstance(actual, Exception), (expected, actual)
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for e, a in zip(expected, actual, strict=True):
            assert_like_numpy(e, a, values, ulps)
        return
    assert type(actual) is type(expected)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape
    if not values:
        return
    if expected.dtype.kind in "mM":
        np.testing.assert_array_equal(actual, expected)
    elif ulps <= 1:
        apart = _ulps_apart(expected, actual)
        assert np.all(apart <= 1), (expected, actual, apart)
    else:
        # Within ``ulps`` units of the result's precision, relative to the
        # largest value.
        finite = np.abs(expected[np.isfinite(expected)])
        scale = float(np.max(finite, initial=0).astype(np.float64))
        tol = ulps * float(np.finfo(expected.dtype).eps) * max(scale, 1e-300)
        both_nan = np.isnan(expected) & np.isnan(actual)
        close = np.isclose(actual, expected, rtol=0, atol=tol) | both_nan
        assert np.all(close | (expected == actual)), (expected, actual)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_matches_numpy_gradient(modules: Any, case: Any) -> None:
    f, varargs, kwargs = case
    expected = _run(np.gradient, f, varargs, kwargs)
    grad, grad4 = modules
    # Complex spacings: numpy's SIMD complex products are not bitwise
    # commutative (hs·hd differs from hd·hs in the last bit), so their values
    # are held to a few units of the complex working precision.
    ulps = 4.0 if _complex_spacing(varargs) else 1.0
    assert_like_numpy(expected, _run(grad.gradient, f, varargs, kwargs), True, ulps)
    # The accuracy-4 stencils need more points; the dtypes and exceptions are
    # numpy's where numpy's checks decide (arrays long enough for both).
    if all(s >= 5 for s in f.shape) and not isinstance(expected, Exception):
        assert_like_numpy(expected, _run(grad4.gradient4, f, varargs, kwargs), False)


def test_issue_examples(modules: Any) -> None:
    """The reported cases: low-precision scalar steps, timedelta steps."""
    grad, _ = modules
    f = np.array([0.0, 1.0, 4.0, 9.0, 16.0])
    for h in (np.float32(0.1), np.float16(0.1), np.array(0.1, np.float32)):
        for e in (1, 2):
            expected = np.gradient(f, h, edge_order=e)
            assert_like_numpy(expected, grad.gradient(f, h, edge_order=e))
    assert grad.gradient(f, np.float32(0.1))[1] == pytest.approx(19.9999997, abs=1e-7)
    t = np.array([0, 5, 7, 20], dtype="timedelta64[s]")
    for data in (t, t.astype("datetime64[s]")):
        for h in (np.timedelta64(2, "s"), np.timedelta64(1500, "ms")):
            expected = np.gradient(data, h)
            assert expected.dtype.kind == "m"
            assert_like_numpy(expected, grad.gradient(data, h))
            # numpy refuses edge_order=2 with a timedelta step (float / timedelta).
            assert_like_numpy(
                _run(np.gradient, data, (h,), {"edge_order": 2}),
                _run(grad.gradient, data, (h,), {"edge_order": 2}),
            )


@pytest.mark.parametrize(
    "coord_dtype", ["float16", "float32", "complex64", "complex128"]
)
def test_low_precision_coordinates_bitwise(modules: Any, coord_dtype: str) -> None:
    """Coordinate arrays of every precision: numpy's weights and sums, bit for bit.

    numpy computes the weights at the coordinates' precision with its operand
    order (its complex products are not bitwise commutative) and sums at the
    precision of weights times data (boolean data on float16 coordinates: float16).
    """
    grad, _ = modules
    rng = np.random.default_rng(17)
    x = np.cumsum(rng.uniform(0.5, 1.5, 9))
    if coord_dtype.startswith("complex"):
        x = x + 1j * rng.uniform(-0.3, 0.3, 9)
    x = x.astype(coord_dtype)
    for dtype in ["bool", "int8", "float16", "float32", "float64", *COMPLEX]:
        f = _values(rng, np.dtype(dtype), (3, 9))
        for edge_order in (1, 2):
            for data in (f, f[0]):
                expected = _run(
                    np.gradient, data, (x,), {"axis": -1, "edge_order": edge_order}
                )
                actual = _run(
                    grad.gradient, data, (x,), {"axis": -1, "edge_order": edge_order}
                )
                if isinstance(expected, Exception):
                    assert isinstance(actual, type(expected))
                    continue
                assert actual.dtype == expected.dtype
                np.testing.assert_array_equal(actual, expected, strict=True)


def test_reported_complex64_coordinates(modules: Any) -> None:
    """The CI failure: int8 data, complex64 coordinates along the last axis."""
    grad, _ = modules
    f = _values(np.random.default_rng(3), np.dtype("int8"), (3, 3, 3))
    x = np.array(
        [3.0248768 - 0.2830082j, 3.879827 - 0.22543003j, 4.9536123 + 0.10237465j],
        dtype=np.complex64,
    )
    varargs = (np.array([1, 4, 7], dtype=np.int8), 1, x)
    expected = _run(np.gradient, f, varargs, {"edge_order": 1, "axis": None})
    actual = _run(grad.gradient, f, varargs, {"edge_order": 1, "axis": None})
    np.testing.assert_array_equal(actual[2], expected[2], strict=True)
    assert_like_numpy(expected, actual)
