"""The catalog entries of the optimizers since Adam and of the MNIST study, rendered at the
quick settings, and what the book reads from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas import book, catalog, optimizers, render
from atlas.catalog import modern
from atlas.catalog import study as mnist_study
from atlas.nn import study

SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-small"
pytestmark = pytest.mark.skipif(not SMALL.is_dir(), reason=f"{SMALL} not present")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("modern")
    names = ["mnist/study/curves", "optimizer/*/internals", "optimizer/muon/normalised"]
    render.render(names, out=out, jobs=1, progress=False, quick=True)
    return out


def test_every_optimizer_has_its_study_and_the_figures_are_pngs(out):
    for name in optimizers.names():
        result, timing = study.load(out / mnist_study.study_name(name))
        assert result.optimizer == timing.optimizer == name
        assert result.settings["model"] == "784-32-10" and result.grid == [1e-2, 1e-1]
    internals = [e.name for e in catalog.entries(quick=True) if e.module == modern.__name__]
    assert {"optimizer/adafactor/internals", "optimizer/muon/normalised",
            "optimizer/lion/internals", "optimizer/schedule_free_adamw/internals"} <= set(internals)
    for name in [*internals, "mnist/study/curves"]:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_results_hold_no_wall_time_and_the_timing_file_does(out):
    directory = out / mnist_study.study_name("adam")
    assert "seconds" not in (directory / study.RESULTS).read_text()
    assert json.loads((directory / study.TIMING).read_text())["median"] > 0


def test_what_the_book_reads(out):
    found = mnist_study.results(out)
    assert sorted(found) == sorted(optimizers.names())
    ranking = mnist_study.ranking(found)
    finals = [found[n][0].test_error[-1] for n in ranking if found[n][0].test_error]
    assert finals == sorted(finals)
    html = book.study_table(found).data
    assert html.count("<tr>") == len(optimizers.names()) + 1 and "<strong>" in html
    compared = modern.muon_comparison(out)
    assert compared.step_error < 1e-13 and compared.agree > 0
