"""The IDX file format of MNIST-like data sets: a tiny header, then raw big-endian numbers.

An IDX file is laid out as::

    bytes 0-1   0x00 0x00                 (always zero)
    byte  2     type code                 (0x08 = uint8, ..., 0x0E = float64)
    byte  3     number of dimensions d
    then        d big-endian uint32 sizes  n_1, ..., n_d
    then        n_1 * ... * n_d values of the type, big-endian, row-major

so the file holds exactly :math:`4 + 4d + \\text{itemsize}\\prod_i n_i` bytes.
The magic number is the first four bytes read as one big-endian integer:
``0x00000801`` for a vector of uint8 labels, ``0x00000803`` for a stack of
uint8 images. Files are often gzip-compressed; the reader recognises gzip by
its own magic bytes (``1f 8b``), not by the file name.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from atlas.data.errors import DataError

LABELS_MAGIC = 0x00000801
"""A 1-d array of uint8: the labels of MNIST-like data sets."""

IMAGES_MAGIC = 0x00000803
"""A 3-d array of uint8: a stack of images (n, rows, columns)."""

TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
"""The IDX type code (byte 2 of the magic number) -> the big-endian dtype it stands for."""

_GZIP_MAGIC = b"\x1f\x8b"


def magic_number(type_code: int, ndim: int) -> int:
    """The magic number ``0x0000TTDD`` of an IDX file of type ``TT`` with ``DD`` dimensions."""
    return (type_code << 8) | ndim


def parse_idx(raw: bytes, source: str = "<bytes>") -> np.ndarray:
    """Decode the (already decompressed) bytes of one IDX file into a numpy array.

    The header is validated and the length must match it exactly: a truncated
    file or trailing bytes raise :class:`DataError` naming ``source``. The
    result is in native byte order and does not share memory with ``raw``.
    """
    if len(raw) < 4:
        raise DataError(f"{source}: not an IDX file: only {len(raw)} bytes, the header has 4+")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    magic = int.from_bytes(raw[:4], "big")
    if zero != 0 or type_code not in TYPE_CODES or ndim == 0:
        known = ", ".join(f"0x{code:02X}" for code in TYPE_CODES)
        raise DataError(
            f"{source}: not an IDX file: bad magic number 0x{magic:08X} "
            f"(expected 0x0000TTDD with type TT in {known} and DD >= 1 dimensions, "
            f"e.g. 0x{LABELS_MAGIC:08X} for labels, 0x{IMAGES_MAGIC:08X} for images)"
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DataError(
            f"{source}: truncated IDX header: {len(raw)} bytes, "
            f"{ndim} dimensions need {header_size}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = TYPE_CODES[type_code]
    count = 1
    for n in shape:  # Python integers: no overflow, whatever the header claims
        count *= n
    expected = header_size + count * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "has trailing bytes"
        raise DataError(
            f"{source}: IDX file {problem}: header says shape {shape} of {dtype.name} "
            f"= {expected} bytes, the file has {len(raw)}"
        )
    values = np.frombuffer(raw, dtype=dtype, count=count, offset=header_size)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def read_raw(path: str | os.PathLike[str]) -> bytes:
    """The bytes of ``path``, gunzipped if it is gzip-compressed (recognised by content)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror or error}") from error
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: corrupt or truncated gzip data: {error}") from error


def read_idx(path: str | os.PathLike[str], *, magic: int | None = None) -> np.ndarray:
    """Read the IDX file at ``path`` (gzip or raw) into a numpy array.

    ``magic``, if given, is the magic number the file must have (e.g.
    :data:`IMAGES_MAGIC`); anything else raises :class:`DataError`.
    """
    array = parse_idx(read_raw(path), source=str(path))
    if magic is not None:
        found = magic_number(_type_code(array.dtype), array.ndim)
        if found != magic:
            raise DataError(
                f"{path}: magic number 0x{found:08X} ({array.dtype.name}, {array.ndim} dims), "
                f"expected 0x{magic:08X} ({_describe(magic)})"
            )
    return array


def encode_idx(array: np.ndarray) -> bytes:
    """The IDX bytes of ``array`` (uncompressed): the inverse of :func:`parse_idx`."""
    array = np.asarray(array)
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX holds 1 to 255 dimensions, got an array of shape {array.shape}")
    type_code = _type_code(array.dtype)
    header = struct.pack(f">HBB{array.ndim}I", 0, type_code, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=TYPE_CODES[type_code]).tobytes()


def write_idx(array: np.ndarray, path: str | os.PathLike[str], *, compress: bool = False) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed if ``compress``) and return its path."""
    data = encode_idx(array)
    path = Path(path)
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def _type_code(dtype: np.dtype) -> int:
    for code, idx_dtype in TYPE_CODES.items():
        if np.dtype(dtype).newbyteorder(">") == idx_dtype:
            return code
    raise ValueError(f"IDX cannot store dtype {np.dtype(dtype).name}")


def _describe(magic: int) -> str:
    type_code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    name = TYPE_CODES[type_code].name if type_code in TYPE_CODES else "unknown type"
    return f"{name}, {ndim} dims"
