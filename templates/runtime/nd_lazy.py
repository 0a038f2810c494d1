"""Dask arrays and xarray DataArrays for generated N-D operators.

Included verbatim (from the marker line on) in generated N-D operator modules; here
it is real Python, linted and tested through the generated modules
(tests/test_nd_lazy.py).

An N-D stencil couples every operator axis, and its edges and corners use
one-sided stencils at the global ends: a dask array is rechunked so that each
operator axis is one chunk, and the NumPy kernel runs on every chunk of the other
(batch) axes with ``map_blocks``. The result stays lazy and is bitwise equal to
the NumPy result, since every block sees whole operator axes. A DataArray goes
through ``xarray.apply_ufunc`` with its named ``dims`` as the operator axes (the
coordinates of those dimensions are the grid of coordinate-grid operators).
"""

import functools
import operator

import numpy as np

__all__ = ["_nd_lazy"]

# ---- included in generated modules from here ----


def _nd_lazy(func, kind, u, arrays, axes, dims, out, trim, name, **bound):
    """``func`` on a dask array or DataArray ``u`` (and coefficient ``arrays``).

    ``func(u, *arrays, axes=..., **bound)`` is the generated NumPy function;
    ``bound`` its step ``h`` or its coordinates ``coords`` (None: a DataArray's
    coordinates of ``dims`` are the grid); ``trim`` the points the result loses
    per operator axis (``valid`` boundaries).
    """
    coordinates = "take" if bound.get("coords", 0) is None else None
    func = functools.partial(func, **{k: v for k, v in bound.items() if v is not None})
    ndim = len(trim)
    if out is not None:
        raise TypeError(
            f"{name}: out= takes NumPy arrays; {kind} input gives a new one"
        )
    if kind == "xarray":
        return _nd_over_xarray(func, u, arrays, dims, trim, name, coordinates)
    if dims is not None:
        raise TypeError(f"{name}: dims= names DataArray dimensions; give axes=")
    if coordinates == "take":
        raise TypeError(
            f"{name}: give coords (one 1-D array per axis) for a dask array"
        )
    import dask.array as da

    if any(np.isnan(c).any() for c in u.chunks):
        raise ValueError(
            f"{name}: the dask array has unknown chunk sizes; call "
            "u.compute_chunk_sizes() first"
        )
    if axes is None:
        axes = tuple(range(u.ndim - ndim, u.ndim))
    axes = tuple(
        operator.index(a) % u.ndim if -u.ndim <= a < u.ndim else a for a in axes
    )
    if len(axes) != ndim or any(not 0 <= a < u.ndim for a in axes):
        raise ValueError(
            f"{name}: axes {axes} do not fit an array of {u.ndim} dimensions"
        )
    whole = {a: -1 for a in axes}
    u = u.rechunk(whole)
    arrays = [da.asarray(a).rechunk(u.chunks) for a in arrays]
    dtype = np.result_type(u.dtype, np.float64) if u.dtype.kind in "biu" else u.dtype
    chunks = list(u.chunks)
    for a, t in zip(axes, trim, strict=True):
        chunks[a] = (u.shape[a] - t,)
    kernel = functools.partial(_nd_block, func=func, axes=axes)
    return da.map_blocks(
        kernel, u, *arrays, dtype=dtype, chunks=tuple(chunks), token=name
    )


def _nd_block(block, *arrays, func, axes):
    """The kernel on one block holding whole operator axes."""
    return func(block, *arrays, axes=axes)


def _nd_over_xarray(func, u, arrays, dims, trim, name, coordinates):
    import xarray as xr

    ndim = len(trim)
    if dims is None:
        dims = u.dims[u.ndim - ndim :]
    dims = tuple(dims)
    missing = [d for d in dims if d not in u.dims]
    if len(dims) != ndim or missing:
        raise ValueError(
            f"{name}: dims must name {ndim} dimensions of the DataArray "
            f"{tuple(u.dims)}, got {dims}"
        )
    if coordinates == "take":
        absent = [d for d in dims if d not in u.coords]
        if absent:
            raise ValueError(
                f"{name}: the DataArray has no coordinate for {absent}; give coords="
            )
        grid = [np.asarray(u.coords[d].values, dtype=np.float64) for d in dims]
        func = functools.partial(func, coords=grid)
    resized = any(trim)
    if resized:
        u = u.drop_vars(list(dims), errors="ignore")
    last = tuple(range(-ndim, 0))
    result = xr.apply_ufunc(
        functools.partial(_nd_after, func=func, axes=last),
        u,
        *arrays,
        input_core_dims=[list(dims)] * (1 + len(arrays)),
        output_core_dims=[list(dims)],
        exclude_dims=set(dims) if resized else set(),
        dask="allowed",
    )
    return result.transpose(*u.dims)


def _nd_after(data, *arrays, func, axes):
    return func(data, *arrays, axes=axes)
