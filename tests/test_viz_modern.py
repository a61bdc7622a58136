"""The figures of the optimizers since Adam and of the MNIST study: deterministic PNGs whose
every text is at least 11 CSS pixels in the book's column and 9 on a phone
(atlas.viz.readable)."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.examples import optimizers_modern as om
from atlas.viz import internals_plots as ip
from atlas.viz import png, readable, study_plots


@pytest.fixture
def drawn(monkeypatch):
    """Every figure saved during the test (besides being written)."""
    figures = []
    save = png.save_figure

    def keep(figure, path):
        figures.append(figure)
        return save(figure, path)

    for module in (ip, study_plots):
        monkeypatch.setattr(module, "save_figure", keep)
    return figures


def _draw_all(tmp_path, tag):
    surface = surfaces.get("rosenbrock")
    run = om.averaged_path(optimizers.get("schedule_free_sgd", lr=0.01), surface, 30)
    lion = om.sign_moves(optimizers.get("lion", lr=0.01), surface, 30)
    rng = np.random.default_rng(0)
    full = rng.random((12, 9)) ** 3
    outputs = [
        ip.draw_averaged(tmp_path / f"a{tag}", "averaged", surface, ("y", "x"), run.xy,
                         run.averaged, (run.gap, run.averaged_gap), "#cc3377", dpi=40),
        ip.draw_series(tmp_path / f"s{tag}", "series", surface, [ip.Line("Lion", lion.xy, "#c37")],
                       [ip.Line("|move|", lion.moves[:, 0], "#c37")], "size", ylim=(1e-3, 1e3),
                       log_x=True, dpi=40),
        ip.draw_factored(tmp_path / f"f{tag}", "factored", full, np.outer(full.mean(1),
                         full.mean(0)) / full.mean(), {"full": "V", "factored": "R C", "rows": "in",
                         "columns": "out", "scatter": "all", "scatter_x": "V",
                         "scatter_y": "R C"}, dpi=40),
        study_plots.draw_study_curves(tmp_path / f"c{tag}", "curves", [
            ("one", [study_plots.Curve("SGD (0.1)", [0, 10, 20], [0.9, 0.3, 0.1], "#00f", "o")]),
            ("two", [study_plots.Curve("Adam (0.01)", [0, 10, 20], [0.9, 0.2, 0.08], "#f00",
                                       "s")])], dpi=40),
    ]
    return outputs


def test_figures_are_deterministic_pngs_readable_in_the_column(tmp_path, drawn):
    first = _draw_all(tmp_path, "1")
    second = _draw_all(tmp_path, "2")
    for a, b in zip(first, second, strict=True):
        assert a.suffix == ".png" and a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert a.read_bytes() == b.read_bytes()
    assert len(drawn) == 8
    for figure in drawn:
        assert figure.get_figwidth() == pytest.approx(ip.WIDTH, abs=0.05)
        assert readable.too_small(figure, readable.COLUMN_PX) == []
