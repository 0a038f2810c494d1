"""The one block-splitting helper of generated array operators, and broadcasting.

Included verbatim (from the marker line on) in every generated operator module.
"""

import math

import numpy as np

__all__ = ["_blocks", "_broadcast", "_spans"]

# ---- included in generated modules from here ----


def _spans(lo, hi, step):
    """Split lo .. hi-1 into ranges (start, stop) of at most ``step`` points."""
    for start in range(lo, hi, step):
        yield start, min(start + step, hi)


def _blocks(f, out, axis, lo, hi, shift, block):
    """Split the points lo .. hi-1 along axis into blocks of about ``block`` values.

    Yields ``(o, t, view, span)``: where the block's results go (out at the
    points i - shift), a scratch buffer of the same shape, ``view(k)`` the view
    f[i + k] over the block's points i, and those points as a slice relative to
    lo. An array of several dimensions is split along its first axis when that
    is not the stencil's axis (no overlap needed), else along the axis.
    """
    if hi <= lo or f.size == 0:
        return
    along = axis == 0 or f.ndim == 1
    count = hi - lo if along else f.shape[0]
    per = math.prod(f.shape) // f.shape[axis] * (hi - lo) // count
    step = max(1, block // max(per, 1))
    index = [slice(None)] * f.ndim
    scratch = None
    for start, stop in _spans(0, count, step):
        if along:
            first, last = lo + start, lo + stop
        else:
            first, last = lo, hi
            index[0] = slice(start, stop)
        index[axis] = slice(first - shift, last - shift)
        o = out[tuple(index)]
        if scratch is None or scratch.shape != o.shape:
            scratch = np.empty_like(o)

        def view(k, first=first, last=last):
            index[axis] = slice(first + k, last + k)
            return f[tuple(index)]

        yield o, scratch, view, slice(first - lo, last - lo)


def _broadcast(v, ndim, axis):
    """A 1-D array over the axis, shaped to broadcast against an ndim block."""
    return v.reshape((-1,) + (1,) * (ndim - 1 - axis))
