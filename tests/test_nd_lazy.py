"""N-D operators on dask arrays and xarray DataArrays (templates/runtime/nd_lazy.py).

Every block sees whole operator axes, so results are bitwise equal to NumPy for
any chunking of the batch axes and of the operator axes themselves.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from conftest import load_generated

da = pytest.importorskip("dask.array")
xr = pytest.importorskip("xarray")


def load(name: str) -> ModuleType:
    return load_generated(name, f"nd_lazy_{name}", register=True)


RNG = np.random.default_rng(7)
U = RNG.standard_normal((3, 14, 11))


@pytest.mark.parametrize("name", ["laplacian2d", "laplacian2d_4", "mixed_xy"])
@pytest.mark.parametrize("chunks", [(1, 5, 4), (3, 14, 11), (2, 3, 2)])
def test_dask_equals_numpy_and_stays_lazy(name: str, chunks: tuple[int, ...]) -> None:
    op = getattr(load(name), name)
    expected = op(U, h=(0.1, 0.2))
    lazy = op(da.from_array(U, chunks=chunks), h=(0.1, 0.2))
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), expected, strict=True)


def test_dask_with_axes_and_3d() -> None:
    op = load("laplacian3d").laplacian3d
    u = RNG.standard_normal((6, 5, 2, 7))
    expected = op(u, 0.5, axes=(0, 1, 3))
    got = op(da.from_array(u, chunks=2), 0.5, axes=(0, 1, 3))
    np.testing.assert_array_equal(got.compute(), expected, strict=True)


def test_flux_form_with_a_coefficient_array_on_dask() -> None:
    op = load("flux2d").flux2d
    k = 1.0 + RNG.random(U.shape)
    got = op(da.from_array(U, chunks=(1, 7, 5)), k, h=0.3)
    np.testing.assert_array_equal(got.compute(), op(U, k, h=0.3), strict=True)


def test_dataarray_by_dims_keeps_labels_and_laziness() -> None:
    op = load("laplacian2d").laplacian2d
    data = xr.DataArray(U, dims=("t", "y", "x"), coords={"t": [0, 1, 2]})
    # dims in the operator's variable order (x, y): the axes (2, 1) of u.
    expected = op(U, h=0.1, axes=(2, 1))
    for array in (data, data.chunk({"t": 1})):
        got = op(array, 0.1, dims=("x", "y"))
        assert isinstance(got, xr.DataArray) and got.dims == data.dims
        assert (array.chunks is not None) == isinstance(got.data, da.Array)
        np.testing.assert_array_equal(got.values, expected, strict=True)


def test_coordinate_grid_takes_the_dataarray_coordinates() -> None:
    module = load("laplacian2d_coordinates")
    op = module.laplacian2d_coordinates
    x = np.cumsum(0.5 + RNG.random(14))
    y = np.cumsum(0.5 + RNG.random(11))
    expected = op(U, (x, y))
    data = xr.DataArray(U, dims=("t", "x", "y"), coords={"x": x, "y": y})
    got = op(data, dims=("x", "y"))
    np.testing.assert_array_equal(got.values, expected, strict=True)
    lazy = op(da.from_array(U, chunks=(1, 14, 11)), (x, y))
    np.testing.assert_array_equal(lazy.compute(), expected, strict=True)


def test_lazy_input_errors_are_clear() -> None:
    op = load("laplacian2d").laplacian2d
    with pytest.raises(TypeError, match="out= takes NumPy arrays"):
        op(da.from_array(U), out=np.empty_like(U))
    with pytest.raises(TypeError, match="dims= names DataArray dimensions"):
        op(U, dims=("x", "y"))
    data = xr.DataArray(U, dims=("t", "y", "x"))
    with pytest.raises(ValueError, match="dims must name 2 dimensions"):
        op(data, dims=("x", "z"))
    coords = load("laplacian2d_coordinates").laplacian2d_coordinates
    with pytest.raises(ValueError, match="no coordinate for"):
        coords(data, dims=("x", "y"))
    with pytest.raises(TypeError, match="give coords"):
        coords(da.from_array(U))
