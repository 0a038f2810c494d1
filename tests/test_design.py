"""Optimised stencils under exact constraints: stencilgen.design and ``design``.

Oracles: published coefficients (Tam & Webb 1993; Lele 1992), SymPy for the
exact moment conditions, mpmath for the symbol, and perturbation for optimality.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from stencilgen.cli import main
from stencilgen.design import DesignError, design, family, solve_rational
from stencilgen.spectrum import Scheme, spectrum

SEVEN = range(-3, 4)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_seven_point_accuracy_four_tuned_for_a_tenth_of_a_percent() -> None:
    d = design(1, SEVEN, accuracy=4, tolerance=1e-3)
    assert d.report.points_per_wavelength <= 6.0
    # Independent check of the exact constraints with SymPy rationals.
    w = [sympy.Rational(x.numerator, x.denominator) for x in d.scheme.weights]
    for n in range(5):
        moment = sum(wi * sympy.Integer(o) ** n for wi, o in zip(w, SEVEN, strict=True))
        assert moment == (1 if n == 1 else 0)
    assert all(r == 0 for r in d.residuals())
    assert d.scheme.accuracy == 4
    # The relative error stays within the tolerance on the band (mpmath oracle).
    for t in np.linspace(1e-3, d.report.theta_max, 50):
        with mpmath.workdps(40):
            kappa = sum(
                mpmath.mpf(x.numerator) / x.denominator * mpmath.sin(o * mpmath.mpf(t))
                for x, o in zip(d.scheme.weights, SEVEN, strict=True)
            )
            assert abs(kappa - t) / t <= 1e-3


# Tam, C. K. W. & Webb, J. C. (1993), "Dispersion-relation-preserving finite
# difference schemes for computational acoustics", J. Comput. Phys. 107,
# 262-281: the 7-point, fourth-order DRP stencil minimising the integrated
# |κ - θ|² over 0 <= θ <= π/2: a_1 = 0.79926643, a_2 = -0.18941314,
# a_3 = 0.02651995 (a_0 = 0, a_{-j} = -a_j).
TAM_WEBB = (0.79926643, -0.18941314, 0.02651995)


def test_tam_webb_1993_reproduced() -> None:
    d = design(1, SEVEN, accuracy=4, band=math.pi / 2, objective="absolute")
    assert np.allclose(d.weights[4:], TAM_WEBB, atol=6e-9)
    assert np.allclose(d.weights[:3], [-x for x in TAM_WEBB[::-1]], atol=6e-9)
    assert round(d.report.points_per_wavelength, 1) == 12.7


def test_published_tam_webb_constants_resolve_12_7() -> None:
    a = [Fraction(x) for x in TAM_WEBB]
    scheme = Scheme.make(1, [-3, -2, -1, 1, 2, 3], [-a[2], -a[1], -a[0], *a])
    assert round(spectrum(scheme).points_per_wavelength, 1) == 12.7


def test_least_squares_is_a_minimum() -> None:
    d = design(1, SEVEN, accuracy=4, band=2.0)
    theta = np.linspace(1e-3, 2.0, 4001)

    def cost(values: tuple[Fraction, ...]) -> float:
        e = d.family.member(values).relative_error(theta)
        return float(np.sum(np.abs(e) ** 2))

    best = cost(d.values)
    for step in (1e-4, -1e-4):
        assert cost((d.values[0] + Fraction(step),)) > best


# Lele, S. K. (1992), J. Comput. Phys. 103, 16-42, section 3: the "spectral-like"
# pentadiagonal scheme alpha = 0.5771439, beta = 0.0896406, a = 1.3025166,
# b = 0.9935500, c = 0.03750245 for
# beta f'_{i±2} + alpha f'_{i±1} + f'_i = a(f_{i+1}-f_{i-1})/(2h)
#     + b(f_{i+2}-f_{i-2})/(4h) + c(f_{i+3}-f_{i-3})/(6h).
LELE_PENTA = (0.5771439, 0.0896406, 1.3025166, 0.9935500, 0.03750245)


def lele_scheme() -> Scheme:
    alpha, beta, a, b, c = (Fraction(x) for x in LELE_PENTA)
    rhs = [-c / 6, -b / 4, -a / 2, a / 2, b / 4, c / 6]
    return Scheme.make(
        1, [-3, -2, -1, 1, 2, 3], rhs, [-2, -1, 0, 1, 2], [beta, alpha, 1, alpha, beta]
    )


def test_lele_spectral_like_pentadiagonal_resolving_efficiency() -> None:
    assert spectrum(lele_scheme()).resolving_efficiency == pytest.approx(
        0.793, abs=5e-4
    )


def test_optimised_pentadiagonal_compact_scheme() -> None:
    d = design(1, SEVEN, accuracy=4, tolerance=1e-3, lhs_offsets=(-2, -1, 0, 1, 2))
    assert d.report.resolving_efficiency >= 0.79
    assert all(r == 0 for r in d.residuals())
    beta, alpha = d.lhs_weights[0], d.lhs_weights[1]
    theta = np.linspace(0, math.pi, 1001)
    assert np.all(1 + 2 * alpha * np.cos(theta) + 2 * beta * np.cos(2 * theta) > 0)


def test_minimax_on_a_band() -> None:
    d = design(1, SEVEN, accuracy=4, band=1.0, tolerance=1e-3)
    assert d.method == "minimax"
    theta = np.linspace(1e-4, 1.0, 2001)
    assert np.max(np.abs(d.scheme.relative_error(theta))) <= d.objective_value * 1.01


def test_family_has_the_right_freedom() -> None:
    assert family(1, SEVEN, 4).free == 1
    assert family(1, SEVEN, 2).free == 2
    assert family(1, SEVEN, 4, symmetric=False).free == 2
    assert family(1, SEVEN, 4, lhs_offsets=(-1, 0, 1)).free == 2


def test_solve_rational_against_sympy() -> None:
    F = Fraction
    rows = [[F(1), F(2), F(3)], [F(2), F(4), F(7)]]
    rhs = [F(1), F(2)]
    particular, basis = solve_rational(rows, rhs)  # type: ignore[misc]
    A = sympy.Matrix(rows)
    assert A * sympy.Matrix(particular) == sympy.Matrix(rhs)
    assert len(basis) == 3 - A.rank()
    for v in basis:
        assert A * sympy.Matrix(v) == sympy.zeros(2, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"offsets": [-1, 0, 1], "accuracy": 4, "band": 1.0},
            "cannot be kept on 3 points",
        ),
        ({"offsets": [-1, 0, 1], "accuracy": 2, "band": 1.0}, "no free weight remains"),
        ({"offsets": SEVEN, "accuracy": 4, "band": 3.5}, "band must be a wavenumber"),
        (
            {"offsets": SEVEN, "accuracy": 4, "band": 2.0, "tolerance": 1e-5},
            "cannot be met",
        ),
        ({"offsets": SEVEN, "accuracy": 4}, "give a band"),
        (
            {
                "offsets": range(-1, 4),
                "accuracy": 2,
                "tolerance": 1e-3,
                "lhs_offsets": (-1, 0, 1),
            },
            "symmetric point sets",
        ),
    ],
)
def test_bad_designs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DesignError, match=message):
        design(1, **kwargs)  # type: ignore[arg-type]


def test_cli_design_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "design",
        "-d",
        "1",
        "--offsets=-3,-2,-1,0,1,2,3",
        "--accuracy",
        "4",
        "--tolerance",
        "1e-3",
        "--json",
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["points_per_wavelength"] <= 6.0
    assert doc["constraint_residuals"] == ["0"] * 5
    # Full double precision: the printed weights are the exact doubles.
    for text, exact in zip(doc["weights"], doc["weights_exact"], strict=True):
        assert float(text) == float(Fraction(exact))
        assert len(text.lstrip("-").replace("0.", "").lstrip("0")) >= 15 or text == "0"


def test_cli_design_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "design",
        "-d",
        "1",
        "--offsets=-3,-2,-1,0,1,2,3",
        "--accuracy",
        "4",
        "--band",
        "pi/2",
        "--objective",
        "absolute",
    )
    assert code == 0
    assert "0.799266426" in out and "residuals all exactly 0" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--offsets=-3,-2,-1,0,1,2,3", "--accuracy", "4", "--band", "4"],
            "band must be",
        ),
        (
            [
                "--offsets=-3,-2,-1,0,1,2,3",
                "--accuracy",
                "4",
                "--band",
                "2",
                "--tolerance",
                "1e-5",
            ],
            "cannot be met",
        ),
        (["--offsets=-1,0,1", "--accuracy", "4", "--band", "1"], "cannot be kept"),
        (["--offsets=-1,0,1", "--accuracy", "2", "--band", "1"], "no free weight"),
        (["--offsets=-3,-2,-1,0,1,2,3", "--accuracy", "4", "--band", "x"], "--band"),
        (["--offsets=-1,0,1", "--accuracy", "2", "--lhs=a", "--band", "1"], "--lhs"),
    ],
)
def test_cli_design_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "design", "-d", "1", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_limits() -> None:
    from stencilgen.errors import LimitError

    with pytest.raises(LimitError, match="MAX_DESIGN_POINTS"):
        design(1, range(-13, 14), accuracy=4, band=1.0)
    with pytest.raises(LimitError, match="MAX_GRID_OFFSET"):
        design(1, [-100, -1, 0, 1, 100], accuracy=2, band=1.0)
    with pytest.raises(LimitError, match="MAX_POINTS"):
        design(1, range(100), accuracy=2, band=1.0)
