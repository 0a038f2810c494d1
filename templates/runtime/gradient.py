"""Runtime of generated ``gradient`` modules: numpy.gradient's arguments and loops.

Included verbatim (from the marker line on) in every generated gradient module,
which defines what is undefined here (ruff ignores F821 in this file): the
constants ``EDGE_ORDERS``, ``MIN_POINTS``, ``_HALF`` (points the interior stencil
reaches on each side) and ``_BLOCK``, and the stencil code ``_interior_weights``,
``_interior_uniform``, ``_interior_sum``, ``_edges_uniform``, ``_edges_nonuniform``.
The block splitter ``_blocks`` and ``_broadcast`` come from runtime/blocks.py.
"""

import numbers
import operator

import numpy as np

# ---- included in generated modules from here ----


class _TooShortError(ValueError, IndexError):
    """Too few points along an axis.

    Also an ``IndexError``: numpy raises that for a coordinate array of one point.
    """


class GradientWeights:
    """The weights of one coordinate array, computed once, reusable on many arrays.

    Made by the module's ``*_weights`` function; pass it to its gradient function
    wherever a coordinate array is accepted.

    Attributes
    ----------
    x : numpy.ndarray
        The coordinates.
    size : int
        Number of grid points.
    spacing : float or None
        The step when the coordinates are evenly spaced, else None.
    dx : numpy.ndarray
        The spacings ``x[1:] - x[:-1]`` (used by the edge stencils).
    weights : tuple of numpy.ndarray or None
        Interior weights per point (None: evenly spaced, or computed block by
        block while differentiating).
    """

    __slots__ = ("dx", "size", "spacing", "weights", "x")

    def __init__(self, x, spacing, dx, weights):
        self.x = x
        self.size = x.shape[0]
        self.spacing = spacing
        self.dx = dx
        self.weights = weights

    def __repr__(self):
        kind = "uniform" if self.spacing is not None else "non-uniform"
        return f"GradientWeights(size={self.size}, {kind})"


def _weights(x):
    """The body of the module's ``*_weights`` function."""
    x = np.asanyarray(x)
    if x.ndim != 1:
        raise ValueError(
            f"coordinates must be one-dimensional, got {x.ndim} dimensions; "
            "give a 1-D array of the grid points"
        )
    return _grid(x, precompute=True)


def _grid(x, precompute):
    """Spacings (and, if asked, interior weights) of a 1-D coordinate array."""
    if np.issubdtype(x.dtype, np.integer):
        # float64 spacings: integer differences could wrap around.
        x = x.astype(np.float64)
    n = x.shape[0]
    if n < 2:
        raise _TooShortError(
            f"a coordinate array needs at least 2 points, got {n}; "
            "give the coordinates of every point along the axis"
        )
    dx = x[1:] - x[:-1]
    if (dx == dx[0]).all():
        # Evenly spaced: the uniform stencils are cheaper (numpy does the same).
        return GradientWeights(x, dx[0], dx, None)
    weights = _interior_weights(x, dx, 0, max(n - 2 * _HALF, 0)) if precompute else None
    return GradientWeights(x, None, dx, weights)


def _gradient(f, varargs, axis, edge_order, out):
    """The body of the module's gradient function (see its docstring)."""
    f = np.asanyarray(f)
    axes = _normalize_axes(axis, f.ndim)
    grids = _spacings(varargs, f, axes)
    if isinstance(edge_order, bool) or not isinstance(edge_order, numbers.Real):
        raise TypeError(
            f"edge_order must be a whole number, got {type(edge_order).__name__}"
        )
    if edge_order not in EDGE_ORDERS:
        raise ValueError(
            f"edge_order={edge_order!r} is not supported; use one of {EDGE_ORDERS}"
        )
    edge_order = int(edge_order)
    f, otype = _working_array(f)
    outs = _outputs(out, f, otype, len(axes))
    results = []
    for ax, grid, result in zip(axes, grids, outs, strict=True):
        n = f.shape[ax]
        if n < MIN_POINTS[edge_order]:
            raise _TooShortError(
                f"axis {ax} has {n} points, too few for a numerical gradient: "
                f"edge_order={edge_order} needs at least {MIN_POINTS[edge_order]}"
            )
        if result is None:
            result = np.empty_like(f, dtype=otype)
        _derivative(f, result, ax, grid, edge_order)
        results.append(result)
    if len(axes) == 1:
        return results[0]
    return tuple(results)


