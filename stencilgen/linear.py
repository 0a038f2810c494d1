"""Linear combinations read from the restricted parser's syntax trees.

Three languages are linear in something: a 1-D formula in its samples
``f(x + h)`` (:mod:`stencilgen.formula`), an N-D formula in its samples
``u(x + h, y)`` (:mod:`stencilgen.nd_analyze`) and an operator in the
derivatives ``u_xx`` (:mod:`stencilgen.nd_language`). They walk ``+ - * / **``
the same way and differ only in their leaves and in how their errors name a
term, so the walk lives here once: :class:`LinearReader` evaluates a tree to a
scalar (a SymPy expression) or a *form*, a dict ``{key: coefficient}`` of the
linear terms, and a language subclasses it with its leaves and its
:class:`Wording`.

Examples
--------
>>> from stencilgen.errors import ExpressionError
>>> from stencilgen.expr import Call, parse, to_sympy
>>> class Samples(LinearReader):
...     def leaf(self, node):
...         if isinstance(node, Call):
...             return {to_sympy(node.args[0]): sympy.S.One}
...         return to_sympy(node)
>>> reader = Samples(ExpressionError, SAMPLES)
>>> reader.value(parse("(f(1) - f(-1))/(2*h)"))
{1: 1/(2*h), -1: -1/(2*h)}
>>> reader.value(parse("f(1)*f(2)"))
Traceback (most recent call last):
...
stencilgen.errors.ExpressionError: the '*' at column 5 multiplies two samples; a formula must be a linear combination of samples
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sympy

from stencilgen.errors import ExpressionError
from stencilgen.expr import Binary, Node, Unary
from stencilgen.taylor import is_zero

__all__ = ["SAMPLES", "LinearReader", "Wording"]


@dataclass(frozen=True)
class Wording:
    """How one language's errors end, after ``the '+' at column 7 ``.

    ``add`` may use ``{constant}``, the term without a linear part.
    ``zero_constants``: whether ``+ 0`` next to a linear term is accepted (a
    formula may write ``f(x) + 0``; an operator term is never a bare number).
    """

    add: str
    multiply: str
    divide: str
    power: str
    zero_constants: bool = True


#: The wording of formulas linear in their samples.
SAMPLES = Wording(
    add=(
        "adds a term without any sample ({constant}); every term must multiply a sample"
    ),
    multiply=(
        "multiplies two samples; a formula must be a linear combination of samples"
    ),
    divide="divides by a sample; a formula must be a linear combination of samples",
    power=(
        "raises a sample to a power (or uses one as exponent); a formula must be "
        "linear in the samples"
    ),
)


class LinearReader:
    """Evaluate a syntax tree to a scalar or a form ``{key: coefficient}``.

    Subclasses give :meth:`leaf` (names, numbers, calls, subscripts) and may
    override :meth:`power` (a power of two scalars). ``fail`` turns a message
    into the error to raise, so each language can prefix its own context.
    """

    def __init__(
        self, fail: Callable[[str], ExpressionError], wording: Wording
    ) -> None:
        self.fail = fail
        self.wording = wording

    def leaf(self, node: Node) -> Any:
        """The value of a leaf: a scalar, or a form for a linear term."""
        raise NotImplementedError

    def power(self, node: Binary, base: sympy.Expr, exponent: sympy.Expr) -> Any:
        """``base ** exponent`` for two scalars (``node`` for its column)."""
        return sympy.Pow(base, exponent)

    def scalar(self, node: Node) -> sympy.Expr:
        """The value of a subtree known to hold no linear term."""
        value = self.value(node)
        assert not isinstance(value, dict)
        return value

    def value(self, node: Node) -> Any:
        """The value of ``node``: a scalar (SymPy expression) or a form (dict)."""
        if isinstance(node, Unary):
            operand = self.value(node.operand)
            if node.op == "+":
                return operand
            if isinstance(operand, dict):
                return {k: -c for k, c in operand.items()}
            return -operand
        if not isinstance(node, Binary):
            return self.leaf(node)
        if node.op == "**":
            base, exponent = self.value(node.left), self.value(node.right)
            if isinstance(base, dict) or isinstance(exponent, dict):
                raise self._error(node, self.wording.power)
            return self.power(node, base, exponent)
        # Fold a left-nested chain such as a + b - c + ... iteratively: a long
        # sum would otherwise recurse once per term.
        group = ("+", "-") if node.op in ("+", "-") else ("*", "/")
        chain: list[Binary] = []
        current: Node = node
        while isinstance(current, Binary) and current.op in group:
            chain.append(current)
            current = current.left
        result = self.value(current)
        for item in reversed(chain):
            result = self._combine(item, result, self.value(item.right))
        return result

    def _error(self, node: Binary, ending: str, **fields: Any) -> ExpressionError:
        text = ending.format(**fields)
        return self.fail(f"the {node.op!r} at column {node.column} {text}")

    def _combine(self, node: Binary, left: Any, right: Any) -> Any:
        left_form, right_form = isinstance(left, dict), isinstance(right, dict)
        if node.op in ("+", "-"):
            sign = 1 if node.op == "+" else -1
            if left_form and right_form:
                total = dict(left)
                for key, c in right.items():
                    total[key] = total.get(key, sympy.S.Zero) + sign * c
                return total
            if not left_form and not right_form:
                return left + sign * right
            constant = right if left_form else left
            if not (self.wording.zero_constants and is_zero(constant)):
                raise self._error(node, self.wording.add, constant=constant)
            return left if left_form else right
        if node.op == "*":
            if left_form and right_form:
                raise self._error(node, self.wording.multiply)
            if left_form:
                return _scaled(left, right)
            if right_form:
                return _scaled(right, left)
            return left * right
        if right_form:
            raise self._error(node, self.wording.divide)
        if is_zero(right):
            raise self.fail(f"division by zero at column {node.column}")
        return _scaled(left, 1 / right) if left_form else left / right


def _scaled(form: dict[Hashable, Any], factor: sympy.Expr) -> dict[Hashable, Any]:
    return {k: c * factor for k, c in form.items()}
