"""Apply a compact (Padé) finite-difference scheme along one axis of an array.

A compact scheme couples neighbouring derivatives,

    sum_l alpha[l] * d[i + l] = (1/h**m) * sum_j b[j] * f[i + j],

so applying it means solving a banded system along the axis. This file is a
runtime helper: it needs only numpy (scipy, when installed, is imported on
first use for its LAPACK solves) and stencilgen copies it verbatim into
generated modules.

Periodic grids: the cyclic system is circulant and symmetric. Its left-hand
side factors as ``D(E) = c * P(E) * P(1/E)`` with ``P(z) = prod(1 - s_j z)``
built from the roots ``|s_j| < 1`` of ``z**L * D(z)`` (``E`` the shift
``(E f)[i] = f[i + 1]``). Graeffe's root squaring, ``P_k(z) P_k(-z) =
P_{k+1}(z**2)``, turns ``1/P(z)`` into the finite product
``prod_k P_k(-z**(2**k))`` times ``1/P_K(z**(2**K))``, and ``P_K -> 1``
quadratically: after ``K`` stages (``max|s_j|**(2**K)`` below 1e-17) the cyclic
solve is a short cascade of symmetric filters with strides 1, 2, 4, ... Each
filter is a few vectorised passes over cache-sized blocks, so the whole
operator costs a small multiple of an explicit stencil, with no sequential
sweep (a Thomas sweep in Python, or FFTs, are several times slower at 10**6
points). The result equals the exact cyclic solve to rounding.

Bounded grids: the first and last rows hold explicit one-sided stencils (their
left-hand side is the identity), so the edge values are known and the interior
rows are a section of the symmetric Toeplitz matrix of the left-hand side
(positive definite when its symbol is positive), with the edge values' terms
on the right-hand side.

Which path a call takes (the first that applies):

* up to ``_COMPACT_DENSE`` points along the axis: one cached dense matrix;
* with SciPy installed, 1-D lines up to ``_COMPACT_LAPACK`` points and N-D
  arrays up to ``_COMPACT_BLOCK``: LAPACK's ``?pttrs`` / ``?pbtrs`` with factors
  cached per size (periodic lines are extended by a halo on both sides, past
  which the ends of the finite section no longer matter);
* 1-D lines up to ``_COMPACT_BLOCK``: the cascade as a cached program (bounded:
  plus a precomputed edge correction);
* longer lines: the cascade block by block (bounded: on the interior's
  right-hand side, plus the same edge correction).

Where those decline (no SciPy, edge rows narrower than the scheme, a left-hand
side with no cascade) bounded grids take a banded solve:
``scipy.linalg.solve_banded``, or without SciPy :func:`_compact_eliminate`
(banded Gaussian elimination in numpy).
"""

import functools
import math
import threading

import numpy as np

__all__ = [
    "_compact_apply_dense",
    "_compact_apply_rhs",
    "_compact_blocks",
    "_compact_bounded",
    "_compact_bounded_blocks",
    "_compact_bounded_lapack",
    "_compact_bounded_program",
    "_compact_bounded_solver",
    "_compact_by_lines",
    "_compact_cascade_ops",
    "_compact_dense",
    "_compact_edge_rows",
    "_compact_edges",
    "_compact_eliminate",
    "_compact_factor",
    "_compact_memo",
    "_compact_need",
    "_compact_periodic",
    "_compact_periodic_lapack",
    "_compact_periodic_line",
    "_compact_periodic_solvers",
    "_compact_plan",
    "_compact_program",
    "_compact_rhs_ops",
    "_compact_rhs_terms",
    "_compact_scipy_lapack",
    "_compact_solve_banded",
    "_compact_splits",
    "_compact_stage_ops",
    "_compact_stages",
    "_compact_take",
    "_compact_taps",
]

# ---- included in generated modules from here ----


_COMPACT_BLOCK = 32768

# Up to this many points along the axis the operator is applied as one dense
# n x n matrix (the exact solve, computed once per size and cached): a single
# BLAS matrix product costs less than the filter cascade's 20-odd small passes
# (1.5 us against ~10 us at n = 100, on par near n = 256).
_COMPACT_DENSE = 256

# From _COMPACT_DENSE + 1 up to this many points, when SciPy is installed, the
# solve is one LAPACK call per factor of the left-hand side (the symmetric
# positive definite tridiagonal ``?pttrs``, or the banded Cholesky ``?pbtrs``),
# factored once per size. Its sweep is sequential (about 6 ns a point), so on
# longer 1-D lines the cascade's vectorised passes are faster; N-D arrays take it
# up to _COMPACT_BLOCK points along the axis (one call solves a chunk of lines,
# where the cascade's buffers would span every line: 2-3x slower at 2000 x 2000).
_COMPACT_LAPACK = 1024

# Lines per LAPACK call on N-D arrays: the right-hand sides of a chunk of lines
# go to one call (LAPACK takes many right-hand sides), about this many values.
_COMPACT_CHUNK = 65536

# Per-thread programs of the 1-D periodic cascade: buffers and the views into
# them built once per (scheme, scale, n, dtype), so that a call runs only the
# ufuncs (a thread-local cache: the buffers are written in place).
_COMPACT_LOCAL = threading.local()
_COMPACT_PROGRAMS = 8


