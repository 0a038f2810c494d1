"""``vectorized=True`` of the generated callables: f evaluated on batches of points.

With a step ``h`` given, the batched evaluation must sample exactly the points of
the one-point-per-call evaluation and combine them in the same order, so with a
function evaluated elementwise the results, error estimates and evaluation counts
are identical, in far fewer calls. Without ``h`` it evaluates the step ladder
(the stencil at the default step times 2**j) and keeps, per element, the step
with the smallest estimated error: checked here against exact derivatives
(SymPy) on polynomials, where truncation vanishes and the error must fall to
round-off at the top of the ladder, on functions with large high derivatives,
where it must not take a larger step, and on noisy functions.
"""

from __future__ import annotations

import math
import re
import warnings
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy
from scipy.optimize import rosen, rosen_der, rosen_hess

from stencilgen.build import render_body
from stencilgen.kinds import callables as kind
from stencilgen.render import Renderer
from stencilgen.spec import Entry, Fields
from stencilgen.verify import load_module


def _render(table: dict[str, Any], name: str) -> ModuleType:
    config = kind.parse(Fields("stencils.toml", name, table))
    entry = Entry(name, "callables", {"kind": "callables", **table}, config)
    return load_module(render_body(entry, Renderer())[1], name)


@pytest.fixture(scope="module", params=["central4", "forward1", "central2"])
def module(request: Any) -> ModuleType:
    tables = {
        "central4": {"accuracy": 4},
        "forward1": {"stencil": "forward", "accuracy": 1},
        "central2": {"accuracy": 2},
    }
    return _render(tables[request.param], f"c_{request.param}")


class Calls:
    def __init__(self, f: Any) -> None:
        self.f, self.calls, self.points = f, 0, 0

    def __call__(self, p: Any) -> Any:
        self.calls += 1
        self.points += 1 if np.ndim(p) < 2 else np.shape(p)[-1]
        return self.f(p)


def scalar(p: Any) -> Any:
    return p[0] ** 2 * p[1] + np.sin(p[1]) * p[2] - np.exp(0.3 * p[0] * p[2])


def vector(p: Any) -> Any:
    return np.stack([p[0] * p[1] ** 2, np.cos(p[2]) * p[0], p[1] - p[2] ** 3])


X = np.array([0.7, -1.3, 0.4])


def assert_identical(expected: Any, result: Any) -> None:
    """Arrays (or every field of a Result) equal bit for bit."""
    parts = list(expected) if isinstance(expected, tuple) else [expected]
    others = list(result) if isinstance(result, tuple) else [result]
    assert len(parts) == len(others)
    for e, r in zip(parts, others, strict=True):
        np.testing.assert_array_equal(r, e)


# A step per coordinate, as the default would choose it, but given.
H = 1e-3 * np.maximum(1.0, np.abs(X))


@pytest.mark.parametrize("full_output", [False, True])
def test_given_step_same_points_same_results(
    module: ModuleType, full_output: bool
) -> None:
    for name, f in (("gradient", scalar), ("jacobian", vector), ("hessian", scalar)):
        function = getattr(module, name)
        one, batch = Calls(f), Calls(f)
        expected = function(one, X, H, full_output=full_output)
        result = function(batch, X, H, full_output=full_output, vectorized=True)
        assert batch.calls == 1 and batch.points == one.points == one.calls, name
        assert_identical(expected, result)


def test_derivative_vectorized_with_a_given_step(module: ModuleType) -> None:
    x = np.array([[0.2, 1.5], [-0.7, 3.0]])
    for full_output in (False, True):
        calls = Calls(np.sin)
        expected = module.derivative(np.sin, x, 1e-3, full_output=full_output)
        result = module.derivative(
            calls, x, 1e-3, full_output=full_output, vectorized=True
        )
        assert calls.calls == 1
        assert_identical(expected, result)


