"""What the MNIST benchmarks share: their process environment and where data lives.

``apply_environment()`` re-executes the running script once with ``ENVIRONMENT``
added (a value already set wins), unless ``--as-is`` is on the command line; see
``benchmarks/mnist_speed.py`` for the measurements behind each variable. Call it
before numpy is imported, so OpenBLAS and glibc read the new values.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENVIRONMENT = {
    "OPENBLAS_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": "16777216",
    "MALLOC_TRIM_THRESHOLD_": "268435456",
}

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT.parent / "shared" / "data" / "mnist-small"


def apply_environment() -> None:
    """Re-execute once with the benchmark environment, and let ``import atlas`` work
    from a checkout that was not installed."""
    if "--as-is" not in sys.argv and not os.environ.get("ATLAS_BENCHMARK_ENV"):
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**ENVIRONMENT, **os.environ, "ATLAS_BENCHMARK_ENV": "1"})
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
