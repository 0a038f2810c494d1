"""The ``nd`` kind: a linear operator such as ``u_xx + u_yy`` on N-D arrays.

A spec entry with ``expression = "..."`` (instead of ``derivative``) builds a
module with (uniform grid)::

    name(u, h=1.0, axes=None, out=None)

or (``grid = "coordinates"``)::

    name(u, coords, axes=None, out=None)       # one coordinate array per dim

and, with ``matrix = true``::

    name_matrix(shape, h=1.0, bc="dirichlet")  # scipy.sparse CSR
    name_system(shape, h=1.0, bc="dirichlet")  # (M, C, D, unknown)
    name_rhs(f, u, h=1.0, bc="dirichlet", du=None)

The operator is the engine's default construction (:mod:`stencilgen.nd`): sums
of 1-D central stencils and tensor products of them. The interior is one fused
stencil applied in cache-sized blocks; with ``boundary = "one-sided"`` the points
near edges and corners compose the 1-D operators, one-sided at the edges with the
same accuracy; ``periodic`` wraps; ``valid`` returns the interior only. On
coordinate grids every 1-D factor uses ``derivative + accuracy`` points with the
Lagrange weights of its local spacings, so every derivative, mixed ones included,
keeps the accuracy on any grid. Matrices: ``templates/runtime/nd_matrix.py``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sympy

from stencilgen import printing
from stencilgen.backends import (
    BACKENDS,
    missing_library,
    nd_interior_statements,
    nd_numba_context,
)
from stencilgen.errors import StencilgenError
from stencilgen.kinds import _nd_checks
from stencilgen.nd import Operator, operator
from stencilgen.nd_language import derivative_name, parse_operator, plain
from stencilgen.nd_tables import AxisTable, matrix_terms

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields
    from stencilgen.verify import VerifyRow

__all__ = [
    "DEFINES",
    "KEYS",
    "KIND",
    "RESERVED",
    "SOURCES",
    "TEMPLATE",
    "NDConfig",
    "Plan",
    "context",
    "derive",
    "parse",
    "verify",
]

KIND = "nd"
TEMPLATE = "nd.j2"
SOURCES = ("stencilgen.nd", "stencilgen.nd_language", "stencilgen.nd_tables")
DEFINES: tuple[str, ...] = ("{name}", "{name}_matrix", "{name}_system", "{name}_rhs")
RESERVED: frozenset[str] = frozenset({"functools", "math", "np", "operator"})

KEYS: Mapping[str, str] = {
    "expression": 'the linear operator in u, e.g. "u_xx + u_yy" or "u_xy" '
    "(required; numbers as coefficients)",
    "accuracy": "order of accuracy in the grid steps, even (default 2)",
    "boundary": '"one-sided" (default: same-shape output, one-sided stencils of '
    'the same accuracy at edges and corners), "periodic" or "valid" (interior '
    "points only, shorter output); or a list with one per variable",
    "grid": '"uniform" (default: one step per dimension) or "coordinates" (one '
    "coordinate array per dimension)",
    "matrix": "true adds name_matrix(shape, h, bc), name_system and name_rhs "
    "(scipy.sparse; bc dirichlet, neumann or periodic per side)",
    "backend": '"numpy" (default), "numba" (the interior as one compiled, fused '
    'loop) or "array-api" (functional code for torch, CuPy, JAX, '
    "array-api-strict and NumPy); the other backends take uniform grids, "
    "numeric coefficients and no matrix",
}

GRIDS = ("uniform", "coordinates")
BOUNDARIES = ("one-sided", "periodic", "valid")
#: Values per block of the fused interior loop.
BLOCK = 32768


@dataclass(frozen=True)
class NDConfig:
    """A validated ``nd`` entry (see :data:`KEYS`)."""

    name: str
    expression: str
    accuracy: int
    boundary: str
    grid: str
    matrix: bool
    flux: tuple[tuple[str, str], ...] = ()
    boundaries: tuple[str, ...] = ()
    backend: str = "numpy"

    @property
    def sides(self) -> tuple[str, ...]:
        """The boundary of each dimension (``boundaries``, or ``boundary`` for all)."""
        return self.boundaries


def parse(fields: Fields) -> NDConfig:
    """Validate an ``nd`` entry: cheap checks, every error names the key."""
    text = fields.string("expression")
    if ")_" in text.replace(" ", ""):
        return _parse_flux(fields, text)
    try:
        op = parse_operator(text)
    except StencilgenError as error:
        raise fields.error("expression", str(error)) from None
    for alpha, coefficient in op.terms.items():
        number, rest = coefficient.as_coeff_Mul()
        if not (rest == 1 or (isinstance(rest, sympy.Symbol) and number.is_Rational)):
            raise fields.error(
                "expression",
                f"the coefficient {coefficient} of {derivative_name(alpha, op.dims)} "
                "must be a number or a number times one name (an array argument, "
                "as in k*u_xx)",
            )
        if sum(alpha) == 0:
            raise fields.error(
                "expression",
                "a term without derivatives (the function itself) is not supported "
                "in generated operators; remove it",
            )
    accuracy = fields.integer("accuracy", minimum=1, default=2)
    if accuracy % 2:
        raise fields.error(
            "accuracy",
            f"central stencils have even accuracy; use {accuracy + 1} instead of "
            f"{accuracy}",
        )
    if accuracy > 8:
        raise fields.error("accuracy", "at most 8; rounding makes more useless")
    boundaries = _boundaries(fields, len(op.dims))
    boundary = boundaries[0] if len(set(boundaries)) == 1 else "mixed"
    grid = fields.choice("grid", GRIDS, default="uniform")
    if grid == "coordinates" and boundary != "one-sided":
        raise fields.error(
            "boundary", 'coordinate grids support boundary = "one-sided" only'
        )
    matrix = fields.boolean("matrix", default=False)
    if matrix and grid == "coordinates":
        raise fields.error("matrix", 'matrices need grid = "uniform"; remove matrix')
    variable = any(not c.is_number for c in op.terms.values())
    if matrix and variable:
        raise fields.error(
            "matrix",
            "matrices need numeric coefficients; for a coefficient array use the "
            "flux form (k*u_x)_x + (k*u_y)_y",
        )
    if variable and grid == "coordinates":
        raise fields.error(
            "grid", 'coefficient arrays need grid = "uniform"; remove grid'
        )
    backend = _backend(fields, grid, matrix, variable)
    return NDConfig(
        fields.name, text, accuracy, boundary, grid, matrix, (), boundaries, backend
    )


def _backend(fields: Fields, grid: str, matrix: bool, variable: bool) -> str:
    """``backend``: the other backends render uniform grids with numeric terms."""
    backend = fields.choice("backend", BACKENDS, default="numpy")
    if backend == "numpy":
        return backend
    missing = missing_library(backend)
    if missing:
        raise fields.error("backend", missing)
    unsupported = (
        'grid = "coordinates"'
        if grid == "coordinates"
        else "coefficient arrays"
        if variable
        else "matrix = true"
        if matrix
        else None
    )
    if unsupported:
        raise fields.error(
            "backend",
            f'backend = "{backend}" renders N-D operators on uniform grids with '
            f"numeric coefficients and no matrix, not {unsupported}; use backend = "
            '"numpy" for it',
        )
    return backend


def _boundaries(fields: Fields, ndim: int) -> tuple[str, ...]:
    """``boundary``: one name for every dimension, or a list with one per dimension."""
    value = fields.raw("boundary", "one-sided")
    if isinstance(value, list):
        if len(value) != ndim or not all(v in BOUNDARIES for v in value):
            raise fields.error(
                "boundary",
                f"give one name or a list of {ndim} names (one per variable, in "
                f"alphabetical order) from {', '.join(BOUNDARIES)}",
            )
        return tuple(value)
    return (fields.choice("boundary", BOUNDARIES, default="one-sided"),) * ndim


_FLUX_TERM = r"\(\s*([A-Za-z_]\w*)\s*\*\s*u_([a-z])\s*\)\s*_([a-z])"
_FLUX = re.compile(rf"\s*{_FLUX_TERM}(?:\s*\+\s*{_FLUX_TERM})*\s*")


def _parse_flux(fields: Fields, text: str) -> NDConfig:
    """A conservative flux form ``(k*u_x)_x + (k*u_y)_y``: compact, accuracy 2."""
    if _FLUX.fullmatch(text) is None:
        raise fields.error(
            "expression",
            "a flux form is a sum of terms (k*u_x)_x, one per variable, with k the "
            'name of a coefficient array, e.g. "(k*u_x)_x + (k*u_y)_y"',
        )
    terms = []
    for name, inner, outer in re.findall(_FLUX_TERM, text):
        if inner != outer:
            raise fields.error(
                "expression",
                f"({name}*u_{inner})_{outer} mixes two variables; a flux form takes "
                "(k*u_x)_x terms",
            )
        if keyword.iskeyword(name) or name in ("u", "h", "np", "math", "operator"):
            raise fields.error(
                "expression", f"{name!r} cannot name a coefficient array; rename it"
            )
        terms.append((name, inner))
    dims = [d for _, d in terms]
    if len(set(dims)) != len(dims):
        raise fields.error("expression", "each variable may have one flux term")
    if any(name in dims or name == f"h_{d}" for name, _ in terms for d in dims):
        raise fields.error(
            "expression", "a coefficient name is also a variable or a step; rename it"
        )
    accuracy = fields.integer("accuracy", minimum=1, default=2)
    if accuracy != 2:
        raise fields.error(
            "accuracy", "the compact flux form has accuracy 2; set accuracy = 2"
        )
    boundary = fields.choice("boundary", ("periodic", "valid"), default="valid")
    if fields.choice("backend", BACKENDS, default="numpy") != "numpy":
        raise fields.error(
            "backend",
            'the flux form renders with backend = "numpy" only; remove backend',
        )
    if fields.choice("grid", GRIDS, default="uniform") != "uniform":
        raise fields.error("grid", 'the flux form needs grid = "uniform"')
    matrix = fields.boolean("matrix", default=False)
    return NDConfig(
        fields.name,
        text,
        2,
        boundary,
        "uniform",
        matrix,
        tuple(sorted(terms, key=lambda t: t[1])),
        (boundary,) * len(terms),
    )


@dataclass(frozen=True)
class Plan:
    """Everything context and verify need, derived once.

    ``groups`` is the fused interior stencil: points sharing one exact weight
    (an expression in the step symbols) go together; ``merges`` the groups (by
    index, more than one each) whose weights are equal when all steps are (the
    x, y, ... pairs of a Laplacian): with equal constants at call time the
    generated code sums their points before one multiply (one ufunc pass fewer
    per group merged into another); ``terms`` and ``tables`` the
    operator as a sum of compositions of 1-D stencils; ``reach`` how far the
    stencil reaches along each dimension.
    """

    config: NDConfig
    operator: Operator
    groups: tuple[tuple[sympy.Expr, tuple[tuple[int, ...], ...]], ...]
    terms: tuple[tuple[sympy.Expr, tuple[str | None, ...]], ...]
    tables: dict[str, AxisTable]
    reach: tuple[int, ...]
    min_points: int
    merges: tuple[tuple[int, ...], ...] = ()

    @property
    def coefficients(self) -> tuple[str, ...]:
        """Names of the coefficient arrays (variable coefficients), sorted."""
        return tuple(
            sorted(
                {s.name for c in self.operator.terms.values() for s in c.free_symbols}
            )
        )


def derive(config: NDConfig) -> Plan:
    """All SymPy work: the operator, its 1-D factors and the fused stencil."""
    if config.flux:
        # With k = 1 the flux form is this Laplacian: its reach and docstring.
        laplacian = " + ".join(f"u_{d}{d}" for _, d in config.flux)
        op = operator(laplacian, 2)
        return Plan(config, op, (), (), {}, (1,) * len(config.flux), 3)
    op = operator(config.expression, config.accuracy)
    terms, tables = matrix_terms(op, symbols=True)
    groups: dict[sympy.Expr, list[tuple[int, ...]]] = {}
    for point, weight in zip(op.points, op.weights, strict=True):
        groups.setdefault(sympy.expand(weight), []).append(point)
    reach = tuple(max(abs(p[d]) for p in op.points) for d in range(len(op.dims)))
    # Groups whose weights coincide for equal steps (h_x = h_y = ...).
    h = sympy.Symbol("h", positive=True)
    classes: dict[sympy.Expr, list[int]] = {}
    for number, weight in enumerate(groups):
        if weight.free_symbols <= set(op.steps):
            same = sympy.simplify(weight.subs({s: h for s in op.steps}))
            classes.setdefault(same, []).append(number)
    merges = tuple(tuple(c) for c in classes.values() if len(c) > 1)
    min_points = max([t.points for t in tables.values()] + [2 * r + 1 for r in reach])
    return Plan(
        config,
        op,
        tuple((w, tuple(points)) for w, points in groups.items()),
        tuple(terms),
        tables,
        reach,
        min_points,
        merges,
    )


# ------------------------------------------------------------------ rendering


class _Raw(str):
    """Text printed as it is (a pre-printed number or name)."""

    __slots__ = ()


def _pretty(value: Any, indent: int, prefix: str, suffix: str) -> str:
    """A literal laid out as ruff formats it: inline if it fits, else exploded.

    ``prefix`` is what precedes the value on its line (``_TABLES = `` or a dict
    key), ``suffix`` what follows (``,`` inside a container).
    """
    pad = " " * indent
    if isinstance(value, _Raw):
        return value
    if isinstance(value, str):
        return printing.string(value)
    if isinstance(value, dict):
        items = [(f"{_pretty(k, 0, '', '')}: ", v) for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [("", v) for v in value]
        opening, closing = "(", ")"
    inline_items = [key + _pretty(v, 0, "", "") for key, v in items]
    single = "," if opening == "(" and len(items) == 1 else ""
    inline = opening + ", ".join(inline_items) + single + closing
    if (
        "\n" not in inline
        and len(pad + prefix + inline + suffix) <= printing.LINE_LENGTH
    ):
        return inline
    lines = [opening]
    for key, v in items:
        text = _pretty(v, indent + 4, key, ",")
        lines.append(f"{pad}    {key}{text},")
    lines.append(f"{pad}{closing}")
    return "\n".join(lines)


def _table_value(table: AxisTable) -> dict[str, Any]:
    def numbers(values: Sequence[Any]) -> tuple[_Raw, ...]:
        return tuple(_Raw(printing.number(v)) for v in values)

    def ints(values: Sequence[int]) -> tuple[_Raw, ...]:
        return tuple(_Raw(str(v)) for v in values)

    nodes, values, datum = table.neumann
    return {
        "derivative": _Raw(str(table.derivative)),
        "offsets": ints(table.offsets),
        "weights": numbers(table.weights),
        "edges": tuple((ints(o), numbers(w)) for o, w in table.edges),
        "neumann": (ints(nodes), numbers(values), _Raw(printing.number(datum))),
        "points": _Raw(str(table.points)),
    }


def _tuple(values: Sequence[Any]) -> str:
    items = [str(v) for v in values]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _docstring(entry: Entry, plan: Plan) -> list[str]:
    op = plan.operator
    c = plan.config
    dims = ", ".join(op.dims)
    steps = ", ".join(h.name for h in op.steps)
    lines = [
        f"{op.expression} on the last {len(op.dims)} axes of u (or ``axes``), "
        f"accuracy {op.accuracy}.",
        "",
        f"Variables ({dims}) with steps ({steps}); interior points:",
        "",
    ]
    samples = [
        "u[" + ", ".join(_index(d, o) for d, o in zip(op.dims, p, strict=True)) + "]"
        for p in op.points
    ]
    formula = " + ".join(
        f"({printing.expression(w)})*{sample}"
        for sample, w in zip(samples, op.weights, strict=True)
    )
    lines += printing.wrap_terms(
        f"out[{', '.join('i_' + d for d in op.dims)}] = {formula}",
        80,
        first="    ",
        rest="        ",
    )
    lines += [
        "",
        *printing.wrap_terms(
            f"leading error: {plain(op.leading_error, op.dims)}", 80, rest="    "
        ),
        "(approximation - exact; u_xxxx is the fourth derivative in x)",
        "",
    ]
    if c.grid == "coordinates":
        lines += [
            "Coordinate grid: each 1-D factor uses derivative + accuracy points with",
            "the Lagrange weights of the local spacings, so the accuracy holds on",
            "any grid, for mixed derivatives too (composed 1-D derivatives).",
        ]
    else:
        sides = ", ".join(f"{d}: {b}" for d, b in zip(op.dims, c.sides, strict=True))
        lines += [f"Boundaries ({sides}):"]
        if "one-sided" in c.sides:
            lines += [
                "one-sided: at edges and corners the terms' 1-D derivatives are",
                f"composed, each one-sided with accuracy {op.accuracy}; full length.",
            ]
        if "periodic" in c.sides:
            lines += ["periodic: indices wrap around; full length."]
        if "valid" in c.sides:
            lines += [
                "valid: interior points only, 2*reach fewer (reach "
                f"{_tuple(plan.reach)});",
                "out[j] is point j + reach.",
            ]
    lines += ["", "Spec entry::", ""] + [
        "    " + line for line in entry.toml.split("\n")
    ]
    lines += [
        "",
        "Parameters",
        "----------",
        "u : array_like",
        "    Samples; integer input is converted to float64.",
    ]
    for name in plan.coefficients:
        lines += [
            f"{name} : array_like",
            "    Coefficient values at the grid points (broadcast to u's shape).",
        ]
    if c.grid == "coordinates":
        lines += [
            "coords : sequence of array_like",
            "    One strictly monotonic 1-D coordinate array per variable, in the",
            f"    order ({dims}).",
        ]
    else:
        lines += [
            "h : float or sequence of float, optional",
            f"    One step for every variable, or one per variable ({dims}).",
        ]
    lines += [
        "axes : sequence of int, optional",
        f"    The array axes of ({dims}); default the last {len(op.dims)} axes.",
        "out : ndarray, optional",
        "    Where to write the result.",
        "",
        "Returns",
        "-------",
        "ndarray",
        "    Same dtype as ``u`` (float64 for integer input).",
    ]
    return lines


def _index(dim: str, offset: int) -> str:
    if offset == 0:
        return f"i_{dim}"
    return f"i_{dim} {'-' if offset < 0 else '+'} {abs(offset)}"


def _flux_context(entry: Entry, plan: Plan) -> dict[str, Any]:
    c = plan.config
    dims = [d for _, d in c.flux]
    names = list(dict.fromkeys(name for name, _ in c.flux))
    steps = ", ".join(f"h_{d}" for d in dims)
    index = ", ".join(f"i_{d}" for d in dims)
    lines = [
        f"A flux-form operator, accuracy 2, on the last {len(dims)} axes of u.",
        "",
        *printing.wrap_terms(c.expression, 80, first="    ", rest="    "),
        "",
        "The compact conservative scheme, k at the half points as the arithmetic",
        "mean k[i+1/2] = (k[i] + k[i+1]) / 2; along each variable d:",
        "",
        "    ((k*u_d)_d)[i] = (k[i+1/2]*(u[i+1] - u[i]) - k[i-1/2]*(u[i] - u[i-1]))",
        "                     / h_d**2",
        "",
        "Three points per axis (no odd-even decoupling), exact for u quadratic and k",
        "linear; leading error O(h**2) for smooth k. Its matrix is symmetric.",
        "",
        "Boundary: "
        + (
            "periodic (indices wrap around)."
            if c.boundary == "periodic"
            else f"valid: out[{index}] is the value at the interior point i + 1."
        ),
        "",
        "Spec entry::",
        "",
        *["    " + line for line in entry.toml.split("\n")],
        "",
        "Parameters",
        "----------",
        "u : array_like",
        "    Samples; integer input is converted to float64.",
        *[
            line
            for name in names
            for line in (
                f"{name} : array_like",
                "    The coefficient at the grid points (broadcast to u's shape).",
            )
        ],
        "h : float or sequence of float, optional",
        f"    One step for every variable, or one per variable ({', '.join(dims)}).",
        "axes : sequence of int, optional",
        f"    The array axes of ({', '.join(dims)}); default the last {len(dims)}.",
        "out : ndarray, optional",
        "    Where to write the result.",
        "",
        "Returns",
        "-------",
        "ndarray",
        "    Same dtype as ``u`` (float64 for integer input).",
    ]
    return {
        "module_doc": printing.docstring(
            [
                f"Flux-form operator {c.expression}, accuracy 2.",
                "",
                f"{c.boundary.capitalize()} boundary, uniform grid, "
                f"{len(dims)}-D arrays.",
                "Standalone: needs only numpy"
                + (" (scipy inside the matrix functions)." if c.matrix else "."),
            ],
            level=0,
        ),
        "name": c.name,
        "backend": "numpy",
        "flux": True,
        "default_bc": "periodic" if c.boundary == "periodic" else "dirichlet",
        "docstring": printing.docstring(lines),
        "ndim": len(dims),
        "steps": steps,
        "coefficients": names,
        "ks": _tuple([name for name, _ in c.flux]),
        "matrix": c.matrix,
        "boundary": c.boundary,
        "all": [
            printing.string(n.format(name=c.name))
            for n in sorted(DEFINES if c.matrix else DEFINES[:1])
        ],
    }


def _needs(c: NDConfig) -> list[str]:
    """The module docstring's lines on what the module imports."""
    if c.backend == "numba":
        return ["Standalone: needs numpy and numba (the interior is compiled)."]
    if c.backend == "array-api":
        return [
            "Standalone: needs numpy and array_api_compat (the array-API backend:",
            "NumPy, torch, CuPy, JAX, array-api-strict, ... arrays in and out).",
        ]
    return [
        "Standalone: needs only numpy"
        + (" (scipy inside the matrix functions)." if c.matrix else ".")
    ]


