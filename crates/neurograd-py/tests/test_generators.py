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


def test_evidence_accumulation():
    kw = dict(n_cues=5, cue_ms=20.0, interval_ms=30.0, delay_ms=100.0, recall_ms=40.0)
    a = data.evidence_accumulation(16, seed=4, **kw)
    b = data.evidence_accumulation(16, seed=4, **kw)
    c = data.evidence_accumulation(16, seed=5, **kw)
    T = 5 * 30 + 100 + 40
    assert a["inputs"].shape == (16, T, 40) and a["labels"].shape == (16,)
    assert np.array_equal(a["inputs"], b["inputs"]) and np.array_equal(a["labels"], b["labels"])
    assert not np.array_equal(a["inputs"], c["inputs"])
    assert a["n_classes"] == 2 and tuple(a["window"]) == (T - 40, T) and a["dt_ms"] == 1.0
    assert set(np.unique(a["inputs"])) <= {0.0, 1.0}
    assert data.evidence_accumulation(2)["inputs"].shape == (2, 2250, 40)  # EP/evacc defaults
    # independently: with certain firing and no background each cue fills its side's channels;
    # the label is the side with more cues (right = 1)
    d = data.evidence_accumulation(16, seed=4, active_rate_hz=1000.0, background_rate_hz=0.0,
                                   **kw)
    for x, label in zip(d["inputs"], d["labels"]):
        right = 0
        for k in range(5):
            blk = x[k * 30 + 10:(k + 1) * 30]
            left_on, right_on = blk[:, :10].all(), blk[:, 10:20].all()
            assert left_on != right_on
            right += right_on
        assert label == int(right > 5 // 2)
        assert x[T - 40:, 20:30].all() and not x[:T - 40, 20:30].any() and not x[:, 30:].any()
    with pytest.raises(TypeError, match="n_cue"):
        data.evidence_accumulation(2, n_cue=3)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n_trials = 0"):
        data.evidence_accumulation(0)


def test_pattern_generation():
    a = data.pattern_generation(seed=1, n_inputs=50, n_outputs=2, n_steps=400)
    b = data.pattern_generation(seed=1, n_inputs=50, n_outputs=2, n_steps=400)
    assert a["inputs"].shape == (1, 400, 50) and a["targets"].shape == (1, 400, 2)
    assert np.array_equal(a["inputs"], b["inputs"]) and np.array_equal(a["targets"], b["targets"])
    assert not np.array_equal(a["targets"],
                              data.pattern_generation(seed=2, n_inputs=50, n_outputs=2,
                                                      n_steps=400)["targets"])
    # independently: Poisson inputs at 50 Hz with dt = 1 ms spike with probability 0.05
    # (2e4 draws: standard error 0.0015)
    assert abs(a["inputs"].mean() - 0.05) < 0.006
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n_inputs = 0"):
        data.pattern_generation(n_inputs=0)


def test_randman():
    a = data.randman(seed=3, n_classes=3, n_units=8, n_steps=50, samples_per_class=4)
    b = data.randman(seed=3, n_classes=3, n_units=8, n_steps=50, samples_per_class=4)
    assert a["inputs"].shape == (12, 50, 8) and a["n_classes"] == 3
    assert np.array_equal(a["inputs"], b["inputs"]) and np.array_equal(a["labels"], b["labels"])
    assert not np.array_equal(a["inputs"], data.randman(seed=4, n_classes=3, n_units=8,
                                                        n_steps=50,
                                                        samples_per_class=4)["inputs"])
    # independently: every input unit spikes exactly once per trial; 4 trials per class
    assert (a["inputs"].sum(axis=1) == 1).all()
    assert list(np.bincount(a["labels"])) == [4, 4, 4]
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter n_classes = 0"):
        data.randman(n_classes=0)


def test_blobs_and_xor_table():
    X, y = data.blobs(300, n_classes=3, n_features=4, cluster_std=0.5, seed=9)
    X2, y2 = data.blobs(300, n_classes=3, n_features=4, cluster_std=0.5, seed=9)
    assert X.shape == (300, 4) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, data.blobs(300, n_classes=3, n_features=4, cluster_std=0.5,
                                            seed=10)[0])
    # independently: sample i has class i mod k; within a class the spread is cluster_std
    assert np.array_equal(y, np.arange(300) % 3)
    for k in range(3):
        assert abs(X[y == k].std(axis=0, ddof=1).mean() - 0.5) < 0.1
    with pytest.raises(errors.InvalidParameterError, match=r"cluster_std"):
        data.blobs(10, cluster_std=-1.0)
    Xt, yt = data.xor_table()
    assert np.array_equal(Xt, [[0, 0], [0, 1], [1, 0], [1, 1]]) and list(yt) == [0, 1, 1, 0]
