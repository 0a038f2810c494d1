"""GPU check of the array-API backend: correctness against NumPy, and timings.

Run from the repository root on a machine with a CUDA GPU (about a minute)::

    python benchmarks/gpu_check.py            # 10**7 points and 4000x4000
    python benchmarks/gpu_check.py --quick    # 10**6 and 1000x1000

For every GPU array library found (torch CUDA, CuPy, JAX on GPU), the bundled
array-API modules (``generated/d2_central8_xp.py``, the 9-point second
derivative, and ``generated/d1_periodic4_xp.py``) run on device arrays in
float64 and float32, 1-D and both axes of a 2-D array. Each result is checked:
same library and device as the input, and its difference from the NumPy
backend (``generated/d2_central8.py``, ``generated/d1_periodic4.py``) on the
same numbers, in units in the last place (ulp; 0 means bitwise equal; the
documented bound is 2). Times are medians of 5 synchronised calls after a
warm-up, next to the NumPy backend's on the CPU.

``--dry-run`` runs the same with torch on the CPU, to check the script itself
without a GPU. Prints one table; exits 1 if any result is on the wrong device,
of the wrong type or more than 2 ulp away, 0 otherwise (also when no GPU
library is found, which it says).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

import d1_periodic4  # noqa: E402
import d1_periodic4_xp  # noqa: E402
import d2_central8  # noqa: E402
import d2_central8_xp  # noqa: E402

OPERATORS = [
    ("d2_central8_xp", d2_central8_xp.d2_central8_xp, d2_central8.d2_central8),
    ("d1_periodic4_xp", d1_periodic4_xp.d1_periodic4_xp, d1_periodic4.d1_periodic4),
]


class Library:
    """How to move arrays to one GPU library and back, and wait for it."""

    def __init__(
        self,
        name: str,
        to_device: Callable[[np.ndarray], Any],
        to_host: Callable[[Any], np.ndarray],
        sync: Callable[[], None],
        same_place: Callable[[Any, Any], bool],
    ) -> None:
        self.name = name
        self.to_device = to_device
        self.to_host = to_host
        self.sync = sync
        self.same_place = same_place


def libraries() -> list[Library]:
    found = []
    try:
        import torch

        if torch.cuda.is_available():
            found.append(
                Library(
                    f"torch {torch.__version__} CUDA",
                    lambda a: torch.from_numpy(a).cuda(),
                    lambda t: t.cpu().numpy(),
                    torch.cuda.synchronize,
                    lambda r, f: isinstance(r, torch.Tensor) and r.device == f.device,
                )
            )
    except ImportError:
        pass
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            found.append(
                Library(
                    f"CuPy {cupy.__version__}",
                    cupy.asarray,
                    cupy.asnumpy,
                    cupy.cuda.Device().synchronize,
                    lambda r, f: isinstance(r, cupy.ndarray) and r.device == f.device,
                )
            )
    except Exception:  # not installed, or no usable CUDA runtime
        pass
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        if jax.devices()[0].platform == "gpu":
            import jax.numpy as jnp

            found.append(
                Library(
                    f"JAX {jax.__version__} GPU",
                    jnp.asarray,
                    np.asarray,
                    lambda: None,  # block_until_ready is called on results below
                    lambda r, f: (
                        isinstance(r, jax.Array) and r.devices() == f.devices()
                    ),
                )
            )
    except Exception:  # not installed, or CPU only
        pass
    return found


def cpu_stand_in() -> list[Library]:
    """torch on the CPU in the place of a GPU library (``--dry-run``)."""
    import torch

    return [
        Library(
            f"torch {torch.__version__} CPU (dry run)",
            torch.from_numpy,
            lambda t: t.numpy(),
            lambda: None,
            lambda r, f: isinstance(r, torch.Tensor) and r.device == f.device,
        )
    ]


def median_seconds(run: Callable[[], Any], sync: Callable[[], None]) -> float:
    result = run()
    _ready(result)
    sync()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        result = run()
        _ready(result)
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ready(result: Any) -> None:
    block = getattr(result, "block_until_ready", None)
    if block is not None:
        block()


def ulps(got: np.ndarray, expected: np.ndarray) -> float:
    """Largest difference in units in the last place of the expected values."""
    spacing = np.spacing(np.maximum(np.abs(expected), np.finfo(expected.dtype).tiny))
    return float(np.max(np.abs(got.astype(expected.dtype) - expected) / spacing))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller arrays")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check this script without a GPU: torch on the CPU stands in",
    )
    options = parser.parse_args()
    found = cpu_stand_in() if options.dry_run else libraries()
    if not found:
        print("no GPU array library found (torch CUDA, CuPy, JAX GPU): nothing to do")
        return 0
    n = 10**6 if options.quick else 10**7
    side = 1000 if options.quick else 4000
    cases = [((n,), -1), ((side, side), 0), ((side, side), 1)]
    rng = np.random.default_rng(0)
    failures = 0
    header = (
        f"{'library':<30} {'operator':<16} {'shape':<13} {'axis':>4} {'dtype':<8}"
        f" {'max ulp':>8} {'GPU ms':>9} {'NumPy ms':>9} {'speed-up':>8}  check"
    )
    print(header)
    print("-" * len(header))
    for library in found:
        for name, functional, reference in OPERATORS:
            for shape, axis in cases:
                for dtype in (np.float64, np.float32):
                    f = rng.standard_normal(shape).astype(dtype)
                    expected = reference(f, 0.1, axis=axis)
                    device = library.to_device(f)
                    result = functional(device, 0.1, axis=axis)
                    placed = library.same_place(result, device)
                    error = ulps(library.to_host(result), expected)
                    gpu = median_seconds(
                        lambda g=functional, d=device, a=axis: g(d, 0.1, axis=a),
                        library.sync,
                    )
                    cpu = median_seconds(
                        lambda g=reference, f=f, a=axis: g(f, 0.1, axis=a),
                        lambda: None,
                    )
                    ok = placed and error <= 2
                    failures += not ok
                    check = (
                        "ok" if ok else ("WRONG DEVICE/TYPE" if not placed else "FAIL")
                    )
                    size = "x".join(map(str, shape))
                    print(
                        f"{library.name:<30} {name:<16} {size:<13} {axis:>4}"
                        f" {np.dtype(dtype).name:<8} {error:>8.1f} {gpu * 1e3:>9.3f}"
                        f" {cpu * 1e3:>9.2f} {cpu / gpu:>8.1f}  {check}"
                    )
    print(f"\n{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
