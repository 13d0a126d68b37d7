"""Datasets as NumPy arrays: the bundled digits and MNIST subset, natural images, generators and
``.npy``/IDX loaders.

Examples
--------
>>> from neurograd.data import load_digits
>>> X, y = load_digits()
>>> X.shape, y.shape
((1797, 64), (1797,))
"""
import json

import numpy as np

from ._neurograd import data as _d

load_digits = _d.load_digits
load_mnist5k = _d.load_mnist5k
load_bundled = _d.load_bundled
natural_images = _d.natural_images
load_npy = _d.load_npy
load_npy_matrix = _d.load_npy_matrix
load_idx = _d.load_idx
moons = _d.moons
circles = _d.circles
spirals = _d.spirals
xor = _d.xor
blobs = _d.blobs
xor_table = _d.xor_table



def bars(n, size=8, p=0.125, seed=0):
    """Földiák's bars (Földiák 1990): each of the ``2 size`` bars of a ``size x size`` grid is on
    independently with probability ``p``.

    Parameters
    ----------
    n : int
        Number of images (>= 1).
    size : int, default 8
        Grid side (>= 1).
    p : float, default 0.125
        Probability of each bar, in ``[0, 1]``.
    seed : int, default 0
        Seed (the same seed gives the same images as ``neurograd_data::generators::bars``).

    Returns
    -------
    images : ndarray of shape (n, size**2), float64
        Row-major pixels in {0, 1}.
    bars : ndarray of shape (n, 2 * size), float64
        Bar indicators: columns ``0..size`` the horizontal bars (image rows), then the vertical.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For ``n == 0``, ``size == 0`` or ``p`` outside ``[0, 1]``.
    """
    return _d.bars(n, size=size, p=p, seed=seed)


def dead_leaves(n, size=64, r_min=1.0, r_max=32.0, alpha=3.0, seed=0):
    """Dead-leaves images (Matheron 1968; Lee, Mumford & Huang 2001): occluding discs of radius
    ``p(r) ∝ r**-alpha`` and uniform grey levels, natural-image-like (``alpha = 3`` gives a
    ``1/f**2`` power spectrum).

    Parameters
    ----------
    n : int
        Number of images (>= 1).
    size : int, default 64
        Image side in pixels (>= 2).
    r_min, r_max : float, default 1.0, 32.0
        Smallest (>= 1) and largest (``r_min < r_max <= size``) radius in pixels.
    alpha : float, default 3.0
        Radius exponent.
    seed : int, default 0
        Seed; image ``i`` draws from stream ``(seed, i)``.

    Returns
    -------
    ndarray of shape (n, size, size), float64
        Grey levels in ``[0, 1]``.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        Naming the offending parameter.
    """
    return np.stack(_d.dead_leaves(n, size=size, r_min=r_min, r_max=r_max, alpha=alpha,
                                   seed=seed))


def sample_patches(images, size, count, border=0, per_image=False, seed=0):
    """Square patches at uniformly random positions, one patch per row.

    Parameters
    ----------
    images : sequence of 2-D float64 arrays
        E.g. ``natural_images()``, ``whiten_images(...)`` or ``dead_leaves(...)``.
    size : int
        Patch side ``P`` in pixels (>= 1).
    count : int
        Number of patches in total (or per image with ``per_image=True``; >= 1).
    border : int, default 0
        Pixels excluded on every side of each image (16 after ``whiten_images``, whose filter
        wraps around at the edges).
    per_image : bool, default False
        Draw ``count`` patches from every image, image by image, instead of pooling.
    seed : int, default 0
        Seed.

    Returns
    -------
    ndarray of shape (count or count * len(images), size**2), float64
        Pixel ``(r, c)`` of a patch is column ``r * size + c``.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a zero size or count, or a patch (plus twice the border) larger than an image.
    neurograd.errors.EmptyInputError
        For no images.
    """
    return _d.sample_patches([np.asarray(i, dtype=np.float64) for i in images], size, count,
                             border=border, per_image=per_image, seed=seed)


def whiten_images(images, f0=0.4, target_variance=0.1, ramp=True):
    """The whitening / low-pass filter of Olshausen & Field (1997), ``R(f) = f exp(-(f/f0)**4)``,
    applied per image (after unit-variance normalisation); the set is then scaled to
    ``target_variance``.

    Parameters
    ----------
    images : sequence of 2-D float64 arrays
        E.g. ``natural_images()``.
    f0 : float, default 0.4
        Roll-off frequency in cycles per pixel (> 0).
    target_variance : float, default 0.1
        Mean per-image pixel variance of the result (> 0).
    ramp : bool, default True
        Apply the ramp ``f`` (``False``: low-pass only, the negative control).

    Returns
    -------
    list of 2-D float64 arrays
        The filtered images, same shapes.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a bad ``f0``/``target_variance``, an image below 2 x 2 or a constant image.
    """
    return _d.whiten_images([np.asarray(i, dtype=np.float64) for i in images], f0=f0,
                            target_variance=target_variance, ramp=ramp)


