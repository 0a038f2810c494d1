"""``stencilgen.analyze``: checked against the engine, textbooks, SymPy and numpy.

Independent oracles: every stencil the derivation engine builds (weights from
Lagrange's formula) written back as a formula; published error constants;
Taylor expansions done here with a polynomial test function and with SymPy's
``series``; ``numpy.gradient`` for the founding non-uniform case.
"""

from __future__ import annotations

import math
import random
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stencilgen
from stencilgen import Analysis, analyze, backward, central, forward, make_stencil
from stencilgen.analyze import MAX_TERMS, solve_coefficients
from stencilgen.errors import ExpressionError, StencilError, StencilgenError
from stencilgen.stencil import Stencil

f, u = sympy.Function("f"), sympy.Function("u")
x, t, h, hd, hs, dt = sympy.symbols("x t h hd hs dt")


def D(k: int, var: sympy.Symbol = x, fn: sympy.Function = f) -> sympy.Expr:
    return fn(var) if k == 0 else sympy.Derivative(fn(var), (var, k))


def rational_text(value: sympy.Expr) -> str:
    return f"({sympy.fraction(value)[0]})/({sympy.fraction(value)[1]})"


def formula_of(stencil: Stencil) -> str:
    """The stencil as a formula, samples relative to its evaluation point."""
    terms = []
    for w, o in zip(stencil.weights, stencil.offsets, strict=True):
        if w == 0:
            continue
        shift = o - stencil.at
        if stencil.symbolic:
            terms.append(f"({w})*f(x + ({shift}))")
        else:
            terms.append(f"{rational_text(w)}*f(x + {rational_text(shift)}*h)")
    text = " + ".join(terms)
    return text if stencil.symbolic else f"({text})/h**{stencil.derivative}"


def expected_error(stencil: Stencil) -> sympy.Expr:
    """The stencil's leading error taken at the evaluation point, as f^(k)(x)."""
    k = stencil.error_derivative
    assert k is not None
    scale = 1 if stencil.symbolic else h ** (k - stencil.derivative)
    return stencil.error_coefficient * scale * D(k)


def assert_agrees(stencil: Stencil, analysis: Analysis) -> None:
    assert analysis.consistent
    assert analysis.derivative == stencil.derivative
    assert analysis.accuracy == stencil.accuracy
    assert analysis.leading_error == expected_error(stencil)


# -- every stencil the engine derives comes back -------------------------------------

FAMILY_CASES = [
    (family, m, p)
    for m in (1, 2, 3, 4)
    for family, accuracies in (
        (central, (2, 4, 6)),
        (forward, (1, 2, 3)),
        (backward, (1, 2, 3)),
    )
    for p in accuracies
]


@pytest.mark.parametrize(("family", "m", "p"), FAMILY_CASES)
def test_engine_families_round_trip(family, m, p):
    stencil = family(m, p)
    analysis = analyze(formula_of(stencil))
    assert_agrees(stencil, analysis)
    kind = family.__name__
    assert analysis.name is not None and kind in analysis.name


def test_random_engine_stencils_round_trip():
    rng = random.Random(20261127)
    for _ in range(30):
        size = rng.randint(2, 6)
        offsets = rng.sample(range(-6, 7), size)
        if rng.random() < 0.4:  # some rational offsets too
            offsets = [Fraction(o, rng.choice([1, 2, 3])) for o in offsets]
            if len(set(offsets)) < size:
                continue
        m = rng.randint(0, size - 1)
        at = rng.choice([0, 0, Fraction(1, 2), Fraction(-1, 3)])
        stencil = make_stencil(m, offsets, at)
        if stencil.error_derivative is None:
            continue  # derivative 0 taken at a node: exact, nothing to compare
        assert_agrees(stencil, analyze(formula_of(stencil)))


