"""A surface's race runs, stored once (``race_runs/<surface>``), rebuild the races computed.

The race figures draw the runs read from the artifact instead of running them
again; these tests check that what they read is, bit for bit, what they used to
compute: every array (dtype, shape, bytes), every outcome, the order of the runs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from atlas import optimizers
from atlas.catalog import race_runs, races
from atlas.races import run_store
from atlas.races.race import Race, group_races, race_specs, run_race


def assert_same_race(read: Race, computed: Race) -> None:
    """Every field of every run equal; arrays equal in dtype, shape and every bit."""
    assert read.surface is computed.surface and read.steps == computed.steps
    assert [r.optimizer for r in read.runs] == [r.optimizer for r in computed.runs]
    for mine, theirs in zip(read.runs, computed.runs, strict=True):
        for field in dataclasses.fields(theirs):
            a, b = getattr(mine, field.name), getattr(theirs, field.name)
            if isinstance(b, np.ndarray):
                assert (a.dtype, a.shape) == (b.dtype, b.shape), (mine.optimizer, field.name)
                assert a.tobytes() == b.tobytes(), (mine.optimizer, field.name)
            else:
                assert type(a) is type(b) and a == b, (mine.optimizer, field.name, a, b)


@pytest.mark.parametrize("surface", ["saddle", "tanh_squared"])
def test_the_artifact_rebuilds_every_race_of_the_surface(tmp_path, surface):
    """Built as the render builds it (the sweeps, then the runs), the artifact gives every
    race the figures drew before: all runs, each group's, each spec's."""
    rates, runs = tmp_path / races.rates_name(surface), tmp_path / race_runs.runs_name(surface)
    races.sweeps(rates, (), {}, surface)
    inputs = {races.rates_name(surface): rates.with_name(rates.name + ".json"),
              race_runs.runs_name(surface): runs}
    race_runs.race_runs(runs, (), inputs, surface)
    sweeps = races.surface_sweeps(inputs, surface)

    every = race_runs.stored_race(inputs, surface)
    assert_same_race(every, run_race(surface, optimizers.names(), sweeps=sweeps))
    stored, computed = race_runs.stored_group_races(inputs, surface), group_races(surface, sweeps)
    assert [g for g, _ in stored] == [g for g, _ in computed]
    for (_, read), (_, ran) in zip(stored, computed, strict=True):
        assert_same_race(read, ran)
    specs = [spec for spec in race_specs() if spec.surface == surface]
    assert specs
    for spec in specs:
        assert_same_race(race_runs.stored_race(inputs, surface, spec.optimizers),
                         spec.race(sweeps))  # fmt: skip


def test_diverged_runs_and_fallbacks_round_trip(tmp_path):
    """A run cut short by divergence, one that left the plot and a fallback rate come back
    as they were written."""
    rates = {"sgd": 1e3, "adam": 0.1, "momentum": 0.5, "lbfgs": 1.0}
    race = run_race("saddle", list(rates), lrs=rates)
    assert any(r.diverged_at is not None for r in race.runs)
    assert any(r.left_at is not None for r in race.runs)
    race = Race(race.surface, race.steps,
                (dataclasses.replace(race.runs[0], fallback=True), *race.runs[1:]))
    path = run_store.write_runs(race, tmp_path / "runs.npz")
    assert_same_race(run_store.read_runs(path), race)
    assert_same_race(run_store.select(run_store.read_runs(path), ["lbfgs", "sgd"]),
                     Race(race.surface, race.steps, (race.runs[3], race.runs[0])))  # fmt: skip


def test_a_missing_run_or_a_file_that_is_not_runs_is_an_error(tmp_path):
    race = run_race("saddle", ["sgd"], lrs={"sgd": 0.01})
    with pytest.raises(ValueError, match="no run of adam"):
        run_store.select(race, ["sgd", "adam"])
    bad = tmp_path / "runs.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(ValueError, match="does not hold a surface's race runs"):
        run_store.read_runs(bad)
