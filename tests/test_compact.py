"""Compact (Padé) schemes: exact derivation, the runtime helper, measured order.

Oracles: Lele (1992) tables typed in below, dense linear algebra (numpy.linalg
on the assembled cyclic / banded matrices), exact derivatives of smooth
functions and polynomials, and measured convergence slopes.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from stencilgen.compact import compact_scheme, runtime
from stencilgen.design import DesignError, design

F = Fraction

# Lele, S. K. (1992), "Compact finite difference schemes with spectral-like
# resolution", J. Comput. Phys. 103, 16-42: first derivative, section 2.1
# (eqs. 2.1.6-2.1.10), second derivative, section 2.2.
LELE = [
    # (derivative, accuracy, lhs_width, coefficients)
    (1, 4, 1, {"alpha": F(1, 4), "a": F(3, 2)}),
    (1, 6, 1, {"alpha": F(1, 3), "a": F(14, 9), "b": F(1, 9)}),
    (1, 8, 1, {"alpha": F(3, 8), "a": F(25, 16), "b": F(1, 5), "c": F(-1, 80)}),
    (1, 8, 2, {"alpha": F(4, 9), "beta": F(1, 36), "a": F(40, 27), "b": F(25, 54)}),
    (
        1,
        10,
        2,
        {
            "alpha": F(1, 2),
            "beta": F(1, 20),
            "a": F(17, 12),
            "b": F(101, 150),
            "c": F(1, 100),
        },
    ),
    (2, 4, 1, {"alpha": F(1, 10), "a": F(6, 5)}),
    (2, 6, 1, {"alpha": F(2, 11), "a": F(12, 11), "b": F(3, 11)}),
]


@pytest.mark.parametrize(("m", "p", "L", "expected"), LELE)
def test_lele_tables(m: int, p: int, L: int, expected: dict[str, Fraction]) -> None:
    s = compact_scheme(m, p, lhs_width=L)
    assert s.coefficients() == expected
    assert s.accuracy == p


def test_sixth_order_tridiagonal_resolution() -> None:
    assert round(compact_scheme(1, 6).spectrum().points_per_wavelength, 1) == 5.7


def slope(errors: list[float], ns: list[int]) -> float:
    return float(-np.polyfit(np.log(ns), np.log(errors), 1)[0])


def test_sixth_order_measured_periodic() -> None:
    s = compact_scheme(1, 6)
    ns = [32, 48, 64, 96, 128]
    errors = []
    for n in ns:
        x = np.linspace(0, 2 * np.pi, n, endpoint=False)
        f = np.exp(np.sin(x))
        exact = np.cos(x) * f
        errors.append(float(np.max(np.abs(s.apply(f, x[1]) - exact))))
    assert slope(errors, ns) == pytest.approx(6.0, abs=0.1)


def test_sixth_order_measured_bounded() -> None:
    s = compact_scheme(1, 6)
    ns = [40, 56, 80, 112]
    errors = []
    for n in ns:
        x = np.linspace(0, 1, n + 1)
        f = np.sin(3 * x) * np.exp(x)
        exact = (3 * np.cos(3 * x) + np.sin(3 * x)) * np.exp(x)
        d = s.apply(f, x[1], periodic=False)
        errors.append(float(np.max(np.abs(d - exact))))
    assert slope(errors, ns) == pytest.approx(6.0, abs=0.15)


def cyclic_reference(lhs, rhs, g):  # type: ignore[no-untyped-def]
    n = len(g)
    L = (len(lhs) - 1) // 2
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    for i in range(n):
        for k, a in enumerate(lhs):
            A[i, (i + k - L) % n] += a
        for d, w in rhs:
            B[i, (i + d) % n] += w
    return np.linalg.solve(A, B @ g)


SCHEMES = [
    compact_scheme(1, 6),
    compact_scheme(1, 10, lhs_width=2),
    compact_scheme(2, 6),
    compact_scheme(1, 4),
]


@pytest.mark.parametrize("s", SCHEMES, ids=lambda s: f"d{s.derivative}a{s.accuracy}")
@pytest.mark.parametrize("n", [1, 2, 3, 5, 37, 64])
def test_periodic_equals_dense_cyclic_solve(s, n: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(n)
    g = rng.standard_normal(n)
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    ours = runtime()._compact_periodic(g, 0, 1.0, lhs, rhs)
    assert np.allclose(ours, cyclic_reference(lhs, rhs, g), rtol=0, atol=1e-13)


def test_optimised_pentadiagonal_periodic_matches_dense() -> None:
    d = design(1, range(-3, 4), accuracy=4, tolerance=1e-3, lhs_offsets=range(-2, 3))
    lhs = d.lhs_weights
    rhs = tuple(
        (int(o), w) for o, w in zip(d.scheme.offsets, d.weights, strict=True) if w
    )
    g = np.random.default_rng(0).standard_normal(300)
    ours = runtime()._compact_periodic(g, 0, 1.0, lhs, rhs)
    assert np.allclose(ours, cyclic_reference(lhs, rhs, g), rtol=0, atol=1e-11)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_any_axis_and_dtype(axis: int) -> None:
    s = compact_scheme(1, 6)
    rng = np.random.default_rng(1)
    u = rng.standard_normal((9, 10, 11))
    for periodic in (True, False):
        d = s.apply(u, 0.5, axis=axis, periodic=periodic)
        moved = np.moveaxis(u, axis, -1)
        one = np.stack(
            [
                s.apply(row, 0.5, periodic=periodic)
                for row in moved.reshape(-1, moved.shape[-1])
            ]
        ).reshape(moved.shape)
        assert np.allclose(np.moveaxis(d, axis, -1), one, atol=1e-12)
    d32 = s.apply(u.astype(np.float32), 0.5, axis=axis)
    assert d32.dtype == np.float32
    assert np.allclose(d32, s.apply(u, 0.5, axis=axis), atol=1e-4)


@pytest.mark.parametrize("s", SCHEMES, ids=lambda s: f"d{s.derivative}a{s.accuracy}")
def test_bounded_exact_on_polynomials(s) -> None:  # type: ignore[no-untyped-def]
    x = np.linspace(-1, 1, 41)
    m = s.derivative
    for k in range(s.accuracy + m):
        exact = math.perm(k, m) * x ** (k - m) if k >= m else 0 * x
        d = s.apply(x**k, x[1] - x[0], periodic=False)
        assert np.allclose(d, exact, atol=1e-8), k


def test_bounded_equals_dense_solve_and_numpy_fallback() -> None:
    s = compact_scheme(1, 10, lhs_width=2)
    module = runtime()
    n = 30
    g = np.random.default_rng(2).standard_normal((n, 3))
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    left, right = s.closures()
    lf = tuple(tuple((o, float(w)) for o, w in row) for row in left)
    rf = tuple(tuple((o, float(w)) for o, w in row) for row in right)
    ours = module._compact_bounded(g, 0, 1.0, lhs, rhs, lf, rf)
    # Dense oracle assembled row by row.
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    R = s.reach
    for i in range(n):
        if i < R:
            A[i, i] = 1
            for o, w in lf[i]:
                B[i, i + o] = w
        elif i >= n - R:
            A[i, i] = 1
            for o, w in rf[n - 1 - i]:
                B[i, i + o] = w
        else:
            for k, a in enumerate(lhs):
                A[i, i + k - 2] = a
            for o, w in rhs:
                B[i, i + o] = w
    assert np.allclose(ours, np.linalg.solve(A, B @ g), atol=1e-12)
    # The numpy-only elimination agrees with scipy's banded solver.
    ab = np.zeros((5, n))
    for i in range(n):
        for j in range(max(0, i - 2), min(n, i + 3)):
            ab[2 + i - j, j] = A[i, j]
    assert np.allclose(
        module._compact_eliminate(2, ab, B @ g), np.linalg.solve(A, B @ g)
    )


def test_too_few_points_for_the_closures() -> None:
    with pytest.raises(ValueError, match="needs at least 7 points along axis 0"):
        compact_scheme(1, 6).apply(np.ones(6), periodic=False)


def test_singular_periodic_lhs_is_refused() -> None:
    with pytest.raises(ValueError, match="not positive"):
        runtime()._compact_plan((0.5, 1.0, 0.5))


def test_family_instead_of_unique_scheme() -> None:
    with pytest.raises(DesignError, match="leaves 1 free weight"):
        compact_scheme(1, 4, lhs_width=1, rhs_width=2)
    with pytest.raises(DesignError, match="cannot be kept"):
        compact_scheme(1, 8, lhs_width=1, rhs_width=2)


def test_runtime_doctests_and_imports() -> None:
    import ast
    import doctest
    from pathlib import Path

    module = runtime()
    assert doctest.testmod(module).failed == 0
    tree = ast.parse(Path(str(module.__file__)).read_text())
    top_level = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_level |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            top_level.add((node.module or "").split(".")[0])
    # numpy and the standard library only (scipy is imported inside a function).
    assert top_level <= {"functools", "math", "numpy", "threading"}
    # The part generated modules include starts at the runtime marker line.
    assert (
        "# ---- included in generated modules from here ----"
        in Path(str(module.__file__)).read_text()
    )


def bounded_reference(s, g):  # type: ignore[no-untyped-def]
    """The bounded scheme by a dense solve of the assembled system, rows of g."""
    n = g.shape[-1]
    lhs = [float(a) for a in s.lhs]
    L = (len(lhs) - 1) // 2
    left, right = s.closures()
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    for i in range(n):
        if i < len(left):
            A[i, i] = 1
            for o, w in left[i]:
                B[i, i + o] = float(w)
        elif i >= n - len(right):
            A[i, i] = 1
            for o, w in right[n - 1 - i]:
                B[i, i + o] = float(w)
        else:
            for k, a in enumerate(lhs):
                A[i, i + k - L] = a
            for o, w in s.rhs:
                B[i, i + o] = float(w)
    return np.linalg.solve(A, B @ g.T).T


@pytest.mark.parametrize("s", SCHEMES, ids=lambda s: f"d{s.derivative}a{s.accuracy}")
@pytest.mark.parametrize("n", [40, 256, 257, 1000])
def test_small_array_paths_equal_dense_solves(s, n: int) -> None:  # type: ignore[no-untyped-def]
    """Dense matrix (n <= 256), prebuilt 1-D programs and the blocked N-D path.

    The 1-D call and a (2, n) call along axis 1 (the general path above 256
    points) both match the dense cyclic / banded solve, for several h (the
    programs are cached per scale) and calls (the buffers are reused).
    """
    rng = np.random.default_rng(n)
    g = rng.standard_normal((2, n))
    h = 0.37
    scale = 1 / h**s.derivative
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    cyclic = np.stack([cyclic_reference(lhs, rhs, row) for row in g]) * scale
    bounded = bounded_reference(s, g) * scale
    for _ in range(2):
        for periodic, exact in ((True, cyclic), (False, bounded)):
            tol = 1e-12 * np.max(np.abs(exact))
            both = s.apply(g, h, axis=1, periodic=periodic)
            assert np.max(np.abs(both - exact)) < tol
            for row, want in zip(g, exact, strict=True):
                one = s.apply(row, h, periodic=periodic)
                assert np.max(np.abs(one - want)) < tol
            single = s.apply(g[0].astype(np.float32), h, periodic=periodic)
            assert single.dtype == np.float32
            assert np.max(np.abs(single - exact[0])) < 1e-5 * np.max(np.abs(exact))


def test_programs_are_per_thread() -> None:
    """Threads running the cached 1-D programs at once get their own buffers."""
    from concurrent.futures import ThreadPoolExecutor

    s = compact_scheme(1, 6)
    rng = np.random.default_rng(5)
    rows = [rng.standard_normal(2000) for _ in range(8)]
    for periodic in (True, False):
        want = [s.apply(r, 0.1, periodic=periodic) for r in rows]

        def run(i: int, periodic: bool = periodic, want: list = want) -> bool:  # type: ignore[type-arg]
            return all(
                np.array_equal(s.apply(rows[i], 0.1, periodic=periodic), want[i])
                for _ in range(50)
            )

        with ThreadPoolExecutor(4) as pool:
            assert all(pool.map(run, range(8)))


LAPACK_SIZES = [255, 256, 257, 258, 511, 1000, 1023, 1024, 1025]


@pytest.mark.parametrize("s", SCHEMES, ids=lambda s: f"d{s.derivative}a{s.accuracy}")
@pytest.mark.parametrize("n", LAPACK_SIZES)
def test_lapack_path_equals_dense_solves(s, n: int) -> None:  # type: ignore[no-untyped-def]
    """Around every threshold (dense 256, LAPACK 1024), odd and even n: the
    periodic and bounded results match the dense cyclic / banded solve at
    round-off for float64, float32, complex128 and complex64."""
    rng = np.random.default_rng(n)
    g = rng.standard_normal(n)
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    h = 0.37
    scale = 1 / h**s.derivative
    cyclic = cyclic_reference(lhs, rhs, g) * scale
    bounded = bounded_reference(s, g[None])[0] * scale
    for periodic, exact in ((True, cyclic), (False, bounded)):
        big = np.max(np.abs(exact))
        got = s.apply(g, h, periodic=periodic)
        assert got.dtype == np.float64
        assert np.max(np.abs(got - exact)) < 1e-13 * big
        z = s.apply(g + 2j * g[::-1], h, periodic=periodic)
        other = s.apply(g[::-1].copy(), h, periodic=periodic)
        assert z.dtype == np.complex128
        assert np.max(np.abs(z - (exact + 2j * other))) < 1e-13 * big
        for dtype, tol in ((np.float32, 1e-5), (np.complex64, 1e-5)):
            single = s.apply(g.astype(dtype), h, periodic=periodic)
            assert single.dtype == dtype
            assert np.max(np.abs(single - exact)) < tol * big


@pytest.mark.parametrize("n", [300, 1000, 1025])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_lapack_path_on_every_axis_with_out(n: int, axis: int) -> None:
    """N-D arrays along any axis (many right-hand sides per LAPACK call, in
    chunks), into a given ``out`` (also a non-contiguous view), equal the 1-D
    calls row by row."""
    s = compact_scheme(1, 6)
    shape = [3, 4, 5]
    shape[axis] = n
    u = np.random.default_rng(axis).standard_normal(shape)
    moved = np.moveaxis(u, axis, -1).reshape(-1, n)
    for periodic in (True, False):
        rows = np.stack([s.apply(r, 0.2, periodic=periodic) for r in moved])
        want = np.moveaxis(rows.reshape(*np.delete(shape, axis), n), -1, axis)
        got = s.apply(u, 0.2, axis=axis, periodic=periodic)
        big = np.max(np.abs(want))
        assert np.max(np.abs(got - want)) < 1e-13 * big
        module = runtime()
        lhs = tuple(float(a) for a in s.lhs)
        rhs = tuple((o, float(w)) for o, w in s.rhs)
        left, right = s.closures()
        lf = tuple(tuple((o, float(w)) for o, w in row) for row in left)
        rf = tuple(tuple((o, float(w)) for o, w in row) for row in right)
        holder = np.zeros((*shape, 2))
        out = holder[..., 1]  # not contiguous
        if periodic:
            back = module._compact_periodic(u, axis, 5.0, lhs, rhs, out=out)
        else:
            back = module._compact_bounded(u, axis, 5.0, lhs, rhs, lf, rf, out=out)
        assert back is out
        assert np.max(np.abs(out - want)) < 1e-13 * big
        assert not holder[..., 0].any()


def test_lapack_chunks_and_the_paths_without_scipy(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Many lines go to LAPACK in several chunks; without SciPy (the import
    failing) the cascade and the numpy elimination give the same results."""
    s = compact_scheme(1, 10, lhs_width=2)
    module = runtime()
    u = np.random.default_rng(7).standard_normal((70, 1000))
    monkeypatch.setattr(module, "_COMPACT_CHUNK", 4000)
    with_lapack = [s.apply(u, 0.1, axis=1, periodic=p) for p in (True, False)]
    one = [s.apply(u[3], 0.1, periodic=p) for p in (True, False)]
    for both, row in zip(with_lapack, one, strict=True):
        assert np.max(np.abs(both[3] - row)) < 1e-13 * np.max(np.abs(row))
    monkeypatch.setattr(module, "_compact_scipy_lapack", lambda: None)
    module._compact_factor.cache_clear()
    monkeypatch.setattr(module, "_compact_solve_banded", _eliminate_only(module))
    try:
        for periodic, want in zip((True, False), with_lapack, strict=True):
            got = s.apply(u, 0.1, axis=1, periodic=periodic)
            assert np.max(np.abs(got - want)) < 1e-12 * np.max(np.abs(want))
            line = s.apply(u[5], 0.1, periodic=periodic)
            assert np.max(np.abs(line - want[5])) < 1e-12 * np.max(np.abs(want))
    finally:
        module._compact_factor.cache_clear()


