"""Races that teach: groups, races, the results table, sensitivity windows, the profile."""

from __future__ import annotations

import csv
import io
from functools import cache

import numpy as np
import pytest
from drawn_colours import categorical_colours

from atlas import optimizers, protocol, surfaces
from atlas.protocol import GRID, LearningRateChoice, RunOutcome, sweep
from atlas.races import groups, profile, results, sensitivity
from atlas.races.race import TRAILS, group_races, race_specs, run_race
from atlas.trajectory import trajectory
from atlas.viz import gap_plot, profile_plot, race_summary, readable, sensitivity_plot
from atlas.viz import race as race_viz

NAMES = optimizers.names()


# ----------------------------------------------------------------------------- groups


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_optimizer_is_in_exactly_one_group(name):
    holding = [g.name for g in groups.GROUPS if name in g.members]
    assert len(holding) == 1, f"{name} is in {holding or 'no group'}: add it to atlas.races.groups"
    assert groups.group_of(name).name == holding[0]


def test_groups_hold_at_most_six_registered_optimizers():
    for group in groups.GROUPS:
        assert 0 < len(group.members) <= groups.MAX_GROUP
        assert set(group.members) <= set(NAMES), f"{group.name} names unregistered optimizers"
    assert [m for g in groups.groups() for m in g.members] == [
        m for g in groups.GROUPS for m in g.members if m in NAMES]
    with pytest.raises(ValueError, match="in no group"):
        groups.group_of("brand_new_optimizer")
    with pytest.raises(ValueError, match="1 to 6"):
        groups.Group("big", "Too big", tuple(NAMES[:7]))
    with pytest.raises(ValueError, match="valid groups: sgd"):
        groups.get("nope")


def test_the_opening_is_the_course_notes_four_and_every_race_shows_at_most_six():
    specs = race_specs()
    opening = specs[0]
    assert opening.name == "race/opening" and opening.optimizers == ("sgd", "adagrad",
                                                                     "rmsprop", "adam")
    assert opening.surface == groups.OPENING_SURFACE
    for spec in specs:
        assert len(spec.optimizers) <= groups.MAX_GROUP
        assert spec.trail == TRAILS.get(spec.surface)
    course = {(s.surface, s.name.rsplit("/", 1)[1]) for s in specs[1:]}
    assert course == {(s, g.name) for s in protocol.COURSE_STEPS for g in groups.groups()}
    assert TRAILS["sinc_well"] < protocol.step_budget("sinc_well")


# ----------------------------------------------------------------- the protocol, raced


