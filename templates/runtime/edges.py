"""Edge points of generated array operators: every edge stencil in one step.

Included verbatim (from the marker line on) where a generated module needs them.
The points near the ends (one-sided windows, or the interior stencil with its
indices wrapped around) are computed together, those of both ends at once: one
gather of the samples they read, one multiply by their weights and one running
sum over the stencil columns (``np.add.accumulate``, sequential by definition:
``total[k] = total[k - 1] + term[k]``), rather than a Python loop per point or
per column (which dominated the time of a call on small arrays).
"""

import numpy as np

__all__ = [
    "_edge_sums",
    "_edge_table",
    "_edges",
    "_gather",
    "_stencil_arrays",
    "_window_arrays",
    "_wrap_arrays",
]

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


def _edge_table(points, index, weights):
    """The arrays of ``_stencil_arrays`` / ``_wrap_arrays`` laid out for ``_edges``.

    Indices and weights become (columns, points), contiguous: column k of
    every point in one row, so that the running sum over k runs down rows and
    its last row lands in ``out`` in one assignment. The last item caches the
    weights times a scale (see ``_edges``).
    """
    index = np.ascontiguousarray(index.T)
    weights = np.ascontiguousarray(weights.T)
    index.flags.writeable = weights.flags.writeable = False
    return points, index, weights, {}


def _edges(f, out, axis, table, scale):
    """The edge points of an evenly spaced grid from an ``_edge_table``.

    The weights times ``scale`` are rounded to f's precision before they
    multiply (as a Python-float constant times an array is: float32 data gives
    float32 products), as every backend does. They are kept per (scale, dtype)
    in the table (a few entries: a time stepper calls with one step).
    """
    points, index, weights, cache = table
    key = (scale, f.dtype)
    scaled = cache.get(key)
    if scaled is None:
        # float64 products, then f's (real) precision, as for w * scale.
        scaled = (weights * scale).astype(np.finfo(f.dtype).dtype)
        scaled.flags.writeable = False
        if len(cache) >= 8:
            cache.clear()
        cache[key] = scaled
    if f.ndim == 1 and f.dtype == scaled.dtype:
        # The common case in short: _edge_sums' 1-D branch, without its checks.
        terms = f[index]
        np.multiply(terms, scaled, out=terms)
        np.add.accumulate(terms, axis=0, out=terms)
        out[points] = terms[-1]
        return
    _edge_sums(f, out, axis, points, index, scaled, True)


def _edge_sums(f, out, axis, points, index, weights, data_precision=False):
    """out[points[p]] = Σ_k weights[k, p]·f[index[k, p]] along ``axis``.

    The sum runs in stencil order, k = 0, 1, ..., rounding after every term
    (not numpy's pairwise ``.sum``, which reorders wide stencils): every
    backend then rounds the edges alike. ``data_precision``: multiply at f's
    precision; else at the weights' (a grid's float64 weights).
    """
    if f.dtype.kind == "c":
        # Real and imaginary parts apart: the sums then round exactly as for
        # real data (numpy orders the terms of complex products differently).
        _edge_sums(f.real, out.real, axis, points, index, weights, data_precision)
        _edge_sums(f.imag, out.imag, axis, points, index, weights, data_precision)
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
        np.add.accumulate(terms, axis=0, out=terms)
        out[points] = terms[-1]
        return
    # taken[..., k, p, ...]: f at column k of point p along ``axis``, every
    # line at once: whole slabs of f (contiguous for C-ordered arrays).
    head = (slice(None),) * axis
    weights = weights.reshape(weights.shape + (1,) * (f.ndim - 1 - axis))
    taken = np.take(f, index, axis=axis)
    if taken.size <= 4096:
        # Small: one multiply, one running sum down the columns (its inner
        # loop is short and strided: slow on large arrays).
        terms = np.multiply(taken, weights)
        np.add.accumulate(terms, axis=axis, out=terms)
        out[(*head, points)] = terms[(*head, -1)]
        return
    # Large: column by column, a slab of products at a time.
    total = taken[(*head, 0)] * weights[0]
    for k in range(1, weights.shape[0]):
        np.add(total, taken[(*head, k)] * weights[k], out=total)
    out[(*head, points)] = total


def _gather(f, out, axis, points, index, weights, data_precision=False):
    """out[points[p]] = Σ_k weights[p, k]·f[index[p, k]] along ``axis``.

    ``data_precision``: multiply at f's precision, as a Python-float weight
    times an array does (evenly spaced grids: float32 data gives float32
    products); else at the weights' (a grid's float64 weights). The sum runs
    in stencil order (see ``_edge_sums``).
    """
    _edge_sums(f, out, axis, points, index.T, weights.T, data_precision)
