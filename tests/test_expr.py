"""The restricted parser: grammar, precedence, exact numbers, limits, fuzzing.

User text is data: the parser must turn every string into either a SymPy
expression or an :class:`~stencilgen.errors.ExpressionError` (a ``ValueError``),
never run code and never raise anything else.
"""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from stencilgen.errors import ExpressionError, StencilgenError
from stencilgen.expr import (
    MAX_BITS,
    MAX_DECIMAL_EXPONENT,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_LENGTH,
    MAX_POWER,
    Binary,
    Call,
    Name,
    Number,
    Subscript,
    Unary,
    parse,
    parse_expression,
    parse_list,
    to_sympy,
)

h, hd, hs, h1, h2 = sympy.symbols("h hd hs h1 h2")


# -- grammar and precedence ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hd", hd),
        ("-hs", -hs),
        ("1/2", sympy.Rational(1, 2)),
        ("-h1 - h2", -h1 - h2),
        ("-h**2", -(h**2)),  # Python's precedence: the power binds tighter
        ("(-h)**2", h**2),
        ("-h/2", -h / 2),
        ("2**3**2", sympy.Integer(512)),  # right-associative, as in Python
        ("2**-1", sympy.Rational(1, 2)),
        ("1 - 2 - 3", sympy.Integer(-4)),  # left-associative
        ("12 / 2 / 3", sympy.Integer(2)),
        ("2*h + 3*h", 5 * h),
        ("(hd + hs)/2", (hd + hs) / 2),
        ("+h", h),
        ("--h", h),
        ("h**(1/2)", sympy.sqrt(h)),
        ("  h1\t+ h2 ", h1 + h2),
        ("_x1", sympy.Symbol("_x1")),
    ],
)
def test_grammar(text: str, expected: sympy.Expr) -> None:
    result = parse_expression(text)
    assert result == expected
    assert sympy.srepr(result) == sympy.srepr(expected)


def test_names_are_plain_symbols() -> None:
    symbol = parse_expression("hd")
    assert symbol == sympy.Symbol("hd")
    assert symbol.assumptions0 == sympy.Symbol("hd").assumptions0
    assert parse_expression("x") == sympy.Symbol("x")


def test_syntax_tree() -> None:
    assert parse("-h**2") == Unary(
        "-", Binary("**", Name("h", 2), Number(Fraction(2), "2", 5), 3), 1
    )
    assert parse("f(x + h, 2)") == Call(
        "f",
        (Binary("+", Name("x", 3), Name("h", 7), 5), Number(Fraction(2), "2", 10)),
        1,
    )
    assert parse("u[i-1]") == Subscript(
        "u", Binary("-", Name("i", 3), Number(Fraction(1), "1", 5), 4), 1
    )
    assert parse("g()") == Call("g", (), 1)


def test_call_and_subscript_need_a_handler() -> None:
    with pytest.raises(
        ExpressionError, match=r"a call of 'f' at column 1 is not allowed"
    ):
        parse_expression("f(x)")
    with pytest.raises(ExpressionError, match=r"a subscript of 'u' at column 3 is not"):
        parse_expression("1+u[0]")
    node = parse("2*f(x)")
    assert to_sympy(node, on_call=lambda call: sympy.Symbol(call.func + "_")) == (
        2 * sympy.Symbol("f_")
    )
    subscripted = to_sympy(parse("u[1]"), on_subscript=lambda s: sympy.Symbol("u1"))
    assert subscripted == sympy.Symbol("u1")


# -- numbers are exact -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.1", Fraction(1, 10)),
        ("0.30000000000000004", Fraction(30000000000000004, 10**17)),
        ("1.", Fraction(1)),
        (".5", Fraction(1, 2)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E+2", Fraction(250)),
        ("007", Fraction(7)),
        ("123456789012345678901234567890", Fraction(123456789012345678901234567890)),
    ],
)
def test_decimals_are_exact(text: str, value: Fraction) -> None:
    result = parse_expression(text)
    assert isinstance(result, sympy.Rational)
    assert result == sympy.Rational(value.numerator, value.denominator)


def test_sum_of_decimals_is_exact() -> None:
    assert parse_expression("0.1 + 0.2") == sympy.Rational(3, 10)


# -- errors: one line, what and where --------------------------------------------------

