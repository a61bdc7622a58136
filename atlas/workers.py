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
#: glibc's allocator in a worker (``man 3 mallopt``): blocks of up to 32 MB (the most
#: allowed) from the heap rather than mapped one by one, and up to 256 MB of freed heap kept
#: rather than handed back to the kernel (and 64 MB more taken at a time). numpy's
#: temporaries, from a basin map's 320 kB rows to a figure's 10 MB canvas and the PNG
#: writer's 16 MB colour tables, could otherwise be faulted in afresh at each use: a mix of
#: the render's entries took 5-9 % less CPU (``benchmarks/malloc.py``). The numbers are
#: the same; only where memory comes from changes.
MALLOC_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20),
                   "MALLOC_TRIM_THRESHOLD_": str(256 << 20), "MALLOC_TOP_PAD_": str(64 << 20)}

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
    """``jobs`` spawned worker processes that die with this one, with one BLAS thread each
    and glibc's allocator set to keep memory (:data:`MALLOC_SETTINGS`).

    ``jobs`` processes already use the cores, and OpenBLAS threads spinning
    against each other make small products several times slower (a thread
    count or allocator setting the user set is kept; this process is unaffected). On an
    exception the queued tasks are cancelled and those in flight awaited.
    """
    settings = {**dict.fromkeys(BLAS_THREADS, "1"), **MALLOC_SETTINGS}
    before = {name: os.environ.get(name) for name in settings}
    for name, value in settings.items():
        os.environ.setdefault(name, value)  # inherited by workers spawned in the block
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
