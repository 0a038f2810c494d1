"""Any derivative on any window of consecutive points, by divided differences.

Included verbatim (from the marker line on) in the coordinate-grid operators
whose interior window holds its point, after runtime/newton.py (whose
``_newton_line`` and ``_even_block`` it calls; the method and its accuracy are
described there): ``_newton_window`` for derivative m on x_(i-lo) .. x_(i+hi),
``_newton_windows`` for it in blocks, ``_newton_periodic`` for periodic lines.
"""

import math

import numpy as np

__all__ = [
    "_newton_periodic",
    "_newton_values",
    "_newton_window",
    "_newton_windows",
    "_periodic_extension",
]

# ---- included in generated modules from here ----


def _newton_window(f, x, dx, out, derivative, lo, hi):
    """out[j] = derivative ``derivative`` at x[j + lo] of the interpolant of its window.

    The general case of ``_newton_line``: the window of output point j is
    points j .. j + lo + hi of the windows f and x (``m + lo + hi`` points, m
    = out's length; dx = x[1:] - x[:-1]), any derivative below lo + hi + 1.
    The nodes after z_0 = x_i (i = j + lo) alternate outwards, left first,
    while both sides have points left, so every leading set is a run of
    consecutive points and its divided difference an entry of the line's
    table. With a_l = x_i - z_l, the Newton form's Horner scheme
    P = d_top; P = P * (t + a_k) + d_k (k = top-1 .. 0) carried in Taylor
    coefficients of t up to t**(derivative - 1) gives

        p^(m)(x_i) = m! * sum over k >= m of d_k * e_(k-m)(a_1, ..., a_(k-1))

    (e_r the elementary symmetric polynomials; m = 1: the Horner chain of
    ``_newton_line``, which serves that case with the same numbers).
    """
    if derivative == 1 and lo == hi:
        _newton_line(f, x, dx, out, lo)
        return
    m = out.shape[0]
    top = lo + hi
    length = m + top
    nodes, starts, reach = _newton_nodes(lo, hi)
    # Rows 0 .. top-1: the levels d_1 .. d_top; rows top .. top+reach-2 the
    # differences x[j + r] - x[j] of r = 2 .. reach, which weigh the sum. Those
    # of r > reach serve one division (in the row of the next level, or out).
    table = np.empty((top + reach - 1, length - 1))
    level = table[0]
    np.subtract(f[1:], f[:-1], out=level)
    np.divide(level, dx, out=level)
    kept = [None, dx]
    for k in range(2, top + 1):
        if k <= reach:
            span = table[top + k - 2, : length - k]
            kept.append(span)
        else:
            span = table[k, : length - k] if k < top else out
        np.subtract(x[k:], x[:-k], out=span)
        below, level = level, table[k - 1, : length - k]
        np.subtract(below[1:], below[:-1], out=level)
        np.divide(level, span, out=level)
    if derivative == 1 and top > 1:
        # The Horner chain of _newton_line: d_top, then times a_k plus d_k.
        c = table[top - 1, :m]
        for k in range(top - 1, 0, -1):
            r, on_left = nodes[k - 1]
            start = starts[k]
            if on_left:
                np.multiply(c, kept[r][lo - r : lo - r + m], out=out)
                np.add(out, table[k - 1, start : start + m], out=out)
            else:
                np.multiply(c, kept[r][lo : lo + m], out=out)
                np.subtract(table[k - 1, start : start + m], out, out=out)
            c = out
        return
    a = []  # |a_l| of the nodes l = 1 .. top-1, views of the spans
    for r, on_left in nodes[: top - 1]:
        a.append(kept[r][lo - r : lo - r + m] if on_left else kept[r][lo : lo + m])
    if top == derivative + 1:
        # One term past d_m: d_m + d_(m+1) * (a_1 + ... + a_m), the a_l added
        # from the left into the level d_1, which the sum does not read (one
        # array operation fewer than Horner's: m = 2 on 4 points, 12 in all).
        d = table[derivative - 1, starts[derivative] : starts[derivative] + m]
        total = table[0, :m]
        if nodes[0][1]:
            (np.add if nodes[1][1] else np.subtract)(a[0], a[1], out=total)
        elif nodes[1][1]:
            np.subtract(a[1], a[0], out=total)
        else:
            np.negative(np.add(a[0], a[1], out=total), out=total)
        for node in range(2, derivative):
            add = np.add if nodes[node][1] else np.subtract
            add(total, a[node], out=total)
        np.multiply(table[top - 1, :m], total, out=out)
        np.add(out, d, out=out)
    else:
        _newton_horner(table, a, nodes, starts, out, derivative)
    if derivative > 1:
        np.multiply(out, math.factorial(derivative), out=out)


