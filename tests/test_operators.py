"""The committed operator modules, run: exactness, convergence, numpy.gradient, dtypes.

Every module is loaded from ``generated/`` by path, the way a user who copied the
file would use it; nothing from stencilgen is involved in running them.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from conftest import ROOT, examples
from conftest import load_generated as load
from hypothesis import given, settings
from hypothesis import strategies as st

from stencilgen.build import generate
from stencilgen.render import Renderer
from stencilgen.spec import parse_spec
from stencilgen.stencil import make_stencil
from stencilgen.verify import load_module

# (module, derivative, accuracy) of the uniform one-sided operators.
UNIFORM = [("d1_central2", 1, 2), ("d1_central4", 1, 4), ("d2_central8", 2, 8)]
UNIFORM += [("d1_forward2", 1, 2)]


@pytest.mark.slow
def test_modules_import_only_numpy_and_the_standard_library() -> None:
    for path in sorted((ROOT / "generated").glob("d*.py")):
        # numba itself imports scipy when it is installed: not the module's doing.
        banned = ("sympy", "jinja2")
        if "import numba" not in path.read_text():
            banned += ("scipy",)
        code = (
            "import sys; sys.modules['stencilgen'] = None; "
            f"exec(open({str(path)!r}).read(), {{}}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{banned!r}))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]", path.name


@pytest.mark.parametrize(("name", "m", "p"), UNIFORM)
def test_exact_on_polynomials_everywhere(name: str, m: int, p: int) -> None:
    op = getattr(load(name), name)
    rng = np.random.default_rng(3)
    h = 0.1
    x = 0.5 + h * np.arange(24)
    poly = np.polynomial.Polynomial(rng.uniform(-1, 1, p + m))  # degree p + m - 1
    exact = poly.deriv(m)(x)
    error = np.max(np.abs(op(poly(x), h) - exact))
    assert error <= 1e-10 * max(1.0, np.max(np.abs(exact)))
    # One degree more is not exact: the accuracy is not higher than claimed.
    higher = np.polynomial.Polynomial([0] * (p + m) + [1])
    assert np.max(np.abs(op(higher(x), h) - higher.deriv(m)(x))) > 1e-6


@pytest.mark.parametrize(("name", "m", "p"), UNIFORM)
def test_measured_convergence_slope(name: str, m: int, p: int) -> None:
    op = getattr(load(name), name)
    errors, steps = [], []
    finest = 10 ** (-9 / (p + m))
    for h in finest * 1.5 ** np.arange(4):
        x = np.arange(0.0, 40 * finest * 1.5**3, h)
        error = np.abs(op(np.sin(x), h) - np.sin(x + m * np.pi / 2))
        interior = error[p:-p]
        errors.append(interior.max())
        steps.append(h)
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert abs(slope - p) < 0.3


def test_docstring_holds_exact_weights_formula_and_error() -> None:
    doc = load("d2_central8").d2_central8.__doc__
    assert "-1/560, 8/315, -1/5, 8/5, -205/72, 8/5, -1/5, 8/315, -1/560" in doc
    assert "leading error: -h**8*f^(10)(x)/3150" in doc
    assert str(make_stencil(2, range(-4, 5)).error_coefficient) == "-1/3150"
    # Independent oracle: SymPy's weights, and the first non-vanishing moment
    # sum(w_k k**10) / 10! of the Taylor series (moments 3..9 vanish).
    oracle = sympy.finite_diff_weights(2, list(range(-4, 5)), 0)[2][-1]
    assert ", ".join(str(w) for w in oracle) in doc
    moment = sum(w * k**10 for w, k in zip(oracle, range(-4, 5), strict=True))
    assert moment / sympy.factorial(10) == sympy.Rational(-1, 3150)
    assert "[d2_central8]\n        derivative = 2\n        accuracy = 8" in doc
    assert "out[0]: offsets 0..9" in doc


def test_constants_are_exact_literals() -> None:
    text = (ROOT / "generated" / "d2_central8.py").read_text()
    assert "c0 = -205 / 72 * scale" in text
    weights = load("d2_central8")._LEFT0
    exact = make_stencil(2, range(10)).weights
    assert weights == tuple(float(Fraction(int(w.p), int(w.q))) for w in exact)
    oracle = sympy.finite_diff_weights(2, list(range(10)), 0)[2][-1]  # independent
    assert weights == tuple(float(Fraction(int(w.p), int(w.q))) for w in oracle)


@pytest.mark.parametrize("axis", [-3, -2, -1, 0, 1, 2])
def test_agrees_with_numpy_gradient_edge_order_2_on_every_axis(axis: int) -> None:
    op = load("d1_central2").d1_central2
    f = np.random.default_rng(1).standard_normal((7, 9, 11))
    np.testing.assert_allclose(
        op(f, 0.3, axis=axis),
        np.gradient(f, 0.3, axis=axis, edge_order=2),
        rtol=1e-13,
        atol=1e-13,
    )


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_coordinates_agree_with_numpy_gradient(axis: int) -> None:
    module = load("d1_nonuniform2")
    rng = np.random.default_rng(5)
    f = rng.standard_normal((6, 8, 10))
    x = np.cumsum(rng.uniform(0.5, 1.5, f.shape[axis]))
    expected = np.gradient(f, x, axis=axis, edge_order=2)
    np.testing.assert_allclose(
        module.d1_nonuniform2(f, x, axis=axis), expected, rtol=1e-12, atol=1e-12
    )
    # Weights computed once for the grid, reused on other arrays.
    weights = module.d1_nonuniform2_weights(x)
    g = rng.standard_normal(f.shape)
    np.testing.assert_array_equal(
        module.d1_nonuniform2_apply(g, weights, axis=axis),
        module.d1_nonuniform2(g, x, axis=axis),
    )


def test_second_derivative_keeps_accuracy_2_on_non_uniform_grids() -> None:
    op = load("d2_nonuniform2").d2_nonuniform2
    rng = np.random.default_rng(11)
    errors, steps = [], []
    for n in (41, 81, 161, 321):
        x = np.linspace(0, 2, n)
        x[1:-1] += rng.uniform(-0.25, 0.25, n - 2) * (2 / (n - 1))
        error = np.abs(op(np.sin(x), x) + np.sin(x))
        errors.append(error.max())
        steps.append(2 / (n - 1))
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    # Three-point second derivatives (findiff, numpy-style) measure about 1 here.
    assert slope > 1.7


def test_dtypes() -> None:
    op = load("d2_central8").d2_central8
    f64 = np.sin(np.linspace(0, 3, 40))
    assert op(f64.astype(np.float32), 0.1).dtype == np.float32
    np.testing.assert_allclose(
        op(f64.astype(np.float32), 0.1), op(f64, 0.1), rtol=1e-3, atol=5e-2
    )
    z = f64 + 1j * np.cos(np.linspace(0, 3, 40))
    result = op(z, 0.1)
    assert result.dtype == np.complex128
    np.testing.assert_allclose(result.real, op(z.real, 0.1), rtol=1e-14)
    np.testing.assert_allclose(result.imag, op(z.imag, 0.1), rtol=1e-14)
    assert op(z.astype(np.complex64), 0.1).dtype == np.complex64
    ints = np.arange(20) ** 2
    assert op(ints).dtype == np.float64
    np.testing.assert_allclose(op(ints), 2.0, atol=1e-9)
    coords = load("d1_nonuniform2")
    x = np.cumsum(np.linspace(1, 2, 12))
    assert coords.d1_nonuniform2(f64[:12].astype(np.float32), x).dtype == np.float32


def test_out_argument_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("d1_central2")
    f = np.random.default_rng(2).standard_normal((5, 3000))
    out = np.empty_like(f)
    assert module.d1_central2(f, 0.5, out=out) is out
    expected = np.gradient(f, 0.5, axis=-1, edge_order=2)
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-13)
    monkeypatch.setattr(module, "_BLOCK", 7)  # many small pieces, both split kinds
    for axis in (0, 1):
        np.testing.assert_allclose(
            module.d1_central2(f, 0.5, axis=axis),
            np.gradient(f, 0.5, axis=axis, edge_order=2),
            rtol=1e-13,
            atol=1e-13,
        )


def test_periodic_and_staggered_valid() -> None:
    n = 64
    x = np.arange(n) * (2 * np.pi / n)
    h = x[1]
    periodic = load("d1_periodic4").d1_periodic4(np.sin(3 * x), h)
    assert periodic.shape == (n,)
    # The wrapped edges are as accurate as the interior.
    error = np.abs(periodic - 3 * np.cos(3 * x))
    assert error[:2].max() < 2 * error[2:-2].max()
    staggered = load("d1_staggered4").d1_staggered4(np.sin(x), h)
    assert staggered.shape == (n - 3,)
    np.testing.assert_allclose(staggered, np.cos(x[1:-2] + h / 2), atol=1e-4)


def test_bad_arguments_raise_clear_errors() -> None:
    module = load("d2_central8")
    op = module.d2_central8
    with pytest.raises(
        ValueError, match=r"needs at least 10 points along axis 0, got 9"
    ):
        op(np.ones((9, 20)), axis=0)
    with pytest.raises(
        ValueError, match=r"axis 2 is out of bounds for an array of dimension 2"
    ):
        op(np.ones((20, 20)), axis=2)
    with pytest.raises(ValueError, match=r"out has shape \(3,\), expected \(20,\)"):
        op(np.ones(20), out=np.empty(3))
    with pytest.raises(
        ValueError, match="out has dtype int64, which cannot hold float64"
    ):
        op(np.ones(20), out=np.empty(20, dtype=np.int64))
    with pytest.raises(TypeError, match="out must be a numpy array, got list"):
        op(np.ones(20), out=[0.0] * 20)
    f = np.ones(20)
    with pytest.raises(ValueError, match="out must not overlap f"):
        op(f, out=f)
    with pytest.raises(ValueError, match="h must be a finite, non-zero spacing"):
        op(f, 0.0)
    with pytest.raises(TypeError, match="h must be a scalar"):
        op(f, np.ones(20))
    with pytest.raises(ValueError, match="at least one dimension"):
        op(3.0)
    coords = load("d1_nonuniform2")
    with pytest.raises(ValueError, match="strictly monotonic"):
        coords.d1_nonuniform2(np.ones(5), [0, 1, 1, 2, 3])
    weights = coords.d1_nonuniform2_weights(np.arange(5.0))
    with pytest.raises(ValueError, match="weights are for 5 points but f has 6"):
        coords.d1_nonuniform2_apply(np.ones(6), weights)


# Entries outside the bundled spec: each is generated in memory and must pass its
# own verification (polynomials, convergence interior and edges).
EXTRA = [
    '[e]\nderivative = 1\naccuracy = 3\nstencil = "backward"\n',
    "[e]\nderivative = 3\naccuracy = 2\n",
    "[e]\nderivative = 4\naccuracy = 2\n",
    '[e]\nderivative = 1\naccuracy = 6\nboundary = "periodic"\n',
    '[e]\nderivative = 2\naccuracy = 4\ngrid = "coordinates"\n',
    '[e]\nderivative = 1\naccuracy = 3\ngrid = "coordinates"\nstencil = "forward"\n',
    '[e]\nderivative = 1\noffsets = [0, 1]\nat = "1/2"\nboundary = "periodic"\n',
    "[e]\nderivative = 2\noffsets = [-1, 0, 1, 2, 3]\n",
    '[e]\nderivative = 1\naccuracy = 2\ngrid = "coordinates"\nboundary = "valid"\n',
]


@pytest.mark.parametrize("text", EXTRA)
def test_other_entries_generate_verified_ruff_clean_code(text: str) -> None:
    entry = parse_spec(text).entries[0]
    module = generate(entry, Renderer(), spec_name="s.toml", command="c", inputs="i")
    assert module.rows and all(row.passed for row in module.rows), module.rows
    for args in (["check", "-"], ["format", "--check", "-"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--stdin-filename", "generated/e.py"],
            input=module.source,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_decreasing_coordinates_and_empty_arrays() -> None:
    coords = load("d1_nonuniform2")
    x = np.cumsum(np.random.default_rng(4).uniform(0.5, 1.5, 20))[::-1].copy()
    np.testing.assert_allclose(
        coords.d1_nonuniform2(np.sin(x), x),
        np.gradient(np.sin(x), x, edge_order=2),
        rtol=1e-12,
        atol=1e-12,
    )
    assert coords.d1_nonuniform2(np.ones((0, 5)), np.arange(5.0)).shape == (0, 5)
    op = load("d2_central8").d2_central8
    assert op(np.ones((0, 20))).shape == (0, 20)
    assert op(np.ones((20, 0)), axis=0).shape == (20, 0)
    assert op(np.ones((3, 12, 0)), axis=1).shape == (3, 12, 0)
    assert load("d1_periodic4").d1_periodic4(np.ones((0, 8))).shape == (0, 8)


@settings(max_examples=examples(25), deadline=None)
@given(
    derivative=st.integers(1, 4),
    family=st.sampled_from(["central", "forward", "backward"]),
    accuracy=st.integers(1, 8),
    grid=st.sampled_from(["uniform", "coordinates"]),
    boundary=st.sampled_from(["one-sided", "periodic", "valid"]),
)
def test_any_family_entry_matches_sympy_weights_and_verifies(
    derivative: int, family: str, accuracy: int, grid: str, boundary: str
) -> None:
    if family == "central" and grid == "uniform":
        accuracy += accuracy % 2  # central stencils have even accuracy
    if grid == "coordinates":
        accuracy = min(accuracy, 4)
        boundary = "valid" if boundary == "periodic" else boundary
    text = (
        f"[e]\nderivative = {derivative}\naccuracy = {accuracy}\n"
        f'stencil = "{family}"\nboundary = "{boundary}"\ngrid = "{grid}"\n'
    )
    entry = parse_spec(text).entries[0]
    module = generate(entry, Renderer(), spec_name="s.toml", command="c", inputs="i")
    assert all(row.passed for row in module.rows), module.rows
    # Independent oracle: SymPy's own Fornberg weights on the same offsets (a
    # coordinate operator on a uniform grid must reduce to them).
    offsets = list(entry.config.offsets)
    oracle = sympy.finite_diff_weights(derivative, offsets, 0)[derivative][-1]
    f = np.random.default_rng(derivative).standard_normal(40)
    h = 0.5
    op = load_module(module.source, "e").e
    result = op(f, h * np.arange(40.0)) if grid == "coordinates" else op(f, h)
    lo, hi = -offsets[0], offsets[-1]
    expected = (
        sum(
            float(w) * f[lo + o : len(f) - hi + o]
            for o, w in zip(offsets, oracle, strict=True)
        )
        / h**derivative
    )
    inner = result[lo : len(f) - hi] if boundary != "valid" else result
    np.testing.assert_allclose(inner, expected, rtol=1e-11, atol=1e-8)


@pytest.mark.slow
def test_every_family_grid_and_boundary_is_ruff_clean(tmp_path: Path) -> None:
    renderer = Renderer()
    count = 0
    for grid in ("uniform", "coordinates"):
        for derivative, accuracy in ((1, 2), (2, 4), (3, 3), (4, 8), (2, 1)):
            for family in ("central", "forward", "backward"):
                for boundary in ("one-sided", "periodic", "valid"):
                    if grid == "uniform" and family == "central" and accuracy % 2:
                        continue
                    if grid == "coordinates" and accuracy > 4:
                        continue
                    name = f"e{count}"
                    text = (
                        f"[{name}]\nderivative = {derivative}\naccuracy = {accuracy}\n"
                        f'stencil = "{family}"\nboundary = "{boundary}"\n'
                        f'grid = "{grid}"\n'
                    )
                    entry = parse_spec(text).entries[0]
                    module = generate(
                        entry, renderer, spec_name="s.toml", command="c", inputs="i"
                    )
                    assert all(row.passed for row in module.rows), (text, module.rows)
                    (tmp_path / f"{name}.py").write_text(module.source)
                    count += 1
    assert count > 50
    config = ["--config", str(ROOT / "pyproject.toml")]
    for args in (["check", *config], ["format", "--check", *config]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[:3000]


@pytest.mark.parametrize(
    "text",
    [
        '[e]\nderivative = 2\naccuracy = 4\nboundary = "valid"\n',
        '[e]\nderivative = 1\noffsets = [-1, 0, 1, 2]\nat = "1/2"\nboundary = "valid"',
        '[e]\nderivative = 1\noffsets = [0, 1]\nat = "1/2"\nboundary = "periodic"',
        '[e]\nderivative = 1\naccuracy = 2\ngrid = "coordinates"\nboundary = "valid"\n',
        '[e]\nderivative = 3\naccuracy = 2\ngrid = "coordinates"\n',
    ],
)
def test_n_dimensional_equals_one_dimensional_along_every_axis(text: str) -> None:
    entry = parse_spec(text).entries[0]
    source = generate(entry, Renderer(), spec_name="s", command="c", inputs="i").source
    module = load_module(source, "e")
    rng = np.random.default_rng(9)
    f = rng.standard_normal((12, 14, 16))
    for block in (32768, 5):  # one piece, and many pieces of both kinds
        module._BLOCK = block
        for axis in (0, 1, 2, -1):
            if entry.config.grid == "coordinates":
                spacing = np.cumsum(rng.uniform(0.5, 1.5, f.shape[axis]))
            else:
                spacing = 0.5
            whole = module.e(f, spacing, axis=axis)
            lines = np.apply_along_axis(module.e, axis, f, spacing)
            if entry.config.grid == "coordinates":
                # The weights on every line: bit for bit. A float64 1-D call
                # takes Newton's divided differences: equal to rounding.
                weights = module.e_weights(spacing)
                rows = np.apply_along_axis(module.e_apply, axis, f, weights)
                np.testing.assert_array_equal(whole, rows)
                np.testing.assert_allclose(whole, lines, rtol=1e-12, atol=1e-12)
            else:
                # A 1-D array takes numpy's correlate, which orders the sum
                # otherwise: equal to rounding.
                np.testing.assert_allclose(whole, lines, rtol=1e-12, atol=1e-12)
