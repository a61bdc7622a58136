"""Choose the book's categorical colours, once; ``atlas/viz/style.py`` vendors the result.

Run ``.venv/bin/python tools/palette.py`` (it needs ``colorspacious``, a test
extra; about a minute). It prints the tables that ``style.py`` holds; the
same rules are checked by ``tests/test_palette.py`` on the vendored colours.

Rules (:mod:`atlas.viz.colour_difference`): colours shown together in one axes
differ by at least 10 CIEDE2000 in normal vision and in simulated
deuteranopia, protanopia and tritanopia, and so does each from the white
background. What is chosen:

* **optimizer colours**, one per registered optimizer. Three aims, each
  divided by its target and the least of the three maximised: the worst pair
  inside a group (:mod:`atlas.races.groups`) or inside the opening four, in the
  worst vision (target 12); the same pairs in normal vision, so a group shows
  different hues, not shades of one (target 22); and the worst pair of ALL
  optimizers in normal vision, since each keeps its colour throughout the book
  (target 8). Candidates: the sRGB cube at 16 levels per channel, at least
  :data:`LINE_CONTRAST` from white in every vision, of lightness 30 to 75 and
  chroma at least 25 (thin lines must stand out on white and on the pale
  contour fills).
* **markers**: the second channel, by position in the group (distinct within it), and
  distinct among the opening race's four.
* **basin colours**: the classes of a basin map (minima, "no minimum", failure).
* **the colour cycle** of plain plots (a function and its derivative first).

The search is a seeded simulated annealing, so the output is the same every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from atlas import optimizers
from atlas.races.groups import GROUPS, OPENING
from atlas.viz.colour_difference import VISIONS, ciede2000, lab_views

#: The least difference of a line colour from the white background, in every vision.
LINE_CONTRAST = 30.0
#: Targets of the optimizer colours' three aims (see the module docstring).
TOGETHER, TOGETHER_NORMAL, ANYWHERE = 12.0, 22.0, 8.0
MARKERS = ("o", "s", "^", "D", "v", "P")
LEVELS = 16


def candidates() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The sRGB cube at ``LEVELS`` levels, as rows in [0, 1], and their Lab per vision."""
    axis = np.linspace(0.0, 1.0, LEVELS)
    rgb = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    return rgb, lab_views(rgb)


def contrast(views: dict[str, np.ndarray], colour: str) -> np.ndarray:
    """Each candidate's least difference from ``colour`` over the visions."""
    other = lab_views([colour])
    return np.min([ciede2000(views[v], other[v][0]) for v in VISIONS], axis=0)


