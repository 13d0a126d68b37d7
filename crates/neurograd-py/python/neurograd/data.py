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


def _image(image):
    """``image`` as the 2-D float64 array the generators take."""
    return np.atleast_2d(np.asarray(image, dtype=np.float64))


def _images(images):
    """A sequence of images as the list of float64 arrays the generators take."""
    return [np.asarray(i, dtype=np.float64) for i in images]


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
    return _d.sample_patches(_images(images), size, count, border=border, per_image=per_image,
                             seed=seed)


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
    return _d.whiten_images(_images(images), f0=f0, target_variance=target_variance, ramp=ramp)


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


def linear_teacher(n, d_in, d_out, noise_std=0.0, seed=0):
    """Regression data from a random linear map (the student-teacher setting, Gardner 1988):
    ``y = W x + b + noise_std * eps`` with ``x, eps ~ N(0, I)``.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    d_in, d_out : int
        Input and output sizes (>= 1).
    noise_std : float, default 0.0
        Standard deviation of the additive target noise (>= 0; 0 makes the targets exactly
        linear, so least squares recovers ``W`` and ``b``).
    seed : int, default 0
        Seed. Draw order from stream ``(seed, 0)``: ``W`` row by row, then ``b``, then for each
        sample its ``d_in`` inputs followed by its ``d_out`` noise values (the same numbers as
        ``neurograd_data::generators::linear_teacher``).

    Returns
    -------
    dict
        ``inputs`` (n, d_in), ``targets`` (n, d_out), ``weights`` ``W`` (d_out, d_in) with
        entries ``N(0, 1/d_in)``, ``bias`` ``b`` (d_out,) with entries ``0.1 N(0, 1)``,
        ``noise_std``; float64 arrays.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a zero size or a negative / non-finite ``noise_std``.
    """
    X, Y, W, b = _d.linear_teacher(n, d_in, d_out, noise_std=noise_std, seed=seed)
    return {"inputs": X, "targets": Y, "weights": W, "bias": b, "noise_std": float(noise_std)}


def mlp_teacher(n, sizes, noise_std=0.0, seed=0):
    """Data labelled by a random multilayer perceptron (Saad & Solla 1995): ``h_0 = x``,
    ``h_l = tanh(W_l h_{l-1} + b_l)`` for the hidden layers, linear output
    ``y = W_L h_{L-1} + b_L``, plus ``noise_std * eps`` on the targets.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    sizes : sequence of int
        Layer sizes from input to output (at least two, all >= 1).
    noise_std : float, default 0.0
        Standard deviation of the additive target noise (>= 0).
    seed : int, default 0
        Seed. Draw order from stream ``(seed, 0)``: per layer ``W_l`` row by row then ``b_l``,
        then the inputs sample by sample, then the target noise.

    Returns
    -------
    dict
        ``inputs`` (n, sizes[0]) with entries ``N(0, 1)``, ``targets`` (n, sizes[-1]),
        ``labels`` (n,) int64, the ``argmax`` of the noise-free output (first maximum on ties),
        ``weights`` (list, ``W_l`` of shape (sizes[l], sizes[l-1]), entries
        ``N(0, 1/sizes[l-1])``), ``biases`` (list, entries ``0.1 N(0, 1)``), ``noise_std``.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For ``n == 0``, fewer than two sizes or a zero size, a negative / non-finite
        ``noise_std``.
    """
    X, Y, y, Ws, bs = _d.mlp_teacher(n, [int(s) for s in sizes], noise_std=noise_std, seed=seed)
    return {"inputs": X, "targets": Y, "labels": y, "weights": Ws, "biases": bs,
            "noise_std": float(noise_std)}


def gaussian_with_covariance(n, mean, cov, seed=0):
    """Samples ``x = mean + A z``, ``z ~ N(0, I)``, with ``A = V diag(sqrt(lambda))`` from the
    symmetric eigendecomposition ``cov = V diag(lambda) V.T`` (descending eigenvalues,
    sign-normalised eigenvectors), so singular positive semi-definite covariances work too.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    mean : array_like of shape (d,)
        The mean.
    cov : array_like of shape (d, d)
        A symmetric positive semi-definite covariance (eigenvalues down to
        ``-1e-10 max|lambda|`` are taken as rounding and clamped to 0).
    seed : int, default 0
        Seed; ``z`` is drawn sample by sample from stream ``(seed, 0)``.

    Returns
    -------
    ndarray of shape (n, d), float64

    Raises
    ------
    neurograd.errors.ShapeMismatchError
        For a non-square ``cov`` or a ``mean`` of the wrong length.
    neurograd.errors.InvalidParameterError
        For ``n == 0`` or a covariance that is not positive semi-definite.
    neurograd.errors.EmptyInputError
        For an empty ``cov``.
    neurograd.errors.NonFiniteError
        For NaN or infinite entries.
    neurograd.errors.NeurogradError
        For an asymmetric ``cov`` (the eigendecomposition refuses it).
    """
    return _d.gaussian_with_covariance(n, np.asarray(mean, dtype=np.float64).reshape(-1),
                                       np.atleast_2d(np.asarray(cov, dtype=np.float64)),
                                       seed=seed)


