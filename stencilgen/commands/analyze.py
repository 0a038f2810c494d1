"""``stencilgen analyze``: what a formula approximates, how well, or why nothing.

Exit codes follow :mod:`stencilgen.cli`: 0 when every formula was analysed (and
met ``--expect-derivative`` / ``--expect-accuracy``), 1 when an expectation
failed (one line on stderr per failure), 2 for bad input.

With ``--file``, each non-blank line of the file is one formula; ``#`` starts a
comment, ``name:`` before the formula labels its row, and ``| derivative=M
accuracy=P`` after it sets that line's expectations (overriding the options)::

    # formulas.txt
    central: (f(x+h) - f(x-h))/(2*h)   | derivative=1 accuracy=2
    typo:    (f(x) - f(x-h))/2         | derivative=1
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from stencilgen.analyze import MAX_TERMS, Analysis, analyze, latex, plain
from stencilgen.errors import ExpressionError, StencilError, StencilgenError
from stencilgen.limits import read_limited
from stencilgen.progress import Progress

__all__ = [
    "Expectation",
    "analysis_json",
    "analysis_text",
    "check",
    "read_formula_file",
    "register",
    "run",
]

_LINE = re.compile(
    r"^\s*(?:(?P<name>[A-Za-z_][\w.-]*)\s*:)?(?P<formula>[^|]*)(?:\|(?P<expect>.*))?$"
)
_EXPECT_ITEM = re.compile(r"^(derivative|accuracy)=(\d+)$")


@dataclass(frozen=True)
class Expectation:
    """What a build check requires: a derivative and/or a minimum accuracy."""

    derivative: int | None = None
    accuracy: int | None = None

    def __post_init__(self) -> None:
        if self.derivative is not None and self.derivative < 0:
            raise StencilError(
                f"the expected derivative must be 0 or more, got {self.derivative}"
            )
        if self.accuracy is not None and self.accuracy < 1:
            raise StencilError(
                f"the expected accuracy must be 1 or more, got {self.accuracy}"
            )

    def __str__(self) -> str:
        parts = []
        if self.derivative is not None:
            parts.append(f"derivative {self.derivative}")
        if self.accuracy is not None:
            parts.append(f"accuracy >= {self.accuracy}")
        return " with ".join(parts)


def check(analysis: Analysis, expected: Expectation) -> str | None:
    """The reason ``analysis`` fails ``expected``, or ``None`` when it passes.

    An exact formula (no error term) meets any accuracy.

    Examples
    --------
    >>> check(analyze("(f(x+h) - f(x))/h"), Expectation(1, 2))
    'expected derivative 1 with accuracy >= 2, got accuracy 1'
    >>> check(analyze("(f(x+h) - f(x-h))/(2*h)"), Expectation(1, 2)) is None
    True
    """
    if expected.derivative is None and expected.accuracy is None:
        return None
    if not analysis.consistent:
        return (
            f"expected {expected}, but the formula is not consistent: {analysis.reason}"
        )
    if expected.derivative is not None and analysis.derivative != expected.derivative:
        return f"expected {expected}, got derivative {analysis.derivative}"
    if (
        expected.accuracy is not None
        and analysis.accuracy is not None
        and analysis.accuracy < expected.accuracy
    ):
        return f"expected {expected}, got accuracy {analysis.accuracy}"
    return None


def register(subparsers: Any) -> None:
    """Add the ``analyze`` subcommand."""
    parser = subparsers.add_parser(
        "analyze",
        help="tell what a finite-difference formula approximates, and how well",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Expand a formula such as '(f(x+h) - f(x-h))/(2*h)' in Taylor series and report
exactly which derivative it approximates, its order of accuracy and leading
error term (approximation − exact), or why it approximates none. The formula is
parsed by stencilgen's own parser, never executed.""",
        epilog="""\
examples:
  stencilgen analyze '(f(x) - f(x-h))/2'
  stencilgen analyze '(u[i+1] - 2*u[i] + u[i-1])/dx**2' --spacing dx
  stencilgen analyze 'a*f(x) + b*f(x+hd) + c*f(x-hs)' --solve a,b,c --derivative 1
  stencilgen analyze '(f(x+h) - f(x))/h' --expect-derivative 1 --expect-accuracy 2
  stencilgen analyze --file formulas.txt --expect-accuracy 2
  stencilgen analyze -- '-f(x) + f(x+h)'     (a formula starting with '-')

exit codes: 0 analysed (and met every --expect-*), 1 an expectation failed,
2 bad input.""",
    )
    parser.add_argument(
        "formula",
        nargs="?",
        help="the formula, e.g. '(f(x+h) - f(x-h))/(2*h)' or '(u[i+1] - u[i])/h'",
    )
    parser.add_argument(
        "--file",
        type=Path,
        help="analyse every formula of this file (one per line, '#' comments, "
        "optional 'name:' prefix and '| derivative=M accuracy=P' suffix)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--latex", action="store_true", help="print LaTeX")
    parser.add_argument(
        "--terms",
        type=int,
        default=2,
        help=f"how many error terms of the expansion to show (1 to {MAX_TERMS}, "
        "default 2)",
    )
    parser.add_argument(
        "--expect-derivative",
        type=int,
        metavar="M",
        help="exit 1 unless the formula approximates derivative M",
    )
    parser.add_argument(
        "--expect-accuracy",
        type=int,
        metavar="P",
        help="exit 1 unless the formula is consistent with accuracy at least P",
    )
    parser.add_argument(
        "--solve",
        metavar="NAMES",
        help="coefficient names to solve for, e.g. a,b,c (needs --derivative)",
    )
    parser.add_argument(
        "--derivative",
        type=int,
        metavar="M",
        help="with --solve: the derivative the formula should approximate",
    )
    parser.add_argument(
        "--spacing",
        default="h",
        metavar="NAME",
        help="grid step of index notation u[i+k] = u(x + k*NAME) (default h)",
    )
    parser.add_argument(
        "--variable", metavar="NAME", help="the samples' variable (default: found)"
    )
    parser.add_argument(
        "--step",
        metavar="NAMES",
        help="the symbols that go to 0 (default: every symbol in the shifts)",
    )
    parser.add_argument(
        "--at",
        metavar="A",
        help="expand about variable + A instead of the variable, e.g. h/2",
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="NAME=EXPR",
        help="give a coefficient a value, e.g. --where 'a=-1/h' (repeatable)",
    )
    parser.set_defaults(run=run)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    where: dict[str, str] = {}
    for item in args.where:
        name, equals, value = item.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise ExpressionError(
                f"--where takes NAME=EXPR, e.g. --where 'a=-1/h'; got {item!r}"
            )
        where[name.strip()] = value.strip()
    if (args.solve is None) != (args.derivative is None):
        raise ExpressionError(
            "--solve and --derivative go together: --solve a,b,c --derivative 1"
        )
    return {
        "terms": args.terms,
        "spacing": args.spacing,
        "variable": args.variable,
        "steps": args.step,
        "at": args.at if args.at is not None else 0,
        "where": where or None,
        "solve": args.solve,
        "derivative": args.derivative,
    }


