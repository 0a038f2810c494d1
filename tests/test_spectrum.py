"""Spectral report: modified wavenumber, resolving efficiency, points per wavelength.

Oracles: closed forms (sin θ for the 3-point stencil), the symbol evaluated
directly at 60 digits with mpmath (no cancellation at that precision), published
compact coefficients (Lele 1992), and SciPy root finding on the closed forms.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy.optimize import brentq

from stencilgen import central, forward, make_stencil
from stencilgen.cli import main
from stencilgen.spectrum import Scheme, exp_tail, scheme_from_stencil, spectrum


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# Reference figures of issue 11 (points per wavelength at the tolerance).
REFERENCE = [
    (1, 2, 1e-3, 81.1),
    (1, 4, 1e-3, 15.0),
    (1, 6, 1e-3, 8.6),
    (1, 8, 1e-3, 6.4),
    (2, 4, 1e-4, 20.4),
]

# Lele, S. K. (1992), "Compact finite difference schemes with spectral-like
# resolution", J. Comput. Phys. 103, 16-42, eq. (2.1.7): the sixth-order
# tridiagonal scheme alpha = 1/3, a = 14/9, b = 1/9, for
# alpha f'_{i-1} + f'_i + alpha f'_{i+1} = a (f_{i+1}-f_{i-1})/(2h)
#                                        + b (f_{i+2}-f_{i-2})/(4h).
LELE_T6 = Scheme.make(
    1,
    [-2, -1, 1, 2],
    [Fraction(-1, 36), Fraction(-7, 9), Fraction(7, 9), Fraction(1, 36)],
    [-1, 0, 1],
    [Fraction(1, 3), 1, Fraction(1, 3)],
)


@pytest.mark.parametrize(("m", "p", "eps", "ppw"), REFERENCE)
def test_reference_points_per_wavelength(
    m: int, p: int, eps: float, ppw: float
) -> None:
    report = spectrum(central(m, p), eps)
    assert abs(report.points_per_wavelength - ppw) <= 0.1 / 2 + 1e-9
    assert report.resolving_efficiency == pytest.approx(report.theta_max / math.pi)


def test_lele_tridiagonal_sixth_order() -> None:
    assert LELE_T6.accuracy == 6
    assert round(spectrum(LELE_T6).points_per_wavelength, 1) == 5.7


def mp_relative_error(scheme: Scheme, theta: float) -> complex:
    """(σ - θ^m)/θ^m from the direct sums, at 60 digits."""
    with mpmath.workdps(60):
        t = mpmath.mpf(theta)
        n = sum(
            mpmath.mpf(b.numerator)
            / b.denominator
            * mpmath.exp(1j * t * mpmath.mpf(d.numerator) / d.denominator)
            for d, b in zip(scheme.offsets, scheme.weights, strict=True)
        )
        dd = sum(
            mpmath.mpf(a.numerator) / a.denominator * mpmath.exp(1j * t * lo)
            for lo, a in zip(scheme.lhs_offsets, scheme.lhs_weights, strict=True)
        )
        m = scheme.derivative
        sigma = n / ((1j) ** m * dd)
        return complex((sigma - t**m) / t**m)


SCHEMES = [
    scheme_from_stencil(central(1, 2)),
    scheme_from_stencil(central(2, 4)),
    scheme_from_stencil(central(1, 8)),
    scheme_from_stencil(forward(1, 3)),
    scheme_from_stencil(make_stencil(1, [-1, 0, 1, 2], at="1/2")),
    scheme_from_stencil(central(3, 2)),
    LELE_T6,
]


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: str(s.offsets))
def test_symbol_matches_high_precision_direct_sum(scheme: Scheme) -> None:
    thetas = [1e-7, 1e-4, 0.01, 0.3, 0.99, 1.01, 2.0, math.pi]
    ours = scheme.relative_error(np.array(thetas))
    for t, value in zip(thetas, ours, strict=True):
        exact = mp_relative_error(scheme, t)
        assert abs(value - exact) <= 1e-13 * max(abs(exact), 1e-3 * t) + 1e-300


def test_no_cancellation_where_the_cosine_form_fails() -> None:
    # Second derivative, accuracy 4: naive -sum w cos(θ d) loses everything here.
    scheme = scheme_from_stencil(central(2, 4))
    t = 1e-5
    naive = (
        -sum(
            float(w) * math.cos(t * float(d))
            for d, w in zip(scheme.offsets, scheme.weights, strict=True)
        )
        / t**2
        - 1
    )
    exact = mp_relative_error(scheme, t)
    assert abs(naive - exact.real) > 1e-8  # the naive form is useless here
    assert scheme.relative_error(t) == pytest.approx(exact, rel=1e-12)


def test_central_three_point_closed_form() -> None:
    scheme = scheme_from_stencil(central(1, 2))
    theta = np.linspace(0.1, 3.0, 7)
    assert np.allclose(scheme.modified_wavenumber(theta), np.sin(theta), atol=1e-15)
    assert np.allclose(scheme.group_error(theta), np.cos(theta) - 1, atol=1e-15)
    eps = 1e-3
    root = brentq(lambda t: 1 - math.sin(t) / t - eps, 1e-3, 1.0, xtol=1e-14)
    assert spectrum(scheme, eps).theta_max == pytest.approx(root, rel=1e-10)


def test_group_velocity_is_the_derivative_of_kappa() -> None:
    for scheme in SCHEMES:
        if scheme.derivative != 1:
            continue
        theta = np.array([0.4, 1.1, 2.2])
        step = 1e-6
        slope = (
            scheme.modified_wavenumber(theta + step).real
            - scheme.modified_wavenumber(theta - step).real
        ) / (2 * step)
        assert np.allclose(scheme.group_error(theta), slope - 1, atol=1e-8)


def test_second_derivative_modified_wavenumber() -> None:
    # kappa^2 = (2 - 2 cos θ) for the 3-point second derivative.
    scheme = scheme_from_stencil(central(2, 2))
    theta = np.array([0.5, 2.0, 3.0])
    assert np.allclose(scheme.symbol(theta).real, 2 - 2 * np.cos(theta))
    assert np.allclose(scheme.modified_wavenumber(theta).real, 2 * np.sin(theta / 2))


def test_upwind_stencil_dissipates() -> None:
    scheme = scheme_from_stencil(forward(1, 1))  # offsets 0, 1: κ = -i(e^{iθ} - 1)
    theta = np.array([0.5, 1.5])
    expected = -1j * (np.exp(1j * theta) - 1)
    assert np.allclose(scheme.modified_wavenumber(theta), expected)


def test_exp_tail_against_mpmath() -> None:
    for z in [1e-8j, 0.3 + 0.4j, 0.999j, 1.2j, 5j, 20j]:
        for K in (0, 1, 3, 9):
            with mpmath.workdps(150):
                zz = mpmath.mpc(z)
                terms = (zz**n / mpmath.factorial(n) for n in range(K))
                exact = complex(mpmath.exp(zz) - sum(terms))
            assert abs(exp_tail(z, K) - exact) <= 1e-13 * abs(exact)


def test_stencil_method() -> None:
    assert round(central(1, 6).spectrum().points_per_wavelength, 1) == 8.6


# -- command line ------------------------------------------------------------------


@pytest.mark.parametrize(("m", "p", "eps", "ppw"), REFERENCE)
def test_cli_json_reference(
    capsys: pytest.CaptureFixture[str], m: int, p: int, eps: float, ppw: float
) -> None:
    argv = ["spectrum", "-d", str(m), "--accuracy", str(p), "--json"]
    if eps != 1e-3:
        argv += ["--tolerance", str(eps)]
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert round(doc["points_per_wavelength"], 1) == ppw
    assert doc["resolving_efficiency"] == pytest.approx(
        2 / doc["points_per_wavelength"]
    )


def test_cli_offsets_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spectrum", "-d", "1", "--offsets=-2,-1,0,1,2", "--json")
    assert code == 0 and round(json.loads(out)["points_per_wavelength"], 1) == 15.0
    code, out, _ = run(
        capsys, "spectrum", "-d", "1", "--accuracy", "4", "--kind", "central", "--json"
    )
    assert code == 0 and round(json.loads(out)["points_per_wavelength"], 1) == 15.0


def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spectrum", "-d", "1", "--accuracy", "6")
    assert code == 0
    assert "points per wavelength:  8.57" in out
    assert "resolving efficiency:   0.2334" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--accuracy", "2", "--tolerance", "0"],
            "tolerance must be a number between 0 and 1",
        ),
        (["--offsets=0,hd,-hs"], "numeric offsets"),
        (["--accuracy", "3"], "even accuracy only"),
        (["--accuracy", "2", "--rows", "0"], "--rows must be"),
        (["--accuracy", "2", "--plot", "x.txt"], "must end in .png"),
    ],
)
def test_cli_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "spectrum", "-d", "1", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_cli_plot(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "s.png"
    code, out, _ = run(
        capsys, "spectrum", "-d", "1", "--accuracy", "4", "--plot", str(target)
    )
    assert code == 0 and "15.02 points per wavelength" in out
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
