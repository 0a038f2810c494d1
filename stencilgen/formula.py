r"""Formulas as people write them, turned into a linear combination of samples.

A *formula* is a linear combination of samples of one function at shifted points,
:math:`\sum_j c_j\, f(x + s_j)`, written the way papers and code write it::

    (f(x+h) - f(x-h))/(2*h)          samples f(x + shift)
    a*f(x) + b*f(x+hd) + c*f(x-hs)   symbolic shifts and coefficients
    (u(t+dt) - u(t))/dt              any function and variable names
    (u[i+1] - 2*u[i] + u[i-1])/h**2  index notation: u[i+k] is u(x + k*h)

User text is data: it goes through the tokenizer and recursive-descent parser of
:mod:`stencilgen.expr` (never ``eval``, ``exec``, ``sympify`` or ``parse_expr``),
and the syntax tree is then evaluated here by a small interpreter that knows only
numbers, names, ``+ - * / **`` and samples, and keeps track of which parts are
samples so that it can refuse anything that is not linear in them (a product of two
samples, a sample inside a power or a function, a term without any sample). Every
refusal is an :class:`~stencilgen.errors.ExpressionError` of one line naming the
offending piece and its column.

Limits keep hostile input cheap: the parser's :data:`~stencilgen.expr.MAX_LENGTH`
characters and :data:`~stencilgen.expr.MAX_DEPTH` levels of nesting, powers up to
:data:`~stencilgen.expr.MAX_POWER` (also after merging, in every coefficient),
numbers up to :data:`~stencilgen.expr.MAX_BITS` bits, and at most
:data:`MAX_SAMPLES` distinct sample points.

How the variable is found: it is the name that every sample's argument contains
with coefficient one (``x`` in ``f(x + h)``); when several names qualify (a single
sample ``f(x + h)``), ``x`` is preferred, then ``t``, ``y``, ``z``, then the first
name of the first sample. Pass ``variable=`` to choose explicitly.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from stencilgen.errors import ExpressionError
from stencilgen.expr import (
    MAX_BITS,
    MAX_POWER,
    Binary,
    Call,
    Name,
    Node,
    Number,
    Subscript,
    Unary,
    parse,
    parse_expression,
    shorten,
)
from stencilgen.linear import SAMPLES, LinearReader
from stencilgen.taylor import is_zero

__all__ = [
    "MAX_FACTOR_SYMBOLS",
    "MAX_SAMPLES",
    "Formula",
    "Sample",
    "is_zero",
    "parse_formula",
    "tidy",
]

#: Most distinct sample points a formula may have (keeps the analysis bounded).
MAX_SAMPLES = 64
# Variable names preferred when a single sample leaves the choice open.
_PREFERRED_VARIABLES = ("x", "t", "y", "z")
_NON_FINITE_NAMES = frozenset({"inf", "infinity", "nan", "oo", "zoo"})
# Characters that papers paste and that mean exactly one of our operators.
_UNICODE_OPERATORS = str.maketrans({"−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*"})
_SCAN = re.compile(
    r"\s+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*"
    r"|\*\*|[-+*/()\[\],]"
)
_CHARACTER_HINTS = {
    "^": "write powers as ** (h**2)",
    "=": "give only the right-hand side of the formula",
    ":": "Python syntax such as lambdas and slices is not part of a formula",
    ";": "give one formula",
}


#: Expressions in at most this many symbols are factored for display; factoring
#: time grows steeply with the number of symbols, so larger ones stay cancelled.
MAX_FACTOR_SYMBOLS = 4


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """Put ``expr`` in a canonical, readable form: cancelled, factored when small.

    Examples
    --------
    >>> hd, hs = sympy.symbols("hd hs")
    >>> tidy((hd**2 - hs**2) / (hs * hd * (hs + hd)))
    (hd - hs)/(hd*hs)
    """
    if expr.is_Number:
        return expr
    cancelled = sympy.cancel(sympy.together(expr))
    if len(cancelled.free_symbols) > MAX_FACTOR_SYMBOLS:
        return cancelled
    return sympy.factor(cancelled)


def _key(shift: sympy.Expr) -> sympy.Expr:
    """A canonical form of a shift, so that ``h/2`` and ``0.5*h`` meet."""
    return shift if shift.is_Number else sympy.cancel(sympy.together(shift))


@dataclass(frozen=True)
class Sample:
    r"""One term :math:`c\, f(x + s)` of a formula."""

    shift: sympy.Expr
    coefficient: sympy.Expr


@dataclass(frozen=True)
class Formula:
    """A linear combination of samples of one function, parsed and checked.

    Attributes
    ----------
    function : str
        The sampled function's name (``f``, ``u``).
    variable : sympy.Symbol
        The variable the shifts are added to (``x``, ``t``).
    samples : tuple of Sample
        Distinct shifts (free of the variable) with their non-zero coefficients,
        in order of first appearance.
    text : str
        The formula as given (SymPy's ``str`` for expression input).
    spacing : sympy.Symbol or None
        The grid spacing of index notation ``u[i+k]``; ``None`` otherwise.
    divisor : sympy.Expr or None
        The scalar the whole combination is divided by when the text reads
        ``(...)/D``; used to phrase hints ("divide by h instead of 2").
    """

    function: str
    variable: sympy.Symbol
    samples: tuple[Sample, ...]
    text: str
    spacing: sympy.Symbol | None = None
    divisor: sympy.Expr | None = None
    # The user's own function class for SymPy input (it may carry assumptions).
    function_class: Any = field(default=None, repr=False, compare=False)

    @property
    def f(self) -> Any:
        """The SymPy function class of :attr:`function` (``sympy.Function('f')``)."""
        if self.function_class is not None:
            return self.function_class
        return sympy.Function(self.function)

    @property
    def expression(self) -> sympy.Expr:
        """The formula as a SymPy expression in samples ``f(x + shift)``.

        Examples
        --------
        >>> parse_formula("(f(x+h) - f(x))/h").expression
        -f(x)/h + f(h + x)/h
        """
        f, x = self.f, self.variable
        return sympy.Add(*[s.coefficient * f(x + s.shift) for s in self.samples])

    @property
    def shift_symbols(self) -> tuple[sympy.Symbol, ...]:
        """Symbols in the shifts (the spacing for index notation), sorted by name."""
        found: set[sympy.Symbol] = set()
        for sample in self.samples:
            found |= sample.shift.free_symbols
        if self.spacing is not None:
            found.add(self.spacing)
        return tuple(sorted(found, key=lambda s: s.name))

    @property
    def coefficient_symbols(self) -> tuple[sympy.Symbol, ...]:
        """Symbols in the coefficients, sorted by name."""
        found: set[sympy.Symbol] = set()
        for sample in self.samples:
            found |= sample.coefficient.free_symbols
        return tuple(sorted(found, key=lambda s: s.name))

    def substitute(self, values: Mapping[sympy.Symbol, sympy.Expr]) -> Formula:
        """The same formula with coefficient symbols replaced by ``values``.

        Examples
        --------
        >>> a = sympy.Symbol("a")
        >>> parse_formula("a*(f(x+h) - f(x))").substitute({a: 1 / sympy.Symbol("h")})
        Formula(function='f', variable=x, samples=(Sample(shift=h, coefficient=1/h), Sample(shift=0, coefficient=-1/h)), text='a*(f(x+h) - f(x))', spacing=None, divisor=None)
        """  # noqa: E501
        samples = []
        for sample in self.samples:
            coefficient = sample.coefficient.xreplace(dict(values))
            if coefficient.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                given = ", ".join(f"{k} = {v}" for k, v in values.items())
                raise ExpressionError(
                    f"with {given}, the coefficient {sample.coefficient} divides by "
                    "zero; give values that keep every coefficient finite"
                )
            if not coefficient.is_Number:
                coefficient = tidy(coefficient)
            if not is_zero(coefficient):
                samples.append(Sample(sample.shift, coefficient))
        return dataclasses.replace(self, samples=tuple(samples))


# -- text input ------------------------------------------------------------------------


class _Fail:
    """Builds the one-line errors, all quoting the formula."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, message: str) -> ExpressionError:
        return ExpressionError(f"cannot analyse {shorten(self.text)!r}: {message}")


def _prescan(text: str, fail: _Fail) -> None:
    """Refuse characters and names the grammar has no place for, with a reason."""
    position = 0
    while position < len(text):
        match = _SCAN.match(text, position)
        if match is None:
            char = text[position]
            column = position + 1
            if char in "\"'" and position and (text[position - 1].isalnum()):
                raise fail(
                    f"the prime {char!r} at column {column} is derivative notation; "
                    "a formula may contain only samples such as f(x + h)"
                )
            if char in "\"'":
                raise fail(f"a string at column {column} is not allowed in a formula")
            if char == ".":
                raise fail(
                    f"attribute access '.' at column {column} is not allowed in a "
                    "formula"
                )
            hint = _CHARACTER_HINTS.get(
                char,
                "a formula contains numbers, names, samples such as f(x + h) or "
                "u[i+1], + - * / ** and parentheses",
            )
            raise fail(f"unexpected character {char!r} at column {column}; {hint}")
        token = match.group()
        if token[0].isalpha() or token[0] == "_":
            column = position + 1
            if keyword.iskeyword(token):
                raise fail(
                    f"the Python keyword {token!r} at column {column} is not part of "
                    "a formula"
                )
            if token.startswith("__"):
                raise fail(
                    f"the name {token!r} at column {column} is not allowed; use plain "
                    "names such as h or hd"
                )
        position = match.end()


def _walk(root: Node) -> Iterable[tuple[Node, Call | Subscript | None]]:
    """Every node with the innermost sample-like node containing it (iteratively)."""
    stack: list[tuple[Node, Call | Subscript | None]] = [(root, None)]
    while stack:
        node, inside = stack.pop()
        yield node, inside
        if isinstance(node, Unary):
            stack.append((node.operand, inside))
        elif isinstance(node, Binary):
            stack.append((node.right, inside))
            stack.append((node.left, inside))
        elif isinstance(node, Call):
            stack.extend((arg, node) for arg in reversed(node.args))
        elif isinstance(node, Subscript):
            stack.append((node.index, node))


def _sample_like(node: Node) -> bool:
    return isinstance(node, Call | Subscript)


def _contains_sample(node: Node) -> bool:
    return any(_sample_like(n) for n, _ in _walk(node) if n is not node)


def _describe(node: Call | Subscript) -> str:
    if isinstance(node, Call):
        return f"{node.func}(...) at column {node.column}"
    return f"{node.name}[...] at column {node.column}"


#: A formula's wording: the sample it names is the 1-D ``f(x + h)``.
_WORDING = dataclasses.replace(SAMPLES, add=SAMPLES.add + " such as f(x + h)")


class _Evaluator(LinearReader):
    """Evaluates the syntax tree to a scalar or a linear form in the samples.

    The form's keys are :func:`_key` of the shifts; :attr:`shift_of` keeps the
    first shift written for each key (``h/2`` and ``0.5*h`` are one sample).
    """

    def __init__(self, fail: _Fail, shifts: dict[int, sympy.Expr]) -> None:
        super().__init__(fail, _WORDING)
        self.shifts = shifts  # id(sample node) -> shift
        self.shift_of: dict[sympy.Expr, sympy.Expr] = {}

    def leaf(self, node: Node) -> Any:
        if isinstance(node, Number):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Name):
            if node.id.lower() in _NON_FINITE_NAMES:
                raise self.fail(
                    f"{node.id!r} at column {node.column} is not a finite number; "
                    "give a finite value"
                )
            return sympy.Symbol(node.id)
        assert isinstance(node, Call | Subscript)
        shift = self.shifts[id(node)]
        key = _key(shift)
        self.shift_of.setdefault(key, shift)
        return {key: sympy.S.One}

    def power(self, node: Binary, base: sympy.Expr, exponent: sympy.Expr) -> Any:
        if not exponent.is_Rational or abs(exponent) > MAX_POWER:
            raise self.fail(
                f"the exponent at column {node.column} must be a number between "
                f"-{MAX_POWER} and {MAX_POWER}, got {exponent}"
            )
        if is_zero(base) and exponent.is_negative:
            raise self.fail(f"division by zero at column {node.column}")
        if base.is_Rational:
            # Estimate the size first: (2**64)**64**... would exhaust memory.
            bits = max(int(base.p).bit_length(), int(base.q).bit_length())
            if bits * abs(exponent) > MAX_BITS:
                raise self.fail(
                    f"the power at column {node.column} is a number of about "
                    f"{int(bits * abs(exponent))} bits, more than the limit of "
                    f"{MAX_BITS}; use a smaller number"
                )
        result = sympy.Pow(base, exponent)
        _check_size(result, self.fail, f"the power at column {node.column}")
        return result


