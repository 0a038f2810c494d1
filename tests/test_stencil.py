"""The :class:`Stencil` value: founding case, error terms, formula, families.

The error convention is *approximation minus exact value*; every error term is
checked here against a Taylor series computed by SymPy on concrete functions, not
only against the engine's own moments.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy

from stencilgen import (
    Stencil,
    StencilgenError,
    backward,
    central,
    fd_weights,
    forward,
    make_stencil,
)
from stencilgen.display import stencil_latex
from stencilgen.notation import F, H, X, derivative_at
from stencilgen.stencil import family_offsets
from stencilgen.taylor import solve_taylor_system

hd, hs, h1, h2, h3, h4, t = sympy.symbols("hd hs h1 h2 h3 h4 t")
FIVE = [-h1 - h2, -h1, 0, h3, h3 + h4]


# -- the founding case ----------------------------------------------------------------


def test_founding_three_point_weights() -> None:
    a, b, c = fd_weights(1, [0, hd, -hs])
    common = hs * hd * (hs + hd)
    assert sympy.simplify(a - (hd**2 - hs**2) / common) == 0
    assert sympy.simplify(b - hs**2 / common) == 0
    assert sympy.simplify(c - (-(hd**2)) / common) == 0
    for w in (a, b, c):
        assert sympy.factor(w) == w  # already in factored form
        assert w.is_rational_function(hd, hs)


def test_founding_three_point_stencil() -> None:
    stencil = make_stencil(1, [0, "hd", "-hs"])
    assert stencil.symbolic
    assert stencil.accuracy == 2
    assert stencil.error_derivative == 3
    assert stencil.error_coefficient == hd * hs / 6
    assert stencil.leading_error == hd * hs / 6 * sympy.Derivative(F(X), (X, 3))


def test_symbolic_five_point_case() -> None:
    weights = fd_weights(1, FIVE)
    assert len(weights) == 5
    for w, slow in zip(weights, solve_taylor_system(1, FIVE), strict=True):
        assert sympy.factor(w) == w
        _, denominator = sympy.fraction(w)
        assert w.is_rational_function(h1, h2, h3, h4)
        assert denominator.free_symbols  # a genuine rational function
        assert sympy.cancel(w - slow) == 0
    stencil = make_stencil(1, FIVE)
    assert stencil.accuracy == 4
    expected = sum(w * x**5 for w, x in zip(weights, FIVE, strict=True)) / 120
    assert sympy.cancel(stencil.error_coefficient - expected) == 0
    # On a uniform grid it reduces to the central fourth-accuracy stencil.
    uniform = {h1: 1, h2: 1, h3: 1, h4: 1}
    assert tuple(w.subs(uniform) for w in weights) == central(1, 4).weights
    assert stencil.error_coefficient.subs(uniform) == central(1, 4).error_coefficient


# -- the error convention, checked by Taylor series ----------------------------------

SAMPLE_FUNCTIONS = [sympy.exp(X), sympy.sin(2 * X + 1)]


def _series_error(stencil: Stencil, f: sympy.Expr, step: sympy.Symbol) -> sympy.Expr:
    """Leading term in ``step`` of approximation - exact, by SymPy's series."""
    approx = stencil.formula.subs(F, sympy.Lambda(X, f)).doit()
    exact = stencil.exact.subs(F, sympy.Lambda(X, f)).doit()
    assert stencil.accuracy is not None
    series = sympy.series(approx - exact, step, 0, stencil.accuracy + 1).removeO()
    terms = sympy.Poly(sympy.expand(series), step).terms()
    (power,), coefficient = min(terms, key=lambda term: term[0][0])
    return coefficient * step**power


def _with_f(expr: sympy.Expr, f: sympy.Expr) -> sympy.Expr:
    return expr.subs(F, sympy.Lambda(X, f)).doit()


