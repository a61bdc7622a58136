"""The training loop, saved runs, and the ``atlas train`` command line."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from atlas import cli, nn
from atlas.cache import write_atomic
from atlas.nn import results
from atlas.nn.train import TrainConfig, optimizers_for, train
from atlas.optimizers import state

SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-small"


@dataclass(frozen=True)
class Blobs:
    """Three Gaussian blobs in 8 dimensions: a tiny, learnable classification problem."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "blobs"
    classes: tuple[str, ...] = ("a", "b", "c")


def blobs(n_train: int = 240, n_test: int = 60, seed: int = 0) -> Blobs:
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((3, 8))

    def sample(n):
        y = rng.integers(0, 3, n)
        return (centres[y] + rng.standard_normal((n, 8))).astype(np.float32), y

    x_train, y_train = sample(n_train)
    x_test, y_test = sample(n_test)
    return Blobs(x_train, y_train, x_test, y_test)


TINY = TrainConfig(model="8-16-3", epochs=3, batch_size=32, lr=1e-2, seed=4)


def quiet(config, data=None):
    return train(config, blobs() if data is None else data, progress=False)


def test_training_learns_and_records_curves():
    result = quiet(TINY)
    assert result.status == "ok"
    assert result.history["epoch"] == [1, 2, 3]
    assert result.final["test_accuracy"] > 0.9
    assert result.history["test_loss"][-1] < result.history["test_loss"][0]
    assert np.array(result.final["confusion_matrix"]).sum() == 60
    assert len(result.final["class_report"]["f1"]) == 3


def textbook_train(config, data):
    """The training loop written plainly (no reuse of train's bookkeeping): per epoch a
    permutation, per minibatch forward/backward and one optimizer update per array."""
    init_rng, shuffle_rng, dropout_rng = np.random.default_rng(config.seed).spawn(3)
    dtype = np.dtype(config.dtype)
    model = nn.mlp(config.model, config.activation, rng=init_rng, dropout=config.dropout,
                   dtype=dtype)
    opts = optimizers_for(config, model)
    states = {k: opts[k].init(v) for k, v in model.params().items()}
    x = np.asarray(data.x_train, dtype=dtype)
    onehot = np.eye(3, dtype=dtype)[data.y_train]
    schedule = nn.schedules.get(config.schedule)
    n, step, curve = len(x), 0, []
    total = -(-n // config.batch_size) * config.epochs
    for _ in range(config.epochs):
        order = shuffle_rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for start in range(0, n, config.batch_size):
            index = order[start : start + config.batch_size]
            lr = config.lr * schedule.factor(step, total)
            loss, logits = model.loss_and_grads(x[index], onehot[index], rng=dropout_rng)
            for key, theta in model.params().items():
                opt = replace(opts[key], lr=lr)
                new, states[key] = opt.update(model.grads()[key], states[key], theta)
                model.set_params({key: new})
            step += 1
            loss_sum += loss * len(index)
            correct += int(np.sum(logits.argmax(axis=1) == data.y_train[index]))
        curve.append((loss_sum / n, correct / n))
    return model, curve


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize(("optimizer", "weight_decay"), [("adam", 0.0), ("adamw", 1e-3),
                                                         ("muon", 1e-3)])  # fmt: skip
def test_train_equals_the_textbook_loop(schedule, dropout, optimizer, weight_decay):
    """train's streamlined loop gives the very bytes and curves of the plain loop, also where
    the arrays' optimizers differ (decay on the weights only; Muon's biases take AdamW)."""
    config = replace(TINY, schedule=schedule, dropout=dropout, batch_size=50,  # last batch: 40
                     optimizer=optimizer, weight_decay=weight_decay)
    result = quiet(config)
    model, curve = textbook_train(config, blobs())
    assert result.model.flat_params().tobytes() == model.flat_params().tobytes()
    assert result.history["train_loss"] == [loss for loss, _ in curve]
    assert result.history["train_accuracy"] == [accuracy for _, accuracy in curve]


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_same_seed_gives_identical_weight_bytes(dropout):
    config = replace(TINY, dropout=dropout, schedule="cosine")
    first, second = quiet(config), quiet(config)
    a, b = first.model.params(), second.model.params()
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    assert first.history["train_loss"] == second.history["train_loss"]
    other = quiet(replace(config, seed=5)).model.params()
    assert any(a[k].tobytes() != other[k].tobytes() for k in a)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_huge_learning_rate_is_reported_as_divergence(optimizer, tmp_path):
    config = replace(TINY, optimizer=optimizer, lr=1e30, epochs=5)
    result = quiet(config)  # warnings are errors here: no RuntimeWarning may escape
    assert result.status == "diverged"
    assert "diverged" in result.message and "smaller learning rate" in result.message
    assert result.final == {}
    for values in result.history.values():
        assert all(np.isfinite(values))
    path = results.save_run(result, tmp_path)
    saved = json.loads(path.read_text())  # the JSON holds no NaN (save_run refuses them)
    assert saved["status"] == "diverged" and saved["files"]["weights"] is None


def test_float64_and_weight_decay_per_parameter():
    result = quiet(replace(TINY, dtype="float64", weight_decay=1e-3, optimizer="sgd"))
    assert all(v.dtype == np.float64 for v in result.model.params().values())
    opts = optimizers_for(replace(TINY, weight_decay=1e-3), result.model)
    assert opts["0.W"].weight_decay == 1e-3 and opts["0.b"].weight_decay == 0.0
    with pytest.raises(ValueError, match="weight_decay"):
        quiet(replace(TINY, optimizer="rprop", weight_decay=1e-3))


def test_a_scheduled_run_works_out_each_state_layout_once(monkeypatch):
    """A new rate every step makes new optimizers, but no new state layout (init on zeros of
    a parameter's shape, which update checks a state against): one per array here."""
    monkeypatch.setattr(state, "_LAYOUTS", {})
    result = quiet(replace(TINY, schedule="cosine", optimizer="adamw", weight_decay=1e-3))
    assert len(result.history["lr"]) == 3 and len(set(result.history["lr"])) == 3
    assert sorted(key[-1] for key in state._LAYOUTS) == [(3,), (8, 16), (16,), (16, 3)]


def test_cosine_schedule_lowers_the_learning_rate():
    result = quiet(replace(TINY, schedule="cosine"))
    lrs = result.history["lr"]
    assert lrs[0] < TINY.lr and lrs[-1] < lrs[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("epochs", 0, "epochs"), ("batch_size", 2.5, "batch_size"), ("lr", -1.0, "lr"),
     ("lr", float("nan"), "lr"), ("dropout", 1.0, "dropout"), ("dtype", "float16", "dtype"),
     ("model", "8-x-3", "spec"), ("seed", -1, "seed"), ("init", "zeros", "init"),
     ("optimizer", "adma", "Did you mean"), ("activation", "relu7", "activation"),
     ("schedule", "cosinus", "schedule")],
)
def test_config_validation(field, value, message):
    with pytest.raises(ValueError, match=message):
        replace(TINY, **{field: value})


