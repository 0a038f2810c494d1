"""Runtime helpers of the NumPy backend's uniform-grid kernels.

Included verbatim (from the marker line on) in generated NumPy operator modules
on uniform grids only (the kernel in templates/numpy/kernel.j2 calls them); here
they are real Python so ruff lints them and the tests run them.
"""

import numpy as np

__all__ = ["_along_last", "_constants"]

# ---- included in generated modules from here ----


def _along_last(f, out, axis):
    """Views of f and out with ``axis`` last (the arrays themselves when it is)."""
    if axis == f.ndim - 1:
        return f, out
    return f.swapaxes(axis, -1), out.swapaxes(axis, -1)


def _constants(f, out, cache, constants):
    """The interior constants (Python floats) as the kernel hands them to ufuncs.

    A Python float times an array of f's dtype is rounded to that dtype; so are
    these, as 0-d arrays of f's dtype, which a ufunc takes in half the time of a
    Python float. Kept in ``cache`` per (dtype, constants) for the few latest
    (a time stepper calls with one step). When out has another dtype (where a
    constant meets out's dtype as well as f's), the Python floats themselves.
    """
    if out.dtype != f.dtype:
        return constants
    key = (f.dtype, constants)
    arrays = cache.get(key)
    if arrays is None:
        arrays = tuple(np.array(c, dtype=f.dtype) for c in constants)
        for c in arrays:
            c.flags.writeable = False
        if len(cache) >= 8:
            cache.clear()
        cache[key] = arrays
    return arrays