@functools.lru_cache(maxsize=64)
def _compact_plan(lhs):
    """The filter cascade that inverts the symmetric left-hand side ``lhs``.

    Parameters
    ----------
    lhs : tuple of float
        ``alpha[-L], ..., alpha[0], ..., alpha[L]``, symmetric, with
        ``D(theta) = sum alpha[l] cos(l theta) > 0``.

    Returns
    -------
    scale : float
        Multiplies the right-hand side: ``prod(g0) / c``.
    stages : tuple of (int, tuple of float)
        ``(stride, (g1, ..., gL))``: ``y <- y + sum_j g_j (y[+j s] + y[-j s])``.

    Examples
    --------
    >>> scale, stages = _compact_plan((0.25, 1.0, 0.25))  # classical Pade
    >>> [s for s, _ in stages], stages[0][1]
    ([1, 2, 4, 8, 16], (-0.25,))
    """
    alpha = np.asarray(lhs, dtype=float)
    L = (len(alpha) - 1) // 2
    if len(alpha) % 2 == 0 or not np.allclose(alpha, alpha[::-1], rtol=0, atol=0):
        raise ValueError(
            "the left-hand side of a periodic compact scheme must be "
            "symmetric with an odd number of weights"
        )
    if L == 0:
        return 1.0 / float(alpha[0]), ()
    theta = np.linspace(0, math.pi, 721)
    values = alpha[L] + 2 * sum(
        alpha[L + k] * np.cos(k * theta) for k in range(1, L + 1)
    )
    if np.min(values) <= 0:
        raise ValueError(
            "the left-hand side is singular or indefinite on a "
            "periodic grid (its symbol D(theta) is not positive)"
        )
    roots = np.roots(alpha[::-1])
    inside = roots[np.abs(roots) < 1]
    # np.poly gives prod(z - s_j) highest power first: read lowest first, that is
    # P(z) = prod(1 - s_j z) = 1 + p1 z + ... + pL z**L.
    poly = np.real(np.poly(inside))
    c = float(np.sum(alpha)) / float(np.sum(poly)) ** 2
    scale = 1.0 / c
    stages = []
    stride = 1
    while np.max(np.abs(poly[1:])) > 1e-18:
        # Stage: multiply by P_k(-E**s) * P_k(-E**-s), a symmetric filter.
        q = poly * (-1.0) ** np.arange(L + 1)
        taps = np.convolve(q, q[::-1])[L:]  # g0, g1, ..., gL
        scale *= taps[0]
        stages.append((stride, tuple(float(t / taps[0]) for t in taps[1:])))
        # Graeffe: P_{k+1}(z**2) = P_k(z) P_k(-z).
        poly = np.convolve(poly, q)[::2]
        stride *= 2
        if stride > 2**40:  # pragma: no cover - D > 0 keeps the roots inside
            raise ValueError("the left-hand side is too close to singular")
    return scale, tuple(stages)


@functools.lru_cache(maxsize=32)
def _compact_dense(n, lhs, rhs, left, right, char):
    """The whole operator as a dense ``n x n`` matrix ``M`` (``d = scale * M @ f``).

    ``M = A^-1 B`` from the exact dense solve of the scheme's system: cyclic
    when ``left`` is None, else with the explicit edge rows of
    :func:`_compact_bounded`. ``char`` is the matrix dtype's character code.

    Examples
    --------
    >>> M = _compact_dense(8, (0.25, 1.0, 0.25), ((-1, -0.75), (1, 0.75)),
    ...                    None, None, "d")
    >>> M.shape, bool(np.allclose(M.sum(axis=1), 0))
    ((8, 8), True)
    """
    L = (len(lhs) - 1) // 2
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    if left is None:
        rows = np.arange(n)
        for k, a in enumerate(lhs):
            np.add.at(A, (rows, (rows + k - L) % n), a)
        for d, w in rhs:
            np.add.at(B, (rows, (rows + d) % n), w)
    else:
        nl, nr = len(left), len(right)
        rows = np.arange(nl, n - nr)
        for k, a in enumerate(lhs):
            A[rows, rows + k - L] = a
        for d, w in rhs:
            B[rows, rows + d] += w
        for r, row in enumerate(left):
            A[r, r] = 1.0
            for d, w in row:
                B[r, r + d] += w
        for r, row in enumerate(right):
            i = n - 1 - r
            A[i, i] = 1.0
            for d, w in row:
                B[i, i + d] += w
    matrix = np.linalg.solve(A, B).astype(char)
    matrix.flags.writeable = False
    return matrix


def _compact_apply_dense(f, axis, scale, matrix, out):
    """``out = scale * (matrix @ f)`` along ``axis``; returns ``out``."""
    if f.ndim == 1:
        if out.dtype == f.dtype:
            np.matmul(matrix, f, out=out)
            np.multiply(out, scale, out=out)
        else:
            out[...] = (matrix @ f) * scale
        return out
    x = np.moveaxis(f, axis, -1)
    result = np.moveaxis(out, axis, -1)
    product = np.matmul(x, matrix.T)
    np.multiply(product, scale, out=product)
    result[...] = product
    return out


@functools.lru_cache(maxsize=64)
def _compact_stages(lhs):
    """:func:`_compact_plan`'s factor and stages as ``(stride, ((j, g_j), ...))``.

    Taps below 1e-17 (at most a fifth of an ulp of the result) are left out,
    and with them stages that keep none; returns ``(factor, stages, halo)``,
    ``halo`` the points the cascade reaches on either side.

    Examples
    --------
    >>> factor, stages, halo = _compact_stages((1 / 3, 1.0, 1 / 3))
    >>> [s for s, _ in stages], halo
    ([1, 2, 4, 8, 16, 32], 63)
    """
    factor, stages = _compact_plan(lhs)
    kept = []
    for s, taps in stages:
        nonzero = tuple((j, g) for j, g in enumerate(taps, start=1) if abs(g) >= 1e-17)
        if nonzero:
            kept.append((s, nonzero))
    halo = sum(s * max(j for j, _ in taps) for s, taps in kept)
    return factor, tuple(kept), halo


def _compact_rhs_ops(src, reach, width, centre, terms, y, t):
    """Ufunc calls writing ``y[i] = sum_d w_d src[reach + i + d]``, ``i < width``."""
    ops = []
    out, tmp = y[:width], t[:width]
    first = True
    for d, w, sign in terms:
        target = out if first else tmp
        plus = src[reach + d : reach + d + width]
        if sign:
            minus = src[reach - d : reach - d + width]
            ops.append((np.subtract if sign < 0 else np.add, plus, minus, target))
            ops.append((np.multiply, target, w, target))
        else:
            ops.append((np.multiply, plus, w, target))
        if not first:
            ops.append((np.add, out, tmp, out))
        first = False
    if centre or first:
        middle = src[reach : reach + width]
        ops.append((np.multiply, middle, centre, out if first else tmp))
        if not first:
            ops.append((np.add, out, tmp, out))
    return ops


def _compact_cascade_ops(src, reach, width, centre, terms, stages, y, bufs):
    """Ufunc calls: the right-hand side of ``src`` into ``y``, then the cascade.

    ``src[reach + i + d]`` feeds right-hand side ``i`` (``0 <= i < width``) for
    offset ``d``. ``stages`` as from :func:`_compact_stages`. Returns ``(ops,
    last)``: run ``op(a, b, c)`` for every ``(op, a, b, c)`` in ``ops``, then
    ``last[0](last[1], last[2], target)`` writes the ``width - 2 * halo``
    results. ``bufs``: four more scratch arrays of ``width`` elements (the
    stages never write ``y`` itself once the right-hand side is in it).
    """
    ops = _compact_rhs_ops(src, reach, width, centre, terms, y, bufs[2])
    more, last = _compact_stage_ops(stages, width, y, bufs)
    return ops + more, last


