"""``atlas render``: files, manifest, skipping, determinism, errors and interruptions.

Everything renders the catalog's quick settings (tiny figures, few frames)
into ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
from mp4 import read_mp4

from atlas import catalog, cli, keys, outdir, render
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
    figures = data["entries"]
    chosen = [catalog.get(name, quick=True) for name in SUBSET]
    expected = render.entry_keys(chosen, ("mp4", "png"), keys.ImportGraph(), quick=True)
    assert set(data["imports"]) >= {"atlas.catalog.activations", "atlas.viz.style"}
    for figure in chosen:
        record = figures[figure.name]
        assert record["key"] == expected[figure.name]
        assert record["params"] == dict(figure.params) and record["seconds"] >= 0
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


def _key(entry, formats=("mp4", "png"), graph=None, quick=True):
    graph = keys.ImportGraph() if graph is None else graph
    return render.entry_keys([entry], formats, graph, quick)[entry.name]


def test_key_depends_on_params_formats_source_and_needs(monkeypatch):
    figure = catalog.get("activation/relu", quick=True)
    base = _key(figure)
    assert _key(catalog.get("activation/relu"), quick=False) != base  # other params
    anim = catalog.get("graph/linear", quick=True)
    assert _key(anim, ("mp4",)) != _key(anim, ("mp4", "png"))
    edited = keys.ImportGraph()
    edited._digests["atlas.viz.style"] = "edited"  # a module the figure's build imports
    assert _key(figure, graph=edited) != base
    unrelated = keys.ImportGraph()
    unrelated._digests["atlas.surfaces.classics"] = "edited"
    assert _key(figure, graph=unrelated) == base
    race = catalog.get("race/sphere/gap", quick=True)  # its key covers its need's key
    before = _key(race)
    monkeypatch.setattr(keys, "entry_key", lambda record, module, graph, needs: (
        "k" + str(sorted(needs.items())) if record["name"] == race.name else "changed"))
    assert _key(race) == "k[('race_runs/sphere', 'changed')]" != before


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
    def timeless(path):  # how long each build took differs from run to run
        data = json.loads((path / "manifest.json").read_text())
        for record in data["entries"].values():
            record.pop("seconds")
        return data

    assert timeless(tmp_path) == timeless(out)


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
    # the animation goes first (the longest task): interrupted, it left nothing behind
    assert files == [outdir.LOCK_NAME, "manifest.json"]
    assert json.loads((tmp_path / "manifest.json").read_text())["entries"] == {}
    monkeypatch.undo()
    assert _render(tmp_path).rendered == tuple(SUBSET)


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
    assert "unknown catalog entry 'activation/rellu'" in err and "'activation/relu'" in err


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


# ------------------------------------------- artifacts: built once, before what needs them


@pytest.fixture
def counted_small_protocol(monkeypatch):
    """A 5-rate grid and 24-step budget (the rules unchanged), and a count of the sweeps
    (:func:`atlas.protocol.grid_outcomes`: one optimizer's grid rates, run as one batch)."""
    from atlas import protocol

    monkeypatch.setattr(protocol, "GRID", protocol.GRID[::5])
    monkeypatch.setattr(protocol, "DEFAULT_STEPS", 24)
    protocol._sweep.cache_clear()
    calls = [0]
    real = protocol.grid_outcomes

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(protocol, "grid_outcomes", counted)
    yield calls
    protocol._sweep.cache_clear()


def test_a_surfaces_figures_share_one_sweep_built_first(tmp_path, counted_small_protocol,
                                                        monkeypatch):  # fmt: skip
    from atlas import learning_rates, optimizers, protocol
    from atlas.races import race

    calls = counted_small_protocol
    raced = [0]  # the races' runs: once per optimizer, in race_runs/sphere, for both figures
    real_trajectory = race.trajectory
    monkeypatch.setattr(race, "trajectory", lambda *a, **k: (
        raced.__setitem__(0, raced[0] + 1), real_trajectory(*a, **k))[1])
    names = ["race/sphere/summary", "race/sphere/gap", "sensitivity/sphere"]
    lines = []
    report = _render(tmp_path, names, progress=lambda *args: lines.append(args))
    # the artifacts, in catalog order, then the figures
    assert report.rendered == ("learning_rates/sphere", "race_runs/sphere", *names)
    assert raced[0] == len(optimizers.names())
    assert calls[0] == len(optimizers.names())  # each optimizer's sweep once, for three
    assert lines[0][2:] == ("learning_rates/sphere", "rendered")  # built before any figure
    sweeps = learning_rates.read_sweeps(tmp_path / "learning_rates" / "sphere.json")
    assert list(sweeps) == optimizers.names()
    assert not (tmp_path / ".cache").exists()  # one cache: the manifest's entries

    protocol._sweep.cache_clear()  # a new process: only the files remember
    calls[0] = 0
    assert _render(tmp_path, names).rendered == ()  # warm: nothing drawn, nothing swept
    assert _render(tmp_path, names, force=True).rendered == tuple(names)
    assert calls[0] == 0  # redrawn from the artifact, which was up to date
    assert _render(tmp_path, ["learning_rates/sphere"], force=True).rendered == (
        "learning_rates/sphere",)  # named, it is rebuilt; its figures' keys do not change
    assert _render(tmp_path, names).rendered == ()


def test_a_selection_builds_what_it_needs_and_nothing_else(tmp_path):
    report = _render(tmp_path, ["optimizer/sgd", "activation/relu"], jobs=2)
    assert set(report.rendered) == {"learning_rates/ellipse", "learning_rates/rosenbrock",
                                    "learning_rates/saddle", "optimizer/sgd", "activation/relu"}
    built = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert built == {outdir.LOCK_NAME, "manifest.json", "activation/relu.png",
                     "optimizer/sgd.png", "optimizer/sgd.alt.txt", "learning_rates/ellipse.json",
                     "learning_rates/rosenbrock.json", "learning_rates/saddle.json"}


def test_a_build_is_handed_its_needs_outputs(tmp_path, monkeypatch):
    seen = {}
    real = render.build_entry

    def spy(name, out, formats, quick, inputs):
        seen[name] = dict(inputs)
        return real(name, out, formats, quick, inputs)

    monkeypatch.setattr(render, "build_entry", spy)
    _render(tmp_path, ["sensitivity/sphere"], quick=True)  # one sweep: the sphere's
    figure = catalog.get("sensitivity/sphere", quick=True)
    assert figure.needs and seen["sensitivity/sphere"] == {
        n: str(tmp_path / f"{n}.json") for n in figure.needs}
    assert seen["learning_rates/sphere"] == {}  # an artifact that needs nothing


def test_longest_chains_go_first():
    entries = [catalog.get(n) for n in ("activation/relu", "learning_rates/sphere",
                                        "race_runs/sphere", "race/sphere/summary",
                                        "race/sphere/gap")]  # fmt: skip
    estimate = {"activation/relu": 1.0, "learning_rates/sphere": 10.0, "race_runs/sphere": 2.0,
                "race/sphere/summary": 4.0, "race/sphere/gap": 1.0}
    rank = render.priorities(entries, estimate)
    assert rank == {"activation/relu": 1.0, "learning_rates/sphere": 16.0,
                    "race_runs/sphere": 6.0, "race/sphere/summary": 4.0, "race/sphere/gap": 1.0}


def _product_in_a_worker(a, b):
    return a @ b


def test_a_build_in_this_process_uses_one_blas_thread_as_a_worker_does():
    """``--jobs 1`` (and a single entry) build here: with one BLAS thread, as the spawned
    workers, a matrix product sums in the same order, so an entry has the same bytes."""
    from atlas import blas, workers

    if not blas.available():
        pytest.skip("numpy's BLAS is not an OpenBLAS (the render then builds in a worker)")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2000, 784)).astype(np.float32)
    b = rng.standard_normal((784, 200)).astype(np.float32)
    before = blas.threads()
    with blas.one_thread():
        assert blas.threads() == 1
        here = a @ b
    assert blas.threads() == before
    with workers.pool(1) as pool:
        there = pool.submit(_product_in_a_worker, a, b).result()
    assert here.tobytes() == there.tobytes()


