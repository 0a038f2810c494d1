"""Benchmark: exact finite-difference weights, stencilgen against its peers.

Run from the repository root::

    .venv/bin/python benchmarks/bench_weights.py            # full table (~2 min)
    .venv/bin/python benchmarks/bench_weights.py --quick    # n <= 17, no findiff at 65

In one run this times

* ``stencilgen.fd_weights`` (exact weights) and ``stencilgen.make_stencil``
  (weights plus the exact accuracy and leading error term),
* ``sympy.finite_diff_weights`` (Fornberg's recurrence in SymPy; followed by
  ``sympy.factor`` of each weight for symbolic offsets, to reach a comparable
  closed form),
* ``stencilgen.taylor.solve_taylor_system`` for the symbolic cases: exact LU
  of the moment system over Q(symbols), the alternative path issue 2 asked to
  measure against the closed form (the faster one is kept: the closed form),
* ``findiff.coefficients`` with ``symbolic=True`` (exact, via SymPy; it also
  computes the accuracy) and with floats (NumPy solve; its largest relative
  error against the exact weights is reported),

for central (offsets ``-(n-1)/2 .. (n-1)/2``) and one-sided (``0 .. n-1``)
stencils of n = 5, 9, 17, 33, 65 points and derivatives m = 1, 2, 4, and for the
symbolic non-uniform 3-point ``[0, hd, -hs]`` and 5-point
``[-h1-h2, -h1, 0, h3, h3+h4]`` cases (findiff takes integer offsets only).

Every timing is *cold*: before each repeat SymPy's cache
(``sympy.core.cache.clear_cache()``) and stencilgen's weight cache
(``stencilgen.taylor._weights.cache_clear()``) are cleared, so nobody is timed
returning a remembered answer. Each cell is the median of the repeats (at least
three; fewer than ``--repeats`` only for calls slower than half a second).

All exact results are checked to agree (numeric: identical Rationals; symbolic:
``cancel(a - b) == 0``); the script exits 1 if any disagree. It then checks the
targets of issue 2: numeric weights at least 15x faster than
``sympy.finite_diff_weights`` (median ratio) at every n >= 9, and the symbolic
5-point closed forms at least 2x faster than SymPy + ``factor``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import findiff
import numpy as np
import sympy
from sympy.core.cache import clear_cache

import stencilgen
from stencilgen import fd_weights, make_stencil
from stencilgen.taylor import _weights, solve_taylor_system

NUMERIC_TARGET = 15.0
SYMBOLIC_TARGET = 2.0


def cold() -> None:
    """Forget everything SymPy and stencilgen remember between calls."""
    clear_cache()
    _weights.cache_clear()


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``fn`` over cold repeats, and its last result."""
    times = []
    result = None
    for i in range(repeats):
        cold()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if i == 2 and statistics.median(times) > 0.5:
            break
    return statistics.median(times), result


def sympy_weights(m: int, offsets: Sequence[Any]) -> list[Any]:
    return list(sympy.finite_diff_weights(m, list(offsets), 0)[m][-1])


def sympy_factored(m: int, offsets: Sequence[Any]) -> list[Any]:
    return [sympy.factor(w) for w in sympy_weights(m, offsets)]


def findiff_exact(m: int, offsets: Sequence[int]) -> list[Any]:
    return list(
        findiff.coefficients(m, offsets=list(offsets), symbolic=True)["coefficients"]
    )


