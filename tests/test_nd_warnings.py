"""N-D operators warn only about the points they return.

The NumPy N-D modules walk the rows of the last two axes as one run of values
(``_nd_blocks(fold=True)``); the rows' edge points computed on the way read
samples of the neighbouring rows and are overwritten by the one-sided frame.
With infinities near the seam (+inf at the end of one row, +inf at the start
of the next, weights of opposite signs), those throw-away points are
inf - inf, an invalid-value flag that no returned point raises. numpy.gradient
does not warn for such data, and neither may the operators; where a returned
point itself is inf - inf, the warning (or the error the caller's
``np.errstate`` asks for) must still come.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import load_generated

#: (module, shape, infinities): the last two walk across a seam of the fold
#: (found by search: each raised a spurious "invalid value" before).
CASES = [
    ("laplacian2d_4", (16, 20), {(4, 18): np.inf, (5, 1): np.inf}),
    ("laplacian3d_4", (12, 13, 14), {(9, 2, 12): -np.inf, (9, 3, 1): -np.inf}),
]


def operator(name: str) -> Callable[..., Any]:
    return getattr(load_generated(name, f"warnings_{name}"), name)


def data(shape: tuple[int, ...], infinities: dict[Any, float]) -> np.ndarray:
    u = np.random.default_rng(5).standard_normal(shape)
    for index, value in infinities.items():
        u[index] = value
    return u


@pytest.mark.parametrize(("name", "shape", "infinities"), CASES)
def test_infinities_across_the_fold_seam_raise_no_warning(
    name: str, shape: tuple[int, ...], infinities: dict[Any, float]
) -> None:
    op = operator(name)
    u = data(shape, infinities)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = op(u, 0.1)
        np.gradient(u, 0.1)  # numpy does not warn either
        # Nor when the caller asks floating-point errors to raise.
        with np.errstate(all="raise", under="ignore"):
            raised = op(u, 0.1)
    # Every returned point is a number or an infinity (no point is inf - inf),
    # and the same as the row-by-row walk (a Fortran-ordered copy is not
    # folded) computes.
    assert not np.isnan(got).any() and np.isinf(got).any()
    with np.errstate(all="ignore"):
        rows = op(np.asfortranarray(u), 0.1)
    np.testing.assert_array_equal(got, rows)
    np.testing.assert_array_equal(raised, rows)


def test_a_returned_point_that_is_inf_minus_inf_still_warns() -> None:
    op = operator("laplacian2d_4")
    u = data((16, 20), {(8, 9): np.inf, (8, 11): -np.inf})
    # (8, 10) reads both with the weight 4/3: inf - inf, a NaN in the result.
    with pytest.warns(RuntimeWarning, match="invalid value"):
        got = op(u, 0.1)
    assert np.isnan(got[8, 10])
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        op(u, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(op(u, 0.1), got)
