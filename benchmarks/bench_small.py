"""Per-call overhead of the generated modules on small arrays (issue 12, items 2, 3).

Run from the repository root::

    python benchmarks/bench_small.py                 # n = 100 and 1000
    python benchmarks/bench_small.py --sizes 100 1000 10000
    python benchmarks/bench_small.py --compare old/  # old/<name>.py alongside

For each size, in one process with interleaved rounds (every round times every
candidate, so load drifting on a shared machine hits all alike), the median time
per call of:

* ``generated/gradient.py`` ``gradient(f)`` and ``gradient(f, x)`` against
  ``numpy.gradient`` with the same arguments (target: ratio <= 1);
* ``generated/gradient4.py`` (accuracy 4: a 5-point stencil against numpy's
  3-point one) the same way (target: ratio <= 1.5);
* every generated uniform operator (``d1_central2``, ``d1_central4``,
  ``d1_forward2``, ``d1_periodic4``, ``d2_central8``, ``d1_staggered4``) and the
  coordinate-grid ones (``d1_nonuniform2``, ``d2_nonuniform2``,
  ``d1_periodic_x4``) against ``numpy.gradient(f, h)`` (target: ratio <= 1.5);
  the coordinate-grid ones also against ``numpy.gradient(f, x)``, which like
  them computes its weights from x in the call;
* the compact (Padé) operators ``d1_compact6`` (periodic), ``d1_compact6_closed``
  (one-sided edges) and ``d1_compact_spectral`` (designed, pentadiagonal,
  periodic) against ``numpy.gradient(f, h)`` (target: ratio <= 1.5): a cached
  dense matrix at n = 100, a LAPACK solve with cached factors at n = 1000;
* the 9-point ``d2_central8`` against ``np.convolve(f, w, "same")`` with the same
  weights (target: ratio <= 1).

Float64 1-D arrays. Every round times every candidate once (the mean of a batch
of calls sized to take about 0.5 ms); a time is the median over rounds, and a
ratio the median over rounds of the two times measured in the same round (the
machine is shared: load drifts between rounds, much less within one).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from common import load_file, load_generated

from stencilgen import fd_weights


def load(name: str) -> ModuleType:
    return load_generated(name)


def per_call(run: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


def measure(
    candidates: dict[str, Callable[[], Any]], rounds: int, batch: float
) -> dict[str, list[float]]:
    """Per-call times of every candidate, ``rounds`` of them each, interleaved.

    Each round times every candidate once (a batch of calls sized to take
    ``batch`` seconds), so that load drifting on a shared machine hits a
    round's candidates alike; ratios are then taken within a round.
    """
    calls = {}
    for name, run in candidates.items():
        run()
        once = per_call(run, 20)
        calls[name] = max(5, int(batch / max(once, 1e-7)))
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            times[name].append(per_call(run, calls[name]))
    return times


def ratio(times: dict[str, list[float]], name: str, reference: str) -> float:
    """The median over rounds of name's time over reference's in the same round."""
    return statistics.median(
        a / b for a, b in zip(times[name], times[reference], strict=True)
    )


def group(
    n: int, rounds: int, batch: float, compare: Path | None = None
) -> list[tuple[str, float, float, float]]:
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    f = np.sin(x)
    h = 0.1
    gradient = load("gradient").gradient
    gradient4 = load("gradient4").gradient4
    # The 9-point accuracy-8 second-derivative weights (symmetric: convolution
    # and correlation agree).
    stencil = np.array([float(w) for w in fd_weights(2, range(-4, 5))]) / h**2
    candidates: dict[str, Callable[[], Any]] = {
        "numpy.gradient(f, h)": lambda: np.gradient(f, h),
        "numpy.gradient(f, x)": lambda: np.gradient(f, x),
        "np.convolve 9-point": lambda: np.convolve(f, stencil, "same"),
        "gradient(f, h)": lambda: gradient(f, h),
        "gradient(f, x)": lambda: gradient(f, x),
        "gradient4(f, h)": lambda: gradient4(f, h),
        "gradient4(f, x)": lambda: gradient4(f, x),
    }
    for name in (
        "d1_central2",
        "d1_central4",
        "d1_forward2",
        "d1_periodic4",
        "d2_central8",
        "d1_staggered4",
        "d1_compact6",
        "d1_compact6_closed",
        "d1_compact_spectral",
    ):
        op = getattr(load(name), name)
        candidates[f"{name}(f, h)"] = lambda op=op: op(f, h)
    for name in ("d1_nonuniform2", "d2_nonuniform2"):
        op = getattr(load(name), name)
        candidates[f"{name}(f, x)"] = lambda op=op: op(f, x)
    periodic = load("d1_periodic_x4").d1_periodic_x4
    candidates["d1_periodic_x4(f, x, period)"] = lambda: periodic(f, x, x[-1] + 1.0)
    # --compare DIR: the coordinate-grid modules of DIR in the same rounds.
    for name in ("d1_nonuniform2", "d2_nonuniform2", "d1_periodic_x4"):
        path = compare / f"{name}.py" if compare is not None else None
        if path is None or not path.exists():
            continue
        op = getattr(load_file(path, f"compared_{name}"), name)
        args = (f, x, x[-1] + 1.0) if "periodic" in name else (f, x)
        label = f"{name}(f, x{', period' if 'periodic' in name else ''}) (compared)"
        candidates[label] = lambda op=op, args=args: op(*args)
    runs = measure(candidates, rounds, batch)
    times = {name: statistics.median(t) for name, t in runs.items()}
    rows = []
    for name, seconds in times.items():
        if name.startswith(("numpy", "np.")):
            continue
        # gradient(f, x) against numpy's own coordinate path; every operator
        # against numpy.gradient(f, h) (the issue's reference for operators).
        reference = "numpy.gradient(f, h)"
        if name in ("gradient(f, x)", "gradient4(f, x)"):
            reference = "numpy.gradient(f, x)"
        to_x = ratio(runs, name, "numpy.gradient(f, x)")
        rows.append((name, seconds, ratio(runs, name, reference), to_x))
        if name.startswith("d2_central8"):
            to_convolve = ratio(runs, name, "np.convolve 9-point")
            rows.append(("d2_central8 vs np.convolve", seconds, to_convolve, 0.0))
    print(
        f"n = {n}: numpy.gradient(f, h) {times['numpy.gradient(f, h)'] * 1e6:.1f} µs, "
        f"numpy.gradient(f, x) {times['numpy.gradient(f, x)'] * 1e6:.1f} µs, "
        f"np.convolve {times['np.convolve 9-point'] * 1e6:.1f} µs"
    )
    print(
        f"  {'candidate':<42}{'time':>12} {'vs ref':>8}{'vs numpy.gradient(f, x)':>25}"
    )
    for name, seconds, factor, to_x in rows:
        extra = f"{to_x:>24.2f}×" if "(f, x" in name and "gradient" not in name else ""
        print(f"  {name:<42}{seconds * 1e6:>9.1f} µs {factor:>7.2f}×{extra}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=101)
    parser.add_argument(
        "--batch", type=float, default=5e-4, help="seconds per candidate per round"
    )
    parser.add_argument(
        "--compare", type=Path, help="a folder of other coordinate-grid modules"
    )
    args = parser.parse_args()
    for n in args.sizes:
        group(n, args.rounds, args.batch, args.compare)


if __name__ == "__main__":
    main()
