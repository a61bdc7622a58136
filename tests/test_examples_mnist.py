"""atlas.examples.mnist: the notes' MNIST error table rerun, written and read back."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import data
from atlas.examples import mnist


def tiny(seed: int = 0, n_train: int = 60, n_test: int = 1100) -> data.Dataset:
    """Random 28 x 28 uint8 digits: enough to train one epoch, and more than FIRST tests."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n_train + n_test, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n_train + n_test)
    return data.Dataset(name="tiny", x_train=images[:n_train], y_train=labels[:n_train],
                        x_test=images[n_train:], y_test=labels[n_train:],
                        classes=tuple(str(k) for k in range(10)))


def test_build_writes_what_read_gives_back_and_the_same_bytes_twice(tmp_path):
    dataset = tiny()
    first = mnist.build(tmp_path / "a" / "tables.json", dataset, seeds=2, epochs=1)
    again = mnist.build(tmp_path / "b" / "tables.json", dataset, seeds=2, epochs=1)
    assert first.read_bytes() == again.read_bytes()  # deterministic
    table = mnist.read(first)
    assert (table.seeds, table.first, table.test_images) == (2, 1000, 1100)
    assert [r.model for r in table.rows] == list(mnist.SMALL_SETTINGS)
    for row in table.rows:
        assert len(row.first) == len(row.all) == 2
        assert all(0 <= e <= 100 for e in row.first + row.all)
        assert (row.notes_first, row.notes_full) == mnist.NOTES[row.model]
        assert row.mean_std("first")[0] == pytest.approx(np.mean(row.first))
    assert not list(tmp_path.rglob("*.atlas-tmp-*"))  # nothing left of the atomic write


def test_error_on_counts_wrong_predictions_in_percent():
    from atlas import nn

    dataset = tiny(1)
    model = nn.mlp("784-10", "relu", rng=np.random.default_rng(0), dtype=np.float64)
    x, y = dataset.x_test[:200], dataset.y_test[:200]
    predicted = model.predict_proba(nn.as_features(x, np.float64)).argmax(axis=1)
    assert mnist.error_on(model, x, y) == pytest.approx(100 * np.mean(predicted != y))
    assert mnist.error_on(model, x, predicted) == 0.0


def test_the_data_steps():
    dataset = tiny(2)
    same = mnist.preprocessed(dataset, "none")
    assert same is dataset
    upright = mnist.preprocessed(dataset, "deskew")
    assert upright.x_train.shape == dataset.x_train.shape
    assert upright.x_test.shape == dataset.x_test.shape  # the test images too
    np.testing.assert_array_equal(upright.y_test, dataset.y_test)
    bigger = mnist.augmented(dataset, "shift1")
    assert len(bigger.x_train) == 5 * len(dataset.x_train)
    np.testing.assert_array_equal(bigger.x_train[: len(dataset.x_train)], dataset.x_train)
    np.testing.assert_array_equal(bigger.x_test, dataset.x_test)  # the test set is untouched


def test_row_refuses_a_bad_seed_count():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="seeds must be a positive integer"):
            mnist.row(tiny(), "784-10", seeds=bad)
