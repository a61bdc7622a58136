"""The race figures (issue 11, "Races that teach"), drawn from the learning-rate sweeps.

A race figure draws the runs of ``race_runs/<surface>`` (:mod:`atlas.catalog.race_runs`):
every optimizer's chosen run, computed once per surface, not once per figure.

No animation shows more than :data:`atlas.races.groups.MAX_GROUP` paths:

* ``race/opening/{3d,contour,gap}``: the course notes' four optimizers on the
  opening surface; ``race/<course surface>/<group>/{3d,contour,gap}``: each
  group's race (:func:`atlas.races.race.race_specs`);
* ``race/<surface>/summary`` (a still, every surface): every group's race, one row each;
* ``race/<surface>/gap``: every optimizer's gap against step, one plot per group (a still);
* ``table/races`` (the ranks, steps to target and winners) and ``table/lr_windows``
  (each optimizer's good learning-rate window), CSV + Markdown;
* ``sensitivity/<surface>``: steps to target against the learning rate;
* ``race/profile``: the Dolan–Moré performance profile over every surface;
* ``basin_maps/<surface>/<group>`` (an artifact, ``maps.npz``) and the figure
  ``basins/<surface>/<group>`` drawn from it, for the surfaces of
  :data:`atlas.races.basins.BASIN_SURFACES`: every optimizer of the group on a
  :data:`BASIN_SIZE` x :data:`BASIN_SIZE` grid of starts, the surface's step budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry, write_alt
from atlas.catalog.race_runs import runs_name, stored_group_races, stored_race
from atlas.catalog.races import basin_maps, rates_name, surface_sweeps

#: The grid side of every basin map (quick: the tests' tiny one).
BASIN_SIZE, BASIN_SIZE_QUICK = 200, 12


def _spec(name: str) -> Any:
    from atlas.races.race import race_specs

    return next(spec for spec in race_specs() if spec.name == name)


def _spec_race(inputs: Mapping[str, Path], spec: str) -> tuple[Any, Any]:
    found = _spec(spec)  # its runs are the chosen ones of the full budget (RaceSpec.race)
    return found, stored_race(inputs, found.surface, found.optimizers)


def race_animation(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                   spec: str, view: str, max_frames: int, dpi: int) -> None:  # fmt: skip
    """``<race>/3d`` and ``<race>/contour``: one race of at most six optimizers, in 3D or on
    the surface's contours (``view``)."""
    from atlas.races.outcome_text import race_outcome
    from atlas.viz import race

    found, run = _spec_race(inputs, spec)
    animate = race.animate_race_3d if view == "3d" else race.animate_race_contour
    animate(run, path, formats, max_frames=max_frames, dpi=dpi, trail=found.trail,
            subtitle=found.title)
    write_alt(path, race_outcome(run))


def race_gap(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], spec: str,
             dpi: int) -> None:  # fmt: skip
    """``<race>/gap``: f − f* against step for the race's optimizers, log scale."""
    from atlas.races.outcome_text import race_outcome
    from atlas.viz import gap_plot

    found, run = _spec_race(inputs, spec)
    gap_plot.draw_gap(run, path, dpi=dpi, subtitle=found.title)
    write_alt(path, race_outcome(run))


def surface_gap(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                surface: str, dpi: int) -> None:  # fmt: skip
    """``race/<surface>/gap``: every optimizer's gap against step on ``surface``, by group."""
    from atlas.races.outcome_text import race_outcome
    from atlas.races.run_store import select
    from atlas.viz import gap_plot

    races = stored_group_races(inputs, surface)
    gap_plot.draw_gap_groups(path, races, dpi=dpi)
    every = stored_race(inputs, surface)  # the sweeps' (the registry's) order
    grouped = {r.optimizer for _, race in races for r in race.runs}
    run = select(every, [r.optimizer for r in every.runs if r.optimizer in grouped])
    write_alt(path, race_outcome(run, every=False))


def summary(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], surface: str,
            dpi: int) -> None:  # fmt: skip
    """``race/<surface>/summary``: every group's race on ``surface``, one still."""
    from atlas.races.outcome_text import summary_outcome
    from atlas.viz.race_summary import draw_race_summary

    races = stored_group_races(inputs, surface)
    draw_race_summary(path, races, dpi=dpi)
    write_alt(path, summary_outcome(races))


def _all(inputs: Mapping[str, Path], surfaces: list[str]) -> dict[str, Any]:
    return {s: surface_sweeps(inputs, s) for s in surfaces}


def races_table(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                surfaces: list[str]) -> None:  # fmt: skip
    """``table/races``: ranks, steps to target and winners on every surface."""
    from atlas.races import results

    results.build(path, _all(inputs, surfaces))


def windows_table(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                  surfaces: list[str]) -> None:  # fmt: skip
    """``table/lr_windows``: each optimizer's good learning-rate window on every surface."""
    from atlas.races import sensitivity

    sensitivity.build(path, _all(inputs, surfaces))


def sensitivity_figure(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                       surface: str, dpi: int) -> None:  # fmt: skip
    """``sensitivity/<surface>``: steps to target against the learning rate, by group."""
    from atlas.races import sensitivity
    from atlas.races.groups import groups
    from atlas.races.outcome_text import sensitivity_outcome
    from atlas.viz.sensitivity_plot import draw_sensitivity

    found = sensitivity.surface_sensitivity(surface, surface_sweeps(inputs, surface))
    draw_sensitivity(path, found, groups(), dpi=dpi)
    write_alt(path, sensitivity_outcome(list(found.curves), surface))


