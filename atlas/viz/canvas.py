"""The Agg canvas of every atlas figure: one mathtext parser for the whole process.

matplotlib's Agg renderer parses mathtext (``$x$``, and every tick label of a log
axis, ``$\\mathdefault{10^{-3}}$``) through a parser of its own, made with the
renderer, whose cache is keyed by that parser and holds the last 50 results. A new
figure gets a new renderer, so each figure parsed all its mathtext afresh: the
book's race, gap and sensitivity figures spent a tenth of their drawing time in
pyparsing, on the same few dozen strings.

:class:`Canvas` gives every renderer it makes one shared parser
(:func:`shared_parser`), whose cache holds :data:`MATHTEXT_CACHE` results. The
parse of a string depends only on the string, the dpi, the font properties and
antialiasing (the key of matplotlib's own cache) and on a few rcParams
(:data:`SETTINGS`: the math fonts, their fallback, hinting), which are part of
this cache's key too; a string not in the cache is parsed by a new parser of
matplotlib's, whose own cache is keyed without them. So the pixels are the same as
with matplotlib's parser (``tests/test_canvas.py``).
"""

from __future__ import annotations

import functools
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.mathtext import MathTextParser

#: How many parsed strings the shared parser keeps (a figure of the book has up to ~70).
MATHTEXT_CACHE = 1024


#: The rcParams a parse reads besides its arguments (fonts, fallback, hinting), in its key.
SETTINGS = (*sorted(k for k in mpl.rcParams if k.startswith("mathtext.")), "text.hinting",
            "text.antialiased")  # fmt: skip


class SharedMathTextParser(MathTextParser):
    """A mathtext parser whose results are cached across figures (see the module doc)."""

    def __init__(self, output: str) -> None:
        super().__init__(output)
        self._output = output

    def parse(self, s: str, dpi: float = 72, prop: Any = None, *,
              antialiased: bool | None = None) -> Any:  # fmt: skip
        prop = prop.copy() if prop is not None else None  # a key must not change: copy
        settings = tuple(mpl.rcParams[key] for key in SETTINGS)
        return self._parse_shared(s, dpi, prop, antialiased, settings)

    @functools.lru_cache(maxsize=MATHTEXT_CACHE)  # noqa: B019 - one instance per kind, kept
    def _parse_shared(self, s: str, dpi: float, prop: Any, antialiased: bool | None,
                      settings: tuple) -> Any:  # fmt: skip
        # A new parser of matplotlib's: its own cache, keyed without the settings, is empty.
        return MathTextParser(self._output).parse(s, dpi, prop, antialiased=antialiased)


@functools.cache
def shared_parser(output: str) -> SharedMathTextParser:
    """The one parser of the process for ``output`` (``MathTextParser``'s argument: Agg's
    renderer uses "path" since matplotlib 3.10, "agg" before)."""
    return SharedMathTextParser(output)


#: A parser's kind of output (its ``_output_type``) and the argument that makes it.
OUTPUTS = {"vector": "path", "raster": "agg"}


class Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderers share :func:`shared_parser`'s parser of their kind."""

    def get_renderer(self) -> RendererAgg:
        renderer = super().get_renderer()
        own = renderer.mathtext_parser
        output = OUTPUTS.get(getattr(own, "_output_type", None))
        if output and not isinstance(own, SharedMathTextParser):  # else keep the renderer's
            renderer.mathtext_parser = shared_parser(output)
        return renderer
