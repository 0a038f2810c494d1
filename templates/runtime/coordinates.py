"""Coordinate arrays in generated operators: checks, weights and the 1-D line.

Included verbatim (from the marker line on) in coordinate-grid operator modules.
A generated module defines ``_interior_weights(x, dx, lo, hi)`` (the weights of
the interior points ``lo <= i < hi``) and ``_interior(f, x, dx, o, lo, hi)``
(those points of one line into ``o``), which the helpers here are given.
"""

import math

import numpy as np

__all__ = [
    "_check_coordinates",
    "_checked",
    "_ends",
    "_lagrange",
    "_lagrange_window",
    "_line",
    "_period_step",
    "_periodic_coordinates",
    "_seam_windows",
]

# ---- included in generated modules from here ----


def _check_coordinates(x, min_points, name):
    """Return x as a strictly monotonic 1-D float64 array of min_points or more."""
    return _checked(x, min_points, name)[0]


def _checked(x, min_points, name, whole=False):
    """The coordinates checked as ``_check_coordinates`` does, and their steps.

    Returns ``(x, dx)`` with ``dx[k] = x[k+1] - x[k]`` when x is short (up to
    2**17 points) or ``whole``, else ``(x, None)``: long x is checked block by
    block, for a few block-sized temporaries.
    """
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise ValueError(f"{name}: the coordinates must be real, got {x.dtype}")
    x = x.astype(np.float64, copy=False)
    if x.ndim != 1:
        raise ValueError(f"{name}: x must be 1-D coordinates, got {x.ndim} dimensions")
    n = x.shape[0]
    if n < min_points:
        raise ValueError(f"{name} needs at least {min_points} coordinates, got {n}")
    # Strictly monotonic in the direction of its ends (NaN compares false),
    # with finite ends: then all finite. One reduction per block.
    increasing = bool(x[-1] > x[0])
    reduce = np.minimum.reduce if increasing else np.maximum.reduce
    short = whole or n <= 1 << 17
    step = max(n - 1, 1) if short else 1 << 17
    dx = None
    ok = n > 1 and math.isfinite(x[0] + x[-1])
    for start in range(0, n - 1, step):
        dx = x[start + 1 : start + step + 1] - x[start : start + step]
        extreme = reduce(dx)
        if not (extreme > 0 if increasing else extreme < 0):
            ok = False
            break
    if not ok:
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name}: the coordinates must be finite")
        raise ValueError(f"{name}: the coordinates must be strictly monotonic")
    return x, (dx if short else None)


def _period_step(x, period, name):
    """The shift from one period to the next: +period (x increasing) or -period.

    The period must be a real number longer than the span of x, so that x
    extended by its points one period away stays strictly monotonic.
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
    return period if x[-1] > x[0] else -period


def _periodic_coordinates(x, period, before, after, name):
    """The coordinates x extended by the points one period before and after.

    ``before`` points on the left, ``after`` on the right: ``x[i] + period``
    is the point ``i + n``.
    """
    step = _period_step(x, period, name)
    n = x.shape[0]
    return np.concatenate((x[n - before :] - step, x, x[:after] + step))


def _line(interior, f, x, dx, out, points, reach, shift, block):
    """The interior points of one line, block by block, weights per block.

    ``interior`` computes the points ``points[0] .. points[1]-1`` of f into
    ``out`` at the points less ``shift``, ``block`` points at a time, each
    block with the weights of its own points: block-sized temporaries only.
    With ``dx`` (the differences of all of x) the blocks read it in place;
    without, each block takes the differences of its window of x (``reach``
    points before and after it).
    """
    lo, hi = points
    for start in range(lo, hi, block):
        stop = min(start + block, hi)
        o = out[start - shift : stop - shift]
        if dx is not None:
            interior(f, x, dx, o, start, stop)
            continue
        first, last = start - reach[0], stop + reach[1]
        xb = x[first:last]
        interior(f[first:last], xb, xb[1:] - xb[:-1], o, reach[0], stop - first)


def _ends(f, out, rows):
    """out[p] = sum of w[k]*f[p + first + k] for the rows (p, first, w) of a line.

    Indices count from the end they are given from (p negative: from the right),
    so on periodic grids they wrap. The products and sums are those of the
    weights as a float64 array times f, in window order: Python floats for real
    data of double precision or less (the same IEEE operations, without the
    cost of small arrays), complex data as its real and imaginary parts.
    """
    if f.dtype.kind == "c":
        _ends(f.real, out.real, rows)
        _ends(f.imag, out.imag, rows)
        return
    item = f.item if f.dtype.itemsize <= 8 else f.__getitem__
    for p, first, w in rows:
        i = p + first
        v = w[0] * item(i)
        for k in range(1, len(w)):
            v = v + w[k] * item(i + k)
        out[p] = v


def _seam_windows(weights, x, step, reach, first):
    """The rows (point, first, weights) of the points near both ends, periodic.

    Their windows run across the seam: the last ``lo + hi`` points of x one
    period back (``step``), then as many first points; ``reach = (lo, hi)``.
    ``weights`` is the module's ``_interior_weights``. Right-end points are
    given negative, so their indices wrap in ``_ends``.
    """
    lo, hi = reach
    n, width = x.shape[0], lo + hi
    xs = np.concatenate((x[n - width :] - step, x[:width]))
    w = np.asarray(weights(xs, xs[1:] - xs[:-1], width - hi, width + lo))
    points = (*range(-hi, 0), *range(lo))
    return [(p, first, row) for p, row in zip(points, w.T.tolist(), strict=True)]


def _lagrange_window(x, lo, hi, first, count, m):
    """Weights of derivative m at x[i], points x[i + first .. i + first + count - 1].

    For the points ``lo <= i < hi``, as a (count, hi - lo) array. With the
    displacements d_j = x[i + first + j] - x[i] (node c = -first is x[i]
    itself, d_c = 0) and P_j = prod(d_j - d_l, l != j), the first derivative
    of the Lagrange interpolant at node c weighs f_j, j != c, by
    P_c / (P_j * (d_c - d_j)), and f_c by minus the sum of the others; higher
    derivatives follow by the Schneider-Werner recurrence. A few array
    operations for every point at once, where the elementary-symmetric form of
    ``_lagrange`` needs hundreds; exact on polynomials up to rounding.
    """
    c = -first
    if not 0 <= c < count:
        xi = x[lo:hi]
        nodes = [x[lo + first + k : hi + first + k] - xi for k in range(count)]
        return _lagrange(nodes, m)
    d = np.empty((count, hi - lo))
    xi = x[lo:hi]
    for k in range(count):
        np.subtract(x[lo + first + k : hi + first + k], xi, out=d[k])
    differences = d[:, None, :] - d[None, :, :]
    differences.reshape(count * count, -1)[:: count + 1] = 1.0  # l == j: left out
    products = differences.prod(axis=1)
    towards = differences[c]  # d_c - d_j (1 at j = c)
    ratio = products[c] / products
    w = ratio / towards
    for order in range(1, m + 1):
        if order > 1:
            w = order * (ratio * w[c] - w) / towards
        w[c] = 0.0
        w[c] = -w.sum(axis=0)
    return w


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
