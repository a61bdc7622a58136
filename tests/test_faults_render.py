"""``atlas render`` loses nothing: not the user's files, not a concurrent render's, not its own.

* The stale-file cleanup deletes only atlas's own temporary files (``.<name>.atlas-tmp-<pid>-
  <random>``) whose writer is dead, in folders that the catalog owns; an empty ``--out`` is
  refused instead of meaning the current directory.
* Two renders into one output directory take turns (a lock file): the second says whom it
  waits for, then finds everything up to date, and never touches the first one's files.
* A parallel render killed with SIGKILL takes its workers (and their helpers) with it.

The concurrency tests run real ``atlas`` processes and wait on observable states (a
temporary file on disk, a line on standard error, processes in ``/proc``), each with a
generous bound, never on a sleep alone.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from atlas import cache, catalog, cli, outdir, render, workers

ATLAS = [sys.executable, "-m", "atlas"]
USER_FILES = ("notes.tmp.txt", "backup.tmp", "t/page.tmpl", "draft.tmp-1-0.png")


def _user_files(folder: Path) -> dict[Path, bytes]:
    files = {folder / name: f"the user's {name}".encode() for name in USER_FILES}
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _atlas_temp(folder: Path, target: str, pid: int) -> Path:
    """A file named as atlas names its temporary files, as if written by ``pid``."""
    suffix = Path(target).suffix
    path = folder / f".{target}.atlas-tmp-{pid}-5eed{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a file")
    return path


# ------------------------------------------------------------- 1. only atlas's own files go


def test_temporary_names_are_distinctive():
    name = cache.temporary_path("/x/race/sphere/3d.mp4").name
    assert name.startswith(".3d.mp4.atlas-tmp-") and name.endswith(".mp4")
    assert cache.temporary_path("/x/3d.mp4") != cache.temporary_path("/x/3d.mp4")
    assert cache.temp_writer(Path(name)) == os.getpid()
    for user in USER_FILES:
        assert cache.temp_writer(Path(user)) is None


def test_cleanup_removes_only_atlas_temporaries_of_dead_writers(tmp_path, monkeypatch):
    out, cwd = tmp_path / "out", tmp_path / "home"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    user = {**_user_files(out), **_user_files(out / "activation"), **_user_files(cwd)}
    dead = _dead_pid()
    staged_run = out / "mnist" / "runs" / f".main.atlas-tmp-{dead}-0"  # atlas.nn.rundir's
    stale = [_atlas_temp(out / "activation", "relu.png", dead),
             _atlas_temp(out, "manifest.json", dead), _atlas_temp(staged_run, "results.json", 1),
             staged_run]  # fmt: skip
    kept = [_atlas_temp(out / "activation", "relu.png", 1),  # a live writer (init)
            _atlas_temp(out / "runs" / "mine", "results.json", dead)]  # not a catalog folder
    assert cli.main(["render", "activation/relu", "--out", str(out), "--quick",
                     "--jobs", "1"]) == 0  # fmt: skip
    assert (out / "activation" / "relu.png").is_file()
    for path, data in user.items():
        assert path.read_bytes() == data, f"{path} was touched"
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_refused(tmp_path, monkeypatch, capsys, out):
    monkeypatch.chdir(tmp_path)
    user = _user_files(tmp_path)
    assert cli.main(["render", "activation/relu", "--out", out, "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "output directory" in err
    with pytest.raises(ValueError, match="output directory"):
        render.render(["activation/relu"], out=out, quick=True, progress=False)
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == sorted(user)


def test_an_os_error_while_rendering_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "activation").write_text("a file where the figure's folder goes")
    assert cli.main(["render", "activation/relu", "--out", str(tmp_path), "--quick",
                     "--jobs", "1"]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("atlas render: error:")
    assert (tmp_path / "activation").read_text().startswith("a file")


# ------------------------------------------------------------ 2. two renders take turns


def _lines(stream) -> queue.Queue:
    """The lines of ``stream``, read in a thread (``None`` at the end, when it is closed)."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        with stream:
            for line in stream:
                lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if "tmp" in p.name and p.is_file()]


def _locked_by(out: Path, pid: int) -> bool:
    """Whether the lock file names ``pid`` (written once locked, cleared before unlocking)."""
    try:
        return (out / outdir.LOCK_NAME).read_text().strip() == str(pid)
    except FileNotFoundError:
        return False


