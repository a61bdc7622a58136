"""The MNIST optimizer study (atlas.nn.study): split, learning-rate choice, test curve, files."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest

from atlas.nn import study
from atlas.nn.train import train


@dataclass(frozen=True)
class Blobs:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "blobs"
    classes: tuple[str, ...] = ("a", "b", "c")


def blobs() -> Blobs:
    rng = np.random.default_rng(3)
    centres = 2 * rng.standard_normal((3, 8))
    y = rng.integers(0, 3, 400)
    x = (centres[y] + rng.standard_normal((400, 8))).astype(np.float32)
    return Blobs(x[:300], y[:300], x[300:], y[300:])


SETTINGS = study.Settings(model="8-16-3", epochs=2, batch_size=50, grid=(1e-3, 1e-1, 1e6),
                          validation=100, eval_every=2)


def test_split_holds_out_the_last_training_images_and_tests_on_the_test_set():
    data = blobs()
    search, final = study.split(data, 100)
    np.testing.assert_array_equal(search.x_train, data.x_train[:200])
    np.testing.assert_array_equal(search.x_test, data.x_train[200:])
    np.testing.assert_array_equal(final.x_train, data.x_train[:200])
    np.testing.assert_array_equal(final.x_test, data.x_test)
    with pytest.raises(ValueError, match="leave none for training"):
        study.split(data, 300)


def _trial(lr, error):
    return study.Trial(lr, error, np.zeros(0, np.int64), None, ())


def test_choose_takes_the_lowest_validation_error_ties_to_the_smaller_rate():
    assert study.choose([_trial(1e-3, 0.2), _trial(1e-2, 0.1), _trial(1e-1, None)]) == 1
    assert study.choose([_trial(1e-2, 0.1), _trial(1e-3, 0.1)]) == 1
    assert study.choose([_trial(1e-2, None), _trial(1e-1, None)]) is None


def test_study_chooses_on_validation_and_records_the_test_curve_of_that_run():
    data = blobs()
    result, timing = study.study("sgd", data, SETTINGS)
    assert result.grid == [1e-3, 1e-1, 1e6]
    assert result.images == {"train": 200, "validation": 100, "test": 100}
    assert result.data == "blobs"
    assert study.rate_cost(result) == pytest.approx(
        max(e for e in result.validation_error if e is not None) - min(
            e for e in result.validation_error if e is not None))
    assert result.validation_error[2] is None  # lr 1e6 diverges
    best = int(np.nanargmin([np.inf if e is None else e for e in result.validation_error]))
    assert result.lr == result.grid[best] == 1e-1
    assert result.steps == [0, 2, 4, 6, 8]  # 4 steps per epoch, 2 epochs
    assert len(result.test_error) == len(result.steps)
    # the last point is the final test error of the chosen run, trained again on its own
    _, final = study.split(data, SETTINGS.validation)
    again = train(SETTINGS.config("sgd", result.lr), final, progress=False)
    assert result.test_error[-1] == pytest.approx(again.final["test_error"], abs=1e-12)
    assert result.test_error[-1] < result.test_error[0]
    assert [len(s) for s in timing.seconds] == [2, 2, 0]  # the diverged run: no epoch
    assert timing.median > 0


def test_every_rate_diverging_gives_no_rate_and_no_curve():
    settings = study.Settings(model="8-16-3", epochs=1, batch_size=50, grid=(1e6,),
                              validation=100)
    result, timing = study.study("sgd", blobs(), settings)
    assert result.lr is None and result.steps == [] and result.test_error == []
    assert timing.median is None


def test_build_writes_deterministic_results_and_a_separate_timing(tmp_path):
    data = blobs()
    first = study.build(tmp_path / "a", "adam", data, SETTINGS)
    second = study.build(tmp_path / "b", "adam", data, SETTINGS)
    assert (first / study.RESULTS).read_bytes() == (second / study.RESULTS).read_bytes()
    assert "seconds" not in (first / study.RESULTS).read_text()
    result, timing = study.load(first)
    assert result.optimizer == timing.optimizer == "adam"
    assert json.loads((first / study.RESULTS).read_text())["settings"]["options"] == {
        "lbfgs": {"history_size": 10}}
    assert sorted(p.name for p in first.iterdir()) == [study.RESULTS, study.TIMING]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("grid", (), "positive finite"), ("grid", (0.1, -1.0), "positive finite"),
    ("epochs", 0, "epochs"), ("eval_every", 0, "eval_every")])
def test_settings_are_validated(field, value, message):
    with pytest.raises(ValueError, match=message):
        study.Settings(**{field: value})


def test_unknown_optimizer_is_the_registry_error():
    with pytest.raises(ValueError, match="unknown optimizer"):
        study.study("adamm", blobs(), SETTINGS)