def _join(terms: list[str]) -> str:
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _big_o(analysis: Analysis, *, tex: bool = False) -> str:
    power = analysis.remainder
    if power is None:
        return ""
    if len(analysis.steps) == 1:
        step = analysis.steps[0].name
        if tex:
            return f"O\\left({sympy.latex(analysis.steps[0] ** power)}\\right)"
        return (
            f"O({step}{str(power).translate(_SUPER)})" if power != 1 else f"O({step})"
        )
    names = ", ".join(s.name for s in analysis.steps)
    return f"(terms of degree ≥ {power} in {names})"


_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def expansion_text(analysis: Analysis) -> str:
    """The series as one line: ``f'(x) + h²·f'''(x)/6 + O(h⁴)``.

    Examples
    --------
    >>> expansion_text(analyze("(f(x+h) - f(x))/h", terms=1))
    "f'(x) + h·f''(x)/2 + O(h²)"
    """
    parts = [plain(t.expr, analysis.formula) for t in analysis.series]
    big_o = _big_o(analysis)
    return _join([*parts, big_o] if big_o else parts) if parts else "0"


def analysis_text(analysis: Analysis) -> str:
    """The readable report of one formula.

    Examples
    --------
    >>> print(analysis_text(analyze("(f(x+h) - f(x-h))/(2*h)")))
    formula:        (f(x+h) - f(x-h))/(2*h)
    approximates:   f'(x)  (derivative 1)
    accuracy:       2  (as h → 0)
    leading error:  h²·f'''(x)/6  (approximation − exact)
    expansion:      f'(x) + h²·f'''(x)/6 + h⁴·f⁽⁵⁾(x)/120 + O(h⁶)
    recognised:     second-order central difference
    """
    formula = analysis.formula
    lines = [f"formula:        {formula.text}"]
    if analysis.solution:
        for number, (symbol, value) in enumerate(analysis.solution.items()):
            label = "solution:" if number == 0 else ""
            lines.append(f"{label:<16}{symbol} = {plain(value, formula)}")
    steps = ", ".join(s.name for s in analysis.steps) or "the step"
    if analysis.consistent:
        assert analysis.derivative is not None
        exact = plain(analysis.exact, formula)
        lines.append(f"approximates:   {exact}  (derivative {analysis.derivative})")
        if analysis.accuracy is None:
            lines.append("accuracy:       exact (no truncation error)")
        else:
            together = " together" if len(analysis.steps) > 1 else ""
            lines.append(
                f"accuracy:       {analysis.accuracy}  (as {steps} → 0{together})"
            )
            error = plain(analysis.leading_error, formula)
            lines.append(f"leading error:  {error}  (approximation − exact)")
    else:
        lines.append(f"consistent:     no — {analysis.reason}")
    if analysis.series:
        lines.append(f"expansion:      {expansion_text(analysis)}")
    if analysis.consistent and analysis.name:
        lines.append(f"recognised:     {analysis.name}")
    samples = len(formula.samples)
    if (
        analysis.consistent
        and analysis.name is None
        and analysis.accuracy is not None
        and analysis.derivative is not None
        and analysis.accuracy > samples - analysis.derivative
    ):
        lines.append(
            f"note:           accuracy {analysis.accuracy} is more than the "
            f"{samples} - {analysis.derivative} = {samples - analysis.derivative} "
            f"that {samples} samples guarantee in general (superconvergence)"
        )
    if analysis.hint:
        lines.append(f"hint:           {analysis.hint}")
    return "\n".join(lines)


