"""Datasets as NumPy arrays: the bundled digits and MNIST subset, natural images, generators and
``.npy``/IDX loaders.

Examples
--------
>>> from neurograd.data import load_digits
>>> X, y = load_digits()
>>> X.shape, y.shape
((1797, 64), (1797,))
"""
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

__all__ = ["load_digits", "load_mnist5k", "load_bundled", "natural_images", "load_npy",
           "load_npy_matrix", "load_idx", "moons", "circles", "spirals", "xor"]
