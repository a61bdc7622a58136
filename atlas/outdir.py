"""One render at a time per output directory: an exclusive lock that names its holder.

``atlas render`` and ``jupyter-book build`` (which renders through the same
function, :mod:`atlas.sphinxext`) may start while another render fills the
same directory. If both wrote at once, one run's clean-up or manifest could
undo the other's work. So a render holds :func:`locked` from before it reads
the manifest until it ends: an exclusive ``flock`` on ``<out>/.atlas.lock``,
into which it writes its PID. A second render prints ``waiting for the render
in PID n`` to standard error, waits, and then reads the first one's manifest
(finding its figures up to date). The kernel releases the lock when its holder
exits, even by SIGKILL, so a crashed render never blocks the next one. The lock
file is kept: deleting it would let a third process lock a new file while the
second still holds the old one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

#: The lock file in the output directory.
LOCK_NAME = ".atlas.lock"


@contextlib.contextmanager
def locked(out: Path, stream: TextIO | None = None) -> Iterator[None]:
    """Hold the exclusive lock of the output directory ``out`` (which must exist).

    If another process holds it, say so on ``stream`` (standard error by
    default), naming its PID, and wait for it. Where ``fcntl`` is missing
    (Windows) no lock is taken.
    """
    with open(Path(out) / LOCK_NAME, "a+", encoding="ascii") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            who = f"the render in PID {holder}" if holder.isdigit() else "another render"
            print(f"atlas: waiting for {who} to finish writing {out}",
                  file=stream or sys.stderr, flush=True)  # fmt: skip
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