def analysis_latex(analysis: Analysis) -> str:
    r"""LaTeX: the formula equals its expansion.

    Examples
    --------
    >>> print(analysis_latex(analyze("(f(x+h) - f(x))/h", terms=1)))
    \frac{f{\left(x + h \right)}}{h} - \frac{f{\left(x \right)}}{h} = f^{\prime}{\left(x \right)} + \frac{h f^{\prime\prime}{\left(x \right)}}{2} + O\left(h^{2}\right)
    """  # noqa: E501
    formula = analysis.formula
    parts = [latex(t.expr, formula) for t in analysis.series] or ["0"]
    big_o = _big_o(analysis, tex=True)
    if analysis.remainder is not None and len(analysis.steps) != 1:
        big_o = r"\dots"
    right = _join([*parts, big_o] if big_o else parts)
    return f"{latex(formula.expression, formula)} = {right}"


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The JSON document of one analysis; every expression is SymPy's ``str``.

    Examples
    --------
    >>> doc = analysis_json(analyze("(f(x+h) - f(x-h))/(2*h)"))
    >>> doc["derivative"], doc["accuracy"], doc["leading_error"], doc["consistent"]
    (1, 2, 'h**2*Derivative(f(x), (x, 3))/6', True)
    >>> doc["series"][1]
    {'power': 2, 'term': 'h**2*Derivative(f(x), (x, 3))/6'}
    """
    formula = analysis.formula

    def text(expr: Any) -> str | None:
        return None if expr is None else str(expr)

    return {
        "formula": formula.text,
        "function": formula.function,
        "variable": str(formula.variable),
        "steps": [s.name for s in analysis.steps],
        "at": str(analysis.at),
        "samples": [
            {"shift": str(s.shift), "coefficient": str(s.coefficient)}
            for s in formula.samples
        ],
        "consistent": analysis.consistent,
        "derivative": analysis.derivative,
        "exact": text(analysis.exact),
        "accuracy": analysis.accuracy,
        "leading_error": text(analysis.leading_error),
        "error_convention": "approximation - exact",
        "series": [{"power": t.power, "term": str(t.expr)} for t in analysis.series],
        "remainder_power": analysis.remainder,
        "reason": analysis.reason,
        "hint": analysis.hint,
        # For an inconsistent formula the name is that of its repair (the hint).
        "name": analysis.name if analysis.consistent else None,
        "repair_name": None if analysis.consistent else analysis.name,
        "solution": None
        if analysis.solution is None
        else {str(k): str(v) for k, v in analysis.solution.items()},
        "latex": analysis_latex(analysis),
    }


@dataclass(frozen=True)
class _Entry:
    line: int
    name: str | None
    formula: str
    expected: Expectation


def read_formula_file(path: Path, default: Expectation) -> list[_Entry]:
    """Read ``path``: one formula per line, as described in the module docstring.

    Raises
    ------
    ExpressionError
        When the file cannot be read or a line's expectation is malformed.
    """
    try:
        content = read_limited(path, ExpressionError, "formula file").decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExpressionError(
            f"cannot read {path}: {getattr(error, 'strerror', None) or error}; give "
            "a readable UTF-8 text file"
        ) from None
    entries = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None or not match.group("formula").strip():
            raise ExpressionError(
                f"{path}:{number}: expected [name:] formula [| derivative=M "
                f"accuracy=P], got {line.strip()!r}"
            )
        derivative, accuracy = default.derivative, default.accuracy
        for item in (match.group("expect") or "").split():
            found = _EXPECT_ITEM.match(item)
            if found is None:
                raise ExpressionError(
                    f"{path}:{number}: cannot read the expectation {item!r}; write "
                    "derivative=M and/or accuracy=P after '|'"
                )
            if found.group(1) == "derivative":
                derivative = int(found.group(2))
            else:
                accuracy = int(found.group(2))
        entries.append(
            _Entry(
                number,
                match.group("name"),
                match.group("formula").strip(),
                Expectation(derivative, accuracy),
            )
        )
    if not entries:
        raise ExpressionError(f"{path} holds no formula; write one formula per line")
    return entries


def _row(analysis: Analysis) -> str:
    formula = analysis.formula
    if not analysis.consistent:
        return f"not consistent: {analysis.reason}"
    exact = plain(analysis.exact, formula)
    if analysis.accuracy is None:
        return f"{exact} exactly"
    error = plain(analysis.leading_error, formula)
    return f"{exact}, accuracy {analysis.accuracy}, leading error {error}"


def _run_file(args: argparse.Namespace, options: dict[str, Any]) -> int:
    """Analyse every line, printing each row as soon as it is computed.

    JSON output is one array, written element by element (valid JSON once the
    run ends). On a terminal, long runs show a progress line on stderr.
    """
    default = Expectation(args.expect_derivative, args.expect_accuracy)
    entries = read_formula_file(args.file, default)
    labels = [e.name or e.formula for e in entries]
    width = min(max(len(label) for label in labels), 40)
    failures: list[tuple[_Entry, str]] = []
    errors: list[tuple[_Entry, str]] = []
    progress = Progress(len(entries), "analyze")
    if args.json:
        sys.stdout.write("[")
    for number, (label, entry) in enumerate(zip(labels, entries, strict=True)):
        progress.update(number)
        analysis: Analysis | None = None
        reason: str | None = None
        try:
            analysis = analyze(entry.formula, **options)
        except StencilgenError as error:
            # One bad line must not hide the verdicts on the others: report it as
            # a row, and exit 2 once every row is out.
            errors.append((entry, str(error)))
        else:
            reason = check(analysis, entry.expected)
            if reason is not None:
                failures.append((entry, reason))
        progress.clear()
        if args.json:
            document: dict[str, Any] = {"line": entry.line, "label": entry.name}
            if analysis is None:
                document["error"] = errors[-1][1]
            else:
                document.update(analysis_json(analysis))
                document["expectation"] = _expectation_json(entry.expected, reason)
            text = textwrap.indent(json.dumps(document, indent=2), "  ")
            sys.stdout.write(f"{',' if number else ''}\n{text}")
        elif args.latex:
            if analysis is not None:
                sys.stdout.write(analysis_latex(analysis) + "\n")
        elif analysis is None:
            sys.stdout.write(f"{'ERROR':<5}  {label:<{width}}  {errors[-1][1]}\n")
        else:
            status = "FAIL" if reason is not None else "ok"
            sys.stdout.write(f"{status:<5}  {label:<{width}}  {_row(analysis)}\n")
        sys.stdout.flush()
    progress.clear()
    if args.json:
        sys.stdout.write("\n]\n")
        sys.stdout.flush()
    for entry, reason in failures:
        label = entry.name or entry.formula
        print(f"{args.file}:{entry.line}: {label}: {reason}", file=sys.stderr)
    for entry, message in errors:
        print(f"{args.file}:{entry.line}: error: {message}", file=sys.stderr)
    return 2 if errors else 1 if failures else 0


def _expectation_json(expected: Expectation, reason: str | None) -> dict[str, Any]:
    return {
        "derivative": expected.derivative,
        "accuracy": expected.accuracy,
        "ok": reason is None,
        "reason": reason,
    }


def run(args: argparse.Namespace) -> int:
    """Analyse the formula (or the file of formulas) and print the report."""
    options = _options(args)
    if (args.formula is None) == (args.file is None):
        raise ExpressionError(
            "give one formula, e.g. stencilgen analyze '(f(x+h) - f(x))/h', or "
            "--file FILE, not both"
            if args.formula is not None
            else "give a formula, e.g. stencilgen analyze '(f(x+h) - f(x))/h', or "
            "--file FILE"
        )
    if args.file is not None:
        return _run_file(args, options)
    analysis = analyze(args.formula, **options)
    expected = Expectation(args.expect_derivative, args.expect_accuracy)
    reason = check(analysis, expected)
    if args.json:
        document = analysis_json(analysis)
        if expected.derivative is not None or expected.accuracy is not None:
            document["expectation"] = _expectation_json(expected, reason)
        print(json.dumps(document, indent=2))
    elif args.latex:
        print(analysis_latex(analysis))
    else:
        print(analysis_text(analysis))
    if reason is not None:
        print(f"stencilgen analyze: {reason}", file=sys.stderr)
        return 1
    return 0
