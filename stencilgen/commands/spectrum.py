"""``stencilgen spectrum``: modified wavenumber and points per wavelength.

``stencilgen spectrum -d 1 --accuracy 4`` prints the resolving efficiency
(θ_max/π) and points per wavelength (2π/θ_max) of the stencil at the tolerance
(default 1e-3), then a table of the modified wavenumber (dispersion, dissipation)
and the phase and group velocity errors; ``--json`` prints the same as JSON,
``--plot FILE.png`` draws the curves (matplotlib, the ``plot`` extra).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from stencilgen.commands._stencil_args import add_stencil_arguments, stencil_from_args
from stencilgen.compact import compact_scheme
from stencilgen.errors import StencilgenError
from stencilgen.spectral_plot import plot_spectrum
from stencilgen.spectrum import DEFAULT_TOLERANCE, SpectralReport, spectrum

__all__ = ["register", "report_json", "report_text", "run"]


def register(subparsers: Any) -> None:
    """Add the ``spectrum`` subcommand.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["spectrum", "-d", "1", "--accuracy", "4"]).tolerance
    0.001
    """
    parser = subparsers.add_parser(
        "spectrum",
        help="modified wavenumber, resolving efficiency and points per wavelength",
        description="Spectral analysis of a stencil: its exact symbol on e^(ikx) "
        "(modified wavenumber: dispersion and dissipation), the phase and group "
        "velocity errors, and the largest θ = k·h up to which the relative error "
        "of the symbol stays within --tolerance (resolving efficiency θ_max/π, "
        "points per wavelength 2π/θ_max).",
    )
    add_stencil_arguments(parser)
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help="largest relative error of the symbol, |κ^m - θ^m|/θ^m (default 1e-3)",
    )
    parser.add_argument(
        "--compact",
        action="store_true",
        help="the compact (Padé) central scheme of --accuracy instead of the "
        "explicit stencil (tridiagonal; see --lhs-width)",
    )
    parser.add_argument(
        "--lhs-width",
        type=int,
        default=1,
        help="with --compact: neighbours on each side of the left-hand side "
        "(1 tridiagonal, 2 pentadiagonal; default 1)",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=8,
        help="rows of the table: θ = π/N, 2π/N, ..., π (default 8)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the modified wavenumber and the error to a PNG (needs "
        "pip install 'stencilgen[plot]')",
    )
    parser.set_defaults(run=run)


def _number(value: float) -> float | None:
    """JSON has no infinity: ``None`` for a non-finite value."""
    return value if math.isfinite(value) else None


def report_json(report: SpectralReport, points: int = 8) -> dict[str, Any]:
    """The JSON document of a spectral report.

    Examples
    --------
    >>> from stencilgen import central
    >>> doc = report_json(spectrum(central(1, 2)))
    >>> round(doc["points_per_wavelength"], 1), doc["accuracy"]
    (81.1, 2)
    """
    scheme = report.scheme
    return {
        "derivative": scheme.derivative,
        "offsets": [str(o) for o in scheme.offsets],
        "weights": [str(w) for w in scheme.weights],
        "lhs_offsets": list(scheme.lhs_offsets),
        "lhs_weights": [str(w) for w in scheme.lhs_weights],
        "accuracy": scheme.accuracy,
        "tolerance": report.tolerance,
        "theta_max": report.theta_max,
        "resolving_efficiency": report.resolving_efficiency,
        "points_per_wavelength": _number(report.points_per_wavelength),
        "error_definition": "|kappa^m - theta^m| / theta^m, theta = k*h",
        "table": report.table(points),
    }


def report_text(report: SpectralReport, points: int = 8) -> str:
    """The report as text: summary, then the table.

    Examples
    --------
    >>> from stencilgen import central
    >>> print(report_text(spectrum(central(1, 2)), points=2))
    derivative 1, offsets -1, 0, 1 (accuracy 2)
    tolerance:              0.001 (relative error of κ, |κ - θ|/θ)
    θ_max:                  0.0774713
    resolving efficiency:   0.02466 (θ_max/π)
    points per wavelength:  81.10 (2π/θ_max)
         θ/π     Re κh     Im κh   rel. error  phase error  group error
       0.500   1.00000   0.00000    3.634e-01   -3.634e-01   -1.000e+00
       1.000   0.00000   0.00000    1.000e+00   -1.000e+00   -2.000e+00
    """
    scheme = report.scheme
    m = scheme.derivative
    offsets = ", ".join(str(o) for o in scheme.offsets)
    accuracy = "exact" if scheme.accuracy is None else f"accuracy {scheme.accuracy}"
    head = f"derivative {m}, offsets {offsets} ({accuracy})"
    if scheme.lhs_offsets != (0,):
        lhs = ", ".join(
            f"{o}: {w}"
            for o, w in zip(scheme.lhs_offsets, scheme.lhs_weights, strict=True)
        )
        head += f", compact with left-hand side {{{lhs}}}"
    power = "" if m == 1 else ("²" if m == 2 else f"^{m}")
    ppw = report.points_per_wavelength
    lines = [
        head,
        f"tolerance:              {report.tolerance:g} (relative error of "
        f"κ{power}, |κ{power} - θ{power}|/θ{power})",
        f"θ_max:                  {report.theta_max:.6g}",
        f"resolving efficiency:   {report.resolving_efficiency:.4g} (θ_max/π)",
        "points per wavelength:  "
        + (f"{ppw:.2f} (2π/θ_max)" if math.isfinite(ppw) else "∞ (never within)"),
        f"  {'θ/π':>6}  {'Re κh':>8}  {'Im κh':>8}  {'rel. error':>11}  "
        f"{'phase error':>11}  {'group error':>11}",
    ]
    for row in report.table(points):
        lines.append(
            f"  {row['theta'] / math.pi:6.3f}  {row['kappa_real']:8.5f}  "
            f"{row['kappa_imag'] + 0.0:8.5f}  {row['relative_error']:11.3e}  "
            f"{row['phase_error']:11.3e}  {row['group_error']:11.3e}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Analyse the stencil the options describe and print (or plot) the report.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> run(parser.parse_args(["spectrum", "-d", "1", "--accuracy", "8", "--json"]))
    ... # doctest: +ELLIPSIS
    {
      "derivative": 1,
    ...
      "points_per_wavelength": 6.44...
    ...
    0
    """
    if not 1 <= args.rows <= 10_000:
        raise StencilgenError(f"--rows must be between 1 and 10000, got {args.rows}")
    if args.compact:
        if args.offsets is not None or args.kind not in (None, "central"):
            raise StencilgenError(
                "--compact takes -d, --accuracy and --lhs-width (central schemes), "
                "not --offsets or --kind"
            )
        accuracy = 2 * (args.lhs_width + 1) if args.accuracy is None else args.accuracy
        scheme = compact_scheme(args.derivative, accuracy, args.lhs_width).scheme
        report = spectrum(scheme, args.tolerance)
    else:
        report = spectrum(stencil_from_args(args), args.tolerance)
    if args.plot is not None:
        path = plot_spectrum(report, args.plot)
        print(
            f"wrote {path}: resolving efficiency {report.resolving_efficiency:.4g}, "
            f"{report.points_per_wavelength:.2f} points per wavelength at "
            f"tolerance {report.tolerance:g}"
        )
    elif args.json:
        print(json.dumps(report_json(report, args.rows), indent=2))
    else:
        print(report_text(report, args.rows))
    return 0
