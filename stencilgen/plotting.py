"""Error against step for a stencil applied to a formula: the data and the picture.

:func:`error_curve` measures, for a function typed as text (``"sin(x)"``), the
error of the stencil's derivative at one point over a sweep of steps, next to the
two predictions of :mod:`stencilgen.steps`: truncation ``|C|·h^p·|f^(m+p)(x)|``
and round-off ``ε·Σ|w|·|f(x)|/h^m``. :func:`plot_error` draws it on log-log axes
with the default step marked (matplotlib, the optional extra
``stencilgen[plot]``, imported only there).

The function text goes through the restricted parser (:mod:`stencilgen.expr`)
with a whitelist of elementary functions: it is never evaluated as Python. The
numeric function is ``sympy.lambdify`` of the SymPy tree built from that parse,
and the exact derivative comes from SymPy.

Examples
--------
>>> from stencilgen import central
>>> curve = error_curve(central(1, 2), parse_function("sin(x)"), parse_point("1"))
>>> bool(curve.steps[0] < curve.chosen_step < curve.steps[-1])
True
>>> bool(curve.chosen_error < 10 * curve.best_error)
True
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sympy
from numpy.typing import NDArray

from stencilgen.errors import ExpressionError, StencilgenError
from stencilgen.expr import Call, parse, to_sympy
from stencilgen.stencil import Stencil
from stencilgen.steps import FLOAT64_EPS, default_step, step_rule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FUNCTIONS",
    "ErrorCurve",
    "check_output",
    "draw",
    "error_curve",
    "parse_function",
    "parse_point",
    "plot_error",
    "save_png",
]

#: The functions a formula may call, each with one argument.
FUNCTIONS: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asinh": sympy.asinh,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
}
#: Names a formula may use besides the variable ``x``.
CONSTANTS: Mapping[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
VARIABLE = sympy.Symbol("x")
_INSTALL = "pip install 'stencilgen[plot]'"


def _build(text: str, variables: tuple[str, ...]) -> sympy.Expr:
    def on_call(node: Call) -> sympy.Expr:
        if node.func not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise ExpressionError(
                f"cannot use {text!r}: unknown function {node.func!r} at column "
                f"{node.column}; use one of {allowed}"
            )
        if len(node.args) != 1:
            raise ExpressionError(
                f"cannot use {text!r}: {node.func}() at column {node.column} takes "
                f"one argument, got {len(node.args)}"
            )
        return FUNCTIONS[node.func](to_sympy(node.args[0], text, on_call=on_call))

    expr = to_sympy(parse(text), text, on_call=on_call)
    names = {s.name: s for s in expr.free_symbols}
    for name in sorted(names):
        if name in CONSTANTS:
            expr = expr.subs(names[name], CONSTANTS[name])
        elif name not in variables:
            allowed = ", ".join([*variables, *CONSTANTS])
            raise ExpressionError(
                f"cannot use {text!r}: unknown name {name!r}; use only {allowed}"
            )
    return expr


def parse_function(text: str) -> sympy.Expr:
    """A function of ``x`` from text, through the restricted parser (no ``eval``).

    Examples
    --------
    >>> parse_function("x**2 - 2*x*sin(pi/6) + 1/x")
    x**2 - x + 1/x
    >>> parse_function("__import__('os')")
    Traceback (most recent call last):
    ...
    stencilgen.errors.ExpressionError: cannot parse "__import__('os')": unexpected character "'" at column 12; only numbers, names, + - * / ** and parentheses are allowed
    >>> parse_function("system(x)")
    Traceback (most recent call last):
    ...
    stencilgen.errors.ExpressionError: cannot use 'system(x)': unknown function 'system' at column 1; use one of sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, exp, log, sqrt
    """  # noqa: E501
    return _build(text, ("x",))


def parse_point(text: str) -> sympy.Expr:
    """The point ``x`` as an exact number (``"1"``, ``"pi/4"``, ``"0.3"``).

    Examples
    --------
    >>> parse_point("pi/4")
    pi/4
    """
    point = _build(text, ())
    if not point.is_real or not point.is_finite:
        raise ExpressionError(f"the point {text!r} is not a finite real number")
    return point


@dataclass(frozen=True)
class ErrorCurve:
    """Measured and predicted errors of a stencil over a sweep of steps.

    Attributes
    ----------
    steps : ndarray
        Absolute steps, increasing, each exactly representable at ``x``.
    errors : ndarray
        ``|D_h f(x) - f^(m)(x)|`` measured in double precision (NaN where a
        sample was not finite; zeros are left out of the log-log plot).
    truncation, round_off : ndarray
        The predicted ``|C|·h^p·|f^(m+p)(x)|`` and ``ε·Σ|w|·|f(x)|/h^m``.
    chosen_step, chosen_error : float
        The default step (``h_rel·max(1, |x|)``, exact) and its measured error.
    best_step, best_error : float
        The bottom of the measured curve: where the running median of the
        errors (nine neighbouring steps) is smallest, and that median. Single
        points can fall far lower by a lucky cancellation of rounding errors.
    label : str
        A title: which derivative, stencil, function and point.
    """

    steps: NDArray[np.float64]
    errors: NDArray[np.float64]
    truncation: NDArray[np.float64]
    round_off: NDArray[np.float64]
    chosen_step: float
    chosen_error: float
    best_step: float
    best_error: float
    label: str


def _value(expr: sympy.Expr, what: str) -> float:
    value = sympy.N(expr, 30)
    if not value.is_real or not value.is_finite:
        raise StencilgenError(
            f"{what} is {value}, not a finite real number; choose another point "
            "with --at"
        )
    return float(value)


def error_curve(
    stencil: Stencil,
    function: sympy.Expr,
    point: sympy.Expr,
    *,
    points_per_decade: int = 20,
    decades_below: float = 6.0,
    decades_above: float = 4.0,
) -> ErrorCurve:
    """Measure the stencil's error on ``function`` at ``point`` over many steps.

    The sweep spans ``decades_below`` decades below the default step and
    ``decades_above`` above it (at most up to ``max(1, |x|)``).
    """
    rule = step_rule(stencil)
    m, p = rule.derivative, rule.accuracy
    x0 = _value(point, "the point")
    f_value = _value(function.subs(VARIABLE, point), f"f({point})")
    exact = _value(
        sympy.diff(function, VARIABLE, m).subs(VARIABLE, point),
        f"derivative {m} of f at {point}",
    )
    high = abs(
        _value(
            sympy.diff(function, VARIABLE, m + p).subs(VARIABLE, point),
            f"derivative {m + p} of f at {point}",
        )
    )
    numeric = sympy.lambdify(VARIABLE, function, modules="numpy")
    nodes = [float(o - stencil.at) for o in stencil.offsets]
    weights = [float(w) for w in stencil.weights]
    scale = max(1.0, abs(x0))
    chosen = float(default_step(rule.relative_step(), x0))
    low = chosen * 10.0**-decades_below
    top = min(chosen * 10.0**decades_above, scale)
    count = round(math.log10(top / low) * points_per_decade) + 1
    steps = default_step(np.geomspace(low, top, count) / scale, np.full(count, x0))
    steps = np.unique(np.append(steps, chosen))

    def measure(h: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(all="ignore"):
            total = np.zeros_like(h)
            for node, weight in zip(nodes, weights, strict=True):
                if weight != 0.0:
                    total += weight * np.asarray(numeric(x0 + node * h), dtype=float)
            error = np.abs(total / h**m - exact)
        error[~np.isfinite(error)] = np.nan
        return np.asarray(error, dtype=np.float64)

    errors = measure(steps)
    truncation, round_off = rule.error_terms(
        steps, abs(f_value), high, float(FLOAT64_EPS)
    )
    chosen_error = float(errors[np.searchsorted(steps, chosen)])
    if not np.any(errors > 0):
        raise StencilgenError(
            "the error is zero or undefined at every step (a polynomial the "
            "stencil differentiates exactly?); choose another function"
        )
    half = 4
    with np.errstate(all="ignore"):
        smooth = np.array(
            [
                np.nanmedian(errors[max(0, k - half) : k + half + 1])
                if np.any(np.isfinite(errors[max(0, k - half) : k + half + 1]))
                else np.inf
                for k in range(errors.size)
            ]
        )
    best = int(np.argmin(smooth))
    label = (
        f"derivative {m} of {function} at x = {point}, {_stencil_name(stencil)}\n"
        f"C = {rule.error_coefficient}, Σ|w| = {rule.weight_sum}, "
        f"h_rel = {rule.relative_step():.3e}"
    )
    return ErrorCurve(
        steps,
        errors,
        truncation,
        round_off,
        chosen,
        chosen_error,
        float(steps[best]),
        float(smooth[best]),
        label,
    )


def _stencil_name(stencil: Stencil) -> str:
    offsets = ",".join(str(o) for o in stencil.offsets)
    where = f" at {stencil.at}" if stencil.at != 0 else ""
    return f"offsets {offsets}{where} (accuracy {stencil.accuracy})"


def draw(curve: ErrorCurve) -> Figure:
    """The figure of the curve, on an Agg canvas (no display, no pyplot state).

    Raises
    ------
    StencilgenError
        When matplotlib is not installed (it is the optional extra
        ``stencilgen[plot]``).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise StencilgenError(
            f"plotting needs matplotlib, which is not installed; {_INSTALL}"
        ) from None
    figure = Figure(figsize=(7.5, 5.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: no display, no global pyplot state
    axes = figure.add_subplot()
    axes.loglog(
        curve.steps, curve.errors, ".", ms=3, color="C0", label="measured |error|"
    )
    if np.any(curve.truncation > 0):
        axes.loglog(
            curve.steps,
            curve.truncation,
            "--",
            color="C1",
            label=r"predicted truncation $|C|\,h^p\,|f^{(m+p)}(x)|$",
        )
    if np.any(curve.round_off > 0):
        axes.loglog(
            curve.steps,
            curve.round_off,
            ":",
            color="C2",
            label=r"round-off bound $\varepsilon\,\Sigma|w|\,|f(x)|\,/\,h^m$",
        )
    axes.axvline(curve.chosen_step, color="C3", lw=1)
    axes.loglog(
        [curve.chosen_step],
        [curve.chosen_error],
        "o",
        color="C3",
        label=f"default step h = {curve.chosen_step:.2e} "
        f"(error {curve.chosen_error:.1e})",
    )
    finite = curve.errors[curve.errors > 0]
    axes.set_ylim(finite.min() / 10, finite.max() * 10)
    axes.set_xlim(curve.steps[0], curve.steps[-1])
    axes.set_xlabel("step h")
    axes.set_ylabel("|error|")
    axes.set_title(curve.label, fontsize=9)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="upper center")
    return figure


def check_output(output: str | os.PathLike[str]) -> Path:
    """``output`` as a path, refused unless it names a PNG file (``*.png``).

    Examples
    --------
    >>> check_output("e5.png")
    PosixPath('e5.png')
    >>> check_output("e5.txt")
    Traceback (most recent call last):
    ...
    stencilgen.errors.StencilgenError: cannot write e5.txt: the plot is a PNG image, so the file name must end in .png, e.g. -o e5.png
    """  # noqa: E501
    target = Path(output)
    if target.suffix.lower() != ".png":
        suggestion = target.with_suffix(".png") if target.name else "error.png"
        raise StencilgenError(
            f"cannot write {target}: the plot is a PNG image, so the file name "
            f"must end in .png, e.g. -o {suggestion}"
        )
    return target


def plot_error(curve: ErrorCurve, output: str | os.PathLike[str]) -> Path:
    """Draw the curve as a PNG at ``output`` (written atomically); its path.

    Raises
    ------
    StencilgenError
        When matplotlib is missing, ``output`` does not end in ``.png``, or the
        output folder does not exist.
    """
    check_output(output)
    return save_png(draw(curve), output)


def save_png(figure: Figure, output: str | os.PathLike[str]) -> Path:
    """Write ``figure`` as a PNG at ``output`` atomically (nothing half-written).

    Raises
    ------
    StencilgenError
        When ``output`` does not end in ``.png`` or its folder does not exist.
    """
    target = check_output(output)
    directory = target.parent
    if not directory.is_dir():
        raise StencilgenError(
            f"cannot write {target}: the folder {directory} does not exist; create "
            "it or choose another -o"
        )
    try:
        handle, temporary = tempfile.mkstemp(
            suffix=".png", prefix=".stencilgen-", dir=directory
        )
    except OSError as error:  # an unwritable folder, say
        raise StencilgenError(
            f"cannot write {target} ({error.strerror}); choose another -o"
        ) from None
    os.close(handle)
    try:
        figure.savefig(temporary, format="png")
        # mkstemp makes the file private (0600); give it the usual mode.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StencilgenError(
            f"cannot write {target} ({error.strerror}); choose another -o"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
