"""N-D operators: the engine against independent oracles.

Oracles: SymPy's own Taylor series of the stencil applied to exponentials (never
the engine's moment code), exactness on polynomials by direct substitution,
published weights (5-point, 9-point "Mehrstellen" 1-4-20 Laplacian, the
fourth-order cross), and ``sympy.finite_diff_weights`` along each axis.
"""

from __future__ import annotations

import itertools
import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import stencilgen
from stencilgen import Operator, operator
from stencilgen.cli import main
from stencilgen.errors import ExpressionError, StencilError
from stencilgen.nd import OperatorFamilyError

X, Y, Z = sympy.symbols("x y z")
HX, HY, HZ = sympy.symbols("h_x h_y h_z", positive=True)
U = sympy.Function("u")
BOX = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]


def apply(op: Operator, func: sympy.Expr) -> sympy.Expr:
    """The stencil applied to an explicit function of x, y, z (by substitution)."""
    variables = [sympy.Symbol(d) for d in op.dims]
    total = sympy.S.Zero
    for point, weight in zip(op.points, op.weights, strict=True):
        shifted = {
            v: v + o * h for v, o, h in zip(variables, point, op.steps, strict=True)
        }
        total += weight * func.xreplace(shifted)
    return total


def exact(op: Operator, func: sympy.Expr) -> sympy.Expr:
    variables = [sympy.Symbol(d) for d in op.dims]
    total = sympy.S.Zero
    for alpha, c in op.terms.items():
        pairs = [(v, a) for v, a in zip(variables, alpha, strict=True) if a]
        total += c * (sympy.diff(func, *pairs) if pairs else func)
    return total


def on(expr: sympy.Expr, func: sympy.Expr, dims: tuple[str, ...]) -> sympy.Expr:
    """Replace u(x, y, ...) and its derivatives in ``expr`` by ``func``'s."""
    u = U(*[sympy.Symbol(d) for d in dims])
    return expr.subs(u, func).doit()


def test_five_point_laplacian_matches_the_contract():
    op = operator("u_xx + u_yy")
    assert op.dims == ("x", "y")
    table = dict(zip(op.points, op.weights, strict=True))
    assert set(table) == {(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)}
    assert sympy.simplify(table[(0, 0)] - (-2 / HX**2 - 2 / HY**2)) == 0
    assert table[(1, 0)] == 1 / HX**2 and table[(0, -1)] == 1 / HY**2
    assert op.accuracy == 2
    u = U(X, Y)
    expected = HX**2 / 12 * u.diff(X, 4) + HY**2 / 12 * u.diff(Y, 4)
    assert sympy.simplify(op.leading_error - expected) == 0
    assert all(
        isinstance(p, tuple) and all(type(o) is int for o in p) for p in op.points
    )


def test_step_symbols_are_positive():
    op = operator("u_xy")
    assert {s.name for w in op.weights for s in w.free_symbols} == {"h_x", "h_y"}
    assert all(s.is_positive for w in op.weights for s in w.free_symbols)


@pytest.mark.parametrize(
    ("expression", "accuracy"),
    [
        ("u_xx + u_yy", 2),
        ("u_xx + u_yy", 4),
        ("u_xy", 2),
        ("u_xy", 4),
        ("2*u_x - 3*u_yy", 2),
        ("u_xx + u_yy + u_zz", 2),
        ("u_xxy + u_y", 2),
        ("c*u_xxx", 2),
    ],
)
def test_leading_error_agrees_with_sympy_series_on_exponentials(expression, accuracy):
    # Independent oracle: on u = exp(k·x) the stencil divided by u is
    # Σ_j w_j exp(k·(p_j∘h)) and the operator is its symbol; SymPy's series of
    # their difference along the ray h_x = h, h_y = 2h/3, h_z = h/2 must start with
    # the engine's leading error evaluated on the same function.
    op = operator(expression, accuracy)
    k = {
        "x": sympy.Rational(1, 2),
        "y": sympy.Rational(-1, 3),
        "z": sympy.Rational(2, 5),
    }
    h = sympy.Symbol("h", positive=True)
    ray = {HX: h, HY: 2 * h / 3, HZ: h / 2}
    stencil = sympy.Add(
        *[
            w.xreplace(ray)
            * sympy.exp(
                sum(
                    k[d] * o * s for d, o, s in zip(op.dims, p, op.steps, strict=True)
                ).xreplace(ray)
            )
            for p, w in zip(op.points, op.weights, strict=True)
        ]
    )
    symbol = sympy.Add(
        *[
            c * sympy.Mul(*[k[d] ** a for d, a in zip(op.dims, alpha, strict=True)])
            for alpha, c in op.terms.items()
        ]
    )
    series = sympy.expand(
        sympy.series(stencil - symbol, h, 0, op.accuracy + 1).removeO()
    )
    func = sympy.exp(sum(k[d] * sympy.Symbol(d) for d in op.dims))
    leading = sympy.expand((on(op.leading_error, func, op.dims) / func).xreplace(ray))
    assert sympy.simplify(series - leading) == 0
    assert leading != 0


