r"""The :class:`Stencil` value: exact weights together with what they promise.

A stencil approximates :math:`f^{(m)}(x + a)` by :math:`\sum_i w_i f(x + o_i)`.
Numeric offsets are in units of a grid step ``h`` (the weights are then those of
``h = 1`` and the formula divides by :math:`h^m`); symbolic offsets such as
``[0, hd, -hs]`` carry their own units. The error convention is *approximation
minus exact value* (see :mod:`stencilgen.taylor`), so for the central difference

.. math:: \frac{f(x+h) - f(x-h)}{2h} - f'(x) = \frac{h^2}{6} f'''(x) + O(h^4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sympy

from stencilgen import limits
from stencilgen.errors import StencilError
from stencilgen.notation import F, H, X, derivative_at
from stencilgen.spectrum import SpectralReport, spectrum
from stencilgen.taylor import fd_weights, leading_term, prepare_offsets

__all__ = [
    "FAMILIES",
    "Stencil",
    "backward",
    "central",
    "family_offsets",
    "forward",
    "make_stencil",
]

Family = Literal["central", "forward", "backward"]
#: The stencil families with offsets chosen as in Fornberg (1988), Tables 1 and 3.
FAMILIES: tuple[Family, ...] = ("central", "forward", "backward")


@dataclass(frozen=True)
class Stencil:
    """Exact finite-difference stencil with its order of accuracy and error term.

    Build one with :func:`make_stencil`, :func:`central`, :func:`forward` or
    :func:`backward` rather than directly.

    Examples
    --------
    >>> s = forward(1, 2)
    >>> s.offsets, s.weights, s.accuracy, s.error_derivative, s.error_coefficient
    ((0, 1, 2), (-3/2, 2, -1/2), 2, 3, -1/3)

    Attributes
    ----------
    derivative : int
        Which derivative ``m`` is approximated.
    offsets : tuple of sympy.Expr
        Sample positions relative to ``x`` (grid units when numeric).
    at : sympy.Expr
        Where the derivative is taken, relative to ``x`` (``1/2`` for staggered).
    weights : tuple of sympy.Expr
        Exact weights, one per offset.
    accuracy : int or None
        ``p`` such that the error is :math:`O(h^p)`; ``None`` when the stencil is
        exact for every function (no error term at all).
    error_derivative : int or None
        ``k = m + p``: the derivative the leading error term multiplies.
    error_coefficient : sympy.Expr
        :math:`M_k / k!`, the exact constant of the leading error term (0 if none).
    """

    derivative: int
    offsets: tuple[sympy.Expr, ...]
    at: sympy.Expr
    weights: tuple[sympy.Expr, ...]
    accuracy: int | None
    error_derivative: int | None
    error_coefficient: sympy.Expr

    @property
    def error_order(self) -> int | None:
        """Deprecated name of :attr:`error_derivative` (kept for old code)."""
        return self.error_derivative

    @property
    def symbolic(self) -> bool:
        """True when offsets or ``at`` contain symbols (so no implied step ``h``).

        Examples
        --------
        >>> central(1, 2).symbolic, make_stencil(1, ["0", "hd", "-hs"]).symbolic
        (False, True)
        """
        return any(o.free_symbols for o in (*self.offsets, self.at))

    @property
    def point(self) -> sympy.Expr:
        """Where the derivative is evaluated, as an expression in ``x`` and ``h``.

        Examples
        --------
        >>> central(1, 2).point, make_stencil(1, [0, 1], at="1/2").point
        (x, h/2 + x)
        """
        return X + (self.at if self.symbolic else self.at * H)

    @property
    def leading_error(self) -> sympy.Expr:
        """The leading truncation-error term (approximation minus exact value).

        Examples
        --------
        >>> central(1, 2).leading_error
        h**2*Derivative(f(x), (x, 3))/6
        """
        if self.error_derivative is None:
            return sympy.S.Zero
        scale = 1 if self.symbolic else H ** (self.error_derivative - self.derivative)
        return (
            self.error_coefficient
            * scale
            * derivative_at(self.error_derivative, self.point)
        )

    @property
    def formula(self) -> sympy.Expr:
        """The approximation as an expression in samples ``f(x + offset)``.

        Examples
        --------
        >>> central(1, 2).formula
        -f(-h + x)/(2*h) + f(h + x)/(2*h)
        """
        unit = 1 if self.symbolic else H
        scale = 1 if self.symbolic else H**self.derivative
        return sympy.Add(
            *[
                w / scale * F(X + o * unit)
                for w, o in zip(self.weights, self.offsets, strict=True)
                if w != 0
            ]
        )

    @property
    def exact(self) -> sympy.Expr:
        """The quantity approximated, :math:`f^{(m)}` at :attr:`point`.

        Examples
        --------
        >>> central(2, 2).exact
        Derivative(f(x), (x, 2))
        """
        return derivative_at(self.derivative, self.point)

    def spectrum(self, tolerance: float = 1e-3) -> SpectralReport:
        """Modified wavenumber and points per wavelength (:mod:`stencilgen.spectrum`).

        Examples
        --------
        >>> round(central(1, 4).spectrum(1e-3).points_per_wavelength, 1)
        15.0
        """
        return spectrum(self, tolerance)

    def __str__(self) -> str:
        accuracy = "exact" if self.accuracy is None else f"accuracy {self.accuracy}"
        return f"{self.exact} ≈ {self.formula}  ({accuracy})"


def make_stencil(derivative: Any, offsets: Iterable[Any], at: Any = 0) -> Stencil:
    """Derive the stencil of ``derivative`` on ``offsets``, evaluated at ``at``.

    Parameters are those of :func:`stencilgen.fd_weights`.

    Returns
    -------
    Stencil
        Weights, accuracy and leading error term, all exact.

    Examples
    --------
    >>> s = make_stencil(1, ["0", "hd", "-hs"])
    >>> s.accuracy, s.leading_error
    (2, hd*hs*Derivative(f(x), (x, 3))/6)
    >>> make_stencil(1, [0, 1], at="1/2").leading_error
    h**2*Subs(Derivative(f(x), (x, 3)), x, h/2 + x)/24
    """
    m, points, origin = prepare_offsets(derivative, offsets, at)
    if any(p.has(X) for p in (*points, origin)):
        raise StencilError(
            "offsets may not contain the name 'x' (it is the evaluation point); "
            "rename that symbol"
        )
    _check_units(points, origin)
    weights = fd_weights(m, points, origin)
    nodes = [p - origin for p in points]
    term = leading_term(m, nodes, weights)
    if term is None:
        return Stencil(m, points, origin, weights, None, None, sympy.S.Zero)
    return Stencil(
        m,
        points,
        origin,
        weights,
        term.derivative - m,
        term.derivative,
        term.coefficient,
    )


_SAME_UNITS = (
    "give every offset in the same units: numbers (units of h, e.g. --at 1/2) or "
    "expressions such as -h,0,h"
)


def _check_units(points: tuple[sympy.Expr, ...], origin: sympy.Expr) -> None:
    """Refuse offsets that mix numbers (grid units) with symbols (own units).

    A number is a multiple of the implied step ``h`` and a symbol carries its own
    unit, so ``[-1, 0, 1]`` at ``h/2``, ``[0, 1, h]`` or ``h + 1`` have no common
    step for the accuracy and the error term to be measured in. Zero is both.
    """
    labelled = [(f"offset {i + 1} ({p})", p) for i, p in enumerate(points)]
    labelled.append((f"at ({origin})", origin))
    numbers = [label for label, p in labelled if not p.free_symbols and p != 0]
    symbols = [label for label, p in labelled if p.free_symbols]
    if numbers and symbols:
        raise StencilError(
            f"{numbers[0]} is a number but {symbols[0]} is symbolic; {_SAME_UNITS}"
        )
    for label, p in labelled:
        if p.free_symbols:
            constant = sympy.expand(p).as_independent(*p.free_symbols, as_Add=True)[0]
            if constant != 0:
                raise StencilError(
                    f"{label} adds the number {constant} to symbols; {_SAME_UNITS}"
                )


def family_offsets(kind: str, derivative: Any, accuracy: Any) -> tuple[int, ...]:
    """Offsets of the standard stencil families, as in Fornberg (1988).

    Central stencils of derivative ``m`` and even accuracy ``p`` use
    ``2*floor((m+1)/2) - 1 + p`` symmetric points; forward (backward) ones use
    ``m + p`` points ``0, 1, ...`` (``..., -1, 0``) for any accuracy ``p >= 1``.

    Examples
    --------
    >>> family_offsets("central", 2, 4)
    (-2, -1, 0, 1, 2)
    >>> family_offsets("forward", 1, 3)
    (0, 1, 2, 3)
    >>> family_offsets("central", 1, 3)
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilError: central stencils have even accuracy only, got 3; use accuracy 2 or 4, or kind forward or backward
    """  # noqa: E501
    if kind not in FAMILIES:
        raise StencilError(
            f"unknown stencil kind {kind!r}; use one of {', '.join(FAMILIES)}"
        )
    if isinstance(derivative, bool) or not isinstance(derivative, int):
        raise StencilError(
            f"derivative must be a whole number >= 1, got {derivative!r}"
        )
    if derivative < 1:
        raise StencilError(
            f"a {kind} stencil needs derivative >= 1, got {derivative}; for "
            "interpolation give explicit offsets"
        )
    if isinstance(accuracy, bool) or not isinstance(accuracy, int) or accuracy < 1:
        raise StencilError(f"accuracy must be a whole number >= 1, got {accuracy!r}")
    limits.check_family(derivative, accuracy)
    if kind == "central":
        if accuracy % 2:
            choices = f"{accuracy - 1} or {accuracy + 1}" if accuracy > 1 else "2"
            raise StencilError(
                f"central stencils have even accuracy only, got {accuracy}; use "
                f"accuracy {choices}, or kind forward or backward"
            )
        half = (2 * ((derivative + 1) // 2) - 2 + accuracy) // 2
        return tuple(range(-half, half + 1))
    count = derivative + accuracy
    if kind == "forward":
        return tuple(range(count))
    return tuple(range(1 - count, 1))


def _family(kind: Family, derivative: Any, accuracy: Any) -> Stencil:
    stencil = make_stencil(derivative, family_offsets(kind, derivative, accuracy))
    # The families are built to reach exactly the requested accuracy.
    assert stencil.accuracy == accuracy, (kind, derivative, accuracy)
    return stencil


def central(derivative: int, accuracy: int = 2) -> Stencil:
    """Central stencil of ``derivative`` with even ``accuracy``.

    Examples
    --------
    >>> central(2, 4).weights
    (-1/12, 4/3, -5/2, 4/3, -1/12)
    """
    return _family("central", derivative, accuracy)


def forward(derivative: int, accuracy: int = 1) -> Stencil:
    """One-sided forward stencil (offsets ``0, 1, ...``).

    Examples
    --------
    >>> forward(1, 2).weights
    (-3/2, 2, -1/2)
    """
    return _family("forward", derivative, accuracy)


def backward(derivative: int, accuracy: int = 1) -> Stencil:
    """One-sided backward stencil (offsets ``..., -1, 0``).

    Examples
    --------
    >>> backward(1, 1).weights
    (-1, 1)
    """
    return _family("backward", derivative, accuracy)
