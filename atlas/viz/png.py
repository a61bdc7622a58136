"""Still images: a figure drawn once and written as a deterministic, atomic PNG.

PNG output is a palette PNG when the picture has at most 256 colours (plots are
mostly flat colours: 3-4x smaller than RGB), written by Pillow without
timestamp or software chunks, so the same pixels always give the same bytes.
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
    than 256 colours (antialiased edges, shaded surfaces) a median-cut quantiser without
    dithering picks the palette; both routes are deterministic, and Pillow adds no
    tEXt/tIME chunks unless asked, so the same pixels always give the same bytes.
    """
    packed = rgb.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
    codes, index = np.unique(packed, return_inverse=True)  # sorted: a deterministic palette
    if len(codes) > 256:
        image = Image.fromarray(rgb)
        return image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                              dither=Image.Dither.NONE)
    colours = np.stack([codes >> 16, codes >> 8, codes], axis=-1).astype(np.uint8)  # & 0xFF
    image = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), mode="P")
    image.putpalette(colours.tobytes())
    return image


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