def zca_whiten(patches, epsilon=1e-5):
    """ZCA whitening of patches (Bell & Sejnowski 1997): ``W = V diag((lambda + eps)**-0.5) V.T``.

    Parameters
    ----------
    patches : 2-D float64 array of shape (m, d)
        One patch per row (m >= 2).
    epsilon : float, default 1e-5
        Regulariser added to the covariance eigenvalues.

    Returns
    -------
    whitened : ndarray of shape (m, d)
        Row ``i`` is ``matrix @ (patches[i] - mean)``.
    matrix : ndarray of shape (d, d)
        The whitening matrix ``W``.
    mean : ndarray of shape (d,)
        The patch mean.

    Raises
    ------
    neurograd.errors.NeurogradError
        The data crate's errors (fewer than 2 patches, singular covariance with
        ``epsilon = 0``, non-finite values).
    """
    return _d.zca_whiten(np.asarray(patches, dtype=np.float64), epsilon=epsilon)


def _sequence(task, n_trials, seed, config):
    cfg = json.loads(_d.sequence_defaults(task))
    for k in config:
        if k not in cfg:
            raise TypeError(f"unexpected keyword argument {k!r}; valid: {', '.join(cfg)}")
    cfg.update(config)
    inputs, target, dt_ms = _d.sequence(task, json.dumps(cfg), n_trials=n_trials, seed=seed)
    out = {"inputs": np.stack(inputs), "dt_ms": dt_ms}
    if isinstance(target, tuple):
        out["labels"], out["n_classes"], out["window"] = target
    else:
        out["targets"] = np.stack(target)
    return out


_SEQUENCE_RETURNS = """
    Returns
    -------
    dict
        ``inputs``: ndarray of shape (n_trials, T, n_in), float64 (spikes are 0/1);
        ``dt_ms``: the time step; for a classification task ``labels`` (n_trials,) int64,
        ``n_classes`` and ``window`` (the scored steps ``[start, end)``), for a regression task
        ``targets`` of shape (n_trials, T, n_out).

    Raises
    ------
    TypeError
        For a keyword that is not a field of the configuration.
    neurograd.errors.InvalidParameterError
        For a value the data crate refuses (its message names the field).
    """


def evidence_accumulation(n_trials, seed=0, **config):
    """The evidence-accumulation task (Bellec et al. 2020; Morcos & Harvey 2016): Poisson cue
    groups (left/right), a delay, then a recall period in which the majority side is the label.

    Parameters
    ----------
    n_trials : int
        Number of trials (>= 1).
    seed : int, default 0
        Seed.
    **config
        Fields of ``EvidenceConfig`` (defaults): ``n_cues`` (7), ``cue_ms`` (100.0),
        ``interval_ms`` (150.0), ``delay_ms`` (1050.0), ``recall_ms`` (150.0),
        ``channels_per_group`` (10), ``active_rate_hz`` (40.0), ``background_rate_hz`` (10.0),
        ``p_majority`` (0.7), ``dt_ms`` (1.0).
    """
    return _sequence("evidence", n_trials, seed, config)


def pattern_generation(seed=0, **config):
    """The pattern-generation task (Bellec et al. 2020): frozen Poisson input, a target that is a
    sum of sines per output.

    Parameters
    ----------
    seed : int, default 0
        Seed.
    **config
        Fields of ``PatternConfig`` (defaults): ``n_inputs`` (100), ``n_outputs`` (1),
        ``n_steps`` (1000), ``rate_hz`` (50.0), ``periods_ms`` ([1000, 500, 333, 200]),
        ``amplitude_range`` ((0.5, 2.0)), ``dt_ms`` (1.0).
    """
    return _sequence("patterns", 1, seed, config)


def randman(seed=0, **config):
    """Randman (Zenke & Vogels 2021): one spike per input unit, its time read off a smooth random
    manifold per class; ``n_classes * samples_per_class`` trials.

    Parameters
    ----------
    seed : int, default 0
        Seed.
    **config
        Fields of ``RandmanConfig`` (defaults): ``n_classes`` (10), ``n_units`` (20),
        ``n_steps`` (100), ``dim_manifold`` (1), ``alpha`` (2.0), ``samples_per_class`` (1000),
        ``prec`` (1e-3), ``use_bias`` (False), ``dt_ms`` (1.0).
    """
    return _sequence("randman", 1, seed, config)


for _f in (evidence_accumulation, pattern_generation, randman):
    if _f.__doc__ is not None:  # None under python -OO
        _f.__doc__ += _SEQUENCE_RETURNS

__all__ = ["load_digits", "load_mnist5k", "load_bundled", "natural_images", "load_npy",
           "load_npy_matrix", "load_idx", "moons", "circles", "spirals", "xor", "blobs", "xor_table", "bars",
           "dead_leaves", "sample_patches", "whiten_images", "zca_whiten", "evidence_accumulation",
           "pattern_generation", "randman"]
