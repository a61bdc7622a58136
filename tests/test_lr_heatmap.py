"""The learning-rate heatmap (atlas.viz.lr_heatmap) and its catalog entry."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import catalog, optimizers, protocol, surfaces
from atlas.viz import readable
from atlas.viz.lr_heatmap import FALLBACK_MARKER, RateMap, heatmap_figure

GRID = protocol.GRID


def _rates(rows: int = 3, columns: int = 2) -> RateMap:
    lr = np.array([[GRID[(r * columns + c) % len(GRID)] for c in range(columns)]
                   for r in range(rows)])  # fmt: skip
    fallback = np.zeros_like(lr, dtype=bool)
    fallback[0, 1] = True
    return RateMap(tuple(f"optimizer {r}" for r in range(rows)),
                   tuple(f"surface {c}" for c in range(columns)), lr, fallback, GRID)


def test_each_cell_takes_its_rates_place_in_the_grid():
    rates = _rates()
    assert rates.index().tolist() == [[0, 1], [2, 3], [4, 5]]


def test_a_rate_off_the_grid_or_a_wrong_shape_is_refused():
    good = _rates()
    with pytest.raises(ValueError, match="grid rate"):
        RateMap(good.rows, good.columns, good.lr * 1.5, good.fallback, GRID)
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        RateMap(good.rows, good.columns, good.lr.T, good.fallback, GRID)


def test_the_figure_shows_every_label_readably_and_marks_each_fallback():
    figure = heatmap_figure(_rates())
    shown = {t.get_text() for t in readable.texts(figure)}
    assert {"optimizer 0", "optimizer 2", "surface 0", "surface 1"} <= shown
    assert readable.too_small(figure) == []
    assert figure.get_figwidth() == pytest.approx(readable.inches(readable.COLUMN_PX))
    marks = [line for ax in figure.axes for line in ax.get_lines()
             if line.get_marker() == FALLBACK_MARKER]  # fmt: skip
    assert [tuple(np.ravel(m.get_xydata())) for m in marks] == [(1.0, 0.0)]  # column, row


def test_every_optimizer_and_surface_has_its_place_at_full_size():
    """The book's figure: 26 optimizers by 19 surfaces fit the column, text readable."""
    n_opt, n_surf = len(optimizers.names()), len(surfaces.names())
    lr = np.full((n_opt, n_surf), GRID[10])
    rates = RateMap(tuple(optimizers.registry.get(o).title for o in optimizers.names()),
                    tuple(surfaces.get(s).title for s in surfaces.names()), lr,
                    np.zeros_like(lr, dtype=bool), GRID)  # fmt: skip
    figure = heatmap_figure(rates)
    assert readable.too_small(figure) == []
    grid = figure.axes[0].get_position()
    assert grid.x0 >= 0 and grid.x1 <= 1 and grid.y0 >= 0 and grid.y1 <= 1


def test_the_catalog_draws_it_from_every_surfaces_sweeps():
    entry = catalog.get("race/learning_rates")
    assert entry.kind == "image" and entry.alt_from_data
    assert set(entry.needs) == {f"learning_rates/{s}" for s in surfaces.names()}
    assert entry.params["optimizers"] == optimizers.names()
