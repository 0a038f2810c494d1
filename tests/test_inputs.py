"""``build --check``: exact input hashes, the fast path, and a safe header.

``--check`` must mean "a rebuild would not change a byte": every input that can
change a byte (sources found from the import graph, templates and runtime files
reached from the kind's template, SymPy and Jinja2 versions) goes into the hash,
and the fast path that trusts the hash must not import SymPy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from stencilgen import inputs, render
from stencilgen.cli import main
from stencilgen.header import read_header, regenerate_command

SMALL = """\
[d1]
derivative = 1
accuracy = 2
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stencils.toml").write_text(SMALL)
    assert main(["build"]) == 0
    return tmp_path


def test_dependencies_are_computed_from_the_import_graph() -> None:
    # The files the old hand-kept list left out are found.
    modules = inputs.module_sources(["stencilgen.kinds.operator", inputs.PIPELINE])
    for name in (
        "stencilgen.expr",
        "stencilgen.spec",
        "stencilgen.kinds",
        "stencilgen.kinds._operator_checks",
        "stencilgen.verify",
        "stencilgen.printing",
        "stencilgen.header",
    ):
        assert name in modules
    names = {
        p.relative_to(p.parents[1]).as_posix() for p in inputs.source_files("operator")
    }
    assert {"templates/operator.j2", "numpy/kernel.j2", "runtime/blocks.py"} <= names
    # Another kind's module and template are not inputs of this one.
    assert "kinds/gradient.py" not in names and "templates/gradient.py.j2" not in names


def test_tool_versions_come_from_package_metadata() -> None:
    from importlib import metadata

    assert inputs.tool_versions() == (
        ("sympy", metadata.version("sympy")),
        ("jinja2", metadata.version("jinja2")),
    )


def test_a_changed_printing_module_makes_check_fail(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = inputs._file_digest

    def edited(path: Path) -> str:  # as if printing.py had been edited
        return "0" * 32 if path.name == "printing.py" else real(path)

    monkeypatch.setattr(inputs, "_file_digest", edited)
    capsys.readouterr()
    assert main(["build", "--check"]) == 1
    assert "would update generated/d1.py (changed)" in capsys.readouterr().out


def test_a_changed_template_makes_check_fail_with_its_diff(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = project / "templates"
    shutil.copytree(inputs.template_dir(), templates)
    macros = templates / "numpy" / "kernel.j2"
    text = macros.read_text()
    assert "in cache-sized blocks:" in text
    macros.write_text(text.replace("in cache-sized blocks:", "in blocks:"))
    monkeypatch.setattr(inputs, "template_dir", lambda: templates)
    monkeypatch.setattr(render, "template_dir", lambda: templates)
    capsys.readouterr()
    assert main(["build", "--check"]) == 1
    out = capsys.readouterr().out
    assert "would update generated/d1.py (changed)" in out
    assert "+    # Interior points i = 1 .. n-2, in blocks:" in out


def test_a_changed_sympy_version_makes_check_fail(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = dict(inputs.tool_versions())
    versions["sympy"] = versions["sympy"] + ".post1"
    monkeypatch.setattr(inputs, "tool_versions", lambda: tuple(versions.items()))
    capsys.readouterr()
    assert main(["build", "--check"]) == 1
    out = capsys.readouterr().out
    assert "would update generated/d1.py (changed)" in out
    assert "sympy" not in (project / "generated" / "d1.py").read_text().split('r"""')[0]


def test_fast_path_decides_without_sympy_jinja2_or_numpy() -> None:
    code = (
        "import sys; from stencilgen.cli import main; rc = main(['build', '--check']);"
        "print(rc, sorted(m for m in ('sympy', 'jinja2', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_fast_path_says_nothing_about_a_stale_or_foreign_folder(project: Path) -> None:
    spec, out = project / "stencils.toml", project / "generated"
    assert inputs.up_to_date(spec, out) == 1
    (out / "d1.py").write_text((out / "d1.py").read_text() + "# edited\n")
    assert inputs.up_to_date(spec, out) is None
    assert main(["build", "--force"]) == 0
    # A module of this spec whose entry is gone is an orphan: not up to date.
    shutil.copy(out / "d1.py", out / "old.py")
    assert inputs.up_to_date(spec, out) is None
    (out / "old.py").unlink()
    spec.write_text(SMALL + "[d2]\nderivative = 2\naccuracy = 2\n")
    assert inputs.up_to_date(spec, out) is None


@pytest.mark.parametrize(
    ("spec_name", "out_name"),
    [
        ('s\nimport os; os.system("touch PWNED")\n#.toml', "generated"),
        ("s\rimport os\r#.toml", "generated"),
        ("s\u2028x.toml", "generated"),
        ("stencils.toml", 'g\nimport os; os.system("touch PWNED")\n#'),
        ("stencils.toml", "g\x0bx"),
    ],
    ids=["newline-spec", "cr-spec", "line-separator-spec", "newline-out", "vt-out"],
)
def test_names_that_would_inject_code_into_the_header_are_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spec_name: str,
    out_name: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / spec_name).write_text(SMALL)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["build"], ["build", "--check"]):
        assert main([*args, spec_name, "--out", out_name]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "rename it" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert not (tmp_path / "PWNED").exists()


def test_odd_but_printable_names_are_quoted_in_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "my spec; rm -rf x.toml"
    (tmp_path / name).write_text(SMALL)
    assert main(["build", name, "--out", "out dir"]) == 0
    text = (tmp_path / "out dir" / "d1.py").read_text()
    command = regenerate_command(tmp_path / name, tmp_path / "out dir")
    assert command == "stencilgen build 'my spec; rm -rf x.toml' --out 'out dir'"
    assert f"# Regenerate with: {command}\n" in text
    assert read_header(text).spec == name and read_header(text).intact is True
    assert main(["build", name, "--out", "out dir", "--check"]) == 0
