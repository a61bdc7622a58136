"""A run directory written as one unit: staged under a temporary name, then renamed into place.

A training run's files belong together: results from one run beside weights
from another would be a run that never happened. So a run is written into
a fresh sibling directory (``.<name>.atlas-tmp-<pid>-<n>``) that is renamed
to the target only once every file is in it. A reader sees the old run or
the new one, never a mix; an interrupted run leaves nothing at the target.

The checks come first, before any training: the target must be a directory
or absent, its parent creatable and writable. An existing run is replaced
only with ``force`` and only if it holds nothing but files atlas writes
(``owned``); its files are then renamed aside and removed after the new run
is in place. A directory holding anything else is never touched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from atlas.workers import exit_if_orphaned

TEMP_MARK, OLD_MARK = ".atlas-tmp-", ".atlas-old-"
_counter = itertools.count()


def _refuse(path: Path, what: str) -> FileExistsError:
    return FileExistsError(f"{path} {what}; not replacing it (choose another output directory)")


class StagedDirectory:
    """A directory ``target`` built under a temporary name: use as a context manager.

    On entry, ``target`` is checked and the temporary directory :attr:`temp`
    created (with any missing parents); :meth:`commit` renames it into place.
    On exit, whatever was not committed is removed again: the temporary
    directory and the parents created for it.

    ``owned(path)`` tells whether an existing ``target`` is replaceable: it
    returns ``None`` for a directory of files atlas wrote, else the reason.
    """

    def __init__(self, target: str | os.PathLike, *, force: bool = False,
                 owned: Callable[[Path], str | None], last: str = "") -> None:  # fmt: skip
        self.target = Path(os.path.abspath(target))  # "." and ".." have a parent and a name
        if not self.target.name:
            raise FileExistsError(f"{self.target} is a file system root, not a run directory")
        self.last = last  # the file moved last when filling an empty directory
        self.force = force
        self.owned = owned
        self.temp = _sibling(self.target, TEMP_MARK)
        self.created: list[Path] = []  # parents made for the run, outermost first
        self.committed = False

    def check(self) -> None:
        """Raise an ``OSError`` with a clear message if ``target`` may not be written."""
        target = self.target
        if target.is_symlink():
            raise NotADirectoryError(f"{target} is a symbolic link, not a directory")
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(f"{target} exists and is not a directory")
        if not target.is_dir() or not any(target.iterdir()):
            return  # absent or empty: nothing to lose
        reason = self.owned(target)
        if reason is not None:
            raise _refuse(target, reason)
        if not self.force:
            raise FileExistsError(
                f"{target} already holds a training run; pass --force (or force=True) "
                f"to replace it, or choose another output directory")
        if not os.access(target, os.W_OK | os.X_OK):
            raise PermissionError(f"{target}: cannot replace it: permission denied")

    def _make_parents(self) -> None:
        missing = []
        parent = self.target.parent
        while not parent.exists() and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            raise NotADirectoryError(f"cannot create {self.target}: {parent} is not a directory")
        for directory in reversed(missing):
            try:
                directory.mkdir()
            except OSError as error:
                raise type(error)(
                    f"cannot create {directory}: {error.strerror or error}") from error
            self.created.append(directory)

    def __enter__(self) -> Self:
        self.check()
        try:
            self._make_parents()
            try:
                self.temp.mkdir()
            except OSError as error:
                raise type(error)(f"cannot write in {self.target.parent}: "
                                  f"{error.strerror or error}") from error
        except BaseException:
            self._clean_up()
            raise
        return self

    def commit(self) -> Path:
        """Rename the temporary directory to ``target`` (checked again), replacing an old run."""
        exit_if_orphaned()  # a render's worker whose render was killed publishes nothing
        self.check()  # the target may have changed while the run was being made
        if self.target.is_dir() and not any(self.target.iterdir()):
            # an empty directory is filled, not replaced: it keeps its owner, mode and mount
            for path in sorted(self.temp.iterdir(), key=lambda p: p.name == self.last):
                os.replace(path, self.target / path.name)
            self.committed = True
            self.temp.rmdir()
            return self.target
        old = None
        if self.target.is_dir():
            old = _sibling(self.target, OLD_MARK)
            os.rename(self.target, old)
        try:
            os.rename(self.temp, self.target)
        except BaseException:
            if old is not None:
                os.rename(old, self.target)
            raise
        self.committed = True
        if old is not None:
            _remove_owned(old)
        return self.target

    def _clean_up(self) -> None:
        if not self.committed:
            _remove_owned(self.temp)
            for directory in reversed(self.created):
                try:
                    directory.rmdir()  # only if still empty
                except OSError:
                    break

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:  # fmt: skip
        self._clean_up()


def _sibling(target: Path, mark: str) -> Path:
    """A fresh hidden name beside ``target`` that says what it is (``mark``) and whose."""
    return target.with_name(f".{target.name}{mark}{os.getpid()}-{next(_counter)}")


def _remove_owned(directory: Path) -> None:
    """Remove ``directory`` and the files in it (only files, one level: what a run holds)."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.is_file() and not path.is_symlink():
            path.unlink()
    with contextlib.suppress(OSError):  # something else appeared in it: leave it, not ours
        directory.rmdir()

