"""The ``compact`` kind: a compact (Padé) derivative along an axis of an N-D array.

A spec entry of this kind builds a module with one function::

    name(f, h=1.0, axis=-1, out=None)

that applies the central compact scheme of :mod:`stencilgen.compact` (Lele 1992)
along ``axis``: ``boundary = "periodic"`` solves the cyclic system (the runtime
helper ``templates/runtime/compact.py`` inverts its circulant left-hand side
with a short cascade of strided filters, or on lines of up to 1024 points by
LAPACK's tridiagonal / banded Cholesky solve when SciPy is installed),
``"one-sided"`` puts explicit one-sided stencils of the same accuracy in the
first and last rows and solves the interior's symmetric positive definite
system (LAPACK when SciPy is installed, the cascade or numpy elimination
otherwise).

Verification (the build's table): measured convergence order on a smooth wave,
every Fourier mode against the exact symbol (periodic), exactness on
polynomials (one-sided), and for first derivatives the advection eigenvalues of
the closures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from stencilgen import printing
from stencilgen.compact import CompactScheme, compact_scheme
from stencilgen.design import design, family
from stencilgen.errors import StencilgenError
from stencilgen.kinds._closure_checks import advection_row
from stencilgen.spectrum import check_tolerance
from stencilgen.verify import (
    POLYNOMIAL_TOLERANCE,
    VerifyRow,
    order_ok,
    polynomial_cases,
    relative_error,
    stable_order,
)

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields

__all__ = [
    "DEFINES",
    "KEYS",
    "KIND",
    "RESERVED",
    "SOURCES",
    "TEMPLATE",
    "CompactConfig",
    "Plan",
    "context",
    "derive",
    "parse",
    "verify",
]

KIND = "compact"
TEMPLATE = "compact.j2"
DEFINES: tuple[str, ...] = ("{name}",)
RESERVED: frozenset[str] = frozenset({"functools", "math", "np", "operator"})
SOURCES: tuple[str, ...] = (
    "stencilgen.compact",
    "stencilgen.design",
    "stencilgen.spectrum",
    "stencilgen.kinds._closure_checks",
)

KEYS: Mapping[str, str] = {
    "derivative": "which derivative, a whole number >= 1 (required)",
    "accuracy": "order of accuracy, even (required): the scheme is the unique "
    "one of that accuracy for the widths",
    "lhs_width": "neighbours on each side of the left-hand side: 1 tridiagonal "
    "(default), 2 pentadiagonal",
    "boundary": '"periodic" (default: a cyclic solve) or "one-sided" (explicit '
    "one-sided stencils of the same accuracy in the edge rows, banded solve)",
    "rhs_width": "samples on each side of the right-hand side (default: the "
    "fewest that reach 'accuracy'; required with 'tolerance')",
    "tolerance": "optimised scheme: 'accuracy' kept exactly, the free weights give "
    "the widest wavenumber band within this relative phase error (minimax, e.g. "
    "1e-3; stencilgen design --lhs)",
}

BOUNDARIES = ("periodic", "one-sided")


@dataclass(frozen=True)
class CompactConfig:
    """A validated compact entry."""

    name: str
    derivative: int
    accuracy: int
    lhs_width: int
    boundary: str
    rhs_width: int | None = None
    tolerance: float | None = None


def parse(fields: Fields) -> CompactConfig:
    """Validate a compact entry (see :data:`KEYS`)."""
    m = fields.integer("derivative", minimum=1)
    accuracy = fields.integer("accuracy", minimum=2)
    width = fields.integer("lhs_width", minimum=1, default=1)
    boundary = fields.choice("boundary", BOUNDARIES, default="periodic")
    if fields.has("tolerance"):
        return _parse_optimised(fields, m, accuracy, width, boundary)
    if fields.has("rhs_width"):
        rhs = fields.integer("rhs_width", minimum=1)
        if accuracy != 2 * (width + rhs):
            raise fields.error(
                "rhs_width",
                f"lhs_width {width} and rhs_width {rhs} make the unique scheme of "
                f"accuracy {2 * (width + rhs)}, not {accuracy}; leave 'rhs_width' "
                "out, or add 'tolerance' to optimise the free weights",
            )
    if accuracy % 2:
        raise fields.error(
            "accuracy",
            f"central compact schemes have even accuracy, got {accuracy}; use "
            f"{accuracy - 1 if accuracy > 2 else 2} or {accuracy + 1}",
        )
    if width > 3 or accuracy > 16:
        raise fields.error(
            "accuracy" if accuracy > 16 else "lhs_width",
            "compact schemes up to accuracy 16 and lhs_width 3 are offered "
            "(rounding makes wider ones useless); lower it",
        )
    if accuracy < 2 * (width + 1):
        raise fields.error(
            "accuracy",
            f"lhs_width {width} needs accuracy >= {2 * (width + 1)} for a unique "
            f"scheme; raise 'accuracy' or lower 'lhs_width'",
        )
    return CompactConfig(fields.name, m, accuracy, width, boundary)


def _parse_optimised(
    fields: Fields, m: int, accuracy: int, width: int, boundary: str
) -> CompactConfig:
    """An optimised scheme: widths, an accuracy kept exactly and a tolerance."""
    if not fields.has("rhs_width"):
        raise fields.error(
            "rhs_width",
            "an optimised scheme ('tolerance') needs 'rhs_width', the samples on "
            "each side of the right-hand side, e.g. 3",
        )
    rhs = fields.integer("rhs_width", minimum=1)
    if width > 3 or rhs > 8:
        raise fields.error(
            "rhs_width",
            "optimised schemes up to lhs_width 3 and rhs_width 8 are offered; "
            "lower them",
        )
    try:
        tolerance = check_tolerance(fields.raw("tolerance"))
    except StencilgenError as error:
        raise fields.error("tolerance", str(error)) from None
    if accuracy % 2:
        raise fields.error("accuracy", "central compact schemes have even accuracy")
    try:
        fam = family(m, range(-rhs, rhs + 1), accuracy, range(-width, width + 1))
    except StencilgenError as error:
        raise fields.error("accuracy", str(error)) from None
    if fam.free == 0:
        raise fields.error(
            "accuracy",
            f"accuracy {accuracy} with lhs_width {width} and rhs_width {rhs} leaves "
            "no weight free to optimise; lower 'accuracy' or widen the scheme",
        )
    return CompactConfig(fields.name, m, accuracy, width, boundary, rhs, tolerance)


@dataclass(frozen=True)
class Plan:
    """The exact scheme and its closures, derived once."""

    config: CompactConfig
    scheme: CompactScheme
    left: tuple[tuple[tuple[int, Fraction], ...], ...]
    right: tuple[tuple[tuple[int, Fraction], ...], ...]
    min_points: int
    design: Any = None  # the stencilgen.design.Design of an optimised scheme


def derive(config: CompactConfig) -> Plan:
    """All exact work: the scheme's weights and the closure rows."""
    if config.tolerance is not None:
        assert config.rhs_width is not None
        R, L = config.rhs_width, config.lhs_width
        result = design(
            config.derivative,
            range(-R, R + 1),
            config.accuracy,
            tolerance=config.tolerance,
            lhs_offsets=range(-L, L + 1),
        )
        return _plan(config, CompactScheme(result.scheme), result)
    try:
        scheme = compact_scheme(config.derivative, config.accuracy, config.lhs_width)
    except StencilgenError as error:  # pragma: no cover - parse keeps it valid
        raise StencilgenError(f"[{config.name}]: {error}") from None
    return _plan(config, scheme, None)