def _check_size(
    expr: sympy.Expr, fail: Callable[[str], ExpressionError], what: str
) -> None:
    """Refuse exponents beyond MAX_POWER (after SymPy merges them) and huge numbers.

    Both keep the analysis bounded: the exponent is the degree of a polynomial
    it builds, and numbers beyond MAX_BITS cannot even be printed in full.
    """
    for piece in sympy.preorder_traversal(expr):
        if (
            isinstance(piece, sympy.Pow)
            and piece.exp.is_Rational
            and abs(piece.exp) > MAX_POWER
        ):
            raise fail(
                f"{what} gives the exponent {piece.exp}, beyond the limit of "
                f"{MAX_POWER}; simplify the formula"
            )
        if piece.is_Rational and (
            max(int(piece.p).bit_length(), int(piece.q).bit_length()) > MAX_BITS
        ):
            raise fail(
                f"{what} contains a number of more than {MAX_BITS} bits; use "
                "smaller numbers"
            )


def _candidates(arg: sympy.Expr) -> list[sympy.Symbol]:
    """Names ``v`` with ``arg = v + shift`` and the shift free of ``v``."""
    found = []
    for symbol in sorted(arg.free_symbols, key=lambda s: s.name):
        rest = sympy.expand(arg - symbol)
        if not rest.has(symbol):
            found.append(symbol)
    return found


