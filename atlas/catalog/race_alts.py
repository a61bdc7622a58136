"""What each race figure shows, in words: the first part of its alt text.

The race figures of :mod:`atlas.catalog.race_figures` declare these as their
``alt``; their builds add the outcome computed from the data they draw
(:mod:`atlas.races.outcome_text`), so the full alt text says what is drawn, for
whom, where, and how it ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas import optimizers, surfaces
from atlas.races.groups import groups
from atlas.races.outcome_text import names

#: What every race animation draws besides the surface.
EACH = "one coloured path each from the same start, at its chosen learning rate."


def _titles(optimizer_names: Sequence[str]) -> str:
    return names([optimizers.registry.get(n).title for n in optimizer_names])


def _panels() -> str:
    return f"one panel per optimizer family ({names([g.title for g in groups()])})"


def race_alt(surface: str, optimizer_names: Sequence[str], view: str) -> str:
    """A race's animation (``view`` "3d" or "contour") or its gap plot (``view`` "gap")."""
    title = surfaces.get(surface).title
    race = f"{_titles(optimizer_names)} race on the {title} surface"
    if view == "3d":
        return f"{race} in 3D, {EACH}"
    if view == "contour":
        return f"{race}, seen from above on its contour lines, {EACH}"
    return gap_alt(surface, _titles(optimizer_names))


def gap_alt(surface: str, who: str) -> str:
    """A gap plot: what is plotted, for whom, where."""
    found = surfaces.get(surface)
    gap = "f minus its minimum" if found.f_min is not None else "f minus the escape level"
    return f"A log-scale plot of {gap} against the step for {who} on the {found.title} surface."


def every_gap_alt(surface: str) -> str:
    """``race/<surface>/gap``: every registered optimizer's gap, one panel per family."""
    return gap_alt(surface, f"all {len(optimizers.names())} optimizers, {_panels()},")


def summary_alt(surface: str) -> str:
    """``race/<surface>/summary``: every family's race in one still."""
    return (f"Small contour maps of the {surfaces.get(surface).title} surface, {_panels()}, "
            f"each with its family's paths from the same start.")


def profile_alt(n_surfaces: int) -> str:
    """``race/profile``: the performance profile over ``n_surfaces`` surfaces."""
    return (f"Performance profiles over {n_surfaces} surfaces, {_panels()}: for each optimizer "
            f"a step curve of the share of surfaces it solves within a factor of the fewest "
            f"steps.")


def sensitivity_alt(surface: str) -> str:
    """``sensitivity/<surface>``: steps to target against the learning rate."""
    return (f"Steps to target against the learning rate on the {surfaces.get(surface).title} "
            f"surface, {_panels()}, one curve per optimizer over the grid of rates.")


def basin_alt(surface: str, mapped: Sequence[str], sizes: dict[str, int]) -> str:
    """``basins/<surface>/<group>``: one basin map per optimizer of ``mapped``."""
    grids = names(sorted({f"{n} by {n}" for n in sizes.values()}))
    return (f"Basin maps of {_titles(mapped)} on the {surfaces.get(surface).title} surface, one "
            f"panel each: every start of a {grids} grid coloured by where its run ends (a "
            f"global minimum, a local one, none, or out of the plot).")