def _plan(config: CompactConfig, scheme: CompactScheme, result: Any) -> Plan:
    if config.boundary == "one-sided":
        left, right = scheme.closures()
        need = [len(left) + len(right) + 1]
        need += [r + o + 1 for r, row in enumerate(left) for o, _ in row]
        need += [r - o + 1 for r, row in enumerate(right) for o, _ in row]
        min_points = max(need)
    else:
        left, right = (), ()
        min_points = 1
    return Plan(config, scheme, left, right, min_points, result)


def _show(value: Fraction) -> str:
    """A weight for the docstring: exact when short, else 17 digits."""
    text = str(value)
    return text if len(text) <= 16 else printing.float17(float(value))


Tree = str | list["Tree"]


def _layout(tree: Tree, indent: int, suffix: str = "") -> str:
    """A nested tuple display as ruff formats it at ``indent`` columns.

    A leaf is printed text; a list is a tuple: inline when it fits (with what
    follows it on the line, ``suffix``), else one item per line with a trailing
    comma, each item laid out the same way one level deeper.
    """
    if isinstance(tree, str):
        return tree
    inline = _inline(tree)
    if indent + len(inline) + len(suffix) <= printing.LINE_LENGTH:
        return inline
    pad = " " * (indent + 4)
    body = "\n".join(pad + _layout(item, indent + 4, ",") + "," for item in tree)
    return "(\n" + body + "\n" + " " * indent + ")"


def _inline(tree: Tree) -> str:
    if isinstance(tree, str):
        return tree
    single = "," if len(tree) == 1 else ""
    return "(" + ", ".join(_inline(item) for item in tree) + single + ")"


