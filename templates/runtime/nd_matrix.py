"""Sparse matrices of N-D stencils with boundary conditions, by Kronecker products.

Included verbatim (from the marker line on) in generated modules of N-D operators
with ``matrix = true``; here it is real Python, linted and tested directly
(tests/test_nd_matrix.py). scipy is imported inside the functions only, so a
generated module still imports with NumPy alone.

The operator is a sum of terms ``coefficient · A_1 ⊗ A_2 ⊗ …``, one 1-D factor per
dimension (C order: the first dimension is the slowest), each factor either the
identity or a 1-D stencil from ``tables`` (unit-step weights: the interior stencil,
the one-sided stencils of the rows 0 … r-1 from an edge, offsets relative to
the row, and the Neumann row). This is
the same construction as ``scipy.sparse.kron`` / ``diags`` by hand; we write it
here because no library assembles one-sided edge rows of a chosen accuracy, or
eliminates Dirichlet values, for an arbitrary stencil.

Boundary conditions, per side (``bc``: one name, or one per dimension, each a name
or a ``(low, high)`` pair):

* ``"dirichlet"`` — the boundary node is known and eliminated: the matrix acts on
  the other nodes only, and the companion matrix moves the known values to the
  right-hand side (``L u ≈ M @ u[unknown] + C @ u.ravel()``, where only boundary
  entries of ``u`` matter). Rows whose stencil would leave the grid use one-sided
  stencils of the same accuracy, so the accuracy-2 Laplacian is the exactly
  symmetric 5-point matrix.
* ``"neumann"`` — the boundary node is an unknown; its row uses a one-sided stencil
  that also takes the derivative ``∂u/∂x_d`` there (in the +x_d direction) at the
  operator's accuracy; the companion matrices ``D[d]`` move those values to the
  right-hand side (``+ D[d] @ du_d.ravel()``). Operators with mixed partials are
  refused with Neumann sides.
* ``"periodic"`` (both sides of a dimension) — every node is an unknown, indices
  wrap modulo the length: ``M @ u.ravel()`` is the periodic operator on ``u``.
"""

import operator

import numpy as np

__all__ = [
    "_nd_boundaries",
    "_nd_coo",
    "_nd_factor",
    "_nd_kron",
    "_nd_matrix",
    "_nd_shape",
    "_nd_system",
    "_nd_unknown",
]

# ---- included in generated modules from here ----


_BOUNDARY_CONDITIONS = ("dirichlet", "neumann", "periodic")


def _nd_boundaries(bc, ndim):
    """The boundary conditions as one (low, high) pair of names per dimension."""
    if isinstance(bc, str):
        items = [bc] * ndim
    else:
        try:
            items = list(bc)
        except TypeError:
            raise ValueError(
                "bc must be a name such as 'dirichlet' or one per dimension, got "
                f"{type(bc).__name__}"
            ) from None
        if len(items) != ndim:
            raise ValueError(
                f"bc has {len(items)} items for {ndim} dimensions; give one per "
                "dimension, or one name for all"
            )
    pairs = []
    for dim, item in enumerate(items):
        pair = (item, item) if isinstance(item, str) else tuple(item)
        if len(pair) != 2:
            raise ValueError(
                f"bc of dimension {dim} must be a name or a (low, high) pair, got "
                f"{item!r}"
            )
        for name in pair:
            if name not in _BOUNDARY_CONDITIONS:
                raise ValueError(
                    f"unknown bc {name!r}; use one of "
                    + ", ".join(repr(b) for b in _BOUNDARY_CONDITIONS)
                )
        if ("periodic" in pair) and pair != ("periodic", "periodic"):
            raise ValueError(
                f"bc of dimension {dim} is periodic on one side only; periodic "
                "applies to both sides"
            )
        pairs.append(pair)
    return pairs


def _nd_shape(shape, ndim):
    """The grid shape as a tuple of ndim positive ints."""
    try:
        shape = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of {ndim} integers") from None
    if len(shape) != ndim:
        raise ValueError(
            f"shape has {len(shape)} entries for an operator in {ndim} dimensions"
        )
    if min(shape) < 1:
        raise ValueError(f"shape {shape} must have a positive size along every axis")
    return shape


def _nd_unknown(n, pair):
    """(first, stop) of the unknown nodes of a dimension of n nodes."""
    first = 1 if pair[0] == "dirichlet" else 0
    stop = n - 1 if pair[1] == "dirichlet" else n
    return first, stop


