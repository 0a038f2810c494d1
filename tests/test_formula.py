"""The formula parser: text (or SymPy) → a checked linear combination of samples.

The oracles are SymPy expressions built here from trusted test-side pieces, never
from the user text under test.
"""

from __future__ import annotations

import os
import time
from fractions import Fraction

import pytest
import sympy
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stencilgen.errors import ExpressionError, StencilgenError
from stencilgen.expr import MAX_DEPTH, MAX_LENGTH
from stencilgen.formula import MAX_SAMPLES, Formula, parse_formula

f, u = sympy.Function("f"), sympy.Function("u")
x, t, h, hd, hs, dx, dt = sympy.symbols("x t h hd hs dx dt")
a, b, c = sympy.symbols("a b c")


def as_dict(formula: Formula) -> dict[sympy.Expr, sympy.Expr]:
    return {s.shift: s.coefficient for s in formula.samples}


# -- what is accepted --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(f(x+h) - f(x-h))/(2*h)", f(x + h) / (2 * h) - f(x - h) / (2 * h)),
        ("(f(x) - f(x-h))/2", f(x) / 2 - f(x - h) / 2),
        ("a*f(x) + b*f(x+hd) + c*f(x-hs)", a * f(x) + b * f(x + hd) + c * f(x - hs)),
        ("(f(x+h/2) - f(x-h/2))/h", (f(x + h / 2) - f(x - h / 2)) / h),
        ("0.5*f(x+h) - 1e-1*f(x)", sympy.Rational(1, 2) * f(x + h) - f(x) / 10),
        ("(-f(x+2*h) + 8*f(x+h))/(12*h)", (-f(x + 2 * h) + 8 * f(x + h)) / (12 * h)),
        ("(u(t+dt) - u(t))/dt", (u(t + dt) - u(t)) / dt),
        ("f(h + x) - f(x)", f(x + h) - f(x)),  # the variable need not come first
        ("f(x + h)*3/h**2", 3 * f(x + h) / h**2),
        ("-(f(x+h) - f(x))/-h", (f(x + h) - f(x)) / h),
        ("(f(x+h) − f(x))·2", 2 * f(x + h) - 2 * f(x)),  # pasted Unicode operators
    ],
)
def test_text_becomes_the_expected_linear_combination(text, expected):
    formula = parse_formula(text)
    assert sympy.simplify(formula.expression - expected) == 0
    assert formula.text == text


def test_index_notation_samples_at_multiples_of_the_spacing():
    formula = parse_formula("(u[i+1] - 2*u[i] + u[i-1])/h**2")
    assert formula.function == "u"
    assert formula.variable == x
    assert formula.spacing == h
    assert as_dict(formula) == {h: 1 / h**2, 0: -2 / h**2, -h: 1 / h**2}
    named = parse_formula("(u[j+1/2] - u[j-1/2])/dx", spacing="dx")
    assert as_dict(named) == {dx / 2: 1 / dx, -dx / 2: -1 / dx}
    assert parse_formula("u[n+1] - u[n]", variable="t").variable == t


def test_the_variable_is_found_and_can_be_given():
    assert parse_formula("u(t + dt)").variable == t
    assert parse_formula("f(x + h)").variable == x  # x preferred over h
    assert parse_formula("g(s + q) - g(s)").variable == sympy.Symbol("s")
    single = parse_formula("g(q + s)")  # neither preferred: first name written
    assert single.variable == sympy.Symbol("q")
    assert parse_formula("g(q + s)", variable="s").variable == sympy.Symbol("s")


def test_equal_shifts_merge_and_cancelling_samples_vanish():
    merged = parse_formula("f(x+h/2) + f(x + 0.5*h) - 2*f(x + h*(1/2))")
    assert merged.samples == ()
    assert as_dict(parse_formula("f(x+h) + f(h+x) + f(x)")) == {h: 2, 0: 1}


def test_coefficients_are_exact_and_factored():
    formula = parse_formula("(hd**2 - hs**2)/(hs*hd*(hs + hd))*f(x)")
    (sample,) = formula.samples
    assert sample.coefficient == (hd - hs) / (hd * hs)
    assert isinstance(parse_formula("0.1*f(x)").samples[0].coefficient, sympy.Rational)


def test_where_substitutes_coefficients_from_text():
    formula = parse_formula("a*(f(x+h) - f(x))", where={"a": "1/h"})
    assert as_dict(formula) == {h: 1 / h, 0: -1 / h}
    with pytest.raises(ExpressionError, match="'q' is not used"):
        parse_formula("a*f(x)", where={"q": "1"})
    with pytest.raises(ExpressionError, match="depends on the variable x"):
        parse_formula("a*f(x)", where={"a": "x"})