def _pairs(pairs: tuple[tuple[int, Fraction], ...]) -> list[Tree]:
    return [[str(o), printing.number(w)] for o, w in pairs]


def _docstring(entry: Entry, plan: Plan) -> list[str]:
    c = plan.config
    s = plan.scheme
    L = c.lhs_width
    lhs_terms = " + ".join(
        f"{_show(a)}*d[i{o:+d}]" if o else "d[i]"
        for o, a in zip(range(-L, L + 1), s.lhs, strict=True)
    )
    rhs_terms = " + ".join(f"({_show(w)})*f[i{o:+d}]" for o, w in s.rhs)
    rhs_terms = rhs_terms.replace("+ (-", "- (")
    power = "h" if c.derivative == 1 else f"h**{c.derivative}"
    names = (
        ", ".join(f"{k} = {v}" for k, v in s.coefficients().items())
        if (c.derivative in (1, 2))
        else ""
    )
    report = s.spectrum()
    lines = [
        f"Derivative {c.derivative} of f along ``axis``: compact scheme, accuracy "
        f"{c.accuracy}.",
        "",
        "One dimension (d = the derivative), every interior point i:",
        "",
        *printing.wrap_terms(f"{lhs_terms} =", 80, first="    ", rest="        "),
        *printing.wrap_terms(
            f"({rhs_terms}) / {power}", 80, first="        ", rest="            "
        ),
        "",
        *printing.wrap_terms(
            f"left-hand weights (offsets {-L}..{L}): "
            + ", ".join(_show(a) for a in s.lhs),
            80,
            rest="    ",
            separator=", ",
        ),
        *printing.wrap_terms(
            "right-hand weights: " + ", ".join(f"{o}: {_show(w)}" for o, w in s.rhs),
            80,
            rest="    ",
            separator=", ",
        ),
    ]
    if names and plan.design is None:
        lines.append(f"Lele (1992) coefficients: {names}")
    if plan.design is not None:
        d = plan.design
        lines += [
            f"Optimised: accuracy {c.accuracy} kept exactly (rational arithmetic); "
            f"the {len(d.values)} free",
            "weights give the widest band with relative phase error <= "
            f"{c.tolerance:g} (minimax):",
            f"resolving efficiency {d.report.resolving_efficiency:.4f}. Long weights "
            "are shown to 17 digits.",
        ]
    # The residual of the scheme is c_K h^p f^(K); the derivative's own error
    # is that over the left-hand side's sum (the error field is smooth).
    c_k = _show(s.scheme.error_coefficient / sum(s.lhs))
    lines += [
        *printing.wrap_terms(
            f"accuracy: {c.accuracy}; leading error: ({c_k})*h**{c.accuracy}*"
            f"f^({c.derivative + c.accuracy})(x) (approximation - exact)",
            80,
            rest="    ",
        ),
        f"resolution: {report.points_per_wavelength:.2f} points per wavelength for "
        "0.1 % phase error",
        "",
    ]
    if c.boundary == "periodic":
        lines.append("Boundary: periodic (the cyclic system is solved exactly).")
    else:
        lines += [
            f"Boundary: the first and last {len(plan.left)} rows use explicit "
            "one-sided stencils",
            f"of accuracy {c.accuracy} (their left-hand side is 1); the banded "
            "system is solved.",
        ]
    lines += ["", "Spec entry::", ""] + ["    " + t for t in entry.toml.split("\n")]
    lines += [
        "",
        "Parameters",
        "----------",
        "f : array_like",
        "    Samples; integer input is converted to float64.",
        "h : float, optional",
        "    Grid spacing (default 1.0).",
        "axis : int, optional",
        "    Axis to differentiate along (default -1).",
        "out : ndarray, optional",
        "    Where to write the result (same shape as f).",
        "",
        "Returns",
        "-------",
        "ndarray",
        "    Same dtype as ``f`` (float64 for integer input).",
    ]
    return lines


def context(entry: Entry, plan: Plan) -> dict[str, Any]:
    """The strings ``compact.j2`` prints."""
    c = plan.config
    s = plan.scheme
    module_doc = printing.docstring(
        [
            f"Derivative {c.derivative}, compact (Pade) scheme of accuracy "
            f"{c.accuracy}, {c.boundary} boundary, uniform grid.",
            "",
            "Standalone: needs only numpy (scipy, when installed, for its LAPACK",
            "solves, imported on first use). See the function docstring.",
        ],
        level=0,
    )
    lhs: list[Tree] = [printing.number(a) for a in s.lhs]
    left: list[Tree] = [_pairs(row) for row in plan.left]
    right: list[Tree] = [_pairs(row) for row in plan.right]
    return {
        "module_doc": module_doc,
        "name": c.name,
        "docstring": printing.docstring(_docstring(entry, plan)),
        "derivative": str(c.derivative),
        "min_points": str(plan.min_points),
        "periodic": c.boundary == "periodic",
        # Each constant's value starts after "_NAME = " (the width of "_RIGHT = ").
        "lhs": _layout(lhs, 0, "_LHS = "),
        "rhs": _layout(_pairs(s.rhs), 0, "_RHS = "),
        "left": _layout(left, 0, "_LEFT = ") if plan.left else "",
        "right": _layout(right, 0, "_RIGHT = ") if plan.right else "",
    }