def _normalize_axes(axis, ndim):
    """``axis`` (None, int or sequence of ints) as a tuple of axes in range."""
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, tuple | list):
        axis = (axis,)
    axes = []
    for item in axis:
        index = operator.index(item)
        if not -ndim <= index < ndim:
            raise np.exceptions.AxisError(index, ndim)
        axes.append(index % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {tuple(axis)}; give each axis once")
    return tuple(axes)


def _spacings(varargs, f, axes):
    """One spacing per axis: a scalar step or a :class:`GradientWeights`."""
    if not varargs:
        return [1.0] * len(axes)
    first = varargs[0]
    if (
        len(varargs) == 1
        and not isinstance(first, GradientWeights)
        and np.ndim(first) == 0
    ):
        return [first] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(
            f"invalid number of arguments: {len(varargs)} spacings for "
            f"{len(axes)} axes; give none, one scalar, or one per axis"
        )
    grids = []
    for ax, spacing in zip(axes, varargs, strict=True):
        n = f.shape[ax]
        if isinstance(spacing, GradientWeights):
            if spacing.size != n:
                raise ValueError(
                    f"the weights are for {spacing.size} points but axis {ax} has "
                    f"{n}; compute them from this axis' coordinates"
                )
            grids.append(spacing)
            continue
        x = np.asanyarray(spacing)
        if x.ndim == 0:
            grids.append(spacing)
            continue
        if x.ndim != 1:
            raise ValueError(
                f"spacing for axis {ax} has {x.ndim} dimensions; distances must be "
                "either scalars or 1d coordinate arrays"
            )
        if x.shape[0] != n:
            raise ValueError(
                f"coordinate array for axis {ax} has {x.shape[0]} points but the "
                f"axis has {n}; when 1d, distances must match the length of the "
                "corresponding dimension"
            )
        # Weights for every point once when they serve many lines; per block else.
        grids.append(_grid(x, precompute=f.ndim > 1))
    return grids


def _working_array(f):
    """The array to difference and the output dtype (numpy.gradient's rules)."""
    otype = f.dtype
    if otype.type is np.datetime64:
        # Differences of datetimes are timedeltas of the same unit.
        otype = np.dtype(otype.name.replace("datetime", "timedelta"))
        return f.view(otype), otype
    if otype.type is np.timedelta64 or np.issubdtype(otype, np.inexact):
        return f, otype
    if np.issubdtype(otype, np.integer) or otype.kind == "O":
        # float64 before differencing: integer differences could wrap around
        # (and objects such as Fractions are differenced as floats).
        f = f.astype(np.float64)
    return f, np.dtype(np.float64)


def _outputs(out, f, otype, count):
    """The caller's output arrays (checked), or ``None`` per axis."""
    if out is None:
        return [None] * count
    outs = [out] if count == 1 and not isinstance(out, tuple | list) else list(out)
    if len(outs) != count:
        raise ValueError(f"out has {len(outs)} arrays for {count} axes; give one each")
    for array in outs:
        if not isinstance(array, np.ndarray) or array.shape != f.shape:
            raise ValueError(f"out must be arrays of shape {f.shape}, like f")
        if np.may_share_memory(array, f):
            raise ValueError("out must not overlap f; give a separate array")
    return outs


def _derivative(f, out, axis, grid, edge_order):
    """Fill ``out`` with the derivative of ``f`` along ``axis``."""
    if f.flags.f_contiguous and not f.flags.c_contiguous:
        # Blocks are cut along the trailing axes: work on the C-ordered view.
        f, out, axis = f.T, out.T, f.ndim - 1 - axis
    if isinstance(grid, GradientWeights):
        h, dx = grid.spacing, grid.dx
        if h is None:
            _interior_nonuniform(f, out, axis, grid)
            _edges_nonuniform(f, out, axis, edge_order, grid.x, dx)
            return
    else:
        h = grid
        if not isinstance(h, np.ndarray | np.generic | complex) and h == 0:
            # A zero step: numpy.gradient divides arrays by it (inf/nan with a
            # RuntimeWarning) in the interior, and, like numpy, the edges below
            # divide Python numbers by it for edge_order=2 (ZeroDivisionError).
            _interior_uniform(f, out, axis, np.asarray(1.0 * h)[()])
            _edges_uniform(f, out, axis, edge_order, h)
            return
    _interior_uniform(f, out, axis, h)
    _edges_uniform(f, out, axis, edge_order, h)


def _interior_nonuniform(f, out, axis, grid):
    """Interior points, coordinate array (per-point weights)."""
    n = f.shape[axis]
    # Sums at the precision of weights times f, as numpy does (float32 f with
    # float64 coordinates: float64 sums, one rounding to float32 at the end).
    work = out.dtype
    if out.dtype.kind in "fc" and grid.dx.dtype.kind == "f":
        work = np.result_type(out.dtype, grid.dx.dtype)
    for o, t, view, span in _blocks(f, out, axis, _HALF, n - _HALF, 0, _BLOCK):
        if grid.weights is None:
            # One-dimensional f: this block's weights, computed while in cache.
            weights = _interior_weights(grid.x, grid.dx, span.start, span.stop)
        else:
            weights = [_broadcast(w[span], f.ndim, axis) for w in grid.weights]
        if work == out.dtype:
            _interior_sum(o, t, view, weights)
        else:
            acc = np.empty(o.shape, dtype=work)
            _interior_sum(acc, np.empty(o.shape, dtype=work), view, weights)
            np.copyto(o, acc, casting="same_kind")
