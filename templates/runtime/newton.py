"""Centred first derivatives of one coordinate line by Newton's divided differences.

Included verbatim (from the marker line on) in the generated modules whose
coordinate-grid interior is the centred first derivative of 2 * half + 1 points
(``gradient4``, periodic ``d1_periodic_x4``), for float64 lines.

The derivative at x_i of the polynomial through x_(i-half) .. x_(i+half) is
that of its Newton form with the nodes taken outwards from x_i (x_i, x_(i-1),
x_(i+1), x_(i-2), x_(i+2), ...). Each leading set of these nodes is a run of
consecutive points, so its divided difference is an entry of the table of the
whole line, d_k[j] = f[x_j .. x_(j+k)], which the overlapping windows of all
points share. With a_k = x_i - (node k), the derivative is, by Horner,

    d_1[i-1] + a_1 (d_2[i-1] + a_2 (d_3[i-2] + a_3 (d_4[i-2] + ...)))

(five points: d_1[i-1] + a_1 (d_2[i-1] + a_2 (d_3[i-2] + a_3 d_4[i-2]))). The
a_k are the differences of x that the table divides by: a_(2r-1) = x_i - x_(i-r)
and a_(2r) = -(x_(i+r) - x_i). The table costs two array operations per level
and one difference of x, the sum two per level: 17 passes for five points,
where the Lagrange weights and their weighted sum take about 30. The same
polynomial, so the same exact result as the Lagrange weights; rounded
otherwise, within a few eps of the sum of |w_k f_k| on uniform, random,
clustered, geometric and nearly coincident grids (tests/test_newton.py). The
table holds f / h**k for k up to 2 * half, which must stay within the float64
range (spacings h between about 1e-60 and 1e60 for f of order one).
"""

import numpy as np

__all__ = [
    "_even_block",
    "_newton_blocks",
    "_newton_line",
    "_newton_periodic",
    "_newton_values",
]

# ---- included in generated modules from here ----


def _newton_line(f, x, dx, out, half):
    """out[j] = the derivative at x[j + half] of the interpolant of its window.

    f, x: float64 windows of ``m + 2 * half`` points (m = out's length), dx
    their differences x[1:] - x[:-1]; the window of output point j is points
    j .. j + 2 * half. The table entries are those of any longer window (each
    depends on its own points only), so blocks give the numbers of the whole line.
    """
    m = out.shape[0]
    top = 2 * half
    length = m + top  # points of the window
    # Rows 0 .. top-1: the levels d_1 .. d_top (row k-1 holds length - k
    # values); rows top .. top+half-2: the differences x[j + r] - x[j] of
    # r = 2 .. half, which weigh the sum too. Those of r > half serve one
    # division: they wait in the row of the next level (out for the last).
    table = np.empty((top + half - 1, length - 1))
    level = table[0]
    np.subtract(f[1:], f[:-1], out=level)
    np.divide(level, dx, out=level)
    spans = [dx]
    for k in range(2, top + 1):
        if k <= half:
            span = table[top + k - 2, : length - k]
            spans.append(span)
        else:
            span = table[k, : length - k] if k < top else out
        np.subtract(x[k:], x[:-k], out=span)
        below, level = level, table[k - 1, : length - k]
        np.subtract(below[1:], below[:-1], out=level)
        np.divide(level, span, out=level)
    # Horner from the top: k = top-1 .. 1, node k = r = (k + 1) // 2 points
    # away from x_i (left for odd k, right for even), entry d_k[i - r].
    np.multiply(level[:m], spans[half - 1][:m], out=out)
    np.add(out, table[top - 2, :m], out=out)
    for k in range(top - 2, 0, -1):
        r = (k + 1) // 2
        if k % 2:
            np.multiply(out, spans[r - 1][half - r : half - r + m], out=out)
            np.add(out, table[k - 1, half - r : half - r + m], out=out)
        else:
            np.multiply(out, spans[r - 1][half : half + m], out=out)
            np.subtract(table[k - 1, half - r : half - r + m], out, out=out)


def _newton_blocks(f, x, dx, out, points, half, block):
    """``_newton_line`` over the output points ``points[0] <= i < points[1]``.

    Point i of f (1-D float64, as x) goes to out[i - points[0]], ``block``
    points at a time, each from its window of f and x: block-sized
    temporaries. ``dx`` holds x[1:] - x[:-1] whole, or is None (each block
    takes the differences of its window).
    """
    lo, hi = points
    block = _even_block(hi - lo, block)
    for start in range(lo, hi, block):
        stop = min(start + block, hi)
        first, last = start - half, stop + half
        xb = x[first:last]
        steps = xb[1:] - xb[:-1] if dx is None else dx[first : last - 1]
        o = out[start - lo : stop - lo]
        _newton_line(f[first:last], xb, steps, o, half)


def _newton_periodic(f, x, dx, step, out, half, block):
    """``_newton_line`` on a periodic line: every point of f into out.

    As on the line extended by ``half`` points one period away on each side
    (x continued by ``step``: the period, negative for decreasing x). A line
    of one block is extended so (three copying passes); a longer one is
    computed in blocks of views, and the ``half`` points next to each end
    from their windows across the seam in Python floats (the same IEEE
    operations: the same numbers, without two more passes of small-array
    calls). ``dx`` holds x[1:] - x[:-1] whole, or is None.
    """
    n = f.shape[0]
    if n <= block:
        f = np.concatenate((f[n - half :], f, f[:half]))
        x = np.concatenate((x[n - half :] - step, x, x[:half] + step))
        _newton_line(f, x, x[1:] - x[:-1], out, half)
        return
    _newton_blocks(f, x, dx, out[half : n - half], (half, n - half), half, block)
    w = 2 * half
    left = f[n - half :].tolist() + f[:w].tolist()
    xl = (x[n - half :] - step).tolist() + x[:w].tolist()
    right = f[n - w :].tolist() + f[:half].tolist()
    xr = x[n - w :].tolist() + (x[:half] + step).tolist()
    try:
        out[:half] = _newton_values(left, xl, half)
        out[n - half :] = _newton_values(right, xr, half)
    except ArithmeticError:  # Python raises where NumPy gives infinities
        for points, fs, xs in ((out[:half], left, xl), (out[n - half :], right, xr)):
            fs, xs = np.array(fs), np.array(xs)
            _newton_line(fs, xs, xs[1:] - xs[:-1], points, half)


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


def _even_block(count, block):
    """Blocks of at most ``block`` points that split ``count`` points evenly."""
    blocks = max(-(-count // block), 1)
    return -(-count // blocks)
