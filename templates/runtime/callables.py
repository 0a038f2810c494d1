"""Runtime of generated ``callables`` modules: steps, sampling, error estimates.

Included verbatim (from the marker line on) in every generated callables module,
after the constants it reads (DERIVATIVE, ACCURACY, OFFSETS, WEIGHTS, WEIGHT_SUM,
RELATIVE_STEP: see templates/callables.j2), so their names are undefined here
(ruff ignores F821 in templates/runtime/callables*.py for that reason).
"""

import collections

import numpy as np

# ---- included in generated modules from here ----


_EPS = 2.0**-52
# Safety factor on the round-off bound before a difference counts as truncation.
_NOISE = 4.0
# The spread of the offsets, in units of h.
_SPAN = max(OFFSETS) - min(OFFSETS)
# The steps of the error estimate, in units of h: D(2h), D(h), D(h/2), D(h/4).
_SCALES = (2.0, 1.0, 0.5, 0.25)
# The step ladder of a vectorized f without h: the stencil at h·2**j for j from
# -4 to 7 (h the default step; stencilgen.kinds.callables.LADDER_POWERS), all in
# one batch. Levels 2**-2 .. 2**6 are the candidates: each has the two finer
# levels and the coarser one that its error estimate (that of ``full_output``)
# compares it with.
_LADDER = tuple(2.0**j for j in range(-4, 8))
# The index of the default step h among the candidates (_LADDER[2:-1]).
_DEFAULT = _LADDER.index(1.0) - 2


class Result(collections.namedtuple("Result", ["df", "error", "nfev", "h"])):
    """A derivative with its error estimate, from ``full_output=True``.

    Attributes
    ----------
    df : numpy.ndarray
        The derivative (as returned without ``full_output``).
    error : numpy.ndarray
        Estimated absolute error of ``df``: the truncation error from comparing
        with the step 2h, ``|D(h) - D(2h)| / (2**p - 1)`` (Richardson), plus the
        round-off bound ``ε·Σ|w|·max|f| / h**m`` (plus, where ``x + o·h`` is
        not exact, the rounding of the sample points times ``|f'|``). The
        estimate also computes ``D(h/2)`` and ``D(h/4)`` and checks that the four
        agree with the truncation law ``D(s·h) ≈ D + c·(s·h)**p``: where a ratio
        such as ``(D(2h) - D(h)) / (D(h) - D(h/2))`` lies outside half to twice
        the predicted ``2**p`` while the differences are above their round-off
        bound, the error is ``inf``: the step is outside the asymptotic range
        (f varies on a scale shorter than h, so ``df`` may be wrong); pass a
        smaller h. (No finite set of samples sees everything: a step near a
        multiple of 4 periods of a periodic f aliases all four alike and goes
        unnoticed.)
    nfev : int
        Evaluations of ``f`` per element of ``x`` for :func:`derivative` (one
        call each, on every element, or all in one batch with
        ``vectorized=True``), sample points for the others; including those
        at the steps 2h, h/2 and h/4 for the error estimate, and every step
        of the ladder.
    h : numpy.ndarray
        The step used for each element or coordinate. On the step ladder
        (``vectorized=True`` without ``h``) the step chosen for each entry of
        ``df``; for :func:`hessian` ``h[i, j]`` is the step along ``x[i]`` in
        entry ``(i, j)`` and ``h[j, i]`` the one along ``x[j]``.

    Notes
    -----
    The step ladder. With a vectorized f and no ``h``, f is evaluated once on
    the stencil at ``h·2**j`` for ``j = -4 … 7`` (h the default step: a
    stencil's offsets ±2 at one step are its offsets ±1 at twice that
    step, so most points are shared). Each step from ``2**-2·h`` to
    ``2**6·h`` gets the error estimate above, from its neighbours on the
    ladder, and each element takes the step whose estimate is smallest, where
    the round-off part is the bound scaled to what the finest steps measure.
    A step qualifies only if its estimate is finite, its value agrees with the
    default step's within the two estimates, and, above the default step,
    every step between qualifies too: the ladder never climbs past a step
    where f stopped looking smooth (a larger step could alias, e.g. a
    periodic f). With none qualifying (f noisier than the round-off model, or
    varying on a much shorter scale) it keeps the default step, as without
    ``vectorized``. This is the usual balance of truncation against round-off
    made per element from measured differences rather than from the
    assumption on f's length scale: on a polynomial the stencil is exact, the
    estimate falls like 1/h and the largest step wins.
    """

    __slots__ = ()