def profile(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
            surfaces: list[str], dpi: int) -> None:  # fmt: skip
    """``race/profile``: the Dolan–Moré performance profile over every surface."""
    from atlas.races.groups import groups
    from atlas.races.outcome_text import profile_outcome
    from atlas.races.profile import performance_profile
    from atlas.viz.profile_plot import draw_profile

    found = performance_profile(_all(inputs, surfaces))
    draw_profile(path, found, groups(), dpi=dpi)
    write_alt(path, profile_outcome(found))


def basin_title(surface: str, size: int) -> str:
    """The basin figure's title: the surface, the grid and the budget."""
    from atlas import surfaces
    from atlas.protocol import step_budget

    return (f"{surfaces.get(surface).title}: where each start ends\n"
            f"{size} × {size} starts, {step_budget(surface)} steps at each one's rate")


def basin_figure(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                 maps: str, title: str, dpi: int) -> None:  # fmt: skip
    """``basins/<surface>/<group>``: the group's basin maps, drawn from the artifact."""
    from atlas.races.basins import figure_data, read_basin_maps
    from atlas.races.outcome_text import basin_outcome
    from atlas.viz.basin_plot import draw_basins

    found = read_basin_maps(inputs[maps] / "maps.npz")
    draw_basins(path, found, title=title, dpi=dpi, **figure_data(found))
    write_alt(path, basin_outcome(found))


def _race_entries(scale: dict[str, int]) -> list[Entry]:
    from atlas import surfaces
    from atlas.catalog.race_alts import race_alt
    from atlas.races.race import race_specs

    found = []
    for spec in race_specs():
        title = surfaces.get(spec.surface).title
        params = {"spec": spec.name, **scale}
        needs = (runs_name(spec.surface),)
        alt = {view: race_alt(spec.surface, spec.optimizers, view)
               for view in ("3d", "contour", "gap")}  # fmt: skip
        found += [
            Entry(f"{spec.name}/3d", f"{spec.title} on {title}, in 3D", race_animation,
                  "animation", {**params, "view": "3d"}, needs, alt=alt["3d"],
                  alt_from_data=True),
            Entry(f"{spec.name}/contour", f"{spec.title} on {title}, on its contours",
                  race_animation, "animation", {**params, "view": "contour"}, needs,
                  alt=alt["contour"], alt_from_data=True),
            Entry(f"{spec.name}/gap", f"f - f* against step: {spec.title} on {title}", race_gap,
                  "image", {"spec": spec.name, "dpi": scale["dpi"]}, needs,
                  alt=alt["gap"], alt_from_data=True),
        ]
    return found


def _basin_entries(quick: bool) -> list[Entry]:
    from atlas import surfaces
    from atlas.catalog.race_alts import basin_alt
    from atlas.column import DPI
    from atlas.races.basins import BASIN_SURFACES
    from atlas.races.groups import groups

    side, dpi = (BASIN_SIZE_QUICK, 40) if quick else (BASIN_SIZE, DPI)  # the column's scale
    found = []
    for surface in BASIN_SURFACES:
        title = surfaces.get(surface).title
        for group in groups():
            mapped = list(group.members)
            data = f"basin_maps/{surface}/{group.name}"
            found += [
                Entry(data, f"Basin maps of {group.title} on {title}", basin_maps, "bundle",
                      {"surface": surface, "optimizers": mapped, "size": side},
                      (rates_name(surface),), ("maps.npz",)),
                Entry(f"basins/{surface}/{group.name}", f"Basins of {group.title} on {title}",
                      basin_figure, "image", {"maps": data, "title": basin_title(
                          surface, side), "dpi": dpi}, (data,),
                      alt=basin_alt(surface, mapped, dict.fromkeys(mapped, side)),
                      alt_from_data=True),
            ]
    return found


def entries(quick: bool = False) -> list[Entry]:
    """The group races, each surface's summary and gap, the tables, sensitivity, profile, basins."""
    from atlas import surfaces
    from atlas.catalog import race_alts

    scale = {"max_frames": 12, "dpi": 40} if quick else {"max_frames": 144, "dpi": 100}
    dpi = scale["dpi"]
    every = surfaces.names()
    rates = tuple(rates_name(s) for s in every)
    found = _race_entries(scale)
    for surface in every:
        title = surfaces.get(surface).title
        found += [
            Entry(f"race/{surface}/summary", f"Every group's race on {title}", summary, "image",
                  {"surface": surface, "dpi": dpi}, (runs_name(surface),),
                  alt=race_alts.summary_alt(surface), alt_from_data=True),
            Entry(f"race/{surface}/gap", f"f - f* against step for every optimizer on {title}",
                  surface_gap, "image", {"surface": surface, "dpi": dpi},
                  (runs_name(surface),), alt_from_data=True,
                  alt=race_alts.every_gap_alt(surface)),
        ]
    found += [
        Entry("table/races", "Steps to target, rank and winners on every surface", races_table,
              "table", {"surfaces": every}, rates),
        Entry("table/lr_windows", "Each optimizer's good learning-rate window on every surface",
              windows_table, "table", {"surfaces": every}, rates),
        Entry("race/profile", "Performance profile over every surface (Dolan and Moré)", profile,
              "image", {"surfaces": every, "dpi": dpi}, rates, alt_from_data=True,
              alt=race_alts.profile_alt(len(every))),
    ]
    found += [Entry(f"sensitivity/{s}", f"Steps to target against the learning rate on "
                    f"{surfaces.get(s).title}", sensitivity_figure, "image",
                    {"surface": s, "dpi": dpi}, (rates_name(s),), alt_from_data=True,
                    alt=race_alts.sensitivity_alt(s)) for s in every]  # fmt: skip
    return found + _basin_entries(quick)
