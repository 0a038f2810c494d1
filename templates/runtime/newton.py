"""Derivatives of one coordinate line by Newton's divided differences.

Included verbatim (from the marker line on) in the generated modules whose
coordinate-grid interior window is a run of consecutive points holding its
point, x_(i-lo) .. x_(i+hi) (``gradient4``, ``d1_nonuniform2``,
``d2_nonuniform2``, periodic ``d1_periodic_x4``, ...), for float64 lines. This
file holds the centred first derivative that the ``gradient`` drop-ins use
(``_newton_line``, ``_newton_blocks``) and the block sizes; any derivative on
any such window, and periodic lines, are in runtime/newton_windows.py, which
operators include beside it.

The derivative at x_i of the polynomial through the window is that of its
Newton form with the nodes taken outwards from x_i (x_i, x_(i-1), x_(i+1),
x_(i-2), ... while both sides have points, then the rest of the longer side).
Each leading set of these nodes is a run of consecutive points, so its divided
difference is an entry of the table of the whole line, d_k[j] = f[x_j ..
x_(j+k)], which the overlapping windows of all points share. With a_l = x_i -
(node l), derivative m is

    m! * sum over k >= m of d_k * e_(k-m)(a_1, ..., a_(k-1))

(e_r the elementary symmetric polynomials), by Horner's scheme; the centred
first derivative of 2 * half + 1 points (``_newton_line``) is the chain

    d_1[i-1] + a_1 (d_2[i-1] + a_2 (d_3[i-2] + a_3 (d_4[i-2] + ...)))

(five points: 17 array passes, where the Lagrange weights and their weighted
sum take about 30), the second derivative on x_(i-1) .. x_(i+2)
2 (d_2[i-1] + (a_1 + a_2) d_3[i-1]) (12 passes for 31). The a_k are the
differences of x that the table divides by. The same polynomial, so the same
exact result as the Lagrange weights; rounded otherwise, within a few eps of
the larger of the sums of |w_k f_k| and of the Newton form's terms on
uniform, random, clustered, geometric, nearly coincident, alternating and
scaled grids (tests/test_newton.py). The table holds f / h**k for k up to
lo + hi, which must stay within the float64 range.
"""

import numpy as np

__all__ = ["_even_block", "_newton_blocks", "_newton_line"]

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


def _even_block(count, block):
    """Blocks of at most ``block`` points that split ``count`` points evenly."""
    blocks = max(-(-count // block), 1)
    return -(-count // blocks)
