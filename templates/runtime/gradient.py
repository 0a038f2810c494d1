"""Runtime of generated ``gradient`` modules: numpy.gradient's arguments and loops.

Included verbatim (from the marker line on) in every generated gradient module,
which defines what is undefined here (ruff ignores F821 in this file): the
constants ``EDGE_ORDERS``, ``MIN_POINTS``, ``_HALF`` (points the interior stencil
reaches on each side) and ``_BLOCK``, and the stencil code ``_interior_weights``,
``_interior_uniform``, ``_interior_divided``, ``_interior_sum``,
``_edges_uniform``, ``_edges_nonuniform`` and the edge statements they run,
``_edges_uniform_at`` and ``_edges_nonuniform_at`` (and the same on Python
floats, ``_edges_uniform_values`` and ``_edges_nonuniform_values``).
The block splitter ``_blocks`` and ``_broadcast`` come from runtime/blocks.py,
the divided-difference line ``_newton_blocks`` from runtime/newton.py.
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
        The spacings ``x[1:] - x[:-1]`` (used by the edge stencils; only those
        near the ends when the weights are computed block by block).
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
    if x.dtype.kind in "ium":  # np.integer: timedelta64 is one
        # float64 spacings: integer differences could wrap around.
        x = x.astype(np.float64)
    n = x.shape[0]
    if n < 2:
        raise _TooShortError(
            f"a coordinate array needs at least 2 points, got {n}; "
            "give the coordinates of every point along the axis"
        )
    ends = 2 * _HALF + 2  # spacings the edge stencils read at each end
    if not precompute and x.dtype != bool and n > max(_BLOCK, 2 * ends):
        # One line of f: no full-length spacings, only the ones near the ends
        # (the interior computes its spacings and weights block by block).
        dx = np.concatenate((np.diff(x[: ends + 1]), np.diff(x[-ends - 1 :])))
        if _evenly_spaced(x, dx[0]):
            return GradientWeights(x, dx[0], dx, None)
        return GradientWeights(x, None, dx, None)
    # numpy.diff's differences (booleans: whether neighbours differ).
    dx = x[1:] != x[:-1] if x.dtype == bool else x[1:] - x[:-1]
    first = dx[0]
    # Two spacings that differ settle it without the whole comparison.
    if not (first != dx[-1] or first != dx[dx.shape[0] // 2]) and (dx == first).all():
        # Evenly spaced: the uniform stencils are cheaper (numpy does the same).
        return GradientWeights(x, first, dx, None)
    weights = _interior_weights(x, dx, 0, max(n - 2 * _HALF, 0)) if precompute else None
    return GradientWeights(x, None, dx, weights)


def _evenly_spaced(x, step):
    """Whether every spacing of x equals ``step`` (checked block by block)."""
    for start, stop in _spans(0, x.shape[0] - 1, _BLOCK):
        if not (np.subtract(x[start + 1 : stop + 1], x[start:stop]) == step).all():
            return False
    return True


#: The dtype of the common case (``_line_gradient``).
_FLOAT64 = np.dtype(np.float64)


def _line_gradient(f, varargs, edge_order):
    """The gradient of one 1-D float64 array with one spacing, or None.

    The common case (f a 1-D float64 ndarray, default axis, no ``out``; the
    caller checks all but the dtype) without the general dispatch of
    ``_gradient``: a Python or float64 step, or float64 coordinates of up to a
    block of points, given to the functions ``_gradient`` would call, with the
    same arguments: the same numbers. None (not taken) for anything else,
    which ``_gradient`` then checks and computes.
    """
    if f.dtype != _FLOAT64:
        return None
    if type(edge_order) is not int or edge_order not in MIN_POINTS:
        return None
    n = f.shape[0]
    if n < MIN_POINTS[edge_order]:
        return None
    if not varargs:
        h = 1.0
    elif len(varargs) == 1:
        h = varargs[0]
    else:
        return None
    kind = type(h)
    if kind is float or kind is np.float64:
        out = np.empty(n)
        _interior_uniform(f, out, 0, np.float64(h))
        if not _edges_uniform_floats(f, out, edge_order, float(h)):
            _edges_uniform(f, out, 0, edge_order, h)
        return out
    if kind is not np.ndarray or h.ndim != 1 or h.dtype != _FLOAT64:
        return None
    if h.shape[0] != n or n > _BLOCK:
        return None
    x = h
    dx = x[1:] - x[:-1]
    out = np.empty(n)
    # _grid's test of even spacing: two spacings that differ settle it.
    first = dx.item(0)
    same = first == dx.item(-1) and first == dx.item((n - 1) // 2)
    if same and (dx == first).all():
        _interior_uniform(f, out, 0, np.float64(first))
        if not _edges_uniform_floats(f, out, edge_order, first):
            _edges_uniform(f, out, 0, edge_order, np.float64(first))
        return out
    if _HALF > 1:
        _newton_interior(f, x, dx, out)
    else:
        _interior_nonuniform(f, out, 0, GradientWeights(x, None, dx, None))
    if not _edges_nonuniform_floats(f, out, edge_order, x, dx):
        _edges_nonuniform(f, out, 0, edge_order, x, dx)
    return out


def _gradient(f, varargs, axis, edge_order, out):
    """The body of the module's gradient function (see its docstring)."""
    f = np.asanyarray(f)
    axes = _normalize_axes(axis, f.ndim)
    grids = _spacings(varargs, f, axes)
    edge_order = _checked_edge_order(edge_order)
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
        if (
            f.ndim > 1
            and isinstance(grid, GradientWeights)
            and grid.spacing is None
            and grid.weights is None
        ):
            # Weights for every point once when they serve many lines (per
            # block else); after numpy's checks, so errors come in its order.
            dx = np.diff(grid.x)
            grid.weights = _interior_weights(grid.x, dx, 0, max(n - 2 * _HALF, 0))
        if result is None:
            result = np.empty_like(f, dtype=otype)
        work = _complex_work(grid, otype)
        if work is None:
            _derivative(f, result, ax, grid, edge_order)
        else:
            # Complex spacing, real data: numpy computes in complex and stores
            # the real part (with a ComplexWarning); so does this. Its 1-D
            # edge_order=2 edges multiply a Python complex by a numpy float64
            # (a float subclass) scalar: a Python complex, which numpy then
            # refuses to store.
            one_d = f.ndim == 1 and f.dtype == np.float64
            if one_d and edge_order == 2 and type(grid) is complex:
                raise TypeError(
                    "float() argument must be a string or a real number, not "
                    "'complex' (numpy.gradient refuses a Python complex step with "
                    "real 1-D data and edge_order=2)"
                )
            complex_result = np.empty_like(f, dtype=work)
            _derivative(f, complex_result, ax, grid, edge_order)
            result[...] = complex_result
        results.append(result)
    if len(axes) == 1:
        return results[0]
    return tuple(results)


