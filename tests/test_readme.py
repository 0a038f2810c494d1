"""The README's Python examples run as written (doctest), and its commands exist."""

import doctest
import re
from pathlib import Path

import stencilgen.cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_examples_run():
    text = README.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    globs: dict[str, object] = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, f"README block {number}", None, 0)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10
    assert result.failed == 0


def test_readme_opens_with_the_setup_and_test_commands_ci_runs():
    text = README.read_text(encoding="utf-8")
    commands = re.search(r"```bash\n(.*?)\n```", text, re.S)
    assert commands is not None
    setup, tests = commands.group(1).splitlines()
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert setup in ci.splitlines()
    assert tests in ci.splitlines()


def test_every_command_shown_in_the_readme_exists():
    text = README.read_text(encoding="utf-8")
    shown = set(re.findall(r"^\$ stencilgen ([a-z][a-z-]*)", text, re.M))
    assert {"weights", "explain", "build", "analyze"} <= shown
    assert shown <= set(stencilgen.cli.COMMANDS)