@pytest.mark.parametrize(
    "stencil",
    [central(1, 2), central(2, 4), forward(1, 1), backward(2, 2), forward(3, 2)],
    ids=["central-1-2", "central-2-4", "forward-1-1", "backward-2-2", "forward-3-2"],
)
@pytest.mark.parametrize("f", SAMPLE_FUNCTIONS, ids=str)
def test_leading_error_matches_the_taylor_series(
    stencil: Stencil, f: sympy.Expr
) -> None:
    leading = _series_error(stencil, f, H)
    assert sympy.simplify(leading - _with_f(stencil.leading_error, f)) == 0
    assert sympy.degree(leading, H) == stencil.accuracy


def test_signs_of_the_classic_error_terms() -> None:
    third = sympy.Derivative(F(X), (X, 3))
    assert central(1, 2).leading_error == H**2 / 6 * third
    assert forward(1, 1).leading_error == H / 2 * sympy.Derivative(F(X), (X, 2))
    assert backward(1, 1).leading_error == -H / 2 * sympy.Derivative(F(X), (X, 2))
    assert central(2, 2).leading_error == H**2 / 12 * sympy.Derivative(F(X), (X, 4))


def test_founding_error_matches_the_taylor_series() -> None:
    # Let hd = 2t and hs = 3t shrink together: the error is hd*hs/6 f''' + O(t^3).
    stencil = make_stencil(1, [0, hd, -hs])
    for f in SAMPLE_FUNCTIONS:
        approx = stencil.formula.subs({hd: 2 * t, hs: 3 * t})
        error = _with_f(approx, f) - _with_f(stencil.exact, f)
        series = sympy.series(error, t, 0, 3).removeO()
        expected = _with_f(stencil.leading_error.subs({hd: 2 * t, hs: 3 * t}), f)
        assert sympy.simplify(series - expected) == 0


def test_staggered_stencil_error_at_the_half_point() -> None:
    stencil = make_stencil(1, [0, 1], at=Fraction(1, 2))
    assert stencil.weights == (-1, 1)
    assert stencil.accuracy == 2
    assert stencil.point == X + H / 2
    third_at_half = sympy.Subs(sympy.Derivative(F(X), (X, 3)), X, X + H / 2)
    assert stencil.leading_error == H**2 / 24 * third_at_half
    for f in SAMPLE_FUNCTIONS:
        leading = _series_error(stencil, f, H)
        expected = sympy.series(_with_f(stencil.leading_error, f), H, 0, 3).removeO()
        assert sympy.simplify(leading - expected) == 0


def test_exact_stencil_has_no_error_term() -> None:
    stencil = make_stencil(0, [-1, 0, 1])
    assert stencil.weights == (0, 1, 0)
    assert stencil.accuracy is None and stencil.error_derivative is None
    assert stencil.leading_error == 0
    assert stencil.formula == F(X)
    assert "exact" in str(stencil)
    assert stencil_latex(stencil) == r"f{\left(x \right)} = f{\left(x \right)}"


# -- formula, LaTeX, text -----------------------------------------------------------


def test_formula_in_samples() -> None:
    expected = (F(X - H) - 2 * F(X) + F(X + H)) / H**2
    assert sympy.simplify(central(2, 2).formula - expected) == 0
    symbolic = make_stencil(1, [0, hd, -hs]).formula
    a, b, c = fd_weights(1, [0, hd, -hs])
    assert sympy.simplify(symbolic - (a * F(X) + b * F(X + hd) + c * F(X - hs))) == 0


def test_zero_weights_are_left_out_of_the_formula() -> None:
    assert F(X) not in central(1, 2).formula.atoms(sympy.Function)


def test_latex_shows_approximation_and_error() -> None:
    text = stencil_latex(central(1, 2))
    assert text.startswith(r"f^{\prime}{\left(x \right)} \approx")
    # Samples in the order of the offsets, written f(x + offset) as in the text.
    assert text.index(r"f{\left(x - h \right)}") < text.index(r"f{\left(x + h \right)}")
    assert r"\frac{f{\left(x + h \right)}}{2 h}" in text
    assert (
        r"\text{error: } \frac{h^{2} f^{\prime\prime\prime}{\left(x \right)}}{6}"
        in text
    )


