"""Tests of atlas.data: the IDX reader, the data set table, search, download and loading.

Downloads run the real urllib code against a small HTTP server on 127.0.0.1
(an ephemeral port, in a thread) serving synthetic IDX files, good and bad;
the data set specs are built in the test so the checksum table is the test's
own. Nothing here touches the internet. Real data is used when present:
``shared/data/mnist-small`` (beside the repository) and Debian's
``dataset-fashion-mnist``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import itertools
import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from atlas import data
from atlas.data import DataError, Dataset, DatasetSpec, FileSpec
from atlas.registry import UnknownNameError

pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("isolated_data")]

REPO = Path(__file__).resolve().parents[1]
NAMES = data.names()
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
#: How long the "slow" mirror waits before answering (a 0.2 s timeout must not wait for it).
SLOW_SECONDS = 2.0


# --- building IDX files by hand (independently of atlas.data.idx) ------------------------------


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """The IDX bytes of ``array``, written from the format description with struct."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", n)
                                                            for n in array.shape)
    return header + array.astype(IDX_DTYPES[type_code]).tobytes()


def synthetic_files(rng: np.random.Generator, n_train: int = 6, n_test: int = 4) -> dict:
    """Tiny MNIST-like arrays and their gzipped IDX files, keyed by canonical file name."""
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    return {name: (a, gzip.compress(idx_bytes(a), mtime=0)) for name, a in arrays.items()}


def spec_for(files: dict, name: str = "tiny", mirrors: tuple[str, ...] = ()) -> DatasetSpec:
    """A DatasetSpec whose checksum table is that of ``files`` (a test's own data set)."""
    specs = [FileSpec(n, len(raw), hashlib.sha256(raw).hexdigest()) for n, (_, raw) in
             files.items()]
    return DatasetSpec(name, "a tiny synthetic data set", *specs,
                       classes=tuple("abcdefghij"), mirrors=mirrors)