def _compact_stage_ops(stages, width, y, bufs):
    """The cascade's ufunc calls on ``y[:width]``: ``(ops, last)`` as above."""
    z, z2, t, u = bufs
    ops = []
    size = width
    last = (np.multiply, y[:width], 1.0)
    for k, (s, taps) in enumerate(stages):
        off = s * max(j for j, _ in taps)
        new = size - 2 * off
        tt, uu = t[:new], u[:new]
        for i, (j, g) in enumerate(taps):
            acc = tt if i == 0 else uu
            a = y[off - j * s : off - j * s + new]
            b = y[off + j * s : off + j * s + new]
            ops.append((np.add, a, b, acc))
            ops.append((np.multiply, acc, g, acc))
            if i:
                ops.append((np.add, tt, uu, tt))
        if k == len(stages) - 1:
            last = (np.add, y[off : off + new], tt)
        else:
            ops.append((np.add, y[off : off + new], tt, z[:new]))
        y, z, z2 = z, z2, z
        size = new
    return ops, last


def _compact_program(lhs, rhs, scale, n, char):
    """The 1-D periodic cascade for ``n`` points as ready-made ufunc calls.

    Returns ``(seg, halo, index, ops, last)``: copy the wrapped samples into
    ``seg`` (``index`` for ``np.take`` when the halo exceeds ``n``, else None),
    run ``op(a, b, c)`` for every ``(op, a, b, c)`` in ``ops``, then
    ``last[0](last[1], last[2], result)``. Cached per thread (the buffers are
    written in place), at most ``_COMPACT_PROGRAMS`` of them.
    """
    programs = _COMPACT_LOCAL.__dict__.setdefault("programs", {})
    key = ("periodic", lhs, rhs, scale, n, char)
    program = programs.get(key)
    if program is not None:
        return program
    factor, stages, halo_s = _compact_stages(lhs)
    centre, terms = _compact_rhs_terms((d, float(w) * scale * factor) for d, w in rhs)
    reach = max([abs(d) for d, _, _ in terms] + [0])
    halo = reach + halo_s
    width = n + 2 * halo_s
    seg = np.empty(n + 2 * halo, dtype=char)
    y, *bufs = (np.empty(width, dtype=char) for _ in range(5))
    ops, last = _compact_cascade_ops(seg, reach, width, centre, terms, stages, y, bufs)
    index = None if halo <= n else np.arange(-halo, n + halo) % n
    program = (seg, halo, index, tuple(ops), last)
    if len(programs) >= _COMPACT_PROGRAMS:
        programs.clear()
    programs[key] = program
    return program


def _compact_bounded_program(lhs, rhs, left, right, scale, n, char):
    """The 1-D bounded solve for ``n`` points as ready-made ufunc calls, or None.

    The interior rows are the infinite-line scheme (the cascade of
    :func:`_compact_program` on the right-hand side, zero outside the interior)
    plus the homogeneous solutions that meet the explicit edge rows: ``d_I = v_I
    + H (d_B - v_B)``, ``B`` the ``2 L`` edge points the interior rows reach and
    ``H = -K^-1 C`` (``K`` the interior block, ``C`` its columns at ``B``),
    computed once with the banded solve. ``H`` decays away from the edges: only
    its rows above 1e-17 of its largest entry are kept. None when the edge
    rows are fewer than the scheme's reach (the banded path then serves).
    """
    programs = _COMPACT_LOCAL.__dict__.setdefault("programs", {})
    key = ("bounded", lhs, rhs, left, right, scale, n, char)
    if key in programs:
        return programs[key]
    L = (len(lhs) - 1) // 2
    nl, nr = len(left), len(right)
    m = n - nl - nr
    factor, stages, halo_s = _compact_stages(lhs)
    centre, terms = _compact_rhs_terms((d, float(w) * scale * factor) for d, w in rhs)
    reach = max([abs(d) for d, _, _ in terms] + [0])
    if min(nl, nr) < max(L, reach) or m < 2 * L + 1 or L == 0:
        programs[key] = None
        return None
    rows, head, tail, kl, kr = _compact_edge_rows(lhs, left, right, scale, n)
    real = "f" if char in "efF" else "d"
    # Buffers: pool = [x | full result]; v lands in full[nl - L : n - nr + L].
    pool = np.zeros(2 * n, dtype=char)
    x, full = pool[:n], pool[n:]
    v = full[nl - L : n - nr + L]
    width = m + 2 * L + 2 * halo_s
    e = np.zeros(width, dtype=char)  # zero outside the interior, for good
    bufs = [np.empty(width, dtype=char) for _ in range(4)]
    pad = L + halo_s
    ops = _compact_rhs_ops(x, nl, m, centre, terms, e[pad:], bufs[2])
    more, last = _compact_stage_ops(stages, width, e, bufs)
    ops += more
    ops.append((*last, v))
    gather = np.concatenate(
        [
            np.arange(kl),
            np.arange(n - kr, n),
            n + np.arange(nl - L, nl),
            n + np.arange(n - nr, n - nr + L),
        ]
    )
    g = np.empty(len(gather), dtype=char)
    ops.append((_compact_take, pool, gather, g))
    rows = rows.astype(real)
    c = np.empty(len(rows), dtype=char)
    ops.append((np.matmul, rows, g, c))
    ops.append((np.add, v[L : L + head], c[:head], v[L : L + head]))
    part = v[L + m - tail : L + m]
    ops.append((np.add, part, c[head : head + tail], part))
    edge = c[head + tail :]
    ops.append((np.multiply, edge[:nl], 1.0, full[:nl]))
    ops.append((np.multiply, edge[nl:], 1.0, full[n - nr :]))
    program = (x, full, tuple(ops))
    if len(programs) >= _COMPACT_PROGRAMS:
        programs.clear()
    programs[key] = program
    return program


