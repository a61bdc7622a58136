"""Tests of atlas.data.transforms: one-pixel shifts and deskewing by image moments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from atlas import data
from atlas.data.transforms import deskew, shifted, skew

SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-small"


def slanted_bar(slope: float, size: int = 28, width: float = 1.5) -> np.ndarray:
    """A uint8 image of a bar through the centre whose column moves by ``slope`` per row."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    centre = (size - 1) / 2
    distance = np.abs(x - (centre + slope * (y - centre)))  # horizontal distance to the axis
    bar = np.clip(width - distance, 0, 1) * (np.abs(y - centre) <= 9)
    return np.rint(255 * bar).astype(np.uint8)


def moments(image: np.ndarray) -> tuple[float, float, float, float]:
    """(mu_x, mu_y, cov(x, y), var(y)) of one image, written out independently of the module."""
    I = image.astype(np.float64)  # noqa: E741 (I as in the formula)
    y, x = np.mgrid[0 : I.shape[0], 0 : I.shape[1]]
    m = I.sum()
    mu_x, mu_y = (x * I).sum() / m, (y * I).sum() / m
    return mu_x, mu_y, ((x - mu_x) * (y - mu_y) * I).sum() / m, ((y - mu_y) ** 2 * I).sum() / m


def deskew_pixel_by_pixel(image: np.ndarray) -> np.ndarray:
    """The formula I'(y, x) = I(y, x + alpha (y - mu_y)), one pixel at a time, zero outside."""
    _, mu_y, cov, var_y = moments(image)
    alpha = cov / var_y
    h, w = image.shape
    out = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            source = x + alpha * (y - mu_y)
            x0 = int(np.floor(source))
            t = source - x0
            for column, weight in ((x0, 1 - t), (x0 + 1, t)):
                if 0 <= column < w:
                    out[y, x] += weight * image[y, column]
    return out


@pytest.mark.parametrize("slope", [-0.4, -0.2, 0.25, 0.5])
def test_a_slanted_bar_becomes_upright(slope):
    image = slanted_bar(slope)
    assert abs(skew(image[None])[0] - slope) < 0.02  # the moments measure the slant
    upright = deskew(image[None])[0]
    cov = moments(upright)[2]
    cov_before = moments(image)[2]
    assert abs(cov) < 0.02 * abs(cov_before)
    assert abs(skew(upright[None])[0]) < 0.01
    # Every row of the straightened bar is centred on the same column (the bar's axis, which
    # goes through the centre of mass), as in the vertical bar; linear interpolation only
    # blurs the bar's edges.
    vertical = slanted_bar(0.0)
    lit = vertical.any(axis=1)
    np.testing.assert_array_equal(upright.any(axis=1), lit)
    columns = np.arange(28)
    row_centres = (upright[lit] * columns).sum(axis=1) / upright[lit].sum(axis=1)
    np.testing.assert_allclose(row_centres, 13.5, atol=0.05)


def test_the_centre_of_mass_stays_put():
    image = slanted_bar(0.3)
    before, after = moments(image), moments(deskew(image[None])[0])
    np.testing.assert_allclose(before[:2], after[:2], atol=0.05)


def test_an_upright_symmetric_image_is_unchanged():
    image = np.zeros((28, 28), np.uint8)
    image[6:22, 12:16] = 200  # a vertical bar
    image[13:15, 8:20] = 120  # and a horizontal one: a plus, symmetric in x and in y
    assert skew(image[None])[0] == 0
    np.testing.assert_array_equal(deskew(image[None])[0], image)


def test_blank_and_single_row_images_come_back_unchanged():
    blank = np.zeros((2, 28, 28), np.uint8)
    line = blank.copy()
    line[1, 10, 3:20] = 255  # var(y) = 0: no slant to measure
    for images in (blank, line):
        with np.errstate(all="raise"):
            np.testing.assert_array_equal(deskew(images), images)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_dtype_and_shape_are_kept(dtype):
    images = np.stack([slanted_bar(0.3), slanted_bar(-0.2), slanted_bar(0.0)])[:, :20, :24]
    if dtype != np.uint8:
        images = (images / 255).astype(dtype)
    out = deskew(images)
    assert out.dtype == dtype and out.shape == images.shape == (3, 20, 24)
    if dtype != np.uint8:
        assert out.min() >= 0 and out.max() <= 1  # an interpolation stays inside the range


def test_deskew_is_the_formula_pixel_by_pixel():
    # Steep slants move ink across the border: what falls off is lost, nothing comes in.
    rng = np.random.default_rng(1)
    images = np.stack([slanted_bar(0.8), slanted_bar(-1.1), slanted_bar(0.45, width=3)])
    images = images.astype(np.float64) + 255 * (rng.random(images.shape) < 0.05)
    images[:, :, 0] += 200  # ink in the first column too
    images = np.minimum(images, 255)  # so that images.astype(np.uint8) is the same images
    expected = np.stack([deskew_pixel_by_pixel(image) for image in images])
    np.testing.assert_allclose(deskew(images), expected, atol=1e-9)
    np.testing.assert_array_equal(deskew(images.astype(np.uint8)),
                                  np.clip(np.rint(expected), 0, 255).astype(np.uint8))


def test_a_batch_is_the_images_one_by_one_and_is_deterministic():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8) * (rng.random((6, 28, 28)) < 0.2)
    images = images.astype(np.uint8)
    batch = deskew(images)
    np.testing.assert_array_equal(batch, deskew(images))
    for image, out in zip(images, batch, strict=True):
        np.testing.assert_array_equal(deskew(image[None])[0], out)
    assert deskew(images[:0]).shape == (0, 28, 28)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((28, 28), np.uint8), r"shape \(28, 28\)"),
        (np.zeros((1, 1, 28, 28), np.uint8), r"shape \(1, 1, 28, 28\)"),
        (np.zeros((2, 28, 28), np.int64), "dtype int64"),
        (np.zeros((2, 28, 28), bool), "dtype bool"),
        (np.full((2, 28, 28), np.nan), "finite"),
        (-np.ones((2, 28, 28)), "non-negative"),
    ],
)
def test_bad_input_raises_value_error(images, message):
    with pytest.raises(ValueError, match=message):
        deskew(images)
    with pytest.raises(ValueError, match=message):
        shifted(images, 1, 0)


def test_shifted_moves_and_zero_fills():
    images = np.arange(2 * 4 * 5, dtype=np.uint8).reshape(2, 4, 5)
    down_right = shifted(images, 1, 2)
    np.testing.assert_array_equal(down_right[:, 1:, 2:], images[:, :-1, :-2])
    assert not down_right[:, 0, :].any() and not down_right[:, :, :2].any()
    up_left = shifted(images, -1, -1)
    np.testing.assert_array_equal(up_left[:, :-1, :-1], images[:, 1:, 1:])
    np.testing.assert_array_equal(shifted(images, 0, 0), images)


@pytest.mark.skipif(not SMALL.is_dir(), reason="shared/data/mnist-small is not available")
def test_real_digits_lose_their_slant():
    x = data.load(str(SMALL)).x_train[:500]
    out = deskew(x)
    assert np.abs(skew(out)).max() < 0.02 < np.abs(skew(x)).mean()
    # Ink is moved, not created or lost (up to rounding and the odd pixel sheared off).
    np.testing.assert_allclose(out.sum(axis=(1, 2)), x.sum(axis=(1, 2), dtype=np.int64),
                               rtol=0.02)
