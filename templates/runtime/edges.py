"""Edge points of evenly spaced array operators: every edge stencil in one step.

Included verbatim (from the marker line on) in the NumPy backend's uniform-grid
operators, after runtime/edge_sums.py (``_edge_sums``). The points near the
ends (one-sided windows, or the interior stencil with its indices wrapped
around) are computed together, those of both ends at once: one gather of the
samples they read, one multiply by their weights and one running sum over the
stencil columns (``np.add.accumulate``, sequential by definition:
``total[k] = total[k - 1] + term[k]``), rather than a Python loop per point or
per column (which dominated the time of a call on small arrays).

A stencil reads only the samples of its non-zero weights, in order (as the
numba and array-API backends do): a zero weight kept as a term would turn an
infinity or NaN the stencil does not read into NaN (``0 * inf``), and a -0.0
result into 0.0. Stencils left shorter than the others are padded with columns
whose products ``_edge_sums`` replaces by -0.0, an exact no-op in the sum;
where every stencil has its full width (the bundled operators but
``d1_forward2``) there is no padding to mask.
"""

import numpy as np

__all__ = ["_edge_table", "_edges", "_stencil_arrays", "_wrap_arrays"]

# ---- included in generated modules from here ----


def _stencil_arrays(rows):
    """Points, indices, weights and padding of the stencils (point, first, weights).

    Point ``i`` (negative: from the right end) reads ``f[i + first + k]`` with
    ``weights[k]``, zero weights left out; indices stay relative to the end
    they count from, so the arrays serve every length of axis. Shorter rows
    are padded (``pad`` True) with copies of their last term, whose products
    repeat one the row computes anyway (no new overflow or invalid-value
    warning); ``pad`` is None when no row is padded.
    """
    terms = [
        [(i + first + k, float(w)) for k, w in enumerate(values) if w != 0]
        for i, first, values in rows
    ]
    width = max(len(t) for t in terms)
    points = np.array([row[0] for row in rows], dtype=np.intp)
    index = np.empty((len(rows), width), dtype=np.intp)
    weights = np.empty((len(rows), width))
    pad = np.zeros((len(rows), width), dtype=bool)
    for r, t in enumerate(terms):
        t = t + [t[-1]] * (width - len(t))
        index[r] = [j for j, _ in t]
        weights[r] = [w for _, w in t]
        pad[r, len(terms[r]) :] = True
    return points, index, weights, pad if pad.any() else None


def _wrap_arrays(points, stencil):
    """Points, indices, weights (and no padding) of a periodic stencil's wrap.

    ``stencil`` holds (offset, weight) pairs. Left points read negative indices
    (counted from the right end) and right points, given negative, read
    non-negative ones past the end (counted from the left end): the wrap, for
    every axis of at least the stencil's width.
    """
    offsets = np.array([o for o, _ in stencil], dtype=np.intp)
    values = np.array([float(w) for _, w in stencil])
    points = np.array(points, dtype=np.intp)
    return points, points[:, None] + offsets, np.tile(values, (len(points), 1)), None


def _edge_table(points, index, weights, pad):
    """The arrays of ``_stencil_arrays`` / ``_wrap_arrays`` laid out for ``_edges``.

    Indices, weights and padding become (columns, points), contiguous: column
    k of every point in one row, so that the running sum over k runs down rows
    and its last row lands in ``out`` in one assignment. The last item caches
    the weights times a scale (see ``_edges``).
    """
    index = np.ascontiguousarray(index.T)
    weights = np.ascontiguousarray(weights.T)
    index.flags.writeable = weights.flags.writeable = False
    if pad is not None:
        pad = np.ascontiguousarray(pad.T)
        pad.flags.writeable = False
    return points, index, weights, pad, {}


def _edges(f, out, axis, table, scale):
    """The edge points of an evenly spaced grid from an ``_edge_table``.

    The weights times ``scale`` are rounded to f's precision before they
    multiply (as a Python-float constant times an array is: float32 data gives
    float32 products), as every backend does. They are kept per (scale, dtype)
    in the table (a few entries: a time stepper calls with one step).
    """
    points, index, weights, pad, cache = table
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
        if pad is not None:
            np.copyto(terms, -0.0, where=pad)
        np.add.accumulate(terms, axis=0, out=terms)
        out[points] = terms[-1]
        return
    _edge_sums(f, out, axis, points, index, scaled, True, pad)
