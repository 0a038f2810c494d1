"""``stencilgen analyze`` on the command line: output, expectations, files, exits."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stencilgen import cli


@pytest.fixture(autouse=True)
def only_analyze(monkeypatch):
    # Parse with this subcommand alone, so other commands' work cannot interfere.
    monkeypatch.setattr(cli, "COMMANDS", ("analyze",))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_of_a_consistent_formula(capsys):
    code, out, err = run(capsys, "(f(x+h) - f(x-h))/(2*h)")
    assert code == 0 and err == ""
    assert "approximates:   f'(x)  (derivative 1)" in out
    assert "accuracy:       2  (as h → 0)" in out
    assert "leading error:  h²·f'''(x)/6  (approximation − exact)" in out
    assert "expansion:      f'(x) + h²·f'''(x)/6 + h⁴·f⁽⁵⁾(x)/120 + O(h⁶)" in out
    assert "second-order central difference" in out


def test_typo_case_is_caught_with_its_hint(capsys):
    code, out, err = run(capsys, "(f(x) - f(x-h))/2")
    assert code == 0 and err == ""
    assert "consistent:     no — it tends to 0 as h → 0, like h·f'(x)/2" in out
    assert "expansion:      h·f'(x)/2 - h²·f''(x)/4 + h³·f'''(x)/12 + O(h⁴)" in out
    assert "dividing by h instead of 2 makes it the first-order backward" in out


def test_json_keys(capsys):
    code, out, _ = run(capsys, "(f(x+h) - f(x-h))/(2*h)", "--json", "--terms", "3")
    assert code == 0
    document = json.loads(out)
    assert document["derivative"] == 1
    assert document["accuracy"] == 2
    assert document["leading_error"] == "h**2*Derivative(f(x), (x, 3))/6"
    assert document["consistent"] is True
    assert [term["power"] for term in document["series"]] == [0, 2, 4, 6]
    assert document["series"][2]["term"] == "h**4*Derivative(f(x), (x, 5))/120"
    assert document["error_convention"] == "approximation - exact"


def test_json_of_an_inconsistent_formula(capsys):
    code, out, _ = run(capsys, "(f(x) - f(x-h))/2", "--json")
    assert code == 0  # analysed fine; inconsistency fails only an expectation
    document = json.loads(out)
    assert document["consistent"] is False
    assert document["derivative"] is None and document["accuracy"] is None
    # No exact value to subtract: the dominant term is what makes it wrong.
    assert document["leading_error"] == "h*Derivative(f(x), x)/2"
    assert document["series"][0] == {"power": 1, "term": "h*Derivative(f(x), x)/2"}
    assert "dividing by h instead of 2" in document["hint"]


def test_latex(capsys):
    code, out, _ = run(capsys, "(f(x+h) - f(x))/h", "--latex", "--terms", "1")
    assert code == 0
    assert out.strip().endswith(
        r"= f^{\prime}{\left(x \right)} + \frac{h f^{\prime\prime}{\left(x \right)}}"
        r"{2} + O\left(h^{2}\right)"
    )


def test_solve_prints_the_founding_solution(capsys):
    code, out, _ = run(
        capsys,
        "a*f(x) + b*f(x+hd) + c*f(x-hs)",
        "--solve",
        "a,b,c",
        "--derivative",
        "1",
    )
    assert code == 0
    assert "solution:       a = (hd - hs)/(hd·hs)" in out
    assert "                b = hs/(hd·(hd + hs))" in out
    assert "                c = -hd/(hs·(hd + hs))" in out
    assert "leading error:  hd·hs·f'''(x)/6" in out
    assert "accuracy:       2  (as hd, hs → 0 together)" in out


def test_solve_in_json(capsys):
    code, out, _ = run(
        capsys,
        "a*(f(x+h) - f(x-h)) + b*(f(x+2*h) - f(x-2*h))",
        "--solve",
        "a,b",
        "--derivative",
        "1",
        "--json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["solution"] == {"a": "2/(3*h)", "b": "-1/(12*h)"}
    assert document["accuracy"] == 4
    assert document["name"] == "fourth-order central difference"


def test_file_latex(capsys, tmp_path):
    path = tmp_path / "formulas.txt"
    path.write_text("(f(x+h) - f(x))/h\n(f(x) - f(x-h))/h\n", encoding="utf-8")
    code, out, _ = run(capsys, "--file", str(path), "--latex")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert all("= f^{\\prime}{\\left(x \\right)}" in line for line in lines)


def test_where_and_spacing_options(capsys):
    code, out, _ = run(
        capsys, "a*(u[i+1] - u[i-1])", "--where", "a=1/(2*dx)", "--spacing", "dx"
    )
    assert code == 0
    assert "leading error:  dx²·u'''(x)/6" in out


@pytest.mark.parametrize(
    ("argv", "code", "reason"),
    [
        (["(f(x+h)-f(x-h))/(2*h)", "--expect-derivative", "1"], 0, ""),
        (["(f(x+h)-f(x-h))/(2*h)", "--expect-accuracy", "2"], 0, ""),
        (["(f(x+h)-f(x))/h", "--expect-accuracy", "2"], 1, "got accuracy 1"),
        (["(f(x+h)-f(x))/h", "--expect-derivative", "2"], 1, "got derivative 1"),
        (
            ["(f(x) - f(x-h))/2", "--expect-derivative", "1"],
            1,
            "expected derivative 1, but the formula is not consistent",
        ),
        (["f(x)", "--expect-accuracy", "9"], 0, ""),  # exact meets any accuracy
    ],
)
def test_expectations_are_a_build_check(capsys, argv, code, reason):
    got, _, err = run(capsys, *argv)
    assert got == code
    if reason:
        assert reason in err
        assert len(err.strip().splitlines()) == 1
    else:
        assert err == ""


def test_json_records_the_expectation(capsys):
    code, out, _ = run(capsys, "(f(x+h)-f(x))/h", "--json", "--expect-accuracy", "2")
    assert code == 1
    assert json.loads(out)["expectation"] == {
        "derivative": None,
        "accuracy": 2,
        "ok": False,
        "reason": "expected accuracy >= 2, got accuracy 1",
    }


FORMULAS = """\
# stencils used in the solver
central:  (f(x+h) - f(x-h))/(2*h)      | derivative=1 accuracy=2
second:   (f(x+h) - 2*f(x) + f(x-h))/h**2  | derivative=2 accuracy=2
(f(x+h) - f(x))/h
typo:     (f(x) - f(x-h))/2            | derivative=1

