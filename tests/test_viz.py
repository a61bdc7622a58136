"""The drawing layer: blitting writer, style, surface plots, races, optimizer figures."""

from __future__ import annotations

import itertools

import imageio.v3 as iio
import matplotlib
import numpy as np
import pytest
from matplotlib.artist import Artist
from mp4 import read_mp4

from atlas import optimizers, surfaces
from atlas.races.race import run_race
from atlas.trajectory import trajectory
from atlas.viz import animation, gap_plot, optimizer_plots, png, race, style, surface_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_figure(three_d: bool = False):
    """A 160 x 120 px figure with a static curve and one animated line + dot."""
    with style.style():
        figure = style.new_figure((4.0, 3.0), 40)
        if three_d:
            ax = figure.add_subplot(projection="3d")
            ax.plot([0, 1], [0, 1], [0, 1], color="0.5")
            ax.set(xlim=(0, 1), ylim=(0, 1), zlim=(0, 1))
            (line,) = ax.plot([], [], [], color="C1", lw=2, animated=True)
        else:
            ax = figure.add_subplot()
            ax.plot([0, 1], [1, 0], color="0.5")
            ax.set(xlim=(0, 1), ylim=(0, 1))
            (line,) = ax.plot([], [], "o-", color="C1", lw=2, animated=True)
    t = np.linspace(0.1, 0.9, 30)  # away from the spines, which a full draw puts on top

    def update(i: int) -> None:
        k = 3 * i + 2
        if three_d:
            line.set_data_3d(t[:k], t[:k] ** 2, t[:k])
        else:
            line.set_data(t[:k], 0.5 + 0.4 * np.sin(6 * t[:k]))

    return figure, [line], update


def files(directory):
    return sorted(p.name for p in directory.iterdir())


# ------------------------------------------------------------------- style


def test_every_optimizer_has_a_distinct_fixed_colour():
    colours = [style.optimizer_color(name) for name in optimizers.names()]
    assert all(name in style.OPTIMIZER_COLORS for name in optimizers.names())
    assert len(set(colours)) == len(colours)
    for colour in colours:
        matplotlib.colors.to_rgba(colour)  # valid


def test_fallback_colour_is_stable_and_from_the_fallback_palette():
    colour = style.optimizer_color("brand_new_optimizer")
    assert colour == style.optimizer_color("brand_new_optimizer")
    assert colour in style.FALLBACK_COLORS


def test_style_restores_rcparams_and_figures_are_opaque_and_even():
    before = matplotlib.rcParams["font.size"]
    with style.style():
        assert matplotlib.rcParams["figure.facecolor"] == style.BACKGROUND
    assert matplotlib.rcParams["font.size"] == before
    figure = style.new_figure((3.01, 2.01), 50)  # 150.5 x 100.5 px -> even
    width, height = figure.canvas.get_width_height()
    assert width % 2 == 0 and height % 2 == 0
    assert png.figure_rgba(figure)[..., 3].min() == 255  # opaque


# ----------------------------------------------------------- the writer


def test_writer_registry():
    assert animation.writers.names() == ["mp4", "png", "gif"]
    for _, writer in animation.writers.items():
        assert writer.description and "\n" not in writer.description
    with pytest.raises(ValueError, match="mp4"):
        animation.output_paths("x", ["mp5"])


def test_mp4_is_h264_yuv420p_with_every_frame(tmp_path):
    figure, artists, update = tiny_figure()
    out = animation.render_animation(figure, artists, update, 7, tmp_path / "anim", fps=10)
    assert set(out) == {"mp4", "png"} and files(tmp_path) == ["anim.mp4", "anim.png"]
    meta, frames = read_mp4(out["mp4"])
    assert meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (160, 120)
    assert frames.shape == (7, 120, 160, 3)
    assert not np.array_equal(frames[0], frames[-1])  # the line moved
    head = out["mp4"].read_bytes()[:64]
    assert b"ftyp" in head and head.find(b"moov") != -1  # +faststart: index up front


