"""The book's categorical colours: distinguishable together, for every reader, on white.

Every set of colours shown together in one axes (each group of optimizers, the
opening four, a basin map's classes, the plain colour cycle) differs pairwise
by at least 10 CIEDE2000 in normal vision and in simulated deuteranopia,
protanopia and tritanopia; each colour differs as much from the white background.
"""

from __future__ import annotations

import itertools

import imageio.v3 as iio
import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from atlas import optimizers
from atlas.races import groups
from atlas.viz import style
from atlas.viz.colour_difference import (
    MIN_DELTA_E,
    VISIONS,
    background_differences,
    ciede2000,
    least_difference,
    pair_differences,
)
from atlas.viz.png import png_bytes

# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", Table 1 (a selection):
# (L1, a1, b1), (L2, a2, b2), delta E 2000 to 4 decimals.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


def test_ciede2000_matches_sharmas_published_values():
    lab1, lab2, expected = (np.array(column) for column in zip(*SHARMA, strict=True))
    np.testing.assert_allclose(ciede2000(lab1, lab2), expected, atol=5e-5)
    np.testing.assert_allclose(ciede2000(lab2, lab1), expected, atol=5e-5)  # symmetric
    assert ciede2000(lab1[0], lab1[0]) == 0.0


def test_simulated_colour_blindness_confuses_a_red_and_a_green():
    # Equal-lightness vermillion and olive: far apart to most readers, one colour to a
    # deuteranope; so the simulation really is applied (and at full severity).
    d = pair_differences(["#CC4400", "#668800"])
    assert d["normal"][0, 1] > 40 and d["tritanomaly"][0, 1] > 40
    assert d["deuteranomaly"][0, 1] < 3
    assert set(d) == set(VISIONS)


def assert_distinguishable(colours: list[str], what: str) -> None:
    delta, vision, i, j = least_difference(colours)
    assert delta >= MIN_DELTA_E, (
        f"{what}: {colours[i]} and {colours[j]} differ by only {delta:.1f} in {vision} vision")


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_has_its_own_colour_and_marker(name):
    assert name in style.OPTIMIZER_COLORS, f"run tools/palette.py: {name} has no colour"
    assert style.optimizer_color(name) == style.OPTIMIZER_COLORS[name]
    assert style.OPTIMIZER_MARKERS[name] in style.MARKERS
    to_rgb(style.OPTIMIZER_COLORS[name])


def test_optimizer_colours_are_all_distinct_even_across_groups():
    colours = [style.optimizer_color(name) for name in optimizers.names()]
    assert len({c.lower() for c in colours}) == len(colours)
    normal = pair_differences(colours)["normal"] + np.diag(np.full(len(colours), np.inf))
    assert normal.min() >= 8.0  # as chosen: no two optimizers look alike anywhere


@pytest.mark.parametrize("group", groups.groups(), ids=lambda g: g.name)
def test_each_group_is_distinguishable_in_every_vision(group):
    colours = [style.optimizer_color(name) for name in group.members]
    assert_distinguishable(colours, f"group {group.name}")
    markers = [style.optimizer_marker(name) for name in group.members]
    assert len(set(markers)) == len(markers), f"group {group.name} repeats a marker"


def test_the_opening_four_are_distinguishable():
    assert_distinguishable([style.optimizer_color(n) for n in groups.OPENING], "opening four")


def test_basin_classes_are_distinguishable():
    assert_distinguishable([*style.BASIN_COLORS, style.NO_MINIMUM_COLOR, style.FAILURE_COLOR],
                           "basin classes")  # fmt: skip


def test_plain_cycle_and_the_function_derivative_pair():
    assert_distinguishable(list(style.CYCLE), "colour cycle")
    assert style.CYCLE[:2] == (style.FUNCTION_COLOR, style.DERIVATIVE_COLOR)
    with style.style():
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(style.CYCLE)


def test_every_colour_stands_out_on_white():
    lines = [*style.OPTIMIZER_COLORS.values(), *style.CYCLE]
    assert background_differences(lines, style.BACKGROUND).min() >= 30.0  # thin lines
    fills = [*style.BASIN_COLORS, style.NO_MINIMUM_COLOR, style.FAILURE_COLOR]
    assert background_differences(fills, style.BACKGROUND).min() >= MIN_DELTA_E


def test_the_checks_can_fail():
    with pytest.raises(AssertionError, match="differ by only"):
        assert_distinguishable(["#CC4400", "#668800"], "a confusion pair")
    assert background_differences(["#F4F4F4"]).min() < MIN_DELTA_E
    pairs = list(itertools.combinations(["#0033FF", "#0035FF"], 2))
    assert least_difference(list(pairs[0]))[0] < 1


def test_a_quantised_png_keeps_every_categorical_colour_exactly():
    # A picture of more than 256 colours (a smooth ramp) with a small swatch of every
    # optimizer's colour: the palette PNG must not move a swatch to a neighbour's hue.
    ramp = np.linspace(0, 255, 200 * 120).reshape(120, 200)
    rgb = np.stack([ramp % 256, (ramp * 7) % 256, 255 - ramp % 256], axis=-1).astype(np.uint8)
    colours = [*style.OPTIMIZER_COLORS.values(), *style.BASIN_COLORS, style.BACKGROUND]
    for k, colour in enumerate(colours):
        rgb[2:5, 3 + 5 * k : 6 + 5 * k] = np.round(np.array(to_rgb(colour)) * 255)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 256
    back = iio.imread(png_bytes(rgb))
    for k, colour in enumerate(colours):
        swatch = back[2:5, 3 + 5 * k : 6 + 5 * k].reshape(-1, 3)
        assert (swatch == np.round(np.array(to_rgb(colour)) * 255)).all(), colour