def _checked_edge_order(edge_order):
    """``edge_order`` as an int of ``EDGE_ORDERS`` (numpy's exception types)."""
    if type(edge_order) is not int or edge_order not in EDGE_ORDERS:
        if isinstance(edge_order, bool) or not isinstance(edge_order, numbers.Real):
            raise TypeError(
                f"edge_order must be a whole number, got {type(edge_order).__name__}"
            )
        if edge_order not in EDGE_ORDERS:
            raise ValueError(
                f"edge_order={edge_order!r} is not supported; use one of {EDGE_ORDERS}"
            )
        edge_order = int(edge_order)
    return edge_order


def _complex_work(grid, otype):
    """The complex dtype to compute in for a complex spacing and real data."""
    if otype.kind != "f" or type(grid) is float:
        return None
    if isinstance(grid, GradientWeights):
        kind, spacing = grid.dx.dtype.kind, grid.dx[:1]
    else:
        kind, spacing = np.asarray(grid).dtype.kind, grid
        if isinstance(grid, np.ndarray):
            spacing = grid[()]
    return np.result_type(otype, 2.0 * spacing) if kind == "c" else None


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
    if len(varargs) == 1 and (
        type(first) is float
        or (not isinstance(first, GradientWeights) and np.ndim(first) == 0)
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
        grids.append(_grid(x, precompute=False))
    return grids


def _working_array(f):
    """The array to difference and the output dtype (numpy.gradient's rules)."""
    otype = f.dtype
    if otype.kind in "fcm":
        return f, otype
    if otype.kind == "M":
        # Differences of datetimes are timedeltas of the same unit.
        otype = np.dtype(otype.name.replace("datetime", "timedelta"))
        return f.view(otype), otype
    if otype.kind in "iuO":
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
    h = grid
    if isinstance(grid, GradientWeights):
        h = grid.spacing
        if h is None:
            _interior_nonuniform(f, out, axis, grid)
            _edges_nonuniform(f, out, axis, edge_order, grid.x, grid.dx)
            return
    h = _edge_step(h, f.dtype)
    if f.dtype.kind == "m" or isinstance(h, complex | np.complexfloating):
        # Timedeltas (and datetimes, viewed as timedeltas): divide by the step as
        # numpy does, so the truncation to whole time units is numpy's too; a
        # complex step: complex division rounds otherwise than multiplication.
        _interior_divided(f, out, axis, h)
    else:
        _interior_uniform(f, out, axis, _interior_step(h, f.dtype))
    _edges_uniform(f, out, axis, edge_order, h)


def _edge_step(h, dtype):
    """A scalar step as numpy.gradient uses it near the ends.

    0-d arrays become numpy scalars; numpy integers become float64 (numpy
    computes with ``2.0 * h`` and ``1.5 / h``: no integer overflow) and so do
    Python integers with timedelta data (a true, not an integer, division).
    """
    if isinstance(h, np.ndarray):
        h = h[()]
    if isinstance(h, np.integer) and not isinstance(h, np.timedelta64):
        return np.float64(h)
    if isinstance(h, int) and not isinstance(h, bool) and dtype.kind == "m":
        return float(h)
    return h


def _interior_step(h, dtype):
    """The step as a scalar of the precision numpy divides the interior at.

    numpy computes ``(f[i + 1] - f[i - 1]) / (2.0 * h)``: at the precision of
    ``f`` and ``2.0 * h`` together (a float32 step with float64 data divides in
    float64, a Python float with float16 data in float16). The interior weights
    are computed from this scalar, so they carry that precision.
    """
    if type(h) is float and dtype.kind == "f":
        return dtype.type(h)  # a Python float divides at f's precision
    if isinstance(h, np.timedelta64):
        return h  # numpy's own error for a timedelta step with numbers
    if not isinstance(h, numbers.Number | np.generic):
        return h
    return np.result_type(dtype, 2.0 * h).type(h)


def _interior_nonuniform(f, out, axis, grid):
    """Interior points, coordinate array (per-point weights)."""
    n = f.shape[axis]
    # Sums at the precision of weights times f, as numpy does (float32 f with
    # float64 coordinates: float64 sums, one rounding to float32 at the end;
    # complex64 f with complex128 coordinates: complex128 sums; boolean f with
    # float16 coordinates: float16 sums, though the result is float64).
    work = out.dtype
    if out.dtype.kind in "fc" and grid.dx.dtype.kind in "fc":
        work = np.result_type(f.dtype, grid.dx.dtype)
    if _HALF > 1 and _newton_taken(f, out, grid):
        # One float64 line, 5 points or more: Newton's divided differences
        # (runtime/newton.py), about half the array passes of the weights.
        _newton_interior(f, grid.x, grid.dx if grid.dx.shape[0] == n - 1 else None, out)
        return
    # One line of f: weights per block, whose temporaries the allocator must
    # reuse from call to call: fresh pages on every call cost more than the
    # arithmetic. The wider stencils keep their weights as the rows of one
    # array (5 rows and their denominators for accuracy 4): blocks of 4096
    # points (at 32768, gradient4(f, x) at 10^4 and 3·10^4 points measured
    # 2.6-7.5x numpy.gradient, 1.2-2.8x at 4096). The 3-point stencil's are
    # single rows: one block up to 12288 points, else even blocks of at most
    # 8192 (temporaries of at most 64 KiB). Blocks of 32768 points took
    # gradient(f, x) 2.7-3.9x longer from 2·10^4 to 10^5 points (0.47-0.94 ms
    # against 0.12-0.38 ms at 2·10^4 and 3·10^4), the same at 10^6.
    if grid.weights is not None:
        block = _BLOCK
    elif _HALF > 1:
        block = _BLOCK // 32
    elif f.ndim == 1:
        block = n if n <= 12288 else _even_block(n - 2 * _HALF, 8192)
    else:
        block = _BLOCK // 4
    if f.ndim == 1 and n <= block:
        if _sum_line(f, out, grid, work):
            return
        # One short line: its one block without the block machinery.
        blocks = _line_block(f, out, n)
    else:
        blocks = _blocks(f, out, axis, _HALF, n - _HALF, 0, block)
    for o, t, view, span in blocks:
        if grid.weights is None and grid.dx.shape[0] == n - 1:
            # This block's weights, computed while in cache.
            weights = _interior_weights(grid.x, grid.dx, span.start, span.stop)
        elif grid.weights is None:
            # This block's spacings and weights (long x: no full-length spacings).
            x = grid.x[span.start : span.stop + 2 * _HALF]
            weights = _interior_weights(x, np.diff(x), 0, span.stop - span.start)
        else:
            weights = [_broadcast(w[span], f.ndim, axis) for w in grid.weights]
        if work == out.dtype:
            _interior_sum(o, t, view, weights)
        else:
            acc = np.empty(o.shape, dtype=work)
            _interior_sum(acc, np.empty(o.shape, dtype=work), view, weights)
            np.copyto(o, acc, casting="same_kind")


def _newton_taken(f, out, grid):
    """Whether the interior of f is one float64 line for ``_newton_blocks``.

    A 1-D float64 f and out on float64 coordinates whose weights are computed
    in the call (kept weights are applied as they are, as on every N-D array).
    """
    if f.ndim != 1 or grid.weights is not None:
        return False
    return f.dtype == out.dtype == grid.x.dtype == np.float64


def _newton_interior(f, x, dx, out):
    """The interior of one float64 line by ``_newton_blocks`` (dx: whole, or None)."""
    n = f.shape[0]
    o = out[_HALF : n - _HALF]
    block = _BLOCK * 3 // 16
    if dx is not None and n - 2 * _HALF <= block:
        _newton_line(f, x, dx, o, _HALF)  # one block: the numbers of the blocks
        return
    _newton_blocks(f, x, dx, o, (_HALF, n - _HALF), _HALF, block)


def _line_block(f, out, n):
    """The one block of ``_blocks`` for a 1-D f of n points (at most a block)."""
    stop = n - _HALF
    o = out[_HALF:stop]

    def view(k):
        return f[_HALF + k : stop + k]

    return ((o, np.empty_like(o), view, slice(0, stop - _HALF)),)


def _end_values(a):
    """The first and last few values of a 1-D array as one list of Python floats.

    Index i of the list is a[i] and index -i is a[-i], for every i up to the
    reach of the edge stencils (``2 * _HALF + 2``): the list stands in for the
    array in the edge statements.
    """
    ends = 2 * _HALF + 2
    return a[:ends].tolist() + a[-ends:].tolist()


def _edges_uniform_line(f, out, edge_order, h):
    """The edge points of one float64 line by Python floats; False if not taken.

    The same IEEE double operations as on the array's NumPy scalars, without
    their cost: the same numbers. Not taken for other dtypes, steps that are
    not Python (or float64) numbers, or a zero step (Python raises where NumPy
    gives infinities and warns).
    """
    if f.ndim != 1 or f.dtype != np.float64:
        return False
    kind = type(h)
    if kind is np.float64:
        h = float(h)
    elif kind is not float and kind is not int:
        return False
    return _edges_uniform_floats(f, out, edge_order, h)


def _edges_uniform_floats(f, out, edge_order, h):
    """``_edges_uniform_line`` past its checks (h a Python number)."""
    try:
        _edges_uniform_values(_end_values(f), out, edge_order, h)
    except ZeroDivisionError:
        return False
    return True


def _edges_nonuniform_line(f, out, edge_order, x, dx):
    """The edge points of one float64 line on float64 coordinates, Python floats.

    As ``_edges_uniform_line``: the same numbers as the NumPy scalars give;
    False (not taken) for other dtypes or coinciding coordinates.
    """
    if f.ndim != 1 or f.dtype != np.float64 or x.dtype != np.float64:
        return False
    if dx.dtype != np.float64:
        return False
    return _edges_nonuniform_floats(f, out, edge_order, x, dx)


def _edges_nonuniform_floats(f, out, edge_order, x, dx):
    """``_edges_nonuniform_line`` past its checks."""
    try:
        if edge_order < 3:
            # 3-point windows, in the spacings (numpy's formulas).
            _edges_nonuniform_values(
                _end_values(f), out, edge_order, x, _end_values(dx)
            )
            return True
        # Windows of 4 points or more: barycentric weights of each end
        # (Newton's divided differences of the window, measured too, were 25 %
        # cheaper here, but an N-D array must then build a table per line:
        # 64 array operations against 36, 1.4-2.9x slower on short axes).
        slopes, w = _END_SLOPES[edge_order], edge_order + 1
        out[0], out[1] = slopes(f[:w].tolist(), x[:w].tolist())
        out[-1], out[-2] = slopes(f[: -w - 1 : -1].tolist(), x[: -w - 1 : -1].tolist())
    except ZeroDivisionError:
        return False
    return True


def _edges_slopes_at(f, out, axis, edge_order, x):
    """``_edges_nonuniform_floats``' edges of edge_order >= 3 on every line of f.

    The same function on f's slices (float64, as out and x; the weights are
    Python floats of x, computed once): the numbers of a line, on every line
    of an N-D array, in 4 (edge_order + 1) products and sums of slices.
    """
    slopes, w = _END_SLOPES[edge_order], edge_order + 1
    key = [slice(None)] * f.ndim

    def at(i):
        key[axis] = i
        return tuple(key)

    for ends, window, points in (
        (x[:w], range(w), (0, 1)),
        (x[: -w - 1 : -1], range(-1, -w - 1, -1), (-1, -2)),
    ):
        values = [f[at(i)] for i in window]
        try:
            first, second = slopes(values, ends.tolist())
        except ZeroDivisionError:  # coinciding points: numpy's infinities
            first, second = slopes(values, list(ends))
        out[at(points[0])] = first
        out[at(points[1])] = second


def _end_slopes3(f, x):
    """The derivative at x[0] and x[1] of the cubic through (x[k], f[k]), k < 4.

    Lagrange's weights in barycentric form from the differences d_jk = x_j -
    x_k: with L_k the product of x_k - x_j over j != k, the weight of point k
    at point c is L_c / (L_k d_ck), and that of c itself the sum of 1 / d_cj
    (not the negated sum of the others, which loses to cancellation: hundreds
    of eps on nearly coincident points). Within a few eps of the sum of
    |w_k f_k| on uniform, random, clustered, geometric and nearly coincident
    grids (tests/test_gradient_lines.py). f: Python floats, or the values of
    many lines as float64 arrays (the weights being Python floats of x, the
    same products and sums: the same numbers).
    """
    f0, f1, f2, f3 = f
    x0, x1, x2, x3 = x
    d01 = x0 - x1
    d02 = x0 - x2
    d03 = x0 - x3
    d12 = x1 - x2
    d13 = x1 - x3
    d23 = x2 - x3
    l0 = d01 * d02 * d03
    l1 = -d01 * d12 * d13
    l2 = d02 * d12 * d23
    l3 = -d03 * d13 * d23
    w0 = 1 / d01 + 1 / d02 + 1 / d03
    w1 = l0 / (l1 * d01)
    w2 = l0 / (l2 * d02)
    w3 = l0 / (l3 * d03)
    first = w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3
    w0 = l1 / (l0 * -d01)
    w1 = 1 / -d01 + 1 / d12 + 1 / d13
    w2 = l1 / (l2 * d12)
    w3 = l1 / (l3 * d13)
    return first, w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3


def _end_slopes4(f, x):
    """``_end_slopes3`` for the quartic through 5 points (x[k], f[k]), k < 5."""
    f0, f1, f2, f3, f4 = f
    x0, x1, x2, x3, x4 = x
    d01 = x0 - x1
    d02 = x0 - x2
    d03 = x0 - x3
    d04 = x0 - x4
    d12 = x1 - x2
    d13 = x1 - x3
    d14 = x1 - x4
    d23 = x2 - x3
    d24 = x2 - x4
    d34 = x3 - x4
    l0 = d01 * d02 * d03 * d04
    l1 = -d01 * d12 * d13 * d14
    l2 = d02 * d12 * d23 * d24
    l3 = -d03 * d13 * d23 * d34
    l4 = d04 * d14 * d24 * d34
    w0 = 1 / d01 + 1 / d02 + 1 / d03 + 1 / d04
    w1 = l0 / (l1 * d01)
    w2 = l0 / (l2 * d02)
    w3 = l0 / (l3 * d03)
    w4 = l0 / (l4 * d04)
    first = w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3 + w4 * f4
    w0 = l1 / (l0 * -d01)
    w1 = 1 / -d01 + 1 / d12 + 1 / d13 + 1 / d14
    w2 = l1 / (l2 * d12)
    w3 = l1 / (l3 * d13)
    w4 = l1 / (l4 * d14)
    return first, w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3 + w4 * f4


#: The end windows' derivatives of each edge_order from 3 up (``_end_slopes3``).
_END_SLOPES = {3: _end_slopes3, 4: _end_slopes4}


def _sum_line(f, out, grid, work):
    """The interior of one short float64 line in two array operations.

    The weights of all its points as rows of one array, times the windows of f
    (a strided view: row k is f[i + k - _HALF]), then the sum of the rows,
    which numpy adds row after row: the numbers of ``_interior_sum``. False
    (not taken) for other dtypes, strided f, long x, few points (numpy sums
    a single column pairwise) or many.
    """
    n = f.shape[0]
    count = n - 2 * _HALF
    # Up to 1024 points: beyond, the block path is as fast or faster (4096
    # points: 0.88x numpy.gradient in blocks, 1.0x here; 3·10^4: 0.72x against
    # 1.4x, the products falling out of cache).
    if not 8 <= count <= 1024 or not f.flags.c_contiguous or work != np.float64:
        return False
    if f.dtype != np.float64 or out.dtype != np.float64:
        return False
    weights = grid.weights
    if weights is None:
        if grid.dx.shape[0] != n - 1:
            return False
        weights = _interior_weights(grid.x, grid.dx, 0, count)
    w = weights[0].base
    shape = (2 * _HALF + 1, count)
    if grid.weights is not None or w is None or w.shape != shape:
        # Kept weights (not to be overwritten), or separate arrays: a copy.
        w = np.concatenate(weights).reshape(shape)
    if w.dtype != np.float64 or not w.flags.c_contiguous:
        return False
    windows = np.ndarray(shape, f.dtype, f, 0, (f.itemsize, f.itemsize))
    np.multiply(w, windows, out=w)
    np.add.reduce(w, axis=0, out=out[_HALF : n - _HALF])
    return True
