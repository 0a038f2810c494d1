"""stencilgen: exact finite-difference stencils and fast, verified NumPy code.

The public entry points:

* :func:`fd_weights` — exact weights for any derivative on any offsets;
* :class:`Stencil`, :func:`make_stencil`, :func:`central`, :func:`forward`,
  :func:`backward` — weights with their accuracy and leading error term;
* :func:`analyze` → :class:`Analysis` — what a formula such as
  ``(f(x+h) - f(x-h))/(2*h)`` approximates, how accurately, or why nothing;
* :func:`operator` → :class:`Operator` — exact N-D stencils for linear
  differential operators such as ``u_xx + u_yy``, with accuracy and error term;
* :class:`StencilgenError` — the one exception type for bad input (a ValueError).
"""

from stencilgen.analyze import Analysis, analyze
from stencilgen.errors import StencilgenError
from stencilgen.nd import Operator, operator
from stencilgen.stencil import Stencil, backward, central, forward, make_stencil
from stencilgen.taylor import fd_weights

__all__ = [
    "Analysis",
    "Operator",
    "Stencil",
    "StencilgenError",
    "analyze",
    "backward",
    "central",
    "fd_weights",
    "forward",
    "make_stencil",
    "operator",
]
__version__ = "0.1.0"
