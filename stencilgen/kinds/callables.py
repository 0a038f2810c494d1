"""The ``callables`` kind: derivatives of Python functions with a derived step.

A ``callables`` entry generates a standalone module with ``derivative(f, x, h=None)``
(the entry's derivative and stencil, vectorised over an array ``x``) and, for the
first derivative, ``gradient``, ``jacobian`` and ``hessian`` of functions of
several variables. The default step of every function comes from the stencil's
exact constants through :mod:`stencilgen.steps`; the constants, the formula and
its assumptions are printed into the module's docstring.

Spec example (the bundled entry)::

    [callables]
    kind = "callables"
    derivative = 1
    stencil = "central"
    accuracy = 4
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from stencilgen import display, printing
from stencilgen.errors import StencilgenError
from stencilgen.notation import F, H, X, derivative_at
from stencilgen.stencil import FAMILIES, Stencil, family_offsets, make_stencil
from stencilgen.steps import StepRule, step_rule
from stencilgen.taylor import moment
from stencilgen.verify import (
    POLYNOMIAL_TOLERANCE,
    VerifyRow,
    convergence_order,
    order_ok,
    polynomial_cases,
    smooth_cases,
)

if TYPE_CHECKING:
    from stencilgen.spec import Entry, Fields

__all__ = [
    "DEFINES",
    "KEYS",
    "KIND",
    "LADDER_POWERS",
    "SOURCES",
    "TEMPLATE",
    "CallablesConfig",
    "Plan",
    "context",
    "derive",
    "hessian_stencil",
    "parse",
    "verify",
]

KIND = "callables"

#: The module template.
TEMPLATE = "callables.j2"
#: The entry name only names the file: the functions (derivative, gradient,
#: jacobian, hessian) and constants have fixed names, so no entry name clashes.
DEFINES: tuple[str, ...] = ()
#: Other stencilgen modules whose source shapes the output (for the input hash).
SOURCES: tuple[str, ...] = ("stencilgen.steps",)

KEYS: Mapping[str, str] = {
    "derivative": "which derivative derivative() approximates (default 1; gradient, "
    "jacobian and hessian come with derivative 1 only)",
    "stencil": 'stencil family: "central" (default), "forward" or "backward"',
    "accuracy": "order of accuracy of the family stencil (default 2; even for central)",
    "offsets": "explicit offsets in units of the step h, e.g. [-1, 0, 1], instead "
    "of stencil and accuracy",
    "at": "with offsets: where the derivative is taken, relative to the offsets' "
    'origin (default 0; "1/2" for a staggered pair [0, 1])',
}

# Width of the docstring text (the generated file must pass ruff's E501 at 88).
_WIDTH = 80


@dataclass(frozen=True)
class CallablesConfig:
    """A validated ``callables`` entry.

    Attributes
    ----------
    name : str
        The entry (and module) name.
    stencil : Stencil
        The one-dimensional stencil of ``derivative()``.
    family : str or None
        ``"central"``, ``"forward"`` or ``"backward"``; ``None`` for explicit
        offsets.
    rule : StepRule
        Its step constants.
    """

    name: str
    stencil: Stencil
    family: str | None
    rule: StepRule

    @property
    def nodes(self) -> tuple[sympy.Rational, ...]:
        """Sample positions relative to the point of evaluation, in units of h."""
        return tuple(o - self.stencil.at for o in self.stencil.offsets)

    @property
    def description(self) -> str:
        """E.g. ``"central stencil, accuracy 4"`` or ``"offsets [0, 1] at 1/2"``."""
        accuracy = self.stencil.accuracy
        if self.family is not None:
            return f"{self.family} stencil, accuracy {accuracy}"
        offsets = ", ".join(str(o) for o in self.stencil.offsets)
        where = f" at {self.stencil.at}" if self.stencil.at != 0 else ""
        return f"offsets [{offsets}]{where}, accuracy {accuracy}"


def parse(fields: Fields) -> CallablesConfig:
    """Validate a ``callables`` entry and derive its stencil.

    Examples
    --------
    >>> from stencilgen.spec import Fields
    >>> config = parse(Fields("s.toml", "c", {"accuracy": 4}))
    >>> config.stencil.weights, config.rule.factor
    ((1/12, -2/3, 0, 2/3, -1/12), 45/4)
    >>> parse(Fields("s.toml", "c", {"stencil": "central", "offsets": [0, 1]}))
    Traceback (most recent call last):
    ...
    stencilgen.errors.SpecError: s.toml: entry [c], key 'offsets': give either offsets or stencil/accuracy, not both
    """  # noqa: E501
    derivative = fields.integer("derivative", default=1, minimum=1)
    if fields.has("offsets"):
        for other in ("stencil", "accuracy"):
            if fields.has(other):
                raise fields.error(
                    "offsets", "give either offsets or stencil/accuracy, not both"
                )
        offsets = fields.number_list("offsets")
        at = fields.number("at", default=0)
        family = None
        key = "offsets"
    else:
        if fields.has("at"):
            raise fields.error("at", "at needs explicit offsets; add offsets = [...]")
        family = fields.choice("stencil", FAMILIES, default="central")
        accuracy = fields.integer("accuracy", default=2, minimum=1)
        key = "accuracy"
    try:
        if family is not None:
            offsets = family_offsets(family, derivative, accuracy)
            at = 0
        stencil = make_stencil(derivative, offsets, at)
        rule = step_rule(stencil)
    except StencilgenError as error:
        raise fields.error(key, str(error)) from None
    return CallablesConfig(fields.name, stencil, family, rule)


@dataclass(frozen=True)
class Plan:
    """A ``callables`` entry, derived: its config and the Hessian's diagonal.

    ``hessian`` is the second-derivative stencil on the Hessian's diagonal
    (derivative-1 entries only, else ``None``), ``origin`` says where it comes
    from and ``hessian_rule`` holds its step constants.
    """

    config: CallablesConfig
    hessian: Stencil | None
    origin: str
    hessian_rule: StepRule | None


def derive(config: CallablesConfig) -> Plan:
    """All SymPy work beyond ``parse``'s stencil: the Hessian stencil, once.

    Examples
    --------
    >>> from stencilgen.spec import Fields
    >>> plan = derive(parse(Fields("s.toml", "c", {"accuracy": 2})))
    >>> plan.hessian.weights, plan.hessian.accuracy
    ((1, -2, 1), 2)
    """
    if config.stencil.derivative != 1:
        return Plan(config, None, "", None)
    second, origin = hessian_stencil(config)
    return Plan(config, second, origin, step_rule(second))


def hessian_stencil(config: CallablesConfig) -> tuple[Stencil, str]:
    """The second-derivative stencil on the Hessian's diagonal, and its origin.

    A family entry uses the same family's second-derivative stencil of the same
    accuracy; explicit offsets use the stencil composed with itself (the tensor
    product of the first-derivative stencil with itself along one axis, offsets
    ``a + b``), which needs no extra assumption about the offsets.

    Examples
    --------
    >>> from stencilgen.spec import Fields
    >>> config = parse(Fields("s.toml", "c", {"offsets": [0, 1]}))
    >>> stencil, origin = hessian_stencil(config)
    >>> stencil.offsets, stencil.weights, stencil.accuracy, origin
    ((0, 1, 2), (1, -2, 1), 1, 'the first-derivative one composed with itself')
    >>> centred = parse(Fields("s.toml", "c", {"offsets": [-1, 0, 1]}))
    >>> second, _ = hessian_stencil(centred)
    >>> second.offsets, second.weights, second.accuracy, second.error_coefficient
    ((-2, 0, 2), (1/4, -1/2, 1/4), 2, 1/3)
    """
    stencil = config.stencil
    if config.family is not None:
        accuracy = stencil.accuracy
        second = make_stencil(2, family_offsets(config.family, 2, accuracy))
        return second, f"the {config.family} one of accuracy {accuracy}"
    combined: dict[sympy.Expr, sympy.Expr] = {}
    nodes = config.nodes
    for a, wa in zip(nodes, stencil.weights, strict=True):
        for b, wb in zip(nodes, stencil.weights, strict=True):
            combined[a + b] = combined.get(a + b, sympy.S.Zero) + wa * wb
    points = tuple(sorted(p for p in combined if combined[p] != 0))
    weights = tuple(combined[p] for p in points)
    # The composed weights are not the interpolating ones on these points, so the
    # moments below len(points) need not vanish (leading_term assumes they do):
    # search from k = 3. The first non-zero one is k = p + 2 (moments of the
    # convolution are binomial sums of the factors' moments).
    k = 3
    while moment(weights, points, k) == 0:
        k += 1
    coefficient = moment(weights, points, k) / math.factorial(k)
    composed = Stencil(2, points, sympy.S.Zero, weights, k - 2, k, coefficient)
    return composed, "the first-derivative one composed with itself"


def _sampled(
    nodes: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]
) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """(node, weight) pairs with a non-zero weight, in offset order."""
    return [(o, w) for o, w in zip(nodes, weights, strict=True) if w != 0]


def _formula(m: int, pairs: Sequence[tuple[sympy.Expr, sympy.Expr]]) -> str:
    """``f'(x) ≈ (f(x - h)/2 ... ) / h`` with the samples in offset order."""
    terms = []
    for node, weight in pairs:
        sample = display.plain(F(X + node * H))
        p, q = abs(weight).as_numer_denom()
        coefficient = "" if p == 1 else f"{p}·"
        term = coefficient + sample + ("" if q == 1 else f"/{q}")
        sign = "-" if weight < 0 else "+"
        terms.append((sign, term))
    body = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    body += "".join(f" {sign} {term}" for sign, term in terms[1:])
    denominator = display.plain(H**m)
    return f"{display.plain(derivative_at(m))} ≈ ({body})/{denominator}"


