"""``gradient`` on the array-API backend: numpy.gradient's numbers on torch & co.

The bundled ``gradient4_xp`` (and an accuracy-2 rendering) against the NumPy
module ``gradient4`` (itself tested against numpy.gradient) on torch (CPU),
array-api-strict and JAX (CPU) arrays: every spacing form (none, one scalar,
NumPy scalars of other precisions, coordinate arrays, evenly spaced
coordinates, mixed per axis), every edge_order, every axis form, float64,
float32, complex and integer data, compared element for element and by dtype.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, load_file
from conftest import random_samples as samples

from stencilgen.build import render_body
from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec

pytest.importorskip("array_api_compat")
xps = pytest.importorskip("array_api_strict")
torch = pytest.importorskip("torch")


def load(path: Path, name: str) -> ModuleType:
    return load_file(path, name, register=True)


@pytest.fixture(scope="module")
def modules() -> tuple[Any, Any]:
    fast = load(ROOT / "generated" / "gradient4_xp.py", "gradient_xp_bundled")
    reference = load(ROOT / "generated" / "gradient4.py", "gradient_np_bundled")
    return fast.gradient4_xp, reference.gradient4


def grid(n: int, seed: int, dtype: Any = np.float64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.uniform(0.5, 1.5, n)).astype(dtype)


def same(got: Any, expected: Any) -> None:
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            same(g, e)
        return
    host = got.numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    np.testing.assert_array_equal(host, expected, strict=True)


def spacings(shape: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """Spacing forms for every axis of an array of ``shape``."""
    ndim = len(shape)
    coords = [grid(n, seed=d) for d, n in enumerate(shape)]
    forms: list[tuple[Any, ...]] = [(), (0.3,), (2,), (np.float32(0.3),)]
    forms.append(tuple(coords))
    forms.append(tuple(0.25 * np.arange(n) for n in shape))  # evenly spaced
    if ndim > 1:
        forms.append((coords[0], *[0.5 + d for d in range(1, ndim)]))
        forms.append((np.float64(0.2), *coords[1:]))
    return forms


CASES = [
    ((17,), np.float64),
    ((17,), np.complex128),
    ((13, 11), np.float64),
    ((13, 11), np.float32),
    ((13, 11), np.int64),
    ((7, 9, 8), np.float64),
]


@pytest.mark.parametrize(("shape", "dtype"), CASES)
def test_gradient_xp_on_torch_is_bitwise_numpy(
    modules: tuple[Any, Any], shape: tuple[int, ...], dtype: Any
) -> None:
    fast, reference = modules
    f = samples(shape, dtype)
    t = torch.from_numpy(f)
    for varargs in spacings(shape):
        for edge_order in (1, 2, 3, 4):
            expected = reference(f, *varargs, edge_order=edge_order)
            got = fast(t, *varargs, edge_order=edge_order)
            for piece in got if isinstance(got, tuple) else (got,):
                assert isinstance(piece, torch.Tensor)
            same(got, expected)
            # Coordinates given as tensors too.
            tensors = [torch.from_numpy(v) if np.ndim(v) else v for v in varargs]
            same(fast(t, *tensors, edge_order=edge_order), expected)


REAL = [c for c in CASES if c[1] != np.complex128]


@pytest.mark.parametrize(("shape", "dtype"), REAL)
def test_gradient_xp_on_strict_and_jax(
    modules: tuple[Any, Any], shape: tuple[int, ...], dtype: Any
) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64, as NumPy
    jnp = pytest.importorskip("jax.numpy")
    fast, reference = modules
    f = samples(shape, dtype, seed=1)
    for varargs in spacings(shape)[::2]:
        for edge_order in (1, 4):
            expected = reference(f, *varargs, edge_order=edge_order)
            strict = fast(xps.asarray(f), *varargs, edge_order=edge_order)
            for piece in strict if isinstance(strict, tuple) else (strict,):
                assert type(piece) is type(xps.asarray(f))
            same(strict, expected)
            result = fast(jnp.asarray(f), *varargs, edge_order=edge_order)
            for piece in result if isinstance(result, tuple) else (result,):
                assert isinstance(piece, jax.Array)
            same(result, expected)


def test_gradient_xp_axis_forms_and_numpy_input(modules: tuple[Any, Any]) -> None:
    fast, reference = modules
    f = samples((9, 10, 11), np.float64, seed=2)
    t = torch.from_numpy(f)
    x = grid(10, seed=3)
    for axis in (0, -1, (0, 2), [2, 1], None):
        same(fast(t, axis=axis), reference(f, axis=axis))
    same(fast(t, x, axis=1), reference(f, x, axis=1))
    same(fast(t, 0.1, x, axis=(2, 1)), reference(f, 0.1, x, axis=(2, 1)))
    # NumPy arrays (and lists) take the NumPy module's own code.
    same(fast(f, x, axis=1), reference(f, x, axis=1))
    same(fast(f.tolist(), 0.5), reference(f, 0.5))


def test_gradient_xp_long_lines_and_precomputed_weights(
    modules: tuple[Any, Any],
) -> None:
    fast, reference = modules
    module = sys.modules[fast.__module__]  # its GradientWeights class
    n = 3 * module._BLOCK + 5  # the NumPy module computes weights per block
    x = grid(n, seed=4)
    f = np.sin(x / 50)
    same(fast(torch.from_numpy(f), x), reference(f, x))
    # One float64 line: Newton's divided differences on both sides, bit for
    # bit; kept weights: the weighted sum on both sides.
    weights = module.gradient4_xp_weights(x)
    kept = sys.modules[reference.__module__].gradient4_weights(x)
    same(fast(torch.from_numpy(f), weights), reference(f, kept))
    short = grid(50, seed=6)
    same(fast(torch.from_numpy(np.cos(short)), short), reference(np.cos(short), short))
    x32 = grid(40, seed=5, dtype=np.float32)
    f32 = np.cos(x32)
    same(fast(torch.from_numpy(f32), x32), reference(f32, x32))
    f64 = f32.astype(np.float64)
    same(fast(torch.from_numpy(f64), x32), reference(f64, x32))


def test_gradient_xp_takes_dask_still(modules: tuple[Any, Any]) -> None:
    da = pytest.importorskip("dask.array")
    fast, reference = modules
    f = samples((30, 8), np.float64, seed=6)
    lazy = fast(da.from_array(f, chunks=(7, 8)), 0.2, axis=0)
    np.testing.assert_array_equal(lazy.compute(), reference(f, 0.2, axis=0))


def test_gradient_xp_errors(modules: tuple[Any, Any]) -> None:
    fast, _ = modules
    t = torch.from_numpy(samples((12,), np.float64))
    with pytest.raises(TypeError, match="out= takes NumPy arrays"):
        fast(t, out=torch.empty(12, dtype=torch.float64))
    with pytest.raises(TypeError, match="boolean"):
        fast(torch.zeros(12, dtype=torch.bool))
    with pytest.raises(TypeError, match="float32, float64, complex64 and complex128"):
        fast(torch.zeros(12, dtype=torch.float16))
    with pytest.raises(TypeError, match="complex and timedelta steps take NumPy"):
        fast(t, 1j)
    with pytest.raises(TypeError, match="complex128 coordinates take NumPy arrays"):
        fast(t, grid(12, seed=0) * (1 + 1j))
    with pytest.raises(TypeError, match=r"datetime64.* coordinates take NumPy arrays"):
        fast(t, np.datetime64("2026-01-01") + np.arange(12) * np.timedelta64(1, "h"))
    with pytest.raises(ValueError, match="too few for a numerical gradient"):
        fast(t[:3], edge_order=4)
    with pytest.raises(IndexError):  # numpy's exception type, as the NumPy module
        fast(t[:3], edge_order=4)
    with pytest.raises(ValueError, match="coordinate array for axis 0 has 11 points"):
        fast(t, grid(11, seed=0))
    with pytest.raises(ValueError, match="edge_order=5 is not supported"):
        fast(t, edge_order=5)


def test_gradient_xp_renders_at_accuracy_2(tmp_path: Path) -> None:
    text = '[g2]\nkind = "gradient"\naccuracy = 2\nbackend = "array-api"\n'
    _, body = render_body(parse_spec(text).entries[0])
    (tmp_path / "g2.py").write_text(body)
    g2 = load(tmp_path / "g2.py", "gradient_xp_g2").g2
    reference = load(ROOT / "generated" / "gradient.py", "gradient_np_g2").gradient
    f = samples((14, 9), np.float32, seed=7)
    x = grid(9, seed=8)
    for varargs in [(), (0.7,), (0.4, x), (np.float64(0.3),)]:
        for edge_order in (1, 2):
            expected = reference(f, *varargs, edge_order=edge_order)
            same(g2(torch.from_numpy(f), *varargs, edge_order=edge_order), expected)


def test_gradient_backend_key() -> None:
    with pytest.raises(SpecError, match=r"key 'backend'.*unknown value 'cuda'"):
        parse_spec('[g]\nkind = "gradient"\naccuracy = 2\nbackend = "cuda"\n')
