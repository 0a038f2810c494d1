"""Runtime helpers of generated N-D operators: arguments, blocks, edges, grids.

Included verbatim (from the marker line on) in generated N-D operator modules;
here they are real Python, linted and tested directly (tests/test_nd_runtime.py).

An N-D operator is a sum of terms, each a coefficient times a composition of 1-D
derivative stencils along some of the operator's axes (``tables``: per 1-D
factor its central ``offsets``/``weights`` and the one-sided ``edges`` of the
rows ``0 … r-1`` from the low end, offsets relative to the row). The generated
function computes the interior with one fused stencil in cache-sized blocks; the
points near edges and corners (the *frame*) come from composing the 1-D
operators, one-sided at the edges with the same accuracy, on small boxes.
Coordinate grids: runtime/nd_coordinates.py.
"""

import math
import operator

import numpy as np

__all__ = [
    "_nd_apply_1d",
    "_nd_axes",
    "_nd_blocks",
    "_nd_coefficient",
    "_nd_folded",
    "_nd_frame",
    "_nd_output",
    "_nd_prepare",
    "_nd_rows",
    "_nd_steps",
    "_nd_term",
    "_nd_window",
]

# ---- included in generated modules from here ----


def _nd_steps(h, ndim, name):
    """The steps: one positive finite float per operator dimension."""
    values = [h] * ndim if np.ndim(h) == 0 else list(np.asarray(h).ravel())
    if len(values) != ndim:
        raise ValueError(
            f"{name}: h has {len(values)} values for {ndim} dimensions; give one "
            "step, or one per dimension"
        )
    steps = []
    for value in values:
        try:
            step = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: h must hold numbers, got {value!r}") from None
        if not (math.isfinite(step) and step > 0):
            raise ValueError(f"{name}: every step must be positive and finite")
        steps.append(step)
    return tuple(steps)


def _nd_axes(ndim_u, axes, ndim, name):
    """The array axes of the operator's dimensions (default: the last ones)."""
    if axes is None:
        if ndim_u < ndim:
            raise ValueError(
                f"{name} acts on {ndim} dimensions but the array has {ndim_u}"
            )
        return tuple(range(ndim_u - ndim, ndim_u))
    try:
        axes = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise TypeError(f"{name}: axes must be a sequence of {ndim} integers") from None
    if len(axes) != ndim:
        raise ValueError(
            f"{name}: axes has {len(axes)} entries for {ndim} dimensions; give one "
            "array axis per dimension"
        )
    for a in axes:
        if not -ndim_u <= a < ndim_u:
            raise ValueError(
                f"{name}: axis {a} is out of bounds for an array of dimension {ndim_u}"
            )
    axes = tuple(a % ndim_u for a in axes)
    if len(set(axes)) != ndim:
        raise ValueError(f"{name}: axes {axes} repeat an axis; give distinct axes")
    return axes


def _nd_prepare(u, axes, ndim, min_points, name):
    """The array, inexact, viewed with the operator axes last; and those axes."""
    u = np.asarray(u)
    if not np.issubdtype(u.dtype, np.inexact):
        u = u.astype(np.float64)
    axes = _nd_axes(u.ndim, axes, ndim, name)
    for axis in axes:
        if u.shape[axis] < min_points:
            raise ValueError(
                f"{name} needs at least {min_points} points along axis {axis}, got "
                f"{u.shape[axis]}"
            )
    last = tuple(range(u.ndim - ndim, u.ndim))
    return np.moveaxis(u, axes, last), axes


def _nd_output(v, trim, axes, out, name):
    """The output array (operator axes last as in v) and the array to return."""
    shape = v.shape[: v.ndim - len(trim)] + tuple(
        n - t for n, t in zip(v.shape[v.ndim - len(trim) :], trim, strict=True)
    )
    last = tuple(range(v.ndim - len(trim), v.ndim))
    # The result's shape in u's own axis order (a zero-stride view, no memory).
    expected = np.moveaxis(np.broadcast_to(v.dtype.type(0), shape), last, axes).shape
    if out is None:
        result = np.empty(expected, dtype=v.dtype)
        return np.moveaxis(result, axes, last), result
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name}: out must be a numpy array, got {type(out).__name__}")
    if out.shape != expected:
        raise ValueError(f"{name}: out has shape {out.shape}, expected {expected}")
    moved = np.moveaxis(out, axes, last)
    if not np.can_cast(v.dtype, out.dtype, casting="same_kind"):
        raise ValueError(
            f"{name}: out has dtype {out.dtype}, which cannot hold {v.dtype}"
        )
    if np.may_share_memory(out, v):
        raise ValueError(f"{name}: out must not overlap u; pass a separate array")
    return moved, out


