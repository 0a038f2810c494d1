"""Backends and lazy inputs against the NumPy kernels: time and peak memory.

Run from the repository root::

    python benchmarks/bench_backends.py            # full sizes (several minutes)
    python benchmarks/bench_backends.py --quick    # small sizes: smoke test
    python benchmarks/bench_backends.py --only numba,array-api   # some groups

Groups (targets of the backend issue in brackets):

* **numba** (single thread): the 9-point second derivative of accuracy 8
  (``generated/d2_central8_numba.py``) at 10⁷ points (1-D) and 4000×4000 (both
  axes) against ``np.copyto`` of the same array [≤ 1.2× the copy]; applying
  precomputed non-uniform weights (``d1_nonuniform2_numba_apply``) against
  ``numpy.gradient(f, x)`` [≤ 0.05×]; the uniform ``gradient`` with new result
  arrays (``generated/gradient_numba.py``) against ``numpy.gradient`` [≤ 0.4×];
  and the first call's compile time, cold
  (empty cache) and from numba's on-disk cache, each in a fresh process.
* **array-api** on NumPy arrays: ``generated/d2_central8_xp.py`` against the
  NumPy backend (``generated/d2_central8.py``) [≤ 1.3×]; torch CPU for
  information, and ``generated/gradient4_xp.py`` on torch CPU against
  ``generated/gradient4.py`` on NumPy (information).
* **nd**: the accuracy-4 2-D Laplacian (``generated/laplacian2d_4_xp.py``, and
  its numba twin where bundled) against the NumPy module
  (``generated/laplacian2d_4.py``) on 4000×4000 float64 (no target: information).
* **dask**: ``d2_central8`` on 2·10⁸ float64 points in the pipeline "samples →
  derivative → max": NumPy computes ``f`` and the derivative in memory; dask (a
  ``LocalCluster`` of 2 single-threaded workers, in-process) computes the same
  chunk by chunk through ``map_overlap`` [≤ 1.25× NumPy's time, ≤ 0.5× its
  peak memory].
* **xarray**: an 8×721×1440 (time, lat, lon) DataArray on the Gaussian
  latitudes (non-uniform), dask-chunked per time step, differentiated along
  ``lat`` by ``generated/d1_nonuniform2.py`` (and the accuracy-4
  ``generated/gradient4.py``) against ``DataArray.differentiate``, computed
  [≤ 1.5× its time, bitwise equal to the in-memory result]; the error against
  the exact derivative is reported for each.

Times are medians of interleaved rounds; the dask and xarray candidates each run
in a fresh process; the peak reported is its largest resident size while the
work runs (sampled every 2 ms) minus its size before (after imports and cluster
start-up). Figures from a shared machine
are noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
sys.path.insert(0, str(GENERATED))


def rss_mib() -> float:
    """Resident set size of this process now, MiB (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


class PeakRSS:
    """The largest resident size while the block runs, sampled every 2 ms, MiB."""

    def __enter__(self) -> PeakRSS:
        self.peak = self.base = rss_mib()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.002)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_mib())

    @property
    def used(self) -> float:
        """Peak minus the size when the block started."""
        return self.peak - self.base