@cache
def saddle_sweeps() -> dict[str, LearningRateChoice]:
    return {name: sweep(name, "saddle") for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_the_saddle_chosen_runs_escape_inside_the_plot(name):
    saddle = surfaces.get("saddle")
    choice = saddle_sweeps()[name]
    assert not choice.fallback and choice.outcome.reached
    run = trajectory(optimizers.get(name, lr=choice.lr), saddle, None, choice.steps)
    k = choice.outcome.steps_to_target
    start = float(saddle.value_xy(np.array(saddle.start)))
    (x0, x1), (y0, y1) = saddle.domain
    assert run.z[k] <= start - saddle.delta  # escaped ...
    assert np.all((run.xy[: k + 1] >= (x0, y0)) & (run.xy[: k + 1] <= (x1, y1)))  # ... in view
    assert not np.any(run.z[:k] <= start - saddle.delta)  # and not earlier


def test_winners_are_integer_steps_with_shared_ties_on_the_saddle():
    rows = results.surface_rows(saddle_sweeps())
    won = [r for r in rows if r.winner]
    best = min(r.steps_to_target for r in rows if r.steps_to_target is not None)
    assert won and {r.steps_to_target for r in won} == {best}
    assert all(isinstance(r.steps_to_target, int) for r in won)
    assert sorted(r.optimizer for r in won) == sorted(
        r.optimizer for r in rows if r.steps_to_target == best and not r.fallback)
    assert all(r.rank == 1 for r in won)


@pytest.mark.parametrize("surface", surfaces.names())
def test_where_some_rate_stays_in_the_plot_the_chosen_run_never_leaves(surface):
    # Every optimizer on every surface, on a coarse grid and a short budget (the rules
    # are the protocol's; the full grid is what `atlas render` runs).
    s = surfaces.get(surface)
    (x0, x1), (y0, y1) = s.domain
    for name in NAMES:
        choice = sweep(name, s, grid=GRID[::4], steps=40)
        stays = [not o.failed for o in choice.outcomes]
        assert choice.fallback == (not any(stays))
        if choice.fallback:
            continue
        run = trajectory(optimizers.get(name, lr=choice.lr), s, None, 40)
        seen = len(run.xy)
        if s.f_min is None and choice.outcome.reached:  # an escape may go on out of the plot
            seen = choice.outcome.steps_to_target + 1
        else:
            assert run.diverged_at is None, (surface, name, choice.lr)
        inside = np.all((run.xy[:seen] >= (x0, y0)) & (run.xy[:seen] <= (x1, y1)), axis=1)
        assert inside.all(), (surface, name, choice.lr)


def test_the_opening_four_stay_in_the_plot_to_the_end():
    surface = surfaces.get(groups.OPENING_SURFACE)
    sweeps = {name: sweep(name, surface) for name in groups.OPENING}
    race = run_race(surface, groups.OPENING, sweeps=sweeps)
    assert [run.lr for run in race.runs] == [sweeps[n].lr for n in groups.OPENING]
    for run in race.runs:
        assert run.left_at is None and run.diverged_at is None and len(run.xy) == race.steps + 1
        assert run.steps_to_target == sweeps[run.optimizer].outcome.steps_to_target


# ------------------------------------------------------------------ synthetic sweeps


def choice(name, surface="sphere", steps=None, gap=1.0, fallback=False, lr=0.1, grid=None):
    """A sweep whose chosen run has ``steps`` to target (None: misses) and ``gap``."""
    outcomes = tuple(RunOutcome(r, steps if r == lr else None, gap, 3 if fallback else None,
                                fallback) for r in (grid or (lr,)))  # fmt: skip
    return LearningRateChoice(name, surface, 256, outcomes, outcomes.index(
        next(o for o in outcomes if o.lr == lr)), fallback)


def test_ranks_share_ties_and_put_misses_then_failures_last():
    sweeps = {"sgd": choice("sgd", steps=5), "adam": choice("adam", steps=5),
              "nadam": choice("nadam", steps=7), "rprop": choice("rprop", gap=0.5),
              "lion": choice("lion", gap=0.5000001), "muon": choice("muon", gap=0.25),
              "adagrad": choice("adagrad", steps=2, fallback=True)}  # fmt: skip
    rows = results.surface_rows(sweeps)
    rank = {r.optimizer: r.rank for r in rows}
    assert rank == {"sgd": 1, "adam": 1, "nadam": 3, "muon": 4, "rprop": 5, "lion": 5,
                    "adagrad": 7}  # fmt: skip
    assert results.winners(rows, "sphere") == ["sgd", "adam"]  # shared; the failing run is not
    assert [r.optimizer for r in rows][:2] == ["sgd", "adam"]
    # No winner where nobody reaches the target.
    nobody = results.surface_rows({"sgd": choice("sgd", gap=0.3), "adam": choice("adam")})
    assert results.winners(nobody, "sphere") == [] and nobody[0].rank == 1


def test_the_table_files_csv_and_markdown(tmp_path):
    sweeps = {"saddle": saddle_sweeps(),
              "sphere": {"sgd": choice("sgd", steps=5), "adam": choice("adam", gap=0.5)}}
    csv_path, md_path = results.build(tmp_path / "races", sweeps)
    table = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert len(table) == len(NAMES) + 2
    assert set(results.COLUMNS) <= set(table[0])
    sphere = {r["optimizer"]: r for r in table if r["surface"] == "sphere"}
    assert sphere["adam"]["steps_to_target"] == "" and sphere["adam"]["left_plot_at"] == ""
    assert sphere["sgd"]["steps_to_target"] == "5" and sphere["sgd"]["winner"] == "true"
    assert float(sphere["adam"]["final_gap"]) == 0.5  # every digit
    markdown = md_path.read_text()
    assert "### Saddle" in markdown and "$$f(x, y) = y^2 - x^2$$" in markdown
    assert r"$f - f^* \le 10^{-2}$" in markdown and "escape" in markdown
    for line in markdown.splitlines():  # narrow tables: six columns at most
        if line.startswith("|"):
            assert line.count("|") <= 7, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["races.csv", "races.md"]


# ------------------------------------------------------------- sensitivity and profile


def test_good_and_reach_windows():
    grid = (0.01, 0.0178, 0.0316, 0.0562, 0.1, 0.178)
    steps = (None, 40, 12, 10, 25, 9)
    failed = (False, False, False, False, False, True)
    outcomes = tuple(RunOutcome(lr, s, 1.0, 2 if f else None, f)
                     for lr, s, f in zip(grid, steps, failed, strict=True))  # fmt: skip
    c = sensitivity.curve(LearningRateChoice("sgd", "sphere", 64, outcomes, 3, False))
    w = sensitivity.window("sphere", c)
    # Chosen: 10 steps at 0.0562; good: <= 20 steps, not failing, unbroken around it.
    assert (w.low, w.high, w.good_decades) == (0.0316, 0.0562, 0.5)
    assert w.reach_decades == 4 * 0.25  # 40, 12, 10 and 25 steps reach it without failing
    missed = sensitivity.window("sphere", sensitivity.curve(choice("sgd", gap=0.4)))
    assert (missed.good_decades, missed.low, missed.high) == (0.0, None, None)


def test_windows_table(tmp_path):
    csv_path, md_path = sensitivity.build(tmp_path / "windows", {"saddle": saddle_sweeps()})
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert len(rows) == len(NAMES) and all(float(r["good_decades"]) >= 0.25 for r in rows)
    assert "### Saddle" in md_path.read_text()


def test_the_profile_is_monotone_and_ends_at_the_fraction_solved():
    sweeps = {"saddle": saddle_sweeps(),
              "sphere": {n: choice(n, steps=4 if n in ("sgd", "adam") else None) for n in NAMES},
              "booth": {n: choice(n, "booth", steps=None) for n in NAMES}}  # fmt: skip
    p = profile.performance_profile(sweeps)
    assert p.optimizers == tuple(NAMES) and p.surfaces == ("saddle", "sphere", "booth")
    rho = np.geomspace(1, 1e4, 200)
    fraction = p.fraction(rho)
    assert np.all(np.diff(fraction, axis=1) >= 0)
    np.testing.assert_array_equal(fraction[:, -1], p.solved())
    solved = {n: sum(sweeps[s][n].outcome.reached and not sweeps[s][n].fallback for s in sweeps)
              for n in NAMES}  # fmt: skip
    np.testing.assert_allclose(p.solved(), [solved[n] / 3 for n in NAMES])
    # P(1): the fraction of surfaces won (ties shared), from the results table's winners.
    rows = results.race_rows(sweeps)
    wins = {n: sum(n in results.winners(rows, s) for s in sweeps) for n in NAMES}
    np.testing.assert_allclose(p.fraction(1.0)[:, 0], [wins[n] / 3 for n in NAMES])
    assert np.all(np.isinf(p.ratios[:, 2]))  # booth: nobody solves it


# --------------------------------------------------------------------- drawings


def test_figures_show_at_most_six_colours_per_axes(tmp_path):
    sweeps = {"saddle": saddle_sweeps()}
    summary = race_summary.race_summary_figure(group_races("saddle", saddle_sweeps()), dpi=30)
    sens = sensitivity_plot.sensitivity_figure(
        sensitivity.surface_sensitivity("saddle", saddle_sweeps()), groups.groups(), dpi=30)
    prof = profile_plot.profile_figure(profile.performance_profile(sweeps), groups.groups(),
                                       dpi=30)  # fmt: skip
    for figure in (summary, sens, prof):
        assert figure.get_figwidth() == pytest.approx(6.8, abs=0.02)  # the book's column
        axes = [ax for ax in figure.axes if ax.get_lines()]
        assert axes and all(len(categorical_colours(ax)) <= groups.MAX_GROUP for ax in axes)
    path = race_summary.draw_race_summary(tmp_path / "s", group_races("saddle", saddle_sweeps()),
                                          dpi=30)  # fmt: skip
    assert path.read_bytes().startswith(b"\x89PNG")


def test_race_figures_from_a_spec(tmp_path):
    spec = next(s for s in race_specs() if s.surface == "sinc_well")
    race = run_race(spec.surface, spec.optimizers, steps=30,
                    lrs=dict.fromkeys(spec.optimizers, 0.05))  # fmt: skip
    out = race_viz.animate_race_contour(race, tmp_path / "r", ("png",), max_frames=4, dpi=30,
                                        trail=spec.trail, subtitle=spec.title)  # fmt: skip
    assert out["png"].read_bytes().startswith(b"\x89PNG")
    gap = gap_plot.draw_gap(race, tmp_path / "g", dpi=30, subtitle=spec.title)
    assert gap.name == "g.png"
    sphere = run_race("sphere", ["sgd"], lrs={"sgd": 0.25})
    assert "target at step" in race_viz.outcome_text(sphere.runs[0], sphere.escape)


def test_the_race_hands_its_drawings_the_protocols_target_and_rates():
    saddle = run_race("saddle", ["sgd"], steps=5, lrs={"sgd": 0.1})
    sphere = run_race("sphere", ["sgd"], steps=5, lrs={"sgd": 0.0316227766})
    s, b = surfaces.get("saddle"), surfaces.get("sphere")
    assert saddle.escape and not sphere.escape
    assert saddle.target == protocol.threshold(s) + protocol.reference(s)  # the escape level
    assert sphere.target == protocol.threshold(b) == b.tau  # a gap, f - f*
    assert sphere.runs[0].lr_text == "0.0316" and sphere.runs[0].label == "SGD  lr=0.0316"


def test_the_sensitivity_and_the_profile_carry_what_their_figures_write():
    found = sensitivity.surface_sensitivity("saddle", saddle_sweeps())
    assert found.steps == protocol.step_budget("saddle") and not found.bounded
    assert found.target == protocol.threshold(surfaces.get("saddle"))
    assert [w.optimizer for w in found.windows] == [c.optimizer for c in found.curves] == NAMES
    assert found.windows == tuple(sensitivity.window("saddle", c) for c in found.curves)
    assert [c.title for c in found.curves] == [optimizers.registry.get(n).title for n in NAMES]
    p = profile.performance_profile({"saddle": saddle_sweeps(), "sphere": saddle_sweeps()})
    assert p.titles == tuple(optimizers.registry.get(n).title for n in NAMES)
    np.testing.assert_array_equal(p.wins(), np.round(p.fraction(1.0)[:, 0] * 2))
    np.testing.assert_array_equal(p.solved_count(), p.solved() * 2)


def test_race_figures_text_is_readable_at_the_books_width():
    """Every text of every race figure is at least the book's smallest, shown in its column
    (672 px) and on a phone (atlas.viz.readable), and no text leaves the figure."""
    races = group_races("saddle", saddle_sweeps())
    race = races[0][1]
    figures = {
        "3d": race_viz.race_figure(race, True, dpi=30, subtitle="SGD and momentum")[0],
        "contour": race_viz.race_figure(race, False, dpi=30, subtitle="SGD and momentum")[0],
        "gap": gap_plot.gap_figure(race, dpi=30, subtitle="SGD and momentum"),
        "gap groups": gap_plot.gap_groups_figure(races, dpi=30),
        "summary": race_summary.race_summary_figure(races, dpi=30),
        "sensitivity": sensitivity_plot.sensitivity_figure(
            sensitivity.surface_sensitivity("saddle", saddle_sweeps()), groups.groups(), dpi=30),
        "profile": profile_plot.profile_figure(
            profile.performance_profile({"saddle": saddle_sweeps()}), groups.groups(), dpi=30),
    }
    for name, figure in figures.items():
        figure.canvas.draw()  # tick labels exist once drawn
        assert readable.too_small(figure) == [], name
        renderer = figure.canvas.get_renderer()
        box = figure.bbox.padded(1)
        legends = [t for legend in figure.legends for t in legend.get_texts()]
        for text in legends + list(figure.texts):  # the legends' entries and the title
            extent = text.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1, (name, text.get_text())
            assert box.y0 <= extent.y0 and extent.y1 <= box.y1, (name, text.get_text())