def _newton_horner(table, a, nodes, starts, out, derivative):
    """The Taylor coefficients c_0 .. c_(m-1) of Horner's P, into out.

    From c_0 = d_top, stage k = top-1 .. 1 multiplies P by (t + a_k) and adds
    d_k to c_0 (a_k = +|a_k| for a node on the left, -|a_k| on the right);
    only the coefficients that reach c_(m-1) after stage 1 are updated. The
    levels d_1 .. d_(m-1), which the sum does not read, hold the coefficients
    that a stage moves up a degree; the last stage writes out.
    """
    m = out.shape[0]
    top = len(nodes)
    fresh = [table[k, :m] for k in range(derivative - 1)]
    c = [table[top - 1, :m]]
    for k in range(top - 1, 0, -1):
        on_left = nodes[k - 1][1]
        degree = len(c) - 1
        moved = -1
        if degree < derivative - 1:
            c.append(c[degree])  # the new top coefficient: the old one
            moved = degree
        for d in range(min(degree, derivative - 1), max(derivative - k, 0) - 1, -1):
            if k == 1:
                target = out
            elif d == moved:
                target = fresh.pop()
            else:
                target = c[d]
            addend = c[d - 1] if d else table[k - 1, starts[k] : starts[k] + m]
            np.multiply(c[d], a[k - 1], out=target)
            if on_left:
                np.add(target, addend, out=target)
            else:
                np.subtract(addend, target, out=target)
            c[d] = target
    if c[derivative - 1] is not out:
        np.copyto(out, c[derivative - 1])


_NEWTON_NODES = {}


def _newton_nodes(lo, hi):
    """The nodes after x_i of the window lo, hi, as ``_newton_window`` takes them.

    Returns (nodes, starts, reach): node l = 1 .. top as (distance r, on the
    left?), alternately left and right, left first, while both sides have
    points; the starts s_k = lo - (left nodes among 1 .. k) of the leading
    sets (d_k[s_k] in window coordinates); the largest distance of nodes 1 ..
    top-1 (those whose a_l weigh the sum). Cached per window.
    """
    plan = _NEWTON_NODES.get((lo, hi))
    if plan is None:
        nodes, starts, left = [], [lo], 0
        for _ in range(lo + hi):
            right = len(nodes) - left
            if left < lo and (right >= hi or left <= right):
                left += 1
                nodes.append((left, True))
            else:
                nodes.append((right + 1, False))
            starts.append(lo - left)
        reach = max([r for r, _ in nodes[: lo + hi - 1]], default=1)
        plan = _NEWTON_NODES[lo, hi] = (nodes, starts, reach)
    return plan


def _newton_windows(f, x, dx, out, points, plan, block):
    """``_newton_window`` over the output points ``points[0] <= i < points[1]``.

    ``plan = (derivative, lo, hi)``: point i of f (1-D float64, as x) reads
    points i - lo .. i + hi and goes to out[i - points[0]], ``block`` points at
    a time: block-sized temporaries, the numbers of the whole line. ``dx``
    holds x[1:] - x[:-1] whole, or is None (each block takes its window's).
    """
    derivative, before, after = plan
    lo, hi = points
    whole = lo == before and hi + after == f.shape[0]
    if whole and hi - lo <= block and dx is not None:  # the line in one block
        _newton_window(f, x, dx, out, derivative, before, after)
        return
    block = _even_block(hi - lo, block)
    for start in range(lo, hi, block):
        stop = min(start + block, hi)
        first, last = start - before, stop + after
        xb = x[first:last]
        steps = xb[1:] - xb[:-1] if dx is None else dx[first : last - 1]
        o = out[start - lo : stop - lo]
        _newton_window(f[first:last], xb, steps, o, derivative, before, after)


