"""Runs an experiment of the ``neurograd`` command through the facade and returns its JSON as a dict."""
import json

from ._neurograd import experiments as _e


def run(kind, params):
    """Runs experiment ``kind`` with ``params`` (a dict of the facade's parameter struct).

    The result is the dict the CLI prints with ``--json``.
    """
    return json.loads(_e.run(kind, json.dumps(params)))
