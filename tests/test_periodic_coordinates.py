"""Periodic coordinate grids: ``boundary = "periodic"`` with ``grid = "coordinates"``.

The committed module ``generated/d1_periodic_x4.py`` (first derivative, accuracy
4) is run as a user would run it: against exact derivatives of periodic functions
on randomly perturbed periodic grids (measured convergence order), against the
uniform periodic operator, and for invariance under where the period starts.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from conftest import load_generated

from stencilgen.build import generate
from stencilgen.render import Renderer
from stencilgen.spec import parse_spec
from stencilgen.verify import load_module


@pytest.fixture(scope="module")
def px() -> ModuleType:
    return load_generated("d1_periodic_x4")


def _grid(n: int, period: float, seed: int) -> np.ndarray:
    """n points of one period, each moved randomly by up to 30 % of the step."""
    shift = np.random.default_rng(seed).uniform(-0.3, 0.3, n)
    return period * (np.arange(n) + shift) / n - 1.0


def test_fourth_order_on_perturbed_periodic_grids(px: ModuleType) -> None:
    period = 2 * np.pi
    errors, steps = [], []
    for n in (40, 80, 160, 320):
        x = _grid(n, period, seed=n)
        result = px.d1_periodic_x4(np.sin(3 * x), x, period)
        errors.append(np.max(np.abs(result - 3 * np.cos(3 * x))))
        steps.append(period / n)
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert 3.7 < slope < 4.6, (slope, errors)
    # Every point, the wrapped ones included, is as accurate as the interior.
    x = _grid(320, period, seed=5)
    error = np.abs(px.d1_periodic_x4(np.sin(3 * x), x, period) - 3 * np.cos(3 * x))
    assert np.max(error[:2]) < 10 * np.median(error) + 1e-12
    assert np.max(error[-2:]) < 10 * np.median(error) + 1e-12


def test_uniform_periodic_grid_equals_the_uniform_operator(px: ModuleType) -> None:
    n, period = 48, 3.0
    h = period / n
    x = 0.25 + h * np.arange(n)
    f = np.random.default_rng(1).standard_normal(n)
    uniform = load_generated("d1_periodic4").d1_periodic4(f, h)
    np.testing.assert_allclose(px.d1_periodic_x4(f, x, period), uniform, atol=1e-12)


def test_independent_of_where_the_period_starts(px: ModuleType) -> None:
    n, period = 30, 360.0  # degrees of longitude
    x = np.sort(np.random.default_rng(2).uniform(0, 360, n))
    f = np.cos(np.radians(x)) + np.sin(np.radians(2 * x))
    result = px.d1_periodic_x4(f, x, period)
    for k in (1, 2, 7, n - 1):
        rolled_x = np.concatenate((x[k:], x[:k] + period))
        rolled = px.d1_periodic_x4(np.roll(f, -k), rolled_x, period)
        np.testing.assert_allclose(rolled, np.roll(result, -k), atol=1e-13)
    # Decreasing coordinates: the same derivative.
    backwards = px.d1_periodic_x4(f[::-1], x[::-1], period)
    np.testing.assert_allclose(backwards, result[::-1], atol=1e-13)


def test_along_any_axis_and_weights_reuse(px: ModuleType) -> None:
    rng = np.random.default_rng(3)
    x = _grid(16, 2.0, seed=3)
    f = rng.standard_normal((5, 16, 4))
    weights = px.d1_periodic_x4_weights(x, 2.0)
    whole = px.d1_periodic_x4_apply(f, weights, axis=1)
    lines = np.apply_along_axis(px.d1_periodic_x4, 1, f, x, 2.0)
    # A float64 line takes Newton's divided differences: the same derivative,
    # rounded otherwise (within a few eps of the terms' magnitudes).
    np.testing.assert_allclose(whole, lines, rtol=0, atol=1e-13)
    lines32 = np.apply_along_axis(px.d1_periodic_x4, 1, f.astype(np.float32), x, 2.0)
    whole32 = px.d1_periodic_x4_apply(f.astype(np.float32), weights, axis=1)
    np.testing.assert_array_equal(whole32, lines32)
    out = np.empty_like(f)
    assert px.d1_periodic_x4(f, x, 2.0, axis=1, out=out) is out
    np.testing.assert_array_equal(out, whole)


@pytest.mark.parametrize(
    ("period", "error", "message"),
    [
        (1.0, ValueError, r"the period must be finite and longer than the span"),
        (float("inf"), ValueError, r"the period must be finite"),
        ("2", TypeError, r"period must be a real number, got str"),
        (None, TypeError, r"period must be a real number, got NoneType"),
    ],
)
def test_bad_period(px: ModuleType, period: object, error: type, message: str) -> None:
    x = np.linspace(0.0, 1.5, 8, endpoint=False)
    with pytest.raises(error, match=message):
        px.d1_periodic_x4(np.ones(8), x, period)


def test_every_derivative_and_family_verifies() -> None:
    """The build's own check (perturbed periodic grids) for other stencils."""
    for text in (
        "derivative = 2\naccuracy = 2\n",
        'derivative = 1\naccuracy = 3\nstencil = "forward"\n',
        "derivative = 3\noffsets = [-2, -1, 0, 1, 2]\n",
    ):
        toml = f'[p]\n{text}grid = "coordinates"\nboundary = "periodic"\n'
        module = generate(
            parse_spec(toml).entries[0],
            Renderer(),
            spec_name="s",
            command="c",
            inputs="i",
        )
        assert module.rows and all(row.passed for row in module.rows), module.rows
        notes = [row.note for row in module.rows]
        assert any("perturbed" in note for note in notes), notes
        loaded = load_module(module.source, "p")
        x = _grid(24, 1.0, seed=4)
        assert loaded.p(np.ones(24), x, 1.0).shape == (24,)


def test_long_lines_block_by_block(
    px: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long line is computed in blocks and a window across the seam."""
    monkeypatch.setattr(px, "_BLOCK", 40)  # lines of more than 10 points
    period = 7.0
    for x in (_grid(53, period, seed=8), _grid(53, period, seed=8)[::-1].copy()):
        f = np.cos(2 * np.pi * x / period) + 0.3 * np.sin(4 * np.pi * x / period)
        whole = px.d1_periodic_x4_apply(f, px.d1_periodic_x4_weights(x, period))
        np.testing.assert_allclose(px.d1_periodic_x4(f, x, period), whole, atol=1e-12)
    with pytest.raises(ValueError, match="longer than the span"):
        px.d1_periodic_x4(f, x, 6.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({3: 0.1}, "strictly monotonic"),
        ({3: np.nan}, "must be finite"),
        ({0: np.nan}, "must be finite"),
        ({-1: np.inf}, "must be finite"),
    ],
)
def test_bad_coordinates_of_a_short_float64_line(
    px: ModuleType, change: dict, message: str
) -> None:
    # The short float64 line checks x's steps on the differences the divided
    # differences take: the messages of every other path.
    x = np.linspace(0.0, 1.5, 8, endpoint=False)
    for index, value in change.items():
        x[index] = value
    for f in (np.ones(8), np.ones(8, np.float32), np.ones((2, 8))):
        with pytest.raises(ValueError, match=message):
            px.d1_periodic_x4(f, x, 2.0)
