"""Dask and xarray inputs for generated operators (runtime, included verbatim).

A generated NumPy function stays the kernel. At entry it asks
:func:`_lazy_kind` (runtime/lazy_kind.py) whether ``f`` is a dask array or an
xarray DataArray (by the type's module name: neither library is imported unless
the input is one of theirs) and, if so, hands the call to :func:`_over_dask` or
:func:`_over_xarray`:

- a dask array gives a lazy dask array, computed chunk by chunk with
  ``dask.array.map_overlap`` over the kernel: every chunk is extended by
  ``depth`` points from its neighbours (periodic wrap for periodic operators),
  the kernel runs on the extended chunk, and only the chunk's own points are
  kept. One-sided closures therefore apply only at the global edges, and every
  point is computed by the same arithmetic, in the same order, as the kernel on
  the whole array: the results are bitwise equal to NumPy's for every chunking.
  Chunks smaller than the stencil are merged with their neighbours first (never
  refused, unlike ``dask.array.gradient``);
- a DataArray gives a DataArray, through ``xarray.apply_ufunc`` along the
  dimension named by ``dim=`` (the coordinate of that dimension is the grid of
  coordinate-grid operators); dask-backed DataArrays stay lazy, since the
  kernel called on their dask data takes the dask path above.

Why our own wrapper rather than ``dask.array.gradient`` or
``DataArray.differentiate``: both are ``numpy.gradient`` inside (accuracy 2
only) and refuse chunks smaller than the edge stencil; the overlap and the
dimension handling are dask's and xarray's own (``map_overlap``,
``apply_ufunc``); only the placement of the global edges is ours.
"""

import numpy as np

__all__ = [
    "_after_data",
    "_coordinate_values",
    "_merged_chunks",
    "_over_dask",
    "_over_xarray",
    "_own_points",
    "_slab",
    "_whole_axis",
]

# ---- included in generated modules from here ----


def _merged_chunks(chunks, least):
    """``chunks`` with neighbours merged until every chunk has ``least`` points.

    Greedy from the left; a short remainder joins the chunk before it. An axis
    shorter than ``least`` becomes one chunk.
    """
    if all(c >= least for c in chunks):
        return chunks
    merged = []
    size = 0
    for c in chunks:
        size += c
        if size >= least:
            merged.append(size)
            size = 0
    if size:
        if merged:
            merged[-1] += size
        else:
            merged.append(size)
    return tuple(merged)


def _slab(ndim, axis, start, stop):
    """The index of the points ``start <= i < stop`` along ``axis``."""
    key = [slice(None)] * ndim
    key[axis] = slice(start, stop)
    return tuple(key)


def _own_points(
    block,
    *coords,
    kernel,
    axis,
    own,
    reach,
    periodic,
    valid,
    block_info=None,
):
    """The kernel's values at a chunk's own points, from the extended chunk.

    ``block`` is the chunk with up to ``depth`` points of its neighbours on
    each side (none at a global edge unless periodic); ``own`` the sizes of the
    chunks before extension. The kernel classifies a point by its distance to
    the ends of the array it is given: points further than ``depth`` from both
    ends are interior. So each own point is computed as in the whole array:

    - inner chunk: own points are at least ``depth`` from the extended ends;
    - first / last chunk, not periodic: the extension is missing on the global
      side, so the kernel's one-sided closures fall on the global edge;
    - first / last chunk, periodic: the extended chunk is rotated so that the
      global edge is an end of the kernel's array and the wrapped neighbours
      sit where the kernel's own wrap-around looks for them.

    ``valid = (lo, hi)``: the kernel returns ``lo + hi`` fewer points than it
    is given (value at input point ``lo + j`` in output point ``j``); the
    points it cannot compute (at the global edges) are zero here and cut off
    by the caller.
    """
    depth = reach
    index = block_info[0]["chunk-location"][axis]
    count = block_info[0]["num-chunks"][axis]
    size = own[index]
    m = block.shape[axis]
    x = [c.reshape(-1) for c in coords]
    if periodic:
        if count == 1:
            start = (m - size) // 2
            return kernel(
                block[_slab(block.ndim, axis, start, start + size)], axis=axis
            )
        if index == 0:
            # own + right neighbours, then the left (wrapped) neighbours.
            order = np.r_[depth:m, 0:depth]
            result = kernel(np.take(block, order, axis=axis), axis=axis)
            return result[_slab(block.ndim, axis, 0, size)]
        if index == count - 1:
            # right (wrapped) neighbours first, then left neighbours + own.
            order = np.r_[m - depth : m, 0 : m - depth]
            result = kernel(np.take(block, order, axis=axis), axis=axis)
            return result[_slab(block.ndim, axis, m - size, m)]
        result = kernel(block, *x, axis=axis)
        return result[_slab(block.ndim, axis, depth, depth + size)]
    left = depth if index > 0 else 0
    lo = valid[0]
    result = kernel(block, *x, axis=axis)
    # result[j] is the value at point lo + j of the extended chunk.
    start = left - lo
    if start >= 0 and start + size <= result.shape[axis]:
        return result[_slab(block.ndim, axis, start, start + size)]
    shape = list(block.shape)
    shape[axis] = size
    values = np.zeros(shape, dtype=result.dtype)
    first = max(start, 0)
    stop = min(start + size, result.shape[axis])
    values[_slab(block.ndim, axis, first - start, stop - start)] = result[
        _slab(block.ndim, axis, first, stop)
    ]
    return values