def _nd_blocks(v, o, lo, hi, shift, block, fold=False):
    """Blocks of the interior box lo .. hi-1 (per operator dimension).

    Yields ``(o, t, view)``: where the block's results go (o at i - shift), a
    scratch buffer, and ``view(p)`` the view v[i + p] over the block's points
    (valid until the next block). Blocks split the first operator axis.

    ``fold``: the caller overwrites the points near both ends of the last axis
    afterwards (one-sided edges: the frame). Where v and o hold their last two
    axes in C order with rows of the same length, those axes are then walked as
    one, so that a 2-D block is one contiguous run of values (one ufunc loop, not
    one per row: measured 10-15 % faster on 4000x4000). The rows' edge points in
    between are computed too, from samples of the neighbouring rows, and
    overwritten by the frame; every read stays inside v.
    """
    ndim = len(lo)
    lead = v.ndim - ndim
    if any(b <= a for a, b in zip(lo, hi, strict=True)) or v.size == 0:
        return
    width = 0
    if fold and ndim > 1 and _nd_rows(v) and _nd_rows(o) and o.shape[-1] == v.shape[-1]:
        width = v.shape[-1]
        v = v.reshape((*v.shape[:-2], -1))
        o = o.reshape((*o.shape[:-2], -1))
        lo = (*lo[:-2], lo[-2] * width + lo[-1])
        hi = (*hi[:-2], (hi[-2] - 1) * width + hi[-1])
        shift = (*shift[:-2], shift[-2] * width + shift[-1])
        ndim -= 1
    per = math.prod(v.shape[:lead]) * math.prod(
        b - a for a, b in zip(lo[1:], hi[1:], strict=True)
    )
    step = max(1, block // max(per, 1))
    scratch = None
    head = (slice(None),) * lead
    offsets = {}  # p -> its offsets along v's (folded) axes
    box = [lo, hi]  # the current block's first and last + 1 points

    def view(p):
        k = offsets.get(p)
        if k is None:
            k = offsets[p] = (*p[:-2], p[-2] * width + p[-1]) if width else tuple(p)
        first, last = box
        if ndim == 1:
            return v[(*head, slice(first[0] + k[0], last[0] + k[0]))]
        return v[
            head
            + tuple(slice(a + j, b + j) for a, b, j in zip(first, last, k, strict=True))
        ]

    for start in range(lo[0], hi[0], step):
        stop = min(start + step, hi[0])
        box[0] = first = (start, *lo[1:])
        box[1] = last = (stop, *hi[1:])
        o_block = o[
            head
            + tuple(
                slice(a - s, b - s) for a, b, s in zip(first, last, shift, strict=True)
            )
        ]
        if scratch is None or scratch.shape != o_block.shape:
            scratch = np.empty_like(o_block)
        yield o_block, scratch, view


def _nd_folded(interior):
    """``interior(fold=True)``, its rows walked as one, without spurious warnings.

    The rows' edge points that the folded walk computes from samples of the
    neighbouring rows (then overwritten by the frame) can raise invalid-value
    or overflow flags that no point of the result raises (inf - inf across the
    seam). The walk runs with those flags noted rather than reported; only if
    any were noted, and the caller's ``np.errstate`` reports them, does the
    interior run again row by row (``fold=False``, the same numbers), so that
    the kept points report theirs as the caller asked (warn, raise, ...), as
    numpy.gradient would. Finite data never take the second walk.
    """
    noted = []
    with np.errstate(invalid="call", over="call", call=lambda *flag: noted.append(1)):
        interior(True)
    if noted:
        modes = np.geterr()
        if modes["invalid"] != "ignore" or modes["over"] != "ignore":
            interior(False)


def _nd_rows(a):
    """Whether a's last two axes are C-ordered rows (foldable into one axis)."""
    return a.strides[-1] == a.itemsize and a.strides[-2] == a.shape[-1] * a.itemsize


def _nd_window(table, n, start, stop):
    """The input indices lo .. hi-1 that outputs start .. stop-1 read."""
    reach = max(abs(o) for o in table["offsets"])
    count = len(table["edges"][0][0]) if table["edges"] else 2 * reach + 1
    lo = start - reach if start >= reach else 0
    hi = stop + reach if stop <= n - reach else n
    if start < reach:
        hi = max(hi, min(count, n))
    if stop > n - reach:
        lo = min(lo, max(n - count, 0))
    return max(lo, 0), min(hi, n)


def _nd_apply_1d(v, axis, table, h, start, stop, base, n):
    """The 1-D stencil along axis for outputs start .. stop-1 of an axis of n points.

    v holds the input points base .. base + v.shape[axis] - 1 along axis; rows
    within reach of an end use the one-sided stencils of ``table["edges"]``.
    """
    offsets, weights = table["offsets"], table["weights"]
    scale = 1.0 / h ** table["derivative"]
    reach = max(abs(o) for o in offsets)
    shape = list(v.shape)
    shape[axis] = stop - start
    result = np.zeros(shape, dtype=v.dtype)

    def take(index):
        return v[(slice(None),) * (axis % v.ndim) + (index,)]

    a, b = max(start, reach), min(stop, n - reach)
    if b > a:
        target = (slice(None),) * (axis % v.ndim) + (slice(a - start, b - start),)
        for o, w in zip(offsets, weights, strict=True):
            result[target] += (w * scale) * take(slice(a + o - base, b + o - base))
    for i in range(start, stop):
        if a <= i < b and b > a:
            continue
        near_high = i >= n - reach
        j = n - 1 - i if near_high else i
        nodes, values = table["edges"][j]
        sign = (-1.0) ** table["derivative"] if near_high else 1.0
        total = 0
        for o, w in zip(nodes, values, strict=True):
            if w:  # a zero weight reads nothing (where 0 * inf is NaN)
                index = i - o if near_high else i + o
                total = total + (sign * w * scale) * take(index - base)
        result[(slice(None),) * (axis % v.ndim) + (i - start,)] = total
    return result


def _nd_term(v, keys, tables, steps, box, apply_1d=None):
    """One term (a composition of 1-D stencils) on the output box of v's last axes.

    ``apply_1d`` applies one 1-D stencil (default :func:`_nd_apply_1d`; the
    array-API modules give their functional one).
    """
    apply_1d = apply_1d or _nd_apply_1d
    ndim = len(keys)
    lead = v.ndim - ndim
    sizes = v.shape[lead:]
    ranges = [
        _nd_window(tables[key], n, a, b) if key is not None else (a, b)
        for key, n, (a, b) in zip(keys, sizes, box, strict=True)
    ]
    w = v[(slice(None),) * lead + tuple(slice(a, b) for a, b in ranges)]
    for d, key in enumerate(keys):
        if key is not None:
            w = apply_1d(
                w, lead + d, tables[key], steps[d], box[d][0], box[d][1], ranges[d][0],
                sizes[d],
            )  # fmt: skip
    return w


def _nd_frame(v, o, terms, tables, steps, reach, shift=None, sided=None):
    """The points within ``reach`` of a one-sided edge or corner, from 1-D stencils.

    ``sided[d]``: whether dimension d has one-sided edges (others are periodic,
    padded, or valid and get interior points only); output point i of v goes to
    o at i - shift.
    """
    ndim = len(reach)
    lead = v.ndim - ndim
    sizes = v.shape[lead:]
    shift = shift or (0,) * ndim
    sided = sided or (True,) * ndim
    inner = [(r, n - r) for r, n in zip(reach, sizes, strict=True)]
    for d in range(ndim):
        if not sided[d]:
            continue
        for band in ((0, reach[d]), (sizes[d] - reach[d], sizes[d])):
            if band[1] <= band[0]:
                continue
            box = [
                inner[e] if (e < d or not sided[e]) else (0, sizes[e])
                for e in range(ndim)
            ]
            box[d] = band
            if any(b <= a for a, b in box):
                continue
            total = 0
            for coefficient, keys in terms:
                total = total + coefficient * _nd_term(v, keys, tables, steps, box)
            target = tuple(
                slice(a - s, b - s) for (a, b), s in zip(box, shift, strict=True)
            )
            o[(slice(None),) * lead + target] = total


def _nd_coefficient(k, v, axes, name):
    """A coefficient array broadcast to u's shape, its axes ordered as v's."""
    ndim = len(axes)
    last = tuple(range(v.ndim - ndim, v.ndim))
    shape = np.moveaxis(np.broadcast_to(v.dtype.type(0), v.shape), last, axes).shape
    try:
        k = np.broadcast_to(np.asarray(k, dtype=v.dtype), shape)
    except ValueError:
        raise ValueError(
            f"{name}: a coefficient of shape {np.shape(k)} does not broadcast to u's "
            f"shape {shape}"
        ) from None
    return np.moveaxis(k, axes, last)
