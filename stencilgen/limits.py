"""The documented limits that keep every call bounded, and their checks.

Exact symbolic work grows fast with the size of the problem (the number of
offsets, the bits of their numbers, the number of symbols), so every entry point
refuses input beyond these limits with one line that names the limit, instead of
running for minutes or hours. Inside the limits each call finishes in a few
seconds; the worst cases were measured (see ``docs/limits.md``):

============================  ======  ==========================================
limit                         value   applies to
============================  ======  ==========================================
:data:`MAX_DERIVATIVE`        32      fd_weights, stencils, spec, ``--solve``
:data:`MAX_ACCURACY`          32      central/forward/backward, spec families
:data:`MAX_POINTS`            65      numeric offsets of one stencil
:data:`MAX_SYMBOLIC_POINTS`   8       offsets of a stencil with symbolic offsets
:data:`MAX_OFFSET_BITS`       64      numerator and denominator of an offset
:data:`MAX_GRID_OFFSET`       64      ``|offset|`` in a spec entry's offsets
:data:`MAX_EXPLAIN_POINTS`    16      ``explain`` (numeric offsets)
:data:`MAX_EXPLAIN_SYMBOLIC`  5       ``explain`` (symbolic offsets)
:data:`MAX_UNKNOWNS`          16      ``analyze --solve`` unknowns
:data:`MAX_UNKNOWNS_SYMBOLIC` 4       ... when the shifts hold several symbols
:data:`MAX_DESIGN_POINTS`     25      points of a design / compact family
:data:`MAX_RANK_CANDIDATES`   64      point sets ``rank`` compares
:data:`MAX_STABILITY_SIZES`   20      grid sizes of ``stability`` (n <= 1000)
:data:`MAX_OPERATOR_DIMS`     6       variables of an N-D operator
:data:`MAX_OPERATOR_ACCURACY` 16      accuracy of ``operator()``
:data:`MAX_OPERATOR_POINTS`   125     points of an explicit N-D point set
...                                   and the expansion limits of N-D work
:data:`MAX_FILE_BYTES`        1 MiB   spec files, ``analyze --file``
:data:`MAX_LINE_CHARS`        10,000  one line of those files
============================  ======  ==========================================

Examples
--------
>>> check_stencil_size(1, [-1, 0, 1])
>>> check_stencil_size(1, range(100))
Traceback (most recent call last):
...
stencilgen.errors.LimitError: 100 offsets is more than the limit of 65 (MAX_POINTS); use fewer offsets
"""  # noqa: E501

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sized
from fractions import Fraction
from typing import Any

import sympy

from stencilgen.errors import LimitError, StencilgenError
from stencilgen.files import MAX_FILE_BYTES, MAX_LINE_CHARS, read_limited

__all__ = [
    "MAX_ACCURACY",
    "MAX_ANALYZE_SAMPLES",
    "MAX_DERIVATIVE",
    "MAX_DESIGN_POINTS",
    "MAX_ERROR_POWER",
    "MAX_EXPANSION_WORK",
    "MAX_EXPLAIN_POINTS",
    "MAX_EXPLAIN_SYMBOLIC",
    "MAX_FILE_BYTES",
    "MAX_GRID_OFFSET",
    "MAX_GROUP_TERMS",
    "MAX_LINE_CHARS",
    "MAX_MOMENT_ENTRIES",
    "MAX_OFFSET_BITS",
    "MAX_OPERATOR_ACCURACY",
    "MAX_OPERATOR_DERIVATIVE",
    "MAX_OPERATOR_DIMS",
    "MAX_OPERATOR_POINTS",
    "MAX_POINTS",
    "MAX_RANK_CANDIDATES",
    "MAX_SEARCH_POINTS",
    "MAX_STABILITY_N",
    "MAX_STABILITY_SIZES",
    "MAX_SYMBOLIC_POINTS",
    "MAX_UNKNOWNS",
    "MAX_UNKNOWNS_SYMBOLIC",
    "check_derivative_limit",
    "check_explain",
    "check_family",
    "check_spec_offsets",
    "check_stencil_size",
    "check_unknowns",
    "read_limited",
    "take_offsets",
]