def test_staggered_stencils_with_at_match_the_engine_exactly():
    for m, offsets in ((1, [0, 1]), (1, [-1, 0, 1, 2]), (2, [-1, 0, 1, 2])):
        stencil = make_stencil(m, offsets, at=Fraction(1, 2))
        grid = " + ".join(
            f"{rational_text(w)}*f(x + ({o})*h)"
            for w, o in zip(stencil.weights, stencil.offsets, strict=True)
        )
        analysis = analyze(f"({grid})/h**{m}", at="h/2")
        assert analysis.derivative == m
        assert analysis.accuracy == stencil.accuracy
        assert analysis.leading_error == stencil.leading_error  # Subs(..., x + h/2)
        assert analysis.exact == stencil.exact


@pytest.mark.parametrize(
    ("m", "offsets"),
    [
        (1, ["0", "hd", "-hs"]),
        (2, ["0", "hd", "-hs"]),
        (1, ["-h1", "0", "h2", "2*h2"]),
        (2, ["-hs", "0", "hd", "hd + hs"]),
    ],
)
def test_symbolic_engine_stencils_round_trip(m, offsets):
    stencil = make_stencil(m, offsets)
    analysis = analyze(formula_of(stencil))
    assert analysis.derivative == m
    assert analysis.accuracy == stencil.accuracy
    assert sympy.simplify(analysis.leading_error - expected_error(stencil)) == 0


# -- textbook formulas -----------------------------------------------------------------

# Error constants (approximation − exact), e.g. LeVeque, "Finite Difference Methods
# for ODEs and PDEs" (2007), §1.1-1.5; Fornberg (1988) Table 1 for the five-point
# ones; the staggered fourth-order one is Fornberg's Table 2 (half-integer nodes).
TEXTBOOK = [
    ("(f(x+h) - f(x))/h", 1, 1, h / 2 * D(2)),
    ("(f(x) - f(x-h))/h", 1, 1, -h / 2 * D(2)),
    ("(f(x+h) - f(x-h))/(2*h)", 1, 2, h**2 / 6 * D(3)),
    ("(-3*f(x) + 4*f(x+h) - f(x+2*h))/(2*h)", 1, 2, -(h**2) / 3 * D(3)),
    ("(3*f(x) - 4*f(x-h) + f(x-2*h))/(2*h)", 1, 2, -(h**2) / 3 * D(3)),
    ("(f(x+h) - 2*f(x) + f(x-h))/h**2", 2, 2, h**2 / 12 * D(4)),
    ("(f(x+2*h) - 2*f(x+h) + f(x))/h**2", 2, 1, h * D(3)),
    ("(-f(x+2*h) + 8*f(x+h) - 8*f(x-h) + f(x-2*h))/(12*h)", 1, 4, -(h**4) / 30 * D(5)),
    (
        "(-f(x+2*h) + 16*f(x+h) - 30*f(x) + 16*f(x-h) - f(x-2*h))/(12*h**2)",
        2,
        4,
        -(h**4) / 90 * D(6),
    ),
    ("(f(x+h/2) - f(x-h/2))/h", 1, 2, h**2 / 24 * D(3)),
    (
        "(27*(f(x+h/2) - f(x-h/2)) - (f(x+3*h/2) - f(x-3*h/2)))/(24*h)",
        1,
        4,
        -sympy.Rational(3, 640) * h**4 * D(5),
    ),
    ("(f(x+2*h) - 2*f(x+h) + 2*f(x-h) - f(x-2*h))/(2*h**3)", 3, 2, h**2 / 4 * D(5)),
    ("(f(x+h) + f(x-h))/2", 0, 2, h**2 / 2 * D(2)),
    ("(f(x+h/2) + f(x-h/2))/2", 0, 2, h**2 / 8 * D(2)),
]


@pytest.mark.parametrize(("text", "m", "p", "error"), TEXTBOOK)
def test_textbook_formulas(text, m, p, error):
    analysis = analyze(text)
    assert (analysis.consistent, analysis.derivative, analysis.accuracy) == (True, m, p)
    assert analysis.leading_error == error


