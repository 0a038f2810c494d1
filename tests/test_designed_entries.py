"""Spec entries with designed (optimised) stencils: the operator kind's
``band``/``tolerance`` keys.

Oracles: the exact moment conditions (SymPy rationals), the phase error of the
generated code measured on a sampled wave, and stencilgen.design's own result.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from conftest import ROOT
from conftest import load_generated as load

from stencilgen.build import render_body, run_checks
from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec


def test_bundled_drp_stencil_resolves_six_points_per_wavelength() -> None:
    fn = load("d1_drp7").d1_drp7
    reference = load("d1_periodic4").d1_periodic4
    for ppw in (6.0, 8.0, 20.0):
        n = round(ppw * 10)
        x = np.arange(n, dtype=float)
        k = 2 * math.pi / ppw
        exact = k * np.cos(k * x)
        error = np.max(np.abs(fn(np.sin(k * x)) - exact)) / k
        assert error <= 1e-3
    # The explicit accuracy-4 stencil misses by 3.7 % at 6 points per wavelength.
    n, k = 60, 2 * math.pi / 6
    x = np.arange(n, dtype=float)
    assert np.max(np.abs(reference(np.sin(k * x)) - k * np.cos(k * x))) / k > 0.03


def test_designed_weights_keep_accuracy_exactly() -> None:
    e = parse_spec((ROOT / "stencils.toml").read_text()).entries
    entry = next(x for x in e if x.name == "d1_drp7")
    plan, _ = render_body(entry)
    weights = plan.interior.weights
    offsets = range(-3, 4)
    for n in range(5):
        moment = sum(
            w * sympy.Integer(o) ** n for w, o in zip(weights, offsets, strict=True)
        )
        assert moment == (1 if n == 1 else 0)
    assert plan.design.report.points_per_wavelength <= 6.0
    doc = load("d1_drp7").d1_drp7.__doc__
    assert "-0.020684320463360738" in doc and "minimax" in doc


def test_band_design_with_one_sided_edges_verifies() -> None:
    text = (
        "[tw]\nderivative = 1\noffsets = [-3, -2, -1, 0, 1, 2, 3]\naccuracy = 4\n"
        'band = "pi/2"\nobjective = "absolute"\n'
    )
    entry = parse_spec(text).entries[0]
    plan, body = render_body(entry)
    rows = run_checks(entry, body, plan)
    assert all(r.passed for r in rows), rows
    # Tam & Webb (1993): a_1 = 0.79926643.
    assert float(plan.interior.weights[4]) == pytest.approx(0.79926643, abs=6e-9)
    assert any(r.function.endswith("closures") for r in rows)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("derivative = 1\naccuracy = 4\ntolerance = 1e-3", "needs 'offsets'"),
        ("derivative = 1\noffsets = [-1, 0, 1]\ntolerance = 1e-3", "needs 'accuracy'"),
        (
            "derivative = 1\noffsets = [-1, 0, 1]\naccuracy = 2\ntolerance = 1e-3",
            "no weight free",
        ),
        (
            "derivative = 1\noffsets = [-1, 0, 1]\naccuracy = 4\ntolerance = 1e-3",
            "cannot be kept",
        ),
        (
            "derivative = 1\noffsets = [-2, -1, 0, 1, 2]\naccuracy = 2\nband = 4",
            "beyond",
        ),
        (
            "derivative = 1\noffsets = [-2, -1, 0, 1, 2]\naccuracy = 2\ntolerance = 2",
            "tolerance",
        ),
        (
            'FIVE\nobjective = "x"',
            "objective",
        ),
        (
            'FIVE\nobjective = "absolute"',
            "needs 'band'",
        ),
    ],
)
def test_spec_errors(text: str, message: str) -> None:
    text = text.replace(
        "FIVE", "derivative = 1\noffsets = [-2, -1, 0, 1, 2]\naccuracy = 2"
    )
    with pytest.raises(SpecError, match=message):
        parse_spec(f"[d]\n{text}\n")