def _compact_edge_rows(lhs, left, right, scale, n):
    """The bounded scheme's edge corrections and edge rows as one matrix.

    With ``v`` the infinite-line solution (right-hand side zero outside the
    interior), the bounded result is ``d_I = v_I + H (d_B - v_B)`` (see
    :func:`_compact_bounded_program`). Returns ``(rows, head, tail, kl, kr)``:
    ``rows @ g``, ``g`` the first ``kl`` and last ``kr`` samples then ``v`` at
    the ``L`` points left of the interior and the ``L`` right of it, gives the
    corrections of the first ``head`` and last ``tail`` interior points, then
    the ``nl`` left and ``nr`` right edge values (in the order of the points),
    all scaled by ``scale``. ``H`` decays away from the edges, so it is computed
    on at most 4096 interior rows and only its rows above 1e-17 of its largest
    entry are kept.
    """
    L = (len(lhs) - 1) // 2
    nl, nr = len(left), len(right)
    m = min(n - nl - nr, 4096)
    # The interior block K (LAPACK band layout) and its columns C at B.
    ab = np.zeros((2 * L + 1, m))
    C = np.zeros((2 * L, m))
    for k, a in enumerate(lhs):
        off = k - L
        lo, hi = max(0, -off), min(m, m - off)
        ab[L - off, lo + off : hi + off] = a
        for j in range(L):
            # Left edge point nl - L + j is interior column j - L; right edge
            # point n - nr + j is interior column m + j.
            row = j - L - off
            if 0 <= row < m:
                C[j, row] = a
            row = m + j - off
            if 0 <= row < m:
                C[L + j, row] = a
    H = -_compact_solve_banded(L, ab, C).T  # (m, 2L)
    # d_B from the edge rows: the first kl and last kr samples.
    kl = max(r + d + 1 for r, row in enumerate(left) for d, _ in row)
    kr = max(r - d + 1 for r, row in enumerate(right) for d, _ in row)
    Wl = np.zeros((nl, kl))
    for r, row in enumerate(left):
        for d, w in row:
            Wl[r, r + d] += w * scale
    Wr = np.zeros((nr, kr))  # row r: point n - 1 - r; column c: sample n - kr + c
    for r, row in enumerate(right):
        for d, w in row:
            Wr[r, kr - 1 - r + d] += w * scale
    G = np.zeros((2 * L, kl + kr))
    G[:L, :kl] = Wl[nl - L :]
    for j in range(L):
        G[L + j, kl:] = Wr[nr - 1 - j]
    Z = np.concatenate([H @ G, -H], axis=1)  # acts on [x edges, v_B]
    big = np.max(np.abs(Z), axis=1) > 1e-17 * np.max(np.abs(Z))
    head = int(np.max(np.flatnonzero(big[: m // 2]), initial=-1)) + 1
    tail = m - m // 2 - int(np.min(np.flatnonzero(big[m // 2 :]), initial=m - m // 2))
    # One product gives the corrections near both edges and the edge rows.
    edges = np.zeros((nl + nr, kl + kr + 2 * L))
    edges[:nl, :kl] = Wl
    edges[nl:, kl : kl + kr] = Wr[::-1]
    rows = np.concatenate([Z[:head], Z[m - tail :], edges])
    return rows, head, tail, kl, kr


def _compact_take(a, index, out):
    """``np.take(a, index, out=out)`` with ``out`` positional, as the ufuncs."""
    return np.take(a, index, out=out)


def _compact_periodic_line(x, program, out):
    """Run a :func:`_compact_program` on the 1-D samples ``x`` into ``out``."""
    seg, halo, index, ops, last = program
    n = x.shape[0]
    if index is None:
        seg[halo : halo + n] = x
        seg[:halo] = x[n - halo :]
        seg[halo + n :] = x[:halo]
    else:
        np.take(x, index, out=seg)
    for op, a, b, c in ops:
        op(a, b, c)
    last[0](last[1], last[2], out)
    return out


def _compact_rhs_terms(rhs):
    """Pair ``(d, w)`` with ``(-d, +-w)``: (d, w, sign) terms and the centre weight."""
    weights = dict(rhs)
    centre = weights.pop(0, 0.0)
    terms = []
    for d in sorted(k for k in weights if k > 0):
        w = weights.pop(d)
        other = weights.pop(-d, None)
        if other == -w:
            terms.append((d, w, -1))
        elif other == w:
            terms.append((d, w, 1))
        else:
            terms.append((d, w, 0))
            if other is not None:
                terms.append((-d, other, 0))
    terms += [(d, w, 0) for d, w in weights.items()]
    return centre, tuple(terms)


def _compact_apply_rhs(seg, start, length, centre, terms, acc, tmp):
    """acc[..., :length] = sum_j w_j seg[..., start + j : start + j + length]."""
    out = acc[..., :length]
    t = tmp[..., :length]
    first = True
    for d, w, sign in terms:
        plus = seg[..., start + d : start + d + length]
        target = out if first else t
        if sign:
            minus = seg[..., start - d : start - d + length]
            (np.subtract if sign < 0 else np.add)(plus, minus, out=target)
            np.multiply(target, w, out=target)
        else:
            np.multiply(plus, w, out=target)
        if not first:
            np.add(out, t, out=out)
        first = False
    if centre:
        if first:
            np.multiply(seg[..., start : start + length], centre, out=out)
        else:
            np.multiply(seg[..., start : start + length], centre, out=t)
            np.add(out, t, out=out)
    elif first:
        out[...] = 0


def _compact_periodic(f, axis, scale, lhs, rhs, out=None):
    """The compact derivative of periodic samples ``f`` along ``axis``.

    Parameters
    ----------
    f : ndarray
        Inexact samples, one period along ``axis`` (the point after the last is
        the first).
    axis : int
        The axis to differentiate along, ``0 <= axis < f.ndim``.
    scale : float
        ``1 / h**m``: multiplies the right-hand side.
    lhs : tuple of float
        Symmetric left-hand weights ``alpha[-L..L]``.
    rhs : tuple of (int, float)
        Right-hand offsets and weights.
    out : ndarray, optional
        Where to write the result (shape and dtype of ``f``).

    Examples
    --------
    >>> x = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    >>> rhs = ((-2, -1 / 36), (-1, -7 / 9), (1, 7 / 9), (2, 1 / 36))
    >>> d = _compact_periodic(np.sin(x), 0, 1 / x[1], (1 / 3, 1.0, 1 / 3), rhs)
    >>> bool(np.max(np.abs(d - np.cos(x))) < 1e-7)
    True
    """
    if type(lhs) is not tuple:
        lhs = tuple(float(a) for a in lhs)
    n = f.shape[axis]
    if out is None:
        out = np.empty(f.shape, dtype=f.dtype)
    elif out.shape != f.shape:
        raise ValueError(f"out has shape {out.shape}, expected {f.shape}")
    if n <= _COMPACT_DENSE:
        _compact_plan(lhs)  # checks the left-hand side (cached)
        char = "f" if f.dtype.char in "efF" else "d"
        matrix = _compact_dense(n, lhs, tuple(rhs), None, None, char)
        return _compact_apply_dense(f, axis, scale, matrix, out)
    if n <= _COMPACT_LAPACK or (f.ndim > 1 and n <= _COMPACT_BLOCK):
        done = _compact_periodic_lapack(f, axis, scale, lhs, tuple(rhs), out)
        if done is not None:
            return done
    if f.ndim == 1 and n <= _COMPACT_BLOCK:
        program = _compact_program(lhs, tuple(rhs), scale, n, f.dtype.char)
        return _compact_periodic_line(f, program, out)
    _compact_blocks(
        np.moveaxis(f, axis, -1), np.moveaxis(out, axis, -1), scale, lhs, rhs
    )
    return out


def _compact_blocks(x, result, scale, lhs, rhs, inside=None):
    """The cascade along the last axis of ``x`` into ``result``, block by block.

    Periodic lines when ``inside`` is None; else the infinite-line solution
    whose right-hand side is zero outside the rows ``inside[0] <= i <
    inside[1]`` (the interior of a bounded grid). Each block of
    ``_COMPACT_BLOCK`` points computes its right-hand side and the stages on
    the block plus the cascade's halo, so the temporaries stay cache-sized.
    """
    factor, stages = _compact_plan(lhs)
    scale = scale * factor
    centre, terms = _compact_rhs_terms((d, float(w) * scale) for d, w in rhs)
    L = (len(lhs) - 1) // 2
    reach = max([abs(d) for d, _, _ in terms] + [0])
    halo_s = sum(L * s for s, _ in stages)
    halo = reach + halo_s
    n = x.shape[-1]
    block = min(_COMPACT_BLOCK, n)
    width = block + 2 * halo_s
    lead = x.shape[:-1]
    bufs = [np.empty((*lead, width), dtype=x.dtype) for _ in range(3)]
    for start in range(0, n, block):
        stop = min(start + block, n)
        length = stop - start
        lo, hi = start - halo, stop + halo
        if lo >= 0 and hi <= n:
            seg = x[..., lo:hi]
        elif inside is None:
            seg = np.take(x, np.arange(lo, hi) % n, axis=-1)
        else:  # samples outside the line feed only rows that are zeroed
            seg = np.take(x, np.clip(np.arange(lo, hi), 0, n - 1), axis=-1)
        y, z, t = bufs
        size = length + 2 * halo_s
        _compact_apply_rhs(seg, reach, size, centre, terms, y, t)
        if inside is not None:
            row0 = start - halo_s  # the line's row at y[..., 0]
            y[..., : max(0, min(size, inside[0] - row0))] = 0
            y[..., max(0, inside[1] - row0) : size] = 0
        for k, (s, taps) in enumerate(stages):
            new = size - 2 * L * s
            last = k == len(stages) - 1
            target = result[..., start:stop] if last else z[..., :new]
            tt = t[..., :new]
            first = True
            for j, g in enumerate(taps, start=1):
                off = L * s
                np.add(
                    y[..., off - j * s : off - j * s + new],
                    y[..., off + j * s : off + j * s + new],
                    out=tt,
                )
                np.multiply(tt, g, out=tt)
                if first:
                    np.add(y[..., off : off + new], tt, out=target)
                    first = False
                else:
                    np.add(target, tt, out=target)
            y, z = z, y
            size = new
        if not stages:
            result[..., start:stop] = y[..., :length]


def _compact_bounded_blocks(f, axis, scale, lhs, rhs, left, right, out):
    """The bounded compact derivative by the blocked cascade, or None.

    :func:`_compact_blocks` gives the infinite-line solution ``v`` of the
    interior's right-hand side; one small product (:func:`_compact_edge_rows`)
    then gives the edge values and the corrections near both edges. None when
    the edge rows are fewer than the scheme's reach or the left-hand side has
    no cascade (not symmetric, or not positive on a periodic grid).
    """
    n = f.shape[axis]
    L = (len(lhs) - 1) // 2
    nl, nr = len(left), len(right)
    reach = max(abs(d) for d, _ in rhs)
    if L == 0 or min(nl, nr) < max(L, reach) or n - nl - nr < 2 * L + 1:
        return None
    try:
        _compact_plan(lhs)
    except ValueError:
        return None
    rows, head, tail, kl, kr = _compact_memo(
        _compact_edge_rows, (lhs, left, right), scale, n
    )
    x = np.moveaxis(f, axis, -1)
    result = np.moveaxis(out, axis, -1)
    _compact_blocks(x, result, scale, lhs, rhs, (nl, n - nr))
    g = np.concatenate(
        [
            x[..., :kl],
            x[..., n - kr :],
            result[..., nl - L : nl],
            result[..., n - nr : n - nr + L],
        ],
        axis=-1,
    )
    c = g @ rows.T
    result[..., nl : nl + head] += c[..., :head]
    result[..., n - nr - tail : n - nr] += c[..., head : head + tail]
    result[..., :nl] = c[..., head + tail : head + tail + nl]
    result[..., n - nr :] = c[..., head + tail + nl :]
    return out


def _compact_bounded(f, axis, scale, lhs, rhs, left, right, out=None):
    """The compact derivative of ``f`` on a bounded grid along ``axis``.

    Interior rows ``i`` (those whose right-hand stencil fits) hold the compact
    scheme; the first ``len(left)`` rows and last ``len(right)`` rows hold
    explicit stencils (identity on the left-hand side).

    Parameters
    ----------
    f, axis, scale, lhs, rhs
        As for :func:`_compact_periodic`.
    left : tuple of tuple of (int, float)
        Row ``r`` (``r = 0, 1, ...``): explicit stencil as (offset from row r,
        weight) pairs.
    right : tuple of tuple of (int, float)
        Row ``n - 1 - r``: likewise, offsets relative to that row.

    Examples
    --------
    >>> x = np.linspace(0, 1, 21)
    >>> left = (((0, -1.5), (1, 2.0), (2, -0.5)),)
    >>> right = (((0, 1.5), (-1, -2.0), (-2, 0.5)),)
    >>> d = _compact_bounded(x**2, 0, 1 / x[1], (0.25, 1.0, 0.25),
    ...                      ((-1, -0.75), (1, 0.75)), left, right)
    >>> bool(np.max(np.abs(d - 2 * x)) < 1e-12)
    True
    """
    n = f.shape[axis]
    need = _compact_memo(_compact_need, (left, right))
    if n < need:
        raise ValueError(
            f"a compact derivative needs at least {need} points along axis "
            f"{axis}, got {n}"
        )
    if out is None:
        out = np.empty(f.shape, dtype=f.dtype)
    if n <= _COMPACT_DENSE:
        char = "f" if f.dtype.char in "efF" else "d"
        matrix = _compact_dense(n, lhs, rhs, left, right, char)
        return _compact_apply_dense(f, axis, scale, matrix, out)
    if n <= _COMPACT_LAPACK or (f.ndim > 1 and n <= _COMPACT_BLOCK):
        done = _compact_bounded_lapack(f, axis, scale, lhs, rhs, left, right, out)
        if done is not None:
            return done
    if f.ndim == 1 and n <= _COMPACT_BLOCK:
        program = _compact_bounded_program(
            lhs, rhs, left, right, scale, n, f.dtype.char
        )
        if program is not None:
            x, full, ops = program
            x[...] = f
            for op, a, b, c in ops:
                op(a, b, c)
            out[...] = full
            return out
    for path in (_compact_bounded_blocks, _compact_bounded_lapack):
        done = path(f, axis, scale, lhs, rhs, left, right, out)
        if done is not None:
            return done
    x = np.moveaxis(f, axis, -1)
    L = (len(lhs) - 1) // 2
    nl, nr = len(left), len(right)
    dtype = np.result_type(f.dtype, np.float64)
    b = np.zeros(x.shape, dtype=dtype)
    centre, terms = _compact_rhs_terms((d, float(w) * scale) for d, w in rhs)
    length = n - nl - nr
    tmp = np.empty(b[..., nl : n - nr].shape, dtype=dtype)
    _compact_apply_rhs(
        x.astype(dtype, copy=False), nl, length, centre, terms, b[..., nl : n - nr], tmp
    )
    for r, row in enumerate(left):
        b[..., r] = sum(w * scale * x[..., r + d] for d, w in row)
    for r, row in enumerate(right):
        i = n - 1 - r
        b[..., i] = sum(w * scale * x[..., i + d] for d, w in row)
    # Banded matrix in LAPACK's layout: ab[L + i - j, j] = A[i, j].
    ab = np.zeros((2 * L + 1, n))
    ab[L, :] = 1.0
    for k in range(-L, L + 1):
        if k == 0:
            continue
        # A[i, i + k] = lhs[L + k] for interior rows i.
        rows = np.arange(nl, n - nr)
        cols = rows + k
        ab[L - k, cols] = lhs[L + k]
    ab[L, nl : n - nr] = lhs[L]
    solved = _compact_solve_banded(L, ab, b)
    out[...] = np.moveaxis(solved, -1, axis)
    return out


# Results of the plan helpers keyed by the identity of their tuple arguments
# (a generated module passes the same constants on every call; hashing the
# nested tuples of the edge rows costs about a microsecond per call).
_COMPACT_MEMO = {}


def _compact_memo(fn, consts, *values):
    """``fn(*consts, *values)``, cached by the identity of ``consts``.

    ``values`` (sizes, dtype codes) are keyed by value.

    Examples
    --------
    >>> lhs = (0.25, 1.0, 0.25)
    >>> once = _compact_memo(_compact_splits, (lhs,))
    >>> once is _compact_memo(_compact_splits, (lhs,))
    True
    """
    key = (fn, *map(id, consts), *values)
    hit = _COMPACT_MEMO.get(key)
    # Tuples compare element by element, identity first: this costs little.
    if hit is not None and hit[0] == consts:
        return hit[1]
    value = fn(*consts, *values)
    if len(_COMPACT_MEMO) >= 256:
        _COMPACT_MEMO.clear()
    _COMPACT_MEMO[key] = (consts, value)
    return value


@functools.lru_cache(maxsize=1)
def _compact_scipy_lapack():
    """``scipy.linalg.lapack``, or None without SciPy (imported on first use)."""
    try:
        from scipy.linalg import lapack
    except ImportError:
        return None
    return lapack


@functools.lru_cache(maxsize=16)
def _compact_factor(lhs, size, char):
    """The LAPACK factors of the symmetric banded Toeplitz matrix of ``lhs``.

    ``lhs`` holds ``alpha[-L..L]``; the matrix is ``size x size`` and of dtype
    ``char`` (``"d"`` or ``"D"``). Returns ``(solve, factors)``, to be called as
    ``solve(*factors, b, overwrite_b=1)`` on ``b`` of shape ``(size, nrhs)`` in
    Fortran order, or None when SciPy is missing or the matrix is not positive
    definite (the caller then takes another path).

    Examples
    --------
    >>> solve, factors = _compact_factor((0.25, 1.0, 0.25), 5, "d")
    >>> b = np.ones(5)
    >>> x = solve(*factors, b, overwrite_b=1)[0]
    >>> bool(np.allclose(0.25 * x[:-2] + x[1:-1] + 0.25 * x[2:], 1))
    True
    """
    lapack = _compact_scipy_lapack()
    L = (len(lhs) - 1) // 2
    if lapack is None or L == 0 or size <= L:
        return None
    dtype = np.dtype(char)
    if L == 1:
        trf, trs = lapack.get_lapack_funcs(("pttrf", "pttrs"), dtype=dtype)
        d = np.full(size, lhs[1], dtype=np.finfo(dtype).dtype)
        e = np.full(size - 1, lhs[2], dtype=dtype)
        *factors, info = trf(d, e)
    else:
        trf, trs = lapack.get_lapack_funcs(("pbtrf", "pbtrs"), dtype=dtype)
        ab = np.zeros((L + 1, size), dtype=dtype)
        for k in range(L + 1):
            ab[L - k, k:] = lhs[L + k]  # upper storage: ab[L + i - j, j] = A[i, j]
        *factors, info = trf(ab)
    if info != 0:
        return None
    return trs, tuple(factors)


@functools.lru_cache(maxsize=64)
def _compact_splits(lhs):
    """The periodic left-hand side as ``(c, factors, halo)``: ``D = c * prod(T_k)``.

    ``D(z) = sum alpha[l] z**l = c P(z) P(1/z)`` (see :func:`_compact_plan`).
    When the roots ``s_k`` of ``P`` are all real, every ``T_k = (1 + s_k**2) - s_k
    (E + 1/E)`` is a symmetric positive definite tridiagonal operator, solved by
    one ``?pttrs`` call each; otherwise ``factors`` is ``(lhs,)`` and ``c = 1``.
    ``halo``: the points a solve on a finite section of the infinite line needs
    beyond the points it keeps, for the effect of its ends to fall below 1e-17.

    Examples
    --------
    >>> c, factors, halo = _compact_splits((1 / 3, 1.0, 1 / 3))
    >>> len(factors), halo
    (1, 47)
    """
    _compact_plan(lhs)  # checks symmetry and D(theta) > 0
    alpha = np.asarray(lhs, dtype=float)
    L = (len(alpha) - 1) // 2
    roots = np.roots(alpha[::-1])
    inside = roots[np.abs(roots) < 1]
    radius = float(np.max(np.abs(inside)))
    # The homogeneous solutions decay like k**(L-1) * radius**k; a margin of 2 L
    # + 4 points covers the polynomial factor and the constants.
    halo = math.ceil(math.log(1e-17) / math.log(radius)) + 2 * L + 4
    if L == 1 or np.max(np.abs(inside.imag)) > 0:
        return 1.0, (tuple(float(a) for a in alpha),), halo
    s = np.sort(inside.real)
    factors = tuple((float(-t), float(1 + t * t), float(-t)) for t in s)
    c = float(np.sum(alpha)) / float(np.prod((1 - s) ** 2))
    return c, factors, halo


@functools.lru_cache(maxsize=64)
def _compact_taps(rhs):
    """The right-hand side for ``np.convolve``: ``(reach, taps)``.

    ``taps[j]`` is the weight of offset ``reach - j``.
    """
    reach = max(abs(d) for d, _ in rhs)
    taps = np.zeros(2 * reach + 1)
    for d, w in rhs:
        taps[reach - d] += w
    taps.flags.writeable = False
    return reach, taps


def _compact_periodic_solvers(lhs, rhs, n, char):
    """What :func:`_compact_periodic_lapack` needs for ``n`` points, or None.

    Returns ``(solvers, reach, taps, halo, c)``: the ``(solve, factors)`` of
    every factor of the left-hand side on ``n + 2 * halo`` points, the
    right-hand side for ``np.convolve`` and the constant ``c`` of
    :func:`_compact_splits`. None without SciPy or LAPACK factors.
    """
    c, factors, halo = _compact_splits(lhs)
    solvers = tuple(_compact_factor(t, n + 2 * halo, char) for t in factors)
    if None in solvers:
        return None
    reach, taps = _compact_taps(rhs)
    return solvers, reach, taps, halo, c


def _compact_periodic_lapack(f, axis, scale, lhs, rhs, out):
    """The periodic compact derivative by LAPACK solves, or None (no SciPy).

    The samples are extended periodically by ``halo`` points on both sides; the
    scheme's system on that longer line, whose left-hand side is a section of a
    Toeplitz matrix (solved with the factors of :func:`_compact_splits`), has
    the periodic solution in the middle to 1e-17 of the largest value.
    """
    n = f.shape[axis]
    char = "D" if f.dtype.kind == "c" else "d"
    plan = _compact_memo(_compact_periodic_solvers, (lhs, rhs), n, char)
    if plan is None:
        return None
    solvers, reach, taps, halo, c = plan
    size = n + 2 * halo
    pad = halo + reach
    scale = scale / c
    if f.ndim == 1:
        if pad <= n:
            seg = np.empty(n + 2 * pad, dtype=f.dtype)
            seg[pad : pad + n] = f
            seg[:pad] = f[n - pad :]
            seg[pad + n :] = f[:pad]
        else:
            seg = np.take(f, np.arange(-pad, n + pad) % n)
        b = np.convolve(seg, taps, "valid")
        if b.dtype.char != char:
            b = b.astype(char)
        for solve, fac in solvers:
            solve(*fac, b, overwrite_b=1)
        np.multiply(b[halo : halo + n], scale, out=out)
        return out
    centre, terms = _compact_rhs_terms(rhs)
    index = np.arange(-pad, n + pad) % n

    def work(lines, dest):
        seg = np.take(lines, index, axis=1)
        b = np.empty((len(lines), size), dtype=char)
        t = np.empty_like(b)
        _compact_apply_rhs(seg, reach, size, centre, terms, b, t)
        for solve, fac in solvers:
            solve(*fac, b.T, overwrite_b=1)
        np.multiply(b[:, halo : halo + n], scale, out=dest)

    return _compact_by_lines(f, axis, out, size, work)


def _compact_by_lines(f, axis, out, width, work):
    """Run ``work(lines, dest)`` on chunks of the lines of ``f`` along ``axis``.

    ``lines`` is ``(k, n)``, ``dest`` the ``(k, n)`` results to write; a chunk
    holds about ``_COMPACT_CHUNK`` values of width ``width``. Returns ``out``.
    """
    x = np.moveaxis(f, axis, -1)
    n = x.shape[-1]
    lines = x.reshape(-1, n)
    result = np.moveaxis(out, axis, -1)
    direct = result.flags.c_contiguous
    dest = result.reshape(-1, n) if direct else np.empty(lines.shape, out.dtype)
    step = max(1, _COMPACT_CHUNK // width)
    for start in range(0, len(lines), step):
        work(lines[start : start + step], dest[start : start + step])
    if not direct:
        result[...] = dest.reshape(result.shape)
    return out


@functools.lru_cache(maxsize=64)
def _compact_edges(lhs, rhs, left, right):
    """The bounded scheme's edge work as one matrix, or None if it does not fit.

    Returns ``(gather, W)``: ``W @ f[gather]`` gives the ``nl`` left edge
    values, the ``nr`` right ones (in the order of the points), then the ``L``
    terms the first interior rows take from the left edge values and the ``L``
    the last take from the right ones (to add to their right-hand sides, the
    edge values being known). None when the edge rows are fewer than the
    scheme's reach (the banded path then serves).
    """
    L = (len(lhs) - 1) // 2
    reach, _ = _compact_taps(rhs)
    nl, nr = len(left), len(right)
    if L == 0 or min(nl, nr) < max(L, reach):
        return None
    kl = max(r + d + 1 for r, row in enumerate(left) for d, _ in row)
    kr = max(r - d + 1 for r, row in enumerate(right) for d, _ in row)
    # Columns: samples 0..kl-1, then the last kr samples (column kl + c is
    # sample n - kr + c); the right edge row of point n - 1 - r is row nl +
    # nr - 1 - r.
    W = np.zeros((nl + nr + 2 * L, kl + kr))
    for r, row in enumerate(left):
        for d, w in row:
            W[r, r + d] += w
    for r, row in enumerate(right):
        for d, w in row:
            W[nl + nr - 1 - r, kl + kr - 1 - r + d] += w
    for j in range(L):
        # Interior row j (point nl + j) meets left edge points nl + j + k < nl;
        # interior row m - L + j (point n - nr - L + j) right edge points
        # n - nr + (j + k - L) >= n - nr, which are rows nl + (j + k - L).
        for k in range(-L, L + 1):
            if j + k < 0:
                W[nl + nr + j] -= lhs[L + k] * W[nl + j + k]
            if j + k - L >= 0:
                W[nl + nr + L + j] -= lhs[L + k] * W[nl + j + k - L]
    W.flags.writeable = False
    return np.concatenate([np.arange(kl), np.arange(-kr, 0)]), W


def _compact_bounded_solver(lhs, rhs, left, right, n, char):
    """What :func:`_compact_bounded_lapack` needs for ``n`` points, or None.

    Returns ``(gather, W, solve, factors, reach, taps)``: the edge work of
    :func:`_compact_edges`, the LAPACK factors of the interior section and the
    right-hand side for ``np.convolve``.
    """
    edges = _compact_edges(lhs, rhs, left, right)
    L = (len(lhs) - 1) // 2
    m = n - len(left) - len(right)
    if edges is None or m < 2 * L:
        return None
    solver = _compact_factor(lhs, m, char)
    if solver is None:
        return None
    return (*edges, *solver, *_compact_taps(rhs))


def _compact_bounded_lapack(f, axis, scale, lhs, rhs, left, right, out):
    """The bounded compact derivative by one LAPACK solve, or None.

    The edge rows are explicit, so their values are known: the interior rows
    are a section of the symmetric positive definite Toeplitz matrix of
    ``lhs``, with the edge values' terms moved to the right-hand side. None
    without SciPy, or when the edge rows do not fit (:func:`_compact_edges`) or
    the section is not positive definite.
    """
    n = f.shape[axis]
    char = "D" if f.dtype.kind == "c" else "d"
    plan = _compact_memo(_compact_bounded_solver, (lhs, rhs, left, right), n, char)
    if plan is None:
        return None
    gather, W, solve, fac, _, taps = plan
    nl, nr = len(left), len(right)
    m = n - nl - nr
    L = (len(lhs) - 1) // 2
    e = nl + nr
    if f.ndim == 1:
        # Full length: the edge rows of the convolution are overwritten.
        b = np.convolve(f, taps, "same")
        if b.dtype.char != char:
            b = b.astype(char)
        c = W @ f[gather]
        b[:nl] = c[:nl]
        b[n - nr :] = c[nl:e]
        for j, v in enumerate(c[e:].tolist()):  # scalars: cheaper than slices
            b[nl + j if j < L else n - nr - 2 * L + j] += v
        solve(*fac, b[nl : n - nr], overwrite_b=1)
        np.multiply(b, scale, out=out)
        return out
    centre, terms = _compact_rhs_terms(rhs)

    def work(lines, dest):
        b = np.empty((len(lines), m), dtype=char)
        t = np.empty_like(b)
        _compact_apply_rhs(lines, nl, m, centre, terms, b, t)
        c = lines[:, gather] @ W.T
        b[:, :L] += c[:, e : e + L]
        b[:, m - L :] += c[:, e + L :]
        solve(*fac, b.T, overwrite_b=1)
        np.multiply(b, scale, out=dest[:, nl : n - nr])
        np.multiply(c[:, :nl], scale, out=dest[:, :nl])
        np.multiply(c[:, nl:e], scale, out=dest[:, n - nr :])

    return _compact_by_lines(f, axis, out, n, work)


@functools.lru_cache(maxsize=64)
def _compact_need(left, right):
    """The fewest points the edge rows ``left`` and ``right`` fit in."""
    return max(
        [len(left) + len(right) + 1]
        + [r + d + 1 for r, row in enumerate(left) for d, _ in row]
        + [r - d + 1 for r, row in enumerate(right) for d, _ in row]
    )


def _compact_solve_banded(L, ab, b):
    """Solve the banded system along the last axis of ``b`` (all leading axes)."""
    n = b.shape[-1]
    flat = b.reshape(-1, n).T  # (n, batch)
    try:
        from scipy.linalg import solve_banded
    except ImportError:
        return _compact_eliminate(L, ab, flat).T.reshape(b.shape)
    return solve_banded((L, L), ab, flat, check_finite=False).T.reshape(b.shape)


def _compact_eliminate(L, ab, rhs):
    """Banded Gaussian elimination without pivoting; ``rhs`` is ``(n, batch)``.

    Plain numpy, used when SciPy is not installed: a Python loop over the rows,
    each step vectorised over the right-hand sides.
    """
    n = rhs.shape[0]
    A = {}
    for k in range(-L, L + 1):
        A[k] = ab[L - k].copy()  # A[k][j] = A[j - k, j]
    x = rhs.astype(np.result_type(rhs.dtype, np.float64), copy=True)
    # Dense band per row: row i, columns i-L..i+L.
    band = np.zeros((n, 2 * L + 1))
    for k in range(-L, L + 1):
        cols = np.arange(max(0, k), min(n, n + k))
        band[cols - k, L + k] = A[k][cols]
    for i in range(n):
        pivot = band[i, L]
        for r in range(1, L + 1):
            if i + r >= n:
                break
            factor = band[i + r, L - r] / pivot
            if factor:
                band[i + r, L - r : 2 * L + 1 - r] -= factor * band[i, L:]
                x[i + r] -= factor * x[i]
    for i in range(n - 1, -1, -1):
        acc = x[i].copy()
        for k in range(1, L + 1):
            if i + k < n:
                acc -= band[i, L + k] * x[i + k]
        x[i] = acc / band[i, L]
    return x
