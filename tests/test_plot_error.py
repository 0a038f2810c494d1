"""``stencilgen plot-error`` and :mod:`stencilgen.plotting`."""

from __future__ import annotations

import os
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from stencilgen import central, make_stencil
from stencilgen.cli import main
from stencilgen.errors import ExpressionError
from stencilgen.plotting import draw, error_curve, parse_function, parse_point
from stencilgen.steps import step_rule

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_cli_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "error.png"
    args = ["plot-error", "-d", "1", "--offsets=-1,0,1", "--function", "sin(x)"]
    code = main([*args, "--at", "1", "-o", str(out)])
    assert code == 0
    data = out.read_bytes()
    assert png_size(data) == (750, 500)
    assert len(data) > 20_000  # a real picture, not an empty canvas
    assert data.rstrip()[-8:-4] == b"IEND"
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out}: default step h = 8.733e-06")
    assert list(tmp_path.iterdir()) == [out]  # no temporary left behind
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_cli_family_stencil_and_second_derivative(tmp_path: Path) -> None:
    out = tmp_path / "d2.png"
    args = ["-d", "2", "--kind", "forward", "--accuracy", "2", "--function", "exp(x)"]
    assert main(["plot-error", *args, "--at", "1/2", "-o", str(out)]) == 0
    assert png_size(out.read_bytes()) == (750, 500)


def test_the_marked_step_is_inside_the_range_and_near_the_bottom() -> None:
    stencil = make_stencil(1, [-1, 0, 1])
    curve = error_curve(stencil, parse_function("sin(x)"), parse_point("1"))
    assert curve.steps[0] < curve.chosen_step < curve.steps[-1]
    assert curve.chosen_step == pytest.approx(step_rule(stencil).relative_step())
    # V shape: far larger errors on both sides, the chosen one near the bottom.
    index = int(np.searchsorted(curve.steps, curve.chosen_step))
    assert curve.errors[index] == curve.chosen_error
    assert np.nanmedian(curve.errors[:20]) > 1e4 * curve.chosen_error
    assert np.nanmedian(curve.errors[-5:]) > 1e4 * curve.chosen_error
    assert curve.chosen_error < 5 * curve.best_error
    figure = draw(curve)
    axes = figure.axes[0]
    low, high = axes.get_xlim()
    assert low < curve.chosen_step < high
    marked = [
        line.get_xdata()[0]
        for line in axes.get_lines()
        if line.get_xdata()[0] == curve.chosen_step
    ]
    assert len(marked) == 2  # the vertical line and the point on the curve


def test_predicted_lines_follow_the_measured_errors() -> None:
    """Truncation line = measured error at large h; round-off line bounds the rest."""
    stencil = central(1, 4)
    curve = error_curve(stencil, parse_function("exp(x)"), parse_point("1/2"))
    large = (curve.steps > 30 * curve.chosen_step) & (curve.steps < 0.1)
    assert np.allclose(curve.errors[large], curve.truncation[large], rtol=0.05)
    small = curve.steps < curve.chosen_step / 30
    assert np.all(curve.errors[small] < 2 * curve.round_off[small])
    # The two predictions cross at h* where truncation = (m/p)·round-off.
    index = int(np.searchsorted(curve.steps, curve.chosen_step))
    ratio = curve.truncation[index] / curve.round_off[index]
    # f = exp: |f| = |f^(5)|, so at |x| <= 1 the assumption holds exactly.
    assert ratio == pytest.approx(1 / 4, rel=1e-6)


def test_without_matplotlib_the_command_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [
        m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises ImportError
    out = tmp_path / "error.png"
    code = main(["plot-error", "-d", "1", "--function", "sin(x)", "-o", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'stencilgen[plot]'" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--function", "system(x)"], "unknown function 'system'"),
        (["--function", "sin(y)"], "unknown name 'y'; use only x, pi, e"),
        (["--function", "__import__('os').system('ls')"], "cannot parse"),
        (["--function", "sin(x, 2)"], r"sin\(\) at column 1 takes one argument"),
        (["--function", "log(x)", "--at", "-1"], "not a finite real number"),
        (["--function", "sin(x)", "--at", "q"], "unknown name 'q'"),
        (["--function", "3", "--offsets=-1,0,1"], "error is zero or undefined"),
        (["--function", "sin(x)", "--offsets=0,hd"], "symbolic"),
        (["--function", "sin(x)", "-o", "missing/dir/e.png"], "does not exist"),
        (
            ["--function", "sin(x)", "-o", "e5.txt"],
            r"must end in \.png, e\.g\. -o e5\.png",
        ),
        (
            ["--function", "sin(x)", "-o", "plot"],
            r"must end in \.png, e\.g\. -o plot\.png",
        ),
    ],
)
def test_bad_input_exits_2(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plot-error", "-d", "1", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("stencilgen plot-error: error: ")
    assert re.search(message, err), err
    assert list(tmp_path.iterdir()) == []


def test_function_parser_builds_the_expected_expression() -> None:
    f = parse_function("x**2 - 2*x*sin(pi/2) + exp(1)/x + sqrt(x)")
    x = 1.7
    value = float(f.subs(sympy.Symbol("x"), sympy.Rational(17, 10)))
    assert value == pytest.approx(x**2 - 2 * x + np.e / x + np.sqrt(x), rel=1e-15)
    assert parse_point("e") == sympy.E
    with pytest.raises(ExpressionError, match="unknown function 'eval'"):
        parse_function("eval(x)")
