"""The catalog: everything ``atlas render`` computes, declared once.

Every entry (:class:`~atlas.catalog.entry.Entry`) is an *artifact*, data that
several figures share (a surface's learning-rate sweeps, a trained MNIST run,
the explorer's data), or a *figure* of the book; each names the entries it
``needs``. ``atlas render``, ``atlas render --list`` and the book read this one
list. It is *generated from the registries*: every surface gets its sweeps and
races, every optimizer, activation and loss its figures, so registering a new
entry adds its figures without touching the catalog. One module per topic
declares its entries and holds their build functions (a build's key covers the
source of its module, so a topic's entries share what they import; an artifact's build
therefore lives in a module that draws nothing, and a figure's look is never in its key):

* :mod:`~atlas.catalog.races`: ``learning_rates/<surface>``, the basin maps' data,
  ``table/learning_rates``; :mod:`~atlas.catalog.rate_heatmap`: ``race/learning_rates``;
* :mod:`~atlas.catalog.race_runs`: ``race_runs/<surface>``, every optimizer's chosen run;
* :mod:`~atlas.catalog.race_figures`: ``race/...`` (and ``race/profile``), ``table/races``,
  ``sensitivity/...``, ``basins/...``;
* :mod:`~atlas.catalog.optimizers`: ``optimizer/<name>`` and ``optimizer/<name>/state``;
* :mod:`~atlas.catalog.activations`, :mod:`~atlas.catalog.losses`: a figure per function;
* :mod:`~atlas.catalog.examples`, :mod:`~atlas.catalog.graphs`: figures of worked examples;
* :mod:`~atlas.catalog.explorer`: the in-browser explorer's data;
* :mod:`~atlas.catalog.mnist_runs`: every network trained (the MNIST runs, the optimizer
  study, the notes' table); :mod:`~atlas.catalog.mnist`, :mod:`~atlas.catalog.study`:
  the figures drawn from them;
* :mod:`~atlas.catalog.pages`: the figures of Learning and Layers, and the MNIST table.

::

    from atlas import catalog
    catalog.names()                     # every entry name
    catalog.get("race/rosenbrock/3d")   # one Entry
    catalog.select(["race/*/gap"])      # names or shell-style globs
    catalog.with_needs(catalog.select(["race/sphere/3d"]))  # and what they need
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from functools import cache

from atlas.catalog.entry import ANIMATION_FORMATS, ARTIFACT_KINDS, FIGURE_KINDS, KINDS, Entry
from atlas.registry import UnknownNameError

#: Where an unknown name's error sends the reader for every name of the catalog.
FULL_LIST = "`atlas render --list` shows every one"

__all__ = ["ANIMATION_FORMATS", "ARTIFACT_KINDS", "FIGURE_KINDS", "KINDS", "Entry", "entries",
           "get", "names", "select", "with_needs"]  # fmt: skip


@cache
def entries(quick: bool = False) -> tuple[Entry, ...]:
    """Every entry, in book order. ``quick=True`` gives tiny settings for tests.

    Checked once: names are unique and every need is an entry of the catalog.
    """
    from atlas.catalog import (
        activations,
        examples,
        explorer,
        graphs,
        losses,
        mnist,
        modern,
        optimizers,
        pages,
        race_figures,
        race_runs,
        races,
        rate_heatmap,
        study,
    )

    every = tuple(entry for topic in (races, race_runs, race_figures, rate_heatmap, optimizers,
                                      modern, activations, examples, losses, graphs, explorer,
                                      mnist, study, pages)
                  for entry in topic.entries(quick))  # fmt: skip
    known: set[str] = set()
    for entry in every:
        if entry.name in known:
            raise ValueError(f"the catalog declares {entry.name!r} twice")
        known.add(entry.name)
    for entry in every:
        unknown = [n for n in entry.needs if n not in known]
        if unknown:
            raise ValueError(f"{entry.name} needs {', '.join(unknown)}, not in the catalog")
    return every


def names(quick: bool = False) -> list[str]:
    """Every entry name, in book order."""
    return [entry.name for entry in entries(quick)]


@cache
def _by_name(quick: bool) -> dict[str, Entry]:
    return {entry.name: entry for entry in entries(quick)}


def get(name: str, quick: bool = False) -> Entry:
    """The entry called ``name``; an :class:`UnknownNameError` with suggestions otherwise."""
    found = _by_name(quick).get(name)
    if found is None:
        raise UnknownNameError("catalog entry", name, names(quick), FULL_LIST)
    return found


def select(patterns: Iterable[str] | None = None, quick: bool = False) -> list[Entry]:
    """Entries matching any of ``patterns`` (exact names or globs), in catalog order.

    ``None`` or an empty list selects everything. A pattern that matches
    nothing raises :class:`UnknownNameError`, with did-you-mean suggestions.
    """
    every = entries(quick)
    patterns = list(patterns or [])
    if not patterns:
        return list(every)
    chosen: set[str] = set()
    for pattern in patterns:
        matched = {e.name for e in every if fnmatch.fnmatchcase(e.name, pattern)}
        if not matched:
            raise UnknownNameError("catalog entry", pattern, names(quick), FULL_LIST)
        chosen |= matched
    return [e for e in every if e.name in chosen]


def with_needs(chosen: Iterable[Entry], quick: bool = False) -> list[Entry]:
    """``chosen`` and every entry they need, directly or through others, in catalog order."""
    wanted = {entry.name for entry in chosen}
    todo = list(wanted)
    while todo:
        for need in get(todo.pop(), quick).needs:
            if need not in wanted:
                wanted.add(need)
                todo.append(need)
    return [entry for entry in entries(quick) if entry.name in wanted]
