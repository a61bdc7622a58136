"""Worked examples for the book: small computations a chapter shows but no other module owns.

* :mod:`~atlas.demos.optimizer_steps`: replay an optimizer on a given gradient
  sequence, to show the mechanics of one rule step by step (Adam's first step,
  RAdam's switch, NAdam's momentum schedule, Rprop's sign rule).
* :mod:`~atlas.demos.vanishing_gradients`: the gradient norm of every layer
  of a deep sigmoid or ReLU stack, at its standard initialisation.
* :mod:`~atlas.demos.pitfalls`: formulas as the course notes or a naive
  textbook write them, kept only to show (next to atlas's stable versions)
  where they break.
"""

from __future__ import annotations

from atlas.demos.optimizer_steps import Replay, nadam_momentum, radam_rho, replay
from atlas.demos.pitfalls import (
    naive_bce_of_logit,
    naive_logsumexp,
    notes_mish_derivative,
    notes_softmax_backward,
)
from atlas.demos.vanishing_gradients import GradientProfile, gradient_profile

__all__ = [
    "GradientProfile",
    "Replay",
    "gradient_profile",
    "nadam_momentum",
    "naive_bce_of_logit",
    "naive_logsumexp",
    "notes_mish_derivative",
    "notes_softmax_backward",
    "radam_rho",
    "replay",
]
