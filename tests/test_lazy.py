"""Dask arrays and xarray DataArrays into the generated modules (runtime/lazy.py).

Every committed ``generated/`` operator and gradient takes a dask array (a lazy
result, bitwise equal to the NumPy one for every chunking, on a real
``LocalCluster`` too) and a DataArray (``dim=``, coordinates as grids).
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, load_file

da = pytest.importorskip("dask.array")
xr = pytest.importorskip("xarray")


def load(path: Path, name: str) -> ModuleType:
    # Registered by name: dask tasks pickle the module's functions by reference.
    return load_file(path, name, register=True)


MODULES = {
    name: load(ROOT / "generated" / f"{name}.py", f"stencilgen_generated_{name}")
    for name in (
        "d1_central2",
        "d1_central4",
        "d2_central8",
        "d1_forward2",
        "d1_periodic4",
        "d1_staggered4",
        "d1_nonuniform2",
        "d2_nonuniform2",
        "d1_periodic_x4",
        "gradient",
        "gradient4",
    )
}

OPERATORS = [
    n for n in MODULES if not n.startswith("gradient") and n != "d1_periodic_x4"
]
COORDINATES = {"d1_nonuniform2", "d2_nonuniform2"}


def operator(name: str, h: float = 0.1) -> Callable[..., Any]:
    """The generated operator (h bound on uniform grids)."""
    function = getattr(MODULES[name], name)
    if name in COORDINATES:
        return function  # type: ignore[no-any-return]
    return functools.partial(function, h=h)


def chunkings(n: int, rng: np.random.Generator) -> Iterator[tuple[int, ...]]:
    """Whole axis, single points, small and random chunk sizes."""
    yield (n,)
    yield (1,) * n
    yield (2,) * (n // 2) + ((n % 2,) if n % 2 else ())
    yield (n - 1, 1)
    yield (1, n - 1)
    for _ in range(3):
        cuts = np.sort(rng.choice(np.arange(1, n), size=min(5, n - 1), replace=False))
        yield tuple(int(c) for c in np.diff(np.r_[0, cuts, n]))


def grid(n: int, rng: np.random.Generator) -> np.ndarray:
    """Non-uniform coordinates with an evenly spaced stretch in the middle."""
    steps = rng.uniform(0.5, 1.5, n - 1)
    steps[n // 3 : 2 * n // 3] = 0.25  # locally uniform: chunks there must not care
    return np.r_[0.0, np.cumsum(steps)]


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dask_1d_bitwise_for_every_chunking(name: str, dtype: type) -> None:
    rng = np.random.default_rng(1)
    n = 23
    f = rng.standard_normal(n).astype(dtype)
    args = (grid(n, rng),) if name in COORDINATES else ()
    op = operator(name)
    expected = op(f, *args)
    for chunks in chunkings(n, rng):
        result = op(da.from_array(f, chunks=(chunks,)), *args)
        assert isinstance(result, da.Array)
        got = result.compute()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected, strict=True, err_msg=str(chunks))


@pytest.mark.parametrize(
    "name", ["d1_central4", "d1_periodic4", "d1_staggered4", "d2_nonuniform2"]
)
def test_dask_2d_every_axis(name: str) -> None:
    rng = np.random.default_rng(2)
    f = rng.standard_normal((13, 17))
    op = operator(name)
    for axis in (0, 1, -1):
        args = (grid(f.shape[axis], rng),) if name in COORDINATES else ()
        expected = op(f, *args, axis=axis)
        for chunks in [(3, 5), (1, 1), (13, 4), (6, 17)]:
            got = op(da.from_array(f, chunks=chunks), *args, axis=axis).compute()
            np.testing.assert_array_equal(got, expected, strict=True)


def test_dask_integer_input_gives_float64() -> None:
    f = np.arange(20) ** 2
    op = operator("d1_central2")
    got = op(da.from_array(f, chunks=3))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.compute(), op(f), strict=True)


def test_dask_coordinates_as_dask_array() -> None:
    rng = np.random.default_rng(3)
    x = grid(30, rng)
    f = np.sin(x)
    op = operator("d1_nonuniform2")
    got = op(da.from_array(f, chunks=4), da.from_array(x, chunks=7)).compute()
    np.testing.assert_array_equal(got, op(f, x), strict=True)


def test_periodic_coordinates_on_dask_and_xarray() -> None:
    # The wrap needs both ends of x and the period: the axis is computed in one
    # piece, lazily, and equals the NumPy result for any chunking of f.
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0.0, 2 * np.pi, 40))
    f = np.stack([np.sin(x), np.cos(2 * x), np.sin(3 * x)])
    op = MODULES["d1_periodic_x4"].d1_periodic_x4
    expected = op(f, x, 2 * np.pi)
    for chunks in ((1, 7), (3, 40), (2, 1)):
        lazy = op(da.from_array(f, chunks=chunks), x, 2 * np.pi)
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(lazy.compute(), expected, strict=True)
    data = xr.DataArray(f, dims=("k", "angle"), coords={"angle": x})
    for array in (data, data.chunk({"angle": 9})):
        got = op(array, period=2 * np.pi, dim="angle")
        assert isinstance(got, xr.DataArray) and got.dims == data.dims
        np.testing.assert_array_equal(got.values, expected, strict=True)


def test_dask_unknown_chunk_sizes_is_a_clear_error() -> None:
    f = da.from_array(np.arange(10.0), chunks=3)
    f = f[f > -1]  # boolean mask: chunk sizes unknown
    with pytest.raises(ValueError, match=r"unknown chunk sizes.*compute_chunk_sizes"):
        operator("d1_central2")(f)


def test_dask_too_few_points_is_the_numpy_error() -> None:
    op = operator("d1_central4")
    with pytest.raises(ValueError, match="needs at least 5 points along axis 0, got 4"):
        op(da.zeros(4, chunks=1))


def test_numpy_input_imports_neither_dask_nor_xarray() -> None:
    code = (
        "import importlib.util, sys, numpy as np\n"
        "for name in ('d1_periodic4', 'd1_nonuniform2', 'gradient4'):\n"
        f"    path = {str(ROOT / 'generated')!r} + '/' + name + '.py'\n"
        "    spec = importlib.util.spec_from_file_location(name, path)\n"
        "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "    f = getattr(m, name)\n"
        "    x = np.linspace(0, 1, 9)\n"
        "    f(x**2, x) if 'nonuniform' in name else f(x**2)\n"
        "    f([1.0, 2, 4, 8, 16, 32], [0, 1, 2, 3, 5, 6]) if 'grad' in name else 0\n"
        "assert 'dask' not in sys.modules and 'xarray' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dim_without_a_dataarray_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="dim= names a dimension of an xarray"):
        operator("d1_central2")(np.zeros(5), dim="x")
    with pytest.raises(TypeError, match="dim= and datetime_unit= are for xarray"):
        MODULES["gradient"].gradient(np.zeros(5), dim="x")
    with pytest.raises(TypeError, match="out= takes NumPy arrays; dask input"):
        operator("d1_central2")(da.zeros(5, chunks=2), out=np.zeros(5))


# --- gradient -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["gradient", "gradient4"])
@pytest.mark.parametrize("spacing", ["unit", "uniform", "coordinates"])
def test_dask_gradient_bitwise(name: str, spacing: str) -> None:
    module = MODULES[name]
    rng = np.random.default_rng(4)
    f = rng.standard_normal((19, 11))
    for edge_order in module.EDGE_ORDERS:
        for axis in (0, 1, None):
            axes = (0, 1) if axis is None else (axis,)
            if spacing == "unit":
                varargs: tuple[Any, ...] = ()
            elif spacing == "uniform":
                varargs = tuple(np.linspace(0, 2, f.shape[a]) for a in axes)
            else:
                varargs = tuple(grid(f.shape[a], rng) for a in axes)
            expected = getattr(module, name)(
                f, *varargs, axis=axis, edge_order=edge_order
            )
            for chunks in [(1, 1), (4, 3), (19, 11), (7, 2)]:
                got = getattr(module, name)(
                    da.from_array(f, chunks=chunks),
                    *varargs,
                    axis=axis,
                    edge_order=edge_order,
                )
                got, want = (got, expected) if axis is None else ((got,), (expected,))
                for g, w in zip(got, want, strict=True):
                    np.testing.assert_array_equal(g.compute(), w, strict=True)


# --- a real cluster ------------------------------------------------------------


def test_on_a_local_cluster_with_two_workers() -> None:
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(5)
    f = rng.standard_normal((40, 300))
    x = grid(300, rng)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        fd = da.from_array(f, chunks=(20, 7))
        for name, args in [
            ("d2_central8", ()),
            ("d1_periodic4", ()),
            ("d1_nonuniform2", (x,)),
        ]:
            op = operator(name)
            got = client.compute(op(fd, *args)).result()
            np.testing.assert_array_equal(got, op(f, *args), strict=True)
        lazy_results = MODULES["gradient4"].gradient4(fd, 1.0, x)
        got = [future.result() for future in client.compute(list(lazy_results))]
        want = MODULES["gradient4"].gradient4(f, 1.0, x)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w, strict=True)


# --- xarray --------------------------------------------------------------------


def dataarray(chunks: Any = None) -> Any:
    """(time, lat, lon) samples on a non-uniform latitude grid, hourly times."""
    rng = np.random.default_rng(6)
    lat = np.sort(rng.uniform(-80, 80, 15))
    lon = np.arange(0.0, 360.0, 20.0)
    time = np.datetime64("2026-01-01T00") + np.array(
        [0, 1, 3, 4, 7, 8]
    ) * np.timedelta64(1, "h")
    data = rng.standard_normal((time.size, lat.size, lon.size))
    f = xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"time": time, "lat": lat, "lon": lon},
        name="t2m",
        attrs={"units": "K"},
    )
    return f.chunk(chunks) if chunks else f


@pytest.mark.parametrize("chunks", [None, {"time": 2, "lat": 1, "lon": 4}])
def test_xarray_coordinate_grid_uses_the_coordinate(chunks: Any) -> None:
    f = dataarray(chunks)
    op = operator("d1_nonuniform2")
    result = op(f, dim="lat")
    assert isinstance(result, xr.DataArray)
    assert result.dims == f.dims
    assert (chunks is not None) == isinstance(result.data, da.Array)  # stays lazy
    xr.testing.assert_identical(result.coords.to_dataset(), f.coords.to_dataset())
    expected = op(f.values, f.lat.values, axis=1)
    np.testing.assert_array_equal(result.values, expected, strict=True)


def test_xarray_datetime_coordinate_needs_a_unit() -> None:
    f = dataarray()
    op = operator("d1_nonuniform2")
    hours = np.array([0.0, 1, 3, 4, 7, 8])
    expected = op(f.values, hours, axis=0)
    got = op(f, dim="time", datetime_unit="h")
    np.testing.assert_array_equal(got.values, expected, strict=True)
    per_second = op(f, dim="time", datetime_unit="s").values
    np.testing.assert_allclose(per_second * 3600, expected, rtol=1e-13, atol=1e-13)
    with pytest.raises(
        ValueError, match=r"datetime64\[\w+\] values; give datetime_unit="
    ):
        op(f, dim="time")


def test_xarray_periodic_dimension() -> None:
    f = dataarray({"lon": 5})
    op = operator("d1_periodic4", h=20.0)
    got = op(f, dim="lon")
    assert isinstance(got.data, da.Array)
    np.testing.assert_array_equal(got.values, op(f.values, axis=2), strict=True)


def test_xarray_valid_boundary_drops_the_coordinate() -> None:
    f = dataarray({"lon": 4})
    op = operator("d1_staggered4", h=20.0)
    got = op(f, dim="lon")
    assert got.sizes["lon"] == f.sizes["lon"] - 3 and "lon" not in got.coords
    np.testing.assert_array_equal(got.values, op(f.values, axis=2), strict=True)


def test_xarray_bad_dimensions_are_clear_errors() -> None:
    f = dataarray()
    op = operator("d1_nonuniform2")
    with pytest.raises(
        ValueError,
        match=r"no dimension 'height'; its dimensions are \('time', 'lat', 'lon'\)",
    ):
        op(f, dim="height")
    with pytest.raises(
        ValueError,
        match=r"has no coordinate; assign one with f.assign_coords\(lat=...\)",
    ):
        op(f.drop_vars("lat"), dim="lat")
    with pytest.raises(ValueError, match="give dim= naming the dimension"):
        op(f)


def test_xarray_matches_differentiate_at_accuracy_2() -> None:
    """gradient (accuracy 2) along a coordinate is DataArray.differentiate's numbers."""
    f = dataarray()
    module = MODULES["gradient"]
    got = module.gradient(f, dim="lat")
    expected = f.differentiate("lat")
    np.testing.assert_allclose(got.values, expected.values, rtol=1e-13, atol=1e-13)


def test_apply_refuses_lazy_input_with_the_fix() -> None:
    module = MODULES["d1_nonuniform2"]
    weights = module.d1_nonuniform2_weights(np.linspace(0, 1, 9))
    with pytest.raises(TypeError, match=r"takes NumPy arrays; for dask input call"):
        module.d1_nonuniform2_apply(da.zeros(9, chunks=3), weights)
