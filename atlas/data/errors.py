"""The exception and the warning of :mod:`atlas.data`."""

from __future__ import annotations


class DataError(ValueError):
    """A data file is missing, corrupt, malformed or could not be downloaded.

    The message always names the file (or the directory) and says what to do.
    It is a ``ValueError``: the data on disk is bad input to the program.
    """


class DataWarning(UserWarning):
    """Something on disk was passed over, though the work could go on.

    E.g. a corrupt copy of a data file in the data directory, skipped for a
    verified copy elsewhere: nothing fails, but the user should know which file
    is bad and which one was read instead. The message is one line naming both.
    """
