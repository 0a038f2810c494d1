"""The generated operator modules against numpy, on 1-D arrays larger than cache.

Run from the repository root::

    python benchmarks/bench_operators.py             # 10**7 values, 7 rounds
    python benchmarks/bench_operators.py --quick     # 10**6 values

Times, in one process with interleaved rounds (every round runs every candidate
once, so drifting load on a shared machine hits all alike), on float64 arrays:

* ``generated/d1_central2.py`` (the 3-point first derivative with accuracy-2 edges)
  against ``numpy.gradient(f, h, edge_order=2)``, which computes the same thing;
* ``generated/d1_nonuniform2.py`` on a coordinate array, with the weights computed
  in the call, and precomputed once (``d1_nonuniform2_weights(x)``), against
  ``numpy.gradient(f, x, edge_order=2)``;
* ``generated/d2_central8.py`` (9 points, accuracy 8, accuracy-8 edges) against
  ``np.convolve(f, w, "same")`` with the same weights (full-length output like the
  operator's) and ``scipy.ndimage.correlate1d``;
* ``np.copyto`` into a preallocated array: the memory-bandwidth reference.

Prints the median of each candidate, and its ratios to its group's numpy
reference and to the copy: the medians over rounds of the ratios of times
measured in the same round. ``benchmarks/bench_kernels.py`` has the 2-D cases
and findiff.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from types import ModuleType

import numpy as np
from common import load_generated


def load(name: str) -> ModuleType:
    return load_generated(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10**6 values")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    n = 10**6 if args.quick else 10**7
    from scipy.ndimage import correlate1d

    d1 = load("d1_central2").d1_central2
    nonuniform = load("d1_nonuniform2")
    d2 = load("d2_central8").d2_central8
    rng = np.random.default_rng(0)
    f = rng.standard_normal(n)
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    out = np.empty_like(f)
    h = 0.01
    weights = nonuniform.d1_nonuniform2_weights(x)
    w9 = np.array([-1 / 560, 8 / 315, -1 / 5, 8 / 5, -205 / 72, 8 / 5, -1 / 5])
    w9 = np.r_[w9, 8 / 315, -1 / 560] / h**2
    groups: list[tuple[str, str, list[tuple[str, Callable[[], object]]]]] = [
        (
            "3-point first derivative, uniform",
            "numpy.gradient(f, h, edge_order=2)",
            [
                (
                    "numpy.gradient(f, h, edge_order=2)",
                    lambda: np.gradient(f, h, edge_order=2),
                ),
                ("d1_central2(f, h)", lambda: d1(f, h)),
                ("d1_central2(f, h, out=out)", lambda: d1(f, h, out=out)),
            ],
        ),
        (
            "3-point first derivative, coordinate array",
            "numpy.gradient(f, x, edge_order=2)",
            [
                (
                    "numpy.gradient(f, x, edge_order=2)",
                    lambda: np.gradient(f, x, edge_order=2),
                ),
                ("d1_nonuniform2(f, x)", lambda: nonuniform.d1_nonuniform2(f, x)),
                (
                    "d1_nonuniform2_apply(f, weights, out=out)",
                    lambda: nonuniform.d1_nonuniform2_apply(f, weights, out=out),
                ),
            ],
        ),
        (
            "9-point second derivative, accuracy 8",
            'np.convolve(f, w, "same")',
            [
                ('np.convolve(f, w, "same")', lambda: np.convolve(f, w9, "same")),
                ("scipy.ndimage.correlate1d", lambda: correlate1d(f, w9)),
                ("d2_central8(f, h)", lambda: d2(f, h)),
                ("d2_central8(f, h, out=out)", lambda: d2(f, h, out=out)),
            ],
        ),
    ]
    copy = ("np.copyto (bandwidth reference)", lambda: np.copyto(out, f))
    candidates = [copy] + [c for _, _, group in groups for c in group]
    times: dict[str, list[float]] = {name: [] for name, _ in candidates}
    for _, run in candidates:  # warm-up
        run()
    for _ in range(args.rounds):
        for name, run in candidates:
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}

    def ratio(name: str, reference: str) -> float:
        # Within a round: load drifting between rounds cancels out.
        pairs = zip(times[name], times[reference], strict=True)
        return statistics.median(a / b for a, b in pairs)

    print(
        f"n = {n}, float64; numpy {np.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, rounds={args.rounds}"
    )
    print(f"{copy[0]:45s} {median[copy[0]] * 1e3:8.1f} ms")
    for title, reference, group in groups:
        print(f"\n{title}")
        print(f"  {'candidate':43s} {'median ms':>9s} {'vs ref':>7s} {'vs copy':>8s}")
        for name, _ in group:
            print(
                f"  {name:43s} {median[name] * 1e3:9.1f} "
                f"{ratio(name, reference):7.2f} "
                f"{ratio(name, copy[0]):8.2f}"
            )


if __name__ == "__main__":
    main()
