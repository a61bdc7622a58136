"""What moves in a race animation: paths, tails and heads, drawn in display pixels.

The camera of a race never moves, so every point of every path has ONE place on
the screen. :class:`RaceOverlay` computes it once, right after the full draw of
the static background (:class:`atlas.viz.animation.BlitAnimation`):

* contour map — clip the path to the surface's domain, map it with ``transData``;
* 3D surface — clip the path to the 3D box (domain x the z limits), project it
  with the axes' projection matrix (``ax.get_proj()``, the matrix mplot3d's own
  ``Line3D`` uses), then map it with ``transData``.

Each frame then draws three plain 2D collections in pixels, one draw call
each, whatever the number of optimizers: the thin paths so far
(:class:`~matplotlib.collections.LineCollection`), their bold recent tails
(another one), and the heads (one :class:`~matplotlib.collections.PathCollection`
of dots). Compared with 3 ``Line3D`` artists per optimizer, each projected
again in every frame, this is the same picture at a fraction of the cost.

The "step k / N" label changes in every frame too; :class:`StepCounter` has
FreeType rasterise the whole line in one call and pastes the bitmap as an
image, instead of matplotlib's general text layout (a few ms per frame); the bitmaps are
kept for the process (:func:`line_bitmap`), as every race of a surface shows the same labels.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import IdentityTransform
from mpl_toolkits.mplot3d import proj3d

from atlas.viz.clipping import ClippedPath, clip_polyline

TAIL = 6  # steps in the bold tail behind each head
PATH_WIDTH, TAIL_WIDTH = 1.3, 2.8  # points
HEAD_SIZE = 5.5  # points (marker diameter)
PATH_ALPHA, FADED_ALPHA = 0.85, 0.3  # opacity of a trail; of a run that left the plot


def _pixels(ax: Axes, clipped: ClippedPath, projected_rows: np.ndarray) -> ClippedPath:
    """``clipped`` with its rows replaced by their display coordinates."""
    pixels = ax.transData.transform(projected_rows) if len(projected_rows) else projected_rows
    return ClippedPath(pixels, clipped.ends, clipped.inside)


def contour_pixels(ax: Axes, xy: np.ndarray, domain) -> ClippedPath:
    """A 2D path (n, 2) clipped to ``domain`` and mapped to display pixels on ``ax``."""
    (x0, x1), (y0, y1) = domain
    clipped = clip_polyline(xy, (x0, y0), (x1, y1))
    return _pixels(ax, clipped, clipped.rows)


def surface_pixels(ax: Axes, xy: np.ndarray, z: np.ndarray) -> ClippedPath:
    """A 3D path clipped to the 3D axes' box and projected to display pixels.

    Call after the axes were drawn: the projection is the one of that draw.
    """
    (x0, x1), (y0, y1), (z0, z1) = ax.get_xlim(), ax.get_ylim(), ax.get_zlim()
    points = np.column_stack([xy[:, 0], xy[:, 1], z])
    clipped = clip_polyline(points, (x0, y0, z0), (x1, y1, z1))
    rows = clipped.rows
    if len(rows):
        px, py, _ = proj3d.proj_transform(rows[:, 0], rows[:, 1], rows[:, 2], ax.get_proj())
        rows = np.column_stack([px, py])
    else:
        rows = np.empty((0, 2))
    return _pixels(ax, clipped, rows)


class RaceOverlay:
    """Per run: the path so far (thin), its last :data:`TAIL` steps (bold), its head (a marker).

    ``to_pixels(i)`` gives run ``i``'s :class:`ClippedPath` in display pixels;
    it is called once, at the first frame (after the background was drawn).
    ``markers`` are the heads' marker styles (default: dots); ``trail`` caps the
    thin path at its last ``trail`` steps (None: the whole path so far), so a
    long race that circles does not fill the plot with ink.
    """

    def __init__(self, figure: Figure, colors: Sequence[str],
                 to_pixels: Callable[[int], ClippedPath], zorder: float = 6,
                 faded: Sequence[bool] | None = None, markers: Sequence[str] | None = None,
                 trail: int | None = None) -> None:  # fmt: skip
        self.colors = list(colors)
        self.to_pixels = to_pixels
        self.trail = trail
        self._pixels: list[ClippedPath] | None = None
        shapes = [MarkerStyle(m) for m in (markers or ["o"] * len(self.colors))]
        self.marker_paths = [m.get_path().transformed(m.get_transform()) for m in shapes]
        faded = [False] * len(self.colors) if faded is None else list(faded)
        # A run that left the plot or diverged keeps a faint trail, so that its
        # scribbles do not hide the others; its tail and head stay bold.
        trails = [to_rgba(c, FADED_ALPHA if f else PATH_ALPHA)
                  for c, f in zip(self.colors, faded, strict=True)]
        pixels = {"transform": IdentityTransform(), "animated": True}
        line = {"capstyle": "round", "joinstyle": "round", **pixels}
        self.paths = LineCollection([], linewidths=PATH_WIDTH, colors=trails, zorder=zorder,
                                    **line)  # fmt: skip
        self.tails = LineCollection([], linewidths=TAIL_WIDTH, colors=self.colors,
                                    zorder=zorder + 1, **line)  # fmt: skip
        self.heads = PathCollection(self.marker_paths[:1], sizes=(HEAD_SIZE**2,),
                                    offsets=np.empty((0, 2)),
                                    offset_transform=IdentityTransform(), edgecolors="white",
                                    linewidths=0.8, zorder=zorder + 2, **pixels)  # fmt: skip
        for artist in self.artists():
            figure.add_artist(artist)

    def artists(self) -> list[Artist]:
        return [self.paths, self.tails, self.heads]

    def show(self, step: int) -> None:
        """Show every run up to ``step`` (a diverged run stays at its last finite point)."""
        if self._pixels is None:
            self._pixels = [self.to_pixels(i) for i in range(len(self.colors))]
        paths, tails, heads, head_colors, head_paths = [], [], [], [], []
        for i, (pixels, color) in enumerate(zip(self._pixels, self.colors, strict=True)):
            k = min(step, len(pixels.ends) - 1)
            trail = pixels.upto(k) if self.trail is None else pixels.between(
                max(k - self.trail, 0), k)
            paths.append(trail)
            tails.append(pixels.between(max(k - TAIL, 0), k))
            if pixels.inside[k]:
                heads.append(pixels.rows[pixels.ends[k] - 1])
                head_colors.append(color)
                head_paths.append(self.marker_paths[i])
        self.paths.set_segments(paths)
        self.tails.set_segments(tails)
        self.heads.set_offsets(np.array(heads) if heads else np.empty((0, 2)))
        self.heads.set_paths(head_paths)
        self.heads.set_facecolor(head_colors)


#: The rcParams FreeType's rendering of a line reads (through ``get_font``), in the key.
FONT_SETTINGS = ("text.kerning_factor", "font.enable_last_resort", "text.hinting",
                 "text.hinting_factor")  # fmt: skip


@functools.lru_cache(maxsize=4096)
def line_bitmap(font_file: str, size: float, dpi: float, text: str,
                settings: tuple) -> tuple[np.ndarray, float]:  # fmt: skip
    """FreeType's coverage of one line of ``text`` (rows from the bottom, as ``draw_image``
    wants; read-only) and its descent in pixels, under the current rcParams, whose
    :data:`FONT_SETTINGS` are ``settings``.

    Cached for the process: a render's worker draws the same "step k / N" labels in every
    animation of a surface's races, and FreeType's layout of a line (through libraqm since
    matplotlib 3.11) took a tenth of a race frame.
    """
    font = get_font(font_file)
    font.set_size(size, dpi)
    font.set_text(text)
    font.draw_glyphs_to_bitmap(antialiased=True)
    coverage = np.array(np.asarray(font.get_image())[::-1])
    coverage.setflags(write=False)
    return coverage, font.get_descent() / 64  # 26.6 fixed point -> pixels below the baseline


class StepCounter(Artist):
    """The label "step k / N", its baseline at ``xy`` (pixels from the bottom left corner).

    Drawn as one FreeType bitmap of the whole line (the font, size and
    anti-aliasing of matplotlib's own text), pasted with ``renderer.draw_image``.
    """

    def __init__(self, steps: int, xy: tuple[float, float], fontsize: float = 9.0,
                 color: str = "#222222") -> None:  # fmt: skip
        super().__init__()
        self.steps, self.xy, self.fontsize = steps, xy, fontsize
        self.rgb = np.array([round(255 * c) for c in to_rgb(color)], dtype=np.uint8)
        self.font_file = findfont(FontProperties(size=fontsize))
        self.step = 0
        self.set_animated(True)

    def text(self) -> str:
        return f"step {self.step} / {self.steps}"

    def draw(self, renderer) -> None:
        settings = tuple(mpl.rcParams.get(key) for key in FONT_SETTINGS)
        coverage, descent = line_bitmap(self.font_file, self.fontsize, renderer.dpi,
                                        self.text(), settings)  # fmt: skip
        image = np.empty((*coverage.shape, 4), dtype=np.uint8)
        image[..., :3] = self.rgb
        image[..., 3] = coverage
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(self.xy[0]), round(self.xy[1] - descent), image)
        gc.restore()