def test_sympy_input_agrees_with_text():
    expr = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
    assert as_dict(parse_formula(expr)) == as_dict(
        parse_formula("(f(x+h) - 2*f(x) + f(x-h))/h**2")
    )
    mine = sympy.Symbol("k", positive=True)  # the user's own symbols are kept
    formula = parse_formula((u(t + mine) - u(t)) / mine)
    assert formula.variable == t
    assert as_dict(formula) == {mine: 1 / mine, 0: -1 / mine}


@pytest.mark.parametrize(
    ("expr", "match"),
    [
        (f(x) * f(x + h), "not a linear combination"),
        (f(x) + 1, "not a linear combination"),
        (sympy.sin(f(x)), "not a linear combination"),
        (f(x) + u(x), "several functions"),
        (sympy.Float(0.5) * f(x), "floating-point"),
        (sympy.Derivative(f(x), x), "derivative"),
        (x * f(x + h), "depends on the variable x"),
        (h + 1, "no sample"),
        (f(2 * x) - f(x), "variable \\+ shift"),
    ],
)
def test_sympy_input_rejections(expr, match):
    with pytest.raises(ExpressionError, match=match):
        parse_formula(expr)


# -- what is refused, with the column ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("f(x)*f(x+h)", "the '\\*' at column 5 multiplies two samples"),
        ("f(x+h)/f(x)", "the '/' at column 7 divides by a sample"),
        ("f(x)**2", "the '\\*\\*' at column 5 raises a sample to a power"),
        ("2**f(x)", "column 2"),
        ("f(x) + 1", "the '\\+' at column 6 adds a term without any sample"),
        ("sin(f(x))", "sin\\(...\\) at column 1 applies a function to a sample"),
        ("exp(x)*f(x+h) - f(x)", "exp\\(...\\) at column 1 is not a sample of 'f'"),
        ("f(x) + g(x) + f(x+h)", "g\\(...\\) at column 8 is not a sample of 'f'"),
        ("f(f(x))", "f\\(...\\) at column 3 is inside the argument"),
        ("f(x, h)", "at column 1 has 2 arguments"),
        ("f()", "has 0 arguments"),
        ("f(2*x)", "argument 2\\*x of the sample at column 1 is not variable"),
        ("f(x+h) - f(2*x)", "argument 2\\*x of the sample at column 10 is not x"),
        ("x*f(x)", "'x' at column 1 is the variable"),
        ("f(x+h) - f", "'f' at column 10 is the sampled function"),
        ("u[i+n]", "index i \\+ n at column 1 must be i plus a number"),
        ("u[2*i]", "index 2\\*i of the sample at column 1"),
        ("u[i+1] - i*u[i]", "'i' at column 10 is the index"),
        ("u(x+h) - u[i]", "mixes u\\(...\\) and u\\[...\\]"),
        ("u[h+1]", "the index 'h' has the same name as the spacing"),
        ("f(x)/0", "division by zero at column 5"),
        ("f(x)/(h-h)", "division by zero at column 5"),
        ("f(x)*h**h", "exponent at column 7 must be a number"),
        ("f(x)*h**100", "between -64 and 64"),
        ("f(x)*0**-1", "division by zero"),
        ("f(x)*inf", "'inf' at column 6 is not a finite number"),
        ("h + 1", "there is no sample"),
        ("", "the formula is empty"),
        ("   ", "the formula is empty"),
        ("f(x", "expected"),
        ("f(x) +", "expected"),
        ("f'(x)", "prime .* at column 2"),
        ("f(x)^2", "'\\^' at column 5; write powers as \\*\\*"),
        ("f(x) = 1", "'=' at column 6"),
        ("f(x)%2", "'%' at column 5"),
        ("f(x)²", "'²' at column 5"),
    ],
)
def test_rejections_name_the_piece_and_column(text, match):
    with pytest.raises(ExpressionError, match=match) as caught:
        parse_formula(text)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bad_options_are_rejected():
    with pytest.raises(ExpressionError, match="spacing must be a name"):
        parse_formula("u[i]", spacing="2h")
    with pytest.raises(ExpressionError, match="variable must be a name"):
        parse_formula("f(x)", variable="x+1")
    with pytest.raises(ExpressionError, match="must be text"):
        parse_formula(3)  # type: ignore[arg-type]


# -- safety: the text is data ----------------------------------------------------------

