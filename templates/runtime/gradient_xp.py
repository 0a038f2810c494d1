"""Array-API inputs of generated ``gradient`` modules (``backend = "array-api"``).

Included verbatim (from the marker line on) in gradient modules of the array-API
backend, after runtime/gradient.py, whose checks and NumPy loops it uses (ruff
ignores F821 in this file), and before the module's ``_xp_interior_uniform`` and
``_xp_interior_sum`` (printed from the same stencil as ``_interior_uniform`` and
``_interior_sum``).

NumPy arrays (and array_like) take the module's NumPy code. Arrays of other
libraries ``array_api_compat`` knows (torch, CuPy, JAX, array-api-strict, ...)
are differentiated here, functionally (no writes into arrays, positive slice
steps), returning the same array type on the same device, with numpy.gradient's
arithmetic: the interior in the input's namespace with the weights numpy would
use, rounded at the precisions numpy rounds them; the few points near the ends by
the module's own NumPy edge code on a copy of the end slabs (on the host), so the
numbers are those of the NumPy module.
"""

import array_api_compat
import numpy as np

__all__ = ["_xp_gradient", "_xp_input", "_xp_newton"]

# ---- included in generated modules from here ----


def _xp_input(f):
    """Whether f is an array of another library than NumPy (the array-API path)."""
    return not isinstance(f, np.ndarray) and array_api_compat.is_array_api_obj(f)


def _xp_host(a):
    """A NumPy array with the values of the array-API array (or scalar) ``a``."""
    if not array_api_compat.is_array_api_obj(a) or isinstance(a, np.ndarray):
        return a
    try:
        return np.asarray(a)
    except (TypeError, RuntimeError):  # on a GPU: copy to the host first
        return np.asarray(array_api_compat.to_device(a, "cpu"))


def _xp_dtypes(xp):
    """(namespace dtype, NumPy dtype) pairs of the floating dtypes."""
    names = ("float32", "float64", "complex64", "complex128")
    return [(getattr(xp, name), np.dtype(name)) for name in names]


def _xp_numpy_dtype(xp, dtype):
    """The NumPy dtype matching a floating dtype of namespace xp."""
    for theirs, ours in _xp_dtypes(xp):
        if dtype == theirs:
            return ours
    raise TypeError(
        f"the array-API path takes float32, float64, complex64 and complex128 "
        f"data, got {dtype}; convert it, or pass a NumPy array"
    )


def _xp_dtype(xp, dtype):
    """The floating dtype of namespace xp matching a NumPy dtype."""
    for theirs, ours in _xp_dtypes(xp):
        if dtype == ours:
            return theirs
    raise TypeError(f"no {dtype} in the array namespace {xp.__name__}")


def _xp_gradient(f, varargs, axis, edge_order, out):
    """numpy.gradient's results for an array-API array f of another library."""
    xp = array_api_compat.array_namespace(f)
    if out is not None:
        raise TypeError(
            "out= takes NumPy arrays; for other array libraries the gradient "
            "returns new arrays"
        )
    if xp.isdtype(f.dtype, "bool"):
        raise TypeError(
            "numpy boolean subtract is not supported; convert boolean data to "
            "integers or floats first"
        )
    if not xp.isdtype(f.dtype, ("real floating", "complex floating")):
        f = xp.astype(f, xp.float64)  # integers: float64, as numpy.gradient does
    dtype = _xp_numpy_dtype(xp, f.dtype)
    axes = _normalize_axes(axis, f.ndim)
    # Steps and coordinates on the host, with numpy's checks and grids.
    grids = _spacings([_xp_host(s) for s in varargs], f, axes)
    edge_order = _checked_edge_order(edge_order)
    for grid in grids:
        if isinstance(grid, GradientWeights) and grid.dx.dtype.kind != "f":
            raise TypeError(
                f"{grid.x.dtype} coordinates take NumPy arrays (real floating or "
                "integer coordinates work with every array library); convert f "
                "with numpy.asarray"
            )
    device = array_api_compat.device(f)
    results = []
    for ax, grid in zip(axes, grids, strict=True):
        n = f.shape[ax]
        if n < MIN_POINTS[edge_order]:
            raise _TooShortError(
                f"axis {ax} has {n} points, too few for a numerical gradient: "
                f"edge_order={edge_order} needs at least {MIN_POINTS[edge_order]}"
            )
        g = xp.moveaxis(f, ax, -1)
        step = grid.spacing if isinstance(grid, GradientWeights) else grid
        if step is None:
            middle = _xp_nonuniform(xp, g, grid, dtype, device)
        else:
            step = _edge_step(step, dtype)
            if isinstance(step, complex | np.complexfloating | np.timedelta64):
                raise TypeError(
                    "complex and timedelta steps take NumPy arrays; convert f "
                    "with numpy.asarray"
                )
            middle = _xp_interior_uniform(xp, g, _interior_step(step, dtype))
        left, right = _xp_edges(xp, g, grid, edge_order, dtype, device)
        result = xp.concat([left, middle, right], axis=-1)
        results.append(xp.moveaxis(result, -1, ax))
    return results[0] if len(axes) == 1 else tuple(results)


