r"""Spectral analysis of linear schemes: modified wavenumber, points per wavelength.

A scheme :math:`\sum_l \alpha_l f^{(m)}_{i+l} = h^{-m} \sum_j b_j f(x_i + d_j h)`
(explicit stencils have only :math:`\alpha_0 = 1`; compact, Padé, schemes have
more) applied to :math:`f = e^{ikx}` gives :math:`(i\kappa)^m` in place of
:math:`(ik)^m`, with :math:`\theta = kh` and the *symbol*

.. math:: \sigma(\theta) = (\kappa h)^m = \frac{N(\theta)}{i^m D(\theta)},\qquad
   N = \sum_j b_j e^{i\theta d_j},\quad D = \sum_l \alpha_l e^{i\theta l}.

The real part of the modified wavenumber :math:`\kappa` is the dispersion, its
imaginary part the dissipation (zero for a symmetric central stencil). The
relative error :math:`e(\theta) = (\sigma - \theta^m)/\theta^m` decides the
resolution: :math:`\theta_{max}` is the largest :math:`\theta \le \pi` with
:math:`|e(t)| \le \varepsilon` for every :math:`0 < t \le \theta`; the resolving
efficiency is :math:`\theta_{max}/\pi` and the points per wavelength
:math:`2\pi/\theta_{max}`.

Without cancellation
--------------------
Near :math:`\theta = 0` the sums :math:`N` and :math:`\theta^m D` agree in their
first :math:`K` Taylor terms (that is what accuracy means), so subtracting them
in floating point loses everything: for the accuracy-4 second derivative the
naive cosine form reports :math:`|e| \approx 10^{-4}` at :math:`\theta \approx
10^{-6}` from round-off alone. Writing :math:`R_K(z) = e^z - \sum_{n<K} z^n/n!`
(the exponential's tail), the moment conditions give exactly

.. math:: N(\theta) - (i\theta)^m D(\theta) = \sum_j b_j R_K(i\theta d_j)
   - (i\theta)^m \sum_l \alpha_l R_{K-m}(i\theta l),

where :math:`K` is the first order whose Taylor coefficient
:math:`c_n = \sum_j b_j d_j^n/n! - \sum_l \alpha_l l^{n-m}/(n-m)!` does not vanish
(found exactly, in rationals). Each :math:`R_K(z)` is summed as its own power
series when :math:`|z| \le 1` (terms falling fast, no cancellation) and as
:math:`e^z` minus the polynomial otherwise (then the tail is not small), so the
error is accurate to a few ulps relative to :math:`\theta^m` at every
:math:`\theta`.

Examples
--------
>>> from stencilgen import central
>>> report = spectrum(central(1, 2), tolerance=1e-3)
>>> round(report.points_per_wavelength, 1), round(report.resolving_efficiency, 4)
(81.1, 0.0247)
>>> round(spectrum(central(2, 4), tolerance=1e-4).points_per_wavelength, 1)
20.4
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from numpy.typing import ArrayLike, NDArray

from stencilgen.errors import StencilgenError

if TYPE_CHECKING:
    from stencilgen.stencil import Stencil

__all__ = [
    "DEFAULT_TOLERANCE",
    "Scheme",
    "SpectralReport",
    "check_tolerance",
    "exp_tail",
    "scheme_from_stencil",
    "spectrum",
]

#: The default phase-error tolerance ε (0.1 %).
DEFAULT_TOLERANCE = 1e-3

# Grid for the search of θ_max: geometric near 0 (tight tolerances cross early),
# then uniform; the first crossing is refined by bisection.
_GEOMETRIC = np.geomspace(1e-9 * math.pi, math.pi / 4096, 240)
_UNIFORM = np.linspace(math.pi / 4096, math.pi, 4096)
_GRID = np.unique(np.concatenate([_GEOMETRIC, _UNIFORM]))


def _fraction(value: Any, what: str) -> Fraction:
    """An exact rational from an int, Fraction or SymPy rational number."""
    if isinstance(value, bool):
        raise StencilgenError(f"{what} must be a number, got {value!r}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    expr = sympy.sympify(value) if isinstance(value, sympy.Basic) else None
    if expr is not None and expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    raise StencilgenError(
        f"{what} must be an exact rational number for a spectral analysis, got "
        f"{value!r}; give numeric offsets in units of h"
    )


@dataclass(frozen=True)
class Scheme:
    r"""A linear scheme in spectral form, all numbers exact.

    :math:`\sum_l \alpha_l f^{(m)}_{i+l} = h^{-m}\sum_j b_j f(x_i + d_j h)`.

    Examples
    --------
    >>> s = Scheme.make(1, [-1, 1], [Fraction(-1, 2), Fraction(1, 2)])
    >>> s.error_order, s.error_coefficient
    (3, Fraction(1, 6))

    Attributes
    ----------
    derivative : int
        ``m``.
    offsets, weights : tuple of Fraction
        Right-hand side ``d_j`` (relative to the evaluation point) and ``b_j``.
    lhs_offsets, lhs_weights : tuple
        Left-hand side ``l`` (ints) and ``α_l``; ``(0,), (1,)`` when explicit.
    error_order : int or None
        ``K``: the first order with a non-zero Taylor coefficient ``c_K``
        (``m + accuracy`` for a consistent scheme); ``None`` if none below the
        search limit (then the scheme is exact for every ``e^{ikx}``).
    error_coefficient : Fraction
        ``c_K`` (zero when ``error_order`` is None).
    """

    derivative: int
    offsets: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    lhs_offsets: tuple[int, ...]
    lhs_weights: tuple[Fraction, ...]
    error_order: int | None
    error_coefficient: Fraction

    @classmethod
    def make(
        cls,
        derivative: int,
        offsets: Sequence[Any],
        weights: Sequence[Any],
        lhs_offsets: Sequence[int] = (0,),
        lhs_weights: Sequence[Any] = (1,),
    ) -> Scheme:
        """Build a scheme and find its leading Taylor coefficient exactly."""
        d = tuple(_fraction(o, "offset") for o in offsets)
        b = tuple(_fraction(w, "weight") for w in weights)
        lo = tuple(int(_fraction(o, "left-hand offset")) for o in lhs_offsets)
        lw = tuple(_fraction(w, "left-hand weight") for w in lhs_weights)
        if len(d) != len(b) or len(lo) != len(lw):
            raise StencilgenError("offsets and weights must have the same length")
        m = derivative
        limit = 2 * (len(d) + len(lo)) + m + 2
        for n in range(limit):
            c = taylor_coefficient(n, m, d, b, lo, lw)
            if c != 0:
                return cls(m, d, b, lo, lw, n, c)
        return cls(m, d, b, lo, lw, None, Fraction(0))

    @property
    def consistent(self) -> bool:
        """True when the relative error vanishes as θ → 0 (accuracy >= 1)."""
        return self.error_order is None or self.error_order > self.derivative

    @property
    def accuracy(self) -> int | None:
        """``K - m``: the order of accuracy (None when exact or inconsistent)."""
        if self.error_order is None or not self.consistent:
            return None
        return self.error_order - self.derivative

    def relative_error(self, theta: ArrayLike) -> NDArray[np.complex128]:
        r""":math:`e(\theta) = (\sigma(\theta) - \theta^m)/\theta^m`, complex.

        Examples
        --------
        >>> s = Scheme.make(1, [-1, 1], [Fraction(-1, 2), Fraction(1, 2)])
        >>> t = 1e-6  # sin(t)/t - 1 = -t²/6 + t⁴/120 - ...
        >>> bool(abs(s.relative_error(t).real - (-t * t / 6 + t**4 / 120)) < 1e-28)
        True
        """
        t = np.asarray(theta, dtype=float)
        numerator, denominator = self._parts(t)
        result: NDArray[np.complex128] = numerator / ((1j * t) ** self.derivative)
        return result / denominator

    def symbol(self, theta: ArrayLike) -> NDArray[np.complex128]:
        r"""The symbol :math:`\sigma(\theta) = (\kappa h)^m`.

        The scheme's value on :math:`e^{ikx}` (with ``h = 1``), divided by
        :math:`i^m`.
        """
        t = np.asarray(theta, dtype=float)
        return t**self.derivative * (1 + self.relative_error(t))

    def modified_wavenumber(self, theta: ArrayLike) -> NDArray[np.complex128]:
        r""":math:`\kappa h = \theta (1 + e)^{1/m}` (principal root).

        Examples
        --------
        >>> s = Scheme.make(1, [-1, 1], [Fraction(-1, 2), Fraction(1, 2)])
        >>> complex(s.modified_wavenumber(math.pi / 2))
        (1+0j)
        """
        t = np.asarray(theta, dtype=float)
        return t * (1 + _power_minus_one(self.relative_error(t), 1 / self.derivative))

    def phase_error(self, theta: ArrayLike) -> NDArray[np.float64]:
        r"""Relative phase-velocity error :math:`\mathrm{Re}\,\kappa/\theta - 1`."""
        e = self.relative_error(theta)
        return np.asarray(_power_minus_one(e, 1 / self.derivative).real)

    def group_error(self, theta: ArrayLike) -> NDArray[np.float64]:
        r"""Relative group-velocity error :math:`\mathrm{Re}\,d\kappa/d\theta - 1`.

        Examples
        --------
        >>> s = Scheme.make(1, [-1, 1], [Fraction(-1, 2), Fraction(1, 2)])
        >>> bool(abs(s.group_error(1.0) - (math.cos(1.0) - 1)) < 1e-15)
        True
        """
        t = np.asarray(theta, dtype=float)
        m = self.derivative
        E, D = self._parts(t)
        dE, dD = self._derivatives(t)
        e = E / ((1j * t) ** m * D)
        q = t * (dE * D - E * dD) / (m * (1j * t) ** m * D * D)
        # κ' - 1 = (1 + e)^(1/m - 1)·(1 + q) - 1, arranged so that small
        # errors keep their relative accuracy.
        value = _power_minus_one(e, 1 / m - 1) * (1 + q) + q
        return np.asarray(value.real)

    def _parts(
        self, t: NDArray[np.float64]
    ) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
        """``N - (iθ)^m D`` without cancellation, and ``D``."""
        K = 0 if self.error_order is None else self.error_order
        m = self.derivative
        numerator = np.zeros(t.shape, dtype=complex)
        for d, b in zip(self.offsets, self.weights, strict=True):
            if b:
                numerator += float(b) * exp_tail(1j * t * float(d), K)
        lhs = np.zeros(t.shape, dtype=complex)
        denominator = np.zeros(t.shape, dtype=complex)
        for lo, a in zip(self.lhs_offsets, self.lhs_weights, strict=True):
            if a:
                lhs += float(a) * exp_tail(1j * t * lo, K - m)
                denominator += float(a) * np.exp(1j * t * lo)
        if self.error_order is None:
            # Exact scheme: N = (iθ)^m D identically.
            return np.zeros(t.shape, dtype=complex), denominator
        return numerator - (1j * t) ** m * lhs, denominator

    def _derivatives(
        self, t: NDArray[np.float64]
    ) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
        """θ-derivatives of ``N - (iθ)^m D`` (without cancellation) and ``D``."""
        K = 0 if self.error_order is None else self.error_order
        m = self.derivative
        dN = np.zeros(t.shape, dtype=complex)
        for d, b in zip(self.offsets, self.weights, strict=True):
            if b:
                dN += float(b) * 1j * float(d) * exp_tail(1j * t * float(d), K - 1)
        lhs = np.zeros(t.shape, dtype=complex)
        dlhs = np.zeros(t.shape, dtype=complex)
        dD = np.zeros(t.shape, dtype=complex)
        for lo, a in zip(self.lhs_offsets, self.lhs_weights, strict=True):
            if a:
                lhs += float(a) * exp_tail(1j * t * lo, K - m)
                dlhs += float(a) * 1j * lo * exp_tail(1j * t * lo, K - m - 1)
                dD += float(a) * 1j * lo * np.exp(1j * t * lo)
        if self.error_order is None:
            return np.zeros(t.shape, dtype=complex), dD
        power = m * 1j * (1j * t) ** (m - 1) if m else np.zeros(t.shape)
        dE = dN - power * lhs - (1j * t) ** m * dlhs
        return dE, dD


def taylor_coefficient(
    n: int,
    m: int,
    d: Sequence[Fraction],
    b: Sequence[Fraction],
    lo: Sequence[int],
    lw: Sequence[Fraction],
) -> Fraction:
    r"""Exact :math:`c_n = \sum_j b_j d_j^n/n! - \sum_l \alpha_l l^{n-m}/(n-m)!`.

    ``c_n`` multiplies :math:`(i\theta)^n` in :math:`N - (i\theta)^m D`; a scheme
    of accuracy ``p`` has :math:`c_n = 0` for every ``n < m + p``.

    Examples
    --------
    >>> taylor_coefficient(3, 1, [Fraction(-1), Fraction(1)],
    ...                    [Fraction(-1, 2), Fraction(1, 2)], [0], [Fraction(1)])
    Fraction(1, 6)
    """
    value = sum((w * x**n for x, w in zip(d, b, strict=True)), Fraction(0))
    value /= math.factorial(n)
    if n >= m:
        k = n - m
        lhs = sum(
            (a * Fraction(x) ** k for x, a in zip(lo, lw, strict=True)), Fraction(0)
        )
        value -= lhs / math.factorial(k)
    return value


def exp_tail(z: ArrayLike, K: int) -> NDArray[np.complex128]:
    r""":math:`R_K(z) = e^z - \sum_{n<K} z^n/n!`, accurate relative to itself.

    For :math:`|z| \le \max(1, (K+1)/2)` the series :math:`\sum_{n \ge K}
    z^n/n!` (its terms at least halve each step) is summed; beyond, the
    exponential minus the polynomial (the tail is then not small).

    Examples
    --------
    >>> z = exp_tail(1e-5j, 3)  # (iy)³/6 + (iy)⁴/24 + (iy)⁵/120 + ...
    >>> bool(abs(z - (-1e-15j / 6 + 1e-20 / 24 + 1e-25j / 120)) < 1e-31)
    True
    >>> bool(abs(exp_tail(2.0, 2) - (math.exp(2) - 3)) < 1e-15)
    True
    """
    z = np.asarray(z, dtype=complex)
    if K <= 0:
        exponential: NDArray[np.complex128] = np.exp(z)
        return exponential
    # Series where its terms fall at least by half each step from the first one
    # (so they cannot cancel); there the tail is small beside e^z.
    small = np.abs(z) <= max(1.0, (K + 1) / 2)
    result = np.empty(z.shape, dtype=complex)
    zs = z[small]
    term = zs**K / math.factorial(K)
    total = term.copy()
    n = K
    while term.size and np.any(np.abs(term) > 1e-17 * np.abs(total)):
        n += 1
        term = term * zs / n
        total += term
    result[small] = total
    zl = z[~small]
    poly = np.zeros(zl.shape, dtype=complex)
    for n in range(K - 1, -1, -1):
        poly = poly * zl + 1 / math.factorial(n)
    result[~small] = np.exp(zl) - poly
    return result


def _power_minus_one(z: NDArray[np.complex128], power: float) -> NDArray[np.complex128]:
    """``(1 + z)**power - 1`` keeping relative accuracy for small complex ``z``.

    Examples
    --------
    >>> complex(_power_minus_one(np.array(1e-20 + 0j), 0.5))
    (5e-21+0j)
    """
    z = np.asarray(z, dtype=complex)
    if power == 1:
        return z
    if power == 0:
        return np.zeros(z.shape, dtype=complex)
    # Binomial series, to z**4, where it is exact to rounding (|z| < 1e-4).
    series = np.zeros(z.shape, dtype=complex)
    coefficient = 1.0
    for n in range(1, 5):
        coefficient *= (power - n + 1) / n
        series += coefficient * z**n
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = (1 + z) ** power - 1
    return np.where(np.abs(z) < 1e-4, series, direct)


def scheme_from_stencil(stencil: Stencil) -> Scheme:
    """The spectral form of an explicit :class:`~stencilgen.stencil.Stencil`.

    Offsets are taken relative to the evaluation point ``at``.

    Examples
    --------
    >>> from stencilgen import make_stencil
    >>> scheme_from_stencil(make_stencil(1, [0, 1], at="1/2")).offsets
    (Fraction(-1, 2), Fraction(1, 2))
    """
    if stencil.symbolic:
        raise StencilgenError(
            "a spectral analysis needs numeric offsets in units of h (the "
            "wavenumber is measured against the step); give e.g. --offsets=-1,0,1"
        )
    at = _fraction(stencil.at, "at")
    offsets = [_fraction(o, "offset") - at for o in stencil.offsets]
    return Scheme.make(stencil.derivative, offsets, stencil.weights)


def check_tolerance(tolerance: Any) -> float:
    """``tolerance`` as a float in (0, 1), or a one-line error.

    Examples
    --------
    >>> check_tolerance("1e-3")
    0.001
    >>> check_tolerance(0)
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilgenError: tolerance must be a number between 0 and 1 (a relative phase error such as 1e-3), got 0
    """  # noqa: E501
    try:
        value = float(tolerance)
    except (TypeError, ValueError):
        value = math.nan
    if not (0 < value < 1):
        raise StencilgenError(
            "tolerance must be a number between 0 and 1 (a relative phase error "
            f"such as 1e-3), got {tolerance}"
        )
    return value


@dataclass(frozen=True)
class SpectralReport:
    """The resolution of a scheme at a tolerance, and its spectral curves.

    Attributes
    ----------
    scheme : Scheme
        What was analysed.
    tolerance : float
        ε: the largest relative error of the symbol accepted.
    theta_max : float
        The largest θ ≤ π with ``|e(t)| <= ε`` for all ``0 < t <= θ``.
    resolving_efficiency : float
        ``θ_max/π``.
    points_per_wavelength : float
        ``2π/θ_max`` (``inf`` when even the smallest wavenumbers miss ε).
    """

    scheme: Scheme
    tolerance: float
    theta_max: float

    @property
    def resolving_efficiency(self) -> float:
        """``θ_max/π``."""
        return self.theta_max / math.pi

    @property
    def points_per_wavelength(self) -> float:
        """``2π/θ_max``."""
        return 2 * math.pi / self.theta_max if self.theta_max > 0 else math.inf

    def table(self, count: int = 8) -> list[dict[str, float]]:
        """Rows at θ = π/count, 2π/count, ..., π.

        Each row: ``theta``, ``kappa_real`` and ``kappa_imag`` (modified
        wavenumber κh: dispersion and dissipation), ``relative_error``
        (``|σ - θ^m|/θ^m``), ``phase_error`` and ``group_error``.
        """
        theta = np.arange(1, count + 1) * math.pi / count
        kappa = self.scheme.modified_wavenumber(theta)
        error = np.abs(self.scheme.relative_error(theta))
        phase = self.scheme.phase_error(theta)
        group = self.scheme.group_error(theta)
        return [
            {
                "theta": float(t),
                "kappa_real": float(k.real),
                "kappa_imag": float(k.imag),
                "relative_error": float(e),
                "phase_error": float(p),
                "group_error": float(g),
            }
            for t, k, e, p, g in zip(theta, kappa, error, phase, group, strict=True)
        ]


def theta_max(scheme: Scheme, tolerance: float) -> float:
    """The largest θ ≤ π with ``|e(t)| <= tolerance`` on all of ``(0, θ]``.

    Examples
    --------
    >>> s = Scheme.make(1, [-1, 1], [Fraction(-1, 2), Fraction(1, 2)])
    >>> round(theta_max(s, 1e-3), 6)  # sin(θ)/θ = 1 - 1e-3
    0.077471
    """
    error = np.abs(scheme.relative_error(_GRID))
    bad = np.flatnonzero(~(error <= tolerance))
    if bad.size == 0:
        return math.pi
    first = int(bad[0])
    low = float(_GRID[first - 1]) if first else 0.0
    high = float(_GRID[first])
    for _ in range(60):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        if abs(scheme.relative_error(middle)) <= tolerance:
            low = middle
        else:
            high = middle
    return low


def spectrum(
    what: Stencil | Scheme, tolerance: float = DEFAULT_TOLERANCE
) -> SpectralReport:
    """The spectral report of a stencil or scheme at ``tolerance``.

    Examples
    --------
    >>> from stencilgen import central
    >>> [round(spectrum(central(1, p)).points_per_wavelength, 1) for p in (4, 6, 8)]
    [15.0, 8.6, 6.4]
    """
    tolerance = check_tolerance(tolerance)
    scheme = what if isinstance(what, Scheme) else scheme_from_stencil(what)
    return SpectralReport(scheme, tolerance, theta_max(scheme, tolerance))
