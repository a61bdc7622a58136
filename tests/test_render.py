"""``atlas render``: files, manifest, skipping, determinism, errors and interruptions.

Everything renders the catalog's quick settings (tiny figures, few frames)
into ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import subprocess

import imageio.v3 as iio
import pytest
from mp4 import read_mp4

from atlas import catalog, cli, manifest, outdir, render
from atlas.viz import animation

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SUBSET = ["activation/relu", "graph/linear"]


def _render(out, names=SUBSET, **kwargs):
    kwargs = {"jobs": 1, "progress": False, "quick": True, **kwargs}
    return render.render(names, out=out, **kwargs)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    return out, _render(out)


def test_files_exist_and_manifest_matches(rendered):
    out, report = rendered
    assert report.rendered == tuple(SUBSET) and report.skipped == ()
    data = json.loads((out / "manifest.json").read_text())
    assert list(data) == sorted(data)  # sorted keys
    figures = data["figures"]
    for name in SUBSET:
        figure = catalog.get(name, quick=True)
        record = figures[name]
        assert record["hash"] == manifest.content_hash(figure, ("mp4", "png"))
        assert record["params"] == dict(figure.params)
        assert sorted(record["files"]) == sorted(figure.outputs())
        for file, size in record["files"].items():
            assert (out / file).stat().st_size == size > 0
    assert (out / "graph" / "linear.mp4").is_file()
    assert (out / "activation" / "relu.png").read_bytes().startswith(PNG_MAGIC)


def test_mp4_reads_back_with_expected_frames(rendered):
    out, _ = rendered
    from atlas.examples import graphs
    from atlas.viz.graph_plots import graph_frames

    params = catalog.get("graph/linear", quick=True).params
    expected = len(graph_frames(graphs.recording("linear"))) * params["hold"]
    _, frames = read_mp4(out / "graph" / "linear.mp4")
    assert frames.shape[0] == expected
    poster = iio.imread(out / "graph" / "linear.png")
    assert (out / "graph" / "linear.png").read_bytes().startswith(PNG_MAGIC)
    assert frames.shape[1:3] == poster.shape[:2]
    assert poster.shape[0] % 2 == 0 and poster.shape[1] % 2 == 0


def test_second_run_does_no_work(rendered):
    out, _ = rendered

    def written():  # every file but the lock, which names the render holding it
        return {p: p.stat().st_mtime_ns for p in out.rglob("*")
                if p.is_file() and p.name != outdir.LOCK_NAME}  # fmt: skip

    before = written()
    report = _render(out)
    assert report.rendered == () and report.skipped == tuple(SUBSET)
    assert written() == before


def test_missing_or_changed_file_is_redrawn(tmp_path):
    _render(tmp_path, ["activation/relu"])
    (tmp_path / "activation" / "relu.png").unlink()
    assert _render(tmp_path, ["activation/relu"]).rendered == ("activation/relu",)
    assert _render(tmp_path, ["activation/relu"], force=True).rendered == ("activation/relu",)


def test_hash_depends_on_params_formats_and_source(monkeypatch):
    figure = catalog.get("activation/relu", quick=True)
    base = manifest.content_hash(figure, ("mp4", "png"))
    assert manifest.content_hash(catalog.get("activation/relu"), ("mp4", "png")) != base
    anim = catalog.get("graph/linear", quick=True)
    assert manifest.content_hash(anim, ("mp4",)) != manifest.content_hash(anim, ("mp4", "png"))
    monkeypatch.setattr(manifest, "source_digest", lambda m, _c={}: "changed")
    assert manifest.content_hash(figure, ("mp4", "png")) != base


def test_deterministic_png_bytes(tmp_path, rendered):
    out, _ = rendered
    _render(tmp_path, SUBSET)
    for file in ("activation/relu.png", "graph/linear.png"):
        assert (tmp_path / file).read_bytes() == (out / file).read_bytes()


def test_parallel_render_matches_serial(tmp_path, rendered):
    out, _ = rendered
    report = _render(tmp_path, SUBSET, jobs=2)
    assert set(report.rendered) == set(SUBSET)
    assert (tmp_path / "activation/relu.png").read_bytes() == (
        out / "activation/relu.png").read_bytes()
    assert json.loads((tmp_path / "manifest.json").read_text()) == json.loads(
        (out / "manifest.json").read_text())


def test_interrupted_render_leaves_no_partial_file(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_append = animation.Mp4Writer.append

    def append_then_interrupt(self, frame):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real_append(self, frame)

    monkeypatch.setattr(animation.Mp4Writer, "append", append_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _render(tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [outdir.LOCK_NAME, "activation/relu.png", "manifest.json"]  # one figure
    assert list(json.loads((tmp_path / "manifest.json").read_text())["figures"]) == [
        "activation/relu"]
    monkeypatch.undo()
    assert _render(tmp_path).rendered == ("graph/linear",)


def test_stale_temporary_files_are_cleaned(tmp_path):
    writer = subprocess.Popen(["true"])  # a process that is gone by the time render looks
    writer.wait()
    stale = tmp_path / "graph" / f".linear.mp4.atlas-tmp-{writer.pid}-0.mp4"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a video")
    _render(tmp_path, ["activation/relu"])
    assert not stale.exists()


def test_unknown_name_exits_2_with_suggestion(capsys):
    assert cli.main(["render", "activation/rellu", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "unknown figure 'activation/rellu'" in err and "'activation/relu'" in err


def test_unwritable_out_exits_2_with_one_message(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert cli.main(["render", "activation/relu", "--out", str(blocker / "out"), "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot write to output directory" in err


def test_bad_formats_and_jobs_exit_2(tmp_path, capsys):
    assert cli.main(["render", "activation/relu", "--formats", "avi", "--out", str(tmp_path)]) == 2
    assert cli.main(["render", "activation/relu", "--jobs", "0", "--out", str(tmp_path)]) == 2
    assert "formats" in capsys.readouterr().err


def test_list_prints_every_name(capsys):
    assert cli.main(["render", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == catalog.names()


def test_cli_render_and_progress_lines(tmp_path, capsys):
    assert cli.main(["render", "activation/relu", "--out", str(tmp_path), "--quick",
                     "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "1 rendered, 0 up to date" in captured.out
    assert "1/1 rendered activation/relu" in captured.err  # plain lines: not a terminal


def test_default_out_is_the_book():
    out = render.default_out()
    assert out.parts[-2:] == ("book", "_generated")
    assert (out.parent.parent / "_toc.yml").is_file() or out.parent.parent == os.getcwd()


# ------------------------------------------------- the learning-rate protocol, searched once


@pytest.fixture
def counted_small_protocol(monkeypatch):
    """A 5-rate grid and 24-step budget (the rules unchanged), and a count of the runs."""
    from atlas import learning_rates

    monkeypatch.setattr(learning_rates, "GRID", learning_rates.GRID[::5])
    monkeypatch.setattr(learning_rates, "DEFAULT_STEPS", 24)
    learning_rates._best.cache_clear()
    calls = [0]
    real = learning_rates.score_run

    def counted(*args):
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(learning_rates, "score_run", counted)
    yield calls
    learning_rates._best.cache_clear()


def test_a_surfaces_figures_share_one_search_cached_on_disk(tmp_path, counted_small_protocol):
    from atlas import learning_rates, optimizers

    calls = counted_small_protocol
    names = ["race/sphere/3d", "race/sphere/contour", "race/sphere/gap"]
    lines = []
    report = _render(tmp_path, names, progress=lambda *args: lines.append(args))
    assert report.rendered == tuple(names)
    one_search = len(optimizers.names()) * len(learning_rates.GRID)
    assert calls[0] == one_search  # each (optimizer, rate) run once for three figures
    assert lines[0][2:] == ("learning rates on sphere", "searched")  # before any figure
    cached = learning_rates.read_cached("sphere", tmp_path / render.CACHE_DIR)
    assert set(cached) == set(optimizers.names())
    assert render.missing_searches([catalog.get(n, quick=True) for n in names], tmp_path) == []

    learning_rates._best.cache_clear()  # a new process: only the disk remembers
    calls[0] = 0
    assert _render(tmp_path, names).rendered == ()  # warm: nothing drawn, nothing searched
    assert _render(tmp_path, names, force=True).rendered == tuple(names)
    assert calls[0] == 0  # redrawn from the cached search


def test_missing_searches_lists_only_uncached_surfaces(tmp_path, counted_small_protocol):
    from atlas import learning_rates

    figures = [catalog.get(n) for n in ("race/sphere/gap", "optimizer/sgd", "activation/relu")]
    assert render.missing_searches(figures, tmp_path) == ["sphere", "ellipse", "rosenbrock",
                                                          "saddle"]
    learning_rates.surface_choices("ellipse", tmp_path / render.CACHE_DIR)
    assert render.missing_searches(figures, tmp_path) == ["sphere", "rosenbrock", "saddle"]
    assert render.missing_searches([catalog.get("activation/relu")], tmp_path) == []
