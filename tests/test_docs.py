"""README and the documentation pages (docs/*.md) say what the code does.

Every ``>>>`` example in a ```python (or ```pycon) block runs as a doctest, from the
repository root; every shown session of a command that only prints
(``$ stencilgen weights|explain|step|analyze ...``) prints what is shown; README
opens with the two commands CI runs; every command is shown somewhere; relative
links lead to files that exist. The site itself is built, with warnings as errors,
by ``.ci/run`` (``sphinx-build -W``).
"""

import contextlib
import doctest
import io
import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import stencilgen.cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def code_blocks(path: Path, languages: set[str]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [body for language, body in FENCE.findall(text) if language in languages]


def run_examples(path: Path) -> doctest.TestResults:
    """Run the page's >>> examples in one namespace, as a reader would, in order."""
    text = path.read_text(encoding="utf-8")
    blocks = [
        (text.count("\n", 0, match.start(2)), match.group(2))
        for match in FENCE.finditer(text)
        if match.group(1) in {"python", "pycon"} and ">>>" in match.group(2)
    ]
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    globs: dict[str, object] = {"__name__": path.stem}
    with examples_context():
        for line, block in blocks:  # failures name the file's own line numbers
            name = f"{path.relative_to(ROOT)}, line {line + 1}"
            test = parser.get_doctest(block, globs, name, str(path), line)
            runner.run(test, clear_globs=False)
            globs.update(test.globs)  # DocTest copies globs: carry names onward
    return runner.summarize(verbose=False)


@contextlib.contextmanager
def examples_context() -> Iterator[None]:
    """Run from the repository root; afterwards undo the examples' sys.path inserts
    and forget the generated modules they imported (``import gradient``), so other
    tests that load those modules under the same names find their own copies."""
    cwd, path, before = Path.cwd(), list(sys.path), set(sys.modules)
    os.chdir(ROOT)  # examples use paths such as "generated"
    try:
        yield
    finally:
        generated = ROOT / "generated"
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if (ROOT / file).resolve().parent == generated:
                del sys.modules[name]
        sys.path[:] = path
        os.chdir(cwd)


@pytest.mark.parametrize("path", [README, *PAGES], ids=lambda p: p.name)
def test_python_examples_run(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_examples(path)
    assert result.failed == 0, capsys.readouterr().out


def test_readme_and_reference_pages_have_examples() -> None:
    for name in ("README.md", "docs/weights.md", "docs/analyze.md", "docs/gradient.md",
                 "docs/callables.md"):  # fmt: skip
        assert run_examples(ROOT / name).attempted >= 5, name
    # The drop-in's dtype rules, each shown by an example against numpy.
    assert run_examples(ROOT / "docs" / "dropin-and-speed.md").attempted >= 10


def test_readme_opens_with_the_setup_and_test_commands_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    first = FENCE.search(text)
    assert first is not None and first.group(1) == "bash"
    assert text.index(first.group(0)) < 200, "the commands must come first"
    setup, tests = first.group(2).splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert setup in ci
    assert tests in ci


def test_readme_stays_an_introduction() -> None:
    size = len(README.read_text(encoding="utf-8").encode())
    assert size < 8_000, f"README is {size} bytes; put reference text in docs/*.md"


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    shown: set[str] = set()
    for path in [README, *PAGES]:
        for block in code_blocks(path, {"console", ""}):
            shown |= set(re.findall(r"^\$ stencilgen ([a-z][a-z-]*)", block, re.M))
    assert shown == set(stencilgen.cli.COMMANDS)


def test_relative_links_lead_to_files_that_exist() -> None:
    for path in [README, *PAGES]:
        text = FENCE.sub("", path.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a URL or an anchor on the same page
            file = target.split("#")[0]
            if file.startswith("_figures/"):
                continue  # drawn when the site is built (docs/conf.py FIGURES)
            assert (path.parent / file).exists(), f"{path.name}: {target}"


#: Commands whose shown output is checked: they only print, from their arguments.
PRINTING = {"weights", "explain", "step", "analyze"}


def shown_sessions() -> list[tuple[str, str, str]]:
    """(where, command line, output shown) for every checkable shell session."""
    sessions = []
    for path in [README, *PAGES]:
        for block in code_blocks(path, {"console", ""}):
            # Each "$ " line with the lines after it, up to the next "$ " line.
            for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
                command, _, output = chunk.partition("\n")
                words = shlex.split(command[2:]) if command.startswith("$ ") else []
                if (
                    words[:1] == ["stencilgen"]
                    and words[1] in PRINTING
                    and not {">", "|", "--file"} & set(words)
                ):
                    sessions.append((path.name, command, output))
    return sessions


@pytest.mark.parametrize(("page", "command", "output"), shown_sessions())
def test_shown_command_output_is_what_the_command_prints(
    page: str, command: str, output: str
) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        stencilgen.cli.main(shlex.split(command[2:])[1:])
    lines = [line.rstrip() for line in printed.getvalue().rstrip().splitlines()]
    assert lines == [line.rstrip() for line in output.rstrip().splitlines()], page
