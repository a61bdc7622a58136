"""Neural networks from scratch: layers, an MLP builder, training, metrics, saved runs.

::

    import numpy as np
    from atlas import data, nn

    dataset = data.load("mnist")
    config = nn.TrainConfig(model="784-200-200-10", activation="relu", optimizer="adam")
    result = nn.train(config, dataset)
    nn.save_run(result, "runs/mnist")

Every parameter is updated by an optimizer of :mod:`atlas.optimizers`, one
state per parameter array; activations come from :mod:`atlas.activations`
and the loss from :mod:`atlas.losses`.
"""

from __future__ import annotations

from atlas.nn import metrics, schedules
from atlas.nn.gradcheck import GradientCheck, gradient_check, numerical_gradient, relative_error
from atlas.nn.layers import ActivationLayer, Dropout, Layer, Linear
from atlas.nn.model import Sequential, mlp, parse_spec, spec_string
from atlas.nn.results import RunWriter, SavedRun, load_run, run_name, save_run
from atlas.nn.train import TrainConfig, TrainResult, as_features, evaluate, train

__all__ = [
    "ActivationLayer",
    "Dropout",
    "GradientCheck",
    "Layer",
    "Linear",
    "RunWriter",
    "SavedRun",
    "Sequential",
    "TrainConfig",
    "TrainResult",
    "as_features",
    "evaluate",
    "gradient_check",
    "load_run",
    "metrics",
    "mlp",
    "numerical_gradient",
    "parse_spec",
    "relative_error",
    "run_name",
    "save_run",
    "schedules",
    "spec_string",
    "train",
]