def _choose(common: Sequence[sympy.Symbol], order: Sequence[str]) -> sympy.Symbol:
    """Pick the variable among ``common``: preferred names, then first in ``order``."""
    names = {s.name: s for s in common}
    for name in (*_PREFERRED_VARIABLES, *order):
        if name in names:
            return names[name]
    return sorted(common, key=lambda s: s.name)[0]


def _names_in(node: Node) -> list[str]:
    """The names in a subtree, in the order they are written."""
    found = [n for n, _ in _walk(node) if isinstance(n, Name)]
    return [n.id for n in sorted(found, key=lambda n: n.column)]


def _parse_text(text: str, spacing: str, variable: str | None) -> Formula:
    fail = _Fail(text)
    if not text.strip():
        raise ExpressionError(
            "the formula is empty; write one such as (f(x+h) - f(x-h))/(2*h)"
        )
    normalised = text.translate(_UNICODE_OPERATORS)
    _prescan(normalised, fail)
    tree = parse(normalised)

    nodes = list(_walk(tree))
    samples: list[tuple[Call | Subscript, Call | Subscript | None]] = [
        (n, inside) for n, inside in nodes if isinstance(n, Call | Subscript)
    ]
    if not samples:
        raise fail(
            "there is no sample of a function; write samples such as f(x + h) or u[i+1]"
        )
    # The sampled function: the most frequent name among innermost calls and
    # subscripts (first one on a tie), so that sin(f(x)) blames sin, not f.
    leaves = [n for n, _ in samples if not _contains_sample(n)]
    counts: dict[tuple[str, str], int] = {}
    for leaf in sorted(leaves, key=lambda n: n.column):
        key = (leaf.func, "call") if isinstance(leaf, Call) else (leaf.name, "index")
        counts[key] = counts.get(key, 0) + 1
    (function, notation) = max(counts, key=lambda k: counts[k])
    for node, inside in sorted(samples, key=lambda item: item[0].column):
        name = node.func if isinstance(node, Call) else node.name
        if inside is not None:
            raise fail(
                f"the sample {_describe(node)} is inside the argument of "
                f"{_describe(inside)}; a sample's argument must be "
                "variable + shift"
            )
        if name != function:
            if _contains_sample(node):
                raise fail(
                    f"{_describe(node)} applies a function to a sample; a formula "
                    "must be a linear combination of samples"
                )
            what = "call" if isinstance(node, Call) else "subscript"
            raise fail(
                f"the {what} {_describe(node)} is not a sample of {function!r}; a "
                f"formula combines samples of one function only, such as "
                + (f"{function}(x + h)" if notation == "call" else f"{function}[i+1]")
            )
        if (notation == "call") != isinstance(node, Call):
            raise fail(
                f"{_describe(node)} mixes {function}(...) and {function}[...] "
                "notation; use one of them"
            )
        if isinstance(node, Subscript) and node.extra:
            raise fail(
                f"the sample {_describe(node)} has {len(node.indices)} indices; a "
                f"one-dimensional formula takes one, as in {function}[i+1] "
                "(stencilgen.analyze reads multi-index formulas)"
            )
        if isinstance(node, Call) and len(node.args) != 1:
            raise fail(
                f"the sample {_describe(node)} has {len(node.args)} arguments; a "
                f"sample takes one, as in {function}(x + h)"
            )

    evaluator = _Evaluator(fail, {})
    sample_nodes = [n for n, _ in samples]
    arguments: list[sympy.Expr] = []
    for node in sample_nodes:
        arg = node.args[0] if isinstance(node, Call) else node.index
        arguments.append(evaluator.scalar(arg))

    # The variable (call notation) or index name (index notation).
    first = sample_nodes[0]
    first_names = _names_in(first.args[0] if isinstance(first, Call) else first.index)
    what = "argument" if notation == "call" else "index"
    example = f"{function}(x + h)" if notation == "call" else f"{function}[i+1]"
    if variable is not None and notation == "call":
        chosen = sympy.Symbol(variable)
    else:
        common = set(_candidates(arguments[0]))
        for node, arg in zip(sample_nodes, arguments, strict=True):
            mine = set(_candidates(arg))
            if not mine & common:
                expected = "variable + shift"
                if common:
                    best = _choose(sorted(common, key=lambda s: s.name), first_names)
                    expected = f"{best} + shift"
                raise fail(
                    f"the {what} {arg} of the sample at column {node.column} is not "
                    f"{expected} with a shift free of the variable; write samples "
                    f"such as {example}"
                )
            common &= mine
        chosen = _choose(sorted(common, key=lambda s: s.name), first_names)

    spacing_symbol: sympy.Symbol | None = None
    shifts: dict[int, sympy.Expr] = {}
    for node, arg in zip(sample_nodes, arguments, strict=True):
        rest = sympy.expand(arg - chosen)
        if rest.has(chosen):
            raise fail(
                f"the {what} {arg} of the sample at column {node.column} is not "
                f"{chosen} + shift with a shift free of {chosen}"
            )
        if notation == "index":
            if not rest.is_Rational:
                raise fail(
                    f"the index {arg} at column {node.column} must be {chosen} plus "
                    f"a number, as in {function}[{chosen}+1]"
                )
            spacing_symbol = sympy.Symbol(spacing)
            rest = rest * spacing_symbol
        shifts[id(node)] = rest

    index_name = chosen.name if notation == "index" else None
    variable_symbol = sympy.Symbol(variable or "x") if notation == "index" else chosen
    if index_name is not None and index_name in (spacing, variable_symbol.name):
        raise fail(
            f"the index {index_name!r} has the same name as the "
            + ("spacing" if index_name == spacing else "variable")
            + "; rename one of them"
        )
    # Names outside samples: never the function, the variable or the index.
    forbidden = {function: "is the sampled function; use it only in samples"}
    forbidden[variable_symbol.name] = (
        "is the variable; coefficients must not depend on it"
    )
    if index_name is not None:
        forbidden[index_name] = f"is the index; use it only inside {function}[...]"
    for item, inside in nodes:
        if isinstance(item, Name) and inside is None and item.id in forbidden:
            raise fail(f"{item.id!r} at column {item.column} {forbidden[item.id]}")

    evaluator.shifts = shifts
    result = evaluator.value(tree)
    assert isinstance(result, dict)  # the root contains a sample
    divisor = None
    if isinstance(tree, Binary) and tree.op == "/":
        divisor = evaluator.scalar(tree.right)
    return _finish(
        function,
        variable_symbol,
        [(evaluator.shift_of[key], c) for key, c in result.items()],
        text,
        spacing_symbol,
        divisor,
        fail,
    )


