"""The small-array paths of the uniform operators (issue 12, item 2), bit for bit.

The edges of both ends are summed with ``np.add.accumulate`` (one running sum
down the stencil columns) instead of a Python loop over the columns; the
interior of 1-D and one-block arrays runs without the block machinery; the
interior constants reach the ufuncs as cached 0-d arrays of f's dtype. None of
that may change a single bit: every backend evaluates the kernel plan's terms
in the plan's order, and the tests of the backends compare them bitwise.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import load_file, load_generated

from stencilgen.inputs import template_dir

UNIFORM = (
    "d1_central2",
    "d1_central4",
    "d1_forward2",
    "d1_periodic4",
    "d2_central8",
    "d1_staggered4",
    "d1_drp7",
)


def runtime(name: str) -> ModuleType:
    """templates/runtime/<name>.py, with the ``_edge_sums`` it is included beside."""
    module = load_file(template_dir() / "runtime" / f"{name}.py", f"small_{name}")
    shared = load_file(template_dir() / "runtime" / "edge_sums.py", "small_edge_sums")
    module._edge_sums = shared._edge_sums
    return module


def edges() -> ModuleType:
    """The uniform-grid edges (runtime/edges.py)."""
    return runtime("edges")


def bits(a: np.ndarray) -> bytes:
    """The array's bytes: -0.0 differs from 0.0 and NaN payloads count."""
    return np.ascontiguousarray(a).tobytes()


def hostile(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Random samples of every magnitude with signed zeros, infinities and NaNs."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape)
    if np.dtype(dtype).kind == "c":
        f = f + 1j * rng.standard_normal(shape)
    with np.errstate(over="ignore"):
        f = f.astype(dtype)
    flat = f.reshape(-1)
    picks = rng.choice(flat.size, size=min(flat.size, 12), replace=False)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, -0.0]
    for k, i in enumerate(picks):
        flat[i] = specials[k % len(specials)]
    return f


def column_loop(
    f: np.ndarray,
    axis: int,
    points: np.ndarray,
    index: np.ndarray,
    w: np.ndarray,
    pad: np.ndarray | None = None,
) -> np.ndarray:
    """The reference: out[p] = w[0, p]*f[index[0, p]], then + w[k, p]*f[index[k, p]].

    Columns where ``pad`` is True are no terms (a shorter stencil).
    """
    g = np.moveaxis(f, axis, -1)
    result = np.zeros(g.shape, dtype=f.dtype)
    for p, point in enumerate(points):
        total = g[..., index[0, p]] * w[0, p]
        for k in range(1, index.shape[0]):
            if pad is None or not pad[k, p]:
                total = total + g[..., index[k, p]] * w[k, p]
        result[..., point] = total
    return np.moveaxis(result, -1, axis)


def test_accumulate_is_the_sequential_sum() -> None:
    # 1e16 + 1 rounds to 1e16, so in order the sum is 0 + 1; any pairing or
    # exact summation gives 2.
    terms = np.array([[1e16], [1.0], [-1e16], [1.0]])
    assert np.add.accumulate(terms, axis=0)[-1, 0] == 1.0
    # A leading -0.0 stays -0.0 (the sum starts from the first term, not 0).
    assert bits(np.add.accumulate(np.array([[-0.0], [-0.0]]), axis=0)[-1]) == bits(
        np.array([-0.0])
    )


@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.float16, np.complex128, np.complex64]
)
@pytest.mark.parametrize("shape", [(19,), (7, 19), (19, 3), (4, 19, 5), (300, 40)])
def test_edge_sums_equal_the_column_loop_bit_for_bit(
    dtype: Any, shape: tuple[int, ...]
) -> None:
    e = edges()
    rows = (
        (0, 0, (-25 / 12, 4.0, -3.0, 4 / 3, -1 / 4)),
        (1, -1, (-1 / 4, -5 / 6, 3 / 2, -1 / 2, 1 / 12)),
        (-2, -1, (-1 / 2, 0.0, 1 / 2)),  # an explicit zero, a shorter row
        (-1, -4, (1 / 4, -4 / 3, 3.0, -4.0, 25 / 12)),
    )
    points, index, weights, pad, _ = e._edge_table(*e._stencil_arrays(rows))
    # The zero weight is left out; the shorter rows are padded, and only they.
    assert pad is not None and pad.sum(axis=0).tolist() == [0, 0, 3, 0]
    scale = 1 / 0.3
    for axis in range(len(shape)):
        if shape[axis] != 19:
            continue
        f = hostile(shape, dtype, seed=axis)
        out = np.full(shape, 7, dtype=f.dtype)
        with np.errstate(all="ignore"):
            e._edges(f, out, axis, (points, index, weights, pad, {}), scale)
            # The weights at the data's (real) precision, as the kernel rounds
            # them; the reference sums only the real terms of each row.
            w = (weights * scale).astype(np.finfo(f.dtype).dtype)
            if f.dtype.kind == "c":
                expected = column_loop(f.real, axis, points, index, w, pad) + 1j * (
                    column_loop(f.imag, axis, points, index, w, pad)
                )
            else:
                expected = column_loop(f, axis, points, index, w, pad)
        got = np.take(out, points, axis=axis)
        want = np.take(expected, points, axis=axis).astype(f.dtype)
        assert bits(got) == bits(want), (dtype, shape, axis)
        # The other points are untouched.
        inside = np.delete(out, points % shape[axis], axis=axis)
        assert (inside == 7).all()


