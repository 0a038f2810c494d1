"""docs/spectral.md: every command prints what the page shows; examples run.

Numbers are compared to a relative 1e-6 (the minimax designs come from a linear
programming solver whose last digits may differ between SciPy versions); all
other text exactly.
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from stencilgen.cli import main

PAGE = Path(__file__).resolve().parent.parent / "docs" / "spectral.md"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def console_examples() -> list[tuple[str, str, int]]:
    text = PAGE.read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if not chunk.strip():
                continue
            command, _, output = chunk.partition("\n")
            code = 0
            match = re.search(r"^\(exit (\d)\)\n\Z", output, re.M)
            if match:
                code = int(match.group(1))
                output = output[: match.start()]
            examples.append((command[2:], output, code))
    return examples


def same(shown: str, printed: str) -> bool:
    if NUMBER.sub("#", shown) != NUMBER.sub("#", printed):
        return False
    for a, b in zip(NUMBER.findall(shown), NUMBER.findall(printed), strict=True):
        x, y = float(a), float(b)
        if abs(x - y) > 1e-6 * max(abs(x), abs(y)) + 1e-12:
            return False
    return True


EXAMPLES = console_examples()


def test_page_has_the_reference_commands() -> None:
    commands = " ".join(c for c, _, _ in EXAMPLES)
    for needed in ("spectrum", "design", "stability", "rank", "--compact"):
        assert needed in commands
    assert len(EXAMPLES) >= 14


@pytest.mark.parametrize(
    ("command", "output", "code"), EXAMPLES, ids=[c for c, _, _ in EXAMPLES]
)
def test_console_example(
    capsys: pytest.CaptureFixture[str], command: str, output: str, code: int
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "stencilgen"
    try:
        result = main(argv[1:])
    except SystemExit as exit_:  # pragma: no cover - usage errors
        result = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert result == code
    assert same(output, out + err), out + err


def test_python_examples() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {}
    for number, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, globs, f"block {number}", None, 0))
    result = runner.summarize(verbose=False)
    assert result.attempted >= 10 and result.failed == 0
