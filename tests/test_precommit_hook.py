"""The shipped pre-commit hook works the way another project uses it.

pre-commit clones this repository at a commit, pip-installs it into a virtual
environment of its own (as every `language: python` hook used by URL and rev is
installed) and runs the `stencilgen-check` hook on a sample project. The clone is
made from a temporary git repository holding the current working tree, so
uncommitted changes are what is tested.

Installing the environment takes 15-40 s. `pre-commit try-repo` (what a user runs
to try a hook) installs it into a throwaway store on every call, so it is run once;
the other cases use a `.pre-commit-config.yaml` naming the repository by path and
rev, as a project would, with one store shared by the module.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = "[d1]\nderivative = 1\naccuracy = 2\n"


def git(cwd: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org",
         "-c", "commit.gpgsign=false", *arguments],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def commit_all(cwd: Path) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "-m", "snapshot")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree as a one-commit git repository (what try-repo clones)."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    repo = tmp_path_factory.mktemp("stencilgen-repo")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # listed but deleted in the working tree: left out
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    commit_all(repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """pre-commit's cache (hook environments), shared by the tests of this module."""
    yield tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(
    project: Path, home: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *arguments, "--all-files",
         "--color", "never"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def new_project(path: Path, files: dict[str, str], build: bool) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    if build:
        subprocess.run(
            [sys.executable, "-m", "stencilgen", "build"],
            cwd=path, check=True, capture_output=True,
        )  # fmt: skip
    commit_all(path)
    return path


def config(hook_repo: Path) -> str:
    """A project's .pre-commit-config.yaml using the hook by repository and rev."""
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    return (
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n"
        "    hooks:\n      - id: stencilgen-check\n"
    )


def test_try_repo_passes_on_fresh_generated_code(
    tmp_path: Path, hook_repo: Path
) -> None:
    project = new_project(tmp_path / "project", {"stencils.toml": SPEC}, build=True)
    result = pre_commit(project, tmp_path / "home", "try-repo", str(hook_repo),
                        "stencilgen-check")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stencilgen generated code is fresh" in result.stdout
    assert "Passed" in result.stdout


def test_hook_by_rev_fails_on_a_stale_spec_and_skips_projects_without_one(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    files = {"stencils.toml": SPEC, ".pre-commit-config.yaml": config(hook_repo)}
    project = new_project(tmp_path / "project", files, build=True)
    fresh = pre_commit(project, pre_commit_home, "run")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "Passed" in fresh.stdout

    (project / "stencils.toml").write_text(
        SPEC.replace("accuracy = 2", "accuracy = 4"), encoding="utf-8"
    )
    stale = pre_commit(project, pre_commit_home, "run")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert "generated/d1.py" in stale.stdout
    assert "to regenerate, run: stencilgen build stencils.toml --out generated" in (
        stale.stdout
    )

    files = {"notes.txt": "no spec\n", ".pre-commit-config.yaml": config(hook_repo)}
    other = new_project(tmp_path / "other", files, build=False)
    skipped = pre_commit(other, pre_commit_home, "run")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "Skipped" in skipped.stdout