@pytest.fixture
def files():
    return synthetic_files(np.random.default_rng(20240601))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# --- a local HTTP server with good and bad mirrors ---------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    """``/<mode>/<file>``: good, corrupt (one byte flipped), truncated (the connection closes
    early), short (an honest but short body), long (extra bytes), slow, or 404."""

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        _, mode, name = self.path.split("/", 2)
        body = self.server.files.get(name)
        if body is None or mode == "missing":
            self.send_error(404)
            return
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        sent = {"good": body, "slow": body, "truncated": body[: len(body) // 2],
                "short": body[: len(body) // 2], "long": body + b"\0" * 70_000,
                "corrupt": body[:-9] + bytes([body[-9] ^ 1]) + body[-8:]}[mode]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) if mode == "truncated" else len(sent)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may have given up (slow)
            self.wfile.write(sent)
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(files):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads, httpd.block_on_close = True, False
    httpd.files = {n: raw for n, (_, raw) in files.items()}
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    httpd.url = lambda mode: f"http://127.0.0.1:{httpd.server_address[1]}/{mode}/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- IDX reader --------------------------------------------------------------------------------


def test_parse_idx_reads_labels_and_images():
    labels = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 255])
    assert data.parse_idx(labels).tolist() == [7, 0, 255]
    images = bytes([0, 0, 8, 3]) + struct.pack(">III", 2, 1, 2) + bytes([1, 2, 3, 4])
    out = data.parse_idx(images)
    assert out.dtype == np.uint8 and out.tolist() == [[[1, 2]], [[3, 4]]]
    assert int.from_bytes(labels[:4], "big") == data.LABELS_MAGIC == 0x801
    assert int.from_bytes(images[:4], "big") == data.IMAGES_MAGIC == 0x803


@pytest.mark.parametrize("type_code", sorted(IDX_DTYPES))
def test_parse_idx_every_type_code(type_code):
    values = np.array([[-3, 1, 2], [4, 5, -6]]) if type_code != 0x08 else np.arange(6).reshape(2, 3)
    out = data.parse_idx(idx_bytes(values, type_code))
    assert out.dtype == np.dtype(IDX_DTYPES[type_code]).newbyteorder("=")
    np.testing.assert_array_equal(out, values)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64]),
                  hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)))
def test_encode_matches_the_format_and_round_trips(array):
    code = {np.dtype(t).newbyteorder(">"): c for c, t in IDX_DTYPES.items()}[
        array.dtype.newbyteorder(">")]
    raw = data.encode_idx(array)
    assert raw == idx_bytes(array, code)
    np.testing.assert_array_equal(data.parse_idx(raw), array)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_parse_idx_on_random_bytes_returns_an_array_or_a_data_error(raw):
    try:
        out = data.parse_idx(raw, source="random.idx")
    except DataError as error:
        assert str(error).startswith("random.idx: ")
    else:
        assert len(data.encode_idx(out)) == len(raw)


@pytest.mark.parametrize(("raw", "words"), [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic number 0x01000801"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x05", "bad magic number 0x00000A01"),
    (b"\x00\x00\x08\x00", "bad magic number 0x00000800"),
    (b"\x00\x00\x08", "only 3 bytes"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x01", "truncated IDX header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "trailing bytes"),
    (b"\x00\x00\x08\x02\xff\xff\xff\xff\xff\xff\xff\xff", "truncated"),
])
def test_parse_idx_rejects_malformed_files(raw, words):
    with pytest.raises(DataError, match=r"^bad\.idx: ") as info:
        data.parse_idx(raw, source="bad.idx")
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_read_idx_gzip_and_raw_agree(tmp_path):
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    (tmp_path / "raw").write_bytes(idx_bytes(images))
    (tmp_path / "anything.gz").write_bytes(gzip.compress(idx_bytes(images)))
    for name in ("raw", "anything.gz"):
        np.testing.assert_array_equal(data.read_idx(tmp_path / name, magic=data.IMAGES_MAGIC),
                                      images)
    written = data.write_idx(images, tmp_path / "w.gz", compress=True)
    assert written.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(data.read_idx(written), images)


def test_read_idx_names_the_file_on_every_error(tmp_path):
    labels = idx_bytes(np.arange(10, dtype=np.uint8))
    good_gz = gzip.compress(labels)
    cases = {
        "cut.gz": good_gz[:-5],  # truncated gzip stream
        "bad.gz": good_gz[:12] + bytes(len(good_gz) - 12),  # corrupt gzip stream
        "long": labels + b"\0",
        "short": labels[:-1],
    }
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(DataError, match=str(tmp_path / name)):
            data.read_idx(tmp_path / name)
    (tmp_path / "labels").write_bytes(labels)
    with pytest.raises(DataError, match=r"0x00000801 .* expected 0x00000803"):
        data.read_idx(tmp_path / "labels", magic=data.IMAGES_MAGIC)
    with pytest.raises(DataError, match="cannot read"):
        data.read_idx(tmp_path / "absent")


# --- the data set table ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_registered_data_sets_are_well_formed(name):
    spec = data.get(name)
    assert spec is data.DATASETS.get(name) and spec.name == name
    assert spec.description and "\n" not in spec.description
    assert [f.name for f in spec.files] == [n + ".gz" for n in data.IDX_FILE_NAMES]
    assert len(spec.classes) == 10 and len(set(spec.classes)) == 10
    assert spec.mirrors or spec.extra_dirs, "no way to obtain the files"
    assert all(m.startswith(("http://", "https://")) and m.endswith("/") for m in spec.mirrors)
    assert spec.image_shape == (28, 28)


def test_mnist_table_is_the_canonical_one():
    sizes = {f.name: (f.size, f.sha256[:12]) for f in data.MNIST.files}
    assert sizes == {
        "train-images-idx3-ubyte.gz": (9_912_422, "440fcabf73cc"),
        "train-labels-idx1-ubyte.gz": (28_881, "3552534a0a55"),
        "t10k-images-idx3-ubyte.gz": (1_648_877, "8d422c7b0a1c"),
        "t10k-labels-idx1-ubyte.gz": (4_542, "f7ae60f92e00"),
    }
    assert data.MNIST.mirrors == ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                                  "https://storage.googleapis.com/cvdf-datasets/mnist/")


def test_unknown_data_set_suggests_a_name():
    with pytest.raises(UnknownNameError, match="Did you mean 'mnist'"):
        data.load("mnsit")


@pytest.mark.parametrize(("kwargs", "bad"), [
    ({"name": "x/y"}, "'x/y'"), ({"size": 0}, "0"), ({"size": True}, "True"),
    ({"sha256": "ABC"}, "'ABC'"), ({"also_accepted": ("0" * 63,)}, "'" + "0" * 63 + "'"),
])
def test_file_spec_validates_with_the_bad_value(kwargs, bad):
    good = {"name": "f.gz", "size": 1, "sha256": "0" * 64}
    with pytest.raises(ValueError, match=bad.replace("/", ".")):
        FileSpec(**(good | kwargs))


def test_dataset_spec_validates(files):
    spec = spec_for(files)
    with pytest.raises(ValueError, match="'Tiny'"):
        DatasetSpec("Tiny", "d", *spec.files, classes=spec.classes, mirrors=())
    with pytest.raises(ValueError, match="ftp://x"):
        DatasetSpec("tiny", "d", *spec.files, classes=spec.classes, mirrors=("ftp://x",))
    with pytest.raises(ValueError, match="must differ"):
        DatasetSpec("tiny", "d", *spec.files[:3], spec.files[0], classes=spec.classes,
                    mirrors=())
    assert DatasetSpec("tiny", "d", *spec.files, classes=spec.classes,
                       mirrors=("http://h/a",)).mirrors == ("http://h/a/",)


# --- where data lives --------------------------------------------------------------------------


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "env"))
    assert data.data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert data.data_dir() == tmp_path / "env"
    monkeypatch.delenv("ATLAS_DATA_DIR")
    assert data.data_dir() == tmp_path / "home" / ".cache" / "atlas"
    monkeypatch.setenv("ATLAS_DATA_DIR", "")
    assert data.data_dir() == tmp_path / "home" / ".cache" / "atlas"
    assert data.search_dirs(data.FASHION_MNIST, tmp_path) == (
        tmp_path / "fashion_mnist", tmp_path, Path("/usr/share/datasets/fashion-mnist"))


def test_load_uses_the_environment_variable(monkeypatch, tmp_path, files):
    spec = spec_for(files)
    (tmp_path / "env" / "tiny").mkdir(parents=True)
    for name, (_, raw) in files.items():
        (tmp_path / "env" / "tiny" / name).write_bytes(raw)
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "env"))
    assert data.load(spec, download=False).name == "tiny"
    with pytest.raises(DataError, match="not on disk"):  # an explicit argument wins
        data.load(spec, tmp_path / "elsewhere", download=False)


def test_a_directory_directly_holding_the_files_is_found(tmp_path, files):
    for name, (_, raw) in files.items():
        (tmp_path / name).write_bytes(raw)
    loaded = data.load(spec_for(files), tmp_path, download=False)
    np.testing.assert_array_equal(loaded.x_test, files["t10k-images-idx3-ubyte.gz"][0])


def test_a_file_with_the_wrong_checksum_is_corrupt_never_used(tmp_path, files):
    spec = spec_for(files)
    target = tmp_path / "tiny"
    target.mkdir()
    for name, (_, raw) in files.items():
        (target / name).write_bytes(raw)
    other = synthetic_files(np.random.default_rng(5))["train-labels-idx1-ubyte.gz"][1]
    (target / "train-labels-idx1-ubyte.gz").write_bytes(other)  # valid IDX, wrong data
    with pytest.raises(DataError) as info:
        data.load(spec, tmp_path, download=False)
    message = str(info.value)
    assert str(target / "train-labels-idx1-ubyte.gz") in message and "Delete" in message
    with pytest.raises(DataError, match="Delete the file"):  # fetch does not overwrite it
        data.fetch(spec, tmp_path, mirrors=[closed_port_url()])
    assert (target / "train-labels-idx1-ubyte.gz").read_bytes() == other


# --- downloading -------------------------------------------------------------------------------


def test_fetch_downloads_verifies_and_reports_progress(tmp_path, files, server):
    events = []
    target = data.fetch(spec_for(files), tmp_path, mirrors=[server.url("good")],
                        progress=events.append)
    assert target == tmp_path / "tiny"
    assert leftovers(target) == sorted(files)
    for name, (_, raw) in files.items():
        assert (target / name).read_bytes() == raw
        mine = [e for e in events if e.file == name]
        assert mine[-1].done == mine[-1].total == len(raw)
        assert all(a.done < b.done for a, b in itertools.pairwise(mine))
    before = len(server.requests)
    assert data.fetch(spec_for(files), tmp_path, mirrors=[server.url("good")]) == target
    assert len(server.requests) == before  # already there: nothing downloaded


def test_load_downloads_what_is_missing(tmp_path, files, server):
    spec = spec_for(files, mirrors=(server.url("good"),))
    (tmp_path / "tiny").mkdir()
    name = "t10k-labels-idx1-ubyte.gz"
    (tmp_path / "tiny" / name).write_bytes(files[name][1])
    loaded = data.load(spec, tmp_path)  # the spec's own mirrors
    assert len(server.requests) == 3 and not any(name in r for r in server.requests)
    for key, name in zip(("x_train", "y_train", "x_test", "y_test"), files, strict=True):
        np.testing.assert_array_equal(getattr(loaded, key), files[name][0])
    assert loaded.classes == tuple("abcdefghij")


@pytest.mark.parametrize("bad", ["corrupt", "truncated", "short", "long", "missing"])
def test_a_bad_mirror_is_skipped_for_the_next(tmp_path, files, server, bad):
    target = data.fetch(spec_for(files), tmp_path,
                        mirrors=[server.url(bad), server.url("good")])
    assert leftovers(target) == sorted(files)
    assert all((target / n).read_bytes() == raw for n, (_, raw) in files.items())
    assert sum(r.startswith(f"/{bad}/") for r in server.requests) == 4


def test_every_mirror_bad_is_one_clear_error_and_leaves_nothing(tmp_path, files, server):
    modes = ["corrupt", "truncated", "short", "long", "missing"]
    with pytest.raises(DataError) as info:
        data.fetch(spec_for(files), tmp_path, mirrors=[server.url(m) for m in modes])
    message = str(info.value)
    first = "train-images-idx3-ubyte.gz"
    for mode, words in zip(modes, ["corrupt: SHA-256", "truncated: ", "truncated: ", "too long",
                                   "HTTP 404"], strict=True):
        assert f"{server.url(mode)}{first}: {words}" in message
    assert leftovers(tmp_path / "tiny") == []


def test_offline_says_where_to_put_the_files(tmp_path, files):
    with pytest.raises(DataError) as info:
        data.load(spec_for(files), tmp_path, mirrors=[closed_port_url(), closed_port_url()],
                  timeout=5)
    message = str(info.value)
    assert "unreachable" in message and f"into {tmp_path / 'tiny'}\n" in message
    assert all(f"\n  {name}\n" in message for name in files)
    assert leftovers(tmp_path / "tiny") == []


def test_download_timeout_is_configurable(tmp_path, files, server):
    start = time.perf_counter()
    with pytest.raises(DataError, match=r"timed out after 0\.2 s"):
        data.fetch(spec_for(files), tmp_path, mirrors=[server.url("slow")], timeout=0.2)
    assert time.perf_counter() - start < SLOW_SECONDS - 0.5  # gave up long before the reply
    assert leftovers(tmp_path / "tiny") == []


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), True, "5"])
def test_bad_timeouts_and_mirrors_are_rejected(tmp_path, files, timeout):
    for name, (_, raw) in files.items():  # even when nothing needs downloading
        (tmp_path / name).write_bytes(raw)
    with pytest.raises(ValueError, match="timeout must be"):
        data.fetch(spec_for(files), tmp_path, mirrors=[], timeout=timeout)
    with pytest.raises(ValueError, match="timeout must be"):
        data.load(spec_for(files), tmp_path, timeout=timeout)
    with pytest.raises(ValueError, match="not one string"):
        data.fetch(spec_for(files), tmp_path, mirrors="http://127.0.0.1/")


# --- loading -----------------------------------------------------------------------------------


def test_custom_directory_is_loaded_by_header(tmp_path, files):
    for name, (array, _) in files.items():
        (tmp_path / name.removesuffix(".gz")).write_bytes(idx_bytes(array))  # raw, not gz
    by_path, by_str = data.load(tmp_path), data.load(str(tmp_path))
    for loaded in (by_path, by_str, data.load_dir(tmp_path, name="mine")):
        np.testing.assert_array_equal(loaded.y_train, files["train-labels-idx1-ubyte.gz"][0])
    labels = np.concatenate([by_path.y_train, by_path.y_test])
    assert by_path.classes == tuple(str(k) for k in range(labels.max() + 1))
    assert by_path.name == tmp_path.name
    with pytest.raises(DataError, match="not a directory"):
        data.load(str(tmp_path / "no" / "such"))


def test_custom_directory_errors_name_the_problem(tmp_path, files):
    with pytest.raises(DataError, match=f"{tmp_path}: missing " + ", ".join(data.IDX_FILE_NAMES)):
        data.load_dir(tmp_path)
    for name, (array, _) in files.items():
        (tmp_path / name.removesuffix(".gz")).write_bytes(idx_bytes(array))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(DataError, match="3 labels for the 4 images"):
        data.load_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros((4, 1), np.uint8)))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: magic number 0x00000802"):
        data.load_dir(tmp_path)


def test_dataset_is_immutable_and_as_float_scales(files):
    arrays = [a for a, _ in files.values()]
    ds = Dataset("tiny", *arrays, classes=tuple("abcdefghij"))
    with pytest.raises(ValueError, match="read-only"):
        ds.x_train[0, 0, 0] = 1
    with pytest.raises(AttributeError):
        ds.name = "other"
    x_train, y_train, x_test, y_test = ds.as_float()
    assert x_train.shape == (6, 784) and x_test.shape == (4, 784) and x_train.dtype == np.float32
    assert y_train.dtype == np.int64
    np.testing.assert_array_equal(x_train * np.float32(255), arrays[0].reshape(6, 784))
    assert x_train.min() >= 0 and x_train.max() <= 1
    np.testing.assert_array_equal(y_test, arrays[3])
    assert "x_train=(6, 28, 28)" in repr(ds)
    with pytest.raises(ValueError, match=r"\(6, 28, 28\) and \(5,\)"):
        Dataset("tiny", arrays[0], arrays[1][:5], arrays[2], arrays[3], classes=())


# --- real data, when present -------------------------------------------------------------------


def _mnist_small() -> Path:
    for candidate in (Path("/work/shared/data/mnist-small"),
                      REPO.parent / "shared" / "data" / "mnist-small"):
        if candidate.is_dir():
            return candidate
    pytest.skip("shared/data/mnist-small is not here")


def test_mnist_small_loads_as_a_custom_data_set():
    path = _mnist_small()
    ds = data.load(path)
    assert ds.x_train.shape == (5000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert ds.x_train.dtype == ds.y_train.dtype == np.uint8
    assert np.bincount(ds.y_train).tolist() == [500] * 10
    assert set(np.unique(ds.y_test).tolist()) == set(range(10))
    for spec in (data.MNIST.test_images, data.MNIST.test_labels):
        assert data.sha256_of(path / spec.name) == spec.sha256


def test_mnist_small_is_not_mnist():
    path = _mnist_small()
    with pytest.raises(DataError) as info:
        data.load("mnist", path, download=False)
    assert str(path / "train-images-idx3-ubyte.gz") + ": SHA-256" in str(info.value)


FASHION_DEBIAN = Path("/usr/share/datasets/fashion-mnist")
FASHION_MD5 = {  # from the Fashion-MNIST README
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


@pytest.mark.skipif(not FASHION_DEBIAN.is_dir(), reason="dataset-fashion-mnist not installed")
@pytest.mark.parametrize("file", data.FASHION_MNIST.files, ids=lambda f: f.name)
def test_fashion_mnist_checksums_from_the_debian_files(file):
    """Debian's copy is the canonical file minus the gzip FNAME field (and mtime): put them
    back and the bytes match the README's MD5, the recorded size and SHA-256."""
    raw = (FASHION_DEBIAN / file.name).read_bytes()
    assert raw[3] == 0 and hashlib.sha256(raw).hexdigest() in file.also_accepted
    mtime = 1504176606 if file.name.startswith("train") else 1504176627  # 2017-08-31
    canonical = (raw[:3] + b"\x08" + struct.pack("<I", mtime) + raw[8:10]
                 + file.name.removesuffix(".gz").encode() + b"\0" + raw[10:])
    assert hashlib.md5(canonical).hexdigest() == FASHION_MD5[file.name]
    assert len(canonical) == file.size and hashlib.sha256(canonical).hexdigest() == file.sha256


@pytest.mark.skipif(not FASHION_DEBIAN.is_dir(), reason="dataset-fashion-mnist not installed")
def test_fashion_mnist_is_found_in_the_debian_directory(tmp_path, files):
    assert data.fetch("fashion_mnist", tmp_path, mirrors=[closed_port_url()]) == FASHION_DEBIAN
    assert leftovers(tmp_path) == []  # found and verified: nothing downloaded
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):  # its test split
        (tmp_path / name).write_bytes((FASHION_DEBIAN / name).read_bytes())
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (tmp_path / name).write_bytes(files[name][1])
    ds = data.load_dir(tmp_path)
    assert ds.x_test.shape == (10000, 28, 28) and np.bincount(ds.y_test).tolist() == [1000] * 10