def test_poster_is_the_last_frame_and_byte_identical(tmp_path):
    paths = []
    for run in ("a", "b"):
        figure, artists, update = tiny_figure()
        out = animation.render_animation(figure, artists, update, 5, tmp_path / run / "x",
                                         formats=("png",))  # fmt: skip
        paths.append(out["png"])
        last_frame = animation.BlitAnimation(figure, artists, update).frame(4)[..., :3].copy()
    first, second = (p.read_bytes() for p in paths)
    assert first.startswith(PNG_SIGNATURE) and first == second
    assert b"tIME" not in first and b"tEXt" not in first and b"iTXt" not in first
    # The poster is the last frame, stored as a palette PNG: equal up to quantisation.
    poster = iio.imread(paths[0]).astype(int)
    assert poster.shape == last_frame.shape
    assert np.abs(poster - last_frame).mean() < 1.0 and np.abs(poster - last_frame).max() <= 32


def test_gif_fallback(tmp_path):
    figure, artists, update = tiny_figure()
    out = animation.render_animation(figure, artists, update, 4, tmp_path / "g.mp4",
                                     formats=("gif",))  # fmt: skip
    assert files(tmp_path) == ["g.gif"]
    assert iio.imread(out["gif"], index=None).shape[:3] == (4, 120, 160)


@pytest.mark.parametrize("three_d", [False, True], ids=["2d", "3d"])
def test_blitted_frames_equal_a_full_redraw(three_d):
    figure, artists, update = tiny_figure(three_d)
    blitter = animation.BlitAnimation(figure, artists, update)
    for index in (0, 3, 9):
        blitted = blitter.frame(index).copy()
        # The same state drawn the slow way: everything, animated artists included.
        for artist in artists:
            artist.set_animated(False)
        update(index)
        full = png.figure_rgba(figure)
        for artist in artists:
            artist.set_animated(True)
        figure.canvas.draw()
        blitter.background = figure.canvas.copy_from_bbox(figure.bbox)
        np.testing.assert_array_equal(blitted, full)


class BoomError(Exception):
    pass


@pytest.mark.parametrize("error", [BoomError, KeyboardInterrupt])
@pytest.mark.parametrize("formats", [("mp4", "png"), ("mp4", "png", "gif")])
def test_an_error_mid_render_leaves_no_file(tmp_path, error, formats):
    figure, artists, update = tiny_figure()

    def failing(i: int) -> None:
        if i == 3:
            raise error()
        update(i)

    (tmp_path / "old.png").write_bytes(b"previous version")
    with pytest.raises(error):
        animation.render_animation(figure, artists, failing, 6, tmp_path / "old",
                                   formats=formats)  # fmt: skip
    assert files(tmp_path) == ["old.png"]  # no new file, no temporary file
    assert (tmp_path / "old.png").read_bytes() == b"previous version"


