"""Array-API helpers of generated N-D operators (``backend = "array-api"``).

Included verbatim (from the marker line on) in N-D operator modules of the
array-API backend, after runtime/nd_apply.py (whose argument checks, index
arithmetic and composition of terms, ``_nd_axes``, ``_nd_steps``, ``_nd_window``
and ``_nd_term``, they share); here they are real Python, linted and tested
directly (tests/test_nd_backends.py).

The same arithmetic as the NumPy helpers, term by term and in the same order, so
that the results are bitwise equal on NumPy arrays, written functionally for
every library ``array_api_compat`` knows: no writes into arrays (JAX and dask
would lose them), positive slice steps only (torch), pieces joined with
``xp.concat`` instead of assigned into an output, ``out=`` for NumPy only.
"""

import math

import array_api_compat
import numpy as np

__all__ = [
    "_ndx_apply_1d",
    "_ndx_blocks",
    "_ndx_finish",
    "_ndx_join",
    "_ndx_prepare",
    "_ndx_term",
    "_ndx_wrap",
]


# ---- included in generated modules from here ----


def _ndx_prepare(u, axes, ndim, min_points, name):
    """``(xp, v, axes)``: u's namespace, u inexact with the operator axes last.

    Integers (and booleans) become float64, as in the NumPy module; input that is
    not an array of a known library goes through ``numpy.asarray``.
    """
    try:
        xp = array_api_compat.array_namespace(u)
    except TypeError:
        u = np.asarray(u)
        xp = array_api_compat.array_namespace(u)
    if not xp.isdtype(u.dtype, ("real floating", "complex floating")):
        u = xp.astype(u, xp.float64)
    axes = _nd_axes(u.ndim, axes, ndim, name)
    for axis in axes:
        if u.shape[axis] < min_points:
            raise ValueError(
                f"{name} needs at least {min_points} points along axis {axis}, got "
                f"{u.shape[axis]}"
            )
    last = tuple(range(u.ndim - ndim, u.ndim))
    return xp, xp.moveaxis(u, axes, last), axes


def _ndx_wrap(xp, v, pad):
    """The array v, operator axis d extended by ``pad[d]`` wrapped points per end.

    ``numpy.pad(v, ..., mode="wrap")`` for pads up to the axis length.
    """
    lead = v.ndim - len(pad)
    for d, p in enumerate(pad):
        if p:
            head = (slice(None),) * (lead + d)
            n = v.shape[lead + d]
            pieces = [v[(*head, slice(n - p, n), ...)], v, v[(*head, slice(0, p), ...)]]
            v = xp.concat(pieces, axis=lead + d)
    return v


