"""The kernel plan: what a generated array operator computes, as plain data.

A kind's ``derive`` step produces a :class:`Kernel` (evenly spaced grid) or a
:class:`CoordinateKernel` (coordinate array along the axis) with every number
exact; a backend's templates turn it into statements (``out=`` ufunc calls in
blocks for NumPy; one fused loop for numba; functional code for the array API),
and :func:`kernel_context` turns its numbers into the printed strings the
templates take. Nothing here prints statements or knows about indentation.

One naming scheme for every backend: the view ``f[i + k]`` is :func:`view_name`
``(k)`` (``f_m1``, ``f_0``, ``f_p2``) and the spacing ``x[i + k + 1] - x[i + k]``
is :func:`spacing_name` ``(k)`` (``h_m1``, ``h_0``, ``h_p1``).

Examples
--------
>>> import sympy
>>> k = uniform_kernel(
...     derivative=1,
...     offsets=(-1, 0, 1),
...     weights=(sympy.Rational(-1, 2), sympy.Integer(0), sympy.Rational(1, 2)),
...     boundary="periodic",
... )
>>> [(t.combine, t.offsets, t.weight) for t in k.terms]
[('difference', (1, -1), 1/2)]
>>> k.views, k.lo, k.hi, k.out_trim, k.wrap_points
((-1, 1), 1, 1, 0, (0, -1))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from stencilgen import printing

__all__ = [
    "BLOCK",
    "CoordinateKernel",
    "EdgeStencil",
    "Kernel",
    "Term",
    "WeightWindow",
    "kernel_context",
    "sample_text",
    "spacing_name",
    "uniform_kernel",
    "view_name",
]

#: Values per block of the generated interior loops: small enough that a block of
#: every operand and one scratch buffer stay in the L2 cache while the offsets
#: stream through, large enough that the per-call cost of the ufuncs stays small
#: (measured best of 16K..128K with benchmarks/; one size for every kind).
BLOCK = 32768


def view_name(k: int) -> str:
    """The name of the view ``f[i + k]``: ``f_m2``, ``f_0``, ``f_p1``.

    Examples
    --------
    >>> [view_name(k) for k in (-2, 0, 1)]
    ['f_m2', 'f_0', 'f_p1']
    """
    return f"f_p{k}" if k > 0 else f"f_m{-k}" if k < 0 else "f_0"


def spacing_name(k: int) -> str:
    """The name of the spacing ``x[i + k + 1] - x[i + k]``: ``h_m1``, ``h_0``.

    Examples
    --------
    >>> [spacing_name(k) for k in (-1, 0, 2)]
    ['h_m1', 'h_0', 'h_p2']
    """
    return f"h_p{k}" if k > 0 else f"h_m{-k}" if k < 0 else "h_0"


def sample_text(k: int) -> str:
    """``f[i + k]`` as the comments and docstrings write it.

    Examples
    --------
    >>> sample_text(-1), sample_text(0), sample_text(2)
    ('f[i - 1]', 'f[i]', 'f[i + 2]')
    """
    return "f[i]" if k == 0 else f"f[i + {k}]" if k > 0 else f"f[i - {-k}]"


@dataclass(frozen=True)
class Term:
    """One term of the interior sum, before the factor ``1 / h**derivative``.

    ``combine`` is ``"single"`` (``weight * f[i + a]``, ``offsets == (a,)``),
    ``"sum"`` (``weight * (f[i + a] + f[i + b])``) or ``"difference"``
    (``weight * (f[i + a] - f[i + b])``), ``offsets == (a, b)``: symmetric
    stencils fold mirrored points into one multiply.
    """

    weight: sympy.Expr
    offsets: tuple[int, ...]
    combine: str


@dataclass(frozen=True)
class EdgeStencil:
    """A one-sided stencil of one edge point.

    ``point`` is the index from the left (``>= 0``) or from the right (``-1`` is
    the last point); the stencil reads ``f[point + first + k]`` with
    ``weights[k]``, ``k = 0 .. len(weights) - 1`` (times ``1 / h**derivative``
    on uniform grids).
    """

    point: int
    first: int
    weights: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Kernel:
    """An evenly spaced operator along one axis: ``out = (Σ terms) / h**derivative``.

    Attributes
    ----------
    derivative : int
        The power of the step that scales every weight.
    terms : tuple of Term
        The interior sum, zero weights left out, in evaluation order.
    views : tuple of int
        The offsets the interior reads, increasing (one view each).
    lo, hi : int
        Interior points ``i = lo .. n - hi - 1``.
    shift : int
        The output index of point ``i`` is ``i - shift`` (``valid`` boundaries).
    out_trim : int
        The output has ``n - out_trim`` points along the axis.
    min_points : int
        The fewest points along the axis the operator accepts.
    left, right : tuple of EdgeStencil
        One-sided stencils of the points near the ends (``one-sided``).
    wrap_points : tuple of int
        Points computed with indices taken modulo ``n`` (``periodic``): the
        ``lo`` first and ``hi`` last, as indices (negative from the right).
    stencil : tuple of (int, sympy.Expr)
        The interior stencil's non-zero (offset, weight) pairs, for the wrap.
    block : int
        Values per block of the interior loop (see :data:`BLOCK`).
    """

    derivative: int
    terms: tuple[Term, ...]
    views: tuple[int, ...]
    lo: int
    hi: int
    shift: int
    out_trim: int
    min_points: int
    left: tuple[EdgeStencil, ...] = ()
    right: tuple[EdgeStencil, ...] = ()
    wrap_points: tuple[int, ...] = ()
    stencil: tuple[tuple[int, sympy.Expr], ...] = ()
    block: int = BLOCK


@dataclass(frozen=True)
class WeightWindow:
    """How one window's per-point weights are computed from the coordinates.

    The window reads points ``first .. first + count - 1`` relative to the
    output point. ``weights`` are the engine's exact closed forms in the
    spacing symbols ``spacing_name(k)`` for ``k = first .. first + count - 2``,
    or ``None`` when the window is evaluated by the Lagrange formula on the
    displacements ``x[i + o] - x[i]`` (wide windows). ``point`` is ``None`` for
    the interior (all points ``lo .. n - hi - 1`` at once), else the edge
    point's index (negative from the right).
    """

    first: int
    count: int
    weights: tuple[sympy.Expr, ...] | None
    point: int | None = None


@dataclass(frozen=True)
class CoordinateKernel:
    """An operator on a coordinate array: per-point weights, then a weighted sum.

    The weights ``w[k, j]`` (``k`` the window position, ``j`` the output point)
    are computed once per grid from the windows; applying them reads the views
    ``f[i + first + k]``.

    Attributes
    ----------
    derivative : int
        Which derivative (the Lagrange formula needs it).
    count, first : int
        Points per window; first offset of the interior window.
    lo, hi, out_trim, min_points : int
        As for :class:`Kernel` (``shift`` is ``lo`` when ``out_trim``).
    interior : WeightWindow
        The interior window.
    edges : tuple of WeightWindow
        The edge windows, left points then right ones.
    periodic : bool
        Periodic grid of a given period: the coordinates are extended by ``lo``
        points on the left and ``hi`` on the right (shifted by the period), the
        interior window serves every point, and the ``lo + hi`` points near the
        ends read f with indices taken modulo n.
    block : int
        Values per block.
    """

    derivative: int
    count: int
    first: int
    lo: int
    hi: int
    out_trim: int
    min_points: int
    interior: WeightWindow
    edges: tuple[WeightWindow, ...]
    periodic: bool = False
    block: int = BLOCK

    @property
    def views(self) -> tuple[int, ...]:
        """The offsets of the interior window, increasing."""
        return tuple(range(self.first, self.first + self.count))


def _fold(offsets: Sequence[int], weights: Sequence[sympy.Expr]) -> tuple[Term, ...]:
    """Group the interior terms: symmetric pairs fold into one multiply."""
    table = {o: w for o, w in zip(offsets, weights, strict=True) if w != 0}
    done: set[int] = set()
    terms: list[Term] = []
    for o in sorted(table, key=lambda o: (abs(o), o)):
        if o in done:
            continue
        w = table[o]
        mirror = -o
        if o != 0 and mirror in table and mirror not in done:
            if table[mirror] == w:
                terms.append(Term(w, (min(o, mirror), max(o, mirror)), "sum"))
                done |= {o, mirror}
                continue
            if table[mirror] == -w:
                positive = max(o, mirror)
                terms.append(Term(table[positive], (positive, -positive), "difference"))
                done |= {o, mirror}
                continue
        terms.append(Term(w, (o,), "single"))
        done.add(o)
    return tuple(terms)


def uniform_kernel(
    *,
    derivative: int,
    offsets: Sequence[int],
    weights: Sequence[sympy.Expr],
    boundary: str,
    left: Sequence[EdgeStencil] = (),
    right: Sequence[EdgeStencil] = (),
    min_points: int | None = None,
) -> Kernel:
    """The kernel of an evenly spaced operator from its exact interior stencil.

    ``boundary`` is ``"one-sided"`` (give ``left``/``right``), ``"periodic"``
    or ``"valid"``.
    """
    lo = max(0, -offsets[0])
    hi = max(0, offsets[-1])
    width = offsets[-1] - offsets[0] + 1
    valid = boundary == "valid"
    if valid:
        lo, hi = -offsets[0], offsets[-1]
    used = tuple(o for o, w in zip(offsets, weights, strict=True) if w != 0)
    points = min_points if min_points is not None else width
    wrap: tuple[int, ...] = ()
    stencil: tuple[tuple[int, sympy.Expr], ...] = ()
    if boundary == "periodic" and (lo or hi):
        wrap = (*range(lo), *range(-hi, 0))
        stencil = tuple((o, w) for o, w in zip(offsets, weights, strict=True) if w != 0)
    return Kernel(
        derivative=derivative,
        terms=_fold(offsets, weights),
        views=used,
        lo=lo,
        hi=hi,
        shift=lo if valid else 0,
        out_trim=points - 1 if valid else 0,
        min_points=points,
        left=tuple(left),
        right=tuple(right),
        wrap_points=wrap,
        stencil=stencil,
    )


# ------------------------------------------------------------ printed context


def _index(point: int) -> str:
    """An index text: ``3`` or ``n - 2``."""
    return str(point) if point >= 0 else f"n - {-point}"


def _minus_n(k: int) -> str:
    """``n - k`` (``n`` when ``k`` is 0)."""
    return f"n - {k}" if k else "n"


def _meaning(term: Term) -> str:
    weight = str(term.weight)
    if len(weight) > 16:
        # A long exact fraction (designed stencils): the comment shows it
        # rounded; the constant in the code is exact.
        weight = f"~{float(term.weight):.8g}"
    if term.combine == "single":
        return f"{weight}*{sample_text(term.offsets[0])}"
    sign = "+" if term.combine == "sum" else "-"
    a, b = term.offsets
    return f"{weight}*({sample_text(a)} {sign} {sample_text(b)})"


def _edge_table(name: str, edges: Sequence[EdgeStencil]) -> dict[str, Any] | None:
    """The edge stencils as named weight tuples and one table of rows."""
    if not edges:
        return None
    entries = []
    rows = []
    for k, edge in enumerate(edges):
        last = edge.first + len(edge.weights) - 1
        label = f"out[{edge.point}]" if edge.point >= 0 else f"out[n{edge.point}]"
        entries.append(
            {
                "name": f"{name}{k}",
                "comment": f"{label}: offsets {edge.first}..{last}",
                "weights": [printing.number(w) for w in edge.weights],
            }
        )
        rows.append(f"({edge.point}, {edge.first}, {name}{k})")
    return {"name": name, "entries": entries, "rows": rows}


def _points_text(left: int, right: int) -> str:
    """The edge points as Python: ``(*range(2), *range(n - 2, n))``."""
    parts = []
    if left:
        parts.append(f"*range({left})")
    if right:
        parts.append(f"*range(n - {right}, n)")
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def kernel_context(kernel: Kernel | CoordinateKernel) -> dict[str, Any]:
    """The kernel's numbers and names as the strings templates print.

    Examples
    --------
    >>> import sympy
    >>> k = uniform_kernel(
    ...     derivative=2,
    ...     offsets=(-1, 0, 1),
    ...     weights=(sympy.Integer(1), sympy.Integer(-2), sympy.Integer(1)),
    ...     boundary="valid",
    ... )
    >>> c = kernel_context(k)
    >>> c["lo"], c["stop"], c["out_length"], c["views"][0]["name"]
    ('1', 'n - 1', 'n - 2', 'f_m1')
    >>> [(t["combine"], t["operands"], t["constant"]) for t in c["terms"]]
    [('single', ['f_0'], 'c0'), ('sum', ['f_m1', 'f_p1'], 'c1')]
    """
    common: dict[str, Any] = {
        "derivative": str(kernel.derivative),
        "lo": str(kernel.lo),
        "hi": str(kernel.hi),
        "stop": _minus_n(kernel.hi),
        "shift": str(kernel.lo if kernel.out_trim else 0),
        "interior_points": f"{kernel.lo} .. n-{kernel.hi + 1}",
        "out_length": _minus_n(kernel.out_trim),
        "min_points": str(kernel.min_points),
        "block": str(kernel.block),
        "views": [{"name": view_name(k), "offset": str(k)} for k in kernel.views],
    }
    if isinstance(kernel, CoordinateKernel):
        return common | _coordinate_context(kernel)
    terms = []
    for k, term in enumerate(kernel.terms):
        terms.append(
            {
                "combine": term.combine,
                "ufunc": {"single": "multiply", "sum": "add", "difference": "subtract"}[
                    term.combine
                ],
                "operands": [view_name(o) for o in term.offsets],
                "constant": f"c{k}",
                "weight": printing.number(term.weight),
                "meaning": _meaning(term),
            }
        )
    lo_wrap = sum(1 for p in kernel.wrap_points if p >= 0)
    return common | {
        "terms": terms,
        "scratch": len(kernel.terms) > 1,
        "left": _edge_table("_LEFT", kernel.left),
        "right": _edge_table("_RIGHT", kernel.right),
        "uses_edges": bool(kernel.left or kernel.right or kernel.wrap_points),
        "wrap_points": _points_text(lo_wrap, len(kernel.wrap_points) - lo_wrap)
        if kernel.wrap_points
        else "",
        "wrap_list": str(tuple(kernel.wrap_points)),
        "stencil": [f"({o}, {printing.number(w)})" for o, w in kernel.stencil],
    }


def _slice(start: str, stop: str, k: int) -> str:
    """``start + k : stop + k`` spaced as ruff spaces slices."""
    if k == 0:
        return f"{start}:{stop}"
    sign = "+" if k > 0 else "-"
    return f"{start} {sign} {abs(k)} : {stop} {sign} {abs(k)}"


_GROUP = re.compile(r"\(([^()]*)\)")


def _uses(group: str, groups: list[str]) -> int:
    """How many of ``groups`` are ``group`` or a longer sum starting with it."""
    starts = (f"{group} + ", f"{group} - ")
    return sum(g == group or g.startswith(starts) for g in groups)


def _hoist(values: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The sums that several printed weights share, computed once.

    Returns ``(shared, values)``: statements ``s_k = sum`` and the weights
    reading them. A parenthesized sum used twice or more, whole or as the
    start of a longer sum (``(a + b)`` in ``(a + b + c)``, which Python
    evaluates as ``(a + b) + c``), becomes a name: the same operations in the
    same order, so the same numbers, with fewer array operations.

    Examples
    --------
    >>> _hoist(["1 / (a + b)", "c / (a + b + c)"])
    ([('s_0', 'a + b')], ['1 / s_0', 'c / (s_0 + c)'])
    >>> _hoist(["1 / (a - b) ** 2", "(a - b) * c"])[1]
    ['1 / s_0**2', 's_0 * c']
    """
    shared: list[tuple[str, str]] = []
    while True:
        groups = [g for v in values for g in _GROUP.findall(v)]
        sums = [g for g in dict.fromkeys(groups) if " + " in g or " - " in g]

        candidates = [g for g in sums if _uses(g, groups) >= 2]
        if not candidates:
            return shared, values
        best = min(candidates, key=len)
        name = f"s_{len(shared)}"
        shared.append((name, best))
        values = [
            v.replace(f"({best}) ** ", f"{name}**")  # a name needs no spaces
            .replace(f"({best})", name)
            .replace(f"({best} + ", f"({name} + ")
            .replace(f"({best} - ", f"({name} - ")
            for v in values
        ]