def relative_step(eps=_EPS):
    """The relative step for function values accurate to about ``eps``.

    ``(STEP_FACTOR * eps) ** (1 / (m + p))``: pass ``np.finfo(np.float32).eps`` for
    a function computed in single precision, then ``h = relative_step(eps) *
    max(1, |x|)``.

    Examples
    --------
    >>> abs(relative_step() / RELATIVE_STEP - 1) < 1e-15
    True
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    return float((STEP_FACTOR * eps) ** (1 / (DERIVATIVE + ACCURACY)))


def _check_callable(f):
    if not callable(f):
        raise TypeError(
            f"f must be a callable such as a function or lambda, got {type(f).__name__}"
        )
    return f


def _as_points(x):
    points = np.asarray(x)
    if points.dtype.kind not in "biuf":
        raise TypeError(
            f"x must be real numbers, got an array of dtype {points.dtype}; pass floats"
        )
    points = points.astype(np.float64)
    if not np.all(np.isfinite(points)):
        bad = np.argwhere(~np.isfinite(points))[0]
        where = f" (element {tuple(int(i) for i in bad)})" if points.ndim else ""
        raise ValueError(f"x must be finite, got {points[tuple(bad)]}{where}")
    return points


def _steps(h, points, relative):
    """The step per element of ``points``: given, or the documented default."""
    if h is None:
        # Default: relative step × max(1, |x|), then made exactly representable
        # so that x + h lies exactly h away from x.
        steps = relative * np.maximum(1.0, np.abs(points))
        return (points + steps) - points
    given = np.asarray(h)
    if given.dtype.kind not in "biuf":
        raise TypeError(f"h must be real numbers, got dtype {given.dtype}")
    try:
        steps = np.broadcast_to(given.astype(np.float64), points.shape)
    except ValueError:
        raise ValueError(
            f"h of shape {given.shape} does not match x of shape {points.shape}; "
            "give one step, or one per element of x"
        ) from None
    if not np.all((steps > 0) & np.isfinite(steps)):
        bad = steps[~((steps > 0) & np.isfinite(steps))].flat[0]
        raise ValueError(
            f"h must be positive and finite, got {bad}; omit h for the default step"
        )
    return np.array(steps)


def _checked(value, where):
    """The values f returned, as floats; non-numbers and non-finite values refused."""
    values = np.asarray(value)
    if values.dtype.kind not in "biuf":
        raise TypeError(
            f"f must return real numbers, got dtype {values.dtype} at the sample "
            f"point {where()}"
        )
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    if not np.all(finite):
        bad = values[~finite].flat[0]
        raise ValueError(
            f"f returned {bad} at the sample point {where()}; the stencil needs "
            "finite values there: move x away from a singularity or pass a smaller h"
        )
    return values


def _slope(values, span):
    """|f'| along one coordinate, roughly: the range of samples over their span."""
    stacked = np.stack(values)
    return np.asarray((stacked.max(axis=0) - stacked.min(axis=0)) / span)


def _shift(points, steps, offsets, scales=(1.0,)):
    """How far rounding moves the samples: max |fl(x + s·o·h) - x - s·o·h|.

    Zero where x + s·o·h is exact (the default steps make x + h exact).
    """
    moves = np.multiply.outer([s * o for o in offsets for s in scales], steps)
    return np.max(np.abs(((points + moves) - points) - moves), axis=0)


