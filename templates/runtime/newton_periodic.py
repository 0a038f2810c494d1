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
    sub, div, mul = np.subtract, np.divide, np.multiply
    n = f.shape[0]
    length = n + 4
    f = np.concatenate((f[n - 2 :], f, f[:2]))
    xe = np.concatenate((x[n - 2 :] - step, x, x[:2] + step))
    dx, d1, d2, d3, d4, s2 = np.empty((6, length - 1))
    sub(xe[1:], xe[:-1], out=dx)
    check(x, dx[2 : n + 1], name)
    sub(f[1:], f[:-1], out=d1)
    div(d1, dx, out=d1)
    s2 = s2[: length - 2]
    sub(xe[2:], xe[:-2], out=s2)
    d2 = d2[: length - 2]
    sub(d1[1:], d1[:-1], out=d2)
    div(d2, s2, out=d2)
    s3 = d4[: length - 3]  # x[j + 3] - x[j], until d4 takes its row
    sub(xe[3:], xe[:-3], out=s3)
    d3 = d3[: length - 3]
    sub(d2[1:], d2[:-1], out=d3)
    div(d3, s3, out=d3)
    sub(xe[4:], xe[:-4], out=out)  # x[j + 4] - x[j]: d4's divisor
    d4 = d4[:n]
    sub(d3[1:], d3[:-1], out=d4)
    div(d4, out, out=d4)
    # Horner: d_3[i-2] + a_3 d_4, d_2[i-1] - a_2 (...), d_1[i-1] + a_1 (...).
    mul(d4, s2[:n], out=out)
    np.add(out, d3[:n], out=out)
    mul(out, dx[2 : n + 2], out=out)
    sub(d2[1 : n + 1], out, out=out)
    mul(out, dx[1 : n + 1], out=out)
    np.add(out, d1[1 : n + 1], out=out)