def test_superconvergence_is_decided_exactly():
    # Two samples, first derivative: in general accuracy 1; symmetric ones give 2.
    assert analyze("(f(x+h/2) - f(x-h/2))/h").accuracy == 2
    assert analyze("(f(x+h) - f(x-h/3))/(4*h/3)").accuracy == 1
    # Three samples of f'' generally give accuracy 1; the symmetric second
    # difference gives 2, and an asymmetric one only 1.
    assert analyze("(f(x+h) - 2*f(x) + f(x-h))/h**2").accuracy == 2
    uneven = make_stencil(2, [-1, 0, 2])
    assert analyze(formula_of(uneven)).accuracy == 1


def test_mixed_orders_in_one_group():
    analysis = analyze("(1 + h**2)*(f(x+h) - f(x-h))/(2*h)")
    assert analysis.accuracy == 2
    assert analysis.leading_error == h**2 * D(1) + h**2 / 6 * D(3)
    halves = analyze("(f(x+h) - f(x))/h + h*(f(x+h) - 2*f(x) + f(x-h))/h**2")
    assert halves.accuracy == 1
    assert sympy.expand(halves.leading_error - (h / 2 + h) * D(2)) == 0


def test_an_exact_formula_has_no_error():
    analysis = analyze("f(x)")
    assert (analysis.derivative, analysis.accuracy) == (0, None)
    assert analysis.leading_error == 0
    assert analysis.remainder is None


# -- the user's own symbols ------------------------------------------------------------


def test_errors_use_the_users_function_variable_and_symbols():
    a = analyze("(f(x+h)-f(x-h))/(2*h)")
    assert a.leading_error == h**2 / 6 * f(x).diff(x, 3)
    b = analyze("(u(t + dt) - u(t - dt))/(2*dt)")
    assert b.leading_error == dt**2 / 6 * u(t).diff(t, 3)
    k = sympy.Symbol("k", positive=True)
    c = analyze((f(x + k) - f(x)) / k)
    assert c.leading_error == k / 2 * f(x).diff(x, 2)
    g, y = sympy.Function("g", real=True), sympy.Symbol("y", real=True)
    e = analyze((g(y + k) - g(y - k)) / (2 * k))
    assert e.leading_error == k**2 / 6 * g(y).diff(y, 3)
    d = analyze("(u[i+1] - u[i-1])/(2*dx)", spacing="dx")
    dx = sympy.Symbol("dx")
    assert d.leading_error == dx**2 / 6 * u(x).diff(x, 3)


# -- the founding case -----------------------------------------------------------------

GRADIENT_TEXT = (
    "(hd**2 - hs**2)/(hs*hd*(hs + hd))*f(x) + hs**2/(hs*hd*(hs + hd))*f(x + hd)"
    " - hd**2/(hs*hd*(hs + hd))*f(x - hs)"
)


def test_founding_case_with_numpy_gradient_weights():
    analysis = analyze(GRADIENT_TEXT)
    assert (analysis.consistent, analysis.derivative, analysis.accuracy) == (
        True,
        1,
        2,
    )
    assert analysis.leading_error == hd * hs / 6 * D(3)
    assert analysis.steps == (hd, hs)


def test_founding_case_with_where():
    analysis = analyze(
        "a*f(x) + b*f(x+hd) + c*f(x-hs)",
        where={
            "a": "(hd**2 - hs**2)/(hs*hd*(hs + hd))",
            "b": "hs**2/(hs*hd*(hs + hd))",
            "c": "-hd**2/(hs*hd*(hs + hd))",
        },
    )
    assert analysis.leading_error == hd * hs / 6 * D(3)