def _estimate(
    levels,
    round_off,
    noise,
    accuracy,
    m,
):
    """The error of ``D(h)`` from ``D(s·h)`` for the step multiples ``_SCALES``.

    ``levels`` are ``D(2h)``, ``D(h)``, ``D(h/2)`` and ``D(h/4)``.

    Richardson's ``|D(h) - D(2h)| / (2**accuracy - 1)`` plus ``round_off`` (the
    round-off bound of D(h)), or ``inf`` where successive differences, although
    above the noise of the values (``noise`` for D(h): round-off in the values
    and in the sample points, ``s**-m`` times that for D(s·h)), do not shrink
    like ``h**accuracy``: the step is outside the asymptotic range.
    """
    coarse, df = levels[0], levels[1]
    truncation = np.abs(df - coarse) / (2.0**accuracy - 1)
    levels_noise = [_NOISE * noise * s ** float(-m) for s in _SCALES]
    outside = np.zeros(np.shape(df), dtype=bool)
    for k in range(len(levels) - 2):
        big, mid, small = levels[k : k + 3]
        # D(s·h) - D ≈ c·(s·h)**accuracy: the ratio of the differences it predicts.
        s_big, s_mid, s_small = (s**accuracy for s in _SCALES[k : k + 3])
        expected = (s_big - s_mid) / (s_mid - s_small)
        to_big, to_small = big - mid, mid - small
        noise_big = levels_noise[k] + levels_noise[k + 1]
        noise_small = levels_noise[k + 1] + levels_noise[k + 2]
        measurable = (np.abs(to_small) > noise_small) | (
            np.abs(to_big) > noise_big + expected * noise_small
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = to_big / to_small
        asymptotic = (ratio >= expected / 2) & (ratio <= expected * 2)
        outside |= measurable & ~asymptotic
    return np.where(outside, np.inf, truncation + round_off)[()]


def _choose(levels, round_off, noise, valid, accuracy, m):
    """Per element, the ladder step with the smallest estimated error.

    ``levels`` stacks ``D(h·2**j)`` for the steps of ``_LADDER`` (axis 0);
    ``round_off`` and ``noise`` are their round-off bounds (as in
    :func:`_estimate`), ``valid`` whether all their samples were finite. Each
    candidate ``D(h_j)`` gets the error estimate of ``full_output``:
    Richardson against ``D(2h_j)`` plus the round-off bound, ``inf`` where
    ``D(2h_j)``, ``D(h_j)``, ``D(h_j/2)``, ``D(h_j/4)`` do not shrink like
    ``h**accuracy`` or a sample was not finite. A candidate is eligible when
    its estimate is finite and its value agrees with the default step's
    within the two estimates (so the result is never more than about three
    times the default step's estimated error away from the exact value); a
    step above the default only when every step between is eligible too (so
    the ladder never jumps over a step where f stopped looking smooth, e.g.
    to a step that aliases a periodic f). The smallest estimate wins; with
    none eligible, the default step (its estimate ``inf``).

    Returns the chosen values, their estimates and level indices (into
    ``_LADDER``).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        error = _estimate(
            [levels[3:], levels[2:-1], levels[1:-2], levels[:-3]],
            round_off[2:-1],
            noise[2:-1],
            accuracy,
            m,
        )
    valid = valid[3:] & valid[2:-1] & valid[1:-2] & valid[:-3]
    error = np.where(valid, error, np.inf)
    candidates = levels[2:-1]
    agree = np.abs(candidates - candidates[_DEFAULT]) <= error + error[_DEFAULT]
    allowed = np.isfinite(error) & agree
    allowed[_DEFAULT:] = np.logical_and.accumulate(allowed[_DEFAULT:], axis=0)
    # Ranked by the truncation estimate plus the round-off actually present:
    # its bound times the fraction of the bound that the differences between
    # the three finest pairs of levels (where truncation is smallest) reach.
    # Rounding errors correlated between samples (a long sum of which one term
    # moves) stay far below the bound, which alone would favour too large a
    # step.
    with np.errstate(divide="ignore", invalid="ignore"):
        finest = np.max(
            [
                np.abs(levels[j] - levels[j + 1]) / (round_off[j] + round_off[j + 1])
                for j in range(3)
            ],
            axis=0,
        )
    fraction = np.where(valid[:4].all(axis=0), np.fmin(finest, 1.0), 1.0)
    fraction = np.nan_to_num(fraction, nan=1.0)
    bound = round_off[2:-1]
    ranked = np.where(allowed, error - bound + fraction * bound, np.inf)
    # Ties (e.g. exact values, all estimates zero) go to the larger step.
    best = len(ranked) - 1 - np.argmin(ranked[::-1], axis=0)
    best = np.where(np.isfinite(np.min(ranked, axis=0)), best, _DEFAULT)

    def pick(values):
        return np.take_along_axis(values, best[np.newaxis], axis=0)[0]

    return pick(candidates), pick(error), best + 2


def _ladder(samples, finite, points, steps):
    """``D(h_j)``, its round-off bounds and validity on every level of the ladder.

    ``samples[j, k]`` is f at ``x + _LADDER[j]·OFFSETS[k]·h`` (non-finite values
    replaced; ``finite`` says where they were), ``points`` and ``steps`` are x
    and h, broadcastable to ``samples[j, k]``. The bounds are those of
    ``full_output``: ``ε·Σ|w|·max|f| / h_j**m`` plus the rounding of the
    sample points times ``|f'|``, for ``D(h_j)`` (``round_off``) and for the
    steps of its estimate (``noise``). All levels at once, in NumPy.
    """
    shape = (1,) * np.ndim(steps)
    ladder = np.asarray(_LADDER)
    h = ladder.reshape((-1, *shape)) * steps
    total = np.zeros(())
    for k, weight in enumerate(WEIGHTS):
        total = total + weight * samples[:, k]
    levels = total / h**DERIVATIVE
    scale = np.max(np.abs(samples), axis=1)
    slope = (np.max(samples, axis=1) - np.min(samples, axis=1)) / (_SPAN * h)

    offsets = np.outer(ladder, OFFSETS)
    every = np.multiply.outer(offsets, _SCALES).reshape(len(ladder), -1)
    # |fl(x + c·h) - x - c·h| once per distinct multiple c (levels share most),
    # then its max over the multiples of each level.
    distinct, where = np.unique(every, return_inverse=True)
    moves = distinct.reshape((-1, *shape)) * steps
    shifts = np.abs(((points + moves) - points) - moves)
    where = where.reshape(every.shape)
    at_h = where[:, _SCALES.index(1.0) :: len(_SCALES)]  # the multiples c = o
    moved = slope * np.max(shifts[at_h], axis=1)
    moved_any = slope * np.max(shifts[where], axis=1)
    round_off = WEIGHT_SUM * (_EPS * scale + moved) / h**DERIVATIVE
    noise = WEIGHT_SUM * (_EPS * scale + moved_any) / h**DERIVATIVE
    return levels, round_off, noise, np.all(finite, axis=1)


def _combine(samples, offsets, scale):
    """Σ w_i · f(x + scale·o_i·h), the stencil sum before dividing by h**m."""
    total = np.zeros_like(samples[scale * offsets[0]])
    for offset, weight in zip(offsets, WEIGHTS, strict=True):
        total += weight * samples[scale * offset]
    return total


def _derivative(f, x, h, full_output, vectorized=False):
    """The body of ``derivative`` (see its docstring in the generated module)."""
    function = _check_callable(f)
    points = _as_points(x)
    steps = _steps(h, points, RELATIVE_STEP)
    if vectorized and h is None:
        return _ladder_derivative(function, points, steps, full_output)
    samples = {}
    if vectorized:
        # Every sample point in one call: offset k along a new last axis.
        scales = _SCALES if full_output else (1.0,)
        batch = sorted({s * o for s in scales for o in OFFSETS})
        moves = np.multiply.outer(steps, batch)
        stacked = np.asarray(function(points[..., np.newaxis] + moves))
        if stacked.shape != moves.shape:
            raise ValueError(
                f"f returned shape {stacked.shape} for points of shape "
                f"{moves.shape}; a vectorized f returns one value per point"
            )
        batched = dict(zip(batch, np.moveaxis(stacked, -1, 0), strict=True))

    def sample(offset):
        if offset in samples:
            return
        if vectorized:
            value = batched[offset]
        else:
            value = np.asarray(function(points + offset * steps))
        if value.shape != points.shape:
            raise ValueError(
                f"f returned shape {value.shape} for x of shape {points.shape}; "
                "f is called on the whole array of sample points and must return "
                "one value per point (wrap a scalar function with np.vectorize)"
            )

        def where():
            # The first non-finite element; the first element for non-real values.
            real = value.dtype.kind in "biuf"
            index = _first(~np.isfinite(value)) if real else (0,) * points.ndim
            point = float(points[index] + offset * steps[index])
            element = f" (element {index})" if points.ndim else ""
            return f"x + ({offset:g})·h = {point!r}{element}"

        samples[offset] = _checked(value, where)

    for offset in OFFSETS:
        sample(offset)
    df = _combine(samples, OFFSETS, 1.0) / steps**DERIVATIVE
    if not full_output:
        return df
    for s in _SCALES:
        for offset in OFFSETS:
            sample(s * offset)
    levels = [
        _combine(samples, OFFSETS, s) / (s * steps) ** DERIVATIVE for s in _SCALES
    ]
    scale = np.max([np.abs(samples[o]) for o in OFFSETS], axis=0)
    # Round-off in the values, and in the sample points: rounding x + o·h moves
    # a sample, so f by about |f'| times that (large where f is small but steep).
    slope = _slope([samples[o] for o in OFFSETS], _SPAN * steps)
    moved = slope * _shift(points, steps, OFFSETS)
    moved_any = slope * _shift(points, steps, OFFSETS, _SCALES)
    round_off = WEIGHT_SUM * (_EPS * scale + moved) / steps**DERIVATIVE
    noise = WEIGHT_SUM * (_EPS * scale + moved_any) / steps**DERIVATIVE
    error = _estimate(levels, round_off, noise, ACCURACY, DERIVATIVE)
    return Result(df, error, len(samples), steps)


def _first(mask):
    if mask.ndim == 0:
        return ()
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _real(values, where):
    """The values f returned, as floats (non-finite ones kept); refuses non-real."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise TypeError(
            f"f must return real numbers, got dtype {values.dtype} at the sample "
            f"point {where()}"
        )
    return values.astype(np.float64)


