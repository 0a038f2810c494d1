"""Coordinate arrays in generated operators: checks and Lagrange weights.

Included verbatim (from the marker line on) in coordinate-grid operator modules.
"""

import math

import numpy as np

__all__ = ["_check_coordinates", "_lagrange"]

# ---- included in generated modules from here ----


def _check_coordinates(x, min_points, name):
    """Return x as a strictly monotonic 1-D float64 array of min_points or more."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise ValueError(f"{name}: the coordinates must be real, got {x.dtype}")
    x = x.astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name}: x must be 1-D coordinates, got {x.ndim} dimensions")
    if x.shape[0] < min_points:
        raise ValueError(
            f"{name} needs at least {min_points} coordinates, got {x.shape[0]}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: the coordinates must be finite")
    dx = np.diff(x)
    if not (np.all(dx > 0) or np.all(dx < 0)):
        raise ValueError(f"{name}: the coordinates must be strictly monotonic")
    return x


def _lagrange(nodes, m):
    """Weights of derivative m at 0 for the node arrays x[i + o] - x[i].

    The engine's closed form (stencilgen.taylor): with r = len(nodes) - 1 - m,
    w_j = (-1)**r * m! * e_r(nodes other than j) / prod(node_j - node_l, l != j),
    e_r the elementary symmetric polynomial, built by the usual recurrence.
    """
    r = len(nodes) - 1 - m
    weights = []
    for j, node in enumerate(nodes):
        others = nodes[:j] + nodes[j + 1 :]
        e = [np.ones_like(node)] + [np.zeros_like(node)] * r
        denominator = np.ones_like(node)
        for value in others:
            for k in range(r, 0, -1):
                e[k] = e[k] + value * e[k - 1]
            denominator = denominator * (node - value)
        weights.append((-1) ** r * math.factorial(m) * e[r] / denominator)
    return np.stack(weights)
