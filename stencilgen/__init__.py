"""stencilgen: exact finite-difference stencils and fast, verified NumPy code.

The public entry points:

* :func:`fd_weights` — exact weights for any derivative on any offsets;
* :class:`Stencil`, :func:`make_stencil`, :func:`central`, :func:`forward`,
  :func:`backward` — weights with their accuracy and leading error term;
* :func:`analyze` → :class:`Analysis` — what a formula such as
  ``(f(x+h) - f(x-h))/(2*h)`` approximates, how accurately, or why nothing;
* :class:`StencilgenError` — the one exception type for bad input (a ValueError).

They are loaded on first use (PEP 562), so that importing a light submodule —
the command line deciding ``build --check`` from hashes, say — does not import
SymPy.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stencilgen.analyze import Analysis, analyze
    from stencilgen.errors import StencilgenError
    from stencilgen.stencil import Stencil, backward, central, forward, make_stencil
    from stencilgen.taylor import fd_weights

__all__ = [
    "Analysis",
    "Stencil",
    "StencilgenError",
    "analyze",
    "backward",
    "central",
    "fd_weights",
    "forward",
    "make_stencil",
]
__version__ = "0.1.0"

#: Public name → the module that defines it.
_HOMES = {
    "Analysis": "stencilgen.analyze",
    "analyze": "stencilgen.analyze",
    "StencilgenError": "stencilgen.errors",
    "Stencil": "stencilgen.stencil",
    "backward": "stencilgen.stencil",
    "central": "stencilgen.stencil",
    "forward": "stencilgen.stencil",
    "make_stencil": "stencilgen.stencil",
    "fd_weights": "stencilgen.taylor",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'stencilgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """The package's module type: a public function keeps its name.

    Importing submodule ``stencilgen.analyze`` binds the attribute ``analyze``
    of the package to the module; the public function of that name must stay
    what ``from stencilgen import analyze`` gives, as with eager imports.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
