"""N-D operators: sparse-matrix assembly and a Poisson solve, against findiff.

Run from the repository root (findiff is in the ``bench`` extra)::

    python benchmarks/bench_nd.py            # 1000×1000 matrices, 257×257 solve
    python benchmarks/bench_nd.py --quick    # 300×300 matrices, 129×129 solve

Same process, interleaved rounds (every round runs every candidate once, so
drifting load on a shared machine hits all alike), medians:

* assembling the Laplacian matrix with Dirichlet boundaries eliminated, accuracy 2
  and 4: stencilgen's runtime (``templates/runtime/nd_matrix.py`` with the exact
  tables of ``stencilgen.nd_tables``), a hand-written ``scipy.sparse.kron`` /
  ``diags`` construction of the interior operator, and findiff's
  ``(Diff(0)**2 + Diff(1)**2).matrix(shape)`` (findiff keeps every node and
  replaces boundary rows later, so its matrix is larger);
* a Dirichlet Poisson solve on the unit square (assemble + ``spsolve``):
  stencilgen's eliminated system against findiff's ``PDE(...).solve()``, with the
  error against the manufactured solution for both.

Targets (issue 9): assembly at least 10× faster than findiff and within 1.5× of the
hand-written construction; the solve at least 10× faster than findiff's PDE.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def runtime() -> ModuleType:
    path = ROOT / "templates" / "runtime" / "nd_matrix.py"
    spec = importlib.util.spec_from_file_location("nd_matrix", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def laplacian_data(accuracy: int) -> tuple[list[Any], dict[str, Any]]:
    from stencilgen import operator
    from stencilgen.nd_tables import matrix_terms, runtime_tables

    terms, tables = matrix_terms(operator("u_xx + u_yy", accuracy))
    return [(float(c), keys) for c, keys in terms], runtime_tables(tables)


def timed(candidates: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


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

    module = runtime()
    h = 1.0 / (n - 1)
    for accuracy in (2, 4):
        terms, tables = laplacian_data(accuracy)

        def ours(terms: Any = terms, tables: Any = tables) -> Any:
            return module._nd_matrix((n, n), h, "dirichlet", terms, tables)

        def hand(accuracy: int = accuracy) -> Any:
            return hand_laplacian(n, h, accuracy)

        def findiff_matrix(accuracy: int = accuracy) -> Any:
            op = Diff(0, h, acc=accuracy) ** 2 + Diff(1, h, acc=accuracy) ** 2
            return op.matrix((n, n))

        medians = timed({"stencilgen": ours, "hand kron/diags": hand}, rounds)
        medians.update(timed({"findiff": findiff_matrix}, findiff_rounds))
        print(f"\nLaplacian matrix {n}×{n}, accuracy {accuracy}, Dirichlet:")
        for name, value in medians.items():
            print(
                f"  {name:<16} {value:8.3f} s   "
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

    module = runtime()
    terms, tables = laplacian_data(2)
    grid = np.linspace(0.0, 1.0, n)
    h = grid[1] - grid[0]
    x, y = np.meshgrid(grid, grid, indexing="ij")
    exact = np.exp(x) * np.sin(2 * y) + x * y**2
    source = -3 * np.exp(x) * np.sin(2 * y) + 2 * x

    def ours() -> Any:
        matrix, companion, _, unknown = module._nd_system(
            (n, n), h, "dirichlet", terms, tables
        )
        known = exact.copy()
        known[unknown] = 0.0
        rhs = source[unknown].ravel() - companion @ known.ravel()
        solution = exact.copy()
        solution[unknown] = spla.spsolve(matrix.tocsc(), rhs).reshape(
            solution[unknown].shape
        )
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
    print(
        f"  findiff / stencilgen = {medians['findiff PDE'] / medians['stencilgen']:.1f}"
        "  (target ≥ 10)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller grids")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    assembly(300 if args.quick else 1000, args.rounds, 1 if not args.quick else 3)
    poisson(129 if args.quick else 257)


if __name__ == "__main__":
    main()
