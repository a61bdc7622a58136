"""Arrays and their metadata as one ``.npz`` file: what every artifact of arrays is written as.

The arrays keep every bit (float64 stays float64); the metadata is JSON (floats
keep every digit), stored as the array ``meta`` of its UTF-8 bytes. The same
arrays and metadata give the same bytes, so a file's content can be compared.
Writing the bytes to disk (atomically) is the caller's: :func:`atlas.cache.write_atomic`.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import numpy as np

META = "meta"


def npz_bytes(arrays: dict[str, np.ndarray], meta: Any = None, *,
              compressed: bool = False) -> bytes:  # fmt: skip
    """``arrays`` (and ``meta``, if given, as JSON) as the bytes of one ``.npz`` file."""
    if meta is not None:
        arrays = {**arrays, META: np.frombuffer(json.dumps(meta).encode("utf-8"), np.uint8)}
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def read_npz(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], Any]:
    """The arrays of the ``.npz`` file at ``path`` and its metadata (None without any).

    Raises what :func:`numpy.load` and :func:`json.loads` raise for a file that is not
    one (``OSError``, ``ValueError``): the caller names what it expected.
    """
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    meta = arrays.pop(META, None)
    return arrays, None if meta is None else json.loads(meta.tobytes().decode("utf-8"))