def test_staggered_latex_shows_the_derivative_at_the_half_point() -> None:
    text = stencil_latex(make_stencil(1, [0, 1], at="1/2"))
    assert text.startswith(r"f^{\prime}{\left(x + \frac{h}{2} \right)} \approx")
    assert r"f^{\prime\prime\prime}{\left(x + \frac{h}{2} \right)}" in text
    assert r"\right|_" not in text and "Subs" not in text


def test_symbolic_latex() -> None:
    text = stencil_latex(make_stencil(1, [0, "hd", "-hs"]))
    assert r"f{\left(x - hs \right)}" in text
    assert r"\frac{hd hs f^{\prime\prime\prime}{\left(x \right)}}{6}" in text


def test_str_and_exact() -> None:
    stencil = central(1, 2)
    assert stencil.exact == sympy.Derivative(F(X), X)
    assert str(stencil).endswith("(accuracy 2)")
    assert derivative_at(0) == F(X)
    assert derivative_at(2, X + H) == sympy.Subs(
        sympy.Derivative(F(X), (X, 2)), X, X + H
    )


def test_stencil_is_frozen() -> None:
    with pytest.raises(AttributeError):
        central(1, 2).accuracy = 3  # type: ignore[misc]


# -- the families ---------------------------------------------------------------------