#: Highest derivative: stencils, spec entries and ``analyze --solve``.
MAX_DERIVATIVE = 32
#: Highest order of accuracy of the central/forward/backward families.
MAX_ACCURACY = 32
#: Most offsets of a stencil whose offsets are numbers: -32..32 (65 offsets of
#: 64-bit fractions: about 4 s; of integers: 0.1 s).
MAX_POINTS = 65
#: Most offsets of a stencil with symbolic offsets (8 offsets: under 1 s for
#: independent symbols, sums and products of them; 10 sums already take 24 s).
MAX_SYMBOLIC_POINTS = 8
#: Most bits in the numerator and in the denominator of a numeric offset (or
#: ``at``), in lowest terms: magnitudes below 2**64, decimals of up to 19 digits.
MAX_OFFSET_BITS = 64
#: Largest ``|offset|`` in a spec entry: an operator derives one edge stencil per
#: grid point up to its widest offset (``[0, 1, 64]``: 2 s to build and verify).
MAX_GRID_OFFSET = 64
#: Most offsets ``explain`` derives by hand with numeric offsets (16: under 1 s;
#: SymPy's general solver shows the steps, far slower than the engine).
MAX_EXPLAIN_POINTS = 16
#: Most offsets ``explain`` derives with symbolic offsets (5 sums: 1 s, 6: 7 s,
#: 8 independent symbols: 13 s).
MAX_EXPLAIN_SYMBOLIC = 5
#: Most coefficients ``analyze --solve`` solves for (16 with numeric shifts: 3 s).
MAX_UNKNOWNS = 16
#: ... when the shifts hold more than one symbol (5 unknowns: 2 s measured, but
#: minutes for some formulas of that size).
MAX_UNKNOWNS_SYMBOLIC = 4
#: Points of a designed stencil or compact scheme, both sides together (the
#: design solves linear programs over the free weights; offsets are also held to
#: ``|offset| <= MAX_GRID_OFFSET``).
MAX_DESIGN_POINTS = 25
#: Candidate point sets ``stencilgen rank`` compares.
MAX_RANK_CANDIDATES = 64
#: Grid sizes of ``stencilgen stability``, and the largest n (dense eigenvalues).
MAX_STABILITY_SIZES = 20
MAX_STABILITY_N = 1000

# N-D operators (:func:`stencilgen.operator`, ``analyze`` of multivariate
# formulas, spec entries with ``expression``).

#: Most variables of an operator.
MAX_OPERATOR_DIMS = 6
#: Highest total derivative (sum of the subscripts' lengths) of one term.
MAX_OPERATOR_DERIVATIVE = 16
#: Highest accuracy :func:`stencilgen.operator` builds (2-D Laplacian at 16:
#: 0.6 s).
MAX_OPERATOR_ACCURACY = 16
#: Most points of an explicit point set.
MAX_OPERATOR_POINTS = 125
#: Largest moment system (conditions × points) solved; beyond it the exact work
#: takes more than a few seconds (3-D accuracy 12: 560 × 37).
MAX_MOMENT_ENTRIES = 25_000
#: Largest default stencil searched for a smaller point set of the same accuracy.
MAX_SEARCH_POINTS = 40
#: Most derivatives of one order the expansion of a formula may need.
MAX_GROUP_TERMS = 2_000
#: Largest points × multi-indices (up to the order of the leading error) that
#: :func:`stencilgen.operator` expands (3-D Laplacian at accuracy 12: 37 × 680,
#: about 2-3 s).
MAX_EXPANSION_WORK = 40_000
#: Highest power of the step the N-D expansion looks at for the leading error.
MAX_ERROR_POWER = 40
#: Most distinct samples of a multivariate formula ``analyze`` reads.
MAX_ANALYZE_SAMPLES = 125


def _refuse(count: int, limit: int, name: str, what: str, fix: str) -> LimitError:
    return LimitError(
        f"{count} {what} is more than the limit of {limit} ({name}); {fix}"
    )


