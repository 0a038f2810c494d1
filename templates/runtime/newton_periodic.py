"""The short periodic line of a centred five-point first derivative.

Included verbatim (from the marker line on) in the generated modules whose
periodic coordinate grid takes the centred five-point window (Newton plan
(1, 2, 2): ``d1_periodic_x4``) beside ``newton.py``, whose ``_newton_line``
it unrolls with the same operations in the same order (the same numbers).
"""

import numpy as np

__all__ = ["_newton_periodic5"]

# ---- included in generated modules from here ----


def _newton_periodic5(f, x, step, out, check, name):
    """``_newton_line`` (half = 2) on a short periodic line, unrolled: every point.

    f and x (n points) extended by 2 points one period away on each side (x
    continued by ``step``), ``check(x, steps, name)`` called on the n - 1
    differences of x before out is written, then the operations of
    ``_newton_line(f, x, dx, out, 2)`` in its order (the same numbers) on one
    table whose rows hold dx too: five points' Newton chain without the
    loop's Python (about 2-3 us of a 20-40 us call at 10^3-10^4 points).
    """
    sub, div, mul, add = np.subtract, np.divide, np.multiply, np.add
    n = f.shape[0]
    length = n + 4
    # f and x extended in one copy; x's ends continued in place (x -/+ step).
    fx = np.concatenate((f[n - 2 :], f, f[:2], x[n - 2 :], x, x[:2]))
    f, xe = fx[:length], fx[length:]
    end = xe[:2]
    end -= step
    end = xe[n + 2 :]
    end += step
    # Positional out= (a few hundredths of a us less per call than keyword).
    dx, d1, d2, d3, d4, s2 = np.empty((6, length - 1))
    sub(xe[1:], xe[:-1], dx)
    check(x, dx[2 : n + 1], name)
    sub(f[1:], f[:-1], d1)
    div(d1, dx, d1)
    s2 = s2[: length - 2]
    sub(xe[2:], xe[:-2], s2)
    d2 = d2[: length - 2]
    sub(d1[1:], d1[:-1], d2)
    div(d2, s2, d2)
    s3 = d4[: length - 3]  # x[j + 3] - x[j], until d4 takes its row
    sub(xe[3:], xe[:-3], s3)
    d3 = d3[: length - 3]
    sub(d2[1:], d2[:-1], d3)
    div(d3, s3, d3)
    sub(xe[4:], xe[:-4], out)  # x[j + 4] - x[j]: d4's divisor
    d4 = d4[:n]
    sub(d3[1:], d3[:-1], d4)
    div(d4, out, d4)
    # Horner: d_3[i-2] + a_3 d_4, d_2[i-1] - a_2 (...), d_1[i-1] + a_1 (...).
    mul(d4, s2[:n], out)
    add(out, d3[:n], out)
    mul(out, dx[2 : n + 2], out)
    sub(d2[1 : n + 1], out, out)
    mul(out, dx[1 : n + 1], out)
    add(out, d1[1 : n + 1], out)
