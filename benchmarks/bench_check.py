"""Benchmark: ``stencilgen build --check`` on the bundled spec, against an import floor.

Run from the repository root::

    .venv/bin/python benchmarks/bench_check.py          # 15 rounds
    .venv/bin/python benchmarks/bench_check.py --quick  # 5 rounds

Issue 8 asks that ``build --check`` on an up-to-date ``generated/`` take at most
0.3x the time of ``python -c "import numpy, sympy, jinja2"`` (the floor any run
that derives or renders pays). Each round runs both commands once, as fresh
processes, alternately (so drifting machine load hits both alike); the script
prints the median wall time of each and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = [sys.executable, "-m", "stencilgen", "build", "--check"]
FLOOR = [sys.executable, "-c", "import numpy, sympy, jinja2"]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    rounds = 5 if "--quick" in sys.argv else 15
    wall(CHECK)  # warm the file cache once
    checks, floors = [], []
    for _ in range(rounds):
        checks.append(wall(CHECK))
        floors.append(wall(FLOOR))
    check, floor = statistics.median(checks), statistics.median(floors)
    print(f"build --check (up to date)        {check * 1e3:8.1f} ms")
    print(f"import numpy, sympy, jinja2       {floor * 1e3:8.1f} ms")
    print(f"ratio (target <= 0.3)             {check / floor:8.2f}")


if __name__ == "__main__":
    main()
