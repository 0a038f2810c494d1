"""The exceptions stencilgen raises for bad input.

Every error a user can cause is a :class:`StencilgenError`, itself a
:class:`ValueError`, whose message is one line saying what is wrong and how to fix
it. The command line turns these (and only these) into exit code 2 without a
traceback; anything else escaping is a bug.
"""

from __future__ import annotations

__all__ = [
    "ExpressionError",
    "LimitError",
    "SpecError",
    "StencilError",
    "StencilgenError",
]


class StencilgenError(ValueError):
    """Bad input: the message says what is wrong and how to fix it."""


class ExpressionError(StencilgenError):
    """Text that the restricted expression parser refuses."""


class StencilError(StencilgenError):
    """A stencil that cannot be built: wrong derivative, offsets or accuracy."""


class SpecError(StencilgenError):
    """A spec file that is unreadable or invalid."""


class LimitError(StencilError):
    """Input beyond a documented limit (:mod:`stencilgen.limits`) that bounds work."""
