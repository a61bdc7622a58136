"""Load a data set into memory: a named, verified one, or any directory of IDX files.

::

    data = load("mnist")                       # find (or download) and verify
    data = load("fashion_mnist", download=False)
    data = load_dir("/path/to/my-digits")      # custom: headers validated, no checksums
    x_train, y_train, x_test, y_test = data.as_float()

A name in the registry always means that data set, verified against its
SHA-256 table: a file with the canonical name but the wrong checksum is
corrupt and is never used. A directory of other IDX files (a subset, your own
data) is a *custom* data set, loaded with :func:`load_dir` (or :func:`load`
given a path).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atlas.data import locate
from atlas.data.datasets import IDX_FILE_NAMES, DatasetSpec, registry
from atlas.data.download import (
    DEFAULT_TIMEOUT,
    ProgressCallback,
    check_timeout,
    download_missing,
    resolve_spec,
)
from atlas.data.errors import DataError
from atlas.data.idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set: read-only uint8 images ``(n, rows, cols)`` and labels ``(n,)``.

    ``classes[k]`` names label ``k``. Normalising is the caller's job, or
    :meth:`as_float`'s.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]

    def __post_init__(self) -> None:
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if np.ndim(x) < 2 or np.ndim(y) != 1 or len(x) != len(y):
                raise ValueError(
                    f"{self.name}: x_{split} must be (n, ...) and y_{split} (n,), "
                    f"got shapes {np.shape(x)} and {np.shape(y)}"
                )
        for key in ("x_train", "y_train", "x_test", "y_test"):
            view = np.asarray(getattr(self, key)).view()
            view.flags.writeable = False
            object.__setattr__(self, key, view)
        object.__setattr__(self, "classes", tuple(self.classes))

    def as_float(
        self, dtype: np.dtype | type = np.float32
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        r"""``(x_train, y_train, x_test, y_test)`` with images flattened and scaled to [0, 1].

        Each image becomes one row :math:`x = \text{pixels} / 255 \in [0, 1]^{rows \cdot cols}`
        (float32 by default); labels become int64 class indices.
        """
        def flat(x: np.ndarray) -> np.ndarray:
            return x.reshape(len(x), -1).astype(dtype) / np.asarray(255, dtype)

        return (flat(self.x_train), self.y_train.astype(np.int64),
                flat(self.x_test), self.y_test.astype(np.int64))

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, x_train={self.x_train.shape}, "
                f"x_test={self.x_test.shape}, classes={len(self.classes)})")


def load(
    dataset: str | os.PathLike[str] | DatasetSpec = "mnist",
    data_dir: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: ProgressCallback | None = None,
) -> Dataset:
    """Load ``dataset``: a registered name, a :class:`DatasetSpec`, or a directory path.

    For a name or spec, the four files are searched for (see
    :mod:`atlas.data.locate`), verified against their SHA-256 and, if absent
    and ``download`` is true, downloaded into ``<data dir>/<name>/`` first.
    A path (a ``Path``, or a string that is not a registered name) is a
    custom data set: ``load(path)`` is ``load_dir(path)``.
    """
    if isinstance(dataset, os.PathLike) or (
        isinstance(dataset, str) and dataset not in registry and Path(dataset).is_dir()
    ):
        return load_dir(dataset)
    looks_like_path = isinstance(dataset, str) and ("/" in dataset or os.sep in dataset)
    if looks_like_path and dataset not in registry:
        raise DataError(f"{dataset}: not a directory (nor a data set name: {registry.names()})")
    spec = resolve_spec(dataset)
    check_timeout(timeout)
    directory, problems = locate.find(spec, data_dir)
    if directory is None:
        target = locate.data_dir(data_dir) / spec.name
        if not download:
            raise DataError(_missing_message(spec, data_dir, problems))
        directory = download_missing(spec, target, mirrors=mirrors, timeout=timeout,
                                     progress=progress, problems=problems)
    paths = [directory / f.name for f in spec.files]
    x_train, y_train, x_test, y_test = _read_split(spec.name, *paths, n_classes=len(spec.classes))
    if x_train.shape[1:] != spec.image_shape or x_test.shape[1:] != spec.image_shape:
        raise DataError(f"{directory}: {spec.name} images must be {spec.image_shape}, got "
                        f"{x_train.shape[1:]} and {x_test.shape[1:]}")
    return Dataset(spec.name, x_train, y_train, x_test, y_test, spec.classes)


def load_dir(path: str | os.PathLike[str], name: str | None = None) -> Dataset:
    """Load a custom data set from a directory holding the four MNIST-style IDX files.

    The files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally
    ``.gz``) are validated by their headers only: no checksum is known for
    them. Classes are named ``"0"`` to the largest label.
    """
    directory = Path(path).expanduser()
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    paths, missing = [], []
    for base in IDX_FILE_NAMES:
        found = [directory / n for n in (base + ".gz", base) if (directory / n).is_file()]
        paths.append(found[0] if found else None)
        if not found:
            missing.append(base)
    if missing:
        raise DataError(
            f"{directory}: missing {', '.join(missing)} (each optionally .gz); "
            f"a data set directory holds {', '.join(IDX_FILE_NAMES)}"
        )
    name = name or directory.name
    x_train, y_train, x_test, y_test = _read_split(name, *paths, n_classes=256)
    largest = int(max(y_train.max(initial=0), y_test.max(initial=0)))
    classes = tuple(str(label) for label in range(largest + 1))
    return Dataset(name, x_train, y_train, x_test, y_test, classes)


def _read_split(
    name: str, train_images: Path, train_labels: Path, test_images: Path, test_labels: Path,
    *, n_classes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read and cross-check the four files (magic numbers, counts, label range)."""
    arrays = []
    for images_path, labels_path in ((train_images, train_labels), (test_images, test_labels)):
        images = read_idx(images_path, magic=IMAGES_MAGIC)
        labels = read_idx(labels_path, magic=LABELS_MAGIC)
        if len(images) != len(labels):
            raise DataError(f"{labels_path}: {len(labels)} labels for the "
                            f"{len(images)} images of {images_path}")
        if labels.size and int(labels.max()) >= n_classes:
            raise DataError(f"{labels_path}: label {int(labels.max())} out of range, "
                            f"{name} has {n_classes} classes")
        arrays += [images, labels]
    x_train, y_train, x_test, y_test = arrays
    return x_train, y_train, x_test, y_test


def _missing_message(
    spec: DatasetSpec, data_dir: str | os.PathLike[str] | None, problems: list[str]
) -> str:
    target = locate.data_dir(data_dir) / spec.name
    lines = [f"{spec.name} is not on disk (looked in "
             + ", ".join(str(d) for d in locate.search_dirs(spec, data_dir)) + ")."]
    if problems:
        lines += ["Files found but not used (corrupt, or another data set's):",
                  *(f"  {problem}" for problem in problems),
                  "Delete them, or load a custom data set with load_dir(path)."]
    lines += [f"Fetch it with atlas.data.fetch({spec.name!r}), or put the four files",
              *(f"  {f.name}" for f in spec.files), f"into {target}."]
    return "\n".join(lines)
