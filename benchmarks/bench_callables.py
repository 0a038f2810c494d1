"""Accuracy benchmark: derivatives of Python callables, ours against the usual tools.

Run from the repository root::

    .venv/bin/python benchmarks/bench_callables.py

Every method differentiates the same fixed set of smooth test problems, one
derivative value each:

* ``exp``, ``sin``, ``log`` near 1 and ``x**1.5`` at a few points each;
* both partial derivatives of ``f(x, y) = x² − 2x·sin(y) + 1/x`` at ``(3, 0)``;
* every component of the Rosenbrock gradient at two points (n = 2 and n = 4).

Partial derivatives are taken along the coordinate (``t ↦ f(x + t·e_i)``), so
every method sees a one-dimensional, vectorised function. The methods:

* ``stencilgen central a2 / a4 / a6``: our generated ``derivative`` with its
  default step. Accuracy 4 is the committed ``generated/callables.py``; accuracies
  2 and 6 are rendered in memory from spec entries of the same ``callables`` kind
  (``{"accuracy": 2}`` and ``{"accuracy": 6}``), exactly as ``stencilgen build``
  would write them;
* ``naive forward h=1e-6``: ``(f(x + 1e-6) - f(x)) / 1e-6``;
* ``scipy.differentiate``: ``scipy.differentiate.derivative`` at its defaults;
* ``numdifftools``: ``numdifftools.Derivative`` at its defaults.

For each method it prints the median and worst relative error
``|approx − exact| / |exact|`` over all problems and the mean number of
function evaluations per derivative value (counted by a wrapper around ``f``
that adds the number of points it is called on). Exact derivatives are
closed-form. The last lines check the targets of issue 5.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numdifftools as nd
import numpy as np
import scipy
from scipy.differentiate import derivative as scipy_derivative
from scipy.optimize import rosen, rosen_der

from stencilgen.build import render_body
from stencilgen.kinds import callables as callables_kind
from stencilgen.render import Renderer
from stencilgen.spec import Entry, Fields
from stencilgen.verify import load_module

ROOT = Path(__file__).resolve().parent.parent
Func = Callable[[Any], Any]


@dataclass(frozen=True)
class Problem:
    name: str
    f: Func  # vectorised, one variable
    x: float
    exact: float


def _partial(f: Func, point: np.ndarray, i: int) -> Func:
    """t ↦ f(point with coordinate i set to t), vectorised over t."""

    def g(t: Any) -> Any:
        t = np.asarray(t, dtype=float)
        p = np.broadcast_to(
            point.reshape((-1,) + (1,) * t.ndim), point.shape + t.shape
        ).copy()
        p[i] = t
        return f(p)

    return g


def problems() -> list[Problem]:
    out = []
    for x in (-1.0, 0.5, 2.0):
        out.append(Problem(f"exp at {x}", np.exp, x, float(np.exp(x))))
    for x in (0.3, 1.0, 2.5):
        out.append(Problem(f"sin at {x}", np.sin, x, float(np.cos(x))))
    for x in (0.9, 1.1, 1.3):
        out.append(Problem(f"log at {x}", np.log, x, 1 / x))
    for x in (0.5, 1.0, 2.0):
        out.append(
            Problem(f"x^1.5 at {x}", lambda t: np.asarray(t) ** 1.5, x, 1.5 * x**0.5)
        )

    def f_xy(p: Any) -> Any:
        x, y = p[0], p[1]
        return x**2 - 2 * x * np.sin(y) + 1 / x

    point = np.array([3.0, 0.0])
    out.append(
        Problem(
            "x²−2x·sin(y)+1/x, d/dx at (3,0)", _partial(f_xy, point, 0), 3.0, 6 - 1 / 9
        )
    )
    out.append(
        Problem("x²−2x·sin(y)+1/x, d/dy at (3,0)", _partial(f_xy, point, 1), 0.0, -6.0)
    )
    for point in (np.array([-1.2, 1.0]), np.array([0.3, -0.8, 1.7, 0.9])):
        gradient = rosen_der(point)
        for i in range(point.size):
            out.append(
                Problem(
                    f"rosen n={point.size} d/dx{i}",
                    _partial(rosen, point, i),
                    float(point[i]),
                    float(gradient[i]),
                )
            )
    return out


class Counter:
    def __init__(self, f: Func) -> None:
        self.f = f
        self.count = 0

    def __call__(self, x: Any, *args: Any) -> Any:
        self.count += int(np.size(x))
        return self.f(x, *args)


def generated(accuracy: int) -> ModuleType:
    if accuracy == 4:
        spec = importlib.util.spec_from_file_location(
            "callables", ROOT / "generated" / "callables.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.ACCURACY == 4
        return module
    table = {
        "kind": "callables",
        "derivative": 1,
        "stencil": "central",
        "accuracy": accuracy,
    }
    name = f"callables_a{accuracy}"
    config = callables_kind.parse(Fields("bench", name, table))
    entry = Entry(name, "callables", table, config)
    return load_module(render_body(entry, Renderer())[1], name)


def ours(module: ModuleType) -> Callable[[Func, float], float]:
    def run(f: Func, x: float) -> float:
        return float(module.derivative(f, x))

    return run


def naive(f: Func, x: float) -> float:
    h = 1e-6
    return float((f(np.float64(x + h)) - f(np.float64(x))) / h)


def scipy_default(f: Func, x: float) -> float:
    result = scipy_derivative(f, x)
    return float(result.df)


def numdifftools_default(f: Func, x: float) -> float:
    return float(nd.Derivative(f)(x))


def measure(
    method: Callable[[Func, float], float], cases: list[Problem]
) -> tuple[np.ndarray, float]:
    errors, calls = [], []
    for case in cases:
        counter = Counter(case.f)
        value = method(counter, case.x)
        errors.append(abs(value - case.exact) / abs(case.exact))
        calls.append(counter.count)
    return np.array(errors), float(np.mean(calls))


def main() -> int:
    cases = problems()
    methods: list[tuple[str, Callable[[Func, float], float]]] = [
        ("stencilgen central a2", ours(generated(2))),
        ("stencilgen central a4", ours(generated(4))),
        ("stencilgen central a6", ours(generated(6))),
        ("naive forward h=1e-6", naive),
        ("scipy.differentiate", scipy_default),
        ("numdifftools", numdifftools_default),
    ]
    versions = (
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numdifftools {nd.__version__}, Python {sys.version.split()[0]}"
    )
    print(f"{len(cases)} derivative values; {versions}")
    header = f"{'method':<24}{'f evals':>9}{'median rel err':>16}{'worst rel err':>15}"
    print(f"{header}  worst case")
    results = {}
    for name, method in methods:
        errors, calls = measure(method, cases)
        results[name] = (errors, calls)
        worst = int(np.argmax(errors))
        row = f"{name:<24}{calls:>9.1f}{np.median(errors):>16.1e}"
        print(f"{row}{errors[worst]:>15.1e}  {cases[worst].name}")
    module = generated(4)
    for point in (np.array([-1.2, 1.0]), np.array([0.3, -0.8, 1.7, 0.9])):
        counter = Counter(rosen)
        gradient = module.gradient(counter, point)
        exact = rosen_der(point)
        error = np.max(np.abs(gradient - exact) / np.abs(exact))
        print(
            f"generated gradient(rosen) at n={point.size}: rel error {error:.1e}, "
            f"{counter.count // point.size} calls of f (4·n = {4 * point.size})"
        )
    a4, a4_calls = results["stencilgen central a4"]
    a6, a6_calls = results["stencilgen central a6"]
    sp, sp_calls = results["scipy.differentiate"]
    print()
    ok4 = np.median(a4) <= 1e-11 and a4_calls == 4
    print(
        f"target 1: accuracy-4 median rel error {np.median(a4):.1e} <= 1e-11 with "
        f"4 evaluations ({a4_calls:.0f}): {'met' if ok4 else 'NOT met'}"
    )
    ratio = np.median(a6) / np.median(sp)
    worst_ratio = np.max(a6) / np.max(sp)
    ok6 = ratio <= 10 and a6_calls <= sp_calls / 2
    print(
        f"target 2: accuracy-6 median error {ratio:.2g}× scipy's "
        f"(worst {worst_ratio:.2g}×), {a6_calls:.0f} vs {sp_calls:.1f} evaluations "
        f"({a6_calls / sp_calls:.2f}×): {'met' if ok6 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
