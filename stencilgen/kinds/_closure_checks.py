"""The advection check of first-derivative closures, for the build's table.

A generated first-derivative module with boundary closures is applied to the
identity matrix (column ``j`` of the result is the operator applied to the unit
vector ``e_j``), which gives its matrix ``D`` on ``n`` points of ``[0, 1]``. The
semi-discrete advection equation ``u_t + u_x = 0`` with the inflow value imposed
at ``x = 0`` is ``u_t = -D[1:, 1:] u``; an eigenvalue with a positive real part
makes every time integrator blow up. The row is *flagged* in the note (it does
not fail the build: the derivative itself is correct, only its use for
hyperbolic problems is not), and names the worst eigenvalue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from stencilgen.verify import VerifyRow

__all__ = ["SIZES", "advection_row", "largest_eigenvalue"]

#: Grid sizes of the check (n = 51 .. 201).
SIZES: tuple[int, ...] = (51, 101, 151, 201)

Matrix = npt.NDArray[np.floating[Any]]


def largest_eigenvalue(D: Matrix) -> complex:
    """The eigenvalue of ``-D[1:, 1:]`` with the largest real part."""
    values = np.linalg.eigvals(-np.asarray(D, dtype=float)[1:, 1:])
    return complex(values[int(np.argmax(values.real))])


def advection_row(
    module: str,
    function: str,
    matrix: Callable[[int], Matrix],
    sizes: Sequence[int] = SIZES,
) -> VerifyRow:
    """One table row: the largest real part for each size, flagged when positive.

    ``matrix(n)`` returns the operator's matrix on ``n`` points of ``[0, 1]``.

    Examples
    --------
    >>> def upwind(n):
    ...     h = 1 / (n - 1)
    ...     return (np.eye(n) - np.eye(n, k=-1)) / h
    >>> advection_row("m", "f", upwind, (11, 21)).note
    'advection stable: max Re λ <= 0 for n = 11..21'
    """
    worst = [largest_eigenvalue(matrix(n)) for n in sizes]
    scale = max(abs(w) for w in worst) or 1.0
    positive = [w for w in worst if w.real > 1e-10 * scale]
    span = f"n = {sizes[0]}..{sizes[-1]}"
    if not positive:
        note = f"advection stable: max Re λ <= 0 for {span}"
    else:
        last = worst[-1]
        grows = worst[-1].real > worst[0].real > 0
        note = (
            f"FLAG advection-unstable closure: eigenvalue "
            f"{last.real:.3g}{last.imag:+.3g}j at n = {sizes[-1]}"
            + (" (grows with n)" if grows else "")
            + "; see stencilgen stability"
        )
    return VerifyRow(
        module,
        f"{function} closures",
        None,
        None,
        None,
        None,
        True,
        note,
    )
