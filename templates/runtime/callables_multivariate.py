"""Runtime of generated ``callables`` modules: gradient, Jacobian and Hessian.

Included verbatim (from the marker line on) in derivative-1 callables modules,
after templates/runtime/callables.py and the module constants (see there).
"""

import numpy as np

# ---- included in generated modules from here ----


def _as_vector(x, name):
    points = _as_points(x)
    if points.ndim != 1 or points.size == 0:
        shape = "a scalar" if points.ndim == 0 else f"shape {points.shape}"
        raise ValueError(
            f"{name} needs x as a 1-D array of the n >= 1 coordinates, got {shape}; "
            f"pass [x] for one variable, or use derivative for elementwise functions"
        )
    return points


#: Values (points × coordinates) per batch of sample points: bounds the memory of
#: the point arrays. A vectorized f is called once per batch: 2**15 values (256
#: KiB of float64) keep a NumPy f's temporaries in cache and reused by the
#: allocator; one call on 2 MiB measured 3-4 times slower (Rosenbrock, n = 100).
_BATCH = 1 << 15


class _Points:
    """The distinct sample points of a stencil set, as rows of one array.

    Row ``r`` is x with the coordinates ``index[k][r]`` moved by
    ``offset[k][r]`` steps (zero moves left out): built once with numpy, then f
    is evaluated on every row (one call per row, or per batch of rows when f is
    vectorized) and the values are checked together.
    """

    def __init__(self, x, steps):
        self.x, self.steps = x, steps
        self.moves = []
        self.count = 0

    def add(self, count, *moves):
        """Append ``count`` rows moved by the (index, offset) arrays; first row."""
        first = self.count
        for index, offset in moves:
            rows = np.arange(first, first + count)
            self.moves.append((rows, np.stack([index, offset])))
        self.count += count
        return first

    def describe(self, row):
        """The sample point of a row: its formula and coordinates."""
        point = self.x.copy()
        terms = []
        for rows, moves in self.moves:
            if rows[0] <= row <= rows[-1]:
                i, o = int(moves[0, row - rows[0]]), float(moves[1, row - rows[0]])
                point[i] = self.x[i] + o * self.steps[i]
                terms.append((i, o))
        moved = " + ".join(f"({o:g})·h[{i}]·e[{i}]" for i, o in sorted(terms))
        return f"x{' + ' + moved if moved else ''}", point.tolist()

    def block(self, start, stop, batch):
        """Rows start .. stop-1 as points (one per row), or one per column."""
        count = stop - start
        if batch:
            points = np.repeat(self.x[:, np.newaxis], count, axis=1)
        else:
            points = np.tile(self.x, (count, 1))
        for rows, moves in self.moves:
            lo, hi = max(rows[0], start), min(rows[-1] + 1, stop)
            if lo < hi:
                i = moves[0, lo - rows[0] : hi - rows[0]].astype(np.intp)
                o = moves[1, lo - rows[0] : hi - rows[0]]
                moved = self.x[i] + o * self.steps[i]
                where = np.arange(lo - start, hi - start)
                if batch:
                    points[i, where] = moved
                else:
                    points[where, i] = moved
        return points

    def evaluate(self, f, vectorized, scalar, required=None):
        """The values of f at every row, checked: shape (rows,) + S.

        Non-finite values raise, or with ``required`` (the rows that must be
        finite) only there; elsewhere they are returned (and f's floating-point
        warnings silenced: those rows are far steps of the ladder).
        """
        per = max(1, _BATCH // max(self.x.size, 1))
        chunks = []
        shape = None
        for start in range(0, self.count, per):
            stop = min(start + per, self.count)
            points = self.block(start, stop, vectorized)
            if vectorized:
                if required is None:
                    value = np.asarray(f(points))
                else:
                    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                        value = np.asarray(f(points))
                if value.ndim == 0 or value.shape[-1] != stop - start:
                    raise ValueError(
                        f"f returned shape {value.shape} for a batch of "
                        f"{stop - start} points (points of shape {points.shape}); "
                        "a vectorized f returns one value per point, the points "
                        "along its last axis"
                    )
                value = np.moveaxis(value, -1, 0)
            else:
                raw = [f(point) for point in points]
                try:
                    value = np.asarray(raw)
                except ValueError:  # values of different shapes
                    value = np.empty(len(raw), dtype=object)
                if value.dtype == object:
                    shapes = [np.shape(v) for v in raw]
                    first = shape if shape is not None else shapes[0]
                    bad = next(k for k, s in enumerate(shapes) if s != first)
                    self._shape_error(start + bad, shapes[bad], first, scalar)
            if shape is None:
                shape = value.shape[1:]
                if scalar and shape != ():
                    self._shape_error(start, shape, (), scalar)
            elif value.shape[1:] != shape:
                self._shape_error(start, value.shape[1:], shape, scalar)
            chunks.append(self._checked(value, start, required is None))
        values = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
        if required is not None:
            self._finite(values[required], required)
        return values

    def _shape_error(self, row, got, before, scalar):
        formula, point = self.describe(row)
        if scalar:
            raise ValueError(
                f"f returned shape {got} at the sample point {formula} = {point}; "
                "gradient and hessian need a scalar-valued f (use jacobian for "
                "vector-valued f)"
            )
        raise ValueError(
            f"f returned shape {got} at the sample point {formula} = {point} but "
            f"shape {before} before; f must always return the same shape"
        )

    def _checked(self, values, start, finite):
        if values.dtype.kind not in "biuf":
            formula, point = self.describe(start)
            raise TypeError(
                f"f must return real numbers, got dtype {values.dtype} at the "
                f"sample point {formula} = {point}"
            )
        values = values.astype(np.float64, copy=False)
        if finite:
            self._finite(values, np.arange(start, start + len(values)))
        return values

    def _finite(self, values, rows):
        """Raise, naming the point, where ``values`` (of ``rows``) is not finite."""
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.argwhere(~finite)[0][0])
            bad = values[row][~finite[row]].flat[0] if values.ndim > 1 else values[row]
            formula, point = self.describe(int(rows[row]))
            raise ValueError(
                f"f returned {bad} at the sample point {formula} = {point}; the "
                "stencil needs finite values there: move x away from a singularity "
                "or pass a smaller h"
            )