ERRORS = [
    ("", r"^cannot parse an empty expression; write a value$"),
    ("   ", r"^cannot parse an empty expression"),
    (
        "h +",
        r"^cannot parse 'h \+': expected a number, a name or '\(' but found the "
        r"end of the text at column 4$",
    ),
    ("h h", r"expected an operator or the end of the text but found 'h' at column 3$"),
    ("(h", r"expected '\)' but found the end of the text at column 3$"),
    ("h)", r"found '\)' at column 2$"),
    ("2 ** * 3", r"expected a number, a name or '\(' but found '\*' at column 6$"),
    ("h ^ 2", r"unexpected character '\^' at column 3; only numbers, names"),
    ("h % 2", r"unexpected character '%' at column 3"),
    ("h = 1", r"unexpected character '=' at column 3"),
    ("lambda: 0", r"unexpected character ':' at column 7"),
    ("'h'", r"unexpected character \"'\" at column 1"),
    (
        "h.real",
        r"expected an operator or the end of the text but found '\.real'"
        r"|unexpected character '\.'",
    ),
    ("1/0", r"^cannot use '1/0': division by zero at column 2$"),
    ("h/(h-h)", r"division by zero at column 2"),
    ("0**-1", r"division by zero at column 2"),
    ("h**h", r"the exponent at column 2 must be a number between -64 and 64, got h"),
    ("h**65", r"the exponent at column 2 must be a number between -64 and 64, got 65"),
    ("2**10**10", r"must be a number between -64 and 64, got 10000000000"),
    ("(h**8)**9", r"gives the exponent 72, beyond the limit of 64"),
    ("(3**64)**64", r"a number of about 6528 bits, more than the limit of 4096"),
    (
        "1e101",
        r"the exponent of '1e101' at column 1 exceeds 100; write a smaller number",
    ),
    ("inf", r"'inf' at column 1 is not a finite number; give a finite value"),
    ("1 + nan", r"'nan' at column 5 is not a finite number"),
    ("-oo", r"'oo' at column 2 is not a finite number"),
    ("zoo*h", r"'zoo' at column 1 is not a finite number"),
    ("Infinity", r"'Infinity' at column 1 is not a finite number"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as info:
        parse_expression(text)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_non_text_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"expected text to parse, got int"):
        parse(3)  # type: ignore[arg-type]


def test_long_error_text_is_shortened() -> None:
    text = "h + " * 30 + "%"
    with pytest.raises(
        ExpressionError, match=r"cannot parse 'h \+ .*\.\.\.': unexpected"
    ) as info:
        parse_expression(text)
    assert len(str(info.value)) < 200


# -- limits: hostile input stays cheap -------------------------------------------------


def test_literal_length_limit() -> None:
    assert parse_expression("9" * MAX_DIGITS) == 10**MAX_DIGITS - 1
    with pytest.raises(
        ExpressionError,
        match=rf"the number at column 3 has {MAX_DIGITS + 1} characters, more than "
        rf"the limit of {MAX_DIGITS}; write a shorter number",
    ):
        parse_expression("h+" + "1" * (MAX_DIGITS + 1))


def test_limits_have_sensible_values() -> None:
    assert MAX_LENGTH >= 1000 and MAX_DEPTH >= 50
    assert MAX_POWER >= 8 and MAX_DECIMAL_EXPONENT >= 20 and MAX_BITS >= 1024


def test_length_limit() -> None:
    ok = "+".join(["1" * 9] * (MAX_LENGTH // 10))
    assert parse_expression(ok) == (MAX_LENGTH // 10) * 111111111
    with pytest.raises(
        ExpressionError,
        match=rf"expression of {MAX_LENGTH + 1} characters is longer than the "
        rf"limit of {MAX_LENGTH}; shorten it",
    ):
        parse_expression("1" * (MAX_LENGTH + 1))


def test_depth_limit() -> None:
    assert parse_expression("(" * MAX_DEPTH + "h" + ")" * MAX_DEPTH) == h
    too_deep = "(" * (MAX_DEPTH + 1) + "h" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(
        ExpressionError,
        match=rf"nested deeper than {MAX_DEPTH} levels at column {MAX_DEPTH + 1}; "
        "simplify",
    ):
        parse_expression(too_deep)
    with pytest.raises(ExpressionError, match=r"nested deeper than"):
        parse_expression("-" * (MAX_DEPTH + 1) + "h")
    with pytest.raises(ExpressionError, match=r"nested deeper than"):
        parse_expression("f(" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match=r"nested deeper than"):
        parse_expression("2**" * (MAX_DEPTH + 1) + "1")


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_long_flat_chains_do_not_recurse(op: str) -> None:
    # A legal chain as long as the length limit allows, far beyond Python's
    # recursion limit when built naively.
    count = MAX_LENGTH // 2 - 1
    text = op.join(["2"] * count)
    result = parse_expression(text)
    expected = {
        "+": 2 * count,
        "-": 2 - 2 * (count - 1),
        "*": sympy.Integer(2) ** count,
        "/": sympy.Rational(2, 2 ** (count - 1)),
    }[op]
    assert result == expected


@pytest.mark.parametrize(
    "text",
    [
        "2**10**10",
        "9**9**9**9",
        "((((2**64)**64)**64)**64)**64",
        "((((h+1)**64)**64)**64)**64",
        "(" * 99 + "2**64" + ")**64" * 99,
        "1e100**64",
    ],
)
def test_huge_powers_are_rejected_cheaply(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match=r"exponent|bits"):
        parse_expression(text)
    assert time.perf_counter() - start < 1.0


# -- lists -----------------------------------------------------------------------------


def test_parse_list() -> None:
    assert parse_list("-1,0,1") == [-1, 0, 1]
    assert parse_list("0, hd, -hs") == [0, hd, -hs]
    assert parse_list("1/2") == [sympy.Rational(1, 2)]
    with pytest.raises(
        ExpressionError, match=r"^the list is empty; give comma-separated values$"
    ):
        parse_list(" ")
    with pytest.raises(
        ExpressionError, match=r"^item 2 of '0,,1' is empty; remove the extra comma$"
    ):
        parse_list("0,,1")
    with pytest.raises(ExpressionError, match=r"item 3 of '0,1,' is empty"):
        parse_list("0,1,")
    with pytest.raises(
        ExpressionError, match=r"^item 2 of '0,h\)': cannot parse 'h\)': expected"
    ):
        parse_list("0,h)")
    with pytest.raises(ExpressionError, match=r"^cannot parse 'h\)': expected"):
        parse_list("h)")


# -- the injection attempt and a fuzz --------------------------------------------------

INJECTIONS = [
    '__import__("os").system("touch PWNED")',
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "exec('1')",
    "eval",  # a bare name is harmless: it becomes the symbol `eval`
    "open('/etc/passwd').read()",
    "lambda: 1",
    "[x for x in ()]",
    "h; import os",
    "h\n1",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_is_data(text: str) -> None:
    try:
        result = parse_expression(text)
    except ExpressionError:
        return
    # Only plain names survive, as inert symbols.
    assert isinstance(result, sympy.Symbol)


ALPHABET = "0123456789.eE+-*/()[],_ hxdsfi\t\"'^%=:;@!`\\"


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40) | st.text(max_size=20))
def test_fuzz_gives_an_expression_or_an_expression_error(text: str) -> None:
    try:
        result = parse_expression(text)
    except ExpressionError as error:
        assert isinstance(error, StencilgenError)
        assert "\n" not in str(error)
        return
    assert isinstance(result, sympy.Expr)
    assert not result.has(sympy.Float)
    assert not result.has(sympy.zoo, sympy.oo, sympy.nan)


@st.composite
def _arithmetic(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["h", "hd", "1", "2", "1/3", "0.5"]))
    left = draw(_arithmetic(depth - 1))
    right = draw(_arithmetic(depth - 1))
    op = draw(st.sampled_from(["+", "-", "*"]))
    return f"({left} {op} {right})"


@settings(max_examples=examples(100), deadline=None)
@given(_arithmetic())
def test_agrees_with_sympy_on_trusted_arithmetic(text: str) -> None:
    # sympify is fine here: the text is generated by the test, not typed by a user.
    expected = sympy.sympify(text, rational=True)
    assert sympy.expand(parse_expression(text) - expected) == 0


@pytest.mark.parametrize("name", ["lambda", "None", "True", "False", "import", "def"])
def test_python_keywords_are_not_names(name: str) -> None:
    with pytest.raises(
        ExpressionError, match=rf"'{name}' at column 3 is a Python keyword"
    ):
        parse_expression(f"0+{name}")
    with pytest.raises(ExpressionError, match=r"^item 2 of '0,.*': .*Python keyword"):
        parse_list(f"0,{name}")


def test_names_that_merely_contain_keywords_are_fine() -> None:
    assert parse_expression("lambda_1 + Nonex") == sympy.Symbol(
        "lambda_1"
    ) + sympy.Symbol("Nonex")
