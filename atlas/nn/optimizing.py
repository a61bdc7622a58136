"""Which optimizer updates each parameter array of a network, and where the network is evaluated.

Training gives every parameter array its own optimizer and state
(:func:`optimizers_for`), as one ``torch.optim`` optimizer per tensor would:

* **Weight decay** goes to the weight matrices only, never to the biases.
* **Matrix-only rules.** ``torch.optim.Muon`` takes only 2-D parameters, and
  its documentation says to train every other parameter with AdamW. So with
  ``--optimizer muon`` the weight matrices get Muon and the biases AdamW
  (:data:`FOR_VECTORS`), both at the run's learning rate, AdamW without decay.
  (Atlas's Muon would accept a bias as a ``1 x n`` matrix; on a vector that is
  normalised momentum, not what anyone trains a bias with.)

**The evaluation point** (:func:`evaluation_params`). Some optimizers keep an
average of their iterates besides the parameters they take gradients at; their
reference's users evaluate the model where the reference says:

* schedule-free SGD and AdamW (``schedulefree``): the package's users call
  ``optimizer.eval()`` before evaluating, which swaps the parameters from
  :math:`y` (where gradients are taken) to the average :math:`x`. Their class
  sets ``evaluate_averaged = True``, and the model is evaluated (tested,
  snapshotted, saved) at ``optimizer.averaged(state)``;
* ASGD (``torch.optim.ASGD``) keeps its average ``ax`` in the state, but
  PyTorch never swaps it in: its users evaluate the parameters, and so does
  atlas (``evaluate_averaged = False``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from atlas import optimizers

#: Optimizer for the 1-D parameters (biases) when the chosen one takes matrices only.
FOR_VECTORS = {"muon": "adamw"}


def optimizers_for(config: Any, model: Any, options: Mapping[str, Any] | None = None,
                   ) -> dict[str, optimizers.Optimizer]:  # fmt: skip
    """One optimizer per parameter array of ``model`` (an :class:`atlas.nn.Sequential`) for a
    :class:`atlas.nn.TrainConfig`: its ``lr``; its ``weight_decay`` on weight matrices, 0
    on biases; a matrix-only optimizer's biases get :data:`FOR_VECTORS`' choice.
    ``options``: other hyperparameters of the chosen optimizer (e.g. L-BFGS's
    ``history_size``), everything else at its default."""
    cls = optimizers.registry.get(config.optimizer)
    if config.weight_decay and not _has_weight_decay(cls):
        raise ValueError(f"optimizer {config.optimizer!r} has no weight_decay hyperparameter")
    result = {}
    for key, value in model.params().items():
        name = config.optimizer
        if value.ndim < 2 and name in FOR_VECTORS:
            name = FOR_VECTORS[name]
        hyper: dict[str, Any] = {"lr": config.lr}
        if name == config.optimizer:
            hyper.update(options or {})
        if _has_weight_decay(optimizers.registry.get(name)):
            hyper["weight_decay"] = config.weight_decay if value.ndim > 1 else 0.0
        result[key] = optimizers.get(name, **hyper)
    return result


def _has_weight_decay(cls: type) -> bool:
    return "weight_decay" in {f.name for f in dataclasses.fields(cls)}


def evaluates_averaged(opts: Mapping[str, optimizers.Optimizer]) -> bool:
    """Whether any of ``opts`` is evaluated at its averaged iterate (schedule-free)."""
    return any(type(opt).evaluate_averaged for opt in opts.values())


def evaluation_params(
    opts: Mapping[str, optimizers.Optimizer],
    states: Mapping[str, optimizers.State],
    params: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The parameters at which the model is evaluated: ``opt.averaged(state)`` for an
    optimizer with ``evaluate_averaged`` (schedule-free's :math:`x`), else the parameters."""
    return {key: (opts[key].averaged(states[key]).astype(value.dtype, copy=False)
                  if type(opts[key]).evaluate_averaged else value)
            for key, value in params.items()}  # fmt: skip
