r"""Compact (Padé) finite-difference schemes, derived exactly.

A central compact scheme for derivative ``m`` couples ``L`` neighbours on each
side of the left-hand side with ``R`` samples on each side of the right-hand
side (Lele 1992):

.. math:: \beta f^{(m)}_{i\pm2} + \alpha f^{(m)}_{i\pm1} + f^{(m)}_i
   = h^{-m}\sum_{j=-R}^{R} b_j f_{i+j}.

Its weights solve the Taylor conditions of :mod:`stencilgen.design` exactly;
with ``L + R`` unknowns the highest accuracy is ``2(L + R)``, and
:func:`compact_scheme` derives exactly that scheme (a lower accuracy leaves a
family, whose free weights :func:`stencilgen.design.design` optimises).
:meth:`CompactScheme.coefficients` names the weights as Lele does (``alpha``,
``beta``; ``a``, ``b``, ``c`` for the right-hand differences divided by ``2h``,
``4h``, ``6h`` for the first derivative, ``h²``, ``4h²``, ``9h²`` for the
second).

Applying a scheme is a banded solve along an axis: the runtime helper
``templates/runtime/compact.py`` (numpy only; copied into generated modules)
does it, periodic (cyclic) or bounded with explicit one-sided closure rows.

Examples
--------
>>> s = compact_scheme(1, 6)
>>> s.coefficients()
{'alpha': Fraction(1, 3), 'a': Fraction(14, 9), 'b': Fraction(1, 9)}
>>> round(s.spectrum().points_per_wavelength, 1)
5.7
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stencilgen.design import DesignError, family
from stencilgen.inputs import template_dir
from stencilgen.spectrum import DEFAULT_TOLERANCE, Scheme, SpectralReport, spectrum
from stencilgen.taylor import fd_weights

__all__ = ["CompactScheme", "compact_scheme", "runtime"]

_LELE_RHS = ("a", "b", "c", "d", "e")
_LELE_LHS = ("alpha", "beta")


@dataclass(frozen=True)
class CompactScheme:
    """A central compact scheme with exact weights.

    Attributes
    ----------
    scheme : Scheme
        The spectral form: left-hand offsets ``-L..L`` with weights ``α``,
        right-hand offsets and weights ``b_j``.
    """

    scheme: Scheme

    @property
    def derivative(self) -> int:
        """``m``."""
        return self.scheme.derivative

    @property
    def accuracy(self) -> int:
        """The order of accuracy (exact)."""
        accuracy = self.scheme.accuracy
        assert accuracy is not None
        return accuracy

    @property
    def lhs(self) -> tuple[Fraction, ...]:
        """``α_{-L}, ..., α_0 = 1, ..., α_L``."""
        return self.scheme.lhs_weights

    @property
    def rhs(self) -> tuple[tuple[int, Fraction], ...]:
        """``(offset, weight)`` of the right-hand side, zero weights left out."""
        return tuple(
            (int(o), w)
            for o, w in zip(self.scheme.offsets, self.scheme.weights, strict=True)
            if w != 0
        )

    @property
    def reach(self) -> int:
        """``R``: the right-hand side's largest offset."""
        return max(abs(o) for o, _ in self.rhs)

    def coefficients(self) -> dict[str, Fraction]:
        """Lele's names for the weights (derivatives 1 and 2).

        Examples
        --------
        >>> compact_scheme(2, 4).coefficients()
        {'alpha': Fraction(1, 10), 'a': Fraction(6, 5)}
        """
        m = self.derivative
        if m not in (1, 2):
            raise DesignError("Lele's coefficient names cover derivatives 1 and 2")
        names: dict[str, Fraction] = {}
        L = (len(self.lhs) - 1) // 2
        for k in range(1, L + 1):
            names[_LELE_LHS[k - 1] if k <= 2 else f"alpha{k}"] = self.lhs[L + k]
        weights = dict(self.rhs)
        for j in range(1, self.reach + 1):
            w = weights.get(j, Fraction(0))
            # Lele's differences: (f_{i+j} - f_{i-j})/(2jh), (f_{i+j} - 2f_i +
            # f_{i-j})/(j²h²).
            names[_LELE_RHS[j - 1]] = w * (2 * j if m == 1 else j * j)
        return names

    def closures(
        self,
    ) -> tuple[tuple[tuple[tuple[int, Fraction], ...], ...], ...]:
        """Explicit one-sided rows for the first and last ``R`` points.

        Row ``r`` of the left edge uses the ``m + p`` points ``0 .. m+p-1``
        (offsets ``-r ..``), accuracy ``p`` like the interior; the right edge
        mirrors it. Returns ``(left, right)``, each a tuple of rows of
        ``(offset from the row, exact weight)``.

        Examples
        --------
        >>> left, right = compact_scheme(1, 4).closures()
        >>> left[0][:2], right[0][:2]
        (((0, Fraction(-25, 12)), (1, Fraction(4, 1))), ((0, Fraction(25, 12)), (-1, Fraction(-4, 1))))
        """  # noqa: E501
        m, p = self.derivative, self.accuracy
        count = m + p
        sign = -1 if m % 2 else 1
        left = []
        right = []
        for r in range(self.reach):
            offsets = [k - r for k in range(count)]
            weights = [Fraction(int(w.p), int(w.q)) for w in fd_weights(m, offsets)]
            left.append(tuple(zip(offsets, weights, strict=True)))
            right.append(
                tuple((-o, sign * w) for o, w in zip(offsets, weights, strict=True))
            )
        return tuple(left), tuple(right)

    def spectrum(self, tolerance: float = DEFAULT_TOLERANCE) -> SpectralReport:
        """The spectral report (modified wavenumber, points per wavelength)."""
        return spectrum(self.scheme, tolerance)

    def apply(
        self,
        f: NDArray[Any],
        h: float = 1.0,
        axis: int = -1,
        periodic: bool = True,
    ) -> NDArray[Any]:
        """Apply the scheme along ``axis`` with the runtime helper (numpy).

        Examples
        --------
        >>> x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        >>> d = compact_scheme(1, 6).apply(np.sin(x), x[1])
        >>> bool(np.max(np.abs(d - np.cos(x))) < 1e-9)
        True
        """
        f, axis, scale = _prepare(f, h, axis, self.derivative)
        module = runtime()
        lhs = tuple(float(a) for a in self.lhs)
        rhs = tuple((o, float(w)) for o, w in self.rhs)
        if periodic:
            result: NDArray[Any] = module._compact_periodic(f, axis, scale, lhs, rhs)
            return result
        left, right = self.closures()
        left_f = tuple(tuple((o, float(w)) for o, w in row) for row in left)
        right_f = tuple(tuple((o, float(w)) for o, w in row) for row in right)
        bounded: NDArray[Any] = module._compact_bounded(
            f, axis, scale, lhs, rhs, left_f, right_f
        )
        return bounded


