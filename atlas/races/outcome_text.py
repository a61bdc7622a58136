"""The outcome of a race, a sweep, a profile or a basin map, in words: the figures' alt text.

A reader who cannot see a race still learns what it shows: who reaches the
target first and in how many steps (ties shared), who misses it, and which runs
leave the plot or diverge, at which step. Every sentence is computed from the
same data the figure draws (a :class:`~atlas.races.race.Race`, the sensitivity
curves, the performance profile, the basin maps), so the words cannot disagree
with the picture; the catalog writes them next to the figure
(:func:`atlas.catalog.entry.write_alt`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from atlas import learning_rates, optimizers
from atlas.protocol import bounded
from atlas.races.basins import FAILED, NO_MINIMUM, BasinMap
from atlas.races.groups import Group
from atlas.races.profile import Profile
from atlas.races.race import Race, Run
from atlas.races.sensitivity import Curve, window


def names(titles: Sequence[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    titles = list(titles)
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def sentence(clauses: Sequence[str]) -> str:
    """Clauses joined by semicolons as one sentence: a capital first, a full stop last."""
    text = "; ".join(clauses)
    return f"{text[:1].upper()}{text[1:]}."


def steps(n: int) -> str:
    """``"1 step"``, ``"42 steps"``."""
    return f"{n} step{'s' * (n != 1)}"


def percent(share: float) -> str:
    """A share as the reader should hear it: never "0 %" for some, nor "100 %" for not all."""
    if 0 < share < 0.005:
        return "under 1 %"
    if 0.995 <= share < 1:
        return "over 99 %"
    return f"{round(100 * share)} %"


def _title(optimizer: str) -> str:
    return optimizers.registry.get(optimizer).title


def arrived(run: Run) -> bool:
    """Whether ``run`` reached its target as the protocol counts it (not from a failing rate)."""
    return run.steps_to_target is not None and not run.fallback


def _leaving(run: Run) -> str:
    verb = "diverges" if run.diverged_at is not None and run.diverged_at == run.left_at else \
        "leaves the plot"
    return f"{run.title} {verb} at step {run.left_at}"


def race_outcome(race: Race, *, every: bool = True) -> str:
    """Who reaches the target first, in how many steps; the order of the others (``every``);
    who misses it within the budget; who leaves the plot (or diverges) before arriving."""
    one, many = (("reaches", "reach") if bounded(race.surface) else ("escapes", "escape"))
    where = "the minimum" if bounded(race.surface) else "the saddle"
    reached = sorted((r for r in race.runs if arrived(r)), key=lambda r: r.steps_to_target)
    if not reached:
        text = [f"No optimizer manages to {many} {where} within the {race.steps}-step budget."]
    else:
        best = reached[0].steps_to_target
        first = [r.title for r in reached if r.steps_to_target == best]
        verb = f"share first place: they {many}" if len(first) > 1 else one
        each = " each" if len(first) > 1 else ""
        text = [f"{names(first)} {verb} {where} first, in {steps(best)}{each}."]
        rest = [r for r in reached if r.steps_to_target != best]
        if rest and every:
            text.append("Then " + names([f"{r.title} ({steps(r.steps_to_target)})"
                                         for r in rest]) + ".")  # fmt: skip
        elif rest:
            text.append(f"{len(reached)} of {len(race.runs)} optimizers get there.")
    failed = [r for r in race.runs if r.left_at is not None and not arrived(r)]
    missed = [r for r in race.runs if not arrived(r) and r.left_at is None]
    if missed and reached:
        text.append(f"{names([r.title for r in missed])} {'does' if len(missed) == 1 else 'do'} "
                    f"not get there within the {race.steps} steps.")  # fmt: skip
    if failed:
        text.append(names([_leaving(r) for r in failed]) + ".")
    return " ".join(text)


def summary_outcome(races: Sequence[tuple[Group, Race]]) -> str:
    """One sentence per group's panel: its first arrivals and who leaves the plot."""
    parts = []
    for group, race in races:
        reached = sorted((r for r in race.runs if arrived(r)), key=lambda r: r.steps_to_target)
        if reached:
            best = reached[0].steps_to_target
            first = names([r.title for r in reached if r.steps_to_target == best])
            text = f"{group.title}: {first} first, {steps(best)}"
        else:
            text = f"{group.title}: none arrives"
        failed = [r for r in race.runs if r.left_at is not None and not arrived(r)]
        if failed:
            text += "; " + names([_leaving(r) for r in failed])
        parts.append(text + ".")
    return " ".join(parts)


