"""Train a network: epochs of shuffled minibatches, one optimizer state per parameter.

Everything random comes from one seed: ``numpy.random.default_rng(seed)`` is
split into independent streams for the initial weights, the shuffling and the
dropout masks, so the same configuration and data give byte-identical weights.

Each step is the textbook loop: forward, loss, backward, then for every
parameter array :math:`\\theta` its own optimizer state :math:`s`,
``theta, s = optimizer.update(grad, s, theta)`` — the very optimizers of
:mod:`atlas.optimizers` (which one for which array: :mod:`atlas.nn.optimizing`).
The model is tested, snapshotted and returned at its *evaluation point*: the
parameters, or schedule-free's averaged iterate :math:`x`, where that
package's users evaluate (:func:`atlas.nn.optimizing.evaluation_params`).
A non-finite loss stops the run: the result's
``status`` is ``"diverged"`` with a message, and the curves keep only the
finite epochs.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from atlas import activations, optimizers
from atlas.nn import metrics, schedules
from atlas.nn.layers import check_dtype
from atlas.nn.model import Sequential, mlp, parse_spec, spec_string
from atlas.nn.optimizing import evaluates_averaged, evaluation_params, optimizers_for
from atlas.nn.progress import Progress


@dataclass(frozen=True)
class TrainConfig:
    """Every choice of a training run, validated on construction."""

    model: str = "784-200-200-10"  # layer widths, see atlas.nn.model.parse_spec
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-3
    epochs: int = 20
    batch_size: int = 100
    seed: int = 0
    dropout: float = 0.0  # drop probability after each hidden activation
    weight_decay: float = 0.0  # L2 on weight matrices only (biases are not decayed)
    schedule: str = "constant"  # a name of atlas.nn.schedules
    dtype: str = "float32"
    init: str = "auto"  # "auto", "he" or "xavier"
    eval_every: int = 1  # evaluate on the test set every this many epochs (and at the end)
    snapshot_every: int = 0  # keep the flattened parameters every k steps (0: never)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", spec_string(parse_spec(self.model)))
        activations.get(self.activation)
        optimizers.registry.get(self.optimizer)
        schedules.registry.get(self.schedule)
        object.__setattr__(self, "dtype", check_dtype(self.dtype).name)
        for name in ("epochs", "batch_size", "eval_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("seed", "snapshot_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if isinstance(self.lr, bool) or not (
            isinstance(self.lr, int | float) and self.lr > 0 and np.isfinite(self.lr)
        ):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not (isinstance(self.weight_decay, int | float) and 0 <= self.weight_decay < np.inf):
            raise ValueError(f"weight_decay must be a number >= 0, got {self.weight_decay!r}")
        if not (isinstance(self.dropout, int | float) and 0 <= self.dropout < 1):
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.init not in ("auto", "he", "xavier"):
            raise ValueError(f"init must be 'auto', 'he' or 'xavier', got {self.init!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class TrainResult:
    """What a run produced: curves, final metrics, the trained model, the path taken."""

    config: TrainConfig
    dataset: str
    status: str  # "ok" or "diverged"
    message: str
    history: dict[str, list]  # per evaluated epoch: epoch, train/test loss and accuracy, lr, time
    final: dict[str, Any]  # test metrics of the final model (empty if diverged)
    model: Sequential
    seconds: float
    trajectory_steps: np.ndarray | None = None  # optimizer steps of the snapshots
    trajectory: np.ndarray | None = None  # (snapshots, n_params) flattened parameters


def as_features(x: np.ndarray, dtype: Any) -> np.ndarray:
    """Images as rows of floats: ``uint8`` pixels are scaled to [0, 1], floats kept."""
    x = np.asarray(x)
    rows = x.reshape(len(x), -1)
    if rows.dtype == np.uint8:
        features = rows.astype(dtype)
        features /= np.asarray(255, dtype=dtype)  # in place: one array, not two
        return features
    return rows.astype(dtype, copy=False)


def evaluate(model: Sequential, x: np.ndarray, y: np.ndarray, batch_size: int = 1000):
    """Mean loss and accuracy of ``model`` (evaluation mode) on ``(x, y)``.

    The loss is ``nan`` if some logits are not finite (the model has diverged).
    """
    return scores(model, model.predict_logits(x, batch_size=batch_size), y)


def scores(model: Sequential, logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean loss and accuracy of the ``logits`` for labels ``y`` (``nan`` loss if not finite)."""
    if not np.isfinite(logits).all():
        return math.nan, 0.0
    return float(model.loss_fn.forward(logits, y)), metrics.accuracy(y, logits.argmax(axis=1))


