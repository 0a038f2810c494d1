"""Shared test setup: the repository root, the ``slow`` marker, Hypothesis profiles.

Two ways to run the suite:

* ``pytest`` (a developer's default): tests marked ``slow`` are deselected
  (``addopts`` in pyproject.toml) and Hypothesis runs a tenth of each test's
  examples (profile ``dev``): under a minute on two cores;
* everything, as CI does: ``pytest -m "" --hypothesis-profile ci``, or with the
  environment variable ``STENCILGEN_TESTS=all`` (what ``.ci/run`` sets).

A test states its full number of examples with :func:`examples`, which scales it
to the active profile.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tracemalloc
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from stencilgen.build import render_body
from stencilgen.spec import parse_spec

__all__ = [
    "FULL",
    "ROOT",
    "examples",
    "load_file",
    "load_generated",
    "random_samples",
    "write_module",
]

#: The repository root (the folder with pyproject.toml and stencils.toml).
ROOT = Path(__file__).resolve().parents[1]

#: Run everything: slow tests and every Hypothesis example (CI).
FULL = os.environ.get("STENCILGEN_TESTS", "") == "all"

settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile(
    "dev",
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if FULL else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def load_file(path: Path, name: str, *, register: bool = False) -> ModuleType:
    """Import the Python file ``path`` as a module named ``name``.

    ``register`` also puts it in ``sys.modules`` (dask pickles the functions of
    a generated module by reference, so workers must find it by name).
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_generated(
    name: str, module: str | None = None, *, register: bool = False
) -> ModuleType:
    """The committed module ``generated/<name>.py``, imported as ``module``."""
    path = ROOT / "generated" / f"{name}.py"
    return load_file(path, module or name, register=register)


def write_module(toml: str, name: str, directory: Path) -> ModuleType:
    """The spec entry ``toml`` rendered, written to ``directory/name.py``, imported.

    Registered by name, so dask can pickle its functions by reference.
    """
    _, body = render_body(parse_spec(toml).entries[0])
    path = directory / f"{name}.py"
    path.write_text(body)
    return load_file(path, name, register=True)


def random_samples(shape: tuple[int, ...], dtype: object, seed: int = 0) -> np.ndarray:
    """Normal samples of standard deviation 4 as ``dtype`` (complex: both parts)."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(shape) * 4
    if np.dtype(dtype).kind == "c":
        f = f + 1j * rng.standard_normal(shape)
    return f.astype(dtype)


def coordinate_grids(n: int) -> dict[str, np.ndarray]:
    """Hostile and ordinary coordinate arrays of ``n`` points, by name."""
    rng = np.random.default_rng(n)
    random = np.cumsum(rng.uniform(0.5, 1.5, n))
    return {
        "uniform": np.linspace(0.0, 1.0, n),
        "random": random,
        "clustered": np.tanh(np.linspace(-3.0, 3.0, n)),
        "geometric": np.cumsum(1.3 ** np.arange(n)),
        "steep geometric": np.cumsum(3.0 ** np.arange(n)),
        "nearly coincident": np.cumsum(np.where(np.arange(n) % 3 == 0, 1e-9, 1.0)),
        "alternating": np.cumsum(np.where(np.arange(n) % 2 == 0, 1e-3, 1.0)),
        "decreasing": -np.cumsum(rng.uniform(0.01, 10.0, n)),
        "offset": 1e6 + random,
        "tiny": 1e-50 * random,
        "huge": 1e50 * random,
    }


def lagrange_weights(nodes: list[Fraction], c: int) -> list[Fraction]:
    """Exact first-derivative weights at ``nodes[c]``: the Lagrange basis' derivatives.

    The engine's ``fd_weights`` limits its offsets to 64-bit numbers, which the
    exact values of float coordinates exceed; tests check this formula against it.
    """
    weights = []
    for k, t in enumerate(nodes):
        if k == c:
            weights.append(sum(1 / (t - u) for j, u in enumerate(nodes) if j != k))
            continue
        numerator, denominator = Fraction(1), Fraction(1)
        for j, u in enumerate(nodes):
            if j != k:
                denominator *= t - u
                if j != c:
                    numerator *= nodes[c] - u
        weights.append(numerator / denominator)
    return weights


def peak_temporaries(op: Callable[..., np.ndarray], *args: object) -> int:
    """Peak bytes ``op(*args)`` allocates beyond its result (after a warm-up call)."""
    op(*args)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = op(*args)
        return tracemalloc.get_traced_memory()[1] - before - result.nbytes
    finally:
        tracemalloc.stop()


def examples(full: int) -> int:
    """``full`` under the ``ci`` profile, a tenth of it (at least 5) under ``dev``.

    Evaluated when a test module is imported, after ``--hypothesis-profile``
    has been applied.
    """
    scale = settings.default.max_examples / 100
    return full if scale >= 1 else max(5, round(full * scale))


def pytest_configure(config: pytest.Config) -> None:
    """``STENCILGEN_TESTS=all`` selects the slow tests too."""
    if FULL:
        config.option.markexpr = ""


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT
