r"""What a finite-difference formula approximates, how accurately, or why nothing.

A formula :math:`\sum_j c_j f(x + s_j)` (see :mod:`stencilgen.formula`) expands,
by Taylor's theorem, into

.. math:: \sum_j c_j f(x + s_j) = \sum_{k \ge 0} T_k\, f^{(k)}(x), \qquad
          T_k = \frac{1}{k!} \sum_j c_j s_j^k .

The *steps* are the symbols in the shifts (``h``; ``hd`` and ``hs`` together for
non-uniform grids). To let them go to zero together we substitute
:math:`s \to \varepsilon s` for every step symbol and read each :math:`T_k` as a
Laurent series in :math:`\varepsilon`; coefficient names that are not in the
shifts (``a``, ``b``, ``c``) stay fixed. (When a shift multiplies several
symbols, as in ``f(x + a*h)``, which of them is the step changes the answer, so
the analysis asks for ``steps=`` instead of guessing.) Grouping the expansion by
powers of :math:`\varepsilon` gives terms :math:`G_q`, homogeneous of degree
``q`` in the steps, and:

* the formula approximates :math:`f^{(m)}(x)` (it is *consistent*) when the
  lowest group is :math:`G_0 = f^{(m)}(x)` exactly;
* its ``accuracy`` is the power ``p`` of the next non-zero group, and that group
  is the ``leading_error`` (sign convention of the whole package: approximation
  minus exact value), e.g. :math:`h^2 f'''(x)/6` for the central difference and
  :math:`h_d h_s f'''(x)/6` for the non-uniform one;
* otherwise the lowest group says what the formula does instead; when it is a
  multiple :math:`A\,f^{(m)}(x)` of one derivative, dividing by :math:`A` repairs
  the formula, and the hint says so.

Every question is decided exactly: each :math:`T_k` is cancelled to a quotient of
polynomials in :math:`\varepsilon` (whose coefficients are polynomials in the other
symbols), so a coefficient is zero only when it is identically zero. The
expansion stops as soon as the remaining :math:`T_k` cannot reach the powers
asked for (the lowest power of :math:`T_k` grows at least linearly with ``k``).

Limits keep every call bounded: :data:`~stencilgen.formula.MAX_SAMPLES` samples,
Taylor terms up to :math:`f^{(k)}` with ``k`` at most :data:`MAX_TAYLOR_DERIVATIVE`, and
at most :data:`MAX_TERMS` extra terms of the series.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.polys.polyerrors import PolynomialError

from stencilgen import display, limits
from stencilgen.errors import ExpressionError, StencilError
from stencilgen.expr import parse_expression
from stencilgen.formula import Formula, Sample, is_zero, parse_formula, tidy
from stencilgen.stencil import FAMILIES, family_offsets, make_stencil

__all__ = [
    "MAX_TAYLOR_DERIVATIVE",
    "MAX_TERMS",
    "Analysis",
    "SeriesTerm",
    "analyze",
    "latex",
    "plain",
    "solve_coefficients",
]

#: Highest derivative :math:`f^{(k)}` whose Taylor term the analysis computes.
MAX_TAYLOR_DERIVATIVE = 128
#: Most terms of the error series that may be requested.
MAX_TERMS = 20


@dataclass(frozen=True)
class SeriesTerm:
    """One group of the expansion: all terms of the same power of the step.

    Attributes
    ----------
    power : int
        The power ``q`` of the step (the group is homogeneous of degree ``q`` in
        the step symbols).
    expr : sympy.Expr
        The terms, e.g. ``h**2*Derivative(f(x), (x, 3))/6``.
    """

    power: int
    expr: sympy.Expr


@dataclass(frozen=True)
class Analysis:
    r"""The truth about a formula: what it approximates, how well, or why not.

    Attributes
    ----------
    formula : Formula
        The parsed formula (after any ``where`` or ``solve`` substitution).
    consistent : bool
        True when the formula tends to exactly one derivative as the steps go to 0.
    derivative : int or None
        That derivative ``m``, or ``None`` when the formula is not consistent.
    accuracy : int or None
        The power ``p`` of the step in the leading error; ``None`` when the
        formula is not consistent or has no error at all.
    leading_error : sympy.Expr
        The leading error term (approximation minus exact value), in the user's
        function and variable; ``0`` for an exact formula. For a formula that is
        not consistent there is no exact value to subtract: it is then the
        dominant term of the expansion, the behaviour that makes the formula
        wrong (``h*Derivative(f(x), x)/2`` for ``(f(x) - f(x-h))/2``).
    series : tuple of SeriesTerm
        The expansion of the formula grouped by power of the step, lowest power
        first: the approximated derivative (or, for an inconsistent formula,
        what it tends to) followed by the requested number of error terms.
    remainder : int or None
        The power ``r`` such that the terms left out of :attr:`series` are
        :math:`O(\text{step}^r)`; ``None`` when :attr:`series` is complete.
    steps : tuple of sympy.Symbol
        The symbols that go to 0 together.
    at : sympy.Expr
        The point, relative to the variable, where the derivatives are taken.
    reason : str or None
        Why the formula is not consistent (``None`` when it is).
    hint : str or None
        How to repair an inconsistent formula, when we can tell.
    name : str or None
        The textbook name of the stencil when the formula is one (or, for an
        inconsistent formula, of what the hint turns it into).
    solution : dict or None
        The coefficients found by ``solve``, symbol to exact value.
    """

    formula: Formula
    consistent: bool
    derivative: int | None
    accuracy: int | None
    leading_error: sympy.Expr
    series: tuple[SeriesTerm, ...]
    remainder: int | None
    steps: tuple[sympy.Symbol, ...]
    at: sympy.Expr = sympy.S.Zero
    reason: str | None = None
    hint: str | None = None
    name: str | None = None
    solution: dict[sympy.Symbol, sympy.Expr] | None = field(default=None)

    @property
    def exact(self) -> sympy.Expr | None:
        """The derivative approximated, e.g. ``Derivative(f(x), x)``."""
        if self.derivative is None:
            return None
        return _derivative(self.formula, self.derivative, self.at)

    @property
    def error_series(self) -> tuple[SeriesTerm, ...]:
        """The error terms of :attr:`series` (approximation minus exact value)."""
        return self.series[1:] if self.consistent else ()

    @property
    def expansion(self) -> sympy.Expr:
        """:attr:`series` summed into one expression (without the remainder)."""
        return sympy.Add(*[t.expr for t in self.series])

    def __str__(self) -> str:
        if not self.consistent:
            return f"{self.formula.text}: not consistent ({self.reason})"
        what = plain(self.exact, self.formula) if self.exact is not None else "?"
        if self.accuracy is None:
            return f"{self.formula.text}: {what} exactly"
        error = plain(self.leading_error, self.formula)
        return (
            f"{self.formula.text}: {what}, accuracy {self.accuracy}, leading error "
            f"{error}"
        )


# -- display ---------------------------------------------------------------------------


def plain(expr: sympy.Expr | None, formula: Formula) -> str:
    """Plain text for an expression of the formula's function: ``h²·f'''(x)/6``.

    Examples
    --------
    >>> a = analyze("(u(t+dt) - u(t-dt))/(2*dt)")
    >>> plain(a.leading_error, a.formula)
    "dt²·u'''(t)/6"
    >>> plain(sympy.Symbol("dt") ** -2, a.formula)
    '1/dt²'
    """
    if expr is None:
        return "none"
    return display.plain(expr, function=formula.f, variable=formula.variable)


def latex(expr: sympy.Expr | None, formula: Formula) -> str:
    r"""LaTeX for an expression of the formula's function, with primes.

    Examples
    --------
    >>> a = analyze("(f(x+h) - f(x-h))/(2*h)")
    >>> latex(a.leading_error, a.formula)
    '\\frac{h^{2} f^{\\prime\\prime\\prime}{\\left(x \\right)}}{6}'
    """
    if expr is None:
        return r"\text{none}"
    return display.latex(expr, function=formula.f, variable=formula.variable)


def _steps_text(steps: Sequence[sympy.Symbol]) -> str:
    names = ", ".join(s.name for s in steps)
    return names if len(steps) == 1 else f"{names} (together)"


# -- the expansion ---------------------------------------------------------------------


def _derivative(formula: Formula, k: int, at: sympy.Expr) -> sympy.Expr:
    f, x = formula.f, formula.variable
    if k == 0:
        return f(x + at)
    expr = sympy.Derivative(f(x), (x, k))
    return expr if at == 0 else sympy.Subs(expr, x, x + at)


class _Laurent:
    """The Laurent series in ``eps`` of a rational function of ``eps``.

    ``lowest_power`` is the lowest power (``None`` for zero); coefficients are computed
    on demand by power-series division and cached.
    """

    def __init__(self, expr: sympy.Expr, eps: sympy.Symbol, what: str) -> None:
        num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
        try:
            numerator = sympy.Poly(num, eps).all_coeffs()[::-1]
            denominator = sympy.Poly(den, eps).all_coeffs()[::-1]
        except PolynomialError:
            raise ExpressionError(
                f"cannot expand {what}: the steps must enter as whole powers "
                "(no roots or functions of a step)"
            ) from None
        low_n = next((i for i, c in enumerate(numerator) if not is_zero(c)), None)
        low_d = next(i for i, c in enumerate(denominator) if not is_zero(c))
        self.lowest_power: int | None = None if low_n is None else low_n - low_d
        self.num = numerator[low_n:] if low_n is not None else []
        self.den = denominator[low_d:]
        # A monomial denominator: the series ends with the numerator's terms.
        self.last: int | None = (
            None
            if self.lowest_power is not None and len(self.den) > 1
            else (self.lowest_power or 0) + len(self.num) - 1
        )
        self._cache: list[sympy.Expr] = []

    def coefficient(self, power: int) -> sympy.Expr:
        """The coefficient of ``eps**power``, simplified (0 when absent)."""
        if self.lowest_power is None or power < self.lowest_power:
            return sympy.S.Zero
        index = power - self.lowest_power
        if self.last is not None and power > self.last:
            return sympy.S.Zero
        while len(self._cache) <= index:
            i = len(self._cache)
            value = self.num[i] if i < len(self.num) else sympy.S.Zero
            for j in range(1, min(i, len(self.den) - 1) + 1):
                value -= self.den[j] * self._cache[i - j]
            value = value / self.den[0]
            if not value.is_Number:
                value = tidy(value)
            self._cache.append(value)
        return self._cache[index]


class _Expansion:
    """The Taylor terms :math:`T_k` of a formula as Laurent series in the step."""

    def __init__(
        self,
        samples: Sequence[Sample],
        steps: Sequence[sympy.Symbol],
        at: sympy.Expr,
        guessed: bool = False,
    ) -> None:
        self.eps = sympy.Dummy("epsilon")
        scale = {s: self.eps * s for s in steps}
        self.samples = [
            (
                (s.shift - at).xreplace(scale),
                s.coefficient.xreplace(scale),
                s,
            )
            for s in samples
        ]
        self.moving = [(shift, c) for shift, c, _ in self.samples if not is_zero(shift)]
        shift_powers = []
        coefficient_powers = []
        for shift, coefficient, sample in self.samples:
            if is_zero(shift):
                continue
            power = _Laurent(shift, self.eps, f"the shift {sample.shift}").lowest_power
            assert power is not None
            if power <= 0:
                names = _steps_text(steps) if steps else "(none)"
                raise ExpressionError(
                    f"the shift {sample.shift - at} does not go to 0 with the step "
                    f"{names}; shifts must be multiples of a step, as in f(x + h) "
                    "(name the steps with steps=... / --step)"
                )
            shared = (sample.shift - at).free_symbols & set(steps)
            if guessed and power > 1 and len(shared) > 1:
                # f(x + a*h): is the step a, h, or both? Each gives another answer.
                names = ", ".join(sorted(s.name for s in shared))
                raise ExpressionError(
                    f"the shift {sample.shift - at} multiplies several symbols "
                    f"({names}); say which of them go to 0 with --step NAMES "
                    "(Python: steps=...)"
                )
            shift_powers.append(power)
            low = _Laurent(
                coefficient, self.eps, f"the coefficient {sample.coefficient}"
            )
            assert low.lowest_power is not None
            coefficient_powers.append(low.lowest_power)
        self.shift_power = min(shift_powers, default=1)
        self.coefficient_power = min(coefficient_powers, default=0)
        self._terms: dict[int, _Laurent] = {}

    def term(self, k: int) -> _Laurent:
        """:math:`T_k` as a Laurent series."""
        if k not in self._terms:
            if k > MAX_TAYLOR_DERIVATIVE:
                raise ExpressionError(
                    "the expansion needs Taylor terms beyond "
                    f"f^({MAX_TAYLOR_DERIVATIVE}); this formula is outside the limits "
                    "of the analysis"
                )
            if k == 0:
                expr = sympy.Add(*[c for _, c, _ in self.samples])
            elif not self.moving:
                expr = sympy.S.Zero
            else:
                expr = sympy.Add(*[c * s**k for s, c in self.moving])
                expr = expr / math.factorial(k)
            self._terms[k] = _Laurent(expr, self.eps, f"the Taylor term {k}")
        return self._terms[k]

    def bound(self, k: int) -> float:
        """A lower bound on the lowest power of :math:`T_k` (exact for ``k = 0``)."""
        if k == 0:
            power = self.term(0).lowest_power
            return math.inf if power is None else power
        if not self.moving:
            return math.inf
        return k * self.shift_power + self.coefficient_power

    def lowest(self) -> int | None:
        """The lowest power of the step over all :math:`T_k` (None if all vanish)."""
        best: float = math.inf
        k = 0
        while k == 0 or (self.moving and self.bound(k) <= best):
            power = self.term(k).lowest_power
            if power is not None:
                best = min(best, power)
            k += 1
        return None if best == math.inf else int(best)

    def group(self, power: int) -> dict[int, sympy.Expr]:
        """The non-zero coefficients of ``eps**power``, keyed by ``k``."""
        found = {}
        k = 0
        while k == 0 or (self.moving and self.bound(k) <= power):
            value = self.term(k).coefficient(power)
            if not is_zero(value):
                found[k] = value
            k += 1
        return found

    def finished(self, power: int) -> bool:
        """True when no group above ``power`` can be non-zero."""
        if self.moving:
            return False  # a formula with moving samples is never exact
        last = self.term(0).last
        return last is not None and power >= last


def _expression(formula: Formula, at: sympy.Expr, group: Mapping[int, Any]) -> Any:
    return sympy.Add(
        *[tidy(c) * _derivative(formula, k, at) for k, c in sorted(group.items())]
    )


def _standard_name(
    formula: Formula, steps: Sequence[sympy.Symbol], at: sympy.Expr, m: int, p: int
) -> str | None:
    """The textbook name when the formula is a standard forward/backward/central one."""
    if len(steps) != 1 or at != 0 or m < 1:
        return None
    (h,) = steps
    offsets = {}
    for sample in formula.samples:
        unit = sympy.cancel(sample.shift / h)
        weight = sympy.cancel(sample.coefficient * h**m)
        if not (unit.is_Integer and weight.is_Rational):
            return None
        offsets[int(unit)] = weight
    for kind in FAMILIES:
        try:
            family = family_offsets(kind, m, p)
        except StencilError:
            continue
        stencil = make_stencil(m, family)
        expected = {
            o: w for o, w in zip(family, stencil.weights, strict=True) if w != 0
        }
        if expected == offsets:
            return f"{display.ordinal(p)}-order {kind} difference"
    return None


def _analyse(
    formula: Formula,
    steps: tuple[sympy.Symbol, ...],
    at: sympy.Expr,
    terms: int,
    *,
    repair: bool = True,
    guessed: bool = False,
) -> Analysis:
    if not formula.samples:
        return Analysis(
            formula,
            False,
            None,
            None,
            sympy.S.Zero,
            (),
            None,
            steps,
            at,
            reason="all samples cancel: the formula is identically 0",
        )
    expansion = _Expansion(formula.samples, steps, at, guessed)
    lowest = expansion.lowest()
    assert lowest is not None  # non-zero coefficients on distinct shifts
    dominant = expansion.group(lowest)
    series = [SeriesTerm(lowest, _expression(formula, at, dominant))]
    consistent = (
        lowest == 0
        and len(dominant) == 1
        and is_zero(next(iter(dominant.values())) - 1)
    )
    # Collect `terms` more non-zero groups, then the power of what is left out.
    power = lowest
    remainder: int | None = None
    while not expansion.finished(power):
        power += 1
        if power > lowest + MAX_TAYLOR_DERIVATIVE:
            remainder = power
            break
        group = expansion.group(power)
        if not group:
            continue
        if len(series) == 1 + terms:
            remainder = power
            break
        series.append(SeriesTerm(power, _expression(formula, at, group)))
    if consistent:
        if len(series) == 1 and remainder is not None:
            raise ExpressionError(
                f"the error of {formula.text!r} starts beyond the powers the "
                "analysis computes; this formula is outside its limits"
            )
        m = next(iter(dominant))
        accuracy = series[1].power if len(series) > 1 else None
        lead = series[1].expr if len(series) > 1 else sympy.S.Zero
        name = _standard_name(formula, steps, at, m, accuracy) if accuracy else None
        return Analysis(
            formula,
            True,
            m,
            accuracy,
            lead,
            tuple(series),
            remainder,
            steps,
            at,
            name=name,
        )
    return _inconsistent(
        formula, steps, at, terms, tuple(series), remainder, lowest, dominant, repair
    )


def _inconsistent(
    formula: Formula,
    steps: tuple[sympy.Symbol, ...],
    at: sympy.Expr,
    terms: int,
    series: tuple[SeriesTerm, ...],
    remainder: int | None,
    lowest: int,
    dominant: Mapping[int, sympy.Expr],
    repair: bool,
) -> Analysis:
    step = _steps_text(steps) if steps else "the step"
    behaviour = plain(series[0].expr, formula)
    if lowest > 0:
        reason = f"it tends to 0 as {step} → 0, like {behaviour}"
    elif lowest < 0:
        reason = f"it grows without bound as {step} → 0, like {behaviour}"
    elif len(dominant) > 1:
        reason = f"it tends to {behaviour}, a mix of several derivatives"
    else:
        reason = f"it tends to {behaviour}, not a single derivative"
    hints: list[str] = []
    name = None
    fixed = set(formula.coefficient_symbols) - set(steps)
    if repair and len(dominant) == 1:
        ((m, factor),) = dominant.items()
        factor = tidy(factor)
        if len(factor.free_symbols - set(steps)) <= 1:
            rescaled = dataclasses.replace(
                formula,
                samples=tuple(
                    Sample(s.shift, tidy(s.coefficient / factor))
                    for s in formula.samples
                ),
                divisor=None,
            )
            fixed_analysis = _analyse(rescaled, steps, at, terms, repair=False)
            target = plain(_derivative(formula, m, at), formula)
            how = f"dividing it by {plain(factor, formula)}"
            if formula.divisor is not None:
                new = tidy(formula.divisor * factor)
                instead = (
                    f"by {plain(new, formula)} instead of "
                    f"{plain(formula.divisor, formula)}"
                )
                how = (
                    f"{how} ({instead})" if factor.is_Number else f"dividing {instead}"
                )
            name = fixed_analysis.name
            if name:
                result = f"the {name} for {target}"
            elif fixed_analysis.accuracy is None:
                result = f"exactly {target}"
            else:
                result = (
                    f"an approximation of {target} with accuracy "
                    f"{fixed_analysis.accuracy}"
                )
            hints.append(
                f"the formula is {behaviour} + …, a multiple of {target}; {how} "
                f"makes it {result}"
            )
    if fixed and (len(fixed) > 1 or not hints):
        ordered = sorted(fixed, key=lambda s: s.name)
        names = ",".join(s.name for s in ordered)
        hints.append(
            f"the coefficients contain {', '.join(s.name for s in ordered)}, which "
            f"stay fixed as {step} → 0; to choose them, solve for them: --solve "
            f"{names} --derivative M (Python: solve='{names}', derivative=M)"
        )
    if formula.spacing is not None and fixed:
        hints.append(
            f"index samples {formula.function}[i+k] stand for "
            f"{formula.function}(x + k·{formula.spacing}); if the grid step has "
            "another name, give it with --spacing (Python: spacing=...)"
        )
    return Analysis(
        formula,
        False,
        None,
        None,
        series[0].expr,
        series,
        remainder,
        steps,
        at,
        reason=reason,
        hint="; ".join(hints) if hints else None,
        name=name,
    )


# -- the public entry points -----------------------------------------------------------


def _names(value: str | Iterable[Any] | None, what: str) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(item).strip() for item in items]
    for name in names:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ExpressionError(
                f"{what} must be comma-separated names such as a,b,c; got {name!r}"
            )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ExpressionError(
            f"{what}: {repeated[0]!r} is given more than once; list each name once"
        )
    return names


def _steps(formula: Formula, steps: str | Iterable[Any] | None) -> tuple[Any, ...]:
    if steps is None:
        return formula.shift_symbols
    known = {s.name: s for s in (*formula.shift_symbols, *formula.coefficient_symbols)}
    chosen = []
    for name in _names(steps, "steps"):
        if name not in known:
            raise ExpressionError(
                f"the step {name!r} does not appear in the formula; name symbols of "
                "its shifts"
            )
        chosen.append(known[name])
    return tuple(chosen)


def _check_terms(terms: Any) -> int:
    if (
        isinstance(terms, bool)
        or not isinstance(terms, int)
        or not (1 <= terms <= MAX_TERMS)
    ):
        raise ExpressionError(
            f"terms must be a whole number from 1 to {MAX_TERMS}, got {terms!r}"
        )
    return terms


def solve_coefficients(
    formula: str | sympy.Expr | Formula,
    unknowns: str | Iterable[Any],
    derivative: int,
    *,
    spacing: str = "h",
    variable: str | None = None,
    where: Mapping[str, Any] | None = None,
) -> dict[sympy.Symbol, sympy.Expr]:
    r"""Choose coefficients so that a formula approximates ``derivative``.

    This is the derivation by hand: expand every sample in Taylor series and
    require :math:`T_k = \delta_{km}` for ``k = 0, 1, 2, ...`` (skipping the
    conditions that hold anyway) until the unknowns are determined, and at least
    up to ``k = m``. The unknowns must enter the coefficients linearly.

    Parameters
    ----------
    formula : str, sympy.Expr or Formula
        For example ``"a*f(x) + b*f(x+hd) + c*f(x-hs)"``.
    unknowns : str or iterable of str
        The coefficient names to solve for, e.g. ``"a,b,c"``.
    derivative : int
        The derivative ``m`` the formula should approximate.
    spacing, variable, where
        As for :func:`~stencilgen.formula.parse_formula`.

    Returns
    -------
    dict
        Each unknown's exact value, factored.

    Raises
    ------
    StencilError
        When no values (or no unique values) make the formula approximate the
        derivative.

    Examples
    --------
    The founding case: the weights ``numpy.gradient`` uses on a non-uniform grid.

    >>> solve_coefficients("a*f(x) + b*f(x+hd) + c*f(x-hs)", "a,b,c", 1)
    {a: (hd - hs)/(hd*hs), b: hs/(hd*(hd + hs)), c: -hd/(hs*(hd + hs))}
    """
    if (
        isinstance(derivative, bool)
        or not isinstance(derivative, int)
        or derivative < 0
    ):
        raise StencilError(
            f"derivative must be a whole number >= 0, got {derivative!r}"
        )
    parsed = (
        formula
        if isinstance(formula, Formula)
        else parse_formula(formula, spacing=spacing, variable=variable, where=where)
    )
    present = {s.name: s for s in parsed.coefficient_symbols}
    names = _names(unknowns, "the unknowns")
    if not names:
        raise StencilError("give the coefficient names to solve for, e.g. a,b,c")
    limits.check_derivative_limit(derivative)
    limits.check_unknowns(len(names), len(parsed.shift_symbols))
    symbols = []
    for name in names:
        if name not in present:
            raise StencilError(
                f"{name!r} is not a coefficient of the formula; solve for names "
                "that multiply samples"
            )
        if any(present[name] in s.shift.free_symbols for s in parsed.samples):
            raise StencilError(
                f"{name!r} appears in a shift; only coefficients can be solved for"
            )
        symbols.append(present[name])
    for sample in parsed.samples:
        for symbol in symbols:
            slope = sympy.diff(sample.coefficient, symbol)
            if slope.has(*symbols):
                raise StencilError(
                    f"the coefficient {sample.coefficient} is not linear in "
                    f"{', '.join(names)}; write it as a sum of unknowns times "
                    "known factors"
                )
    equations: list[sympy.Expr] = []
    highest = max(len(parsed.samples) - 1, derivative)
    solution: Any = None
    for k in range(highest + 1):
        term = sympy.Add(
            *[s.coefficient * s.shift**k for s in parsed.samples]
        ) / math.factorial(k) - (1 if k == derivative else 0)
        term = sympy.together(term)
        if is_zero(term):
            continue
        if not term.has(*symbols):
            raise StencilError(
                f"no values of {', '.join(names)} make the formula approximate "
                f"derivative {derivative}: its Taylor term {k} is fixed to "
                f"{tidy(term + (1 if k == derivative else 0))}"
            )
        equations.append(sympy.numer(term))
        solutions = sympy.linsolve(equations, symbols)
        if not solutions:
            raise StencilError(
                f"no values of {', '.join(names)} make the formula approximate "
                f"derivative {derivative}: its Taylor conditions up to term {k} "
                "contradict each other"
            )
        (solution,) = solutions
        if k >= derivative and not any(v.has(*symbols) for v in solution):
            return {s: tidy(v) for s, v in zip(symbols, solution, strict=True)}
    free = sorted(
        {str(s) for v in (solution or symbols) for s in v.free_symbols} & set(names)
    )
    raise StencilError(
        f"the Taylor conditions do not determine {', '.join(free or names)}; solve "
        "for fewer names or give the others values"
    )


def analyze(
    formula: str | sympy.Expr | Formula,
    *,
    terms: int = 2,
    spacing: str = "h",
    variable: str | None = None,
    steps: str | Iterable[Any] | None = None,
    at: Any = 0,
    where: Mapping[str, Any] | None = None,
    solve: str | Iterable[Any] | None = None,
    derivative: int | None = None,
) -> Analysis:
    """Tell what a finite-difference formula approximates, and how well.

    Parameters
    ----------
    formula : str, sympy.Expr or Formula
        A linear combination of samples of one function, e.g.
        ``"(f(x+h) - f(x-h))/(2*h)"``, ``"(u[i+1] - u[i])/h"`` or a SymPy
        expression in ``f(x + shift)``. Text is parsed by our own parser and is
        never executed (see :mod:`stencilgen.formula`).
    terms : int, optional
        How many non-zero error terms :attr:`Analysis.series` holds after the
        approximated derivative (default 2; at most :data:`MAX_TERMS`).
    spacing : str, optional
        The grid step of index notation ``u[i+k]`` (default ``h``).
    variable : str, optional
        The variable of the samples (found automatically when omitted).
    steps : str or iterable of str, optional
        The symbols that go to 0 (default: every symbol of the shifts).
    at : number, str or sympy.Expr, optional
        Expand about ``variable + at`` instead of ``variable`` (for staggered
        formulas written relative to a grid point).
    where : mapping, optional
        Values for coefficient names, e.g. ``{"a": "-1/h"}``.
    solve : str or iterable of str, optional
        Coefficient names to choose so that the formula approximates
        ``derivative`` (see :func:`solve_coefficients`); the analysis is then of
        the formula with the solution substituted, and holds it in
        :attr:`Analysis.solution`.
    derivative : int, optional
        The derivative to solve for; only with ``solve``.

    Returns
    -------
    Analysis
        ``derivative``, ``accuracy``, ``leading_error`` and ``consistent``, plus
        the series, and a reason and hint for inconsistent formulas.

    Raises
    ------
    ExpressionError
        For text that is not such a formula (one line, with the column).
    StencilError
        When ``solve`` has no unique solution.

    Examples
    --------
    >>> a = analyze("(f(x+h) - f(x-h))/(2*h)")
    >>> a.derivative, a.accuracy, a.leading_error, a.consistent
    (1, 2, h**2*Derivative(f(x), (x, 3))/6, True)

    A backward difference with a typo is caught, with the repair:

    >>> typo = analyze("(f(x) - f(x-h))/2")
    >>> typo.consistent, typo.derivative
    (False, None)
    >>> print(typo.hint)
    the formula is h·f'(x)/2 + …, a multiple of f'(x); dividing by h instead of 2 makes it the first-order backward difference for f'(x)

    Non-uniform steps, with the coefficients solved for:

    >>> b = analyze("a*f(x) + b*f(x+hd) + c*f(x-hs)", solve="a,b,c", derivative=1)
    >>> b.accuracy, b.leading_error
    (2, hd*hs*Derivative(f(x), (x, 3))/6)
    """  # noqa: E501
    terms = _check_terms(terms)
    parsed = (
        formula
        if isinstance(formula, Formula)
        else parse_formula(formula, spacing=spacing, variable=variable, where=where)
    )
    solution = None
    if solve is not None:
        if derivative is None:
            raise StencilError(
                "solve needs the derivative to approximate: give derivative=M "
                "(--derivative M)"
            )
        solution = solve_coefficients(parsed, solve, derivative)
        parsed = parsed.substitute(solution)
    elif derivative is not None:
        raise StencilError(
            "derivative= only says what to solve for; give solve= too, or leave it "
            "out (the analysis finds the derivative itself)"
        )
    chosen_steps = _steps(parsed, steps)
    if isinstance(at, str):
        origin = parse_expression(at)
    else:
        origin = sympy.Integer(at) if isinstance(at, int) else at
    if not isinstance(origin, sympy.Expr) or origin.has(parsed.variable):
        raise ExpressionError(
            f"at must be an expression in the steps (such as h/2), got {at!r}"
        )
    result = _analyse(parsed, chosen_steps, origin, terms, guessed=steps is None)
    if solution is not None:
        result = dataclasses.replace(result, solution=solution)
    return result