def _window_context(
    window: WeightWindow, derivative: int, spacing: Any, index: str
) -> dict[str, Any]:
    """Strings for one weight window; ``spacing(k)`` is the text of ``h_k``.

    The weights are printed as ``w_0 = ...`` one level into a function: a
    closed form that does not fit there is evaluated by the Lagrange formula
    instead. An edge window's spacings are Python floats (the same IEEE
    arithmetic as numpy scalars, several times faster); ``index`` is the text
    of its point's index in x.
    """
    first, count = window.first, window.count
    spacings = [
        {"name": spacing_name(k), "value": spacing(k)}
        for k in range(first, first + count - 1)
    ]
    weights = None
    if window.weights is not None:
        names = {spacing_name(k): spacing_name(k) for k in range(first, first + count)}
        try:
            weights = [
                {"target": f"w_{k}", "value": printing.expression(w, names)}
                for k, w in enumerate(window.weights)
            ]
            for item in weights:
                printing.assign(item["target"], item["value"], 1)  # fits?
        except ValueError:  # a closed form too long to print: evaluate instead
            weights = None
    if weights is not None:
        shared, values = _hoist([item["value"] for item in weights])
        for item, value in zip(weights, values, strict=True):
            item["value"] = value
        spacings += [{"name": name, "value": value} for name, value in shared]
    point = window.point
    return {
        "label": ""
        if point is None
        else (f"i = {point}" if point >= 0 else f"i = n{point}"),
        "point": "" if point is None else str(point),
        "index": index,
        "first": str(first),
        "last": str(first + count - 1),
        "count": str(count),
        "spacings": spacings if weights is not None else [],
        "weights": weights,
        "names": ", ".join(f"w_{k}" for k in range(count)),
        "derivative": str(derivative),
    }