def _axis_rows(points, n, offsets, centre):
    """Rows x + o·h[i]·e[i] for every coordinate i: offset → row per i."""
    rows = {}
    moved = [o for o in offsets if o != 0.0]
    if moved:
        index = np.repeat(np.arange(n), len(moved))
        first = points.add(n * len(moved), (index, np.tile(moved, n)))
        grid = first + np.arange(n * len(moved)).reshape(n, len(moved))
        for k, o in enumerate(moved):
            rows[o] = grid[:, k]
    if 0.0 in offsets:
        assert centre is not None
        rows[0.0] = np.full(n, centre)
    return rows


def _scales(h, full_output, vectorized):
    """The step multiples to sample: the ladder for a vectorized f without h."""
    if vectorized and h is None:
        return _LADDER
    return _SCALES if full_output else (1.0,)


def _levels_offsets(offsets, scales):
    return sorted({s * o for s in scales for o in offsets})


def _first_derivatives(
    f,
    x,
    h,
    full_output,
    scalar,
    vectorized,
):
    points = _as_vector(x, "gradient" if scalar else "jacobian")
    steps = _steps(h, points, RELATIVE_STEP)
    function = _check_callable(f)
    n = points.size
    table = _Points(points, steps)
    scales = _scales(h, full_output, vectorized)
    offsets = _levels_offsets(OFFSETS, scales)
    centre = table.add(1) if 0.0 in offsets else None
    rows = _axis_rows(table, n, offsets, centre)
    ladder = scales is _LADDER
    # On the ladder only the default step's samples must be finite.
    required = np.concatenate([rows[o] for o in OFFSETS]) if ladder else None
    values = table.evaluate(function, vectorized, scalar, required)
    tail = (1,) * (values.ndim - 1)

    def level(scale):
        total = np.zeros(())
        for o, w in zip(OFFSETS, WEIGHTS, strict=True):
            total = total + w * values[rows[scale * o]]
        h_i = (scale * steps) ** DERIVATIVE
        return np.moveaxis(total / h_i.reshape((n, *tail)), 0, -1)

    if ladder:
        finite = np.isfinite(values)
        index = np.array([[rows[s * o] for o in OFFSETS] for s in _LADDER])
        # (levels, offsets, n) + S; steps and points along the n axis
        levels, round_off, noise, valid = _ladder(
            np.where(finite, values, 0.0)[index],
            finite[index],
            points.reshape((n, *tail)),
            steps.reshape((n, *tail)),
        )
        df, error, chosen = _choose(
            *(np.moveaxis(a, 1, -1) for a in (levels, round_off, noise, valid)),
            ACCURACY,
            DERIVATIVE,
        )
        if not full_output:
            return df
        return Result(df, error, table.count, steps * np.asarray(_LADDER)[chosen])
    df = level(1.0)
    if not full_output:
        return df
    levels = [level(s) for s in _SCALES]
    scale = np.max(np.abs(values), axis=0)
    # Round-off in the values and in the sample points x[i] + o·h[i], as in
    # derivative.
    stacked = np.stack([values[rows[o]] for o in OFFSETS])
    spread = stacked.max(axis=0) - stacked.min(axis=0)
    slope = np.moveaxis(spread / (_SPAN * steps).reshape((n, *tail)), 0, -1)
    moved = slope * _shift(points, steps, OFFSETS)
    moved_any = slope * _shift(points, steps, OFFSETS, _SCALES)
    values_bound = _EPS * scale[..., np.newaxis]
    round_off = WEIGHT_SUM * (values_bound + moved) / steps**DERIVATIVE
    noise = WEIGHT_SUM * (values_bound + moved_any) / steps**DERIVATIVE
    error = _estimate(levels, round_off, noise, ACCURACY, DERIVATIVE)
    return Result(df, error, table.count, steps)


