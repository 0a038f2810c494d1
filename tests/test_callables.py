"""The generated callables module: derivatives of Python functions, run for real.

The bundled module (the ``[callables]`` entry of ``stencils.toml``: central,
accuracy 4) is rendered in memory from the current templates, as are other
entries (forward, staggered, second derivative); ``tests/test_build.py`` checks
that ``generated/callables.py`` is that same text.
"""

from __future__ import annotations

import ast
import doctest
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy
from conftest import ROOT
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess

from stencilgen import central, forward, make_stencil
from stencilgen.build import render_body
from stencilgen.errors import SpecError
from stencilgen.kinds import callables as kind
from stencilgen.render import Renderer
from stencilgen.spec import Entry, Fields, load_spec
from stencilgen.steps import step_rule
from stencilgen.verify import load_module


@pytest.fixture(scope="module")
def source() -> str:
    """The bundled module's text, as the current templates render it."""
    spec = load_spec(ROOT / "stencils.toml")
    (entry,) = [e for e in spec.entries if e.name == "callables"]
    return render_body(entry, Renderer())[1]


@pytest.fixture(scope="module")
def gen(source: str) -> ModuleType:
    return load_module(source, "generated_callables")


def render(table: dict[str, Any], name: str = "c") -> ModuleType:
    config = kind.parse(Fields("stencils.toml", name, table))
    entry = Entry(name, "callables", {"kind": "callables", **table}, config)
    return load_module(render_body(entry, Renderer())[1], name)


class Counter:
    """Wraps f, counting calls and recording the shapes it was called with."""

    def __init__(self, f: Any) -> None:
        self.f = f
        self.calls = 0
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        self.shapes.append(np.shape(x))
        return self.f(x)


# --- the module itself ------------------------------------------------------------


def test_standalone_imports_only_numpy_and_the_standard_library(source: str) -> None:
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "collections", "typing", "numpy"}


def test_docstring_examples_run(gen: ModuleType) -> None:
    failures, tried = doctest.testmod(gen, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 6 and failures == 0


def test_constants_are_the_exact_stencil_printed_exactly(
    gen: ModuleType, source: str
) -> None:
    stencil = central(1, 4)
    rule = step_rule(stencil)
    pairs = [(o, w) for o, w in zip(stencil.offsets, stencil.weights, strict=True) if w]
    assert tuple(float(o) for o, _ in pairs) == gen.OFFSETS
    assert tuple(float(w) for _, w in pairs) == gen.WEIGHTS  # correctly rounded p/q
    assert gen.WEIGHT_SUM == float(rule.weight_sum) == 1.5
    assert gen.ERROR_COEFFICIENT == float(rule.error_coefficient) == -1 / 30
    assert gen.STEP_FACTOR == float(rule.factor) == 45 / 4
    assert rule.relative_step() == gen.RELATIVE_STEP
    assert gen.relative_step() == pytest.approx(gen.RELATIVE_STEP, rel=2e-16)
    second = step_rule(central(2, 4))
    assert second.relative_step() == gen.HESSIAN_RELATIVE_STEP
    # Independent oracle: SymPy's weights, the error coefficient from the first
    # non-vanishing moment, and the step formula of the module docstring.
    oracle = sympy.finite_diff_weights(1, [-2, -1, 0, 1, 2], 0)[1][-1]
    assert tuple(float(w) for w in oracle if w) == gen.WEIGHTS
    c = sum(w * k**5 for w, k in zip(oracle, range(-2, 3), strict=True)) / 120
    assert c == sympy.Rational(-1, 30)
    total = sum(abs(w) for w in oracle)
    expected = (1 * 2.0**-52 * float(total) / (4 * abs(float(c)))) ** (1 / 5)
    assert pytest.approx(expected, rel=1e-15) == gen.RELATIVE_STEP
    text = source
    assert "h_rel = (m·ε·Σ|w| / (p·|C|)) ** (1/(m+p))" in text
    assert "Assumption: f varies on the length scale s = max(1, |x|)" in text
    assert "RELATIVE_STEP = 0.0012009323661373843" in text


# --- derivative -------------------------------------------------------------------


def test_derivative_is_exact_on_polynomials_of_degree_up_to_four(
    gen: ModuleType,
) -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, 50)
    for degree in range(5):
        p = np.polynomial.Polynomial(rng.uniform(-1, 1, degree + 1))
        approx = gen.derivative(p, x, 0.5)
        assert np.max(np.abs(approx - p.deriv()(x))) < 1e-13
    quintic = np.polynomial.Polynomial([0, 0, 0, 0, 0, 1])
    # Degree 5: exactly the leading error C·h⁴·f⁽⁵⁾ = -h⁴·120/30.
    assert gen.derivative(quintic, 0.3, 0.5) - quintic.deriv()(0.3) == pytest.approx(
        -(0.5**4) * 4, rel=1e-12
    )


