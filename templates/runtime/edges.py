"""Edge points of generated array operators: one-sided and periodic stencils.

Included verbatim (from the marker line on) where a generated module needs them.
"""

__all__ = ["_one_sided", "_periodic", "_point"]

# ---- included in generated modules from here ----


def _point(f, axis, j):
    """The view f[j] along axis (all other axes kept)."""
    return f[(slice(None),) * axis + (j,)]


def _one_sided(f, out, axis, i, first, weights, scale):
    """out[i] from the stencil on the points i + first, i + first + 1, ..."""
    total = 0
    for k, weight in enumerate(weights):
        if weight:
            total = total + (weight * scale) * _point(f, axis, i + first + k)
    out[(slice(None),) * axis + (i,)] = total


def _periodic(f, out, axis, i, stencil, scale):
    """out[i] from (offset, weight) pairs with indices taken modulo n."""
    n = f.shape[axis]
    total = 0
    for offset, weight in stencil:
        total = total + (weight * scale) * _point(f, axis, (i + offset) % n)
    out[(slice(None),) * axis + (i,)] = total