def _table(nodes: Sequence[sympy.Expr], weights: Sequence[sympy.Expr]) -> list[str]:
    rows = [(str(o), str(w)) for o, w in zip(nodes, weights, strict=True)]
    left = max(len("offset"), *(len(o) for o, _ in rows))
    right = max(len("weight"), *(len(w) for _, w in rows))
    lines = [f"{'offset':>{left}}  {'weight':>{right}}"]
    lines += [f"{o:>{left}}  {w:>{right}}" for o, w in rows]
    return lines


def _error_term(stencil: Stencil) -> sympy.Expr:
    """C·h**p·f^(m+p)(x): the leading error at the point of evaluation."""
    m, p = stencil.derivative, stencil.accuracy
    assert p is not None
    return stencil.error_coefficient * H**p * derivative_at(m + p)


def _docstring_lines(entry_name: str, toml: str, config: CallablesConfig) -> list[str]:
    stencil, rule = config.stencil, config.rule
    m, p = rule.derivative, rule.accuracy
    nodes = config.nodes
    pairs = _sampled(nodes, stencil.weights)
    h_rel = rule.relative_step()
    family = config.family or "explicit"
    lines = [
        f"Derivatives of Python callables: derivative {m}, {family} stencil, "
        f"accuracy {p}.",
        "",
        f"Generated by stencilgen from the spec entry [{entry_name}]; standalone: it",
        "imports only numpy and the standard library, so it can be copied into any",
        "project. The entry::",
        "",
        *("    " + line for line in toml.splitlines()),
        "",
        "Public functions: ``derivative(f, x, h=None)`` "
        f"({display.ordinal(m)} derivative, "
        "vectorised",
    ]
    if m == 1:
        lines += [
            "over an array x), ``gradient``, ``jacobian`` and ``hessian`` (functions "
            "of",
            "several variables); each takes ``full_output=True`` for an error "
            "estimate.",
        ]
    else:
        lines += ["over an array x); ``full_output=True`` adds an error estimate."]
    lines += [
        "",
        "Stencil",
        "-------",
        *textwrap.wrap(
            f"Stencil: {config.description}. Offsets are in units of the step h, "
            "relative to x::",
            _WIDTH,
        ),
        "",
        *printing.wrap_terms(_formula(m, pairs), _WIDTH, first="    ", rest="        "),
        "",
        *("    " + line for line in _table(nodes, stencil.weights)),
        "",
        "Leading error (approximation − exact): "
        f"{display.error_text(_error_term(stencil))}.",
        "",
        "Default step",
        "------------",
        "Computed in floating point, the stencil makes two errors: truncation,",
        "|C|·h**p·|f^(m+p)(x)|, which grows with h, and round-off: each sample",
        "f(x + o·h) is known to about ε·|f| (ε = 2**-52, double precision), which",
        "the weights amplify to at most ε·Σ|w|·|f|/h**m. Their sum is smallest at::",
        "",
        "    h* = (m·ε·Σ|w|·|f| / (p·|C|·|f^(m+p)|)) ** (1/(m+p)).",
        "",
        "Assumption: f varies on the length scale s = max(1, |x|), i.e.",
        "|f^(k)(x)| ≈ |f(x)|/s**k (for |x| <= 1 simply |f| ≈ |f^(m+p)|). Then",
        "h* = s·h_rel with the relative step::",
        "",
        "    h_rel = (m·ε·Σ|w| / (p·|C|)) ** (1/(m+p))",
        "",
        f"Here m = {m}, p = {p}, Σ|w| = {rule.weight_sum}, "
        f"C = {rule.error_coefficient}, so",
        f"h_rel = ({rule.factor}·2**-52) ** (1/{m + p}) = "
        f"{printing.float17(h_rel)} (RELATIVE_STEP).",
        "The step is then made exactly representable, h = (x + h) - x, so that",
        "x + h lies exactly h away from x. The predicted error at h* is",
        f"(1 + m/p)·ε·Σ|w|·|f|/h*^m, about {rule.best_error():.1e} for |f| = 1, "
        "|x| <= 1.",
        "When the assumption fails (f varies on a much shorter or longer scale, or",
        "is computed less accurately than to ε), pass h explicitly, e.g.",
        "h = relative_step(eps) * scale.",
        "",
        "Step ladder",
        "-----------",
        *textwrap.wrap(
            "For a vectorized f (vectorized=True) without h the step is measured "
            "instead of assumed: f is evaluated in one batch on the stencil at "
            f"h·2**j for j = {LADDER_POWERS.start} … {LADDER_POWERS.stop - 1} "
            f"({_ladder_points(config)} points per element), and each element "
            f"takes the step from 2**{LADDER_POWERS.start + 2}·h to "
            f"2**{LADDER_POWERS.stop - 2}·h whose estimated error (Richardson "
            "against twice the step, plus round-off; see Result) is smallest. "
            "Without vectorized the default stays the single step h, one call "
            "per offset.",
            _WIDTH,
        ),
    ]
    return lines


