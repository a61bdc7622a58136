"""Blitted animations written straight from the canvas to MP4, PNG and GIF.

A figure is drawn ONCE in full: its static part (surface, contours, axes,
legend, title) is rasterised by ``canvas.draw()`` and kept as a pixel copy
(``copy_from_bbox``). Each frame then only

1. restores that copy (``restore_region``),
2. updates the moving artists (``update(frame)``, the caller's function),
3. draws just those artists over it (``draw_artist``), and
4. hands the canvas's RGBA buffer to every writer, with no PNG round trip.

The moving artists must be created with ``animated=True`` so the full draw
leaves them out. This works on 3D axes too: with a fixed camera, the
projection matrix of the full draw stays valid and mplot3d's ``Line3D``
projects itself in ``draw``.

Writers are kept in a small registry, in the spirit of matplotlib's
``animation.writers``: ``mp4`` (H.264, yuv420p, ``+faststart``, through
imageio-ffmpeg's bundled ffmpeg), ``png`` (the poster: the last frame) and
``gif`` (an optional fallback). Every file is written under a temporary name
in its own directory (:func:`atlas.cache.temporary_path`) and renamed into
place (:func:`atlas.workers.replace`: an orphaned worker publishes nothing)
only when all of them are complete; on any exception, ``KeyboardInterrupt``
included, the temporary files are deleted. So a target file is either the
previous complete version or the new complete version, never half written.

The poster is a deterministic PNG (:mod:`atlas.viz.png`: the same pixels give
the same bytes); MP4 output is made as reproducible as
ffmpeg allows (bitexact flags, no metadata, one encoder thread).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import imageio_ffmpeg
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from PIL import Image

from atlas.cache import temporary_path
from atlas.registry import Registry
from atlas.viz.png import png_bytes, rgb_part
from atlas.workers import replace

#: Formats :func:`render_animation` knows, in the order files are written.
FORMATS = ("mp4", "png", "gif")

#: ffmpeg output options: H.264 in yuv420p (plays in every browser), the index
#: at the front (``+faststart``: playback starts before the download ends),
#: and everything that makes the bytes reproducible.
MP4_OUTPUT_PARAMS = (
    "-crf", "26",  # plots are flat colour and thin lines: 26 keeps them crisp at half the bytes
    "-preset", "veryfast",  # x264's own settings: "-tune animation" made races 5 % larger here
    "-movflags", "+faststart",
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
    "-map_metadata", "-1",
    "-threads", "1",
)  # fmt: skip

#: ffmpeg input options. The frame rate is given (``-r``), so ffmpeg need not measure
#: it from the first frames: measuring, it warned "not enough frames to estimate rate"
#: on the terminal for a short, slow animation of large frames (learning/descent).
MP4_INPUT_PARAMS = ("-fpsprobesize", "0")


# ----------------------------------------------------------------- writers


class FrameWriter:
    """Receives RGBA frames one by one and writes one file to a temporary path.

    ``finish()`` completes the temporary file; ``abort()`` discards it. The
    caller renames ``tmp`` to the final path when every writer has finished.
    """

    description: ClassVar[str] = ""
    suffix: ClassVar[str] = ""

    def __init__(self, tmp: Path, size: tuple[int, int], fps: float) -> None:
        self.tmp, self.size, self.fps = tmp, size, fps

    def append(self, frame: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class _AbortError(Exception):
    """Thrown into imageio-ffmpeg's generator: it closes ffmpeg's input and waits for it.

    An ``Exception``, not a ``BaseException``: for those imageio-ffmpeg kills ffmpeg
    and never waits for it, which leaves a zombie process and a "subprocess is still
    running" ResourceWarning. ffmpeg ends within the time it takes to encode the
    frames it already has.
    """


class Mp4Writer(FrameWriter):
    """H.264 / yuv420p MP4 through imageio-ffmpeg's bundled ffmpeg."""

    description = "H.264 MP4 (yuv420p, faststart) through imageio-ffmpeg"
    suffix = ".mp4"

    def __init__(self, tmp: Path, size: tuple[int, int], fps: float) -> None:
        super().__init__(tmp, size, fps)
        width, height = size
        if width % 2 or height % 2:
            raise ValueError(f"yuv420p needs an even frame size, got {width} x {height}")
        self._frames = imageio_ffmpeg.write_frames(
            str(tmp),
            (width, height),
            pix_fmt_in="rgba",
            pix_fmt_out="yuv420p",
            fps=fps,
            quality=None,
            codec="libx264",
            macro_block_size=2,
            input_params=list(MP4_INPUT_PARAMS),
            output_params=list(MP4_OUTPUT_PARAMS),
        )
        self._frames.send(None)

    def append(self, frame: np.ndarray) -> None:
        self._frames.send(frame)  # the canvas buffer itself: C-contiguous RGBA bytes

    def finish(self) -> None:
        self._frames.close()  # ffmpeg flushes and exits
        if not self.tmp.exists() or self.tmp.stat().st_size == 0:
            raise OSError(f"ffmpeg did not write {self.tmp}")

    def abort(self) -> None:
        with contextlib.suppress(_AbortError, StopIteration, OSError):
            self._frames.throw(_AbortError())  # imageio-ffmpeg ends and reaps the process
        super().abort()


