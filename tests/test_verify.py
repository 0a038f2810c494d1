"""Verification: it passes good modules and catches broken ones."""

from __future__ import annotations

import types

import numpy as np
import pytest

from stencilgen.build import render_body, run_checks
from stencilgen.cli import main
from stencilgen.kinds import operator as op_kind
from stencilgen.render import Renderer
from stencilgen.spec import parse_spec
from stencilgen.verify import (
    VerifyReport,
    VerifyRow,
    convergence_order,
    load_module,
    order_ok,
    perturbed_grid,
    polynomial_cases,
    smooth_cases,
)


def entry(text: str):  # type: ignore[no-untyped-def]
    return parse_spec(text, "s.toml").entries[0]


def rows_for(text: str, edit: tuple[str, str] | None = None) -> list[VerifyRow]:
    e = entry(text)
    _, source = render_body(e, Renderer())
    if edit is not None:
        assert edit[0] in source
        source = source.replace(edit[0], edit[1], 1)
    return run_checks(e, source)


def test_convergence_order_fits_the_log_log_slope() -> None:
    h = np.array([0.1, 0.05, 0.025, 0.0125])
    assert convergence_order(h, 3 * h**4) == pytest.approx(4.0)
    assert convergence_order(h, 3 * h**4 * (1 + 0.01 * np.arange(4))) == pytest.approx(
        4.0, abs=0.02
    )
    with pytest.raises(ValueError, match="at least two"):
        convergence_order([0.1], [0.2])


def test_order_tolerance_is_symmetric_and_point_three() -> None:
    assert order_ok(3.71, 4) and order_ok(4.29, 4)
    assert not order_ok(3.69, 4) and not order_ok(4.31, 4)
    assert not order_ok(float("nan"), 2)
    assert not order_ok(None, 2)  # a claim never measured fails


def test_test_functions_have_their_derivatives() -> None:
    x = np.linspace(0.0, 3.0, 7)
    for case in (*smooth_cases(), *smooth_cases(period=2.5), *polynomial_cases(3)):
        step = 1e-5
        numeric = (case.function(x + step) - case.function(x - step)) / (2 * step)
        np.testing.assert_allclose(case.derivative(1)(x), numeric, rtol=1e-7, atol=1e-7)
    periodic = smooth_cases(period=2.5)[0]
    np.testing.assert_allclose(
        periodic.function(x + 2.5), periodic.function(x), atol=1e-12
    )


def test_perturbed_grid_keeps_edge_geometry_across_refinements() -> None:
    coarse, fine = perturbed_grid(40, 0.0, 1.0), perturbed_grid(80, 0.0, 1.0)
    for x in (coarse, fine):
        assert x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0)
        spacing = np.diff(x)
        assert spacing.max() / spacing.min() > 1.3  # really non-uniform
    relative = np.diff(coarse)[:5] * 39
    np.testing.assert_allclose(np.diff(fine)[:5] * 79, relative)
    np.testing.assert_allclose(np.diff(coarse)[-5:], np.diff(coarse)[:5][::-1])


def test_good_operator_passes_with_measured_orders() -> None:
    (row,) = rows_for("[d]\nderivative = 2\naccuracy = 4\n")
    assert row.passed and row.claimed == 4
    assert row.interior == pytest.approx(4, abs=0.3)
    assert row.boundary == pytest.approx(4, abs=0.3)
    assert row.polynomial is not None and row.polynomial < 1e-10


def test_wrong_interior_weight_fails_polynomials_and_order() -> None:
    # The folded interior terms: polynomials and the measured order fail.
    (row,) = rows_for(
        "[d]\nderivative = 2\naccuracy = 4\n",
        ("c1 = 4 / 3 * scale", "c1 = 1.3333 * scale"),
    )
    assert not row.passed
    assert row.polynomial is not None and row.polynomial > 1e-6
    assert row.interior is not None and row.interior < 1


def test_wrong_edge_weight_fails_only_the_boundary_order() -> None:
    # (the second row is the advection check of the first derivative's closures)
    row, closures = rows_for(
        "[d]\nderivative = 1\naccuracy = 2\n",
        ("_LEFT0 = (-3 / 2, 2.0, -1 / 2)", "_LEFT0 = (-3 / 2, 2.0, -0.4999)"),
    )
    assert closures.function == "d closures"
    assert not row.passed
    assert row.interior == pytest.approx(2, abs=0.3)
    assert row.boundary is not None and row.boundary < 1


def test_three_point_second_derivative_on_coordinates_is_caught() -> None:
    # What findiff does on non-uniform grids: three points for f''. It claims
    # accuracy 2 but measures 1 on perturbed grids; the verifier must say so.
    e = entry('[d]\nderivative = 2\naccuracy = 2\ngrid = "coordinates"\n')

    def three_point(f: np.ndarray, x: np.ndarray) -> np.ndarray:
        hs, hd = np.diff(x)[:-1], np.diff(x)[1:]
        out = np.empty_like(f)
        out[1:-1] = 2 * (hs * f[2:] - (hs + hd) * f[1:-1] + hd * f[:-2])
        out[1:-1] /= hs * hd * (hs + hd)
        out[0], out[-1] = out[1], out[-2]
        return out

    module = types.ModuleType("d")
    module.d = three_point  # type: ignore[attr-defined]
    rows = op_kind.verify(op_kind.derive(e.config), module)
    perturbed = next(row for row in rows if row.note == "perturbed x")
    assert not perturbed.passed
    assert perturbed.interior is not None and perturbed.interior < 1.5


def test_module_that_fails_to_import_or_check_is_one_failed_row() -> None:
    e = entry("[d]\nderivative = 1\naccuracy = 2\n")
    (row,) = run_checks(e, "import numpy as np\nraise RuntimeError('boom')\n")
    assert not row.passed and row.note == "RuntimeError: boom"
    (row,) = run_checks(e, "x = 1\n")  # no function d
    assert not row.passed and "AttributeError" in row.note


def test_load_module_runs_in_memory_only() -> None:
    import sys

    module = load_module("VALUE = 6 * 7\n", "stencilgen_test_memory_module")
    assert module.VALUE == 42
    assert "stencilgen_test_memory_module" not in sys.modules


def test_report_table_and_ok() -> None:
    good = VerifyRow("a", "a", 2, 2.0, None, 1e-16, True, "uniform")
    bad = VerifyRow("b", "b", 4, 3.1, 3.9, 2e-3, False, "perturbed x")
    report = VerifyReport((good, bad))
    assert not report.ok and VerifyReport((good,)).ok
    lines = report.table().splitlines()
    assert lines[1].split() == ["a", "a", "2", "2.00", "-", "1.0e-16", "ok", "uniform"]
    assert lines[2].split()[-3:] == ["FAILED", "perturbed", "x"]


def test_verify_command_on_the_committed_modules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(["verify"])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert code == 0, out
    names = {line.split()[0] for line in out.splitlines()[1:]}
    assert {"d1_central2", "d2_central8", "d2_nonuniform2", "d1_staggered4"} <= names
