"""The runtime helpers (templates/runtime/*.py) as the real Python files they are.

Generated modules include them verbatim; here they are imported directly and
checked against plain NumPy, so a helper is tested once, not per generated module.
"""

from __future__ import annotations

import doctest
import math
import re
from types import ModuleType

import numpy as np
import pytest
from conftest import ROOT, load_file

from stencilgen.inputs import template_dir
from stencilgen.render import RUNTIME_MARKER, Renderer

RUNTIME = template_dir() / "runtime"


def load(name: str) -> ModuleType:
    return load_file(RUNTIME / f"{name}.py", f"runtime_{name}")


def test_every_runtime_file_has_the_marker_and_is_included_verbatim() -> None:
    renderer = Renderer()
    for path in sorted(RUNTIME.glob("*.py")):
        text = path.read_text()
        assert text.count(RUNTIME_MARKER) == 1, path.name
        included = renderer.runtime(path.stem)
        assert included.startswith("\n\n") and included.strip() in text
        # Nothing the module needs is above the marker except imports and __all__.
        head = text.split(RUNTIME_MARKER)[0]
        assert "def " not in head and "class " not in head, path.name


def test_blocks_cover_every_point_once_in_both_split_directions() -> None:
    blocks = load("blocks")
    rng = np.random.default_rng(0)
    for shape, axis in (((50,), 0), ((7, 40), 1), ((40, 7), 0), ((6, 5, 30), 2)):
        f = rng.standard_normal(shape)
        out = np.zeros(shape)
        lo, hi = 2, shape[axis] - 3
        for o, t, view, span in blocks._blocks(f, out, axis, lo, hi, 0, 17):
            assert t.shape == o.shape
            np.add(view(-2), view(3), out=o)
            assert span.start >= 0 and span.stop <= hi - lo
        expected = np.zeros(shape)
        index = [slice(None)] * f.ndim
        index[axis] = slice(lo, hi)
        left = list(index)
        left[axis] = slice(lo - 2, hi - 2)
        right = list(index)
        right[axis] = slice(lo + 3, hi + 3)
        expected[tuple(index)] = f[tuple(left)] + f[tuple(right)]
        np.testing.assert_array_equal(out, expected)
    assert list(blocks._spans(3, 10, 4)) == [(3, 7), (7, 10)]
    assert list(blocks._spans(3, 3, 4)) == []


def test_scale_is_a_float_or_a_value_error() -> None:
    arrays = load("arrays")
    assert arrays._scale(0.5, 2) == 4.0
    for h in (1e-200, 1e200, 0.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="h"):
            arrays._scale(h, 2)
    with pytest.raises(TypeError, match="scalar"):
        arrays._scale(np.ones(2), 1)


def test_prepare_and_output_check_their_arguments() -> None:
    arrays = load("arrays")
    f, axis = arrays._prepare([1, 2, 3], -1, 3, "op")
    assert f.dtype == np.float64 and axis == 0
    with pytest.raises(ValueError, match="at least 4 points"):
        arrays._prepare([1, 2, 3], 0, 4, "op")
    with pytest.raises(ValueError, match="out of bounds"):
        arrays._prepare([1, 2, 3], 1, 1, "op")
    with pytest.raises(ValueError, match="overlap"):
        arrays._output(f, 0, 3, f)
    assert arrays._output(f, 0, 2, None).shape == (2,)


def with_edge_sums(name: str) -> ModuleType:
    """runtime/<name>.py with the ``_edge_sums`` of runtime/edge_sums.py beside it."""
    module = load(name)
    module._edge_sums = load("edge_sums")._edge_sums
    return module


def test_edges_match_explicit_sums() -> None:
    edges = with_edge_sums("edges")
    f = np.arange(12.0).reshape(3, 4) ** 2
    out = np.zeros_like(f)
    # A one-sided stencil at point 0 and its mirror at the last point, scaled.
    rows = ((0, 0, (-1.5, 2.0, -0.5)), (-1, -2, (0.5, -2.0, 1.5)))
    edges._edges(f, out, 1, edges._edge_table(*edges._stencil_arrays(rows)), 2.0)
    np.testing.assert_allclose(
        out[:, 0], 2.0 * (-1.5 * f[:, 0] + 2 * f[:, 1] - 0.5 * f[:, 2])
    )
    np.testing.assert_allclose(
        out[:, 3], 2.0 * (0.5 * f[:, 1] - 2 * f[:, 2] + 1.5 * f[:, 3])
    )
    # A periodic stencil wraps at both ends, along any axis.
    table = edges._edge_table(*edges._wrap_arrays((0, -1), ((-1, -0.5), (1, 0.5))))
    edges._edges(f, out, 1, table, 1.0)
    np.testing.assert_allclose(out[:, 0], 0.5 * (f[:, 1] - f[:, 3]))
    np.testing.assert_allclose(out[:, 3], 0.5 * (f[:, 0] - f[:, 2]))
    line = np.zeros(4)
    edges._edges(f[1], line, 0, table, 1.0)
    np.testing.assert_allclose(line[[0, 3]], out[1, [0, 3]])
    # Zero weights are left out; a shorter row repeats its last term, masked:
    # the infinity at f[2] is read by no stencil of these points.
    rows = ((0, 0, (-1.5, 2.0, -0.5)), (1, -1, (-0.5, 0.0, 0.5)))
    _, index, weights, pad = edges._stencil_arrays(rows)
    assert index.tolist() == [[0, 1, 2], [0, 2, 2]]
    assert weights.tolist() == [[-1.5, 2.0, -0.5], [-0.5, 0.5, 0.5]]
    assert pad.tolist() == [[False, False, False], [False, False, True]]
    g = np.array([1.0, 2.0, np.inf, 4.0])
    line = np.zeros(4)
    rows = ((0, 0, (1.0, 1.0, 0.0)), (3, -2, (-1.0, 0.0, 1.0)))
    edges._edges(g, line, 0, edges._edge_table(*edges._stencil_arrays(rows)), 1.0)
    assert line[[0, 3]].tolist() == [3.0, 4.0 - 2.0]
    # Per-point windows (coordinate grids): the last point, given as -1, reads
    # past the end, which wraps to the first point.
    windows = with_edge_sums("edge_windows")
    w = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    first = np.array([0, 0, 0, 0])
    index, weights = windows._window_arrays(np.array([-1]), first, w)
    assert index.tolist() == [[-1, 0]] and weights.tolist() == [[4.0, 40.0]]
    windows._gather(f, out, 1, np.array([-1]), index, weights)
    np.testing.assert_allclose(out[:, 3], 4.0 * f[:, 3] + 40.0 * f[:, 0])


