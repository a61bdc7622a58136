"""atlas.races.facts: the races' tables read back, and the numbers the pages quote from them."""

from __future__ import annotations

import math

import pytest

from atlas.protocol import LearningRateChoice, RunOutcome
from atlas.races import facts, results, sensitivity


def _choice(optimizer: str, surface: str, steps: int | None, lr: float = 0.1,
            fallback: bool = False) -> LearningRateChoice:  # fmt: skip
    """A one-rate sweep whose run reaches the target in ``steps`` (None: never)."""
    gap = 1e-4 if steps is not None else 0.5
    outcome = RunOutcome(lr, steps, gap, 5 if fallback else None, fallback)
    return LearningRateChoice(optimizer, surface, 256, (outcome,), 0, fallback)


SWEEPS = {
    "sphere": {"sgd": _choice("sgd", "sphere", 3, 0.5), "adam": _choice("adam", "sphere", 3),
               "lbfgs": _choice("lbfgs", "sphere", 9, 1.0)},
    "booth": {"sgd": _choice("sgd", "booth", None, 0.001), "adam": _choice("adam", "booth", 40),
              "lbfgs": _choice("lbfgs", "booth", 5, 1.0)},
    "beale": {"sgd": _choice("sgd", "beale", None, 10.0, fallback=True),
              "adam": _choice("adam", "beale", None), "lbfgs": _choice("lbfgs", "beale", None)},
}  # fmt: skip


@pytest.fixture
def rows(tmp_path):
    path = tmp_path / "races.csv"
    path.write_text(results.csv_text(results.race_rows(SWEEPS)), encoding="utf-8")
    return facts.read_rows(path)


def test_read_rows_gives_back_every_row_as_written(rows):
    assert rows == results.race_rows(SWEEPS)
    assert facts.surface_names(rows) == ["sphere", "booth", "beale"]


def test_winners_share_ties_and_a_surface_without_arrival_has_none(rows):
    assert facts.winners(rows) == {"sphere": ["sgd", "adam"], "booth": ["lbfgs"], "beale": []}
    assert facts.won_surfaces(rows) == ["sphere", "booth"]
    assert facts.wins(rows) == {"sgd": ["sphere"], "adam": ["sphere"], "lbfgs": ["booth"]}
    assert facts.most_wins(rows) == (["sgd", "adam", "lbfgs"], 1)  # a three-way tie
    assert facts.sole_wins(rows) == {"sgd": [], "adam": [], "lbfgs": ["booth"]}
    assert facts.winning_optimizers(rows) == ["sgd", "adam", "lbfgs"]
    assert facts.quick_wins(rows, 3) == {"sphere": ["sgd", "adam"]}
    assert facts.quick_wins(rows, 5) == {"sphere": ["sgd", "adam"], "booth": ["lbfgs"]}
    assert facts.quick_wins(rows) == {}
    assert facts.quick_winners(rows, 5) == ["sgd", "adam", "lbfgs"]


def test_a_quick_escape_is_not_a_quick_win(tmp_path):
    """On a surface unbounded below (the saddle) the target is an escape: not counted."""
    sweeps = {"saddle": {"adam": _choice("adam", "saddle", 1)},
              "sphere": {"sgd": _choice("sgd", "sphere", 1)}}
    path = tmp_path / "races.csv"
    path.write_text(results.csv_text(results.race_rows(sweeps)), encoding="utf-8")
    read = facts.read_rows(path)
    assert facts.winners(read) == {"saddle": ["adam"], "sphere": ["sgd"]}
    assert facts.quick_wins(read) == {"sphere": ["sgd"]}


def test_reaches_misses_ranks_and_rates(rows):
    assert facts.reached(rows, "adam") == ["sphere", "booth"]
    assert facts.arrivals(rows, "booth") == ["lbfgs", "adam"]  # fastest first
    assert facts.missed(rows, "beale") == ["adam", "lbfgs", "sgd"]  # in rank order
    assert facts.row(rows, "booth", "adam").steps_to_target == 40
    assert facts.reach_words(facts.row(rows, "booth", "adam")) == "reaches the target in 40 steps"
    assert facts.reach_words(facts.row(rows, "booth", "sgd")) == "never reaches the target"
    assert facts.steps_needed(facts.row(rows, "booth", "adam")) == "40 steps"
    assert facts.steps_needed(facts.row(rows, "booth", "sgd")) == "more than its 256"
    assert facts.reach_words(facts.row(rows, "beale", "sgd")) == (
        "never reaches the target and leaves the plot at step 5")
    assert facts.median_rank(rows, "lbfgs") == 1.0  # ranks 3, 1, 1 (beale: lbfgs and adam tie)
    # sgd's fallback rate on beale (10) is left out: 0.5 / 0.001
    assert facts.rate_spread(rows, "sgd") == pytest.approx(math.log10(500))
    assert facts.rate_count(rows, "lbfgs", 1.0) == 2
    with pytest.raises(ValueError, match="'nadam' is not in the races' table"):
        facts.reached(rows, "nadam")
    with pytest.raises(ValueError, match="no race of 'adam' on 'rosenbrock'"):
        facts.row(rows, "rosenbrock", "adam")


def test_windows_read_back_and_their_median(tmp_path):
    windows = [sensitivity.Window("sphere", "adam", 0.1, 1.5, 1.0, 0.03, 0.3),
               sensitivity.Window("booth", "adam", 0.1, 0.5, 0.0, None, None),
               sensitivity.Window("beale", "adam", 0.1, 1.0, 0.5, 0.1, 0.3),
               sensitivity.Window("sphere", "sgd", 0.5, 0.25, 0.25, 0.5, 0.5)]
    path = tmp_path / "lr_windows.csv"
    path.write_text(sensitivity.windows_csv(windows), encoding="utf-8")
    read = facts.read_windows(path)
    assert read == windows
    assert facts.median_window(read, "adam") == 0.5
    assert facts.median_window(read, "adam", reach=True) == 1.0
    assert facts.widest_windows(read) == (["adam"], 0.5)
    with pytest.raises(ValueError, match="'lion' is not in the windows' table"):
        facts.median_window(read, "lion")


def test_a_foreign_file_is_refused_with_the_columns_expected(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,value\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected the columns surface, optimizer"):
        facts.read_rows(path)
    with pytest.raises(ValueError, match="expected the columns surface, optimizer, lr"):
        facts.read_windows(path)


def test_names_are_listed_as_in_prose():
    assert facts.listed([]) == "none"
    assert facts.listed(["Adam"]) == "Adam"
    assert facts.listed(["Adam", "SGD"]) == "Adam and SGD"
    assert facts.listed(["Adam", "SGD", "Rprop"]) == "Adam, SGD and Rprop"