def gaussian_with_spectrum(n, eigenvalues, seed=0):
    """Zero-mean Gaussian samples with a prescribed eigenvalue spectrum in a Haar-random
    orientation ``Q`` (QR of a Gaussian matrix, the signs of ``R``'s diagonal moved into ``Q``,
    Mezzadri 2007): ``x = Q diag(sqrt(eigenvalues)) z``. For checks of PCA and of Oja's and
    Sanger's rules against known eigenvectors.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    eigenvalues : sequence of float
        The variances along the columns of ``Q`` (finite, >= 0; their number is ``d``).
    seed : int, default 0
        Seed. Draw order from stream ``(seed, 0)``: the ``d x d`` Gaussian matrix row by row,
        then ``z`` sample by sample.

    Returns
    -------
    dict
        ``samples`` (n, d), ``eigenvalues`` (d,), ``eigenvectors`` ``Q`` (d, d), orthogonal,
        column ``j`` the eigenvector of ``eigenvalues[j]``, ``covariance``
        ``Q diag(eigenvalues) Q.T`` (d, d).

    Raises
    ------
    neurograd.errors.EmptyInputError
        For no eigenvalues.
    neurograd.errors.InvalidParameterError
        For ``n == 0`` or a negative / non-finite eigenvalue.
    """
    X, lam, Q, C = _d.gaussian_with_spectrum(
        n, [float(v) for v in np.asarray(eigenvalues, dtype=np.float64).reshape(-1)], seed=seed)
    return {"samples": X, "eigenvalues": lam, "eigenvectors": Q, "covariance": C}


def white_noise_image(rows, cols, seed=0):
    """An image of i.i.d. standard normal pixels: flat power spectrum, no structure at any order.

    Parameters
    ----------
    rows, cols : int
        Shape (>= 1 each, ``rows * cols <= 2**32``).
    seed : int, default 0
        Seed; pixels are drawn row by row from stream ``(seed, 0)``.

    Returns
    -------
    ndarray of shape (rows, cols), float64

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a zero side or an oversized image.
    """
    return _d.white_noise_image(rows, cols, seed=seed)


def white_noise_like(images, seed=0):
    """One white-noise image per input image, of the same shape (image ``i`` from stream
    ``(seed, i)``): the control "no natural-image statistics at all".

    Parameters
    ----------
    images : sequence of 2-D arrays
        Only their shapes are used.
    seed : int, default 0
        Seed.

    Returns
    -------
    list of 2-D float64 arrays

    Raises
    ------
    neurograd.errors.EmptyInputError
        For no images.
    """
    return _d.white_noise_like(_images(images), seed=seed)


def phase_scramble(image, seed=0):
    """A phase-scrambled version of ``image``: the same amplitude spectrum ``|F(k)|`` (hence the
    same power spectrum, autocorrelation and mean), the phases of the DFT of a white-noise image
    (stream ``(seed, 0)``, the DC coefficient kept), so edges, contours and localised features
    are gone. The classic control of natural-image statistics (Field 1987).

    Parameters
    ----------
    image : array_like of shape (rows, cols)
        A finite image.
    seed : int, default 0
        Seed (the phases are those of ``white_noise_image(rows, cols, seed)``).

    Returns
    -------
    ndarray of shape (rows, cols), float64

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For an empty image.
    neurograd.errors.NonFiniteError
        For NaN or infinite pixels.
    """
    return _d.phase_scramble(_image(image), seed=seed)


def power_law_image(rows, cols, exponent=1.0, seed=0):
    """A synthetic image with amplitude spectrum ``|F(f)| = f**-exponent`` (radial frequency ``f``
    in cycles per pixel, DC 0) and the random phases of white noise: for ``exponent = 1`` the
    ``1/f`` amplitude (``1/f**2`` power) of natural images (Field 1987) without their phase
    structure.

    Parameters
    ----------
    rows, cols : int
        Shape (>= 1 each, ``rows * cols <= 2**32``).
    exponent : float, default 1.0
        Amplitude exponent (finite).
    seed : int, default 0
        Seed (the phases are those of ``white_noise_image(rows, cols, seed)``).

    Returns
    -------
    ndarray of shape (rows, cols), float64

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a zero side, an oversized image or a non-finite exponent.
    """
    return _d.power_law_image(rows, cols, exponent=exponent, seed=seed)


def radial_power_spectrum(image):
    """Radially averaged power spectrum of a square image: the mean of ``|F(k)|**2`` over the
    frequencies ``k = (ky, kx)`` (cycles per image, ``-N/2 < k <= N/2``) with
    ``round(|k|) = f``, for ``f = 1, ..., N/2``, after subtracting the image mean.

    Parameters
    ----------
    image : array_like of shape (N, N)
        A square image, ``N >= 4`` (a direct ``O(N**3)`` DFT: meant for ``N <= 256``).

    Returns
    -------
    f : ndarray of shape (m,), float64
        The radial frequencies that have at least one ``k`` (all of ``1..N/2``).
    power : ndarray of shape (m,), float64
        The mean power at each.

    Raises
    ------
    neurograd.errors.InvalidParameterError
        For a non-square image or a side below 4.
    """
    return _d.radial_power_spectrum(_image(image))


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
           "dead_leaves", "sample_patches", "whiten_images", "zca_whiten", "linear_teacher",
           "mlp_teacher", "gaussian_with_covariance", "gaussian_with_spectrum", "white_noise_image",
           "white_noise_like", "phase_scramble", "power_law_image", "radial_power_spectrum",
           "evidence_accumulation",
           "pattern_generation", "randman"]
