"""What an animation of a computation graph shows, as plain data.

:func:`trace` runs :func:`~atlas.graph.value.backward` and records the nodes in
topological order (their ids are their positions in it), the edges with their
local derivatives, the forward steps (one per operation, inputs being known at
step 0), the backward steps (one per node, seed first, each with its chain-rule
product written out with the actual numbers) and a layout derived from the graph:
x is the longest path from the inputs, y spreads each column evenly in an order
chosen by barycentre sweeps to avoid crossing edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from atlas.graph.value import Value, backward, fmt, topological_order


@dataclass(frozen=True)
class Node:
    """One node as drawn: id, label, operation symbol ("" for an input), value and gradient."""

    id: int
    label: str
    op: str
    value: float
    grad: float
    parents: tuple[int, ...]
    local_grads: tuple[float, ...]
    depth: int


@dataclass(frozen=True)
class Step:
    """One step of the animation: the node that becomes known, what it reads and why, in words.

    ``reads`` are the parents (forward) or the children whose gradients are used (backward).
    """

    node: int
    reads: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Trace:
    """A computation graph after one forward and one backward pass, ready to draw."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[int, int, float], ...]  # (parent id, child id, ∂child/∂parent)
    forward_steps: tuple[Step, ...]
    backward_steps: tuple[Step, ...]
    layout: dict[int, tuple[float, float]]  # node id -> (x, y), both in [0, 1]

    @property
    def root(self) -> int:
        """The id of the output node (the last in topological order)."""
        return self.nodes[-1].id

    @property
    def inputs(self) -> tuple[int, ...]:
        """The ids of the nodes without parents: inputs and constants."""
        return tuple(node.id for node in self.nodes if not node.parents)


def trace(root: Value, title: str | None = None) -> Trace:
    """Run backward from ``root`` and record the graph, its steps and its layout.

    Unlabelled nodes are called v<id>. The default title writes the output as an
    expression of the inputs, e.g. "y = a·x + b".
    """
    order = topological_order(root)
    backward(root)
    ids = {node: i for i, node in enumerate(order)}
    labels = [node.label or f"v{i}" for i, node in enumerate(order)]
    parents = [tuple(ids[p] for p in node.parents) for node in order]
    depth = _depths(parents)
    nodes = tuple(Node(i, labels[i], v.op, v.data, v.grad, parents[i], v.local_grads, depth[i])
                  for i, v in enumerate(order))
    edges = tuple((p, n.id, local) for n in nodes
                  for p, local in zip(n.parents, n.local_grads, strict=True))
    forward_steps = []
    for n in nodes:
        if n.parents:  # e.g. "z = u1 + u2 = 1 + (−0.5) = 0.5"
            form = order[n.id].form
            symbols = _fill(form, [labels[p] for p in n.parents])
            numbers = _fill(form, [fmt(nodes[p].value) for p in n.parents])
            text = f"{n.label} = {symbols} = {numbers} = {fmt(n.value)}"
            forward_steps.append(Step(n.id, n.parents, text))
    out = labels[-1]
    backward_steps = [Step(nodes[-1].id, (), f"∂{out}/∂{out} = 1")]
    for n in reversed(nodes[:-1]):  # reverse topological order: every child is already done
        uses = [(child, local) for parent, child, local in edges if parent == n.id]
        chain = " + ".join(f"∂{out}/∂{labels[c]} · ∂{labels[c]}/∂{n.label}" for c, _ in uses)
        numbers = " + ".join(f"{_num(nodes[c].grad, k == 0)} · {_num(local, False)}"
                             for k, (c, local) in enumerate(uses))
        text = f"∂{out}/∂{n.label} = {chain} = {numbers} = {fmt(n.grad)}"
        backward_steps.append(Step(n.id, tuple(c for c, _ in uses), text))
    if title is None:
        title = f"{out} = {_expression(order, labels)}"
    return Trace(title, nodes, edges, tuple(forward_steps), tuple(backward_steps),
                 layout(parents))


def _num(x: float, leading: bool) -> str:
    """A number in a formula: a negative one is bracketed unless it leads."""
    return fmt(x) if leading or x >= 0 else f"({fmt(x)})"


def _fill(form: str, parts: Sequence[str]) -> str:
    """Write ``parts`` into the ``{}`` of ``form``, bracketing negative parts where needed."""
    pieces = form.split("{}")
    text = pieces[0]
    for part, after in zip(parts, pieces[1:], strict=True):
        leads_sum = text == "" and after.startswith(" ")  # "−2 + x" needs no brackets
        bracket = part.startswith("−") and not text.endswith("(") and not leads_sum
        text += (f"({part})" if bracket else part) + after
    return text


