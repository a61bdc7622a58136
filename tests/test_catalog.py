"""The catalog: artifacts and figures generated from the registries, every entry well formed,
every need an entry, and each figure needing exactly the artifacts it reads."""

from __future__ import annotations

import json
import pickle

import pytest

from atlas import activations, catalog, explorer, losses, optimizers, surfaces
from atlas.catalog import mnist as catalog_mnist
from atlas.catalog.entry import Entry
from atlas.registry import UnknownNameError

FIGURES = catalog.entries()
FIXED = ("activation/gallery", "activation/softmax_2class", "activation/vanishing_gradients",
         "graph/linear", "graph/logistic", "regression/h10", "regression/h100",
         "table/learning_rates", "explorer")


def test_names_are_unique_lowercase_paths():
    names = catalog.names()
    assert len(names) == len(set(names))
    for figure in FIGURES:
        name = figure.name
        assert name == name.lower() and " " not in name, name
        assert "/" in name or name == "explorer", name


#: The topics whose entries are all derived from the registries (others add figures of their own).
DERIVED = ("races", "optimizers", "activations", "examples", "losses", "graphs", "explorer",
           "mnist")


def test_every_registry_entry_has_its_figures():
    topics = {f"atlas.catalog.{topic}" for topic in DERIVED}
    names = {entry.name for entry in FIGURES if entry.module in topics}
    expected = set(FIXED)
    for s in surfaces.names():
        expected |= {f"race/{s}/3d", f"race/{s}/contour", f"race/{s}/gap"}
    for o in optimizers.names():
        expected |= {f"optimizer/{o}", f"optimizer/{o}/state"}
    for a in activations.names():
        act = activations.get(a)
        expected.add(f"activation/{a}" if act.elementwise else f"activation/{a}_2class")
    expected |= {f"loss/{name}" for name in losses.names()}
    expected |= {f"learning_rates/{s}" for s in surfaces.names()}
    expected |= {f"mnist/runs/{r}" for r in catalog_mnist.names()}  # the MNIST runs' registry
    expected |= {f"mnist/history/{r}" for r in catalog_mnist.names()}
    expected |= {f"mnist/{n}" for n in ("curves", "confusion", "class_report", "extremes",
                                         "optimizers", "landscape/3d", "landscape/contour")}
    assert expected <= names
    assert names - expected == set(), "entries not derived from a registry"


def test_quick_catalog_has_the_same_figures():
    assert catalog.names(quick=True) == catalog.names()


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_entry_is_well_formed(figure):
    assert figure.description and "\n" not in figure.description
    assert json.loads(json.dumps(figure.params, sort_keys=True)) == dict(figure.params)
    assert pickle.loads(pickle.dumps(figure.build)) is figure.build  # module-level: poolable
    assert figure.module.startswith("atlas.catalog.")  # its key covers that module's imports
    assert all(need in catalog.names() for need in figure.needs)
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
        Entry("x/y", "d", print, "movie")
    with pytest.raises(ValueError, match="need itself"):
        Entry("x/y", "d", print, "image", needs=("x/y",))


def test_figures_need_the_artifacts_they_read():
    rates = {f"learning_rates/{s}" for s in surfaces.names()}
    for s in surfaces.names():
        assert catalog.get(f"learning_rates/{s}").artifact
        for kind in ("3d", "contour", "gap"):
            assert catalog.get(f"race/{s}/{kind}").needs == (f"learning_rates/{s}",)
    for o in optimizers.names():
        paths, state = catalog.get(f"optimizer/{o}"), catalog.get(f"optimizer/{o}/state")
        assert paths.needs == tuple(f"learning_rates/{s}" for s in paths.params["surfaces"])
        assert state.needs == (f"learning_rates/{state.params['surface']}",)
    assert set(catalog.get("table/learning_rates").needs) == rates
    assert set(catalog.get("explorer").needs) == rates
    assert catalog.get("activation/relu").needs == ()
    assert catalog.get("mnist/optimizers").needs == tuple(
        f"mnist/runs/{r}" for r in catalog_mnist.OPTIMIZER_RUNS)
    assert all(catalog.get(f"mnist/runs/{r}").artifact for r in catalog_mnist.names())


def test_with_needs_adds_what_a_selection_needs_in_catalog_order():
    chosen = catalog.with_needs(catalog.select(["optimizer/adam", "activation/relu"]))
    names = [e.name for e in chosen]
    assert names == [n for n in catalog.names() if n in names]
    assert set(names) == {"optimizer/adam", "activation/relu", "learning_rates/ellipse",
                          "learning_rates/rosenbrock", "learning_rates/saddle"}
    assert catalog.with_needs([]) == []


def test_the_catalog_refuses_an_unknown_need(monkeypatch):
    from atlas.catalog import losses as topic

    real = topic.entries
    monkeypatch.setattr(topic, "entries", lambda quick=False: [
        *real(quick), Entry("loss/broken", "d", print, "image", needs=("nothing/here",))])
    catalog.entries.cache_clear()
    try:
        with pytest.raises(ValueError, match="nothing/here"):
            catalog.entries()
    finally:
        monkeypatch.undo()
        catalog.entries.cache_clear()