def test_data_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="expects 10 inputs"):
        quiet(replace(TINY, model="10-3"))
    with pytest.raises(ValueError, match="4 outputs"):
        quiet(replace(TINY, model="8-4"))


def test_trajectory_snapshots():
    config = replace(TINY, snapshot_every=4)
    result = quiet(config)
    steps_per_epoch = -(-240 // 32)
    total = 3 * steps_per_epoch
    assert result.trajectory_steps.tolist() == [*range(0, total, 4), total]
    assert result.trajectory.shape == (len(result.trajectory_steps), result.model.n_params())
    np.testing.assert_array_equal(result.trajectory[-1], result.model.flat_params())
    initial = nn.mlp(config.model, rng=np.random.default_rng(config.seed).spawn(3)[0])
    np.testing.assert_array_equal(result.trajectory[0], initial.flat_params())


def test_progress_lines_when_not_a_terminal():
    stream = io.StringIO()
    train(TINY, blobs(), stream=stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in stream.getvalue()
    assert lines[0].startswith("epoch 1/3") and "test accuracy" in lines[-1]


def test_saved_run_reloads(tmp_path):
    result = quiet(replace(TINY, snapshot_every=10))
    path = results.save_run(result, tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "results.json", "trajectory.npz", "weights.npz"]  # no temporary files left
    saved = results.load_run(tmp_path / "run")
    assert saved.info["config"] == result.config.to_dict() == saved.config.to_dict()
    assert set(saved.info["versions"]) == {"atlas", "numpy", "python"}
    assert saved.info["history"] == result.history
    for key, value in result.model.params().items():
        assert saved.weights[key].tobytes() == value.tobytes()
    np.testing.assert_array_equal(saved.trajectory, result.trajectory)
    x = blobs().x_test
    np.testing.assert_array_equal(saved.model().predict_proba(x), result.model.predict_proba(x))
    assert path.name == "results.json"
    with pytest.raises(FileNotFoundError, match=r"results\.json"):
        results.load_run(tmp_path)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    write_atomic(target, b"old")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


# --- real data and the command line --------------------------------------------------------

needs_small = pytest.mark.skipif(not SMALL.is_dir(), reason=f"{SMALL} not present")


@needs_small
def test_one_epoch_on_a_thousand_mnist_images():
    from atlas import data

    mnist = data.load(str(SMALL))
    subset = Blobs(mnist.x_train[:1000], mnist.y_train[:1000], mnist.x_test[:1000],
                   mnist.y_test[:1000], name="mnist-small", classes=tuple(range(10)))
    config = TrainConfig(model="784-100-10", activation="tanh", epochs=1, batch_size=10,
                         lr=2e-3, seed=2)
    result = train(config, subset, progress=False)
    assert result.final["test_accuracy"] > 0.8


@needs_small
def test_cli_train_writes_results(tmp_path, capsys):
    out = tmp_path / "run"
    status = cli.main(["train", "--dataset", str(SMALL), "--model", "784-10", "--epochs", "1",
                       "--batch-size", "200", "--lr", "0.01", "--out", str(out), "--limit", "1000"])
    assert status == 0
    saved = results.load_run(out)
    assert saved.info["status"] == "ok" and saved.info["config"]["model"] == "784-10"
    assert str(out) in capsys.readouterr().out


def test_cli_data_fetch(capsys):
    assert cli.main(["data", "fetch", "mnist_digits"]) == 2
    assert "unknown" in capsys.readouterr().err
    fashion = Path("/usr/share/datasets/fashion-mnist")
    if fashion.is_dir():  # found in the documented extra location: nothing to download
        assert cli.main(["data", "fetch", "fashion_mnist"]) == 0
        assert str(fashion) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--optimizer", "adma"], "unknown optimizer 'adma'"),
     (["--activation", "rellu"], "unknown activation 'rellu'"),
     (["--model", "784-ten"], "model spec"),
     (["--schedule", "nope"], "unknown schedule"),
     (["--dataset", "/nonexistent/dir"], "nonexistent")],
)
def test_cli_bad_input_exits_2(args, message, tmp_path, capsys):
    argv = ["train", "--dataset", str(SMALL), "--out", str(tmp_path / "x"), *args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
