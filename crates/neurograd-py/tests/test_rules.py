import numpy as np
import pytest

from neurograd import errors, rules


def oja(pre, post, W, target, modulator):
    """Oja's rule (Oja 1982) written in NumPy, each output row on its own:
    dw_i = <y_i (x - y_i w_i)> over the batch."""
    return (post.T @ pre - (post ** 2).sum(axis=0)[:, None] * W) / len(pre)


def test_delta_matches_numpy():
    rng = np.random.default_rng(0)
    pre, W = rng.normal(size=(32, 6)), rng.normal(size=(3, 6)) * 0.2
    post = pre @ W.T
    d = rules.delta("hebb", pre, post, W)
    np.testing.assert_allclose(d, post.T @ pre / len(pre), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rules.delta("oja", pre, post, W), oja(pre, post, W, None, None),
                               rtol=1e-12, atol=1e-15)
    assert "oja" in rules.names()


def test_python_rule_conformance():
    good = rules.check(oja, like="oja")
    assert good["theory"] is not None and good["passes"] is True
    bad = rules.check(lambda *a: -oja(*a), like="oja")
    assert bad["passes"] is False


def test_check_registered_equals_cli(cli):
    assert rules.check_registered("oja", seed=4) == cli("--seed", "4", "rules", "check", "oja")


def test_errors():
    with pytest.raises(errors.UnknownNameError, match="valid names"):
        rules.delta("nope", np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(errors.ShapeMismatchError):
        rules.delta("hebb", np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((2, 2)))


def test_conversions_every_layout():
    """The array conversions (C-contiguous: blocked transpose; F-contiguous: copy; strided:
    element-wise) keep every value, for shapes that are not multiples of the 8-row strip."""
    from neurograd._neurograd import rules as native
    rng = np.random.default_rng(3)
    for shape in [(256, 784), (13, 7), (1, 5), (5, 1), (9, 17)]:
        a = rng.normal(size=shape)
        for v in (a, np.asfortranarray(a), a[::2, ::3], a.T):
            out = native._echo(v)
            assert out.flags.c_contiguous
            np.testing.assert_array_equal(out, v)
    assert native._echo(np.zeros((0, 4))).shape == (0, 4)
    # a rule's update on F-ordered and strided inputs equals the C-ordered one
    pre, W = rng.normal(size=(16, 9)), rng.normal(size=(5, 9))
    post = pre @ W.T
    d = rules.delta("oja", pre, post, W)
    np.testing.assert_array_equal(rules.delta("oja", np.asfortranarray(pre), post, W.T.copy().T), d)


def test_delta_into_out():
    """`out=`: the update written into a preallocated C-contiguous array (returned), the same
    numbers as a fresh one; wrong shape, layout or an input as `out` refused."""
    rng = np.random.default_rng(5)
    pre, W = rng.normal(size=(8, 11)), rng.normal(size=(4, 11))
    post = pre @ W.T
    for name in ("hebb", "oja"):
        want = rules.delta(name, pre, post, W)
        out = np.full((4, 11), np.nan)
        got = rules.delta(name, pre, post, W, out=out)
        assert got is out
        np.testing.assert_array_equal(out, want)
    from neurograd._neurograd import rules as native
    ti, tr, to = native._delta_profile("oja", pre, post, W, reps=3)
    assert ti > 0 and tr > 0 and to > 0
    with pytest.raises(errors.ShapeMismatchError, match=r"rules.delta out"):
        rules.delta("oja", pre, post, W, out=np.zeros((11, 4)))
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter out"):
        rules.delta("oja", pre, post, W, out=np.zeros((11, 4)).T)
    with pytest.raises(errors.InvalidParameterError, match=r"^invalid parameter out"):
        rules.delta("oja", pre, post, W, out=W)


def test_delta_reuses_buffers_across_shapes():
    """Calls of different shapes in a row, C- and F-ordered: the numbers stay those of NumPy
    (guards any buffer reuse between calls; a per-thread pool was tried and removed, see
    docs/benchmarks.md, "Python")."""
    rng = np.random.default_rng(7)
    for shape in [(64, 100), (3, 5), (64, 100), (17, 9), (1, 1), (40, 120)]:
        n_out, n_in = shape
        pre, W = rng.normal(size=(6, n_in)), rng.normal(size=shape)
        post = rng.normal(size=(6, n_out))
        for _ in range(2):
            np.testing.assert_allclose(rules.delta("hebb", pre, post, W), post.T @ pre / 6,
                                       rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(rules.delta("hebb", np.asfortranarray(pre), post, W),
                                       post.T @ pre / 6, rtol=1e-12, atol=1e-12)
