"""The ``gradient`` kind: a drop-in ``numpy.gradient`` whose weights are derived.

A ``gradient`` entry generates a standalone module with
``<name>(f, *varargs, axis=None, edge_order=..., out=None)``: the first derivative
of an N-dimensional array along each axis, with numpy.gradient's arguments, dtype
rules, results and exceptions. Every weight comes from the engine
(:func:`stencilgen.taylor.fd_weights`) and is printed by :mod:`stencilgen.printing`:

* interior, evenly spaced: the central stencil of the entry's accuracy in ``h``,
  folded into antisymmetric pairs ``w·(f[i+k] - f[i-k])``;
* interior, coordinate array: the same stencil on symbolic offsets made of the
  local spacings (``[-dx1, 0, dx2]`` for accuracy 2, numpy's founding ``a, b, c``),
  printed as Python expressions evaluated per point, in numpy's operand order
  (complex products are not bitwise commutative);
* near the ends, for each ``edge_order`` e: the point ``j`` from an end uses the
  ``max(e + 1, 2j + 1)`` points nearest that end, so one-sided stencils of
  accuracy e at the end points and the central stencil where it already fits
  (numpy's choice for accuracy 2).

Spec example (the bundled entries)::

    [gradient]
    kind = "gradient"
    accuracy = 2
    edge_order = 1

    [gradient4]
    kind = "gradient"
    accuracy = 4
    edge_order = 4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from stencilgen import display, printing
from stencilgen.backends import missing_library
from stencilgen.kernel import sample_text, view_name
from stencilgen.notation import F, H, X
from stencilgen.stencil import make_stencil
from stencilgen.taylor import fd_weights, leading_term
from stencilgen.verify import (
    POLYNOMIAL_TOLERANCE,
    VerifyRow,
    convergence_order,
    order_ok,
    perturbed_grid,
    polynomial_cases,
    relative_error,
    smooth_cases,
)

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields

__all__ = [
    "ACCURACIES",
    "DEFINES",
    "KEYS",
    "KIND",
    "RESERVED",
    "TEMPLATE",
    "EdgePoint",
    "GradientConfig",
    "Pair",
    "Plan",
    "Spaced",
    "Window",
    "context",
    "derive",
    "edge_windows",
    "parse",
    "verify",
]

KIND = "gradient"

#: The module template.
TEMPLATE = "gradient.py.j2"

#: Module-level names of the generated module that come from the entry name.
DEFINES: tuple[str, ...] = ("{name}", "{name}_weights")

#: Public module-level names every generated gradient module binds itself (its
#: constants, its weights class and its imports); an entry may not take them.
RESERVED: frozenset[str] = frozenset(
    {
        "ACCURACY",
        "EDGE_ORDERS",
        "GradientWeights",
        "MIN_POINTS",
        "functools",
        "numba",
        "array_api_compat",
        "math",
        "np",
        "numbers",
        "operator",
    }
)

KEYS: Mapping[str, str] = {
    "accuracy": "order of accuracy of the interior central stencil: 2 (default, "
    "numpy.gradient's) or 4",
    "edge_order": "default edge_order of the generated function (default 1, "
    "numpy's); edge_order may be 1 to accuracy",
    "backend": '"numpy" (default), "numba" (the evenly spaced interior as one '
    'compiled loop, same numbers) or "array-api" (torch, CuPy, JAX, '
    "array-api-strict arrays in and out, same numbers)",
}

#: Supported interior accuracies (wider non-uniform edge weights would need a
#: printer that splits long products).
ACCURACIES = (2, 4)

#: Interior of evenly spaced grids: the generated code multiplies by the weight
#: (one rounding more than numpy's division by 2h, at most 1 ulp apart) rather
#: than divides (bit-identical to numpy but ~30 % slower here).

#: Elements per block in the generated code: 1 MiB of float64 per operand, so the
#: few operands of a block stay in cache (measured best of 16K..128K here).
BLOCK = 131072


@dataclass(frozen=True)
class GradientConfig:
    """A validated ``gradient`` entry (``name`` is the entry and module name)."""

    accuracy: int
    edge_order: int
    name: str = "gradient"
    backend: str = "numpy"


def parse(fields: Fields) -> GradientConfig:
    """Validate a ``gradient`` entry's keys.

    Examples
    --------
    >>> from stencilgen.spec import Fields
    >>> parse(Fields("s.toml", "g", {"accuracy": 4, "edge_order": 4}))
    GradientConfig(accuracy=4, edge_order=4, name='g', backend='numpy')
    """
    accuracy = fields.integer("accuracy", default=2, minimum=2)
    if accuracy not in ACCURACIES:
        raise fields.error(
            "accuracy",
            f"must be 2 (numpy.gradient's) or 4, got {accuracy}; wider "
            "non-uniform edge stencils are not generated yet",
        )
    edge_order = fields.integer("edge_order", default=1, minimum=1)
    if edge_order > accuracy:
        raise fields.error(
            "edge_order",
            f"must be at most the accuracy ({accuracy}), got {edge_order}",
        )
    backend = fields.choice("backend", ("numpy", "numba", "array-api"), default="numpy")
    missing = missing_library(backend)
    if missing:
        raise fields.error("backend", missing)
    return GradientConfig(
        accuracy=accuracy, edge_order=edge_order, name=fields.name, backend=backend
    )


@dataclass(frozen=True)
class Window:
    """Points ``first .. first + size - 1`` of an axis; derivative at ``here``.

    Indices are from the left end when ``first >= 0`` and from the right end
    (negative, Python style) otherwise.
    """

    first: int
    size: int
    here: int

    @property
    def indices(self) -> tuple[int, ...]:
        """The window's array indices."""
        return tuple(range(self.first, self.first + self.size))

    @property
    def position(self) -> int:
        """Where the derivative is taken, counted from the window's first point."""
        return self.here - self.first

    def offsets(self, gaps: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
        """Offsets from the evaluation point; ``gaps[k]`` follows point k."""
        q = self.position
        return tuple(
            sympy.Add(*gaps[q:k]) if k >= q else -sympy.Add(*gaps[k:q])
            for k in range(self.size)
        )


def edge_windows(accuracy: int, edge_order: int) -> tuple[Window, ...]:
    """The windows of the points nearest the ends: left ones, then right ones.

    Point ``j`` from an end uses the ``max(e + 1, 2j + 1)`` points nearest it.

    Examples
    --------
    >>> [w.indices for w in edge_windows(2, 2)]
    [(0, 1, 2), (-3, -2, -1)]
    """
    left = []
    right = []
    for j in range(accuracy // 2):
        size = max(edge_order + 1, 2 * j + 1)
        left.append(Window(0, size, j))
        right.append(Window(-size, size, -1 - j))
    return tuple(left + right)


def _index(i: int) -> str:
    return f"f[at({i})]"


def _weighted_sum(terms: Sequence[tuple[sympy.Expr, str]]) -> str:
    """``w0 * f0 + w1 * f1 - ...`` from (weight, operand) pairs, zeros left out.

    An antisymmetric pair (two weights ``w, -w``) is folded to ``(f1 - f0) / d``
    when ``w = 1/d`` (one rounding, like numpy's ``(f[1] - f[0]) / dx``).
    """
    terms = [(w, operand) for w, operand in terms if w != 0]
    if len(terms) == 2 and sympy.simplify(terms[0][0] + terms[1][0]) == 0:
        (w0, f0), (w1, f1) = terms
        if (-w1 if w1.could_extract_minus_sign() else w1) != w1:
            (w0, f0), (w1, f1) = (w1, f1), (w0, f0)
        numer, denom = sympy.fraction(sympy.factor(w1))
        if numer == 1:
            text = printing.expression(denom)
            if not (denom.is_Symbol or denom.is_Atom):
                text = f"({text})"
            return f"({f1} - {f0}) / {text}"
        return f"{printing.expression(w1)} * ({f1} - {f0})"
    out = ""
    for w, operand in terms:
        negative = w.could_extract_minus_sign()
        text = printing.expression(-w if negative else w)
        if not out:
            out = f"{printing.expression(w)} * {operand}"
        else:
            out += f" {'-' if negative else '+'} {text} * {operand}"
    return out


def _assign(target: str, value: str) -> dict[str, str]:
    """One statement ``target = value`` for the template (which indents it)."""
    return {"comment": "", "target": target, "value": value}


def _comment(text: str) -> dict[str, str]:
    return {"comment": text, "target": "", "value": ""}


def _weight_assignments(
    names: Sequence[str], weights: Sequence[sympy.Expr], level: int
) -> list[dict[str, str]]:
    """``name = weight`` statements, the weights printed as Python.

    ``level`` is the indentation the template writes them at. A weight too long
    to print there becomes minus the sum of the others (moment 0 of a
    derivative stencil, checked exactly).
    """
    values: list[str | None] = []
    for name, w in zip(names, weights, strict=True):
        value = printing.expression(w)
        try:
            printing.assign(name, value, level)
            values.append(value)
        except ValueError:
            values.append(None)
    missing = [k for k, value in enumerate(values) if value is None]
    if len(missing) > 1 or (missing and sympy.simplify(sympy.Add(*weights)) != 0):
        raise ValueError("stencil weights too long to print")
    out = [_assign(n, v) for n, v in zip(names, values, strict=True) if v is not None]
    if missing:
        k = missing[0]
        others = " + ".join(n for j, n in enumerate(names) if j != k)
        out.append(_assign(names[k], f"-({others})"))
    return out


def _gap_index(window: Window, k: int) -> int:
    """Index in ``dx = x[1:] - x[:-1]`` of the spacing after window point k."""
    return window.first + k if window.first >= 0 else window.first + k + 1


def _displacement_name(k: int) -> str:
    return f"dm{-k}" if k < 0 else f"dp{k}"


@dataclass(frozen=True)
class Spaced:
    """A window's stencil on a coordinate array, exact.

    Up to 3 points the offsets are sums of the spacings ``names`` between the
    window's points (numpy's formulas, ``dx1``/``dx2`` in the interior); wider,
    each offset is its own symbol, the displacement ``x[i + k] - x[i]``
    (``dm2``, ``dp1``, ...), which keeps the engine's weights short products.
    """

    window: Window
    interior: bool
    names: tuple[str, ...]
    offsets: tuple[sympy.Expr, ...]
    weights: tuple[sympy.Expr, ...]


def _spaced(window: Window, interior: bool) -> Spaced:
    q = window.position
    if window.size <= 3:
        # numpy's names: printed products keep the names' sorted order, so
        # ``dx1 * dx2`` as numpy multiplies (complex products are not bitwise
        # commutative in numpy's SIMD loops).
        names = (
            ["dx1", "dx2"] if interior else [f"g{k}" for k in range(window.size - 1)]
        )
        symbols = [sympy.Symbol(n, positive=True) for n in names]
        offsets = list(window.offsets(symbols))
    else:
        rel = [k - q for k in range(window.size)]
        names = [_displacement_name(k) for k in rel if k != 0]
        syms = iter(sympy.Symbol(n) for n in names)
        offsets = [sympy.Integer(0) if k == 0 else next(syms) for k in rel]
    weights = tuple(sympy.factor(w) for w in fd_weights(1, offsets))
    if interior and window.size == 3:
        weights = tuple(_difference_first(w) for w in weights)
    return Spaced(window, interior, tuple(names), tuple(offsets), weights)


def _difference_first(w: sympy.Expr) -> sympy.Expr:
    """``-(a - b) / d`` as ``(b - a) / d``: numpy's ``(dx2 - dx1) / (dx1 * dx2)``.

    The same value, printed without the negation (which would turn a zero
    difference into ``-0.0``).

    Examples
    --------
    >>> a, b = sympy.symbols("a b", positive=True)
    >>> printing.expression(_difference_first(sympy.factor((b - a) / (a * b))))
    '(b - a) / (a * b)'
    """
    coeff, rest = w.as_coeff_Mul()
    numer, denom = sympy.fraction(rest)
    signs = {term.could_extract_minus_sign() for term in sympy.Add.make_args(numer)}
    if coeff != -1 or signs != {False, True}:
        return w
    # -numer distributes over the sum; the quotient keeps it as one factor.
    return sympy.Mul(-numer, sympy.Pow(denom, -1))


def _spaced_statements(spaced: Spaced) -> list[dict[str, str]]:
    """The statements that set a window's spacing or displacement symbols."""
    window, interior = spaced.window, spaced.interior
    q = window.position
    if window.size <= 3:
        if interior:
            return [
                _assign("dx1", "dx[start:stop]"),
                _assign("dx2", "dx[start + 1 : stop + 1]"),
            ]
        return [
            _assign(
                ", ".join(spaced.names),
                ", ".join(
                    f"dx[{_gap_index(window, k)}]" for k in range(len(spaced.names))
                ),
            )
        ]
    if interior:
        out = [_assign("xi", f"x[start + {q} : stop + {q}]")]
        for k in range(window.size):
            if k != q:
                sl = "start:stop" if k == 0 else f"start + {k} : stop + {k}"
                out.append(_assign(_displacement_name(k - q), f"x[{sl}] - xi"))
        return out
    return [
        _assign(_displacement_name(k - q), f"x[{window.first + k}] - x[{window.here}]")
        for k in range(window.size)
        if k != q
    ]


def _error_term(
    offsets: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]
) -> sympy.Expr | None:
    """The leading error term ``C·f^(k)(x)``, ``None`` for an exact stencil."""
    term = leading_term(1, list(offsets), list(weights))
    if term is None:
        return None
    return sympy.factor(term.coefficient) * sympy.Derivative(F(X), (X, term.derivative))


@dataclass(frozen=True)
class EdgePoint:
    """One point near an end: its window, uniform stencil and coordinate stencil."""

    window: Window
    offsets: tuple[sympy.Expr, ...]
    weights: tuple[sympy.Expr, ...]
    accuracy: int | None
    error: sympy.Expr | None
    spaced: Spaced


@dataclass(frozen=True)
class Pair:
    """An antisymmetric interior pair: ``weight * (f[i + plus] - f[i + minus])``."""

    k: int
    weight: sympy.Expr
    plus: int
    minus: int


@dataclass(frozen=True)
class Plan:
    """Everything a ``gradient`` module prints, derived once by :func:`derive`.

    Attributes
    ----------
    config : GradientConfig
        The entry.
    uniform_offsets, uniform_weights : tuple of sympy.Expr
        The interior central stencil in the step ``h``.
    uniform_error : sympy.Expr or None
        Its leading error term.
    pairs : tuple of Pair
        The interior stencil folded into antisymmetric pairs.
    interior : Spaced
        The interior stencil on a coordinate array.
    interior_error : sympy.Expr or None
        Its leading error term.
    edges : tuple of (int, tuple of EdgePoint)
        For each ``edge_order``, the windows of the points near the ends.
    """

    config: GradientConfig
    uniform_offsets: tuple[sympy.Expr, ...]
    uniform_weights: tuple[sympy.Expr, ...]
    uniform_error: sympy.Expr | None
    pairs: tuple[Pair, ...]
    interior: Spaced
    interior_error: sympy.Expr | None
    edges: tuple[tuple[int, tuple[EdgePoint, ...]], ...]


def derive(config: GradientConfig) -> Plan:
    """All SymPy work of a ``gradient`` entry, once.

    Examples
    --------
    >>> plan = derive(GradientConfig(2, 1, "g"))
    >>> plan.uniform_weights, [(e, len(points)) for e, points in plan.edges]
    ((-1/(2*h), 0, 1/(2*h)), [(1, 2), (2, 2)])
    """
    p = config.accuracy
    half = p // 2
    central = Window(0, p + 1, half)
    uniform_offsets = central.offsets([H] * p)
    uniform_weights = tuple(fd_weights(1, uniform_offsets))
    pairs = []
    for k in range(1, half + 1):
        w = sympy.factor(uniform_weights[half + k])
        if sympy.simplify(w + uniform_weights[half - k]) != 0:
            raise AssertionError("central first-derivative weights not antisymmetric")
        plus, minus = k, -k
        if w.could_extract_minus_sign():
            w, plus, minus = -w, -k, k
        pairs.append(Pair(k, w, plus, minus))
    interior = _spaced(central, True)
    edges = []
    for e in range(1, p + 1):
        points = []
        for window in edge_windows(p, e):
            offsets = window.offsets([H] * (window.size - 1))
            weights = tuple(fd_weights(1, offsets))
            points.append(
                EdgePoint(
                    window,
                    offsets,
                    weights,
                    make_stencil(1, offsets).accuracy,
                    _error_term(offsets, weights) if window.here >= 0 else None,
                    _spaced(window, False),
                )
            )
        edges.append((e, tuple(points)))
    return Plan(
        config,
        uniform_offsets,
        uniform_weights,
        _error_term(uniform_offsets, uniform_weights),
        tuple(pairs),
        interior,
        _error_term(interior.offsets, interior.weights),
        tuple(edges),
    )


def _barycentric_statements(half: int, names: Sequence[str]) -> list[dict[str, str]]:
    """The interior weights of a coordinate grid, accuracy 4, as statements.

    Window points j = 0 .. 4 around the centre c = 2, at the grid points u + j
    (u = 0 .. m-1 from ``start``). With x_j the coordinates, the weight of
    f(x_j), j != c, is prod_{l != j, c} (x_c - x_l) / prod_{l != j} (x_j - x_l)
    (Lagrange's, differentiated at x_c), and the centre's minus the sum of the
    others. Every factor is a difference t points apart, ``k_t[u + min(a, b)]``
    up to its sign, and the denominators of the end points are running
    products of them: r_t[q] (point q to the t points right of it) and l_t[p]
    (point p + t to the t points left of it), computed once for every point.
    The weights are the rows of one array (the interior sum takes them as they
    are), numerators divided by denominators in place: 20 array operations
    where the expanded closed form takes 46. The signs: x_a - x_b with a < b is
    -k, so w_m1 and w_p2 (an odd count of such factors) are negative.
    """
    if half != 2:
        raise NotImplementedError("barycentric interior weights: accuracy 4 only")
    statements = [
        ("m", "stop - start"),
        ("k1", "dx[start : stop + 3]"),
        ("k2", "x[start + 2 : stop + 4] - x[start : stop + 2]"),
        # n3, n4: x_a - x_b with a < b, the negative distances 3 and 4 apart,
        # so that the denominators of w_m1 and w_p1 come out negative and the
        # numbers need one negation (of w_p1 and w_p2 at the end), not two.
        ("n3", "x[start : stop + 1] - x[start + 3 : stop + 4]"),
        ("n4", "x[start:stop] - x[start + 4 : stop + 4]"),
        ("r2", "k1[: m + 2] * k2"),
        ("r3", "r2[: m + 1] * n3"),
        ("l2", "k1[1:] * k2"),
        ("l3", "l2[1:] * n3"),
        ("w", "np.empty((5, m), r2.dtype)"),
        ("d", "np.empty_like(w)"),
        (", ".join(names), "w"),
        ("d_m2, d_m1, _, d_p1, d_p2", "d"),
        ("", "np.multiply(r3[:m], n4, out=d_m2)"),
        ("", "np.multiply(k1[:m], r3[1:], out=d_m1)"),
        ("", "np.multiply(l3[:m], k1[3:], out=d_p1)"),
        ("", "np.multiply(l3[1:], n4, out=d_p2)"),
        ("r2c", "r2[2:]"),
        ("l2c", "l2[:m]"),
        ("", f"np.multiply(k1[1 : m + 1], r2c, out={names[0]})"),
        ("", f"np.multiply(k2[:m], r2c, out={names[1]})"),
        ("", f"np.multiply(l2c, k2[2:], out={names[3]})"),
        ("", f"np.multiply(l2c, k1[2 : m + 2], out={names[4]})"),
        ("", "np.divide(w[:2], d[:2], out=w[:2])"),
        ("", "np.divide(w[3:], d[3:], out=w[3:])"),
        # w_0 = -(w_m2 + w_m1 + w_p1 + w_p2), in that order, from -w_p1 and
        # -w_p2 (IEEE rounding is symmetric in sign: the same numbers).
        ("", f"np.add({names[0]}, {names[1]}, out={names[2]})"),
        ("", f"np.subtract({names[3]}, {names[2]}, out={names[2]})"),
        ("", f"np.add({names[2]}, {names[4]}, out={names[2]})"),
        ("", "np.negative(w[3:], out=w[3:])"),
    ]
    return [_assign(target, value) for target, value in statements]


def _plain(expr: sympy.Expr) -> str:
    return display.plain(expr)


def _interior_names(accuracy: int) -> list[str]:
    if accuracy == 2:
        return ["a", "b", "c"]
    half = accuracy // 2
    return [
        "w_0" if k == 0 else (f"w_m{-k}" if k < 0 else f"w_p{k}")
        for k in range(-half, half + 1)
    ]


def context(entry: Entry, plan: Plan) -> dict[str, Any]:
    """The strings the template ``gradient.py.j2`` prints (no derivation)."""
    name, config, toml = entry.name, plan.config, entry.toml
    p = config.accuracy
    half = p // 2
    edge_orders = tuple(range(1, p + 1))
    ctx: dict[str, Any] = {
        "name": name,
        "accuracy": str(p),
        "half": str(half),
        "block": str(BLOCK),
        "edge_orders": printing.fit_sequence([str(e) for e in edge_orders], "", 0),
        "default_edge_order": str(config.edge_order),
        "min_points": "{"
        + ", ".join(f"{e}: {max(e + 1, p)}" for e in edge_orders)
        + "}",
    }

    # Interior, evenly spaced: central stencil in h, folded into pairs.
    pairs = []
    formula_terms = []
    for pair in plan.pairs:
        pairs.append(
            {
                "name": f"w{pair.k}",
                "weight": printing.expression(pair.weight),
                "plus": view_name(pair.plus),
                "minus": view_name(pair.minus),
            }
        )
        formula_terms.append(
            f"w{pair.k} * ({sample_text(pair.plus)} - {sample_text(pair.minus)})"
        )
    divided = []
    for pair in plan.pairs:
        numer, denom = sympy.fraction(sympy.factor(pair.weight * H))
        diff = f"(view({pair.plus}) - view({pair.minus}))"
        scale = "h" if denom == 1 else f"({printing.expression(denom)} * h)"
        prefix = "" if numer == 1 else f"{printing.expression(numer)} * "
        divided.append(f"{prefix}{diff} / {scale}")
    ctx["divided"] = " + ".join(divided)
    formula = "out[i] = " + " + ".join(formula_terms)
    ctx["pairs"] = pairs
    ctx["backend"] = config.backend
    # The array-API interior (the axis last, n points): the view of offset k over
    # the interior points i = half .. n - half - 1 is g[..., half + k : n - half + k].
    ctx["edge_points"] = str(p + 1)

    def xp_view(k: int) -> str:
        if k == half:
            return f"g[..., {half + k}:n]"
        start = f"{half + k} " if half + k else ""
        return f"g[..., {start}: n - {half - k}]"

    ctx["xp_pairs"] = [
        {"name": f"w{pair.k}", "plus": xp_view(pair.plus), "minus": xp_view(pair.minus)}
        for pair in plan.pairs
    ]
    # The compiled loop (numba): q = 0 .. n - 2*half - 1 over the points
    # i = q + half, every index q plus a non-negative constant.
    names_w = [f"w{pair.k}" for pair in plan.pairs]
    ctx["numba_weights"] = (
        f"({names_w[0]},)" if len(names_w) == 1 else f"({', '.join(names_w)})"
    )
    ctx["numba_pairs"] = [
        {
            "name": f"w{pair.k}",
            "index": str(k),
            "plus": f"q + {pair.plus + half}" if pair.plus + half else "q",
            "minus": f"q + {pair.minus + half}" if pair.minus + half else "q",
        }
        for k, pair in enumerate(plan.pairs)
    ]
    ctx["uniform_formula"] = formula if len(formula) <= 73 else "see the docstring"
    ctx["uniform_views"] = [
        {"name": view_name(k), "offset": str(k)} for k in range(-half, half + 1) if k
    ]

    # Interior, coordinate array: the same stencil on the local spacings.
    names = _interior_names(p)
    if p == 2:
        gap_comment = "with the spacings dx1 = x[i] - x[i - 1], dx2 = x[i + 1] - x[i]."
    else:
        ks = [k for k in range(-half, half + 1) if k]
        gap_comment = (
            "with the displacements "
            + ", ".join(_displacement_name(k) for k in ks)
            + " = x[i + k] - x[i] for k = "
            + ", ".join(map(str, ks))
            + "."
        )
    if p == 2:
        ctx["gap_comment"] = gap_comment
        ctx["interior_statements"] = [
            *_spaced_statements(plan.interior),
            *_weight_assignments(names, plan.interior.weights, 1),
        ]
    else:
        ctx["gap_comment"] = (
            "Lagrange's weights of the window's points (grid points k .. "
            f"k + {2 * half}),\n    from the differences k_t[u] = x[start + u + t] "
            "- x[start + u] (n_t: their negatives)\n    and their running "
            "products to the right (r_t) and to the left (l_t) of each point."
        )
        ctx["interior_statements"] = _barycentric_statements(half, names)
    ctx["interior_names"] = ", ".join(names)
    ctx["newton_note"] = (
        ""
        if half == 1
        else ",\n    up to rounding for one float64 line, whose interior takes "
        "Newton's\n    divided differences of f in the call"
    )
    sum_formula = "out[i] = " + " + ".join(
        f"{n}[i] * {sample_text(k - half)}" for k, n in enumerate(names)
    )
    ctx["sum_formula"] = (
        sum_formula
        if len(sum_formula) <= 73
        else f"out[i] = sum of w[k][i] * f[i + k], k = -{half}..{half}"
    )
    ctx["sum_terms"] = [
        {"weight": n, "view_offset": str(k - half)} for k, n in enumerate(names)
    ]
    ctx["xp_sum"] = [f"w[{k}] * {xp_view(k - half)}" for k in range(len(names))]

    # Edges.
    uniform_edges = []
    nonuniform_edges = []
    edge_doc: list[str] = []
    for e, points in plan.edges:
        ulines: list[dict[str, str]] = []
        nlines: list[dict[str, str]] = []
        for point in points:
            window = point.window
            terms = [
                (w, _index(i))
                for w, i in zip(point.weights, window.indices, strict=True)
            ]
            ulines.append(
                _comment(
                    f"offsets {display.offsets_text(point.offsets)}: "
                    f"accuracy {point.accuracy}"
                )
            )
            ulines.append(_assign(f"out[at({window.here})]", _weighted_sum(terms)))
            if window.here >= 0:
                edge_doc.append(
                    f"edge_order={e}, out[{window.here}]: offsets "
                    f"{display.offsets_text(point.offsets)}; weights "
                    + ", ".join(_plain(w) for w in point.weights)
                    + f"; error {display.error_text(point.error)}"
                )
            # Coordinate array: spacings or displacements of the window's points.
            spaced = point.spaced
            nlines.append(
                _comment(
                    f"offsets {display.offsets_text(spaced.offsets)}: "
                    f"accuracy {point.accuracy}"
                )
            )
            nlines += _spaced_statements(spaced)
            gterms = [
                (w, _index(i))
                for w, i in zip(spaced.weights, window.indices, strict=True)
                if w != 0
            ]
            if len(gterms) == 2:
                total = _weighted_sum(gterms)
            else:
                wnames = [f"w{k}" for k in range(len(gterms))]
                nlines += _weight_assignments(wnames, [w for w, _ in gterms], 2)
                total = " + ".join(
                    f"{n} * {operand}"
                    for n, (_, operand) in zip(wnames, gterms, strict=True)
                )
            nlines.append(_assign(f"out[at({window.here})]", total))
        uniform_edges.append({"edge_order": str(e), "statements": ulines})
        nonuniform_edges.append({"edge_order": str(e), "statements": nlines})
    ctx["uniform_edges"] = uniform_edges
    ctx["nonuniform_edges"] = nonuniform_edges

    ctx["module_docstring"] = printing.docstring(
        _module_doc(name, config, toml), level=0
    )
    ctx["function_docstring"] = printing.docstring(
        _function_doc(name, plan, gap_comment, edge_doc), level=1
    )
    return ctx


def _signed(k: int) -> str:
    return "" if k == 0 else (f" + {k}" if k > 0 else f" - {-k}")


#: What a module of each backend imports (a module docstring's sentence, in lines).
_needs = {
    "numpy": ("the code needs numpy only.",),
    "numba": ("the code needs numpy and numba.",),
    "array-api": (
        "the code needs numpy and",
        "array_api_compat: torch, CuPy, JAX and array-api-strict arrays come back as",
        "arrays of their library; NumPy arrays take the NumPy code.",
    ),
}


def _module_doc(name: str, config: GradientConfig, toml: str) -> list[str]:
    p = config.accuracy
    return [
        f"First derivatives of sampled arrays, accuracy {p}: a drop-in "
        "``numpy.gradient``.",
        "",
        f"``{name}(f, *varargs, axis=None, edge_order={config.edge_order})`` takes "
        "numpy.gradient's",
        "arguments (scalar steps or coordinate arrays per axis, mixed), returns the",
        "same dtypes and shapes and raises the same exception types for the same",
        f"bad inputs. ``{name}_weights(x)`` precomputes a coordinate array's weights",
        "for reuse on many arrays, and ``out=`` writes into the caller's buffers.",
        "",
        "Every weight below was derived exactly by stencilgen (Taylor moment",
        "conditions solved in rational arithmetic); " + _needs[config.backend][0],
        *_needs[config.backend][1:],
        "",
        "Spec entry::",
        "",
        *("    " + line if line else "" for line in toml.strip().split("\n")),
    ]


def _function_doc(
    name: str, plan: Plan, gap_comment: str, edge_doc: Sequence[str]
) -> list[str]:
    config = plan.config
    uniform_offsets, uniform_weights = plan.uniform_offsets, plan.uniform_weights
    gap_offsets, nonuniform = plan.interior.offsets, plan.interior.weights
    p = config.accuracy
    half = p // 2
    edge_choices = "{" + ", ".join(str(e) for e in range(1, p + 1)) + "}"
    lines = [
        "Gradient of an N-dimensional array: a drop-in for ``numpy.gradient``.",
        "",
        f"Central differences of accuracy {p} at interior points, one-sided",
        "stencils of accuracy ``edge_order`` near the ends (point j from an end",
        "uses the max(edge_order + 1, 2j + 1) points nearest that end), so the",
        "result has the shape of ``f``.",
        "",
        f"Interior, evenly spaced (step h), accuracy {p}::",
        "",
        f"    f'(x) ≈ {_plain(_formula(uniform_offsets, uniform_weights))}",
        f"    offsets: {display.offsets_text(uniform_offsets)}",
        "    weights: " + ", ".join(_plain(w) for w in uniform_weights),
        f"    leading error: {display.error_text(plan.uniform_error)}",
        "",
    ]
    names = _interior_names(p)
    lines += [
        f"Interior, coordinate array x, accuracy {p}, at point i",
        gap_comment[:-1] + "::",
        "",
        "    f'(x[i]) ≈ "
        + " + ".join(f"{n}·f(x[i{_signed(k - half)}])" for k, n in enumerate(names)),
        f"    offsets: {display.offsets_text(gap_offsets)}",
    ]
    for n, w in zip(names, nonuniform, strict=True):
        line = f"    {n} = {_plain(w)}"
        lines.append(line if len(line) <= 80 else f"    {n}: see _interior_weights")
    error = display.error_text(plan.interior_error)
    line = f"    leading error: {error}"
    lines += [
        line
        if len(line) <= 80
        else f"    leading error: of order spacing^{p}·f^({p + 1})",
        "",
    ]
    lines += ["Near the ends, evenly spaced (the right end mirrors the left)::", ""]
    for line in edge_doc:
        lines += printing.wrap_terms(
            line, 88, first="    ", rest="        ", separator="; "
        )
    lines = [
        wrapped
        for line in lines
        for wrapped in printing.wrap_terms(
            line, 84, rest=" " * (len(line) - len(line.lstrip()) + 4), brackets="(["
        )
    ]
    lines += [
        "",
        "Parameters",
        "----------",
        "f : array_like",
        "    Samples of a function on a grid, any number of dimensions.",
        "*varargs : scalars, coordinate arrays or GradientWeights, optional",
        "    Spacing: none (step 1), one scalar for every axis, or one per axis",
        "    (given by ``axis``), each a scalar step, a 1-D coordinate array of",
        f"    the axis' length or the result of ``{name}_weights``.",
        "axis : None, int or tuple of ints, optional",
        "    The axes to differentiate along (negative counts from the end);",
        "    None: all.",
        f"edge_order : {edge_choices}, optional",
        "    Accuracy of the stencils near the ends. Any other value raises",
        "    ValueError (numpy silently takes 0 and negative values as 2).",
        "out : ndarray or tuple of ndarray, optional",
        "    Arrays of ``f``'s shape to write the results into (one per axis).",
        "dim : str or tuple of str, optional",
        "    xarray DataArray input: the dimensions to differentiate along",
        "    (instead of ``axis``; None: all); without spacing arguments each",
        "    dimension's coordinate is its grid. A dask array (or dask-backed",
        "    DataArray) gives a lazy result, bitwise equal to NumPy's.",
        "datetime_unit : str, optional",
        "    The unit of time of datetime coordinates (``'s'``, ``'h'``, ...).",
        "",
        "Returns",
        "-------",
        "ndarray or tuple of ndarray",
        "    The derivative along the one axis, or a tuple of them (one per axis).",
        "    Floating and complex inputs keep their dtype, integers give float64,",
        "    datetime64 gives timedelta64. A zero step gives inf/nan with a",
        "    RuntimeWarning, as in numpy.",
        "",
        "Raises",
        "------",
        "ValueError",
        "    Too few points for ``edge_order``, a coordinate array of the wrong",
        "    length or not 1-D, an unsupported ``edge_order``, a repeated axis",
        "    (``numpy.exceptions.AxisError``, also an IndexError, for an axis out",
        "    of range).",
        "TypeError",
        "    A wrong number of spacing arguments.",
        "",
        "Examples",
        "--------",
        ">>> f = np.array([1, 2, 4, 7, 11, 16])",
        f">>> {name}(f)",
    ]
    return lines + _examples(name, p)


def _examples(name: str, p: int) -> list[str]:
    """Doctest lines; their outputs are computed by running the module in tests."""
    if p == 2:
        return [
            "array([1. , 1.5, 2.5, 3.5, 4.5, 5. ])",
            ">>> x = np.array([0.0, 1.0, 1.5, 3.5, 4.0, 6.0])",
            f">>> {name}(f, x)",
            "array([1. , 3. , 3.5, 6.7, 6.9, 2.5])",
            f">>> {name}(np.array([[1, 2, 6], [3, 4, 5]]), axis=0)",
            "array([[ 2.,  2., -1.],",
            "       [ 2.,  2., -1.]])",
        ]
    return [
        "array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])",
        ">>> x = np.linspace(0.0, 1.0, 9)",
        f">>> bool(np.allclose({name}(x**4, x), 4 * x**3))",
        "True",
    ]


def _formula(offsets: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]) -> Any:
    return sympy.Add(*(w * F(X + o) for o, w in zip(offsets, weights, strict=True)))


