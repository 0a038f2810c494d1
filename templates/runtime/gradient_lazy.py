"""Dask arrays and xarray DataArrays in generated ``gradient`` modules.

Included verbatim (from the marker line on) in every generated gradient module,
after runtime/gradient.py and runtime/lazy.py, whose names it uses (ruff
ignores F821 in this file). Each axis is one ``map_overlap`` over the module's
own NumPy loops (``_derivative``) with the grid decided on the whole axis, as
``gradient`` decides it: a chunk inside an evenly spaced stretch of a
non-uniform grid still takes the non-uniform weights, so the lazy result is
bitwise equal to the in-memory one.
"""

import functools

import numpy as np

__all__ = ["_gradient_block", "_lazy_gradient"]

# ---- included in generated modules from here ----


def _lazy_gradient(function, kind, f, varargs, axis, edge_order, out, dim, unit):
    """The gradient of a dask array (lazy) or a DataArray (a DataArray)."""
    if out is not None:
        raise TypeError(f"out= takes NumPy arrays; {kind} input gives new arrays")
    if kind == "xarray":
        if axis is not None:
            raise TypeError("give dim= (dimension names) for a DataArray, not axis=")
        dims = tuple(f.dims) if dim is None else (dim,) if isinstance(dim, str) else dim
        if len(varargs) not in (0, 1, len(dims)):
            raise TypeError(
                f"invalid number of arguments: {len(varargs)} spacings for "
                f"{len(dims)} dimensions; give none, one scalar, or one per dimension"
            )
        results = []
        for k, name in enumerate(dims):
            spacing = varargs[k if len(varargs) > 1 else 0] if varargs else None
            results.append(
                _over_xarray(
                    function,
                    f,
                    name,
                    name=function.__name__,
                    args=() if spacing is None else (spacing,),
                    kwargs={"edge_order": edge_order},
                    coordinate=True,
                    datetime_unit=unit,
                )
            )
        return results[0] if len(dims) == 1 else tuple(results)
    if dim is not None or unit is not None:
        raise TypeError("dim= and datetime_unit= are for xarray DataArrays")
    axes = _normalize_axes(axis, f.ndim)
    grids = _spacings(varargs, f, axes)
    if edge_order not in EDGE_ORDERS:
        raise ValueError(
            f"edge_order={edge_order!r} is not supported; use one of {EDGE_ORDERS}"
        )
    _, otype = _working_array(np.empty(0, dtype=f.dtype))
    results = []
    for ax, grid in zip(axes, grids, strict=True):
        x = None
        if isinstance(grid, GradientWeights):
            # Decided on the whole axis: a uniform grid is its step.
            x, grid = (grid.x, None) if grid.spacing is None else (None, grid.spacing)
        kernel = functools.partial(_gradient_block, h=grid, edge_order=edge_order)
        results.append(
            _over_dask(
                kernel,
                f,
                ax,
                depth=_HALF,
                min_points=MIN_POINTS[edge_order],
                name=function.__name__,
                x=x,
                dtype=otype,
            )
        )
    return results[0] if len(axes) == 1 else tuple(results)


def _gradient_block(block, *x, axis, h, edge_order):
    """One axis of the gradient of one (extended) chunk, on the whole-axis grid."""
    f, otype = _working_array(block)
    out = np.empty_like(f, dtype=otype)
    if x:
        # Non-uniform on the whole axis: the per-point weights, never the
        # uniform shortcut (this chunk's stretch of x may be evenly spaced).
        xb = x[0]
        dx = xb[1:] - xb[:-1]
        count = max(xb.shape[0] - 2 * _HALF, 0)
        weights = _interior_weights(xb, dx, 0, count) if f.ndim > 1 else None
        h = GradientWeights(xb, None, dx, weights)
    _derivative(f, out, axis, h, edge_order)
    return out
