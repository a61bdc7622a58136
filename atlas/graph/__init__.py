r"""A scalar computation graph with reverse-mode differentiation, micrograd-style.

Build an expression from :class:`Value` nodes (operators ``+ − · / **`` and the
functions below), call :func:`backward` for every gradient by the chain rule, or
:func:`trace` for everything an animation of the graph shows::

    from atlas import graph
    from atlas.examples.graphs import linear_example
    y, inputs = linear_example()             # y = a·x + b at a = −2, b = 4, x = 3
    recording = graph.trace(y)               # nodes, edges, steps, layout
    graph.numerical_gradient(linear_example, inputs)   # the same, by differences

Modules: :mod:`~atlas.graph.value` (nodes, operations, backward) and
:mod:`~atlas.graph.recording` (the recording and its layout). The book's named example
graphs are worked examples, in :mod:`atlas.examples.graphs`.
"""

from __future__ import annotations

from atlas.graph.recording import Node, Step, Trace, layout, trace
from atlas.graph.value import (
    Op,
    Value,
    add,
    backward,
    div,
    exp,
    fmt,
    log,
    mul,
    neg,
    neg_log,
    numerical_gradient,
    ops,
    power,
    relu,
    sigmoid,
    square,
    sub,
    tanh,
    topological_order,
)

__all__ = [
    "Node", "Op", "Step", "Trace", "Value", "add", "backward", "div", "exp", "fmt", "layout",
    "log", "mul", "neg", "neg_log", "numerical_gradient", "ops", "power", "relu", "sigmoid",
    "square", "sub", "tanh", "topological_order", "trace",
]
