"""Benchmark: glibc's allocator as the render's workers set it, against its defaults.

``atlas render`` spawns its workers with :data:`atlas.workers.MALLOC_SETTINGS` in
their environment (blocks of up to 32 MB from the heap, 256 MB of freed heap kept).
This script renders a mix of catalog entries (``--names``: figures, animations, basin
maps, an MNIST study run) and what they need once, then times a forced rebuild of
those entries alone (``atlas render --jobs 1 --force``: built in a child process, one
BLAS thread), in a copy of that output each time, once with glibc's defaults and once
with those settings, in turns (``_setup.in_turns``), ``--repeat`` rounds. It prints each round's CPU
seconds (user + system, of the child and its ffmpeg) for both, their ratio, and the
best of each. The two renders' files must be the same bytes (training's recorded
wall-clock seconds aside: ``timing.json`` and the manifest are not compared).

Run ``python benchmarks/malloc.py [--repeat 3] [--names 'race/sinc_well/*,...']``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _setup import ROOT, in_turns  # benchmarks/_setup.py

from atlas.workers import MALLOC_SETTINGS

NAMES = ("sensitivity/*,race/sinc_well/*,basin_maps/rastrigin/sgd,basin_maps/rastrigin/adam,"
         "mnist/study/adam")
UNCOMPARED = {"manifest.json", "timing.json"}


def children_cpu() -> float:
    """CPU seconds of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(names: list[str], out: Path, tuned: bool, force: bool = True,
           ) -> tuple[float, dict[str, bytes]]:  # fmt: skip
    """``(CPU seconds, {file: bytes})`` of ``atlas render --jobs 1 [--force] names``."""
    env = {k: v for k, v in os.environ.items() if k not in MALLOC_SETTINGS}
    env |= {"OPENBLAS_NUM_THREADS": "1", **(MALLOC_SETTINGS if tuned else {})}
    before = children_cpu()
    subprocess.run([sys.executable, "-m", "atlas", "render", "--jobs", "1", "--out", str(out),
                    *(["--force"] if force else []), *names],
                   env=env, cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    cpu = children_cpu() - before
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
             if p.is_file() and p.name not in UNCOMPARED and not p.name.startswith(".")}
    return cpu, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each runs both in turn")
    parser.add_argument("--names", default=NAMES, help="comma-separated entry names or globs")
    args = parser.parse_args(argv)
    names = args.names.split(",")
    rounds: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="malloc-bench-") as scratch:
        count = itertools.count()
        base = Path(scratch) / "base"
        render(names, base, tuned=False, force=False)  # the entries and all they need

        def contestant(tuned: bool):
            def run() -> tuple[float, dict[str, bytes]]:
                out = Path(scratch) / f"out{next(count)}"
                shutil.copytree(base, out)
                return render(names, out, tuned)
            return run

        for _ in range(args.repeat):
            default, tuned = in_turns(1, contestant(False), contestant(True))
            if default[1] != tuned[1]:
                raise SystemExit("the two renders wrote different files")
            rounds.append((default[0], tuned[0]))
            print(f"round {len(rounds)}: defaults {default[0]:6.2f} s, workers' settings "
                  f"{tuned[0]:6.2f} s of CPU, ratio {default[0] / tuned[0]:.3f}", flush=True)
    best_default, best_tuned = min(r[0] for r in rounds), min(r[1] for r in rounds)
    print(f"{len(default[1])} files, the same bytes both ways; {' '.join(names)}")
    print(f"best: glibc's defaults {best_default:.2f} s, {MALLOC_SETTINGS} {best_tuned:.2f} s "
          f"of CPU: ratio {best_default / best_tuned:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
