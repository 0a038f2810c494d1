"""numba-compiled kernels of generated modules: compile options, array layouts.

Included verbatim (from the marker line on) in modules of ``backend = "numba"``.
"""

import math

import numba
import numpy as np

__all__ = ["_FRESH", "_call", "_jit", "_run"]

# ---- included in generated modules from here ----


def _jit(parallel):
    """``numba.njit`` with the on-disk cache where possible.

    numba caches compiled code next to the module (or in its user cache
    folder); where neither is writable (a read-only install) it refuses
    ``cache=True`` at decoration time, and the kernel is compiled without a
    cache instead (at the first call of each process).
    """

    def decorate(function):
        try:
            return numba.njit(cache=True, parallel=parallel)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, parallel=parallel)(function)

    return decorate


def _run(lines, planes, f, out, axis, *args):
    """Run a compiled kernel on f and out seen as (rows, n) or (rows, n, inner).

    ``lines`` takes 2-D arrays (the axis last: the loop along it reads
    contiguous memory), ``planes`` 3-D ones (the innermost loop runs over the
    contiguous points after the axis). f is copied to C order if it is not in
    it; the results go through a temporary when out is not C-ordered or has
    another dtype than f (they are computed in f's dtype).
    """
    rows = math.prod(f.shape[:axis])
    inner = math.prod(f.shape[axis + 1 :])
    f = np.ascontiguousarray(f)
    direct = out.flags.c_contiguous and out.dtype == f.dtype
    target = out if direct else np.empty(out.shape, dtype=f.dtype)
    n, m = f.shape[axis], out.shape[axis]
    if inner == 1:
        _call(lines, f.reshape(rows, n), target.reshape(rows, m), *args)
    else:
        _call(planes, f.reshape(rows, n, inner), target.reshape(rows, m, inner), *args)
    if not direct:
        out[...] = target
    return out


#: Kernels compiled afresh, without the on-disk cache (see _call).
_FRESH = {}


def _call(kernel, *args):
    """``kernel(*args)``; compiled afresh if numba's on-disk cache cannot be read.

    numba's cache of a file records the module name it was compiled under; the
    same file imported under another name (``pkg.mod`` and ``mod``) cannot load
    it (ModuleNotFoundError). The kernel is then compiled again without a cache.
    """
    if kernel in _FRESH:
        return _FRESH[kernel](*args)
    try:
        return kernel(*args)
    except ModuleNotFoundError:
        options = kernel.targetoptions
        fresh = numba.njit(cache=False, parallel=options.get("parallel", False))
        _FRESH[kernel] = fresh(kernel.py_func)
        return _FRESH[kernel](*args)
