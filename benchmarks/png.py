"""Benchmark: writing the book's PNGs (``atlas.viz.png.png_bytes``) against the old writer.

The arrays are real figures. The catalog entries named by ``--entries`` (globs; by
default a sample of every kind of still and poster: a race summary and gap plot,
basin small multiples, sensitivity curves, the activation plots and gallery, race
posters in 2-D and 3-D, every optimizer's figures, the losses) are built once, each
from its needs in ``--generated`` (default ``book/_generated``: a finished render,
only read), into a temporary directory, with animations as posters only; every
array their builds hand to ``png_bytes`` is kept.

Then two writers encode the same arrays, in turns (``_setup.in_turns``), best of
``--repeat`` rounds by CPU time (the machine is shared): the old one, kept here as it
was (Pillow's median cut over the whole picture, ``np.unique``, the nearest palette
entry per colour by broadcasting, zlib level 9 through ``optimize=True``) and
``atlas.viz.png.png_bytes``. Printed: the CPU seconds and bytes of each and their
ratios; each one's colour error against the figure's pixels (a pixel's error is its
largest channel difference, 0-255: the mean, the 99.9th percentile and the largest
over all pixels, the share of pixels changed and of those off by 32 or more); then
the new writer's palette images at zlib levels 6 to 9 (CPU seconds and bytes), the
choice behind ``atlas.viz.png.COMPRESS_LEVEL``.

Run ``python benchmarks/png.py [--repeat 3] [--generated book/_generated]
[--entries 'activation/*,race/levi/summary,...']``.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as a worker

import numpy as np
from _setup import ROOT, in_turns  # benchmarks/_setup.py
from PIL import Image

from atlas import catalog
from atlas.viz import animation, png

SAMPLE = ("race/levi/summary,race/levi/gap,basins/rastrigin/*,sensitivity/*,activation/*,"
          "race/narrow_valley/*/3d,race/narrow_valley/*/contour,race/opening/*,"
          "optimizer/*,loss/*,graph/*,learning/*")  # fmt: skip


def old_png_bytes(array: np.ndarray) -> bytes:
    """The writer before this benchmark (atlas/viz/png.py as of be74a4f), for comparison."""
    rgb = png.rgb_part(array)
    packed = rgb.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
    codes, index = np.unique(packed, return_inverse=True)
    if len(codes) > 256:
        kept = np.intersect1d(codes, png.KEPT_COLOURS)
        rest = Image.fromarray(rgb).quantize(colors=256 - len(kept), dither=Image.Dither.NONE,
                                             method=Image.Quantize.MEDIANCUT)  # fmt: skip
        chosen = np.array(rest.getpalette()[: 3 * (256 - len(kept))], np.uint8).reshape(-1, 3)
        palette = np.concatenate([chosen, png._unpack(kept)])
        index = _old_nearest(png._unpack(codes), palette)[index]
    else:
        palette = png._unpack(codes)
    image = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), mode="P")
    image.putpalette(palette.tobytes())
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _old_nearest(colours: np.ndarray, palette: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The old writer's nearest palette entry: integer distances by broadcasting."""
    palette = palette.astype(np.int32)
    found = np.empty(len(colours), dtype=np.int64)
    for i in range(0, len(colours), chunk):
        rows = colours[i : i + chunk].astype(np.int32)
        found[i : i + chunk] = ((rows[:, None, :] - palette[None, :, :]) ** 2).sum(-1).argmin(1)
    return found


def figure_arrays(patterns: list[str], generated: Path) -> list[tuple[str, np.ndarray]]:
    """``(entry name, array)`` for every array the chosen figures hand to ``png_bytes``."""
    kept: list[tuple[str, np.ndarray]] = []
    name = ""
    original = png.png_bytes

    def keep(array: np.ndarray) -> bytes:
        kept.append((name, np.array(array, copy=True)))
        return original(array)

    png.png_bytes = animation.png_bytes = keep
    try:
        with tempfile.TemporaryDirectory() as out:
            for entry in catalog.select(patterns):
                if entry.artifact or "png" not in entry.formats_for(("png",)):
                    continue
                name = entry.name
                inputs = {n: catalog.get(n).product(generated) for n in entry.needs}
                path = Path(out) / entry.name
                path.parent.mkdir(parents=True, exist_ok=True)
                entry.build(path, entry.formats_for(("png",)), inputs, **entry.params)
    finally:
        png.png_bytes = animation.png_bytes = original
    return kept


