"""The computation-graph animations ``graph/<example>``: a graph of
:mod:`atlas.examples.graphs`, forward then backward."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry
from atlas.column import DPI


def graph(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], example: str,
          fps: int, hold: int, dpi: int) -> None:  # fmt: skip
    """``graph/<example>``: the recorded forward and backward steps of the example graph."""
    from atlas.examples import graphs
    from atlas.viz.graph_plots import draw_graph_animation

    draw_graph_animation(path, formats, graphs.recording(example), fps=fps, hold=hold, dpi=dpi)


def entries(quick: bool = False) -> list[Entry]:
    """``graph/linear`` and ``graph/logistic``."""
    hold = {"fps": 4, "hold": 1, "dpi": 40} if quick else {"fps": 4, "hold": 4, "dpi": DPI}
    return [
        Entry("graph/linear", "Computation graph of y = a x + b: forward, then backward",
              graph, "animation", {"example": "linear", **hold},
              alt="The computation graph of y = a x + b with inputs a = -2, x = 3, b = 4. "
                  "Values appear node by node from left to right, then the gradients of y "
                  "appear from right to left."),
        Entry("graph/logistic", "Computation graph of -log sigmoid(w1 x1 + w2 x2): "
              "forward, then backward", graph, "animation", {"example": "logistic", **hold},
              alt="The computation graph of the loss minus log sigmoid of w1 x1 plus w2 x2, "
                  "with x1 = 1, x2 = -1, w1 = 1, w2 = 0.5. Values flow left to right through "
                  "two products, a sum, a sigmoid and a negative log; gradients then flow "
                  "right to left."),
    ]