def jacobian(
    f,
    x,
    h=None,
    *,
    full_output=False,
    vectorized=False,
):
    """The Jacobian ``J[..., j] = ∂f/∂x[j]`` of ``f: R^n → R^k`` at ``x``.

    Same stencil, steps and cost as :func:`gradient`; ``f`` may return an array
    of any fixed shape ``S`` and the result has shape ``S + (n,)``. With
    ``vectorized=True`` f takes points of shape ``(n, K)`` (a batch of K points
    along the last axis) and returns shape ``S + (K,)``.

    Examples
    --------
    >>> def f(p):
    ...     return np.array([p[0] * p[1], p[0] + 3 * p[1]])
    >>> jacobian(f, [2.0, 5.0]).round(10).tolist()
    [[5.0, 2.0], [1.0, 3.0]]
    >>> jacobian(f, [2.0, 5.0], vectorized=True).round(10).tolist()
    [[5.0, 2.0], [1.0, 3.0]]
    """
    return _first_derivatives(f, x, h, full_output, False, vectorized)


def hessian(
    f,
    x,
    h=None,
    *,
    full_output=False,
    vectorized=False,
):
    """The Hessian ``H[i, j] = ∂²f/∂x[i]∂x[j]`` of a scalar ``f: R^n → R``.

    Diagonal entries use the one-dimensional second-derivative stencil
    ``HESSIAN_OFFSETS``/``HESSIAN_WEIGHTS``; mixed entries the tensor product of
    the first-derivative stencil with itself,
    ``Σ_a Σ_b w_a·w_b·f(x + a·h[i]·e[i] + b·h[j]·e[j]) / (h[i]·h[j])``. Points
    shared between entries (f(x), the axis points) are evaluated once; the result
    is exactly symmetric. Steps: ``HESSIAN_RELATIVE_STEP · max(1, |x[i]|)``.
    With ``vectorized=True`` f takes points of shape ``(n, K)`` (a batch of K
    points along the last axis, at most ``_BATCH`` values a call) and returns
    K values; without ``h`` each entry then takes its steps from the step
    ladder (see :class:`Result`), at about 9 times the points of one step.

    Examples
    --------
    >>> def f(p):
    ...     return p[0] ** 3 * p[1] + np.exp(p[1])
    >>> hessian(f, [1.0, 0.5]).round(6).tolist()
    [[3.0, 3.0], [3.0, 1.648721]]
    >>> hessian(f, [1.0, 0.5], vectorized=True).round(6).tolist()
    [[3.0, 3.0], [3.0, 1.648721]]
    """
    points = _as_vector(x, "hessian")
    steps = _steps(h, points, HESSIAN_RELATIVE_STEP)
    function = _check_callable(f)
    n = points.size
    table = _Points(points, steps)
    scales = _scales(h, full_output, vectorized)
    # The tensor-product points (a, b) of every level; a zero move is an axis
    # point (or x itself), shared with the diagonal stencil.
    pairs = sorted({(s * a, s * b) for s in scales for a in OFFSETS for b in OFFSETS})
    axis = set(_levels_offsets(HESSIAN_OFFSETS, scales))
    axis |= {a for a, b in pairs if b == 0.0} | {b for a, b in pairs if a == 0.0}
    centre = table.add(1) if 0.0 in axis else None
    rows = _axis_rows(table, n, sorted(axis), centre)
    both = [(a, b) for a, b in pairs if a != 0.0 and b != 0.0]
    upper, lower = np.tril_indices(n, -1)  # i > j
    mixed = {}
    if both and upper.size:
        count = upper.size * len(both)
        first = table.add(
            count,
            (np.repeat(upper, len(both)), np.tile([a for a, _ in both], upper.size)),
            (np.repeat(lower, len(both)), np.tile([b for _, b in both], upper.size)),
        )
        grid = first + np.arange(count).reshape(upper.size, len(both))
        mixed = {pair: grid[:, k] for k, pair in enumerate(both)}
    ladder = scales is _LADDER
    required = None
    if ladder:
        # On the ladder only the default step's samples must be finite.
        required = [rows[o] for o in HESSIAN_OFFSETS]
        required += [rows[o] for o in OFFSETS]
        required += [mixed[(a, b)] for a in OFFSETS for b in OFFSETS if (a, b) in mixed]
        required = np.concatenate(required)
    values = table.evaluate(function, vectorized, True, required)
    if ladder:
        finite = np.isfinite(values)
        values = np.where(finite, values, 0.0)

    def sample(a, b, source=values):
        if a != 0.0 and b != 0.0:
            return source[mixed[(a, b)]]
        if a != 0.0:
            return source[rows[a][upper]]
        return source[rows[b][lower]]

    def entries(scale):
        out = np.empty((n, n))
        diagonal = np.zeros(())
        for o, w in zip(HESSIAN_OFFSETS, HESSIAN_WEIGHTS, strict=True):
            diagonal = diagonal + w * values[rows[scale * o]]
        out[np.arange(n), np.arange(n)] = diagonal / (scale * steps) ** 2
        if upper.size:
            total = np.zeros(())
            for a, wa in zip(OFFSETS, WEIGHTS, strict=True):
                for b, wb in zip(OFFSETS, WEIGHTS, strict=True):
                    total = total + wa * wb * sample(scale * a, scale * b)
            total = total / (scale**2 * steps[upper] * steps[lower])
            out[upper, lower] = total
            out[lower, upper] = total
        return out

    # Round-off bounds: Σ|w_a·w_b| = WEIGHT_SUM**2 off the diagonal, the
    # second-derivative stencil's Σ|w| on it.
    round_off = WEIGHT_SUM**2 / np.multiply.outer(steps, steps)
    np.fill_diagonal(round_off, sum(abs(w) for w in HESSIAN_WEIGHTS) / steps**2)
    # Accuracy per entry: the first-derivative stencil's off the diagonal.
    accuracy = np.full((n, n), float(ACCURACY))
    np.fill_diagonal(accuracy, float(HESSIAN_ACCURACY))
    span = max(HESSIAN_OFFSETS) - min(HESSIAN_OFFSETS)
    offsets = (*OFFSETS, *HESSIAN_OFFSETS)
    if ladder:
        levels, bounds, noises, valid = [], [], [], []
        for s in _LADDER:
            levels.append(entries(s))
            # Per entry: max |f| over its samples, and whether all were finite.
            on_axis = np.stack([values[rows[s * o]] for o in HESSIAN_OFFSETS])
            ok_axis = np.stack([finite[rows[s * o]] for o in HESSIAN_OFFSETS])
            scale = np.diag(np.max(np.abs(on_axis), axis=0))
            ok = np.diag(ok_axis.all(axis=0))
            if upper.size:
                off = [(s * a, s * b) for a in OFFSETS for b in OFFSETS]
                both_values = np.stack([sample(a, b) for a, b in off])
                both_ok = np.stack([sample(a, b, finite) for a, b in off])
                scale[upper, lower] = np.max(np.abs(both_values), axis=0)
                scale[lower, upper] = scale[upper, lower]
                ok[upper, lower] = both_ok.all(axis=0)
                ok[lower, upper] = ok[upper, lower]
            slope = (on_axis.max(axis=0) - on_axis.min(axis=0)) / (span * s * steps)
            moved = slope * _shift(points, s * steps, offsets)
            moved_any = slope * _shift(points, s * steps, offsets, _SCALES)
            weights = round_off / s**2
            bounds.append((_EPS * scale + np.add.outer(moved, moved)) * weights)
            noises.append((_EPS * scale + np.add.outer(moved_any, moved_any)) * weights)
            valid.append(ok)
        df, error, chosen = _choose(
            np.stack(levels),
            np.stack(bounds),
            np.stack(noises),
            np.stack(valid),
            accuracy,
            2,
        )
        if not full_output:
            return df
        # h[i, j]: the step along x[i] in entry (i, j) (h[j, i] the one along x[j]).
        chosen = steps[:, np.newaxis] * np.asarray(_LADDER)[chosen]
        return Result(df, error, table.count, chosen)
    df = entries(1.0)
    if not full_output:
        return df
    levels = [entries(s) for s in _SCALES]
    scale = float(np.max(np.abs(values)))
    # Round-off in the sample points x[i] + o·h[i], as in derivative, for each
    # coordinate moved.
    stacked = np.stack([values[rows[o]] for o in HESSIAN_OFFSETS])
    slope = (stacked.max(axis=0) - stacked.min(axis=0)) / (span * steps)
    moved = slope * _shift(points, steps, offsets)
    moved_any = slope * _shift(points, steps, offsets, _SCALES)
    bound_values = _EPS * scale * round_off
    bound = bound_values + np.add.outer(moved, moved) * round_off
    noise = bound_values + np.add.outer(moved_any, moved_any) * round_off
    error = _estimate(levels, bound, noise, accuracy, 2)
    return Result(df, error, table.count, steps)
