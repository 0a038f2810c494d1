"""Edge points of coordinate-grid operators: per-point windows, in one step.

Included verbatim (from the marker line on) in the NumPy backend's
coordinate-grid operators, after runtime/edge_sums.py (``_edge_sums``, which
sums the gathered windows). The weights of a grid come per point (``w[k, p]``,
from ``<name>_weights``); the points near the ends read their windows through
one gather, one multiply and one running sum.
"""

import numpy as np

__all__ = ["_gather", "_window_arrays"]

# ---- included in generated modules from here ----


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
    products); else at the weights' (a grid's float64 weights). The sum runs
    in stencil order (see ``_edge_sums``).
    """
    _edge_sums(f, out, axis, points, index.T, weights.T, data_precision)
