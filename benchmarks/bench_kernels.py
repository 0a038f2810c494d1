"""Generated kernels against numpy, scipy and findiff, on arrays larger than cache.

Run from the repository root (a few minutes, mostly numpy.gradient with
coordinates)::

    python benchmarks/bench_kernels.py            # full sizes: 10**7 and 4000x4000
    python benchmarks/bench_kernels.py --quick    # 10**6 and 1000x1000: smoke test

Times, in one process with interleaved repeats (every round runs every
candidate once, so drifting machine load hits all alike), on float64 arrays:

* the generated 3-point gradient (``generated/gradient.py``) against
  ``numpy.gradient``: uniform spacing and coordinate arrays, ``edge_order`` 1 and
  2; with a fresh result array, with ``out=``, and with the grid's weights
  precomputed (``gradient_weights(x)``);
* the generated 9-point second derivative of accuracy 8
  (``generated/d2_central8.py``) against ``np.convolve`` (1-D) and
  ``scipy.ndimage.correlate1d`` with the same weights, and findiff's operator;
* ``np.copyto`` of the same array into a preallocated one: the memory-bandwidth
  reference.

It prints the median time of each candidate, its ratio to the numpy (or
convolve) reference of its group and its ratio to the copy.

The elementwise kernels here use no BLAS, so ``OPENBLAS_CORETYPE`` /
``OPENBLAS_L2_SIZE`` (set on some machines) do not affect them; the figures in
docs/performance.md were taken with the environment as it was, on a shared 2-core
machine (AMD EPYC), so they are noisy: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

import gradient as generated_gradient  # noqa: E402

try:
    import d2_central8 as generated_d2
except ImportError:  # the spec entry is missing: time the rest
    generated_d2 = None

Candidate = tuple[str, Callable[[], object]]


def median_times(candidates: list[Candidate], rounds: int) -> dict[str, float]:
    """Median seconds of each candidate over ``rounds`` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name, _ in candidates}
    for _, run in candidates:  # warm-up: page in buffers, first-call costs
        run()
    for _ in range(rounds):
        for name, run in candidates:
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, results: dict[str, float], reference: str) -> None:
    """Print one group: median ms, ratio to ``reference`` and to the copy."""
    copy = results["np.copyto (bandwidth reference)"]
    print(f"\n{title}")
    print(f"  {'candidate':<46} {'median ms':>10} {'vs ref':>8} {'vs copy':>8}")
    for name, seconds in results.items():
        ref = seconds / results[reference] if reference in results else float("nan")
        print(f"  {name:<46} {seconds * 1e3:>10.2f} {ref:>8.2f} {seconds / copy:>8.2f}")


def gradient_group(
    f: np.ndarray, axis: int, rounds: int, rng: np.random.Generator
) -> None:
    """The 3-point gradient along ``axis``, uniform and on coordinates."""
    n = f.shape[axis]
    h = 0.01
    x = np.cumsum(rng.uniform(0.5, 1.5, n)) * h  # non-uniform coordinates
    weights = generated_gradient.gradient_weights(x)
    dst = np.empty_like(f)
    out = np.empty_like(f)
    g = generated_gradient.gradient
    shape = "x".join(map(str, f.shape))
    copy: Candidate = ("np.copyto (bandwidth reference)", lambda: np.copyto(dst, f))
    for edge_order in (1, 2):
        uniform: list[Candidate] = [
            copy,
            (
                "numpy.gradient(f, h)",
                lambda e=edge_order: np.gradient(f, h, axis=axis, edge_order=e),
            ),
            (
                "generated gradient(f, h)",
                lambda e=edge_order: g(f, h, axis=axis, edge_order=e),
            ),
            (
                "generated gradient(f, h, out=)",
                lambda e=edge_order: g(f, h, axis=axis, edge_order=e, out=out),
            ),
            # A fresh result costs page faults: compare with a fresh copy too.
            ("f.copy() (allocating copy)", f.copy),
        ]
        report(
            f"3-point gradient, uniform, {shape} along axis {axis}, "
            f"edge_order={edge_order}",
            median_times(uniform, rounds),
            "numpy.gradient(f, h)",
        )
        coordinates: list[Candidate] = [
            copy,
            (
                "numpy.gradient(f, x)",
                lambda e=edge_order: np.gradient(f, x, axis=axis, edge_order=e),
            ),
            (
                "generated gradient(f, x)",
                lambda e=edge_order: g(f, x, axis=axis, edge_order=e),
            ),
            (
                "generated gradient(f, x, out=)",
                lambda e=edge_order: g(f, x, axis=axis, edge_order=e, out=out),
            ),
            (
                "generated gradient(f, w), w precomputed",
                lambda e=edge_order: g(f, weights, axis=axis, edge_order=e),
            ),
            (
                "generated gradient(f, w, out=), w precomputed",
                lambda e=edge_order: g(f, weights, axis=axis, edge_order=e, out=out),
            ),
        ]
        report(
            f"3-point gradient, coordinate array, {shape} along axis {axis}, "
            f"edge_order={edge_order}",
            median_times(coordinates, rounds),
            "numpy.gradient(f, x)",
        )


