"""Bad input gets a clear message, and normal work emits no warning (issue 9, "Nothing lost").

Each test names a case that used to end in a raw error from deep inside numpy or
Python (an AxisError, an AttributeError about a missing field), or in a warning
printed to the user's terminal.
"""

from __future__ import annotations

import numpy as np
import pytest

import atlas
from atlas import nn
from atlas.activations.softmax import log_softmax, softmax

pytestmark = pytest.mark.filterwarnings("error")


# --- softmax and log-softmax ----------------------------------------------------------------


@pytest.mark.parametrize("f", [softmax, log_softmax])
@pytest.mark.parametrize("x", [[], np.zeros((2, 0)), np.zeros((3, 0, 2))])
def test_softmax_of_no_scores_is_a_clear_error(f, x):
    axis = -1 if np.ndim(x) < 3 else 1
    with pytest.raises(ValueError, match=r"at least one score along axis .*got shape"):
        f(x, axis=axis)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_activations_refuse_no_scores_and_a_bad_axis(name):
    activation = atlas.activations.get(name)
    with pytest.raises(ValueError, match="at least one score"):
        activation.forward(np.array([]))
    with pytest.raises(ValueError, match="at least one score"):
        activation.jacobian(np.array([]))
    with pytest.raises(ValueError, match=r"axis 2 is out of range for a 2-D x.*-2 to 1"):
        (softmax if name == "softmax" else log_softmax)(np.zeros((2, 3)), axis=2)


@pytest.mark.parametrize("f", [softmax, log_softmax])
def test_an_empty_batch_of_rows_is_still_fine(f):
    assert f(np.zeros((0, 3))).shape == (0, 3)


def test_softmax_and_log_softmax_treat_a_scalar_alike_as_one_score():
    """A 0-d x is one score (as in torch): probability 1, log-probability 0."""
    for x in (np.array(3.0), 3.0, np.float32(-2.0)):
        assert np.shape(softmax(x)) == np.shape(log_softmax(x)) == ()
        assert softmax(x) == 1.0 and log_softmax(x) == 0.0
        assert softmax(x, axis=0) == 1.0 and log_softmax(x, axis=0) == 0.0
    for f in (softmax, log_softmax):
        with pytest.raises(ValueError, match=r"axis 1 is out of range for a 0-D x"):
            f(np.array(3.0), axis=1)


@pytest.mark.parametrize("name", ["cross_entropy", "softmax_cross_entropy", "nll"])
def test_class_losses_refuse_rows_without_classes(name):
    loss = atlas.losses.get(name)
    for y, t in ((np.zeros(0), np.zeros(0)), (np.zeros((2, 0)), np.zeros((2, 0))),
                 (np.zeros((2, 0)), np.zeros(2, dtype=int))):
        with pytest.raises(ValueError, match="at least one class"):
            loss.forward(y, t)


def test_predicted_probabilities_of_no_images_have_the_class_axis():
    model = nn.mlp("4-3-2", rng=np.random.default_rng(0))
    assert model.predict_logits(np.zeros((0, 4))).shape == (0, 2)
    assert model.predict_proba(np.zeros((0, 4))).shape == (0, 2)