@pytest.mark.parametrize(
    ("expression", "accuracy"),
    [("u_xx + u_yy", 2), ("u_xx + u_yy", 4), ("u_xy", 4), ("u_xx + u_yy + u_zz", 4)],
)
def test_exact_on_polynomials_below_the_accuracy(expression, accuracy):
    op = operator(expression, accuracy)
    degree = max(sum(a) for a in op.terms) + op.accuracy - 1
    variables = [sympy.Symbol(d) for d in op.dims]
    for powers in itertools.product(range(degree + 1), repeat=len(variables)):
        if sum(powers) > degree:
            continue
        mono = sympy.Mul(*[v**p for v, p in zip(variables, powers, strict=True)])
        assert sympy.expand(apply(op, mono) - exact(op, mono)) == 0, mono


@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_pure_derivatives_are_the_1d_weights_along_each_axis(accuracy):
    op = operator("u_xx + u_yy", accuracy)
    offsets = list(range(-accuracy // 2, accuracy // 2 + 1))
    oracle = sympy.finite_diff_weights(2, offsets, 0)[2][-1]
    table = dict(zip(op.points, op.weights, strict=True))
    for o, w in zip(offsets, oracle, strict=True):
        if o == 0:
            continue
        assert table[(o, 0)] == w / HX**2
        assert table[(0, o)] == w / HY**2
    assert (
        sympy.simplify(
            table[(0, 0)] - oracle[offsets.index(0)] * (1 / HX**2 + 1 / HY**2)
        )
        == 0
    )


def test_fourth_order_cross_published_weights():
    op = operator("u_xx + u_yy", 4)
    table = dict(zip(op.points, op.weights, strict=True))
    assert table[(2, 0)] == -sympy.Rational(1, 12) / HX**2
    assert table[(1, 0)] == sympy.Rational(4, 3) / HX**2
    assert op.accuracy == 4


def test_mixed_partial_is_the_tensor_product():
    op = operator("u_xy")
    table = dict(zip(op.points, op.weights, strict=True))
    quarter = 1 / (4 * HX * HY)
    assert table == {
        (-1, -1): quarter,
        (-1, 1): -quarter,
        (1, -1): -quarter,
        (1, 1): quarter,
    }
    u = U(X, Y)
    expected = HX**2 / 6 * u.diff(X, 3, Y) + HY**2 / 6 * u.diff(X, Y, 3)
    assert sympy.simplify(op.leading_error - expected) == 0


def test_smaller_point_set_is_reported_and_reaches_the_accuracy():
    op = operator("u_xy", 4)
    assert len(op.points) == 16
    assert op.note is not None and "12 points instead of 16" in op.note
    start = op.note.index("points=") + len("points=")
    smaller = eval(op.note[start:-2])  # a list literal of int tuples, written by us
    other = operator("u_xy", 4, points=smaller)
    assert other.accuracy == 4 and len(other.points) == 12
    assert operator("u_xx + u_yy").note is None


def test_box_is_a_family_never_chosen_silently():
    with pytest.raises(OperatorFamilyError, match=r"free weights w\[1,1\]") as info:
        operator("u_xx + u_yy", points=BOX)
    assert isinstance(info.value, ValueError)
    assert info.value.free == (sympy.Symbol("w[1,1]"),)
    # The family really is a family: every member is exact on cubics.
    t = info.value.free[0]
    family = dict(zip(info.value.points, info.value.weights, strict=True))
    assert family[(1, 1)] == t and family[(-1, -1)] == t


def test_isotropic_member_is_the_mehrstellen_nine_point_stencil():
    op = operator("u_xx + u_yy", points=BOX, choose="isotropic")
    h = sympy.Symbol("h", positive=True)
    table = {
        p: sympy.simplify(w.xreplace({HX: h, HY: h}) * 6 * h**2)
        for p, w in zip(op.points, op.weights, strict=True)
    }
    assert table == {
        (-1, -1): 1, (-1, 0): 4, (-1, 1): 1,
        (0, -1): 4, (0, 0): -20, (0, 1): 4,
        (1, -1): 1, (1, 0): 4, (1, 1): 1,
    }  # fmt: skip
    u = U(X, Y)
    laplacian2 = u.diff(X, 4) + 2 * u.diff(X, 2, Y, 2) + u.diff(Y, 4)
    assert (
        sympy.simplify(
            op.leading_error.xreplace({HX: h, HY: h}) - h**2 / 12 * laplacian2
        )
        == 0
    )


def test_smallest_error_member_is_the_five_point_stencil():
    op = operator("u_xx + u_yy", points=BOX, choose="smallest-error")
    five = operator("u_xx + u_yy")
    assert {p: w for p, w in zip(op.points, op.weights, strict=True) if w != 0} == dict(
        zip(five.points, five.weights, strict=True)
    )


def test_free_fixes_the_family():
    op = operator("u_xx + u_yy", points=BOX, free={(1, 1): "1/(6*h_x*h_y)"})
    assert op.weight((1, 1)) == 1 / (6 * HX * HY)
    assert op.accuracy == 2
    with pytest.raises(StencilError, match="not in points"):
        operator("u_xx + u_yy", points=BOX, free={(2, 2): 1})


def test_point_set_without_a_stencil_names_the_condition():
    cross = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
    with pytest.raises(StencilError, match=r"moment condition Σ w·px·py = 1 .*u_xy"):
        operator("u_xy", points=cross)
    with pytest.raises(StencilError, match=r"u_xx at accuracy 4: the moment condition"):
        operator("u_xx", 4, points=[(-1,), (0,), (1,)])


def test_explicit_points_reproduce_the_default():
    default = operator("u_xx + u_yy + u_zz", 4)
    again = operator("u_xx + u_yy + u_zz", 4, points=default.points)
    assert again.weights == default.weights
    assert again.leading_error == default.leading_error


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("u_x*u_y", "multiplies two terms in u"),
        ("sin(u)", r"the call sin\(...\)"),
        ("u_x + 1", "adds a term without u"),
        ("u_x**2", "raises a term in u to a power"),
        ("x*u_xx", "is a variable"),
        ("h_x*u_xx", "is a grid step"),
        ("f_xx", "no derivative of u"),
        ("u_xx - u_xx", "the operator is zero"),
        ("u_x1", "is not a derivative"),
        ("__import__('os')", "cannot parse"),
    ],
)
def test_bad_expressions_are_one_clear_line(expression, message):
    with pytest.raises(ExpressionError, match=message) as info:
        operator(expression)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy": 3}, "even"),
        ({"accuracy": 0}, "from 1 to"),
        ({"points": [(0, 0), (1,)]}, "has 1 coordinates"),
        ({"points": [(0, 0.5)]}, "whole numbers"),
        ({"points": [(0, 0), (0, 0)]}, "given twice"),
        ({"choose": "nicest"}, "choose must be one of"),
        ({"free": {(0, 0): 1}}, "give points= too"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(StencilError, match=message):
        operator("u_xx + u_yy", **kwargs)


@settings(max_examples=15, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["u_xx", "u_yy", "u_xy", "u_x", "u_y", "u"]),
        st.integers(-3, 3).filter(bool),
        min_size=1,
    ),
    st.sampled_from([2, 4]),
)
def test_any_linear_combination_is_exact_on_low_degree_polynomials(terms, accuracy):
    # Each part of derivative order s is exact up to degree s + accuracy - 1.
    if set(terms) == {"u"}:
        with pytest.raises(ExpressionError, match="no derivative of u"):
            operator("u", accuracy)
        return
    expression = " + ".join(f"({c})*{name}" for name, c in terms.items())
    op = operator(expression, accuracy)
    assert op.accuracy is not None and op.accuracy >= accuracy
    degree = min(sum(a) for a in op.terms if sum(a)) + accuracy - 1
    variables = [sympy.Symbol(d) for d in op.dims]
    for powers in itertools.product(range(degree + 1), repeat=len(variables)):
        if sum(powers) <= degree:
            mono = sympy.Mul(*[v**p for v, p in zip(variables, powers, strict=True)])
            assert sympy.expand(apply(op, mono) - exact(op, mono)) == 0, mono


