"""Basin maps: the minima found, every start classified, all starts moving as one array."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.protocol import box
from atlas.races import basins
from atlas.races.basins import FAILED, NO_MINIMUM
from atlas.trajectory import trajectory
from atlas.viz import basin_plot, readable, style

HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                     (-3.779310253377747, -3.283185991286169),
                     (3.584428340330492, -1.848126526964404)]  # fmt: skip


@pytest.mark.parametrize("name", ["six_hump_camel", "three_hump_camel", "styblinski_tang",
                                  "goldstein_price"])  # fmt: skip
def test_the_local_minima_found_are_the_declared_ones(name):
    surface = surfaces.get(name)
    declared = sorted((p.x, p.y) for p in surface.critical if p.kind == "local minimum")
    found = sorted((x, y) for x, y, _ in basins.local_minima(name))
    np.testing.assert_allclose(found, declared, atol=1e-6)


def test_himmelblau_has_only_its_four_global_minima_and_rastrigin_120_local_ones():
    assert basins.local_minima("himmelblau") == ()
    labels = [m.label for m in basins.minima_classes("himmelblau")]
    assert len(labels) == 4 and all(label.startswith("global minimum") for label in labels)
    rastrigin = basins.local_minima("rastrigin")
    assert len(rastrigin) == 11 * 11 - 1  # near every integer point of [-5, 5]^2 but the origin
    classes = basins.minima_classes("rastrigin")
    labels = list(dict.fromkeys(m.label for m in classes))
    rank1 = [(round(m.x), round(m.y)) for m in classes if m.label == labels[1]]
    assert sorted(rank1) == [(-1, 0), (0, -1), (0, 1), (1, 0)]  # the shallowest four
    assert labels[:2] == ["global minimum (0, 0)", "local minima, f = 0.995"]
    assert labels[-1] == "other local minima" and len(labels) == 1 + basins.MAX_LOCAL + 1


def test_local_minima_are_classed_by_depth_rank():
    """Mirror-image minima of one value share a class; classes run from the deepest."""
    six = list(dict.fromkeys(m.label for m in basins.minima_classes("six_hump_camel")))
    assert six[2:] == ["local minima, f = −0.215", "local minima, f = 2.1"]  # two each
    price = list(dict.fromkeys(m.label for m in basins.minima_classes("goldstein_price")))
    assert price[1:] == ["local minimum, f = 30", "local minimum, f = 84", "local minimum, f = 840"]


def test_endpoints_are_the_trajectories_final_points():
    surface = surfaces.get("himmelblau")
    starts = np.array([[3.5, 2.5], [-3.0, 3.5], [-4.0, -4.0], [4.0, -2.5], [0.0, 0.0]])
    low, high = box(surface)
    for name in ("adam", "muon"):  # elementwise, and per tensor (N, 1, 2)
        optimizer = optimizers.get(name, lr=0.05)
        final, failed = basins.endpoints(optimizer, surface, starts, 60, low, high)
        for i, start in enumerate(starts):
            run = trajectory(optimizer, surface, start, 60)
            np.testing.assert_array_equal(final[i], run.xy[-1])
            outside = ~np.all((run.xy >= low) & (run.xy <= high), axis=1)
            assert failed[i] == outside.any()


def test_a_start_that_leaves_the_plot_or_overflows_fails():
    surface = surfaces.get("himmelblau")
    low, high = box(surface)
    optimizer = optimizers.get("sgd", lr=0.1)  # far too large on Himmelblau's walls
    with np.errstate(all="raise"):  # and no floating-point warning escapes endpoints
        final, failed = basins.endpoints(optimizer, surface, np.array([[4.9, 4.9]]), 50, low, high,
                                         check_every=0)  # every step computed: it overflows
        assert failed[0] and not np.isfinite(final[0]).all()
        _, failed = basins.endpoints(optimizer, surface, np.array([[4.9, 4.9]]), 50, low, high)
    assert failed[0]  # dropped when it failed (its final point is then meaningless)


def test_himmelblau_map_hand_checked_starts():
    basin = basins.basin_map("himmelblau", "sgd", lr=0.01, n=20)
    assert basin.classes.shape == (20, 20) and basin.classes.dtype == np.int8
    assert basin.labels[-2:] == (NO_MINIMUM, FAILED) and len(basin.labels) == 6
    (x0, x1), _ = surfaces.get("himmelblau").domain
    np.testing.assert_allclose(basin.x, x0 + (np.arange(20) + 0.5) * (x1 - x0) / 20)
    cell = {tuple(p): (i, j) for i, y in enumerate(basin.y) for j, x in enumerate(basin.x)
            for p in [(round(float(x), 2), round(float(y), 2))]}  # fmt: skip
    # Starts next to each minimum (cell centres 0.25 + k/2) slide into that minimum.
    for (mx, my), start in zip(HIMMELBLAU_MINIMA, [(3.25, 2.25), (-2.75, 3.25), (-3.75, -3.25),
                                                   (3.75, -1.75)], strict=True):  # fmt: skip
        i, j = cell[start]
        label = basin.labels[basin.classes[i, j]]
        assert label.startswith("global minimum"), label
        nearest = min(HIMMELBLAU_MINIMA, key=lambda m: np.hypot(m[0] - start[0], m[1] - start[1]))
        assert nearest == (mx, my)
        assert label == next(m.label for m in basins.minima_classes("himmelblau")
                             if np.hypot(m.x - mx, m.y - my) < 1e-9)  # fmt: skip
    # A start on the steep rim, with a rate too large there, leaves the plot.
    steep = basins.basin_map("himmelblau", "sgd", lr=0.1, n=20)
    assert steep.labels[steep.classes[cell[(4.75, 4.75)]]] == FAILED
    assert sum(steep.counts().values()) == 400


def test_the_map_agrees_with_single_runs_classified_by_hand():
    surface = surfaces.get("six_hump_camel")
    basin = basins.basin_map(surface, "adam", lr=0.05, n=6)
    classes = basins.minima_classes(surface)
    low, high = box(surface)
    scale = max(high - low)
    for i, y in enumerate(basin.y):
        for j, x in enumerate(basin.x):
            run = trajectory(optimizers.get("adam", lr=0.05), surface, (x, y), basin.steps)
            end = run.xy[-1]
            left = not np.all((run.xy >= low) & (run.xy <= high))
            near = [m for m in classes if np.hypot(m.x - end[0], m.y - end[1])
                    <= basins.RADIUS * scale]  # fmt: skip
            expected = FAILED if left else near[0].label if near else NO_MINIMUM
            assert basin.labels[basin.classes[i, j]] == expected


def test_classify_by_nearest_minimum_within_the_radius():
    surface = surfaces.get("himmelblau")
    minima = basins.minima_classes(surface)
    final = np.array([[3.01, 2.0], [3.0, 2.3], [0.0, 0.0], [np.nan, np.nan], [-2.8, 3.13]])
    failed = np.array([False, False, False, True, False])
    classes, labels = basins.classify(surface, final, failed, minima)
    names = [labels[c] for c in classes]
    assert names[0] == minima[0].label and names[4] == minima[1].label
    assert names[1] == NO_MINIMUM  # 0.3 away: more than 2 % of the plot's width (0.2)
    assert names[2] == NO_MINIMUM and names[3] == FAILED


def test_basin_maps_round_trip_through_a_file(tmp_path):
    maps = [basins.basin_map("three_hump_camel", name, lr=0.05, n=12) for name in ("sgd", "adam")]
    path = basins.write_basin_maps(maps, tmp_path / "maps.npz")
    back = basins.read_basin_maps(path)
    for a, b in zip(maps, back, strict=True):
        assert (a.surface, a.optimizer, a.lr, a.steps, a.labels) == \
            (b.surface, b.optimizer, b.lr, b.steps, b.labels)  # fmt: skip
        np.testing.assert_array_equal(a.classes, b.classes)
        np.testing.assert_array_equal(a.x, b.x)
    assert [p.name for p in tmp_path.iterdir()] == ["maps.npz"]  # written atomically
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.npz does not hold basin maps"):
        basins.read_basin_maps(tmp_path / "bad.npz")


@pytest.mark.parametrize("name", basins.BASIN_SURFACES)
def test_every_basin_surface_has_few_enough_classes_for_the_palette(name):
    labels = list(dict.fromkeys(m.label for m in basins.minima_classes(name)))
    assert len(labels) >= 2  # several minima: a map worth drawing
    colours = basin_plot.class_colours([*labels, NO_MINIMUM, FAILED])
    assert len(set(colours)) == len(colours)
    assert colours[-2:] == [style.NO_MINIMUM_COLOR, style.FAILURE_COLOR]


def test_basin_figure(tmp_path):
    names = ("sgd", "adam", "muon", "lbfgs")
    maps = [basins.basin_map("six_hump_camel", name, lr=0.01, n=16) for name in names]
    data = basins.figure_data(maps)
    assert data["panel_titles"] == ("SGD, lr 0.01", "Adam, lr 0.01", "Muon, lr 0.01",
                                    "L-BFGS, lr 0.01")  # fmt: skip
    assert data["extent"] == (-2.0, 2.0, -1.0, 1.0) and len(data["minima"]) == 6
    path = basin_plot.draw_basins(tmp_path / "b", maps, dpi=40, **data)
    assert path.name == "b.png" and path.read_bytes().startswith(b"\x89PNG")
    figure = basin_plot.basin_figure(maps, dpi=40, **data)
    panels = [ax for ax in figure.axes if ax.images]
    assert len(panels) == len(names)  # one panel per optimizer, all of one size and box
    assert len({tuple(np.round(ax.get_position().size, 9)) for ax in panels}) == 1
    assert len({(ax.get_xlim(), ax.get_ylim()) for ax in panels}) == 1
    np.testing.assert_array_equal(panels[0].images[0].get_array(), maps[0].classes)
    assert readable.too_small(figure, readable.COLUMN_PX) == []  # readable on a phone too
