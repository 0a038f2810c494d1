"""``vectorized=True`` of the generated callables: f evaluated on batches of points.

The batched evaluation must sample exactly the points of the one-point-per-call
evaluation and combine them in the same order, so with a function evaluated
elementwise (no reductions whose rounding depends on the layout) the results,
error estimates and evaluation counts are identical, in far fewer calls.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_hess

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


@pytest.mark.parametrize("full_output", [False, True])
def test_same_points_same_results(module: ModuleType, full_output: bool) -> None:
    for name, f in (("gradient", scalar), ("jacobian", vector), ("hessian", scalar)):
        function = getattr(module, name)
        one, batch = Calls(f), Calls(f)
        expected = function(one, X, full_output=full_output)
        result = function(batch, X, full_output=full_output, vectorized=True)
        assert batch.calls == 1 and batch.points == one.points == one.calls, name
        assert_identical(expected, result)


def test_derivative_vectorized(module: ModuleType) -> None:
    x = np.array([[0.2, 1.5], [-0.7, 3.0]])
    for full_output in (False, True):
        calls = Calls(np.sin)
        expected = module.derivative(np.sin, x, full_output=full_output)
        result = module.derivative(calls, x, full_output=full_output, vectorized=True)
        assert calls.calls == 1
        assert_identical(expected, result)


def test_rosenbrock_hessian_at_n_100_in_one_call(module: ModuleType) -> None:
    x = np.random.default_rng(0).uniform(-1, 1, 100)
    calls = Calls(rosen)
    hess = module.hessian(calls, x, vectorized=True)
    exact = rosen_hess(x)
    assert calls.calls <= 2
    assert np.max(np.abs(hess - exact)) / np.max(np.abs(exact)) < 1e-3


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