def _newton_periodic(f, x, dx, step, out, plan, block):
    """``_newton_window`` on a periodic line: every point of f into out.

    ``plan = (derivative, lo, hi)``. As on the line extended by ``lo`` points
    one period away on the left and ``hi`` on the right (x continued by
    ``step``: the period, negative for decreasing x). A line of one block is
    extended so (three copying passes); a longer one is computed in blocks of
    views, and the points next to each end from their windows across the
    seam: in Python floats for centred first derivatives (the same IEEE
    operations: the same numbers, without two more passes of small-array
    calls), else as small arrays. ``dx`` holds x[1:] - x[:-1] whole, or None.
    """
    derivative, lo, hi = plan
    n = f.shape[0]
    if n <= block:
        f, x, steps = _periodic_extension(f, x, step, lo, hi)
        _newton_window(f, x, steps, out, derivative, lo, hi)
        return
    _newton_windows(f, x, dx, out[lo : n - hi], (lo, n - hi), plan, block)
    w = lo + hi
    left = f[n - lo :].tolist() + f[:w].tolist()
    xl = (x[n - lo :] - step).tolist() + x[:w].tolist()
    right = f[n - w :].tolist() + f[:hi].tolist()
    xr = x[n - w :].tolist() + (x[:hi] + step).tolist()
    ends = ((out[:lo], left, xl), (out[n - hi :], right, xr))
    if derivative == 1 and lo == hi:
        try:
            out[:lo] = _newton_values(left, xl, lo)
            out[n - hi :] = _newton_values(right, xr, hi)
            return
        except ArithmeticError:  # Python raises where NumPy gives infinities
            pass
    for points, fs, xs in ends:
        if points.shape[0]:
            fs, xs = np.array(fs), np.array(xs)
            _newton_window(fs, xs, xs[1:] - xs[:-1], points, derivative, lo, hi)


def _periodic_extension(f, x, step, lo, hi):
    """A periodic line extended for ``_newton_window``: (f, x, steps).

    f and x extended by ``lo`` points one period away on the left and ``hi``
    on the right (x continued by ``step``), and the differences of x so
    extended (they hold those of x, which its check reads).
    """
    n = f.shape[0]
    f = np.concatenate((f[n - lo :], f, f[:hi]))
    x = np.concatenate((x[n - lo :] - step, x, x[:hi] + step))
    return f, x, x[1:] - x[:-1]


def _newton_values(f, x, half):
    """``_newton_line`` on lists of Python floats: its operations, in its order."""
    top = 2 * half
    m = len(f) - top
    level = [(f[j + 1] - f[j]) / (x[j + 1] - x[j]) for j in range(len(f) - 1)]
    levels = [level]
    spans = [[x[j + 1] - x[j] for j in range(len(x) - 1)]]
    for k in range(2, top + 1):
        span = [x[j + k] - x[j] for j in range(len(x) - k)]
        level = [(level[j + 1] - level[j]) / span[j] for j in range(len(span))]
        levels.append(level)
        if k <= half:
            spans.append(span)
    values = []
    for j in range(m):
        v = level[j] * spans[half - 1][j] + levels[top - 2][j]
        for k in range(top - 2, 0, -1):
            r = (k + 1) // 2
            if k % 2:
                v = v * spans[r - 1][j + half - r] + levels[k - 1][j + half - r]
            else:
                v = levels[k - 1][j + half - r] - v * spans[r - 1][j + half]
        values.append(v)
    return values
