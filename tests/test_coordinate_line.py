"""The 1-D path of the coordinate-grid operators (issue 12, items 2 and 3).

A 1-D array is computed on its own path: weights block by block where they are
applied, edges in Python floats, periodic lines in one step; a float64 line
takes Newton's divided differences (runtime/newton.py). Its numbers must be
those of the weights-and-apply path every other array takes, bit for bit, for
every other dtype (float64: the interior to rounding, the edges bit for bit),
on every length (one block, several blocks, coordinates too long
to difference at once); its temporaries must stay block-sized; and the barycentric
weights of wide windows must be the exact ones up to rounding.
"""

from __future__ import annotations

from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy
from conftest import ROOT, load_file, load_generated, peak_temporaries

from stencilgen import fd_weights

NAMES = ("d1_nonuniform2", "d2_nonuniform2", "d1_periodic_x4")


def _op(name: str) -> tuple[ModuleType, object]:
    module = load_generated(name, f"line_{name}")
    return module, getattr(module, name)


def _args(name: str, x: np.ndarray) -> tuple[object, ...]:
    return (x, abs(x[-1] - x[0]) + 0.75) if "periodic" in name else (x,)


def _grid(n: int, seed: int = 0) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).uniform(0.5, 1.5, n))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.float16, np.complex128, np.longdouble]
)
def test_a_line_is_bitwise_the_weights_and_apply_path(name: str, dtype: type) -> None:
    module, op = _op(name)
    weights = getattr(module, f"{name}_weights")
    apply = getattr(module, f"{name}_apply")
    for n in (5, 6, 9, 100, 1000):
        x = _grid(n)
        f = (np.sin(x) * 3).astype(dtype)
        if np.dtype(dtype).kind == "c":
            f = f + 1j * np.cos(2 * x)
        line = op(f, *_args(name, x))
        assert line.dtype == f.dtype
        # The same line as a row of a 2-D array: the general path.
        w = weights(*_args(name, x))
        rows = apply(np.stack([f, f[::-1]]), w, axis=1)
        _same_numbers(name, f, w, line, rows[0])
        # Decreasing coordinates and a given out: the same rules.
        out = np.empty_like(f)
        assert op(f, *_args(name, x[::-1].copy()), out=out) is out
        w = weights(*_args(name, x[::-1].copy()))
        _same_numbers(name, f, w, out, apply(f[None], w, axis=1)[0])


def _same_numbers(name: str, f: np.ndarray, w: Any, line: Any, row: Any) -> None:
    """The line's numbers against the general path's.

    Bit for bit; a float64 line (Newton's divided differences,
    runtime/newton.py) within a few eps of the sum of |w_k f_k|, its one-sided
    edge points (the weights) bit for bit.
    """
    line, row = np.asarray(line), np.asarray(row)
    assert line.dtype == row.dtype
    if f.dtype != np.float64:
        np.testing.assert_array_equal(line, row)
        return
    n = f.shape[0]
    index = (np.arange(n)[:, None] + w.first[:, None] + np.arange(w.w.shape[0])) % n
    scale = np.abs(w.w.T * f[index]).sum(axis=1)
    assert (np.abs(line - row) <= 8 * np.finfo(float).eps * scale).all()
    if "periodic" not in name:  # the one-sided edges: the weights, in Python floats
        ends = [p % n for p in _edge_points(w)]
        np.testing.assert_array_equal(line[ends], row[ends])


def _edge_points(w: Any) -> list[int]:
    """The points whose window starts elsewhere than the interior's."""
    return [int(p) for p in np.flatnonzero(w.first != np.median(w.first))]


@pytest.mark.parametrize("name", NAMES)
def test_long_lines_are_computed_block_by_block_with_the_same_numbers(
    name: str,
) -> None:
    module, op = _op(name)
    weights = getattr(module, f"{name}_weights")
    apply = getattr(module, f"{name}_apply")
    # Several blocks with all differences of x at once, then coordinates too
    # long for that (their differences per block), strided x included.
    for n in (module._BLOCK // 4 * 3 + 7, (1 << 17) + 1001):
        x = _grid(2 * n, seed=n)[::2]
        f = np.sin(x / 50)
        line = op(f, *_args(name, x))
        w = weights(*_args(name, x))
        _same_numbers(name, f, w, line, apply(f[None], w, axis=1)[0])


@pytest.mark.parametrize("m,count,first", [(1, 5, -2), (1, 7, -3), (1, 5, 0)])
def test_barycentric_weights_are_the_exact_ones_up_to_rounding(
    m: int, count: int, first: int
) -> None:
    coordinates = load_file(ROOT / "templates/runtime/coordinates.py", "rt_coords")
    rng = np.random.default_rng(count)
    lo = count
    for _ in range(20):
        x = np.cumsum(rng.uniform(0.2, 1.8, 3 * count)) * 10.0 ** rng.integers(-3, 4)
        got = coordinates._lagrange_window(x, lo, lo + 1, first, count, m)[:, 0]
        nodes = [
            sympy.Rational(Fraction(float(x[lo + first + k])) - Fraction(float(x[lo])))
            for k in range(count)
        ]
        exact = np.array([float(w) for w in fd_weights(m, nodes)])
        scale = np.abs(exact).max()
        assert np.abs(got - exact).max() <= 8 * np.finfo(float).eps * scale


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_temporaries_stay_within_five_percent_of_a_long_line(name: str) -> None:
    _, op = _op(name)
    n = 4_000_000
    x = np.linspace(0.0, 1.0, n) + np.sin(np.arange(n)) * 1e-8
    f = np.sin(x)
    args = _args(name, x)
    peak = peak_temporaries(op, f, *args)
    assert peak <= 0.05 * f.nbytes, peak / f.nbytes


@pytest.mark.parametrize(
    "count,first", [(3, -1), (3, 0), (4, -1), (5, -2), (5, 0), (5, -4), (6, -2)]
)
def test_block_weights_are_the_exact_ones_on_uneven_grids(
    count: int, first: int
) -> None:
    # Many points at once (the whole-block products), on grids that stress
    # them: clustered, geometric, decreasing, far from the origin.
    coordinates = load_file(ROOT / "templates/runtime/coordinates.py", "rt_coords2")
    rng = np.random.default_rng(count - first)
    n = 24
    grids = [
        np.tanh(np.linspace(-3.0, 3.0, n)),
        np.cumsum(1.3 ** np.arange(n)),
        -np.cumsum(rng.uniform(0.01, 10.0, n)),
        1e6 + np.cumsum(rng.uniform(0.5, 1.5, n)),
    ]
    lo, hi = count, n - count
    for x in grids:
        got = coordinates._lagrange_window(x, lo, hi, first, count, 1)
        for j, i in enumerate(range(lo, hi)):
            nodes = [
                sympy.Rational(
                    Fraction(float(x[i + first + k])) - Fraction(float(x[i]))
                )
                for k in range(count)
            ]
            exact = np.array([float(w) for w in fd_weights(1, nodes)])
            scale = np.abs(exact).max()
            assert np.abs(got[:, j] - exact).max() <= 8 * np.finfo(float).eps * scale
