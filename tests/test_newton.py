"""Newton's divided differences of one coordinate line (templates/runtime/newton.py).

A float64 line of ``gradient4(f, x)``, of the periodic ``d1_periodic_x4`` and of
the one-sided ``d1_nonuniform2`` and ``d2_nonuniform2`` (any coordinate operator
whose interior window is consecutive points around x_i: ``_newton_window`` for
any derivative m >= 1 and window lo, hi) takes its interior derivative from the
divided-difference table of the whole line: the derivative of the same
interpolating polynomial as the Lagrange weights, rounded otherwise. Oracle: the
engine's exact weights (``fd_weights`` on the float coordinates as exact
rationals) applied to the float samples in exact arithmetic. The results must
stay within a few eps of the sum of |w_k f_k| (the size of the terms any float
evaluation adds; for derivatives m >= 2, of the larger of that and the Newton
form's terms, which exceed it where short and long spacings alternate and f is
rough) on uniform, random, clustered, geometric, nearly coincident,
alternating, decreasing, offset, tiny and huge grids; blocks must give the
numbers of the whole line bit for bit.
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import ModuleType

import numpy as np
import pytest
import sympy
from conftest import (
    ROOT,
    coordinate_grids,
    lagrange_weights,
    load_file,
    load_generated,
    peak_temporaries,
)

from stencilgen import fd_weights

EPS = np.finfo(float).eps


def _samples(x: np.ndarray, seed: int) -> list[np.ndarray]:
    t = (x - x[0]) / (x[-1] - x[0])
    rng = np.random.default_rng(seed)
    return [np.sin(5 * t), rng.standard_normal(x.shape[0]), 1e3 * t**2 - 7.0]


def _derivative_weights(nodes: list[Fraction], c: int, m: int) -> list[Fraction]:
    """Exact weights of derivative m at node c: the Lagrange basis' derivatives.

    Each basis polynomial l_k = prod(t - u, u != node k) / prod(node k - u)
    expanded exactly in powers of (t - node c); its coefficient of power m
    times m!. (Checked against the engine in ``test_the_exact_oracle_is_the_engines``.)
    """
    weights = []
    for k, t in enumerate(nodes):
        poly = [Fraction(1)]  # coefficients of powers of (t - node c)
        denominator = Fraction(1)
        for j, u in enumerate(nodes):
            if j == k:
                continue
            denominator *= t - u
            shift = nodes[c] - u  # (t - u) = (t - node c) + shift
            poly = [
                (poly[p] * shift if p < len(poly) else 0)
                + (poly[p - 1] if p > 0 else 0)
                for p in range(len(poly) + 1)
            ]
        weights.append(math.factorial(m) * poly[m] / denominator)
    return weights


def _exact(
    f: np.ndarray, x: np.ndarray, i: int, first: int, count: int, m: int = 1
) -> tuple:
    """The exact weights' sum at point i and the sum of |w_k f_k| (floats)."""
    nodes = [Fraction(float(x[i + first + k])) for k in range(count)]
    weights = (
        lagrange_weights(nodes, -first)
        if m == 1
        else _derivative_weights(nodes, -first, m)
    )
    terms = [w * Fraction(float(f[i + first + k])) for k, w in enumerate(weights)]
    return float(sum(terms)), float(sum(abs(t) for t in terms))


def test_the_exact_oracle_is_the_engines() -> None:
    rng = np.random.default_rng(1)
    for count, c in ((5, 2), (7, 3), (4, 1)):
        nodes = sorted(Fraction(int(v), 8) for v in rng.choice(200, count, False))
        shifted = [sympy.Rational(t - nodes[c]) for t in nodes]
        engine = [sympy.Rational(w) for w in fd_weights(1, shifted)]
        assert [sympy.Rational(w) for w in lagrange_weights(nodes, c)] == engine
    for count, c, m in ((4, 1, 2), (4, 0, 2), (5, 2, 3), (6, 5, 4), (3, 0, 1)):
        nodes = sorted(Fraction(int(v), 8) for v in rng.choice(200, count, False))
        shifted = [sympy.Rational(t - nodes[c]) for t in nodes]
        engine = [sympy.Rational(w) for w in fd_weights(m, shifted)]
        exact = _derivative_weights(nodes, c, m)
        assert [sympy.Rational(w) for w in exact] == engine, (count, c, m)


def _check(got: np.ndarray, f: np.ndarray, x: np.ndarray, points, first, count):
    for j, i in enumerate(points):
        exact, size = _exact(f, x, i, first, count)
        assert abs(got[j] - exact) <= 4 * EPS * size, (i, got[j], exact, size)


