"""One 1-D float64 line through the generated gradient modules.

The common case (a 1-D float64 ndarray, one spacing or none, default axis, no
``out``) takes a short path past the general dispatch; it must give the
general path's numbers bit for bit (and numpy.gradient's, for the accuracy-2
``gradient``), and it must be the path taken. The accuracy-4 module's wide
edge windows (edge_order 3 and 4 on coordinates) take Lagrange's weights in
barycentric form, in Python floats: checked against the exact one-sided
weights (exact rationals of the float coordinates, applied to the float
samples in exact arithmetic) within a few eps of the sum of |w_k f_k|, on
every line of an N-D array with the numbers of the 1-D line.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from types import ModuleType

import numpy as np
import pytest
from conftest import coordinate_grids, lagrange_weights, load_generated

EPS = np.finfo(float).eps


@pytest.fixture(scope="module")
def grad() -> ModuleType:
    return load_generated("gradient", "lines_gradient")


@pytest.fixture(scope="module")
def grad4() -> ModuleType:
    return load_generated("gradient4", "lines_gradient4")


@pytest.fixture(scope="module")
def grad4_xp() -> ModuleType:
    return load_generated("gradient4_xp", "lines_gradient4_xp")


def test_the_exact_weights_are_the_engines() -> None:
    from stencilgen import fd_weights

    nodes = [Fraction(v, 8) for v in (0, 3, 5, 11, 20)]
    for c in (0, 1, 3, 4):
        engine = fd_weights(1, [t - nodes[c] for t in nodes])
        assert [Fraction(str(w)) for w in engine] == lagrange_weights(nodes, c)


@pytest.mark.parametrize("edge_order", [3, 4])
@pytest.mark.parametrize("name", list(coordinate_grids(8)))
def test_wide_edges_are_the_exact_weights_up_to_rounding(grad4, edge_order, name):
    w = edge_order + 1
    for n in (w, 12):
        x = coordinate_grids(n)[name]
        t = (x - x[0]) / (x[-1] - x[0])
        rng = np.random.default_rng(n + edge_order)
        for f in (np.sin(5 * t), rng.standard_normal(n), 1e3 * t**2 - 7.0):
            got = grad4.gradient4(f, x, edge_order=edge_order)
            # Point, first point of its window, its place in the window.
            for i, first, c in ((0, 0, 0), (1, 0, 1), (n - 1, n - w, w - 1)):
                nodes = [Fraction(v) for v in x[first : first + w].tolist()]
                terms = [
                    wk * Fraction(v)
                    for wk, v in zip(
                        lagrange_weights(nodes, c),
                        f[first : first + w].tolist(),
                        strict=True,
                    )
                ]
                exact, size = float(sum(terms)), float(sum(abs(v) for v in terms))
                assert abs(got[i] - exact) <= 4 * EPS * size, (n, i, got[i], exact)
            nodes = [Fraction(v) for v in x[n - w :].tolist()]
            terms = [
                wk * Fraction(v)
                for wk, v in zip(
                    lagrange_weights(nodes, w - 2), f[n - w :].tolist(), strict=True
                )
            ]
            exact, size = float(sum(terms)), float(sum(abs(v) for v in terms))
            assert abs(got[n - 2] - exact) <= 4 * EPS * size, (n, n - 2)
            # Every line of an N-D array along either axis: the line's numbers.
            rows = np.stack([f, 2 * f, f])
            ends = [0, 1, n - 2, n - 1]
            along_1 = grad4.gradient4(rows, x, axis=1, edge_order=edge_order)
            along_0 = grad4.gradient4(rows.T.copy(), x, axis=0, edge_order=edge_order)
            with_weights = grad4.gradient4(
                rows, grad4.gradient4_weights(x), axis=1, edge_order=edge_order
            )
            for result in (along_1, along_0.T, with_weights):
                assert np.array_equal(result[0][ends], got[ends])
                assert np.array_equal(result[2][ends], got[ends])


def _cases(n: int) -> list[object]:
    rng = np.random.default_rng(n)
    x = np.cumsum(rng.uniform(0.1, 1.0, n))
    repeated = x.copy()
    repeated[n // 2] = repeated[n // 2 - 1]  # coinciding points inside
    first = x.copy()
    first[1] = first[0]  # and in an edge window
    return [
        None,
        0.3,
        np.float64(0.7),
        0.0,
        2,  # not taken: an int step
        np.float32(0.5),  # not taken
        x,
        -x,
        np.arange(n) * 0.25,  # evenly spaced coordinates
        repeated,
        first,
        x[::-1].copy(),
        np.cumsum(rng.uniform(0.1, 1.0, 2 * n))[::2],  # strided coordinates
        x.astype(np.float32),  # not taken
        list(x),  # not taken
    ]


def _call(function, f, spacing, **kwargs):
    """The result, or the exception raised (numpy's for a zero step, say)."""
    args = () if spacing is None else (spacing,)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(f, *args, **kwargs)
    except (ArithmeticError, ValueError, TypeError) as error:
        return error


def _same(got, want, ulps: int = 0) -> None:
    if isinstance(want, Exception):
        assert type(got) is type(want), (got, want)
        return
    assert type(got) is np.ndarray and got.dtype == want.dtype
    if ulps == 0:
        assert np.array_equal(got, want, equal_nan=True)
        return
    finite = np.isfinite(want)
    assert np.array_equal(finite, np.isfinite(got))
    np.testing.assert_array_max_ulp(got[finite], want[finite], ulps)


@pytest.mark.parametrize("n", [5, 6, 9, 40, 1030, 5000])
def test_the_short_path_gives_the_general_paths_numbers(grad, grad4, grad4_xp, n):
    # axis=0 names the one axis: the general path.
    rng = np.random.default_rng(n)
    data = rng.standard_normal(2 * n)
    for f in (data[:n], data[::2]):  # contiguous and strided
        for spacing in _cases(n):
            for e in (1, 2, 3, 4):
                want = _call(grad4.gradient4, f, spacing, axis=0, edge_order=e)
                got = _call(grad4.gradient4, f, spacing, edge_order=e)
                _same(got, want)
                _same(_call(grad4_xp.gradient4_xp, f, spacing, edge_order=e), want)
                if e > 2:
                    continue
                # The accuracy-2 drop-in: the general path's numbers, and
                # numpy.gradient's (within an ulp, as its other tests: numpy's
                # own results for 0.7 and np.float64(0.7) differ).
                got = _call(grad.gradient, f, spacing, edge_order=e)
                _same(got, _call(grad.gradient, f, spacing, axis=0, edge_order=e))
                _same(got, _call(np.gradient, f, spacing, edge_order=e), 1)


def test_the_short_path_refuses_like_the_general_one(grad4):
    f = np.arange(4.0)
    for args, kwargs in (
        ((np.arange(4.0),), {}),  # too few points for edge_order=4
        ((np.arange(5.0),), {"edge_order": 1}),  # wrong length
        ((np.arange(4.0), 1.0), {}),  # two spacings, one axis
        ((np.ones((2, 2)),), {"edge_order": 1}),
        ((), {"edge_order": 5}),
        ((), {"edge_order": 1.5}),
    ):
        with pytest.raises(Exception) as short:
            grad4.gradient4(f, *args, **kwargs)
        with pytest.raises(Exception) as general:
            grad4.gradient4(f, *args, axis=0, **kwargs)
        assert type(short.value) is type(general.value), args
        assert str(short.value) == str(general.value)


@pytest.mark.parametrize("name", ["gradient", "gradient4", "gradient4_xp"])
def test_the_common_case_skips_the_general_dispatch(name, monkeypatch):
    module = load_generated(name, f"lines_dispatch_{name}")

    def general(*args):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(module, "_gradient", general)
    function = getattr(module, name)
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.uniform(0.5, 1.5, 1000))
    f = np.sin(x)
    for args in ((), (0.1,), (np.float64(0.1),), (x,), (np.arange(1000.0),)):
        assert function(f, *args).shape == f.shape
    with pytest.raises(AssertionError, match="general path"):
        function(f, x, axis=0)


@pytest.mark.parametrize("n", [12288 + 2, 12288 + 3, 20001, 131072 + 7])
def test_long_coordinate_lines_in_blocks_are_numpys(grad, n):
    # Beyond 12288 points, a line's interior goes in even blocks of at most
    # 8192 points (beyond a block of the module, without whole spacings).
    rng = np.random.default_rng(n)
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    f = np.sin(x / 40)
    for e in (1, 2):
        assert np.array_equal(
            grad.gradient(f, x, edge_order=e), np.gradient(f, x, edge_order=e)
        )
