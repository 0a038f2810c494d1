"""Runtime helpers of generated array operators: arguments in, output array out.

Included verbatim (from the marker line on) in every generated operator module;
here they are real Python so ruff lints them and tests/test_runtime.py runs them.
"""

import math
import operator

import numpy as np

__all__ = ["_checked_axis", "_output", "_prepare", "_scale"]

# ---- included in generated modules from here ----


def _prepare(f, axis, min_points, name):
    """Return f as an inexact array (integers become float64), axis as 0..ndim-1."""
    f = np.asarray(f)
    if f.dtype.kind not in "fc":  # not inexact (np.issubdtype costs ~0.4 µs)
        f = f.astype(np.float64)
    return f, _checked_axis(f.shape, axis, min_points, name)


def _checked_axis(shape, axis, min_points, name):
    """``axis`` of an array of ``shape`` as 0..ndim-1, with min_points along it."""
    ndim = len(shape)
    if ndim == 0:
        raise ValueError(f"{name} needs an array with at least one dimension")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis {axis} is out of bounds for an array of dimension {ndim}"
        )
    axis %= ndim
    if shape[axis] < min_points:
        raise ValueError(
            f"{name} needs at least {min_points} points along axis {axis}, "
            f"got {shape[axis]}"
        )
    return axis


def _output(f, axis, length, out):
    """The output array: ``out`` checked, or a new one of f's dtype."""
    shape = (*f.shape[:axis], length, *f.shape[axis + 1 :])
    if out is None:
        return np.empty(shape, dtype=f.dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    if out.dtype != f.dtype and not np.can_cast(f.dtype, out.dtype, "same_kind"):
        raise ValueError(f"out has dtype {out.dtype}, which cannot hold {f.dtype}")
    if out.shape != shape:
        raise ValueError(f"out has shape {tuple(out.shape)}, expected {shape}")
    if np.may_share_memory(out, f):
        raise ValueError("out must not overlap f; pass a separate array")
    return out


def _scale(h, derivative):
    """1 / h**derivative as a Python float (keeps float32 input float32)."""
    try:
        h = float(h)
    except TypeError:
        raise TypeError("h must be a scalar grid spacing") from None
    if h == 0 or not math.isfinite(h):
        raise ValueError(f"h must be a finite, non-zero spacing, got {h}")
    try:
        scale = 1.0 / h**derivative
    except (ZeroDivisionError, OverflowError):  # h**derivative under/overflows
        scale = 0.0
    if scale == 0 or not math.isfinite(scale):
        raise ValueError(
            f"h = {h} puts 1/h**{derivative} outside the float range; "
            "rescale the grid (e.g. work in other units)"
        )
    return scale
