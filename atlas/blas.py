"""One BLAS thread for a build in this process, as ``atlas render``'s workers have.

A matrix product summed by several OpenBLAS threads adds its partial sums in
another order than one thread does, so training gives other last digits (and a
chaotic run other results). ``atlas render``'s workers are spawned with one BLAS
thread each (:func:`atlas.workers.pool`); a build in the rendering process itself
(``--jobs 1``, or a single entry) must use one thread too, or the same entry
would have other bytes under the same key. This process's numpy was loaded long
before, so the environment variables no longer reach it: :func:`one_thread` asks
the loaded OpenBLAS itself, through its ``*_set_num_threads`` function (the
approach of threadpoolctl). :func:`available` says whether that is possible here;
where it is not (another BLAS), the caller builds in a worker process instead.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator
from functools import cache
from pathlib import Path

#: Prefixes and suffixes of OpenBLAS's thread functions in the builds numpy ships with
#: (``scipy_openblas_get_num_threads64_`` in numpy's wheels, plain ``openblas_...`` elsewhere).
_NAMES = (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"),
          ("openblas_", ""))  # fmt: skip


@cache
def _openblas() -> tuple[object, object] | None:
    """``(get_num_threads, set_num_threads)`` of the OpenBLAS numpy loaded, or None."""
    import numpy  # noqa: F401  (loads the library, so it appears in the maps)

    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    paths = sorted({line.split()[-1] for line in maps.splitlines()
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in _NAMES:
            get = getattr(library, f"{prefix}get_num_threads{suffix}", None)
            set_ = getattr(library, f"{prefix}set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, set_
    return None


def available() -> bool:
    """Whether :func:`one_thread` can set this process's BLAS threads (numpy's OpenBLAS)."""
    return _openblas() is not None


def threads() -> int | None:
    """The number of threads numpy's OpenBLAS uses now (None: not OpenBLAS)."""
    found = _openblas()
    return None if found is None else int(found[0]())


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one BLAS thread, then restore the count; a ``RuntimeError`` where
    :func:`available` is false."""
    found = _openblas()
    if found is None:
        raise RuntimeError("numpy's BLAS is not an OpenBLAS whose threads atlas can set")
    get, set_ = found
    before = int(get())
    set_(1)
    try:
        yield
    finally:
        set_(before)