def findiff_float(m: int, offsets: Sequence[int]) -> Any:
    return findiff.coefficients(m, offsets=list(offsets))["coefficients"]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}" if seconds < 0.1 else f"{seconds * 1e3:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="repeats per cell")
    parser.add_argument(
        "--quick", action="store_true", help="n <= 17 only (a smoke run)"
    )
    args = parser.parse_args(argv)
    repeats = max(3, args.repeats)
    sizes = (5, 9, 17) if args.quick else (5, 9, 17, 33, 65)

    print(
        f"stencilgen {stencilgen.__version__}, sympy {sympy.__version__}, "
        f"findiff {findiff.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    print("cold medians in ms (SymPy and stencilgen caches cleared before each call)")
    print()
    print(
        "| stencil | n | m | fd_weights | make_stencil | sympy fdw | ratio "
        "| findiff exact | ratio | findiff float | float rel. error |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")

    disagreements: list[str] = []
    numeric_ratios: dict[int, list[float]] = {}
    for kind in ("central", "one-sided"):
        for n in sizes:
            offsets = (
                list(range(-(n // 2), n // 2 + 1))
                if kind == "central"
                else list(range(n))
            )
            for m in (1, 2, 4):
                t_ours, ours = median_time(
                    lambda m=m, offsets=offsets: fd_weights(m, offsets), repeats
                )
                t_stencil, _ = median_time(
                    lambda m=m, offsets=offsets: make_stencil(m, offsets), repeats
                )
                t_sympy, theirs = median_time(
                    lambda m=m, offsets=offsets: sympy_weights(m, offsets), repeats
                )
                t_fexact, fexact = median_time(
                    lambda m=m, offsets=offsets: findiff_exact(m, offsets), repeats
                )
                t_ffloat, ffloat = median_time(
                    lambda m=m, offsets=offsets: findiff_float(m, offsets), repeats
                )
                if list(ours) != theirs:
                    disagreements.append(f"{kind} n={n} m={m}: sympy")
                if [sympy.Rational(w) for w in fexact] != list(ours):
                    disagreements.append(f"{kind} n={n} m={m}: findiff exact")
                exact = np.array([float(w) for w in ours])
                scale = np.abs(exact).max()
                error = float(
                    np.abs(np.asarray(ffloat, dtype=float) - exact).max() / scale
                )
                ratio = t_sympy / t_ours
                numeric_ratios.setdefault(n, []).append(ratio)
                print(
                    f"| {kind} | {n} | {m} | {ms(t_ours)} | {ms(t_stencil)} "
                    f"| {ms(t_sympy)} | {ratio:.1f}x | {ms(t_fexact)} "
                    f"| {t_fexact / t_ours:.0f}x | {ms(t_ffloat)} | {error:.1e} |"
                )
                sys.stdout.flush()

    print()
    print(
        "| symbolic stencil | m | fd_weights | make_stencil | Taylor-system LU "
        "| sympy fdw + factor | ratio |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    hd, hs, h1, h2, h3, h4 = sympy.symbols("hd hs h1 h2 h3 h4")
    symbolic_cases = [
        ("[0, hd, -hs]", [0, hd, -hs], (1, 2)),
        ("[-h1-h2, -h1, 0, h3, h3+h4]", [-h1 - h2, -h1, 0, h3, h3 + h4], (1, 2, 4)),
    ]
    five_point_ratios = []
    for label, offsets_s, derivatives in symbolic_cases:
        for m in derivatives:
            t_ours, ours = median_time(
                lambda m=m, offsets_s=offsets_s: fd_weights(m, offsets_s), repeats
            )
            t_stencil, _ = median_time(
                lambda m=m, offsets_s=offsets_s: make_stencil(m, offsets_s), repeats
            )
            t_lu, lu = median_time(
                lambda m=m, offsets_s=offsets_s: solve_taylor_system(m, offsets_s),
                repeats,
            )
            t_sympy, theirs = median_time(
                lambda m=m, offsets_s=offsets_s: sympy_factored(m, offsets_s), repeats
            )
            for other, name in ((theirs, "sympy"), (lu, "Taylor-system LU")):
                if any(
                    sympy.cancel(a - b) != 0 for a, b in zip(ours, other, strict=True)
                ):
                    disagreements.append(f"{label} m={m}: {name}")
            ratio = t_sympy / t_ours
            if len(offsets_s) == 5:
                five_point_ratios.append(ratio)
            print(
                f"| `{label}` | {m} | {ms(t_ours)} | {ms(t_stencil)} | {ms(t_lu)} "
                f"| {ms(t_sympy)} | {ratio:.1f}x |"
            )
            sys.stdout.flush()

    print()
    if disagreements:
        print("DISAGREEMENT in exact results: " + "; ".join(disagreements))
        return 1
    print("all exact results agree (stencilgen, sympy.finite_diff_weights, findiff)")
    worst = min(min(r) for n, r in numeric_ratios.items() if n >= 9)
    verdict = "met" if worst >= NUMERIC_TARGET else "MISSED"
    print(
        f"target numeric >= {NUMERIC_TARGET:.0f}x sympy at n >= 9: worst median "
        f"ratio {worst:.1f}x, {verdict}"
    )
    worst_symbolic = min(five_point_ratios)
    verdict = "met" if worst_symbolic >= SYMBOLIC_TARGET else "MISSED"
    print(
        f"target symbolic 5-point >= {SYMBOLIC_TARGET:.0f}x sympy + factor: worst "
        f"ratio {worst_symbolic:.1f}x, {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