def _expression(order: Sequence[Value], labels: Sequence[str], longest: int = 80) -> str:
    """The output written in terms of the inputs, with brackets only where precedence needs them.

    Sub-expressions longer than ``longest`` characters are written as their node's label.
    """
    ids = {node: i for i, node in enumerate(order)}
    exprs: list[tuple[str, int]] = []  # (text, precedence); 9 binds tightest
    for i, node in enumerate(order):
        if not node.parents:
            exprs.append((labels[i], 3 if labels[i].startswith("−") else 9))
            continue
        prec = _precedence(node.form, len(node.parents))
        parts = []
        for slot, parent in enumerate(node.parents):
            text, inner = exprs[ids[parent]]
            tie = inner == prec and (len(node.parents) == 1 or slot == 1)
            parts.append(f"({text})" if prec < 9 and (inner < prec or tie) else text)
        text = _fill(node.form, parts)
        exprs.append((text, prec) if len(text) <= longest else (labels[i], 9))
    return exprs[-1][0]


def _precedence(form: str, arity: int) -> int:
    """1 for + and −, 2 for · and /, 3 for a prefix minus, 4 for a power, 9 for f(...)."""
    if arity == 2:
        return 1 if " " in form else 2
    if form.startswith("−{}"):
        return 3
    return 4 if form.startswith("{}") else 9


def _depths(parents: Sequence[Sequence[int]]) -> list[int]:
    """Longest path from an input to each node (ids in topological order)."""
    depth: list[int] = []
    for node_parents in parents:
        depth.append(1 + max((depth[p] for p in node_parents), default=-1))
    return depth


def layout(parents: Sequence[Sequence[int]], sweeps: int = 4) -> dict[int, tuple[float, float]]:
    """Positions in [0, 1]² for nodes 0..n−1 given in topological order by their parents' ids.

    x = depth / max depth. Each column is spread evenly (one spacing for all
    columns, centred at y = 0.5, first node on top), ordered by alternating
    barycentre sweeps; of all orders tried, the one with the fewest crossings
    (counting an edge that passes through a node as one) is kept.
    """
    depth = _depths(parents)
    children: list[list[int]] = [[] for _ in parents]
    for child, node_parents in enumerate(parents):
        for p in node_parents:
            children[p].append(child)
    columns = [[i for i, d in enumerate(depth) if d == level] for level in range(max(depth) + 1)]
    edges = sorted({(p, c) for c, node_parents in enumerate(parents) for p in node_parents})
    row: dict[int, float] = {}

    def set_rows(column: list[int]) -> None:
        for k, i in enumerate(column):
            row[i] = k - (len(column) - 1) / 2

    for column in columns:
        set_rows(column)
    best, fewest = dict(row), _badness(edges, depth, row)
    passes = [(level, parents) for level in range(1, len(columns))]  # left to right
    passes += [(level, children) for level in range(len(columns) - 2, -1, -1)]  # and back
    for _ in range(sweeps):
        for level, neighbours in passes:
            columns[level].sort(key=lambda i, nb=neighbours: (_barycentre(nb[i], row, i), row[i]))
            set_rows(columns[level])
            if (badness := _badness(edges, depth, row)) < fewest:
                best, fewest = dict(row), badness
    width, span = max(map(len, columns)), max(depth)
    step = 1 / (width - 1) if width > 1 else 0.0
    return {i: (depth[i] / span if span else 0.5, 0.5 - best[i] * step) for i in sorted(best)}


def _barycentre(neighbours: Sequence[int], row: dict[int, float], node: int) -> float:
    return sum(row[j] for j in neighbours) / len(neighbours) if neighbours else row[node]


def _badness(edges: list[tuple[int, int]], depth: list[int], row: dict[int, float]) -> int:
    """Pairs of crossing edges plus edges that pass within half a spacing of a node."""
    point = {i: (float(depth[i]), row[i]) for i in row}
    count = 0
    for k, (a, b) in enumerate(edges):
        for c, d in edges[k + 1:]:
            if len({a, b, c, d}) == 4 and _cross(point[a], point[b], point[c], point[d]):
                count += 1
        for node, (x, y) in point.items():
            if depth[a] < x < depth[b]:
                t = (x - depth[a]) / (depth[b] - depth[a])
                count += abs(row[a] + t * (row[b] - row[a]) - y) < 0.5 and node not in (a, b)
    return count


def _cross(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float],
           d: tuple[float, float]) -> bool:
    """Whether segments ab and cd cross at a point inside both."""

    def turn(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0