def check_derivative_limit(derivative: int) -> None:
    """Refuse a derivative above :data:`MAX_DERIVATIVE`.

    Examples
    --------
    >>> check_derivative_limit(33)
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: derivative 33 is more than the limit of 32 (MAX_DERIVATIVE); ask for a lower derivative
    """  # noqa: E501
    if derivative > MAX_DERIVATIVE:
        raise LimitError(
            f"derivative {derivative} is more than the limit of {MAX_DERIVATIVE} "
            "(MAX_DERIVATIVE); ask for a lower derivative"
        )


def check_family(derivative: int, accuracy: int) -> None:
    """Refuse a standard stencil beyond :data:`MAX_DERIVATIVE` or :data:`MAX_ACCURACY`.

    Called before the offsets are listed, so a huge accuracy costs nothing.

    Examples
    --------
    >>> check_family(2, 10**30)
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: accuracy 1000000000000000000000000000000 is more than the limit of 32 (MAX_ACCURACY); ask for a lower accuracy
    """  # noqa: E501
    check_derivative_limit(derivative)
    if accuracy > MAX_ACCURACY:
        raise LimitError(
            f"accuracy {accuracy} is more than the limit of {MAX_ACCURACY} "
            "(MAX_ACCURACY); ask for a lower accuracy"
        )


def _bits(value: Any) -> int:
    """The larger bit length of numerator and denominator; 0 when not a number."""
    if isinstance(value, int):
        return abs(value).bit_length()
    if isinstance(value, Fraction):
        return max(abs(value.numerator).bit_length(), value.denominator.bit_length())
    if isinstance(value, sympy.Rational):
        return max(abs(int(value.p)).bit_length(), int(value.q).bit_length())
    if isinstance(value, sympy.Basic):
        return max(
            (_bits(atom) for atom in value.atoms(sympy.Rational)),
            default=0,
        )
    return 0