# -- analyze ---------------------------------------------------------------------------


def test_analyze_five_point_laplacian_in_both_notations():
    for formula in (
        "(u(x+h, y) + u(x-h, y) + u(x, y+h) + u(x, y-h) - 4*u(x, y))/h**2",
        "(u[i+1,j] + u[i-1,j] + u[i,j+1] + u[i,j-1] - 4*u[i,j])/h**2",
    ):
        a = stencilgen.analyze(formula)
        assert a.operator == "u_xx + u_yy"
        assert a.accuracy == 2 and a.consistent and a.derivative is None
        h = sympy.Symbol("h")
        u = U(X, Y)
        expected = h**2 / 12 * (u.diff(X, 4) + u.diff(Y, 4))
        assert sympy.simplify(a.leading_error - expected) == 0


def test_analyze_grid_notation_takes_per_axis_steps_from_the_formula():
    a = stencilgen.analyze(
        "(u[i+1,j+1] - u[i+1,j-1] - u[i-1,j+1] + u[i-1,j-1])/(4*h_x*h_y)"
    )
    assert a.operator == "u_xy" and a.accuracy == 2
    assert {s.name for s in a.steps} == {"h_x", "h_y"}


def test_analyze_round_trips_the_engine():
    op = operator("u_xx + u_yy + u_zz", 4)
    a = stencilgen.analyze(str(op.formula))
    assert a.operator == "u_xx + u_yy + u_zz" and a.accuracy == 4
    assert str(a.leading_error) == str(op.leading_error)  # plain vs positive steps


