"""neurograd: biological learning and machine learning on one bench, from Rust, with NumPy arrays.

Submodules: :mod:`neurograd.data`, :mod:`neurograd.optim`, :mod:`neurograd.neurons`,
:mod:`neurograd.credit`, :mod:`neurograd.rules`, :mod:`neurograd.errors`.
"""
from . import errors
from ._neurograd import __version__
from . import data, optim, neurons, credit, rules

__all__ = ["__version__", "data", "optim", "neurons", "credit", "rules", "errors"]