def _nd_factor(table, n, h, pair):
    """One 1-D factor: (rows × n node matrix, rows × n datum matrix) as COO data."""
    offsets = np.asarray(table["offsets"])
    weights = np.asarray(table["weights"], dtype=np.float64)
    scale = 1.0 / h ** table["derivative"]
    first, stop = _nd_unknown(n, pair)
    rows, cols, vals = [], [], []
    drows, dcols, dvals = [], [], []
    if pair[0] == "periodic":
        index = np.arange(n)
        for o, w in zip(offsets, weights, strict=True):
            rows.append(index)
            cols.append((index + o) % n)
            vals.append(np.full(n, w * scale))
        return (rows, cols, vals), (drows, dcols, dvals), (0, n)
    reach = int(np.max(np.abs(offsets)))
    needed = max(table["points"], 2 * reach + 1)
    if n < needed:
        raise ValueError(
            f"the stencil needs at least {needed} points along each axis, got {n}"
        )
    low, high = max(first, reach), min(stop, n - reach)
    if high > low:
        index = np.arange(low, high)
        for o, w in zip(offsets, weights, strict=True):
            rows.append(index - first)
            cols.append(index + o)
            vals.append(np.full(index.size, w * scale))
    for i in [*range(first, min(low, stop)), *range(max(high, low), stop)]:
        near_high = i >= max(high, low)
        j = n - 1 - i if near_high else i
        sign = (-1.0) ** table["derivative"] if near_high else 1.0
        if j == 0:
            neumann = table["neumann"]
            if neumann is None:
                raise ValueError(
                    "neumann boundaries are not available for this operator"
                )
            nodes, values, datum = neumann
            drows.append(np.array([i - first]))
            dcols.append(np.array([n - 1 if near_high else 0]))
            hscale = 1.0 / h ** (table["derivative"] - 1)
            dvals.append(
                np.array([-sign * datum * hscale if near_high else datum * hscale])
            )
        else:
            nodes, values = table["edges"][j]
        nodes = np.asarray(nodes)
        rows.append(np.full(nodes.size, i - first))
        cols.append(n - 1 - (j + nodes) if near_high else j + nodes)
        vals.append(sign * scale * np.asarray(values, dtype=np.float64))
    return (rows, cols, vals), (drows, dcols, dvals), (first, stop)


def _nd_coo(parts, nrows, ncols):
    import scipy.sparse as sp

    rows, cols, vals = parts
    if not rows:
        return sp.csr_matrix((nrows, ncols))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(nrows, ncols),
    )


def _nd_system(shape, h, bc, terms, tables, companions=True):
    """The matrix and its companions for the operator on a grid of ``shape``.

    Returns ``(M, C, D, unknown)``: the CSR matrix on the unknown nodes; the
    companion of the Dirichlet values (unknown × all nodes); one companion of the
    Neumann derivatives per dimension (``None`` where none); and the slices of the
    unknown nodes per dimension (``u[unknown]`` are the unknowns, in C order).
    With ``companions=False`` only M is built (C and D are ``None``).
    """
    import scipy.sparse as sp

    shape = tuple(int(n) for n in shape)
    ndim = len(shape)
    steps = [float(h)] * ndim if np.ndim(h) == 0 else [float(s) for s in h]
    if len(steps) != ndim:
        raise ValueError(
            f"h has {len(steps)} values for {ndim} dimensions; give one step, or "
            "one per dimension"
        )
    if not all(np.isfinite(s) and s > 0 for s in steps):
        raise ValueError(f"every step in h must be positive and finite, got {h!r}")
    pairs = _nd_boundaries(bc, ndim)
    spans = [_nd_unknown(n, pair) for n, pair in zip(shape, pairs, strict=True)]
    sizes = [stop - first for first, stop in spans]
    if min(sizes) < 1:
        raise ValueError(f"shape {shape} leaves no unknown nodes; use more points")
    restriction = [
        sp.eye(size, n, k=first, format="csr")
        for size, n, (first, _) in zip(sizes, shape, spans, strict=True)
    ]
    matrix = full = None
    datum = [None] * ndim
    for coefficient, keys in terms:
        square, wide, data_axis = [], [], []
        for dim, key in enumerate(keys):
            first, stop = spans[dim]
            if key is None:
                square.append(sp.eye(sizes[dim], format="csr"))
                wide.append(restriction[dim])
                continue
            nodes, data, _ = _nd_factor(tables[key], shape[dim], steps[dim], pairs[dim])
            factor = _nd_coo(nodes, sizes[dim], shape[dim])
            square.append(factor[:, first:stop])
            wide.append(factor)
            if data[0]:
                data_axis.append((dim, _nd_coo(data, sizes[dim], shape[dim])))
        if data_axis and sum(key is not None for key in keys) > 1:
            raise ValueError(
                "neumann boundaries support operators without mixed partials; use "
                "dirichlet or periodic boundaries"
            )
        piece = _nd_kron(square)
        if coefficient != 1.0:
            piece = coefficient * piece
        matrix = piece if matrix is None else matrix + piece
        if not companions:
            continue
        piece = coefficient * _nd_kron(wide)
        full = piece if full is None else full + piece
        for dim, data in data_axis:
            parts = [restriction[e] if e != dim else data for e in range(ndim)]
            piece = coefficient * _nd_kron(parts)
            datum[dim] = piece if datum[dim] is None else datum[dim] + piece
    unknown = tuple(slice(first, stop) for first, stop in spans)
    if not companions:
        return matrix.tocsr(), None, None, unknown
    known = np.ones(shape)
    known[unknown] = 0.0
    companion = (full @ sp.diags(known.ravel())).tocsr()
    companion.eliminate_zeros()
    return matrix.tocsr(), companion, datum, unknown


def _nd_kron(factors):
    """factors[0] ⊗ factors[1] ⊗ … as CSR (C order: the first is the slowest)."""
    import scipy.sparse as sp

    product = factors[0]
    for factor in factors[1:]:
        product = sp.kron(product, factor, format="csr")
    return product.tocsr()


def _nd_matrix(shape, h, bc, terms, tables):
    """The CSR matrix of the operator on the unknown nodes (see _nd_system)."""
    return _nd_system(shape, h, bc, terms, tables, companions=False)[0]