def _runtime(name: str) -> ModuleType:
    """runtime/newton_windows.py with the runtime/newton.py it is included beside."""
    windows = load_file(ROOT / "templates/runtime/newton_windows.py", name)
    line = load_file(ROOT / "templates/runtime/newton.py", f"{name}_line")
    for attr in line.__all__:
        setattr(windows, attr, getattr(line, attr))
    return windows


@pytest.fixture(scope="module")
def newton() -> ModuleType:
    return _runtime("rt_newton")


@pytest.mark.parametrize("name", list(coordinate_grids(5)))
def test_gradient4_line_is_the_exact_weights_up_to_rounding(name: str) -> None:
    grad4 = load_generated("gradient4", "newton_gradient4").gradient4
    n = 24
    x = coordinate_grids(n)[name]
    for seed, f in enumerate(_samples(x, n)):
        got = grad4(f, x)
        _check(got[2:-2], f, x, range(2, n - 2), -2, 5)
        # The general path (kept weights, every row of an N-D array) too.
        rows = grad4(np.stack([f, f]), x, axis=1)[0]
        _check(rows[2:-2], f, x, range(2, n - 2), -2, 5)
        assert np.array_equal(rows[[0, 1, -2, -1]], got[[0, 1, -2, -1]]), seed


@pytest.mark.parametrize("name", list(coordinate_grids(5)))
def test_periodic_line_is_the_exact_weights_up_to_rounding(name: str) -> None:
    px = load_generated("d1_periodic_x4", "newton_periodic")
    n = 16
    x = coordinate_grids(n)[name]
    step = (x[-1] - x[0]) * (1 + 1 / n)
    period = abs(step)
    # The line extended by its points one period away: every point a window.
    ext = np.concatenate((x[-2:] - step, x, x[:2] + step))
    for f in _samples(x, n):
        got = px.d1_periodic_x4(f, x, period)
        fe = np.concatenate((f[-2:], f, f[:2]))
        _check(got, fe, ext, range(2, n + 2), -2, 5)


@pytest.mark.parametrize("name", list(coordinate_grids(5)))
def test_unrolled_periodic_line_is_newtons_line_bit_for_bit(newton, name) -> None:
    # templates/runtime/newton_periodic.py unrolls _newton_line (half = 2):
    # the same operations in the same order, so the same numbers.
    periodic = load_file(ROOT / "templates/runtime/newton_periodic.py", "rt_np5")
    checked = []
    for n in (5, 6, 33):
        x = coordinate_grids(n)[name]
        step = (x[-1] - x[0]) * (1 + 1 / n)
        fe_x = np.concatenate((x[-2:] - step, x, x[:2] + step))
        for f in _samples(x, n):
            got = np.empty(n)
            periodic._newton_periodic5(
                f, x, step, got, lambda *a: checked.append(a), "d"
            )
            want = np.empty(n)
            fe = np.concatenate((f[-2:], f, f[:2]))
            newton._newton_line(fe, fe_x, fe_x[1:] - fe_x[:-1], want, 2)
            assert np.array_equal(got, want, equal_nan=True), (name, n)
            _, steps, _ = checked[-1]
            assert np.array_equal(steps, x[1:] - x[:-1])


def test_wider_windows_are_the_exact_weights_up_to_rounding(newton) -> None:
    # The runtime serves any half width: 7 and 9 points.
    n = 30
    for name, x in coordinate_grids(n).items():
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


# (derivative, lo, hi): the window x[i - lo] .. x[i + hi]. The bundled
# one-sided operators' interiors, one-sided windows, and wider ones.
PLANS = [
    (2, 1, 2),  # d2_nonuniform2
    (1, 1, 1),  # d1_nonuniform2
    (2, 1, 1),
    (1, 1, 2),
    (1, 0, 2),
    (1, 2, 0),
    (2, 0, 3),
    (2, 3, 0),
    (2, 2, 1),
    (2, 2, 2),
    (3, 2, 2),
    (3, 0, 3),
    (1, 3, 1),
    (4, 2, 3),
]


def _newton_size(f: np.ndarray, x: np.ndarray, i: int, plan: tuple) -> float:
    """m! * sum of |d_k * e_(k-m)(a_1 .. a_(k-1))|, exactly: the Newton form's terms.

    Rounding each term of the Newton form costs a few eps of its size. It
    exceeds the weights' sum of |w_k f_k| where short and long spacings meet
    and f is rough: the divided differences over a short interval, of order
    f / h_short, cancel in the sum where the weights do not need them.
    """
    m, lo, hi = plan
    nodes, left = [i], 0
    for _ in range(lo + hi):  # alternately left and right, left first
        right = len(nodes) - 1 - left
        if left < lo and (right >= hi or left <= right):
            left += 1
            nodes.append(i - left)
        else:
            nodes.append(i + right + 1)
    total = Fraction(0)
    for k in range(m, lo + hi + 1):
        run = sorted(nodes[: k + 1])
        d = _divided(f, x, run[0], k)
        e = [Fraction(1)]  # elementary symmetric polynomials of a_1 .. a_(k-1)
        for node in nodes[1:k]:
            a = Fraction(float(x[i])) - Fraction(float(x[node]))
            e = [e[0], *(e[r] + a * e[r - 1] for r in range(1, len(e))), a * e[-1]]
        total += abs(d * e[k - m])
    return float(math.factorial(m) * total)


