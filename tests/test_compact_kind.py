"""The ``compact`` spec kind and the closure flag of the build's table.

Oracles: the committed generated modules run against dense linear algebra
(numpy.linalg on the assembled cyclic and banded matrices), the exact symbol,
the engine's closures, and the eigenvalue check written independently in
stencilgen.sbp.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from conftest import ROOT
from conftest import load_generated as load

from stencilgen.build import render_body, run_checks
from stencilgen.compact import compact_scheme
from stencilgen.errors import SpecError
from stencilgen.sbp import stability
from stencilgen.spec import parse_spec


def entry(text: str):  # type: ignore[no-untyped-def]
    return parse_spec(text).entries[0]


def test_periodic_module_equals_dense_cyclic_solve_on_every_axis() -> None:
    fn = load("d1_compact6").d1_compact6
    n = 20
    A = np.zeros((n, n))
    B = np.zeros((n, n))
    for i in range(n):
        A[i, i] = 1
        A[i, (i - 1) % n] = A[i, (i + 1) % n] = 1 / 3
        for o, w in ((-2, -1 / 36), (-1, -7 / 9), (1, 7 / 9), (2, 1 / 36)):
            B[i, (i + o) % n] += w
    D = np.linalg.solve(A, B) / 0.5
    u = np.random.default_rng(0).standard_normal((n, 3, n))
    for axis in (0, 2, -1):
        got = fn(u, 0.5, axis=axis)
        expected = np.moveaxis(
            np.tensordot(D, np.moveaxis(u, axis, 0), axes=1), 0, axis
        )
        assert np.allclose(got, expected, atol=1e-12)
    out = np.empty((n, 3, n), dtype=np.float32)
    assert fn(u.astype(np.float32), 0.5, axis=0, out=out) is out


def test_bounded_module_matches_the_scheme_and_is_exact_on_polynomials() -> None:
    fn = load("d1_compact6_closed").d1_compact6_closed
    x = np.linspace(0, 1, 30)
    for k in range(7):
        assert np.allclose(fn(x**k, x[1]), k * x ** max(k - 1, 0) * (k > 0), atol=1e-9)
    u = np.random.default_rng(1).standard_normal((4, 30))
    assert np.allclose(
        fn(u, 0.1, axis=1), compact_scheme(1, 6).apply(u, 0.1, axis=1, periodic=False)
    )
    with pytest.raises(ValueError, match="needs at least 7 points"):
        fn(np.ones(6))


def test_generated_compact_modules_import_numpy_only() -> None:
    for name in ("d1_compact6", "d1_compact6_closed"):
        tree = ast.parse((ROOT / "generated" / f"{name}.py").read_text())
        imported = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert imported <= {"functools", "math", "operator", "numpy", "threading"}


def test_docstring_holds_weights_error_and_resolution() -> None:
    doc = load("d1_compact6").d1_compact6.__doc__
    assert "1/3*d[i-1] + d[i] + 1/3*d[i+1]" in doc
    assert "alpha = 1/3, a = 14/9, b = 1/9" in doc
    # Derivative error = scheme residual 4/7! over 1 + 2*alpha = 5/3: 1/2100.
    assert "(1/2100)*h**6*f^(7)(x)" in doc
    assert "5.69 points per wavelength" in doc


def test_leading_error_matches_measurement() -> None:
    fn = load("d1_compact6").d1_compact6
    n = 64
    h = 2 * math.pi / n
    x = h * np.arange(n)
    error = np.max(np.abs(fn(np.sin(x), h) - np.cos(x)))
    assert error == pytest.approx(h**6 / 2100, rel=0.01)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("derivative = 1\naccuracy = 5", "even accuracy"),
        ("derivative = 1\naccuracy = 4\nlhs_width = 2", "needs accuracy >= 6"),
        ('derivative = 1\naccuracy = 6\nboundary = "valid"', "boundary"),
        ("derivative = 1\naccuracy = 18", "up to accuracy 16"),
        ("accuracy = 6", "derivative"),
    ],
)
def test_spec_errors(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(f'[c]\nkind = "compact"\n{text}\n')


@pytest.mark.parametrize(
    ("text", "passed_note"),
    [
        ('kind = "compact"\nderivative = 2\naccuracy = 6', "periodic"),
        ('kind = "compact"\nderivative = 1\naccuracy = 10\nlhs_width = 2', "periodic"),
        (
            'kind = "compact"\nderivative = 2\naccuracy = 4\nboundary = "one-sided"',
            "uniform",
        ),
    ],
)
def test_other_schemes_verify(text: str, passed_note: str) -> None:
    e = entry(f"[c]\n{text}\n")
    plan, body = render_body(e)
    rows = run_checks(e, body, plan)
    assert rows and all(r.passed for r in rows), rows
    assert passed_note in rows[0].note


def test_build_table_flags_unstable_closures() -> None:
    # The operator kind: accuracy-4 one-sided closures are flagged, accuracy 2 not,
    # in agreement with the independent eigenvalue check of stencilgen.sbp.
    for accuracy, flagged in ((2, False), (4, True)):
        e = entry(f"[d]\nderivative = 1\naccuracy = {accuracy}\n")
        plan, body = render_body(e)
        rows = run_checks(e, body, plan)
        closure = [r for r in rows if r.function.endswith("closures")]
        assert len(closure) == 1 and closure[0].passed
        assert closure[0].note.startswith("FLAG") is flagged
        assert stability("one-sided", accuracy, [51, 101]).stable is not flagged
    e = entry('[p]\nderivative = 1\naccuracy = 4\nboundary = "periodic"\n')
    plan, body = render_body(e)
    assert not [r for r in run_checks(e, body, plan) if "closures" in r.function]


def test_optimised_pentadiagonal_entry() -> None:
    fn = load("d1_compact_spectral").d1_compact_spectral
    doc = fn.__doc__
    assert "resolving efficiency 0.8" in doc and "minimax" in doc
    # 0.1 % phase error up to 0.79 π: at 2.5 points per wavelength (θ = 0.8 π
    # is beyond; 0.78 π is inside).
    n = 200
    for theta in (0.3 * math.pi, 0.6 * math.pi, 0.78 * math.pi):
        k = round(theta * n / (2 * math.pi))
        t = 2 * math.pi * k / n
        x = np.arange(n, dtype=float)
        error = np.max(np.abs(fn(np.sin(t * x)) - t * np.cos(t * x))) / t
        assert error <= 1e-3, theta


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("derivative = 1\naccuracy = 4\nlhs_width = 2\ntolerance = 1e-3", "rhs_width"),
        (
            "derivative = 1\naccuracy = 10\nlhs_width = 2\nrhs_width = 3\n"
            "tolerance = 1e-3",
            "no weight free",
        ),
        ("derivative = 1\naccuracy = 6\nrhs_width = 3", "unique scheme of accuracy 8"),
        ("derivative = 1\naccuracy = 4\nrhs_width = 3\ntolerance = 5", "tolerance"),
    ],
)
def test_optimised_spec_errors(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(f'[c]\nkind = "compact"\n{text}\n')