def within(error: Any, estimate: Any) -> bool:
    """The error within its estimate: Richardson's is asymptotic, so where the
    truncation dominates (the smallest steps of the ladder) it can fall short
    by the next-order term, measured below 0.1 %; 1.5 leaves room for that."""
    return bool(np.all(error <= 1.5 * estimate))


def _fixed(module: ModuleType, x: Any, hessian: bool = False) -> Any:
    """The default step of the non-vectorised call (made exact as it does)."""
    relative = module.HESSIAN_RELATIVE_STEP if hessian else module.RELATIVE_STEP
    x = np.asarray(x, dtype=float)
    return (x + relative * np.maximum(1.0, np.abs(x))) - x


class Sized:
    """Records the number of values of every batch f is called on."""

    def __init__(self, f: Any) -> None:
        self.f, self.sizes, self.points = f, [], 0

    def __call__(self, p: Any) -> Any:
        self.sizes.append(np.size(p))
        self.points += np.shape(p)[-1]
        return self.f(p)


def test_rosenbrock_ladder_beats_the_fixed_step(module: ModuleType) -> None:
    # Rosenbrock is a quartic: the accuracy-4 truncation vanishes, so the
    # fixed step's error is all round-off and the ladder climbs to its top.
    # For every stencil the ladder's estimate holds and its error is not far
    # from the fixed step's (forward accuracy 1, where the Richardson estimate
    # is roughest, measured 1.2 times worse at the worst component); where the
    # truncation vanishes it is far smaller.
    x = np.random.default_rng(0).uniform(-1, 1, 100)
    calls = Sized(rosen)
    result = module.gradient(calls, x, full_output=True, vectorized=True)
    exact = rosen_der(x)
    fixed = module.gradient(rosen, x, _fixed(module, x), vectorized=True)
    error, fixed_error = np.abs(result.df - exact), np.abs(fixed - exact)
    assert within(error, result.error)
    assert np.max(error) <= 1.5 * np.max(fixed_error)
    assert np.median(error) <= 1.5 * np.median(fixed_error)
    exact_on_quartics = module.ACCURACY >= 4
    if exact_on_quartics:
        assert np.max(error) <= np.max(fixed_error) / 10
    # One call per batch of at most _BATCH values; nfev counts every point.
    assert max(calls.sizes) <= module._BATCH
    assert len(calls.sizes) == math.ceil(result.nfev / (module._BATCH // x.size))
    assert calls.points == result.nfev
    y = x[:30]
    hess = module.hessian(rosen, y, full_output=True, vectorized=True)
    exact_h = rosen_hess(y)
    fixed_h = module.hessian(rosen, y, _fixed(module, y, True), vectorized=True)
    error_h, fixed_error_h = np.abs(hess.df - exact_h), np.abs(fixed_h - exact_h)
    assert within(error_h, hess.error)
    assert np.max(error_h) <= 1.5 * np.max(fixed_error_h)
    if exact_on_quartics:
        assert np.max(error_h) <= np.max(fixed_error_h) / 10
    assert np.array_equal(hess.df, hess.df.T) and hess.h.shape == (30, 30)


def _polynomial(degree: int, seed: int) -> tuple[Any, Any]:
    """A random integer polynomial and its exact derivative (SymPy)."""
    t = sympy.Symbol("t")
    rng = np.random.default_rng(seed)
    p = sum(int(c) * t**k for k, c in enumerate(rng.integers(-9, 10, degree + 1)))
    dp = sympy.diff(p, t)

    def f(x: Any) -> Any:
        return sympy.lambdify(t, p, "numpy")(x) + 0 * x

    def exact(x: Any) -> Any:
        return np.array([float(dp.subs(t, sympy.Rational(v))) for v in x])

    return f, exact


def test_ladder_reaches_round_off_on_polynomials(module: ModuleType) -> None:
    # Degree <= accuracy: the stencil is exact, truncation vanishes, so every
    # step's estimate is round-off falling like 1/h and the ladder takes its
    # top candidate (64 default steps). The error is then far below the
    # fixed step's and within the round-off at that step.
    x = np.array([-2.0, -0.3, 0.7, 1.9, 5.0])
    top = np.asarray(module._LADDER)[-2]
    for seed, degree in enumerate(range(1, module.ACCURACY + 1)):
        f, exact = _polynomial(degree, seed)
        result = module.derivative(f, x, full_output=True, vectorized=True)
        fixed = module.derivative(f, x, full_output=True)
        np.testing.assert_array_equal(result.h, top * fixed.h)
        error = np.abs(result.df - exact(x))
        assert within(error, result.error)
        assert np.max(error) <= np.max(np.abs(fixed.df - exact(x))) + 1e-15
        assert np.all(result.error <= fixed.error / 10)


def _fast_cases() -> list[tuple[str, Any, Any, Any]]:
    return [
        ("sin(20x)", lambda t: np.sin(20 * t), lambda t: 20 * np.cos(20 * t), 0.3),
        ("exp(15x)", lambda t: np.exp(15 * t), lambda t: 15 * np.exp(15 * t), 0.5),
        ("1/(x-1.02)", lambda t: 1 / (t - 1.02), lambda t: -1 / (t - 1.02) ** 2, 1.0),
        (
            "tanh(60x)",
            lambda t: np.tanh(60 * t),
            lambda t: 60 / np.cosh(60 * t) ** 2,
            0.01,
        ),
    ]


@pytest.mark.parametrize("case", _fast_cases(), ids=lambda c: c[0])
def test_ladder_never_climbs_on_large_high_derivatives(
    module: ModuleType, case: tuple[str, Any, Any, Any]
) -> None:
    # f varies on a scale far shorter than the default step assumes: the
    # larger steps' differences do not shrink like h**p, so the ladder stays
    # at or below the default step, and is at least as accurate as it.
    _, f, df, centre = case
    x = centre + np.linspace(-0.01, 0.01, 7)
    result = module.derivative(f, x, full_output=True, vectorized=True)
    fixed = module.derivative(f, x, full_output=True)
    assert np.all(result.h <= fixed.h)
    error = np.abs(result.df - df(x))
    assert within(error, result.error)
    assert np.max(error) <= np.max(np.abs(fixed.df - df(x)))


def test_ladder_on_a_noisy_function(module: ModuleType) -> None:
    # Noise far above the round-off the estimate assumes makes the level
    # differences random: the ladder must not pick a step on them (it keeps
    # the default) and must not be less accurate than the fixed step.
    x = np.linspace(0.2, 2.5, 40)
    for delta in (1e-12, 1e-9):
        rng = np.random.default_rng(3)

        def noisy(t: Any, delta: float = delta, rng: Any = rng) -> Any:
            return np.sin(t) * (1 + delta * rng.standard_normal(np.shape(t)))

        result = module.derivative(noisy, x, full_output=True, vectorized=True)
        fixed = module.derivative(noisy, x, full_output=True)
        assert np.all(result.h <= fixed.h)
        ladder_error = np.abs(result.df - np.cos(x))
        fixed_error = np.abs(fixed.df - np.cos(x))
        assert np.median(ladder_error) <= 2 * np.median(fixed_error)
        assert np.max(ladder_error) <= 2 * np.max(fixed_error)


def test_ladder_steps_outside_the_domain_are_skipped(module: ModuleType) -> None:
    # sqrt near 0: the far steps of the ladder reach x < 0 (nan): those
    # levels are dropped without a warning; a nan at the default step itself
    # still raises, naming the sample point, as without vectorized.
    x = np.array([0.05, 0.1, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = module.derivative(np.sqrt, x, full_output=True, vectorized=True)
        grad = module.gradient(
            lambda p: np.sqrt(p[0]) + np.log(p[1]), [0.05, 0.05], vectorized=True
        )
    exact = 0.5 / np.sqrt(x)
    assert within(np.abs(result.df - exact), result.error)
    fixed = module.gradient(lambda p: np.sqrt(p[0]) + np.log(p[1]), [0.05, 0.05])
    exact_grad = np.array([0.5 / np.sqrt(0.05), 20.0])
    assert np.max(np.abs(grad - exact_grad)) <= np.max(np.abs(fixed - exact_grad))
    with pytest.raises(ValueError, match=r"f returned nan at the sample point x"):
        module.derivative(np.sqrt, np.array([0.5, -1e-9]), vectorized=True)
    with pytest.raises(ValueError, match=r"f returned nan at the sample point x"):
        module.hessian(lambda p: np.sqrt(p[0]) * p[1], [-1e-9, 1.0], vectorized=True)


def test_ladder_counts_every_evaluation(module: ModuleType) -> None:
    calls = Sized(np.exp)
    x = np.array([0.1, 0.2, 0.3])
    result = module.derivative(calls, x, full_output=True, vectorized=True)
    # derivative: nfev is the evaluations per element of x, as documented.
    assert len(calls.sizes) == 1 and calls.sizes[0] == x.size * result.nfev
    assert tuple(2.0**j for j in kind.LADDER_POWERS) == module._LADDER
    documented = re.search(r"\((\d+)\s+points\s+per\s+element\)", module.__doc__)
    assert documented is not None and int(documented.group(1)) == result.nfev
    for name, f in (("gradient", scalar), ("jacobian", vector), ("hessian", scalar)):
        batch = Sized(f)
        result = getattr(module, name)(batch, X, full_output=True, vectorized=True)
        plain = getattr(module, name)(Sized(f), X, vectorized=True)
        assert batch.points == result.nfev, name
        np.testing.assert_array_equal(plain, result.df)


def test_ladder_hessian_of_a_polynomial(module: ModuleType) -> None:
    # A polynomial of degree <= accuracy in three variables, exact Hessian
    # from SymPy: exactly symmetric, far below the fixed step's error.
    # Terms exact for the stencils: degree <= accuracy along each variable in
    # the mixed entries, <= accuracy + 1 on the diagonal.
    a, b, c = sympy.symbols("a b c")
    p = a * b - 3 * a * c + 5 * c**2 + 2 * b**2 + a * b * c
    if module.ACCURACY >= 2:
        p += a**2 * b + 2 * b**2 * c
    if module.ACCURACY >= 4:
        p += a**3 * b - 2 * c**4
    x = np.array([0.7, -1.3, 2.4])
    exact = np.array(
        sympy.hessian(p, (a, b, c)).subs(dict(zip((a, b, c), x, strict=True))),
        dtype=float,
    )
    f = sympy.lambdify([(a, b, c)], p, "numpy")
    result = module.hessian(f, x, full_output=True, vectorized=True)
    fixed = module.hessian(f, x, full_output=True)
    assert np.array_equal(result.df, result.df.T)
    error = np.abs(result.df - exact)
    assert within(error, result.error)
    assert np.max(result.error) <= np.max(fixed.error) / 10


def test_wrong_shapes_from_a_vectorized_f(module: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"a vectorized f returns one value per point"):
        module.gradient(lambda p: np.sum(p), X, vectorized=True)
    with pytest.raises(ValueError, match=r"a vectorized f returns one value per point"):
        module.derivative(lambda t: t[..., 0], X, vectorized=True)
    with pytest.raises(ValueError, match="gradient and hessian need a scalar-valued f"):
        module.hessian(lambda p: np.stack([p[0], p[1]]), X, vectorized=True)


def test_non_finite_value_names_the_point(module: ModuleType) -> None:
    def f(p: Any) -> Any:
        with np.errstate(divide="ignore"):
            return 1 / (p[0] - 0.7) + p[1]

    with pytest.raises(ValueError, match=r"f returned inf at the sample point x"):
        module.gradient(f, X, vectorized=True)
    with pytest.raises(ValueError, match=r"f returned inf at the sample point x"):
        module.hessian(f, X)
