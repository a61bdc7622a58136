r"""Geometric image transforms for digit images: one-pixel shifts and deskewing.

Both act on a batch ``(n, rows, cols)`` at once and are deterministic (no randomness).

*Deskewing* (LeCun et al., 1998) straightens a slanted digit. Treat the pixel values
:math:`I(y, x)` (row :math:`y`, column :math:`x`) as a mass distribution; its centre of
mass and second-order central moments are

.. math::

    \mu_y = \frac{\sum_{y,x} y\, I(y,x)}{\sum_{y,x} I(y,x)}, \qquad
    \operatorname{var}(y) = \frac{\sum (y - \mu_y)^2 I}{\sum I}, \qquad
    \operatorname{cov}(x, y) = \frac{\sum (x - \mu_x)(y - \mu_y)\, I}{\sum I},

(:math:`\mu_x` likewise), and the slant is the slope
:math:`\alpha = \operatorname{cov}(x, y) / \operatorname{var}(y)` of the column on the row.
The shear about the centre of mass

.. math::

    I'(y, x) = I\bigl(y,\; x + \alpha\,(y - \mu_y)\bigr)

has :math:`\operatorname{cov}'(x, y) = \operatorname{cov}(x, y) - \alpha
\operatorname{var}(y) = 0` and keeps the centre of mass where it was. The shear moves each
row sideways by a constant, so bilinear interpolation only interpolates along the row.
"""

from __future__ import annotations

import numpy as np


def _check_images(images: np.ndarray) -> np.ndarray:
    """``images`` as an array, or a ``ValueError`` naming the bad shape or dtype."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be a batch of shape (n, rows, cols), got shape "
                         f"{images.shape}")
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images must be uint8 or floating point, got dtype {images.dtype}")
    if np.issubdtype(images.dtype, np.floating) and images.size:
        if not np.all(np.isfinite(images)):
            raise ValueError("images must be finite (found nan or inf)")
        if images.min() < 0:
            raise ValueError(f"images must be non-negative (a mass), got min {images.min()}")
    return images


def shifted(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``images`` (n, h, w) moved by ``rows`` down and ``cols`` right, zero-filled."""
    images = _check_images(images)
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(rows, 0) : h + min(rows, 0), max(cols, 0) : w + min(cols, 0)] = images[
        :, max(-rows, 0) : h - max(rows, 0), max(-cols, 0) : w - max(cols, 0)]
    return out


def skew(images: np.ndarray) -> np.ndarray:
    r"""The slant :math:`\alpha = \operatorname{cov}(x, y) / \operatorname{var}(y)` of each
    image, shape ``(n,)``; 0 for a blank image or one with a single lit row."""
    pixels = _check_images(images).astype(np.float64)
    alpha, _ = _skew_and_centre_row(pixels)
    return alpha


def _skew_and_centre_row(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""(:math:`\alpha`, :math:`\mu_y`) per image of the float batch ``pixels`` (:math:`I`)."""
    _, h, w = pixels.shape
    y, x = np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64)
    mass = pixels.sum(axis=(1, 2))
    mass = np.where(mass > 0, mass, 1.0)  # a blank image: every moment below is 0
    p_y = pixels.sum(axis=2) / mass[:, None]  # marginal distribution of the row, (n, h)
    p_x = pixels.sum(axis=1) / mass[:, None]  # ... and of the column, (n, w)
    mu_y, mu_x = p_y @ y, p_x @ x
    dy = y[None, :] - mu_y[:, None]  # y - mu_y, (n, h)
    dx = x[None, :] - mu_x[:, None]  # x - mu_x, (n, w)
    var_y = np.sum(p_y * dy**2, axis=1)
    cov_xy = np.einsum("nyx,ny,nx->n", pixels, dy, dx) / mass
    alpha = np.divide(cov_xy, var_y, out=np.zeros_like(cov_xy), where=var_y > 1e-12)
    return alpha, mu_y


def deskew(images: np.ndarray) -> np.ndarray:
    r"""Each image of ``images`` (n, rows, cols) sheared upright about its centre of mass.

    :math:`I'(y, x) = I(y, x + \alpha (y - \mu_y))` with linear interpolation between the two
    neighbouring columns, zero outside the image. Returns the same shape and dtype (``uint8``
    rounded and clipped to [0, 255]); a blank image comes back unchanged.
    """
    images = _check_images(images)
    pixels = images.astype(np.float64)
    _, h, w = pixels.shape
    alpha, mu_y = _skew_and_centre_row(pixels)
    # Row y reads column x + s: a constant shift s = alpha (y - mu_y) per row, (n, h).
    s = alpha[:, None] * (np.arange(h)[None, :] - mu_y[:, None])
    s_floor = np.floor(s)
    t = (s - s_floor)[:, :, None]  # interpolation weight of the right neighbour
    # Source columns x + floor(s) and the one after; a zero column on each side of the image,
    # and indices clipped onto it, give zero outside the image.
    padded = np.pad(pixels, ((0, 0), (0, 0), (1, 1)))
    left = np.arange(w)[None, None, :] + s_floor.astype(np.int64)[:, :, None] + 1
    right = np.clip(left + 1, 0, w + 1)
    left = np.clip(left, 0, w + 1)
    out = ((1 - t) * np.take_along_axis(padded, left, axis=2)
           + t * np.take_along_axis(padded, right, axis=2))
    if images.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(images.dtype)