def _divided(f: np.ndarray, x: np.ndarray, start: int, k: int) -> Fraction:
    """f[x_start .. x_(start+k)], exactly."""
    values = [Fraction(float(v)) for v in f[start : start + k + 1]]
    points = [Fraction(float(v)) for v in x[start : start + k + 1]]
    for level in range(1, k + 1):
        values = [
            (values[j + 1] - values[j]) / (points[j + level] - points[j])
            for j in range(len(values) - 1)
        ]
    return values[0]


@pytest.mark.parametrize("plan", PLANS)
def test_any_derivative_on_any_window_is_the_exact_weights_up_to_rounding(
    newton, plan
) -> None:
    # Within a few eps of the larger of the weights' terms and the Newton
    # form's (they differ where spacings of 1e-3 and 1 alternate: up to 600
    # times the weights' for rough f, see _newton_size).
    weights = load_file(ROOT / "templates/runtime/coordinates.py", "rt_coordinates")
    m, lo, hi = plan
    n = 24
    for name, x in coordinate_grids(n).items():
        if lo + hi > 4 and name in ("steep geometric", "tiny", "huge"):
            continue  # 5 factors of a spacing and more: outside the float64 range
        for f in _samples(x, lo + 3 * hi):
            out = np.empty(n - lo - hi)
            newton._newton_window(f, x, x[1:] - x[:-1], out, m, lo, hi)
            w = weights._lagrange_window(x, lo, n - hi, -lo, lo + hi + 1, m)
            for j, i in enumerate(range(lo, n - hi)):
                exact, size = _exact(f, x, i, -lo, lo + hi + 1, m)
                bound = (4 if lo + hi < 4 else 16) * EPS
                bound *= max(size, _newton_size(f, x, i, plan))
                if name == "nearly coincident" and m > 1:
                    # Its differences of x are rounded (x near 1 + 1e-9): both
                    # the weights and the table lose digits to that alike.
                    by_weights = float(np.dot(w[:, j], f[i - lo : i + hi + 1]))
                    bound += 2 * abs(by_weights - exact)
                assert abs(out[j] - exact) <= bound, (name, plan, i, out[j], exact)


@pytest.mark.parametrize("plan", PLANS)
def test_blocks_of_any_window_give_the_numbers_of_the_whole_line(newton, plan) -> None:
    m, lo, hi = plan
    rng = np.random.default_rng(11)
    n = 97
    x = np.cumsum(rng.uniform(0.1, 2.0, n))
    f = rng.standard_normal(n)
    whole = np.empty(n - lo - hi)
    newton._newton_window(f, x, x[1:] - x[:-1], whole, m, lo, hi)
    for block, dx in ((1, None), (7, x[1:] - x[:-1]), (50, None), (200, None)):
        out = np.empty(n - lo - hi)
        newton._newton_windows(f, x, dx, out, (lo, n - hi), plan, block)
        assert np.array_equal(out, whole), block


def test_first_derivatives_of_the_general_scheme_are_the_centred_line(
    newton,
) -> None:
    # _newton_window hands centred first derivatives to _newton_line; its
    # Taylor-coefficient Horner gives them with the same operations.
    rng = np.random.default_rng(12)
    x = np.cumsum(rng.uniform(0.1, 2.0, 40))
    f = rng.standard_normal(40)
    for half in (1, 2, 3):
        want = np.empty(40 - 2 * half)
        newton._newton_line(f, x, x[1:] - x[:-1], want, half)
        got = np.empty(40 - 2 * half)
        nodes, starts, reach = newton._newton_nodes(half, half)
        top = 2 * half
        table = np.empty((top + reach - 1, 40 - 1))
        newton._newton_line(f, x, x[1:] - x[:-1], np.empty(40 - top), half)
        # The table of _newton_window, then its Horner on it.
        levels = _table(f, x, top)
        for k in range(top):
            table[k, : 40 - k - 1] = levels[k]
        spans = [None] + [x[r:] - x[:-r] for r in range(1, reach + 1)]
        m = 40 - top
        a = [
            spans[r][half - r : half - r + m] if left else spans[r][half : half + m]
            for r, left in nodes[: top - 1]
        ]
        newton._newton_horner(table, a, nodes, starts, got, 1)
        assert np.array_equal(got, want), half


