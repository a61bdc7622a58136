r"""A scalar computation graph with reverse-mode differentiation, micrograd-style.

Build an expression from :class:`Value` nodes (operators ``+ − · / **`` and the
functions below), call :func:`backward` for every gradient by the chain rule, or
:func:`trace` for everything an animation of the graph shows::

    from atlas import graph
    y, inputs = graph.linear_example()       # y = a·x + b at a = −2, b = 4, x = 3
    recording = graph.trace(y)               # nodes, edges, steps, layout
    graph.numerical_gradient(graph.linear_example, inputs)   # the same, by differences

Modules: :mod:`~atlas.graph.value` (nodes, operations, backward),
:mod:`~atlas.graph.recording` (the recording and its layout),
:mod:`~atlas.graph.examples` (the book's named examples, a registry).
"""

from __future__ import annotations

from atlas.graph.examples import (
    Example,
    get,
    linear_example,
    logistic_example,
    names,
    registry,
)
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
    "Example", "Node", "Op", "Step", "Trace", "Value", "add", "backward", "div", "exp", "fmt",
    "get", "layout", "linear_example", "log", "logistic_example", "mul", "names", "neg",
    "neg_log", "numerical_gradient", "ops", "power", "registry", "relu", "sigmoid", "square",
    "sub", "tanh", "topological_order", "trace",
]
