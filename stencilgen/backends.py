"""Backends of generated array operators: the printed context beyond NumPy's.

A spec entry's ``backend`` key picks how its kernel plan (:mod:`stencilgen.kernel`)
is rendered: ``"numpy"`` (``templates/numpy/``: ``out=`` ufunc calls in blocks),
``"numba"`` (``templates/numba/``: one compiled, fused loop per output) or
``"array-api"`` (``templates/array_api/``: functional code through
``array_api_compat``, for torch, CuPy, JAX, array-api-strict and NumPy). Every
backend's module also takes dask arrays and xarray DataArrays
(``templates/runtime/lazy.py``), with the halo printed by :func:`lazy_context`.

Like :func:`stencilgen.kernel.kernel_context`, the functions here only print:
indices and coefficient names become the strings the templates write.

Examples
--------
>>> import sympy
>>> from stencilgen.kernel import uniform_kernel
>>> k = uniform_kernel(
...     derivative=1,
...     offsets=(-1, 0, 1),
...     weights=(sympy.Rational(-1, 2), sympy.Integer(0), sympy.Rational(1, 2)),
...     boundary="periodic",
... )
>>> lazy_context(k)
{'depth': '1', 'min_points': '3', 'periodic': 'True', 'valid': '(0, 0)'}
>>> c = numba_context(k)
>>> c["count"], c["terms"][0]
('n - 2', {'coefficient': 'c0', 'combine': 'difference', 'operands': ['q + 2', 'q']})
>>> [(p["target"], [t["index"] for t in p["terms"]]) for p in c["edges"]]
[('0', ['n - 1', '1']), ('n - 1', ['n - 2', '0'])]
"""

from __future__ import annotations

import importlib.util
from typing import Any

from stencilgen import printing
from stencilgen.kernel import CoordinateKernel, Kernel

__all__ = [
    "BACKENDS",
    "LIBRARIES",
    "array_api_context",
    "lazy_context",
    "missing_library",
    "nd_interior_statements",
    "nd_numba_context",
    "numba_context",
]

#: The values of the spec key ``backend``.
BACKENDS = ("numpy", "numba", "array-api")

#: The library each backend's modules import, and the extra that installs it.
LIBRARIES = {
    "numba": ("numba", "numba"),
    "array-api": ("array_api_compat", "array-api"),
}


def missing_library(backend: str) -> str | None:
    """How to install the library ``backend`` needs, or None if it is importable."""
    if backend not in LIBRARIES:
        return None
    module, extra = LIBRARIES[backend]
    if importlib.util.find_spec(module) is not None:
        return None
    return (
        f'backend = "{backend}" needs {module}, which is not installed; '
        f"pip install 'stencilgen[{extra}]' (or use backend = \"numpy\")"
    )


def lazy_context(kernel: Kernel | CoordinateKernel) -> dict[str, str]:
    """The halo of the dask / xarray wrappers (``runtime/lazy.py``).

    ``depth`` neighbour points per side cover the stencil's reach and the
    edge (or wrapped) points at either end; ``valid`` is ``(lo, hi)`` for
    operators whose output is shorter (value at point ``lo + j`` in ``j``).
    """
    valid = (kernel.lo, kernel.out_trim - kernel.lo) if kernel.out_trim else (0, 0)
    periodic = isinstance(kernel, Kernel) and bool(kernel.wrap_points)
    return {
        "depth": str(max(kernel.lo, kernel.hi, 1)),
        "min_points": str(kernel.min_points),
        "periodic": str(periodic),
        "valid": f"({valid[0]}, {valid[1]})",
    }


def _at(base: str, k: int) -> str:
    """``base + k`` as ruff writes it: ``i``, ``i + 2``, ``i - 1``."""
    if k == 0:
        return base
    return f"{base} + {k}" if k > 0 else f"{base} - {-k}"


def _from_end(k: int) -> str:
    """Index ``n + k`` for ``k < 0`` (``n - 2``), or ``k`` itself."""
    return str(k) if k >= 0 else f"n - {-k}"


