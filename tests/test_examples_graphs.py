"""Tests of atlas.examples.graphs: the named example graphs against closed forms and central
differences, and the measured cost of the two kinds of gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import graph
from atlas.examples import graphs
from atlas.registry import UnknownNameError

SETTINGS = settings(max_examples=60, deadline=None)
moderate = st.floats(-3.0, 3.0, allow_nan=False)


# --- the named examples, against the mathematics --------------------------------------------


@SETTINGS
@given(a=moderate, b=moderate, x=moderate)
def test_linear_example_against_closed_form(a, b, x):
    y, inputs = graphs.linear_example(a=a, b=b, x=x)
    graph.backward(y)
    assert y.data == pytest.approx(a * x + b, rel=1e-15, abs=1e-15)
    assert [inputs[n].grad for n in "abx"] == [x, 1.0, a]  # ∂y/∂a = x, ∂y/∂b = 1, ∂y/∂x = a


def logistic_closed_form(x1, x2, w1, w2):
    """l = log(1 + e^{-z}) = −log σ(z); ∂l/∂w_i = (σ(z) − 1) x_i, ∂l/∂x_i = (σ(z) − 1) w_i."""
    z = w1 * x1 + w2 * x2
    s = 1 / (1 + math.exp(-z))
    return math.log1p(math.exp(-z)), {"x1": (s - 1) * w1, "x2": (s - 1) * w2,
                                      "w1": (s - 1) * x1, "w2": (s - 1) * x2}


@SETTINGS
@given(x1=moderate, x2=moderate, w1=moderate, w2=moderate)
def test_logistic_example_against_closed_form(x1, x2, w1, w2):
    loss, inputs = graphs.logistic_example(x1=x1, x2=x2, w1=w1, w2=w2)
    graph.backward(loss)
    value, grads = logistic_closed_form(x1, x2, w1, w2)
    assert loss.data == pytest.approx(value, rel=1e-12)
    for name, grad in grads.items():
        assert inputs[name].grad == pytest.approx(grad, rel=1e-10, abs=1e-15)


def test_logistic_example_default_numbers():
    loss, inputs = graphs.logistic_example()
    graph.backward(loss)
    value, grads = logistic_closed_form(1.0, -1.0, 1.0, 0.5)
    assert round(loss.data, 4) == round(value, 4) == 0.4741  # −log σ(0.5) = 0.474077
    assert (round(inputs["w1"].grad, 4), round(inputs["w2"].grad, 4)) == (-0.3775, 0.3775)
    assert (round(inputs["x1"].grad, 4), round(inputs["x2"].grad, 4)) == (-0.3775, -0.1888)
    assert {n: round(x.grad, 4) for n, x in inputs.items()} == {
        n: round(g, 4) for n, g in grads.items()}


def test_linear_example_default_numbers():
    y, inputs = graphs.linear_example()
    graph.backward(y)
    assert (y.data, inputs["a"].grad, inputs["b"].grad, inputs["x"].grad) == (-2, 3, 1, -2)


@pytest.mark.parametrize("name", graphs.names())
def test_examples_registry_and_numerical_gradient(name):
    example = graphs.get(name)
    assert example.name == name and example.latex and "\n" not in example.description
    root, inputs = example.build()
    graph.backward(root)
    calls = []

    def counted(**kw):
        calls.append(kw)
        return example.build(**kw)

    numeric = graph.numerical_gradient(counted, inputs)
    assert len(calls) == 2 * len(inputs)
    for key, x in inputs.items():
        assert numeric[key] == pytest.approx(x.grad, rel=1e-6, abs=1e-9)


def test_unknown_example():
    with pytest.raises(UnknownNameError, match="logistic"):
        graphs.get("logistc")


def test_recording_is_the_trace_of_the_default_example():
    for name in graphs.names():
        assert graphs.recording(name) == graph.trace(graphs.get(name).build()[0])


# -- gradient cost ----------------------------------------------------------------------------


def test_gradient_cost() -> None:
    cost = graphs.measure("3-4-2", np.random.default_rng(0), batch=5)
    assert cost.n_params == (3 + 1) * 4 + (4 + 1) * 2
    assert cost.forward_passes == 2 * cost.n_params
    assert cost.max_relative_error < 1e-6
    assert cost.numerical_seconds > 0 and cost.backprop_seconds > 0 and cost.speedup > 0
    with pytest.raises(ValueError, match="batch"):
        graphs.measure("3-2", np.random.default_rng(0), batch=0)
