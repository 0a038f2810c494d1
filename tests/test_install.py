"""A real wheel, installed into a fresh virtual environment, builds a spec elsewhere.

This is the check that the installed package (not the editable checkout) finds its
templates: the wheel carries them as ``stencilgen/templates``. To stay fast and
offline the fresh environment gets its dependencies (numpy, sympy, jinja2) from the
test environment's site-packages through a ``.pth`` line; stencilgen itself comes
only from the wheel (the checkout's editable hook is not loaded there).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

SPEC = """\
[slope]
derivative = 1
accuracy = 4

[curvature]
derivative = 2
accuracy = 2
grid = "coordinates"
"""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_and_builds_a_spec_in_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist,
        cwd=ROOT,
    )  # fmt: skip
    (wheel,) = dist.glob("stencilgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "stencilgen/templates/operator.j2" in names
    assert "stencilgen/kinds/operator.py" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
        "--no-index", "--quiet", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    site = Path(
        run(
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
            cwd=tmp_path,
        ).strip()
    )
    (site / "test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "stencils.toml").write_text(SPEC)
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    where = run(
        python, "-c", "import stencilgen; print(stencilgen.__file__)", cwd=work, env=env
    )
    assert where.startswith(str(venv)), where
    out = run(venv / "bin" / "stencilgen", "build", cwd=work, env=env)
    assert "created generated/slope.py (missing)" in out and "FAILED" not in out
    assert sorted(p.name for p in (work / "generated").iterdir()) == [
        "curvature.py",
        "slope.py",
    ]
    run(venv / "bin" / "stencilgen", "build", "--check", cwd=work, env=env)
    # The installed tool produces exactly what the checkout produces.
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "stencils.toml").write_text(SPEC)
    run(sys.executable, "-m", "stencilgen", "build", cwd=reference)
    for name in ("slope.py", "curvature.py"):
        installed = (work / "generated" / name).read_bytes()
        assert installed == (reference / "generated" / name).read_bytes()