def _symbolic(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and bool(value.free_symbols)


def check_stencil_size(derivative: int, offsets: Iterable[Any], at: Any = 0) -> None:
    """Refuse a stencil beyond the limits on derivative, offsets and their bits.

    ``offsets`` are ints, Fractions or SymPy expressions (already validated or
    plain numbers); numeric ones may have :data:`MAX_POINTS`, symbolic ones
    :data:`MAX_SYMBOLIC_POINTS`; every number in them at most
    :data:`MAX_OFFSET_BITS` bits.

    Examples
    --------
    >>> check_stencil_size(1, [0, 1, 2**64])
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: offset 3 (18446744073709551616) has a 65-bit number, more than the limit of 64 bits (MAX_OFFSET_BITS); use smaller offsets, e.g. in other units
    """  # noqa: E501
    check_derivative_limit(derivative)
    points = take_offsets(offsets)
    if any(_symbolic(p) for p in (*points, at)) and len(points) > MAX_SYMBOLIC_POINTS:
        raise _refuse(
            len(points),
            MAX_SYMBOLIC_POINTS,
            "MAX_SYMBOLIC_POINTS",
            "symbolic offsets",
            "use fewer offsets, or numbers (in units of h) instead of symbols",
        )
    labelled = [(f"offset {i + 1}", p) for i, p in enumerate(points)]
    for label, value in [*labelled, ("at", at)]:
        bits = _bits(value)
        if bits > MAX_OFFSET_BITS:
            raise LimitError(
                f"{label} ({_short(value)}) has a {bits}-bit number, more than the "
                f"limit of {MAX_OFFSET_BITS} bits (MAX_OFFSET_BITS); use smaller "
                "offsets, e.g. in other units"
            )


def take_offsets(offsets: Iterable[Any]) -> list[Any]:
    """The offsets as a list, refused beyond :data:`MAX_POINTS` without reading on.

    A huge (or endless) iterable is not materialised: at most one offset past
    the limit is taken.

    Examples
    --------
    >>> take_offsets(range(3))
    [0, 1, 2]
    >>> import itertools
    >>> take_offsets(itertools.count())
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: 66 or more offsets is more than the limit of 65 (MAX_POINTS); use fewer offsets
    """  # noqa: E501
    if isinstance(offsets, Sized) and len(offsets) > MAX_POINTS:
        count = str(len(offsets))
    else:
        points = list(itertools.islice(offsets, MAX_POINTS + 1))
        if len(points) <= MAX_POINTS:
            return points
        count = f"{MAX_POINTS + 1} or more"
    raise LimitError(
        f"{count} offsets is more than the limit of {MAX_POINTS} (MAX_POINTS); "
        "use fewer offsets"
    )


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_spec_offsets(
    values: Iterable[Any], error: Callable[[str], StencilgenError]
) -> tuple[Any, ...]:
    """Return a spec entry's ``values`` if within the limits, else raise ``error``.

    ``values`` may be a lazy iterable: at most one value past
    :data:`MAX_POINTS` is taken. Each value must have ``|value| <=``
    :data:`MAX_GRID_OFFSET` and at most :data:`MAX_OFFSET_BITS` bits.
    ``error(message)`` builds the exception (naming file, entry and key).

    Examples
    --------
    >>> check_spec_offsets((0, 1, 2), LimitError)
    (0, 1, 2)
    >>> check_spec_offsets((0, 1, 2**70), LimitError)
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: |1180591620717411303424| is more than the limit of 64 (MAX_GRID_OFFSET): an operator derives one edge stencil per point up to its widest offset; use offsets within -64..64
    """  # noqa: E501
    try:
        checked = tuple(take_offsets(values))
    except LimitError as refused:
        raise error(str(refused)) from None
    for value in checked:
        if abs(value) > MAX_GRID_OFFSET:
            raise error(
                f"|{_short(value)}| is more than the limit of {MAX_GRID_OFFSET} "
                "(MAX_GRID_OFFSET): an operator derives one edge stencil per point "
                f"up to its widest offset; use offsets within "
                f"-{MAX_GRID_OFFSET}..{MAX_GRID_OFFSET}"
            )
        if _bits(value) > MAX_OFFSET_BITS:
            raise error(
                f"{_short(value)} has a number of more than {MAX_OFFSET_BITS} bits "
                "(MAX_OFFSET_BITS); use a simpler fraction"
            )
    return checked


def check_explain(points: int, symbolic: bool) -> None:
    """Refuse an ``explain`` beyond :data:`MAX_EXPLAIN_POINTS` (or ``_SYMBOLIC``).

    Examples
    --------
    >>> check_explain(6, symbolic=True)
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: explain: 6 symbolic offsets is more than the limit of 5 (MAX_EXPLAIN_SYMBOLIC); the derivation by hand solves the equations with SymPy's general solver, so use fewer offsets (stencilgen weights has higher limits)
    """  # noqa: E501
    limit, name = (
        (MAX_EXPLAIN_SYMBOLIC, "MAX_EXPLAIN_SYMBOLIC")
        if symbolic
        else (MAX_EXPLAIN_POINTS, "MAX_EXPLAIN_POINTS")
    )
    if points > limit:
        what = "symbolic offsets" if symbolic else "offsets"
        raise LimitError(
            f"explain: {points} {what} is more than the limit of {limit} ({name}); "
            "the derivation by hand solves the equations with SymPy's general "
            "solver, so use fewer offsets (stencilgen weights has higher limits)"
        )


def check_unknowns(count: int, symbols: int) -> None:
    """Refuse ``analyze --solve`` beyond :data:`MAX_UNKNOWNS`.

    ``symbols`` is the number of symbols in the formula's shifts; with more than
    one, the limit is :data:`MAX_UNKNOWNS_SYMBOLIC`.

    Examples
    --------
    >>> check_unknowns(5, symbols=2)
    Traceback (most recent call last):
    ...
    stencilgen.errors.LimitError: 5 unknowns is more than the limit of 4 (MAX_UNKNOWNS_SYMBOLIC) for shifts in several symbols; solve for fewer names or give the others values with --where
    """  # noqa: E501
    if symbols > 1 and count > MAX_UNKNOWNS_SYMBOLIC:
        raise LimitError(
            f"{count} unknowns is more than the limit of {MAX_UNKNOWNS_SYMBOLIC} "
            "(MAX_UNKNOWNS_SYMBOLIC) for shifts in several symbols; solve for "
            "fewer names or give the others values with --where"
        )
    if count > MAX_UNKNOWNS:
        raise _refuse(
            count,
            MAX_UNKNOWNS,
            "MAX_UNKNOWNS",
            "unknowns",
            "solve for fewer names or give the others values with --where",
        )