def test_analyze_wrong_corner_sign_is_caught_with_a_hint():
    formula = (
        "(u(x+h,y+h) + u(x-h,y+h) + u(x+h,y-h) - u(x-h,y-h) + 4*u(x+h,y) + 4*u(x-h,y)"
        " + 4*u(x,y+h) + 4*u(x,y-h) - 20*u(x,y))/(6*h**2)"
    )
    a = stencilgen.analyze(formula)
    assert not a.consistent and a.operator is None and a.accuracy is None
    assert "grows without bound" in a.reason
    assert "opposite sign on u(x - h, y - h)" in a.hint
    assert "u_xx + u_yy with accuracy 2" in a.hint


def test_analyze_missing_division_is_hinted():
    a = stencilgen.analyze("u(x+h, y) + u(x-h, y) + u(x, y+h) + u(x, y-h) - 4*u(x, y)")
    assert not a.consistent and "dividing it by h**2" in a.hint


def test_analyze_one_dimensional_results_are_unchanged():
    a = stencilgen.analyze("(f(x+h) - f(x-h))/(2*h)")
    assert isinstance(a, stencilgen.Analysis) and a.derivative == 1


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("u(x+h, y)*u(x, y)", "multiplies two samples"),
        ("u(x+h, y) - u(x)", "has 1 arguments"),
        ("u(x+h, y) - v(x, y)", "not a sample of 'u'"),
        ("u[i+1, j] - u(x, y)", "mixes"),
        ("u[i+h, j] - u[i, j]", "plus a number"),
        ("u(x+h**2, y) - u(x, y)", "not a multiple of the steps"),
    ],
)
def test_analyze_bad_multivariate_formulas(formula, message):
    with pytest.raises(ExpressionError, match=message):
        stencilgen.analyze(formula)


# -- command line ----------------------------------------------------------------------


