"""The only place where numbers and expressions become Python source text.

Generated code must be exact and ``ruff format``-stable without running ruff, so
every constant and expression goes through this module:

* exact rationals print as ``p / q`` literals (Python's ``int / int`` is correctly
  rounded, so the float is the nearest double to the exact weight);
* anything irrational prints as a 17-significant-digit float, never fewer digits
  (9 digits cap verification near 1e-10, as Devito's tracker shows);
* expressions print with the spacing ``ruff format`` uses (``a * b``, ``x**2``),
  and :func:`assign` wraps long right-hand sides the way ``ruff format`` does.

Examples
--------
>>> import sympy
>>> number(sympy.Rational(-1, 12))
'-1 / 12'
>>> number(sympy.Integer(2))
'2.0'
>>> hd, hs = sympy.symbols("hd hs")
>>> expression((hd - hs) / (hd * hs))
'(hd - hs) / (hd * hs)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy

__all__ = [
    "LINE_LENGTH",
    "assign",
    "docstring",
    "entry_toml",
    "expression",
    "fit",
    "fit_sequence",
    "float17",
    "indent",
    "number",
    "string",
    "wrap_terms",
]

#: The line length of ruff's default configuration (and of this project).
LINE_LENGTH = 88


def float17(value: Any) -> str:
    """A float literal with 17 significant digits (round-trips every double).

    Examples
    --------
    >>> float17(0.1)
    '0.10000000000000001'
    >>> float17(2)
    '2.0'
    """
    text = format(float(value), ".17g")
    if text in ("inf", "-inf", "nan"):
        raise ValueError(f"cannot print the non-finite value {text} as a constant")
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{int(exponent)}"
    return text if "." in text else text + ".0"


def number(value: Any) -> str:
    """An exact Python literal for a number: ``p / q``, ``n.0`` or 17 digits.

    Rationals (SymPy ``Rational``, ``Fraction``, ``int``) are exact; anything else
    numeric is evaluated to a 17-significant-digit float.

    Examples
    --------
    >>> number(Fraction(5, 2))
    '5 / 2'
    >>> number(sympy.sqrt(2))
    '1.4142135623730951'
    """
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        value = Fraction(value)
    if isinstance(value, sympy.Rational):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator}.0"
        return f"{value.numerator} / {value.denominator}"
    if isinstance(value, sympy.Expr):
        if value.free_symbols:
            raise ValueError(f"{value} is not a number; use expression()")
        return float17(sympy.N(value, 30))
    return float17(value)


# Binding strength of the operators, as Python parses them.
_ADD, _MUL, _UNARY, _POW, _ATOM = 1, 2, 3, 4, 5


def expression(expr: Any, names: Mapping[str, str] | None = None) -> str:
    """Python source for a SymPy expression, spaced as ``ruff format`` spaces it.

    Parameters
    ----------
    expr : sympy.Expr
        Rational function of symbols (products, sums, integer powers).
    names : mapping, optional
        Symbol name → Python name to print instead.

    Examples
    --------
    >>> a, b = sympy.symbols("a b")
    >>> expression(-2 * a**2 / (3 * b) + 1)
    '1 - 2 * a**2 / (3 * b)'
    >>> expression(a / (a + b) ** 2, {"a": "h0"})
    'h0 / (h0 + b) ** 2'
    """
    text, _ = _print(sympy.sympify(expr), dict(names or {}))
    return text


def _print(expr: sympy.Expr, names: dict[str, str]) -> tuple[str, int]:
    """(text, binding strength of its outermost operator)."""
    if expr.is_Symbol:
        return names.get(expr.name, expr.name), _ATOM
    if expr.is_Rational:
        if expr.q == 1:
            return str(expr.p), _ATOM if expr.p >= 0 else _UNARY
        text = f"{expr.p} / {expr.q}"
        return text, _MUL
    if expr.is_Number:
        text = number(expr)
        return text, _ATOM if not text.startswith("-") else _UNARY
    if expr.is_Add:
        terms = sorted(expr.args, key=_term_key)
        out = ""
        for k, term in enumerate(terms):
            negative, magnitude = _split_sign(term)
            text, strength = _print(magnitude, names)
            if strength <= _ADD:
                text = f"({text})"
            if k == 0:
                out = _negated(magnitude, names) if negative else text
            else:
                out += f" - {text}" if negative else f" + {text}"
        return out, _ADD
    if expr.is_Mul:
        negative, magnitude = _split_sign(expr)
        if negative:
            return _negated(magnitude, names), _UNARY
        numer, denom = sympy.fraction(magnitude, exact=True)
        top = _product(numer, names)
        if denom == 1:
            return top
        bottom, strength = _product(denom, names)
        if strength <= _MUL:
            bottom = f"({bottom})"
        top_text, top_strength = top
        if top_strength <= _ADD:
            top_text = f"({top_text})"
        return f"{top_text} / {bottom}", _MUL
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer and exponent < 0:
            return _print(sympy.Mul(1, expr, evaluate=False), names)
        base_text, base_strength = _print(base, names)
        exp_text, exp_strength = _print(exponent, names)
        if base_strength <= _POW:
            base_text = f"({base_text})"
        if exp_strength < _ATOM:
            exp_text = f"({exp_text})"
        # ruff hugs ** only when both operands are simple (names, numbers).
        simple = base_strength == _ATOM and exp_strength == _ATOM
        return (
            f"{base_text}**{exp_text}" if simple else f"{base_text} ** {exp_text}"
        ), _POW
    raise ValueError(f"cannot print {expr} ({type(expr).__name__}) as Python")


def _negated(magnitude: sympy.Expr, names: dict[str, str]) -> str:
    """``-magnitude`` as ruff writes it: a leading power factor gets parentheses."""
    text, strength = _print(magnitude, names)
    if strength < _MUL or strength == _POW:
        return f"-({text})"
    lead = _leading_factor(magnitude)
    if lead is not None and lead.is_Pow:
        lead_text = _print(lead, names)[0]
        if text.startswith(lead_text):
            return f"-({lead_text}){text[len(lead_text) :]}"
    return f"-{text}"


def _leading_factor(expr: sympy.Expr) -> sympy.Expr | None:
    """The factor :func:`_product` prints first, if ``expr`` is a product."""
    if not expr.is_Mul:
        return None
    numer, _ = sympy.fraction(expr, exact=True)
    if not numer.is_Mul:
        return numer if numer != 1 else None
    coeff, rest = numer.as_coeff_Mul()
    if coeff != 1:
        return None
    factors = sorted(sympy.Mul.make_args(rest), key=sympy.default_sort_key)
    return factors[0]


def _product(expr: sympy.Expr, names: dict[str, str]) -> tuple[str, int]:
    if not expr.is_Mul:
        return _print(expr, names)
    coeff, rest = expr.as_coeff_Mul()
    factors = [] if coeff == 1 else [coeff]
    factors += sorted(sympy.Mul.make_args(rest), key=sympy.default_sort_key)
    parts = []
    for factor in factors:
        text, strength = _print(factor, names)
        fraction = factor.is_Rational and not factor.is_Integer
        if strength < _MUL or (strength == _MUL and not factor.is_Rational) or fraction:
            text = f"({text})"
        parts.append(text)
    return " * ".join(parts), _MUL


def _split_sign(term: sympy.Expr) -> tuple[bool, sympy.Expr]:
    coeff, rest = term.as_coeff_Mul()
    if coeff.is_negative:
        return True, (-coeff) * rest if coeff != -1 else rest
    return False, term


def _term_key(term: sympy.Expr) -> tuple[int, Any]:
    # Positive terms first so sums read "a - b" rather than "-b + a".
    negative, _ = _split_sign(term)
    return (1 if negative else 0, sympy.default_sort_key(term))


def assign(target: str, value: str, level: int = 1) -> str:
    """``target = value`` at indentation ``level``, wrapped as ruff formats it.

    A line that fits is kept; otherwise the value goes in parentheses on its own
    line; a sum still too long is split before each top-level ``+``/``-``. A long
    value ending in a bracket raises ``ValueError`` (ruff may split at that
    bracket instead); callers then compute it another way.

    Examples
    --------
    >>> print(assign("w", "a + b"))
        w = a + b
    >>> print(assign("w", " + ".join(f"term{k} * x{k}" for k in range(12))))
        w = (
            term0 * x0
            + term1 * x1
            + term2 * x2
            + term3 * x3
            + term4 * x4
            + term5 * x5
            + term6 * x6
            + term7 * x7
            + term8 * x8
            + term9 * x9
            + term10 * x10
            + term11 * x11
        )
    """
    pad = "    " * level
    line = f"{pad}{target} = {value}"
    if len(line) <= LINE_LENGTH:
        return line
    if not _parenthesizes(value):
        # ruff splits such a value at its first or last bracket ("hugging")
        # rather than adding parentheses; refuse instead of guessing the layout.
        raise ValueError(f"expression too long to format safely: {value[:60]}...")
    inner = pad + "    "
    if len(inner) + len(value) <= LINE_LENGTH:
        return f"{pad}{target} = (\n{inner}{value}\n{pad})"
    parts = _split_top_level(value)
    if any(len(inner) + len(p) > LINE_LENGTH for p in parts):
        raise ValueError(f"expression too long to format: {value[:60]}...")
    body = "\n".join(inner + p for p in parts)
    return f"{pad}{target} = (\n{body}\n{pad})"


def fit(value: str, target: str, level: int) -> str:
    """The expression ``value`` as it reads after ``target = `` at ``level``.

    The same layout as :func:`assign` (inline, or in parentheses over several
    lines), without the statement: templates write ``{{ target }} = {{
    value|fit(target, level) }}`` and own the statement and its indentation.

    Examples
    --------
    >>> fit("a + b", "w", 1)
    'a + b'
    >>> long = " + ".join(f"term{k}" for k in range(16))
    >>> print(fit(long, "w", 0))  # doctest: +ELLIPSIS
    (
        term0
        + term1
        ...
        + term15
    )
    """
    prefix = "    " * level + f"{target} = "
    return assign(target, value, level)[len(prefix) :]


def fit_sequence(
    items: Sequence[str], target: str, level: int, brackets: str = "()"
) -> str:
    """A tuple (or list) display of ``items`` as it reads after ``target = ``.

    Inline when the statement fits the line, else one item per line with a
    trailing comma, as ruff formats it.

    Examples
    --------
    >>> fit_sequence(["1", "2"], "w", 1)
    '(1, 2)'
    >>> fit_sequence(["1"], "w", 0, "[]"), fit_sequence(["1"], "w", 0)
    ('[1]', '(1,)')
    >>> items = [f"{k} / 7" for k in range(20)]
    >>> print(fit_sequence(items, "w", 0))  # doctest: +ELLIPSIS
    (
        0 / 7,
        1 / 7,
    ...
        19 / 7,
    )
    """
    pad = "    " * level
    single = "," if len(items) == 1 and brackets == "()" else ""
    inline = brackets[0] + ", ".join(items) + single + brackets[1]
    if len(pad) + len(target) + 3 + len(inline) <= LINE_LENGTH:
        return inline
    body = "\n".join(f"{pad}    {item}," for item in items)
    return f"{brackets[0]}\n{body}\n{pad}{brackets[1]}"


def _parenthesizes(value: str) -> bool:
    """Whether ruff wraps this too-long right-hand side in parentheses.

    ruff omits the optional parentheses (and splits at a bracket of the value)
    only when the value's loosest operator occurs once at most and the value
    starts or ends with a parenthesized group or call; subscripts do not count.
    """
    depth = 0
    counts = {"+": 0, "*": 0, "**": 0}
    k = 0
    while k < len(value):
        char = value[k]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and value.startswith("**", k):
            counts["**"] += 1
            k += 2
            continue
        elif depth == 0 and value[k - 1 : k + 2] in (" + ", " - "):
            counts["+"] += 1
        elif depth == 0 and value[k - 1 : k + 2] in (" * ", " / "):
            counts["*"] += 1
        k += 1
    loosest = next((counts[op] for op in ("+", "*", "**") if counts[op]), 0)
    if loosest > 1:
        return True
    starts = value.lstrip("-").startswith("(")
    return not (starts or value.endswith(")"))


def _split_top_level(value: str, brackets: str = "([") -> list[str]:
    """Split ``a + b - c`` before each operator outside ``brackets``."""
    parts: list[str] = []
    depth = 0
    start = 0
    for k, char in enumerate(value):
        if char in brackets:
            depth += 1
        elif char in ")]" and {")": "(", "]": "["}[char] in brackets:
            depth -= 1
        elif (
            depth == 0
            and char in "+-"
            and k > 0
            and value[k - 1] == " "
            and value[k + 1 : k + 2] == " "
        ):
            parts.append(value[start : k - 1])
            start = k
    parts.append(value[start:])
    return parts


def wrap_terms(
    text: str,
    width: int,
    *,
    first: str = "",
    rest: str = "",
    separator: str = " ",
    brackets: str = "[",
) -> list[str]:
    """Break ``text`` into lines of at most ``width`` at top-level separators.

    With ``separator=" "`` a formula breaks before each top-level ``+``/``-``;
    with ``separator=", "`` (or ``"; "``) a list breaks after each separator.
    ``first`` and ``rest`` prefix the first and the following lines; a formula
    never breaks inside ``brackets`` (``"(["`` for mathematics, ``"["`` for
    code-like text whose parentheses may be split).

    Examples
    --------
    >>> wrap_terms("a + b - c", 8, rest="  ")
    ['a + b', '  - c']
    >>> wrap_terms("1, 2, 3", 5, separator=", ")
    ['1, 2,', '3']
    """
    if separator == " ":
        parts = _split_top_level(text, brackets)
        joiner = " "
    else:
        items = text.split(separator)
        parts = [item + separator.rstrip() for item in items[:-1]] + items[-1:]
        joiner = " "
    lines: list[str] = []
    line: str | None = None
    for part in parts:
        if line is None:
            line = first + part
        elif len(line) + len(joiner) + len(part) <= width:
            line = line + joiner + part
        else:
            lines.append(line)
            line = rest + part
    lines.append(line or first)
    return lines


def string(text: str) -> str:
    r"""A double-quoted Python string literal (ruff's preferred quotes).

    Examples
    --------
    >>> string('say "hi"')
    '"say \\"hi\\""'
    """
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def indent(text: str, level: int = 1) -> str:
    r"""Indent every non-empty line of ``text`` by ``level`` × 4 spaces.

    Examples
    --------
    >>> indent("a\n\nb")
    '    a\n\n    b'
    """
    pad = "    " * level
    return "\n".join(pad + line if line else "" for line in text.split("\n"))


def docstring(lines: Sequence[str], level: int = 1) -> str:
    """A raw triple-quoted docstring from lines (no trailing spaces).

    Examples
    --------
    >>> text = docstring(["Summary.", "", "More."], level=0)
    >>> text.splitlines()[1:3], text.count(chr(34))
    (['', 'More.'], 6)
    """
    for line in lines:
        if '"""' in line:
            raise ValueError("docstring lines may not contain triple quotes")
    pad = "    " * level
    body = [lines[0]] + [pad + line if line else "" for line in lines[1:]]
    return 'r"""' + "\n".join(body).rstrip() + "\n" + pad + '"""'


def entry_toml(name: str, table: Mapping[str, Any]) -> str:
    """TOML text for one entry, keys in file order.

    Examples
    --------
    >>> print(entry_toml("d1", {"derivative": 1, "offsets": [-1, 0, 1], "at": "1/2"}))
    [d1]
    derivative = 1
    offsets = [-1, 0, 1]
    at = "1/2"
    """
    lines = [f"[{name}]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    return repr(value)