def test_founding_derivation_solves_for_the_weights():
    solution = solve_coefficients("a*f(x) + b*f(x+hd) + c*f(x-hs)", "a,b,c", 1)
    a, b, c = sympy.symbols("a b c")
    engine = stencilgen.fd_weights(1, [0, hd, -hs])
    for symbol, weight in zip((a, b, c), engine, strict=True):
        assert sympy.cancel(solution[symbol] - weight) == 0
    # ... and they are numpy.gradient's weights on a non-uniform grid.
    rng = np.random.default_rng(7)
    for _ in range(5):
        left, right = rng.uniform(0.1, 1.0, size=2)
        values = rng.normal(size=3)
        grid = np.array([0.0, left, left + right])
        expected = np.gradient(values, grid)[1]
        numbers = {hd: sympy.Float(right, 30), hs: sympy.Float(left, 30)}
        got = sum(
            float(solution[s].xreplace(numbers)) * v
            for s, v in zip((a, b, c), (values[1], values[2], values[0]), strict=True)
        )
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    analysis = analyze("a*f(x) + b*f(x+hd) + c*f(x-hs)", solve="a,b,c", derivative=1)
    assert analysis.solution == solution
    assert analysis.leading_error == hd * hs / 6 * D(3)


def test_free_coefficients_are_not_consistent_and_say_how_to_solve():
    analysis = analyze("a*f(x) + b*f(x+hd) + c*f(x-hs)")
    assert not analysis.consistent
    assert analysis.hint is not None
    assert "--solve a,b,c --derivative M" in analysis.hint


def test_solve_skips_conditions_that_hold_anyway():
    # Symmetric unknowns: T_0 and T_2 vanish for any a, b.
    solution = solve_coefficients(
        "a*(f(x+h) - f(x-h)) + b*(f(x+2*h) - f(x-2*h))", ["a", "b"], 1
    )
    a, b = sympy.symbols("a b")
    assert solution == {a: 2 / (3 * h), b: -1 / (12 * h)}


@pytest.mark.parametrize(
    ("formula", "unknowns", "m", "match"),
    [
        ("a*(f(x+h) - f(x)) + f(x)", "a", 1, "term 0 is fixed to 1"),
        ("a*f(x+h) + f(x)", "a", 1, "contradict"),
        ("a*f(x+h) + b*f(x)", "a,b", 2, "contradict|fixed"),
        ("(a+b)*f(x+h) - (a+b)*f(x)", "a,b", 1, "do not determine"),
        ("a**2*f(x+h) + b*f(x)", "a,b", 1, "not linear"),
        ("a*f(x+h) + b*f(x)", "a,q", 1, "'q' is not a coefficient"),
        ("a*f(x+h) + b*f(x)", "a+b", 1, "comma-separated names"),
        ("a*f(x+h) + b*f(x)", "", 1, "comma-separated names"),
        ("a*f(x+h) + b*f(x)", "a,b", -1, "whole number"),
    ],
)
def test_solve_errors(formula, unknowns, m, match):
    with pytest.raises(StencilgenError, match=match):
        solve_coefficients(formula, unknowns, m)


def test_solve_and_derivative_go_together():
    with pytest.raises(StencilError, match="derivative=M"):
        analyze("a*f(x)", solve="a")
    with pytest.raises(StencilError, match="give solve= too"):
        analyze("f(x)", derivative=1)


# -- the typo and other rescaled formulas ----------------------------------------------


def test_typo_case():
    analysis = analyze("(f(x) - f(x-h))/2")
    assert not analysis.consistent
    assert (analysis.derivative, analysis.accuracy) == (None, None)
    # No exact value to subtract: leading_error is the term that makes it wrong.
    assert analysis.leading_error == h / 2 * D(1)
    assert analysis.series[0].expr == h / 2 * D(1)
    assert analysis.series[1].expr == -(h**2) / 4 * D(2)
    assert analysis.reason is not None and "tends to 0" in analysis.reason
    assert analysis.hint is not None
    assert "dividing by h instead of 2" in analysis.hint
    assert "first-order backward difference" in analysis.hint
    assert analysis.name == "first-order backward difference"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("f(x+h) - f(x)", "dividing it by h makes it the first-order forward"),
        ("2*(f(x+h)-f(x-h))/(2*h)", "dividing it by 2 (by 4·h instead of 2·h)"),
        ("(f(x+h) - f(x))/h**2", "dividing by h instead of h²"),
        ("(f(x+h) - f(x))/dx", "dividing by h instead of dx"),
        ("(f(x+h) - 2*f(x) + f(x-h))/h", "second-order central difference for f''"),
    ],
)
def test_rescaled_formulas_get_a_repair_hint(text, hint):
    analysis = analyze(text)
    assert not analysis.consistent
    assert analysis.hint is not None and hint in analysis.hint