def _prepare(
    f: Any, h: float, axis: int, derivative: int
) -> tuple[NDArray[Any], int, float]:
    """``f`` as an inexact array, ``axis`` in ``0..ndim-1`` and ``1/h**m``."""
    array = np.asarray(f)
    if not np.issubdtype(array.dtype, np.inexact):
        array = array.astype(np.float64)
    if array.ndim == 0:
        raise DesignError("a compact derivative needs an array with a dimension")
    if not -array.ndim <= axis < array.ndim:
        raise DesignError(
            f"axis {axis} is out of bounds for an array of dimension {array.ndim}"
        )
    step = float(h)
    if step == 0 or not np.isfinite(step):
        raise DesignError(f"h must be a finite non-zero spacing, got {h}")
    return array, axis % array.ndim, 1.0 / step**derivative


def runtime() -> ModuleType:
    """The runtime helper ``templates/runtime/compact.py``, imported once.

    Examples
    --------
    >>> runtime().__name__
    'stencilgen_runtime_compact'
    """
    name = "stencilgen_runtime_compact"
    if name in sys.modules:
        return sys.modules[name]
    path = template_dir() / "runtime" / "compact.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compact_scheme(
    derivative: int = 1,
    accuracy: int | None = None,
    lhs_width: int = 1,
    rhs_width: int | None = None,
) -> CompactScheme:
    """The central compact scheme of ``accuracy``, derived exactly.

    Parameters
    ----------
    derivative : int
        ``m`` (1 or more).
    accuracy : int, optional
        Even; default the highest for the widths, ``2 (L + R)``.
    lhs_width : int
        ``L``: 1 tridiagonal, 2 pentadiagonal.
    rhs_width : int, optional
        ``R``; default the smallest that reaches ``accuracy``.

    Raises
    ------
    DesignError
        When the accuracy leaves free weights (a family: use
        :func:`stencilgen.design.design`) or cannot be reached.

    Examples
    --------
    >>> compact_scheme(1, 10, lhs_width=2).coefficients()
    {'alpha': Fraction(1, 2), 'beta': Fraction(1, 20), 'a': Fraction(17, 12), 'b': Fraction(101, 150), 'c': Fraction(1, 100)}
    >>> compact_scheme(1, 4, lhs_width=1, rhs_width=2)
    Traceback (most recent call last):
    ...
    stencilgen.design.DesignError: accuracy 4 with lhs_width 1 and rhs_width 2 leaves 1 free weight(s); give accuracy 6 for the unique scheme, or optimise the family with stencilgen design --lhs=-1,0,1
    """  # noqa: E501
    if isinstance(lhs_width, bool) or not isinstance(lhs_width, int) or lhs_width < 0:
        raise DesignError(f"lhs_width must be a whole number >= 0, got {lhs_width!r}")
    L = lhs_width
    if accuracy is None:
        R = 1 if rhs_width is None else rhs_width
        accuracy = 2 * (L + R)
    if rhs_width is None:
        if not isinstance(accuracy, int) or accuracy < 2 or accuracy % 2:
            raise DesignError(f"accuracy must be an even number >= 2, got {accuracy!r}")
        rhs_width = max(1, accuracy // 2 - L)
    if isinstance(rhs_width, bool) or not isinstance(rhs_width, int) or rhs_width < 1:
        raise DesignError(f"rhs_width must be a whole number >= 1, got {rhs_width!r}")
    R = rhs_width
    fam = family(
        derivative, range(-R, R + 1), accuracy, range(-L, L + 1), symmetric=True
    )
    if fam.free:
        best = 2 * (L + R)
        raise DesignError(
            f"accuracy {accuracy} with lhs_width {L} and rhs_width {R} leaves "
            f"{fam.free} free weight(s); give accuracy {best} for the unique "
            f"scheme, or optimise the family with stencilgen design "
            f"--lhs={','.join(str(k) for k in range(-L, L + 1))}"
        )
    return CompactScheme(fam.member(()))
