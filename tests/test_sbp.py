"""SBP operators, closure stability for advection, and ranking point sets.

Oracles: the SBP identity and the accuracy conditions decided in exact
rationals, an energy argument (H-weighted symmetric part negative
semi-definite), numpy eigenvalues, and sympy's finite_diff_weights for the
one-sided closures.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy

from stencilgen.choose import rank
from stencilgen.cli import main
from stencilgen.errors import StencilgenError
from stencilgen.sbp import (
    advection_matrix,
    closure_matrix,
    largest_real_part,
    sbp_identity_holds,
    sbp_operator,
    stability,
)

SIZES = list(range(51, 202, 10))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("accuracy", "n"), [(2, 3), (2, 9), (2, 51), (4, 11), (4, 51)])
def test_sbp_identity_exact(accuracy: int, n: int) -> None:
    D, H = sbp_operator(accuracy, n)
    assert sbp_identity_holds(D, H)
    # Independent check with SymPy matrices: H D + D^T H = B.
    Dm = sympy.Matrix(
        [[sympy.Rational(x.numerator, x.denominator) for x in r] for r in D]
    )
    Hm = sympy.diag(*[sympy.Rational(x.numerator, x.denominator) for x in H])
    B = sympy.zeros(n, n)
    B[0, 0], B[n - 1, n - 1] = -1, 1
    assert Hm * Dm + Dm.T * Hm == B


@pytest.mark.parametrize(("accuracy", "boundary"), [(2, 1), (4, 2)])
def test_sbp_accuracy_exact(accuracy: int, boundary: int) -> None:
    n = 21
    D, _ = sbp_operator(accuracy, n)
    x = [Fraction(i) for i in range(n)]
    for k in range(accuracy + 1):
        values = [xi**k for xi in x]
        exact = [k * xi ** (k - 1) if k else Fraction(0) for xi in x]
        result = [sum(D[i][j] * values[j] for j in range(n)) for i in range(n)]
        edge = accuracy if accuracy == 2 else 4
        interior_ok = all(result[i] == exact[i] for i in range(edge, n - edge))
        boundary_ok = all(
            result[i] == exact[i] for i in (*range(edge), *range(n - edge, n))
        )
        assert interior_ok == (k <= accuracy)
        if k <= boundary:
            assert boundary_ok


@pytest.mark.parametrize("accuracy", [2, 4])
def test_sbp_advection_stable_n_51_to_201(accuracy: int) -> None:
    for n in SIZES:
        assert largest_real_part(advection_matrix("sbp", accuracy, n)) <= 1e-10


@pytest.mark.parametrize("accuracy", [2, 4])
def test_sbp_energy_estimate(accuracy: int) -> None:
    # H A + A^T H is negative semi-definite: the discrete energy never grows.
    n = 41
    A = advection_matrix("sbp", accuracy, n)
    _, H = sbp_operator(accuracy, n)
    Hf = np.diag([float(w) for w in H]) / (n - 1)
    assert np.max(np.linalg.eigvalsh(Hf @ A + A.T @ Hf)) <= 1e-12


def test_one_sided_closures_match_sympy() -> None:
    D = closure_matrix(4, 12)
    nodes = list(range(5))
    weights = sympy.finite_diff_weights(1, nodes, 0)[1][-1]
    assert [sympy.Rational(x.numerator, x.denominator) for x in D[0][:5]] == weights


def test_one_sided_closures_go_unstable_from_accuracy_4() -> None:
    assert stability("one-sided", 2, SIZES[::5]).stable
    for accuracy in (4, 6):
        report = stability("one-sided", accuracy, SIZES[::5])
        assert not report.stable
        assert report.largest[-1] > report.largest[0] > 0
        assert "unstable: eigenvalue" in report.describe()


def test_sbp_refuses_other_accuracies() -> None:
    with pytest.raises(StencilgenError, match=r"interior accuracy 2\s+and 4, got 6"):
        sbp_operator(6, 51)
    with pytest.raises(StencilgenError, match="n must be a whole number >= 11"):
        sbp_operator(4, 10)


def test_cli_stability(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stability", "--accuracy", "4", "--closure", "sbp")
    assert code == 0 and out.rstrip().splitlines()[-1].startswith("stable:")
    code, out, _ = run(
        capsys, "stability", "--accuracy", "6", "--json", "--sizes", "51,101"
    )
    assert code == 1
    doc = json.loads(out)
    assert (
        doc["stable"] is False
        and doc["largest_real_part"][1] > doc["largest_real_part"][0]
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--accuracy", "3"], "even number"),
        (["--accuracy", "4", "--sizes", "x"], "--sizes must be"),
        (["--accuracy", "6", "--closure", "sbp"], "accuracy 2"),
    ],
)
def test_cli_stability_bad_input(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "stability", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_rank_measures() -> None:
    ranked = rank(1, 4)
    central = next(c for c in ranked if c.stencil.offsets == (-2, -1, 0, 1, 2))
    assert central.error_constant == sympy.Rational(1, 30)
    assert central.weight_sum == sympy.Rational(3, 2)
    assert round(central.points_per_wavelength, 1) == 15.0
    ppw = [c.points_per_wavelength for c in ranked]
    assert ppw == sorted(ppw)
    by_sum = rank(1, 4, by="weight_sum")
    assert by_sum[0].stencil.offsets == (-2, -1, 0, 1, 2)


def test_cli_rank(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rank", "-d", "1", "--accuracy", "4", "--json")
    assert code == 0
    rows = json.loads(out)
    assert all(r["accuracy"] >= 4 for r in rows)
    code, out, err = run(
        capsys, "rank", "-d", "1", "--accuracy", "4", "--candidates=-1,0,1"
    )
    assert code == 2 and "no candidate reaches accuracy 4" in err


def test_limits(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stability", "--accuracy", "4", "--sizes", "3:100:2")
    assert code == 2 and "MAX_STABILITY_SIZES" in err
    code, _, err = run(capsys, "stability", "--accuracy", "4", "--sizes", "5000")
    assert code == 2 and "MAX_STABILITY_N" in err
    with pytest.raises(StencilgenError, match="MAX_RANK_CANDIDATES"):
        rank(1, 2, [[0, k] for k in range(1, 70)])
