"""The ``operator`` kind: one derivative, applied along an axis of an N-D array.

A spec entry of this kind builds a module with one function (uniform grid)::

    name(f, h=1.0, axis=-1, out=None)

or three (coordinate arrays, ``grid = "coordinates"``)::

    name(f, x, axis=-1, out=None)
    name_weights(x)                  # per-point weights for a fixed grid, once
    name_apply(f, weights, axis=-1, out=None)

(with ``boundary = "periodic"``: ``name(f, x, period, ...)`` and
``name_weights(x, period)``, ``x`` the points of one period of that length).

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

import numpy as np
import sympy

from stencilgen import display, printing
from stencilgen.backends import (
    BACKENDS,
    array_api_context,
    lazy_context,
    missing_library,
    numba_context,
)
from stencilgen.design import check_band, design, family
from stencilgen.errors import StencilgenError
from stencilgen.kernel import (
    CoordinateKernel,
    EdgeStencil,
    Kernel,
    WeightWindow,
    kernel_context,
    sample_text,
    spacing_name,
    uniform_kernel,
)
from stencilgen.kinds import _closure_checks, _operator_checks
from stencilgen.plotting import parse_point
from stencilgen.spectrum import check_tolerance
from stencilgen.stencil import Stencil, family_offsets, make_stencil

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields
    from stencilgen.verify import VerifyRow

__all__ = [
    "DEFINES",
    "KEYS",
    "KIND",
    "RESERVED",
    "TEMPLATE",
    "OperatorConfig",
    "Plan",
    "context",
    "derive",
    "parse",
    "verify",
]

KIND = "operator"

#: The module template (NumPy backend); its kernel macros are numpy/kernel.j2.
TEMPLATE = "operator.j2"

#: Module-level names of the generated module that come from the entry name (the
#: last two with grid = "coordinates" only).
DEFINES: tuple[str, ...] = ("{name}", "{name}_weights", "{name}_apply")

#: Public module-level names every generated operator module binds itself (its
#: imports and the coordinates grid's ``Weights``); an entry may not take them.
RESERVED: frozenset[str] = frozenset(
    {
        "Weights",
        "array_api_compat",
        "collections",
        "functools",
        "math",
        "np",
        "numba",
        "operator",
    }
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
    "backend": '"numpy" (default), "numba" (compiled, fused loops) or "array-api" '
    "(torch, CuPy, JAX, ... through array_api_compat; uniform grids)",
    "parallel": "numba backend only: true compiles the loops with parallel=True "
    "(numba.prange over the lines), default false",
    "boundary": '"one-sided" (default: same-shape output, one-sided stencils of '
    'the same accuracy at the edges), "periodic" (indices wrap; on a coordinate '
    'grid the function takes the period: name(f, x, period)) or "valid" '
    "(interior points only, shorter output)",
    "tolerance": "designed stencil (with 'offsets' and 'accuracy', kept exactly): "
    "the free weights give the widest wavenumber band whose relative phase error "
    "stays within this tolerance, e.g. 1e-3 (minimax; stencilgen design)",
    "band": "designed stencil: optimise the free weights over wavenumbers "
    '0 < k*h <= band (radians, at most pi, e.g. "pi/2"): least squares, or '
    "minimax with 'tolerance'",
    "objective": '"relative" (default) or "absolute" phase error for a '
    "least-squares 'band' design (absolute: Tam & Webb 1993)",
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
    backend: str = "numpy"
    parallel: bool = False
    design: DesignRequest | None = None


@dataclass(frozen=True)
class DesignRequest:
    """The optimisation of a designed stencil (``band``/``tolerance`` keys)."""

    band: float | None
    tolerance: float | None
    objective: str


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
    designed = any(fields.has(key) for key in ("band", "tolerance", "objective"))
    if designed:
        for key in ("backend", "parallel"):
            if fields.has(key):
                raise fields.error(
                    key,
                    "a designed stencil ('band'/'tolerance') renders with the NumPy "
                    f"backend only; remove '{key}'",
                )
        return _parse_designed(fields, m, grid, boundary, at)
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
    backend = fields.choice("backend", BACKENDS, default="numpy")
    missing = missing_library(backend)
    if missing:
        raise fields.error("backend", missing)
    if backend == "array-api" and grid == "coordinates":
        raise fields.error(
            "backend",
            'backend = "array-api" renders uniform grids; use backend = "numpy" or '
            '"numba" for grid = "coordinates"',
        )
    parallel = fields.boolean("parallel", default=False)
    if parallel and backend != "numba":
        raise fields.error(
            "parallel", 'parallel = true needs backend = "numba"; remove it'
        )
    return OperatorConfig(
        fields.name,
        m,
        accuracy,
        offsets,
        at,
        stencil,
        grid,
        boundary,
        backend,
        parallel,
    )


def _parse_designed(
    fields: Fields, m: int, grid: str, boundary: str, at: Fraction
) -> OperatorConfig:
    """A designed stencil: explicit offsets and an accuracy kept exactly.

    The rest of the weights are optimised in :func:`derive`
    (:mod:`stencilgen.design`); here only the cheap exact solve that proves some
    weight is free.
    """
    for key in ("offsets", "accuracy"):
        if not fields.has(key):
            raise fields.error(
                key,
                f"a designed stencil ('band'/'tolerance') needs '{key}': the points "
                "and the accuracy to keep exactly",
            )
    if grid != "uniform":
        raise fields.error("grid", 'designed stencils need grid = "uniform"')
    if fields.has("stencil"):
        raise fields.error("stencil", "give 'offsets' for a designed stencil")
    offsets = _integer_offsets(fields)
    accuracy = fields.integer("accuracy", minimum=1)
    objective = fields.choice("objective", ("relative", "absolute"), default="relative")
    band = tolerance = None
    try:
        if fields.has("band"):
            band = check_band(_band_value(fields))
        if fields.has("tolerance"):
            tolerance = check_tolerance(fields.raw("tolerance"))
    except StencilgenError as error:
        key = "band" if "band" in str(error) else "tolerance"
        raise fields.error(key, str(error)) from None
    if band is None and tolerance is None:
        raise fields.error(
            "objective", "a designed stencil needs 'band' or 'tolerance' (or both)"
        )
    try:
        fam = family(m, offsets, accuracy, at=at)
    except StencilgenError as error:
        raise fields.error("accuracy", str(error)) from None
    if fam.free == 0:
        raise fields.error(
            "accuracy",
            f"accuracy {accuracy} on offsets {list(offsets)} leaves no weight free to "
            "optimise; lower 'accuracy' or add offsets",
        )
    if not offsets[0] <= at <= offsets[-1]:
        raise fields.error(
            "at", f"{at} lies outside the offsets; choose a point between them"
        )
    return OperatorConfig(
        fields.name,
        m,
        accuracy,
        offsets,
        at,
        "designed",
        grid,
        boundary,
        design=DesignRequest(band, tolerance, objective),
    )


def _band_value(fields: Fields) -> float:
    value = fields.raw("band")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(parse_point(value))
        except StencilgenError as error:
            raise fields.error("band", str(error)) from None
    raise fields.error(
        "band", f'must be a number or text such as "pi/2", got {value!r}'
    )


def _designed_stencil(config: OperatorConfig) -> tuple[Stencil, Any]:
    """The designed interior stencil (exact weights) and the design behind it."""
    request = config.design
    assert request is not None
    result = design(
        config.derivative,
        config.offsets,
        config.accuracy,
        band=request.band,
        tolerance=request.tolerance,
        at=config.at,
        objective=request.objective,  # type: ignore[arg-type]
    )
    scheme = result.scheme
    assert scheme.error_order is not None and scheme.accuracy == config.accuracy
    stencil = Stencil(
        config.derivative,
        tuple(sympy.Integer(o) for o in config.offsets),
        sympy.Rational(config.at.numerator, config.at.denominator),
        tuple(sympy.Rational(w.numerator, w.denominator) for w in scheme.weights),
        config.accuracy,
        scheme.error_order,
        sympy.Rational(
            scheme.error_coefficient.numerator, scheme.error_coefficient.denominator
        ),
    )
    return stencil, result


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
    """Everything context and verify need, derived once by :func:`derive`.

    ``interior``, ``left`` and ``right`` are the engine's stencils (on a
    coordinate grid: on evenly spaced points, for the docstring and the checks),
    ``symbolic`` the interior stencil in the spacing symbols ``h_k`` (coordinate
    grids with a closed form only) and ``kernel`` what the templates render.
    """

    config: OperatorConfig
    interior: Stencil
    left: tuple[Edge, ...]
    right: tuple[Edge, ...]
    min_points: int
    kernel: Kernel | CoordinateKernel
    symbolic: Stencil | None = None
    design: Any = None  # the stencilgen.design.Design of a designed stencil

    @property
    def before(self) -> int:
        """Points the interior stencil reaches to the left."""
        return max(0, -self.config.offsets[0])

    @property
    def after(self) -> int:
        """Points the interior stencil reaches to the right."""
        return max(0, self.config.offsets[-1])


def derive(config: OperatorConfig) -> Plan:
    """All SymPy work of an operator entry: stencils, edge windows, kernel plan."""
    offsets = config.offsets
    m = config.derivative
    design_result = None
    if config.design is not None:
        interior, design_result = _designed_stencil(config)
    else:
        interior = _stencil(m, offsets, config.at)
    if config.grid == "uniform":
        assert interior.accuracy == config.accuracy, (config, interior.accuracy)
    width = offsets[-1] - offsets[0] + 1
    left: list[Edge] = []
    right: list[Edge] = []
    min_points = width
    if config.boundary == "one-sided":
        count = m + config.accuracy
        if config.grid == "coordinates":
            count = len(offsets)
        centre = Fraction(offsets[0] + offsets[-1], 2)
        for i in range(max(0, -offsets[0])):
            first = _window(centre, count, lowest=-i, highest=None)
            left.append(Edge(i, first, _edge_stencil(config, first, count)))
        for j in range(max(0, offsets[-1]), 0, -1):
            first = _window(centre, count, lowest=None, highest=j - 1)
            right.append(Edge(-j, first, _edge_stencil(config, first, count)))
        need = [width, count]
        need += [e.point + e.first + count for e in left]
        need += [-e.point - e.first for e in right]
        min_points = max(need)
    if config.grid == "coordinates":
        symbolic, spaced = _coordinate_kernel(config, left, right, min_points)
        return Plan(
            config, interior, tuple(left), tuple(right), min_points, spaced, symbolic
        )
    kernel = uniform_kernel(
        derivative=m,
        offsets=offsets,
        weights=interior.weights,
        boundary=config.boundary,
        left=[EdgeStencil(e.point, e.first, e.stencil.weights) for e in left],
        right=[EdgeStencil(e.point, e.first, e.stencil.weights) for e in right],
        min_points=min_points,
    )
    return Plan(
        config,
        interior,
        tuple(left),
        tuple(right),
        min_points,
        kernel,
        design=design_result,
    )


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


#: Windows up to this many points get the engine's closed form in the spacings;
#: wider ones the Lagrange formula evaluated per point (runtime/coordinates.py).
_CLOSED_FORM_POINTS = 4


def _symbolic_window(m: int, first: int, count: int) -> Stencil:
    """The stencil on a window, in the spacing symbols h_k (exact, symbolic)."""
    symbols = {
        k: sympy.Symbol(spacing_name(k)) for k in range(first, first + count - 1)
    }
    nodes = []
    for o in range(first, first + count):
        steps = range(0, o) if o > 0 else range(o, 0)
        total = sympy.Add(*[symbols[k] for k in steps])
        nodes.append(total if o >= 0 else -total)
    return _stencil(m, tuple(nodes))


def _coordinate_kernel(
    config: OperatorConfig,
    left: Sequence[Edge],
    right: Sequence[Edge],
    min_points: int,
) -> tuple[Stencil | None, CoordinateKernel]:
    m = config.derivative
    count = len(config.offsets)
    first = config.offsets[0]
    closed = count <= _CLOSED_FORM_POINTS

    def window(start: int, point: int | None) -> WeightWindow:
        weights = _symbolic_window(m, start, count).weights if closed else None
        return WeightWindow(start, count, weights, point)

    symbolic = _symbolic_window(m, first, count) if closed else None
    valid = config.boundary == "valid"
    lo, hi = max(0, -first), max(0, config.offsets[-1])
    kernel = CoordinateKernel(
        derivative=m,
        count=count,
        first=first,
        lo=lo,
        hi=hi,
        out_trim=count - 1 if valid else 0,
        min_points=min_points,
        interior=window(first, None),
        edges=tuple(window(e.first, e.point) for e in (*left, *right)),
        periodic=config.boundary == "periodic",
    )
    return symbolic, kernel


# ------------------------------------------------------------------ rendering


def _plain_ascii(text: str) -> str:
    """Mathematics of :mod:`stencilgen.design` in ASCII, for generated files."""
    for symbol, word in (("σ", "sigma"), ("θ", "theta"), ("∫ ", "integral of ")):
        text = text.replace(symbol, word)
    return text.replace("²", "**2").replace("<=", "<=")


def _one_d(offsets: Sequence[int], weights: Sequence[sympy.Expr], m: int) -> str:
    terms = [
        f"{'' if w == 1 else '-' if w == -1 else str(w) + '*'}{sample_text(o)}"
        for o, w in zip(offsets, weights, strict=True)
        if w != 0
    ]
    text = " + ".join(terms).replace("+ -", "- ")
    power = "h" if m == 1 else f"h**{m}"
    return f"({text}) / {power}"


def _weights_text(stencil: Stencil) -> str:
    return ", ".join(str(w) for w in stencil.weights)


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
        f"offsets: {display.offsets_text(c.offsets)}"
        + ("" if c.at == 0 else f"; evaluated at {c.at}"),
        *printing.wrap_terms(
            f"weights: {_weights_text(s)}", 80, rest="    ", separator=", "
        ),
        f"accuracy: {c.accuracy}",
        f"leading error: {display.ascii_text(s.leading_error)}",
    ]
    if p.design is not None:
        d = p.design
        lines += [
            "",
            f"Designed stencil: accuracy {c.accuracy} kept exactly (every Taylor "
            "condition holds",
            f"in rational arithmetic), the remaining {len(d.values)} weight(s) "
            f"chosen by {d.method}:",
            *printing.wrap_terms(
                f"{_plain_ascii(d.objective)}, value {d.objective_value:.6g};",
                80,
                first="    ",
                rest="    ",
            ),
            f"resolving efficiency {d.report.resolving_efficiency:.4f}, "
            f"{d.report.points_per_wavelength:.2f} points per wavelength at "
            f"tolerance {d.report.tolerance:g}.",
            "Weights to 17 significant digits:",
            *printing.wrap_terms(
                ", ".join(printing.float17(float(w)) for w in s.weights),
                80,
                first="    ",
                rest="    ",
                separator=", ",
            ),
        ]
    if coordinates:
        lines += [
            "",
            f"On a coordinate grid every point uses {len(c.offsets)} points, with",
            "weights from the engine's exact formulas in the local spacings",
            "h_k = x[i+k+1] - x[i+k] (h_0 = x[i+1] - x[i], h_m1 = x[i] - x[i-1]);",
            f"accuracy {c.accuracy} holds for any spacing.",
        ]
        symbolic = p.symbolic
        if symbolic is not None:
            lines += [
                "",
                "Interior weights, out[i] = sum of w[k, i]*f[i + first + k] with",
                f"first = {c.offsets[0]}:",
                "",
            ]
            for k, weight in enumerate(symbolic.weights):
                lines += printing.wrap_terms(
                    f"w[{k}, i] = {printing.expression(weight)}",
                    80,
                    first="    ",
                    rest="        ",
                )
            lines += [
                "",
                *printing.wrap_terms(
                    f"leading error: {display.ascii_text(symbolic.leading_error)}",
                    80,
                    rest="    ",
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
        if c.derivative >= 1 and c.offsets[0] <= 0 <= c.offsets[-1]:
            lines += [
                "",
                "A 1-D float64 f takes the interior from Newton's divided differences",
                "of the whole line (the same polynomial's derivative in fewer array",
                "passes; rounded otherwise, within a few eps of the terms' sizes).",
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


def _parameters(coordinates: bool, name: str, periodic: bool = False) -> list[str]:
    lines = [
        "Parameters",
        "----------",
        "f : array_like",
        "    Samples; integer input is converted to float64.",
    ]
    if coordinates:
        lines += [
            "x : array_like",
            "    Strictly monotonic 1-D coordinates along ``axis`` (optional for",
            "    a DataArray: the coordinate of ``dim``).",
        ]
    if coordinates and periodic:
        lines += [
            "period : float",
            "    Length of one period: ``x[0] + period`` is the point after",
            "    ``x[-1]`` (longer than the span of x).",
        ]
    else:
        lines += ["h : float, optional", "    Grid spacing (default 1.0)."]
    lines += [
        "axis : int, optional",
        "    Axis to differentiate along (default -1).",
        "out : ndarray, optional",
        "    Where to write the result (same shape as the result).",
        "dim : str, optional",
        "    xarray DataArray input: the dimension to differentiate along",
        "    (instead of ``axis``)"
        + ("; its coordinate is ``x`` unless given." if coordinates else "."),
        "    A dask array (or dask-backed DataArray) gives a lazy result,",
        "    bitwise equal to NumPy's.",
        *(
            [
                "datetime_unit : str, optional",
                "    The unit of time of a datetime coordinate ('s', 'h', ...).",
            ]
            if coordinates
            else []
        ),
        "",
        "Returns",
        "-------",
        "ndarray",
        "    Same dtype as ``f`` (float64 for integer input).",
    ]
    return lines


def _module_doc(entry: Entry, p: Plan) -> str:
    c = p.config
    grid = "coordinate" if c.grid == "coordinates" else "uniform"
    family = {"offsets": "explicit offsets", "designed": "designed (optimised)"}.get(
        c.stencil, c.stencil
    )
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


def context(entry: Entry, plan: Plan) -> dict[str, Any]:
    """The strings ``operator.j2`` prints (printing only: no derivation)."""
    coordinates = plan.config.grid == "coordinates"
    doc = [
        *_docstring(entry, plan, coordinates),
        "",
        *_parameters(coordinates, plan.config.name, plan.config.boundary == "periodic"),
    ]
    return {
        "module_doc": _module_doc(entry, plan),
        "name": plan.config.name,
        "docstring": printing.docstring(doc),
        "coordinates": coordinates,
        "kernel": kernel_context(plan.kernel),
        "backend": plan.config.backend,
        "lazy_halo": lazy_context(plan.kernel),
        "parallel": plan.config.parallel,
        "nb": numba_context(plan.kernel) if plan.config.backend == "numba" else {},
        "xp": array_api_context(plan.kernel)
        if plan.config.backend == "array-api"
        else {},
    }


# ---------------------------------------------------------------- verification


def verify(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Polynomial exactness and measured convergence, interior and edges.

    First derivatives with one-sided edges also get the advection check of
    their closures (a flagged note when an eigenvalue enters the right
    half-plane; :mod:`stencilgen.kinds._closure_checks`).
    """
    rows = _operator_checks.check(plan, module)
    c = plan.config
    if c.derivative == 1 and c.boundary == "one-sided" and c.grid == "uniform":
        function = getattr(module, c.name)

        def matrix(n: int) -> Any:
            return function(np.eye(n), 1 / (n - 1), axis=0)

        rows.append(_closure_checks.advection_row(c.name, c.name, matrix))
    return rows
