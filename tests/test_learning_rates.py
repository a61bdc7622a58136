"""The learning-rate protocol: declared grid, budgets, scoring, choice, table files."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from atlas import learning_rates, optimizers, surfaces
from atlas.learning_rates import (
    GRID,
    best_learning_rate,
    learning_rate_table,
    score,
    step_budget,
    write_table,
)
from atlas.trajectory import trajectory

# A coarser grid and budget keep the tests fast; the protocol itself is unchanged.
SMALL_GRID = GRID[::2]


def test_grid_is_four_per_decade_from_1e_minus_4_to_10():
    assert len(GRID) == 21
    assert GRID[0] == pytest.approx(1e-4, rel=1e-15) and GRID[-1] == pytest.approx(10.0)
    ratios = np.array(GRID[1:]) / np.array(GRID[:-1])
    np.testing.assert_allclose(ratios, 10 ** 0.25, rtol=1e-13)


def test_step_budgets_keep_the_course_notes_budgets():
    assert step_budget("saddle") == 128
    assert step_budget("tanh_squared") == 128
    assert step_budget("sinc_well") == 1024
    assert step_budget("narrow_valley") == 256
    assert step_budget(surfaces.get("rosenbrock")) == learning_rates.DEFAULT_STEPS == 256
    for name in learning_rates.COURSE_STEPS:
        assert name in surfaces.names()  # the budgets name real surfaces


def test_score_rules():
    assert score(3.0, 1.0, diverged=False) == 2.0
    assert score(-7.5, None, diverged=False) == -7.5  # no minimum: f itself
    assert score(0.0, 0.0, diverged=True) == math.inf
    assert score(math.nan, 0.0, diverged=False) == math.inf


@pytest.mark.parametrize("name", optimizers.names())
def test_picks_a_finite_non_diverged_rate_on_the_sphere(name):
    choice = best_learning_rate(name, "sphere", grid=SMALL_GRID, steps=64)
    assert choice.lr in SMALL_GRID
    assert not choice.diverged and math.isfinite(choice.score)
    # The chosen rate really does what the score says.
    run = trajectory(optimizers.get(name, lr=choice.lr), surfaces.get("sphere"), None, 64)
    assert run.diverged_at is None
    assert choice.score == float(run.z[-1]) - 0.0
    # ... and no other rate of the grid does strictly better.
    sphere = surfaces.get("sphere")
    others = [learning_rates.score_run(name, sphere, lr, 64) for lr in SMALL_GRID]
    assert choice.score == min(others)
    assert choice.score < float(sphere.value_xy(np.array(sphere.start)))


def test_deterministic():
    first = best_learning_rate("adam", "rosenbrock", grid=SMALL_GRID, steps=50)
    learning_rates._best.cache_clear()
    second = best_learning_rate("adam", "rosenbrock", grid=SMALL_GRID, steps=50)
    assert first == second


def test_a_diverged_run_scores_worst():
    rosenbrock = surfaces.get("rosenbrock")
    assert learning_rates.score_run("sgd", rosenbrock, 100.0, 50) == math.inf
    choice = best_learning_rate("sgd", rosenbrock, grid=(100.0, 1e-3), steps=50)
    assert choice.lr == 1e-3 and not choice.diverged
    hopeless = best_learning_rate("sgd", rosenbrock, grid=(100.0, 30.0), steps=50)
    assert hopeless.diverged and hopeless.score == math.inf and hopeless.lr == 30.0


def test_ties_go_to_the_smaller_rate():
    # On the sphere, SGD with lr 0.5 lands on 0 in one step; lr 0.25 halves x each step
    # and underflows to exactly 0 long before 1100 steps: both score exactly 0.
    sphere = surfaces.get("sphere")
    assert learning_rates.score_run("sgd", sphere, 0.5, 1100) == 0.0
    assert learning_rates.score_run("sgd", sphere, 0.25, 1100) == 0.0
    assert best_learning_rate("sgd", sphere, grid=(0.5, 0.25), steps=1100).lr == 0.25


def test_the_saddle_is_scored_by_its_final_value():
    saddle = surfaces.get("saddle")
    assert saddle.f_min is None
    choice = best_learning_rate("sgd", saddle, grid=(0.01, 0.1), steps=128)
    run = trajectory(optimizers.get("sgd", lr=choice.lr), saddle, None, 128)
    assert choice.score == float(run.z[-1]) < 0
    assert choice.lr == 0.1  # escapes faster: lower final f


def test_bad_grid_and_unknown_names():
    with pytest.raises(ValueError, match="-1"):
        best_learning_rate("sgd", "sphere", grid=(0.1, -1.0))
    with pytest.raises(ValueError, match="rosenbrock"):
        best_learning_rate("sgd", "rosenbrok")
    with pytest.raises(ValueError, match="adam"):
        best_learning_rate("adamm", "sphere")


def test_table_and_its_files(tmp_path):
    rows = learning_rate_table(["sgd", "adam"], ["sphere"])
    assert [(r.surface, r.optimizer) for r in rows] == [("sphere", "sgd"), ("sphere", "adam")]
    assert rows[0] == best_learning_rate("sgd", "sphere")
    csv_path, md_path = write_table(rows, tmp_path / "lr.csv", tmp_path / "lr.md")
    with open(csv_path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [float(r["lr"]) for r in table] == [r.lr for r in rows]  # every digit kept
    assert [int(r["steps"]) for r in table] == [256, 256]
    markdown = md_path.read_text()
    assert "| surface | steps | sgd | adam |" in markdown
    assert learning_rates.format_lr(rows[1].lr) in markdown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.csv", "lr.md"]  # no temp files
    first = csv_path.read_bytes()
    write_table(rows, csv_path, md_path)
    assert csv_path.read_bytes() == first


def test_protocol_text_states_the_declared_numbers():
    text = learning_rates.PROTOCOL
    for fragment in ("1e-4", "1e1", "four per decade", "128", "1024", "256", "diverged",
                     "smaller learning rate"):  # fmt: skip
        assert fragment in text


# ------------------------------------------------------------------- the disk cache


@pytest.fixture
def small_protocol(monkeypatch):
    """A 5-rate grid and a 24-step budget (the protocol's rules unchanged) keep these fast."""
    monkeypatch.setattr(learning_rates, "GRID", GRID[::5])
    monkeypatch.setattr(learning_rates, "DEFAULT_STEPS", 24)
    learning_rates._best.cache_clear()
    yield
    learning_rates._best.cache_clear()


def count_runs(monkeypatch) -> list[int]:
    calls = [0]
    real = learning_rates.score_run

    def counted(*args):
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(learning_rates, "score_run", counted)
    return calls


def test_cache_round_trip_gives_identical_choices(tmp_path, small_protocol, monkeypatch):
    computed = learning_rates.surface_choices("sphere", tmp_path)
    path = learning_rates.cache_path(tmp_path, "sphere")
    assert path.is_file() and list(computed) == optimizers.names()
    learning_rates._best.cache_clear()
    calls = count_runs(monkeypatch)
    assert learning_rates.read_cached("sphere", tmp_path) == computed  # every digit kept
    assert learning_rates.surface_choices("sphere", tmp_path) == computed
    with learning_rates.disk_cache(tmp_path):
        for name in optimizers.names():
            assert best_learning_rate(name, "sphere") == computed[name]
    assert calls[0] == 0  # all read from disk, nothing run
    # ... and it is what a fresh search without the cache finds.
    assert best_learning_rate("adam", "sphere") == computed["adam"]
    assert calls[0] == len(learning_rates.GRID)


def test_a_changed_source_grid_or_budget_invalidates_the_cache(tmp_path, small_protocol,
                                                                monkeypatch):
    learning_rates.surface_choices("sphere", tmp_path)
    assert learning_rates.read_cached("sphere", tmp_path) is not None
    assert learning_rates.read_cached("sphere", tmp_path, grid=GRID) is None
    assert learning_rates.read_cached("sphere", tmp_path, steps=25) is None
    with monkeypatch.context() as patch:
        patch.setattr(learning_rates, "source_digest", lambda module: "edited " + module)
        assert learning_rates.read_cached("sphere", tmp_path) is None
    real_get = optimizers.get

    def adam_with_another_default_eps(name, **hyperparameters):
        extra = {"eps": 1e-7} if name == "adam" else {}
        return real_get(name, **extra, **hyperparameters)

    with monkeypatch.context() as patch:  # a changed default hyperparameter
        patch.setattr(optimizers, "get", adam_with_another_default_eps)
        assert learning_rates.read_cached("sphere", tmp_path) is None
    assert learning_rates.read_cached("sphere", tmp_path) is not None
    learning_rates.cache_path(tmp_path, "sphere").write_text("{not json")
    assert learning_rates.read_cached("sphere", tmp_path) is None
    calls = count_runs(monkeypatch)
    learning_rates._best.cache_clear()
    learning_rates.surface_choices("sphere", tmp_path)  # recomputed and rewritten
    assert calls[0] == len(optimizers.names()) * len(learning_rates.GRID)
    assert learning_rates.read_cached("sphere", tmp_path) is not None


def test_a_non_default_grid_never_reads_the_cache(tmp_path, small_protocol, monkeypatch):
    learning_rates.surface_choices("sphere", tmp_path)
    calls = count_runs(monkeypatch)
    with learning_rates.disk_cache(tmp_path):
        best_learning_rate("sgd", "sphere", grid=(0.1, 0.2), steps=24)
    assert calls[0] == 2


def test_write_cached_refuses_mixed_surfaces(tmp_path):
    a = learning_rates.LearningRateChoice("sgd", "sphere", 0.1, 0.0, False, 256)
    b = learning_rates.LearningRateChoice("sgd", "booth", 0.1, 0.0, False, 256)
    with pytest.raises(ValueError, match="one surface"):
        learning_rates.write_cached([a, b], tmp_path)