def test_write_png_is_atomic_and_deterministic(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    a = png.write_png(rgb, tmp_path / "a.png")
    b = png.write_png(rgb, tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    np.testing.assert_array_equal(iio.imread(a), rgb)
    assert files(tmp_path) == ["a.png", "b.png"]
    with pytest.raises(ValueError, match="uint8"):
        png.write_png(rgb.astype(float), tmp_path / "c.png")
    assert files(tmp_path) == ["a.png", "b.png"]


def test_bad_arguments(tmp_path):
    figure, artists, update = tiny_figure()
    with pytest.raises(ValueError, match="0"):
        animation.render_animation(figure, artists, update, 0, tmp_path / "x")
    with pytest.raises(ValueError, match="-1"):
        animation.render_animation(figure, artists, update, 2, tmp_path / "x", fps=-1)
    assert files(tmp_path) == []


# --------------------------------------------------------- surface plots


@pytest.mark.parametrize("name", surfaces.names())
def test_surface_plots_return_artists(name):
    surface = surfaces.get(name)
    with style.style():
        figure = style.new_figure((4.0, 2.0), 30)
        flat = surface_plots.plot_contours(figure.add_subplot(1, 2, 1), surface, n=24, levels=8)
        solid = surface_plots.plot_surface_3d(figure.add_subplot(1, 2, 2, projection="3d"),
                                              surface, n=16)  # fmt: skip
    for artists in (flat, solid):
        assert artists and all(isinstance(a, Artist) for a in artists)
    markers = len(surface.minima) + len(surface.critical)
    assert len(flat) == 2 + markers  # filled, lines, one marker per point


def test_log_levels_where_the_range_spans_decades():
    assert surface_plots.surface_grid(surfaces.get("rosenbrock")).log
    assert not surface_plots.surface_grid(surfaces.get("sphere")).log
    assert not surface_plots.surface_grid(surfaces.get("saddle")).log  # no minimum
    grid = surface_plots.surface_grid(surfaces.get("beale"), 40)
    levels = grid.levels(10) - grid.floor
    np.testing.assert_allclose(levels[1:] / levels[:-1], levels[1] / levels[0], rtol=1e-9)


# ------------------------------------------------------------------ races


def test_frame_steps():
    np.testing.assert_array_equal(race.frame_steps(128, 144), np.arange(129))
    steps = race.frame_steps(1024, 144)
    assert len(steps) == 144 and steps[0] == 0 and steps[-1] == 1024
    assert np.all(np.diff(steps) > 0)
    with pytest.raises(ValueError, match="1"):
        race.frame_steps(10, 1)


def small_race():
    lrs = {"sgd": 0.1, "adam": 0.3, "momentum": 1e100}  # momentum at lr 1e100 diverges
    return run_race("sphere", list(lrs), steps=12, lrs=lrs)


def test_race_runs_and_labels():
    result = small_race()
    sgd, _adam, momentum = result.runs
    expected = trajectory(optimizers.get("sgd", lr=0.1), surfaces.get("sphere"), None, 12)
    np.testing.assert_array_equal(sgd.xy, expected.xy)
    assert sgd.label == "SGD  lr=0.1" and sgd.optimizer == "sgd"
    assert momentum.diverged_at is not None
    assert momentum.label.endswith(f"diverged at step {momentum.diverged_at}")
    assert len(momentum.xy) == momentum.diverged_at  # the line stops where it was finite
    assert sgd.upto(100) == slice(0, 13) and momentum.upto(100).stop == len(momentum.xy)


def test_plot_gap_log_or_symlog():
    result = small_race()
    with style.style():
        figure = style.new_figure((3.0, 2.0), 30)
        ax = figure.add_subplot()
        artists = gap_plot.plot_gap(ax, result.runs, 0.0)
        assert ax.get_yscale() == "log"
        assert len(artists) == 3 + 1  # three lines and the cross of the diverged run
        saddle = run_race("saddle", ["sgd"], steps=5, lrs={"sgd": 0.1})
        ax2 = figure.add_subplot()
        gap_plot.plot_gap(ax2, saddle.runs, None)
        assert ax2.get_yscale() == "symlog"
    np.testing.assert_array_equal(artists[0].get_ydata(), np.maximum(result.runs[0].z, 1e-16))


@pytest.mark.parametrize("draw", [race.animate_race_3d, race.animate_race_contour])
def test_race_animations(tmp_path, draw):
    out = draw(small_race(), tmp_path / "race", max_frames=5, dpi=20)
    meta, frames = read_mp4(out["mp4"])
    assert meta["size"] == (136, 92) and len(frames) == 5  # 6.8 x 4.6 in at 20 dpi
    assert out["png"].read_bytes().startswith(PNG_SIGNATURE)


def test_gap_figure(tmp_path):
    path = gap_plot.draw_gap(small_race(), tmp_path / "gap", dpi=20)
    assert path.name == "gap.png" and path.read_bytes().startswith(PNG_SIGNATURE)


def test_race_drawings_write_only_the_formats_asked(tmp_path):
    out = race.animate_race_contour(small_race(), tmp_path / "c", ("png",), max_frames=3, dpi=20)
    assert list(out) == ["png"]
    race.animate_race_3d(small_race(), tmp_path / "d", ("mp4",), max_frames=3, dpi=20)
    gap_plot.draw_gap(small_race(), tmp_path / "g", dpi=20)
    assert files(tmp_path) == ["c.png", "d.mp4", "g.png"]


# ------------------------------------------------------ optimizer figures


def traced(name: str, steps: int = 6):
    """The optimizer's run on the ellipse with its state's step sizes and momentum."""
    from atlas.examples.optimizers import state_trace
    from atlas.viz.optimizer_plots import OptimizerPath

    surface = surfaces.get("ellipse")
    trace = state_trace(optimizers.get(name, lr=0.05), surface, steps)
    run = OptimizerPath(surface, name, 0.05, steps, trace.xy, None)
    return run, trace


@pytest.mark.parametrize("name", ["momentum", "adam", "sgd", "asgd"])
def test_state_plots_return_artists(name):
    run, trace = traced(name, 20)
    with style.style():
        figure = style.new_figure((4.0, 2.0), 30)
        arrows = optimizer_plots.plot_momentum_arrows(figure.add_subplot(1, 2, 1), run,
                                                      trace.momentum, "C0")  # fmt: skip
        lines = optimizer_plots.plot_effective_steps(figure.add_subplot(1, 2, 2),
                                                     trace.step_sizes, "C0")  # fmt: skip
    assert (arrows == []) == (name in ("sgd", "asgd"))
    assert lines and all(isinstance(a, Artist) for a in lines)
    # one line where every coordinate shares the step (constant, or ASGD's decaying one)
    assert len(lines) == (1 if name in ("sgd", "momentum", "asgd") else 2)
    if name == "asgd":
        assert lines[0].get_ydata()[0] > lines[0].get_ydata()[-1]


def test_state_trace_is_the_trajectory_and_the_states_say():
    _run, trace = traced("adam", 8)
    path = trajectory(optimizers.get("adam", lr=0.05), surfaces.get("ellipse"), None, 8)
    np.testing.assert_array_equal(trace.xy, path.xy)
    assert trace.momentum.shape == (9, 2) and trace.step_sizes.shape == (8, 2)
    assert traced("sgd")[1].momentum is None


def test_optimizer_figures(tmp_path):
    run, trace = traced("adam", 20)
    a = optimizer_plots.draw_optimizer_paths(tmp_path / "adam", "Adam", [run, run, run], dpi=20)
    b = optimizer_plots.draw_optimizer_state(tmp_path / "adam" / "state", "Adam", run,
                                             trace.momentum, trace.step_sizes, dpi=20)
    for path in (a, b):
        assert path.suffix == ".png" and path.read_bytes().startswith(PNG_SIGNATURE)


# ------------------------------------------------------ clipping and the race overlay

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

from atlas.viz import clipping, race_artists  # noqa: E402

coordinates = st.floats(-4.0, 4.0, allow_nan=False, allow_subnormal=False)


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 3).flatmap(
    lambda d: arrays(np.float64, st.tuples(st.integers(1, 12), st.just(d)), elements=coordinates)))
