"""Array-API helpers of generated modules: namespace and arguments, edges, output.

Included verbatim (from the marker line on) in modules of ``backend = "array-api"``.
The code works on any array library ``array_api_compat`` knows (NumPy, torch,
CuPy, JAX, dask, array-api-strict): no writes into arrays (JAX and dask would
lose them), positive slice steps only (torch), no ``out=`` outside NumPy; the
operator works along the last axis, which ``_xp_prepare`` moves there.
"""

import math

import array_api_compat
import numpy as np

__all__ = ["_xp_edge", "_xp_finish", "_xp_prepare", "_xp_spans", "_xp_wrap"]

# ---- included in generated modules from here ----


def _xp_prepare(f, axis, min_points, name):
    """``(xp, f, axis)``: f's namespace, f with ``axis`` moved last, axis in range.

    Integers (and booleans) become float64, as ``numpy.gradient`` does; input
    that is not an array of a known library goes through ``numpy.asarray``.
    """
    try:
        xp = array_api_compat.array_namespace(f)
    except TypeError:
        f = np.asarray(f)
        xp = array_api_compat.array_namespace(f)
    if not xp.isdtype(f.dtype, ("real floating", "complex floating")):
        f = xp.astype(f, xp.float64)
    axis = _checked_axis(f.shape, axis, min_points, name)
    return xp, xp.moveaxis(f, axis, -1), axis


def _xp_spans(f, lo, hi, block):
    """Ranges (start, stop) covering lo .. hi-1 of the last axis.

    On NumPy arrays, blocks of about ``block`` values, so that the temporaries
    of one block stay in cache; elsewhere (GPU libraries, JAX) one range, as
    every operation there is a kernel launch.
    """
    if not array_api_compat.is_numpy_array(f) or hi <= lo:
        return [(lo, hi)] if hi > lo else []
    rows = math.prod(f.shape[:-1])
    step = max(1, block // max(rows, 1))
    return [(start, min(start + step, hi)) for start in range(lo, hi, step)]


def _xp_edge(f, i, first, weights, scale):
    """Point i (of the last axis) from the one-sided stencil on i + first, ...

    Returned with a last axis of length 1, to be concatenated; the sum runs in
    the order of the NumPy backend's, for the same rounding: from the first
    term (not from 0: 0 + -0.0 is 0.0, not the -0.0 sum), zero weights left
    out (``0 * inf`` is NaN where the stencil reads no infinity).
    """
    total = None
    for k, weight in enumerate(weights):
        if weight:
            j = i + first + k
            term = (weight * scale) * f[..., j : j + 1]
            total = term if total is None else total + term
    return total


def _xp_wrap(f, i, stencil, scale):
    """Point i from the (offset, weight) pairs with indices taken modulo n."""
    n = f.shape[-1]
    total = None
    for offset, weight in stencil:
        j = (i + offset) % n
        term = (weight * scale) * f[..., j : j + 1]
        total = term if total is None else total + term
    return total


def _xp_finish(xp, result, axis, out):
    """The result with its axis moved back; copied into ``out`` (NumPy only)."""
    result = xp.moveaxis(result, -1, axis)
    if out is None:
        return result
    if not (isinstance(out, np.ndarray) and isinstance(result, np.ndarray)):
        raise TypeError(
            "out= takes a NumPy array for NumPy input; other array libraries "
            "return a new array"
        )
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise ValueError(f"out has dtype {out.dtype}, which cannot hold {result.dtype}")
    if out.shape != result.shape:
        raise ValueError(f"out has shape {out.shape}, expected {result.shape}")
    np.copyto(out, result, casting="same_kind")
    return out
