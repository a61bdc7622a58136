"""Worked examples and toy data of the course notes, computed for the book's early chapters.

Each module holds one example, small enough to read next to the chapter that uses it:

* :mod:`~atlas.examples.one_parameter`: one parameter b, one data point, gradient descent
  step by step, and what the learning rate does (chapter 2);
* :mod:`~atlas.examples.least_squares`: a noisy line, fitted by gradient descent and by the
  normal equations (chapter 3);
* :mod:`~atlas.examples.hidden_layer`: back-propagation by hand through one hidden layer of
  sigmoids, equations (1)–(4) of the notes (chapter 3);
* :mod:`~atlas.examples.gradient_cost`: the cost of numerical against back-propagated
  gradients (chapter 4);
* :mod:`~atlas.examples.two_class`: the notes' two-class data and logistic regression built
  from :mod:`atlas.nn` layers (chapter 5);
* :mod:`~atlas.examples.log_softmax`: why log-softmax + NLL is more accurate than
  softmax + cross-entropy, against a 60-digit reference (chapter 5).

Every random draw comes from a :class:`numpy.random.Generator` passed in by the caller.
"""

from __future__ import annotations

from atlas.examples import (
    gradient_cost,
    hidden_layer,
    least_squares,
    log_softmax,
    one_parameter,
    two_class,
)

__all__ = [
    "gradient_cost",
    "hidden_layer",
    "least_squares",
    "log_softmax",
    "one_parameter",
    "two_class",
]
