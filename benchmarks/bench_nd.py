"""N-D operators: applying, assembling matrices and solving Poisson, vs findiff.

Run from the repository root (findiff is in the ``bench`` extra)::

    python benchmarks/bench_nd.py          # 4000² apply, 1000² matrices, 257² solve
    python benchmarks/bench_nd.py --quick  # 1000² apply, 300² matrices, 129² solve

Same process, interleaved rounds (every round runs every candidate once, so
drifting load on a shared machine hits all alike), medians:

* applying the 2-D Laplacian (``generated/laplacian2d.py``, accuracy 2, and
  ``generated/laplacian2d_4.py``, accuracy 4, one-sided edges and corners) against
  ``scipy.ndimage.laplace`` (accuracy 2, unit step), findiff's operator
  ``Diff(0)**2 + Diff(1)**2`` and ``np.copyto`` (memory bandwidth), writing into a
  preallocated array where the API allows;
* assembling the Laplacian matrix with Dirichlet boundaries eliminated, accuracy 2
  and 4: ``generated/laplacian2d*_matrix``, a hand-written ``scipy.sparse.kron`` /
  ``diags`` construction of the interior operator, and findiff's
  ``(Diff(0)**2 + Diff(1)**2).matrix(shape)`` (findiff keeps every node and
  replaces boundary rows later, so its matrix is larger);
* a Dirichlet Poisson solve on the unit square (assemble + ``spsolve``):
  ``laplacian2d_matrix`` + ``laplacian2d_rhs`` against findiff's
  ``PDE(...).solve()``, with both errors against the manufactured solution.

Targets (issue 9): applying no slower than ``scipy.ndimage.laplace``, at most 0.5×
findiff's time and at most 4× the copy; assembly at least 10× faster than findiff
and within 1.5× of the hand-written construction; the solve at least 10× faster
than findiff's PDE.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
from common import load_generated


def generated(name: str) -> ModuleType:
    return load_generated(name)


def timed(candidates: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def applying(n: int, rounds: int) -> None:
    from findiff import Diff
    from scipy.ndimage import laplace

    lap2 = generated("laplacian2d").laplacian2d
    lap4 = generated("laplacian2d_4").laplacian2d_4
    f = np.random.default_rng(0).standard_normal((n, n))
    out = np.empty_like(f)
    fd2 = Diff(0, 1.0, acc=2) ** 2 + Diff(1, 1.0, acc=2) ** 2
    fd4 = Diff(0, 1.0, acc=4) ** 2 + Diff(1, 1.0, acc=4) ** 2
    candidates: dict[str, Callable[[], Any]] = {
        "stencilgen acc 2": lambda: lap2(f, 1.0, out=out),
        "stencilgen acc 4": lambda: lap4(f, 1.0, out=out),
        "ndimage.laplace": lambda: laplace(f, output=out),
        "findiff acc 2": lambda: fd2(f),
        "findiff acc 4": lambda: fd4(f),
        "copy": lambda: np.copyto(out, f),
    }
    medians = timed(candidates, rounds)
    copy = medians["copy"]
    print(f"\nApplying the 2-D Laplacian to {n}×{n} float64:")
    for name, value in medians.items():
        print(f"  {name:<18} {value:8.4f} s   {value / copy:6.2f}× copy")
    for accuracy in (2, 4):
        ours = medians[f"stencilgen acc {accuracy}"]
        theirs = medians[f"findiff acc {accuracy}"]
        print(
            f"  accuracy {accuracy}: stencilgen / findiff = {ours / theirs:.2f} "
            f"(target ≤ 0.5), stencilgen / copy = {ours / copy:.2f} (target ≤ 4)"
        )
    ratio = medians["stencilgen acc 2"] / medians["ndimage.laplace"]
    print(f"  stencilgen acc 2 / ndimage.laplace = {ratio:.2f} (target ≤ 1)")


def hand_laplacian(n: int, h: float, accuracy: int) -> Any:
    import scipy.sparse as sp

    k = n - 2
    if accuracy == 2:
        weights, offsets = [1.0, -2.0, 1.0], [-1, 0, 1]
    else:
        weights, offsets = [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12], [-2, -1, 0, 1, 2]
    second = sp.diags([w / h**2 for w in weights], offsets, shape=(k, k), format="csr")
    eye = sp.eye(k, format="csr")
    return (
        sp.kron(second, eye, format="csr") + sp.kron(eye, second, format="csr")
    ).tocsr()


def assembly(n: int, rounds: int, findiff_rounds: int) -> None:
    from findiff import Diff

    h = 1.0 / (n - 1)
    for accuracy in (2, 4):
        name = "laplacian2d" if accuracy == 2 else "laplacian2d_4"
        build = getattr(generated(name), f"{name}_matrix")

        def ours(build: Any = build) -> Any:
            return build((n, n), h)

        def hand(accuracy: int = accuracy) -> Any:
            return hand_laplacian(n, h, accuracy)

        def findiff_matrix(accuracy: int = accuracy) -> Any:
            op = Diff(0, h, acc=accuracy) ** 2 + Diff(1, h, acc=accuracy) ** 2
            return op.matrix((n, n))

        medians = timed({"stencilgen": ours, "hand kron/diags": hand}, rounds)
        medians.update(timed({"findiff": findiff_matrix}, findiff_rounds))
        print(f"\nLaplacian matrix {n}×{n}, accuracy {accuracy}, Dirichlet:")
        for label, value in medians.items():
            print(
                f"  {label:<16} {value:8.3f} s   "
                f"{value / medians['stencilgen']:6.2f}× stencilgen"
            )
        versus_hand = medians["stencilgen"] / medians["hand kron/diags"]
        versus_findiff = medians["findiff"] / medians["stencilgen"]
        print(
            f"  stencilgen / hand = {versus_hand:.2f}  (target ≤ 1.5);  "
            f"findiff / stencilgen = {versus_findiff:.1f}  (target ≥ 10)"
        )


def poisson(n: int) -> None:
    import scipy.sparse.linalg as spla
    from findiff import PDE, BoundaryConditions, Diff

    module = generated("laplacian2d")
    grid = np.linspace(0.0, 1.0, n)
    h = grid[1] - grid[0]
    x, y = np.meshgrid(grid, grid, indexing="ij")
    exact = np.exp(x) * np.sin(2 * y) + x * y**2
    source = -3 * np.exp(x) * np.sin(2 * y) + 2 * x

    def ours() -> Any:
        matrix = module.laplacian2d_matrix((n, n), h)
        rhs = module.laplacian2d_rhs(source, exact, h)
        solution = exact.copy()
        solution[1:-1, 1:-1] = spla.spsolve(matrix.tocsc(), rhs).reshape(n - 2, n - 2)
        return solution

    def theirs() -> Any:
        op = Diff(0, h, acc=2) ** 2 + Diff(1, h, acc=2) ** 2
        bc = BoundaryConditions((n, n))
        for side in (np.s_[0, :], np.s_[-1, :], np.s_[:, 0], np.s_[:, -1]):
            bc[side] = exact
        return PDE(op, source, bc).solve()

    medians = timed({"stencilgen": ours}, 3)
    medians.update(timed({"findiff PDE": theirs}, 1))
    print(f"\nDirichlet Poisson solve {n}×{n}, accuracy 2 (assemble + spsolve):")
    for name, value in medians.items():
        print(f"  {name:<16} {value:8.3f} s")
    error_ours = np.abs(ours() - exact).max()
    error_theirs = np.abs(theirs() - exact).max()
    print(f"  max error: stencilgen {error_ours:.3e}, findiff {error_theirs:.3e}")
    ratio = medians["findiff PDE"] / medians["stencilgen"]
    print(f"  findiff / stencilgen = {ratio:.1f}  (target ≥ 10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller grids")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    applying(1000 if args.quick else 4000, args.rounds)
    assembly(300 if args.quick else 1000, args.rounds, 3 if args.quick else 1)
    poisson(129 if args.quick else 257)


if __name__ == "__main__":
    main()
