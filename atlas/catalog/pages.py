"""Figures and data of the chapters *Learning as minimising a loss*, *Layers from scratch* and
*Training on MNIST* (the notes' error table), computed by :mod:`atlas.examples` and drawn by
:mod:`atlas.viz`.

* ``learning/descent``: gradient descent on the one-parameter loss, animated with the
  tangent it follows (:func:`atlas.examples.learning.picture`);
* ``learning/step_sizes``: the same problem at a learning rate too small, about right and
  too large, side by side;
* ``layers/stack``: logistic regression's three pieces with the shape of every array that
  goes forward and of every gradient that comes back (:mod:`atlas.examples.layers_check`);
* ``layers/gradient_check``: the gradient check's error against the step ``h``;
* ``mnist/tables``: the notes' MNIST error table rerun with atlas, one JSON file
  (:func:`atlas.examples.mnist.build`, read back by :func:`atlas.examples.mnist.read`).

Figures are the book's column wide (:data:`atlas.column.COLUMN_INCHES`, shown 672 CSS px
wide), rendered at :data:`atlas.column.DPI` (two device pixels per CSS px), with no text
below 11.5 pt (9 CSS px on a phone, 16 in the column: :mod:`atlas.viz.readable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry, write_alt
from atlas.catalog.mnist_runs import mnist_tables
from atlas.column import DPI

#: The one-parameter problem of *Learning*: one point (x, y).
POINT = {"x": 2.0, "y": 6.0}
#: The two-class data and the model of *Layers* (the seeds the page uses).
TWO_CLASS = {"n": 1000, "test_fraction": 0.1, "data_seed": 0, "model_seed": 1}
#: Seeds of the MNIST table: 3 (the benchmark's 5 would take the render about twice as long).
MNIST_SEEDS = 3


def _png(path: Path) -> Path:
    return path.with_name(path.name + ".png")


def descent(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], x: float,
            y: float, lr: float, b0: float, steps: int, fps: float, dpi: int) -> None:
    """``learning/descent``: the run with its tangents, one frame per iterate."""
    from atlas import optimizers
    from atlas.examples.learning import OneParameterProblem, picture
    from atlas.viz.descent_plots import draw_descent

    problem = OneParameterProblem(x=x, y=y)
    draw_descent(path, formats, picture(problem, optimizers.get("sgd", lr=lr), b0, steps),
                 fps=fps, dpi=dpi)


def step_sizes(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], x: float,
               y: float, lrs: list[float], titles: list[str], b0: float, steps: int,
               dpi: int) -> None:  # fmt: skip
    """``learning/step_sizes``: one panel per learning rate."""
    from atlas import optimizers
    from atlas.examples.learning import OneParameterProblem, picture
    from atlas.viz.descent_plots import step_size_figure
    from atlas.viz.png import save_figure

    problem = OneParameterProblem(x=x, y=y)
    pictures = [picture(problem, optimizers.get("sgd", lr=lr), b0, steps) for lr in lrs]
    save_figure(step_size_figure(pictures, titles, dpi=dpi), _png(path))


def _two_class(n: int, test_fraction: float, data_seed: int, model_seed: int):
    import numpy as np

    from atlas.examples.layers import LogisticRegression, make_two_class

    data = make_two_class(np.random.default_rng(data_seed), n=n, test_fraction=test_fraction)
    return LogisticRegression(np.random.default_rng(model_seed)), data.x_train, data.y_train


def stack(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], n: int,
          test_fraction: float, data_seed: int, model_seed: int, dpi: int) -> None:
    """``layers/stack``: the pieces, the arrays forward and the gradients back."""
    from atlas.examples import layers_check
    from atlas.viz.layer_plots import stack_figure
    from atlas.viz.png import save_figure

    model, x, t = _two_class(n, test_fraction, data_seed, model_seed)
    save_figure(stack_figure(layers_check.stack(model, x, t), dpi=dpi), _png(path))


def gradient_check(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], n: int,
                   test_fraction: float, data_seed: int, model_seed: int, h_min: int,
                   h_max: int, count: int, dpi: int) -> None:  # fmt: skip
    """``layers/gradient_check``: the check's error for ``count`` steps from 10^h_min to
    10^h_max."""
    import numpy as np

    from atlas.examples import layers_check
    from atlas.viz.layer_plots import gradient_check_figure
    from atlas.viz.png import save_figure

    model, x, t = _two_class(n, test_fraction, data_seed, model_seed)
    check = layers_check.gradient_check(model, x, t, np.logspace(h_min, h_max, count))
    save_figure(gradient_check_figure(check, dpi=dpi), _png(path))
    best_h, best = check.best
    write_alt(path, f"The error is {_sci(check.error[0])} at the smallest h, falls to its lowest, "
                    f"{_sci(best)}, at h = {_sci(best_h)}, and is {_sci(check.error[-1])} at "
                    f"h = {_sci(check.h[-1])}.")


def _sci(value: float) -> str:
    """``3e-06`` as ``3e-6``: one significant digit, as the plot's axes read."""
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


