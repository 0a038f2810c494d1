"""The operator language: linear differential operators written in ``u``.

An operator is a linear combination of partial derivatives of one function ``u``,
the subscripts naming the variables, as in papers::

    u_xx + u_yy            the 2-D Laplacian
    u_xy                   a mixed partial
    2*u_x - 3*u_yy         exact numbers as coefficients
    c*u_xxx + k**2*u       symbols as coefficients; plain ``u`` is the function

Each letter after ``u_`` is one variable (so ``u_xy`` is the derivative in ``x``
and in ``y``); the variables of an operator are the letters it uses, sorted.
The text goes through the restricted parser of :mod:`stencilgen.expr` and this
module's small interpreter, which knows numbers, names, ``+ - * / **`` and the
derivative names, and refuses anything that is not linear in ``u`` (a product of
two derivatives, a function of ``u``, a term without ``u``) with one line naming
the offending piece and its column. Nothing is ever evaluated as Python.

The parsed operator is a mapping from multi-indices (one derivative count per
variable, in the order of :attr:`LinearOperator.dims`) to exact coefficients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy

from stencilgen.errors import ExpressionError
from stencilgen.expr import (
    Binary,
    Call,
    Name,
    Node,
    Subscript,
    Unary,
    parse,
    shorten,
    to_sympy,
)
from stencilgen.limits import MAX_OPERATOR_DERIVATIVE, MAX_OPERATOR_DIMS
from stencilgen.linear import LinearReader, Wording
from stencilgen.taylor import is_zero

__all__ = [
    "MAX_DERIVATIVE",
    "MAX_DIMS",
    "LinearOperator",
    "derivative_name",
    "operator_text",
    "parse_operator",
    "plain",
    "step_symbol",
    "variable_symbol",
]

# The limits live in stencilgen.limits (documented in docs/limits.md).
MAX_DIMS = MAX_OPERATOR_DIMS
MAX_DERIVATIVE = MAX_OPERATOR_DERIVATIVE
_DERIVATIVE = re.compile(r"u(?:_([A-Za-z]*))?")
_FUNCTION = "u"


def step_symbol(dim: str) -> sympy.Symbol:
    """The positive grid step of variable ``dim``: ``h_x`` for ``x``.

    Examples
    --------
    >>> step_symbol("y"), step_symbol("y").is_positive
    (h_y, True)
    """
    return sympy.Symbol(f"h_{dim}", positive=True)


def variable_symbol(dim: str) -> sympy.Symbol:
    """The variable ``dim`` as a plain SymPy symbol (no assumptions).

    Examples
    --------
    >>> variable_symbol("x")
    x
    """
    return sympy.Symbol(dim)


def derivative_name(alpha: tuple[int, ...], dims: tuple[str, ...]) -> str:
    """The language's name of the derivative with counts ``alpha``: ``u_xxy``.

    Examples
    --------
    >>> derivative_name((2, 1), ("x", "y")), derivative_name((0, 0), ("x", "y"))
    ('u_xxy', 'u')
    """
    letters = "".join(d * a for d, a in zip(dims, alpha, strict=True))
    return f"{_FUNCTION}_{letters}" if letters else _FUNCTION


@dataclass(frozen=True)
class LinearOperator:
    """A parsed operator: variables and exact coefficients of each derivative.

    Attributes
    ----------
    dims : tuple of str
        The variables, sorted (``("x", "y")``).
    terms : dict
        Multi-index (derivative count per variable) to non-zero exact coefficient,
        sorted by :func:`derivative_name`.
    text : str
        The text the operator was parsed from (or printed as).
    """

    dims: tuple[str, ...]
    terms: dict[tuple[int, ...], sympy.Expr]
    text: str

    @property
    def degrees(self) -> tuple[int, ...]:
        """The distinct total derivative counts of the terms, highest first."""
        return tuple(sorted({sum(a) for a in self.terms}, reverse=True))

    @property
    def homogeneous(self) -> bool:
        """True when every term has the same total derivative count."""
        return len(self.degrees) == 1

    def part(self, degree: int) -> dict[tuple[int, ...], sympy.Expr]:
        """The terms of total derivative count ``degree``."""
        return {a: c for a, c in self.terms.items() if sum(a) == degree}

    def __str__(self) -> str:
        return operator_text(self.terms, self.dims)


def _coefficient_text(coefficient: sympy.Expr) -> tuple[str, str]:
    """Sign and magnitude text of a coefficient, ``("-", "3")`` for ``-3``."""
    if coefficient.could_extract_minus_sign():
        sign, magnitude = "-", -coefficient
    else:
        sign, magnitude = "+", coefficient
    if magnitude == 1:
        return sign, ""
    text = sympy.sstr(magnitude)
    if isinstance(magnitude, sympy.Add):
        text = f"({text})"
    return sign, text + "*"


def operator_text(
    terms: dict[tuple[int, ...], sympy.Expr], dims: tuple[str, ...]
) -> str:
    """Print an operator in the language: ``u_xx + u_yy``, ``2*u_x - 3*u_yy``.

    Terms are sorted by name; the text parses back to the same operator.

    Examples
    --------
    >>> operator_text({(0, 2): sympy.Integer(1), (2, 0): sympy.Integer(1)}, ("x", "y"))
    'u_xx + u_yy'
    >>> operator_text({(1, 0): sympy.Integer(2), (0, 2): sympy.Integer(-3)}, ("x", "y"))
    '2*u_x - 3*u_yy'
    """
    pieces = []
    for alpha in sorted(terms, key=lambda a: derivative_name(a, dims)):
        sign, factor = _coefficient_text(terms[alpha])
        pieces.append((sign, factor + derivative_name(alpha, dims)))
    if not pieces:
        return "0"
    first_sign, first = pieces[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, piece in pieces[1:]:
        text += f" {sign} {piece}"
    return text


def _describe(node: Node) -> str:
    if isinstance(node, Call):
        return f"the call {node.func}(...) at column {node.column}"
    if isinstance(node, Subscript):
        return f"the subscript {node.name}[...] at column {node.column}"
    return f"{type(node).__name__.lower()} at column {node.column}"


#: An operator's wording: its linear terms are the derivatives of u.
_WORDING = Wording(
    add=(
        "adds a term without u; every term must be a derivative of u times a "
        "coefficient (write k**2*u for the function itself)"
    ),
    multiply="multiplies two terms in u; the operator must be linear in u",
    divide="divides by a term in u; the operator must be linear in u",
    power="raises a term in u to a power; the operator must be linear in u",
    zero_constants=False,
)


class _Interpreter(LinearReader):
    """Evaluates the tree to a scalar or a linear form {multi-index: coefficient}."""

    def __init__(self, text: str, dims: tuple[str, ...]) -> None:
        super().__init__(self._fail, _WORDING)
        self.text = text
        self.dims = dims

    def _fail(self, message: str) -> ExpressionError:
        return ExpressionError(
            f"cannot read the operator {shorten(self.text)!r}: {message}"
        )

    def leaf(self, node: Node) -> Any:
        if isinstance(node, Name):
            match = _DERIVATIVE.fullmatch(node.id)
            if match is not None:
                letters = match.group(1) or ""
                return {tuple(letters.count(d) for d in self.dims): sympy.S.One}
        if isinstance(node, Call | Subscript):
            raise self.fail(
                f"{_describe(node)} is not allowed; an operator is a linear "
                "combination of derivatives such as u_xx + u_yy (no functions of u, "
                "no samples)"
            )
        return to_sympy(node, self.text)

    def power(self, node: Binary, base: sympy.Expr, exponent: sympy.Expr) -> Any:
        # to_sympy applies the parser's limits on exponents and sizes.
        return to_sympy(node, self.text)


def _walk(node: Node) -> list[Node]:
    found: list[Node] = []
    stack = [node]
    while stack:
        item = stack.pop()
        found.append(item)
        if isinstance(item, Unary):
            stack.append(item.operand)
        elif isinstance(item, Binary):
            stack.extend((item.left, item.right))
        elif isinstance(item, Call):
            stack.extend(item.args)
    return found


def parse_operator(text: str) -> LinearOperator:
    """Parse operator text such as ``"u_xx + u_yy"`` (never evaluated as Python).

    Parameters
    ----------
    text : str
        A linear differential operator in ``u``; see the module documentation.

    Returns
    -------
    LinearOperator
        The variables and the coefficient of each derivative.

    Raises
    ------
    ExpressionError
        One line naming the problem: not linear in ``u``, no derivative at all,
        a coefficient depending on a variable or a step, too many variables.

    Examples
    --------
    >>> op = parse_operator("2*u_x - 3*u_yy")
    >>> op.dims, op.terms
    (('x', 'y'), {(1, 0): 2, (0, 2): -3})
    >>> parse_operator("u_x*u_y")
    Traceback (most recent call last):
    ...
    stencilgen.errors.ExpressionError: cannot read the operator 'u_x*u_y': the '*' at column 4 multiplies two terms in u; the operator must be linear in u
    """  # noqa: E501
    if not isinstance(text, str):
        raise ExpressionError(
            "the operator must be text such as 'u_xx + u_yy', got "
            f"{type(text).__name__}"
        )
    if not text.strip():
        raise ExpressionError("the operator is empty; write one such as u_xx + u_yy")
    tree = parse(text)
    nodes = _walk(tree)
    names = [n for n in nodes if isinstance(n, Name)]
    letters: set[str] = set()
    for name in names:
        match = _DERIVATIVE.fullmatch(name.id)
        if match is None:
            if name.id.startswith("u_"):
                raise ExpressionError(
                    f"cannot read the operator {shorten(text)!r}: {name.id!r} at "
                    f"column {name.column} is not a derivative; write one letter "
                    "per variable after u_, as in u_xy"
                )
            continue
        letters.update(match.group(1) or "")
    if not any(_DERIVATIVE.fullmatch(n.id) for n in names):
        raise ExpressionError(
            f"cannot read the operator {shorten(text)!r}: it has no derivative of "
            "u; write derivatives such as u_xx + u_yy"
        )
    dims = tuple(sorted(letters))
    if len(dims) > MAX_DIMS:
        raise ExpressionError(
            f"cannot read the operator {shorten(text)!r}: {len(dims)} variables is "
            f"more than the limit of {MAX_DIMS} (MAX_OPERATOR_DIMS)"
        )
    reserved = {d: "a variable" for d in dims}
    reserved.update({step_symbol(d).name: "a grid step" for d in dims})
    for name in names:
        if name.id in reserved:
            raise ExpressionError(
                f"cannot read the operator {shorten(text)!r}: the coefficient "
                f"{name.id!r} at column {name.column} is {reserved[name.id]}; "
                "coefficients must be constants"
            )
    result = _Interpreter(text, dims).value(tree)
    if not isinstance(result, dict):
        raise ExpressionError(
            f"cannot read the operator {shorten(text)!r}: it has no term in u"
        )
    if not dims:
        raise ExpressionError(
            f"cannot read the operator {shorten(text)!r}: it has no derivative of "
            "u, so no variables; write derivatives such as u_xx + u_yy"
        )
    terms: dict[tuple[int, ...], sympy.Expr] = {}
    for alpha, coefficient in result.items():
        if sum(alpha) > MAX_DERIVATIVE:
            raise ExpressionError(
                f"cannot read the operator {shorten(text)!r}: the derivative "
                f"{derivative_name(alpha, dims)} is beyond the limit of "
                f"{MAX_DERIVATIVE} derivatives (MAX_OPERATOR_DERIVATIVE)"
            )
        value = sympy.cancel(coefficient) if not coefficient.is_Number else coefficient
        if not is_zero(value):
            terms[alpha] = value
    if not terms:
        raise ExpressionError(
            f"cannot read the operator {shorten(text)!r}: its terms cancel, the "
            "operator is zero"
        )
    ordered = {
        a: terms[a] for a in sorted(terms, key=lambda a: derivative_name(a, dims))
    }
    return LinearOperator(dims, ordered, text)


def plain(expr: sympy.Expr, dims: tuple[str, ...], function: str = "u") -> str:
    """``expr`` as text with derivatives written as ``u_xxyy``.

    Examples
    --------
    >>> u = sympy.Function("u")(*sympy.symbols("x y"))
    >>> h = sympy.Symbol("h_x")
    >>> plain(h**2 * sympy.Derivative(u, (sympy.Symbol("x"), 4)) / 12 + u, ("x", "y"))
    'h_x**2*u_xxxx/12 + u'
    """
    names: dict[Any, sympy.Symbol] = {}
    for item in sympy.preorder_traversal(expr):
        if isinstance(item, sympy.Derivative):
            counts = {str(v): int(c) for v, c in item.variable_count}
            alpha = tuple(counts.get(d, 0) for d in dims)
            name = function + derivative_name(alpha, dims)[1:]
            names[item] = sympy.Symbol(name)
    base = sympy.Function(function)(*[variable_symbol(d) for d in dims])
    names[base] = sympy.Symbol(function)
    return str(sympy.sstr(expr.xreplace(names)))