def test_derivative_is_vectorised_with_one_call_per_stencil_point(
    gen: ModuleType,
) -> None:
    x = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    f = Counter(np.sin)
    d = gen.derivative(f, x)
    assert d.shape == (3, 4)
    assert f.calls == 4 and set(f.shapes) == {(3, 4)}
    assert np.max(np.abs(d - np.cos(x))) < 1e-12
    # Beyond |x| = 1 the step grows with |x| (f assumed to vary on that scale);
    # sin does not, so the error grows like |x|**4 but stays small.
    far = np.array([3.0, -3.0])
    assert np.max(np.abs(gen.derivative(np.sin, far) - np.cos(far))) < 1e-10
    scalar = gen.derivative(np.exp, 1.0)
    assert np.ndim(scalar) == 0 and abs(scalar - math.e) < 1e-12


def test_measured_convergence_order_is_four(gen: ModuleType) -> None:
    x = np.array([0.4, 1.1])
    steps = np.array([0.2, 0.1, 0.05, 0.025])
    errors = [np.max(np.abs(gen.derivative(np.sin, x, h) - np.cos(x))) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert abs(slope - 4) < 0.1


def test_default_step_is_the_documented_rule(gen: ModuleType) -> None:
    x = np.array([0.0, -0.5, 3.0, -1e4])
    result = gen.derivative(np.sin, x, full_output=True)
    expected = gen.RELATIVE_STEP * np.maximum(1, np.abs(x))
    assert np.array_equal(result.h, (x + expected) - x)
    assert np.all((x + result.h) - x == result.h)  # exactly representable
    given = gen.derivative(np.sin, x, 1e-3, full_output=True)
    assert np.all(given.h == 1e-3)


def test_default_step_beats_fixed_steps_on_many_functions(gen: ModuleType) -> None:
    x = np.linspace(0.5, 2.5, 101)
    cases = [(np.sin, np.cos), (np.exp, np.exp), (np.log, lambda t: 1 / t)]
    for f, df in cases:
        exact = df(x)
        ours = np.median(np.abs(gen.derivative(f, x) - exact) / np.abs(exact))
        assert ours < 1e-11
        for h in (1e-2, 1e-5, 1e-7):
            fixed = np.median(np.abs(gen.derivative(f, x, h) - exact) / np.abs(exact))
            assert ours < fixed


def test_full_output_estimates_the_error(gen: ModuleType) -> None:
    x = np.linspace(0.1, 3.0, 300)
    for f, df in [(np.sin, np.cos), (np.exp, np.exp)]:
        result = gen.derivative(f, x, full_output=True)
        assert np.array_equal(result.df, gen.derivative(f, x))
        # Offsets ±1, ±2; for step 2h also ±4, for h/2 ±1/2, for h/4 ±1/4.
        assert result.nfev == 10
        actual = np.abs(result.df - df(x))
        assert np.mean(result.error >= actual) > 0.95
        assert np.median(result.error) < 30 * np.median(actual)
    # With a large step the estimate tracks the truncation error closely.
    big = gen.derivative(np.sin, x, 0.05, full_output=True)
    actual = np.abs(big.df - np.cos(x))
    ratio = big.error[actual > 1e-9] / actual[actual > 1e-9]
    assert np.all((ratio > 0.8) & (ratio < 1.3))


def test_error_is_inf_when_the_step_is_outside_the_asymptotic_range(
    gen: ModuleType,
) -> None:
    # At x = 1e6 the default step (RELATIVE_STEP·|x| ≈ 1200) exceeds sin's period:
    # df is wrong, and the error estimate must not claim otherwise.
    result = gen.derivative(np.sin, 1e6, full_output=True)
    assert abs(result.df - math.cos(1e6)) > 0.5
    assert result.error == np.inf
    doc = " ".join(gen.Result.__doc__.split())
    assert "the step is outside the asymptotic range" in doc
    assert "pass a smaller h" in doc
    # A small enough step is trusted again, and honest: x + o·h is rounded to
    # the spacing of doubles near 1e6 (1.2e-10), which the bound includes.
    small = gen.derivative(np.sin, 1e6, 1e-3, full_output=True)
    assert abs(small.df - math.cos(1e6)) <= small.error < 1e-6
    exact = gen.derivative(np.sin, 1e6, 2.0**-10, full_output=True)
    assert abs(exact.df - math.cos(1e6)) <= exact.error < 1e-8
    # The same for functions of several variables.
    grad = gen.gradient(lambda p: np.sin(p[0]) + p[1], [1e6, 2.0], full_output=True)
    assert grad.error[0] == np.inf and grad.error[1] < 1e-12
    full = gen.hessian(lambda p: np.sin(p[0]) + p[1] ** 3, [1e6, 2.0], full_output=True)
    assert full.error[0, 0] == np.inf and np.isfinite(full.error[1, 1])


def test_error_stays_finite_in_the_asymptotic_range(gen: ModuleType) -> None:
    # Near zeros of f (cos at pi/2, x - 1.5) the round-off bound from |f| is small,
    # the rounding of x + o·h is not: no false alarm there, nor elsewhere.
    x = np.linspace(0.1, 3.0, 300)
    functions = [np.sin, np.cos, np.exp, np.log, lambda t: t - 1.5, np.cosh]
    for f in functions:
        for points in (x, 30 * x):
            result = gen.derivative(f, points, full_output=True)
            assert np.all(np.isfinite(result.error))
    rng = np.random.default_rng(5)
    for _ in range(5):
        p = rng.normal(size=4) * 3
        assert np.all(np.isfinite(gen.gradient(rosen, p, full_output=True).error))
        assert np.all(np.isfinite(gen.hessian(rosen, p, full_output=True).error))


# --- gradient, jacobian, hessian ------------------------------------------------------


def test_gradient_of_rosenbrock_costs_4n_calls(gen: ModuleType) -> None:
    x = np.array([-1.2, 1.0, 0.3, 2.0, -0.7])
    f = Counter(rosen)
    g = gen.gradient(f, x)
    assert f.calls == 4 * x.size and set(f.shapes) == {(5,)}
    exact = rosen_der(x)
    assert np.max(np.abs(g - exact)) / np.max(np.abs(exact)) < 1e-11


def test_forward_gradient_costs_n_plus_1_calls() -> None:
    module = render({"stencil": "forward", "accuracy": 1})
    x = np.array([0.3, -1.0, 2.0, 0.5])
    f = Counter(rosen)
    g = module.gradient(f, x)
    assert f.calls == x.size + 1
    assert np.max(np.abs(g - rosen_der(x))) / np.max(np.abs(rosen_der(x))) < 1e-6
    assert "(n + 1 calls)" in module.gradient.__doc__


def test_jacobian_of_a_vector_function(gen: ModuleType) -> None:
    def f(v: Any) -> Any:
        return np.array([v[0] * v[1] ** 2, np.sin(v[0]) + v[2], np.exp(v[1] * v[2])])

    x = np.array([0.7, -0.4, 1.3])
    exact = np.array(
        [
            [x[1] ** 2, 2 * x[0] * x[1], 0.0],
            [np.cos(x[0]), 0.0, 1.0],
            [0.0, x[2] * np.exp(x[1] * x[2]), x[1] * np.exp(x[1] * x[2])],
        ]
    )
    jac = gen.jacobian(f, x)
    assert jac.shape == (3, 3)
    assert np.max(np.abs(jac - exact)) < 1e-11
    result = gen.jacobian(f, x, full_output=True)
    assert result.error.shape == (3, 3)
    assert np.all(result.error >= np.abs(result.df - exact))


def test_hessian_tensor_product_with_shared_evaluations(gen: ModuleType) -> None:
    x = np.array([-1.2, 1.0, 0.8])
    n = x.size
    f = Counter(rosen)
    hess = gen.hessian(f, x)
    exact = rosen_hess(x)
    assert np.array_equal(hess, hess.T)
    assert np.max(np.abs(hess - exact)) / np.max(np.abs(exact)) < 1e-9
    # f(x) once for all diagonal entries, 4 axis points per coordinate, and the
    # 4 × 4 tensor-product points of each pair i < j.
    assert f.calls == 1 + 4 * n + 16 * n * (n - 1) // 2


def test_hessian_full_output(gen: ModuleType) -> None:
    x = np.array([-1.2, 1.0, 0.8])
    n = x.size
    exact = rosen_hess(x)
    f = Counter(rosen)
    result = gen.hessian(f, x, full_output=True)
    assert np.array_equal(result.df, gen.hessian(rosen, x))
    assert result.nfev == f.calls
    # Axis points {0, ±1, ±2} ∪ {±2, ±4} ∪ {±1/2, ±1} ∪ {±1/4, ±1/2}; pairs
    # {±1, ±2}², {±2, ±4}², {±1/2, ±1}² and {±1/4, ±1/2}² share {±2}², {±1}², {±½}².
    assert f.calls == 1 + 10 * n + (16 * 4 - 3 * 4) * n * (n - 1) // 2
    assert np.all(result.error >= np.abs(result.df - exact))
    assert np.all(result.error < 1e-6 * np.max(np.abs(exact)))
    assert result.h.tolist() == [
        (xi + gen.HESSIAN_RELATIVE_STEP * max(1, abs(xi))) - xi for xi in x
    ]


def test_forward_hessian_shares_axis_points_between_entries() -> None:
    module = render({"stencil": "forward", "accuracy": 1})
    x = np.array([0.3, -1.0, 2.0])
    n = x.size
    f = Counter(rosen)
    hess = module.hessian(f, x)
    # Diagonal: f(x), f(x + h e_i), f(x + 2h e_i); mixed: only f(x + h e_i + h e_j)
    # is new, the other three tensor-product points are shared.
    assert f.calls == 1 + 2 * n + n * (n - 1) // 2
    assert np.max(np.abs(hess - rosen_hess(x))) / np.max(np.abs(rosen_hess(x))) < 1e-3


def test_works_as_jac_for_scipy_minimize(gen: ModuleType) -> None:
    result = minimize(
        rosen, [-1.2, 1.0], jac=lambda v: gen.gradient(rosen, v), method="BFGS"
    )
    assert result.success
    assert np.allclose(result.x, [1.0, 1.0], atol=1e-6)


# --- other spec entries --------------------------------------------------------------


def test_second_derivative_entry_has_no_gradient() -> None:
    module = render({"derivative": 2, "accuracy": 4})
    x = np.linspace(0.1, 2.0, 20)
    assert np.max(np.abs(module.derivative(np.sin, x) + np.sin(x))) < 1e-8
    assert not hasattr(module, "gradient")
    assert step_rule(central(2, 4)).relative_step() == module.RELATIVE_STEP


def test_staggered_offsets_take_the_derivative_at_x() -> None:
    module = render({"offsets": [0, 1], "at": "1/2"})
    assert module.OFFSETS == (-0.5, 0.5)
    assert (
        step_rule(make_stencil(1, [0, 1], "1/2")).relative_step()
        == module.RELATIVE_STEP
    )
    x = np.linspace(-1, 1, 9)
    assert np.max(np.abs(module.derivative(np.exp, x) - np.exp(x))) < 1e-9


def test_forward_entry_constants() -> None:
    module = render({"stencil": "forward", "accuracy": 2})
    stencil = forward(1, 2)
    assert tuple(float(w) for w in stencil.weights) == module.WEIGHTS
    assert float(stencil.error_coefficient) == module.ERROR_COEFFICIENT
    h = sympy.Symbol("h")
    # Independent check of C: the series of the stencil applied to exp.
    series = sympy.series(
        sum(
            w * sympy.exp(o * h)
            for w, o in zip(stencil.weights, stencil.offsets, strict=True)
        )
        / h
        - 1,
        h,
        0,
        3,
    ).removeO()
    assert sympy.expand(series) == stencil.error_coefficient * h**2


# --- bad input ---------------------------------------------------------------------


def test_non_callable_f(gen: ModuleType) -> None:
    with pytest.raises(
        TypeError, match="f must be a callable such as a function or lambda, got int"
    ):
        gen.derivative(3, 1.0)
    with pytest.raises(TypeError, match="f must be a callable"):
        gen.gradient("sin", [1.0, 2.0])


def test_wrong_shape_from_f(gen: ModuleType) -> None:
    with pytest.raises(
        ValueError, match=r"f returned shape \(\) for x of shape \(3,\)"
    ):
        gen.derivative(lambda t: 1.0, np.ones(3))
    with pytest.raises(ValueError, match="gradient and hessian need a scalar-valued f"):
        gen.gradient(lambda v: v, [1.0, 2.0])
    calls = iter(range(100))

    def changing(v: Any) -> Any:
        return np.zeros(2 if next(calls) == 0 else 3)

    with pytest.raises(ValueError, match=r"f must always return the same shape"):
        gen.jacobian(changing, [1.0, 2.0])


def test_non_finite_values_name_the_sample_point(gen: ModuleType) -> None:
    with (
        pytest.raises(
            ValueError,
            match=r"f returned nan at the sample point x \+ \(-2\)·h = "
            r"-0\.00140186\d+ \(element \(1,\)\); .* move x away from a "
            r"singularity or pass a smaller h",
        ),
        np.errstate(invalid="ignore"),
    ):  # log of a negative sample point
        gen.derivative(np.log, np.array([0.5, 1e-3, 2.0]))
    with pytest.raises(
        ValueError,
        match=r"f returned inf at the sample point x \+ \(-2\)·h\[1\]·e\[1\] = "
        r"\[0\.0, -0\.002, 2\.0\]",
    ):
        gen.gradient(lambda v: 1 / v[0] if v[0] else np.inf, [0.0, 0.0, 2.0], h=1e-3)
    for x in (1.0, [1.0, 2.0]):
        with pytest.raises(
            TypeError,
            match=r"f must return real numbers, got dtype complex128 at the sample "
            r"point x \+ \(-2\)·h = ",
        ):
            gen.derivative(lambda t: t + 1j, x)


def test_bad_steps(gen: ModuleType) -> None:
    for h in (0, -1e-3, np.inf, [1e-3, -1e-3]):
        with pytest.raises(ValueError, match="h must be positive and finite"):
            gen.derivative(np.sin, [1.0, 2.0], h)
    with pytest.raises(
        ValueError, match=r"h of shape \(3,\) does not match x of shape \(2,\)"
    ):
        gen.gradient(rosen, [1.0, 2.0], h=[1e-3] * 3)
    with pytest.raises(TypeError, match="h must be real numbers"):
        gen.derivative(np.sin, 1.0, h="small")


def test_bad_points(gen: ModuleType) -> None:
    with pytest.raises(
        ValueError, match=r"gradient needs x as a 1-D array .* got shape \(2, 2\)"
    ):
        gen.gradient(rosen, np.ones((2, 2)))
    with pytest.raises(
        ValueError, match=r"hessian needs x as a 1-D array .* got a scalar"
    ):
        gen.hessian(rosen, 1.0)
    with pytest.raises(
        ValueError, match=r"jacobian needs x as a 1-D array .* got shape \(0,\)"
    ):
        gen.jacobian(rosen, [])
    with pytest.raises(ValueError, match="x must be finite, got nan"):
        gen.derivative(np.sin, [1.0, np.nan])
    with pytest.raises(
        TypeError, match="x must be real numbers, got an array of dtype complex128"
    ):
        gen.derivative(np.sin, 1j)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"stencil": "central", "accuracy": 3},
            r"key 'accuracy': central stencils have even accuracy only",
        ),
        ({"offsets": [0]}, r"key 'offsets': .*offsets"),
        ({"offsets": [0, "hd"]}, r"key 'offsets\[1\]': must be a number"),
        (
            {"offsets": [0, 1], "stencil": "forward"},
            "key 'offsets': give either offsets or stencil/accuracy",
        ),
        ({"accuracy": 2, "at": "1/2"}, "key 'at': at needs explicit offsets"),
        (
            {"derivative": 0, "offsets": [0, 1], "at": "1/2"},
            "key 'derivative': must be at least 1",
        ),
        ({"stencil": "sideways"}, "key 'stencil': unknown value 'sideways'"),
    ],
)
def test_a_stencil_the_spec_cannot_build(table: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=r"^stencils\.toml: entry \[c\], " + message):
        kind.parse(Fields("stencils.toml", "c", table))