def _table(f: np.ndarray, x: np.ndarray, top: int) -> list[np.ndarray]:
    """The divided differences d_1 .. d_top of the line, as _newton_line takes them."""
    level = (f[1:] - f[:-1]) / (x[1:] - x[:-1])
    levels = [level]
    for k in range(2, top + 1):
        level = (level[1:] - level[:-1]) / (x[k:] - x[:-k])
        levels.append(level)
    return levels


@pytest.mark.parametrize(
    ("name", "plan"), [("d2_nonuniform2", (2, 1, 2)), ("d1_nonuniform2", (1, 1, 1))]
)
@pytest.mark.parametrize("grid", list(coordinate_grids(5)))
def test_one_sided_operators_are_the_exact_weights_up_to_rounding(
    name: str, plan: tuple, grid: str
) -> None:
    module = load_generated(name, f"newton_{name}")
    op = getattr(module, name)
    m, lo, hi = plan
    n = 24
    x = coordinate_grids(n)[grid]
    for seed, f in enumerate(_samples(x, n)):
        got = op(f, x)
        # The weights (N-D rows, kept weights): the same interior to rounding,
        # the one-sided edges bit for bit (they take the weights in either).
        rows = op(np.stack([f, f]), x, axis=1)[0]
        inner = rows[lo : n - hi]
        if grid != "nearly coincident" or m == 1:
            _check_m(inner, f, x, range(lo, n - hi), plan)
        # x's rounding (differences of x near 1 + 1e-9) costs both alike.
        weighed = inner if grid == "nearly coincident" else None
        _check_m(got[lo : n - hi], f, x, range(lo, n - hi), plan, weighed)
        edges = [*range(lo), *range(n - hi, n)]
        assert np.array_equal(rows[edges], got[edges]), seed
        weights = getattr(module, f"{name}_weights")(x)
        kept = getattr(module, f"{name}_apply")(f, weights)
        assert np.array_equal(kept, rows), seed


def _check_m(
    got: np.ndarray, f: np.ndarray, x: np.ndarray, points, plan, weighed=None
) -> None:
    """Within 4 eps of the larger of the weights' and the Newton form's terms.

    ``weighed``: the weights' own results where x's rounding costs more.
    """
    m, lo, hi = plan
    for j, i in enumerate(points):
        exact, size = _exact(f, x, i, -lo, lo + hi + 1, m)
        bound = 4 * EPS * max(size, _newton_size(f, x, i, plan))
        if weighed is not None:
            bound += 2 * abs(weighed[j] - exact)
        assert abs(got[j] - exact) <= bound, (i, got[j], exact, size)


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
    for plan in ((1, 2, 2), (2, 1, 2), (1, 1, 1), (3, 2, 2), (1, 0, 2)):
        one = np.empty(n)
        newton._newton_periodic(f, x, None, step, one, plan, n)
        for block in (3, 16, n - 1):
            out = np.empty(n)
            newton._newton_periodic(f, x, None, step, out, plan, block)
            assert np.array_equal(out, one), (plan, block)


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


def test_long_one_sided_lines_block_by_block() -> None:
    newton = _runtime("rt_newton4")
    rng = np.random.default_rng(9)
    for name, (m, lo, hi) in (
        ("d2_nonuniform2", (2, 1, 2)),
        ("d1_nonuniform2", (1, 1, 1)),
    ):
        op = getattr(load_generated(name, f"newton_long_{name}"), name)
        for n in (30000, (1 << 17) + 11):
            x = np.cumsum(rng.uniform(0.5, 1.5, n))
            f = np.sin(x / 30)
            want = np.empty(n - lo - hi)
            newton._newton_window(f, x, x[1:] - x[:-1], want, m, lo, hi)
            assert np.array_equal(op(f, x)[lo : n - hi], want), (name, n)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["gradient4", "d1_periodic_x4", "d1_nonuniform2", "d2_nonuniform2"]
)
def test_temporaries_stay_within_five_percent_of_a_long_line(name: str) -> None:
    # Blocks of the table (a few rows) and of x's differences only.
    op = getattr(load_generated(name, f"newton_memory_{name}"), name)
    n = 4_000_000
    x = np.linspace(0.0, 1.0, n) + np.sin(np.arange(n)) * 1e-8
    f = np.sin(x)
    args = (x, 1.5) if "periodic" in name else (x,)
    peak = peak_temporaries(op, f, *args)
    assert peak <= 0.05 * f.nbytes, peak / f.nbytes
