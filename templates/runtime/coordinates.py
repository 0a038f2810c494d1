"""Coordinate arrays in generated operators: checks and Lagrange weights.

Included verbatim (from the marker line on) in coordinate-grid operator modules.
"""

import math

import numpy as np

__all__ = [
    "_by_blocks",
    "_check_coordinates",
    "_lagrange",
    "_periodic_coordinates",
    "_seam",
]

# ---- included in generated modules from here ----


def _check_coordinates(x, min_points, name):
    """Return x as a strictly monotonic 1-D float64 array of min_points or more."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise ValueError(f"{name}: the coordinates must be real, got {x.dtype}")
    x = x.astype(np.float64, copy=False)
    if x.ndim != 1:
        raise ValueError(f"{name}: x must be 1-D coordinates, got {x.ndim} dimensions")
    if x.shape[0] < min_points:
        raise ValueError(
            f"{name} needs at least {min_points} coordinates, got {x.shape[0]}"
        )
    # Strictly monotonic (NaN compares false) with finite ends: all finite.
    # Long x block by block, for a few block-sized temporaries.
    step = max(x.shape[0] - 1, 1) if x.shape[0] <= 1 << 17 else 1 << 17
    increasing = decreasing = True
    for start in range(0, x.shape[0] - 1, step):
        dx = np.diff(x[start : start + step + 1])
        increasing = increasing and bool(dx.min() > 0)
        decreasing = decreasing and bool(dx.max() < 0)
    if not (increasing or decreasing) or not math.isfinite(x[0] + x[-1]):
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name}: the coordinates must be finite")
        raise ValueError(f"{name}: the coordinates must be strictly monotonic")
    return x


def _periodic_coordinates(x, period, before, after, name):
    """The coordinates x extended by the points one period before and after.

    ``before`` points on the left, ``after`` on the right: ``x[i] + period``
    is the point ``i + n``. The period must exceed the span of x, so that the
    extended grid stays strictly monotonic.
    """
    value = np.asarray(period)
    if value.ndim or value.dtype.kind not in "iuf":
        raise TypeError(
            f"{name}: period must be a real number, got {type(period).__name__}"
        )
    period = float(value)
    span = abs(x[-1] - x[0])
    if not (math.isfinite(period) and period > span):
        raise ValueError(
            f"{name}: the period must be finite and longer than the span of the "
            f"coordinates ({span}), got {period}; give the length of one period "
            "(x[0] + period is the point after x[-1])"
        )
    step = period if x[-1] > x[0] else -period
    n = x.shape[0]
    return np.concatenate((x[n - before :] - step, x, x[:after] + step))


def _by_blocks(f, x, out, weights, apply, points, reach, width, shift, block):
    """A coordinate operator on one long line, block by block.

    The points ``points[0] .. points[1]-1`` in pieces of ``block``: each piece
    is computed with the weights of its window (``reach`` = points before and
    after it, so that it is interior to the window, except at the ends of the
    axis; at least ``width`` points) and copied into ``out`` at the points
    less ``shift``. Weights depend only on nearby coordinates, so the results
    are those of the whole line, with block-sized temporaries.
    """
    n = f.shape[0]
    for start in range(points[0], points[1], block):
        stop = min(start + block, points[1])
        first, last = max(0, start - reach[0]), min(n, stop + reach[1])
        if last - first < width:
            first = max(0, last - width)
            last = min(n, first + width)
        part = apply(f[first:last], weights(x[first:last]))
        offset = start - first - shift
        out[start - shift : stop - shift] = part[offset : offset + stop - start]


def _seam(f, x, out, period, weights, apply, reach, width):
    """The points near both ends of a long periodic line, from one window.

    The window runs across the seam: the last points of x, then the first ones
    one period on. The ``reach[1]`` last and ``reach[0]`` first points are
    interior points of it (the window is far shorter than the period).
    """
    n = f.shape[0]
    before, after = reach
    w = max(before + after, width)
    step = period if x[-1] > x[0] else -period
    part = apply(
        np.concatenate((f[n - w :], f[:w])),
        weights(np.concatenate((x[n - w :], x[:w] + step))),
    )
    out[n - after :] = part[w - after : w]
    out[:before] = part[w : w + before]


def _lagrange(nodes, m):
    """Weights of derivative m at 0 for the node arrays x[i + o] - x[i].

    The engine's closed form (stencilgen.taylor): with r = len(nodes) - 1 - m,
    w_j = (-1)**r * m! * e_r(nodes other than j) / prod(node_j - node_l, l != j),
    e_r the elementary symmetric polynomial, built by the usual recurrence.
    """
    r = len(nodes) - 1 - m
    weights = []
    for j, node in enumerate(nodes):
        others = nodes[:j] + nodes[j + 1 :]
        e = [np.ones_like(node)] + [np.zeros_like(node)] * r
        denominator = np.ones_like(node)
        for value in others:
            for k in range(r, 0, -1):
                e[k] = e[k] + value * e[k - 1]
            denominator = denominator * (node - value)
        weights.append((-1) ** r * math.factorial(m) * e[r] / denominator)
    return np.stack(weights)
