"""The step rule: exact constants, the minimiser of the error bound, real errors."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from scipy.optimize import minimize_scalar

from stencilgen import backward, central, forward, make_stencil
from stencilgen.cli import main
from stencilgen.errors import StencilError, StencilgenError
from stencilgen.printing import float17
from stencilgen.stencil import Stencil
from stencilgen.steps import (
    FLOAT32_EPS,
    FLOAT64_EPS,
    default_step,
    representable_step,
    step_rule,
)

STENCILS = [
    central(1, 2),
    central(1, 4),
    central(1, 6),
    central(2, 2),
    central(2, 4),
    forward(1, 1),
    forward(1, 2),
    backward(1, 3),
    forward(3, 2),
    make_stencil(1, [0, 1], "1/2"),
]
IDS = [
    "central d1 a2",
    "central d1 a4",
    "central d1 a6",
    "central d2 a2",
    "central d2 a4",
    "forward d1 a1",
    "forward d1 a2",
    "backward d1 a3",
    "forward d3 a2",
    "staggered d1",
]


def test_textbook_central_difference() -> None:
    rule = step_rule(central(1, 2))
    assert (rule.weight_sum, rule.error_coefficient, rule.factor) == (
        1,
        1 / sympy.S(6),
        3,
    )
    assert rule.relative_step() == pytest.approx((3 * 2.0**-52) ** (1 / 3), rel=1e-15)
    # Forward difference: h = sqrt(4·ε) = 2·sqrt(ε), the classic rule of thumb.
    assert step_rule(forward(1, 1)).relative_step() == pytest.approx(
        2 * math.sqrt(2.0**-52), rel=1e-15
    )


@pytest.mark.slow
@pytest.mark.parametrize("stencil", STENCILS, ids=IDS)
def test_constants_match_an_independent_series(stencil: Stencil) -> None:
    """Σ|w| from the weights; C from the series of the stencil applied to exp."""
    rule = step_rule(stencil)
    assert rule.weight_sum == sum(abs(w) for w in stencil.weights)
    h = sympy.Symbol("h", positive=True)
    m, p = rule.derivative, rule.accuracy
    nodes = [o - stencil.at for o in stencil.offsets]
    # For f = exp every derivative at 0 is 1, so D_h exp(0) - 1 = C·h**p + ...
    approx = sum(
        w * sympy.exp(o * h) for w, o in zip(stencil.weights, nodes, strict=True)
    )
    series = sympy.series(approx / h**m - 1, h, 0, p + 1).removeO()
    assert sympy.expand(series) == rule.error_coefficient * h**p


@pytest.mark.parametrize("stencil", STENCILS, ids=IDS)
def test_relative_step_minimises_the_error_bound(stencil: Stencil) -> None:
    rule = step_rule(stencil)
    best = rule.relative_step()

    def bound(log_h: float) -> float:
        truncation, round_off = rule.error_terms(math.exp(log_h))
        return float(truncation + round_off)

    found = minimize_scalar(bound, bracket=(-40, -1), tol=1e-12)
    assert math.exp(found.x) == pytest.approx(best, rel=1e-5)
    truncation, round_off = rule.error_terms(best)
    assert float(truncation / round_off) == pytest.approx(
        rule.derivative / rule.accuracy, rel=1e-12
    )
    assert rule.best_error() == pytest.approx(bound(math.log(best)), rel=1e-12)


def test_precision_changes_the_step() -> None:
    rule = step_rule(central(1, 4))
    ratio = rule.relative_step(FLOAT32_EPS) / rule.relative_step(FLOAT64_EPS)
    assert ratio == pytest.approx(2.0 ** (29 / 5), rel=1e-14)
    assert rule.relative_step(2.0**-23) == rule.relative_step(FLOAT32_EPS)
    assert rule.relative_step_exact() == sympy.root(sympy.Rational(45, 4) / 2**52, 5)


def test_the_default_step_sits_at_the_bottom_of_the_real_error_curve() -> None:
    """Measured on sin at many points: no other step is much better."""
    stencil = central(1, 4)
    rule = step_rule(stencil)
    x = np.linspace(0.1, 3.0, 400)
    pairs = [
        (float(w), float(o))
        for w, o in zip(stencil.weights, stencil.offsets, strict=True)
    ]

    def error(scale: float) -> float:
        h = default_step(scale * rule.relative_step(), x)
        approx = sum(w * np.sin(x + o * h) for w, o in pairs) / h
        return float(np.median(np.abs(approx - np.cos(x))))

    sweep = {scale: error(scale) for scale in 10.0 ** np.arange(-2, 2.01, 0.25)}
    # The bound's round-off term is a worst case, so the measured bottom of the
    # V is flat and a little to the left of h*; the rule's step is on it.
    assert sweep[1.0] < 2 * min(sweep.values())
    assert sweep[1.0] < sweep[10.0] / 100
    assert sweep[1.0] < sweep[0.01] / 10
    # ... and its error is below the predicted bound, within a factor of ten.
    assert rule.best_error() / 10 < sweep[1.0] < rule.best_error()


def test_representable_step() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(-1e3, 1e3, 1000)
    h = representable_step(1e-3 * np.maximum(1, np.abs(x)), x)
    assert np.all((x + h) - x == h)
    assert np.all(h > 0)


def test_default_step_scales_with_x() -> None:
    h = default_step(1e-3, [0.0, 0.5, -1.0, 250.0, -4e6])
    assert h[:3] == pytest.approx([1e-3, 1e-3, 1e-3], rel=1e-12)
    assert h[3] == pytest.approx(0.25, rel=1e-12)
    assert h[4] == pytest.approx(4e3, rel=1e-12)


def test_eps_text_is_never_evaluated(tmp_path: Path) -> None:
    rule = step_rule(central(1, 2))
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    for method in (rule.relative_step_exact, rule.relative_step):
        with pytest.raises(StencilgenError, match=r"^eps: cannot parse") as error:
            method(payload)
        assert "\n" not in str(error.value)
    assert not marker.exists()
    # Text that is a number goes through the restricted parser.
    assert rule.relative_step_exact("2**-23") == rule.relative_step_exact(FLOAT32_EPS)
    assert rule.relative_step(Fraction(1, 2**23)) == rule.relative_step(2.0**-23)


@pytest.mark.parametrize(
    ("eps", "message"),
    [
        (0, "eps must be positive, got 0"),
        (-1e-16, "eps must be positive"),
        (math.inf, "eps is inf, not a finite number"),
        (math.nan, "eps is nan, not a finite number"),
        ("h", "eps must be a finite real number such as 2\\*\\*-52, got 'h'"),
        ("oo", "not a finite number"),
        (True, "eps is a boolean"),
    ],
)
def test_eps_must_be_a_positive_finite_number(eps: object, message: str) -> None:
    with pytest.raises(StencilgenError, match=message):
        step_rule(central(1, 2)).relative_step(eps)


def test_step_rule_refuses_symbolic_offsets() -> None:
    with pytest.raises(StencilError, match=r"offsets 0, hd, -hs are symbolic"):
        step_rule(make_stencil(1, ["0", "hd", "-hs"]))


def test_step_rule_refuses_interpolation() -> None:
    with pytest.raises(StencilError, match=r"derivative 0 \(interpolation\)"):
        step_rule(make_stencil(0, [0, 1], "1/2"))


def test_step_rule_refuses_a_stencil_without_error_term() -> None:
    exact = Stencil(1, (sympy.S(0),), sympy.S(0), (sympy.S(1),), None, None, sympy.S(0))
    with pytest.raises(StencilError, match="no truncation error"):
        step_rule(exact)


def test_step_command_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["step", "-d", "1", "--accuracy", "4"]) == 0
    out = capsys.readouterr().out
    assert "Σ|w|:             3/2" in out
    assert "(C = -1/30, accuracy p = 4)" in out
    relative = step_rule(central(1, 4)).relative_step()
    assert f"h_rel = (45/4·ε)^(1/5) = {float17(relative)}" in out


def test_step_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["step", "-d", "2", "--kind", "forward", "--accuracy", "2", "--json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    rule = step_rule(forward(2, 2))
    assert doc["offsets"] == ["0", "1", "2", "3"]
    assert doc["weight_sum"] == str(rule.weight_sum) == "12"
    assert doc["error_coefficient"] == "-11/12"
    assert doc["relative_step"] == rule.relative_step()
    assert doc["step_factor"] == "144/11"
    assert (
        main(
            ["step", "-d", "1", "--offsets=-1,0,1", "--precision", "float32", "--json"]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["relative_step"] == pytest.approx((3 * 2.0**-23) ** (1 / 3), rel=1e-15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-d", "1", "--offsets=0,hd,-hs"], "symbolic"),
        (["-d", "0", "--offsets=0,1", "--at", "1/2"], "interpolation"),
        (["-d", "1", "--accuracy", "3"], "even accuracy only"),
    ],
)
def test_step_command_bad_input(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["step", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
