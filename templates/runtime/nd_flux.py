"""Conservative flux-form operators ``(k*u_x)_x + (k*u_y)_y + …`` of N-D arrays.

Included verbatim (from the marker line on) in generated flux-form modules; real
Python here, tested directly (tests/test_nd_flux.py). scipy is imported inside
the matrix function only.

The compact, symmetric scheme: along each dimension d, with k at the half points
taken as the arithmetic mean ``k[i+1/2] = (k[i] + k[i+1]) / 2``,

    ((k u_d)_d)[i] ≈ (k[i+1/2]·(u[i+1] - u[i]) - k[i-1/2]·(u[i] - u[i-1])) / h_d²,

three points per axis, accuracy 2 for smooth k, exact when u is quadratic and k
linear. It is the divergence of a flux, so sums telescope (conservation), and its
matrix ``-Σ_d G_dᵀ K_d G_d / h_d²`` (G_d the forward difference, K_d the diagonal
of half-point coefficients) is symmetric, negative definite for k > 0 with
Dirichlet sides eliminated. Chaining two first derivatives instead would give the
wide stencil u[i+2] - 2u[i] + u[i-2] that decouples odd and even points.
"""

import numpy as np

__all__ = ["_nd_flux", "_nd_flux_system"]

# ---- included in generated modules from here ----


def _nd_flux(v, ks, steps, o):
    """The flux form at the interior points (1 .. n-2 per axis) of v into o.

    v and every k in ks have the operator's axes last; ks[d] is the coefficient of
    dimension d. o covers the interior points.
    """
    ndim = len(steps)
    lead = (slice(None),) * (v.ndim - ndim)
    inner = lead + (slice(1, -1),) * ndim
    o[...] = 0
    for d in range(ndim):

        def shifted(a, start, stop, d=d):
            index = [slice(1, -1)] * ndim
            index[d] = slice(start, a.shape[a.ndim - ndim + d] + stop)
            return a[lead + tuple(index)]

        k = ks[d]
        upper = 0.5 * (shifted(k, 1, -1) + shifted(k, 2, 0))
        lower = 0.5 * (shifted(k, 0, -2) + shifted(k, 1, -1))
        centre = v[inner]
        flux = upper * (shifted(v, 2, 0) - centre) - lower * (
            centre - shifted(v, 0, -2)
        )
        o += flux / steps[d] ** 2


def _nd_flux_system(shape, h, bc, k, companions=True):
    """(M, C, unknown) of the flux form with coefficient arrays k (one per dim).

    bc per dimension: "dirichlet" (eliminated; C carries the known values) or
    "periodic". M is symmetric.
    """
    import scipy.sparse as sp

    ndim = len(shape)
    steps = [float(h)] * ndim if np.ndim(h) == 0 else [float(s) for s in h]
    if len(steps) != ndim or not all(np.isfinite(s) and s > 0 for s in steps):
        raise ValueError(f"h must be one positive step or {ndim} of them, got {h!r}")
    names = [bc] * ndim if isinstance(bc, str) else list(bc)
    if len(names) != ndim:
        raise ValueError(f"bc has {len(names)} items for {ndim} dimensions")
    for name in names:
        if name not in ("dirichlet", "periodic"):
            raise ValueError(
                f"unknown bc {name!r} for a flux-form operator; use 'dirichlet' or "
                "'periodic'"
            )
    if min(shape) < 3:
        raise ValueError(f"the flux form needs at least 3 points per axis, got {shape}")
    full = None
    for d in range(ndim):
        n = shape[d]
        coefficient = np.asarray(k[d], dtype=np.float64)
        if coefficient.shape != tuple(shape):
            raise ValueError(
                f"the coefficient has shape {coefficient.shape}, expected "
                f"{tuple(shape)}"
            )
        periodic = names[d] == "periodic"
        if periodic:
            half = 0.5 * (coefficient + np.roll(coefficient, -1, axis=d))
            g = sp.diags([-1.0, 1.0, 1.0], [0, 1, 1 - n], shape=(n, n), format="csr")
        else:
            index = [slice(None)] * ndim
            index[d] = slice(0, n - 1)
            upper = [slice(None)] * ndim
            upper[d] = slice(1, n)
            half = 0.5 * (coefficient[tuple(index)] + coefficient[tuple(upper)])
            g = sp.diags([-1.0, 1.0], [0, 1], shape=(n - 1, n), format="csr")
        factors = [sp.eye(m, format="csr") for m in shape]
        factors[d] = g
        grad = factors[0]
        for factor in factors[1:]:
            grad = sp.kron(grad, factor, format="csr")
        piece = -(grad.T @ sp.diags(half.ravel()) @ grad) / steps[d] ** 2
        full = piece if full is None else full + piece
    spans = [
        (0, n) if name == "periodic" else (1, n - 1)
        for n, name in zip(shape, names, strict=True)
    ]
    mask = np.zeros(shape, dtype=bool)
    unknown = tuple(slice(a, b) for a, b in spans)
    mask[unknown] = True
    keep = np.flatnonzero(mask.ravel())
    full = full.tocsr()
    rows = full[keep]
    matrix = rows[:, keep].tocsr()
    if not companions:
        return matrix, None, unknown
    companion = (rows @ sp.diags((~mask).ravel().astype(np.float64))).tocsr()
    companion.eliminate_zeros()
    return matrix, companion, unknown