def _finish(
    function: str,
    variable: sympy.Symbol,
    terms: Iterable[Sequence[sympy.Expr]],
    text: str,
    spacing: sympy.Symbol | None,
    divisor: sympy.Expr | None,
    fail: _Fail,
    function_class: Any = None,
) -> Formula:
    samples = []
    for shift, coefficient in terms:
        where = f"the coefficient of {function}({variable} + {shift})"
        _check_size(shift, fail, f"the shift of {function}({variable} + {shift})")
        _check_size(coefficient, fail, where)
        if coefficient.has(variable):
            raise fail(
                f"the coefficient {coefficient} of {function}({variable} + {shift}) "
                f"depends on the variable {variable}; coefficients must not"
            )
        if not coefficient.is_Number:
            coefficient = tidy(coefficient)
        if not is_zero(coefficient):
            samples.append(
                Sample(shift if shift.is_Number else sympy.expand(shift), coefficient)
            )
    if len(samples) > MAX_SAMPLES:
        raise fail(
            f"{len(samples)} distinct samples is more than the limit of "
            f"{MAX_SAMPLES}; analyse a shorter formula"
        )
    return Formula(
        function, variable, tuple(samples), text, spacing, divisor, function_class
    )


# -- SymPy input -----------------------------------------------------------------------


