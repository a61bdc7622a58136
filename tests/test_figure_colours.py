"""The colours a reader must tell apart, read off the drawn figures themselves (issue 15).

``tests/test_palette.py`` checks the palette; this checks what the drawings do with it.
Each figure below is built by the book's own drawing code, and in every axes:

* the categorical colours shown together (every line colour that is not a grey) differ
  pairwise by at least 10 CIEDE2000 in normal vision and under simulated deuteranopia,
  protanopia and tritanopia (:mod:`atlas.viz.colour_difference`);
* every entry of a legend differs from every other in a second channel, its marker or
  its dash, so that no figure relies on colour alone;
* a basin map's classes (the colours of its image) are as distinguishable.
"""

from __future__ import annotations

import itertools

import matplotlib.colors as mcolors
import numpy as np
import pytest
from drawn_colours import categorical_colours, chromatic
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from atlas import activations, optimizers
from atlas.protocol import sweep
from atlas.races import groups, profile, sensitivity
from atlas.races.race import group_races, run_race
from atlas.viz import (
    basin_plot,
    function_plots,
    gap_plot,
    profile_plot,
    race_summary,
    sensitivity_plot,
)
from atlas.viz import race as race_viz
from atlas.viz.colour_difference import MIN_DELTA_E, VISIONS, least_difference

SURFACE, GRID, STEPS = "saddle", (0.01, 0.1, 1.0), 20


def _sweeps() -> dict:
    return {name: sweep(name, SURFACE, grid=GRID, steps=STEPS) for name in optimizers.names()}


def legends(figure: Figure) -> list[list[Line2D]]:
    """The coloured line handles of each legend of ``figure`` (its axes' and its own)."""
    found = [ax.get_legend() for ax in figure.axes] + list(figure.legends)
    return [[h for h in legend.legend_handles if isinstance(h, Line2D) and chromatic(h.get_color())]
            for legend in found if legend]


def assert_distinguishable(colours: list[str], where: str) -> None:
    if len(colours) < 2:
        return
    worst, vision, i, j = least_difference(colours)
    assert worst >= MIN_DELTA_E, (
        f"{where}: {colours[i]} and {colours[j]} differ by {worst:.1f} < {MIN_DELTA_E} "
        f"CIEDE2000 in {vision} vision")


def assert_second_channel(lines: list[Line2D], where: str) -> None:
    keys = [(line.get_marker(), line.get_linestyle()) for line in lines]
    colours = [mcolors.to_hex(line.get_color()) for line in lines]
    for a, b in itertools.combinations(range(len(lines)), 2):
        if colours[a] != colours[b]:
            assert keys[a] != keys[b], (
                f"{where}: legend entries {lines[a].get_label()!r} and {lines[b].get_label()!r}"
                f" differ only by colour ({keys[a]})")


#: The colours of an animation's paths, drawn over the background frame by frame (blitted,
#: so not among the axes' lines): the colours its overlay is handed.
ANIMATED: dict[str, list[str]] = {}


def figures() -> dict[str, Figure]:
    """One figure of every drawing that shows categorical colours together."""
    sweeps = _sweeps()
    found: dict[str, Figure] = {}
    races = {group.name: run_race(SURFACE, list(group.members), sweeps=sweeps, steps=STEPS)
             for group in groups.groups()}
    races["opening"] = run_race(groups.OPENING_SURFACE, list(groups.OPENING), steps=STEPS,
                                lrs=dict.fromkeys(groups.OPENING, 0.01))  # fmt: skip
    for name, race in races.items():
        figure, overlay, _ = race_viz.race_figure(race, name == "opening", dpi=30)
        found[f"race {name}"] = figure
        ANIMATED[f"race {name}"] = [mcolors.to_hex(c) for c in overlay.colors]
        found[f"race gap, {name}"] = gap_plot.gap_figure(race, dpi=30)
    found["race summary"] = race_summary.race_summary_figure(group_races(SURFACE, sweeps), dpi=30)
    found["sensitivity"] = sensitivity_plot.sensitivity_figure(
        sensitivity.surface_sensitivity(SURFACE, sweeps), groups.groups(), dpi=30)
    found["profile"] = profile_plot.profile_figure(
        profile.performance_profile({SURFACE: sweeps}), groups.groups(), dpi=30)
    found["activation gelu"] = function_plots.activation_figure(activations.get("gelu"), dpi=30)
    found["softmax, two classes"] = function_plots.two_class_figure(activations.get("softmax"),
                                                                   dpi=30)
    return found


FIGURES = figures()


@pytest.mark.parametrize("name", list(FIGURES))
def test_colours_shown_together_are_distinguishable_in_every_vision(name):
    figure = FIGURES[name]
    figure.canvas.draw()
    axes = [ax for ax in figure.axes if len(categorical_colours(ax)) > 1]
    for k, ax in enumerate(axes):
        assert_distinguishable(categorical_colours(ax), f"{name}, axes {k}")
    assert_distinguishable(ANIMATED.get(name, []), f"{name}, its paths")
    for k, lines in enumerate(legends(figure)):
        assert_distinguishable(sorted({mcolors.to_hex(h.get_color()) for h in lines}),
                               f"{name}, legend {k}")


@pytest.mark.parametrize("name", [n for n in FIGURES if any(legends(FIGURES[n]))])
def test_legend_entries_differ_in_marker_or_dash_as_well(name):
    for k, lines in enumerate(legends(FIGURES[name])):
        assert_second_channel(lines, f"{name}, legend {k}")


def test_a_basin_maps_classes_are_distinguishable():
    labels = ["global minimum (3, 2)", "global minimum (-2.81, 3.13)",
              "global minimum (-3.78, -3.28)", "global minimum (3.58, -1.85)",
              "local minima, f = 1", "local minima, f = 2", "other local minima",
              "no minimum reached", "failed (left the plot)"]  # fmt: skip
    colours = basin_plot.class_colours(labels)
    assert len(set(colours)) == len(labels)
    assert_distinguishable([c for c in colours if chromatic(c)], "basin classes")


def test_the_checks_can_fail():
    near = ["#1f77b4", "#2077b5"]
    with pytest.raises(AssertionError, match="CIEDE2000"):
        assert_distinguishable(near, "two blues")
    a, b = Line2D([], [], color="#d62728", marker="o"), Line2D([], [], color="#2ca02c", marker="o")
    with pytest.raises(AssertionError, match="only by colour"):
        assert_second_channel([a, b], "red and green dots")
    assert len(VISIONS) == 4  # normal, and the three simulated deficiencies
    assert np.isfinite(least_difference(near)[0])
    assert not [im for f in FIGURES.values() for ax in f.axes for im in ax.images
                if not isinstance(im, AxesImage)]