class PosterWriter(FrameWriter):
    """The poster: a PNG of the last frame."""

    description = "poster PNG (the last frame), deterministic bytes"
    suffix = ".png"

    def __init__(self, tmp: Path, size: tuple[int, int], fps: float) -> None:
        super().__init__(tmp, size, fps)
        self._last: np.ndarray | None = None

    def append(self, frame: np.ndarray) -> None:
        self._last = np.array(frame, copy=True)  # the canvas buffer is reused by the next frame

    def finish(self) -> None:
        if self._last is None:
            raise ValueError("an animation needs at least one frame")
        self.tmp.write_bytes(png_bytes(self._last))


class GifWriter(FrameWriter):
    """Animated GIF (Pillow), the optional fallback format; loops forever."""

    description = "animated GIF through Pillow (fallback format)"
    suffix = ".gif"

    def __init__(self, tmp: Path, size: tuple[int, int], fps: float) -> None:
        super().__init__(tmp, size, fps)
        self._frames: list[Image.Image] = []

    def append(self, frame: np.ndarray) -> None:
        self._frames.append(Image.fromarray(rgb_part(frame)).quantize(colors=255))

    def finish(self) -> None:
        if not self._frames:
            raise ValueError("an animation needs at least one frame")
        first, *rest = self._frames
        duration_ms = round(1000 / self.fps)
        first.save(self.tmp, format="GIF", save_all=True, append_images=rest,
                   duration=duration_ms, loop=0, optimize=False)  # fmt: skip


writers: Registry[type[FrameWriter]] = Registry("animation writer")
writers.register("mp4", Mp4Writer)
writers.register("png", PosterWriter)
writers.register("gif", GifWriter)


# ----------------------------------------------------------------- blitting


class BlitAnimation:
    """A figure whose ``animated`` artists are redrawn over a cached background.

    ``update(i)`` moves the artists for frame ``i``; :meth:`frame` returns the
    canvas's RGBA buffer for it (a view, valid until the next frame).
    """

    def __init__(
        self,
        figure: Figure,
        animated_artists: Sequence[Artist],
        update: Callable[[int], object],
    ) -> None:
        self.figure = figure
        self.artists = list(animated_artists)
        self.update = update
        for artist in self.artists:
            artist.set_animated(True)
        canvas = figure.canvas
        canvas.draw()  # the static part, rasterised once
        self.background = canvas.copy_from_bbox(figure.bbox)

    def frame(self, index: int) -> np.ndarray:
        """Restore the background, update and draw the moving artists; the RGBA pixels."""
        canvas = self.figure.canvas
        canvas.restore_region(self.background)
        self.update(index)
        for artist in self.artists:
            if not artist.get_visible():
                continue
            if artist.axes is not None:
                artist.axes.draw_artist(artist)
            else:
                self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())

    def frames(self, n_frames: int) -> Iterable[np.ndarray]:
        for index in range(n_frames):
            yield self.frame(index)


def output_paths(path: str | os.PathLike, formats: Iterable[str]) -> dict[str, Path]:
    """``{format: path.<format>}``; a suffix already on ``path`` that names a format is dropped."""
    path = Path(path)
    if path.suffix.lstrip(".") in FORMATS:
        path = path.with_suffix("")
    chosen: dict[str, Path] = {}
    for fmt in formats:
        writer = writers.get(fmt)  # UnknownNameError for a format nobody writes
        chosen[fmt] = path.with_name(path.name + writer.suffix)
    if not chosen:
        raise ValueError("formats must name at least one of " + ", ".join(writers.names()))
    return chosen


def render_animation(
    figure: Figure,
    animated_artists: Sequence[Artist],
    update: Callable[[int], object],
    n_frames: int,
    path: str | os.PathLike,
    fps: float = 20.0,
    formats: Iterable[str] = ("mp4", "png"),
) -> dict[str, Path]:
    """Blit ``n_frames`` frames once and write them in every format, atomically.

    Writes ``path.mp4`` (H.264), ``path.png`` (poster = last frame) and, if
    asked, ``path.gif``; returns ``{format: final path}``. Nothing is renamed
    into place unless every file is complete; on any exception (or
    ``KeyboardInterrupt``) the temporary files are removed and it re-raises.
    """
    if not isinstance(n_frames, int) or n_frames < 1:
        raise ValueError(f"n_frames must be a positive int, got {n_frames!r}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    targets = output_paths(path, formats)
    width, height = figure.canvas.get_width_height()
    open_writers: list[tuple[FrameWriter, Path]] = []
    try:
        # Writers first: ffmpeg starts up while the background is drawn.
        for fmt, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            writer = writers.get(fmt)(temporary_path(target), (int(width), int(height)), fps)
            open_writers.append((writer, target))
        animation = BlitAnimation(figure, animated_artists, update)
        for frame in animation.frames(n_frames):
            for writer, _ in open_writers:
                writer.append(frame)
        for writer, _ in open_writers:
            writer.finish()
        for writer, target in open_writers:
            replace(writer.tmp, target)
    except BaseException:
        for writer, _ in open_writers:
            writer.abort()
        raise
    return targets
