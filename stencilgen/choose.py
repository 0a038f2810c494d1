r"""Choosing among stencils: rank point sets by error, round-off and resolution.

For a derivative and an accuracy, several point sets give a stencil: the
central one, biased and one-sided windows, wider windows of higher accuracy.
:func:`rank` measures each candidate by

* its error constant :math:`|C|` (leading error :math:`C h^p f^{(m+p)}`),
* :math:`\sum|w|`, the round-off amplification (the error of ``f`` samples is
  multiplied by at most :math:`\sum|w|/h^m`),
* the points per wavelength at a phase-error tolerance
  (:mod:`stencilgen.spectrum`; dissipation counts, the error is complex),

and sorts by the one the user cares about.

Examples
--------
>>> best = rank(1, 2)[0]  # the wider, accuracy-3 window resolves best
>>> best.stencil.offsets, round(best.points_per_wavelength, 1)
((-2, -1, 0, 1), 27.4)
>>> rank(1, 2, by="error_constant")[0].stencil.offsets
(-2, -1, 0, 1)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sympy

from stencilgen.errors import LimitError, StencilgenError
from stencilgen.limits import MAX_RANK_CANDIDATES
from stencilgen.spectrum import DEFAULT_TOLERANCE, spectrum
from stencilgen.stencil import Stencil, make_stencil

__all__ = ["RANK_KEYS", "Candidate", "default_candidates", "rank"]

Key = Literal["points_per_wavelength", "error_constant", "weight_sum"]
RANK_KEYS: tuple[Key, ...] = ("points_per_wavelength", "error_constant", "weight_sum")


@dataclass(frozen=True)
class Candidate:
    r"""One point set, its stencil and the three measures.

    Attributes
    ----------
    stencil : Stencil
    error_constant : sympy.Expr
        :math:`|C|`, exact.
    weight_sum : sympy.Expr
        :math:`\sum |w|`, exact.
    points_per_wavelength : float
        At the tolerance of :func:`rank` (``inf`` if never within).
    """

    stencil: Stencil
    error_constant: sympy.Expr
    weight_sum: sympy.Expr
    points_per_wavelength: float

    def key(self, by: Key) -> tuple[float, ...]:
        """Sort key: the chosen measure first, the others break ties."""
        measures = {
            "points_per_wavelength": self.points_per_wavelength,
            "error_constant": float(self.error_constant),
            "weight_sum": float(self.weight_sum),
        }
        return (measures[by], *(measures[k] for k in RANK_KEYS if k != by))


def default_candidates(derivative: int, accuracy: int) -> list[tuple[int, ...]]:
    """Windows of consecutive offsets containing 0: ``m + p`` and ``m + p + 1`` wide.

    Examples
    --------
    >>> default_candidates(1, 1)
    [(-1, 0), (0, 1), (-2, -1, 0), (-1, 0, 1), (0, 1, 2)]
    """
    out = []
    for width in (derivative + accuracy, derivative + accuracy + 1):
        for start in range(1 - width, 1):
            out.append(tuple(range(start, start + width)))
    return out


def rank(
    derivative: int,
    accuracy: int,
    candidates: Iterable[Sequence[Any]] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    by: Key = "points_per_wavelength",
) -> list[Candidate]:
    """Rank candidate point sets that reach at least ``accuracy``, best first.

    Candidates below the accuracy are left out; none left is an error.

    Examples
    --------
    >>> [c.stencil.offsets for c in rank(1, 2, by="weight_sum")][:2]
    [(-1, 0, 1), (-2, -1, 0, 1)]
    """
    if by not in RANK_KEYS:
        raise StencilgenError(f"rank by one of {', '.join(RANK_KEYS)}, got {by!r}")
    sets = (
        default_candidates(derivative, accuracy) if candidates is None else candidates
    )
    sets = list(sets)
    if len(sets) > MAX_RANK_CANDIDATES:
        raise LimitError(
            f"{len(sets)} candidate point sets is more than the limit of "
            f"{MAX_RANK_CANDIDATES} (MAX_RANK_CANDIDATES); give fewer"
        )
    ranked = []
    for offsets in sets:
        stencil = make_stencil(derivative, offsets)
        if stencil.symbolic:
            raise StencilgenError("ranking needs numeric offsets in units of h")
        if stencil.accuracy is not None and stencil.accuracy < accuracy:
            continue
        ppw = spectrum(stencil, tolerance).points_per_wavelength
        ranked.append(
            Candidate(
                stencil,
                abs(stencil.error_coefficient),
                sympy.Add(*[abs(w) for w in stencil.weights]),
                ppw,
            )
        )
    if not ranked:
        raise StencilgenError(
            f"no candidate reaches accuracy {accuracy} for derivative {derivative}; "
            "give wider point sets"
        )
    ranked.sort(key=lambda c: c.key(by))
    assert all(not math.isnan(c.points_per_wavelength) for c in ranked)
    return ranked
