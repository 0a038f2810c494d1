"""N-D operators on the array-API and numba backends: NumPy's numbers, bitwise.

Every operator shape (one-sided, periodic, valid and mixed boundaries, mixed
derivatives, 1-D to 3-D) is rendered with ``backend = "numpy"``, ``"numba"`` and
``"array-api"``, and the results are compared element for element (and dtype) on
NumPy arrays of every inexact dtype and integers, in every axis order and memory
layout; the array-API module then on array-api-strict, torch (CPU) and JAX (CPU)
arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, load_file, write_module
from conftest import random_samples as samples

from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec

pytest.importorskip("array_api_compat")
xps = pytest.importorskip("array_api_strict")

SHAPES = {
    "lap2": 'expression = "u_xx + u_yy"\naccuracy = 2\n',
    "lap2_4_periodic": (
        'expression = "u_xx + u_yy"\naccuracy = 4\nboundary = "periodic"\n'
    ),
    "lap2_valid": 'expression = "u_xx + u_yy"\naccuracy = 2\nboundary = "valid"\n',
    "mixed": 'expression = "u_xy + 2*u_xx"\naccuracy = 4\n',
    "lap3_sides": (
        'expression = "u_xx + u_yy + u_zz"\naccuracy = 4\n'
        'boundary = ["one-sided", "periodic", "valid"]\n'
    ),
    "third_1d": 'expression = "u_xxx"\naccuracy = 2\n',
}
# Array shapes per operator dimension count: (operator axes last by default).
ARRAYS = {1: [(23,), (7, 19)], 2: [(12, 17), (11, 9, 13)], 3: [(10, 9, 11)]}


def load(path: Path, name: str) -> ModuleType:
    # Registered by name: dask tasks pickle the module's functions by reference.
    return load_file(path, name, register=True)


@functools.cache
def rendered(shape: str, backend: str, directory: Path) -> Callable[..., Any]:
    name = f"nd_{shape}_{backend.replace('-', '_')}"
    text = f"[{name}]\n{SHAPES[shape]}backend = {backend!r}\n".replace("'", '"')
    return getattr(write_module(text, name, directory), name)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nd_backends")


def ndim_of(shape: str) -> int:
    return 3 if "lap3" in shape else 1 if "1d" in shape else 2


def axes_cases(ndim: int, array_ndim: int) -> list[tuple[int, ...] | None]:
    """The default axes, the operator axes reversed, and leading axes if any."""
    cases: list[tuple[int, ...] | None] = [None]
    last = tuple(range(array_ndim - ndim, array_ndim))
    if ndim > 1:
        cases.append(last[::-1])
    if array_ndim > ndim:
        cases.append(tuple(range(ndim)))
    return cases


STEPS = {1: 0.3, 2: (0.3, 0.45), 3: (0.3, 0.45, 0.2)}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_array_api_nd_is_bitwise_equal_to_numpy(shape: str, folder: Path) -> None:
    numpy_op = rendered(shape, "numpy", folder)
    xp_op = rendered(shape, "array-api", folder)
    ndim = ndim_of(shape)
    h = STEPS[ndim]
    for dims in ARRAYS[ndim]:
        for dtype in (np.float64, np.float32, np.complex128, np.int64):
            u = samples(dims, dtype)
            for axes in axes_cases(ndim, len(dims)):
                expected = numpy_op(u, h, axes=axes)
                got = xp_op(u, h, axes=axes)
                assert type(got) is np.ndarray
                np.testing.assert_array_equal(got, expected, strict=True)
                # Another memory layout in, into a given out of the same dtype.
                out = np.empty_like(expected)
                assert xp_op(np.asfortranarray(u), h, axes=axes, out=out) is out
                np.testing.assert_array_equal(out, expected, strict=True)
    # Equal steps: groups of equal constants are summed before one multiply.
    for dims in ARRAYS[ndim]:
        for dtype in (np.float64, np.float32):
            u = samples(dims, dtype, seed=7)
            for axes in axes_cases(ndim, len(dims)):
                expected = numpy_op(u, 0.3, axes=axes)
                got = xp_op(u, 0.3, axes=axes)
                np.testing.assert_array_equal(got, expected, strict=True)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_numba_nd_is_bitwise_equal_to_numpy(shape: str, folder: Path) -> None:
    pytest.importorskip("numba")
    numpy_op = rendered(shape, "numpy", folder)
    numba_op = rendered(shape, "numba", folder)
    ndim = ndim_of(shape)
    h = STEPS[ndim]
    # Each dtype compiles once (C-ordered (rows, n0, ...) arrays): complex on the
    # 2-D operators only, to keep compile time small.
    dtypes = [np.float64, np.float32, np.int64]
    dtypes += [np.complex128] if shape in ("lap2", "mixed") else []
    for dims in ARRAYS[ndim]:
        for dtype in dtypes:
            u = samples(dims, dtype, seed=5)
            for axes in axes_cases(ndim, len(dims)):
                expected = numpy_op(u, h, axes=axes)
                got = numba_op(u, h, axes=axes)
                np.testing.assert_array_equal(got, expected, strict=True)
                out = np.empty_like(expected)
                assert numba_op(np.asfortranarray(u), h, axes=axes, out=out) is out
                np.testing.assert_array_equal(out, expected, strict=True)
    # Equal steps: groups of equal constants are summed before one multiply.
    for dims in ARRAYS[ndim]:
        u = samples(dims, np.float64, seed=7)
        for axes in axes_cases(ndim, len(dims)):
            expected = numpy_op(u, 0.3, axes=axes)
            np.testing.assert_array_equal(numba_op(u, 0.3, axes=axes), expected)
    # An out= of another dtype: computed in u's dtype, rounded once into out.
    u = samples(ARRAYS[ndim][0], np.float64, seed=6)
    out = np.empty(numpy_op(u, h).shape, dtype=np.float32)
    numba_op(u, h, out=out)
    np.testing.assert_array_equal(out, numpy_op(u, h).astype(np.float32))


def test_numba_nd_takes_dask_and_xarray(folder: Path) -> None:
    pytest.importorskip("numba")
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    numpy_op = rendered("lap2_4_periodic", "numpy", folder)
    numba_op = rendered("lap2_4_periodic", "numba", folder)
    u = samples((3, 12, 15), np.float64, seed=4)
    lazy = numba_op(da.from_array(u, chunks=(1, 5, 4)), 0.2)
    np.testing.assert_array_equal(lazy.compute(), numpy_op(u, 0.2), strict=True)
    got = numba_op(xr.DataArray(u, dims=("t", "y", "x")), 0.2, dims=("x", "y"))
    assert got.dims == ("t", "y", "x")
    np.testing.assert_array_equal(
        got.values, numpy_op(u, 0.2, axes=(2, 1)), strict=True
    )


def test_array_api_nd_takes_a_step_per_axis_and_scalars(folder: Path) -> None:
    numpy_op = rendered("mixed", "numpy", folder)
    xp_op = rendered("mixed", "array-api", folder)
    u = samples((14, 13), np.float64, seed=3)
    for h in (0.25, [0.25, 0.5], np.array([0.1, 0.7]), 1.0):
        np.testing.assert_array_equal(xp_op(u, h), numpy_op(u, h), strict=True)
    # Nested lists go through numpy.asarray, as in the NumPy module.
    np.testing.assert_array_equal(xp_op(u.tolist()), numpy_op(u), strict=True)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_array_api_nd_on_strict_and_torch(shape: str, folder: Path) -> None:
    torch = pytest.importorskip("torch")
    numpy_op = rendered(shape, "numpy", folder)
    xp_op = rendered(shape, "array-api", folder)
    ndim = ndim_of(shape)
    h = STEPS[ndim]
    for dims in ARRAYS[ndim]:
        for dtype in (np.float64, np.float32, np.int64):
            u = samples(dims, dtype, seed=1)
            for axes in axes_cases(ndim, len(dims)):
                expected = numpy_op(u, h, axes=axes)
                strict = xp_op(xps.asarray(u), h, axes=axes)
                assert type(strict) is type(xps.asarray(u))
                got = np.asarray(strict)
                np.testing.assert_array_equal(got, expected, strict=True)
                tensor = xp_op(torch.from_numpy(u), h, axes=axes)
                assert isinstance(tensor, torch.Tensor)
                assert tensor.device == torch.device("cpu")
                np.testing.assert_array_equal(tensor.numpy(), expected, strict=True)


@pytest.mark.parametrize("shape", ["lap2", "lap2_4_periodic", "lap3_sides", "mixed"])
def test_array_api_nd_on_jax(shape: str, folder: Path) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64, as NumPy
    jnp = pytest.importorskip("jax.numpy")
    numpy_op = rendered(shape, "numpy", folder)
    xp_op = rendered(shape, "array-api", folder)
    ndim = ndim_of(shape)
    for dtype in (np.float64, np.float32):
        u = samples(ARRAYS[ndim][-1], dtype, seed=2)
        got = xp_op(jnp.asarray(u), STEPS[ndim])
        assert isinstance(got, jax.Array)
        np.testing.assert_array_equal(
            np.asarray(got), numpy_op(u, STEPS[ndim]), strict=True
        )


def test_array_api_nd_takes_dask_and_xarray(folder: Path) -> None:
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    numpy_op = rendered("lap2_valid", "numpy", folder)
    xp_op = rendered("lap2_valid", "array-api", folder)
    u = samples((4, 12, 15), np.float64, seed=4)
    lazy = xp_op(da.from_array(u, chunks=(1, 5, 4)), 0.2)
    assert type(lazy).__name__ == "Array"
    np.testing.assert_array_equal(lazy.compute(), numpy_op(u, 0.2), strict=True)
    t = xr.DataArray(u, dims=("time", "lat", "lon"))
    got = xp_op(t, 0.2, dims=("lon", "lat"))
    assert got.dims == ("time", "lat", "lon")
    expected = numpy_op(u, 0.2, axes=(2, 1))
    np.testing.assert_array_equal(got.values, expected, strict=True)


def test_array_api_nd_argument_errors(folder: Path) -> None:
    torch = pytest.importorskip("torch")
    op = rendered("lap2", "array-api", folder)
    u = samples((6, 7), np.float64)
    with pytest.raises(TypeError, match="out= takes a NumPy array for NumPy input"):
        op(torch.from_numpy(u), out=torch.empty((6, 7), dtype=torch.float64))
    with pytest.raises(ValueError, match=r"out has shape \(6, 6\), expected \(6, 7\)"):
        op(u, out=np.empty((6, 6)))
    with pytest.raises(ValueError, match="cannot hold float64"):
        op(u, out=np.empty((6, 7), dtype=np.int64))
    with pytest.raises(ValueError, match="needs at least 4 points along axis 0, got 2"):
        op(torch.zeros((2, 7)))
    with pytest.raises(ValueError, match="h has 3 values for 2 dimensions"):
        op(u, (0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="acts on 2 dimensions but the array has 1"):
        op(u[0])
    with pytest.raises(ValueError, match="repeat an axis"):
        op(u, axes=(1, 1))
    with pytest.raises(TypeError, match="dims= names DataArray dimensions"):
        op(u, dims=("x", "y"))


def test_wrap_is_numpy_pad_wrap() -> None:
    runtime = load_file(ROOT / "templates" / "runtime" / "nd_arrayapi.py", "ndx_rt")
    u = samples((3, 5, 7), np.float64)
    xp = runtime.array_api_compat.array_namespace(u)
    for pad in [(0, 2), (2, 0), (5, 7), (1, 3)]:
        expected = np.pad(u, [(0, 0), (pad[0], pad[0]), (pad[1], pad[1])], "wrap")
        got = runtime._ndx_wrap(xp, u, pad)
        np.testing.assert_array_equal(got, expected, strict=True)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            'expression = "u_xx + u_yy"\ngrid = "coordinates"\nbackend = "numba"',
            r'backend = "numba" renders N-D operators on uniform grids',
        ),
        (
            'expression = "u_xx + u_yy"\ngrid = "coordinates"\nbackend = "array-api"',
            r'backend = "array-api" renders N-D operators on uniform grids .*not '
            r'grid = "coordinates"; use backend = "numpy"',
        ),
        (
            'expression = "u_xx + u_yy"\nmatrix = true\nbackend = "array-api"',
            r"not matrix = true",
        ),
        (
            'expression = "k*u_xx + u_yy"\nbackend = "array-api"',
            r"not coefficient arrays",
        ),
        (
            'expression = "(k*u_x)_x + (k*u_y)_y"\nbackend = "array-api"',
            r'the flux form renders with backend = "numpy" only',
        ),
        (
            'expression = "u_xx + u_yy"\nbackend = "cuda"',
            r"key 'backend'.*unknown value 'cuda'",
        ),
    ],
)
def test_unsupported_nd_backends_are_one_line_errors(text: str, pattern: str) -> None:
    with pytest.raises(SpecError, match=pattern) as info:
        parse_spec(f"[d]\n{text}\n")
    assert "\n" not in str(info.value)


def test_bundled_array_api_nd_module_matches_its_numpy_twin() -> None:
    torch = pytest.importorskip("torch")
    fast = load(ROOT / "generated" / "laplacian2d_4_xp.py", "nd_bundled_xp")
    reference = load(ROOT / "generated" / "laplacian2d_4.py", "nd_bundled_np")
    u = samples((2, 21, 18), np.float64, seed=6)
    for h in ((0.1, 0.2), 0.1):
        expected = reference.laplacian2d_4(u, h)
        got = fast.laplacian2d_4_xp(torch.from_numpy(u), h)
        np.testing.assert_array_equal(got.numpy(), expected, strict=True)
    text = (ROOT / "generated" / "laplacian2d_4_xp.py").read_text()
    assert "import array_api_compat" in text
    assert "import stencilgen" not in text and "from stencilgen" not in text


def test_bundled_numba_nd_module_matches_its_numpy_twin() -> None:
    pytest.importorskip("numba")
    fast = load(ROOT / "generated" / "laplacian2d_4_numba.py", "nd_bundled_nb")
    reference = load(ROOT / "generated" / "laplacian2d_4.py", "nd_bundled_np")
    u = samples((9, 21, 18), np.float64, seed=6)
    for axes in (None, (2, 1), (0, 2)):
        for h in ((0.1, 0.2), 0.1):
            expected = reference.laplacian2d_4(u, h, axes=axes)
            got = fast.laplacian2d_4_numba(u, h, axes=axes)
            np.testing.assert_array_equal(got, expected, strict=True)
