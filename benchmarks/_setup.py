"""What the MNIST benchmarks share: their process environment and where data lives.

``apply_environment()`` re-executes the running script once with ``ENVIRONMENT``
added (a value already set wins), unless ``--as-is`` is on the command line; see
``benchmarks/mnist_speed.py`` for the measurements behind each variable. Call it
before numpy is imported, so OpenBLAS and glibc read the new values. ``--threads N``
on the command line becomes ``OPENBLAS_NUM_THREADS=N`` (default: every core).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": "16777216",
    "MALLOC_TRIM_THRESHOLD_": "268435456",
}

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT.parent / "shared" / "data" / "mnist-small"


def blas_threads(argv: list[str]) -> int:
    """OpenBLAS's thread count: ``--threads N`` (or ``--threads=N``) in ``argv``, else
    ``$OPENBLAS_NUM_THREADS``, else every core."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count() or 1)


def apply_environment() -> None:
    """Re-execute once with the benchmark environment, and let ``import atlas`` work
    from a checkout that was not installed."""
    if "--as-is" not in sys.argv and not os.environ.get("ATLAS_BENCHMARK_ENV"):
        blas = {"OPENBLAS_NUM_THREADS": str(blas_threads(sys.argv))}
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**ENVIRONMENT, **os.environ, **blas, "ATLAS_BENCHMARK_ENV": "1"})
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """``(seconds, result)`` of one call of ``run()``."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def in_turns(repeat: int, *contestants: Callable[[], tuple[float, Any]]) -> list[tuple[float, Any]]:
    """Each contestant's fastest ``(seconds, result)`` over ``repeat`` rounds.

    A contestant returns ``(seconds, result)`` for one run. In every round each one runs
    once, in turns, so a slow minute of the shared machine hits all of them alike.
    """
    runs: list[list[tuple[float, Any]]] = [[] for _ in contestants]
    for _ in range(repeat):
        for contestant, its_runs in zip(contestants, runs, strict=True):
            its_runs.append(contestant())
    return [min(its_runs, key=lambda run: run[0]) for its_runs in runs]
