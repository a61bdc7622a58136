"""The catalog: artifacts and figures generated from the registries, every entry well formed,
every need an entry, and each figure needing exactly the artifacts it reads."""

from __future__ import annotations

import json
import pickle

import pytest

from atlas import activations, catalog, explorer, losses, optimizers, surfaces
from atlas.catalog import mnist as catalog_mnist
from atlas.catalog.entry import Entry
from atlas.races.basins import BASIN_SURFACES
from atlas.races.groups import MAX_GROUP, groups
from atlas.races.race import race_specs
from atlas.registry import UnknownNameError

FIGURES = catalog.entries()
FIXED = ("activation/gallery", "activation/softmax_2class", "activation/vanishing_gradients",
         "graph/linear", "graph/logistic", "regression/h10", "regression/h100",
         "table/learning_rates", "race/learning_rates", "table/races", "table/lr_windows",
         "race/profile", "explorer")


def test_names_are_unique_lowercase_paths():
    names = catalog.names()
    assert len(names) == len(set(names))
    for figure in FIGURES:
        name = figure.name
        assert name == name.lower() and " " not in name, name
        assert "/" in name or name == "explorer", name


#: The topics whose entries are all derived from the registries (others add figures of their own).
DERIVED = ("races", "race_runs", "race_figures", "rate_heatmap", "optimizers", "activations",
           "examples", "losses", "graphs", "explorer", "mnist", "mnist_runs")


def test_every_registry_entry_has_its_figures():
    topics = {f"atlas.catalog.{topic}" for topic in DERIVED}
    names = {entry.name for entry in FIGURES if entry.module in topics}
    expected = set(FIXED)
    for s in surfaces.names():
        expected |= {f"race/{s}/summary", f"race/{s}/gap", f"sensitivity/{s}"}
    for spec in race_specs():
        expected |= {f"{spec.name}/3d", f"{spec.name}/contour", f"{spec.name}/gap"}
    for s in BASIN_SURFACES:
        for g in groups():
            expected |= {f"basin_maps/{s}/{g.name}", f"basins/{s}/{g.name}"}
    for o in optimizers.names():
        expected |= {f"optimizer/{o}", f"optimizer/{o}/state"}
    for a in activations.names():
        act = activations.get(a)
        expected.add(f"activation/{a}" if act.elementwise else f"activation/{a}_2class")
    expected |= {f"loss/{name}" for name in losses.names()}
    expected |= {f"learning_rates/{s}" for s in surfaces.names()}
    expected |= {f"race_runs/{s}" for s in surfaces.names()}
    expected |= {f"mnist/runs/{r}" for r in catalog_mnist.names()}  # the MNIST runs' registry
    expected |= {f"mnist/history/{r}" for r in catalog_mnist.names()}
    expected |= {f"mnist/study/{o}" for o in optimizers.names()} | {"mnist/tables"}
    expected |= {f"mnist/{n}" for n in ("curves", "confusion", "class_report", "extremes",
                                         "optimizers", "landscape/3d", "landscape/contour")}
    assert expected <= names
    assert names - expected == set(), "entries not derived from a registry"


def test_no_race_animation_shows_more_than_six_paths():
    animations = [e for e in FIGURES if e.kind == "animation" and e.name.startswith("race/")]
    specs = {spec.name: spec for spec in race_specs()}
    assert len(animations) == 2 * len(specs)
    for entry in animations:
        spec = specs[entry.params["spec"]]
        assert entry.name.rsplit("/", 1)[0] == spec.name
        assert 1 <= len(spec.optimizers) <= MAX_GROUP == 6, entry.name


def test_basin_maps_cover_every_optimizer_on_the_full_grid():
    """Issue 11: every optimizer of each group, at least 200 x 200 starts, as the title says."""
    for s in BASIN_SURFACES:
        for g in groups():
            maps = catalog.get(f"basin_maps/{s}/{g.name}")
            figure = catalog.get(f"basins/{s}/{g.name}")
            assert maps.params["optimizers"] == list(g.members)
            side = maps.params["size"]
            assert side >= 200 and f"{side} × {side} starts" in figure.params["title"]


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
    assert catalog.get("race/opening/3d").outputs() == (  # the alt text states its outcome
        "race/opening/3d.mp4", "race/opening/3d.png", "race/opening/3d.alt.txt")
    assert catalog.get("activation/relu").outputs() == ("activation/relu.png",)
    assert catalog.get("basin_maps/himmelblau/adam").outputs() == (
        "basin_maps/himmelblau/adam/maps.npz",)


def test_select_globs_and_order():
    chosen = catalog.select(["race/*/gap", "graph/linear"])
    assert [f.name for f in chosen][-1] == "graph/linear"
    assert {f.name for f in chosen[:-1]} == {f"race/{s}/gap" for s in surfaces.names()} | {
        f"{spec.name}/gap" for spec in race_specs()}
    assert catalog.select(None) == list(FIGURES)


@pytest.mark.parametrize("bad", ["race/rosenbrok/gap", "graph/*/sideways"])
def test_unknown_name_suggests(bad):
    with pytest.raises(UnknownNameError) as info:
        catalog.select([bad])
    assert bad in str(info.value)
    if "*" not in bad:
        assert "race/rosenbrock/gap" in str(info.value).split("Valid names")[0]
    valid = str(info.value).split("Valid names")[1]
    assert len(valid) < 600  # the catalog's names by group, not hundreds of them
    assert f"race/... ({len(catalog.select(['race/*']))})" in valid
    assert "explorer," in valid and "atlas render --list" in valid


def test_a_short_list_of_valid_names_is_given_in_full():
    with pytest.raises(UnknownNameError) as info:
        optimizers.get("adamm")
    assert str(info.value).endswith(", ".join(optimizers.names()) + ".")


def test_bad_kind_is_rejected():
    with pytest.raises(ValueError, match="'movie'"):
        Entry("x/y", "d", print, "movie")
    with pytest.raises(ValueError, match="need itself"):
        Entry("x/y", "d", print, "image", needs=("x/y",))


def test_figures_need_the_artifacts_they_read():
    rates = {f"learning_rates/{s}" for s in surfaces.names()}
    for s in surfaces.names():
        assert catalog.get(f"learning_rates/{s}").artifact
        runs = catalog.get(f"race_runs/{s}")  # every optimizer's chosen run, from the sweeps
        assert runs.artifact and runs.needs == (f"learning_rates/{s}",)
        for kind in ("summary", "gap"):
            assert catalog.get(f"race/{s}/{kind}").needs == (runs.name,)
        assert catalog.get(f"sensitivity/{s}").needs == (f"learning_rates/{s}",)
    for spec in race_specs():
        for kind in ("3d", "contour", "gap"):
            assert catalog.get(f"{spec.name}/{kind}").needs == (f"race_runs/{spec.surface}",)
    for name in ("table/races", "table/lr_windows", "race/profile"):
        assert set(catalog.get(name).needs) == rates
    for s in BASIN_SURFACES:
        for g in groups():
            maps = catalog.get(f"basin_maps/{s}/{g.name}")
            assert maps.artifact and maps.needs == (f"learning_rates/{s}",)
            assert catalog.get(f"basins/{s}/{g.name}").needs == (maps.name,)
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
        *real(quick), Entry("loss/broken", "d", print, "image", needs=("nothing/here",),
                             alt="A figure drawn from an entry the catalog does not have.")])
    catalog.entries.cache_clear()
    try:
        with pytest.raises(ValueError, match="nothing/here"):
            catalog.entries()
    finally:
        monkeypatch.undo()
        catalog.entries.cache_clear()