# ---------------------------------------------------------------- verification


def _apply(module: ModuleType, name: str) -> Any:
    return getattr(module, name)


def verify(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Convergence, Fourier modes or polynomials, and the closures' stability."""
    c = plan.config
    fn = _apply(module, c.name)
    m = c.derivative
    p = c.accuracy
    rows: list[VerifyRow] = []
    if c.boundary == "periodic":
        # Every Fourier mode of a 24-point grid against the exact symbol.
        n = 24
        x = 2 * math.pi * np.arange(n) / n
        worst = 0.0
        for k in range(n // 2 + 1):
            theta = 2 * math.pi * k / n
            sigma = complex(plan.scheme.scheme.symbol(max(theta, 1e-300))) if k else 0
            exact = (1j**m) * sigma * np.exp(1j * k * x) / (2 * math.pi / n) ** m
            got = fn(np.exp(1j * k * x), 2 * math.pi / n)
            worst = max(worst, relative_error(got, exact))
        hs, errors = [], []
        for n in (12, 16, 24, 32, 48, 64, 96, 128, 192, 256):
            h = 2 * math.pi / n
            grid = h * np.arange(n)
            exact = _periodic_exact(m, grid)
            hs.append(h)
            errors.append(float(np.max(np.abs(fn(np.exp(np.sin(grid)), h) - exact))))
        order = stable_order(hs, errors)
        # Rounding grows with the condition number of the left-hand side.
        angles = np.linspace(0, math.pi, 181)
        D = sum(
            float(a) * np.cos(o * angles)
            for o, a in zip(
                plan.scheme.scheme.lhs_offsets, plan.scheme.lhs, strict=True
            )
        )
        limit = 1e-13 * float(np.max(D) / np.min(D))
        passed = order_ok(order, p) and worst < limit
        rows.append(
            VerifyRow(
                c.name,
                c.name,
                p,
                order,
                None,
                None,
                passed,
                f"periodic; Fourier modes vs symbol {worst:.1e}",
            )
        )
        return rows
    # One-sided: polynomials and convergence, interior and edge rows.
    nl = len(plan.left)
    poly = 0.0
    n = max(plan.min_points, 4 * nl + 8)
    x = np.linspace(-1, 1, n)
    for case in polynomial_cases(p + m - 1):
        got = fn(case.function(x), x[1] - x[0])
        poly = max(poly, relative_error(got, case.derivative(m)(x)))
    hs, inner, outer = [], [], []
    a = 2.3
    for n in (24, 32, 48, 64, 96, 128, 192, 256, 384):
        x = np.linspace(0, 1, n)
        h = x[1] - x[0]
        exact = (1j * a) ** m * np.exp(1j * a * x)
        error = np.abs(fn(np.exp(1j * a * x), h) - exact)
        hs.append(h)
        inner.append(float(np.max(error[nl : n - nl])))
        outer.append(float(np.max(np.concatenate([error[:nl], error[n - nl :]]))))
    interior, boundary = stable_order(hs, inner), stable_order(hs, outer)
    passed = (
        poly <= POLYNOMIAL_TOLERANCE and order_ok(interior, p) and order_ok(boundary, p)
    )
    rows.append(
        VerifyRow(c.name, c.name, p, interior, boundary, poly, passed, "uniform")
    )
    if m == 1:

        def matrix(size: int) -> Any:
            return fn(np.eye(size), 1 / (size - 1), axis=0)

        rows.append(advection_row(c.name, c.name, matrix))
    return rows


def _periodic_exact(m: int, x: Any) -> Any:
    """The m-th derivative of exp(sin x) (m = 1, 2, 3 in closed form)."""
    s, co = np.sin(x), np.cos(x)
    f = np.exp(s)
    if m == 1:
        return co * f
    if m == 2:
        return (co * co - s) * f
    if m == 3:
        return (co**3 - 3 * s * co - co) * f
    raise StencilgenError("the periodic check covers derivatives 1 to 3")