#: The powers j of the step ladder (steps h·2**j) of a vectorized f without h;
#: templates/runtime/callables.py (_LADDER) evaluates the same.
LADDER_POWERS = range(-4, 8)


def _ladder_points(config: CallablesConfig) -> int:
    """Distinct sample offsets of the step ladder (per element or coordinate)."""
    pairs = _sampled(config.nodes, config.stencil.weights)
    return len(
        {node * sympy.Integer(2) ** j for node, _ in pairs for j in LADDER_POWERS}
    )


def _cost(config: CallablesConfig) -> str:
    pairs = _sampled(config.nodes, config.stencil.weights)
    moved = sum(1 for node, _ in pairs if node != 0)
    centre = len(pairs) > moved
    per = "n" if moved == 1 else f"{moved}·n"
    return f"{per} + 1 calls" if centre else f"{per} calls"


def _ladder_cost(config: CallablesConfig) -> str:
    """The points of the gradient's step ladder, e.g. ``26·n points``."""
    points = _ladder_points(config)
    centre = any(
        node == 0 for node, _ in _sampled(config.nodes, config.stencil.weights)
    )
    moved = points - centre
    return f"{moved}·n + 1 points" if centre else f"{moved}·n points"


def context(entry: Entry, plan: Plan) -> dict[str, Any]:
    r"""The template context: every value a pre-rendered string (or a flag).

    Examples
    --------
    >>> from stencilgen.spec import Fields, parse_spec
    >>> entry = parse_spec("[c]\nkind = 'callables'\naccuracy = 4\n").entries[0]
    >>> context = context(entry, derive(entry.config))
    >>> context["weights"]
    ['1 / 12', '-2 / 3', '2 / 3', '-1 / 12']
    >>> context["relative_step"], context["gradient_cost"], context["ladder_cost"]
    ('0.0012009323661373843', '4·n calls', '26·n points')
    """
    config = plan.config
    stencil, rule = config.stencil, config.rule
    pairs = _sampled(config.nodes, stencil.weights)
    m = stencil.derivative
    strings: dict[str, Any] = {
        "module_docstring": printing.docstring(
            _docstring_lines(entry.name, entry.toml, config), level=0
        ),
        "derivative": str(m),
        "accuracy": str(stencil.accuracy),
        "offsets": [printing.number(o) for o, _ in pairs],
        "weights": [printing.number(w) for _, w in pairs],
        "weight_sum": printing.number(rule.weight_sum),
        "error_coefficient": printing.number(rule.error_coefficient),
        "step_factor": printing.number(rule.factor),
        "relative_step": printing.float17(rule.relative_step()),
        "derivative_summary": f"The {display.ordinal(m)} derivative of ``f`` at every "
        "element of ``x``.",
        "multivariate": m == 1,
        "ladder_points": str(_ladder_points(config)),
    }
    if plan.hessian is not None and plan.hessian_rule is not None:
        second, origin = plan.hessian, plan.origin
        diagonal = _sampled(second.offsets, second.weights)
        strings.update(
            hessian_comment="\n".join(
                "#: " + line
                for line in textwrap.wrap(
                    "The Hessian: on its diagonal a one-dimensional "
                    f"second-derivative stencil, {origin}; its accuracy and "
                    "relative step (the steps of every entry). Mixed entries use "
                    "the tensor product OFFSETS × OFFSETS.",
                    _WIDTH - 3,
                )
            ),
            hessian_offsets=[printing.number(o) for o, _ in diagonal],
            hessian_weights=[printing.number(w) for _, w in diagonal],
            hessian_accuracy=str(second.accuracy),
            hessian_relative_step=printing.float17(plan.hessian_rule.relative_step()),
            gradient_cost=_cost(config),
            ladder_cost=_ladder_cost(config),
        )
    return strings