def cpu_timed(run):
    """``(CPU seconds, result)`` of one call of ``run()``."""
    start = time.process_time()
    result = run()
    return time.process_time() - start, result


def colour_error(array: np.ndarray, encoded: bytes) -> np.ndarray:
    """Each pixel's largest channel difference between ``array`` and the decoded PNG."""
    decoded = np.asarray(Image.open(io.BytesIO(encoded)).convert("RGB"), dtype=np.int16)
    return np.abs(decoded - array[..., :3].astype(np.int16)).max(axis=-1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is kept")
    parser.add_argument("--generated", type=Path, default=ROOT / "book" / "_generated",
                        help="a finished render holding the figures' needs (only read)")
    parser.add_argument("--entries", default=SAMPLE, help="comma-separated names or globs")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    arrays = figure_arrays(args.entries.split(","), args.generated)
    pixels = sum(a.shape[0] * a.shape[1] for _, a in arrays)
    many = sum(len(np.unique(png._packed(a))) > 256 for _, a in arrays)
    print(f"{len(arrays)} arrays from {len({n for n, _ in arrays})} entries "
          f"({pixels / 1e6:.0f} Mpixel, {many} of them with > 256 colours), "
          f"drawn in {time.perf_counter() - start:.0f} s")

    writers = {"old": old_png_bytes, "new": png.png_bytes}
    results = in_turns(args.repeat, *(
        (lambda w=w: cpu_timed(lambda: [w(a) for _, a in arrays])) for w in writers.values()))
    print(f"\nCPU seconds to encode them all, best of {args.repeat} (in turns), bytes, and the "
          "error per pixel (its largest channel difference, 0-255):")
    (old_cpu, old_files), (new_cpu, new_files) = results
    for label, (cpu, files) in zip(writers, results, strict=True):
        error = np.concatenate([colour_error(a, f).ravel()
                                for (_, a), f in zip(arrays, files, strict=True)])  # fmt: skip
        print(f"  {label}: {cpu:6.2f} s CPU, {sum(map(len, files)) / 1e6:7.3f} MB; error mean "
              f"{error.mean():.3f}, 99.9th percentile {np.quantile(error, 0.999):.0f}, max "
              f"{error.max()}; pixels changed {np.mean(error > 0):.2%}, off by >= 32 "
              f"{np.mean(error >= 32):.4%}")
    print(f"  new / old: {new_cpu / old_cpu:.2f} of the time ({old_cpu / new_cpu:.1f}x faster), "
          f"{sum(map(len, new_files)) / sum(map(len, old_files)) - 1:+.1%} bytes")
    assert [png.png_bytes(a) for _, a in arrays] == new_files  # deterministic

    images = [png._palette_image(a) for _, a in arrays]

    def level(n: int):
        def run():
            return cpu_timed(lambda: sum(len(_saved(image, n)) for image in images))
        return run

    levels = (9, 8, 7, 6)
    timings = in_turns(args.repeat, *(level(n) for n in levels))
    print(f"\nzlib level of the new palette images (CPU seconds of Pillow's save, best of "
          f"{args.repeat}, and bytes; against level 9):")
    (nine_cpu, nine_bytes) = timings[0]
    for n, (cpu, size) in zip(levels, timings, strict=True):
        chosen = "  <- COMPRESS_LEVEL" if n == png.COMPRESS_LEVEL else ""
        print(f"  level {n}: {cpu:6.2f} s ({cpu / nine_cpu:4.2f}), {size / 1e6:7.3f} MB "
              f"({size / nine_bytes - 1:+.1%}){chosen}")
    return 0


def _saved(image: Image.Image, level: int) -> bytes:
    """``image`` as PNG bytes at zlib level ``level``."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