def final_metrics(model: Sequential, x: np.ndarray, y: np.ndarray, n_classes: int,
                  logits: np.ndarray | None = None) -> dict:  # fmt: skip
    """Accuracy, loss, confusion matrix, per-class report, easiest/hardest test images.

    ``logits``: the model's logits for ``x`` if already computed (one forward pass less).
    """
    logits = model.predict_logits(x) if logits is None else logits
    loss, accuracy = scores(model, logits, y)
    probabilities = activations.softmax(logits)
    confusion = metrics.confusion_matrix(y, logits.argmax(axis=1), n_classes)
    return {
        "test_loss": loss,
        "test_accuracy": accuracy,
        "test_error": 1.0 - accuracy,
        "confusion_matrix": confusion.tolist(),
        "class_report": metrics.class_report(confusion).to_dict(),
        "extremes": metrics.extremes(probabilities, y, k=16).to_dict(),
    }


def train(
    config: TrainConfig,
    data: Any,
    *,
    progress: bool | None = None,
    stream: TextIO | None = None,
    options: dict[str, Any] | None = None,
) -> TrainResult:
    """Train ``config``'s network on ``data`` (an object with ``x_train``, ``y_train``,
    ``x_test``, ``y_test`` and optionally ``name`` and ``classes``, such as
    :func:`atlas.data.load`'s result).

    ``progress``: ``None`` shows progress on ``stream`` (standard error by
    default) — a bar on a terminal, one line per epoch otherwise; ``False``
    is silent. ``options``: other hyperparameters of the optimizer (see
    :func:`atlas.nn.optimizing.optimizers_for`).
    """
    start_time = time.perf_counter()
    for part, images in (("training", data.x_train), ("test", data.x_test)):
        if len(images) == 0:
            raise ValueError(f"the {part} set is empty (0 images): a run needs both sets")
    dtype = np.dtype(config.dtype)
    # Training images stay as they come (uint8 pixels: 4x less memory to gather from);
    # each minibatch is converted when it is drawn, to the same values as converting all.
    rows_train = np.asarray(data.x_train).reshape(len(data.x_train), -1)
    x_test = as_features(data.x_test, dtype)
    y_train, y_test = np.asarray(data.y_train, np.int64), np.asarray(data.y_test, np.int64)
    widths = parse_spec(config.model)
    n_classes = len(getattr(data, "classes", ())) or int(max(y_train.max(), y_test.max())) + 1
    if widths[0] != rows_train.shape[1]:
        raise ValueError(
            f"model {config.model!r} expects {widths[0]} inputs, the data has "
            f"{rows_train.shape[1]}"
        )
    if widths[-1] != n_classes:
        raise ValueError(
            f"model {config.model!r} has {widths[-1]} outputs, the data has {n_classes} classes"
        )

    init_rng, shuffle_rng, dropout_rng = np.random.default_rng(config.seed).spawn(3)
    model = mlp(
        widths, config.activation, rng=init_rng, dropout=config.dropout, init=config.init,
        dtype=dtype,
    )
    schedule = schedules.get(config.schedule)
    opts = optimizers_for(config, model, options)
    params = model.params()  # updated in place by key after each step
    keys = list(params)
    states = {k: opts[k].init(v) for k, v in params.items()}
    scheduled = config.schedule != "constant"

    n = len(rows_train)
    steps_per_epoch = -(-n // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    history: dict[str, list] = {
        k: [] for k in ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                        "lr", "seconds")
    }
    snapshots, snapshot_steps = [], []
    status, message, step = "ok", "", 0
    test_logits = None  # the test set's logits at the last evaluation
    bar = Progress(config.epochs, steps_per_epoch, enabled=progress, stream=stream or sys.stderr)

    averaged = evaluates_averaged(opts)

    def at_evaluation_point(evaluate: bool) -> None:  # x for schedule-free, else the params
        if averaged:
            model.set_params(evaluation_params(opts, states, params) if evaluate else params)

    def snapshot() -> None:
        at_evaluation_point(True)
        snapshot_steps.append(step)
        snapshots.append(model.flat_params().astype(np.float32))
        at_evaluation_point(False)

    if config.snapshot_every:
        snapshot()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, config.epochs + 1):
            # Gather each minibatch as it is used: a 100-row copy stays in cache for the
            # matmul, where one shuffled copy of the whole set per epoch would not.
            order = shuffle_rng.permutation(n)
            predicted = np.empty(n, dtype=np.int64)  # argmax of the training logits, in `order`
            loss_sum = 0.0
            lr = config.lr
            for batch_start in range(0, n, config.batch_size):
                batch = slice(batch_start, batch_start + config.batch_size)
                index = order[batch]
                if scheduled:
                    lr = config.lr * schedule.factor(step, total_steps)
                    at_lr = {o: dataclasses.replace(o, lr=lr) for o in set(opts.values())}
                    opts = {k: at_lr[o] for k, o in opts.items()}  # each distinct one replaced once
                loss, logits = model.loss_and_grads(
                    as_features(np.take(rows_train, index, axis=0), dtype),
                    np.take(y_train, index), train=True, rng=dropout_rng,
                )
                if not math.isfinite(loss):
                    status = "diverged"
                    message = (f"training diverged: the loss became {loss} at epoch {epoch}, "
                               f"step {step + 1} (lr={lr:g}); try a smaller learning rate")
                    break
                grads = model.grads()
                for key in keys:
                    params[key], states[key] = opts[key].update(grads[key], states[key],
                                                                params[key])
                model.set_params(params)
                step += 1
                loss_sum += loss * len(logits)
                predicted[batch] = logits.argmax(axis=1)
                bar.step(epoch, loss)
                if config.snapshot_every and step % config.snapshot_every == 0:
                    snapshot()
            if status != "ok":
                break
            correct = int(np.sum(predicted == y_train[order]))
            if epoch % config.eval_every and epoch != config.epochs:
                continue
            at_evaluation_point(True)
            test_logits = model.predict_logits(x_test)
            at_evaluation_point(False)
            test_loss, test_accuracy = scores(model, test_logits, y_test)
            if not np.isfinite(test_loss):
                status = "diverged"
                message = f"training diverged: the test loss is {test_loss} after epoch {epoch}"
                break
            for key, value in (("epoch", epoch), ("train_loss", loss_sum / n),
                               ("train_accuracy", correct / n), ("test_loss", test_loss),
                               ("test_accuracy", test_accuracy), ("lr", lr),
                               ("seconds", time.perf_counter() - start_time)):
                history[key].append(value)
            bar.epoch_done(epoch, loss_sum / n, correct / n, test_loss, test_accuracy)

    if config.snapshot_every and snapshot_steps[-1] != step and status == "ok":
        snapshot()
    at_evaluation_point(True)  # the model returned is the one tested
    final = (final_metrics(model, x_test, y_test, n_classes, logits=test_logits)
             if status == "ok" else {})  # test_logits: of the final model, the last epoch's
    if status == "ok":
        message = f"test accuracy {final['test_accuracy']:.4f} after {config.epochs} epochs"
    bar.close(message)
    return TrainResult(
        config=config,
        dataset=str(getattr(data, "name", "custom")),
        status=status,
        message=message,
        history=history,
        final=final,
        model=model,
        seconds=time.perf_counter() - start_time,
        trajectory_steps=np.array(snapshot_steps, dtype=np.int64) if snapshots else None,
        trajectory=np.stack(snapshots) if snapshots else None,
    )
