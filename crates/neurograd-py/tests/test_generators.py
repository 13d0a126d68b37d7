"""The data crate's generators and natural-image helpers from Python: seeded (the same seed gives
the same arrays, another seed others), shapes, a value computed independently in NumPy, and the
mapped errors."""
import numpy as np
import pytest

from neurograd import data, errors


def test_bars():
    X, B = data.bars(200, size=5, p=0.2, seed=7)
    X2, B2 = data.bars(200, size=5, p=0.2, seed=7)
    X3, _ = data.bars(200, size=5, p=0.2, seed=8)
    assert X.shape == (200, 25) and B.shape == (200, 10)
    assert np.array_equal(X, X2) and np.array_equal(B, B2) and not np.array_equal(X, X3)
    # independently: pixel (r, c) is on iff horizontal bar r or vertical bar c is on
    expect = np.maximum(B[:, :5, None], B[:, None, 5:]).reshape(200, 25)
    assert np.array_equal(X, expect)
    assert set(np.unique(B)) <= {0.0, 1.0} and 0 < B.mean() < 0.5
    assert data.bars(3)[0].shape == (3, 64)  # Földiák's 8x8 default
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter p = 1.5"):
        data.bars(10, p=1.5)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n = 0"):
        data.bars(0)


def test_dead_leaves():
    a = data.dead_leaves(3, size=16, r_max=8.0, seed=2)
    b = data.dead_leaves(3, size=16, r_max=8.0, seed=2)
    c = data.dead_leaves(3, size=16, r_max=8.0, seed=3)
    assert a.shape == (3, 16, 16) and a.dtype == np.float64
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # image i draws from stream (seed, i): the first image does not depend on n
    assert np.array_equal(data.dead_leaves(1, size=16, r_max=8.0, seed=2)[0], a[0])
    assert a.min() >= 0.0 and a.max() <= 1.0
    # occluding discs: few distinct grey levels per image, far fewer than pixels
    assert len(np.unique(a[0])) < 256
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter size = 1"):
        data.dead_leaves(1, size=1)
    with pytest.raises(errors.InvalidParameterError, match=r"r_max"):
        data.dead_leaves(1, size=16, r_max=40.0)


def test_sample_patches():
    img = np.arange(20 * 30, dtype=np.float64).reshape(20, 30)
    p = data.sample_patches([img, img + 1000.0], 4, 50, border=2, seed=1)
    assert p.shape == (50, 16)
    assert np.array_equal(p, data.sample_patches([img, img + 1000.0], 4, 50, border=2, seed=1))
    assert not np.array_equal(p, data.sample_patches([img, img + 1000.0], 4, 50, border=2,
                                                     seed=2))
    # independently: every row is a 4x4 window of one image, inside the border
    for row in p:
        src = img if row[0] < 1000 else img + 1000.0
        r, c = np.argwhere(src == row[0])[0]
        assert 2 <= r <= 20 - 2 - 4 and 2 <= c <= 30 - 2 - 4
        assert np.array_equal(row, src[r:r + 4, c:c + 4].ravel())
    q = data.sample_patches([img, img + 1000.0], 4, 5, per_image=True, seed=1)
    assert q.shape == (10, 16) and (q[:5] < 1000).all() and (q[5:] >= 1000).all()
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter patch"):
        data.sample_patches([img], 4, 5, border=9)
    with pytest.raises(errors.EmptyInputError):
        data.sample_patches([], 4, 5)


def test_whiten_images():
    imgs = list(data.dead_leaves(2, size=32, r_max=16.0, seed=0))
    w = data.whiten_images(imgs, target_variance=0.2)
    assert [x.shape for x in w] == [(32, 32), (32, 32)]
    assert all(np.array_equal(x, y) for x, y in zip(w, data.whiten_images(imgs,
                                                                          target_variance=0.2)))
    # independently: the mean over images of the per-image pixel variance is the target
    assert np.mean([x.var() for x in w]) == pytest.approx(0.2, rel=1e-12)
    # the ramp flattens the spectrum: without it the result differs
    lp = data.whiten_images(imgs, target_variance=0.2, ramp=False)
    assert not np.allclose(lp[0], w[0])
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter f0 = -1"):
        data.whiten_images(imgs, f0=-1.0)
    with pytest.raises(errors.InvalidParameterError):
        data.whiten_images([np.ones((8, 8))])


def test_zca_whiten():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 6)) @ rng.normal(size=(6, 6))
    w, W, mu = data.zca_whiten(x, epsilon=1e-3)
    assert w.shape == (500, 6) and W.shape == (6, 6) and mu.shape == (6,)
    # independently in NumPy: W = V diag((lambda + eps)^-1/2) V^T of the sample covariance
    c = np.cov(x, rowvar=False)
    lam, v = np.linalg.eigh(c)
    expect = v @ np.diag(1.0 / np.sqrt(lam + 1e-3)) @ v.T
    assert np.allclose(W, expect, rtol=1e-9, atol=1e-9)
    assert np.allclose(mu, x.mean(axis=0), rtol=0, atol=1e-12)
    assert np.allclose(w, (x - mu) @ W.T, rtol=1e-12, atol=1e-12)
    w2, _, _ = data.zca_whiten(x, epsilon=1e-3)
    assert np.array_equal(w, w2)
    with pytest.raises(errors.EmptyInputError):
        data.zca_whiten(x[:1])
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter epsilon"):
        data.zca_whiten(x, epsilon=-1.0)
