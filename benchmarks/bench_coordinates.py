"""Coordinate-grid gradient: time and memory against numpy.gradient(f, x).

Run from the repository root::

    python benchmarks/bench_coordinates.py                  # n = 10**3 .. 10**7
    python benchmarks/bench_coordinates.py --max-exponent 8 # up to 10**8 (1.6 GB)

For each size, float64 ``f`` on a random non-uniform 1-D grid ``x``, in one
process with interleaved rounds, the median time per call of
``generated/gradient.py`` ``gradient(f, x)`` and of ``numpy.gradient(f, x)``
(both allocating their result) and their ratio (target: <= 1), and the same for
``generated/d1_nonuniform2.py`` against ``numpy.gradient(f, x, edge_order=2)``
(the same stencils). Then, at the largest size, the peak memory each allocates
beyond its result, measured with ``tracemalloc`` (numpy reports its array
allocations to it), as a fraction of the array (target for ours: <= 5 %).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from common import load_generated


def load(name: str) -> Callable[..., Any]:
    return getattr(load_generated(name), name)  # type: ignore[no-any-return]


def timings(
    candidates: dict[str, Callable[[], Any]], rounds: int, calls: int
) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for run in candidates.values():
        run()
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(t) for name, t in times.items()}


def peak_beyond_result(run: Callable[[], Any], result_bytes: int) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = run()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del result
    return peak - result_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-exponent", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    gradient = load("gradient")
    operator = load("d1_nonuniform2")
    rng = np.random.default_rng(0)
    print(
        f"{'n':>11}{'gradient':>12}{'numpy':>12}{'ratio':>8}"
        f"{'d1_nonuniform2':>16}{'numpy, edge_order=2':>21}{'ratio':>8}"
    )
    for exponent in range(3, args.max_exponent + 1):
        n = 10**exponent
        x = np.cumsum(rng.uniform(0.5, 1.5, n))
        f = np.sin(x * 0.01)
        calls = max(1, 10**6 // n)
        rounds = args.rounds if n < 10**7 else 3
        result = timings(
            {
                "ours": lambda f=f, x=x: gradient(f, x),
                "numpy": lambda f=f, x=x: np.gradient(f, x),
                "operator": lambda f=f, x=x: operator(f, x),
                "numpy2": lambda f=f, x=x: np.gradient(f, x, edge_order=2),
            },
            rounds,
            calls,
        )
        ratio = result["ours"] / result["numpy"]
        ratio2 = result["operator"] / result["numpy2"]
        print(
            f"{n:>11}{result['ours'] * 1e3:>10.3f}ms{result['numpy'] * 1e3:>10.3f}ms"
            f"{ratio:>7.2f}×{result['operator'] * 1e3:>14.3f}ms"
            f"{result['numpy2'] * 1e3:>19.3f}ms{ratio2:>7.2f}×"
        )
    size = f.nbytes
    ours = peak_beyond_result(lambda: gradient(f, x), size)
    theirs = peak_beyond_result(lambda: np.gradient(f, x), size)
    op = peak_beyond_result(lambda: operator(f, x), size)
    print(
        f"n = {n}: temporaries beyond the {size / 2**20:.0f} MiB result: gradient "
        f"{ours / 2**20:.2f} MiB ({100 * ours / size:.1f} % of the array, target "
        f"<= 5 %), d1_nonuniform2 {op / 2**20:.2f} MiB ({100 * op / size:.1f} %), "
        f"numpy.gradient {theirs / 2**20:.0f} MiB ({100 * theirs / size:.0f} %)"
    )


if __name__ == "__main__":
    main()
