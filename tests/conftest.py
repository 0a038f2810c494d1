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
