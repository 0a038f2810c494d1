"""The engine (:mod:`stencilgen.taylor`) against independent oracles, exactly.

Oracles: ``sympy.finite_diff_weights`` (Fornberg's recurrence, a different
algorithm), :func:`stencilgen.taylor.solve_taylor_system` (SymPy's LU solve of the
moment equations), exact derivatives of polynomials from SymPy, and moments
recomputed here in ``Fraction`` arithmetic.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from stencilgen import StencilgenError, fd_weights, make_stencil
from stencilgen.errors import StencilError
from stencilgen.taylor import (
    as_exact,
    check_derivative,
    leading_term,
    moment,
    prepare_offsets,
    solve_taylor_system,
)
from tests.strategies import (
    distinct_offsets,
    nonzero_rationals,
    rationals,
    stencil_cases,
    symbolic_offsets,
)

hd, hs, h, h1, h2, h3, h4 = sympy.symbols("hd hs h h1 h2 h3 h4")


def _q(x: Fraction) -> sympy.Rational:
    return sympy.Rational(x.numerator, x.denominator)


def _fraction(w: sympy.Expr) -> Fraction:
    assert isinstance(w, sympy.Rational), w
    return Fraction(int(w.p), int(w.q))


# -- the oracle: sympy.finite_diff_weights ------------------------------------------


@settings(max_examples=examples(150), deadline=None)
@given(stencil_cases(max_size=8))
def test_matches_sympy_finite_diff_weights(
    case: tuple[int, list[Fraction], Fraction],
) -> None:
    m, offsets, at = case
    expected = sympy.finite_diff_weights(m, [_q(o) for o in offsets], _q(at))[m][-1]
    weights = fd_weights(m, offsets, at)
    assert weights == tuple(expected)
    assert all(isinstance(w, sympy.Rational) for w in weights)


@settings(max_examples=examples(40), deadline=None)
@given(stencil_cases(max_size=6))
def test_every_input_type_gives_the_same_weights(
    case: tuple[int, list[Fraction], Fraction],
) -> None:
    # The fast path (Fractions) and the general one (SymPy numbers, text, floats
    # at their decimal value) must agree, also through the cache.
    m, offsets, at = case
    reference = fd_weights(m, offsets, at)
    assert fd_weights(m, tuple(_q(o) for o in offsets), _q(at)) == reference
    assert fd_weights(m, [str(o) for o in offsets], str(at)) == reference
    assert fd_weights(np.int64(m), iter(offsets), at) == reference
    dyadic = [Fraction(o.numerator, 2) for o in offsets]
    if len(set(dyadic)) == len(dyadic):
        as_floats = [float(o) for o in dyadic]
        assert fd_weights(m, as_floats) == fd_weights(m, dyadic)


def test_interface_examples() -> None:
    half = sympy.Rational(1, 2)
    assert fd_weights(1, [-1, 0, 1]) == (-half, 0, half)
    weights = fd_weights(1, [-h, 0, h])
    assert [
        sympy.simplify(w - e)
        for w, e in zip(weights, (-1 / (2 * h), 0, 1 / (2 * h)), strict=True)
    ] == [0, 0, 0]
    assert fd_weights(2, [-2, -1, 0, 1, 2]) == tuple(
        sympy.Rational(w) for w in ("-1/12", "4/3", "-5/2", "4/3", "-1/12")
    )


def test_large_stencil_is_exact() -> None:
    # 65 points, far beyond where floating-point Vandermonde solves break down.
    offsets = list(range(-32, 33))
    weights = fd_weights(2, offsets)
    assert weights == tuple(sympy.finite_diff_weights(2, offsets, 0)[2][-1])
    assert sum(weights) == 0


# -- the independent path: the Taylor system solved by SymPy ------------------------


@settings(max_examples=examples(25), deadline=None)
@given(stencil_cases(max_size=5))
def test_taylor_system_agrees_on_numbers(
    case: tuple[int, list[Fraction], Fraction],
) -> None:
    m, offsets, at = case
    assert solve_taylor_system(m, offsets, at) == fd_weights(m, offsets, at)


SYMBOLIC_CASES = [
    (1, [0, hd, -hs], 0),
    (2, [0, hd, -hs], 0),
    (1, [-h1 - h2, -h1, 0, h3, h3 + h4], 0),
    (2, [-h1 - h2, -h1, 0, h3, h3 + h4], 0),
    (4, [-h1 - h2, -h1, 0, h3, h3 + h4], 0),
    (1, [-h, 0, h], 0),
    (1, [0, h], h / 2),
    (0, [0, hd, 2 * hd], hd / 3),
    (1, [0, h1, h1 + h2, h1 + h2 + h3], h1 / 2),
    (1, [-sympy.sqrt(2) * h, 0, h], 0),  # outside Q[symbols]: the generic path
]


@pytest.mark.parametrize(("m", "offsets", "at"), SYMBOLIC_CASES)
def test_taylor_system_agrees_on_symbols(
    m: int, offsets: list[sympy.Expr], at: sympy.Expr
) -> None:
    fast = fd_weights(m, offsets, at)
    slow = solve_taylor_system(m, offsets, at)
    assert len(fast) == len(offsets)
    for a, b in zip(fast, slow, strict=True):
        assert sympy.cancel(a - b) == 0 or sympy.simplify(a - b) == 0


@pytest.mark.parametrize(("m", "offsets", "at"), SYMBOLIC_CASES)
def test_symbolic_weights_satisfy_the_moment_conditions(
    m: int, offsets: list[sympy.Expr], at: sympy.Expr
) -> None:
    weights = fd_weights(m, offsets, at)
    nodes = [o - at for o in offsets]
    for k in range(len(offsets)):
        expected = math.factorial(m) if k == m else 0
        assert sympy.simplify(moment(weights, nodes, k) - expected) == 0


@settings(max_examples=examples(25), deadline=None)
@given(symbolic_offsets(), st.data())
def test_random_symbolic_offsets_agree_with_the_taylor_system(
    offsets: list[sympy.Expr], data: st.DataObject
) -> None:
    m = data.draw(st.integers(0, len(offsets) - 1))
    fast = fd_weights(m, offsets)
    slow = solve_taylor_system(m, offsets)
    for a, b in zip(fast, slow, strict=True):
        assert sympy.cancel(a - b) == 0
        assert sympy.factor(a) == a or a == 0


def test_symbolic_weights_also_match_sympy_finite_diff_weights() -> None:
    offsets = [-h1 - h2, -h1, 0, h3, h3 + h4]
    expected = sympy.finite_diff_weights(2, offsets, 0)[2][-1]
    for a, b in zip(fd_weights(2, offsets), expected, strict=True):
        assert sympy.cancel(a - b) == 0


# -- Hypothesis properties, exact -----------------------------------------------------


@settings(max_examples=examples(120), deadline=None)
@given(stencil_cases(max_size=8))
def test_moment_conditions(case: tuple[int, list[Fraction], Fraction]) -> None:
    m, offsets, at = case
    weights = [_fraction(w) for w in fd_weights(m, offsets, at)]
    nodes = [o - at for o in offsets]
    for k in range(len(offsets)):
        total = sum((w * x**k for w, x in zip(weights, nodes, strict=True)), Fraction())
        assert total == (math.factorial(m) if k == m else 0)


@settings(max_examples=examples(80), deadline=None)
@given(stencil_cases(max_size=8).filter(lambda case: case[0] >= 1))
def test_weights_sum_to_zero(case: tuple[int, list[Fraction], Fraction]) -> None:
    m, offsets, at = case
    assert sum(fd_weights(m, offsets, at)) == 0


@settings(max_examples=examples(80), deadline=None)
@given(stencil_cases(max_size=8))
def test_mirror_symmetry(case: tuple[int, list[Fraction], Fraction]) -> None:
    m, offsets, at = case
    mirrored = fd_weights(m, [-o for o in offsets], -at)
    assert mirrored == tuple((-1) ** m * w for w in fd_weights(m, offsets, at))


@settings(max_examples=examples(80), deadline=None)
@given(stencil_cases(max_size=8), nonzero_rationals())
def test_scaling(case: tuple[int, list[Fraction], Fraction], scale: Fraction) -> None:
    m, offsets, at = case
    scaled = fd_weights(m, [scale * o for o in offsets], scale * at)
    factor = _q(scale) ** -m
    assert scaled == tuple(factor * w for w in fd_weights(m, offsets, at))


@settings(max_examples=examples(60), deadline=None)
@given(stencil_cases(max_size=7), st.data())
def test_exact_on_polynomials_below_n(
    case: tuple[int, list[Fraction], Fraction], data: st.DataObject
) -> None:
    m, offsets, at = case
    t = sympy.Symbol("t")
    degree = len(offsets) - 1
    coefficients = data.draw(
        st.lists(rationals(), min_size=degree + 1, max_size=degree + 1)
    )
    p = sum(_q(c) * t**k for k, c in enumerate(coefficients))
    exact = sympy.diff(p, t, m).subs(t, _q(at))
    weights = fd_weights(m, offsets, at)
    approx = sum(w * p.subs(t, _q(o)) for w, o in zip(weights, offsets, strict=True))
    assert approx == exact


@settings(max_examples=examples(60), deadline=None)
@given(stencil_cases(max_size=7))
def test_accuracy_and_leading_error_from_first_nonvanishing_moment(
    case: tuple[int, list[Fraction], Fraction],
) -> None:
    m, offsets, at = case
    n = len(offsets)
    stencil = make_stencil(m, offsets, at)
    weights = [_fraction(w) for w in stencil.weights]
    nodes = [o - at for o in offsets]
    # Recompute the moments here, independently of the engine.
    first = None
    for k in range(m + 1, 2 * n + 1):
        value = sum((w * x**k for w, x in zip(weights, nodes, strict=True)), Fraction())
        if k >= n and value != 0:
            first = (k, value / math.factorial(k))
            break
    if first is None:
        # No error term at all: only when every node but one weight vanishes,
        # e.g. interpolating (m = 0) at one of the nodes.
        assert stencil.accuracy is None
        assert stencil.leading_error == 0
        assert m == 0 and at in offsets
        return
    k, coefficient = first
    assert stencil.accuracy is not None and stencil.accuracy >= n - m
    assert stencil.error_derivative == k == m + stencil.accuracy
    assert stencil.error_coefficient == _q(coefficient)
    assert leading_term(m, [_q(x) for x in nodes], stencil.weights) == (
        leading_term(m, nodes, stencil.weights)
    )


def test_accuracy_exceeds_n_minus_m_for_symmetric_stencils() -> None:
    # Central stencils gain one order by symmetry: 3 points, m = 1 is accuracy 2.
    assert make_stencil(1, [-1, 0, 1]).accuracy == 2
    assert make_stencil(2, [-1, 0, 1]).accuracy == 2  # n - m = 1, symmetric: 2
    assert make_stencil(1, [0, 1, 3]).accuracy == 2  # generic: exactly n - m


def test_leading_term_none_for_an_exact_stencil() -> None:
    assert leading_term(0, [-1, 0, 1], fd_weights(0, [-1, 0, 1])) is None
    term = leading_term(1, [-1, 0, 1], fd_weights(1, [-1, 0, 1]))
    assert term is not None and (term.derivative, term.coefficient) == (
        3,
        sympy.Rational(1, 6),
    )


def test_moment_and_helpers() -> None:
    weights = fd_weights(1, [0, hd, -hs])
    assert sympy.cancel(moment(weights, [0, hd, -hs], 1)) == 1
    assert check_derivative(2.0) == 2
    assert check_derivative(Fraction(4, 2)) == 2
    assert prepare_offsets(0, ["h"], "h/2") == (0, (h,), h / 2)
    assert as_exact(np.float64(0.1)) == sympy.Rational(1, 10)
    assert as_exact(sympy.Float(0.5)) == sympy.Rational(1, 2)


def test_cache_returns_equal_results() -> None:
    first = fd_weights(3, [0, 1, 2, 5, 7])
    assert fd_weights(3, (0, 1, 2, 5, 7)) == first
    assert fd_weights(3, [sympy.Integer(k) for k in (0, 1, 2, 5, 7)]) == first


# -- bad input: ValueError with a message that says what and how --------------------

BAD_INPUT = [
    ((1, [0]), r"derivative 1 needs at least 2 offsets, got 1; add 1 more"),
    ((4, [-1, 0, 1]), r"derivative 4 needs at least 5 offsets, got 3; add 2 more"),
    ((1, []), r"the offset list is empty; give offsets such as \[-1, 0, 1\]"),
    ((1, [0, 1, 1]), r"offsets 2 \(1\) and 3 \(1\) are the same point; every offset"),
    ((1, [h, "2*h/2", 0]), r"offsets 1 \(h\) and 2 \(h\) are the same point"),
    ((1, [0, hd * (hd + hs), hd**2 + hs * hd]), r"offsets 2 .* and 3 .* same point"),
    ((1, [0, sympy.sqrt(2) * h, h * 2 / sympy.sqrt(2)]), r"offsets 2 .* and 3 .* same"),
    ((1, [0, 0.5, Fraction(1, 2)]), r"offsets 2 \(1/2\) and 3 \(1/2\) are the same"),
    ((-1, [0, 1]), r"derivative must be a whole number >= 0 .*; got -1"),
    ((1.5, [0, 1]), r"derivative must be a whole number >= 0 .*; got 1\.5"),
    (("1", [0, 1]), r"derivative must be a whole number >= 0 .*; got '1'"),
    ((True, [0, 1]), r"derivative must be a whole number >= 0 .*; got True"),
    ((1, [0, float("inf")]), r"offset 2 is inf, not a finite number; give a finite"),
    ((1, [0, float("nan")]), r"offset 2 is nan, not a finite number; give a finite"),
    ((1, [0, sympy.oo]), r"offset 2 is oo, not a finite number; give a finite value"),
    ((1, [0, "inf"]), r"^offset 2: .*'inf' at column 1 is not a finite number"),
    ((1, [0, "h +"]), r"^offset 2: cannot parse 'h \+': expected a number, a name"),
    ((1, [0, "1/0"]), r"^offset 2: .*division by zero at column 2"),
    ((1, [0, True]), r"offset 2 is a boolean \(True\); give a number or a symbol"),
    ((1, [0, object()]), r"offset 2 has unsupported type object; give an int"),
    ((1, [0, sympy.I]), r"^offset 2 is I, not a real number; give a real value"),
    ((1, [0, 2 * sympy.I * h]), r"^offset 2 is 2\*I\*h, not a real number"),
    ((1, [0, sympy.Symbol("z", imaginary=True)]), r"^offset 2 is z, not a real"),
    (
        (1, [0, h, -sympy.Symbol("h", positive=True)]),
        r"^two different symbols are both named 'h' \(with different assumptions\); "
        r"use one$",
    ),
    ((1, "0,1"), r"offsets must be a list such as \[-1, 0, 1\]; got str"),
    ((1, 3), r"offsets must be a list such as \[-1, 0, 1\]; got int"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_a_value_error_with_a_clear_message(
    args: tuple[object, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        fd_weights(*args)
    assert isinstance(info.value, StencilgenError)
    assert "\n" not in str(info.value)


def test_bad_evaluation_point() -> None:
    with pytest.raises(StencilgenError, match=r"at is nan, not a finite number"):
        fd_weights(1, [0, 1], at=float("nan"))
    with pytest.raises(StencilgenError, match=r"^at is I/2, not a real number"):
        fd_weights(1, [0, 1], at=sympy.I / 2)
    with pytest.raises(StencilgenError, match=r"both named 'h'"):
        fd_weights(1, [0, h], at=sympy.Symbol("h", positive=True) / 2)
    with pytest.raises(StencilgenError, match=r"cannot parse"):
        fd_weights(1, [0, 1], at="1/")


def test_solve_taylor_system_validates_too() -> None:
    with pytest.raises(StencilError, match=r"same point"):
        solve_taylor_system(1, [0, 1, 1])


@settings(max_examples=examples(60), deadline=None)
@given(distinct_offsets(1, 6), st.integers(0, 8))
def test_too_few_offsets_always_refused(offsets: list[Fraction], m: int) -> None:
    if len(offsets) > m:
        assert len(fd_weights(m, offsets)) == len(offsets)
    else:
        with pytest.raises(StencilError, match=rf"derivative {m} needs at least"):
            fd_weights(m, offsets)


def test_fd_weights_still_accepts_mixed_numbers_and_symbols() -> None:
    # The weights are exact whatever the units; only a Stencil's accuracy claim
    # needs offsets in one unit (see test_stencil).
    a, b, c = fd_weights(1, [0, 1, h])
    assert sympy.cancel(a + b + c) == 0
    assert sympy.cancel(b + c * h - 1) == 0


# -- bounded time for many symbolic offsets -----------------------------------------

SEVEN = [sympy.Integer(0)] + [
    sympy.Add(*sympy.symbols(f"h1:{k + 1}")) for k in range(1, 7)
]


def test_seven_symbolic_offsets_factor_only_small_polynomials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Wang's randomised factorisation took 2 s to minutes here; it is bounded now."""
    from sympy.polys.rings import PolyElement

    from stencilgen import taylor

    original = PolyElement.factor_list
    sizes: list[int] = []

    def spy(self: PolyElement) -> object:
        assert taylor._small(self), f"factor_list on a large polynomial: {self}"
        sizes.append(len(self))
        return original(self)

    monkeypatch.setattr(PolyElement, "factor_list", spy)
    taylor._weights.cache_clear()
    weights = fd_weights(1, SEVEN)
    stencil = make_stencil(1, SEVEN)
    # Exact all the same: on the uniform grid h_k = 1 ...
    uniform = {s: 1 for s in sympy.symbols("h1:7")}
    assert tuple(w.subs(uniform) for w in weights) == fd_weights(1, range(7))
    # ... and on an uneven one, against the rational engine.
    uneven = {
        s: sympy.Rational(k + 2, k + 1) for k, s in enumerate(sympy.symbols("h1:7"))
    }
    points = [x.subs(uneven) for x in SEVEN]
    assert tuple(w.subs(uneven) for w in weights) == fd_weights(1, points)
    assert stencil.accuracy == 6
    expected = -sympy.Mul(*SEVEN[1:]) / 5040
    assert sympy.expand(stencil.error_coefficient - expected) == 0
    # The denominators stay products of differences.
    _, denominator = sympy.fraction(weights[3])
    assert isinstance(denominator, sympy.Mul) and len(denominator.args) == 6


def test_many_symbolic_offsets_run_in_bounded_time() -> None:
    import time

    from stencilgen import taylor

    taylor._weights.cache_clear()
    start = time.perf_counter()
    make_stencil(1, SEVEN)
    # About 0.1 s; before, between 2 s and minutes depending on the run.
    assert time.perf_counter() - start < 10


@settings(max_examples=examples(40), deadline=None)
@given(symbolic_offsets(), st.data())
def test_leading_term_of_symbolic_offsets_is_the_first_nonvanishing_moment(
    offsets: list[sympy.Expr], data: st.DataObject
) -> None:
    # leading_term computes symbolic moments from the nodes alone (t^k mod P):
    # check it against the moments of the weights, summed in Q(symbols).
    from stencilgen import taylor

    m = data.draw(st.integers(0, len(offsets) - 1))
    weights = fd_weights(m, offsets)
    term = leading_term(m, offsets, weights)
    n = len(offsets)
    fields = taylor._fraction_field(offsets, weights)
    assert fields is not None
    expected = taylor._field_leading_term(range(n, 2 * n), fields, offsets, weights)
    if expected is None:
        assert term is None
    else:
        assert term is not None and term.derivative == expected.derivative
        assert sympy.cancel(term.coefficient - expected.coefficient) == 0
