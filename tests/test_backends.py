"""The numba and array-API backends: same numbers as the NumPy modules.

The bundled numba and array-API modules (``generated/*_numba.py``,
``generated/*_xp.py``) and in-memory renderings of the other operator shapes
(forward, staggered/valid, periodic, coordinates) are compared with the NumPy
backend bit for bit: the backends evaluate the same terms in the same order.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import ROOT, load_file, write_module
from conftest import random_samples as samples

from stencilgen import cli
from stencilgen.build import render_body
from stencilgen.errors import SpecError
from stencilgen.spec import parse_spec

pytest.importorskip("numba")
pytest.importorskip("array_api_compat")
xps = pytest.importorskip("array_api_strict")


def load(path: Path, name: str) -> ModuleType:
    # Registered by name: dask tasks pickle the module's functions by reference.
    return load_file(path, name, register=True)


def generated(name: str) -> ModuleType:
    return load(ROOT / "generated" / f"{name}.py", f"backends_{name}")


# The same operator shapes as the bundled NumPy entries, for every backend.
SHAPES = {
    "central4": "derivative = 1\naccuracy = 4\n",
    "forward2": 'derivative = 1\naccuracy = 2\nstencil = "forward"\n',
    "periodic4": 'derivative = 1\naccuracy = 4\nboundary = "periodic"\n',
    "staggered4": (
        'derivative = 1\noffsets = [-1, 0, 1, 2]\nat = "1/2"\nboundary = "valid"\n'
    ),
    "nonuniform_d2": 'derivative = 2\naccuracy = 2\ngrid = "coordinates"\n',
    "nonuniform_valid": (
        'derivative = 1\naccuracy = 2\ngrid = "coordinates"\nboundary = "valid"\n'
    ),
}


@functools.cache
def rendered(shape: str, backend: str, directory: Path) -> Callable[..., Any]:
    """The operator of SHAPES[shape] with ``backend``, written and imported."""
    name = f"op_{shape}_{backend.replace('-', '_')}"
    text = f"[{name}]\n{SHAPES[shape]}backend = {backend!r}\n".replace("'", '"')
    return getattr(write_module(text, name, directory), name)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backends")


def grid_for(f: np.ndarray, axis: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.cumsum(rng.uniform(0.5, 1.5, f.shape[axis]))


ARRAYS = [(23,), (12, 17), (11, 6, 13)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_numba_is_bitwise_equal_to_numpy(shape: str, folder: Path) -> None:
    numpy_op = rendered(shape, "numpy", folder)
    numba_op = rendered(shape, "numba", folder)
    coordinates = "nonuniform" in shape
    # Each (dtype, layout) compiles once: complex and integers on 1-D arrays only.
    cases = [(dims, t) for dims in ARRAYS for t in (np.float64, np.float32)]
    cases += [((23,), np.complex128), ((23,), np.int64)]
    for dims, dtype in cases:
        f = samples(dims, dtype)
        for axis in range(-1, len(dims)):
            args = (grid_for(f, axis),) if coordinates else (0.3,)
            expected = numpy_op(f, *args, axis=axis)
            got = numba_op(f, *args, axis=axis)
            np.testing.assert_array_equal(got, expected, strict=True)
            # Not C-ordered in, into a given out: the same numbers.
            fT = np.asfortranarray(f)
            out = np.empty_like(expected)
            assert numba_op(fT, *args, axis=axis, out=out) is out
            np.testing.assert_array_equal(out, expected, strict=True)


@pytest.mark.parametrize("shape", [s for s in SHAPES if "nonuniform" not in s])
def test_array_api_is_bitwise_equal_to_numpy(shape: str, folder: Path) -> None:
    torch = pytest.importorskip("torch")
    numpy_op = rendered(shape, "numpy", folder)
    xp_op = rendered(shape, "array-api", folder)
    for dims in ARRAYS:
        for dtype in (np.float64, np.float32, np.int64):
            f = samples(dims, dtype)
            for axis in range(-1, len(dims)):
                expected = numpy_op(f, 0.3, axis=axis)
                np.testing.assert_array_equal(
                    np.asarray(xp_op(f, 0.3, axis=axis)), expected, strict=True
                )
                strict = xp_op(xps.asarray(f), 0.3, axis=axis)
                assert type(strict) is type(xps.asarray(f))
                np.testing.assert_array_equal(np.asarray(strict), expected)
                tensor = xp_op(torch.from_numpy(f), 0.3, axis=axis)
                assert isinstance(tensor, torch.Tensor)
                assert tensor.device == torch.device("cpu")
                np.testing.assert_array_equal(tensor.numpy(), expected, strict=True)


def test_bundled_backend_modules_match_their_numpy_twins() -> None:
    f = samples((40, 37), np.float64)
    x = grid_for(f, 1)
    d2 = generated("d2_central8").d2_central8
    np.testing.assert_array_equal(
        generated("d2_central8_numba").d2_central8_numba(f, 0.1), d2(f, 0.1)
    )
    np.testing.assert_array_equal(
        generated("d2_central8_xp").d2_central8_xp(f, 0.1, axis=0), d2(f, 0.1, axis=0)
    )
    periodic = generated("d1_periodic4").d1_periodic4
    np.testing.assert_array_equal(
        generated("d1_periodic4_xp").d1_periodic4_xp(f, 0.1), periodic(f, 0.1)
    )
    nonuniform = generated("d1_nonuniform2")
    numba_nonuniform = generated("d1_nonuniform2_numba")
    np.testing.assert_array_equal(
        numba_nonuniform.d1_nonuniform2_numba(f, x), nonuniform.d1_nonuniform2(f, x)
    )
    w = numba_nonuniform.d1_nonuniform2_numba_weights(x)
    np.testing.assert_array_equal(
        numba_nonuniform.d1_nonuniform2_numba_apply(f, w),
        nonuniform.d1_nonuniform2(f, x),
    )
    # A float64 line: both take Newton's divided differences (runtime/newton.py).
    line = f[3]
    np.testing.assert_array_equal(
        numba_nonuniform.d1_nonuniform2_numba(line, x),
        nonuniform.d1_nonuniform2(line, x),
    )


def test_backend_modules_take_dask_and_xarray_too() -> None:
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")
    f = samples((30, 29), np.float64)
    x = grid_for(f, 1)
    numba_nonuniform = generated("d1_nonuniform2_numba").d1_nonuniform2_numba
    expected = generated("d1_nonuniform2").d1_nonuniform2(f, x)
    lazy = numba_nonuniform(da.from_array(f, chunks=(7, 4)), x)
    np.testing.assert_array_equal(lazy.compute(), expected)
    data = xr.DataArray(f, dims=("t", "y"), coords={"y": x})
    np.testing.assert_array_equal(numba_nonuniform(data, dim="y").values, expected)
    xp_op = generated("d2_central8_xp").d2_central8_xp
    lazy = xp_op(da.from_array(f, chunks=5), 0.1, axis=0)
    np.testing.assert_array_equal(
        lazy.compute(), generated("d2_central8").d2_central8(f, 0.1, axis=0)
    )


def test_array_api_out_is_numpy_only() -> None:
    torch = pytest.importorskip("torch")
    op = generated("d2_central8_xp").d2_central8_xp
    f = samples((20,), np.float64)
    out = np.empty(20)
    assert op(f, 0.1, out=out) is out
    with pytest.raises(TypeError, match="out= takes a NumPy array for NumPy input"):
        op(torch.from_numpy(f), 0.1, out=torch.empty(20, dtype=torch.float64))
    with pytest.raises(ValueError, match="needs at least 10 points along axis 0"):
        op(torch.zeros(9))


def test_numba_kernels_compile_without_a_writable_cache() -> None:
    """A read-only install: numba cannot cache, the module still works."""
    code = (
        "import tempfile\n"
        "def refuse(*args, **kwargs):\n"
        "    raise PermissionError('read-only file system')\n"
        "tempfile.TemporaryFile = refuse  # numba's probe of cache folders\n"
        "import importlib.util, numpy as np\n"
        f"path = {str(ROOT / 'generated' / 'd2_central8_numba.py')!r}\n"
        "spec = importlib.util.spec_from_file_location('m', path)\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "x = np.arange(30.0)\n"
        "assert np.allclose(m.d2_central8_numba(x**2), 2)\n"
        "print(type(m._lines._cache).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "NullCache"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            'derivative = 1\naccuracy = 2\nbackend = "cuda"\n',
            r"key 'backend'.*numpy.*numba.*array-api",
        ),
        (
            'derivative = 1\naccuracy = 2\ngrid = "coordinates"\n'
            'backend = "array-api"\n',
            r'backend = "array-api" renders uniform grids',
        ),
        (
            "derivative = 1\naccuracy = 2\nparallel = true\n",
            r'parallel = true needs backend = "numba"',
        ),
    ],
)
def test_bad_backend_keys(text: str, pattern: str) -> None:
    with pytest.raises(SpecError, match=pattern):
        parse_spec(f"[d]\n{text}")


def test_missing_numba_says_how_to_install_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import stencilgen.backends as backends

    real = importlib.util.find_spec
    monkeypatch.setattr(
        backends.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "numba" else real(name, *a),
    )
    spec = tmp_path / "s.toml"
    spec.write_text('[fast]\nderivative = 1\naccuracy = 2\nbackend = "numba"\n')
    assert cli.main(["build", str(spec), "--out", str(tmp_path / "out")]) == 2
    message = capsys.readouterr().err
    assert "numba, which is not installed; pip install 'stencilgen[numba]'" in message
    assert len(message.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_numba_gradient_is_bitwise_equal_to_the_numpy_gradient() -> None:
    fast = generated("gradient_numba").gradient_numba
    reference = generated("gradient").gradient
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.5, 1.5, 19))
    for dtype in (np.float64, np.float32, np.complex128, np.int64):
        f = samples((19, 11, 7), dtype)
        for varargs in [(), (0.3,), (np.float32(0.3),), (x, 0.5, 2.0)]:
            for edge_order in (1, 2):
                got = fast(f, *varargs, edge_order=edge_order)
                expected = reference(f, *varargs, edge_order=edge_order)
                for g, e in zip(got, expected, strict=True):
                    np.testing.assert_array_equal(g, e, strict=True)
    f = np.asfortranarray(samples((13, 9), np.float64))
    np.testing.assert_array_equal(fast(f, 0.1, axis=0), reference(f, 0.1, axis=0))
    np.testing.assert_array_equal(fast(f[:, 0], 0.1), reference(f[:, 0], 0.1))


@pytest.mark.parametrize("shape", ["central4", "periodic4", "staggered4"])
def test_array_api_on_jax_is_bitwise_equal_to_numpy(shape: str, folder: Path) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64, as NumPy
    jnp = pytest.importorskip("jax.numpy")
    numpy_op = rendered(shape, "numpy", folder)
    xp_op = rendered(shape, "array-api", folder)
    for dtype in (np.float64, np.float32):
        f = samples((12, 17), dtype)
        for axis in (0, 1):
            got = xp_op(jnp.asarray(f), 0.3, axis=axis)
            assert isinstance(got, jax.Array)
            np.testing.assert_array_equal(
                np.asarray(got), numpy_op(f, 0.3, axis=axis), strict=True
            )


def test_numba_cache_written_under_another_module_name_still_works(
    tmp_path: Path,
) -> None:
    """numba's cache records the module name; a second name recompiles, no error."""
    source = (ROOT / "generated" / "d2_central8_numba.py").read_text()
    (tmp_path / "d2_central8_numba.py").write_text(source)
    code = (
        "import importlib.util, sys, numpy as np\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "name = sys.argv[1]\n"
        f"path = {str(tmp_path / 'd2_central8_numba.py')!r}\n"
        "spec = importlib.util.spec_from_file_location(name, path)\n"
        "m = importlib.util.module_from_spec(spec); sys.modules[name] = m\n"
        "spec.loader.exec_module(m)\n"
        "x = np.arange(30.0)\n"
        "assert np.allclose(m.d2_central8_numba(x**2), 2)\n"
    )
    for name in ("d2_central8_numba", "another_name"):
        subprocess.run([sys.executable, "-c", code, name], check=True)


def test_numba_parallel_is_bitwise_equal_too(folder: Path) -> None:
    text = '[op_parallel]\nderivative = 2\naccuracy = 4\nbackend = "numba"\n'
    _, body = render_body(parse_spec(text + "parallel = true\n").entries[0])
    assert "numba.prange(rows)" in body
    path = folder / "op_parallel.py"
    path.write_text(body)
    parallel = load(path, "op_parallel").op_parallel
    _, body = render_body(
        parse_spec(text.replace('backend = "numba"\n', "")).entries[0]
    )
    (folder / "op_serial.py").write_text(body.replace("op_parallel", "op_serial"))
    serial = load(folder / "op_serial.py", "op_serial").op_serial
    f = samples((9, 31, 7), np.float64)
    for axis in (0, 1, 2):
        np.testing.assert_array_equal(
            parallel(f, 0.2, axis=axis), serial(f, 0.2, axis=axis), strict=True
        )
