"""Edge points of generated array operators: every edge stencil in one step.

Included verbatim (from the marker line on) where a generated module needs them.
The points near the ends (one-sided windows, or the interior stencil with its
indices wrapped around) are computed together: one gather of the samples they
read, one multiply by their weights and one sum, rather than a Python loop per
point (which dominated the time of a call on small arrays).
"""

import numpy as np

__all__ = ["_gather", "_stencil_arrays", "_window_arrays", "_wrap_arrays"]

# ---- included in generated modules from here ----


def _stencil_arrays(rows):
    """Points, indices and weights of the stencils (point, first, weights).

    Point ``i`` (negative: from the right end) reads ``f[i + first + k]`` with
    ``weights[k]``; indices stay relative to the end they count from, so the
    arrays serve every length of axis.
    """
    points = np.array([row[0] for row in rows], dtype=np.intp)
    width = max(len(row[2]) for row in rows)
    index = np.zeros((len(rows), width), dtype=np.intp)
    weights = np.zeros((len(rows), width))
    for r, (i, first, values) in enumerate(rows):
        index[r, : len(values)] = i + first + np.arange(len(values))
        index[r, len(values) :] = i  # padding: weight 0
        weights[r, : len(values)] = values
    return points, index, weights


def _wrap_arrays(points, stencil):
    """Points, indices and weights of a periodic stencil's wrapped points.

    ``stencil`` holds (offset, weight) pairs. Left points read negative indices
    (counted from the right end) and right points, given negative, read
    non-negative ones past the end (counted from the left end): the wrap, for
    every axis of at least the stencil's width.
    """
    offsets = np.array([o for o, _ in stencil], dtype=np.intp)
    values = np.array([float(w) for _, w in stencil])
    points = np.array(points, dtype=np.intp)
    return points, points[:, None] + offsets, np.tile(values, (len(points), 1))


def _window_arrays(points, first, w):
    """Indices and weights of per-point windows: point p reads f[p + first[p] + k].

    ``w[k, p]`` is the weight of window position k at point p. Right-end
    points are given negative, so their indices count from the right end, and
    on periodic grids indices past either end wrap around.
    """
    index = points[:, None] + first[points][:, None] + np.arange(w.shape[0])
    return index, w[:, points].T


def _gather(f, out, axis, points, index, weights, data_precision=False):
    """out[points[p]] = Σ_k weights[p, k]·f[index[p, k]] along ``axis``.

    ``data_precision``: multiply at f's precision, as a Python-float weight
    times an array does (evenly spaced grids: float32 data gives float32
    products); else at the weights' (a grid's float64 weights).
    """
    if f.dtype.kind == "c":
        # Real and imaginary parts apart: the sums then round exactly as for
        # real data (numpy orders the terms of complex sums differently).
        _gather(f.real, out.real, axis, points, index, weights, data_precision)
        _gather(f.imag, out.imag, axis, points, index, weights, data_precision)
        return
    if data_precision:
        weights = weights.astype(f.dtype, copy=False)
    # One vectorised step per stencil column, summed in stencil order (not
    # numpy's pairwise .sum, which reorders wide stencils): every backend then
    # rounds the edges alike.
    taken = np.take(f, index, axis=axis)
    shape = weights.shape + (1,) * (f.ndim - 1 - axis)
    weights = weights.reshape(shape)
    head = (slice(None),) * (axis + 1)
    total = taken[(*head, 0)] * weights[:, 0]
    for k in range(1, weights.shape[1]):
        total = total + taken[(*head, k)] * weights[:, k]
    out[(slice(None),) * axis + (points,)] = total
