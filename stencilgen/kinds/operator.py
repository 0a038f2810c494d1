"""The ``operator`` kind: one derivative, applied along an axis of an N-D array.

A spec entry of this kind builds a module with one function (uniform grid)::

    name(f, h=1.0, axis=-1, out=None)

or three (coordinate arrays, ``grid = "coordinates"``)::

    name(f, x, axis=-1, out=None)
    name_weights(x)                  # per-point weights for a fixed grid, once
    name_apply(f, weights, axis=-1, out=None)

Boundaries: ``one-sided`` (full-shape output; points near the edges use the
nearest window of ``derivative + accuracy`` points inside the array, derived by
the engine at the same accuracy), ``periodic`` (wrap around) or ``valid`` (only
the points where the interior stencil fits: a shorter output).

On coordinate grids a stencil needs ``derivative + accuracy`` points to reach its
accuracy for *every* derivative (three points give a second derivative only
accuracy 1 once the spacings differ), so the interior window has that many points,
and the weights are the engine's exact formulas in the local spacings
``h_k = x[i+k+1] - x[i+k]`` (closed forms up to 4 points; the same Lagrange
formula evaluated in vectorised form for wider windows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sympy

from stencilgen import printing
from stencilgen.errors import StencilgenError
from stencilgen.stencil import Stencil, family_offsets, make_stencil

if TYPE_CHECKING:
    from stencilgen.render import Renderer
    from stencilgen.spec import Entry, Fields
    from stencilgen.verify import VerifyRow

__all__ = [
    "DEFINES",
    "KEYS",
    "KIND",
    "RESERVED",
    "OperatorConfig",
    "Plan",
    "parse",
    "plan",
    "render",
    "verify",
]

KIND = "operator"

#: Module-level names of the generated module that come from the entry name (the
#: last two with grid = "coordinates" only).
DEFINES: tuple[str, ...] = ("{name}", "{name}_weights", "{name}_apply")

#: Public module-level names every generated operator module binds itself (its
#: imports and the coordinates grid's ``Weights``); an entry may not take them.
RESERVED: frozenset[str] = frozenset(
    {"NamedTuple", "Weights", "math", "np", "operator"}
)

KEYS: Mapping[str, str] = {
    "derivative": "which derivative, a whole number >= 1 (required)",
    "accuracy": "order of accuracy in the grid step, a whole number >= 1 "
    "(required with 'stencil'; optional with 'offsets', where it must equal "
    "what the offsets reach)",
    "stencil": 'the stencil family: "central" (default; even accuracy only on '
    'uniform grids), "forward" or "backward"',
    "offsets": "explicit grid offsets instead of 'stencil', whole numbers such as "
    "[-1, 0, 1, 2]",
    "at": 'where the derivative is taken relative to the point, e.g. "1/2" for a '
    'staggered stencil (default 0; needs boundary "valid" or "periodic")',
    "grid": '"uniform" (default: a scalar spacing h) or "coordinates" (a 1-D '
    "coordinate array x along the axis)",
    "boundary": '"one-sided" (default: same-shape output, one-sided stencils of '
    'the same accuracy at the edges), "periodic" or "valid" (interior points only, '
    "shorter output)",
}

GRIDS = ("uniform", "coordinates")
BOUNDARIES = ("one-sided", "periodic", "valid")
_MAX_POINTS = 15  # beyond this, weights lose every digit to cancellation


@dataclass(frozen=True)
class OperatorConfig:
    """A validated operator entry.

    Attributes
    ----------
    name : str
        Module and function name.
    derivative, accuracy : int
        Which derivative, and the accuracy every output point has.
    offsets : tuple of int
        Interior stencil offsets, increasing.
    at : Fraction
        Evaluation point relative to the grid point (0 unless staggered).
    stencil : str
        ``central``, ``forward``, ``backward`` or ``offsets`` (given explicitly).
    grid, boundary : str
        See :data:`KEYS`.
    """

    name: str
    derivative: int
    accuracy: int
    offsets: tuple[int, ...]
    at: Fraction
    stencil: str
    grid: str
    boundary: str


def parse(fields: Fields) -> OperatorConfig:
    """Validate an operator entry (see :data:`KEYS`)."""
    m = fields.integer("derivative", minimum=1)
    grid = fields.choice("grid", GRIDS, default="uniform")
    boundary = fields.choice("boundary", BOUNDARIES, default="one-sided")
    at = _fraction(fields.number("at", default=0))
    if fields.has("stencil") and fields.has("offsets"):
        raise fields.error(
            "offsets", "give either 'stencil' or 'offsets', not both; remove one"
        )
    if at != 0 and grid == "coordinates":
        raise fields.error(
            "at", "staggered stencils need grid = \"uniform\"; remove 'at'"
        )
    if at != 0 and boundary == "one-sided":
        raise fields.error(
            "boundary",
            'a staggered stencil (at != 0) needs boundary = "valid" or "periodic"',
        )
    if grid == "coordinates" and boundary == "periodic":
        raise fields.error(
            "boundary",
            'periodic boundaries need grid = "uniform"; use "one-sided" or "valid"',
        )
    if fields.has("offsets"):
        stencil = "offsets"
        offsets = _integer_offsets(fields)
        requested = (
            fields.integer("accuracy", minimum=1) if fields.has("accuracy") else None
        )
        reached = _reached_accuracy(m, offsets, at, grid)
        if reached is None or (requested is not None and requested > reached):
            raise fields.error(
                "accuracy" if requested else "offsets",
                f"offsets {list(offsets)} reach accuracy {reached or 0} for derivative "
                f"{m}"
                + (" on a coordinate grid" if grid == "coordinates" else "")
                + (f", not {requested}" if requested else "")
                + "; add offsets"
                + (" or lower 'accuracy'" if requested else ""),
            )
        if requested is not None and requested < reached:
            raise fields.error(
                "accuracy",
                f"offsets {list(offsets)} reach accuracy {reached}, not {requested}; "
                f"set accuracy = {reached} or leave 'accuracy' out",
            )
        accuracy = reached
    else:
        stencil = fields.choice(
            "stencil", ("central", "forward", "backward"), default="central"
        )
        accuracy = fields.integer("accuracy", minimum=1)
        if m + accuracy > _MAX_POINTS:
            raise fields.error(
                "accuracy",
                f"derivative {m} with accuracy {accuracy} needs more than "
                f"{_MAX_POINTS} points, which rounding error makes useless; lower it",
            )
        try:
            offsets = _family(stencil, m, accuracy, grid)
        except StencilgenError as error:
            raise fields.error("accuracy", str(error)) from None
        if at != 0:
            reached = _reached_accuracy(m, offsets, at, grid)
            if reached != accuracy:
                raise fields.error(
                    "at",
                    f"the {stencil} offsets {list(offsets)} taken at {at} have "
                    f"accuracy {reached}, not {accuracy}; give 'offsets' instead",
                )
    if not offsets[0] <= at <= offsets[-1]:
        raise fields.error(
            "at",
            f"{at} lies outside the offsets ({offsets[0]} .. {offsets[-1]}): that "
            "would extrapolate; choose a point between them",
        )
    return OperatorConfig(
        fields.name, m, accuracy, offsets, at, stencil, grid, boundary
    )


def _fraction(value: sympy.Expr) -> Fraction:
    return Fraction(int(value.p), int(value.q))


def _integer_offsets(fields: Fields) -> tuple[int, ...]:
    values = fields.number_list("offsets")
    if not all(v.is_Integer for v in values):
        raise fields.error(
            "offsets",
            "offsets are grid points, whole numbers such as [-1, 0, 1]; for a "
            "staggered stencil put the fraction in 'at'",
        )
    offsets = tuple(int(v) for v in values)
    if len(set(offsets)) != len(offsets):
        raise fields.error("offsets", "offsets repeat a point; list each once")
    if len(offsets) > _MAX_POINTS:
        raise fields.error(
            "offsets", f"at most {_MAX_POINTS} offsets; rounding makes more useless"
        )
    return tuple(sorted(offsets))


def _family(stencil: str, m: int, accuracy: int, grid: str) -> tuple[int, ...]:
    if grid == "uniform":
        return family_offsets(stencil, m, accuracy)
    # Coordinate grids: m + accuracy consecutive points, as centred as possible.
    count = m + accuracy
    start = {"central": -((count - 1) // 2), "forward": 0, "backward": 1 - count}
    return tuple(range(start[stencil], start[stencil] + count))


# Generic spacings for deciding coordinate-grid accuracy with exact integer
# arithmetic: no symmetry, so no accidental extra order (a random instance of the
# symbolic stencil; render() derives the symbolic one).
_GENERIC = (Fraction(1), Fraction(13, 10), Fraction(7, 10), Fraction(11, 10))


def _generic_nodes(offsets: Sequence[int]) -> list[Fraction]:
    def position(o: int) -> Fraction:
        steps = range(o) if o > 0 else range(o, 0)
        total = sum((_GENERIC[k % len(_GENERIC)] for k in steps), Fraction(0))
        return total if o > 0 else -total

    return [position(o) for o in offsets]


def _reached_accuracy(
    m: int, offsets: Sequence[int], at: Fraction, grid: str
) -> int | None:
    if len(offsets) < m + 1:
        return None
    nodes: Sequence[Any] = _generic_nodes(offsets) if grid == "coordinates" else offsets
    return _stencil(m, tuple(nodes), at).accuracy


@lru_cache(maxsize=512)
def _stencil(m: int, offsets: tuple[Any, ...], at: Any = 0) -> Stencil:
    return make_stencil(m, offsets, at)


# ---------------------------------------------------------------- derivation


@dataclass(frozen=True)
class Edge:
    """One edge point and its one-sided stencil.

    ``point`` is the index of the point (``i >= 0`` from the left, ``-j`` for the
    j-th point from the right); the window covers offsets ``first .. first +
    len(stencil.offsets) - 1`` relative to that point.
    """

    point: int
    first: int
    stencil: Stencil


@dataclass(frozen=True)
class Plan:
    """Everything render and verify need: the stencils and the array bounds."""

    config: OperatorConfig
    interior: Stencil
    left: tuple[Edge, ...]
    right: tuple[Edge, ...]
    min_points: int

    @property
    def before(self) -> int:
        """Points the interior stencil reaches to the left."""
        return max(0, -self.config.offsets[0])

    @property
    def after(self) -> int:
        """Points the interior stencil reaches to the right."""
        return max(0, self.config.offsets[-1])


def plan(config: OperatorConfig) -> Plan:
    """Derive the interior stencil and, for one-sided boundaries, the edge ones."""
    offsets = config.offsets
    m = config.derivative
    interior = _stencil(m, offsets, config.at)
    if config.grid == "uniform":
        assert interior.accuracy == config.accuracy, (config, interior.accuracy)
    width = offsets[-1] - offsets[0] + 1
    if config.boundary != "one-sided":
        return Plan(config, interior, (), (), width)
    count = m + config.accuracy
    if config.grid == "coordinates":
        count = len(offsets)
    centre = Fraction(offsets[0] + offsets[-1], 2)
    left = []
    for i in range(max(0, -offsets[0])):
        first = _window(centre, count, lowest=-i, highest=None)
        left.append(Edge(i, first, _edge_stencil(config, first, count)))
    right = []
    for j in range(max(0, offsets[-1]), 0, -1):
        first = _window(centre, count, lowest=None, highest=j - 1)
        right.append(Edge(-j, first, _edge_stencil(config, first, count)))
    need = [width, count]
    need += [e.point + e.first + count for e in left]
    need += [-e.point - e.first for e in right]
    return Plan(config, interior, tuple(left), tuple(right), max(need))


def _window(
    centre: Fraction, count: int, lowest: int | None, highest: int | None
) -> int:
    """First offset of the window of ``count`` points nearest ``centre`` that fits."""
    first = math.floor(centre - Fraction(count - 1, 2))
    if lowest is not None:
        first = max(first, lowest)
    if highest is not None:
        first = min(first, highest - count + 1)
    return first


def _edge_stencil(config: OperatorConfig, first: int, count: int) -> Stencil:
    window = tuple(range(first, first + count))
    stencil = _stencil(config.derivative, window)
    if config.grid == "uniform":
        # Engine-decided: the window must keep the interior's accuracy.
        assert stencil.accuracy is not None and stencil.accuracy >= config.accuracy
    return stencil


# ------------------------------------------------------------------ rendering


def _ascii(expr: sympy.Expr) -> str:
    from stencilgen.display import readable

    text: str = sympy.sstr(readable(expr), order="none")
    # ASCII only (generated files land in projects with other lint settings).
    digits = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
    return text.replace("⁽", "^(").replace("⁾", ")").translate(digits)


def _view(k: int) -> str:
    """The name of the view f[i + k] in generated kernels: fm2, f0, fp1."""
    return f"fp{k}" if k > 0 else f"fm{-k}" if k < 0 else "f0"


def _sample(k: int) -> str:
    return "f[i]" if k == 0 else f"f[i + {k}]" if k > 0 else f"f[i - {-k}]"


def _one_d(offsets: Sequence[int], weights: Sequence[sympy.Expr], m: int) -> str:
    terms = [
        f"{'' if w == 1 else '-' if w == -1 else str(w) + '*'}{_sample(o)}"
        for o, w in zip(offsets, weights, strict=True)
        if w != 0
    ]
    text = " + ".join(terms).replace("+ -", "- ")
    power = "h" if m == 1 else f"h**{m}"
    return f"({text}) / {power}"


def _weights_text(stencil: Stencil) -> str:
    return ", ".join(str(w) for w in stencil.weights)


def _offsets_text(offsets: Sequence[Any]) -> str:
    return ", ".join(str(o) for o in offsets)


def _docstring(entry: Entry, p: Plan, coordinates: bool) -> list[str]:
    c = p.config
    s = p.interior
    m = c.derivative
    at = [] if c.at == 0 else [f"    (the derivative at x[i] + {c.at}*h)"]
    lines = [
        f"Derivative {m} of f along ``axis``, accuracy {c.accuracy}"
        + (" (coordinate grid)." if coordinates else "."),
        "",
        "One dimension, interior points"
        + (" (on a uniform grid of step h)" if coordinates else "")
        + ":",
        "",
        *printing.wrap_terms(
            f"out[i] = {_one_d(c.offsets, s.weights, m)}",
            80,
            first="    ",
            rest="        ",
        ),
        *at,
        "",
        f"offsets: {_offsets_text(c.offsets)}"
        + ("" if c.at == 0 else f"; evaluated at {c.at}"),
        *printing.wrap_terms(
            f"weights: {_weights_text(s)}", 80, rest="    ", separator=", "
        ),
        f"accuracy: {c.accuracy}",
        f"leading error: {_ascii(s.leading_error)}",
    ]
    if coordinates:
        lines += [
            "",
            f"On a coordinate grid every point uses {len(c.offsets)} points, with",
            "weights from the engine's exact formulas in the local spacings",
            "h_k = x[i+k+1] - x[i+k] (h0 = x[i+1] - x[i], hm1 = x[i] - x[i-1]);",
            f"accuracy {c.accuracy} holds for any spacing.",
        ]
        if len(c.offsets) <= _CLOSED_FORM_POINTS:
            symbolic = _symbolic_window(m, c.offsets[0], len(c.offsets))
            lines += ["", "Interior weights, out[i] = sum of w[k]*f[i + k]:", ""]
            for o, weight in zip(c.offsets, symbolic.weights, strict=True):
                lines += printing.wrap_terms(
                    f"w[{o}] = {printing.expression(weight)}",
                    80,
                    first="    ",
                    rest="        ",
                )
            lines += [
                "",
                *printing.wrap_terms(
                    f"leading error: {_ascii(symbolic.leading_error)}", 80, rest="    "
                ),
            ]
        else:
            lines += [
                "",
                "The weights are the Lagrange formula w_j = (-1)**r * m! * "
                "e_r(others) /",
                "prod(node_j - node_l) of the engine (stencilgen.taylor), evaluated "
                "per point.",
            ]
    if p.left or p.right:
        lines += ["", f"Edges (one-sided stencils of accuracy >= {c.accuracy}):", ""]
        for edge in (*p.left, *p.right):
            point = f"out[{edge.point}]" if edge.point >= 0 else f"out[n{edge.point}]"
            window = range(edge.first, edge.first + len(edge.stencil.offsets))
            text = f"{point}: offsets {edge.first}..{window[-1]}"
            if not coordinates:
                text += f", weights {_weights_text(edge.stencil)}"
            lines += printing.wrap_terms(
                text, 80, first="    ", rest="        ", separator=", "
            )
    elif c.boundary == "periodic":
        lines += ["", "Boundary: periodic (indices wrap around)."]
    else:
        shift = (
            f"out[j] is the value at point i = j + {p.before}"
            if p.before
            else ("out[j] is the value at point i = j")
        )
        lines += [
            "",
            f"Boundary: valid: the output has {p.min_points - 1} fewer points "
            "along the axis;",
            f"{shift}.",
        ]
    lines += ["", "Spec entry::", ""] + [
        "    " + line for line in entry.toml.split("\n")
    ]
    return lines


def _parameters(coordinates: bool, name: str) -> list[str]:
    lines = [
        "Parameters",
        "----------",
        "f : array_like",
        "    Samples; integer input is converted to float64.",
    ]
    if coordinates:
        lines += [
            "x : array_like",
            "    Strictly monotonic 1-D coordinates along ``axis``.",
        ]
    else:
        lines += ["h : float, optional", "    Grid spacing (default 1.0)."]
    lines += [
        "axis : int, optional",
        "    Axis to differentiate along (default -1).",
        "out : ndarray, optional",
        "    Where to write the result (same shape as the result).",
        "",
        "Returns",
        "-------",
        "ndarray",
        "    Same dtype as ``f`` (float64 for integer input).",
    ]
    return lines


def render(entry: Entry, renderer: Renderer) -> str:
    """Module source for an operator entry (after the header)."""
    p = plan(entry.config)
    if p.config.grid == "coordinates":
        return _render_coordinates(entry, p, renderer)
    return _render_uniform(entry, p, renderer)


def _module_doc(entry: Entry, p: Plan) -> str:
    c = p.config
    grid = "coordinate" if c.grid == "coordinates" else "uniform"
    family = "explicit offsets" if c.stencil == "offsets" else c.stencil
    return printing.docstring(
        [
            f"Derivative {c.derivative}, accuracy {c.accuracy}, {family}, "
            f"{c.boundary} boundary, {grid} grid.",
            "",
            "Standalone: needs only numpy. See the function docstrings for the",
            "formulas, exact weights and error terms.",
        ],
        level=0,
    )


def _terms(
    offsets: Sequence[int], weights: Sequence[sympy.Expr]
) -> list[tuple[str, Any, tuple[int, ...]]]:
    """Group the interior terms: symmetric pairs fold into one multiply.

    Returns ``(form, weight, offsets)`` with form ``single`` (w*f[i+k]), ``sum``
    (w*(f[i-k] + f[i+k])) or ``difference`` (w*(f[i+k] - f[i-k])).
    """
    table = {o: w for o, w in zip(offsets, weights, strict=True) if w != 0}
    done: set[int] = set()
    terms: list[tuple[str, Any, tuple[int, ...]]] = []
    for o in sorted(table, key=lambda o: (abs(o), o)):
        if o in done:
            continue
        w = table[o]
        mirror = -o
        if o != 0 and mirror in table and mirror not in done:
            if table[mirror] == w:
                terms.append(("sum", w, (min(o, mirror), max(o, mirror))))
                done |= {o, mirror}
                continue
            if table[mirror] == -w:
                positive = max(o, mirror)
                terms.append(("difference", table[positive], (-positive, positive)))
                done |= {o, mirror}
                continue
        terms.append(("single", w, (o,)))
        done.add(o)
    return terms


def _kernel_lines(
    offsets: Sequence[int], weights: Sequence[sympy.Expr]
) -> tuple[list[str], list[str]]:
    """(constant assignments, statements of the interior loop body)."""
    constants = []
    body = []
    terms = _terms(offsets, weights)
    for k, (form, w, pair) in enumerate(terms):
        name = f"c{k}"
        constants.append(printing.assign(name, f"{printing.number(w)} * scale"))
        if form == "single":
            meaning = f"{w}*{_sample(pair[0])}"
            source = _view(pair[0])
            if k == 0:
                body.append(f"np.multiply({source}, {name}, out=o)  # {meaning}")
            else:
                body.append(f"np.multiply({source}, {name}, out=t)  # {meaning}")
                body.append("np.add(o, t, out=o)")
            continue
        op = "add" if form == "sum" else "subtract"
        sign = "+" if form == "sum" else "-"
        low, high = pair
        first, second = (low, high) if form == "sum" else (high, low)
        meaning = f"{w}*({_sample(first)} {sign} {_sample(second)})"
        target = "o" if k == 0 else "t"
        body.append(
            f"np.{op}({_view(first)}, {_view(second)}, out={target})  # {meaning}"
        )
        body.append(f"np.multiply({target}, {name}, out={target})")
        if k:
            body.append("np.add(o, t, out=o)")
    return constants, body


def _loop_head(
    offsets: Sequence[int], weights: Sequence[sympy.Expr], bounds: str, scratch: bool
) -> list[str]:
    """The interior loop header: the offsets, the pieces, the named views."""
    used = [o for o, w in zip(offsets, weights, strict=True) if w != 0]
    names = [_view(o) for o in used]
    lines = _tuple_assign("offsets", [str(o) for o in used], 0).split("\n")
    lines.append(
        f"for o, {'t' if scratch else '_'}, views, _ in "
        f"_pieces(f, out, axis, {bounds}, offsets):"
    )
    unpack = ", ".join(names) + ("," if len(names) == 1 else "") + " = views"
    if len(unpack) + 8 <= printing.LINE_LENGTH:
        lines.append("    " + unpack)
    else:
        lines += ["    (", *[f"        {n}," for n in names], "    ) = views"]
    return lines


def _edge_table(name: str, edges: Sequence[Edge], coordinates: bool) -> list[str]:
    lines = []
    rows = []
    for k, edge in enumerate(edges):
        label = f"{name}{k}"
        point = f"out[{edge.point}]" if edge.point >= 0 else f"out[n{edge.point}]"
        last = edge.first + len(edge.stencil.offsets) - 1
        lines.append(f"# {point}: offsets {edge.first}..{last}")
        lines.append(
            _tuple_assign(label, [printing.number(w) for w in edge.stencil.weights], 0)
        )
        rows.append(f"({edge.point}, {edge.first}, {label})")
    lines.append(_tuple_assign(name, rows, 0))
    return lines


def _tuple_assign(
    target: str, items: Sequence[str], level: int, brackets: str = "()"
) -> str:
    """``target = (a, b)`` as ruff formats it (exploded when too long)."""
    pad = "    " * level
    single = "," if len(items) == 1 and brackets == "()" else ""
    inline = ", ".join(items) + single
    line = f"{pad}{target} = {brackets[0]}{inline}{brackets[1]}"
    if len(line) <= printing.LINE_LENGTH:
        return line
    body = "\n".join(f"{pad}    {item}," for item in items)
    return f"{pad}{target} = {brackets[0]}\n{body}\n{pad}{brackets[1]}"


def _render_uniform(entry: Entry, p: Plan, renderer: Renderer) -> str:
    c = p.config
    s = p.interior
    name = c.name
    constants, body = _kernel_lines(c.offsets, s.weights)
    valid = c.boundary == "valid"
    shift = -c.offsets[0] if valid else 0
    lo, hi = p.before, p.after
    if valid:
        lo, hi = -c.offsets[0], c.offsets[-1]
    doc = [*_docstring(entry, p, coordinates=False), "", *_parameters(False, name)]
    edges_code: list[str] = []
    tables: list[str] = []
    if p.left or p.right:
        tables += _edge_table("_LEFT", p.left, False) if p.left else []
        if p.right:
            tables += [""] if tables else []
            tables += _edge_table("_RIGHT", p.right, False)
        if p.left:
            edges_code += [
                "# Left edge: the one-sided stencils of _LEFT.",
                "for i, first, weights in _LEFT:",
                "    _edge(f, out, axis, i, first, weights, scale)",
            ]
        if p.right:
            edges_code += [
                "# Right edge: the one-sided stencils of _RIGHT.",
                "for i, first, weights in _RIGHT:",
                "    _edge(f, out, axis, n + i, first, weights, scale)",
            ]
    elif c.boundary == "periodic" and (lo or hi):
        pairs = [
            f"({o}, {printing.number(w)})"
            for o, w in zip(c.offsets, s.weights, strict=True)
            if w != 0
        ]
        tables.append("# Interior stencil as (offset, weight) pairs, for the wrap.")
        tables.append(_tuple_assign("_STENCIL", pairs, 0))
        edges_code += [
            "# Edges: the same stencil with indices wrapped around.",
            f"for i in (*range({lo}), *range(n - {hi}, n)):"
            if lo and hi
            else (f"for i in range({lo}):" if lo else f"for i in range(n - {hi}, n):"),
            "    _wrap(f, out, axis, i, _STENCIL, scale)",
        ]
    out_length = f"n - {p.min_points - 1}" if valid and p.min_points > 1 else "n"
    stop = f"n - {hi}" if hi else "n"
    return renderer.render(
        "operator.j2",
        module_doc=_module_doc(entry, p),
        name=name,
        docstring=printing.docstring(doc),
        min_points=str(p.min_points),
        out_length=out_length,
        derivative=str(c.derivative),
        constants=constants,
        interior_points=f"{lo} .. n-{hi + 1}",
        loop_head=_loop_head(
            c.offsets,
            s.weights,
            f"{lo}, {stop}, {shift}",
            any("out=t" in b for b in body),
        ),
        body=body,
        edges=edges_code,
        tables=tables,
        uses_edges=bool(p.left or p.right),
        uses_wrap=bool(c.boundary == "periodic" and (lo or hi)),
    )


# ------------------------------------------------------------ coordinate grids

_CLOSED_FORM_POINTS = 4


def _spacing_name(k: int) -> str:
    return f"h{k}" if k >= 0 else f"hm{-k}"


def _symbolic_window(m: int, first: int, count: int) -> Stencil:
    """The stencil on a window, in the spacing symbols h_k (exact, symbolic)."""
    symbols = {
        k: sympy.Symbol(_spacing_name(k)) for k in range(first, first + count - 1)
    }
    nodes = []
    for o in range(first, first + count):
        steps = range(0, o) if o > 0 else range(o, 0)
        total = sympy.Add(*[symbols[k] for k in steps])
        nodes.append(total if o >= 0 else -total)
    return _stencil(m, tuple(nodes))


def _slice(start: int, stop_from_end: int) -> str:
    stop = "" if stop_from_end == 0 else str(-stop_from_end)
    return f"{start}:{stop}"


def _statement(target: str, value: str, level: int = 1) -> list[str]:
    """``target = value`` at ``level``, less the 4 spaces the template adds."""
    return [line[4:] for line in printing.assign(target, value, level).split("\n")]


def _coordinate_block(
    m: int,
    first: int,
    count: int,
    columns: str,
    spacing: dict[int, str],
    xs: dict[int, str],
    level: int,
) -> list[str]:
    """Statements filling ``w[k, columns]`` for one window pattern.

    ``spacing[k]`` is the text of h_k over the pattern's points, ``xs[o]`` that
    of x[i + o].
    """
    lines = []
    if count <= _CLOSED_FORM_POINTS:
        try:
            for k in sorted(spacing):
                lines += _statement(_spacing_name(k), spacing[k], level)
            stencil = _symbolic_window(m, first, count)
            for k, weight in enumerate(stencil.weights):
                value = printing.expression(weight)
                lines += _statement(f"w[{k}, {columns}]", value, level)
            return lines
        except ValueError:  # a closed form too long for a line: evaluate instead
            lines = []
    # Wider windows: the same Lagrange formula, evaluated on the node arrays.
    lines = _statement("xi", xs[0], level)
    items = [f"{xs[o]} - xi" for o in range(first, first + count) if o != 0]
    zero = range(first, first + count).index(0)
    items.insert(zero, "np.zeros_like(xi)")
    text = _tuple_assign("nodes", items, level, brackets="[]")
    lines += [line[4:] for line in text.split("\n")]
    lines += _statement(f"w[:, {columns}]", f"_lagrange(nodes, {m})", level)
    return lines


def _shifted(name: str, k: int) -> str:
    return name if k == 0 else f"{name} + {k}" if k > 0 else f"{name} - {-k}"


def _chunk_slice(k: int, shift: int = 0) -> str:
    """``lo + k : hi + k`` (minus ``shift``) spaced as ruff spaces slices."""
    start, stop = _shifted("lo", k - shift), _shifted("hi", k - shift)
    if k - shift == 0:
        return f"{start}:{stop}"
    return f"{start} : {stop}"


def _render_coordinates(entry: Entry, p: Plan, renderer: Renderer) -> str:
    c = p.config
    name = c.name
    count = len(c.offsets)
    first = c.offsets[0]
    valid = c.boundary == "valid"
    lo, hi = p.before, p.after
    stop = f"n - {hi}" if hi else "n"
    blocks: list[str] = [
        f"# Interior, i = {lo} .. n-{hi + 1}, in cache-sized chunks: offsets "
        f"{first}..{c.offsets[-1]},",
        "# with the local spacings h_k = x[i+k+1] - x[i+k].",
        f"for lo, hi in _chunks({lo}, {stop}):",
    ]
    # Over the chunk's points i = lo .. hi-1, h_k is x[lo+k+1 : hi+k+1] - x[lo+k : ...].
    spacing = {
        k: f"x[{_chunk_slice(k + 1)}] - x[{_chunk_slice(k)}]"
        for k in range(first, first + count - 1)
    }
    xs = {o: f"x[{_chunk_slice(o)}]" for o in range(first, first + count)}
    columns = _chunk_slice(0, lo if valid else 0)
    blocks += _coordinate_block(c.derivative, first, count, columns, spacing, xs, 2)
    for edge in (*p.left, *p.right):
        point = edge.point
        spacing = {
            k: f"x[{point + k + 1}] - x[{point + k}]"
            for k in range(edge.first, edge.first + count - 1)
        }
        label = f"i = {point}" if point >= 0 else f"i = n{point}"
        blocks.append(
            f"# Edge, {label}: offsets {edge.first}..{edge.first + count - 1}"
        )
        xs = {o: f"x[{point + o}]" for o in range(edge.first, edge.first + count)}
        blocks += _coordinate_block(
            c.derivative, edge.first, count, str(point), spacing, xs, 1
        )
        blocks.append(f"first[{point}] = {edge.first}")
    names = [_view(o) for o in c.offsets]
    interior = [
        f"# Interior points i = {lo} .. n-{hi + 1}, in cache-sized pieces:",
        ", ".join(f"w{k}" for k in range(count))
        + f" = w[:, {':' if valid else _slice(lo, hi)}]",
        *_tuple_assign("offsets", [str(o) for o in c.offsets], 0).split("\n"),
        f"for o, t, views, span in _pieces(f, out, axis, {lo}, n - {hi}, "
        f"{lo if valid else 0}, offsets):",
    ]
    unpack = ", ".join(names) + " = views"
    interior.append("    " + unpack)
    for k, o in enumerate(c.offsets):
        target = "o" if k == 0 else "t"
        interior.append(
            f"    np.multiply({names[k]}, _along(w{k}[span], f.ndim, axis), "
            f"out={target})  # w[{k}, i]*{_sample(o)}"
        )
        if k:
            interior.append("    np.add(o, t, out=o)")
    edges = []
    if p.left or p.right:
        points = []
        if p.left:
            points.append(f"*range({len(p.left)})")
        if p.right:
            points.append(f"*range(n - {len(p.right)}, n)")
        edges = [
            "# Edges: the one-sided windows set in the weights.",
            f"for i in ({', '.join(points)}{',' if len(points) == 1 else ''}):",
            "    _edge(f, out, axis, i, int(weights.first[i]), w[:, i], 1.0)",
        ]
    doc = [*_docstring(entry, p, coordinates=True), "", *_parameters(True, name)]
    return renderer.render(
        "operator_coordinates.j2",
        module_doc=_module_doc(entry, p),
        name=name,
        docstring=printing.docstring(doc),
        min_points=str(p.min_points),
        count=str(count),
        first=str(first),
        points=f"n - {count - 1}" if valid else "n",
        blocks=blocks,
        interior=interior,
        edges=edges,
        uses_lagrange=any("_lagrange(" in line for line in blocks),
    )


# ---------------------------------------------------------------- verification


def verify(entry: Entry, module: ModuleType) -> list[VerifyRow]:
    """Polynomial exactness and measured convergence, interior and edges."""
    from stencilgen.kinds import _operator_checks

    return _operator_checks.check(plan(entry.config), module)
