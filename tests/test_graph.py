"""Tests of the scalar computation graph: every gradient against closed forms, autograd
(an independent differentiator, fed formulas written again here) and central differences."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import graph
from atlas.examples import graphs
from atlas.examples.graphs import linear_example, logistic_example
from atlas.graph import Value, fmt

SETTINGS = settings(max_examples=60, deadline=None)
moderate = st.floats(-3.0, 3.0, allow_nan=False)
# autograd's own formulas (e.g. -a/b**2) underflow below this, so the op tests stay above it
normal = moderate.filter(lambda x: x == 0 or abs(x) > 1e-100)

# Each operation written a second time, in autograd.numpy, some by a different formula.
REFERENCE = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "square": lambda a: a**2,
    "exp": anp.exp,
    "log": anp.log,
    "neg_log": lambda p: -anp.log(p),
    "sigmoid": lambda a: 0.5 * (anp.tanh(a / 2) + 1),
    "tanh": lambda a: anp.sinh(a) / anp.cosh(a),
    "relu": lambda a: anp.where(a > 0, a, 0.0),
    "sqrt": anp.sqrt,
}


def run(program, leaves, apply):
    """Replay a program [(op name, argument indices)] on leaves; the last node is the output."""
    nodes = list(leaves)
    for name, args in program:
        nodes.append(apply(name, *(nodes[i] for i in args)))
    return nodes[-1]


def apply_graph(name, *args):
    return graph.ops.get(name).apply(*args)


def smooth_around(op, args, delta=1e-3):
    """Whether the op is defined and its local derivatives barely change within ±delta."""
    base = op.apply(*args).local_grads
    for j in range(len(args)):
        for d in (-delta, delta):
            shifted = [a + d if k == j else a for k, a in enumerate(args)]
            try:
                grads = op.apply(*shifted).local_grads
            except ValueError:
                return False
            if any(abs(g - g0) > 0.1 * abs(g0) + 1e-2 for g, g0 in zip(grads, base, strict=True)):
                return False
    return True


#: Largest |value| a generated program keeps: the reference tanh, sinh/cosh, has a
#: derivative over cosh(a)**2, which overflows past |a| = 355 (atlas's does not).
MODERATE = 300.0


@st.composite
def programs(draw, max_steps=8):
    """Random expressions over every registered op, kept where they are smooth and moderate."""
    leaves = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=3))
    nodes, program = [Value(x) for x in leaves], []
    for _ in range(draw(st.integers(1, max_steps))):
        op = graph.ops.get(draw(st.sampled_from(graph.ops.names())))
        first = draw(st.integers(max(0, len(nodes) - 2), len(nodes) - 1))  # grow deep chains
        args = (first, *(draw(st.integers(0, len(nodes) - 1)) for _ in range(op.arity - 1)))
        try:
            out = op.apply(*(nodes[i] for i in args))
        except ValueError:
            continue
        if abs(out.data) <= MODERATE and smooth_around(op, [nodes[i].data for i in args]):
            nodes.append(out)
            program.append((op.name, args))
    return leaves, program


def reference_gradient(program, leaves):
    def f(xs):
        return run(program, [xs[i] for i in range(len(leaves))],
                   lambda name, *a: REFERENCE[name](*a))

    with np.errstate(all="raise", under="ignore"):
        return autograd.grad(f)(np.array(leaves, dtype=np.float64))


# --- the operations ---------------------------------------------------------------------


def test_every_op_has_an_independent_reference_and_a_formula():
    assert set(graph.ops.names()) == set(REFERENCE)
    for name, op in graph.ops.items():
        assert op.name == name and op.latex.strip() and op.description.strip()
        assert "\n" not in op.description and op.arity in (1, 2)


@pytest.mark.parametrize("name", graph.ops.names())
@SETTINGS
@given(args=st.lists(normal, min_size=2, max_size=2))
def test_op_value_and_local_derivatives_match_autograd_and_differences(name, args):
    op = graph.ops.get(name)
    args = args[: op.arity]
    try:
        node = op.apply(*args)
    except ValueError:
        return  # outside the op's domain; see test_domain_errors
    with np.errstate(all="raise", under="ignore"):
        assert node.data == pytest.approx(float(REFERENCE[name](*args)), rel=1e-12, abs=1e-300)
        for j in range(op.arity):
            def along(t, j=j):
                return REFERENCE[name](*(t if k == j else a for k, a in enumerate(args)))

            exact = float(autograd.grad(along)(float(args[j])))
            assert node.local_grads[j] == pytest.approx(exact, rel=1e-10, abs=1e-14)
    if smooth_around(op, args):
        for j in range(op.arity):
            h = 1e-6
            up = op.apply(*(a + h if k == j else a for k, a in enumerate(args))).data
            down = op.apply(*(a - h if k == j else a for k, a in enumerate(args))).data
            numeric = (up - down) / (2 * h)
            assert node.local_grads[j] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("k", [-2.0, -1.0, 0.5, 1.5, 2.0, 3.0])
@SETTINGS
@given(a=st.floats(0.1, 3.0))
def test_power_matches_autograd(k, a):
    for x in (a, -a) if float(k).is_integer() else (a,):
        node = Value(x) ** k
        assert node.data == pytest.approx(x**k, rel=1e-14)
        assert node.local_grads[0] == pytest.approx(
            float(autograd.grad(lambda t, k=k: t**k)(x)), rel=1e-12)


def test_operators_with_plain_numbers():
    x = Value(3.0, "x")
    cases = [(2 - x, -1.0, -1.0), (x - 2, 1.0, 1.0), (2 / x, 2 / 3, -2 / 9), (x / 2, 1.5, 0.5),
             (3 * x, 9.0, 3.0), (x * 3, 9.0, 3.0), (1 + x, 4.0, 1.0), (x + 1, 4.0, 1.0),
             (-x, -3.0, -1.0), (x**2, 9.0, 6.0), (graph.square(x), 9.0, 6.0)]
    for y, value, slope in cases:
        graph.backward(y)
        assert (y.data, x.grad) == pytest.approx((value, slope), rel=1e-15)
    assert [p.label for p in (2 - x).parents] == ["2", "x"]


def test_extreme_inputs_stay_finite_and_accurate():
    for a in (-700.0, -40.0, 40.0, 700.0):
        s = graph.sigmoid(a)
        true_local = math.exp(-abs(a)) / (1 + math.exp(-abs(a))) ** 2
        assert s.local_grads[0] == pytest.approx(true_local, rel=1e-12)
        t = graph.tanh(a / 20)
        assert t.local_grads[0] == pytest.approx(1 / math.cosh(a / 20) ** 2, rel=1e-12)
    assert graph.sigmoid(-700.0).data == pytest.approx(math.exp(-700.0), rel=1e-12)
    assert graph.relu(0.0).local_grads == (0.0,)


@pytest.mark.parametrize("build, bad", [
    (lambda: graph.log(0.0), "0.0"), (lambda: graph.log(-1.0), "-1.0"),
    (lambda: graph.neg_log(0.0), "0.0"), (lambda: Value(1.0) / 0.0, "0.0"),
    (lambda: graph.power(-2.0, 0.5), "-2.0"), (lambda: graph.power(0.0, -1.0), "0.0"),
    (lambda: graph.power(2.0, math.inf), "inf"), (lambda: graph.exp(1000.0), "1000.0"),
    (lambda: graph.power(1e200, 2), "1e+200"), (lambda: Value(1e308) * 10, "inf"),
    (lambda: Value(math.nan), "nan"),
])
def test_domain_errors_name_the_bad_value(build, bad):
    with pytest.raises(ValueError, match=bad.replace("+", r"\+")):
        build()


# --- backpropagation ----------------------------------------------------------------------


@SETTINGS
@given(case=programs())
def test_backward_matches_autograd_and_numerical_gradient(case):
    leaves, program = case
    inputs = [Value(x) for x in leaves]
    root = run(program, inputs, apply_graph)
    graph.backward(root)
    grads = np.array([x.grad for x in inputs])
    scale = 1 + np.abs(grads).max() + abs(root.data)
    np.testing.assert_allclose(grads, reference_gradient(program, leaves), rtol=1e-9,
                               atol=1e-12 * scale)
    numeric = graph.numerical_gradient(
        lambda **kw: run(program, [kw[f"x{i}"] for i in range(len(leaves))], apply_graph),
        {f"x{i}": x for i, x in enumerate(leaves)})
    np.testing.assert_allclose(grads, list(numeric.values()), rtol=1e-6, atol=1e-8 * scale)


def test_a_node_used_twice_accumulates():
    x = Value(3.0, "x")
    square_by_reuse = x * x
    graph.backward(square_by_reuse)
    assert x.grad == 6.0  # d(x·x)/dx = x + x
    h = Value(0.7, "h")
    diamond = graph.tanh(h) * graph.exp(h) + h  # h feeds three children
    graph.backward(diamond)
    t = math.tanh(0.7)
    assert h.grad == pytest.approx((1 - t * t) * math.exp(0.7) + t * math.exp(0.7) + 1, rel=1e-14)


def test_a_second_backward_does_not_double_count():
    root, inputs = logistic_example()
    graph.backward(root)
    first = {name: x.grad for name, x in inputs.items()}
    order = graph.backward(root)
    assert {name: x.grad for name, x in inputs.items()} == first
    assert order[0] is root and root.grad == 1.0


@SETTINGS
@given(case=programs())
def test_topological_order_puts_parents_first_and_each_node_once(case):
    leaves, program = case
    root = run(program, [Value(x) for x in leaves], apply_graph)
    order = graph.topological_order(root)
    assert order[-1] is root and len(set(map(id, order))) == len(order)
    position = {id(node): i for i, node in enumerate(order)}
    reachable, stack = set(), [root]
    while stack:
        node = stack.pop()
        reachable.add(id(node))
        stack.extend(node.parents)
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
    assert reachable == set(position)


def test_deep_graphs_need_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    graph.backward(y)
    assert x.grad == pytest.approx(1.0001**5000, rel=1e-10)


# --- numerical gradients -----------------------------------------------------------------


def test_numerical_gradient_rejects_a_bad_step():
    for h in (0.0, -1e-6, math.nan):
        with pytest.raises(ValueError, match="step h"):
            graph.numerical_gradient(lambda x: x, {"x": 1.0}, h=h)


# --- the recording for the animation ----------------------------------------------------------


def traces():
    yield graph.trace(linear_example()[0])
    yield graph.trace(logistic_example()[0])
    x, w = Value(1.5, "x"), Value(-0.5, "w")
    yield graph.trace((graph.sigmoid(x * w) * x - graph.exp(w) / x).named("y"))


@pytest.mark.parametrize("recording", list(traces()), ids=lambda t: t.title)
def test_trace_structure_and_step_texts(recording):
    nodes = recording.nodes
    assert [n.id for n in nodes] == list(range(len(nodes)))
    assert all(p < n.id for n in nodes for p in n.parents)  # topological ids
    assert {(p, c) for p, c, _ in recording.edges} == {(p, n.id) for n in nodes for p in n.parents}
    ops = [n.id for n in nodes if n.parents]
    assert [s.node for s in recording.forward_steps] == ops
    for step in recording.forward_steps:
        node = nodes[step.node]
        assert step.reads == node.parents and step.text.endswith(f" = {fmt(node.value)}")
        assert all(fmt(nodes[p].value).lstrip("−") in step.text for p in node.parents)
    assert [s.node for s in recording.backward_steps] == list(range(len(nodes)))[::-1]
    out = nodes[-1].label
    assert recording.backward_steps[0].text == f"∂{out}/∂{out} = 1"
    done = {nodes[-1].id}
    for step in recording.backward_steps[1:]:
        node = nodes[step.node]
        assert set(step.reads) <= done  # every gradient it uses is already known
        assert step.text.startswith(f"∂{out}/∂{node.label} = ")
        assert step.text.endswith(f" = {fmt(node.grad)}")
        locals_ = [local for p, c, local in recording.edges if p == node.id]
        assert len(step.reads) == len(locals_) == step.text.count(" + ") // 2 + 1
        for child, local in zip(step.reads, locals_, strict=True):
            assert fmt(nodes[child].grad) in step.text and fmt(local) in step.text
        assert node.grad == pytest.approx(sum(nodes[c].grad * local for c, local in
                                              zip(step.reads, locals_, strict=True)), rel=1e-15)
        done.add(node.id)


def test_trace_texts_of_the_logistic_example():
    recording = graph.trace(logistic_example()[0])
    assert recording.title == "l = −log(σ(w1·x1 + w2·x2))"
    texts = [s.text for s in recording.backward_steps]
    assert "∂l/∂w1 = ∂l/∂u1 · ∂u1/∂w1 = −0.3775 · 1 = −0.3775" in texts
    assert "∂l/∂w2 = ∂l/∂u2 · ∂u2/∂w2 = −0.3775 · (−1) = 0.3775" in texts
    assert recording.forward_steps[-1].text == "l = −log(p) = −log(0.6225) = 0.4741"
    assert graph.trace(linear_example()[0]).title == "y = a·x + b"


def test_titles_bracket_only_where_precedence_needs():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    assert graph.trace(((a + b) * c).named("y")).title == "y = (a + b)·c"
    assert graph.trace((a - (b - c)).named("y")).title == "y = a − (b − c)"
    assert graph.trace(((-a) ** 2).named("y")).title == "y = (−a)²"
    assert graph.trace((a * b + c / a).named("y")).title == "y = a·b + c/a"


def crossings(recording):
    pos, edges = recording.layout, [(p, c) for p, c, _ in recording.edges]

    def turn(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return sum(turn(pos[a], pos[b], pos[c]) * turn(pos[a], pos[b], pos[d]) < 0
               and turn(pos[c], pos[d], pos[a]) * turn(pos[c], pos[d], pos[b]) < 0
               for k, (a, b) in enumerate(edges) for c, d in edges[k + 1:]
               if len({a, b, c, d}) == 4)


@SETTINGS
@given(case=programs(max_steps=10))
def test_layout_goes_left_to_right_inside_the_unit_square(case):
    leaves, program = case
    root = run(program, [Value(x, f"x{i}") for i, x in enumerate(leaves)], apply_graph)
    recording = graph.trace(root)
    pos = recording.layout
    assert sorted(pos) == [n.id for n in recording.nodes]
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pos.values())
    assert all(pos[p][0] < pos[c][0] for p, c, _ in recording.edges)
    depth = {n.id: n.depth for n in recording.nodes}
    for n in recording.nodes:  # depth is the longest path from an input
        assert n.depth == (1 + max(depth[p] for p in n.parents) if n.parents else 0)
    columns = {}
    for x, y in pos.values():
        columns.setdefault(x, []).append(y)
    ys_by_column = [sorted(ys) for ys in columns.values()]
    spacings = {round(b - a, 12) for ys in ys_by_column for a, b in pairwise(ys)}
    assert len(spacings) <= 1 and all(s > 0 for s in spacings)  # evenly spread, one spacing
    again = graph.trace(run(program, [Value(x, f"x{i}") for i, x in enumerate(leaves)],
                            apply_graph))
    assert again == recording  # deterministic, down to every number and position


def test_examples_are_laid_out_without_crossings():
    for name in graphs.names():
        recording = graphs.recording(name)
        assert crossings(recording) == 0
        assert recording.layout[recording.root] == (1.0, 0.5)


def test_barycentre_ordering_untangles_a_crossed_graph():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    root = ((a * c).named("p") * (a * b).named("q")).named("y")  # inputs first met: a, c, b
    recording = graph.trace(root)
    parents = [n.parents for n in recording.nodes]
    unswept = graph.layout(parents, sweeps=0)  # column order a, c, b: a→q crosses c→p
    assert crossings(replace(recording, layout=unswept)) == 1
    assert crossings(recording) == 0
    assert recording.layout == graph.layout(parents)