def _coordinate_context(kernel: CoordinateKernel) -> dict[str, Any]:
    trimmed = kernel.out_trim > 0
    interior = _window_context(
        kernel.interior,
        kernel.derivative,
        lambda k: f"dx[{_slice('lo', 'hi', k)}]",
        "",
    )
    edges = []
    # The edge spacings are differences of Python floats read from the ends
    # of x (head = x[:K], tail = x[-K:]): the IEEE subtractions of NumPy's
    # scalars, without a scalar per term.
    head = tail = 0
    for window in kernel.edges:
        point = window.point
        assert point is not None

        def spacing(k: int, p: int = point) -> str:
            ends = "head" if p >= 0 else "tail"
            return f"{ends}[{p + k + 1}] - {ends}[{p + k}]"

        index = str(point) if point >= 0 else f"x.shape[0] - {-point}"
        context = _window_context(window, kernel.derivative, spacing, index)
        edges.append(context)
        if context["weights"] is not None:
            start = point + window.first
            if point >= 0:
                head = max(head, start + window.count)
            else:
                tail = max(tail, -start)
    left = sum(1 for w in kernel.edges if w.point is not None and w.point >= 0)
    shift = kernel.lo if trimmed else 0
    return {
        "count": str(kernel.count),
        "first": str(kernel.first),
        "last": str(kernel.first + kernel.count - 1),
        "end": str(kernel.first + kernel.count),
        "columns": ":" if trimmed else _column_slice(kernel.lo, kernel.hi),
        "weight_columns": _slice("lo", "hi", -shift),
        "interior": interior,
        "reads": [f"f[{_slice('lo', 'hi', o)}]" for o in kernel.views],
        "edges": edges,
        "edge_head": str(head) if head else "",
        "edge_tail": str(tail) if tail else "",
        "edge_points": _points_text(left, len(kernel.edges) - left)
        if kernel.edges
        else "",
        "periodic": kernel.periodic,
        "edge_point_list": str(tuple(w.point for w in kernel.edges)),
        "wrap_point_list": str((*range(kernel.lo), *range(-kernel.hi, 0))),
        "chunk_points": f"{kernel.lo}, {_minus_n(kernel.hi)}",
        "extension": str(kernel.lo + kernel.hi),
        "wrap_points": _points_text(kernel.lo, kernel.hi)
        if kernel.periodic and (kernel.lo or kernel.hi)
        else "",
        "positions": [str(k) for k in range(kernel.count)],
        "uses_edges": bool(kernel.edges)
        or (kernel.periodic and kernel.lo + kernel.hi > 0),
        "uses_lagrange": interior["weights"] is None
        or any(e["weights"] is None for e in edges),
        "newton_plan": _newton_plan(kernel),
    }


def _newton_plan(kernel: CoordinateKernel) -> tuple[int, int, int] | None:
    """``(derivative, lo, hi)`` where a float64 line takes Newton's divided differences.

    Every interior window of consecutive points x[i - lo] .. x[i + hi] that
    holds x[i] (lo, hi >= 0): runtime/newton.py gives the derivative of the
    same interpolating polynomial as the weights in fewer array passes
    (d2_nonuniform2: 13 against 31). Else None.
    """
    lo, hi = -kernel.first, kernel.first + kernel.count - 1
    if lo < 0 or hi < 0 or kernel.derivative < 1 or kernel.count < 2:
        return None
    return (kernel.derivative, lo, hi)


def _column_slice(start: int, stop_from_end: int) -> str:
    stop = "" if stop_from_end == 0 else str(-stop_from_end)
    return f"{start}:{stop}"
