"""docs/nd.md runs as written: Python examples as doctests, console blocks via main."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from stencilgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "nd.md"
TUTORIAL = ROOT / "docs" / "tutorial-poisson.md"


@pytest.mark.parametrize("page", [DOC, TUTORIAL], ids=["nd", "tutorial-poisson"])
def test_python_examples_run(page, monkeypatch):
    monkeypatch.chdir(ROOT)  # the tutorial imports from generated/
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    text = page.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    # One doctest for the whole page: later blocks use names from earlier ones.
    test = parser.get_doctest("\n".join(blocks), {}, page.name, str(page), 0)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 3
    assert result.failed == 0


CONSOLE = re.findall(
    r"```console\n\$ stencilgen (.*?)\n(.*?)```",
    DOC.read_text(encoding="utf-8"),
    re.S,
)


@pytest.mark.parametrize(("command", "expected"), CONSOLE)
def test_console_blocks_print_what_they_show(command, expected, capsys):
    assert main(shlex.split(command)) == 0
    assert capsys.readouterr().out == expected
