"""The Agg canvas of atlas's figures (atlas.viz.canvas): one mathtext parser, same pixels.

The shared parser may only change how often a string is parsed, never a pixel: each
test draws a figure through :class:`Canvas` and through matplotlib's own canvas and
compares the pixels, after the shared cache has seen the same strings under other
settings (a stale result would show).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from atlas.viz import canvas, style

LABELS = ("$x^2$", r"$\eta = 10^{-3}$", r"$\sqrt{v_t} + \epsilon$")


def _pixels(canvas_class: type[FigureCanvasAgg], size: float = 10.0) -> np.ndarray:
    """A log-axis plot whose ticks, title and labels are all mathtext."""
    figure = Figure(figsize=(3.0, 2.0), dpi=100)
    canvas_class(figure)
    ax = figure.add_subplot()
    ax.loglog([1e-3, 1e2], [1e-1, 1e4])
    ax.set_title(LABELS[0], fontsize=size)
    ax.set_xlabel(LABELS[1], fontsize=size)
    ax.set_ylabel(LABELS[2], fontsize=size)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def test_figures_share_one_parser():
    first, second = style.new_figure(), style.new_figure()
    assert isinstance(first.canvas, canvas.Canvas)
    parsers = {id(f.canvas.get_renderer().mathtext_parser) for f in (first, second)}
    assert len(parsers) == 1
    assert isinstance(first.canvas.get_renderer().mathtext_parser, canvas.SharedMathTextParser)


def test_a_string_is_parsed_once_across_figures():
    canvas.shared_parser("path")._parse_shared.cache_clear()
    _pixels(canvas.Canvas)
    misses = canvas.shared_parser("path")._parse_shared.cache_info().misses
    _pixels(canvas.Canvas)
    assert misses > 0
    assert canvas.shared_parser("path")._parse_shared.cache_info().misses == misses


def test_same_pixels_as_matplotlibs_canvas():
    for size in (10.0, 14.0):  # the same strings at another size are other parses
        assert np.array_equal(_pixels(canvas.Canvas, size), _pixels(FigureCanvasAgg, size))


def test_settings_are_part_of_the_key():
    with mpl.rc_context({"mathtext.fontset": "custom"}):  # then the mathtext.* fonts apply
        _pixels(canvas.Canvas)  # the default fonts' parses are in the cache now
        for settings in ({"mathtext.it": "serif:italic"}, {"mathtext.rm": "monospace"},
                         {"mathtext.fallback": "stix"}):  # fmt: skip
            with mpl.rc_context(settings):
                assert np.array_equal(_pixels(canvas.Canvas), _pixels(FigureCanvasAgg)), settings


def test_the_key_holds_the_font_as_it_was():
    parser = canvas.shared_parser("path")
    prop = FontProperties(size=10)
    small = parser.parse("$y_3$", 100, prop)
    prop.set_size(20)  # the caller's object changes after the parse
    large = parser.parse("$y_3$", 100, prop)
    assert large.width > 1.5 * small.width
    misses = parser._parse_shared.cache_info().misses
    assert parser.parse("$y_3$", 100, FontProperties(size=10)).width == small.width
    assert parser._parse_shared.cache_info().misses == misses  # found: the key kept size 10