def _xp_times(xp, d, w):
    """``d * w`` as numpy rounds it: in d's dtype, or in w's if that is wider.

    ``w`` is a NumPy scalar; numpy multiplies an array by it at the precision
    of both (a float64 step with float32 data: in float64, then rounded to
    float32 when stored). Its value becomes a Python number, exactly.
    """
    wide = np.result_type(_xp_numpy_dtype(xp, d.dtype), w.dtype)
    value = complex(w) if w.dtype.kind == "c" else float(w)
    if wide == _xp_numpy_dtype(xp, d.dtype):
        return d * value
    return xp.astype(xp.astype(d, _xp_dtype(xp, wide)) * value, d.dtype)


def _xp_nonuniform(xp, g, grid, dtype, device):
    """The interior on a coordinate grid: per-point weights, numpy's precision."""
    n = g.shape[-1]
    weights = grid.weights
    line = _HALF > 1 and g.ndim == 1 and weights is None
    if line and dtype == grid.x.dtype == np.float64:
        # One float64 line: the divided differences of the NumPy path.
        return _xp_newton(g, xp.asarray(grid.x, device=device), _HALF)
    if weights is None:
        weights = _interior_weights(grid.x, np.diff(grid.x), 0, n - 2 * _HALF)
    work = dtype
    if dtype.kind in "fc" and grid.dx.dtype.kind in "fc":
        # Sums at the precision of weights times f, as numpy does.
        work = np.result_type(dtype, grid.dx.dtype)
    wide = _xp_dtype(xp, work)
    g = xp.astype(g, wide) if work != dtype else g
    w = [xp.asarray(np.asarray(a, dtype=work), device=device) for a in weights]
    total = _xp_interior_sum(g, w, n)
    return xp.astype(total, _xp_dtype(xp, dtype)) if work != dtype else total


def _xp_newton(g, x, half):
    """``_newton_line`` on arrays of another library, functionally.

    The same operations in the same order (elementwise IEEE operations, each
    rounded once): the numbers of the NumPy path, bit for bit.
    """
    top = 2 * half
    m = g.shape[-1] - top
    dx = x[1:] - x[:-1]
    level = (g[1:] - g[:-1]) / dx
    levels, spans = [level], [dx]
    for k in range(2, top + 1):
        span = x[k:] - x[:-k]
        level = (level[1:] - level[:-1]) / span
        levels.append(level)
        if k <= half:
            spans.append(span)
    total = level[:m] * spans[half - 1][:m] + levels[top - 2][:m]
    for k in range(top - 2, 0, -1):
        r = (k + 1) // 2
        left = slice(half - r, half - r + m)
        if k % 2:
            total = total * spans[r - 1][left] + levels[k - 1][left]
        else:
            right = slice(half, half + m)
            total = levels[k - 1][left] - total * spans[r - 1][right]
    return total


def _xp_edges(xp, g, grid, edge_order, dtype, device):
    """The points near both ends, by the module's NumPy edge code on the host.

    Only the slabs the edge stencils read are copied: the first and last
    ``_EDGE_POINTS`` points (joined, so that indices from either end still
    reach the same points); the results go back to g's namespace and device.
    """
    n = g.shape[-1]
    if n > 2 * _EDGE_POINTS:
        g = xp.concat([g[..., :_EDGE_POINTS], g[..., n - _EDGE_POINTS :]], axis=-1)
    f = _xp_host(g)
    out = np.empty(f.shape, dtype=dtype)
    axis = f.ndim - 1
    if isinstance(grid, GradientWeights) and grid.spacing is None:
        _edges_nonuniform(f, out, axis, edge_order, grid.x, grid.dx)
    else:
        step = grid.spacing if isinstance(grid, GradientWeights) else grid
        _edges_uniform(f, out, axis, edge_order, _edge_step(step, f.dtype))
    left = np.ascontiguousarray(out[..., :_HALF])
    right = np.ascontiguousarray(out[..., out.shape[-1] - _HALF :])
    return xp.asarray(left, device=device), xp.asarray(right, device=device)
