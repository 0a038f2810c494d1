r"""Exact 1-D tables behind the sparse matrices of N-D operators.

A default-construction :class:`~stencilgen.nd.Operator` is a sum of tensor
products of 1-D central stencils (see :mod:`stencilgen.nd`); its matrix is the
same sum of Kronecker products (``templates/runtime/nd_matrix.py``). Each 1-D
factor needs, besides the interior stencil, the rows a grid edge cuts:

* the **edge rows** ``j = 0 … r-1`` (``r`` the interior stencil's reach): a
  one-sided stencil on the nodes ``0 … m+p-1`` (offsets ``-j … m+p-1-j``) of the
  same accuracy ``p`` for the derivative ``m``;
* the **Neumann row** at the boundary node itself: weights ``a_k`` on the nodes
  ``0 … m+p-2`` and a weight ``b`` on the derivative :math:`u'(0)` with
  :math:`u^{(m)}(0) = \sum_k a_k u(kh) + b\,h\,u'(0)/h + O(h^p)`, i.e. the moment
  conditions :math:`\sum_k a_k k^j/j! + b\,[j = 1] = [j = m]` for
  :math:`j < m + p` (a Hermite-type one-sided stencil, so the boundary closure
  keeps the operator's accuracy).

Weights are exact Rationals in units of the step (scale node weights by
:math:`h^{-m}`, the derivative's weight by :math:`h^{1-m}`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy

from stencilgen.errors import StencilError
from stencilgen.nd import Operator
from stencilgen.stencil import family_offsets
from stencilgen.taylor import fd_weights

__all__ = ["AxisTable", "axis_table", "matrix_terms", "runtime_tables"]


@dataclass(frozen=True)
class AxisTable:
    """The stencils of one 1-D factor (derivative ``m`` at accuracy ``p``).

    Attributes
    ----------
    derivative, accuracy : int
        ``m`` and ``p``.
    offsets, weights : tuple
        The interior (central) stencil, zero weights left out.
    edges : tuple of (offsets, weights)
        One-sided stencils of the rows ``0 … r-1`` from the low edge, offsets
        relative to the row.
    neumann : (offsets, weights, datum)
        The boundary row with the derivative :math:`u'` as data.
    points : int
        The fewest nodes a dimension must have.
    """

    derivative: int
    accuracy: int
    offsets: tuple[int, ...]
    weights: tuple[sympy.Rational, ...]
    edges: tuple[tuple[tuple[int, ...], tuple[sympy.Rational, ...]], ...]
    neumann: tuple[tuple[int, ...], tuple[sympy.Rational, ...], sympy.Rational]
    points: int


def _neumann(m: int, p: int) -> tuple[tuple[int, ...], tuple[Any, ...], Any]:
    nodes = tuple(range(m + p - 1))
    a = sympy.symbols(f"a0:{len(nodes)}")
    b = sympy.Symbol("b")
    equations = [
        sum(
            ak * sympy.Rational(k**j, math.factorial(j))
            for ak, k in zip(a, nodes, strict=True)
        )
        + (b if j == 1 else 0)
        - (1 if j == m else 0)
        for j in range(m + p)
    ]
    (solution,) = sympy.linsolve(equations, [*a, b])
    return nodes, tuple(solution[:-1]), solution[-1]


def axis_table(derivative: int, accuracy: int) -> AxisTable:
    """The 1-D stencils of derivative ``derivative`` at ``accuracy``.

    Examples
    --------
    >>> t = axis_table(2, 2)
    >>> t.offsets, t.weights, t.edges
    ((-1, 0, 1), (1, -2, 1), (((0, 1, 2, 3), (2, -5, 4, -1)),))
    >>> t.neumann
    ((0, 1, 2), (-7/2, 4, -1/2), -3)
    """
    offsets = family_offsets("central", derivative, accuracy)
    weights = fd_weights(derivative, offsets)
    pairs = [(o, w) for o, w in zip(offsets, weights, strict=True) if w != 0]
    reach = max(abs(o) for o in offsets)
    count = derivative + accuracy
    edges = []
    for j in range(reach):
        nodes = tuple(range(-j, count - j))
        edges.append((nodes, tuple(fd_weights(derivative, nodes))))
    return AxisTable(
        derivative,
        accuracy,
        tuple(o for o, _ in pairs),
        tuple(w for _, w in pairs),
        tuple(edges),
        _neumann(derivative, accuracy),
        max(count, 2 * reach + 1),
    )


def matrix_terms(
    op: Operator, symbols: bool = False
) -> tuple[list[tuple[sympy.Expr, tuple[str | None, ...]]], dict[str, AxisTable]]:
    """The operator as a sum of Kronecker products of 1-D factors.

    Returns the terms ``(coefficient, keys)`` (one key per dimension, ``None`` for
    the identity) and the tables the keys name. ``symbols=True`` lets symbolic
    coefficients through (array arguments of generated operators).

    Raises
    ------
    StencilError
        For an operator from explicit points (not a sum of tensor products of
        1-D stencils), or with coefficients that are not numbers.

    Examples
    --------
    >>> from stencilgen.nd import operator
    >>> terms, tables = matrix_terms(operator("u_xx + u_yy"))
    >>> terms, sorted(tables)
    ([(1, ('d2', None)), (1, (None, 'd2'))], ['d2'])
    """
    if op.construction != "default":
        raise StencilError(
            "matrices are built for operators of the default construction (sums of "
            "1-D stencils and their tensor products); leave out points="
        )
    if op.accuracy is None:
        raise StencilError("the operator is exact; it has no matrix to build")
    terms = []
    tables: dict[str, AxisTable] = {}
    for alpha, coefficient in op.terms.items():
        if not coefficient.is_number and not symbols:
            raise StencilError(
                f"the coefficient {coefficient} is not a number; a matrix needs "
                "numeric coefficients"
            )
        keys: list[str | None] = []
        for count in alpha:
            if count == 0:
                keys.append(None)
                continue
            key = f"d{count}"
            tables.setdefault(key, axis_table(count, op.requested))
            keys.append(key)
        terms.append((coefficient, tuple(keys)))
    return terms, tables


def runtime_tables(tables: dict[str, AxisTable]) -> dict[str, dict[str, Any]]:
    """The tables as plain Python numbers for ``templates/runtime/nd_matrix.py``."""
    result = {}
    for key, t in sorted(tables.items()):
        nodes, values, datum = t.neumann
        result[key] = {
            "derivative": t.derivative,
            "offsets": t.offsets,
            "weights": tuple(float(w) for w in t.weights),
            "edges": [(o, tuple(float(w) for w in ws)) for o, ws in t.edges],
            "neumann": (nodes, tuple(float(w) for w in values), float(datum)),
            "points": t.points,
        }
    return result