"""


def test_file_rows_and_exit_code(capsys, tmp_path):
    path = tmp_path / "formulas.txt"
    path.write_text(FORMULAS, encoding="utf-8")
    code, out, err = run(capsys, "--file", str(path))
    assert code == 1
    rows = out.splitlines()
    assert len(rows) == 4
    assert rows[0].startswith("ok     central")
    assert "f'(x), accuracy 2, leading error h²·f'''(x)/6" in rows[0]
    assert rows[1].startswith("ok     second")
    assert rows[2].startswith("ok     (f(x+h) - f(x))/h")
    assert rows[3].startswith("FAIL   typo") and "not consistent" in rows[3]
    assert err.strip() == (
        f"{path}:5: typo: expected derivative 1, but the formula is not consistent: "
        "it tends to 0 as h → 0, like h·f'(x)/2"
    )
    # A global expectation applies to lines without their own.
    path.write_text("(f(x+h) - f(x))/h\n", encoding="utf-8")
    assert run(capsys, "--file", str(path), "--expect-accuracy", "2")[0] == 1
    assert run(capsys, "--file", str(path), "--expect-accuracy", "1")[0] == 0


def test_file_json(capsys, tmp_path):
    path = tmp_path / "formulas.txt"
    path.write_text(FORMULAS, encoding="utf-8")
    code, out, _ = run(capsys, "--file", str(path), "--json")
    assert code == 1
    documents = json.loads(out)
    assert [d["label"] for d in documents] == ["central", "second", None, "typo"]
    assert documents[0]["name"] == "second-order central difference"
    assert [d["line"] for d in documents] == [2, 3, 4, 5]
    assert [d["expectation"]["ok"] for d in documents] == [True, True, True, False]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("f(x) | order=2\n", ":1: cannot read the expectation 'order=2'"),
        ("# only comments\n\n", "holds no formula"),
        ("name:\n", ":1: expected \\[name:\\] formula"),
    ],
)
def test_file_errors_exit_2_with_one_line(capsys, tmp_path, content, match):
    path = tmp_path / "formulas.txt"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "--file", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert re.search(match, err)


def test_one_bad_formula_is_a_row_and_the_others_still_get_their_verdict(
    capsys, tmp_path
):
    path = tmp_path / "formulas.txt"
    path.write_text("good: f(x)\nbad: f(x)*f(x)\nlast: (f(x+h)-f(x))/h\n")
    code, out, err = run(capsys, "--file", str(path))
    assert code == 2
    rows = out.splitlines()
    assert [row.split()[:2] for row in rows] == [
        ["ok", "good"],
        ["ERROR", "bad"],
        ["ok", "last"],
    ]
    assert re.search(r":2: error: cannot analyse 'f\(x\)\*f\(x\)'", err)
    assert len(err.strip().splitlines()) == 1


def test_inconsistent_formula_has_no_name_in_json_only_a_repair_name(capsys):
    code, out, _ = run(capsys, "(f(x) - f(x-h))/2", "--json")
    document = json.loads(out)
    assert code == 0
    assert document["name"] is None
    assert document["repair_name"] == "first-order backward difference"


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--solve", "a,a,c", "--derivative", "1"], "'a' is given more than once"),
        (["--expect-derivative", "-1"], "expected derivative must be 0 or more"),
        (["--expect-accuracy", "0"], "expected accuracy must be 1 or more"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, argv, match):
    code, out, err = run(capsys, "a*f(x) + b*f(x+hd) + c*f(x-hs)", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert match in err


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "--file", str(tmp_path / "absent.txt"))
    assert code == 2 and "cannot read" in err


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        ([], "give a formula"),
        (["f(x)", "--file", "x.txt"], "not both"),
        (["f(x)*f(x+h)"], "column 5 multiplies two samples"),
        (["a*f(x)", "--solve", "a"], "--solve and --derivative go together"),
        (["f(x)", "--where", "a"], "--where takes NAME=EXPR"),
        (["(f(x+h)-f(x))/h", "--terms", "0"], "terms must be"),
        (["a*f(x+h)+b*f(x)", "--solve", "a,b", "--derivative", "2"], "no values"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, match):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("stencilgen analyze: error: ")
    assert match in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_payload_through_the_real_console_entry(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stencilgen",
            "analyze",
            '__import__("os").system("touch PWNED")',
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'__import__' at column 1 is not allowed" in result.stderr
    assert list(tmp_path.iterdir()) == []
