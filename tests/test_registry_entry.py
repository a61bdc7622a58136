"""The shared base of optimizers, activations and losses: one coercion, one input policy."""

import math

import numpy as np
import pytest

from atlas import activations, losses, optimizers
from atlas.registry_entry import RegistryEntry, as_float_array


@pytest.mark.parametrize("registry", [optimizers, activations, losses])
def test_every_entry_derives_from_the_shared_base(registry):
    for name in registry.names():
        assert issubclass(registry.registry.get(name), RegistryEntry)


def test_float_arrays_pass_unchanged():
    x32 = np.arange(3, dtype=np.float32)
    assert as_float_array(x32, "x") is x32


@pytest.mark.parametrize("values", [[1, 2, 3], np.array([1, 2], dtype=np.uint8), [True, False]])
def test_integers_and_bools_become_float(values):
    x = as_float_array(values, "x")
    assert x.dtype == np.float64
    assert x.tolist() == [float(v) for v in values]
    assert as_float_array(values, "x", like=np.zeros(1, np.float32)).dtype == np.float32


@pytest.mark.parametrize("values", [np.array([1j]), np.array(["a"]), np.array([None])])
def test_other_dtypes_are_refused_by_name(values):
    with pytest.raises(ValueError, match="target t must be a real array, got dtype"):
        as_float_array(values, "target t")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_entries_are_refused_unless_in_flight(bad):
    with pytest.raises(ValueError, match="prediction y must be finite"):
        as_float_array([0.0, bad], "prediction y")
    with pytest.raises(ValueError, match="must be finite"):
        losses.get("mse").forward(np.array([0.0, bad]), np.zeros(2))
    assert np.array_equal(as_float_array([0.0, bad], "grad", finite=False), [0.0, bad],
                          equal_nan=True)


def test_a_diverging_step_gives_non_finite_numbers_not_an_error():
    """Trajectories and training detect divergence from the result of a step."""
    opt = optimizers.get("adam")
    params = np.zeros(2)
    with np.errstate(all="ignore"):  # as atlas.trajectory and atlas.nn.train run them
        new, _ = opt.update(np.array([math.inf, 1.0]), opt.init(params), params)
        dx = activations.get("tanh").vjp(np.array([math.inf]), np.array([1.0]),
                                         np.array([math.nan]))
        y = activations.get("relu").forward(np.array([math.inf, -math.inf]))
    assert not np.isfinite(new).all()
    assert not np.isfinite(dx).all()
    assert y.tolist() == [math.inf, 0.0]


def test_activations_take_bools_as_numbers():
    assert activations.get("relu").forward(np.array([True, False])).tolist() == [1.0, 0.0]
    params = np.zeros(2)
    opt = optimizers.get("sgd", lr=0.5)
    new, _ = opt.update(np.array([True, False]), opt.init(params), params)
    assert new.tolist() == [-0.5, 0.0]


def test_hyperparameters_are_coerced_by_one_rule():
    assert activations.get("leaky_relu", negative_slope=1).negative_slope == 1.0
    assert isinstance(activations.get("leaky_relu", negative_slope=1).negative_slope, float)
    assert losses.get("huber", delta=2).delta == 2.0
    with pytest.raises(ValueError, match=r"axis must be an integer, got -1\.0"):
        activations.get("softmax", axis=-1.0)
    for make in (lambda: optimizers.get("adam", lr=True),
                 lambda: activations.get("leaky_relu", negative_slope=True),
                 lambda: losses.get("huber", delta=True)):
        with pytest.raises(ValueError, match="must be a real number, got True"):
            make()
    with pytest.raises(ValueError, match="must be finite, got nan"):
        losses.get("huber", delta=math.nan)


def test_range_checks_show_the_bad_value():
    with pytest.raises(ValueError, match=r"Huber.*delta must be .*, got -1\.0"):
        losses.get("huber", delta=-1)
    with pytest.raises(ValueError, match=r"lr must be >= 0, got -0\.5"):
        optimizers.get("sgd", lr=-0.5)


def test_the_rule_is_appended_to_each_docstring():
    assert "Update rule:" in type(optimizers.get("sgd")).__doc__
    doc = type(activations.get("leaky_relu")).__doc__
    assert "Formula:" in doc and activations.get("leaky_relu").latex.strip() in doc