def _ladder_derivative(function, points, steps, full_output):
    """``derivative`` of a vectorized f without h: the step from the ladder.

    One call of f on every point ``x + o·h·2**j`` (the offsets of adjacent
    levels coincide in part: ``2·h_j = h_(j+1)``); then :func:`_choose`.
    Samples that are not finite disqualify their levels, except at the
    default step, where they raise as without ``vectorized``.
    """
    batch = sorted({s * o for s in _LADDER for o in OFFSETS})
    column = {o: k for k, o in enumerate(batch)}
    moves = np.multiply.outer(steps, batch)
    # Steps far from the default may leave f's domain: no warnings for those.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        stacked = function(points[..., np.newaxis] + moves)
    if np.shape(stacked) != moves.shape:
        raise ValueError(
            f"f returned shape {np.shape(stacked)} for points of shape "
            f"{moves.shape}; a vectorized f returns one value per point"
        )

    def where(offset, index):
        point = float(points[index] + offset * steps[index])
        element = f" (element {index})" if points.ndim else ""
        return f"x + ({offset:g})·h = {point!r}{element}"

    values = _real(stacked, lambda: where(batch[0], (0,) * points.ndim))
    finite = np.isfinite(values)
    for offset in OFFSETS:
        ok = finite[..., column[offset]]
        if not ok.all():
            index = _first(~ok)
            bad = values[..., column[offset]][index]
            raise ValueError(
                f"f returned {bad} at the sample point {where(offset, index)}; "
                "the stencil needs finite values there: move x away from a "
                "singularity or pass a smaller h"
            )
    values = np.where(finite, values, 0.0)
    index = [[column[s * o] for o in OFFSETS] for s in _LADDER]
    # (levels, offsets) + x.shape
    gathered = np.moveaxis(values[..., index], (-2, -1), (0, 1))
    ok = np.moveaxis(finite[..., index], (-2, -1), (0, 1))
    df, error, level = _choose(
        *_ladder(gathered, ok, points, steps), ACCURACY, DERIVATIVE
    )
    if not full_output:
        return df[()]
    chosen = steps * np.asarray(_LADDER)[level]
    return Result(df[()], error[()], len(batch), chosen[()])