def stencil9_group(f: np.ndarray, axis: int, rounds: int) -> None:
    """The 9-point second derivative (accuracy 8) along ``axis``."""
    import findiff
    from scipy import ndimage

    h = 0.01
    # The exact central weights of accuracy 8 (printed from the engine's table).
    from stencilgen.stencil import central

    weights = np.array([float(w) for w in central(2, 8).weights]) / h**2
    dst = np.empty_like(f)
    out = np.empty_like(f)
    shape = "x".join(map(str, f.shape))
    d2 = findiff.Diff(axis, h, acc=8) ** 2
    candidates: list[Candidate] = [
        ("np.copyto (bandwidth reference)", lambda: np.copyto(dst, f)),
    ]
    reference = "scipy.ndimage.correlate1d"
    if f.ndim == 1:
        # Symmetric weights: convolution and correlation agree.
        candidates.append(
            ("np.convolve(f, w, 'valid')", lambda: np.convolve(f, weights, "valid"))
        )
        reference = "np.convolve(f, w, 'valid')"
    candidates += [
        (
            "scipy.ndimage.correlate1d",
            lambda: ndimage.correlate1d(f, weights, axis=axis, mode="nearest"),
        ),
        ("findiff Diff(axis, h, acc=8)**2", lambda: d2(f)),
    ]
    if generated_d2 is not None:
        candidates += [
            (
                "generated d2_central8(f, h)",
                lambda: generated_d2.d2_central8(f, h, axis),
            ),
            (
                "generated d2_central8(f, h, out=)",
                lambda: generated_d2.d2_central8(f, h, axis, out=out),
            ),
        ]
    report(
        f"9-point second derivative (accuracy 8), {shape} along axis {axis}",
        median_times(candidates, rounds),
        reference,
    )


def main() -> None:
    """Run every group and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small arrays")
    parser.add_argument("--rounds", type=int, default=7, help="repeats per group")
    args = parser.parse_args()
    n1, n2 = (10**6, 1000) if args.quick else (10**7, 4000)
    print(
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs; OPENBLAS_CORETYPE="
        f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
        f"rounds={args.rounds}"
    )
    if generated_d2 is None:
        print("generated/d2_central8.py not found: 9-point rows skipped")
    rng = np.random.default_rng(0)
    one = rng.standard_normal(n1)
    two = rng.standard_normal((n2, n2))
    gradient_group(one, 0, args.rounds, rng)
    for axis in (0, 1):
        gradient_group(two, axis, args.rounds, rng)
    stencil9_group(one, 0, args.rounds)
    for axis in (0, 1):
        stencil9_group(two, axis, args.rounds)


if __name__ == "__main__":
    main()
