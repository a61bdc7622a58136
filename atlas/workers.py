"""Worker processes that die with the process that started them.

``atlas render`` draws in a pool of spawned processes (:func:`pool`). If the
render is killed, even by SIGKILL, which no handler sees, its workers must not
go on writing into a directory that the next render may already own:

* :func:`init_worker`, the pool's initializer, asks Linux to SIGKILL the
  worker when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and exits at once
  if the parent died before that request took effect (``os.getppid()`` then
  names another process). The signal follows the parent *thread* that started
  the worker, so a pool must be created and used by one thread that outlives it.
* :func:`replace`, the rename that publishes every finished file
  (:func:`atlas.cache.write_atomic`, the animation writers), and a staged
  training run's commit (:mod:`atlas.nn.rundir`) end an orphaned worker
  instead of publishing (:func:`exit_if_orphaned`): the only guard on systems
  without ``prctl``.

Once the workers are gone, multiprocessing's resource tracker (started by the
pool) reads the end of its pipe and exits too. Only the standard library is
imported here, so every atlas module may use :func:`replace`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

#: ``prctl`` option: the signal a process gets when its parent thread exits (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: Exit status of a worker that found its parent gone.
ORPHAN_EXIT = 70
#: Environment variables that set the BLAS libraries' thread counts.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: In a pool worker: the PID of the process that started it (``None`` elsewhere).
_parent: int | None = None


def init_worker(parent: int) -> None:
    """A pool worker's initializer: die with the process ``parent`` (see the module docstring)."""
    global _parent
    _parent = parent
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if not parent_alive():
        os._exit(ORPHAN_EXIT)


def parent_alive() -> bool:
    """False only in a pool worker whose parent has died (it then has another parent)."""
    return _parent is None or os.getppid() == _parent


def exit_if_orphaned() -> None:
    """End this process at once if it is a pool worker whose parent has died.

    Called before publishing anything; what the worker left under a temporary
    name is removed by the next render (its writer is dead).
    """
    if not parent_alive():
        os._exit(ORPHAN_EXIT)


def replace(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """``os.replace(tmp, path)``, except in an orphaned worker: that removes ``tmp`` and exits."""
    if not parent_alive():
        Path(tmp).unlink(missing_ok=True)
    exit_if_orphaned()
    os.replace(tmp, path)


@contextlib.contextmanager
def pool(jobs: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """``jobs`` spawned worker processes that die with this one, with one BLAS thread each.

    ``jobs`` processes already use the cores, and OpenBLAS threads spinning
    against each other make small products several times slower (a thread
    count the user set is kept; this process's numpy is unaffected). On an
    exception the queued tasks are cancelled and those in flight awaited.
    """
    before = {name: os.environ.get(name) for name in BLAS_THREADS}
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")  # inherited by workers spawned in the block
    try:
        with concurrent.futures.ProcessPoolExecutor(
            jobs, multiprocessing.get_context("spawn"), initializer=init_worker,
            initargs=(os.getpid(),),
        ) as executor:  # fmt: skip
            try:
                yield executor
            except BaseException:
                executor.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