def verify(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Polynomial exactness and convergence, uniform and coordinate grids."""
    config = plan.config
    function = getattr(module, config.name)
    rows = []
    p = config.accuracy
    for e in range(1, p + 1):
        for grid in ("uniform", "non-uniform"):
            rows.append(_verify_one(config.name, function, p, e, grid))
    if p == 2:
        rows.append(_verify_numpy(config.name, function))
    return rows


def _verify_numpy(name: str, function: Any) -> VerifyRow:
    """Accuracy 2 must reproduce numpy.gradient (to a few ulps) on random grids."""
    rng = np.random.default_rng(11)
    worst = 0.0
    f = rng.standard_normal((7, 9))
    for x in (np.cumsum(rng.uniform(0.1, 1.0, 9)), 0.3):
        for e in (1, 2):
            expected = np.gradient(f, 0.5, x, edge_order=e)
            actual = function(f, 0.5, x, edge_order=e)
            for a, b in zip(expected, actual, strict=True):
                worst = max(worst, relative_error(b, a))
    return VerifyRow(
        module=name,
        function=f"{name} vs numpy.gradient",
        claimed=None,
        interior=None,
        boundary=None,
        polynomial=worst,
        passed=bool(worst <= 8 * np.finfo(float).eps),
        note="random 2-D grids, edge_order 1 and 2",
    )


def _verify_one(name: str, function: Any, p: int, e: int, grid: str) -> VerifyRow:
    edge = p // 2
    # Polynomials of degree up to e (exact everywhere) and p (exact inside).
    worst = 0.0
    x = (
        perturbed_grid(24, -1.0, 1.5)
        if grid == "non-uniform"
        else np.linspace(-1.0, 1.5, 24)
    )
    for case in polynomial_cases(p, seed=3):
        degree = int(case.name.split()[-1])
        approx = function(case.function(x), x, edge_order=e)
        exact = case.derivative(1)(x)
        part = slice(None) if degree <= e else slice(edge, -edge)
        worst = max(worst, relative_error(approx[part], exact[part]))
    interior = []
    boundary = []
    steps = []
    case = smooth_cases()[0]
    for n in (41, 81, 161, 321):
        x = (
            perturbed_grid(n, 0.0, 1.0, seed=7)
            if grid == "non-uniform"
            else np.linspace(0.0, 1.0, n)
        )
        error = np.abs(
            function(case.function(x), x, edge_order=e) - case.derivative(1)(x)
        )
        steps.append(1.0 / (n - 1))
        interior.append(float(np.max(error[edge:-edge])))
        boundary.append(float(np.max(np.r_[error[:edge], error[-edge:]])))
    order_in = convergence_order(steps, interior)
    order_edge = convergence_order(steps, boundary)
    ok = (
        order_ok(order_in, p)
        and order_ok(order_edge, e)
        and worst <= POLYNOMIAL_TOLERANCE
    )
    return VerifyRow(
        module=name,
        function=f"{name} edge_order={e}",
        claimed=p,
        interior=order_in,
        boundary=order_edge,
        polynomial=worst,
        passed=ok,
        note=f"{grid}; boundary accuracy >= {e}",
    )