def test_index_notation_hint_mentions_the_spacing():
    analysis = analyze("(u[i+1] - u[i])/dx")
    assert analysis.hint is not None and "--spacing" in analysis.hint
    assert analyze("(u[i+1] - u[i])/dx", spacing="dx").accuracy == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(f(x+h) - f(x))/h**2", "grows without bound"),
        ("(f(x+h) - f(x))/h + f(x)", "a mix of several derivatives"),
        ("f(x+h/2) - f(x + 0.5*h)", "identically 0"),
        ("3*f(x+h)", "3·f(x), not a single derivative"),
    ],
)
def test_reasons_for_inconsistency(text, reason):
    analysis = analyze(text)
    assert not analysis.consistent
    assert analysis.reason is not None and reason in analysis.reason


# -- the expansion against SymPy -------------------------------------------------------


def taylor_polynomial_oracle(
    coefficients: list[sympy.Expr], shifts: list[sympy.Expr], degree: int
) -> dict[int, sympy.Expr]:
    """Σ c_j P(s_j) for P(y) = Σ_k a_k y^k/k!: coefficients of h^q, in the a_k."""
    a = sympy.symbols(f"a0:{degree + 1}")
    value = sympy.Add(
        *[
            c * sympy.Add(*[a[k] * s**k / math.factorial(k) for k in range(degree + 1)])
            for c, s in zip(coefficients, shifts, strict=True)
        ]
    )
    expanded = sympy.expand(value)
    return {
        q: expanded.coeff(h, q) * h**q
        for q in range(-4, degree + 1)
        if expanded.coeff(h, q)
    }


@pytest.mark.slow
def test_random_combinations_match_a_taylor_polynomial():
    rng = random.Random(4)
    degree = 12
    a = sympy.symbols(f"a0:{degree + 1}")
    for _ in range(25):
        size = rng.randint(1, 5)
        shifts = [
            sympy.Rational(s, rng.choice([1, 2])) * h
            for s in rng.sample(range(-4, 5), size)
        ]
        coefficients = [
            sympy.Rational(rng.randint(-6, 6) or 1, rng.randint(1, 4))
            * h ** rng.randint(-2, 0)
            for _ in range(size)
        ]
        text = " + ".join(
            f"({c})*f(x + ({s}))" for c, s in zip(coefficients, shifts, strict=True)
        )
        analysis = analyze(text, terms=4)
        oracle = taylor_polynomial_oracle(coefficients, shifts, degree)
        # The k-th derivative of the test polynomial at the origin is a_k.
        mine = {
            term.power: sympy.expand(
                term.expr.xreplace({D(k): a[k] for k in range(degree + 1)})
            )
            for term in analysis.series
        }
        top = analysis.remainder if analysis.remainder is not None else degree
        # Power q involves f^(k) for k <= q + 2 only, all exact for k <= degree.
        for q in range(-4, min(top, degree - 2)):
            assert sympy.expand(mine.get(q, 0) - oracle.get(q, 0)) == 0, (text, q)


def test_expansion_matches_sympy_series_of_a_concrete_function():
    g = sympy.exp(2 * x) * sympy.sin(x) + x**7
    for text, coefficients, shifts in [
        (
            "(f(x+h) - f(x-h))/(2*h)",
            [1 / (2 * h), -1 / (2 * h)],
            [h, -h],
        ),
        (
            "(2*f(x+h) + 3*f(x-h/2) - 5*f(x))/h**2",
            [2 / h**2, 3 / h**2, -5 / h**2],
            [h, -h / 2, 0],
        ),
    ]:
        analysis = analyze(text, terms=3)
        assert analysis.remainder is not None
        combination = sympy.Add(
            *[c * g.subs(x, x + s) for c, s in zip(coefficients, shifts, strict=True)]
        )
        reference = sympy.series(combination, h, 0, analysis.remainder).removeO()
        mine = analysis.expansion.replace(
            lambda e: isinstance(e, sympy.Derivative),
            lambda e: sympy.diff(g, x, e.derivative_count),
        ).subs(f(x), g)
        assert sympy.simplify(sympy.expand(mine - reference)) == 0


