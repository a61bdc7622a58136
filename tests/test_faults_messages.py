"""Bad input gets a clear message, and normal work emits no warning (issue 9, "Nothing lost").

Each test names a case that used to end in a raw error from deep inside numpy or
Python (an AxisError, an AttributeError about a missing field), or in a warning
printed to the user's terminal.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

import atlas
from atlas import cli, data, nn, optimizers, surfaces
from atlas.activations.softmax import log_softmax, softmax
from atlas.data import DatasetSpec, DataWarning, FileSpec
from atlas.optimizers import Optimizer, State
from atlas.registry import UnknownNameError
from atlas.viz import animation, style
from atlas.viz.clipping import clip_polyline

# --- softmax and log-softmax ----------------------------------------------------------------


@pytest.mark.parametrize("f", [softmax, log_softmax])
@pytest.mark.parametrize("x", [[], np.zeros((2, 0)), np.zeros((3, 0, 2))])
def test_softmax_of_no_scores_is_a_clear_error(f, x):
    axis = -1 if np.ndim(x) < 3 else 1
    with pytest.raises(ValueError, match=r"at least one score along axis .*got shape"):
        f(x, axis=axis)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_activations_refuse_no_scores_and_a_bad_axis(name):
    activation = atlas.activations.get(name)
    with pytest.raises(ValueError, match="at least one score"):
        activation.forward(np.array([]))
    with pytest.raises(ValueError, match="at least one score"):
        activation.jacobian(np.array([]))
    with pytest.raises(ValueError, match=r"axis 2 is out of range for a 2-D x.*-2 to 1"):
        (softmax if name == "softmax" else log_softmax)(np.zeros((2, 3)), axis=2)


@pytest.mark.parametrize("f", [softmax, log_softmax])
def test_an_empty_batch_of_rows_is_still_fine(f):
    assert f(np.zeros((0, 3))).shape == (0, 3)


def test_softmax_and_log_softmax_treat_a_scalar_alike_as_one_score():
    """A 0-d x is one score (as in torch): probability 1, log-probability 0."""
    for x in (np.array(3.0), 3.0, np.float32(-2.0)):
        assert np.shape(softmax(x)) == np.shape(log_softmax(x)) == ()
        assert softmax(x) == 1.0 and log_softmax(x) == 0.0
        assert softmax(x, axis=0) == 1.0 and log_softmax(x, axis=0) == 0.0
    for f in (softmax, log_softmax):
        with pytest.raises(ValueError, match=r"axis 1 is out of range for a 0-D x"):
            f(np.array(3.0), axis=1)


@pytest.mark.parametrize("name", ["cross_entropy", "softmax_cross_entropy", "nll"])
def test_class_losses_refuse_rows_without_classes(name):
    loss = atlas.losses.get(name)
    for y, t in ((np.zeros(0), np.zeros(0)), (np.zeros((2, 0)), np.zeros((2, 0))),
                 (np.zeros((2, 0)), np.zeros(2, dtype=int))):
        with pytest.raises(ValueError, match="at least one class"):
            loss.forward(y, t)


def test_predicted_probabilities_of_no_images_have_the_class_axis():
    model = nn.mlp("4-3-2", rng=np.random.default_rng(0))
    assert model.predict_logits(np.zeros((0, 4))).shape == (0, 2)
    assert model.predict_proba(np.zeros((0, 4))).shape == (0, 2)


# --- optimizer states -----------------------------------------------------------------------


def _registered():
    return [optimizers.get(name) for name in optimizers.names()]


def test_a_state_from_another_optimizer_is_refused_by_name():
    p, g = np.ones(2), np.ones(2)
    adam, rmsprop = optimizers.get("adam"), optimizers.get("rmsprop")
    with pytest.raises(ValueError, match=r"Adam: got the state of another optimizer "
                                         r"\(RMSpropState\).*its own AdamState"):
        adam.update(g, rmsprop.init(p), p)
    with pytest.raises(ValueError, match=r"Adam: state must be the AdamState .*got NoneType"):
        adam.update(g, None, p)


def test_every_optimizer_refuses_every_foreign_state():
    p, g = np.ones(2), np.ones(2)
    for opt in _registered():
        for other in _registered():
            state = other.init(p)
            if isinstance(state, type(opt.init(p))):  # e.g. AdamW steps from Adam's state
                continue
            with pytest.raises(ValueError, match=f"{opt.title}: got the state of another"):
                opt.update(g, state, p)


def test_every_optimizer_refuses_a_state_shaped_for_other_parameters():
    for opt in _registered():
        with pytest.raises(ValueError, match=r"state array \w+ has shape .*params have "
                                             r"shape \(2,\)"):
            opt.update(np.ones(2), opt.init(np.zeros(3)), np.ones(2))
        with pytest.raises(ValueError, match=r"params have shape \(4, 2\)"):
            opt.update(np.ones((4, 2)), opt.init(np.zeros(2)), np.ones((4, 2)))


@dataclass(frozen=True)
class _HalvingState(State):
    last: np.ndarray


@dataclass(frozen=True)
class _Halving(Optimizer):
    """A rule written without any check of its own, as a new optimizer might be."""

    name: ClassVar[str] = "halving"
    title: ClassVar[str] = "Halving"
    description: ClassVar[str] = "steps by half the gradient"
    latex: ClassVar[str] = r"\theta_t \leftarrow \theta_{t-1} - g_t / 2"

    def init(self, params):
        return _HalvingState(t=0, last=np.zeros(np.shape(params)))

    def update(self, grad, state, params):
        return params - 0.5 * grad, _HalvingState(t=state.t + 1, last=np.array(grad))


def test_a_new_optimizer_gets_the_state_check_without_writing_it():
    p = np.ones(2)
    halving = _Halving()
    assert halving.update(p, halving.init(p), p)[1].t == 1
    with pytest.raises(ValueError, match=r"Halving: got the state of another optimizer "
                                         r"\(AdamState\)"):
        halving.update(p, optimizers.get("adam").init(p), p)
    with pytest.raises(ValueError, match=r"Halving: state array last has shape \(3,\)"):
        halving.update(p, halving.init(np.ones(3)), p)


# --- trajectory -----------------------------------------------------------------------------


def test_trajectory_accepts_a_surface_name():
    adam = optimizers.get("adam", lr=0.05)
    by_name = atlas.trajectory(adam, "rosenbrock", None, 20)
    by_object = atlas.trajectory(adam, surfaces.get("rosenbrock"), None, 20)
    np.testing.assert_array_equal(by_name.xy, by_object.xy)
    assert by_name.surface is surfaces.get("rosenbrock")


def test_trajectory_names_an_unknown_surface_with_suggestions():
    with pytest.raises(UnknownNameError, match="Did you mean 'rosenbrock'"):
        atlas.trajectory("adam", "rosenbrok", None, 5)


def test_trajectory_refuses_things_that_are_not_surfaces_or_optimizers():
    with pytest.raises(ValueError, match=r"surface must be a Surface or one of .*rosenbrock"):
        atlas.trajectory("adam", 3, (0.0, 0.0), 5)
    with pytest.raises(ValueError, match=r"optimizer must be an Optimizer or one of .*adam"):
        atlas.trajectory(3, "sphere", None, 5)


# --- a corrupt copy passed over ---------------------------------------------------------------


def _tiny_spec(root: Path) -> DatasetSpec:
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    good = root / "good"
    good.mkdir()
    specs = []
    for i, name in enumerate(names):
        (good / name).write_bytes(bytes([i]) * 10)
        specs.append(FileSpec(name, 10, hashlib.sha256(bytes([i]) * 10).hexdigest()))
    return DatasetSpec("tiny", "four files", *specs, classes=("a", "b"), mirrors=(),
                       extra_dirs=(good,))


def test_a_corrupt_copy_passed_over_for_a_valid_one_is_a_warning_naming_both(tmp_path):
    spec = _tiny_spec(tmp_path)
    mine = tmp_path / "data" / "tiny"
    mine.mkdir(parents=True)
    (mine / "t10k-labels-idx1-ubyte.gz").write_bytes(b"corrupt")
    with pytest.warns(DataWarning) as caught:
        found, problems = data.locate.find(spec, tmp_path / "data")
    assert found == tmp_path / "good" and len(problems) == 1
    (message,) = [str(w.message) for w in caught]
    assert str(mine / "t10k-labels-idx1-ubyte.gz") in message
    assert str(tmp_path / "good" / "t10k-labels-idx1-ubyte.gz") in message
    assert "\n" not in message
    (mine / "t10k-labels-idx1-ubyte.gz").unlink()  # nothing passed over: silent
    assert data.locate.find(spec, tmp_path / "data") == (tmp_path / "good", [])


OFFLINE_SMALL = data.registry.get("mnist_small").extra_dirs[0]


@pytest.mark.skipif(not OFFLINE_SMALL.is_dir(), reason="no offline mnist_small folder")
def test_the_command_line_shows_the_warning_as_one_line(tmp_path, capsys, isolated_data):
    mine = tmp_path / "mnist_small"
    mine.mkdir()
    name = "t10k-labels-idx1-ubyte.gz"
    shutil.copyfile(OFFLINE_SMALL / name, mine / name)
    with (mine / name).open("r+b") as stream:  # one byte changed: corrupt
        stream.seek(100)
        byte = stream.read(1)
        stream.seek(100)
        stream.write(bytes([byte[0] ^ 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("default", DataWarning)  # as for a user: shown, not raised
        assert cli.main(["data", "fetch", "mnist_small", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("atlas data: warning: ")
    assert str(mine / name) in lines[0] and str(OFFLINE_SMALL / name) in lines[0]


def test_the_command_line_shows_any_warning_as_one_line(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        show = cli.warning_printer("render")
        show(RuntimeWarning("overflow encountered in divide"), RuntimeWarning,
             "/x/atlas/viz/clipping.py", 68)
    err = capsys.readouterr().err
    assert err == ("atlas render: warning: overflow encountered in divide "
                   "(RuntimeWarning, /x/atlas/viz/clipping.py:68)\n")


# --- drawing: no warning from a path that converges far below the plot's scale -----------------


def test_clipping_a_path_that_converges_to_a_tiny_scale_emits_no_warning():
    """The sphere race's Adam path: coordinates of 1e-146 and less, values down to 1e-312.

    Dividing the distance to the box's faces by such tiny steps overflowed (a
    RuntimeWarning in every race render); those quotients lie far outside [0, 1]
    and cannot cut a segment, so they are never computed.
    """
    points = np.array([[-1.32628276e-146, 9.94712068e-147, 2.74847805e-292],
                       [1.65364449e-147, -1.24023337e-147, 4.27271892e-294],
                       [2.0e-155, -1.5e-155, 6.0e-310],
                       [-2.5e-156, 1.9e-156, 9.0e-312]])
    clipped = clip_polyline(points, [-5, -5, -2.49], [5, 5, 50])
    np.testing.assert_array_equal(clipped.rows, points)
    np.testing.assert_array_equal(clipped.ends, [1, 2, 3, 4])


def test_clipping_with_tiny_steps_still_cuts_at_the_faces():
    # Outside in x and barely moving in x: hidden.
    hidden = clip_polyline(np.array([[0.0, 0.0], [1e-310, 0.5]]), [1, -1], [2, 1])
    assert hidden.rows.shape == (0, 2)
    # Inside and barely moving in x: cut where y leaves the box, at t = 1/3.
    start, end = np.array([0.0, 0.0]), np.array([1e-310, 3.0])
    kept = clip_polyline(np.array([start, end]), [-1, -1], [1, 1])
    np.testing.assert_array_equal(kept.rows, [start, start + (1.0 / 3.0) * (end - start)])


# --- an animation that fails midway -----------------------------------------------------------


def _children() -> set[int]:
    """The process ids whose parent is this process (a zombie not yet waited for included)."""
    me, found = str(os.getpid()), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if stat.read_text().rsplit(")", 1)[1].split()[1] == me:
                found.add(int(stat.parent.name))
    return found


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_animation_that_fails_midway_leaves_no_ffmpeg_behind(tmp_path, error):
    """ffmpeg was killed but never waited for: 'ResourceWarning: subprocess ... is still
    running' when the writer was collected, and a zombie process until then."""
    with style.style():
        figure = style.new_figure((2.0, 1.5), 40)
        ax = figure.add_subplot()
        (line,) = ax.plot([], [], animated=True)

    def update(i: int) -> None:
        if i == 3:
            raise error("stop")
        line.set_data([0, i], [0, i])

    before = _children()
    with pytest.raises(error):
        animation.render_animation(figure, [line], update, 6, tmp_path / "a")
    assert _children() - before == set()
    assert list(tmp_path.iterdir()) == []