def test_cli_weights_operator_json(capsys):
    assert (
        main(["weights", "--operator", "u_xx + u_yy", "--accuracy", "4", "--json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["dims"] == ["x", "y"] and doc["accuracy"] == 4
    assert [0, 0] in doc["points"] and all(
        isinstance(o, int) for p in doc["points"] for o in p
    )
    centre = doc["weights"][doc["points"].index([0, 0])]
    assert (
        sympy.simplify(
            sympy.parse_expr(centre, {"h_x": HX, "h_y": HY})
            + sympy.Rational(5, 2) * (1 / HX**2 + 1 / HY**2)
        )
        == 0
    )
    assert "Derivative(u(x, y), (x, 6))" in doc["leading_error"]


def test_cli_weights_points_family_and_choice(capsys):
    box = "--points=" + ";".join(f"{i},{j}" for i, j in BOX)
    assert main(["weights", "--operator", "u_xx + u_yy", box]) == 2
    err = capsys.readouterr().err
    assert "--free '1,1=VALUE' or --choose isotropic|smallest-error" in err
    assert err.count("\n") == 1
    assert (
        main(["weights", "--operator", "u_xx + u_yy", box, "--choose", "isotropic"])
        == 0
    )
    assert "accuracy:       2" in capsys.readouterr().out
    assert main(["weights", "--operator", "u_xx + u_yy", box, "--free", "1,1=0"]) == 0
    assert main(["weights", "--operator", "u_x*u_y"]) == 2
    assert main(["weights", "--operator", "u_xx", "-d", "2"]) == 2


def test_cli_explain_operator_shows_table_system_solution(capsys):
    assert main(["explain", "--operator", "u_xx + u_yy"]) == 0
    out = capsys.readouterr().out
    assert "2. Taylor table" in out and "3. Moment conditions" in out
    assert "u_xx :  w1/2 + w5/2 = h_x**(-2)" in out
    assert "4. Solution:" in out and "h_x**2*u_xxxx/12 + h_y**2*u_yyyy/12" in out


def test_cli_analyze_multivariate_json(capsys):
    formula = "(u[i+1,j] + u[i-1,j] + u[i,j+1] + u[i,j-1] - 4*u[i,j])/h**2"
    assert main(["analyze", formula, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["operator"] == "u_xx + u_yy" and doc["accuracy"] == 2
    assert doc["consistent"] is True and doc["derivative"] is None
    assert doc["leading_error"].startswith("h**2*Derivative(u(x, y), (x, 4))/12")
    assert main(["analyze", "u(x+h, y)*u(x, y)"]) == 2


def test_one_dimensional_analysis_names_its_operator_too():
    assert stencilgen.analyze("(f(x+h) - 2*f(x) + f(x-h))/h**2").operator == "u_xx"
    assert stencilgen.analyze("(f(x) - f(x-h))/2").operator is None


@settings(max_examples=8, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["u_xx", "u_xy", "u_x", "u_xxy"]),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from([2, 4]),
)
def test_analyze_recovers_the_operator_of_any_engine_stencil(terms, accuracy):
    # u_yy always present: a formula in x alone is a 1-D analysis (tested there).
    expression = " + ".join(f"{c}*{name}" for name, c in terms) + " + u_yy"
    op = operator(expression, accuracy)
    analysis = stencilgen.analyze(str(op.formula))
    assert analysis.consistent and analysis.accuracy == op.accuracy
    assert analysis.operator == op.expression
    assert str(analysis.leading_error) == str(op.leading_error)


def test_work_is_bounded_by_documented_limits():
    from stencilgen.errors import LimitError

    with pytest.raises(LimitError, match="MAX_EXPANSION_WORK"):
        operator("u_xx + u_yy + u_zz + u_ww", 16)
    cube = list(itertools.product(range(-2, 3), repeat=3))
    with pytest.raises(LimitError, match="MAX_MOMENT_ENTRIES"):
        operator("u_xx + u_yy + u_zz", 8, points=cube)
    with pytest.raises(ExpressionError, match="limit of 6 variables"):
        stencilgen.analyze("u(a+h,b,c,d,e,f,g) - u(a,b,c,d,e,f,g)")
