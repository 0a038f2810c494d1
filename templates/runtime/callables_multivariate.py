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


class _Sampler:
    """f at x displaced along coordinates, each distinct point evaluated once.

    A point is keyed by its displacements ``((i, o_i), (j, o_j))`` in units of the
    coordinate steps, so stencils that share a point (f(x) itself, or the axis
    points of the Hessian) share the evaluation.
    """

    def __init__(self, f, x, steps, scalar):
        self.f, self.x, self.steps, self.scalar = f, x, steps, scalar
        self.shape = None
        self.values = {}

    def __call__(self, *moves):
        key = tuple(sorted((i, o) for i, o in moves if o != 0.0))
        if key in self.values:
            return self.values[key]
        point = self.x.copy()
        for i, offset in key:
            point[i] = self.x[i] + offset * self.steps[i]
        value = np.asarray(self.f(point))

        def where():
            moved = " + ".join(f"({o:g})·h[{i}]·e[{i}]" for i, o in key)
            return f"x{' + ' + moved if moved else ''} = {point.tolist()}"

        if self.scalar and value.ndim != 0:
            raise ValueError(
                f"f returned shape {value.shape} at the sample point {where()}; "
                "gradient and hessian need a scalar-valued f (use jacobian for "
                "vector-valued f)"
            )
        if self.shape is None:
            self.shape = value.shape
        elif value.shape != self.shape:
            raise ValueError(
                f"f returned shape {value.shape} at the sample point {where()} but "
                f"shape {self.shape} before; f must always return the same shape"
            )
        self.values[key] = _checked(value, where)
        return self.values[key]


def _first_derivatives(f, x, h, full_output, scalar):
    points = _as_vector(x, "gradient" if scalar else "jacobian")
    steps = _steps(h, points, RELATIVE_STEP)
    sampler = _Sampler(_check_callable(f), points, steps, scalar)
    n = points.size

    def column(i, scale):
        pairs = zip(OFFSETS, WEIGHTS, strict=True)
        total = sum((w * sampler((i, scale * o)) for o, w in pairs), np.zeros(()))
        return np.asarray(total / (scale * steps[i]) ** DERIVATIVE)

    df = np.stack([column(i, 1.0) for i in range(n)], axis=-1)
    if not full_output:
        return df
    levels = [np.stack([column(i, s) for i in range(n)], axis=-1) for s in _SCALES]
    scale = np.max(np.abs(np.stack(list(sampler.values.values()))), axis=0)
    # Round-off in the values and in the sample points x[i] + o·h[i], as in
    # derivative.
    slope = np.stack(
        [
            _slope([sampler((i, o)) for o in OFFSETS], _SPAN * steps[i])
            for i in range(n)
        ],
        axis=-1,
    )
    moved = slope * _shift(points, steps, OFFSETS)
    moved_any = slope * _shift(points, steps, OFFSETS, _SCALES)
    values = _EPS * scale[..., np.newaxis]
    round_off = WEIGHT_SUM * (values + moved) / steps**DERIVATIVE
    noise = WEIGHT_SUM * (values + moved_any) / steps**DERIVATIVE
    error = _estimate(levels, round_off, noise, ACCURACY, DERIVATIVE)
    return Result(df, error, len(sampler.values), steps)


def jacobian(
    f,
    x,
    h=None,
    *,
    full_output=False,
):
    """The Jacobian ``J[..., j] = ∂f/∂x[j]`` of ``f: R^n → R^k`` at ``x``.

    Same stencil, steps and cost as :func:`gradient`; ``f`` may return an array
    of any fixed shape ``S`` and the result has shape ``S + (n,)``.

    Examples
    --------
    >>> def f(p):
    ...     return np.array([p[0] * p[1], p[0] + 3 * p[1]])
    >>> jacobian(f, [2.0, 5.0]).round(10).tolist()
    [[5.0, 2.0], [1.0, 3.0]]
    """
    return _first_derivatives(f, x, h, full_output, scalar=False)


def hessian(
    f,
    x,
    h=None,
    *,
    full_output=False,
):
    """The Hessian ``H[i, j] = ∂²f/∂x[i]∂x[j]`` of a scalar ``f: R^n → R``.

    Diagonal entries use the one-dimensional second-derivative stencil
    ``HESSIAN_OFFSETS``/``HESSIAN_WEIGHTS``; mixed entries the tensor product of
    the first-derivative stencil with itself,
    ``Σ_a Σ_b w_a·w_b·f(x + a·h[i]·e[i] + b·h[j]·e[j]) / (h[i]·h[j])``. Points
    shared between entries (f(x), the axis points) are evaluated once; the result
    is exactly symmetric. Steps: ``HESSIAN_RELATIVE_STEP · max(1, |x[i]|)``.

    Examples
    --------
    >>> def f(p):
    ...     return p[0] ** 3 * p[1] + np.exp(p[1])
    >>> hessian(f, [1.0, 0.5]).round(6).tolist()
    [[3.0, 3.0], [3.0, 1.648721]]
    """
    points = _as_vector(x, "hessian")
    steps = _steps(h, points, HESSIAN_RELATIVE_STEP)
    sampler = _Sampler(_check_callable(f), points, steps, scalar=True)
    n = points.size

    def entries(scale):
        out = np.empty((n, n))
        for i in range(n):
            diagonal = sum(
                w * sampler((i, scale * o))
                for o, w in zip(HESSIAN_OFFSETS, HESSIAN_WEIGHTS, strict=True)
            )
            out[i, i] = diagonal / (scale * steps[i]) ** 2
            for j in range(i):
                mixed = sum(
                    wa * wb * sampler((i, scale * a), (j, scale * b))
                    for a, wa in zip(OFFSETS, WEIGHTS, strict=True)
                    for b, wb in zip(OFFSETS, WEIGHTS, strict=True)
                )
                out[i, j] = out[j, i] = mixed / (scale**2 * steps[i] * steps[j])
        return out

    df = entries(1.0)
    if not full_output:
        return df
    levels = [entries(s) for s in _SCALES]
    scale = max(abs(float(v)) for v in sampler.values.values())
    # Round-off bounds: Σ|w_a·w_b| = WEIGHT_SUM**2 off the diagonal, the
    # second-derivative stencil's Σ|w| on it.
    round_off = WEIGHT_SUM**2 / np.multiply.outer(steps, steps)
    np.fill_diagonal(round_off, sum(abs(w) for w in HESSIAN_WEIGHTS) / steps**2)
    # Accuracy per entry: the first-derivative stencil's off the diagonal.
    accuracy = np.full((n, n), float(ACCURACY))
    np.fill_diagonal(accuracy, float(HESSIAN_ACCURACY))
    # Round-off in the sample points x[i] + o·h[i], as in derivative, for each
    # coordinate moved.
    span = max(HESSIAN_OFFSETS) - min(HESSIAN_OFFSETS)
    slope = np.array(
        [
            float(_slope([sampler((i, o)) for o in HESSIAN_OFFSETS], span * steps[i]))
            for i in range(n)
        ]
    )
    offsets = (*OFFSETS, *HESSIAN_OFFSETS)
    moved = slope * _shift(points, steps, offsets)
    moved_any = slope * _shift(points, steps, offsets, _SCALES)
    values = _EPS * scale * round_off
    bound = values + np.add.outer(moved, moved) * round_off
    noise = values + np.add.outer(moved_any, moved_any) * round_off
    error = _estimate(levels, bound, noise, accuracy, 2)
    return Result(df, error, len(sampler.values), steps)
