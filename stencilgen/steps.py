r"""The step that balances a stencil's truncation error against round-off.

A stencil of derivative :math:`m` and accuracy :math:`p` with weights :math:`w_i`
approximates :math:`f^{(m)}(x)` by :math:`D_h = h^{-m} \sum_i w_i f(x + o_i h)`.
Computed in floating point, :math:`D_h` carries two errors:

* **truncation**, from the exact leading error term
  :math:`C h^p f^{(m+p)}(x)` (:attr:`~stencilgen.stencil.Stencil.error_coefficient`
  is :math:`C`), which grows with :math:`h`;
* **round-off**: each sample :math:`f(x + o_i h)` is known only to about
  :math:`\varepsilon |f|` (:math:`\varepsilon` the machine epsilon), and the sum
  amplifies those errors by at most :math:`\sum_i |w_i| / h^m`, which grows as
  :math:`h` shrinks.

Their bound

.. math:: E(h) = \frac{\varepsilon \sum_i |w_i|\, |f|}{h^m}
          + |C|\, h^p\, |f^{(m+p)}|

has :math:`E'(h) = -m A h^{-m-1} + p B h^{p-1}` (with :math:`A` and :math:`B` the
two numerators), which vanishes at

.. math:: h^* = \left(\frac{m\,\varepsilon \sum_i |w_i|\, |f|}
                 {p\, |C|\, |f^{(m+p)}|}\right)^{1/(m+p)},

the only minimum (:math:`E \to \infty` at both ends). At :math:`h^*` the
truncation error is :math:`m/p` times the round-off error, so
:math:`E(h^*) = (1 + m/p)\, \varepsilon \sum_i |w_i|\, |f| / h^{*m}`.

**Assumption.** :math:`f` and its derivatives are unknown before it is
differentiated, so the rule assumes :math:`f` varies on the length scale
:math:`s = \max(1, |x|)`: :math:`|f^{(k)}| \approx |f| / s^k`. Substituting gives
:math:`h^* = s \cdot h_{\mathrm{rel}}` with the *relative step*

.. math:: h_{\mathrm{rel}} = \left(\frac{m\,\varepsilon \sum_i |w_i|}{p\, |C|}
          \right)^{1/(m+p)},

which depends only on the stencil and the precision. For :math:`|x| \le 1` this is
the plain :math:`|f| \approx |f^{(m+p)}|`. Finally the step is made exactly
representable, :math:`h \leftarrow (x + h) - x`, so the sample :math:`x + h` is
exactly :math:`h` away from :math:`x` and no error enters through the spacing.

Examples
--------
The central first difference (:math:`\sum|w| = 1`, :math:`C = 1/6`) gives the
textbook :math:`(3\varepsilon)^{1/3}`:

>>> from stencilgen import central
>>> rule = step_rule(central(1, 2))
>>> rule.factor
3
>>> rule.relative_step()
8.733476581980376e-06
>>> float(representable_step(rule.relative_step(), 0.1))
8.733476581979094e-06
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from stencilgen.errors import StencilError
from stencilgen.stencil import Stencil
from stencilgen.taylor import as_exact

__all__ = [
    "FLOAT32_EPS",
    "FLOAT64_EPS",
    "StepRule",
    "default_step",
    "representable_step",
    "step_rule",
]

#: Machine epsilon of IEEE double precision, exactly: ``2**-52``.
FLOAT64_EPS = sympy.Rational(1, 2**52)
#: Machine epsilon of IEEE single precision, exactly: ``2**-23``.
FLOAT32_EPS = sympy.Rational(1, 2**23)
# Digits carried when the relative step is evaluated (then rounded to a double).
_DIGITS = 40


@dataclass(frozen=True)
class StepRule:
    """The constants of a stencil that fix its best step, all exact.

    Attributes
    ----------
    derivative : int
        ``m``, which derivative the stencil approximates (at least 1).
    accuracy : int
        ``p``, its order of accuracy.
    weight_sum : sympy.Rational
        Σ|w_i|, the amplification of round-off in the samples.
    error_coefficient : sympy.Rational
        ``C`` in the leading error term :math:`C h^p f^{(m+p)}`
        (approximation minus exact value).
    """

    derivative: int
    accuracy: int
    weight_sum: sympy.Rational
    error_coefficient: sympy.Rational

    @property
    def factor(self) -> sympy.Rational:
        """``m·Σ|w| / (p·|C|)``, so ``h_rel = (factor·ε)**exponent``."""
        m, p = self.derivative, self.accuracy
        return sympy.Rational(m) * self.weight_sum / (p * abs(self.error_coefficient))

    @property
    def exponent(self) -> sympy.Rational:
        """:math:`1/(m+p)`."""
        return sympy.Rational(1, self.derivative + self.accuracy)

    def relative_step_exact(self, eps: Any = FLOAT64_EPS) -> sympy.Expr:
        """The relative step as an exact SymPy expression.

        Parameters
        ----------
        eps : number, optional
            Relative accuracy of the function values: an int, Fraction, float
            (taken at its decimal value), SymPy number or text such as
            ``"2**-23"`` (read by the restricted parser, never evaluated);
            positive and finite.

        Raises
        ------
        StencilError
            If ``eps`` is not a positive finite number.

        Examples
        --------
        >>> from stencilgen import central
        >>> step_rule(central(1, 4)).relative_step_exact()
        90**(1/5)/2048
        >>> step_rule(central(1, 2)).relative_step_exact("2**-23")
        6**(1/3)/256
        """
        return sympy.Pow(self.factor * _epsilon(eps), self.exponent)

    def relative_step(self, eps: Any = FLOAT64_EPS) -> float:
        """``h_rel = (m·ε·Σ|w| / (p·|C|))**(1/(m+p))``, the nearest double.

        Parameters
        ----------
        eps : number, optional
            Relative accuracy of the function values; double precision's machine
            epsilon ``2**-52`` by default. Accepted as by
            :meth:`relative_step_exact`.

        Examples
        --------
        >>> from stencilgen import central
        >>> step_rule(central(1, 4)).relative_step()
        0.0012009323661373843
        >>> step_rule(central(1, 2)).relative_step(FLOAT32_EPS)
        0.007098127315750546
        """
        exact = self.relative_step_exact(eps)
        return float(sympy.N(exact, _DIGITS))

    def error_terms(
        self,
        h: ArrayLike,
        f_scale: float = 1.0,
        derivative_scale: float = 1.0,
        eps: float = float(FLOAT64_EPS),
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The truncation and round-off bounds at steps ``h``.

        Parameters
        ----------
        h : array_like
            Steps (absolute).
        f_scale : float, optional
            :math:`|f|` near ``x``.
        derivative_scale : float, optional
            :math:`|f^{(m+p)}(x)|`.
        eps : float, optional
            Relative accuracy of the function values.

        Returns
        -------
        truncation, round_off : ndarray
            :math:`|C| h^p |f^{(m+p)}|` and ``ε·Σ|w|·|f| / h**m``.

        Examples
        --------
        >>> from stencilgen import central
        >>> rule = step_rule(central(1, 2))
        >>> h = rule.relative_step()
        >>> truncation, round_off = rule.error_terms(h)
        >>> round(float(truncation / round_off), 12)  # m/p at the optimum
        0.5
        """
        steps = np.asarray(h, dtype=np.float64)
        truncation = (
            float(abs(self.error_coefficient))
            * steps ** float(self.accuracy)
            * derivative_scale
        )
        round_off = eps * float(self.weight_sum) * f_scale / steps**self.derivative
        return truncation, round_off

    def best_error(self, eps: float = float(FLOAT64_EPS)) -> float:
        """:math:`E(h^*)` for ``|f| = |f^{(m+p)}| = 1``: ``(1 + m/p)`` × round-off.

        Examples
        --------
        >>> from stencilgen import central
        >>> f"{step_rule(central(1, 4)).best_error():.2e}"
        '3.47e-13'
        """
        truncation, round_off = self.error_terms(self.relative_step(eps), eps=eps)
        return float(truncation + round_off)


