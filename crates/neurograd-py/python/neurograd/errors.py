"""Exceptions raised by neurograd, mapped from the Rust crates' typed errors.

Every exception derives from :class:`NeurogradError` and from the builtin a Python user expects
(``ValueError`` for bad input, ``OSError`` for files, ``RuntimeError`` for failed runs). The
message is the Rust error's message, unchanged.
"""


class NeurogradError(Exception):
    """Base class of every neurograd error."""


class InvalidParameterError(NeurogradError, ValueError):
    """A parameter is out of its valid range (``invalid parameter NAME = VALUE: REASON``)."""


class UnknownNameError(NeurogradError, ValueError):
    """A name (algorithm, model, rule, dataset) is not known; the message lists the valid ones."""


class ShapeMismatchError(NeurogradError, ValueError):
    """Two arrays disagree in shape."""


class NonFiniteError(NeurogradError, ValueError):
    """A value (input or objective value) is NaN or infinite."""


class EmptyInputError(NeurogradError, ValueError):
    """An input that must not be empty is empty."""


class ProtocolError(NeurogradError, RuntimeError):
    """The ask/tell protocol was violated (tell without ask, wrong population)."""


class DivergedError(NeurogradError, RuntimeError):
    """A run diverged."""


class NotConvergedError(NeurogradError, RuntimeError):
    """A relaxation or fixed point did not converge."""


class RunFailedError(NeurogradError, RuntimeError):
    """A run ended without a usable result."""


class FileError(NeurogradError, OSError):
    """An I/O failure on a file."""


class FormatError(NeurogradError, ValueError):
    """A file's content is malformed or of an unsupported type."""


__all__ = [
    "NeurogradError",
    "InvalidParameterError",
    "UnknownNameError",
    "ShapeMismatchError",
    "NonFiniteError",
    "EmptyInputError",
    "ProtocolError",
    "DivergedError",
    "NotConvergedError",
    "RunFailedError",
    "FileError",
    "FormatError",
]
