"""The figure catalog: generated from the registries, every entry well formed."""

from __future__ import annotations

import json
import pickle

import pytest

from atlas import activations, catalog, explorer, losses, optimizers, surfaces
from atlas.cache import source_digest
from atlas.catalog import mnist as catalog_mnist
from atlas.registry import UnknownNameError

FIGURES = catalog.figures()
FIXED = ("activation/gallery", "activation/softmax_2class", "activation/vanishing_gradients",
         "graph/linear", "graph/logistic", "regression/h10", "regression/h100",
         "table/learning_rates", "explorer")


def test_names_are_unique_lowercase_paths():
    names = catalog.names()
    assert len(names) == len(set(names))
    for figure in FIGURES:  # a bundle is a directory of its own, e.g. explorer/
        name = figure.name
        assert name == name.lower() and " " not in name, name
        assert ("/" in name) != (figure.kind == "bundle"), name


def test_every_registry_entry_has_its_figures():
    names = set(catalog.names())
    expected = set(FIXED)
    for s in surfaces.names():
        expected |= {f"race/{s}/3d", f"race/{s}/contour", f"race/{s}/gap"}
    for o in optimizers.names():
        expected |= {f"optimizer/{o}", f"optimizer/{o}/state"}
    for a in activations.names():
        act = activations.get(a)
        expected.add(f"activation/{a}" if act.elementwise else f"activation/{a}_2class")
    expected |= {f"loss/{name}" for name in losses.names()}
    expected |= {figure.name for figure in catalog_mnist.figures()}  # the MNIST runs' registry
    assert expected <= names
    assert names - expected == set(), "figures not derived from a registry"


def test_quick_catalog_has_the_same_figures():
    assert catalog.names(quick=True) == catalog.names()


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_entry_is_well_formed(figure):
    assert figure.description and "\n" not in figure.description
    assert json.loads(json.dumps(figure.params, sort_keys=True)) == dict(figure.params)
    assert pickle.loads(pickle.dumps(figure.draw)) is figure.draw  # module-level: poolable
    assert figure.modules, "a figure must name the modules that determine it"
    for module in figure.modules:
        assert source_digest(module), module
    outputs = figure.outputs(("mp4", "png", "gif"))
    assert outputs and all(o.startswith(figure.name + ("/" if figure.kind == "bundle" else "."))
                           for o in outputs)


def test_outputs_follow_the_kind():
    kinds = {f.kind: f for f in FIGURES}
    assert kinds["animation"].suffixes(("mp4", "png")) == (".mp4", ".png")
    assert kinds["animation"].suffixes(("gif",)) == (".gif",)
    assert kinds["image"].suffixes(("mp4",)) == (".png",)
    assert kinds["table"].suffixes(("mp4", "png")) == (".csv", ".md")
    assert catalog.get("explorer").outputs() == tuple(f"explorer/{f}" for f in explorer.files())
    assert catalog.get("race/rosenbrock/3d").outputs() == (
        "race/rosenbrock/3d.mp4", "race/rosenbrock/3d.png")


def test_select_globs_and_order():
    chosen = catalog.select(["race/*/gap", "graph/linear"])
    assert [f.name for f in chosen][-1] == "graph/linear"
    assert {f.name for f in chosen[:-1]} == {f"race/{s}/gap" for s in surfaces.names()}
    assert catalog.select(None) == list(FIGURES)


@pytest.mark.parametrize("bad", ["race/rosenbrok/3d", "graph/*/sideways"])
def test_unknown_name_suggests(bad):
    with pytest.raises(UnknownNameError) as info:
        catalog.select([bad])
    assert bad in str(info.value)
    if "*" not in bad:
        assert "race/rosenbrock/3d" in str(info.value).split("Valid names")[0]


def test_bad_kind_is_rejected():
    with pytest.raises(ValueError, match="'movie'"):
        catalog.Figure("x/y", "d", print, "movie")


def test_figures_declare_the_learning_rate_searches_they_read():
    for s in surfaces.names():
        for kind in ("3d", "contour", "gap"):
            assert catalog.get(f"race/{s}/{kind}").learning_rates == (s,)
    for o in optimizers.names():
        paths, state = catalog.get(f"optimizer/{o}"), catalog.get(f"optimizer/{o}/state")
        assert paths.learning_rates == tuple(paths.params["surfaces"])
        assert state.learning_rates == (state.params["surface"],)
    assert catalog.get("table/learning_rates").learning_rates == tuple(surfaces.names())
    assert catalog.get("activation/relu").learning_rates == ()
    for figure in FIGURES:
        assert set(figure.learning_rates) <= set(surfaces.names())
