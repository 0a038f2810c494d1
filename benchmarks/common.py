"""What the benchmark scripts share: the repository root and module loading.

The scripts run as ``python benchmarks/<script>.py`` from the repository root,
so this folder is on ``sys.path`` and they import this module by name.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

__all__ = ["ROOT", "load_file", "load_generated"]

#: The repository root (the folder with stencils.toml and generated/).
ROOT = Path(__file__).resolve().parent.parent


def load_file(path: Path, name: str) -> ModuleType:
    """Import the Python file ``path`` as a module named ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_generated(name: str) -> ModuleType:
    """The committed module ``generated/<name>.py``."""
    return load_file(ROOT / "generated" / f"{name}.py", name)
