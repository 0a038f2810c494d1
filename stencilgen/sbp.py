r"""Boundary closures for the first derivative, and their stability for advection.

A first-derivative operator on ``n`` points is a matrix ``D``: central weights in
the interior and closure rows near the edges. Its stability for the advection
equation :math:`u_t + u_x = 0` on :math:`[0, 1]` (inflow at the left) is read off
the eigenvalues of the semi-discrete operator; a closure whose largest real part
is positive — and grows with ``n`` — makes every time integrator blow up.

Two kinds of closure:

* ``"one-sided"``: the rows near an edge use one-sided stencils of the interior
  accuracy (what numpy.gradient, findiff and the generated operators do); the
  inflow value is imposed strongly, ``u_0 = 0`` (row and column removed);
* ``"sbp"``: summation-by-parts operators with diagonal norms, ``D = H^{-1} Q``
  with :math:`H D + D^T H = B = \mathrm{diag}(-1, 0, \dots, 0, 1)` (checked
  exactly, in rationals), interior accuracy 2 or 4 and boundary accuracy 1 or 2
  (Kreiss & Scherer 1974; Strand 1994; Mattsson & Nordström 2004); the inflow
  value is imposed weakly by the penalty (SAT) term
  :math:`-H^{-1} e_0 (u_0 - g)`, which gives the energy estimate
  :math:`\frac{d}{dt}\|u\|_H^2 = -u_0^2 - u_n^2 \le 0` — all eigenvalues in the
  closed left half-plane.

Examples
--------
>>> D, H = sbp_operator(4, 20)
>>> sbp_identity_holds(D, H)
True
>>> bool(largest_real_part(advection_matrix("sbp", 4, 101)) <= 1e-10)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from stencilgen.errors import StencilgenError
from stencilgen.stencil import family_offsets
from stencilgen.taylor import fd_weights

__all__ = [
    "CLOSURES",
    "SBP_ACCURACIES",
    "StabilityReport",
    "advection_matrix",
    "closure_matrix",
    "largest_real_part",
    "sbp_identity_holds",
    "sbp_operator",
    "stability",
]

CLOSURES = ("one-sided", "sbp")
#: Interior accuracies with a diagonal-norm SBP operator here.
SBP_ACCURACIES = (2, 4)

F = Fraction
Matrix = list[list[Fraction]]

# Diagonal-norm SBP first derivatives, left boundary block (rows of Q scaled by
# H^{-1}, i.e. D = H^{-1} Q in units of 1/h) and the norm weights H/h.
# Accuracy 2-1: Kreiss & Scherer (1974): H = diag(1/2, 1, ...), first row (-1, 1).
# Accuracy 4-2: Strand, B. (1994), "Summation by parts for finite difference
# approximations for d/dx", J. Comput. Phys. 110, 47-67; as printed in Mattsson,
# K. & Nordström, J. (2004), J. Comput. Phys. 199, 503-540, appendix (diagonal
# norm, second-order boundary closure).
_SBP: dict[int, tuple[tuple[Fraction, ...], tuple[tuple[Fraction, ...], ...]]] = {
    2: ((F(1, 2),), ((F(-1), F(1)),)),
    4: (
        (F(17, 48), F(59, 48), F(43, 48), F(49, 48)),
        (
            (F(-24, 17), F(59, 34), F(-4, 17), F(-3, 34), F(0), F(0)),
            (F(-1, 2), F(0), F(1, 2), F(0), F(0), F(0)),
            (F(4, 43), F(-59, 86), F(0), F(59, 86), F(-4, 43), F(0)),
            (F(3, 98), F(0), F(-59, 98), F(0), F(32, 49), F(-4, 49)),
        ),
    ),
}


def _check_n(n: int, minimum: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise StencilgenError(f"n must be a whole number >= {minimum}, got {n!r}")


def _interior(accuracy: int) -> tuple[tuple[int, Fraction], ...]:
    offsets = family_offsets("central", 1, accuracy)
    weights = fd_weights(1, offsets)
    return tuple(
        (o, F(int(w.p), int(w.q))) for o, w in zip(offsets, weights, strict=True)
    )


def sbp_operator(accuracy: int, n: int) -> tuple[Matrix, list[Fraction]]:
    """The diagonal-norm SBP first derivative on ``n`` points, ``h = 1``, exactly.

    Returns ``(D, H)``: ``D`` as rows of fractions, ``H`` the diagonal norm.

    Examples
    --------
    >>> D, H = sbp_operator(2, 4)
    >>> [[str(x) for x in row] for row in D]
    [['-1', '1', '0', '0'], ['-1/2', '0', '1/2', '0'], ['0', '-1/2', '0', '1/2'], ['0', '0', '-1', '1']]
    >>> [str(x) for x in H]
    ['1/2', '1', '1', '1/2']
    """  # noqa: E501
    if accuracy not in _SBP:
        raise StencilgenError(
            f"SBP operators with diagonal norms are offered for interior accuracy 2 "
            f"and 4, got {accuracy}; higher accuracies need boundary blocks not "
            "derived here: use accuracy 4 or the one-sided closure"
        )
    norm, block = _SBP[accuracy]
    size = len(block)
    _check_n(n, 2 * size + accuracy // 2 + 1 if accuracy > 2 else 3)
    D = [[F(0)] * n for _ in range(n)]
    for i in range(size, n - size):
        for o, w in _interior(accuracy):
            D[i][i + o] = w
    for i, row in enumerate(block):
        for j, w in enumerate(row):
            D[i][j] = w
            # Mirror: D[n-1-i][n-1-j] = -D[i][j].
            D[n - 1 - i][n - 1 - j] = -w
    H = [F(1)] * n
    for i, w in enumerate(norm):
        H[i] = w
        H[n - 1 - i] = w
    return D, H


def sbp_identity_holds(D: Matrix, H: Sequence[Fraction]) -> bool:
    """``H·D + Dᵀ·H == diag(-1, 0, ..., 0, 1)``, decided in exact arithmetic.

    Examples
    --------
    >>> D, H = sbp_operator(4, 12)
    >>> sbp_identity_holds(D, H)
    True
    >>> D[5][6] += Fraction(1, 10**9)
    >>> sbp_identity_holds(D, H)
    False
    """
    n = len(D)
    for i in range(n):
        for j in range(n):
            value = H[i] * D[i][j] + D[j][i] * H[j]
            expected = F(-1) if i == j == 0 else F(1) if i == j == n - 1 else F(0)
            if value != expected:
                return False
    return True


def closure_matrix(accuracy: int, n: int) -> Matrix:
    """The first derivative with same-accuracy one-sided closures, ``h = 1``.

    Interior: the central stencil of ``accuracy``; the first and last
    ``accuracy/2`` rows: the ``accuracy + 1`` nearest points on the grid
    (one-sided at the edge), as numpy.gradient does for accuracy 2.

    Examples
    --------
    >>> [str(x) for x in closure_matrix(2, 5)[0][:3]]
    ['-3/2', '2', '-1/2']
    """
    half = accuracy // 2
    _check_n(n, accuracy + 1)
    D = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        if half <= i < n - half:
            for o, w in _interior(accuracy):
                D[i][i + o] = w
            continue
        start = 0 if i < half else n - 1 - accuracy
        offsets = [start + k - i for k in range(accuracy + 1)]
        for o, w in zip(offsets, fd_weights(1, offsets), strict=True):
            D[i][i + o] = F(int(w.p), int(w.q))
    return D


def advection_matrix(closure: str, accuracy: int, n: int) -> NDArray[np.float64]:
    """The semi-discrete operator ``A`` of ``u_t = A u`` for ``u_t + u_x = 0``.

    On ``[0, 1]`` with ``n`` points (``h = 1/(n-1)``), inflow ``u(0) = 0``:
    one-sided closures impose it strongly (first unknown removed), SBP
    operators weakly (penalty ``-H^{-1} e_0 e_0^T``, SAT with ``τ = -1``).

    Examples
    --------
    >>> advection_matrix("one-sided", 2, 5).shape
    (4, 4)
    """
    if closure not in CLOSURES:
        raise StencilgenError(
            f"unknown closure {closure!r}; use one of {', '.join(CLOSURES)}"
        )
    h = 1.0 / (n - 1)
    if closure == "sbp":
        D, H = sbp_operator(accuracy, n)
        A = -np.array(D, dtype=float) / h
        A[0, 0] -= 1.0 / (float(H[0]) * h)
        return A
    D = closure_matrix(accuracy, n)
    A = -np.array(D, dtype=float) / h
    return A[1:, 1:]


def largest_real_part(A: NDArray[np.float64]) -> float:
    """The largest real part of the eigenvalues of ``A``."""
    return float(np.max(np.linalg.eigvals(A).real))


@dataclass(frozen=True)
class StabilityReport:
    """Largest real part of the advection eigenvalues for each grid size.

    Attributes
    ----------
    closure : str
    accuracy : int
    sizes : tuple of int
    largest : tuple of float
        ``max Re λ`` for each size.
    worst : complex
        The eigenvalue with the largest real part at the largest size.
    tolerance : float
        Real parts up to this count as zero (round-off of the eigen-solver).
    """

    closure: str
    accuracy: int
    sizes: tuple[int, ...]
    largest: tuple[float, ...]
    worst: complex
    tolerance: float

    @property
    def stable(self) -> bool:
        """No eigenvalue in the right half-plane at any size (within tolerance)."""
        return max(self.largest) <= self.tolerance

    def describe(self) -> str:
        """One line: the verdict with the worst eigenvalue.

        Examples
        --------
        >>> print(stability("sbp", 2, [21, 41]).describe())
        stable: largest real part -0.0123 at n = 41 (closure sbp, accuracy 2)
        """
        n = self.sizes[-1]
        if self.stable:
            return (
                f"stable: largest real part {self.largest[-1]:.3g} at n = {n} "
                f"(closure {self.closure}, accuracy {self.accuracy})"
            )
        grows = len(self.largest) > 1 and self.largest[-1] > self.largest[0]
        return (
            f"unstable: eigenvalue {self.worst.real:.4g}{self.worst.imag:+.4g}j at "
            f"n = {n} has a positive real part"
            + (" that grows with n" if grows else "")
            + f" (closure {self.closure}, accuracy {self.accuracy})"
        )


def stability(
    closure: str,
    accuracy: int,
    sizes: Iterable[int] = range(51, 202, 10),
    tolerance: float = 1e-10,
) -> StabilityReport:
    """Eigenvalue check of the closure for advection over ``sizes``.

    Examples
    --------
    >>> report = stability("one-sided", 2, [21, 41])
    >>> report.stable
    True
    """
    sizes = tuple(sizes)
    if not sizes:
        raise StencilgenError("give at least one grid size")
    largest = []
    worst = 0j
    for n in sizes:
        values = np.linalg.eigvals(advection_matrix(closure, accuracy, n))
        index = int(np.argmax(values.real))
        largest.append(float(values.real[index]))
        worst = complex(values[index])
    return StabilityReport(closure, accuracy, sizes, tuple(largest), worst, tolerance)