# -- options and limits ----------------------------------------------------------------


def test_steps_option():
    # a*h: is the step a, h or both? The answer differs, so we ask.
    with pytest.raises(ExpressionError, match="say which of them go to 0"):
        analyze("(f(x+a*h) - f(x))/(a*h)")
    assert analyze("(f(x+a*h) - f(x))/(a*h)", steps="h").accuracy == 1
    both = analyze("(f(x+a*h) - f(x))/(a*h)", steps="a,h")
    assert both.accuracy == 2  # a*h is of degree 2 when both go to 0
    assert analyze("(f(x+h**2) - f(x))/h**2").accuracy == 2  # one symbol: clear
    with pytest.raises(ExpressionError, match="'q' does not appear"):
        analyze("(f(x+h) - f(x))/h", steps="q")


@pytest.mark.parametrize(
    ("text", "options", "match"),
    [
        ("f(x+1) - f(x)", {}, "shift 1 does not go to 0"),
        ("(f(x+h+1) - f(x))/h", {}, "does not go to 0"),
        ("f(x+h**(1/2)) - f(x)", {}, "whole powers"),
        ("(f(x+h) - f(x))/h", {"terms": 0}, "terms must be"),
        ("(f(x+h) - f(x))/h", {"terms": MAX_TERMS + 1}, "terms must be"),
        ("(f(x+h) - f(x))/h", {"at": "x"}, "at must be"),
    ],
)
def test_analysis_errors(text, options, match):
    with pytest.raises(ExpressionError, match=match):
        analyze(text, **options)


def test_more_terms_on_request():
    analysis = analyze("(f(x+h) - f(x-h))/(2*h)", terms=4)
    assert [t.power for t in analysis.series] == [0, 2, 4, 6, 8]
    assert analysis.series[-1].expr == h**8 / math.factorial(9) * D(9)
    assert analysis.remainder == 10
    assert analysis.error_series == analysis.series[1:]


@pytest.mark.slow
def test_large_formulas_stay_fast():
    stencil = central(2, 16)  # 17 samples
    start = time.perf_counter()
    analysis = analyze(formula_of(stencil))
    assert time.perf_counter() - start < 10
    assert_agrees(stencil, analysis)
    # 64 samples with 64 free symbols: factoring those would take a minute.
    start = time.perf_counter()
    free = analyze(" + ".join(f"a{k}*f(x+{k}*h)" for k in range(64)))
    assert time.perf_counter() - start < 15
    assert not free.consistent


# -- fuzz ------------------------------------------------------------------------------


@st.composite
def formula_texts(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        weight = draw(st.sampled_from(["1", "-2", "1/2", "3", "a", "1/h", "h", "hd"]))
        shift = draw(st.sampled_from(["", "+h", "-h", "+h/2", "-2*h", "+hd", "+a"]))
        pieces.append(f"{weight}*f(x{shift})")
    text = " + ".join(pieces)
    if draw(st.booleans()):
        text = f"({text})/{draw(st.sampled_from(['h', '2', 'h**2', 'hd*h']))}"
    return text


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(formula_texts())
def test_random_valid_formulas_give_an_analysis_or_our_error(text):
    try:
        analysis = analyze(text)
    except StencilgenError:
        return
    assert isinstance(analysis, Analysis)
    if analysis.consistent:
        assert analysis.series[0].expr == analysis.exact
        assert analysis.accuracy is None or analysis.accuracy > 0
    else:
        assert analysis.derivative is None and analysis.reason


@settings(max_examples=examples(150), deadline=None)
@given(st.text(alphabet="fxh()+-*/2 .u[]i", max_size=30))
def test_random_text_gives_an_analysis_or_our_error(text):
    try:
        result = analyze(text)
    except StencilgenError:
        return
    assert isinstance(result, Analysis)
