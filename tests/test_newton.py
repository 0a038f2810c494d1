"""Newton's divided differences of one coordinate line (templates/runtime/newton.py).

A float64 line of ``gradient4(f, x)`` and of the periodic ``d1_periodic_x4`` takes
its interior derivative from the divided-difference table of the whole line: the
derivative of the same interpolating polynomial as the Lagrange weights, rounded
otherwise. Oracle: the engine's exact weights (``fd_weights`` on the float
coordinates as exact rationals) applied to the float samples in exact
arithmetic. The results must stay within a few eps of the sum of |w_k f_k| (the
size of the terms any float evaluation adds) on uniform, random, clustered,
geometric, nearly coincident, decreasing, offset, tiny and huge grids; blocks
must give the numbers of the whole line bit for bit.
"""

from __future__ import annotations

import tracemalloc
from fractions import Fraction
from types import ModuleType

import numpy as np
import pytest
import sympy
from conftest import ROOT, load_file, load_generated

from stencilgen import fd_weights

EPS = np.finfo(float).eps


def _grids(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(n)
    random = np.cumsum(rng.uniform(0.5, 1.5, n))
    return {
        "uniform": np.linspace(0.0, 1.0, n),
        "random": random,
        "clustered": np.tanh(np.linspace(-3.0, 3.0, n)),
        "geometric": np.cumsum(1.3 ** np.arange(n)),
        "steep geometric": np.cumsum(3.0 ** np.arange(n)),
        "nearly coincident": np.cumsum(np.where(np.arange(n) % 3 == 0, 1e-9, 1.0)),
        "alternating": np.cumsum(np.where(np.arange(n) % 2 == 0, 1e-3, 1.0)),
        "decreasing": -np.cumsum(rng.uniform(0.01, 10.0, n)),
        "offset": 1e6 + random,
        "tiny": 1e-50 * random,
        "huge": 1e50 * random,
    }


def _samples(x: np.ndarray, seed: int) -> list[np.ndarray]:
    t = (x - x[0]) / (x[-1] - x[0])
    rng = np.random.default_rng(seed)
    return [np.sin(5 * t), rng.standard_normal(x.shape[0]), 1e3 * t**2 - 7.0]


def _lagrange(nodes: list[Fraction], c: int) -> list[Fraction]:
    """Exact first-derivative weights at node c: the Lagrange basis' derivatives.

    (The engine's ``fd_weights`` limits its offsets to 64-bit numbers, which
    the exact values of float coordinates exceed; it checks this formula in
    ``test_the_exact_oracle_is_the_engines``.)
    """
    weights = []
    for k, t in enumerate(nodes):
        if k == c:
            weights.append(sum(1 / (t - u) for u in nodes if u is not t))
            continue
        numerator, denominator = Fraction(1), Fraction(1)
        for j, u in enumerate(nodes):
            if j != k:
                denominator *= t - u
                if j != c:
                    numerator *= nodes[c] - u
        weights.append(numerator / denominator)
    return weights


def _exact(f: np.ndarray, x: np.ndarray, i: int, first: int, count: int) -> tuple:
    """The exact weights' sum at point i and the sum of |w_k f_k| (floats)."""
    nodes = [Fraction(float(x[i + first + k])) for k in range(count)]
    terms = [
        w * Fraction(float(f[i + first + k]))
        for k, w in enumerate(_lagrange(nodes, -first))
    ]
    return float(sum(terms)), float(sum(abs(t) for t in terms))


def test_the_exact_oracle_is_the_engines() -> None:
    rng = np.random.default_rng(1)
    for count, c in ((5, 2), (7, 3), (4, 1)):
        nodes = sorted(Fraction(int(v), 8) for v in rng.choice(200, count, False))
        shifted = [sympy.Rational(t - nodes[c]) for t in nodes]
        engine = [sympy.Rational(w) for w in fd_weights(1, shifted)]
        assert [sympy.Rational(w) for w in _lagrange(nodes, c)] == engine


def _check(got: np.ndarray, f: np.ndarray, x: np.ndarray, points, first, count):
    for j, i in enumerate(points):
        exact, size = _exact(f, x, i, first, count)
        assert abs(got[j] - exact) <= 4 * EPS * size, (i, got[j], exact, size)


@pytest.fixture(scope="module")
def newton() -> ModuleType:
    return load_file(ROOT / "templates/runtime/newton.py", "rt_newton")


@pytest.mark.parametrize("name", list(_grids(5)))
def test_gradient4_line_is_the_exact_weights_up_to_rounding(name: str) -> None:
    grad4 = load_generated("gradient4", "newton_gradient4").gradient4
    n = 24
    x = _grids(n)[name]
    for seed, f in enumerate(_samples(x, n)):
        got = grad4(f, x)
        _check(got[2:-2], f, x, range(2, n - 2), -2, 5)
        # The general path (kept weights, every row of an N-D array) too.
        rows = grad4(np.stack([f, f]), x, axis=1)[0]
        _check(rows[2:-2], f, x, range(2, n - 2), -2, 5)
        assert np.array_equal(rows[[0, 1, -2, -1]], got[[0, 1, -2, -1]]), seed


@pytest.mark.parametrize("name", list(_grids(5)))
def test_periodic_line_is_the_exact_weights_up_to_rounding(name: str) -> None:
    px = load_generated("d1_periodic_x4", "newton_periodic")
    n = 16
    x = _grids(n)[name]
    step = (x[-1] - x[0]) * (1 + 1 / n)
    period = abs(step)
    # The line extended by its points one period away: every point a window.
    ext = np.concatenate((x[-2:] - step, x, x[:2] + step))
    for f in _samples(x, n):
        got = px.d1_periodic_x4(f, x, period)
        fe = np.concatenate((f[-2:], f, f[:2]))
        _check(got, fe, ext, range(2, n + 2), -2, 5)


def test_wider_windows_are_the_exact_weights_up_to_rounding(newton) -> None:
    # The runtime serves any half width: 7 and 9 points.
    n = 30
    for name, x in _grids(n).items():
        if name in ("steep geometric", "tiny", "huge"):
            continue  # 8 factors of a spacing: outside the float64 range
        for half in (3, 4):
            f = _samples(x, half)[0]
            out = np.empty(n - 2 * half)
            newton._newton_line(f, x, x[1:] - x[:-1], out, half)
            points = range(half, n - half)
            for j, i in enumerate(points):
                exact, size = _exact(f, x, i, -half, 2 * half + 1)
                assert abs(out[j] - exact) <= 16 * EPS * size, (name, half, i)


def test_blocks_give_the_numbers_of_the_whole_line(newton) -> None:
    rng = np.random.default_rng(7)
    n = 101
    x = np.cumsum(rng.uniform(0.1, 2.0, n))
    f = rng.standard_normal(n)
    whole = np.empty(n - 4)
    newton._newton_line(f, x, x[1:] - x[:-1], whole, 2)
    for block, dx in ((1, None), (7, x[1:] - x[:-1]), (50, None), (200, None)):
        out = np.empty(n - 4)
        newton._newton_blocks(f, x, dx, out, (2, n - 2), 2, block)
        assert np.array_equal(out, whole), block
    # Periodic: blocks and seam windows against the extended line.
    step = x[-1] - x[0] + 0.5
    one = np.empty(n)
    newton._newton_periodic(f, x, None, step, one, 2, n)
    for block in (3, 16, n - 1):
        out = np.empty(n)
        newton._newton_periodic(f, x, None, step, out, 2, block)
        assert np.array_equal(out, one), block


def test_long_lines_of_the_modules_block_by_block() -> None:
    # Lines longer than a block, coordinates too long to difference at once.
    grad4 = load_generated("gradient4", "newton_gradient4_long")
    px = load_generated("d1_periodic_x4", "newton_periodic_long")
    rng = np.random.default_rng(8)
    for n in (grad4._BLOCK // 4 * 2 + 3, (1 << 17) + 11):
        x = np.cumsum(rng.uniform(0.5, 1.5, n))
        f = np.sin(x / 30)
        got = grad4.gradient4(f, x)
        want = np.empty(n - 4)
        load_file(ROOT / "templates/runtime/newton.py", "rt_newton2")._newton_line(
            f, x, x[1:] - x[:-1], want, 2
        )
        assert np.array_equal(got[2:-2], want)
        period = x[-1] - x[0] + 1.0
        line = px.d1_periodic_x4(f, x, period)
        fe = np.concatenate((f[-2:], f, f[:2]))
        xe = np.concatenate((x[-2:] - period, x, x[:2] + period))
        whole = np.empty(n)
        load_file(ROOT / "templates/runtime/newton.py", "rt_newton3")._newton_line(
            fe, xe, xe[1:] - xe[:-1], whole, 2
        )
        assert np.array_equal(line, whole)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gradient4", "d1_periodic_x4"])
def test_temporaries_stay_within_five_percent_of_a_long_line(name: str) -> None:
    # Blocks of the table (five rows) and of x's differences only.
    op = getattr(load_generated(name, f"newton_memory_{name}"), name)
    n = 4_000_000
    x = np.linspace(0.0, 1.0, n) + np.sin(np.arange(n)) * 1e-8
    f = np.sin(x)
    args = (x, 1.5) if "periodic" in name else (x,)
    op(f, *args)  # warm up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = op(f, *args)
        peak = tracemalloc.get_traced_memory()[1] - before - result.nbytes
    finally:
        tracemalloc.stop()
    assert peak <= 0.05 * f.nbytes, peak / f.nbytes
