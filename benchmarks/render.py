"""Benchmark: the course notes' reference animation, the notes' way and the atlas way.

The animation: surface 4 of the notes, the narrow valley
f(x, y) = (x^2 + y^2)/8 + tanh^2(10x), with SGD, Adagrad, RMSprop and Adam racing from
(-2, 2), 64 frames, a 6 x 4.5 in figure at 100 dpi. The learning rates are the ones the
atlas protocol chooses (``atlas.learning_rates``; the notes do not state theirs), and both
renderings draw the very same paths.

* The notes' way: ``matplotlib.animation.FuncAnimation`` whose frame function clears the
  3D axes and redraws a 1000 x 1000-point ``plot_surface`` plus the paths, saved with
  ``to_jshtml`` (an HTML page with every frame as a base64 PNG).
* The atlas way: :func:`atlas.viz.race.animate_race_3d` -- an 80 x 80 surface rasterised
  once, the paths blitted over it, frames piped into H.264 MP4.

Both sides time the same work: the paths are computed before either clock starts, and a
small warm-up draw (pyplot, a 3D surface, mathtext, a legend) runs first, so neither side
pays for matplotlib's first-use costs (font cache, mathtext parser, the 3D toolkit).

Run ``python benchmarks/render.py`` (about a minute: the notes' way is slow; that is the
point) or ``--quick`` (a 200 x 200 surface for the notes' way, for a fast check). Prints
seconds and bytes of both and their ratios (targets: atlas >= 50x faster, >= 30x smaller).
``--repeat N`` times each side N times, in turns, and reports the fastest run of each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import imageio_ffmpeg
import matplotlib.pyplot as plt
import numpy as np
from _setup import in_turns  # benchmarks/_setup.py
from matplotlib import animation as mpl_animation

from atlas import surfaces
from atlas.races.race import Race, run_race
from atlas.viz import race
from atlas.viz.style import optimizer_color
from atlas.viz.surface_plots import GRID_3D

SURFACE = "narrow_valley"
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam")
FRAMES = 64
FIGSIZE = (6.0, 4.5)
DPI = 100


def warm_up() -> None:
    """One tiny draw of everything both sides use, so neither pays for first use."""
    fig = plt.figure(figsize=(1.0, 1.0), dpi=20)
    ax = fig.add_subplot(projection="3d")
    x, y = np.meshgrid(np.linspace(0, 1, 3), np.linspace(0, 1, 3))
    ax.plot_surface(x, y, x * y, cmap="coolwarm", alpha=0.6, linewidth=0)
    ax.plot([0, 1], [0, 1], [0, 1], label="$x^2$")
    ax.legend(fontsize=7)
    ax.set_title("$f(x, y)$")
    fig.canvas.draw()
    plt.close(fig)
    imageio_ffmpeg.get_ffmpeg_exe()  # locate the bundled ffmpeg (cached afterwards)


def notes_way(the_race: Race, grid: int, out: Path) -> tuple[float, int]:
    """FuncAnimation over a full plot_surface redraw per frame, saved with to_jshtml."""
    surface = the_race.surface
    (x0, x1), (y0, y1) = surface.domain
    x, y = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    z = surface.value(x, y)
    steps = race.frame_steps(the_race.steps, FRAMES)
    start = time.perf_counter()
    fig = plt.figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_subplot(projection="3d")

    def frame(i: int) -> None:
        ax.clear()
        ax.plot_surface(x, y, z, cmap="coolwarm", alpha=0.6, linewidth=0)
        for run in the_race.runs:
            rows = run.upto(int(steps[i]))
            ax.plot(run.xy[rows, 0], run.xy[rows, 1], run.z[rows],
                    color=optimizer_color(run.optimizer), label=run.label)  # fmt: skip
        ax.view_init(*surface.view)
        ax.legend(loc="upper left", fontsize=7)
        ax.set_title(surface.title)

    anim = mpl_animation.FuncAnimation(fig, frame, frames=len(steps), interval=50)
    with matplotlib.rc_context({"animation.embed_limit": 1024.0}):
        html = anim.to_jshtml()
    out.write_text(html)
    plt.close(fig)
    return time.perf_counter() - start, out.stat().st_size


def atlas_way(the_race: Race, out: Path) -> tuple[float, int]:
    """The blitting writer: static surface once, paths per frame, straight into MP4."""
    start = time.perf_counter()
    written = race.animate_race_3d(the_race, out, formats=("mp4",), max_frames=FRAMES,
                                   dpi=DPI, figsize=FIGSIZE)  # fmt: skip
    return time.perf_counter() - start, written["mp4"].stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a 200 x 200 surface for the notes' way (fast check)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    parser.add_argument("--repeat", type=int, default=1, help="time each side N times (best)")
    args = parser.parse_args(argv)
    grid = 200 if args.quick else 1000

    the_race = run_race(surfaces.get(SURFACE), OPTIMIZERS)  # protocol learning rates
    print(f"{SURFACE}: " + ", ".join(run.label for run in the_race.runs))
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        (atlas_s, atlas_b), (notes_s, notes_b) = in_turns(
            args.repeat,
            lambda: atlas_way(the_race, out / "atlas"),
            lambda: notes_way(the_race, grid, out / "notes.html"),
        )
        print(f"atlas : {atlas_s:8.2f} s  {atlas_b:>12,d} bytes  "
              f"(MP4, blitted, {GRID_3D} x {GRID_3D} grid)")
        print(f"notes : {notes_s:8.2f} s  {notes_b:>12,d} bytes  "
              f"(to_jshtml, {grid} x {grid} plot_surface per frame)")  # fmt: skip
    print(f"atlas is {notes_s / atlas_s:.1f}x faster and {notes_b / atlas_b:.1f}x smaller "
          "(targets: >= 50x faster, >= 30x smaller)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