def context(entry: Entry, plan: Plan) -> dict[str, Any]:
    """The strings ``nd.j2`` prints (printing only)."""
    if plan.config.flux:
        return _flux_context(entry, plan)
    op = plan.operator
    names = {h.name: h.name for h in op.steps}
    groups = []
    for number, (weight, points) in enumerate(plan.groups):
        groups.append(
            {
                "constant": f"c{number}",
                "value": printing.expression(weight, names),
                "views": [_tuple(p) for p in points],
                "meaning": ", ".join(_tuple(p) for p in points),
            }
        )
    # With equal constants at call time (see Plan.merges): each class's points
    # summed in group order, times the first group's constant.
    merged: list[tuple[str, list[tuple[int, ...]]]] = []
    first = {m[0]: m for m in plan.merges}
    later = {k for m in plan.merges for k in m[1:]}
    for number in range(len(plan.groups)):
        if number not in later:
            members = first.get(number, (number,))
            merged.append(
                (f"c{number}", [p for k in members for p in plan.groups[k][1]])
            )
    merge_test = " and ".join(f"c{m[0]} == c{k}" for m in plan.merges for k in m[1:])
    merged_groups = [
        {"constant": name, "views": [_tuple(p) for p in points]}
        for name, points in merged
    ]
    c = plan.config
    ndim = len(op.dims)
    sides = c.sides
    trim = tuple(
        2 * r if b == "valid" else 0 for r, b in zip(plan.reach, sides, strict=True)
    )
    shift = tuple(
        0 if b == "one-sided" else r for r, b in zip(plan.reach, sides, strict=True)
    )
    pad = tuple(
        r if b == "periodic" else 0 for r, b in zip(plan.reach, sides, strict=True)
    )
    sided = tuple(b == "one-sided" for b in sides)
    return {
        "module_doc": printing.docstring(
            [
                f"N-D operator {op.expression}, accuracy {op.accuracy}.",
                "",
                f"{c.boundary.capitalize()} boundary, {c.grid} grid, {ndim}-D arrays."
                if c.boundary != "mixed"
                else f"Boundaries {_tuple(sides)}, {c.grid} grid, {ndim}-D arrays.",
                *_needs(c),
                "The function docstrings hold the formula, the exact weights and the",
                "error term.",
            ],
            level=0,
        ),
        "name": c.name,
        "backend": c.backend,
        "xp_statements": nd_interior_statements(
            [
                (f"c{k}", [f"view({_tuple(p)})" for p in points])
                for k, (_, points) in enumerate(plan.groups)
            ],
            16 if plan.merges else 12,
        ),
        "nb": nd_numba_context(
            [(f"c{k}", list(points)) for k, (_, points) in enumerate(plan.groups)],
            plan.reach,
            shift,
        )
        if c.backend == "numba"
        else {},
        "merge_test": merge_test,
        "merged_groups": merged_groups,
        "xp_merged_statements": nd_interior_statements(
            [(k, [f"view({_tuple(p)})" for p in points]) for k, points in merged],
            16,
        )
        if merge_test
        else [],
        "nb_merged": nd_numba_context(merged, plan.reach, shift)
        if c.backend == "numba" and merge_test
        else {},
        "docstring": printing.docstring(_docstring(entry, plan)),
        "ndim": ndim,
        "steps": ", ".join(h.name for h in op.steps),
        "groups": groups,
        "coordinates": c.grid == "coordinates",
        "boundary": c.boundary,
        "matrix": c.matrix,
        "reach": _tuple(plan.reach),
        "trim": _tuple(trim),
        "shift": _tuple(shift),
        "pad": _tuple(pad) if any(pad) else None,
        "sided": _tuple(sided) if any(sided) else None,
        "fold": ndim > 1 and sided[-1],
        "xp_sided": _tuple(sided),
        "box": _tuple(
            [
                f"(0, sizes[{d}])" if b == "one-sided" else f"({r}, sizes[{d}] - {r})"
                for d, (r, b) in enumerate(zip(plan.reach, sides, strict=True))
            ]
        ),
        "min_points": plan.min_points,
        "block": BLOCK,
        "flux": False,
        "default_bc": "periodic" if c.boundary == "periodic" else "dirichlet",
        "coefficients": list(plan.coefficients),
        "variable_terms": [
            {
                "coefficient": printing.number(coefficient)
                if coefficient.is_number
                else printing.expression(coefficient),
                "factors": _tuple([printing.string(k) if k else "None" for k in keys]),
            }
            for coefficient, keys in plan.terms
        ],
        "all": [
            printing.string(n.format(name=c.name))
            for n in sorted(DEFINES if c.matrix else DEFINES[:1])
        ],
        "terms": None
        if plan.coefficients
        else _pretty(
            tuple(
                (
                    _Raw(printing.number(coefficient)),
                    tuple(key if key else _Raw("None") for key in keys),
                )
                for coefficient, keys in plan.terms
            ),
            0,
            "_TERMS = ",
            "",
        ),
        "tables": _pretty(
            {key: _table_value(t) for key, t in sorted(plan.tables.items())},
            0,
            "_TABLES = ",
            "",
        ),
    }


# ---------------------------------------------------------------- verification


def verify(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Polynomial exactness, convergence (interior, edges, corners), matrices."""
    if plan.config.flux:
        return _nd_checks.check_flux(plan, module)
    return _nd_checks.check(plan, module)
