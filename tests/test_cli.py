"""The command line as a whole: version, usage errors, exit codes."""

import tomllib

import pytest
from conftest import ROOT

import stencilgen
from stencilgen import cli


def test_version_matches_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert capsys.readouterr().out.strip() == f"stencilgen {project['version']}"
    assert stencilgen.__version__ == project["version"]


def test_a_value_starting_with_minus_gets_a_hint(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["weights", "-d", "1", "--offsets", "-1,0,1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "write --option=VALUE" in err


def test_a_missing_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err
