"""Edge stencils with zero weights: each point reads only the samples it uses.

Some one-sided edge stencils have exact zero weights: at the end of the window
(the second derivative, forward stencil, accuracy 2: ``(1, -2, 1, 0)`` and
``(0, 1, -2, 1)``, shorter stencils in a window of the common width) or inside
it (``(-1/2, 0, 1/2)``). The exact stencil does not read those samples, so an
infinity, a NaN or a signed zero there must not change the point: ``0 * inf``
would be NaN, and ``0 * 1.0`` added to a -0.0 sum gives 0.0. The oracle is the
row's exact stencil applied point by point (non-zero weights, in stencil order,
from the first term), and the numba and array-API backends must agree with the
NumPy module bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import load_generated, write_module

from stencilgen.build import render_body
from stencilgen.spec import parse_spec

pytest.importorskip("numba")
pytest.importorskip("array_api_compat")

#: Entries whose edge stencils hold zero weights (at a window end or inside).
ENTRIES = {
    "d2_forward2": 'derivative = 2\naccuracy = 2\nstencil = "forward"\n',
    "d1_gap": "derivative = 1\noffsets = [-1, 0, 2]\n",
    "d3_backward2": 'derivative = 3\naccuracy = 2\nstencil = "backward"\n',
}
BACKENDS = ("numpy", "numba", "array-api")
N = 12
H = 0.5


def bits(a: Any) -> bytes:
    """The bytes of a float64 array: -0.0 differs from 0.0, NaN payloads count."""
    return np.ascontiguousarray(a, dtype=np.float64).tobytes()


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Per entry: its edge rows (point, first, weights) and an operator per backend."""
    folder: Path = tmp_path_factory.mktemp("edge_rows")
    result: dict[str, Any] = {}
    for entry, text in ENTRIES.items():
        plan, _ = render_body(parse_spec(f"[{entry}]\n{text}").entries[0])
        rows = [
            (e.point, e.first, e.stencil.weights) for e in (*plan.left, *plan.right)
        ]
        ops: dict[str, Callable[..., Any]] = {}
        for backend in BACKENDS:
            name = f"rows_{entry}_{backend.replace('-', '_')}"
            spec = f'[{name}]\n{text}backend = "{backend}"\n'
            ops[backend] = getattr(write_module(spec, name, folder), name)
        result[entry] = (plan.kernel.derivative, rows, ops)
    return result


def exact_row(f: np.ndarray, point: int, first: int, weights: Any, m: int) -> Any:
    """The row at f's point: its non-zero weights, in order, from the first."""
    i = point % f.shape[-1]
    total = None
    for k, w in enumerate(weights):
        if w != 0:
            term = f[i + first + k] * (float(w) * (1 / H**m))
            total = term if total is None else total + term
    return total


def zero_slots(rows: Any) -> Iterator[tuple[int, int, Any, int]]:
    """(point, first, weights, index read with weight 0) of every row."""
    for point, first, weights in rows:
        for k, w in enumerate(weights):
            if w == 0:
                yield point, first, weights, (point % N) + first + k


