r"""What a multivariate formula approximates: ``u(x+h, y-k)`` and ``u[i+1, j-1]``.

A multivariate formula is a linear combination of samples of one function of
several variables, :math:`\sum_j c_j\, u(x + s_j)`, written with calls
(``u(x+h, y) - 2*u(x, y) + u(x-h, y)``) or grid notation
(``u[i+1, j] - 2*u[i, j] + u[i-1, j]``, the index in position ``d`` standing for
the ``d``-th of ``x, y, z``). In grid notation each variable's step is the name
``h_x`` (or ``hx``, ``dx``) when the formula uses it, else the ``spacing``
(default ``h``), so ``/h**2`` and ``/(h_x*h_y)`` both read as intended.

The multivariate Taylor expansion (:class:`stencilgen.nd.Expansion`), with every
symbol of the shifts going to 0 together, groups the formula by powers of the
step. The formula is *consistent* when no negative power survives and the power
0 is a fixed (step-free) linear operator: that operator is reported in the
operator language of :mod:`stencilgen.nd_language` (``"u_xx + u_yy"``), the next
non-zero group is the leading error (approximation − exact) and its power the
accuracy. Otherwise the report says how the formula fails and, when one sample's
sign flipped would make it consistent (the classic typo on a corner), or a
division by a power of the step is missing, the hint says so.

Text is parsed by the restricted parser of :mod:`stencilgen.expr` and evaluated
by a small interpreter of linear combinations; it never runs as Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

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
from stencilgen.limits import MAX_ANALYZE_SAMPLES, MAX_ERROR_POWER
from stencilgen.linear import SAMPLES, LinearReader
from stencilgen.nd import Expansion, derivative_of, homogeneous_parts
from stencilgen.nd_language import MAX_DIMS, operator_text, plain
from stencilgen.taylor import is_zero

__all__ = [
    "MAX_SAMPLES",
    "OperatorAnalysis",
    "analyze_operator",
    "is_multivariate",
]

#: Most distinct samples of a multivariate formula (see stencilgen.limits).
MAX_SAMPLES = MAX_ANALYZE_SAMPLES
_UNICODE = str.maketrans({"−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*"})
_PREFERRED = ("x", "y", "z", "t")
_GRID_VARIABLES = ("x", "y", "z")


def _walk(root: Node) -> list[tuple[Node, Call | Subscript | None]]:
    found: list[tuple[Node, Call | Subscript | None]] = []
    stack: list[tuple[Node, Call | Subscript | None]] = [(root, None)]
    while stack:
        node, inside = stack.pop()
        found.append((node, inside))
        if isinstance(node, Unary):
            stack.append((node.operand, inside))
        elif isinstance(node, Binary):
            stack.extend(((node.right, inside), (node.left, inside)))
        elif isinstance(node, Call):
            stack.extend((a, node) for a in node.args)
        elif isinstance(node, Subscript):
            stack.extend((i, node) for i in node.indices)
    return found


def _arity(node: Call | Subscript) -> int:
    return len(node.args) if isinstance(node, Call) else len(node.indices)


def is_multivariate(formula: Any) -> bool:
    """True for a formula with samples of several arguments or indices.

    Examples
    --------
    >>> is_multivariate("u(x+h, y) - u(x, y)"), is_multivariate("u[i+1, j]")
    (True, True)
    >>> is_multivariate("(f(x+h) - f(x))/h"), is_multivariate("f(x+")
    (False, False)
    """
    if isinstance(formula, sympy.Expr):
        return any(len(s.args) > 1 for s in formula.atoms(AppliedUndef))
    if not isinstance(formula, str):
        return False
    try:
        tree = parse(formula.translate(_UNICODE))
    except ExpressionError:
        return False
    return any(
        isinstance(n, Call | Subscript) and _arity(n) > 1 for n, _ in _walk(tree)
    )


@dataclass(frozen=True)
class OperatorAnalysis:
    """The truth about a multivariate formula (compare :class:`~stencilgen.Analysis`).

    Attributes
    ----------
    text : str
        The formula as given.
    function : str
        The sampled function's name.
    dims : tuple of str
        The variables, in argument order.
    samples : tuple of (tuple of sympy.Expr, sympy.Expr)
        Distinct shift vectors with their non-zero coefficients.
    steps : tuple of sympy.Symbol
        The symbols that go to 0 together.
    consistent : bool
        True when the formula tends to a fixed linear operator.
    operator : str or None
        That operator in the operator language (``"u_xx + u_yy"``).
    accuracy : int or None
        The power of the step in the leading error (``None`` when exact or not
        consistent).
    leading_error : sympy.Expr
        Approximation minus exact value; for an inconsistent formula its dominant
        term, what makes it wrong.
    series : tuple of (int, sympy.Expr)
        The expansion grouped by power of the step, lowest first.
    reason, hint : str or None
        Why the formula is not consistent, and how to repair it when we can tell.
    derivative : None
        Always ``None``: a multivariate formula approximates an operator, given
        by :attr:`operator`.
    """

    text: str
    function: str
    dims: tuple[str, ...]
    samples: tuple[tuple[tuple[sympy.Expr, ...], sympy.Expr], ...]
    steps: tuple[sympy.Symbol, ...]
    consistent: bool
    operator: str | None
    accuracy: int | None
    leading_error: sympy.Expr
    series: tuple[tuple[int, sympy.Expr], ...]
    terms: dict[tuple[int, ...], sympy.Expr] = field(default_factory=dict)
    reason: str | None = None
    hint: str | None = None
    derivative: None = None

    @property
    def exact(self) -> sympy.Expr | None:
        """The operator applied to the function, or ``None`` if not consistent."""
        if not self.consistent:
            return None
        return sympy.Add(
            *[
                c * derivative_of(a, self.dims, self.function)
                for a, c in self.terms.items()
            ]
        )

    def __str__(self) -> str:
        if not self.consistent:
            return f"{self.text}: not consistent ({self.reason})"
        if self.accuracy is None:
            return f"{self.text}: {self.operator} exactly"
        return (
            f"{self.text}: {self.operator}, accuracy {self.accuracy}, leading error "
            f"{self.leading_error}"
        )


class _Fail:
    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, message: str) -> ExpressionError:
        return ExpressionError(f"cannot analyse {shorten(self.text)!r}: {message}")


def _describe(node: Call | Subscript) -> str:
    if isinstance(node, Call):
        return f"{node.func}(...) at column {node.column}"
    return f"{node.name}[...] at column {node.column}"


class _Linear(LinearReader):
    """Evaluates the tree to a scalar or a form {shift vector: coefficient}."""

    def __init__(self, fail: _Fail, source: str, shifts: Mapping[int, Any]) -> None:
        super().__init__(fail, SAMPLES)
        self.source = source
        self.shifts = shifts

    def leaf(self, node: Node) -> Any:
        if isinstance(node, Call | Subscript):
            return {self.shifts[id(node)]: sympy.S.One}
        return to_sympy(node, self.source)

    def power(self, node: Binary, base: sympy.Expr, exponent: sympy.Expr) -> Any:
        # to_sympy applies the parser's limits on exponents and sizes.
        return to_sympy(node, self.source)


def _unit_candidates(arg: sympy.Expr) -> set[sympy.Symbol]:
    expanded = sympy.expand(arg)
    return {
        s
        for s in expanded.free_symbols
        if expanded.coeff(s) == 1 and not (expanded - s).has(s)
    }


def _grid_step(dim: str, names: set[str], spacing: str) -> sympy.Symbol:
    for candidate in (f"h_{dim}", f"h{dim}", f"d{dim}"):
        if candidate in names:
            return sympy.Symbol(candidate)
    return sympy.Symbol(spacing)


def _parse(
    text: str, spacing: str
) -> tuple[str, tuple[str, ...], dict[tuple[sympy.Expr, ...], sympy.Expr], bool]:
    fail = _Fail(text)
    if not text.strip():
        raise ExpressionError("the formula is empty; write one such as u(x+h, y)")
    source = text.translate(_UNICODE)
    tree = parse(source)
    nodes = _walk(tree)
    samples = [(n, inside) for n, inside in nodes if isinstance(n, Call | Subscript)]
    for node, inside in samples:
        if inside is not None:
            raise fail(
                f"the sample {_describe(node)} is inside {_describe(inside)}; a "
                "sample's arguments must be variable + shift"
            )
    sample_nodes = sorted((n for n, _ in samples), key=lambda n: n.column)
    first = sample_nodes[0]
    function = first.func if isinstance(first, Call) else first.name
    grid = isinstance(first, Subscript)
    ndims = _arity(first)
    if ndims > MAX_DIMS:
        raise fail(
            f"samples with {ndims} arguments are more than the limit of {MAX_DIMS} "
            "variables (MAX_OPERATOR_DIMS)"
        )
    for node in sample_nodes:
        name = node.func if isinstance(node, Call) else node.name
        if name != function:
            raise fail(
                f"{_describe(node)} is not a sample of {function!r}; a formula "
                "combines samples of one function only"
            )
        if isinstance(node, Subscript) != grid:
            raise fail(
                f"{_describe(node)} mixes {function}(...) and {function}[...] "
                "notation; use one of them"
            )
        if _arity(node) != ndims:
            raise fail(
                f"the sample {_describe(node)} has {_arity(node)} arguments but the "
                f"first has {ndims}; every sample takes one per variable"
            )
    arguments = [
        [to_sympy(a, source) for a in (n.args if isinstance(n, Call) else n.indices)]
        for n in sample_nodes
    ]
    chosen: list[sympy.Symbol] = []
    for d in range(ndims):
        common = set.intersection(*[_unit_candidates(args[d]) for args in arguments])
        common -= set(chosen)
        if not common:
            what = "index" if grid else "argument"
            raise fail(
                f"the {what}s in position {d + 1} are not all variable + shift with "
                "one common variable; write samples such as u(x + h, y - h) or "
                "u[i+1, j-1]"
            )
        preferred = [s for s in sorted(common, key=str) if s.name in _PREFERRED]
        chosen.append(preferred[0] if preferred else sorted(common, key=str)[0])
    names = {n.id for n, _ in nodes if isinstance(n, Name)}
    if grid:
        if ndims > len(_GRID_VARIABLES):
            raise fail(
                f"grid notation with {ndims} indices is not supported; use calls "
                "such as u(x + h, y, z, w)"
            )
        dims = _GRID_VARIABLES[:ndims]
        steps = [_grid_step(d, names, spacing) for d in dims]
    else:
        dims = tuple(s.name for s in chosen)
    shifts: dict[int, tuple[sympy.Expr, ...]] = {}
    for node, args in zip(sample_nodes, arguments, strict=True):
        vector = []
        for d, (arg, variable) in enumerate(zip(args, chosen, strict=True)):
            rest = sympy.expand(arg - variable)
            if rest.has(*chosen):
                raise fail(
                    f"the argument {arg} of the sample at column {node.column} is "
                    f"not {variable} + shift with a shift free of the variables"
                )
            if grid:
                if not rest.is_Rational:
                    raise fail(
                        f"the index {arg} at column {node.column} must be {variable} "
                        "plus a number, as in u[i+1, j-1]"
                    )
                rest = rest * steps[d]
            vector.append(rest)
        shifts[id(node)] = tuple(vector)
    forbidden = {function} | {s.name for s in chosen}
    for item, inside in nodes:
        if isinstance(item, Name) and inside is None and item.id in forbidden:
            raise fail(
                f"{item.id!r} at column {item.column} is the function or a variable; "
                "use it only in samples"
            )
    result = _Linear(fail, source, shifts).value(tree)
    assert isinstance(result, dict)
    if len(result) > MAX_SAMPLES:
        raise fail(
            f"{len(result)} distinct samples is more than the limit of {MAX_SAMPLES} "
            "(MAX_ANALYZE_SAMPLES)"
        )
    return function, dims, result, grid


@dataclass(frozen=True)
class _Outcome:
    consistent: bool
    terms: dict[tuple[int, ...], sympy.Expr]
    accuracy: int | None
    series: tuple[tuple[int, sympy.Expr], ...]
    lowest: int
    dominant: dict[tuple[int, ...], sympy.Expr]


def _expand(
    samples: Mapping[tuple[sympy.Expr, ...], sympy.Expr],
    steps: Sequence[sympy.Symbol],
    dims: Sequence[str],
    function: str,
    terms: int,
) -> _Outcome:
    shifts = list(samples)
    expansion = Expansion(shifts, list(samples.values()), steps, dims)
    expression = _expression(dims, function)
    power = expansion.lowest
    while True:
        group = expansion.group(power)
        if group or power > expansion.lowest + MAX_ERROR_POWER:
            break
        power += 1
    lowest, dominant = power, group
    series = [(lowest, expression(dominant))]
    step_set = set(steps)
    consistent = (
        lowest == 0
        and bool(dominant)
        and not any(c.free_symbols & step_set for c in dominant.values())
    )
    accuracy = None
    if expansion.moving:
        power = lowest
        while len(series) < terms + 1 and power < lowest + MAX_ERROR_POWER:
            power += 1
            group = expansion.group(power)
            if group:
                series.append((power, expression(group)))
                if accuracy is None and consistent:
                    accuracy = power
    return _Outcome(consistent, dominant, accuracy, tuple(series), lowest, dominant)


def _expression(dims: Sequence[str], function: str) -> Any:
    def build(group: Mapping[tuple[int, ...], sympy.Expr]) -> sympy.Expr:
        return sympy.Add(
            *[c * derivative_of(b, dims, function) for b, c in sorted(group.items())]
        )

    return build


def _sample_text(function: str, dims: Sequence[str], shift: Sequence[Any]) -> str:
    parts = []
    for d, s in zip(dims, shift, strict=True):
        if s == 0:
            parts.append(d)
        else:
            text = sympy.sstr(s)
            parts.append(
                f"{d} - {text[1:]}" if text.startswith("-") else f"{d} + {text}"
            )
    return f"{function}({', '.join(parts)})"


def _operator_of(
    dims: Sequence[str], terms: Mapping[tuple[int, ...], sympy.Expr]
) -> str | None:
    if not all(re.fullmatch(r"[A-Za-z]", d) for d in dims):
        return None
    order = sorted(range(len(dims)), key=lambda i: dims[i])
    sorted_dims = tuple(dims[i] for i in order)
    return operator_text(
        {tuple(a[i] for i in order): c for a, c in terms.items()}, sorted_dims
    )


def _hints(
    samples: Mapping[tuple[sympy.Expr, ...], sympy.Expr],
    steps: Sequence[sympy.Symbol],
    dims: Sequence[str],
    function: str,
    outcome: _Outcome,
) -> list[str]:
    hints = []
    flips = []
    if len(samples) <= 32:
        for shift in samples:
            changed = dict(samples)
            changed[shift] = -changed[shift]
            trial = _expand(changed, steps, dims, function, 1)
            if trial.consistent:
                flips.append((shift, trial))
    if len(flips) == 1:
        ((shift, trial),) = flips
        what = _operator_of(dims, trial.terms) or "an operator"
        accuracy = (
            "exactly" if trial.accuracy is None else f"with accuracy {trial.accuracy}"
        )
        hints.append(
            f"with the opposite sign on {_sample_text(function, dims, shift)} the "
            f"formula approximates {what} {accuracy}; check that term's sign"
        )
    if not hints and outcome.lowest != 0 and len(steps) == 1 and outcome.dominant:
        (h,) = steps
        factor = h**outcome.lowest
        rescaled = {k: v / factor for k, v in samples.items()}
        trial = _expand(rescaled, steps, dims, function, 1)
        if trial.consistent and any(sum(a) for a in trial.terms):
            what = _operator_of(dims, trial.terms) or "an operator"
            how = (
                f"dividing it by {factor}"
                if outcome.lowest > 0
                else f"multiplying it by {1 / factor}"
            )
            hints.append(
                f"the formula tends to {factor}·({what}); {how} makes it an "
                f"approximation of {what}"
                + (f" with accuracy {trial.accuracy}" if trial.accuracy else "")
            )
    return hints


def analyze_operator(
    formula: str | sympy.Expr,
    *,
    terms: int = 2,
    spacing: str = "h",
    where: Mapping[str, Any] | None = None,
) -> OperatorAnalysis:
    """Tell which linear operator a multivariate formula approximates, and how well.

    Parameters
    ----------
    formula : str or sympy.Expr
        Samples such as ``u(x+h, y-h)`` or ``u[i+1, j-1]`` (see the module
        documentation); never evaluated as Python.
    terms : int, optional
        How many non-zero error groups :attr:`OperatorAnalysis.series` holds after
        the operator (default 2).
    spacing : str, optional
        The step of grid notation for variables without their own ``h_x``.
    where : mapping, optional
        Values for coefficient names, e.g. ``{"a": "1/h**2"}``.

    Returns
    -------
    OperatorAnalysis

    Raises
    ------
    ExpressionError
        For text that is not such a formula.

    Examples
    --------
    >>> a = analyze_operator(
    ...     "(u(x+h, y) + u(x-h, y) + u(x, y+h) + u(x, y-h) - 4*u(x, y))/h**2")
    >>> a.operator, a.accuracy, a.consistent
    ('u_xx + u_yy', 2, True)
    >>> a.leading_error
    h**2*Derivative(u(x, y), (x, 4))/12 + h**2*Derivative(u(x, y), (y, 4))/12
    >>> b = analyze_operator("(u[i+1,j+1] - u[i+1,j-1] - u[i-1,j+1] - u[i-1,j-1])/(4*h**2)")
    >>> b.consistent
    False
    >>> print(b.hint)
    with the opposite sign on u(x - h, y - h) the formula approximates u_xy with accuracy 2; check that term's sign
    """  # noqa: E501
    if isinstance(formula, sympy.Expr):
        formula = sympy.sstr(formula)
    if not isinstance(formula, str):
        raise ExpressionError(
            "a formula must be text or a SymPy expression, got "
            f"{type(formula).__name__}"
        )
    if not isinstance(terms, int) or isinstance(terms, bool) or not 1 <= terms <= 20:
        raise ExpressionError(
            f"terms must be a whole number from 1 to 20, got {terms!r}"
        )
    function, dims, samples, _ = _parse(formula, spacing)
    if where:
        values = {}
        present = {s.name: s for c in samples.values() for s in c.free_symbols}
        for name, value in where.items():
            if name not in present:
                raise ExpressionError(
                    f"the value given for {name!r} is not used: no coefficient of the "
                    f"formula contains {name!r}"
                )
            expr = to_sympy(parse(value), value) if isinstance(value, str) else value
            values[present[name]] = expr
        samples = {k: v.xreplace(values) for k, v in samples.items()}
    samples = {k: v for k, v in samples.items() if not is_zero(v)}
    step_list = sorted(
        {s for shift in samples for e in shift for s in e.free_symbols}, key=str
    )
    for shift in samples:
        for entry in shift:
            if entry != 0 and set(homogeneous_parts(entry, step_list, "the shift")) != {
                1
            }:
                raise ExpressionError(
                    f"cannot analyse {shorten(formula)!r}: the shift {entry} is not a "
                    "multiple of the steps; write shifts such as h, -2*h or h/2"
                )
    if not samples:
        return OperatorAnalysis(
            formula,
            function,
            dims,
            (),
            tuple(step_list),
            False,
            None,
            None,
            sympy.S.Zero,
            (),
            reason="all samples cancel: the formula is identically 0",
        )
    outcome = _expand(samples, step_list, dims, function, terms)
    ordered = tuple(
        sorted(samples.items(), key=lambda kv: sympy.default_sort_key(kv[0]))
    )
    if outcome.consistent:
        leading = outcome.series[1][1] if len(outcome.series) > 1 else sympy.S.Zero
        return OperatorAnalysis(
            formula,
            function,
            dims,
            ordered,
            tuple(step_list),
            True,
            _operator_of(dims, outcome.terms),
            outcome.accuracy,
            leading,
            outcome.series,
            dict(outcome.terms),
        )
    names = ", ".join(s.name for s in step_list) or "the step"
    behaviour = plain(outcome.series[0][1], dims, function)
    if outcome.lowest > 0:
        reason = f"it tends to 0 as {names} → 0, like {behaviour}"
    elif outcome.lowest < 0:
        reason = f"it grows without bound as {names} → 0, like {behaviour}"
    else:
        reason = f"its limit {behaviour} depends on the ratio of the steps"
    hints = _hints(samples, step_list, dims, function, outcome)
    return OperatorAnalysis(
        formula,
        function,
        dims,
        ordered,
        tuple(step_list),
        False,
        None,
        None,
        outcome.series[0][1],
        outcome.series,
        reason=reason,
        hint="; ".join(hints) if hints else None,
    )
