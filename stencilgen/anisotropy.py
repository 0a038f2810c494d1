r"""Direction dependence of N-D stencils, and the 3×3 Laplacian family.

An N-D stencil with points :math:`p` (integer offsets in units of ``h``) and
weights :math:`w_p` applied to :math:`e^{i k\cdot x}` returns its symbol
:math:`\sigma_h(\theta) = \sum_p w_p e^{i\theta\cdot p}` (with
:math:`\theta = k h`) where the differential operator
:math:`\sum_\alpha c_\alpha \partial^\alpha` returns
:math:`\sigma(\theta) = \sum_\alpha c_\alpha (i\theta)^\alpha`. At a fixed
resolution (points per wavelength :math:`N = 2\pi/|\theta|`) the relative error
:math:`e = (\sigma_h - \sigma)/\sigma` depends on the wave's direction: that
dependence is the anisotropy. :func:`anisotropy` measures it over directions
(angles in 2-D, a Fibonacci sphere in 3-D).

On the 3×3 box the second-order Laplacians form a one-parameter family
(:func:`laplacian_box_family`): the five-point stencil (``γ = 0``), the
isotropic member whose leading error is :math:`\frac{h^2}{12}\Delta^2 u`
(``γ = 1/3``, derived exactly from that condition), and the same weights used
as the Mehrstellen scheme: with the corrected right-hand side
:math:`f + \frac{h^2}{12}\Delta_h f` it solves Poisson's equation with order 4.

Examples
--------
>>> fam = laplacian_box_family()
>>> fam.isotropic
1/3
>>> five = anisotropy(fam.points, fam.weights_at(0), {(2, 0): 1, (0, 2): 1})
>>> iso = anisotropy(fam.points, fam.weights_at(fam.isotropic), {(2, 0): 1, (0, 2): 1})
>>> round(five.spread / iso.spread)
76
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from stencilgen.errors import StencilgenError

__all__ = [
    "AnisotropyReport",
    "BoxFamily",
    "anisotropy",
    "directions",
    "laplacian_box_family",
]


def directions(ndim: int, count: int = 181) -> NDArray[np.float64]:
    """Unit wave directions: angles ``0..π`` in 2-D, a Fibonacci sphere in 3-D.

    Examples
    --------
    >>> directions(2, 3).round(3).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    """
    if ndim == 1:
        return np.array([[1.0]])
    if ndim == 2:
        phi = np.linspace(0, math.pi, count)
        return np.stack([np.cos(phi), np.sin(phi)], axis=1)
    if ndim == 3:
        index = np.arange(count, dtype=np.float64) + 0.5
        z = 1 - 2 * index / count
        r = np.sqrt(1 - z * z)
        turn = math.pi * (1 + 5**0.5) * index
        return np.stack([r * np.cos(turn), r * np.sin(turn), z], axis=1)
    raise StencilgenError(
        f"directions are offered in 1, 2 and 3 dimensions, not {ndim}"
    )


@dataclass(frozen=True)
class AnisotropyReport:
    """The relative error of an N-D stencil's symbol over wave directions.

    Attributes
    ----------
    points_per_wavelength : float
        ``2π/|θ|``.
    directions : ndarray
        Unit vectors, one row per direction.
    relative_error : ndarray
        Complex ``(σ_h - σ)/σ`` per direction.
    """

    points_per_wavelength: float
    directions: NDArray[np.float64]
    relative_error: NDArray[np.complex128]

    @property
    def spread(self) -> float:
        """The largest difference of the error between two directions."""
        e = self.relative_error
        return float(np.max(np.abs(e[:, None] - e[None, :])))

    @property
    def largest(self) -> float:
        """The largest ``|e|`` over the directions."""
        return float(np.max(np.abs(self.relative_error)))


def _exact_symbol(
    terms: Mapping[tuple[int, ...], Any], theta: NDArray[np.float64]
) -> NDArray[np.complex128]:
    total = np.zeros(theta.shape[0], dtype=complex)
    for alpha, c in terms.items():
        total += complex(c) * np.prod((1j * theta) ** np.array(alpha), axis=1)
    return total


def anisotropy(
    points: Sequence[Sequence[int]],
    weights: Sequence[Any],
    terms: Mapping[tuple[int, ...], Any],
    points_per_wavelength: float = 10.0,
    count: int = 181,
) -> AnisotropyReport:
    """The relative symbol error of a stencil over wave directions.

    Parameters
    ----------
    points, weights
        Integer offsets (one tuple per point, one int per dimension) and
        weights for ``h = 1``.
    terms
        The differential operator: multi-index → coefficient, e.g.
        ``{(2, 0): 1, (0, 2): 1}`` for the Laplacian. Every term must have the
        same total order (otherwise the error depends on ``h`` itself).
    points_per_wavelength : float
        The resolution ``2π/|θ|`` (more than 2).

    Examples
    --------
    >>> r = anisotropy([(-1,), (0,), (1,)], [1, -2, 1], {(2,): 1})
    >>> round(r.largest, 6)  # (2 - 2 cos θ)/θ² - 1 at θ = 2π/10
    0.032469
    """
    ndim = len(points[0])
    if any(len(p) != ndim for p in points) or any(len(a) != ndim for a in terms):
        raise StencilgenError(
            "every point and every term needs one entry per dimension"
        )
    orders = {sum(a) for a in terms}
    if len(orders) != 1:
        raise StencilgenError(
            "anisotropy needs an operator whose terms share one total order "
            f"(got orders {sorted(orders)}); analyse each order separately"
        )
    if not points_per_wavelength > 2:
        raise StencilgenError(
            f"points_per_wavelength must exceed 2 (the grid's limit), got "
            f"{points_per_wavelength}"
        )
    unit = directions(ndim, count)
    theta = unit * (2 * math.pi / points_per_wavelength)
    p = np.array(points, dtype=float)
    w = np.array([complex(x) for x in weights])
    approx = np.exp(1j * theta @ p.T) @ w
    exact = _exact_symbol(terms, theta)
    if np.any(np.abs(exact) <= 1e-12 * np.max(np.abs(exact))):
        raise StencilgenError(
            "the operator's symbol vanishes in some direction; anisotropy is "
            "measured relative to it, so give an elliptic operator such as the "
            "Laplacian"
        )
    return AnisotropyReport(points_per_wavelength, unit, (approx - exact) / exact)


@dataclass(frozen=True)
class BoxFamily:
    r"""The second-order Laplacians on the 3×3 box: one free parameter ``γ``.

    Weights (``h = 1``): centre ``2γ - 4``, edges ``1 - γ``, corners ``γ/2``:
    ``(1 - γ)`` times the five-point stencil plus ``γ`` times the diagonal one.

    Attributes
    ----------
    gamma : sympy.Symbol
    points : tuple of (int, int)
    weights : tuple of sympy.Expr
        In ``γ``.
    isotropic : sympy.Rational
        The ``γ`` whose leading error is :math:`\frac{h^2}{12}\Delta^2 u`.
    """

    gamma: sympy.Symbol
    points: tuple[tuple[int, int], ...]
    weights: tuple[sympy.Expr, ...]
    isotropic: sympy.Expr

    def weights_at(self, value: Any) -> tuple[sympy.Expr, ...]:
        """The member's exact weights for ``γ = value``."""
        g = sympy.nsimplify(value) if not isinstance(value, sympy.Basic) else value
        return tuple(sympy.nsimplify(w.subs(self.gamma, g)) for w in self.weights)

    def members(self) -> dict[str, tuple[sympy.Expr, ...]]:
        """The named members: five-point, isotropic and Mehrstellen.

        Examples
        --------
        >>> m = laplacian_box_family().members()
        >>> m["mehrstellen"] == m["isotropic"], m["isotropic"][4]
        (True, -10/3)
        """
        iso = self.weights_at(self.isotropic)
        return {"five-point": self.weights_at(0), "isotropic": iso, "mehrstellen": iso}


def laplacian_box_family() -> BoxFamily:
    r"""Derive the 3×3 Laplacian family and its isotropic member exactly.

    The moment conditions of a second-order Laplacian with the square's
    symmetry leave one parameter; the isotropic member makes the fourth-order
    error proportional to :math:`\Delta^2 u = u_{xxxx} + 2u_{xxyy} + u_{yyyy}`.
    """
    gamma = sympy.Symbol("gamma")
    c, e, k = sympy.symbols("c e k")
    points = tuple((i, j) for i in (-1, 0, 1) for j in (-1, 0, 1))

    def weight(p: tuple[int, int]) -> sympy.Expr:
        return c if p == (0, 0) else (e if 0 in p else k)

    def moment(a: int, b: int) -> sympy.Expr:
        return sympy.Add(*[weight(p) * p[0] ** a * p[1] ** b for p in points])

    conditions = [
        moment(0, 0),  # no u term
        moment(2, 0) / 2 - 1,  # u_xx with coefficient 1 (u_yy by symmetry)
        k - gamma / 2,  # the free parameter, named
    ]
    solution = sympy.solve(conditions, [c, e, k], dict=True)[0]
    weights = tuple(sympy.expand(weight(p).subs(solution)) for p in points)
    # Fourth-order error coefficients: u_xxxx: M40/24, u_xxyy: M22·6/24.
    xxxx = moment(4, 0).subs(solution) / 24
    xxyy = moment(2, 2).subs(solution) * 6 / 24
    isotropic = sympy.solve(sympy.Eq(xxyy, 2 * xxxx), gamma)[0]
    return BoxFamily(gamma, points, weights, isotropic)
