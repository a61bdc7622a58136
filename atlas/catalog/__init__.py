"""The figure catalog: every figure of the book declared once.

A :class:`Figure` says what is drawn (its ``name``, read as a path such as
``race/rosenbrock/3d``), how (a module-level ``draw`` function and its JSON
parameters), which files it writes, and which atlas modules' source code
determines it. ``atlas render`` and the book both read this one list.

The catalog is *generated from the registries*: every surface gets its race,
every optimizer, activation and loss its figure, so registering a new entry
adds its figures without touching this file::

    from atlas import catalog
    catalog.names()                     # every figure name
    catalog.get("race/rosenbrock/3d")   # one Figure
    catalog.select(["race/*/gap"])      # names or shell-style globs
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from atlas.registry import UnknownNameError

#: What a figure writes. An animation writes one file per requested format
#: (mp4, png poster, gif); an image writes a PNG; a table writes CSV + Markdown;
#: a bundle writes the directory ``<name>/`` holding its declared ``files``.
KINDS = ("animation", "image", "table", "bundle")
ANIMATION_FORMATS = ("mp4", "png", "gif")


@dataclass(frozen=True)
class Figure:
    """One catalog entry.

    ``draw(path, formats, **params)`` writes the files ``path.<suffix>`` for
    every suffix in :meth:`suffixes`; ``path`` is the output directory joined
    with ``name`` (so ``race/rosenbrock/3d`` writes ``race/rosenbrock/3d.mp4``).
    ``learning_rates`` names the surfaces whose learning-rate protocol results
    the figure reads: ``atlas render`` searches (and caches) those first.
    A bundle's ``draw`` gets the directory ``path`` and writes ``files`` into it.
    """

    name: str
    description: str
    draw: Callable[..., None]
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    modules: tuple[str, ...] = ()
    learning_rates: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"figure kind must be one of {KINDS}, got {self.kind!r}")
        if (self.kind == "bundle") != bool(self.files):
            raise ValueError(f"{self.name}: a bundle, and only a bundle, declares its files")

    def suffixes(self, formats: Iterable[str] = ("mp4", "png")) -> tuple[str, ...]:
        """The file suffixes this figure writes for the requested ``formats``."""
        if self.kind == "image":
            return (".png",)
        if self.kind == "table":
            return (".csv", ".md")
        if self.kind == "bundle":
            return ()
        chosen = tuple(f".{fmt}" for fmt in ANIMATION_FORMATS if fmt in formats)
        return chosen or (".png",)

    def outputs(self, formats: Iterable[str] = ("mp4", "png")) -> tuple[str, ...]:
        """Output files relative to the output directory, e.g. ``race/sphere/3d.mp4``."""
        if self.kind == "bundle":
            return tuple(f"{self.name}/{file}" for file in self.files)
        return tuple(self.name + suffix for suffix in self.suffixes(formats))

    def formats_for(self, formats: Iterable[str]) -> tuple[str, ...]:
        """The formats handed to ``draw`` (only those this figure writes)."""
        return tuple(suffix[1:] for suffix in self.suffixes(formats))


#: The three contrasting surfaces of every optimizer's figure: an ill-conditioned
#: bowl, a curved valley and a surface without minimum; and the one whose path
#: shows the optimizer's internal state.
OPTIMIZER_SURFACES = ("ellipse", "rosenbrock", "saddle")
STATE_SURFACE = "rosenbrock"

# Modules whose source determines every figure's look.
_STYLE = ("atlas.viz.style", "atlas.catalog.draws")
_MEDIA = (*_STYLE, "atlas.viz.png", "atlas.viz.animation")


def _race_figures(quick: bool) -> list[Figure]:
    from atlas import optimizers, surfaces
    from atlas.catalog import draws

    names = optimizers.names()
    modules = (
        *_MEDIA,
        "atlas.surfaces",
        "atlas.optimizers",
        "atlas.trajectory",
        "atlas.learning_rates",
        "atlas.viz.surface_plots",
        "atlas.viz.race",
        "atlas.viz.race_artists",
        "atlas.viz.gap_plot",
        "atlas.viz.clipping",
    )
    scale = {"max_frames": 12, "dpi": 40} if quick else {"max_frames": 144, "dpi": 100}
    figures = []
    for surface in surfaces.names():
        title = surfaces.get(surface).title
        params = {"surface": surface, "optimizers": names, **scale}
        needs = (surface,)
        figures += [
            Figure(f"race/{surface}/3d", f"Optimizer race on {title}, in 3D",
                   draws.race_3d, "animation", params, modules, needs),
            Figure(f"race/{surface}/contour", f"Optimizer race on {title}, on its contours",
                   draws.race_contour, "animation", params, modules, needs),
            Figure(f"race/{surface}/gap", f"f - f* against step for every optimizer on {title}",
                   draws.race_gap, "image", {"surface": surface, "optimizers": names,
                                             "dpi": scale["dpi"]}, modules, needs),
        ]
    return figures


def _optimizer_figures(quick: bool) -> list[Figure]:
    from atlas import optimizers
    from atlas.catalog import draws

    modules = (*_MEDIA, "atlas.surfaces", "atlas.optimizers", "atlas.trajectory",
               "atlas.learning_rates", "atlas.viz.surface_plots", "atlas.viz.race",
               "atlas.viz.optimizer_plots")
    dpi = 40 if quick else 100
    figures = []
    for name in optimizers.names():
        title = optimizers.registry.get(name).title
        paths = {"optimizer": name, "surfaces": list(OPTIMIZER_SURFACES), "dpi": dpi}
        state = {"optimizer": name, "surface": STATE_SURFACE, "dpi": dpi}
        figures += [
            Figure(f"optimizer/{name}", f"{title}: its path on three contrasting surfaces",
                   draws.optimizer_paths, "image", paths, modules, OPTIMIZER_SURFACES),
            Figure(f"optimizer/{name}/state", f"{title}: its internal state along the path",
                   draws.optimizer_state, "image", state, modules, (STATE_SURFACE,)),
        ]
    return figures


def _activation_figures(quick: bool) -> list[Figure]:
    from atlas import activations
    from atlas.catalog import draws

    modules = (*_MEDIA, "atlas.activations", "atlas.viz.function_plots")
    dpi = 40 if quick else 100
    figures = []
    for name in activations.names():
        act = activations.get(name)
        if act.elementwise:
            figures.append(Figure(f"activation/{name}", f"{act.title} and its derivative",
                                  draws.activation, "image", {"activation": name, "dpi": dpi},
                                  modules))
        else:
            figures.append(Figure(f"activation/{name}_2class",
                                  f"{act.title} of a 2-class input and its Jacobian",
                                  draws.activation_2class, "image",
                                  {"activation": name, "dpi": dpi}, modules))
    figures.append(Figure("activation/gallery", "Every elementwise activation and its derivative",
                          draws.activation_gallery, "image", {"dpi": dpi}, modules))
    figures.append(Figure("activation/vanishing_gradients",
                          "The gradient norm of every layer of 15-layer sigmoid, tanh and ReLU "
                          "stacks", draws.vanishing_gradients, "image",
                          {"activations": ["sigmoid", "tanh", "relu"], "depth": 15, "seed": 0,
                           "dpi": dpi},
                          (*modules, "atlas.examples.activations", "atlas.nn", "atlas.losses")))
    return figures


def _loss_figures(quick: bool) -> list[Figure]:
    from atlas import losses
    from atlas.catalog import draws

    modules = (*_MEDIA, "atlas.losses", "atlas.viz.function_plots")
    dpi = 40 if quick else 100
    return [
        Figure(f"loss/{name}", f"{losses.registry.get(name).title} and its gradient",
               draws.loss, "image", {"loss": name, "dpi": dpi}, modules)
        for name in losses.names()
    ]


def _other_figures(quick: bool) -> list[Figure]:
    from atlas import surfaces
    from atlas.catalog import draws

    graph_modules = (*_MEDIA, "atlas.graph", "atlas.examples.graphs", "atlas.viz.graph_plots")
    hold = {"fps": 4, "hold": 1, "dpi": 40} if quick else {"fps": 4, "hold": 4, "dpi": 100}
    regression_modules = (*_MEDIA, "atlas.activations", "atlas.losses",
                          "atlas.optimizers", "atlas.viz.regression")
    regression = (
        {"iterations": 40, "frames": 6, "dpi": 40}
        if quick
        else {"iterations": 2000, "frames": 100, "dpi": 100}
    )
    figures = [
        Figure("graph/linear", "Computation graph of y = a x + b: forward, then backward",
               draws.graph, "animation", {"example": "linear", **hold}, graph_modules),
        Figure("graph/logistic", "Computation graph of -log sigmoid(w1 x1 + w2 x2): "
               "forward, then backward",
               draws.graph, "animation", {"example": "logistic", **hold}, graph_modules),
    ]
    for hidden in (10, 100):
        params = {"hidden": hidden, "lr": 0.01, "seed": 0, **regression}
        figures.append(Figure(f"regression/h{hidden}",
                              f"Fitting sin x at 8 points with {hidden} sigmoid hidden units",
                              draws.regression, "animation", params, regression_modules))
    figures.append(Figure("table/learning_rates",
                          "The learning rate chosen for every optimizer on every surface",
                          draws.learning_rate_table, "table", {},
                          (*_STYLE, "atlas.surfaces", "atlas.optimizers", "atlas.trajectory",
                           "atlas.learning_rates"), tuple(surfaces.names())))
    figures.append(_explorer_figure(quick))
    return figures


def _explorer_figure(quick: bool) -> Figure:
    """``explorer``: the data and backgrounds of the in-browser explorer (atlas.explorer)."""
    from atlas import explorer, surfaces
    from atlas.catalog import draws

    modules = (*_STYLE, "atlas.viz.png", "atlas.viz.surface_plots", "atlas.surfaces",
               "atlas.optimizers", "atlas.trajectory", "atlas.learning_rates", "atlas.explorer")
    size = 120 if quick else explorer.IMAGE_SIZE
    return Figure("explorer", "Data and contour backgrounds of the in-browser explorer",
                  draws.explorer, "bundle", {"size": size}, modules,
                  tuple(surfaces.names()), explorer.files())


@cache
def figures(quick: bool = False) -> tuple[Figure, ...]:
    """Every figure, in book order. ``quick=True`` gives tiny settings for tests."""
    from atlas.catalog import mnist

    return tuple(
        _race_figures(quick)
        + _optimizer_figures(quick)
        + _activation_figures(quick)
        + _loss_figures(quick)
        + _other_figures(quick)
        + mnist.figures(quick)
    )


def names(quick: bool = False) -> list[str]:
    """Every figure name, in book order."""
    return [figure.name for figure in figures(quick)]


def get(name: str, quick: bool = False) -> Figure:
    """The figure called ``name``; an :class:`UnknownNameError` with suggestions otherwise."""
    for figure in figures(quick):
        if figure.name == name:
            return figure
    raise UnknownNameError("figure", name, names(quick))


def select(patterns: Iterable[str] | None = None, quick: bool = False) -> list[Figure]:
    """Figures matching any of ``patterns`` (exact names or globs), in catalog order.

    ``None`` or an empty list selects everything. A pattern that matches
    nothing raises :class:`UnknownNameError`, with did-you-mean suggestions.
    """
    every = figures(quick)
    patterns = list(patterns or [])
    if not patterns:
        return list(every)
    chosen: set[str] = set()
    for pattern in patterns:
        matched = {f.name for f in every if fnmatch.fnmatchcase(f.name, pattern)}
        if not matched:
            raise UnknownNameError("figure", pattern, names(quick))
        chosen |= matched
    return [f for f in every if f.name in chosen]
