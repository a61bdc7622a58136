"""The book's worked examples, one module per chapter: small computations a chapter shows
but no other module owns, so the book never types a number.

* :mod:`~atlas.examples.learning`: one parameter, one data point, gradient descent step by
  step, and what the learning rate does (*Learning as minimising a loss*);
* :mod:`~atlas.examples.backprop`: a noisy line fitted by gradient descent and by the normal
  equations, and back-propagation by hand through one hidden layer (*Backpropagation by hand*);
  :mod:`~atlas.examples.backprop_regression`: the notes' nonlinear regression of sin x, trained
  with snapshots for its animation;
* :mod:`~atlas.examples.graphs`: the named example graphs of :mod:`atlas.graph`, and the cost
  of numerical against back-propagated gradients (*Computation graphs*);
* :mod:`~atlas.examples.layers`: logistic regression on the notes' two-class data, and why
  log-softmax + NLL beats softmax + cross-entropy (*Layers from scratch*);
  :mod:`~atlas.examples.layers_check`: the shapes through its layer stack, and the gradient
  check of its backward rules;
* :mod:`~atlas.examples.optimizers`: an optimizer replayed on a chosen gradient sequence, and
  the schedules inside RAdam and NAdam (*Optimizers*, *Adadelta, Adam and their relatives*);
* :mod:`~atlas.examples.optimizers_modern`: what the optimizers since Adam do inside (averaged
  iterates, sign moves, Prodigy's d, Adafactor's factored moment, Muon as normalised momentum);
* :mod:`~atlas.examples.activations`: vanishing gradients, and the notes' softmax backward and
  Mish derivative (*Activation functions*);
* :mod:`~atlas.examples.losses`: the gradient of softmax + cross-entropy checked three ways, and
  naive formulas that overflow (*Loss functions*);
* :mod:`~atlas.examples.mnist`: the notes' MNIST error table rerun with atlas (*Training on
  MNIST*);
* :mod:`~atlas.examples.exercises` and :mod:`~atlas.examples.exercises_xor`: the notes'
  exercises solved, among them the XOR network (*Exercises*).

Every random draw comes from a :class:`numpy.random.Generator` passed in by the caller.
"""

from __future__ import annotations

from atlas.examples import (
    activations,
    backprop,
    backprop_regression,
    exercises,
    exercises_xor,
    graphs,
    layers,
    layers_check,
    learning,
    losses,
    mnist,
    optimizers,
    optimizers_modern,
)

__all__ = [
    "activations",
    "backprop",
    "backprop_regression",
    "exercises",
    "exercises_xor",
    "graphs",
    "layers",
    "layers_check",
    "learning",
    "losses",
    "mnist",
    "optimizers",
    "optimizers_modern",
]
