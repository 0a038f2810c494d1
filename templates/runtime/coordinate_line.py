"""One line of a coordinate-grid operator: interior blocks, edges, the seam.

Included verbatim (from the marker line on) in the NumPy backend's 1-D
coordinate-grid operators. The generated module defines
``_interior_weights(x, dx, lo, hi)`` (the weights of the interior points
``lo <= i < hi``) and ``_interior(f, x, dx, o, lo, hi)`` (those points of one
line into ``o``), which the helpers here are given.
"""

import numpy as np

__all__ = ["_ends", "_line", "_periodic_line", "_seam_windows"]

# ---- included in generated modules from here ----


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


def _periodic_line(f, w, out, reach):
    """Every point of a periodic float64 line at once: out[i] = sum of w[k, i]*f[...].

    For a float64 line f (and out): the weights ``w`` of every point (count,
    n), ``reach = (lo, hi)``. The window products of all points at once, then
    their sum over k, which numpy adds row after row: the numbers of the
    multiply-and-add loop of ``_combine`` and of ``_ends``, with three array
    operations. The products overwrite ``w`` (the caller's temporary).
    """
    lo, hi = reach
    n = f.shape[0]
    extended = np.concatenate((f[n - lo :], f, f[:hi]))
    size = extended.itemsize
    windows = np.ndarray(w.shape, extended.dtype, extended, 0, (size, size))
    np.multiply(windows, w, w)
    np.add.reduce(w, 0, None, out)


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


def _seam_windows(weights, x, step, reach, first, differences):
    """The rows (point, first, weights) of the points near both ends, periodic.

    Each end's window runs across the seam with the other end one period
    (``step``) away, as in x extended by ``_periodic_coordinates``: the same
    numbers as the whole extended line gives. ``weights`` is the module's
    ``_interior_weights``, given the steps of its window when ``differences``.
    Right-end points are given negative, so their indices wrap in ``_ends``.
    """
    lo, hi = reach
    n, width = x.shape[0], lo + hi
    rows = []
    for points, xs in (
        (range(-hi, 0), np.concatenate((x[n - width :], x[:hi] + step))),
        (range(lo), np.concatenate((x[n - lo :] - step, x[:width]))),
    ):
        if not points:
            continue
        dx = xs[1:] - xs[:-1] if differences else None
        w = np.asarray(weights(xs, dx, lo, lo + len(points))).T.tolist()
        rows += [(p, first, row) for p, row in zip(points, w, strict=True)]
    return rows