ENTRIES = [
    {"stencil": "forward", "accuracy": 1},
    {"stencil": "forward", "accuracy": 3},
    {"stencil": "backward", "accuracy": 2},
    {"accuracy": 2},
    {"accuracy": 8},
    {"derivative": 2, "accuracy": 2},
    {"derivative": 3, "stencil": "forward", "accuracy": 2},
    {"offsets": [-1, "-1/3", "1/3", 1]},
    {"offsets": [0, 1, 3]},
    {"offsets": [0, 1], "at": "1/2"},
]


@pytest.mark.parametrize("table", ENTRIES, ids=[str(t) for t in ENTRIES])
def test_any_entry_renders_clean_verified_code(
    table: dict[str, Any], tmp_path: Path
) -> None:
    config = kind.parse(Fields("stencils.toml", "c", table))
    entry = Entry("c", "callables", table, config)
    plan, text = render_body(entry, Renderer())
    assert text == render_body(entry, Renderer())[1]  # deterministic
    assert text.endswith("\n") and not text.endswith("\n\n")
    rows = kind.verify(plan, load_module(text, "c"))
    assert rows and all(row.passed for row in rows), rows
    path = tmp_path / "c.py"
    path.write_text(text)
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = subprocess.run(
            [str(ruff), *command, str(path)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