def test_a_short_slow_animation_of_large_frames_encodes_silently(tmp_path, capfd):
    """ffmpeg printed "Stream #0: not enough frames to estimate rate; consider increasing
    probesize" for learning/descent (1.5 frames a second, 4 MB frames): it tried to measure
    a frame rate that atlas gives it."""
    with style.style():
        figure = style.new_figure((6.0, 4.5), 200)
        ax = figure.add_subplot()
        (line,) = ax.plot([], [], animated=True)
    animation.render_animation(figure, [line], lambda i: line.set_data([0, i], [0, i]), 3,
                               tmp_path / "a", fps=1.5, formats=("mp4",))
    assert capfd.readouterr().err == ""


# --- the book's notebook kernels ----------------------------------------------------------------


def test_book_kernels_run_over_ipc_without_a_transport_warning(capfd):
    """As the book build runs a page: myst-nb -> jupyter-cache -> nbclient, no settings.

    Over TCP every kernel printed "[IPKernelApp] WARNING | Kernel is running over TCP
    without encryption" (to the build's terminal); atlas's Sphinx extension switches the
    build's kernels to IPC.
    """
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    from jupyter_client.provisioning import KernelProvisionerFactory

    from atlas.kernel import use_ipc_kernels

    factory = KernelProvisionerFactory.instance()
    default = factory.default_provisioner_name
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(
        "import json, ipykernel.connect\n"
        "print(json.loads(open(ipykernel.connect.get_connection_file()).read())['transport'])")]
    try:
        assert use_ipc_kernels()
        result = single_nb_execution(notebook, cwd=None, timeout=60, allow_errors=False)
    finally:
        factory.default_provisioner_name = default
    assert result.err is None
    assert notebook.cells[0].outputs[0]["text"] == "ipc\n"
    assert "WARNING" not in capfd.readouterr().err