def test_clipping_keeps_exactly_the_part_inside_the_box(points):
    d = points.shape[1]
    low, high = -np.ones(d), np.ones(d) * 1.5
    clipped = clipping.clip_polyline(points, low, high)
    rows = clipped.rows
    drawn = rows[~np.isnan(rows).any(axis=1)]
    assert np.all(drawn >= low - 1e-12) and np.all(drawn <= high + 1e-12)
    assert np.all(np.diff(clipped.ends) >= 0) and clipped.ends[-1] == len(rows)
    for k in np.flatnonzero(clipped.inside):  # a point inside is the last row drawn up to it
        np.testing.assert_array_equal(rows[clipped.ends[k] - 1], points[k])
    # The drawn length (NaN rows break the line) is the length inside the box, sampled densely.
    steps = np.diff(rows, axis=0)
    drawn_length = np.linalg.norm(steps[~np.isnan(steps).any(axis=1)], axis=1).sum()
    t = np.linspace(0.0, 1.0, 4001)[:, None]
    inside_length, sampling_error = 0.0, 0.0
    for p, q in itertools.pairwise(points):
        samples = p + t * (q - p)
        inside_length += clipping.inside_box(samples, low, high).mean() * np.linalg.norm(q - p)
        # Each end of an inside stretch is located to one sample spacing (and a segment
        # merely touching the box counts one sample): two spacings per stretch bound it.
        sampling_error += 2 * np.linalg.norm(q - p) / (len(t) - 1)
    assert abs(drawn_length - inside_length) <= sampling_error + 1e-9


def test_clipping_inserts_a_break_where_the_path_leaves_and_comes_back():
    points = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 0.5], [0.0, 0.5]])
    clipped = clipping.clip_polyline(points, (-1, -1), (1, 1))
    expected = [[0, 0], [1, 0], [np.nan, np.nan], [1, 0.5], [0, 0.5]]
    np.testing.assert_array_equal(clipped.rows, expected)
    assert clipped.ends.tolist() == [1, 2, 2, 5]
    assert clipped.inside.tolist() == [True, False, False, True]
    np.testing.assert_array_equal(clipped.between(1, 3), expected[1:])
    inside = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.9]])
    np.testing.assert_array_equal(clipping.clip_polyline(inside, (-1, -1), (1, 1)).rows, inside)
    with pytest.raises(ValueError, match="low <= high"):
        clipping.clip_polyline(inside, (1, 1), (0, 0))