def run_outcome(run: Run, budget: int, surface_title: str, escape: bool) -> str:
    """One optimizer's path on one surface, in a clause: arrives, misses, or leaves."""
    if arrived(run):
        verb = "escapes" if escape else "reaches the minimum"
        return f"on the {surface_title} surface it {verb} in {steps(run.steps_to_target)}"
    if run.left_at is not None:
        verb = "diverges" if run.diverged_at == run.left_at else "leaves the plot"
        return f"on the {surface_title} surface it {verb} at step {run.left_at}"
    return f"on the {surface_title} surface it does not arrive within {steps(budget)}"


def sensitivity_outcome(found: Sequence[Curve], surface: str) -> str:
    """The fastest optimizer at its best rate, the widest good window, and who never arrives."""
    fmt = learning_rates.format_lr
    reach = [c for c in found if not c.fallback and c.steps_to_target[c.chosen] is not None]
    if not reach:
        return "No optimizer reaches the target at any rate of the grid."
    fastest = min(c.steps_to_target[c.chosen] for c in reach)
    quick = [c for c in reach if c.steps_to_target[c.chosen] == fastest]
    who = names([f"{_title(c.optimizer)} (learning rate {fmt(c.lrs[c.chosen])})" for c in quick])
    text = [f"Fastest at its best rate: {who}, {steps(fastest)}."]
    wins = [window(surface, c) for c in reach]
    widest = max(w.good_decades for w in wins)
    wide = [w for w in wins if w.good_decades == widest]
    span = f"from {fmt(wide[0].low)} to {fmt(wide[0].high)}" if len(wide) == 1 else "each"
    text.append(f"Widest window of good rates (within twice the best steps): "
                f"{names([_title(w.optimizer) for w in wide])}, {widest:g} "
                f"decade{'s' * (widest != 1)} {span}.")  # fmt: skip
    never = [c for c in found if c not in reach]
    if never:
        text.append(f"No rate of the grid brings {names([_title(c.optimizer) for c in never])} "
                    f"to the target without leaving the plot.")  # fmt: skip
    return " ".join(text)


def profile_outcome(profile: Profile) -> str:
    """Who wins the most surfaces (ties shared) and who solves the most at all."""
    n = len(profile.surfaces)
    wins = np.rint(profile.fraction(1.0)[:, 0] * n).astype(int)
    solved = np.rint(profile.solved() * n).astype(int)
    top = [_title(o) for o, w in zip(profile.optimizers, wins, strict=True) if w == wins.max()]
    most = [_title(o) for o, s in zip(profile.optimizers, solved, strict=True)
            if s == solved.max()]  # fmt: skip
    none = [_title(o) for o, s in zip(profile.optimizers, solved, strict=True) if s == 0]
    text = [f"Fastest on the most surfaces (ties shared): {names(top)}, {wins.max()} of {n}.",
            f"Reaches the target on the most surfaces: {names(most)}, {solved.max()} of {n}."]
    if none:
        text.append(f"Reaches it on none: {names(none)}.")
    return " ".join(text)


def basin_outcome(maps: Sequence[BasinMap]) -> str:
    """Per optimizer: the share of starts that end at a global minimum and that leave the plot."""
    parts = []
    for found in maps:
        total = found.classes.size
        share = {label: np.count_nonzero(found.classes == i) / total
                 for i, label in enumerate(found.labels)}  # fmt: skip
        best = sum(v for label, v in share.items() if label.startswith("global minimum"))
        other = 1.0 - best - share[NO_MINIMUM] - share[FAILED]
        text = f"{_title(found.optimizer)}: {percent(best)} of starts end at a global minimum"
        if other > 1e-12:
            text += f", {percent(other)} at a local one"
        if share[NO_MINIMUM] > 0:
            text += f", {percent(share[NO_MINIMUM])} at no minimum"
        if share[FAILED] > 0:
            text += f", {percent(share[FAILED])} leave the plot"
        parts.append(text + ".")
    return " ".join(parts)
