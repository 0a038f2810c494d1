"""Hostile input and faults (issue 13), tested as classes.

Every row of the tables is one hostile input: the command line (exit code 2 and
one line on stderr, no traceback), the spec file, the Python API (the exception
type and its one-line message) and generated code. Each row also checks that
nothing was written (the working folder is unchanged) and nothing was executed
(no ``PWNED`` marker). The fault tests at the end kill, interrupt and race real
builds in subprocesses, at exact moments chosen through the
``STENCILGEN_TEST_HOOK`` pause of :mod:`stencilgen.outputs`.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy

import stencilgen
from stencilgen import limits
from stencilgen.cli import main
from stencilgen.errors import (
    ExpressionError,
    LimitError,
    SpecError,
    StencilError,
    StencilgenError,
)
from stencilgen.explain import derive_by_hand
from stencilgen.formula import parse_formula
from stencilgen.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
PWN = "__import__('os').system('touch PWNED')"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and mtime (FIFOs not opened)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "PWNED").exists(), "hostile input was executed"


# -- files the command-line rows use -------------------------------------------------


def _spec(text: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / "s.toml").write_text(text, encoding="utf-8")

    return make


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return make


def _fifo(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        os.mkfifo(folder / name)

    return make


def _folder(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).mkdir()

    return make


def _nothing(folder: Path) -> None:
    pass


OFFSETS_70 = ",".join(str(i) for i in range(70))
SYMBOLS_10 = "0," + ",".join(f"s{i}" for i in range(1, 10))
BIG = 1 << 70
UNKNOWNS_17 = "+".join(f"c{i}*f(x+{i}*h)" for i in range(17))
NAMES_17 = ",".join(f"c{i}" for i in range(17))
LONG_NAME = "a" * 300
MiB = 1 << 20

# (id, setup, argv, expected exit code, regular expression the one line matches)
CLI_CASES: list[tuple[str, Callable[[Path], None], list[str], int, str]] = [
    # 13.2 bounded work
    (
        "weights-derivative",
        _nothing,
        ["weights", "-d", "100", "--offsets=0,1"],
        2,
        r"derivative 100 is more than the limit of 32 \(MAX_DERIVATIVE\)",
    ),
    (
        "weights-70-offsets",
        _nothing,
        ["weights", "-d", "1", f"--offsets={OFFSETS_70}"],
        2,
        r"70 offsets is more than the limit of 65 \(MAX_POINTS\)",
    ),
    (
        "weights-70-bit-offset",
        _nothing,
        ["weights", "-d", "1", f"--offsets=0,1,{BIG}"],
        2,
        r"71-bit.*MAX_OFFSET_BITS",
    ),
    (
        "weights-tiny-offset",
        _nothing,
        ["weights", "-d", "1", f"--offsets=0,1,1/{BIG}"],
        2,
        r"MAX_OFFSET_BITS",
    ),
    (
        "weights-10-symbols",
        _nothing,
        ["weights", "-d", "1", f"--offsets={SYMBOLS_10}"],
        2,
        r"10 symbolic offsets .* \(MAX_SYMBOLIC_POINTS\)",
    ),
    (
        "weights-huge-accuracy",
        _nothing,
        [
            "weights",
            "-d",
            "1",
            "--kind",
            "forward",
            "--accuracy",
            "99999999999999999999",
        ],
        2,
        r"accuracy 99999999999999999999 .*MAX_ACCURACY",
    ),
    (
        "weights-central-accuracy",
        _nothing,
        ["weights", "-d", "2", "--accuracy", "1000000"],
        2,
        r"MAX_ACCURACY",
    ),
    (
        "weights-at-huge",
        _nothing,
        ["weights", "-d", "1", "--offsets=0,1", f"--at={BIG}"],
        2,
        r"at .*MAX_OFFSET_BITS",
    ),
    (
        "explain-20-offsets",
        _nothing,
        ["explain", "-d", "1", "--offsets=" + ",".join(map(str, range(20)))],
        2,
        r"explain: 20 offsets .* \(MAX_EXPLAIN_POINTS\)",
    ),
    (
        "explain-6-symbols",
        _nothing,
        ["explain", "-d", "1", "--offsets=0,a,b,c,d,e"],
        2,
        r"explain: 6 symbolic offsets .* \(MAX_EXPLAIN_SYMBOLIC\)",
    ),
    (
        "explain-derivative-100",
        _nothing,
        ["explain", "-d", "100"],
        2,
        r"MAX_DERIVATIVE",
    ),
    (
        "explain-accuracy-200",
        _nothing,
        ["explain", "-d", "1", "--accuracy", "200"],
        2,
        r"MAX_ACCURACY",
    ),
    (
        "solve-5-symbolic",
        _nothing,
        [
            "analyze",
            "a*f(x)+b*f(x+p)+c*f(x-q)+d*f(x+r)+e*f(x-s)",
            "--solve",
            "a,b,c,d,e",
            "--derivative",
            "1",
        ],
        2,
        r"5 unknowns .*MAX_UNKNOWNS_SYMBOLIC",
    ),
    (
        "solve-17-unknowns",
        _nothing,
        ["analyze", UNKNOWNS_17, "--solve", NAMES_17, "--derivative", "1"],
        2,
        r"17 unknowns .*\(MAX_UNKNOWNS\)",
    ),
    (
        "solve-derivative",
        _nothing,
        ["analyze", "a*f(x)+b*f(x+h)", "--solve", "a,b", "--derivative", "1000000"],
        2,
        r"MAX_DERIVATIVE",
    ),
    (
        "analyze-terms",
        _nothing,
        ["analyze", "f(x+h)", "--terms", "1000"],
        2,
        r"terms must be a whole number from 1 to",
    ),
    # 13.3 unbounded reads
    (
        "analyze-file-dev-zero",
        _nothing,
        ["analyze", "--file", "/dev/zero"],
        2,
        r"/dev/zero: the formula file is a character device, not a regular file",
    ),
    (
        "analyze-file-folder",
        _folder("d"),
        ["analyze", "--file", "d"],
        2,
        r"d: the formula file is a folder",
    ),
    (
        "analyze-file-fifo",
        _fifo("p"),
        ["analyze", "--file", "p"],
        2,
        r"p: the formula file is a FIFO",
    ),
    (
        "analyze-file-huge",
        _write("big.txt", b"# x\n" * (MiB // 4 + 1)),
        ["analyze", "--file", "big.txt"],
        2,
        r"larger than the limit of 1048576 bytes",
    ),
    (
        "analyze-file-long-line",
        _write("long.txt", b"f(x)" + b" " * 20_000 + b"\n"),
        ["analyze", "--file", "long.txt"],
        2,
        r"long.txt:1: the line is longer",
    ),
    (
        "analyze-file-missing",
        _nothing,
        ["analyze", "--file", "nope.txt"],
        2,
        r"cannot read nope.txt",
    ),
    (
        "analyze-file-binary",
        _write("bin.txt", b"\xff\xfe\x00"),
        ["analyze", "--file", "bin.txt"],
        2,
        r"cannot read bin.txt",
    ),
    (
        "verify-dev-zero",
        _nothing,
        ["verify", "/dev/zero"],
        2,
        r"/dev/zero: the spec is a character device",
    ),
    (
        "build-check-fifo",
        _fifo("p"),
        ["build", "p", "--check"],
        2,
        r"p: the spec is a FIFO",
    ),
    (
        "build-dev-zero",
        _nothing,
        ["build", "/dev/zero", "--out", "o"],
        2,
        r"/dev/zero: the spec is a character device",
    ),
    (
        "build-folder",
        _folder("d"),
        ["build", "d", "--out", "o"],
        2,
        r"d: the spec is a folder",
    ),
    (
        "build-fifo",
        _fifo("p"),
        ["build", "p", "--out", "o"],
        2,
        r"p: the spec is a FIFO",
    ),
    (
        "build-huge",
        _write("s.toml", b"# x\n" * (MiB // 4 + 1)),
        ["build", "s.toml", "--out", "o"],
        2,
        r"MAX_FILE_BYTES",
    ),
    (
        "build-long-line",
        _write("s.toml", b"# " + b"x" * 20_000),
        ["build", "s.toml", "--out", "o"],
        2,
        r"s.toml:1: the line is longer",
    ),
    (
        "build-not-utf8",
        _write("s.toml", b"[d1]\nderivative = 1 # \xff\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"not UTF-8",
    ),
    # spec: bounded work, nothing evaluated
    (
        "spec-offset-2**70",
        _spec(f"[d1]\nderivative = 1\noffsets = [0, 1, {BIG}]\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"entry \[d1\], key 'offsets': .*MAX_GRID_OFFSET",
    ),
    (
        "spec-offset-1000",
        _spec("[d1]\nderivative = 1\noffsets = [0, 1, 1000]\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"\|1000\| is more than the limit of 64",
    ),
    (
        "spec-100-offsets",
        _spec(f"[d1]\nderivative = 1\noffsets = [{', '.join(map(str, range(100)))}]\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"66 or more offsets .*MAX_POINTS",
    ),
    (
        "spec-callables-offsets",
        _spec(f'[c]\nkind = "callables"\noffsets = [-1, 0, {BIG}]\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"key 'offsets'.*MAX_GRID_OFFSET",
    ),
    (
        "spec-callables-accuracy",
        _spec('[c]\nkind = "callables"\nstencil = "forward"\naccuracy = 1000\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"MAX_ACCURACY",
    ),
    (
        "spec-derivative-huge",
        _spec("[d1]\nderivative = 1000000000\naccuracy = 2\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"points",
    ),
    (
        "spec-name-300",
        _spec(f"[{LONG_NAME}]\nderivative = 1\naccuracy = 2\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"file name is too long",
    ),
    (
        "spec-derivative-code",
        _spec(f'[d1]\nderivative = "{PWN}"\naccuracy = 2\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"must be a whole number",
    ),
    (
        "spec-at-code",
        _spec(f'[d1]\nderivative = 1\noffsets = [0, 1]\nat = "{PWN}"\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"key 'at'",
    ),
    (
        "spec-offsets-code",
        _spec(f'[d1]\nderivative = 1\noffsets = [0, "{PWN}"]\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"key 'offsets\[1\]'",
    ),
    (
        "spec-name-dunder",
        _spec("[__init__]\nderivative = 1\naccuracy = 2\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"may not start with an underscore",
    ),
    (
        "spec-name-stdlib",
        _spec("[os]\nderivative = 1\naccuracy = 2\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"shadow",
    ),
    (
        "spec-invalid-toml",
        _spec("[d1\nderivative = 1\n"),
        ["build", "s.toml", "--out", "o"],
        2,
        r"invalid TOML",
    ),
    (
        "spec-kind-code",
        _spec(f'[d1]\nkind = "{PWN}"\n'),
        ["build", "s.toml", "--out", "o"],
        2,
        r"kind",
    ),
    (
        "build-out-device",
        _spec("[d1]\nderivative = 1\naccuracy = 2\n"),
        ["build", "s.toml", "--out", "/dev/null/x"],
        2,
        r"is a file, not a folder",
    ),
    # 13.7 edges
    (
        "plot-error-unwritable",
        _nothing,
        ["plot-error", "-d", "1", "--function", "sin(x)", "-o", "/proc/x.png"],
        2,
        r"cannot write /proc/x.png",
    ),
    (
        "plot-error-not-png",
        _nothing,
        ["plot-error", "-d", "1", "--function", "sin(x)", "-o", "x.txt"],
        2,
        r"must end in .png",
    ),
    (
        "plot-error-code",
        _nothing,
        ["plot-error", "-d", "1", "--function", PWN, "-o", "x.png"],
        2,
        r".",
    ),
    (
        "where-step-zero",
        _nothing,
        ["analyze", "(f(x+h)-f(x))/h", "--where", "h=0"],
        2,
        r"'h' is a step of the formula",
    ),
    (
        "where-division-by-zero",
        _nothing,
        ["analyze", "(f(x+h)-f(x))/(a-1)", "--where", "a=1"],
        2,
        r"with a = 1, the coefficient 1/\(a - 1\) divides by zero",
    ),
    (
        "literal-division-by-zero",
        _nothing,
        ["analyze", "(f(x+h)-f(x))/0"],
        2,
        r"division by zero",
    ),
    # formulas and offsets are data, never code
    ("analyze-code", _nothing, ["analyze", PWN], 2, r"cannot (analyse|parse)"),
    ("analyze-dunder", _nothing, ["analyze", "f(x+h).__class__"], 2, r"."),
    ("analyze-eval", _nothing, ["analyze", "eval('1')"], 2, r"."),
    ("analyze-lambda", _nothing, ["analyze", "(lambda: f(x))()"], 2, r"."),
    (
        "weights-offsets-code",
        _nothing,
        ["weights", "-d", "1", f"--offsets={PWN}"],
        2,
        r"--offsets",
    ),
    (
        "weights-at-code",
        _nothing,
        ["weights", "-d", "1", "--offsets=0,1", "--at", "lambda: 0"],
        2,
        r"--at",
    ),
    (
        "weights-overflow-literal",
        _nothing,
        ["weights", "-d", "1", "--offsets=0,1e999"],
        2,
        r".",
    ),
    (
        "weights-repeated",
        _nothing,
        ["weights", "-d", "1", "--offsets=0,0"],
        2,
        r"same point",
    ),
    (
        "weights-power-tower",
        _nothing,
        ["weights", "-d", "1", "--offsets=0,9**9**9**9"],
        2,
        r".",
    ),
]


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(
    ("setup", "argv", "code", "pattern"),
    [case[1:] for case in CLI_CASES],
    ids=[case[0] for case in CLI_CASES],
)
def test_hostile_command_line(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    setup: Callable[[Path], None],
    argv: list[str],
    code: int,
    pattern: str,
) -> None:
    setup(workdir)
    before = _snapshot(workdir)
    started = time.monotonic()
    assert main(argv) == code
    assert time.monotonic() - started < 20  # bounded: refused, not computed
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"stencilgen {argv[0]}: error: "), line
    assert re.search(pattern, line), line
    assert _snapshot(workdir) == before  # nothing written, no folder left behind


def test_tables_hold_at_least_60_hostile_cases() -> None:
    assert len(CLI_CASES) + len(API_CASES) + len(GENERATED_CASES) >= 60


# -- the Python API ----------------------------------------------------------------

h, s = sympy.symbols("h s")
SYMBOLS_9 = [0, *sympy.symbols("s1:9")]

# (id, call, exception type, regular expression)
API_CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "fd_weights-billion-offsets",
        lambda: stencilgen.fd_weights(1, range(10**9)),
        LimitError,
        r"1000000000 offsets .*MAX_POINTS",
    ),
    (
        "fd_weights-endless",
        lambda: stencilgen.fd_weights(1, itertools.count()),
        LimitError,
        r"66 or more offsets",
    ),
    (
        "fd_weights-derivative",
        lambda: stencilgen.fd_weights(40, list(range(41))),
        LimitError,
        r"MAX_DERIVATIVE",
    ),
    (
        "fd_weights-2**70",
        lambda: stencilgen.fd_weights(1, [0, 1, BIG]),
        LimitError,
        r"offset 3 .*71-bit",
    ),
    (
        "fd_weights-tiny-fraction",
        lambda: stencilgen.fd_weights(1, [0, 1, Fraction(1, BIG)]),
        LimitError,
        r"MAX_OFFSET_BITS",
    ),
    (
        "fd_weights-at-huge",
        lambda: stencilgen.fd_weights(1, [0, 1], at=BIG),
        LimitError,
        r"^at ",
    ),
    (
        "fd_weights-float-1e300",
        lambda: stencilgen.fd_weights(1, [0, 1, 1e300]),
        LimitError,
        r"MAX_OFFSET_BITS",
    ),
    (
        "fd_weights-9-symbols",
        lambda: stencilgen.fd_weights(1, SYMBOLS_9),
        LimitError,
        r"9 symbolic offsets",
    ),
    (
        "make_stencil-symbolic-bits",
        lambda: stencilgen.make_stencil(1, [0, h * BIG]),
        LimitError,
        r"MAX_OFFSET_BITS",
    ),
    (
        "central-accuracy",
        lambda: stencilgen.central(1, 10**20),
        LimitError,
        r"MAX_ACCURACY",
    ),
    (
        "forward-derivative",
        lambda: stencilgen.forward(10**6, 1),
        LimitError,
        r"MAX_DERIVATIVE",
    ),
    (
        "backward-accuracy",
        lambda: stencilgen.backward(1, 33),
        LimitError,
        r"accuracy 33",
    ),
    (
        "analyze-solve-symbolic",
        lambda: stencilgen.analyze(
            "a*f(x)+b*f(x+p)+c*f(x-q)+d*f(x+r)+e*f(x-s)",
            solve="a,b,c,d,e",
            derivative=1,
        ),
        LimitError,
        r"MAX_UNKNOWNS_SYMBOLIC",
    ),
    (
        "explain-17",
        lambda: derive_by_hand(stencilgen.make_stencil(1, range(17))),
        LimitError,
        r"MAX_EXPLAIN_POINTS",
    ),
    (
        "load_spec-dev-zero",
        lambda: load_spec("/dev/zero"),
        SpecError,
        r"character device",
    ),
    (
        "where-step",
        lambda: parse_formula("(f(x+h) - f(x))/h", where={"h": "0"}),
        ExpressionError,
        r"step",
    ),
    (
        "offsets-string",
        lambda: stencilgen.fd_weights(1, "0,1"),
        StencilError,
        r"offsets must be a list",
    ),
    (
        "offsets-nan",
        lambda: stencilgen.fd_weights(1, [0, float("nan")]),
        StencilError,
        r"not a finite number",
    ),
    (
        "derivative-bool",
        lambda: stencilgen.fd_weights(True, [0, 1]),
        StencilError,
        r"derivative must be a whole number",
    ),
    ("analyze-code", lambda: stencilgen.analyze(PWN), ExpressionError, r"."),
    (
        "offsets-code",
        lambda: stencilgen.fd_weights(1, [0, PWN]),
        ExpressionError,
        r"offset 2",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [case[1:] for case in API_CASES],
    ids=[case[0] for case in API_CASES],
)
def test_hostile_api(
    workdir: Path, call: Callable[[], Any], error: type[Exception], pattern: str
) -> None:
    started = time.monotonic()
    with pytest.raises(error) as raised:
        call()
    assert time.monotonic() - started < 10
    assert isinstance(raised.value, StencilgenError | ValueError)
    message = str(raised.value)
    assert "\n" not in message
    assert re.search(pattern, message), message
    assert list(workdir.iterdir()) == []


# -- generated code (already behaving; kept behaving) ----------------------------------


def _generated(name: str) -> Any:
    sys.path.insert(0, str(ROOT / "generated"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


GENERATED_CASES: list[tuple[str, Callable[[], Any], str]] = [
    (
        "h-zero",
        lambda: _generated("d1_central2").d1_central2(np.ones(5), h=0),
        r"h must be a finite, non-zero spacing",
    ),
    (
        "h-nan",
        lambda: _generated("d1_central2").d1_central2(np.ones(5), h=float("nan")),
        r"finite",
    ),
    (
        "axis-out-of-range",
        lambda: _generated("d1_central2").d1_central2(np.ones(5), axis=3),
        r"out of bounds",
    ),
    (
        "too-few-points",
        lambda: _generated("d1_central2").d1_central2(np.ones(1)),
        r"needs at least 3 points",
    ),
    (
        "out-shape",
        lambda: _generated("d1_central2").d1_central2(np.ones(5), out=np.ones(4)),
        r"out has shape",
    ),
    (
        "edge-order",
        lambda: _generated("gradient").gradient(np.ones(3), edge_order=3),
        r"edge_order=3 is not supported",
    ),
    (
        "callables-h-negative",
        lambda: _generated("callables").derivative(lambda x: x, 1.0, h=-1),
        r"h must be positive and finite",
    ),
    ("text-input", lambda: _generated("d1_central2").d1_central2(PWN), r"."),
]


@pytest.mark.parametrize(
    ("call", "pattern"),
    [case[1:] for case in GENERATED_CASES],
    ids=[case[0] for case in GENERATED_CASES],
)
def test_hostile_generated(
    workdir: Path, call: Callable[[], Any], pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern) as raised:
        call()
    assert "\n" not in str(raised.value)


# -- limits inside them finish quickly -------------------------------------------------


def test_worst_cases_within_the_limits_are_quick() -> None:
    # The largest stencils the limits allow, timed loosely (2 shared cores).
    started = time.monotonic()
    n = limits.MAX_POINTS
    weights = stencilgen.fd_weights(1, list(range(-(n // 2), n // 2 + 1)))
    assert sum(weights) == 0
    stencilgen.forward(limits.MAX_DERIVATIVE, limits.MAX_ACCURACY)
    stencilgen.make_stencil(1, [0, *sympy.symbols(f"s1:{limits.MAX_SYMBOLIC_POINTS}")])
    derive_by_hand(
        stencilgen.make_stencil(
            limits.MAX_EXPLAIN_POINTS // 2, range(limits.MAX_EXPLAIN_POINTS)
        )
    )
    assert time.monotonic() - started < 20


# -- analyze --file streams ------------------------------------------------------------


def test_analyze_file_streams_rows_and_json_stays_valid(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    (workdir / "f.txt").write_text(
        "c: (f(x+h) - f(x-h))/(2*h)\nbad: f(x)*f(x+h)\nb: (f(x) - f(x-h))/h\n"
    )
    assert main(["analyze", "--file", "f.txt", "--json"]) == 2
    documents = json.loads(capsys.readouterr().out)
    assert [d["label"] for d in documents] == ["c", "bad", "b"]
    assert "error" in documents[1] and documents[2]["accuracy"] == 1


def test_progress_line_only_on_a_terminal() -> None:
    import io

    from stencilgen.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet = Progress(3, "analyze", stream=io.StringIO(), delay=0)
    quiet.update(1)
    assert quiet.stream.getvalue() == ""
    shown = Progress(3, "analyze", stream=Terminal(), delay=0)
    shown.update(2)
    shown.clear()
    assert "analyze: 2/3 (66%)" in shown.stream.getvalue()
    assert shown.stream.getvalue().endswith("\r")


# -- faults: kill -9, Ctrl-C, concurrent builds -------------------------------------

SPEC_A = "[a1]\nderivative = 1\naccuracy = 2\n"
SPEC_B = "[b1]\nderivative = 2\naccuracy = 2\n"


def _build(
    folder: Path, spec: str, hook: str | None = None, *extra: str
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("STENCILGEN_TEST_HOOK", None)
    if hook is not None:
        env["STENCILGEN_TEST_HOOK"] = hook
    return subprocess.Popen(
        [sys.executable, "-m", "stencilgen", "build", spec, "--out", "out", *extra],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never reached the hook"
        time.sleep(0.02)


def _staging(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def test_kill_during_staging_then_next_build_cleans_up(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "a.toml").write_text(SPEC_A)
    marker = workdir / "staged"
    process = _build(workdir, "a.toml", f"staged:{marker}")
    _wait_for(marker, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    out = workdir / "out"
    debris = _staging(out)
    assert len(debris) == 1 and re.fullmatch(r"\.a1\.py\.[a-z0-9_]{8}\.tmp", debris[0])
    assert not (out / "a1.py").exists()  # staged, never half-written in place
    # --check reports the debris and writes nothing ...
    assert main(["build", "a.toml", "--out", "out", "--check"]) == 1
    assert f"would delete out/{debris[0]}" in capsys.readouterr().out
    assert _staging(out) == debris
    # ... and the next build removes it.
    assert main(["build", "a.toml", "--out", "out"]) == 0
    assert f"deleted out/{debris[0]}" in capsys.readouterr().out
    assert _staging(out) == [] and (out / "a1.py").is_file()
    assert main(["build", "a.toml", "--out", "out", "--check"]) == 0


def test_ctrl_c_exits_130_with_one_line_and_leaves_nothing(workdir: Path) -> None:
    (workdir / "a.toml").write_text(SPEC_A)
    marker = workdir / "staged"
    process = _build(workdir, "a.toml", f"staged:{marker}")
    _wait_for(marker, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert _one_line(stderr) == "stencilgen build: interrupted"
    # The staging file is removed, and so is the folder the build created.
    assert not (workdir / "out").exists()


def test_concurrent_builds_of_different_specs_both_land(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "a.toml").write_text(SPEC_A)
    (workdir / "b.toml").write_text(SPEC_B)
    (workdir / "out").mkdir()
    first, second = workdir / "first", workdir / "second"
    a = _build(workdir, "a.toml", f"staged:{first}")
    _wait_for(first, a)  # a holds the folder's lock, its file staged
    b = _build(workdir, "b.toml", f"lock:{second}")
    _wait_for(second, b)  # b has read the folder and is about to lock it
    second.unlink()
    first.unlink()
    for process in (a, b):
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["a1.py", "b1.py"]
    for spec in ("a.toml", "b.toml"):
        assert main(["build", spec, "--out", "out", "--check"]) == 0
    capsys.readouterr()


def test_concurrent_builds_of_one_module_name_do_not_clobber(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both specs make d1.py. b read the folder before a wrote d1.py; under the
    # lock it sees a's module (another spec's) and refuses, writing nothing.
    (workdir / "a.toml").write_text("[d1]\nderivative = 1\naccuracy = 2\n")
    (workdir / "b.toml").write_text("[d1]\nderivative = 1\naccuracy = 4\n")
    (workdir / "out").mkdir()
    first, second = workdir / "first", workdir / "second"
    a = _build(workdir, "a.toml", f"staged:{first}")
    _wait_for(first, a)
    b = _build(workdir, "b.toml", f"lock:{second}")
    _wait_for(second, b)
    second.unlink()
    first.unlink()
    _, stderr_a = a.communicate(timeout=60)
    _, stderr_b = b.communicate(timeout=60)
    assert a.returncode == 0, stderr_a
    assert b.returncode == 2, stderr_b
    assert "was generated from another spec, a.toml" in _one_line(stderr_b)
    assert main(["build", "a.toml", "--out", "out", "--check"]) == 0
    assert _staging(workdir / "out") == []
    capsys.readouterr()


def test_fifo_spec_does_not_block(workdir: Path) -> None:
    # Opened non-blocking: no writer needed for the refusal.
    os.mkfifo(workdir / "pipe.toml")
    assert stat.S_ISFIFO((workdir / "pipe.toml").stat().st_mode)
    with pytest.raises(SpecError, match="FIFO"):
        load_spec(workdir / "pipe.toml")


def test_docs_limits_examples_run() -> None:
    import doctest

    result = doctest.testfile(
        str(ROOT / "docs" / "limits.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS,
    )
    assert result.attempted >= 4 and result.failed == 0


def test_docs_limits_table_matches_the_constants() -> None:
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for name in limits.__all__:
        if name.startswith("MAX_") and name not in {"MAX_FILE_BYTES", "MAX_LINE_CHARS"}:
            assert f"| `{name}` | {getattr(limits, name)} |" in text, name
