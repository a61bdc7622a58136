"""Still images: a figure drawn once and written as a deterministic, atomic PNG.

PNG output is a palette PNG when the picture has at most 256 colours (plots are
mostly flat colours: 3-4x smaller than RGB), written by Pillow without
timestamp or software chunks, so the same pixels always give the same bytes.
With more colours the picture is quantised, but the book's categorical colours
(:data:`KEPT_COLOURS`: every optimizer's, the basin classes', the colour cycle's,
the background and the text)
keep their exact values: a legend's small swatch must not turn into a neighbour's hue.
Files are written under a temporary name and renamed into place
(:func:`atlas.cache.write_atomic`).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from atlas.cache import write_atomic
from atlas.viz import style


def _code(colour: str) -> int:
    """A ``#RRGGBB`` colour as the packed integer ``0xRRGGBB``."""
    return int(colour.lstrip("#")[:6], 16)


#: Colours a quantised PNG keeps exactly (as packed 0xRRGGBB codes, sorted).
KEPT_COLOURS: np.ndarray = np.unique(np.array([_code(c) for c in (
    *style.OPTIMIZER_COLORS.values(), *style.FALLBACK_COLORS, *style.BASIN_COLORS,
    style.NO_MINIMUM_COLOR, style.FAILURE_COLOR, *style.CYCLE, style.BACKGROUND,
    style.FOREGROUND, style.CONTOUR_COLOR, style.MINIMUM_COLOR)], dtype=np.uint32))  # fmt: skip

#: zlib level of the PNG data. On the book's figures (``benchmarks/png.py``) level 9
#: takes 2.2x level 8's time for 1.5 % fewer bytes; level 7 half its time for 3.3 % more.
COMPRESS_LEVEL = 8

#: Pixels a median cut sees at most (:func:`_median_cut`), and the rounds of
#: :func:`_refined` after it: on the book's figures, against 2**16 pixels and one
#: round, under a quarter as many pixels off by 32 or more for 0.6 % more bytes
#: (``benchmarks/png.py``).
CUT_PIXELS = 1 << 13
REFINE_ROUNDS = 2


def rgb_part(frame: np.ndarray) -> np.ndarray:
    """The RGB part of an RGBA frame (figures are opaque, so alpha is 255)."""
    frame = np.asarray(frame)
    return np.ascontiguousarray(frame[..., :3]) if frame.shape[-1] == 4 else frame


def png_bytes(array: np.ndarray) -> bytes:
    """Encode an (H, W, 3|4) uint8 array as a palette PNG: same pixels, same bytes."""
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(
            f"expected an (H, W, 3) or (H, W, 4) uint8 array, got {array.dtype} {array.shape}"
        )
    buffer = io.BytesIO()
    _palette_image(array).save(buffer, format="PNG", compress_level=COMPRESS_LEVEL)
    return buffer.getvalue()


def _palette_image(array: np.ndarray) -> Image.Image:
    """A palette image of an (H, W, 3|4) array: exact with at most 256 colours, else quantised.

    Plots are mostly flat colours, so a palette PNG is 3-4x smaller than RGB. With at
    most 256 colours the palette is the picture's colours, sorted. With more
    (antialiased edges, shaded surfaces) it is a median cut's choice for the pixels
    whose colour is not one of the :data:`KEPT_COLOURS` (those need no entry of
    their own from it, so the cut spends its entries on the blends), refined
    (:func:`_refined`), then the kept colours the picture holds; every colour takes
    its nearest palette entry, without dithering. Both routes are deterministic, and
    Pillow adds no tEXt/tIME chunks unless asked, so the same pixels always give the
    same bytes.
    """
    codes, index = _colour_index(_packed(array))
    palette = _unpack(codes)
    if len(codes) > 256:
        kept = np.isin(codes, KEPT_COLOURS)
        counts = np.bincount(index, minlength=len(codes))[~kept]
        others, held = palette[~kept], palette[kept]
        chosen = _median_cut(others, counts, 256 - len(held))
        palette, nearest = _refined(chosen, held, others, counts)
        entry = np.empty(len(codes), np.uint8)  # each colour's palette entry
        entry[kept] = len(chosen) + np.arange(len(held))
        entry[~kept] = nearest
        index = np.take(entry, index)
    image = Image.fromarray(index.reshape(array.shape[:2]).astype(np.uint8, copy=False), mode="P")
    image.putpalette(palette.tobytes())
    return image


