"""How the atlas reads the race protocol (atlas.learning_rates): the sweeps, written as the
artifact ``learning_rates/<surface>`` and read back digit for digit, and the table files.
What the protocol scores and chooses is tested in test_protocol.py."""

from __future__ import annotations

import csv
import json

import pytest

from atlas import learning_rates, optimizers, protocol
from atlas.learning_rates import best_learning_rate, learning_rate_table, write_table


@pytest.fixture
def small_protocol(monkeypatch):
    """A 5-rate grid and a 24-step budget (the protocol's rules unchanged) keep these fast."""
    monkeypatch.setattr(protocol, "GRID", protocol.GRID[::5])
    monkeypatch.setattr(protocol, "DEFAULT_STEPS", 24)
    protocol._sweep.cache_clear()
    yield
    protocol._sweep.cache_clear()


def test_best_learning_rate_is_the_protocols_sweep(small_protocol):
    choice = best_learning_rate("adam", "sphere")
    assert choice == protocol.sweep("adam", "sphere")
    assert choice.grid == protocol.GRID and choice.steps == 24 and choice.lr in protocol.GRID


def test_sweeps_written_and_read_back_digit_for_digit(tmp_path, small_protocol):
    path = learning_rates.write_sweeps("sphere", tmp_path / "learning_rates" / "sphere.json")
    assert sorted(p.name for p in path.parent.iterdir()) == ["sphere.json"]  # no temp files
    read = learning_rates.read_sweeps(path)
    assert list(read) == optimizers.names()
    assert read == learning_rates.surface_choices("sphere")  # every float's every digit
    assert json.loads(path.read_text())["surface"] == "sphere"
    first = path.read_bytes()
    protocol._sweep.cache_clear()
    learning_rates.write_sweeps("sphere", path)
    assert path.read_bytes() == first  # deterministic


@pytest.mark.parametrize("text", ["{not json", "[]", '{"choices": [{"optimizer": "sgd"}]}'])
def test_a_file_that_holds_no_sweeps_is_one_clear_error(tmp_path, text):
    path = tmp_path / "sphere.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="does not hold learning-rate sweeps"):
        learning_rates.read_sweeps(path)


def test_bad_grid_and_unknown_names():
    with pytest.raises(ValueError, match="-1"):
        best_learning_rate("sgd", "sphere", grid=(0.1, -1.0))
    with pytest.raises(ValueError, match="rosenbrock"):
        best_learning_rate("sgd", "rosenbrok")
    with pytest.raises(ValueError, match="adam"):
        best_learning_rate("adamm", "sphere")


def test_table_and_its_files(tmp_path, small_protocol):
    rows = learning_rate_table(["sgd", "adam"], ["sphere"])
    assert [(r.surface, r.optimizer) for r in rows] == [("sphere", "sgd"), ("sphere", "adam")]
    assert rows[0] == best_learning_rate("sgd", "sphere")
    csv_path, md_path = write_table(rows, tmp_path / "lr.csv", tmp_path / "lr.md")
    with open(csv_path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [float(r["lr"]) for r in table] == [r.lr for r in rows]  # every digit kept
    assert [int(r["steps"]) for r in table] == [24, 24]
    markdown = md_path.read_text()
    assert "| sphere | 24 |" in markdown
    assert learning_rates.format_lr(rows[1].lr) in markdown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.csv", "lr.md"]  # no temp files
    first = csv_path.read_bytes()
    write_table(rows, csv_path, md_path)
    assert csv_path.read_bytes() == first
