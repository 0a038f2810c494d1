"""Backends and lazy inputs against the NumPy kernels: time and peak memory.

Run from the repository root::

    python benchmarks/bench_backends.py            # full sizes (a few minutes)
    python benchmarks/bench_backends.py --quick    # small sizes: smoke test

Groups (each candidate runs in its own fresh process, so its peak resident
memory is its own; candidates alternate, medians of the rounds):

* **dask**: the 9-point second derivative of accuracy 8
  (``generated/d2_central8.py``) on 2·10⁸ float64 points, in the pipeline
  "samples → derivative → max": NumPy computes ``f`` and the derivative in
  memory; dask (a ``LocalCluster`` of 2 single-threaded workers, in-process)
  computes the same chunk by chunk through ``map_overlap``. Also the derivative
  alone of an in-memory array (``da.from_array``), gathered into memory.
  Target: ≤ 1.25× NumPy's time, ≤ 0.5× its peak memory.
* **xarray**: an 8×721×1440 (time, lat, lon) DataArray on the Gaussian
  latitudes (non-uniform), dask-chunked per time step, differentiated along
  ``lat`` by the accuracy-2 coordinate-grid operator
  (``generated/d1_nonuniform2.py``) against ``DataArray.differentiate``, both
  computed; the result must be bitwise equal to the in-memory (NumPy) one, and
  the error against the exact derivative is reported for both.
  Target: ≤ 1.5× ``differentiate``'s time.

The peak is the child's maximum resident set size (``ru_maxrss``) minus its
resident size after imports and cluster start-up: memory the work itself
needed. Figures are from a shared machine: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- children -------------------------------------------------------------------


def child_dask(variant: str, n: int, chunk: int, rounds: int) -> dict[str, Any]:
    lazy = load(ROOT / "templates" / "runtime" / "lazy.py", "lazy_runtime")
    d2 = load(ROOT / "generated" / "d2_central8.py", "d2_central8")
    h = 2 * np.pi / n * 1000
    kernel = functools.partial(d2.d2_central8, h=h)
    cluster = client = None
    if variant.startswith("dask"):
        import dask.array as da
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        )
        client = distributed.Client(cluster)

        def lazy_d2(f: Any) -> Any:
            return lazy._over_dask(kernel, f, -1, depth=4, min_points=10, name="d2")

    base = rss_mib()
    times = []
    value = None
    for _ in range(rounds):
        start = time.perf_counter()
        if variant == "numpy-pipeline":
            f = np.arange(n, dtype=np.float64)
            f *= h
            np.sin(f, out=f)
            value = float(kernel(f).max())
            del f
        elif variant == "dask-pipeline":
            f = da.sin(da.arange(n, chunks=chunk, dtype=np.float64) * h)
            value = float(lazy_d2(f).max().compute())
        elif variant == "numpy-kernel":
            f = np.sin(np.arange(n, dtype=np.float64) * h)
            start = time.perf_counter()
            value = float(kernel(f)[n // 2])
        elif variant == "dask-kernel":
            f = np.sin(np.arange(n, dtype=np.float64) * h)
            start = time.perf_counter()
            result = lazy_d2(da.from_array(f, chunks=chunk)).compute()
            value = float(result[n // 2])
        times.append(time.perf_counter() - start)
        f = result = None  # type: ignore[assignment]
    peak = rss_mib() - base
    if client is not None:
        client.close()
        cluster.close()  # type: ignore[union-attr]
    return {"times": times, "peak_mib": peak, "value": value}


def gaussian_latitudes(count: int) -> np.ndarray:
    """Latitudes (degrees, ascending) of a Gaussian grid: non-uniform."""
    nodes, _ = np.polynomial.legendre.leggauss(count)
    return np.degrees(np.arcsin(nodes))


def child_xarray(variant: str, shape: tuple[int, int, int], rounds: int) -> dict[str, Any]:
    import xarray as xr

    lazy = load(ROOT / "templates" / "runtime" / "lazy.py", "lazy_runtime")
    d1 = load(ROOT / "generated" / "d1_nonuniform2.py", "d1_nonuniform2")
    nt, nlat, nlon = shape
    lat = gaussian_latitudes(nlat)
    lon = np.linspace(0.0, 360.0, nlon, endpoint=False)
    phase = np.arange(nt)[:, None, None]
    rad = np.radians(lat)[None, :, None]
    data = np.sin(3 * rad + 0.1 * phase) * np.cos(np.radians(lon))[None, None, :]
    exact = (
        3 * np.cos(3 * rad + 0.1 * phase) * np.cos(np.radians(lon))[None, None, :]
    ) * (np.pi / 180)  # per degree of latitude
    f = xr.DataArray(
        data, dims=("time", "lat", "lon"), coords={"lat": lat, "lon": lon}
    ).chunk({"time": 1})

    def ours(g: Any) -> Any:
        kernel = functools.partial(d1.d1_nonuniform2)

        def call(data: Any, x: Any, axis: int = -1) -> Any:
            if lazy._lazy_kind(data) == "dask":
                return lazy._over_dask(
                    kernel, data, axis, depth=1, min_points=3, name="d1", x=x
                )
            return kernel(data, x, axis=axis)

        return lazy._over_xarray(call, g, "lat", name="d1", coordinate=True)

    base = rss_mib()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        if variant == "ours":
            result = ours(f).compute()
        else:
            result = f.differentiate("lat").compute()
        times.append(time.perf_counter() - start)
    peak = rss_mib() - base
    info: dict[str, Any] = {"times": times, "peak_mib": peak}
    info["max_error"] = float(np.max(np.abs(result.values - exact)))
    if variant == "ours":
        in_memory = d1.d1_nonuniform2(data, lat, axis=1)
        info["bitwise_in_memory"] = bool(np.array_equal(result.values, in_memory))
    return info


# --- parent ---------------------------------------------------------------------


def run_child(args: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
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

    n, chunk = (2 * 10**6, 2**18) if options.quick else (2 * 10**8, 2**23)
    shape = (2, 181, 360) if options.quick else (8, 721, 1440)
    repeats = 2
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")

    print(f"\ndask: d2_central8 on {n:.1e} float64 points, chunks of {chunk}")
    print(f"  {'candidate':<16} {'median s':>9} {'vs numpy':>9} {'peak MiB':>9} {'vs numpy':>9}")
    for kind in ("pipeline", "kernel"):
        found: dict[str, list[dict[str, Any]]] = {"numpy": [], "dask": []}
        for _ in range(repeats):
            for backend in found:
                found[backend].append(
                    run_child(["dask", f"{backend}-{kind}", str(n), str(chunk), "2"])
                )
        summary = {
            backend: (
                statistics.median(t for r in runs for t in r["times"]),
                statistics.median(r["peak_mib"] for r in runs),
            )
            for backend, runs in found.items()
        }
        assert found["numpy"][0]["value"] == found["dask"][0]["value"], "results differ"
        t0, m0 = summary["numpy"]
        for backend, (t, m) in summary.items():
            print(
                f"  {backend + '-' + kind:<16} {t:>9.2f} {t / t0:>9.2f} "
                f"{m:>9.0f} {m / m0:>9.2f}"
            )

    print(f"\nxarray: d/dlat of a {shape} DataArray, Gaussian latitudes, chunked per time")
    print(f"  {'candidate':<24} {'median s':>9} {'vs diff.':>9} {'peak MiB':>9} {'max error':>10}")
    found_x: dict[str, list[dict[str, Any]]] = {"differentiate": [], "ours": []}
    for _ in range(repeats):
        for variant in found_x:
            found_x[variant].append(run_child(["xarray", variant, *map(str, shape), "2"]))
    t0 = statistics.median(t for r in found_x["differentiate"] for t in r["times"])
    for variant, runs in found_x.items():
        t = statistics.median(x for r in runs for x in r["times"])
        m = statistics.median(r["peak_mib"] for r in runs)
        label = "DataArray.differentiate" if variant == "differentiate" else "d1_nonuniform2"
        print(f"  {label:<24} {t:>9.2f} {t / t0:>9.2f} {m:>9.0f} {runs[0]['max_error']:>10.2e}")
    print(f"  bitwise equal to in-memory NumPy: {found_x['ours'][0]['bitwise_in_memory']}")


if __name__ == "__main__":
    main()
