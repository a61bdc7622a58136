"""The computation-graph animations ``graph/<example>``: a graph of
:mod:`atlas.examples.graphs`, forward then backward."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry


def graph(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], example: str,
          fps: int, hold: int, dpi: int) -> None:  # fmt: skip
    """``graph/<example>``: the recorded forward and backward steps of the example graph."""
    from atlas.examples import graphs
    from atlas.viz.graph_plots import draw_graph_animation

    draw_graph_animation(path, formats, graphs.recording(example), fps=fps, hold=hold, dpi=dpi)


def entries(quick: bool = False) -> list[Entry]:
    """``graph/linear`` and ``graph/logistic``."""
    hold = {"fps": 4, "hold": 1, "dpi": 40} if quick else {"fps": 4, "hold": 4, "dpi": 100}
    return [
        Entry("graph/linear", "Computation graph of y = a x + b: forward, then backward",
              graph, "animation", {"example": "linear", **hold}),
        Entry("graph/logistic", "Computation graph of -log sigmoid(w1 x1 + w2 x2): "
              "forward, then backward", graph, "animation", {"example": "logistic", **hold}),
    ]