def _eliminate_only(module):  # type: ignore[no-untyped-def]
    def solve(L, ab, b):  # type: ignore[no-untyped-def]
        n = b.shape[-1]
        flat = b.reshape(-1, n).T
        return module._compact_eliminate(L, ab, flat).T.reshape(b.shape)

    return solve


def test_lapack_declines_an_indefinite_section() -> None:
    """A left-hand side whose Toeplitz section is not positive definite gets no
    LAPACK factors (the caller falls back); a positive one gets them."""
    module = runtime()
    assert module._compact_factor((0.6, 1.0, 0.6), 500, "d") is None
    assert module._compact_factor((1 / 3, 1.0, 1 / 3), 500, "d") is not None
    assert module._compact_factor((0.6, 0.0, 1.0, 0.0, 0.6), 500, "D") is None


@pytest.mark.parametrize("s", SCHEMES, ids=lambda s: f"d{s.derivative}a{s.accuracy}")
def test_blocked_paths_equal_dense_solves(s, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Lines longer than a block: the blocked cascade (periodic, and bounded on
    the interior's right-hand side plus the edge correction), 1-D and N-D,
    match the dense solves; blocks of 512 points make it testable at 1501."""
    module = runtime()
    monkeypatch.setattr(module, "_COMPACT_BLOCK", 512)
    n = 1501
    g = np.random.default_rng(11).standard_normal((2, n))
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    cyclic = np.stack([cyclic_reference(lhs, rhs, row) for row in g])
    bounded = bounded_reference(s, g)
    for periodic, exact in ((True, cyclic), (False, bounded)):
        tol = 1e-13 * np.max(np.abs(exact))
        assert np.max(np.abs(s.apply(g[0], 1.0, periodic=periodic) - exact[0])) < tol
        both = s.apply(g.T, 1.0, axis=0, periodic=periodic)
        assert np.max(np.abs(both - exact.T)) < tol
        single = s.apply(g[1].astype(np.float32), 1.0, periodic=periodic)
        assert single.dtype == np.float32
        assert np.max(np.abs(single - exact[1])) < 1e-5 * np.max(np.abs(exact))


def test_bounded_long_line_blocks_equal_lapack() -> None:
    """Above 32768 points a bounded line takes the blocked cascade; it equals
    the LAPACK solve (itself checked against dense solves above) at round-off."""
    s = compact_scheme(1, 6)
    module = runtime()
    n = 40000
    g = np.random.default_rng(3).standard_normal(n)
    lhs = tuple(float(a) for a in s.lhs)
    rhs = tuple((o, float(w)) for o, w in s.rhs)
    left, right = s.closures()
    lf = tuple(tuple((o, float(w)) for o, w in row) for row in left)
    rf = tuple(tuple((o, float(w)) for o, w in row) for row in right)
    want = module._compact_bounded_lapack(g, 0, 3.0, lhs, rhs, lf, rf, np.empty(n))
    got = s.apply(g, 1 / 3, periodic=False)
    assert np.max(np.abs(got - want)) < 1e-13 * np.max(np.abs(want))
