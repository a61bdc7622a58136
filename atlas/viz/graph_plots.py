"""A computation graph animated forward, then backward, as in the course notes.

Nodes sit where :mod:`atlas.graph`'s layout puts them. The animation first
reveals the values in forward order, then the gradients in backward order,
showing the chain-rule product of the current step. Every number is taken
from the graph module's trace: nothing is typed here.

The frames are described by plain data (:func:`graph_frames`), so a test can
read exactly what each frame says without looking at pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from atlas.graph import Trace

VALUE_COLOR = "#0072B2"  # blue: forward values
GRAD_COLOR = "#D55E00"  # vermillion: gradients
ACTIVE_COLOR = "#E69F00"  # orange: the node of the current step


@dataclass(frozen=True)
class GraphFrame:
    """What one step of the animation shows."""

    values: dict[int, str]  # node id -> its value, for the nodes known so far
    grads: dict[int, str]  # node id -> its gradient, for the nodes known so far
    active: int | None  # the node the current step computes
    caption: str  # the step in words / the chain-rule product
    locals: dict[tuple[int, int], str] = field(default_factory=dict)  # edge -> local derivative


def fmt(number: float) -> str:
    """Four decimals, integers without them, with a true minus sign (−)."""
    text = f"{number:.0f}" if float(number).is_integer() else f"{number:.4f}"
    return text.replace("-", "\N{MINUS SIGN}")


def graph_frames(trace: Any) -> list[GraphFrame]:
    """One frame per step: inputs, each forward op, the seed, each backward step.

    A backward step also shows the local derivatives ∂child/∂node it multiplies
    (on the edges it reads), and they stay shown afterwards.
    """
    nodes = {node.id: node for node in trace.nodes}
    local = {(parent, child): fmt(value) for parent, child, value in trace.edges}
    values: dict[int, str] = {}
    grads: dict[int, str] = {}
    locals_: dict[tuple[int, int], str] = {}
    frames = []
    inputs = [node.id for node in trace.nodes if not node.parents]
    for node_id in inputs:
        values[node_id] = fmt(nodes[node_id].value)
    names = ", ".join(f"{nodes[i].label} = {values[i]}" for i in inputs)
    frames.append(GraphFrame(dict(values), {}, None, f"Inputs: {names}"))
    for step in trace.forward_steps:
        node = nodes[step.node]
        values[node.id] = fmt(node.value)
        frames.append(GraphFrame(dict(values), {}, node.id, f"Forward: {step.text}"))
    for step in trace.backward_steps:
        node = nodes[step.node]
        grads[node.id] = fmt(node.grad)
        for child in step.reads:
            locals_[(node.id, child)] = local[(node.id, child)]
        frames.append(GraphFrame(dict(values), dict(grads), node.id, f"Backward: {step.text}",
                                 dict(locals_)))
    return frames


#: Figure size (inches) and the node box's size in axes-height units.
FIGSIZE = (6.0, 4.8)  # the book's column (atlas.viz.readable.COLUMN_INCHES)
SIZE = 11.5  # points: every text (atlas.viz.readable.text_points() for the column)
BOX_HEIGHT = 0.075
CHAR_WIDTH = 0.026  # width of one character of a node's name, in the same units


def _positions(trace: Any, width: float) -> dict[int, tuple[float, float]]:
    """The graph module's layout in [0, 1]² spread over an axes ``width`` x 1 (height units).

    Margins leave room for the value above, the gradient below and the caption.
    """
    return {i: (0.07 * width + 0.8 * width * x, 0.2 + 0.66 * y)
            for i, (x, y) in trace.layout.items()}


def _box_width(node: Any) -> float:
    """A node's box: its name, and for an operation a space and the operation's symbol."""
    text = node.label + (f"  {node.op}" if node.op else "")
    return 0.05 + CHAR_WIDTH * len(text)


def draw_graph(ax: Any, trace: Any) -> dict[str, Any]:
    """Static nodes and edges, plus the (animated) texts; returns the animated artists.

    Each node is a rounded box holding its name and, for an operation, its
    symbol in grey (``u1  ·``, ``p  σ``, ``l  −log``); its value is written above
    the box (blue), its gradient below (orange, the bare number), and the local derivative
    ∂child/∂parent next to each edge's middle (grey) once backward reads it.
    """
    bbox = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    width = bbox.width * fig_w / (bbox.height * fig_h)
    pos = _positions(trace, width)
    ax.set_xlim(0, width)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    boxes, halos = {}, {}
    for node in trace.nodes:
        w, h = _box_width(node), BOX_HEIGHT
        x, y = pos[node.id]
        boxes[node.id] = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.012",
                                        fc="#f4f4f4", ec="0.25", lw=1.4, zorder=2)
        ax.add_patch(boxes[node.id])
        halos[node.id] = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                        fc="none", ec=ACTIVE_COLOR, lw=3.0, zorder=4,
                                        animated=True, visible=False)
        ax.add_patch(halos[node.id])
        if node.op:
            ax.text(x - w / 2 + 0.035, y, node.label, ha="left", va="center",
                    fontsize=SIZE + 0.5, zorder=3)
            ax.text(x + w / 2 - 0.03, y, node.op, ha="right", va="center", fontsize=SIZE + 1,
                    color="0.35", zorder=3)
        else:
            ax.text(x, y, node.label, ha="center", va="center", fontsize=SIZE + 0.5, zorder=3)
    locals_ = {}
    nodes = {node.id: node for node in trace.nodes}
    for parent, child, _local in trace.edges:
        ax.add_patch(FancyArrowPatch(pos[parent], pos[child], arrowstyle="-|>", mutation_scale=14,
                                     patchA=boxes[parent], patchB=boxes[child], shrinkA=2,
                                     shrinkB=2, color="0.45", lw=1.3, zorder=1))
        # Written at the middle of the edge's visible part (between the two boxes),
        # just above it: clear of the nodes' labels.
        (x0, y0), (x1, y1) = pos[parent], pos[child]
        start = _box_width(nodes[parent]) / 2 / (x1 - x0)
        end = 1 - _box_width(nodes[child]) / 2 / (x1 - x0)
        t = (start + end) / 2
        locals_[(parent, child)] = ax.text(
            x0 + t * (x1 - x0), y0 + t * (y1 - y0) + 0.012, "", ha="center", va="bottom",
            fontsize=SIZE,
            color="0.3", style="italic", animated=True, zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    values = {n.id: ax.text(pos[n.id][0], pos[n.id][1] + BOX_HEIGHT / 2 + 0.02, "",
                            ha="center", va="bottom", color=VALUE_COLOR, fontsize=SIZE,
                            animated=True)
              for n in trace.nodes}
    grads = {n.id: ax.text(pos[n.id][0], pos[n.id][1] - BOX_HEIGHT / 2 - 0.032, "",
                           ha="center", va="top", color=GRAD_COLOR, fontsize=SIZE,
                           animated=True)
             for n in trace.nodes}
    caption = ax.text(0.5, 0.02, "", ha="center", va="bottom", fontsize=SIZE, animated=True,
                      transform=ax.transAxes)
    return {"halos": halos, "values": values, "grads": grads, "locals": locals_,
            "caption": caption}


def show_frame(artists: dict[str, Any], frame: GraphFrame) -> None:
    """Set the animated artists to show ``frame``."""
    for node_id, text in artists["values"].items():
        text.set_text(frame.values.get(node_id, ""))
    for node_id, text in artists["grads"].items():
        grad = frame.grads.get(node_id)
        text.set_text("" if grad is None else grad)  # orange: a gradient (the title says so)
    for edge, text in artists["locals"].items():
        text.set_text(frame.locals.get(edge, ""))
        text.set_visible(edge in frame.locals)
    artists["caption"].set_text(frame.caption)
    for node_id, halo in artists["halos"].items():
        halo.set_visible(node_id == frame.active)


def animated_artists(artists: dict[str, Any]) -> Sequence[Any]:
    return [*artists["locals"].values(), *artists["halos"].values(),
            *artists["values"].values(), *artists["grads"].values(), artists["caption"]]


def draw_graph_animation(path: Path | str, formats: tuple[str, ...], trace: Trace,
                         fps: int = 4, hold: int = 4, dpi: int = 100) -> list[GraphFrame]:
    """Write the forward-then-backward animation of a recorded graph (a
    :class:`atlas.graph.Trace`); each step is held ``hold`` frames.

    The poster (the last frame) shows every value, gradient and local derivative.
    """
    from atlas.viz.animation import render_animation
    from atlas.viz.style import new_figure, style

    frames = graph_frames(trace)
    order = np.repeat(np.arange(len(frames)), hold)
    with style():
        fig = new_figure(FIGSIZE, dpi)
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.87))
        artists = draw_graph(ax, trace)
        fig.suptitle(f"{trace.title}\nvalues forward (blue), gradients backward (orange)",
                     fontsize=SIZE + 0.5, y=0.985)

        def update(i: int) -> None:
            show_frame(artists, frames[int(order[i])])

        render_animation(fig, animated_artists(artists), update, int(order.size), path, fps=fps,
                         formats=formats)
    return frames
