"""Data sets: MNIST and Fashion-MNIST by name, or any directory of IDX files.

::

    from atlas import data

    dataset = data.load("mnist")          # search, download if missing, verify SHA-256
    data.fetch("fashion_mnist")           # download ahead of time
    custom = data.load_dir("my-digits/")  # any four IDX files, headers validated
    data.names()                          # ['mnist', 'fashion_mnist']

Files are looked for under the data directory (``data_dir=``, else
``$ATLAS_DATA_DIR``, else ``~/.cache/atlas``) in ``<dir>/<name>/`` or
``<dir>/`` itself, then in each spec's extra directories (Fashion-MNIST:
``/usr/share/datasets/fashion-mnist``). Every failure is a :class:`DataError`
whose message names the file and says what to do; a corrupt copy passed over
for a verified one elsewhere is a :class:`DataWarning` naming both.
"""

from __future__ import annotations

from atlas.data.datasets import (
    FASHION_MNIST,
    IDX_FILE_NAMES,
    MNIST,
    DatasetSpec,
    FileSpec,
    get,
    names,
    registry,
)
from atlas.data.download import DEFAULT_TIMEOUT, DownloadProgress, fetch
from atlas.data.errors import DataError, DataWarning
from atlas.data.idx import IMAGES_MAGIC, LABELS_MAGIC, encode_idx, parse_idx, read_idx, write_idx
from atlas.data.loading import Dataset, load, load_dir
from atlas.data.locate import ENV_VAR, data_dir, search_dirs, sha256_of
from atlas.data.transforms import deskew, shifted, skew

DATASETS = registry
"""Every named data set (a :class:`~atlas.registry.Registry` of :class:`DatasetSpec`)."""

__all__ = [
    "DATASETS",
    "DEFAULT_TIMEOUT",
    "ENV_VAR",
    "FASHION_MNIST",
    "IDX_FILE_NAMES",
    "IMAGES_MAGIC",
    "LABELS_MAGIC",
    "MNIST",
    "DataError",
    "DataWarning",
    "Dataset",
    "DatasetSpec",
    "DownloadProgress",
    "FileSpec",
    "data_dir",
    "deskew",
    "encode_idx",
    "fetch",
    "get",
    "load",
    "load_dir",
    "names",
    "parse_idx",
    "read_idx",
    "registry",
    "search_dirs",
    "sha256_of",
    "shifted",
    "skew",
    "write_idx",
]