def _parse_sympy(expr: sympy.Expr, variable: str | None) -> Formula:
    text = str(expr)
    fail = _Fail(text)
    if expr.has(sympy.Float):
        raise fail("it contains a floating-point number; use exact rationals")
    if expr.has(sympy.Derivative, sympy.Subs, sympy.Integral):
        raise fail("it contains a derivative; give samples such as f(x + h) only")
    samples = sorted(expr.atoms(AppliedUndef), key=sympy.default_sort_key)
    if not samples:
        raise fail("there is no sample of a function; write samples such as f(x + h)")
    functions = sorted({s.func.__name__ for s in samples})
    if len(functions) > 1:
        raise fail(
            f"it samples several functions ({', '.join(functions)}); a formula "
            "combines samples of one function"
        )
    for sample in samples:
        if len(sample.args) != 1:
            raise fail(f"the sample {sample} must have one argument, x + shift")
    arguments = [s.args[0] for s in samples]
    if variable is not None:
        matches = [s for s in arguments[0].free_symbols if s.name == variable]
        chosen = matches[0] if matches else sympy.Symbol(variable)
    else:
        common = set(_candidates(arguments[0]))
        for arg in arguments:
            common &= set(_candidates(arg))
        if not common:
            raise fail(
                "the samples' arguments are not all variable + shift with one "
                "common variable; write samples such as f(x + h)"
            )
        order = [s.name for s in sorted(arguments[0].free_symbols, key=str)]
        chosen = _choose(sorted(common, key=lambda s: s.name), order)
    dummies = [sympy.Dummy(f"z{i}") for i in range(len(samples))]
    replaced = expr.xreplace(dict(zip(samples, dummies, strict=True)))
    terms = []
    for sample, dummy in zip(samples, dummies, strict=True):
        shift = sympy.expand(sample.args[0] - chosen)
        if shift.has(chosen):
            raise fail(f"the sample {sample} is not {chosen} + shift")
        coefficient = sympy.diff(replaced, dummy)
        if coefficient.has(*dummies):
            raise fail(
                "it is not a linear combination of samples (a product, power or "
                "function of samples)"
            )
        terms.append((shift, coefficient))
    remainder = replaced - sympy.Add(
        *[c * d for (_, c), d in zip(terms, dummies, strict=True)]
    )
    if not is_zero(remainder):
        raise fail(
            "it is not a linear combination of samples (a term has no sample or a "
            "sample sits inside a function)"
        )
    merged: dict[sympy.Expr, list[sympy.Expr]] = {}
    for shift, coefficient in terms:
        key = _key(shift)
        if key in merged:
            merged[key][1] += coefficient
        else:
            merged[key] = [shift, coefficient]
    return _finish(
        functions[0], chosen, merged.values(), text, None, None, fail, samples[0].func
    )


