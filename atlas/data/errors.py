"""The one exception of :mod:`atlas.data`."""

from __future__ import annotations


class DataError(ValueError):
    """A data file is missing, corrupt, malformed or could not be downloaded.

    The message always names the file (or the directory) and says what to do.
    It is a ``ValueError``: the data on disk is bad input to the program.
    """