@pytest.mark.parametrize("m", range(1, 7))
@pytest.mark.parametrize("accuracy", range(1, 9))
def test_families_reach_the_requested_accuracy(m: int, accuracy: int) -> None:
    f, b = forward(m, accuracy), backward(m, accuracy)
    assert f.accuracy == b.accuracy == accuracy
    assert len(f.offsets) == m + accuracy
    assert b.weights == tuple((-1) ** m * w for w in reversed(f.weights))
    if accuracy % 2 == 0:
        c = central(m, accuracy)
        assert c.accuracy == accuracy
        assert c.offsets == tuple(-o for o in reversed(c.offsets))
        assert len(c.offsets) == 2 * ((m + 1) // 2) - 1 + accuracy


def test_default_accuracies() -> None:
    assert central(1).accuracy == 2
    assert forward(1).accuracy == backward(1).accuracy == 1


FAMILY_ERRORS = [
    (
        ("central", 1, 3),
        r"central stencils have even accuracy only, got 3; use accuracy 2 or 4",
    ),
    (
        ("central", 2, 1),
        r"central stencils have even accuracy only, got 1; use accuracy 2, or kind "
        r"forward or backward$",
    ),
    (("forward", 1, 0), r"accuracy must be a whole number >= 1, got 0"),
    (("backward", 2, -2), r"accuracy must be a whole number >= 1, got -2"),
    (("central", 2, 2.0), r"accuracy must be a whole number >= 1, got 2\.0"),
    (("forward", 0, 2), r"a forward stencil needs derivative >= 1, got 0"),
    (("central", -1, 2), r"a central stencil needs derivative >= 1, got -1"),
    (("forward", "1", 2), r"derivative must be a whole number >= 1, got '1'"),
    (
        ("sideways", 1, 2),
        r"unknown stencil kind 'sideways'; use one of central, forward, backward",
    ),
]


@pytest.mark.parametrize(("args", "message"), FAMILY_ERRORS)
def test_family_errors(args: tuple[str, object, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        family_offsets(*args)  # type: ignore[arg-type]
    assert isinstance(info.value, StencilgenError)


def test_family_builders_validate() -> None:
    with pytest.raises(StencilgenError, match=r"even accuracy only"):
        central(1, 3)
    with pytest.raises(StencilgenError, match=r"accuracy must be a whole number >= 1"):
        forward(1, 0)
    with pytest.raises(StencilgenError, match=r"needs derivative >= 1"):
        backward(0, 2)


def test_offsets_may_not_use_the_variable_x() -> None:
    with pytest.raises(StencilgenError, match=r"may not contain the name 'x'"):
        make_stencil(1, [0, "x", "-hs"])


MIXED_UNITS = [
    (([-1, 0, 1], "h/2"), r"^offset 1 \(-1\) is a number but at \(h/2\) is symbolic"),
    (([0, 1, "h"], 0), r"^offset 2 \(1\) is a number but offset 3 \(h\) is symbolic"),
    (([0, "h"], "1/2"), r"^at \(1/2\) is a number but offset 2 \(h\) is symbolic"),
    (([0, "h + 1", "h"], 0), r"^offset 2 \(h \+ 1\) adds the number 1 to symbols"),
    (([0, "2*(hd - 1)", "-hs"], 0), r"^offset 2 .* adds the number -2 to symbols"),
]


@pytest.mark.parametrize(("args", "message"), MIXED_UNITS)
def test_offsets_in_mixed_units_are_refused(
    args: tuple[list[object], object], message: str
) -> None:
    # A number is in units of h, a symbol in its own: no common step, so the
    # accuracy and the error term would contradict each other.
    offsets, at = args
    with pytest.raises(StencilgenError, match=message) as info:
        make_stencil(1, offsets, at)
    hint = (
        "give every offset in the same units: numbers (units of h, e.g. --at 1/2) "
        "or expressions such as -h,0,h"
    )
    assert str(info.value).endswith(hint) and "\n" not in str(info.value)


def test_zero_is_in_every_unit() -> None:
    assert make_stencil(1, [0, "h"], at="h/2").accuracy == 2
    assert make_stencil(1, [-1, 0, 1], at=0).accuracy == 2
    assert make_stencil(0, [0, "2*hd"], at="hd").accuracy == 2


def test_make_stencil_validates_like_fd_weights() -> None:
    with pytest.raises(StencilgenError, match=r"are the same point"):
        make_stencil(1, ["h", "2*h/2", 0])
    with pytest.raises(StencilgenError, match=r"needs at least 3 offsets"):
        make_stencil(2, [0, 1])


def test_moments_of_every_family_member_vanish_below_the_error_derivative() -> None:
    for stencil in (central(3, 4), forward(2, 3), backward(4, 2)):
        k_error = stencil.error_derivative
        assert k_error is not None
        for k in range(k_error):
            total = sum(
                w * o**k for w, o in zip(stencil.weights, stencil.offsets, strict=True)
            )
            assert total == (
                math.factorial(stencil.derivative) if k == stencil.derivative else 0
            )


@pytest.mark.slow
@pytest.mark.parametrize(
    "offsets",
    [
        [-sympy.sqrt(2) * H, 0, H],  # outside Q(symbols): the generic path
        [0, hd, 2 * hd, -hs],
        [-h1 - h2, -h1, 0, h3, h3 + h4],
    ],
    ids=["sqrt2", "four-point", "five-point"],
)
@pytest.mark.parametrize("m", [1, 2])
def test_symbolic_error_term_is_the_first_nonvanishing_moment(
    offsets: list[sympy.Expr], m: int
) -> None:
    stencil = make_stencil(m, offsets)
    n = len(offsets)
    assert stencil.accuracy is not None and stencil.accuracy >= n - m
    k = stencil.error_derivative
    assert k == m + stencil.accuracy
    moments = [
        sympy.cancel(
            sum(w * o**j for w, o in zip(stencil.weights, offsets, strict=True))
        )
        for j in range(k + 1)
    ]
    assert all(sympy.simplify(moments[j]) == 0 for j in range(m + 1, k))
    expected = moments[k] / math.factorial(k)
    assert sympy.simplify(stencil.error_coefficient - expected) == 0
