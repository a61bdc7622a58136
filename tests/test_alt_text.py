"""Every figure says in words what it shows, and how it ends (issue 15).

* Every animation and image of the catalog has alt text of its own: not empty, not
  its name, not a placeholder ("animation", "figure"); a race names its optimizers,
  a summary, profile or sensitivity figure the optimizer families.
* The outcome a race figure's alt text states is the race data's: the winners and
  their steps are those of the races table (:mod:`atlas.races.results`, computed
  from the sweeps, not from the sentences' code), every run that leaves the plot is
  named with its step, and the file is written by the figure's build.
* Pages give no ``:alt:`` of their own: the catalog is the one source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas import catalog, learning_rates, optimizers, surfaces
from atlas.catalog.entry import ALT_SUFFIX, PICTURE_KINDS, Entry, write_alt
from atlas.races import results
from atlas.races.groups import groups
from atlas.races.outcome_text import names, race_outcome, steps
from atlas.races.race import race_specs, run_race

PICTURES = [e for e in catalog.entries() if e.kind in PICTURE_KINDS]
PLACEHOLDERS = {"animation", "figure", "image", "plot", "video", "picture", "chart"}
BOOK = Path(__file__).resolve().parents[1] / "book"


def _title(name: str) -> str:
    return optimizers.registry.get(name).title


@pytest.mark.parametrize("entry", PICTURES, ids=lambda e: e.name)
def test_every_picture_has_alt_text_of_its_own(entry: Entry):
    alt = entry.alt.strip()
    assert alt.lower().rstrip(".") not in PLACEHOLDERS, alt
    assert entry.name not in alt and alt != entry.description
    assert len(alt.split()) >= 8 and alt.endswith("."), alt  # a sentence, not a label


def test_race_alt_text_names_the_optimizers_and_the_families():
    for spec in race_specs():
        for view in ("3d", "contour", "gap"):
            alt = catalog.get(f"{spec.name}/{view}").alt
            assert all(_title(n) in alt for n in spec.optimizers), alt
            assert surfaces.get(spec.surface).title in alt
    for name in ["race/profile", *(f"race/{s}/summary" for s in surfaces.names()),
                 *(f"sensitivity/{s}" for s in surfaces.names())]:
        alt = catalog.get(name).alt
        assert all(group.title in alt for group in groups()), (name, alt)


def test_figures_whose_alt_states_an_outcome_write_it():
    for name in ("race/opening/3d", "race/saddle/adam/contour", "race/rosenbrock/gap",
                 "race/rosenbrock/summary", "race/profile", "sensitivity/beale",
                 "basins/himmelblau/adam", "optimizer/adam", "mnist/optimizers",
                 "mnist/curves", "mnist/confusion", "mnist/class_report",
                 "mnist/landscape/contour", "layers/gradient_check"):
        entry = catalog.get(name)
        assert entry.alt_from_data and f"{name}{ALT_SUFFIX}" in entry.outputs()
    assert not catalog.get("activation/relu").alt_from_data


def test_an_entry_without_alt_text_is_refused():
    def build(path, formats, inputs):  # pragma: no cover - never built
        pass

    with pytest.raises(ValueError, match="alt text"):
        Entry("x/y", "a figure", build, "image")
    with pytest.raises(ValueError, match="alt text"):
        Entry("x/y", "data", build, "data", alt="A table of numbers in words.")
    with pytest.raises(ValueError, match="writes its alt"):
        Entry("x/y", "data", build, "table", alt_from_data=True)


def test_alt_text_joins_the_catalog_words_and_the_written_outcome(tmp_path):
    entry = catalog.get("race/opening/gap")
    with pytest.raises(ValueError, match="atlas render race/opening/gap"):
        entry.alt_text(tmp_path)
    written = write_alt(tmp_path / "race" / "opening" / "gap", "  Adam wins.\n")
    assert written == tmp_path / "race" / "opening" / f"gap{ALT_SUFFIX}"
    assert entry.alt_text(tmp_path) == f"{entry.alt} Adam wins."
    assert not list(written.parent.glob(".*"))  # no temporary file left behind
    assert catalog.get("activation/relu").alt_text(tmp_path) == catalog.get("activation/relu").alt


@pytest.fixture(scope="module")
def narrow_valley():
    """Every optimizer's sweep on the opening surface (the protocol, computed here)."""
    return learning_rates.surface_choices("narrow_valley")


@pytest.mark.parametrize("spec", [s for s in race_specs() if s.surface == "narrow_valley"
                                  or s.name == "race/opening"], ids=lambda s: s.name)
def test_a_race_alt_names_the_winners_of_the_race_data(spec, narrow_valley):
    """The first-place sentence agrees with the races table of the same optimizers."""
    rows = results.surface_rows({n: narrow_valley[n] for n in spec.optimizers})
    won = [r for r in rows if r.winner]
    race = spec.race(narrow_valley)
    text = race_outcome(race)
    if not won:
        assert text.startswith("No optimizer"), text
        return
    who = names([_title(r.optimizer) for r in won])
    first = text.split(".")[0]
    assert first.startswith(who + " "), (who, text)
    assert first.endswith(f"first, in {steps(won[0].steps_to_target)}" +
                          (" each" if len(won) > 1 else "")), text
    for row in rows:  # every run that leaves the plot, and when; every miss
        if row.left_plot_at is not None and not row.winner and row.steps_to_target is None:
            assert re.search(rf"{re.escape(_title(row.optimizer))} (leaves the plot|diverges) "
                             rf"at step {row.left_plot_at}\b", text), (row, text)
        elif row.steps_to_target is None:
            assert f"{_title(row.optimizer)}" in text.split("not get there")[0], text


def test_leaving_the_plot_and_ties_are_said():
    """A race in which runs leave the plot, and one with a tie: the words say so."""
    race = run_race("rosenbrock", ["sgd", "momentum", "adam"],
                    lrs={"sgd": 0.01, "momentum": 0.01, "adam": 0.05})
    text = race_outcome(race)
    for run in race.runs:
        if run.left_at is not None and run.steps_to_target is None:
            assert f"{run.title} " in text and f"at step {run.left_at}" in text, text
    assert any(r.left_at is not None for r in race.runs), "the example should leave the plot"
    twins = run_race("narrow_valley", ["adam", "amsgrad"], lrs={"adam": 0.1, "amsgrad": 0.1})
    best = twins.runs[0].steps_to_target
    assert best is not None and twins.runs[1].steps_to_target == best
    assert race_outcome(twins) == ("Adam and AMSGrad share first place: they reach the minimum "
                                   f"first, in {best} steps each.")


def test_rendered_race_figure_writes_its_outcome(tmp_path):
    """``atlas render`` writes the alt file with the figure, from the same race."""
    from atlas.render import render

    render(["race/opening/gap"], out=tmp_path, jobs=1, quick=True, progress=False)
    entry = catalog.get("race/opening/gap", quick=True)
    sweeps = learning_rates.read_sweeps(tmp_path / "learning_rates" / "narrow_valley.json")
    expected = race_outcome(race_specs()[0].race(sweeps))
    assert entry.alt_text(tmp_path) == f"{entry.alt} {expected}"


def test_no_page_types_its_own_alt_text():
    for page in sorted(BOOK.glob("*.md")):
        assert ":alt:" not in page.read_text(encoding="utf-8"), page.name
