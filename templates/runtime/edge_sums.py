"""The sum of edge stencils gathered from f: shared by every NumPy edge helper.

Included verbatim (from the marker line on) in generated NumPy operator modules
with edge points: uniform grids (runtime/edges.py) and coordinate grids
(runtime/edge_windows.py) both sum their gathered stencils here.
"""

import numpy as np

__all__ = ["_edge_sums"]

# ---- included in generated modules from here ----


def _edge_sums(f, out, axis, points, index, weights, data_precision=False, pad=None):
    """out[points[p]] = Σ_k weights[k, p]·f[index[k, p]] along ``axis``.

    The sum runs in stencil order, k = 0, 1, ..., rounding after every term
    (not numpy's pairwise ``.sum``, which reorders wide stencils): every
    backend then rounds the edges alike. ``data_precision``: multiply at f's
    precision; else at the weights' (a grid's float64 weights). ``pad``: where
    True, column k of point p is padding (a shorter stencil): its product is
    replaced by -0.0, which adds exactly nothing (x + -0.0 is x, -0.0 included),
    whatever f holds at its index (where ``0 * inf`` gives NaN).
    """
    if f.dtype.kind == "c":
        # Real and imaginary parts apart: the sums then round exactly as for
        # real data (numpy orders the terms of complex products differently).
        for part, target in ((f.real, out.real), (f.imag, out.imag)):
            _edge_sums(part, target, axis, points, index, weights, data_precision, pad)
        return
    if data_precision and weights.dtype != f.dtype:
        weights = weights.astype(f.dtype)
    if f.ndim == 1:
        # One line (plain integer-array indexing: f[..., index] is slower).
        terms = f[index]
        if terms.dtype == weights.dtype:
            np.multiply(terms, weights, out=terms)
        else:
            terms = np.multiply(terms, weights)
        if pad is not None:
            np.copyto(terms, -0.0, where=pad)
        np.add.accumulate(terms, axis=0, out=terms)
        out[points] = terms[-1]
        return
    # taken[..., k, p, ...]: f at column k of point p along ``axis``, every
    # line at once: whole slabs of f (contiguous for C-ordered arrays).
    head = (slice(None),) * axis
    tail = (1,) * (f.ndim - 1 - axis)
    weights = weights.reshape(weights.shape + tail)
    if pad is not None:
        pad = pad.reshape(pad.shape + tail)
    taken = np.take(f, index, axis=axis)
    if taken.size <= 4096:
        # Small: one multiply, one running sum down the columns (its inner
        # loop is short and strided: slow on large arrays).
        terms = np.multiply(taken, weights)
        if pad is not None:
            np.copyto(terms, -0.0, where=pad)
        np.add.accumulate(terms, axis=axis, out=terms)
        out[(*head, points)] = terms[(*head, -1)]
        return
    # Large: column by column, a slab of products at a time (column 0 is
    # never padding).
    total = taken[(*head, 0)] * weights[0]
    for k in range(1, weights.shape[0]):
        term = taken[(*head, k)] * weights[k]
        if pad is not None:
            np.copyto(term, -0.0, where=pad[k])
        np.add(total, term, out=total)
    out[(*head, points)] = total
