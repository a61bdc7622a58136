"""Training with every optimizer: `atlas train --optimizer NAME`, the optimizer of each parameter
array (Muon's biases), and where a model is evaluated (schedule-free's x, ASGD's parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from atlas import cli, nn, optimizers
from atlas.nn import results
from atlas.nn.optimizing import FOR_VECTORS, evaluation_params, optimizers_for
from atlas.nn.train import TrainConfig, train

SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-small"


@dataclass(frozen=True)
class Blobs:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "blobs"
    classes: tuple[str, ...] = ("a", "b", "c")


def blobs(seed: int = 0) -> Blobs:
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((3, 8))
    y = rng.integers(0, 3, 300)
    x = (centres[y] + rng.standard_normal((300, 8))).astype(np.float32)
    return Blobs(x[:240], y[:240], x[240:], y[240:])


@pytest.mark.skipif(not SMALL.is_dir(), reason=f"{SMALL} not present")
@pytest.mark.parametrize("name", optimizers.names())
def test_atlas_train_works_with_every_optimizer(name, tmp_path, capsys):
    out = tmp_path / name
    status = cli.main(["train", "--dataset", str(SMALL), "--optimizer", name, "--model",
                       "784-32-10", "--epochs", "1", "--limit", "200", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    saved = results.load_run(out)
    assert saved.info["status"] == "ok" and saved.info["config"]["optimizer"] == name
    assert 0.0 <= saved.info["final"]["test_accuracy"] <= 1.0


def test_muon_trains_weight_matrices_and_gives_biases_to_adamw():
    config = TrainConfig(model="8-16-3", optimizer="muon", lr=0.02, weight_decay=0.01)
    model = nn.mlp(config.model, "relu", rng=np.random.default_rng(0))
    opts = optimizers_for(config, model)
    for key, value in model.params().items():
        if value.ndim == 2:
            assert opts[key] == optimizers.get("muon", lr=0.02, weight_decay=0.01)
        else:
            assert opts[key] == optimizers.get(FOR_VECTORS["muon"], lr=0.02, weight_decay=0.0)
    result = train(TrainConfig(model="8-16-3", optimizer="muon", lr=0.02, epochs=3), blobs(),
                   progress=False)
    assert result.status == "ok" and result.final["test_accuracy"] > 0.8


def test_options_set_other_hyperparameters_of_the_chosen_optimizer_only():
    config = TrainConfig(model="8-16-3", optimizer="lbfgs", lr=0.5)
    model = nn.mlp(config.model, "relu", rng=np.random.default_rng(0))
    opts = optimizers_for(config, model, {"history_size": 7})
    assert {o.history_size for o in opts.values()} == {7} and {o.lr for o in opts.values()} == {0.5}
    with pytest.raises(ValueError, match="history_size"):
        optimizers_for(config, model, {"history_size": 0})


def _by_hand(config: TrainConfig, data: Blobs) -> tuple[dict, dict, dict]:
    """The training loop written plainly: ``(opts, states, params)`` after the last step."""
    init_rng, shuffle_rng, _ = np.random.default_rng(config.seed).spawn(3)
    model = nn.mlp(config.model, config.activation, rng=init_rng)
    opts = optimizers_for(config, model)
    params = model.params()
    states = {k: opts[k].init(v) for k, v in params.items()}
    for _ in range(config.epochs):
        order = shuffle_rng.permutation(len(data.x_train))
        for start in range(0, len(order), config.batch_size):
            index = order[start:start + config.batch_size]
            model.loss_and_grads(data.x_train[index], data.y_train[index], train=True)
            grads = model.grads()
            for k in params:
                params[k], states[k] = opts[k].update(grads[k], states[k], params[k])
            model.set_params(params)
    return opts, states, params


@pytest.mark.parametrize("name", ["schedule_free_sgd", "schedule_free_adamw"])
def test_schedule_free_is_tested_and_returned_at_its_average_x(name):
    config = TrainConfig(model="8-16-3", optimizer=name, lr=0.05, epochs=2, batch_size=40,
                         snapshot_every=3)
    data = blobs()
    result = train(config, data, progress=False)
    opts, states, y = _by_hand(config, data)
    x = {k: opts[k].averaged(states[k]) for k in y}
    got = result.model.params()
    for k in y:
        np.testing.assert_array_equal(got[k], x[k])
        assert not np.array_equal(got[k], y[k])  # the average, not the gradient point
    np.testing.assert_array_equal(result.trajectory[-1], result.model.flat_params())
    _, accuracy = nn.evaluate(result.model, data.x_test, data.y_test)
    assert result.final["test_accuracy"] == accuracy == result.history["test_accuracy"][-1]


def test_asgd_is_evaluated_at_its_parameters_not_its_average():
    asgd = optimizers.get("asgd", t0=0.0)  # averaging from the first steps: ax != params
    theta = np.array([1.0, -2.0])
    state = asgd.init(theta)
    for g in ([1.0, 1.0], [0.5, -1.0], [2.0, 0.0]):
        theta, state = asgd.update(np.array(g), state, theta)
    assert not np.array_equal(asgd.averaged(state), theta)
    point = evaluation_params({"w": asgd}, {"w": state}, {"w": theta})
    np.testing.assert_array_equal(point["w"], theta)
    free = optimizers.get("schedule_free_sgd")
    free_state = free.init(theta)
    theta2, free_state = free.update(np.array([1.0, 1.0]), free_state, theta)
    point = evaluation_params({"w": free}, {"w": free_state}, {"w": theta2})
    np.testing.assert_array_equal(point["w"], free.averaged(free_state))