def parse_formula(
    formula: str | sympy.Expr,
    *,
    spacing: str = "h",
    variable: str | None = None,
    where: Mapping[str, Any] | None = None,
) -> Formula:
    """Parse a formula into a checked linear combination of samples.

    Parameters
    ----------
    formula : str or sympy.Expr
        Text such as ``"(f(x+h) - f(x-h))/(2*h)"`` or ``"(u[i+1] - u[i])/h"``
        (parsed by our own parser, never evaluated as Python), or a SymPy
        expression in applied undefined functions (``f(x + h)``).
    spacing : str, optional
        The grid spacing of index notation: ``u[i+k]`` is ``u(x + k*spacing)``.
    variable : str, optional
        The variable of the samples; found automatically when omitted (see the
        module documentation). For index notation it names the variable of the
        error terms (default ``x``).
    where : mapping of str to str or sympy.Expr, optional
        Values for coefficient names, e.g. ``{"a": "-1/h"}`` (strings go through
        the same restricted parser).

    Returns
    -------
    Formula
        Distinct shifts with their non-zero coefficients.

    Raises
    ------
    ExpressionError
        With one line naming the offending piece (and its column, for text) for
        anything that is not a linear combination of samples of one function.

    Examples
    --------
    >>> form = parse_formula("(f(x) - f(x-h))/2")
    >>> [(s.shift, s.coefficient) for s in form.samples]
    [(0, 1/2), (-h, -1/2)]
    >>> parse_formula("(u[i+1] - u[i-1])/(2*dx)", spacing="dx").expression
    -u(-dx + x)/(2*dx) + u(dx + x)/(2*dx)
    >>> parse_formula("f(x+h)*f(x)")
    Traceback (most recent call last):
    ...
    stencilgen.errors.ExpressionError: cannot analyse 'f(x+h)*f(x)': the '*' at column 7 multiplies two samples; a formula must be a linear combination of samples
    """  # noqa: E501
    if not isinstance(spacing, str) or not re.fullmatch(r"[A-Za-z_]\w*", spacing):
        raise ExpressionError(
            f"the spacing must be a name such as h or dx, got {spacing!r}"
        )
    if variable is not None and (
        not isinstance(variable, str) or not re.fullmatch(r"[A-Za-z_]\w*", variable)
    ):
        raise ExpressionError(
            f"the variable must be a name such as x or t, got {variable!r}"
        )
    if isinstance(formula, str):
        parsed = _parse_text(formula, spacing, variable)
    elif isinstance(formula, sympy.Expr):
        parsed = _parse_sympy(formula, variable)
    else:
        raise ExpressionError(
            "a formula must be text such as '(f(x+h) - f(x))/h' or a SymPy "
            f"expression, got {type(formula).__name__}"
        )
    if where:
        parsed = parsed.substitute(_where_values(parsed, where))
    return parsed


def _where_values(
    formula: Formula, where: Mapping[str, Any]
) -> dict[sympy.Symbol, sympy.Expr]:
    present = {s.name: s for s in formula.coefficient_symbols}
    values: dict[sympy.Symbol, sympy.Expr] = {}
    for name, value in where.items():
        if name not in present:
            raise ExpressionError(
                f"the value given for {name!r} is not used: no coefficient of the "
                f"formula contains {name!r}"
            )
        if isinstance(value, str):
            expr = parse_expression(value)
        elif isinstance(value, sympy.Expr | int):
            expr = sympy.Integer(value) if isinstance(value, int) else value
        else:
            raise ExpressionError(
                f"the value of {name!r} must be text or a SymPy expression, got "
                f"{type(value).__name__}"
            )
        if expr.has(formula.variable):
            raise ExpressionError(
                f"the value of {name!r} depends on the variable {formula.variable}; "
                "coefficients must not"
            )
        if present[name] in formula.shift_symbols:
            raise ExpressionError(
                f"{name!r} is a step of the formula (it appears in the shifts), and "
                "--where gives values to coefficients only; leave the step symbolic"
            )
        values[present[name]] = expr
    return values