def _epsilon(eps: Any) -> sympy.Expr:
    """``eps`` as an exact positive number (text never reaches ``sympify``)."""
    value = as_exact(eps, "eps")
    if not (value.is_number and value.is_extended_real and value.is_finite):
        raise StencilError(
            f"eps must be a finite real number such as 2**-52, got {eps!r}; give "
            "the relative accuracy of the function values"
        )
    if not value.is_positive:
        raise StencilError(
            f"eps must be positive, got {eps!r}; give the relative accuracy of the "
            "function values, e.g. 2**-52 for double precision"
        )
    return value


def step_rule(stencil: Stencil) -> StepRule:
    """The step constants of a stencil with numeric offsets.

    Raises
    ------
    StencilError
        For symbolic offsets (no single step ``h``), derivative 0 (interpolation
        amplifies no round-off: the smaller the step the better) or a stencil
        without truncation error (any step is as good).

    Examples
    --------
    >>> from stencilgen import central, make_stencil
    >>> rule = step_rule(central(1, 4))
    >>> rule.weight_sum, rule.error_coefficient, rule.factor
    (3/2, -1/30, 45/4)
    >>> step_rule(make_stencil(1, ["0", "hd", "-hs"]))
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilError: offsets 0, hd, -hs are symbolic; a step rule needs numeric offsets in units of one step h, e.g. --offsets=-1,0,1
    """  # noqa: E501
    if stencil.symbolic:
        offsets = ", ".join(str(o) for o in stencil.offsets)
        raise StencilError(
            f"offsets {offsets} are symbolic; a step rule needs numeric offsets in "
            "units of one step h, e.g. --offsets=-1,0,1"
        )
    if stencil.derivative < 1:
        raise StencilError(
            "derivative 0 (interpolation) does not amplify round-off, so no step "
            "balances it: the smaller the step the better; use derivative >= 1"
        )
    if stencil.accuracy is None:
        raise StencilError(
            "this stencil has no truncation error, so every step is as good; "
            "choose a stencil with fewer offsets than the exact one"
        )
    weight_sum = sympy.Add(*(abs(w) for w in stencil.weights))
    return StepRule(
        stencil.derivative, stencil.accuracy, weight_sum, stencil.error_coefficient
    )


def representable_step(h: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
    """``(x + h) - x``: the step as it really separates ``x`` and ``x + h``.

    Examples
    --------
    >>> float(representable_step(0.1, 3.0))
    0.10000000000000009
    """
    points = np.asarray(x, dtype=np.float64)
    steps = np.asarray(h, dtype=np.float64)
    return np.asarray((points + steps) - points)


def default_step(relative_step: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
    """The default absolute step at ``x``: ``relative_step · max(1, |x|)``, exact.

    This is the rule the generated callables apply to every coordinate.

    Examples
    --------
    >>> default_step(1e-3, [0.5, -200.0]).tolist()
    [0.0010000000000000009, 0.19999999999998863]
    """
    points = np.asarray(x, dtype=np.float64)
    relative = np.asarray(relative_step, dtype=np.float64)
    return representable_step(relative * np.maximum(1.0, np.abs(points)), points)
