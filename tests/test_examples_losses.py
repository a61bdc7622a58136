"""Tests of atlas.examples.losses: the three-way check of softmax + cross-entropy's gradient,
and the naive formulas against atlas where they do not overflow."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from atlas import activations, losses
from atlas.examples import losses as worked

finite = st.floats(-50, 50, allow_nan=False)


# --- naive formulas ------------------------------------------------------------------------


@given(arrays(np.float64, 5, elements=st.floats(-300, 300)))
@settings(max_examples=50, deadline=None)
def test_naive_logsumexp_matches_atlas_when_it_does_not_overflow(x):
    expected = activations.logsumexp(x)[0]
    assert float(worked.naive_logsumexp(x)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_naive_logsumexp_overflows():
    x = np.array([1000.0, 0.0])
    assert worked.naive_logsumexp(x) == math.inf
    assert activations.logsumexp(x)[0] == 1000.0


@given(st.floats(-20, 20), st.sampled_from([0.0, 1.0]))
@settings(max_examples=50, deadline=None)
def test_naive_bce_matches_logits_loss_for_moderate_z(z, t):
    expected = losses.get("bce_with_logits", reduction="none").forward(np.array([z]),
                                                                      np.array([t]))[0]
    assert float(worked.naive_bce_of_logit(z, t)) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_naive_bce_breaks_for_large_logits():
    assert worked.naive_bce_of_logit(40.0, 0.0) == math.inf
    assert math.isnan(worked.naive_bce_of_logit(40.0, 1.0))


# --- the gradient y - t, three ways -----------------------------------------------------------


@given(arrays(np.float64, (3, 4), elements=st.floats(-5, 5)),
       arrays(np.int64, 3, elements=st.integers(0, 3)))
@settings(max_examples=50, deadline=None)
def test_softmax_cross_entropy_checks_agree(z, labels):
    """Moderate logits: the chain through cross_entropy's 1/y stays accurate (for a
    probability near 0 it does not, which the book shows separately)."""
    before = z.copy()
    checks = worked.softmax_cross_entropy_checks(z, labels)
    np.testing.assert_array_equal(z, before)  # central differences work on a copy
    assert checks.formula < 1e-15 and checks.chain < 1e-12
    assert checks.numerical < 1e-8


def test_softmax_cross_entropy_checks_see_a_wrong_gradient(monkeypatch):
    """Each difference is measured, not assumed: halve the fused gradient and all three grow."""
    sce = type(losses.get("softmax_cross_entropy"))
    right = sce.backward
    monkeypatch.setattr(sce, "backward", lambda self, z, t: 0.5 * right(self, z, t))
    checks = worked.softmax_cross_entropy_checks(np.array([[1.0, -2.0, 0.5]]), np.array([0]))
    assert min(checks.formula, checks.chain, checks.numerical) > 0.1


def test_softmax_cross_entropy_checks_refuse_bad_shapes():
    with pytest.raises(ValueError, match="logits"):
        worked.softmax_cross_entropy_checks(np.zeros(3), np.array([0]))
