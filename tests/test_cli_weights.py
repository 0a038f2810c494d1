"""``stencilgen weights`` and ``stencilgen explain``: outputs, errors, exit codes.

The command line runs in-process through :func:`stencilgen.cli.main` (fast), plus
one real subprocess for the console script and ``python -m stencilgen``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from stencilgen import central, fd_weights
from stencilgen.cli import main
from stencilgen.display import stencil_latex

f = sympy.Function("f")
x, h, hd, hs = sympy.symbols("x h hd hs")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors exit directly
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- weights -------------------------------------------------------------------------


def test_weights_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "weights", "-d", "2", "--offsets=-2,-1,0,1,2")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "derivative 2, offsets in units of h"
    assert lines[1].split() == ["offset", "weight"]
    rows = [line.split() for line in lines[2:7]]
    assert rows == [
        ["-2", "-1/12"],
        ["-1", "4/3"],
        ["0", "-5/2"],
        ["1", "4/3"],
        ["2", "-1/12"],
    ]
    assert lines[7] == (
        "formula:        f''(x) ≈ -f(x - 2·h)/(12·h²) + 4·f(x - h)/(3·h²) "
        "- 5·f(x)/(2·h²) + 4·f(x + h)/(3·h²) - f(x + 2·h)/(12·h²)"
    )
    assert lines[8] == "accuracy:       4"
    assert lines[9] == "leading error:  -h⁴·f⁽⁶⁾(x)/90  (approximation − exact)"


def _sympify_trusted(text: str) -> sympy.Expr:
    # Test-only: this text is the program's own output, not user input.
    return sympy.sympify(text, locals={"f": f})


def test_weights_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "2", "--offsets=-2,-1,0,1,2", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["offsets"] == ["-2", "-1", "0", "1", "2"]
    assert doc["weights"] == ["-1/12", "4/3", "-5/2", "4/3", "-1/12"]
    assert doc["accuracy"] == 4 and isinstance(doc["accuracy"], int)
    assert isinstance(doc["leading_error"], str)
    leading = _sympify_trusted(doc["leading_error"])
    assert leading == -(h**4) / 90 * sympy.Derivative(f(x), (x, 6))
    assert leading == central(2, 4).leading_error
    # Exact strings that parse back to the engine's weights.
    parsed = tuple(sympy.Rational(w) for w in doc["weights"])
    assert parsed == fd_weights(2, [-2, -1, 0, 1, 2])


def test_weights_json_symbolic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "1", "--offsets=0,hd,-hs", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["offsets"] == ["0", "hd", "-hs"]
    common = hs * hd * (hs + hd)
    expected = [(hd**2 - hs**2) / common, hs**2 / common, -(hd**2) / common]
    for text, value in zip(doc["weights"], expected, strict=True):
        assert sympy.simplify(_sympify_trusted(text) - value) == 0
    assert doc["accuracy"] == 2
    assert _sympify_trusted(doc["leading_error"]) == hd * hs / 6 * sympy.Derivative(
        f(x), (x, 3)
    )


def test_weights_latex(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "1", "--offsets=-1,0,1", "--latex")
    assert code == 0
    assert out.strip() == stencil_latex(central(1, 2))
    assert r"\approx" in out and r"f^{\prime\prime\prime}{\left(x \right)}" in out


def test_weights_latex_staggered(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["weights", "-d", "1", "--offsets=0,1", "--at", "1/2", "--latex"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert r"f^{\prime\prime\prime}{\left(x + \frac{h}{2} \right)}" in out
    assert r"\right|_" not in out


def test_weights_forward_family(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "weights", "-d", "1", "--kind", "forward", "--accuracy", "4", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["offsets"] == ["0", "1", "2", "3", "4"]
    # Fornberg (1988), Table 3, first derivative, accuracy 4.
    assert doc["weights"] == ["-25/12", "4", "-3", "4/3", "-1/4"]
    assert doc["accuracy"] == 4
    assert _sympify_trusted(doc["leading_error"]) == -(h**4) / 5 * sympy.Derivative(
        f(x), (x, 5)
    )


def test_weights_default_family_is_central_accuracy_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "weights", "-d", "2", "--json")
    assert code == 0
    assert json.loads(out)["weights"] == ["1", "-2", "1"]
    # --accuracy defaults to 2 for every kind.
    code, out, _ = run(capsys, "weights", "-d", "1", "--kind", "backward", "--json")
    assert json.loads(out)["weights"] == ["1/2", "-2", "3/2"]


def test_weights_staggered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "1", "--offsets=0,1", "--at", "1/2")
    assert code == 0
    assert "evaluated at 1/2" in out.splitlines()[0]
    assert "formula:        f'(x + h/2) ≈ -f(x)/h + f(x + h)/h" in out
    assert "leading error:  h²·f'''(x + h/2)/24  (approximation − exact)" in out
    code, out, _ = run(
        capsys, "weights", "-d", "1", "--offsets=0,1", "--at", "1/2", "--json"
    )
    doc = json.loads(out)
    assert doc["weights"] == ["-1", "1"] and doc["accuracy"] == 2
    assert doc["at"] == "1/2"


def test_weights_symbolic_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "1", "--offsets=0,hd,-hs")
    assert code == 0
    assert "derivative 1, symbolic offsets" in out
    assert "leading error:  hd·hs·f'''(x)/6  (approximation − exact)" in out


def test_output_and_exact_stencil(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "weights", "-d", "0", "--offsets=-1,0,1")
    assert code == 0
    assert "accuracy:       exact (no truncation error)" in out


# -- explain -------------------------------------------------------------------------


def test_explain_founding_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "-d", "1", "--offsets=0,hd,-hs")
    assert (code, err) == (0, "")
    # The samples, their Taylor expansions, the system, its solution, the error.
    assert "f(x + hd) = f(x) + hd·f'(x) + hd²·f''(x)/2 + hd³·f'''(x)/6 + …" in out
    assert "f(x - hs) = f(x) - hs·f'(x) + hs²·f''(x)/2 - hs³·f'''(x)/6 + …" in out
    assert "a + b + c = 0" in out
    assert "b·hd - c·hs = 1" in out
    assert "b·hd² + c·hs² = 0" in out
    assert "a = (hd - hs)/(hd·hs)" in out
    assert "b = hs/(hd·(hd + hs))" in out
    assert "c = -hd/(hs·(hd + hs))" in out
    assert "hd·hs·f'''(x)/6" in out
    assert "accuracy 2" in out
    # The steps come in the order one does them by hand.
    steps = [out.index(f"\n{k}. ") for k in range(1, 6)]
    assert steps == sorted(steps)


def test_explain_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "-d", "1", "--offsets=0,hd,-hs", "--markdown")
    assert code == 0
    assert "**Moment equations**" in out
    assert out.count("$$") % 2 == 0 and out.count("$$") >= 10
    assert "a + b + c &= 0" in out
    assert "b hd - c hs &= 1" in out
    assert "b hd^{2} + c hs^{2} &= 0" in out
    assert r"a &= \frac{hd - hs}{hd hs}" in out
    assert r"\frac{hd hs f^{\prime\prime\prime}{\left(x \right)}}{6}" in out


def test_explain_latex(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "-d", "1", "--offsets=0,hd,-hs", "--latex")
    assert code == 0
    assert out.count(r"\begin{align*}") == out.count(r"\end{align*}") == 5
    assert "$$" not in out
    assert "b hd - c hs &= 1" in out
    # The neglected term reads as one does it by hand, not in SymPy's order.
    assert r"\frac{b hd^{3} - c hs^{3}}{6} f^{\prime\prime\prime}" in out


def test_explain_numeric_family(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "-d", "2")
    assert code == 0
    assert "   a = 1/h²\n   b = -2/h²\n   c = 1/h²\n" in out
    assert "··" not in out
    assert "h²·f⁽⁴⁾(x)/12" in out


def test_explain_rejects_both_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", "-d", "1", "--latex", "--markdown")
    assert code == 2
    assert "not allowed with argument" in err


# -- bad input: exit 2, one line on stderr, no traceback ------------------------------

BAD = [
    (
        ["weights", "-d", "1", "--offsets=0"],
        r"derivative 1 needs at least 2 offsets, got 1; add 1 more",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,1,1"],
        r"offsets 2 \(1\) and 3 \(1\) are the same point; every offset must be",
    ),
    (
        ["weights", "-d", "1", "--offsets=h,2*h/2,0"],
        r"offsets 1 \(h\) and 2 \(h\) are the same point",
    ),
    (
        ["weights", "-d", "-1", "--offsets=0,1"],
        r"derivative must be a whole number >= 0 .*; got -1",
    ),
    (
        ["weights", "-d", "1.5", "--offsets=0,1"],
        r"argument -d/--derivative: invalid int value: '1\.5'",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,inf"],
        r"--offsets: item 2 of '0,inf': .*'inf' at column 1 is not a finite number",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,nan"],
        r"--offsets: item 2 of '0,nan': .*'nan' at column 1 is not a finite number",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,1", "--at", "inf"],
        r"--at: .*'inf' at column 1 is not a finite number",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,h+"],
        r"--offsets: item 2 of '0,h\+': cannot parse 'h\+': expected a number",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,1,2**10**10"],
        r"exponent at column 2 must be a number between -64 and 64",
    ),
    (
        ["weights", "-d", "1", "--kind", "central", "--accuracy", "3"],
        r"central stencils have even accuracy only, got 3; use accuracy 2 or 4",
    ),
    (
        ["weights", "-d", "1", "--kind", "forward", "--accuracy", "0"],
        r"accuracy must be a whole number >= 1, got 0",
    ),
    (
        ["weights", "-d", "0", "--kind", "forward"],
        r"a forward stencil needs derivative >= 1, got 0",
    ),
    (
        ["weights", "-d", "1", "--kind", "sideways"],
        r"argument --kind: invalid choice: 'sideways'",
    ),
    (
        ["weights", "-d", "1", "--offsets="],
        r"--offsets: the list is empty; give comma-separated values",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,,1"],
        r"--offsets: item 2 of '0,,1' is empty; remove the extra comma",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,1", "--kind", "forward"],
        r"--kind/--accuracy choose a standard stencil and --offsets an explicit one",
    ),
    (
        ["weights", "-d", "1", "--at", "1/2"],
        r"--at needs explicit --offsets, e\.g\. --offsets=0,1 --at 1/2",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,x"],
        r"offsets may not contain the name 'x'",
    ),
    (
        ["weights", "-d", "1", "--offsets=-1,0,1", "--at", "h/2", "--json"],
        r"offset 1 \(-1\) is a number but at \(h/2\) is symbolic; give every "
        r"offset in the same units: numbers \(units of h, e\.g\. --at 1/2\) or "
        r"expressions such as -h,0,h",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,1,h"],
        r"offset 2 \(1\) is a number but offset 3 \(h\) is symbolic; give every",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,lambda"],
        r"--offsets: item 2 of '0,lambda': .*'lambda' at column 1 is a Python keyword",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,None"],
        r"'None' at column 1 is a Python keyword",
    ),
    (
        ["weights", "-d", "1", "--offsets=0,h", "--at", "True"],
        r"--at: .*'True' at column 1 is a Python keyword",
    ),
    (
        ["weights", "-d", "1", "--kind", "central", "--accuracy", "1"],
        r"got 1; use accuracy 2, or kind forward or backward\n",
    ),
    (["weights", "--offsets=0,1"], r"the following arguments are required: -d"),
    (
        ["explain", "-d", "1", "--offsets=0,0"],
        r"offsets 1 \(0\) and 2 \(0\) are the same point",
    ),
    (
        ["explain", "-d", "3", "--offsets=0,hd,-hs"],
        r"derivative 3 needs at least 4 offsets, got 3; add 1 more",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("stencilgen ")
    assert re.search(message, err), err


def test_injection_is_rejected_and_runs_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    payload = '__import__("os").system("touch PWNED")'
    code, out, err = run(capsys, "weights", "-d", "1", f"--offsets={payload}")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "--offsets: cannot parse" in err
    assert "unexpected character '\"' at column 12" in err
    for argv in (
        ["weights", "-d", "1", "--offsets=0,1", f"--at={payload}"],
        ["explain", "-d", "1", f"--offsets=0,{payload}"],
        ["weights", "-d", "1", "--offsets=0,__import__('os')"],
    ):
        assert run(capsys, *argv)[0] == 2
    assert list(tmp_path.iterdir()) == []


# -- the real console script -------------------------------------------------------


@pytest.mark.slow
def test_console_script_and_module(tmp_path: Path) -> None:
    script = shutil.which("stencilgen", path=os.path.dirname(sys.executable))
    assert script is not None, "the stencilgen console script is not installed"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [script, "weights", "-d", "1", "--offsets=-1,0,1", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["weights"] == ["-1/2", "0", "1/2"]
    payload = '--offsets=__import__("os").system("touch PWNED")'
    failed = subprocess.run(
        [sys.executable, "-m", "stencilgen", "weights", "-d", "1", payload],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "-d", "2"],
        ["explain", "-d", "4", "--kind", "forward", "--accuracy", "2"],
        ["explain", "-d", "1", "--offsets=0,1", "--at", "1/2"],
        ["explain", "-d", "2", "--offsets=0,hd,-hs"],
        ["explain", "-d", "0", "--offsets=-1,1"],
        ["weights", "-d", "3", "--offsets=-h1-h2,-h1,0,h3,h3+h4"],
        ["weights", "-d", "1", "--offsets=0,1/2,3/2", "--at", "1/3"],
    ],
)
def test_plain_text_is_free_of_sympy_syntax(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    for raw in ("**", "··", "Derivative(", "Subs(", "h·(-"):
        assert raw not in out, (raw, out)


def test_json_error_derivative_and_its_deprecated_alias(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["weights", "-d", "2", "--offsets=-1,0,1", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["error_derivative"] == payload["error_order"] == 4
