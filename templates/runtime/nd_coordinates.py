"""Coordinate grids of generated N-D operators: one coordinate array per axis.

Included verbatim (from the marker line on) in coordinate-grid N-D operator
modules, beside runtime/coordinates.py, whose ``_check_coordinates`` and
``_lagrange`` it uses (so ruff ignores F821 here).
"""

import numpy as np

__all__ = ["_nd_coordinate_1d", "_nd_coordinates"]

# ---- included in generated modules from here ----


def _nd_coordinates(coords, sizes, min_points, name):
    """One checked coordinate array per operator dimension."""
    try:
        coords = list(coords)
    except TypeError:
        raise TypeError(
            f"{name}: coords must be a sequence of {len(sizes)} coordinate arrays"
        ) from None
    if len(coords) != len(sizes):
        raise ValueError(
            f"{name}: got {len(coords)} coordinate arrays for {len(sizes)} "
            "dimensions; give one per dimension"
        )
    checked = []
    for d, (x, n) in enumerate(zip(coords, sizes, strict=True)):
        x = _check_coordinates(x, min_points, name)
        if x.shape[0] != n:
            raise ValueError(
                f"{name}: coordinate array {d} has {x.shape[0]} points but the array "
                f"has {n} along that axis"
            )
        checked.append(x)
    return checked


def _nd_coordinate_1d(v, axis, x, derivative, count):
    """Derivative along axis on the coordinates x: count-point windows, any spacing.

    Each point uses the window of ``count`` points nearest to centred that fits
    in the array, with Lagrange weights for its local spacings.
    """
    n = x.shape[0]
    first = np.clip(np.arange(n) - (count - 1) // 2, 0, n - count)
    nodes = [x[first + k] - x for k in range(count)]
    weights = _lagrange(nodes, derivative)
    shape = [1] * v.ndim
    shape[axis] = n
    result = 0
    for k in range(count):
        result = result + weights[k].reshape(shape) * np.take(v, first + k, axis=axis)
    return result
