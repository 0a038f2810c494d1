"""Numbers and expressions as Python text: exact values, ruff-stable layout."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import sympy
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from stencilgen import printing

A, B, C = sympy.symbols("a b c")
VALUES = {"a": 0.7, "b": 1.9, "c": -1.3}


@given(st.fractions(max_denominator=10**20).filter(lambda q: abs(q) < 10**30))
def test_number_is_the_nearest_double(value: Fraction) -> None:
    text = printing.number(value)
    assert float(eval(text)) == float(value)
    assert printing.number(sympy.Rational(value.numerator, value.denominator)) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float17_round_trips(value: float) -> None:
    text = printing.float17(value)
    assert float(text) == value
    assert "." in text or "e" in text


def test_irrational_constants_get_17_digits() -> None:
    assert printing.number(sympy.pi) == "3.1415926535897931"
    assert printing.number(sympy.Rational(-1, 3)) == "-1 / 3"
    assert printing.number(4) == "4.0"


atoms = st.sampled_from([A, B, C, sympy.Integer(2), sympy.Rational(3, 7)])


def combine(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(
            lambda t: t[0] / (t[1] + A**2 + 5)
        ),  # denominators kept away from 0 at VALUES
        st.tuples(children, st.integers(2, 3)).map(lambda t: t[0] ** t[1]),
        children.map(lambda e: -e),
    )


expressions = st.recursive(atoms, combine, max_leaves=8)


@settings(max_examples=examples(150), deadline=None)
@given(expressions)
def test_expression_text_evaluates_to_the_expression(expr: sympy.Expr) -> None:
    text = printing.expression(expr)
    exact = float(expr.subs({sympy.Symbol(k): v for k, v in VALUES.items()}))
    value = eval(text, {}, dict(VALUES))
    assert abs(value - exact) <= 1e-9 * max(1.0, abs(exact)), (text, expr)


def test_assign_output_is_what_ruff_format_writes(tmp_path: Path) -> None:
    # Long and short right-hand sides, at two indentation levels.
    hd, hs, h1 = sympy.symbols("hd hs h1")
    exprs = [
        (hd - hs) / (hd * hs),
        2 * (3 * hd + 2 * hs + h1) / (hd * (hd + hs) * (hd + hs + h1)),
        sum(sympy.Symbol(f"term{k}") * sympy.Symbol(f"x{k}") for k in range(14)),
        -(hd**2 + 4 * hd * hs + 3 * hs**2 + 2 * hd * h1 + hs * h1) / 12,
        hd**2 / (hs + h1) ** 2,
    ]
    lines = ["def f(hd, hs, h1, w, **x):"]
    refused = 0
    for k, expr in enumerate(exprs):
        for level, target in ((1, f"w[{k}, 1:-1]"), (2, f"w[{k}, lo - 1 : hi - 1]")):
            text = printing.expression(expr)
            try:
                line = printing.assign(target, text, level)
            except ValueError:
                # Only a long value ending in a bracket is refused.
                assert text.endswith(")") and len(target + text) + 4 * level > 85
                refused += 1
                continue
            lines += ["    if hd:", line] if level == 2 else [line]
    assert refused == 1
    source = "\n".join(lines) + "\n"
    path = tmp_path / "sample.py"
    path.write_text(source)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    assert max(len(line) for line in source.splitlines()) <= printing.LINE_LENGTH


def test_docstring_and_wrapping_helpers() -> None:
    text = printing.docstring(["Summary.", "", "    indented", ""], level=1)
    assert text == 'r"""Summary.\n\n        indented\n    """'
    wrapped = printing.wrap_terms("a + b - c + d", 9, first="> ", rest="  ")
    assert wrapped == ["> a + b", "  - c + d"]
    assert printing.string('say "x"\n') == '"say \\"x\\"\\n"'


def random_expression(rng: random.Random, leaves: int) -> sympy.Expr:
    names = sympy.symbols("hm2 hm1 h0 h1 h2 alpha beta")
    if leaves <= 1:
        return rng.choice([*names, sympy.Integer(rng.randint(2, 9))])
    left = rng.randint(1, leaves - 1)
    a = random_expression(rng, left)
    b = random_expression(rng, leaves - left)
    op = rng.choice("+-*/^")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / (b + names[0] ** 2 + 7)
    return a ** rng.randint(2, 3)


def test_assign_agrees_with_ruff_on_many_random_expressions(tmp_path: Path) -> None:
    rng = random.Random(2026)
    lines = ["def f(w, lo, hi, **names):"]
    for k in range(400):
        expr = random_expression(rng, rng.randint(2, 14))
        text = printing.expression(expr)
        target = rng.choice([f"w[{k}]", f"w[{k}, lo - 1 : hi - 1]", "value"])
        try:
            lines.append(printing.assign(target, text, 1))
        except ValueError:
            continue
    assert len(lines) > 300
    source = "\n".join(lines) + "\n"
    path = tmp_path / "many.py"
    path.write_text(source)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[:3000]
