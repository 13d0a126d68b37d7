"""The teacher and Gaussian generators, the natural-image controls and the radial power spectrum
from Python. Each is checked against the same numbers computed another way: the data crate draws
every seeded value from the documented stream ``(seed, 0)`` of standard normals, which
``white_noise_image(1, m, seed)`` returns in draw order, so the tests rebuild each generator's
output in NumPy from that stream (same seed, same numbers) and check the Fourier-domain
properties of the image controls with ``numpy.fft``; then the mapped errors."""
import numpy as np
import pytest

from neurograd import data, errors


def normals(m, seed):
    """The first ``m`` standard normals of stream ``(seed, 0)``, in draw order."""
    return data.white_noise_image(1, m, seed=seed).ravel()


def test_white_noise():
    a = data.white_noise_image(6, 5, seed=3)
    assert a.shape == (6, 5) and a.dtype == np.float64
    # row-major draw order: the same stream read as one row
    assert np.array_equal(a.ravel(), normals(30, 3))
    assert np.array_equal(a, data.white_noise_image(6, 5, seed=3))
    assert not np.array_equal(a, data.white_noise_image(6, 5, seed=4))
    big = data.white_noise_image(200, 200, seed=1)
    assert abs(big.mean()) < 0.02 and big.std() == pytest.approx(1.0, abs=0.02)
    like = data.white_noise_like([np.zeros((4, 7)), np.zeros((3, 2))], seed=3)
    assert [x.shape for x in like] == [(4, 7), (3, 2)]
    # image 0 is stream (seed, 0), the white_noise_image of that seed; image 1 another stream
    assert np.array_equal(like[0], data.white_noise_image(4, 7, seed=3))
    assert not np.array_equal(like[1], data.white_noise_image(3, 2, seed=3))
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter shape = 0x5"):
        data.white_noise_image(0, 5)
    with pytest.raises(errors.EmptyInputError, match=r"^empty input: white-noise images"):
        data.white_noise_like([])


def test_linear_teacher():
    n, d_in, d_out, s, seed = 7, 4, 3, 0.5, 11
    t = data.linear_teacher(n, d_in, d_out, noise_std=s, seed=seed)
    z = normals(d_out * d_in + d_out + n * (d_in + d_out), seed)
    W = z[:d_out * d_in].reshape(d_out, d_in) / np.sqrt(d_in)
    b = 0.1 * z[d_out * d_in:d_out * d_in + d_out]
    per = z[d_out * d_in + d_out:].reshape(n, d_in + d_out)
    X, eps = per[:, :d_in], per[:, d_in:]
    assert np.allclose(t["weights"], W, rtol=0, atol=1e-15)
    assert np.allclose(t["bias"], b, rtol=0, atol=1e-15)
    assert np.array_equal(t["inputs"], X)
    assert np.allclose(t["targets"], X @ W.T + b + s * eps, rtol=0, atol=1e-12)
    assert t["noise_std"] == s
    # defaults: noiseless, seed 0
    t0 = data.linear_teacher(5, 2, 1)
    assert np.allclose(t0["targets"], t0["inputs"] @ t0["weights"].T + t0["bias"], atol=1e-12)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n = 0"):
        data.linear_teacher(0, 2, 1)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter noise_std = -1"):
        data.linear_teacher(5, 2, 1, noise_std=-1.0)


def test_mlp_teacher():
    n, sizes, s, seed = 9, [3, 5, 4], 0.25, 2
    t = data.mlp_teacher(n, sizes, noise_std=s, seed=seed)
    m = sum(o * i + o for i, o in zip(sizes, sizes[1:])) + n * sizes[0] + n * sizes[-1]
    z, k = normals(m, seed), 0
    Ws, bs = [], []
    for i, o in zip(sizes, sizes[1:]):
        Ws.append(z[k:k + o * i].reshape(o, i) / np.sqrt(i))
        k += o * i
        bs.append(0.1 * z[k:k + o])
        k += o
    X = z[k:k + n * sizes[0]].reshape(n, sizes[0])
    k += n * sizes[0]
    h = X
    for l, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W.T + b
        if l < len(Ws) - 1:
            h = np.tanh(h)
    assert len(t["weights"]) == 2 and len(t["biases"]) == 2
    for got, want in zip(t["weights"] + t["biases"], Ws + bs):
        assert np.allclose(got, want, rtol=0, atol=1e-15)
    assert np.array_equal(t["inputs"], X)
    assert np.array_equal(t["labels"], np.argmax(h, axis=1)) and t["labels"].dtype == np.int64
    assert np.allclose(t["targets"], h + s * z[k:].reshape(n, sizes[-1]), rtol=0, atol=1e-12)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter sizes = \[3\]"):
        data.mlp_teacher(5, [3])
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter sizes"):
        data.mlp_teacher(5, [3, 0, 2])