def median_times(
    candidates: dict[str, Callable[[], object]], rounds: int
) -> dict[str, float]:
    """Median seconds of each candidate over interleaved rounds (after a warm-up)."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for run in candidates.values():
        run()
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def table(title: str, results: dict[str, float], reference: str) -> None:
    print(f"\n{title}")
    print(f"  {'candidate':<44} {'median ms':>10} {'ratio':>7}")
    for name, seconds in results.items():
        ratio = seconds / results[reference]
        print(f"  {name:<44} {seconds * 1e3:>10.2f} {ratio:>7.2f}")


# --- numba and array API (in process) ---------------------------------------------


def group_numba(quick: bool, rounds: int) -> None:
    import d1_nonuniform2
    import d1_nonuniform2_numba
    import d2_central8_numba

    for shape, axis in (
        ((10**6,) if quick else (10**7,), -1),
        ((1000, 1000) if quick else (4000, 4000), 0),
        ((1000, 1000) if quick else (4000, 4000), 1),
    ):
        numba_case(d2_central8_numba.d2_central8_numba, shape, axis, rounds)
    n = 10**6 if quick else 10**7
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    f = np.sin(x / 100)
    w_numba = d1_nonuniform2_numba.d1_nonuniform2_numba_weights(x)
    w_numpy = d1_nonuniform2.d1_nonuniform2_weights(x)
    out = np.empty_like(f)
    apply_numba = d1_nonuniform2_numba.d1_nonuniform2_numba_apply
    apply_numpy = d1_nonuniform2.d1_nonuniform2_apply
    results = median_times(
        {
            "numpy.gradient(f, x)": lambda: np.gradient(f, x),
            "d1_nonuniform2_numba_apply(f, w, out=)": lambda: apply_numba(
                f, w_numba, out=out
            ),
            "d1_nonuniform2_apply(f, w, out=) (NumPy)": lambda: apply_numpy(
                f, w_numpy, out=out
            ),
        },
        rounds,
    )
    table(
        f"numba: precomputed non-uniform weights, {n} points [target <= 0.05x]",
        results,
        "numpy.gradient(f, x)",
    )
    for shape in (
        (10**6,) if quick else (10**7,),
        (1000, 1000) if quick else (4000, 4000),
    ):
        gradient_case(shape, rounds)
    cold, warm = compile_times()
    print(
        f"\nnumba: first call of d2_central8_numba (fresh process): {cold:.2f} s "
        f"compiling, {warm:.2f} s from the on-disk cache"
    )


def numba_case(
    fast: Callable[..., Any], shape: tuple[int, ...], axis: int, rounds: int
) -> None:
    f = np.random.default_rng(0).standard_normal(shape)
    out = np.empty_like(f)
    results = median_times(
        {
            "np.copyto (bandwidth reference)": lambda: np.copyto(out, f),
            "d2_central8_numba, out=": lambda: fast(f, 0.1, axis=axis, out=out),
            "d2_central8_numba, new array": lambda: fast(f, 0.1, axis=axis),
        },
        rounds,
    )
    table(
        f"numba: 9-point d2, {shape}, axis {axis} [target <= 1.2x copy]",
        results,
        "np.copyto (bandwidth reference)",
    )


def gradient_case(shape: tuple[int, ...], rounds: int) -> None:
    import gradient
    import gradient_numba

    f = np.random.default_rng(2).standard_normal(shape)
    results = median_times(
        {
            "numpy.gradient(f, 0.1)": lambda: np.gradient(f, 0.1),
            "gradient_numba(f, 0.1)": lambda: gradient_numba.gradient_numba(f, 0.1),
            "gradient(f, 0.1) (NumPy backend)": lambda: gradient.gradient(f, 0.1),
        },
        rounds,
    )
    table(
        f"numba: uniform gradient, new arrays, {shape} [target <= 0.4x]",
        results,
        "numpy.gradient(f, 0.1)",
    )


def compile_times() -> tuple[float, float]:
    """First-call seconds in a fresh process: empty cache, then a filled one."""
    code = (
        "import sys, time, numpy as np; "
        f"sys.path.insert(0, {str(GENERATED)!r}); "
        "import d2_central8_numba as m; "
        "t = time.perf_counter(); m.d2_central8_numba(np.zeros(64)); "
        "print(time.perf_counter() - t)"
    )
    seconds = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for _ in range(2):
            result = subprocess.run(
                [sys.executable, "-c", code],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            seconds.append(float(result.stdout.strip().splitlines()[-1]))
    return seconds[0], seconds[1]


def group_array_api(quick: bool, rounds: int) -> None:
    import d2_central8
    import d2_central8_xp

    try:
        import torch

        torch.set_num_threads(1)  # single thread, as the NumPy backend
    except ImportError:  # torch is optional here
        torch = None
    for shape, axis in (
        ((10**6,) if quick else (10**7,), -1),
        ((1000, 1000) if quick else (4000, 4000), 0),
        ((1000, 1000) if quick else (4000, 4000), 1),
    ):
        xp_case(
            d2_central8.d2_central8,
            d2_central8_xp.d2_central8_xp,
            torch,
            shape,
            axis,
            rounds,
        )
    if torch is not None:
        gradient_xp_case(torch, quick, rounds)


def gradient_xp_case(torch: Any, quick: bool, rounds: int) -> None:
    import gradient4
    import gradient4_xp

    shape = (1000, 1000) if quick else (4000, 4000)
    f = np.random.default_rng(0).standard_normal(shape)
    x = np.cumsum(np.random.default_rng(1).uniform(0.5, 1.5, shape[1]))
    tensor = torch.from_numpy(f)
    candidates: dict[str, Callable[[], object]] = {
        "gradient4, NumPy, step 0.1": lambda: gradient4.gradient4(f, 0.1, axis=1),
        "gradient4_xp, torch CPU, step 0.1": lambda: gradient4_xp.gradient4_xp(
            tensor, 0.1, axis=1
        ),
        "gradient4, NumPy, coordinates": lambda: gradient4.gradient4(f, x, axis=1),
        "gradient4_xp, torch CPU, coordinates": lambda: gradient4_xp.gradient4_xp(
            tensor, x, axis=1
        ),
    }
    results = median_times(candidates, rounds)
    table(
        f"array API: gradient4 on torch (CPU, 1 thread), {shape}, axis 1",
        results,
        "gradient4, NumPy, step 0.1",
    )


def xp_case(
    reference: Callable[..., Any],
    functional: Callable[..., Any],
    torch: Any,
    shape: tuple[int, ...],
    axis: int,
    rounds: int,
) -> None:
    f = np.random.default_rng(0).standard_normal(shape)
    candidates: dict[str, Callable[[], object]] = {
        "d2_central8 (NumPy backend)": lambda: reference(f, 0.1, axis=axis),
        "d2_central8_xp on NumPy": lambda: functional(f, 0.1, axis=axis),
    }
    if torch is not None:
        tensor = torch.from_numpy(f)
        candidates["d2_central8_xp on torch (CPU, 1 thread)"] = lambda: functional(
            tensor, 0.1, axis=axis
        )
    results = median_times(candidates, rounds)
    table(
        f"array API: 9-point d2, {shape}, axis {axis} [target <= 1.3x NumPy]",
        results,
        "d2_central8 (NumPy backend)",
    )


def group_nd(quick: bool, rounds: int) -> None:
    import laplacian2d_4
    import laplacian2d_4_xp

    shape = (1000, 1000) if quick else (4000, 4000)
    u = np.random.default_rng(0).standard_normal(shape)
    candidates: dict[str, Callable[[], object]] = {
        "laplacian2d_4 (NumPy backend)": lambda: laplacian2d_4.laplacian2d_4(u, 0.1),
        "laplacian2d_4_xp on NumPy": lambda: laplacian2d_4_xp.laplacian2d_4_xp(u, 0.1),
    }
    try:
        import laplacian2d_4_numba
    except ImportError:  # not bundled
        laplacian2d_4_numba = None
    if laplacian2d_4_numba is not None:
        fast = laplacian2d_4_numba.laplacian2d_4_numba
        candidates["laplacian2d_4_numba"] = lambda: fast(u, 0.1)
    results = median_times(candidates, rounds)
    table(
        f"N-D: 2-D Laplacian, accuracy 4, {shape}, new arrays",
        results,
        "laplacian2d_4 (NumPy backend)",
    )


# --- dask and xarray (one fresh process per candidate) ----------------------------


def child_dask(variant: str, n: int, chunk: int, rounds: int) -> dict[str, Any]:
    import d2_central8

    h = 2 * np.pi / n * 1000
    client = cluster = None
    if variant == "dask":
        import dask.array as da
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
        client = distributed.Client(cluster)
    times = []
    value = None
    with PeakRSS() as memory:
        for _ in range(rounds):
            start = time.perf_counter()
            if variant == "numpy":
                f = np.arange(n, dtype=np.float64)
                f *= h
                np.sin(f, out=f)
                value = float(d2_central8.d2_central8(f, h).max())
                del f
            else:
                f = da.sin(da.arange(n, chunks=chunk, dtype=np.float64) * h)
                value = float(d2_central8.d2_central8(f, h).max().compute())
            times.append(time.perf_counter() - start)
    peak = memory.used
    if client is not None and cluster is not None:
        client.close()
        cluster.close()
    return {"times": times, "peak_mib": peak, "value": value}


def gaussian_latitudes(count: int) -> np.ndarray:
    """Latitudes (degrees, ascending) of a Gaussian grid: non-uniform."""
    nodes, _ = np.polynomial.legendre.leggauss(count)
    return np.degrees(np.arcsin(nodes))  # type: ignore[no-any-return]


def child_xarray(
    variant: str, shape: tuple[int, int, int], rounds: int
) -> dict[str, Any]:
    import d1_nonuniform2
    import gradient4
    import xarray as xr

    nt, nlat, nlon = shape
    lat = gaussian_latitudes(nlat)
    lon = np.linspace(0.0, 360.0, nlon, endpoint=False)
    phase = np.arange(nt)[:, None, None]
    rad = np.radians(lat)[None, :, None]
    wave = np.cos(np.radians(lon))[None, None, :]
    data = np.sin(3 * rad + 0.1 * phase) * wave
    exact = 3 * np.cos(3 * rad + 0.1 * phase) * wave * (np.pi / 180)  # per degree
    f = xr.DataArray(
        data, dims=("time", "lat", "lon"), coords={"lat": lat, "lon": lon}
    ).chunk({"time": 1})
    run = {
        "differentiate": lambda: f.differentiate("lat"),
        "d1_nonuniform2": lambda: d1_nonuniform2.d1_nonuniform2(f, dim="lat"),
        "gradient4": lambda: gradient4.gradient4(f, dim="lat"),
    }[variant]
    times = []
    with PeakRSS() as memory:
        for _ in range(rounds):
            start = time.perf_counter()
            result = run().compute()
            times.append(time.perf_counter() - start)
    info: dict[str, Any] = {"times": times, "peak_mib": memory.used}
    info["max_error"] = float(np.max(np.abs(result.values - exact)))
    in_memory = {
        "differentiate": lambda: f.compute().differentiate("lat").values,
        "d1_nonuniform2": lambda: d1_nonuniform2.d1_nonuniform2(data, lat, axis=1),
        "gradient4": lambda: gradient4.gradient4(data, lat, axis=1),
    }[variant]()
    info["bitwise_in_memory"] = bool(np.array_equal(result.values, in_memory))
    return info


def run_child(args: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def group_dask(quick: bool, repeats: int) -> None:
    n, chunk = (2 * 10**6, 2**18) if quick else (2 * 10**8, 2**23)
    found: dict[str, list[dict[str, Any]]] = {"numpy": [], "dask": []}
    for _ in range(repeats):
        for backend in found:
            found[backend].append(run_child(["dask", backend, str(n), str(chunk), "2"]))
    assert found["numpy"][0]["value"] == found["dask"][0]["value"], "results differ"
    print(
        f"\ndask: d2_central8, samples -> derivative -> max, {n:.0e} float64 points,"
        f" chunks of {chunk}\n  [targets: <= 1.25x NumPy's time, <= 0.5x its peak]"
    )
    print(
        f"  {'candidate':<30} {'median s':>9} {'ratio':>7} {'peak MiB':>9} {'ratio':>7}"
    )
    t0 = statistics.median(t for r in found["numpy"] for t in r["times"])
    m0 = max(statistics.median(r["peak_mib"] for r in found["numpy"]), 1.0)
    for backend, runs in found.items():
        t = statistics.median(x for r in runs for x in r["times"])
        m = statistics.median(r["peak_mib"] for r in runs)
        label = "NumPy, in memory" if backend == "numpy" else "dask, LocalCluster (2)"
        print(f"  {label:<30} {t:>9.2f} {t / t0:>7.2f} {m:>9.0f} {m / m0:>7.2f}")


def group_xarray(quick: bool, repeats: int) -> None:
    shape = (2, 181, 360) if quick else (8, 721, 1440)
    found: dict[str, list[dict[str, Any]]] = {
        "differentiate": [],
        "d1_nonuniform2": [],
        "gradient4": [],
    }
    for _ in range(repeats):
        for variant in found:
            found[variant].append(run_child(["xarray", variant, *map(str, shape), "3"]))
    print(
        f"\nxarray: d/dlat of {shape} (time, lat, lon), Gaussian latitudes, "
        "dask-chunked per time\n  [target: <= 1.5x DataArray.differentiate]"
    )
    print(
        f"  {'candidate':<26} {'median s':>9} {'ratio':>7} {'peak MiB':>9} "
        f"{'max error':>10} {'bitwise':>8}"
    )
    t0 = statistics.median(t for r in found["differentiate"] for t in r["times"])
    for variant, runs in found.items():
        t = statistics.median(x for r in runs for x in r["times"])
        m = statistics.median(r["peak_mib"] for r in runs)
        label = {
            "differentiate": "DataArray.differentiate",
            "d1_nonuniform2": "d1_nonuniform2 (acc. 2)",
            "gradient4": "gradient4 (acc. 4)",
        }[variant]
        print(
            f"  {label:<26} {t:>9.2f} {t / t0:>7.2f} {m:>9.0f} "
            f"{runs[0]['max_error']:>10.2e} {runs[0]['bitwise_in_memory']!s:>8}"
        )


GROUPS = ("numba", "array-api", "nd", "dask", "xarray")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--only", default=",".join(GROUPS), help="groups to run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        group, variant, *rest = options.child
        if group == "dask":
            n, chunk, rounds = map(int, rest)
            print(json.dumps(child_dask(variant, n, chunk, rounds)))
        else:
            nt, nlat, nlon, rounds = map(int, rest)
            print(json.dumps(child_xarray(variant, (nt, nlat, nlon), rounds)))
        return
    import numba

    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"numba {numba.__version__}, {os.cpu_count()} CPUs"
    )
    rounds = 3 if options.quick else 7
    for group in options.only.split(","):
        if group == "numba":
            group_numba(options.quick, rounds)
        elif group == "array-api":
            group_array_api(options.quick, rounds)
        elif group == "nd":
            group_nd(options.quick, rounds)
        elif group == "dask":
            group_dask(options.quick, 1 if options.quick else 2)
        elif group == "xarray":
            group_xarray(options.quick, 1 if options.quick else 2)
        else:
            parser.error(f"unknown group {group!r}; choose from {', '.join(GROUPS)}")


if __name__ == "__main__":
    main()
