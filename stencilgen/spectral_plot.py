"""The picture of a spectral report: modified wavenumber and relative error.

Two panels against θ/π: the real (dispersion) and imaginary (dissipation) parts
of the modified wavenumber κh next to the exact θ, and the relative error of the
symbol on log axes with the tolerance and θ_max marked. Needs matplotlib (the
optional extra ``stencilgen[plot]``), imported only here.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stencilgen.errors import StencilgenError
from stencilgen.plotting import check_output, save_png
from stencilgen.spectrum import SpectralReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["draw_spectrum", "plot_spectrum"]


def draw_spectrum(report: SpectralReport) -> Figure:
    """The figure of the report, on an Agg canvas (no pyplot state).

    Raises
    ------
    StencilgenError
        When matplotlib is not installed.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise StencilgenError(
            "plotting needs matplotlib, which is not installed; "
            "pip install 'stencilgen[plot]'"
        ) from None
    scheme = report.scheme
    theta = np.linspace(math.pi / 2000, math.pi, 2000)
    kappa = scheme.modified_wavenumber(theta)
    error = np.abs(scheme.relative_error(theta))
    figure = Figure(figsize=(9.0, 4.0), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    left.plot(theta / math.pi, theta, "k:", lw=1, label="exact θ")
    left.plot(theta / math.pi, kappa.real, color="C0", label="Re κh (dispersion)")
    if np.any(np.abs(kappa.imag) > 1e-12):
        left.plot(theta / math.pi, kappa.imag, color="C1", label="Im κh (dissipation)")
    left.set_xlabel("θ/π = kh/π")
    left.set_ylabel("κh")
    left.legend(fontsize=8)
    left.grid(True, alpha=0.3)
    positive = error > 0
    right.loglog(theta[positive] / math.pi, error[positive], color="C0")
    right.axhline(report.tolerance, color="C3", lw=1, label=f"ε = {report.tolerance:g}")
    right.axvline(
        report.resolving_efficiency,
        color="C2",
        lw=1,
        label=f"θ_max/π = {report.resolving_efficiency:.4g} "
        f"({report.points_per_wavelength:.2f} points per wavelength)",
    )
    right.set_xlabel("θ/π")
    right.set_ylabel("relative error of the symbol")
    right.legend(fontsize=8)
    right.grid(True, which="major", alpha=0.3)
    offsets = ",".join(str(o) for o in scheme.offsets)
    title = f"derivative {scheme.derivative}, offsets {offsets}"
    figure.suptitle(f"{title}, accuracy {scheme.accuracy}", fontsize=9)
    return figure


def plot_spectrum(report: SpectralReport, output: str | os.PathLike[str]) -> Path:
    """Draw the report as a PNG at ``output`` (written atomically); its path."""
    check_output(output)
    return save_png(draw_spectrum(report), output)