# --- verification ----------------------------------------------------------------


def _convergence(config: CallablesConfig, module: ModuleType) -> tuple[float, float]:
    """Measured order of ``derivative`` at fixed steps, and the default-step error."""
    stencil, rule = config.stencil, config.rule
    m, p = rule.derivative, rule.accuracy
    case = smooth_cases()[0]
    x = np.array([-0.7, 0.2, 0.9])
    exact = case.derivative(m)(x)
    # Steps where truncation |C|·h**p stays far above round-off ε·Σ|w|/h**m:
    # above 1e-7 and at least 1000 times the round-off bound.
    c = float(abs(stencil.error_coefficient))
    smallest = max(
        (1e-7 / c) ** (1 / p),
        (1e3 * 2.0**-52 * float(rule.weight_sum) / c) ** (1 / (m + p)),
    )
    steps = [min(1.0, 8 * smallest) / 2**k for k in range(4)]
    errors = [
        float(np.max(np.abs(module.derivative(case.function, x, h) - exact)))
        for h in steps
    ]
    default = float(np.max(np.abs(module.derivative(case.function, x) - exact)))
    scale = float(np.max(np.abs(exact))) or 1.0
    return convergence_order(steps, errors), default / scale


def _row(
    name: str, entry: str, ok: bool, claimed: int | None, note: str, **kw: Any
) -> VerifyRow:
    return VerifyRow(
        entry,
        name,
        claimed,
        kw.get("interior"),
        None,
        kw.get("polynomial"),
        ok,
        note,
    )