def test_surface_pixels_equal_mplot3d_own_projection():
    surface = surfaces.get("himmelblau")
    run = trajectory(optimizers.get("adam", lr=0.1), surface, None, 40)
    with style.style():
        figure = style.new_figure((4.0, 3.0), 50)
        ax = figure.add_subplot(projection="3d")
        surface_plots.plot_surface_3d(ax, surface, n=10)
        (line,) = ax.plot(run.xy[:, 0], run.xy[:, 1], run.z, color="C0")
        figure.canvas.draw()  # Line3D projects itself in draw
    mplot3d = ax.transData.transform(line.get_xydata())
    ours = race_artists.surface_pixels(ax, run.xy, run.z)
    assert ours.inside.all()
    np.testing.assert_allclose(ours.rows, mplot3d, rtol=1e-12, atol=1e-9)


def test_runs_say_where_they_left_the_plot():
    saddle = run_race("saddle", ["sgd", "adam"], steps=40, lrs={"sgd": 0.5, "adam": 0.01})
    sgd, adam = saddle.runs
    assert sgd.left_at == race.first_step_outside(sgd.xy, saddle.surface.domain)
    (x0, x1), _ = saddle.surface.domain
    assert not x0 <= sgd.xy[sgd.left_at, 0] <= x1 and x0 <= sgd.xy[sgd.left_at - 1, 0] <= x1
    assert sgd.path_label == f"{sgd.label}  left the plot at step {sgd.left_at}"
    assert adam.left_at is None and adam.path_label == adam.label


def test_symlog_ticks_are_sparse_decades_with_the_extremes():
    values = np.array([-3e281, -5.0, 0.0, 2.0, 7e119])
    ticks = gap_plot.symlog_ticks(values, 1.0)
    assert 0.0 in ticks and 1e119 in ticks and -1e281 in ticks
    assert sum(t > 0 for t in ticks) <= 4 and sum(t < 0 for t in ticks) <= 4
    assert gap_plot.symlog_ticks(np.array([0.5, -0.2]), 1.0) == [0.0]


def test_step_counter_draws_the_step(tmp_path):
    with style.style():
        figure = style.new_figure((2.0, 1.0), 100)
        counter = race_artists.StepCounter(256, (10, 40))
        figure.add_artist(counter)
        figure.canvas.draw()  # an animated artist is left out of the full draw
        blank = np.asarray(figure.canvas.buffer_rgba()).copy()
        background = figure.canvas.copy_from_bbox(figure.bbox)
        drawn = []
        for step in (7, 200):
            figure.canvas.restore_region(background)
            counter.step = step
            figure.draw_artist(counter)
            drawn.append(np.asarray(figure.canvas.buffer_rgba()).copy())
    seven, two_hundred = drawn
    assert not np.array_equal(seven, two_hundred)
    ink = np.argwhere((seven[..., :3] < 128).all(axis=-1))  # dark pixels: the text
    assert len(ink) > 20
    assert ink[:, 1].min() >= 10 and ink[:, 0].max() <= 100 - 40 + 4  # right of x, on baseline
    assert not np.array_equal(blank, seven)


def _counter_pixels(step: int, fontsize: float = 9.0) -> np.ndarray:
    with style.style():
        figure = style.new_figure((2.0, 1.0), 100)
        counter = race_artists.StepCounter(256, (10, 40), fontsize=fontsize)
        figure.add_artist(counter)
        figure.canvas.draw()
        counter.step = step
        figure.draw_artist(counter)
        return np.asarray(figure.canvas.buffer_rgba()).copy()


def test_step_counter_bitmaps_are_kept_with_their_font_settings():
    cache = race_artists.line_bitmap
    cache.cache_clear()
    first = _counter_pixels(7)
    assert cache.cache_info().misses == 1
    assert np.array_equal(_counter_pixels(7), first) and cache.cache_info().hits == 1
    assert not np.array_equal(_counter_pixels(7, 12.0), first)
    with matplotlib.rc_context({"font.enable_last_resort": False}):
        _counter_pixels(7)
    assert cache.cache_info().misses == 3  # another size, other settings: drawn anew
    font = race_artists.findfont(race_artists.FontProperties(size=9.0))
    coverage, descent = cache(font, 9.0, 100.0, "step 1 / 2", ())
    assert not coverage.flags.writeable and coverage.ndim == 2 and descent > 0