PAYLOADS = [
    '__import__("os").system("touch PWNED")',
    "__import__('os').system('touch PWNED')",
    "__import__(os).system(touch)",
    "f.__class__",
    "f(x).__class__",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "lambda x: f(x)",
    "open(PWNED, w)",
    "exec(f(x))",
    "eval(f(x))",
    "import os",
    "f(x) if 1 else 0",
    "[f(x) for x in h]",
    "{f(x)}",
    "f(x); touch",
    "f(x) @ f(x)",
    "`f(x)`",
    "f(x)\n__import__",
    "f(x) # comment",
    "__builtins__",
    "globals()",
    "f(x=1)",
    "f(*h)",
    "f(**h)",
    "not f(x)",
    "f(x) and f(x)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_refused_and_run_nothing(payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse_formula(payload)
    assert time.perf_counter() - start < 1
    assert os.listdir(tmp_path) == []


def test_length_and_nesting_limits():
    with pytest.raises(ExpressionError, match=f"limit of {MAX_LENGTH}"):
        parse_formula("f(x)+" * (MAX_LENGTH // 5) + "f(x)")
    deep = "(" * (MAX_DEPTH + 1) + "f(x)" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ExpressionError, match=f"deeper than {MAX_DEPTH}"):
        parse_formula(deep)
    shallow = "(" * (MAX_DEPTH - 2) + "f(x)" + ")" * (MAX_DEPTH - 2)
    assert parse_formula(shallow).samples[0].coefficient == 1


@pytest.mark.slow
def test_long_sums_are_handled_iteratively_and_quickly():
    # 1400 terms: far deeper than Python's recursion limit if folded recursively.
    text = "+".join(["f(x+h)"] * 700 + ["h*f(x)"] * 700)
    assert len(text) < MAX_LENGTH
    start = time.perf_counter()
    formula = parse_formula(text)
    assert time.perf_counter() - start < 5
    assert as_dict(formula) == {h: 700, 0: 700 * h}
    products = "f(x)" + "*h" * 2000 + "/h" * 1999
    assert parse_formula(products).samples[0].coefficient == h


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("f(x)*((((2**64)**64)**64)**64)**64", "about 4160 bits, more than"),
        ("(f(x+h)-f(x))*((((h**64)**64)**64)**64)", "gives the exponent 4096"),
        ("(f(x+h)-f(x))" + "*h**64" * 20, "coefficient of f\\(x \\+ h\\) gives"),
        ("f(x)" + "*2**60" * 80, "a number of more than 4096 bits"),
        ("f(x + h**64*h)", "shift of f\\(x \\+ h\\*\\*65\\) gives the exponent 65"),
    ],
)
def test_sizes_are_bounded(text, match):
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match=match):
        parse_formula(text)
    assert time.perf_counter() - start < 2


def test_too_many_distinct_samples():
    text = " + ".join(f"f(x+{k}*h)" for k in range(MAX_SAMPLES + 1))
    with pytest.raises(ExpressionError, match=f"limit of {MAX_SAMPLES}"):
        parse_formula(text)
    ok = " + ".join(f"f(x+{k}*h)" for k in range(MAX_SAMPLES))
    assert len(parse_formula(ok).samples) == MAX_SAMPLES


# -- Hypothesis ------------------------------------------------------------------------

ALPHABET = "fxhu()[]+-*/.,0123456789 ia_'\"=:"


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_random_text_gives_a_formula_or_our_error(text):
    try:
        result = parse_formula(text)
    except StencilgenError:
        return
    assert isinstance(result, Formula)


@st.composite
def formulas(draw: st.DrawFn) -> tuple[str, sympy.Expr]:
    """A random valid formula as text, with its SymPy oracle built independently."""
    count = draw(st.integers(1, 5))
    text_terms, oracle_terms = [], []
    for _ in range(count):
        shift = Fraction(draw(st.integers(-6, 6)), draw(st.sampled_from([1, 2, 3])))
        weight = Fraction(draw(st.integers(-9, 9)), draw(st.integers(1, 5)))
        power = draw(st.integers(-2, 1))
        shift_text = f"({shift.numerator}/{shift.denominator})*h"
        text_terms.append(
            f"({weight.numerator}/{weight.denominator})*h**({power})"
            f"*f(x + {shift_text})"
        )
        oracle_terms.append(
            sympy.Rational(weight.numerator, weight.denominator)
            * h**power
            * f(x + sympy.Rational(shift.numerator, shift.denominator) * h)
        )
    return " + ".join(text_terms), sympy.Add(*oracle_terms)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(formulas())
def test_random_valid_formulas_match_their_oracle(case):
    text, oracle = case
    try:
        formula = parse_formula(text)
    except StencilgenError as error:
        assert "no sample" not in str(error)
        # only possible refusal: every coefficient cancelled to an empty formula
        raise AssertionError(f"refused a valid formula: {error}") from None
    assert sympy.expand(formula.expression - oracle) == 0