def _packed(array: np.ndarray) -> np.ndarray:
    """Each pixel's colour as the packed code ``0xRRGGBB``, (H * W,) uint32."""
    if array.shape[2] == 4 and array.flags.c_contiguous and sys.byteorder == "little":
        words = array.reshape(-1, 4).view(np.uint32).ravel()  # R | G << 8 | B << 16 | A << 24
        return (words & 0xFF) << 16 | (words & 0xFF00) | (words >> 16 & 0xFF)
    pixels = array.reshape(-1, array.shape[2])
    return (pixels[:, 0].astype(np.uint32) << 16 | pixels[:, 1].astype(np.uint32) << 8
            | pixels[:, 2])  # fmt: skip


def _colour_index(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes, sorted, and each pixel's index among them.

    What ``np.unique(packed, return_inverse=True)`` gives, through a table of all
    2**24 colours instead of a sort: linear in the pixels.
    """
    seen = np.zeros(1 << 24, np.bool_)
    seen[packed] = True
    codes = np.flatnonzero(seen).astype(np.uint32)
    table = np.empty(1 << 24, np.min_scalar_type(len(codes) - 1))  # read only at seen codes
    table[codes] = np.arange(len(codes))
    return codes, np.take(table, packed)


def _median_cut(colours: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    """At most ``size`` colours for the pixels of ``colours`` (``counts`` of each), (n, 3).

    Pillow's median cut over one row of pixels in the order of ``colours``: what the
    cut sees is the colours and their counts alone. Counts over :data:`CUT_PIXELS` in
    all are scaled down to that, rounded up, so every colour keeps a weight: the cut
    is faster and gives the rare blends (a text's edges) a little more of the palette.
    """
    total = int(counts.sum())
    if total > CUT_PIXELS:
        counts = -(-counts * CUT_PIXELS // total)
    pixels = np.repeat(colours, counts, axis=0)[None]
    cut = Image.fromarray(pixels).quantize(colors=size, dither=Image.Dither.NONE,
                                           method=Image.Quantize.MEDIANCUT)  # fmt: skip
    return np.array(cut.getpalette()[: 3 * size], np.uint8).reshape(-1, 3)


def _refined(chosen: np.ndarray, held: np.ndarray, colours: np.ndarray, counts: np.ndarray,
             rounds: int = REFINE_ROUNDS) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The palette ``chosen`` then ``held``, and each colour's nearest entry in it.

    Each round moves every chosen entry to the mean of the colours (weighted by
    ``counts``) that take it, a step of Lloyd's k-means with the ``held`` entries
    fixed: a median cut's entry is its box's mean, which can lie far from a colour
    that covers many pixels; the rounds bring the mean and the rare large errors down
    (``benchmarks/png.py``).
    """
    palette = np.concatenate([chosen, held])
    for _ in range(rounds):
        nearest = _nearest(colours, palette)
        mine = nearest < len(chosen)
        entry, weight = nearest[mine], counts[mine].astype(np.float64)
        total = np.bincount(entry, weights=weight, minlength=len(chosen))
        sums = np.stack([np.bincount(entry, weight * colours[mine, c], len(chosen))
                         for c in range(3)], axis=-1)  # fmt: skip
        used = total > 0
        palette[: len(chosen)][used] = np.rint(sums[used] / total[used, None])
    return palette, _nearest(colours, palette)


def _unpack(codes: np.ndarray) -> np.ndarray:
    """Packed ``0xRRGGBB`` codes as (n, 3) uint8 rows."""
    return np.stack([codes >> 16, codes >> 8, codes], axis=-1).astype(np.uint8)  # & 0xFF


def _nearest(colours: np.ndarray, palette: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """The index of each colour's nearest palette entry (squared RGB distance; first on ties).

    The squared distance less the colour's own square, ``|p|^2 - 2 c.p``, from one
    float32 matrix product per chunk: every term is an integer below 2**24, so
    exact, and the argmin is the full distance's.
    """
    entries = palette.astype(np.float32)
    squares = (entries * entries).sum(axis=1)
    scaled = -2 * entries.T
    found = np.empty(len(colours), dtype=np.intp)
    for i in range(0, len(colours), chunk):
        distance = colours[i : i + chunk].astype(np.float32) @ scaled
        distance += squares
        found[i : i + chunk] = distance.argmin(axis=1)
    return found


def write_png(array: np.ndarray, path: str | os.PathLike) -> Path:
    """Write an RGB(A) uint8 array as a deterministic PNG, atomically."""
    return write_atomic(path, png_bytes(array))


def figure_rgba(figure: Figure) -> np.ndarray:
    """Draw ``figure`` in full and return a copy of its RGBA pixels, (H, W, 4)."""
    figure.canvas.draw()
    return np.array(figure.canvas.buffer_rgba(), copy=True)


def save_figure(figure: Figure, path: str | os.PathLike) -> Path:
    """Draw a static figure and write it as a deterministic PNG, atomically."""
    return write_png(figure_rgba(figure), path)