def _over_dask(
    kernel,
    f,
    axis,
    *,
    depth,
    min_points,
    name,
    periodic=False,
    valid=(0, 0),
    x=None,
    dtype=None,
):
    """``kernel`` along ``axis`` of the dask array ``f``: a lazy dask array.

    Parameters
    ----------
    kernel : callable
        ``kernel(block, axis=axis)``, or ``kernel(block, x_block, axis=axis)``
        with coordinates, on NumPy arrays: the generated NumPy function with
        its other arguments bound (``functools.partial``, so it pickles for a
        distributed cluster).
    f : dask.array.Array
        The samples.
    axis : int
        The axis to differentiate along (negative counts from the end).
    depth : int
        Neighbour points each chunk needs on each side: at least the stencil's
        reach and the number of edge points on either end.
    min_points : int
        Fewest points the kernel accepts along the axis.
    name : str
        The operator's name, for messages and task names.
    periodic : bool, optional
        Wrap around the global ends (``boundary="periodic"``).
    valid : (int, int), optional
        The kernel returns ``lo + hi`` fewer points than it gets (only points
        whose whole stencil lies inside): value at point ``lo + j`` in ``j``.
    x : array_like, optional
        1-D coordinates along the axis (coordinate-grid operators), split like
        ``f`` and extended by the same neighbours.
    dtype : numpy.dtype, optional
        Result dtype (default: ``f``'s, float64 for integers).

    Returns
    -------
    dask.array.Array
        Lazy; equal, bit for bit, to the kernel on ``f.compute()``.
    """
    # Imported here, and only here: a dask array came in, so dask is installed.
    import dask.array as da

    if f.ndim == 0:
        raise ValueError(f"{name} needs an array with at least one dimension")
    if not -f.ndim <= axis < f.ndim:
        raise ValueError(
            f"axis {axis} is out of bounds for an array of dimension {f.ndim}"
        )
    axis %= f.ndim
    n = f.shape[axis]
    if any(np.isnan(c) for c in f.chunks[axis]):
        raise ValueError(
            f"{name}: the dask array has unknown chunk sizes along axis {axis}; "
            "call f.compute_chunk_sizes() (or give the sizes) first"
        )
    if n < min_points:
        raise ValueError(
            f"{name} needs at least {min_points} points along axis {axis}, got {n}"
        )
    if f.dtype.kind in "biu":  # as the kernels do: integers become float64
        f = f.astype(np.float64)
    if dtype is None:
        dtype = f.dtype
    chunks = _merged_chunks(f.chunks[axis], max(depth, min_points, 1))
    whole = x is not None and periodic
    if whole:
        # Periodic coordinates: the wrap-around needs the period and both ends
        # of x, so the axis goes to the kernel in one piece (still lazy, and
        # split along every other axis).
        chunks = (n,)
    if chunks != f.chunks[axis]:
        # Chunks shorter than the stencil: merge neighbours (only along axis).
        f = f.rechunk({axis: chunks})
    args = [f]
    if x is not None:
        x = da.asarray(x)
        if x.ndim != 1 or x.shape[0] != n:
            raise ValueError(
                f"{name}: the coordinates must be 1-D with {n} points, "
                f"got shape {tuple(x.shape)}"
            )
        x = x.rechunk((chunks,))
        shape = [1] * f.ndim
        shape[axis] = n
        args.append(x.reshape(shape))
    if len(chunks) == 1 and (whole or not periodic):
        # One chunk along the axis: the kernel sees the whole axis.
        result = da.map_blocks(
            _whole_axis,
            *args,
            kernel=kernel,
            axis=axis,
            dtype=dtype,
            chunks=(*f.chunks[:axis], (n - sum(valid),), *f.chunks[axis + 1 :]),
            token=name,
        )
        return result
    boundary = "periodic" if periodic else "none"
    result = da.map_overlap(
        _own_points,
        *args,
        depth=[{axis: depth}] * len(args),
        boundary=[{axis: boundary}] * len(args),
        trim=False,
        allow_rechunk=False,
        align_arrays=False,
        kernel=kernel,
        axis=axis,
        own=chunks,
        reach=depth,
        periodic=periodic,
        valid=valid,
        dtype=dtype,
        chunks=f.chunks,
        meta=np.empty((0,) * f.ndim, dtype=dtype),
        token=name,
    )
    lo, hi = valid
    if lo or hi:
        result = result[_slab(f.ndim, axis, lo, n - hi)]
    return result