def _ndx_blocks(v, lo, hi, block):
    """``((start, stop), view)`` for the blocks of the interior box lo .. hi-1.

    ``view(p)`` is v[i + p] over a block's points, which are the rows start ..
    stop-1 of the first operator axis. On NumPy arrays the blocks hold about
    ``block`` values each (their temporaries stay in cache); elsewhere there is
    one block (each operation is a kernel launch on a GPU).
    """
    ndim = len(lo)
    lead = v.ndim - ndim
    head = (slice(None),) * lead
    step = hi[0] - lo[0]
    if array_api_compat.is_numpy_array(v):
        per = math.prod(v.shape[:lead]) * math.prod(
            b - a for a, b in zip(lo[1:], hi[1:], strict=True)
        )
        step = max(1, block // max(per, 1))
    blocks = []
    for start in range(lo[0], hi[0], step):
        first = (start, *lo[1:])
        last = (min(start + step, hi[0]), *hi[1:])

        def view(p, first=first, last=last):
            return v[
                head
                + tuple(
                    slice(a + k, b + k) for a, b, k in zip(first, last, p, strict=True)
                )
            ]

        blocks.append(((first[0], last[0]), view))
    return blocks


def _ndx_apply_1d(xp, v, axis, table, h, start, stop, base, n):
    """The 1-D stencil along ``axis`` for outputs start .. stop-1 of n points.

    As runtime/nd_apply.py's ``_nd_apply_1d`` (same terms, same order), the rows
    joined with ``xp.concat``: v holds the input points base .. base +
    v.shape[axis] - 1 along axis; rows within reach of an end use the one-sided
    stencils of ``table["edges"]``.
    """
    offsets, weights = table["offsets"], table["weights"]
    scale = 1.0 / h ** table["derivative"]
    reach = max(abs(o) for o in offsets)
    head = (slice(None),) * axis

    def take(a, b):
        return v[(*head, slice(a - base, b - base), ...)]

    a, b = max(start, reach), min(stop, n - reach)
    pieces = []
    i = start
    while i < stop:
        if a <= i < b:
            total = 0
            for o, w in zip(offsets, weights, strict=True):
                total = total + (w * scale) * take(a + o, b + o)
            pieces.append(total)
            i = b
            continue
        near_high = i >= n - reach
        j = n - 1 - i if near_high else i
        nodes, values = table["edges"][j]
        sign = (-1.0) ** table["derivative"] if near_high else 1.0
        total = 0
        for o, w in zip(nodes, values, strict=True):
            if w:  # as in _nd_apply_1d: a zero weight reads nothing
                index = i - o if near_high else i + o
                total = total + (sign * w * scale) * take(index, index + 1)
        pieces.append(total)
        i += 1
    return pieces[0] if len(pieces) == 1 else xp.concat(pieces, axis=axis)


def _ndx_term(xp, v, keys, tables, steps, box):
    """One term (composed 1-D stencils) on the output box of v's last axes."""

    def apply_1d(w, axis, table, step, start, stop, base, n):
        return _ndx_apply_1d(xp, w, axis, table, step, start, stop, base, n)

    return _nd_term(v, keys, tables, steps, box, apply_1d)


def _ndx_join(xp, v, parts, terms, tables, steps, reach, sided):
    """The output: the interior blocks with the one-sided edges and corners.

    ``parts`` holds ``((start, stop), w)`` per interior block: w covers the rows
    start .. stop-1 of the first operator axis and the interior points lo .. hi-1
    of the others (lo = reach, hi = n - reach in v's points). For each dimension
    d with one-sided edges (``sided[d]``; the others keep their interior points:
    periodic axes are padded, valid ones shorter) the bands within reach of its
    ends are computed from the 1-D stencils, on the boxes of the NumPy module's
    frame, and joined on: those of later dimensions block by block (in cache),
    then everything along the first axis in one ``concat``.
    """
    ndim = len(reach)
    lead = v.ndim - ndim
    sizes = v.shape[lead:]
    inner = [(r, n - r) for r, n in zip(reach, sizes, strict=True)]

    def band(d, ends):
        box = [
            inner[e] if (e < d or not sided[e]) else (0, sizes[e]) for e in range(ndim)
        ]
        box[d] = ends
        total = 0
        for coefficient, keys in terms:
            total = total + coefficient * _ndx_term(xp, v, keys, tables, steps, box)
        return total

    framed = [d for d in range(ndim) if sided[d] and reach[d]]
    bands = {
        d: (band(d, (0, reach[d])), band(d, (sizes[d] - reach[d], sizes[d])))
        for d in framed
    }
    shape = v.shape[:lead] + tuple(
        n if sided[d] else n - 2 * r
        for d, (n, r) in enumerate(zip(sizes, reach, strict=True))
    )
    # NumPy arrays: each block is stored as it is computed into the one result
    # array (NumPy keeps writes, and the result is the only new memory); other
    # libraries: the pieces are joined by one concat.
    numpy = array_api_compat.is_numpy_array(v)
    pieces, stored = [], []  # stored: [result, rows filled] on NumPy arrays

    def store():
        if not stored:
            stored.extend([np.empty(shape, dtype=pieces[0].dtype), 0])
        for piece in pieces:
            done = stored[1] + piece.shape[lead]
            stored[0][(slice(None),) * lead + (slice(stored[1], done),)] = piece
            stored[1] = done
        pieces.clear()

    if 0 in bands:
        pieces.append(bands[0][0])
    for (start, stop), w in parts:
        rows = (slice(None),) * lead + (slice(start - reach[0], stop - reach[0]),)
        for d in reversed(framed):
            if d:
                low, high = bands[d]
                w = xp.concat([low[(*rows, ...)], w, high[(*rows, ...)]], axis=lead + d)
        pieces.append(w)
        if numpy:
            store()
    if 0 in bands:
        pieces.append(bands[0][1])
    if numpy:
        store()
        return stored[0]
    return pieces[0] if len(pieces) == 1 else xp.concat(pieces, axis=lead)


def _ndx_finish(xp, result, axes, out, name):
    """The result with the operator axes back in place; into ``out`` (NumPy only)."""
    last = tuple(range(result.ndim - len(axes), result.ndim))
    result = xp.moveaxis(result, last, axes)
    if out is None:
        return result
    if not (isinstance(out, np.ndarray) and isinstance(result, np.ndarray)):
        raise TypeError(
            f"{name}: out= takes a NumPy array for NumPy input; other array "
            "libraries return a new array"
        )
    if out.shape != result.shape:
        raise ValueError(f"{name}: out has shape {out.shape}, expected {result.shape}")
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise ValueError(
            f"{name}: out has dtype {out.dtype}, which cannot hold {result.dtype}"
        )
    np.copyto(out, result, casting="same_kind")
    return out
