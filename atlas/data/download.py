"""Download a data set's files: try each mirror, verify size and SHA-256, then move into place.

Each file is streamed into a temporary file in the target directory while
its SHA-256 is computed; only a file of exactly the expected size and
checksum is renamed (atomically, ``os.replace``) to its real name. A bad
mirror (unreachable, truncated, corrupt) is skipped for the next one; when
every mirror fails, one :class:`DataError` lists why and says exactly where
to put the files by hand. Nothing corrupt or partial is ever left behind.
"""

from __future__ import annotations

import hashlib
import http.client
import math
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas.cache import write_atomic
from atlas.data import locate
from atlas.data.datasets import DatasetSpec, Derivation, FileSpec, get, normalise_mirrors
from atlas.data.errors import DataError
from atlas.data.locate import ENV_VAR, find, mismatch

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a mirror to connect or send more data."""

_CHUNK = 1 << 16


@dataclass(frozen=True)
class DownloadProgress:
    """How far the download of one file has come: ``done`` of ``total`` bytes from ``url``."""

    file: str
    url: str
    done: int
    total: int


ProgressCallback = Callable[[DownloadProgress], None]


def resolve_spec(dataset: str | DatasetSpec) -> DatasetSpec:
    """``dataset`` itself if it is a spec, else the registered spec of that name."""
    return dataset if isinstance(dataset, DatasetSpec) else get(dataset)


def check_timeout(timeout: float) -> float:
    """``timeout`` if it is a positive, finite number of seconds; a ValueError otherwise."""
    if isinstance(timeout, bool) or not (isinstance(timeout, int | float) and timeout > 0
                                         and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return timeout


def fetch(
    dataset: str | DatasetSpec,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: ProgressCallback | None = None,
) -> Path:
    """Make sure ``dataset``'s four files are on disk; return the directory holding them.

    If a search directory already holds all four verified files, nothing is
    downloaded. Otherwise the missing files are downloaded into
    ``<data dir>/<name>/`` from ``mirrors`` (default: the spec's own list),
    tried in order. ``progress`` is called with a :class:`DownloadProgress`
    after every chunk.
    """
    spec = resolve_spec(dataset)
    check_timeout(timeout)
    if mirrors is not None:
        mirrors = normalise_mirrors(mirrors)
    found, problems = find(spec, data_dir)
    if found is not None:
        return found
    return download_missing(
        spec, locate.data_dir(data_dir) / spec.name, mirrors=mirrors, timeout=timeout,
        progress=progress, problems=problems,
    )


def download_missing(
    spec: DatasetSpec,
    target: Path,
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: ProgressCallback | None = None,
    problems: Sequence[str] = (),
) -> Path:
    """Download into ``target`` each of ``spec``'s files it lacks; return ``target``.

    A file already in ``target`` that fails its checksum is not overwritten:
    the error names it and asks to delete it. ``problems`` (found elsewhere
    while searching) are repeated in the error if the download fails.
    """
    mirrors = spec.mirrors if mirrors is None else normalise_mirrors(mirrors)
    check_timeout(timeout)
    corrupt = [reason for f in spec.files
               if (target / f.name).exists() and (reason := mismatch(target / f.name, f))]
    if corrupt:
        raise DataError(
            f"{spec.name}: corrupt file(s) in {target}:\n  " + "\n  ".join(corrupt)
            + f"\nDelete the file(s) listed and fetch {spec.name} again."
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"{target}: cannot create the directory: {error.strerror}") from error
    built_by = {name: d for d in spec.derivations for name in d.outputs}
    for file in spec.files:
        if (target / file.name).exists():
            continue
        if file.name in built_by:
            _derive(spec, built_by[file.name], target, timeout, progress, problems)
        else:
            _download_from_mirrors(spec, file, mirrors, target, target, timeout, progress,
                                   problems)
    return target


def _download_from_mirrors(
    spec: DatasetSpec, file: FileSpec, mirrors: Sequence[str], directory: Path, target: Path,
    timeout: float, progress: ProgressCallback | None, problems: Sequence[str],
) -> None:
    """Download ``file`` into ``directory`` from the first mirror that has it intact; if
    none has, one DataError listing every failure and where (``target``) to put the files."""
    failures = []
    for mirror in mirrors:
        reason = _download(mirror + file.name, file, directory, timeout, progress)
        if reason is None:
            return
        failures.append(f"{mirror + file.name}: {reason}")
    raise DataError(_offline_message(spec, file, target, failures, problems))


def _derive(
    spec: DatasetSpec, derivation: Derivation, target: Path, timeout: float,
    progress: ProgressCallback | None, problems: Sequence[str],
) -> None:
    """Download ``derivation``'s source, build its outputs, verify each, move them into place."""
    source = derivation.source
    with tempfile.TemporaryDirectory(dir=target, prefix=".derive.") as scratch:
        _download_from_mirrors(spec, source, derivation.mirrors, Path(scratch), target,
                               timeout, progress, problems)
        built = derivation.build(Path(scratch) / source.name)
    expected = {f.name: f for f in spec.files}
    for name in derivation.outputs:
        data, want = built.get(name, b""), expected[name]
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != want.size or not want.accepts(digest):
            raise DataError(f"{spec.name}: {name} built from {source.name} is not the expected "
                            f"file: {len(data)} bytes, SHA-256 {digest}; expected {want.size} "
                            f"bytes, SHA-256 {want.sha256}")
    for name in derivation.outputs:
        if not (target / name).exists():
            write_atomic(target / name, built[name])


def _offline_message(
    spec: DatasetSpec, file: FileSpec, target: Path, failures: list[str], problems: Sequence[str]
) -> str:
    lines = [f"could not download {file.name} of {spec.name} from any mirror:"]
    lines += [f"  {failure}" for failure in failures] or ["  (no mirrors given)"]
    if problems:
        lines += ["Files found but not used:", *(f"  {problem}" for problem in problems)]
    lines += [
        "To use atlas offline, put these four files (from "
        + (spec.homepage or "the data set's home page") + ")",
        *(f"  {f.name}" for f in spec.files),
        f"into {target}",
        f"(or pass data_dir=..., or set {ENV_VAR} to a directory that holds {spec.name}/).",
    ]
    return "\n".join(lines)


def _download(
    url: str, file: FileSpec, target: Path, timeout: float, progress: ProgressCallback | None
) -> str | None:
    """Download ``url`` to ``target/file.name`` if it is exactly ``file``; else why not."""
    fd, part = tempfile.mkstemp(dir=target, prefix=f".{file.name}.", suffix=".part")
    digest, done = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(_CHUNK):
                done += len(chunk)
                if done > file.size:
                    return f"too long: more than the expected {file.size} bytes"
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(DownloadProgress(file.name, url, done, file.size))
        if done != file.size:
            return f"truncated: {done} of {file.size} bytes"
        if digest.hexdigest() != file.sha256:
            return f"corrupt: SHA-256 {digest.hexdigest()}, expected {file.sha256}"
        os.chmod(part, 0o644)
        os.replace(part, target / file.name)
        part = ""
        return None
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} {error.reason}"
    except urllib.error.URLError as error:
        return f"unreachable: {error.reason}"
    except TimeoutError:
        return f"timed out after {timeout} s"
    except http.client.IncompleteRead as error:
        received = done + len(error.partial)
        return f"truncated: connection closed after {received} of {file.size} bytes"
    except (OSError, http.client.HTTPException, ValueError) as error:
        return f"failed: {error!r}"
    finally:
        if part:
            Path(part).unlink(missing_ok=True)