def verify(plan: Plan, module: ModuleType) -> list[VerifyRow]:
    """Check the rendered module: convergence order, step quality, exactness.

    * ``derivative``: measured convergence order on a smooth function equals the
      claimed accuracy; the default-step error is within 100× the predicted
      optimum; polynomials of degree ``m + p - 1`` are differentiated exactly.
    * ``gradient`` / ``jacobian`` / ``hessian`` (derivative 1): agreement with
      exact derivatives of a smooth function of two variables, and the number of
      function calls the docstring promises.
    """
    config = plan.config
    name = config.name
    rule = config.rule
    m, p = rule.derivative, rule.accuracy
    rows = []
    order, default_error = _convergence(config, module)
    polynomial = max(
        _polynomial_error(module, case.function, case.derivative(m))
        for case in polynomial_cases(m + p - 1)
    )
    budget = 100 * rule.best_error()
    ok = (
        order_ok(order, p)
        and default_error <= budget
        and polynomial <= POLYNOMIAL_TOLERANCE
    )
    note = f"default-step error {default_error:.1e} (budget {budget:.1e})"
    rows.append(
        _row("derivative", name, ok, p, note, interior=order, polynomial=polynomial)
    )
    if plan.hessian_rule is not None:
        rows += _verify_multivariate(name, config, plan.hessian_rule, module)
    return rows