# (19, 3000) along axis 0 sums column by column (_edge_sums' large branch).
@pytest.mark.parametrize("shape", [(19,), (4, 19), (19, 300), (19, 3000)])
def test_a_padded_column_adds_nothing_whatever_f_holds_there(
    shape: tuple[int, ...],
) -> None:
    # Point 0 reads f[0] and f[2] (its zero weight at f[1] is left out) and is
    # padded to the width of point -1; f[1] holds inf, NaN and signed zeros.
    e = edges()
    rows = ((0, 0, (-1.0, 0.0, 1.0)), (-1, -2, (0.5, -2.0, 1.5)))
    table = e._edge_table(*e._stencil_arrays(rows))
    axis = shape.index(19)
    for special in (np.inf, -np.inf, np.nan):
        f = np.moveaxis(np.ones(shape), axis, -1) * np.arange(19.0) ** 2
        f[..., 1] = special
        f = np.moveaxis(f, -1, axis)
        out = np.zeros(shape)
        e._edges(f, out, axis, table, 1.0)
        assert (np.take(out, 0, axis=axis) == 4.0).all(), special
    # A -0.0 sum stays -0.0 (the padding is -0.0, not 0 * f).
    f = np.ones(shape)
    first = (slice(None),) * axis
    f[(*first, 0)], f[(*first, 2)] = 0.0, -0.0  # -1 * 0.0 + 1 * -0.0 = -0.0
    out = np.ones(shape)
    e._edges(f, out, axis, table, 1.0)
    assert bits(np.take(out, 0, axis=axis)) == bits(np.full(out.size // 19, -0.0))


def test_gather_keeps_its_signature_and_numbers() -> None:
    # _gather(f, out, axis, points, index, weights, data_precision) with (points,
    # columns) arrays, as the coordinate-grid operators call it: float64
    # weights multiply float32 data at float64 unless data_precision.
    e = runtime("edge_windows")
    f = hostile((6, 11), np.float32, seed=3)
    points = np.array([0])
    index, weights = np.array([[0, 1, 2]]), np.array([[0.1, 0.7, -0.3]])
    for precise in (False, True):
        out = np.zeros_like(f)
        with np.errstate(all="ignore"):
            e._gather(f, out, 1, points, index, weights, precise)
            w = weights.T.astype(np.float32) if precise else weights.T
            expected = column_loop(f, 1, points, index.T, w).astype(np.float32)
        assert bits(out[:, 0]) == bits(expected[:, 0])


@pytest.mark.parametrize("name", UNIFORM)
def test_lines_blocks_and_one_block_give_the_same_bits(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_generated(name, f"small_{name}")
    op = getattr(module, name)
    rng = np.random.default_rng(5)
    cases = [rng.standard_normal(s) for s in ((57,), (13, 29), (10, 14, 11))]
    cases += [rng.standard_normal((40,)).astype(np.float32)]
    expected = {
        (k, axis): op(f, 0.7, axis=axis)
        for k, f in enumerate(cases)
        for axis in range(f.ndim)
    }
    # Tiny blocks: many blocks along a 1-D line, the block splitter elsewhere.
    monkeypatch.setattr(module, "_BLOCK", 16)
    for k, f in enumerate(cases):
        for axis in range(f.ndim):
            got = op(f, 0.7, axis=axis)
            assert bits(got) == bits(expected[k, axis]), (name, f.shape, axis)
            # Not C-ordered, into a given out.
            out = np.empty_like(got)
            assert op(np.asfortranarray(f), 0.7, axis=axis, out=out) is out
            assert bits(out) == bits(expected[k, axis])


@pytest.mark.parametrize("name", UNIFORM)
def test_cached_constants_round_as_python_floats(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_generated(name, f"small_constants_{name}")
    op = getattr(module, name)
    combos = [
        (np.float64, None),
        (np.float32, None),
        (np.float16, None),
        (np.complex64, None),
        (np.float32, np.float64),  # out of another dtype
        (np.float16, np.complex128),
    ]
    results = []
    for dtype, out_dtype in combos:
        for h in (0.3, 1e-3, 0.3):  # a step again: from the cache
            f = hostile((3, 24), dtype, seed=int(h * 1000))
            out = None if out_dtype is None else np.zeros((3, 24), out_dtype)
            if name == "d1_staggered4":
                out = None if out is None else np.zeros((3, 21), out_dtype)
            with np.errstate(all="ignore"):
                results.append(bits(op(f, h, out=out)))
    assert len(module._CONSTANTS) <= 8
    # The same calls with the Python floats themselves.
    monkeypatch.setattr(module, "_constants", lambda f, out, cache, c: c)
    again = []
    for dtype, out_dtype in combos:
        for h in (0.3, 1e-3, 0.3):
            f = hostile((3, 24), dtype, seed=int(h * 1000))
            out = None if out_dtype is None else np.zeros((3, 24), out_dtype)
            if name == "d1_staggered4":
                out = None if out is None else np.zeros((3, 21), out_dtype)
            with np.errstate(all="ignore"):
                again.append(bits(op(f, h, out=out)))
    assert results == again


def test_constants_are_read_only_zero_d_arrays_of_the_data_dtype() -> None:
    arrays = load_file(template_dir() / "runtime" / "uniform.py", "small_uniform")
    cache: dict[Any, Any] = {}
    f = np.zeros(5, np.float32)
    c = arrays._constants(f, f.copy(), cache, (0.1, 1 / 3))
    assert [x.shape for x in c] == [(), ()] and {x.dtype for x in c} == {f.dtype}
    assert not c[0].flags.writeable
    assert c[1] == np.float32(1 / 3)
    assert arrays._constants(f, f.copy(), cache, (0.1, 1 / 3)) is c  # cached
    assert arrays._constants(f, np.zeros(5), cache, (0.1,)) == (0.1,)
    for k in range(20):
        arrays._constants(f, f, cache, (float(k),))
    assert len(cache) <= 8