def differences(views: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(worst-vision, normal-vision) CIEDE2000 matrices between the candidates (float32)."""
    n = len(views["normal"])
    worst = np.full((n, n), np.inf, dtype=np.float32)
    normal = np.empty((n, n), dtype=np.float32)
    for v in VISIONS:
        lab = views[v]
        for i in range(0, n, 256):
            d = ciede2000(lab[i:i + 256, None, :], lab[None, :, :]).astype(np.float32)
            np.minimum(worst[i:i + 256], d, out=worst[i:i + 256])
            if v == "normal":
                normal[i:i + 256] = d
    return worst, normal


def anneal(score, n: int, pool: np.ndarray, seed: int, iterations: int = 300_000) -> np.ndarray:
    """Indices into ``pool`` for ``n`` colours maximising ``score(indices)``."""
    rng = np.random.default_rng(seed)
    current = rng.choice(pool, n, replace=False)
    value = score(current)
    best, best_value = current.copy(), value
    for k in range(iterations):
        temperature = 2.0 * (1 - k / iterations) + 1e-3
        trial = current.copy()
        trial[rng.integers(n)] = rng.choice(pool)
        if len(set(trial.tolist())) < n:
            continue
        trial_value = score(trial)
        if trial_value >= value or rng.random() < np.exp((trial_value - value) / temperature):
            current, value = trial, trial_value
            if value > best_value:
                best, best_value = current.copy(), value
    return best


def hex_of(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(255 * c):02X}" for c in rgb)


def optimizer_markers(index) -> dict[str, str]:
    """Markers by position in the group; then each of the opening race's four that repeats
    an earlier one's swaps with the first member of its group outside the four whose
    marker is still free, so those four differ as well."""
    groups_of = {m: g for g in GROUPS for m in g.members if m in index}
    markers = {m: MARKERS[k] for g in GROUPS
               for k, m in enumerate(x for x in g.members if x in index)}
    used: set[str] = set()
    for name in OPENING:
        if markers[name] in used:
            other = next(m for m in groups_of[name].members
                         if m in markers and m not in OPENING and markers[m] not in used)
            markers[name], markers[other] = markers[other], markers[name]
        used.add(markers[name])
    return markers


def main() -> None:
    rgb, views = candidates()
    lightness = views["normal"][:, 0]
    chroma = np.hypot(views["normal"][:, 1], views["normal"][:, 2])
    on_white = contrast(views, "#ffffff")
    pool = np.flatnonzero((on_white >= LINE_CONTRAST) & (lightness >= 30) & (lightness <= 75)
                          & (chroma >= 25))
    worst, normal = differences(views)
    names = optimizers.names()
    index = {name: i for i, name in enumerate(names)}
    sets = [[index[m] for m in g.members if m in index] for g in GROUPS]
    sets.append([index[m] for m in OPENING])
    pairs = np.array([(a, b) for s in sets for i, a in enumerate(s) for b in s[i + 1:]])
    upper = np.triu_indices(len(names), 1)

    def optimizer_score(c: np.ndarray) -> float:
        together = worst[c[pairs[:, 0]], c[pairs[:, 1]]].min()
        together_normal = normal[c[pairs[:, 0]], c[pairs[:, 1]]].min()
        anywhere = normal[c[upper[0]], c[upper[1]]].min()
        return 10 * float(min(together / TOGETHER, together_normal / TOGETHER_NORMAL,
                              anywhere / ANYWHERE))

    chosen = anneal(optimizer_score, len(names), pool, seed=11)
    a, b = chosen[pairs[:, 0]], chosen[pairs[:, 1]]
    anywhere = normal[chosen[upper[0]], chosen[upper[1]]].min()
    print(f"# optimizers: worst pair together {worst[a, b].min():.1f} (normal vision "
          f"{normal[a, b].min():.1f}), any two {anywhere:.1f}")
    print("OPTIMIZER_COLORS = {")
    for name, c in zip(names, chosen, strict=True):
        print(f'    "{name}": "{hex_of(rgb[c])}",')
    print("}")
    print("OPTIMIZER_MARKERS = {")
    for member, marker in optimizer_markers(index).items():
        print(f'    "{member}": "{marker}",')
    print("}")

    # Basin classes: failure (black) and "no minimum" (light grey) are fixed; eight classes
    # of minima, neither near-black nor garish (they fill whole regions).
    fixed = [0, int(np.argmin(np.abs(rgb - 0.8).sum(1)))]
    filled = np.flatnonzero((on_white >= 10.0) & (lightness >= 35) & (chroma >= 15)
                            & (chroma <= 70))

    def spread(c: np.ndarray, target: float, target_normal: float) -> float:
        """The least pair difference in the worst and in normal vision, over the targets."""
        off = np.diag(np.full(len(c), np.inf))
        return 10 * float(min((worst[np.ix_(c, c)] + off).min() / target,
                              (normal[np.ix_(c, c)] + off).min() / target_normal))

    def basin_score(c: np.ndarray) -> float:
        return spread(np.concatenate([c, fixed]), 15.0, 25.0)

    basins = anneal(basin_score, 8, filled, seed=12)
    order = np.argsort(views["normal"][basins, 0])  # darkest first: the deepest minimum
    every = np.concatenate([basins, fixed])
    print(f"# basin classes: score {basin_score(basins):.1f}, worst pair "
          f"{(worst[np.ix_(every, every)] + np.diag(np.full(10, np.inf))).min():.1f}")
    print("BASIN_COLORS =", [hex_of(rgb[c]) for c in basins[order]],
          "FAILURE, NO_MINIMUM =", [hex_of(rgb[c]) for c in fixed])

    # The cycle of plain plots: Okabe & Ito's blue and vermillion (a function and its
    # derivative) first, then four more.
    pair = [int(np.argmin(np.abs(rgb - np.array(c)).sum(1))) for c in
            ((0.0, 0.4667, 0.7333), (0.8667, 0.4, 0.0))]  # fmt: skip

    def cycle_score(c: np.ndarray) -> float:
        return spread(np.concatenate([pair, c]), TOGETHER, TOGETHER_NORMAL)

    cycle = anneal(cycle_score, 4, pool, seed=13)
    print(f"# cycle: score {cycle_score(cycle):.1f}")
    print("CYCLE =", [hex_of(rgb[c]) for c in [*pair, *cycle]])


if __name__ == "__main__":
    main()
