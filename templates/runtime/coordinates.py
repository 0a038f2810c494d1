"""Coordinate arrays in generated operators: checks and Lagrange weights.

Included verbatim (from the marker line on) in coordinate-grid operator modules.
"""

import math

import numpy as np

__all__ = [
    "_check_coordinates",
    "_check_steps",
    "_checked",
    "_coordinate_array",
    "_lagrange",
    "_lagrange_window",
    "_period_step",
    "_periodic_coordinates",
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
    x = _coordinate_array(x, min_points, name)
    n = x.shape[0]
    short = whole or n <= 1 << 17
    step = max(n - 1, 1) if short else 1 << 17
    dx = None
    for start in range(0, n - 1, step):
        stop = min(start + step, n - 1)
        dx = x[start + 1 : stop + 1] - x[start:stop]
        _check_steps(x, dx, name)
    return x, (dx if short else None)


def _coordinate_array(x, min_points, name):
    """Return x as 1-D float64 of min_points or more (two or more), finite ends.

    The steps are left to ``_check_steps``.
    """
    if type(x) is not np.ndarray or x.dtype != np.float64:
        x = np.asarray(x)
        if x.dtype.kind == "c":
            raise ValueError(f"{name}: the coordinates must be real, got {x.dtype}")
        x = x.astype(np.float64, copy=False)
    if x.ndim != 1:
        raise ValueError(f"{name}: x must be 1-D coordinates, got {x.ndim} dimensions")
    n = x.shape[0]
    if n < min_points:
        raise ValueError(f"{name} needs at least {min_points} coordinates, got {n}")
    if n < 2 or not math.isfinite(x.item(0) + x.item(-1)):
        _check_steps(x, x[:0], name)  # raises
    return x


def _check_steps(x, steps, name):
    """Raise unless x is strictly monotonic with finite ends, from its steps.

    ``steps``: differences of x (some or all), which must all have the sign
    of x[-1] - x[0] (NaN compares false).
    """
    first, last = x.item(0), x.item(-1)
    increasing = last > first
    if steps.shape[0] and math.isfinite(first + last):
        extreme = (np.minimum.reduce if increasing else np.maximum.reduce)(steps)
        if extreme > 0 if increasing else extreme < 0:
            return
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: the coordinates must be finite")
    raise ValueError(f"{name}: the coordinates must be strictly monotonic")


def _period_step(x, period, name):
    """The shift from one period to the next: +period (x increasing) or -period.

    The period must be a real number longer than the span of x, so that x
    extended by its points one period away stays strictly monotonic.
    """
    if not isinstance(period, float):  # Python and NumPy float64 as they are
        value = np.asarray(period)
        if value.ndim or value.dtype.kind not in "iuf":
            raise TypeError(
                f"{name}: period must be a real number, got {type(period).__name__}"
            )
    period = float(period)
    first, last = x.item(0), x.item(-1)
    span = abs(last - first)
    if not (math.isfinite(period) and period > span):
        raise ValueError(
            f"{name}: the period must be finite and longer than the span of the "
            f"coordinates ({span}), got {period}; give the length of one period "
            "(x[0] + period is the point after x[-1])"
        )
    return period if last > first else -period


def _periodic_coordinates(x, period, before, after, name):
    """The coordinates x extended by the points one period before and after.

    ``before`` points on the left, ``after`` on the right: ``x[i] + period``
    is the point ``i + n``.
    """
    step = _period_step(x, period, name)
    n = x.shape[0]
    return np.concatenate((x[n - before :] - step, x, x[:after] + step))


def _lagrange_window(x, lo, hi, first, count, m):
    """Weights of derivative m at x[i], points x[i + first .. i + first + count - 1].

    For the points ``lo <= i < hi``, as a (count, hi - lo) array. The first
    derivative at a node of its window (c = -first, x[i] itself): with
    t_k = x_k - x[i] the displacements of the other nodes (x_k the point
    i + first + k, k != c), the derivative at 0 of the Lagrange basis gives

        w_k = prod(t_l, l != k, c) / (t_k * prod(t_l - t_k, l != k, c)),  k != c,

    and f_c weighs minus the sum of the others. The t_k of every point are the
    rows of one (count - 1, n) array; the t_l of one l - k (taken cyclically)
    are its rows shifted, so each product is a few operations on whole
    contiguous blocks, where the elementary-symmetric form of ``_lagrange``
    needs hundreds: as accurate (differences of x taken directly, products of
    as many factors), several times faster. Other cases by ``_lagrange``.
    """
    c = -first
    last = count - 1
    if m != 1 or not 0 <= c < count or last < 2:
        xi = x[lo:hi]
        nodes = [x[lo + first + k : hi + first + k] - xi for k in range(count)]
        return _lagrange(nodes, m)
    n = hi - lo
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    size = x.itemsize
    # Rows 0 .. last-1 of ``twice``: the displacements t_k, k != c, in window
    # order; then those rows again, so that rows r .. r+last-1 are t_(k + r)
    # taken cyclically.
    twice = np.empty((2 * last - 1, n))
    t = twice[:last]
    xi = x[lo:hi]
    if 2 * c == last:
        # Centred: both sides in one view of x, (side, k, i).
        view = np.ndarray(
            (2, c, n), x.dtype, x, (lo + first) * size, ((c + 1) * size, size, size)
        )
        np.subtract(view, xi, t.reshape(2, c, n))
    else:
        if c:
            view = np.ndarray((c, n), x.dtype, x, (lo + first) * size, (size, size))
            np.subtract(view, xi, t[:c])
        if c < last:
            view = np.ndarray((last - c, n), x.dtype, x, (lo + 1) * size, (size, size))
            np.subtract(view, xi, t[c:])
    twice[last:] = twice[: last - 1]
    # shifted[r - 1, k] = t_(k + r), r = 1 .. last-1: the other nodes of k.
    # Their product is the numerator; the product of t_(k + r) - t_k, times
    # t_k, the denominator (multiplied in the order of r).
    stride = n * size
    shifted = np.ndarray(
        (last - 1, last, n), twice.dtype, twice, stride, (stride, stride, size)
    )
    numerator = np.multiply.reduce(shifted, 0)
    factors = np.subtract(shifted, t)
    denominator = np.multiply.reduce(factors, 0)
    denominator *= t
    w = np.empty((count, n))
    np.divide(numerator[:c], denominator[:c], w[:c])
    np.divide(numerator[c:], denominator[c:], w[c + 1 :])
    # f_c: minus the sum of the others (centred: each node plus its mirror
    # image first, then those sums in order; else in window order).
    if 2 * c == last:
        rows = list(np.add(w[:c], w[c + 1 :], factors[0, :c]))
    else:
        rows = [w[k] for k in range(count) if k != c]
    total = w[c]
    if len(rows) == 1:
        np.negative(rows[0], total)
    else:
        np.add(rows[0], rows[1], total)
        for row in rows[2:]:
            np.add(total, row, total)
        np.negative(total, total)
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
