"""Anisotropy of N-D stencils and the 3×3 Laplacian family (five-point,
isotropic, Mehrstellen).

Oracles: closed-form symbols, exact moments with SymPy, and a measured
convergence order for Poisson's equation solved spectrally on a periodic grid.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from stencilgen.anisotropy import anisotropy, directions, laplacian_box_family
from stencilgen.errors import StencilgenError

LAPLACIAN = {(2, 0): 1, (0, 2): 1}


def test_isotropic_member_is_76_times_less_direction_dependent() -> None:
    fam = laplacian_box_family()
    five = anisotropy(fam.points, fam.weights_at(0), LAPLACIAN, 10)
    iso = anisotropy(fam.points, fam.weights_at(fam.isotropic), LAPLACIAN, 10)
    assert fam.isotropic == sympy.Rational(1, 3)
    assert five.spread / iso.spread == pytest.approx(76.4, abs=0.1)


def test_five_point_closed_form() -> None:
    fam = laplacian_box_family()
    report = anisotropy(fam.points, fam.weights_at(0), LAPLACIAN, 8, count=5)
    t = 2 * math.pi / 8
    for (cx, cy), e in zip(report.directions, report.relative_error, strict=True):
        exact = (2 * math.cos(t * cx) + 2 * math.cos(t * cy) - 4) / -(t * t) - 1
        assert e == pytest.approx(exact, abs=1e-14)


def test_family_is_second_order_for_every_gamma() -> None:
    fam = laplacian_box_family()
    for a in range(4):
        for b in range(4 - a):
            moment = sympy.expand(
                sum(
                    w * p[0] ** a * p[1] ** b
                    for p, w in zip(fam.points, fam.weights, strict=True)
                )
            )
            expected = 2 if (a, b) in ((2, 0), (0, 2)) else 0
            assert moment == expected, (a, b)
    assert fam.members()["isotropic"] == (
        sympy.Rational(1, 6),
        sympy.Rational(2, 3),
        sympy.Rational(1, 6),
        sympy.Rational(2, 3),
        sympy.Rational(-10, 3),
        sympy.Rational(2, 3),
        sympy.Rational(1, 6),
        sympy.Rational(2, 3),
        sympy.Rational(1, 6),
    )


def poisson_error(weights: tuple[object, ...], n: int, corrected: bool) -> float:
    """Solve Δu = f on the periodic square with the 9-point stencil (by FFT)."""
    fam = laplacian_box_family()
    h = 2 * math.pi / n
    x = np.arange(n) * h
    X, Y = np.meshgrid(x, x, indexing="ij")
    u = np.sin(X) * np.sin(2 * Y) + np.cos(3 * X) + np.sin(Y + X)
    f = -5 * np.sin(X) * np.sin(2 * Y) - 9 * np.cos(3 * X) - 2 * np.sin(Y + X)
    k = 2 * math.pi * np.fft.fftfreq(n)  # θ per grid step
    KX, KY = np.meshgrid(k, k, indexing="ij")
    symbol = (
        sum(
            float(w) * np.exp(1j * (KX * p[0] + KY * p[1]))
            for p, w in zip(fam.points, weights, strict=True)
        ).real
        / h**2
    )
    fhat = np.fft.fft2(f)
    if corrected:  # Mehrstellen: f + h²/12 Δ_h f with the five-point Δ_h
        five = (2 * np.cos(KX) + 2 * np.cos(KY) - 4) / h**2
        fhat = fhat * (1 + h**2 / 12 * five)
    symbol[0, 0] = 1.0  # the mean: undetermined, set to zero below
    uhat = fhat / symbol
    uhat[0, 0] = 0
    solution = np.fft.ifft2(uhat).real
    return float(np.max(np.abs(solution - (u - u.mean()))))


def slope(errors: list[float], ns: list[int]) -> float:
    return float(-np.polyfit(np.log(ns), np.log(errors), 1)[0])


def test_mehrstellen_is_fourth_order_for_poisson() -> None:
    fam = laplacian_box_family()
    members = fam.members()
    ns = [16, 24, 32, 48]
    mehr = [poisson_error(members["mehrstellen"], n, corrected=True) for n in ns]
    five = [poisson_error(members["five-point"], n, corrected=False) for n in ns]
    assert slope(mehr, ns) == pytest.approx(4.0, abs=0.1)
    assert slope(five, ns) == pytest.approx(2.0, abs=0.1)


def test_three_dimensional_directions() -> None:
    unit = directions(3, 50)
    assert np.allclose(np.linalg.norm(unit, axis=1), 1)
    points = [(0, 0, 0)] + [
        tuple(s * (i == d) for i in range(3)) for d in range(3) for s in (-1, 1)
    ]
    weights = [-6] + [1] * 6
    report = anisotropy(
        points, weights, {(2, 0, 0): 1, (0, 2, 0): 1, (0, 0, 2): 1}, 10, 50
    )
    assert 0 < report.spread < report.largest


@pytest.mark.parametrize(
    ("terms", "ppw", "message"),
    [
        ({(2, 0): 1, (1, 0): 1}, 10, "share one total order"),
        (LAPLACIAN, 2, "must exceed 2"),
        ({(2, 0): 1}, 10, "vanishes in some direction"),
    ],
)
def test_bad_input(terms: dict[tuple[int, int], int], ppw: float, message: str) -> None:
    fam = laplacian_box_family()
    with pytest.raises(StencilgenError, match=message):
        anisotropy(fam.points, fam.weights_at(0), terms, ppw)