def _allocator_faults() -> tuple[dict[str, str | None], int]:
    """This process's allocator settings, and the pages it faults in for arrays made and
    freed in turn (sizes below numpy's huge pages, around glibc's moving threshold)."""
    import resource

    from atlas import workers

    settings = {name: os.environ.get(name) for name in workers.MALLOC_SETTINGS}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        for size in (1_500_000, 320_000, 3_000_000):
            array = np.ones(size // 8)  # made, touched and freed
            del array
    return settings, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_workers_keep_freed_memory_unless_the_user_says_otherwise(monkeypatch):
    from atlas import workers

    for name in workers.MALLOC_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import test_render; "
            "print(test_render._allocator_faults()[1])")
    default = int(subprocess.run([sys.executable, "-c", code, os.path.dirname(__file__)],
                                 capture_output=True, text=True, check=True).stdout)  # fmt: skip
    with workers.pool(1) as pool:
        settings, faults = pool.submit(_allocator_faults).result()
    assert settings == workers.MALLOC_SETTINGS
    assert faults < 0.6 * default  # the memory freed is reused, not faulted in again
    assert not any(name in os.environ for name in workers.MALLOC_SETTINGS)  # restored
    monkeypatch.setenv("MALLOC_TOP_PAD_", "0")
    with workers.pool(1) as pool:
        settings, _ = pool.submit(_allocator_faults).result()
    assert settings["MALLOC_TOP_PAD_"] == "0"  # the user's value wins


def test_the_render_builds_in_this_process_with_one_blas_thread(tmp_path, monkeypatch):
    from atlas import blas

    if not blas.available():
        pytest.skip("numpy's BLAS is not an OpenBLAS")
    seen, build = [], render.build_entry

    def spy(*args):
        seen.append(blas.threads())
        return build(*args)

    monkeypatch.setattr(render, "build_entry", spy)
    _render(tmp_path, ["activation/relu"])
    assert seen == [1]
