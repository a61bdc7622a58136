"""The figures of Learning and Layers: drawn from atlas.examples, readable in the book's
column (the column's width, every text at least 11 CSS px there and 9 px on a phone:
atlas.viz.readable), and the data they draw."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch

from atlas import optimizers
from atlas.examples import layers, layers_check, learning
from atlas.viz import descent_plots, layer_plots, readable
from atlas.viz.png import save_figure

PROBLEM = learning.OneParameterProblem()


def pictures():
    return [learning.picture(PROBLEM, optimizers.get("sgd", lr=lr), 0.0, 8)
            for lr in (0.02, 0.4, 1.05)]


def two_class():
    data = layers.make_two_class(np.random.default_rng(0), n=200, test_fraction=0.1)
    return layers.LogisticRegression(np.random.default_rng(1)), data.x_train, data.y_train


def test_the_tangent_touches_the_curve_at_every_iterate():
    pic = learning.picture(PROBLEM, optimizers.get("sgd", lr=0.1), 0.0, 6, half_width=0.5)
    run = pic.descent
    (b0, l0), (b1, l1) = pic.tangents[:, 0].T, pic.tangents[:, 1].T
    np.testing.assert_allclose((b0 + b1) / 2, run.b)  # centred on b_t
    np.testing.assert_allclose((l0 + l1) / 2, run.loss)  # through (b_t, L(b_t))
    np.testing.assert_allclose((l1 - l0) / (b1 - b0), run.grad)  # with slope L'(b_t)
    assert pic.grid.min() <= run.b.min() and pic.grid.max() >= run.b.max()
    np.testing.assert_allclose(pic.curve, PROBLEM.loss(pic.grid))
    assert [p.regime for p in pictures()] == ["too small", "monotone", "diverging"]


def test_the_stack_records_every_shape():
    model, x, t = two_class()
    linear, sigmoid, bce = layers_check.stack(model, x, t)
    n = len(x)
    assert (linear.input, linear.output, linear.grad_input) == ((n, 2), (n, 1), (n, 2))
    assert linear.params == {"W": (2, 1), "b": (1,)}
    assert (sigmoid.input, sigmoid.output) == ((n, 1), (n, 1))
    assert (bce.output, bce.grad_input, bce.grad_output) == ((), (n, 1), ())


def test_the_gradient_check_is_a_v_with_its_bottom_near_the_cube_root_of_epsilon():
    model, x, t = two_class()
    before = {k: v.copy() for k, v in model.linear.params().items()}
    check = layers_check.gradient_check(model, x, t, np.logspace(-12, -1, 12))
    for key, value in model.linear.params().items():
        np.testing.assert_array_equal(value, before[key])  # the parameters are left alone
    h, error = check.best
    assert 1e-7 <= h <= 1e-3 and error < 1e-8
    assert check.error[0] > 100 * error and check.error[-1] > 100 * error  # both arms rise
    with pytest.raises(ValueError, match="positive"):
        layers_check.gradient_check(model, x, t, [1e-3, 0.0])


def test_figures_fit_the_column_and_are_deterministic(tmp_path):
    model, x, t = two_class()
    check = layers_check.gradient_check(model, x, t, np.logspace(-10, -2, 9))
    made = [lambda: descent_plots.step_size_figure(pictures(), ["a", "b", "c"], dpi=40),
            lambda: layer_plots.stack_figure(layers_check.stack(model, x, t), dpi=40),
            lambda: layer_plots.gradient_check_figure(check, dpi=40)]
    for k, make in enumerate(made):
        figure = make()
        assert figure.get_figwidth() == pytest.approx(descent_plots.COLUMN_INCHES)
        assert readable.too_small(figure, readable.COLUMN_PX) == []
        first = save_figure(figure, tmp_path / f"{k}a.png").read_bytes()
        assert first == save_figure(make(), tmp_path / f"{k}b.png").read_bytes()
    stack = layer_plots.stack_figure(layers_check.stack(model, x, t), dpi=40)
    assert len([p for p in stack.findobj(FancyBboxPatch)]) == 3  # a box per piece
    assert len(descent_plots.step_size_figure(pictures(), ["a", "b", "c"]).axes) == 3


def test_the_descent_animation_has_a_frame_per_iterate(tmp_path):
    import imageio.v3 as iio

    pic = learning.picture(PROBLEM, optimizers.get("sgd", lr=0.1), 0.0, 3)
    written = descent_plots.draw_descent(tmp_path / "descent", ("png", "gif"), pic, dpi=40)
    frames = iio.imread(written["gif"], index=None)
    assert len(frames) == len(pic.descent.b)
    assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
