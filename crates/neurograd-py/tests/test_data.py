import numpy as np
import pytest

import neurograd
from neurograd import data, errors


def test_digits_shapes_and_counts():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and X.flags["C_CONTIGUOUS"]
    assert y.shape == (1797,) and y.dtype == np.int64
    # per-class counts of the UCI digits (neurograd_data::bundled::digits docs)
    assert list(np.bincount(y)) == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min() == 0 and X.max() == 16


def test_mnist5k():
    X, y = data.load_mnist5k()
    assert X.shape == (5000, 784) and X.max() == 255
    assert list(np.bincount(y)) == [500] * 10


def test_npy_roundtrip_and_idx_errors(tmp_path):
    X, y = data.load_digits()
    np.save(tmp_path / "x.npy", X[:50])
    np.save(tmp_path / "y.npy", y[:50])
    X2, y2 = data.load_npy(str(tmp_path / "x.npy"), str(tmp_path / "y.npy"))
    assert np.array_equal(X2, X[:50]) and np.array_equal(y2, y[:50])
    with pytest.raises(errors.FileError, match=r"^i/o error on .*missing\.npy"):
        data.load_npy(str(tmp_path / "missing.npy"), str(tmp_path / "y.npy"))
    (tmp_path / "bad.idx").write_bytes(b"\x00\x00\x00")
    with pytest.raises(errors.FormatError):
        data.load_idx(str(tmp_path / "bad.idx"), str(tmp_path / "bad.idx"))


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(errors.UnknownNameError) as e:
        data.load_bundled("cifar")
    assert str(e.value) == "unknown bundled dataset 'cifar'; valid names: digits, mnist5k"
    assert isinstance(e.value, ValueError) and isinstance(e.value, errors.NeurogradError)


def test_generators_are_seeded():
    a = data.moons(100, noise=0.1, seed=3)
    b = data.moons(100, noise=0.1, seed=3)
    c = data.moons(100, noise=0.1, seed=4)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c[0])
    assert a[0].shape == (100, 2)
    imgs = data.natural_images()
    assert len(imgs) == 6 and all(i.ndim == 2 for i in imgs)


def test_version():
    assert neurograd.__version__.count(".") == 2