def _whole_axis(block, *coords, kernel, axis):
    """The kernel on a chunk that holds the whole axis."""
    return kernel(block, *[c.reshape(-1) for c in coords], axis=axis)


def _coordinate_values(f, dim, datetime_unit, name):
    """The coordinate of ``dim`` as float64 numbers (datetimes in ``datetime_unit``)."""
    if dim not in f.coords:
        raise ValueError(
            f"{name}: the dimension {dim!r} has no coordinate; assign one with "
            f"f.assign_coords({dim}=...) or pass the coordinates explicitly"
        )
    values = np.asarray(f.coords[dim].values)
    if values.dtype.kind in "mM":
        if datetime_unit is None:
            raise ValueError(
                f"{name}: the coordinate {dim!r} holds {values.dtype} values; give "
                "datetime_unit= ('s', 'h', 'D', ...) to say per which unit of time"
            )
        # Differences from the first point, exactly in integer ticks, then in the
        # unit: the derivative depends on differences only.
        tick = np.timedelta64(1, datetime_unit)
        return (values - values[0]) / tick
    if datetime_unit is not None:
        raise ValueError(
            f"{name}: datetime_unit applies to datetime coordinates; the coordinate "
            f"{dim!r} holds {values.dtype} values"
        )
    if values.dtype.kind not in "iuf":
        raise ValueError(
            f"{name}: the coordinate {dim!r} holds {values.dtype} values; "
            "give numbers or datetimes"
        )
    return values.astype(np.float64)


def _over_xarray(
    func,
    f,
    dim,
    *,
    name,
    args=(),
    kwargs=None,
    coordinate=False,
    datetime_unit=None,
    resized=False,
):
    """``func`` along the dimension ``dim`` of the DataArray ``f``: a DataArray.

    Parameters
    ----------
    func : callable
        ``func(data, *args, axis=-1, **kwargs)``: the generated function, called
        by ``xarray.apply_ufunc`` on the NumPy or dask data with ``dim`` last.
    f : xarray.DataArray
        The samples.
    dim : str or None
        The dimension to differentiate along (None: the only one of a 1-D array).
    name : str
        The operator's name, for messages.
    args : tuple, optional
        Positional arguments after the data (a coordinate-grid operator's
        coordinates, when given explicitly).
    kwargs : dict, optional
        Keyword arguments for ``func`` (step, edge order, ...).
    coordinate : bool, optional
        A coordinate-grid operator: when ``args`` is empty the coordinate of
        ``dim`` is its grid (datetimes converted with ``datetime_unit``).
    datetime_unit : str, optional
        The unit of time of a datetime coordinate (``"s"``, ``"h"``, ``"D"``, ...).
    resized : bool, optional
        The result has fewer points along ``dim`` (``boundary = "valid"``); it
        then carries no coordinate for ``dim``.

    Returns
    -------
    xarray.DataArray
        Same dimensions (order included) and coordinates as ``f``; lazy when
        ``f`` is dask-backed.
    """
    import xarray as xr

    if dim is None:
        if f.ndim != 1:
            raise ValueError(
                f"{name}: give dim= naming the dimension to differentiate along, "
                f"one of {tuple(f.dims)}"
            )
        dim = f.dims[0]
    if dim not in f.dims:
        raise ValueError(
            f"{name}: the DataArray has no dimension {dim!r}; "
            f"its dimensions are {tuple(f.dims)}"
        )
    if coordinate and not args:
        args = (_coordinate_values(f, dim, datetime_unit, name),)
    elif datetime_unit is not None:
        raise ValueError(f"{name}: datetime_unit applies to coordinate grids only")
    kwargs = dict(kwargs or {}, axis=-1, _func=func, _args=args)
    if resized:
        f = f.drop_vars(dim, errors="ignore")
    result = xr.apply_ufunc(
        _after_data,
        f,
        input_core_dims=[[dim]],
        output_core_dims=[[dim]],
        exclude_dims={dim} if resized else set(),
        dask="allowed",
        kwargs=kwargs,
    )
    return result.transpose(*f.dims)


def _after_data(data, *, _func, _args, **kwargs):
    """``_func(data, *_args, **kwargs)``: extra positional arguments after the data."""
    return _func(data, *_args, **kwargs)
