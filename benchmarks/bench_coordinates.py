"""Coordinate-grid gradient: time and memory against numpy.gradient(f, x).

Run from the repository root::

    python benchmarks/bench_coordinates.py                  # n = 10**3 .. 10**7
    python benchmarks/bench_coordinates.py --max-exponent 8 # up to 10**8 (1.6 GB)
    python benchmarks/bench_coordinates.py --sizes 4097 6000 8192 30000
    python benchmarks/bench_coordinates.py --compare old/   # old/<module>.py too

For each size, float64 ``f`` on a random non-uniform 1-D grid ``x``, in one
process with interleaved rounds, the median time per call of
``generated/gradient.py`` ``gradient(f, x)`` and of ``numpy.gradient(f, x)``
(both allocating their result) and their ratio (target: <= 1), and the same for
``generated/d1_nonuniform2.py`` against ``numpy.gradient(f, x, edge_order=2)``
(the same stencils). A second table: the accuracy-4 first derivatives
``gradient4(f, x)`` and the periodic ``d1_periodic_x4(f, x, period)``, the
second derivative ``d2_nonuniform2(f, x)`` and ``d1_nonuniform2(f, x)`` against
``numpy.gradient(f, x)`` (with ``--compare DIR``, also the modules of those
names in DIR, timed in the same rounds: before and after a change). Then, at
the largest size, the peak memory each allocates beyond its result, measured
with ``tracemalloc`` (numpy reports its array allocations to it), as a fraction
of the array (target for ours: <= 5 %).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from common import load_file, load_generated

# Modules timed from --compare DIR when there, and their rows' labels.
COMPARED = ("gradient4", "d1_periodic_x4", "d2_nonuniform2", "d1_nonuniform2")
LABELS = {
    "gradient4": "gradient4",
    "d1_periodic_x4": "periodic",
    "d2_nonuniform2": "d2_nonuniform2",
    "d1_nonuniform2": "operator",
}


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
    parser.add_argument("--sizes", type=int, nargs="+", help="instead of 10**k")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="a folder of other modules")
    args = parser.parse_args()
    gradient = load("gradient")
    operator = load("d1_nonuniform2")
    gradient4 = load("gradient4")
    periodic = load("d1_periodic_x4")
    second = load("d2_nonuniform2")
    others: dict[str, Callable[..., Any]] = {}
    if args.compare is not None:
        for name in COMPARED:
            path = args.compare / f"{name}.py"
            if path.exists():
                module = load_file(path, f"compared_{name}")
                others[name] = getattr(module, name)
    sizes = args.sizes or [10**e for e in range(3, args.max_exponent + 1)]
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        x = np.cumsum(rng.uniform(0.5, 1.5, n))
        f = np.sin(x * 0.01)
        period = x[-1] - x[0] + 1.0
        calls = max(1, 10**6 // n)
        rounds = args.rounds if n < 10**7 else 3
        candidates = {
            "ours": lambda f=f, x=x: gradient(f, x),
            "numpy": lambda f=f, x=x: np.gradient(f, x),
            "operator": lambda f=f, x=x: operator(f, x),
            "numpy2": lambda f=f, x=x: np.gradient(f, x, edge_order=2),
            "gradient4": lambda f=f, x=x: gradient4(f, x),
            "periodic": lambda f=f, x=x, p=period: periodic(f, x, p),
            "d2_nonuniform2": lambda f=f, x=x: second(f, x),
        }
        for name, op in others.items():
            args_ = (f, x, period) if name == "d1_periodic_x4" else (f, x)
            candidates[f"{LABELS[name]} (compared)"] = lambda op=op, a=args_: op(*a)
        rows.append((n, timings(candidates, rounds, calls)))
    print(
        f"{'n':>11}{'gradient':>12}{'numpy':>12}{'ratio':>8}"
        f"{'d1_nonuniform2':>16}{'numpy, edge_order=2':>21}{'ratio':>8}"
    )
    for n, result in rows:
        ratio = result["ours"] / result["numpy"]
        ratio2 = result["operator"] / result["numpy2"]
        print(
            f"{n:>11}{result['ours'] * 1e3:>10.3f}ms{result['numpy'] * 1e3:>10.3f}ms"
            f"{ratio:>7.2f}×{result['operator'] * 1e3:>14.3f}ms"
            f"{result['numpy2'] * 1e3:>19.3f}ms{ratio2:>7.2f}×"
        )
    names = [
        "gradient4",
        "periodic",
        "d2_nonuniform2",
        "operator",
        *(f"{LABELS[k]} (compared)" for k in COMPARED if k in others),
    ]
    shown = {"operator": "d1_nonuniform2", "operator (compared)": "d1_nonuniform2 (c.)"}
    print(
        f"\n{'n':>11}"
        + "".join(f"{shown.get(k, k) + ' / numpy(f, x)':>40}" for k in names)
    )
    for n, result in rows:
        print(
            f"{n:>11}"
            + "".join(
                f"{result[k] * 1e3:>29.3f}ms{result[k] / result['numpy']:>8.2f}×"
                for k in names
            )
        )
    n = sizes[-1]
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    f = np.sin(x * 0.01)
    size = f.nbytes
    period = x[-1] - x[0] + 1.0
    peaks = {
        "gradient": peak_beyond_result(lambda: gradient(f, x), size),
        "d1_nonuniform2": peak_beyond_result(lambda: operator(f, x), size),
        "gradient4": peak_beyond_result(lambda: gradient4(f, x), size),
        "d1_periodic_x4": peak_beyond_result(lambda: periodic(f, x, period), size),
        "d2_nonuniform2": peak_beyond_result(lambda: second(f, x), size),
        "numpy.gradient": peak_beyond_result(lambda: np.gradient(f, x), size),
    }
    print(
        f"n = {n}: temporaries beyond the {size / 2**20:.0f} MiB result (target "
        "<= 5 % of the array): "
        + ", ".join(
            f"{k} {v / 2**20:.2f} MiB ({100 * v / size:.1f} %)"
            for k, v in peaks.items()
        )
    )


if __name__ == "__main__":
    main()