def test_lagrange_weights_are_the_exact_ones_and_coordinates_are_checked() -> None:
    coordinates = load("coordinates")
    nodes = [np.array([-1.0]), np.array([0.0]), np.array([2.0])]
    # fd_weights(1, [-1, 0, 2]) = (-2/3, 1/2, 1/6)
    np.testing.assert_allclose(
        coordinates._lagrange(nodes, 1)[:, 0], [-2 / 3, 1 / 2, 1 / 6]
    )
    with pytest.raises(ValueError, match="real"):
        coordinates._check_coordinates(np.arange(5) + 1j, 3, "op")
    with pytest.raises(ValueError, match="monotonic"):
        coordinates._check_coordinates([0.0, 1.0, 0.5], 3, "op")
    for bad in ([0.0, np.nan, 2.0], [0.0, 1.0, np.inf], [-np.inf, 1.0, 2.0]):
        with pytest.raises(ValueError, match="finite"):
            coordinates._check_coordinates(bad, 3, "op")
    x = np.array([3.0, 2.0, 0.5])
    assert coordinates._check_coordinates(x, 3, "op") is x  # decreasing, no copy
    # The periodic extension: one period before and after, either direction.
    extended = coordinates._periodic_coordinates(x, 4.0, 1, 2, "op")
    assert extended.tolist() == [4.5, 3.0, 2.0, 0.5, -1.0, -2.0]
    assert load("blocks")._broadcast(np.arange(3), 3, 0).shape == (3, 1, 1)


def test_architecture_page_examples_run() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, f"block {number}", None, 0)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # DocTest copies its globals
    result = runner.summarize(verbose=False)
    assert result.attempted >= 5 and result.failed == 0


@pytest.mark.parametrize("shape", [(7, 9), (3, 7, 9), (6, 7, 8)])
def test_nd_blocks_fold_rows_into_one_axis_with_the_same_interior(
    shape: tuple[int, ...],
) -> None:
    nd = load("nd_apply")
    v = np.random.default_rng(1).standard_normal(shape)
    # A stencil with corners and a reach of 2, over the last two axes (or all 3).
    ndim = 3 if shape == (6, 7, 8) else 2
    points = [(-1, -1), (1, 1), (0, 2), (-2, 0), (2, -2)]
    points = [(1, *p) for p in points] if ndim == 3 else points
    reach = (1, 2, 2)[-ndim:]
    lo = reach
    hi = tuple(n - r for n, r in zip(shape[-ndim:], reach, strict=True))
    box = (..., *(slice(a, b) for a, b in zip(lo, hi, strict=True)))
    expected = np.zeros_like(v)
    for p in points:
        sl = tuple(slice(a + k, b + k) for a, b, k in zip(lo, hi, p, strict=True))
        expected[box] += v[(..., *sl)]
    for block in (1, 5, 64, 10**6):
        for fold in (False, True):
            o = np.full_like(v, np.nan)
            for b, t, view in nd._nd_blocks(v, o, lo, hi, (0,) * ndim, block, fold):
                b[...] = 0.0
                for p in points:
                    np.add(b, view(p), out=t)
                    b[...] = t
                # Folded: a 2-D block is one contiguous run of values.
                assert b.ndim == v.ndim - (1 if fold else 0)
            # The interior is exact; folding also fills the rows' edge points
            # (rows strictly inside the interior: all of them).
            np.testing.assert_array_equal(o[box], expected[box])
            outer = (slice(a, b) for a, b in zip(lo[:-2], hi[:-2], strict=True))
            rows = o[(..., *outer, slice(lo[-2] + 1, hi[-2] - 1), slice(None))]
            assert np.isnan(rows).any() != fold
    # Rows that are not C-ordered (a transposed output) are not folded.
    o = np.empty(v.shape[::-1]).T
    blocks = list(nd._nd_blocks(v, o, lo, hi, (0,) * ndim, 64, True))
    assert blocks and blocks[0][0].ndim == v.ndim
