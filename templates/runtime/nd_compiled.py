"""The compiled interior of N-D operators (``backend = "numba"``).

Included verbatim (from the marker line on) in N-D operator modules of the numba
backend, after runtime/compiled.py (``_call``) and runtime/nd_apply.py; here it is
real Python, linted and tested through the generated modules
(tests/test_nd_backends.py).
"""

import numpy as np

__all__ = ["_nd_compiled"]

# ---- included in generated modules from here ----


def _nd_compiled(kernel, v, o, c, ndim):
    """Run the compiled interior ``kernel(v, o, c)`` on C-ordered arrays.

    v and o (operator axes last) are seen as ``(rows, n0, n1, ...)``: the
    innermost loop runs along the last axis, contiguous in memory. v is copied to
    C order if it is not in it; the results go through a temporary when o is not
    C-ordered or has another dtype than v (they are computed in v's dtype, and the
    caller's frame then overwrites the edge points of o).
    """
    v = np.ascontiguousarray(v).reshape((-1, *v.shape[v.ndim - ndim :]))
    direct = o.flags.c_contiguous and o.dtype == v.dtype
    target = o if direct else np.empty(o.shape, dtype=v.dtype)
    _call(kernel, v, target.reshape((-1, *o.shape[o.ndim - ndim :])), c)
    if not direct:
        o[...] = target
