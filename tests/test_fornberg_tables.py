"""The published coefficient tables, compared exactly.

Source: B. Fornberg, "Generation of finite difference formulas on arbitrarily
spaced grids", Mathematics of Computation 51(184), 699-706 (1988),
doi:10.1090/S0025-5718-1988-0935077-0.

* Table 1: centered approximations at x = 0 on the grid -4, ..., 4, derivatives
  1-4, accuracies 2, 4, 6, 8 (derivatives 3 and 4 stop at accuracy 6: accuracy 8
  needs more than the table's nine points).
* Table 2: centered approximations at x = 0 on the staggered grid
  -7/2, ..., 7/2 (derivatives 0-2, first rows), used here for ``at``.
* Table 3: one-sided approximations at x = 0 on the grid 0, ..., 8,
  derivatives 1-4, accuracies 1-8 as far as nine points allow.

Each row is typed in by hand as exact fractions and is also checked against
``sympy.finite_diff_weights``, so a typo in the table fails loudly instead of
silently agreeing with a wrong engine.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from stencilgen import backward, central, fd_weights, forward, make_stencil
from stencilgen.stencil import family_offsets


def _row(text: str) -> tuple[Fraction, ...]:
    return tuple(Fraction(item) for item in text.split())


# Fornberg (1988), Table 1: {(derivative, accuracy): weights on -p/2.., ..p/2}.
CENTERED = {
    (1, 2): _row("-1/2 0 1/2"),
    (1, 4): _row("1/12 -2/3 0 2/3 -1/12"),
    (1, 6): _row("-1/60 3/20 -3/4 0 3/4 -3/20 1/60"),
    (1, 8): _row("1/280 -4/105 1/5 -4/5 0 4/5 -1/5 4/105 -1/280"),
    (2, 2): _row("1 -2 1"),
    (2, 4): _row("-1/12 4/3 -5/2 4/3 -1/12"),
    (2, 6): _row("1/90 -3/20 3/2 -49/18 3/2 -3/20 1/90"),
    (2, 8): _row("-1/560 8/315 -1/5 8/5 -205/72 8/5 -1/5 8/315 -1/560"),
    (3, 2): _row("-1/2 1 0 -1 1/2"),
    (3, 4): _row("1/8 -1 13/8 0 -13/8 1 -1/8"),
    (3, 6): _row("-7/240 3/10 -169/120 61/30 0 -61/30 169/120 -3/10 7/240"),
    (4, 2): _row("1 -4 6 -4 1"),
    (4, 4): _row("-1/6 2 -13/2 28/3 -13/2 2 -1/6"),
    (4, 6): _row("7/240 -2/5 169/60 -122/15 91/8 -122/15 169/60 -2/5 7/240"),
}

# Fornberg (1988), Table 3: {(derivative, accuracy): weights on 0, 1, 2, ...}.
ONE_SIDED = {
    (1, 1): _row("-1 1"),
    (1, 2): _row("-3/2 2 -1/2"),
    (1, 3): _row("-11/6 3 -3/2 1/3"),
    (1, 4): _row("-25/12 4 -3 4/3 -1/4"),
    (1, 5): _row("-137/60 5 -5 10/3 -5/4 1/5"),
    (1, 6): _row("-49/20 6 -15/2 20/3 -15/4 6/5 -1/6"),
    (1, 7): _row("-363/140 7 -21/2 35/3 -35/4 21/5 -7/6 1/7"),
    (1, 8): _row("-761/280 8 -14 56/3 -35/2 56/5 -14/3 8/7 -1/8"),
    (2, 1): _row("1 -2 1"),
    (2, 2): _row("2 -5 4 -1"),
    (2, 3): _row("35/12 -26/3 19/2 -14/3 11/12"),
    (2, 4): _row("15/4 -77/6 107/6 -13 61/12 -5/6"),
    (2, 5): _row("203/45 -87/5 117/4 -254/9 33/2 -27/5 137/180"),
    (2, 6): _row("469/90 -223/10 879/20 -949/18 41 -201/10 1019/180 -7/10"),
    (2, 7): _row(
        "29531/5040 -962/35 621/10 -4006/45 691/8 -282/5 2143/90 -206/35 363/560"
    ),
    (3, 1): _row("-1 3 -3 1"),
    (3, 2): _row("-5/2 9 -12 7 -3/2"),
    (3, 3): _row("-17/4 71/4 -59/2 49/2 -41/4 7/4"),
    (3, 4): _row("-49/8 29 -461/8 62 -307/8 13 -15/8"),
    (3, 5): _row("-967/120 638/15 -3929/40 389/3 -2545/24 268/5 -1849/120 29/15"),
    (3, 6): _row(
        "-801/80 349/6 -18353/120 2391/10 -1457/6 4891/30 -561/8 527/30 -469/240"
    ),
    (4, 1): _row("1 -4 6 -4 1"),
    (4, 2): _row("3 -14 26 -24 11 -2"),
    (4, 3): _row("35/6 -31 137/2 -242/3 107/2 -19 17/6"),
    (4, 4): _row("28/3 -111/2 142 -1219/6 176 -185/2 82/3 -7/2"),
    (4, 5): _row(
        "1069/80 -1316/15 15289/60 -2144/5 10993/24 -4772/15 2803/20 -536/15 967/240"
    ),
}


# Fornberg (1988), Table 2: {(derivative, accuracy): weights on -p/2+1/2, ...}.
STAGGERED = {
    (0, 2): _row("1/2 1/2"),
    (0, 4): _row("-1/16 9/16 9/16 -1/16"),
    (1, 2): _row("-1 1"),
    (1, 4): _row("1/24 -9/8 9/8 -1/24"),
    (1, 6): _row("-3/640 25/384 -75/64 75/64 -25/384 3/640"),
    (2, 2): _row("1/2 -1/2 -1/2 1/2"),
    (2, 4): _row("-5/48 13/16 -17/24 -17/24 13/16 -5/48"),
}


def _exact(values: tuple[Fraction, ...]) -> tuple[sympy.Rational, ...]:
    return tuple(sympy.Rational(v.numerator, v.denominator) for v in values)


def _sympy_weights(derivative: int, offsets: tuple[int, ...]) -> tuple[object, ...]:
    return tuple(sympy.finite_diff_weights(derivative, list(offsets), 0)[-1][-1])


def test_tables_cover_what_fornberg_publishes() -> None:
    assert {m for m, _ in CENTERED} == {1, 2, 3, 4}
    assert {p for _, p in CENTERED} == {2, 4, 6, 8}
    assert {m for m, _ in ONE_SIDED} == {1, 2, 3, 4}
    assert {p for _, p in ONE_SIDED} == set(range(1, 9))
    # Nine points at most, as in the paper's grids.
    assert max(len(w) for w in (*CENTERED.values(), *ONE_SIDED.values())) == 9


@pytest.mark.parametrize(("derivative", "accuracy"), sorted(CENTERED))
def test_centered_table_row(derivative: int, accuracy: int) -> None:
    row = CENTERED[derivative, accuracy]
    half = len(row) // 2
    offsets = tuple(range(-half, half + 1))
    # The typed row itself agrees with an independent implementation ...
    assert _sympy_weights(derivative, offsets) == _exact(row)
    # ... and stencilgen reproduces it exactly, on the paper's offsets.
    stencil = central(derivative, accuracy)
    assert stencil.offsets == offsets
    assert family_offsets("central", derivative, accuracy) == offsets
    assert stencil.weights == _exact(row)
    assert all(isinstance(w, sympy.Rational) for w in stencil.weights)
    assert stencil.accuracy == accuracy


@pytest.mark.parametrize(("derivative", "accuracy"), sorted(ONE_SIDED))
def test_one_sided_table_row(derivative: int, accuracy: int) -> None:
    row = ONE_SIDED[derivative, accuracy]
    offsets = tuple(range(len(row)))
    assert _sympy_weights(derivative, offsets) == _exact(row)
    stencil = forward(derivative, accuracy)
    assert stencil.offsets == offsets
    assert stencil.weights == _exact(row)
    assert stencil.accuracy == accuracy


@pytest.mark.parametrize(("derivative", "accuracy"), sorted(ONE_SIDED))
def test_backward_is_mirrored_forward(derivative: int, accuracy: int) -> None:
    # Mirroring x -> -x multiplies the m-th derivative by (-1)^m.
    row = ONE_SIDED[derivative, accuracy]
    stencil = backward(derivative, accuracy)
    assert stencil.offsets == tuple(-k for k in reversed(range(len(row))))
    sign = (-1) ** derivative
    assert stencil.weights == _exact(tuple(sign * w for w in reversed(row)))
    assert stencil.accuracy == accuracy


@pytest.mark.parametrize(("derivative", "accuracy"), sorted(STAGGERED))
def test_staggered_table_row(derivative: int, accuracy: int) -> None:
    row = STAGGERED[derivative, accuracy]
    half = Fraction(len(row) - 1, 2)
    offsets = tuple(k - half for k in range(len(row)))
    assert tuple(
        sympy.finite_diff_weights(
            derivative, [sympy.Rational(o.numerator, o.denominator) for o in offsets], 0
        )[-1][-1]
    ) == _exact(row)
    assert fd_weights(derivative, offsets) == _exact(row)
    # The same stencil on the integer grid 0..n-1, evaluated half-way.
    integer_grid = range(len(row))
    assert fd_weights(derivative, integer_grid, at=half) == _exact(row)
    stencil = make_stencil(derivative, list(integer_grid), at=half)
    assert stencil.accuracy == accuracy