def _polynomial_error(
    module: ModuleType, f: Callable[[Any], Any], df: Callable[[Any], Any]
) -> float:
    x = np.linspace(-1.0, 1.0, 5)
    approx = module.derivative(f, x, 0.25)
    exact = df(x)
    return float(np.max(np.abs(approx - exact))) / max(
        1.0, float(np.max(np.abs(exact)))
    )


def _verify_multivariate(
    name: str, config: CallablesConfig, hessian_rule: StepRule, module: ModuleType
) -> list[VerifyRow]:
    def f(v: Any) -> Any:
        return np.sin(1.3 * v[0] + 0.4) * np.exp(0.7 * v[1]) + v[0] * v[2] ** 2

    x = np.array([0.3, -0.5, 1.2])
    s, c = math.sin(1.3 * x[0] + 0.4), math.cos(1.3 * x[0] + 0.4)
    e = math.exp(0.7 * x[1])
    grad = np.array([1.3 * c * e + x[2] ** 2, 0.7 * s * e, 2 * x[0] * x[2]])
    hess = np.array(
        [
            [-1.69 * s * e, 0.91 * c * e, 2 * x[2]],
            [0.91 * c * e, 0.49 * s * e, 0.0],
            [2 * x[2], 0.0, 2 * x[0]],
        ]
    )
    pairs = _sampled(config.nodes, config.stencil.weights)
    moved = sum(1 for node, _ in pairs if node != 0)
    expected_calls = moved * x.size + (len(pairs) > moved)

    calls = 0

    def counted(v: Any) -> Any:
        nonlocal calls
        calls += 1
        return f(v)

    rows = []
    tolerance = 1000 * config.rule.best_error()
    g = module.gradient(counted, x)
    g_error = float(np.max(np.abs(g - grad)))
    ok = g_error <= tolerance * 10 and calls == expected_calls
    rows.append(_row("gradient", name, ok, None, f"error {g_error:.1e}, {calls} calls"))

    def vector(v: Any) -> Any:
        return np.array([f(v), 2 * f(v)])

    jac = module.jacobian(vector, x)
    j_error = float(np.max(np.abs(jac - np.stack([grad, 2 * grad]))))
    rows.append(
        _row("jacobian", name, j_error <= tolerance * 20, None, f"error {j_error:.1e}")
    )
    hes = module.hessian(f, x)
    h_error = float(np.max(np.abs(hes - hess)))
    symmetric = bool(np.array_equal(hes, hes.T))
    h_tolerance = 1000 * hessian_rule.best_error()
    rows.append(
        _row(
            "hessian",
            name,
            h_error <= h_tolerance and symmetric,
            None,
            f"error {h_error:.1e}" + ("" if symmetric else ", not symmetric"),
        )
    )
    return rows
