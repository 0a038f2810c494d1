"""The exceptions stencilgen raises for bad input.

Every error a user can cause is a :class:`StencilgenError`, itself a
:class:`ValueError`, whose message is one line saying what is wrong and how to fix
it. The command line turns these (and only these) into exit code 2 without a
traceback; anything else escaping is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ExpressionError",
    "LimitError",
    "SpecError",
    "StencilError",
    "StencilgenError",
    "closest",
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


def closest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""``.

    Examples
    --------
    >>> closest("acuracy", ["accuracy", "derivative"])
    "; did you mean 'accuracy'?"
    """
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""