def test_a_second_render_waits_and_deletes_nothing_of_the_first(tmp_path):
    out = tmp_path / "out"
    names = ["graph/*", "regression/*"]  # four short animations, no learning-rate search
    command = [*ATLAS, "render", *names, "--out", str(out), "--quick", "--jobs", "1"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = None
    try:
        # Catch the first render holding the lock (its PID in the lock file) with a temporary
        # file in flight, and hold it there.
        deadline = time.monotonic() + 120
        in_flight: list[Path] = []
        while not in_flight:
            assert first.poll() is None, "the first render ended before a temporary file was seen"
            assert time.monotonic() < deadline
            if _temporaries(out):
                first.send_signal(signal.SIGSTOP)
                in_flight = _temporaries(out) if _locked_by(out, first.pid) else []
                if not in_flight:  # gone (or not yet locked) by the time it stopped
                    first.send_signal(signal.SIGCONT)
            else:
                time.sleep(0.002)
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)  # fmt: skip
        lines, seen = _lines(second.stderr), []
        waiting = f"waiting for the render in PID {first.pid}"
        while not any(waiting in line for line in seen):
            line = lines.get(timeout=120)
            assert line is not None, f"the second render never waited: {''.join(seen)}"
            seen.append(line)
        assert second.poll() is None
        assert all(p.exists() for p in in_flight)  # nothing of the first render was deleted
        first.send_signal(signal.SIGCONT)
        first_out, first_err = first.communicate(timeout=120)
        assert first.returncode == 0, first_err
        second_out = second.stdout.read()
        assert second.wait(timeout=120) == 0
        assert "4 rendered, 0 up to date" in first_out
        assert "0 rendered, 4 up to date" in second_out  # the manifest is read under the lock
        for figure in catalog.select(names, quick=True):
            for file in figure.outputs():
                assert (out / file).is_file(), file
        assert _temporaries(out) == []
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
                process.wait()
        first.stdout.close()  # (second's stderr is closed by its reading thread)
        first.stderr.close()
        if second is not None:
            second.stdout.close()


# ------------------------------------------------- 3. a killed render takes its workers along


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_a_worker_whose_parent_is_gone_stops_before_publishing(tmp_path):
    # The parent died before the worker's initializer ran: getppid() names another process.
    started = _python("import os\nfrom atlas import workers\n"
                      "workers.init_worker(os.getppid() + 1)\nprint('drew')")  # fmt: skip
    assert started.returncode == workers.ORPHAN_EXIT and "drew" not in started.stdout
    # Later, where no kernel signal ends it (no PR_SET_PDEATHSIG): the rename refuses.
    target = tmp_path / "figure.png"
    later = _python("import os\nfrom atlas import cache, workers\n"
                    "workers._parent = os.getppid() + 1  # as set by init_worker, parent gone\n"
                    f"cache.write_atomic({str(target)!r}, b'late')\nprint('published')")
    assert later.returncode == workers.ORPHAN_EXIT and "published" not in later.stdout
    assert list(tmp_path.iterdir()) == []  # neither the figure nor its temporary file
    alive = _python("import os\nfrom atlas import cache, workers\n"
                    "workers.init_worker(os.getppid())\n"
                    f"cache.write_atomic({str(target)!r}, b'in time')")  # fmt: skip
    assert alive.returncode == 0 and target.read_bytes() == b"in time"


def _session(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``, from ``/proc``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG, /proc")
def test_a_pool_worker_dies_with_its_parent_even_in_a_long_task():
    # The worker has run its initializer (it answered) and sleeps in a task for a minute:
    # nothing but the kernel's signal can end it early.
    code = ("import os, time\nfrom atlas import workers\nwith workers.pool(1) as pool:\n"
            "    pool.submit(os.getpid).result()\n    pool.submit(time.sleep, 60)\n"
            "    print('sleeping', flush=True)\n    time.sleep(60)\n")  # fmt: skip
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)  # fmt: skip
    try:
        assert parent.stdout.readline() == "sleeping\n"
        assert len(_session(parent.pid)) == 3  # the parent, its worker, the resource tracker
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while _session(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session(parent.pid) == [], "the worker outlived its parent"
    finally:
        for pid in _session(parent.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        parent.stdout.close()


def _snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file()}  # fmt: skip


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("moment", ["starting", "working"])
def test_killing_a_parallel_render_leaves_no_process_behind(tmp_path, moment):
    """Killed while its workers start (before their initializer ran) or while they work."""
    out = tmp_path / "out"
    names = ["graph/*", "regression/*", "activation/*", "loss/*"]  # full size: 38 figures
    parent = subprocess.Popen([*ATLAS, "render", *names, "--out", str(out), "--jobs", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip

    def started() -> bool:  # two workers and the resource tracker: children of the render
        return len([c for c in _children(parent.pid) if c in _session(parent.pid)]) >= 3

    def working() -> bool:  # a worker has written a figure (so its initializer has run)
        return any(p.suffix in (".mp4", ".png") for p in out.rglob("*"))

    try:
        deadline = time.monotonic() + 120
        while not (started() if moment == "starting" else working()):
            assert parent.poll() is None, f"the render ended before it was seen {moment}"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while _session(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session(parent.pid) == [], "processes outlived the killed render"
        before = _snapshot(out)
        time.sleep(0.5)  # no process is left that could write
        assert _snapshot(out) == before
    finally:
        for pid in _session(parent.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