def test_gaussian_with_covariance():
    rng = np.random.default_rng(0)
    B = rng.standard_normal((3, 3))
    cov = B @ B.T + 0.1 * np.eye(3)
    mean = np.array([1.0, -2.0, 0.5])
    x = data.gaussian_with_covariance(6, mean, cov, seed=5)
    # independently: A = V diag(sqrt(lambda)), descending eigenvalues, each eigenvector's
    # largest-magnitude component positive; z drawn sample by sample
    lam, V = np.linalg.eigh(cov)
    lam, V = lam[::-1], V[:, ::-1]
    V = V * np.sign(V[np.argmax(np.abs(V), axis=0), range(3)])
    z = normals(18, 5).reshape(6, 3)
    assert np.allclose(x, mean + z @ (V * np.sqrt(lam)).T, rtol=0, atol=1e-10)
    big = data.gaussian_with_covariance(20000, mean, cov, seed=1)
    assert np.allclose(np.cov(big.T), cov, atol=0.1 * np.abs(cov).max())
    with pytest.raises(errors.InvalidParameterError, match=r"positive semi-definite"):
        data.gaussian_with_covariance(5, [0, 0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(errors.ShapeMismatchError, match=r"mean vs covariance"):
        data.gaussian_with_covariance(5, [0, 0, 0], np.eye(2))
    with pytest.raises(errors.ShapeMismatchError, match=r"must be square"):
        data.gaussian_with_covariance(5, [0, 0], np.zeros((2, 3)))
    with pytest.raises(errors.NonFiniteError):
        data.gaussian_with_covariance(5, [0, np.nan], np.eye(2))
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n = 0"):
        data.gaussian_with_covariance(0, [0, 0], np.eye(2))


def test_gaussian_with_spectrum():
    lam = [5.0, 3.0, 1.0, 0.25]
    d, n, seed = 4, 8, 9
    g = data.gaussian_with_spectrum(n, lam, seed=seed)
    z = normals(d * d + n * d, seed)
    q, r = np.linalg.qr(z[:d * d].reshape(d, d))
    q = q * np.sign(np.diag(r))  # R's signs moved into Q (Mezzadri 2007): Q is unique
    assert np.allclose(g["eigenvectors"], q, rtol=0, atol=1e-12)
    assert np.array_equal(g["eigenvalues"], lam)
    A = q * np.sqrt(lam)
    assert np.allclose(g["covariance"], A @ A.T, rtol=0, atol=1e-12)
    assert np.allclose(g["samples"], z[d * d:].reshape(n, d) @ A.T, rtol=0, atol=1e-12)
    assert np.allclose(g["covariance"] @ g["eigenvectors"], g["eigenvectors"] * lam, atol=1e-12)
    with pytest.raises(errors.EmptyInputError, match=r"^empty input: eigenvalues"):
        data.gaussian_with_spectrum(5, [])
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter eigenvalues"):
        data.gaussian_with_spectrum(5, [1.0, -1.0])


def test_phase_scramble():
    img = data.dead_leaves(1, size=32, r_max=16.0, seed=4)[0]
    s = data.phase_scramble(img, seed=7)
    assert s.shape == img.shape and not np.allclose(s, img)
    F, G = np.fft.fft2(img), np.fft.fft2(s)
    # the same amplitude spectrum (hence power spectrum, mean) ...
    assert np.allclose(np.abs(G), np.abs(F), rtol=0, atol=1e-9 * np.abs(F).max())
    assert s.mean() == pytest.approx(img.mean(), abs=1e-12)
    # ... with the phases of white_noise_image(rows, cols, seed), the DC coefficient kept
    W = np.fft.fft2(data.white_noise_image(32, 32, seed=7))
    want = np.abs(F) * W / np.abs(W)
    want[0, 0] = F[0, 0]
    assert np.allclose(s, np.fft.ifft2(want).real, rtol=0, atol=1e-12)
    # the radial power spectrum through the Rust path agrees too
    f0, p0 = data.radial_power_spectrum(img)
    f1, p1 = data.radial_power_spectrum(s)
    assert np.array_equal(f0, f1) and np.allclose(p1, p0, rtol=1e-9)
    assert not np.array_equal(s, data.phase_scramble(img, seed=8))
    with pytest.raises(errors.NonFiniteError):
        data.phase_scramble(np.full((4, 4), np.nan))
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter images = "
                       r"image 0 of 0x4"):
        data.phase_scramble(np.zeros((0, 4)))


def test_power_law_image():
    rows, cols, e = 16, 24, 1.5
    p = data.power_law_image(rows, cols, exponent=e, seed=2)
    assert p.shape == (rows, cols)
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(rows), np.fft.fftfreq(cols), indexing="ij"))
    amp = np.where(f > 0, f, 1.0) ** -e * (f > 0)
    W = np.fft.fft2(data.white_noise_image(rows, cols, seed=2))
    assert np.allclose(p, np.fft.ifft2(amp * W / np.abs(W)).real, rtol=0, atol=1e-12)
    assert np.allclose(np.abs(np.fft.fft2(p)), amp, rtol=0, atol=1e-9)
    # default exponent 1: the 1/f amplitude of natural images, power ~ f^-2 radially
    fr, pw = data.radial_power_spectrum(data.power_law_image(64, 64, seed=0))
    slope = np.polyfit(np.log(fr[2:]), np.log(pw[2:]), 1)[0]
    assert slope == pytest.approx(-2.0, abs=0.15)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter exponent = inf"):
        data.power_law_image(8, 8, exponent=np.inf)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter shape = 8x0"):
        data.power_law_image(8, 0)


def test_radial_power_spectrum():
    img = data.white_noise_image(12, 12, seed=1) + np.arange(12.0)[:, None]
    f, p = data.radial_power_spectrum(img)
    # independently: |FFT(img - mean)|^2 averaged over round(|k|) = 1..N/2
    n = 12
    P = np.abs(np.fft.fft2(img - img.mean())) ** 2
    k = np.fft.fftfreq(n, 1.0 / n)
    k[n // 2] = n // 2  # the crate counts k = N/2 as +N/2 (same radius)
    r = np.rint(np.hypot(k[:, None], k[None, :])).astype(int)
    want = np.array([P[r == j].mean() for j in range(1, n // 2 + 1)])
    assert np.array_equal(f, np.arange(1.0, n // 2 + 1))
    assert np.allclose(p, want, rtol=1e-10)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter image = 4x5"):
        data.radial_power_spectrum(np.zeros((4, 5)))
    with pytest.raises(errors.InvalidParameterError, match=r"square with side >= 4"):
        data.radial_power_spectrum(np.zeros((3, 3)))