def test_the_entries_have_zero_weights_in_their_edge_rows(modules: Any) -> None:
    for entry, (_, rows, _) in modules.items():
        assert list(zero_slots(rows)), entry


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan])
def test_a_non_finite_sample_a_row_does_not_read_leaves_it_alone(
    modules: Any, entry: str, special: float
) -> None:
    m, rows, ops = modules[entry]
    rng = np.random.default_rng(7)
    for point, first, weights, slot in zero_slots(rows):
        f = rng.standard_normal(N)
        f[slot] = special
        want = exact_row(f, point, first, weights, m)
        assert np.isfinite(want)
        for backend, op in ops.items():
            with np.errstate(invalid="ignore"):
                got = np.asarray(op(f, H))[point]
            assert bits(got) == bits(want), (entry, backend, point, slot)


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_a_negative_zero_sum_stays_negative_zero(modules: Any, entry: str) -> None:
    m, rows, ops = modules[entry]
    for point, first, weights, slot in zero_slots(rows):
        # Every term the row reads is -0.0 (a zero of the sign opposite to its
        # weight's), so the exact sum is -0.0; the unread sample is 1.0.
        f = np.ones(N)
        i = point % N
        for k, w in enumerate(weights):
            if w != 0:
                f[i + first + k] = -0.0 if w > 0 else 0.0
        f[slot] = 1.0
        want = exact_row(f, point, first, weights, m)
        assert bits(want) == bits(-0.0)
        for backend, op in ops.items():
            got = np.asarray(op(f, H))[point]
            assert bits(got) == bits(want), (entry, backend, point, slot)


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_every_edge_point_is_its_exact_row_and_the_backends_agree(
    modules: Any, entry: str
) -> None:
    m, rows, ops = modules[entry]
    f = np.random.default_rng(3).standard_normal((3, N))
    results = {backend: np.asarray(op(f, H)) for backend, op in ops.items()}
    for point, first, weights in rows:
        for line in range(3):
            want = exact_row(f[line], point, first, weights, m)
            assert bits(results["numpy"][line, point]) == bits(want), (entry, point)
    for backend in ("numba", "array-api"):
        assert bits(results[backend]) == bits(results["numpy"]), (entry, backend)


def test_nd_frame_rows_skip_their_zero_weights(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # u_xxxx at accuracy 4: the one-sided row of x-index 2 reads offsets -2..5
    # with weight 0 at offset 0; u_y (central) does not read (2, y) either. So
    # the point (2, 5) must not depend on u[2, 5], an infinity included, in
    # every backend (the frame of N-D operators: runtime/nd_apply.py and
    # runtime/nd_arrayapi.py).
    folder = tmp_path_factory.mktemp("nd_rows")
    u = np.random.default_rng(0).standard_normal((12, 11))
    results = {}
    for backend in BACKENDS:
        name = f"nd_rows_{backend.replace('-', '_')}"
        spec = f'[{name}]\nexpression = "u_xxxx + u_y"\naccuracy = 4\n'
        op = getattr(write_module(f'{spec}backend = "{backend}"\n', name, folder), name)
        finite = np.asarray(op(u, 0.5))[2, 5]
        v = u.copy()
        v[2, 5] = np.inf
        with np.errstate(invalid="ignore"):
            results[backend] = np.asarray(op(v, 0.5))[2, 5]
        assert np.isfinite(finite)
        assert bits(results[backend]) == bits(finite), backend
    assert len({bits(r) for r in results.values()}) == 1


def test_coordinate_edges_sum_from_the_first_term_in_numpy_and_numba() -> None:
    # The edge windows of a coordinate grid: every term negative zero (a zero of
    # the sign opposite to its weight's) sums to -0.0 in both backends (numba
    # summed from 0.0, which gave 0.0).
    numpy_module = load_generated("d1_nonuniform2")
    numba_module = load_generated("d1_nonuniform2_numba")
    x = np.cumsum(np.random.default_rng(0).uniform(0.5, 1.5, N))
    weights = numpy_module.d1_nonuniform2_weights(x)
    f = np.ones(N)
    for p in (0, N - 1):
        for k in range(weights.w.shape[0]):
            f[p + weights.first[p] + k] = -0.0 if weights.w[k, p] > 0 else 0.0
    want = numpy_module.d1_nonuniform2(f, x)
    assert bits(want[[0, -1]]) == bits([-0.0, -0.0])
    assert bits(numba_module.d1_nonuniform2_numba(f, x)) == bits(want)
    g = np.stack([f, f[::-1]], axis=1)  # the axis first: numba's planes layout
    w = numba_module.d1_nonuniform2_numba_weights(x)
    got = numba_module.d1_nonuniform2_numba_apply(g, w, axis=0)
    assert bits(got) == bits(numpy_module.d1_nonuniform2_apply(g, weights, axis=0))
