"""A restricted parser for the arithmetic people type: ``hd``, ``1/2``, ``-h1-h2``.

User text is data. Nothing here calls ``eval``, ``exec``, ``sympify`` or
``parse_expr``: a small tokenizer and a recursive-descent parser of our own turn the
text into a tiny syntax tree (:class:`Number`, :class:`Name`, :class:`Unary`,
:class:`Binary`, and, for callers that allow them, :class:`Call` and
:class:`Subscript`), and :func:`to_sympy` turns that tree into SymPy objects built
directly (``Rational``, ``Symbol``, ``Add``...). Anything outside the grammar is
rejected with an :class:`~stencilgen.errors.ExpressionError` naming the offending
piece and its column.

Grammar (Python's precedence, so ``-h**2`` is ``-(h**2)``)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := postfix ("**" unary)?
    postfix := NAME "(" [expr ("," expr)*] ")" | NAME "[" expr ("," expr)* "]"
             | atom
    atom    := NUMBER | NAME | "(" expr ")"

Limits keep hostile input cheap: at most :data:`MAX_LENGTH` characters,
:data:`MAX_DEPTH` levels of nesting, numeric literals up to :data:`MAX_DIGITS`
characters, decimal exponents up to
:data:`MAX_DECIMAL_EXPONENT`, powers up to :data:`MAX_POWER` in absolute value and
numbers computed by powers up to :data:`MAX_BITS` bits.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

import sympy

from stencilgen.errors import ExpressionError

__all__ = [
    "MAX_BITS",
    "MAX_DECIMAL_EXPONENT",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "MAX_POWER",
    "Binary",
    "Call",
    "Name",
    "Node",
    "Number",
    "Subscript",
    "Unary",
    "parse",
    "parse_expression",
    "parse_list",
    "shorten",
    "to_sympy",
]

#: Longest text accepted, in characters.
MAX_LENGTH = 10_000
#: Deepest nesting of parentheses, brackets, calls and unary signs.
MAX_DEPTH = 100
#: Longest numeric literal, in characters (Python refuses ``int`` of very long text).
MAX_DIGITS = 1000
#: Largest ``|e|`` in a decimal literal such as ``1e-3``.
MAX_DECIMAL_EXPONENT = 100
#: Largest ``|p|`` in ``base ** p``, also after SymPy merges ``(h**a)**b``.
MAX_POWER = 64
#: Largest size, in bits, of a number computed by a power such as ``2**64``.
MAX_BITS = 4096
# Names that would read as non-finite numbers; refused rather than made symbols.
_NON_FINITE_NAMES = frozenset({"inf", "infinity", "nan", "oo", "zoo"})
# Operators that chain left to right, grouped by the SymPy node they build.
_CHAIN = {"+": "+", "-": "+", "*": "*", "/": "*"}


@dataclass(frozen=True)
class Number:
    """A numeric literal, kept exactly (``0.1`` is ``Fraction(1, 10)``)."""

    value: Fraction
    text: str
    column: int


@dataclass(frozen=True)
class Name:
    """An identifier such as ``h``, ``hd`` or ``x``."""

    id: str
    column: int


@dataclass(frozen=True)
class Unary:
    """``+operand`` or ``-operand``."""

    op: str
    operand: Node
    column: int


@dataclass(frozen=True)
class Binary:
    """``left op right`` for ``op`` in ``+ - * / **``."""

    op: str
    left: Node
    right: Node
    column: int


@dataclass(frozen=True)
class Call:
    """``name(arg, ...)``: only produced, never interpreted, by this module."""

    func: str
    args: tuple[Node, ...]
    column: int


@dataclass(frozen=True)
class Subscript:
    """``name[index]`` or ``name[i, j, ...]``: produced, never interpreted, here.

    ``index`` is the first index; ``extra`` holds the further ones of a
    multi-index such as ``u[i+1, j-1]`` (empty for one index).
    """

    name: str
    index: Node
    column: int
    extra: tuple[Node, ...] = ()

    @property
    def indices(self) -> tuple[Node, ...]:
        """Every index, first one first."""
        return (self.index, *self.extra)


Node: TypeAlias = Number | Name | Unary | Binary | Call | Subscript

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/()\[\],])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "op" or "end"
    text: str
    column: int  # 1-based, as editors count


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for quoting in a one-line message.

    Examples
    --------
    >>> shorten("x" * 100, 10)
    'xxxxxxx...'
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            raise ExpressionError(
                f"cannot parse {shorten(text)!r}: unexpected character {char!r} at "
                f"column {position + 1}; only numbers, names, + - * / ** and "
                "parentheses are allowed"
            )
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _number_value(token: _Token, source: str) -> Fraction:
    mantissa, _, exponent = token.text.lower().partition("e")
    if len(mantissa) > MAX_DIGITS:
        raise ExpressionError(
            f"cannot parse {shorten(source)!r}: the number at column {token.column} "
            f"has {len(mantissa)} characters, more than the limit of {MAX_DIGITS}; "
            "write a shorter number"
        )
    if exponent and abs(int(exponent)) > MAX_DECIMAL_EXPONENT:
        raise ExpressionError(
            f"cannot parse {shorten(source)!r}: the exponent of {token.text!r} at "
            f"column {token.column} exceeds {MAX_DECIMAL_EXPONENT}; write a smaller "
            "number"
        )
    value = Fraction(mantissa if not mantissa.endswith(".") else mantissa + "0")
    return value * Fraction(10) ** int(exponent or 0)


class _Parser:
    """Recursive descent over the token list, with a nesting budget."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------
    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _at(self, *ops: str) -> bool:
        return self.current.kind == "op" and self.current.text in ops

    def _fail(self, expected: str) -> ExpressionError:
        token = self.current
        found = "the end of the text" if token.kind == "end" else repr(token.text)
        return ExpressionError(
            f"cannot parse {shorten(self.text)!r}: expected {expected} but found "
            f"{found} at column {token.column}"
        )

    def _expect(self, op: str) -> None:
        if not self._at(op):
            raise self._fail(repr(op))
        self._advance()

    def _enter(self) -> None:
        """Count one more level, opened by the token just consumed."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            opener = self.tokens[self.index - 1]
            raise ExpressionError(
                f"cannot parse {shorten(self.text)!r}: nested deeper than {MAX_DEPTH} "
                f"levels at column {opener.column}; simplify the expression"
            )

    # -- grammar -------------------------------------------------------------------
    def parse_all(self) -> Node:
        if self.current.kind == "end":
            raise ExpressionError("cannot parse an empty expression; write a value")
        node = self.expr()
        if self.current.kind != "end":
            raise self._fail("an operator or the end of the text")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self._at("+", "-"):
            token = self._advance()
            node = Binary(token.text, node, self.term(), token.column)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self._at("*", "/"):
            token = self._advance()
            node = Binary(token.text, node, self.unary(), token.column)
        return node

    def unary(self) -> Node:
        if self._at("+", "-"):
            token = self._advance()
            self._enter()
            operand = self.unary()
            self.depth -= 1
            return Unary(token.text, operand, token.column)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self._at("**"):
            token = self._advance()
            self._enter()
            exponent = self.unary()
            self.depth -= 1
            return Binary("**", base, exponent, token.column)
        return base

    def postfix(self) -> Node:
        token = self.current
        if token.kind == "name" and self.tokens[self.index + 1].text in ("(", "["):
            self._advance()
            opener = self._advance().text
            self._enter()
            if opener == "(":
                args: list[Node] = []
                if not self._at(")"):
                    args.append(self.expr())
                    while self._at(","):
                        self._advance()
                        args.append(self.expr())
                self._expect(")")
                node: Node = Call(token.text, tuple(args), token.column)
            else:
                first = self.expr()
                extra: list[Node] = []
                while self._at(","):
                    self._advance()
                    extra.append(self.expr())
                node = Subscript(token.text, first, token.column, tuple(extra))
                self._expect("]")
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        token = self.current
        if token.kind == "number":
            self._advance()
            return Number(_number_value(token, self.text), token.text, token.column)
        if token.kind == "name":
            self._advance()
            return Name(token.text, token.column)
        if self._at("("):
            self._advance()
            self._enter()
            node = self.expr()
            self._expect(")")
            self.depth -= 1
            return node
        raise self._fail("a number, a name or '('")


def parse(text: str) -> Node:
    """Parse ``text`` into a syntax tree, never executing anything.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"-h1 - h2"`` or ``"f(x + h/2)"``.

    Returns
    -------
    Node
        The syntax tree. Calls and subscripts are kept as :class:`Call` and
        :class:`Subscript`; what they may mean is the caller's decision.

    Raises
    ------
    ExpressionError
        For text outside the grammar or past the size limits.

    Examples
    --------
    >>> parse("-h/2")
    Binary(op='/', left=Unary(op='-', operand=Name(id='h', column=2), column=1), right=Number(value=Fraction(2, 1), text='2', column=4), column=3)
    """  # noqa: E501
    if not isinstance(text, str):
        raise ExpressionError(f"expected text to parse, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression of {len(text)} characters is longer than the limit of "
            f"{MAX_LENGTH}; shorten it"
        )
    return _Parser(text).parse_all()


CallHandler: TypeAlias = Callable[[Call], sympy.Expr]
SubscriptHandler: TypeAlias = Callable[[Subscript], sympy.Expr]


def _describe(node: Node) -> str:
    if isinstance(node, Call):
        return f"a call of {node.func!r} at column {node.column}"
    if isinstance(node, Subscript):
        return f"a subscript of {node.name!r} at column {node.column}"
    return f"{type(node).__name__.lower()} at column {node.column}"


def to_sympy(
    node: Node,
    source: str = "",
    *,
    on_call: CallHandler | None = None,
    on_subscript: SubscriptHandler | None = None,
) -> sympy.Expr:
    """Build the SymPy expression for a syntax tree.

    Parameters
    ----------
    node : Node
        A tree from :func:`parse`.
    source : str, optional
        The original text, quoted in error messages.
    on_call, on_subscript : callable, optional
        Handlers for :class:`Call` and :class:`Subscript` nodes. Without one, such
        a node is rejected.

    Returns
    -------
    sympy.Expr
        Names become plain ``Symbol`` objects (no assumptions), numbers exact
        ``Rational`` objects.

    Raises
    ------
    ExpressionError
        For Python keywords used as names (``lambda``, ``None``, ``True``...),
        calls or subscripts without a handler, division by zero, or a power
        whose exponent is not a number of at most :data:`MAX_POWER`.

    Examples
    --------
    >>> to_sympy(parse("(hd + hs)/2"))
    hd/2 + hs/2
    >>> to_sympy(parse("0.25"))
    1/4
    """

    def fail(message: str) -> ExpressionError:
        where = f"cannot use {shorten(source)!r}: " if source else ""
        return ExpressionError(where + message)

    def build(item: Node) -> sympy.Expr:
        if isinstance(item, Number):
            return sympy.Rational(item.value.numerator, item.value.denominator)
        if isinstance(item, Name):
            if item.id.lower() in _NON_FINITE_NAMES:
                raise fail(
                    f"{item.id!r} at column {item.column} is not a finite number; "
                    "give a finite value"
                )
            if keyword.iskeyword(item.id):
                raise fail(
                    f"{item.id!r} at column {item.column} is a Python keyword, not "
                    "a name; use another name such as h"
                )
            return sympy.Symbol(item.id)
        if isinstance(item, Unary):
            operand = build(item.operand)
            return -operand if item.op == "-" else operand
        if isinstance(item, Binary) and item.op in _CHAIN:
            return chain(item)
        if isinstance(item, Binary):
            return power(build(item.left), build(item.right), item.column)
        if isinstance(item, Call) and on_call is not None:
            return on_call(item)
        if isinstance(item, Subscript) and on_subscript is not None:
            return on_subscript(item)
        raise fail(
            f"{_describe(item)} is not allowed here; use only numbers, names, "
            "+ - * / ** and parentheses"
        )

    def chain(item: Binary) -> sympy.Expr:
        # ``h + h + ... + h`` nests deeply to the left: walk that spine in a loop
        # (recursion would overflow on long but legal input) and build one Add or
        # Mul, which also avoids rebuilding a growing sum term by term.
        kind = _CHAIN[item.op]
        links: list[Binary] = []
        node: Node = item
        while isinstance(node, Binary) and _CHAIN.get(node.op) == kind:
            links.append(node)
            node = node.left
        operands = [build(node)]
        for link in reversed(links):
            operand = build(link.right)
            if link.op == "-":
                operand = -operand
            elif link.op == "/":
                if operand.is_zero:
                    raise fail(f"division by zero at column {link.column}")
                operand = 1 / operand
            operands.append(operand)
        return sympy.Add(*operands) if kind == "+" else sympy.Mul(*operands)

    def power(base: sympy.Expr, exponent: sympy.Expr, column: int) -> sympy.Expr:
        if not exponent.is_Rational or abs(exponent) > MAX_POWER:
            raise fail(
                f"the exponent at column {column} must be a number between "
                f"-{MAX_POWER} and {MAX_POWER}, got {exponent}"
            )
        if base.is_zero and exponent.is_negative:
            raise fail(f"division by zero at column {column}")
        if base.is_Rational:
            # Estimate the size before computing: (2**64)**64**... would
            # otherwise exhaust memory within a few characters.
            bits = max(int(base.p).bit_length(), int(base.q).bit_length())
            if bits * abs(exponent) > MAX_BITS:
                raise fail(
                    f"the power at column {column} is a number of about "
                    f"{int(bits * abs(exponent))} bits, more than the limit of "
                    f"{MAX_BITS}; use a smaller number"
                )
        result = sympy.Pow(base, exponent)
        # SymPy merges (h**a)**b into h**(a*b): keep the merged exponent in bounds.
        for piece in sympy.preorder_traversal(result):
            if (
                isinstance(piece, sympy.Pow)
                and piece.exp.is_Rational
                and abs(piece.exp) > MAX_POWER
            ):
                raise fail(
                    f"the power at column {column} gives the exponent {piece.exp}, "
                    f"beyond the limit of {MAX_POWER}; simplify the expression"
                )
        return result

    return build(node)


def parse_expression(text: str) -> sympy.Expr:
    """Parse arithmetic text (numbers, names, ``+ - * / **``, parentheses) to SymPy.

    Parameters
    ----------
    text : str
        For example ``"hd"``, ``"1/2"`` or ``"-h1 - h2"``.

    Returns
    -------
    sympy.Expr
        The exact expression.

    Raises
    ------
    ExpressionError
        For anything else, including every attempt to run code.

    Examples
    --------
    >>> parse_expression("1/2")
    1/2
    >>> parse_expression("-h1 - h2")
    -h1 - h2
    >>> parse_expression('__import__("os")')
    Traceback (most recent call last):
    ...
    stencilgen.errors.ExpressionError: cannot parse '__import__("os")': unexpected character '"' at column 12; only numbers, names, + - * / ** and parentheses are allowed
    """  # noqa: E501
    return to_sympy(parse(text), text)


def parse_list(text: str) -> list[sympy.Expr]:
    """Parse a comma-separated list such as ``"-1,0,1"`` or ``"0,hd,-hs"``.

    Parameters
    ----------
    text : str
        Comma-separated expressions.

    Returns
    -------
    list of sympy.Expr
        One expression per item, in order.

    Raises
    ------
    ExpressionError
        For an empty list, an empty item or an item :func:`parse_expression`
        refuses.

    Examples
    --------
    >>> parse_list("0, hd, -hs")
    [0, hd, -hs]
    """
    if not text.strip():
        raise ExpressionError("the list is empty; give comma-separated values")
    items = text.split(",")
    result = []
    for number, item in enumerate(items, start=1):
        if not item.strip():
            raise ExpressionError(
                f"item {number} of {shorten(text)!r} is empty; remove the extra comma"
            )
        try:
            result.append(parse_expression(item.strip()))
        except ExpressionError as error:
            if len(items) == 1:
                raise
            raise ExpressionError(
                f"item {number} of {shorten(text)!r}: {error}"
            ) from None
    return result
