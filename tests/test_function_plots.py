"""The activation, loss, graph and regression drawings: test the data, not the pixels."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import activations, losses
from atlas.examples import backprop_regression as regression
from atlas.examples import graphs
from atlas.viz import function_plots as fp
from atlas.viz import graph_plots

ELEMENTWISE = [n for n in activations.names() if activations.get(n).elementwise]
ROWWISE = [n for n in activations.names() if not activations.get(n).elementwise]
CLASSIFICATION = [n for n in losses.names() if losses.get(n).kind == "classification"]


def test_mathtext_rewrites_what_mathtext_lacks():
    cases = r"f(x) = \begin{cases} x & x > 0 \\ 0 & x \le 0 \end{cases}"
    assert fp.mathtext(cases) == r"$f(x) = x\ (x > 0);\ 0\ (x \leq 0)$"
    assert fp.mathtext(r"\tfrac{1}{2} x") == r"$\frac{1}{2} x$"
    assert fp.mathtext(r"\begin{bogus}") is None


@pytest.mark.parametrize("name", activations.names())
def test_every_activation_formula_typesets(name):
    assert fp.mathtext(activations.get(name).latex) is not None


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_plot_draws_f_and_its_derivative(name):
    act = activations.get(name)
    fig = fp.activation_figure(act, dpi=30)
    f_line, df_line = fig.axes[0].get_lines()[:2]
    x = f_line.get_xdata()
    np.testing.assert_array_equal(f_line.get_ydata(), act.forward(x))
    np.testing.assert_array_equal(df_line.get_ydata(), act.derivative(x))
    assert act.title in fig.axes[0].get_title()


def test_gallery_has_one_panel_per_elementwise_activation():
    fig = fp.gallery_figure([activations.get(n) for n in ELEMENTWISE], dpi=30)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == [activations.get(n).title for n in ELEMENTWISE]


@pytest.mark.parametrize("name", ROWWISE)
def test_two_class_jacobian_lines_match_finite_differences(name):
    act = activations.get(name)
    fig = fp.two_class_figure(act, dpi=30)
    lines = fig.axes[1].get_lines()[:4]  # ∂y_i/∂z_j for (i, j) = 00, 01, 10, 11
    d = lines[0].get_xdata()
    h = 1e-6
    for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        for index in (0, 150, 200, 333):
            z = np.array([d[index], 0.0])
            step = np.zeros(2)
            step[j] = h
            numeric = (act.forward(z + step)[i] - act.forward(z - step)[i]) / (2 * h)
            assert lines[k].get_ydata()[index] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("target", [0, 1])
def test_loss_gradient_curve_is_the_derivative_of_the_loss_curve(name, target):
    """The plotted gradient (chain rule through backward) = central differences of the loss."""
    loss = losses.get(name, reduction="none")
    if target == 0:
        target = fp.negative_target(loss)
    p, value, grad, _ = fp.loss_curve(loss, target)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    h = 1e-6
    numeric = (fp.loss_curve(loss, target, p + h)[1] - fp.loss_curve(loss, target, p - h)[1]) / (
        2 * h)
    smooth = np.abs(np.abs(p) - 1.0) > 1e-3  # hinge-like kinks at a margin of 1
    np.testing.assert_allclose(grad[smooth], numeric[smooth], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", losses.names())
def test_every_loss_draws(name):
    fig = fp.loss_figure(losses.get(name, reduction="none"), dpi=30)
    expected = 1 if losses.get(name).kind == "regression" else 2
    assert len(fig.axes) == expected
    assert losses.get(name).title in fig.get_suptitle()


@pytest.mark.parametrize(("name", "numbers"), [
    ("linear", ["−2", "3", "4", "−6", "−2"]),
    ("logistic", ["0.4741", "−0.3775", "0.3775"]),
])
def test_graph_frames_show_the_graph_modules_numbers(name, numbers):
    trace = graphs.recording(name)
    frames = graph_plots.graph_frames(trace)
    assert len(frames) == 1 + len(trace.forward_steps) + len(trace.backward_steps)
    last = frames[-1]
    for node in trace.nodes:  # every value and gradient, formatted from the trace
        assert last.values[node.id] == graph_plots.fmt(node.value)
        assert last.grads[node.id] == graph_plots.fmt(node.grad)
    text = " ".join([*last.values.values(), *last.grads.values()])
    for number in numbers:
        assert number in text
    for frame, step in zip(frames[-len(trace.backward_steps):], trace.backward_steps,
                           strict=True):
        assert step.text in frame.caption  # the chain-rule product of this step


def test_logistic_example_numbers_come_from_the_graph_module():
    """The issue quotes loss 0.4740 (the course notes truncate); −log σ(0.5) = 0.474077…
    agrees with it to 4 decimals and is shown correctly rounded, as 0.4741."""
    trace = graphs.recording("logistic")
    assert abs(trace.nodes[-1].value - 0.4740) < 1e-4
    assert graph_plots.fmt(trace.nodes[-1].value) == "0.4741"


def test_regression_backprop_matches_central_differences():
    rng = np.random.default_rng(3)
    x, t = regression.training_data()
    params = {"W1": rng.standard_normal((1, 5)), "b1": rng.standard_normal(5),
              "W2": rng.standard_normal((5, 1)), "b2": rng.standard_normal(1)}
    _, grads = regression.loss_and_grads(params, x, t)
    h = 1e-6
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += h
            minus[name][index] -= h
            numeric = (regression.loss_and_grads(plus, x, t)[0]
                       - regression.loss_and_grads(minus, x, t)[0]) / (2 * h)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_regression_training_is_deterministic_and_learns():
    a = regression.train(10, iterations=300, frames=10, seed=1)
    b = regression.train(10, iterations=300, frames=10, seed=1)
    np.testing.assert_array_equal(a.curves, b.curves)
    assert a.loss[-1] < a.loss[0]
    assert a.iterations[0] == 0 and a.iterations[-1] == 300
    np.testing.assert_array_equal(a.x, np.arange(-3.0, 5.0))


@pytest.mark.parametrize("name", ["linear", "logistic"])
def test_graph_frames_show_each_local_derivative_once_backward_reads_it(name):
    trace = graphs.recording(name)
    frames = graph_plots.graph_frames(trace)
    forward = frames[: 1 + len(trace.forward_steps)]
    assert all(frame.locals == {} for frame in forward)
    assert frames[-1].locals == {(p, c): graph_plots.fmt(v) for p, c, v in trace.edges}
    backward = frames[-len(trace.backward_steps):]
    for frame, step in zip(backward, trace.backward_steps, strict=True):
        assert {(step.node, child) for child in step.reads} <= set(frame.locals)


def test_graph_animation_writes_its_poster(tmp_path):
    frames = graph_plots.draw_graph_animation(tmp_path / "g", ("png",),
                                              graphs.recording("logistic"), hold=1, dpi=30)
    assert (tmp_path / "g.png").is_file() and frames[-1].grads


def test_gradient_profiles_are_drawn_from_the_profiles_they_are_handed():
    from atlas.examples import activations as worked

    profiles = [worked.gradient_profile(name, rng=np.random.default_rng(0), depth=4)
                for name in ("sigmoid", "relu")]
    fig = fp.gradient_profile_figure(profiles, dpi=30)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["sigmoid (xavier init)", "relu (he init)"]
    for line, profile in zip(lines, profiles, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 6))
        np.testing.assert_array_equal(line.get_ydata(), profile.weight_grad_norms)
    assert ax.get_yscale() == "log" and "5 = output layer" in ax.get_xlabel()
