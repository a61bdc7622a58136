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
    _palette_image(rgb_part(array)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _palette_image(rgb: np.ndarray) -> Image.Image:
    """A palette image: exact when the picture has at most 256 colours, else quantised.

    Plots are mostly flat colours, so a palette PNG is 3-4x smaller than RGB. With more
    than 256 colours (antialiased edges, shaded surfaces) the palette is the
    :data:`KEPT_COLOURS` the picture holds plus a median-cut quantiser's choice for the
    rest, and every pixel takes its nearest palette colour, without dithering. Both
    routes are deterministic, and Pillow adds no tEXt/tIME chunks unless asked, so the
    same pixels always give the same bytes.
    """
    packed = rgb.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
    codes, index = np.unique(packed, return_inverse=True)  # sorted: a deterministic palette
    if len(codes) > 256:
        kept = np.intersect1d(codes, KEPT_COLOURS)
        rest = Image.fromarray(rgb).quantize(colors=256 - len(kept), dither=Image.Dither.NONE,
                                             method=Image.Quantize.MEDIANCUT)  # fmt: skip
        chosen = np.array(rest.getpalette()[: 3 * (256 - len(kept))], np.uint8).reshape(-1, 3)
        palette = np.concatenate([chosen, _unpack(kept)])
        index = _nearest(_unpack(codes), palette)[index]
        image = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), mode="P")
        image.putpalette(palette.tobytes())
        return image
    image = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), mode="P")
    image.putpalette(_unpack(codes).tobytes())
    return image


def _unpack(codes: np.ndarray) -> np.ndarray:
    """Packed ``0xRRGGBB`` codes as (n, 3) uint8 rows."""
    return np.stack([codes >> 16, codes >> 8, codes], axis=-1).astype(np.uint8)  # & 0xFF


def _nearest(colours: np.ndarray, palette: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The index of each colour's nearest palette entry (squared RGB distance; first on ties)."""
    palette = palette.astype(np.int32)
    found = np.empty(len(colours), dtype=np.int64)
    for i in range(0, len(colours), chunk):
        rows = colours[i : i + chunk].astype(np.int32)
        distance = ((rows[:, None, :] - palette[None, :, :]) ** 2).sum(axis=-1)
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
