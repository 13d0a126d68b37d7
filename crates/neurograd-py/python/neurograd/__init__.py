"""neurograd: biological learning and machine learning on one bench, from Rust, with NumPy arrays.

Submodules: :mod:`neurograd.data`, :mod:`neurograd.optim`, :mod:`neurograd.neurons`,
:mod:`neurograd.credit`, :mod:`neurograd.rules`, :mod:`neurograd.spiking`,
:mod:`neurograd.errors`; :mod:`neurograd.nir` (NIR export, needs the ``nir`` extra) is imported
on demand.
"""
from . import errors
from ._neurograd import __version__
from . import data, optim, neurons, credit, rules, spiking

__all__ = ["__version__", "data", "optim", "neurons", "credit", "rules", "spiking", "errors"]