def numba_context(kernel: Kernel | CoordinateKernel) -> dict[str, Any]:
    """Indices and coefficient names of the fused numba loops.

    Both: ``count`` (interior points), ``output`` (the output index of interior
    point ``q``). Uniform kernels: ``terms`` (interior, ``c<k>`` the k-th
    constant times the scale), ``edges`` (one-sided and wrapped points: their
    target index and ``(e[j], index)`` terms, ``e`` the flat table of edge
    weights times the scale). Coordinate kernels: ``reads`` (the interior's
    sample indices, window order), ``left`` / ``right`` (edge point counts).
    """
    # The interior loop runs q = 0 .. n - lo - hi - 1 over the points i = q + lo:
    # every index is q plus a non-negative constant, which numba compiles
    # without negative-index checks (vectorised; measured 3-5x faster).
    shift = kernel.lo if kernel.out_trim else 0
    lo = kernel.lo
    common = {
        "count": _from_end(-(kernel.lo + kernel.hi)) if kernel.lo + kernel.hi else "n",
        "output": _at("q", lo - shift),
    }
    if isinstance(kernel, CoordinateKernel):
        left = sum(1 for w in kernel.edges if w.point is not None and w.point >= 0)
        return common | {
            "reads": [_at("q", o + lo) for o in kernel.views],
            "left": str(left),
            "right": str(len(kernel.edges) - left),
        }
    terms = [
        {
            "coefficient": f"c{k}",
            "combine": term.combine,
            "operands": [_at("q", o + lo) for o in term.offsets],
        }
        for k, term in enumerate(kernel.terms)
    ]
    edges = []
    position = 0
    for edge in (*kernel.left, *kernel.right):
        reads = []
        for k, weight in enumerate(edge.weights):
            if weight != 0:
                reads.append(
                    {
                        "coefficient": f"e[{position}]",
                        "index": _from_end(edge.point + edge.first + k),
                    }
                )
                position += 1
        edges.append({"target": _from_end(edge.point), "terms": reads})
    for point in kernel.wrap_points:
        reads = []
        for k, (offset, _) in enumerate(kernel.stencil):
            # (point + offset) modulo n: from the end when negative.
            index = _from_end(point + offset)
            reads.append({"coefficient": f"e[{k}]", "index": index})
        edges.append({"target": _from_end(point), "terms": reads})
    return common | {
        "terms": terms,
        "constants": [f"c{k}" for k in range(len(kernel.terms))],
        "edges": edges,
        "edge_weights": [
            printing.number(w)
            for edge in (*kernel.left, *kernel.right)
            for w in edge.weights
            if w != 0
        ]
        + [printing.number(w) for _, w in kernel.stencil],
    }


def array_api_context(kernel: Kernel | CoordinateKernel) -> dict[str, Any]:
    """Slices of the functional (array API) interior: one view per offset.

    ``views`` gives each interior view's slice of the last axis over the points
    ``lo <= i < hi`` of one block (``f[..., lo - 1 : hi - 1]``); positive steps
    only (torch refuses negative ones).
    """
    views = []
    for o in kernel.views:
        text = "lo:hi" if o == 0 else f"{_at('lo', o)} : {_at('hi', o)}"
        views.append({"offset": str(o), "slice": text})
    return {"views": views, "block_quarter": str(kernel.block // 4)}


def nd_interior_statements(
    groups: list[tuple[str, list[str]]], indent: int
) -> list[str]:
    """The fused interior of an N-D operator: statements building ``w``.

    ``groups`` holds, in the NumPy module's order, each weight's constant name and
    the samples (printed: ``view((1, 0))``, ``v[r, q0 + 2, q1]``) of the points
    that share it; ``indent`` is the statements' indentation in spaces. The sums
    run in the NumPy module's order (samples left to right, times the constant,
    added to the running total), so the numbers are the same; a sum too long for
    one line accumulates in ``s`` over several.

    Examples
    --------
    >>> nd_interior_statements([("c0", ["u[0]"]), ("c1", ["u[-1]", "u[1]"])], 12)
    ['w = u[0] * c0', 'w = w + (u[-1] + u[1]) * c1']
    """
    lines = []
    for number, (constant, samples) in enumerate(groups):
        total = "w + " if number else ""
        if len(samples) == 1:
            lines.append(f"w = {total}{samples[0]} * {constant}")
            continue
        line = f"w = {total}({' + '.join(samples)}) * {constant}"
        if indent + len(line) <= printing.LINE_LENGTH:
            lines.append(line)
            continue
        lines.append(f"s = {samples[0]} + {samples[1]}")
        lines += [f"s = s + {sample}" for sample in samples[2:]]
        lines.append(f"w = {total}s * {constant}")
    return lines


def nd_numba_context(
    groups: list[tuple[str, list[tuple[int, ...]]]],
    reach: tuple[int, ...],
    shift: tuple[int, ...],
) -> dict[str, Any]:
    """The compiled interior loop of an N-D operator (``numba/nd.j2``).

    The loops run ``q<d> = 0 .. n<d> - 2*reach[d] - 1`` over the points
    ``i = q + reach``, so that every index is ``q<d>`` plus a non-negative
    constant (numba compiles those without negative-index checks); the result of
    point i goes to ``o[r, i - shift]``.

    Examples
    --------
    >>> c = nd_numba_context([("c0", [(-1, 0), (1, 0)])], (1, 0), (0, 0))
    >>> c["statements"]
    ['w = (v[r, q0, q1] + v[r, q0 + 2, q1]) * c0']
    >>> c["target"], c["counts"]
    ('o[r, q0 + 1, q1]', ['n0 - 2', 'n1'])
    """
    ndim = len(reach)

    def sample(point: tuple[int, ...]) -> str:
        indices = [_at(f"q{d}", reach[d] + point[d]) for d in range(ndim)]
        return f"v[r, {', '.join(indices)}]"

    statements = nd_interior_statements(
        [(c, [sample(p) for p in points]) for c, points in groups], 4 * (2 + ndim)
    )
    target = [_at(f"q{d}", reach[d] - shift[d]) for d in range(ndim)]
    return {
        "statements": statements,
        "target": f"o[r, {', '.join(target)}]",
        "counts": [_at(f"n{d}", -2 * reach[d]) for d in range(ndim)],
        "sizes": ", ".join(f"n{d}" for d in range(ndim)),
        "constants": [c for c, _ in groups],
    }