#: The step sizes of ``learning/step_sizes``: too small, about right, too large.
STEP_SIZES = {"lrs": [0.02, 0.4, 1.05], "titles": ["too small", "about right", "too large"]}
#: The steps h of ``layers/gradient_check``: 10^-12 to 10^-1, two per decade and the ends.
CHECK_STEPS = {"h_min": -12, "h_max": -1, "count": 23}


def entries(quick: bool = False) -> list[Entry]:
    """Learning's two figures, Layers' two, and the MNIST table."""
    dpi = 40 if quick else DPI
    return [
        Entry("learning/descent", "Gradient descent on one parameter, with the tangent it "
              "follows", descent, "animation",
              {**POINT, "lr": 0.1, "b0": 0.0, "steps": 8, "fps": 1.5, "dpi": dpi},
              alt="A parabola-shaped loss curve over b with its minimum at b = 4 marked by a "
                  "star. A dot steps from b = 0 towards the minimum; at each step an orange "
                  "tangent line touches the curve at the dot, and earlier dots stay behind as "
                  "a trail that gets denser near the bottom."),
        Entry("learning/step_sizes", "Gradient descent with a step size too small, about right "
              "and too large", step_sizes, "image",
              {**POINT, **STEP_SIZES, "b0": 0.0, "steps": 8, "dpi": dpi},
              alt="Three panels, each with the parabola-shaped loss and the iterates of "
                  "gradient descent from b = 0. Left, with a tiny learning rate, the iterates "
                  "creep a short way down the left slope. Middle, with a moderate rate, the "
                  "second iterate is already next to the minimum. Right, with a rate above 1, "
                  "the iterates jump from side to side, climbing higher up the walls with "
                  "every step."),
        Entry("layers/stack", "Logistic regression's layer stack with the shape of every array "
              "and gradient", stack, "image", {**TWO_CLASS, "dpi": dpi},
              alt="Three boxes left to right, Linear (z = xW + b, W 2 by 1, b 1), Sigmoid (p "
                  "= sigma of z) and BCE (L = BCE of p and t). Blue arrows above carry x (900 "
                  "by 2), z (900 by 1), p (900 by 1) and the scalar loss L to the right; "
                  "orange arrows below carry the gradients back to the left with the same "
                  "shapes, starting from dL/dL = 1."),
        Entry("layers/gradient_check", "Back-propagated gradients against central differences, "
              "for every step h", gradient_check, "image", {**TWO_CLASS, **CHECK_STEPS,
                                                            "dpi": dpi},
              alt="A log-log plot of the largest relative error of the gradient check, between "
                  "back-propagated gradients and central differences, against the step h: a "
                  "V-shaped curve.", alt_from_data=True),
        Entry("mnist/tables", "The notes' MNIST error table rerun with atlas", mnist_tables,
              "data", {"dataset": "mnist_small", "seeds": 1 if quick else MNIST_SEEDS,
                       "epochs": 1 if quick else None}),
    ]
