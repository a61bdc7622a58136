"""One catalog entry: an artifact (data that figures share) or a figure of the book.

Everything ``atlas render`` computes is an :class:`Entry`: a name read as a
path (``race/rosenbrock/3d``, ``learning_rates/rosenbrock``,
``mnist/runs/main``), a module-level ``build`` function (picklable, so a
worker process can run it) with JSON parameters, the files it writes, and the
names of the entries it ``needs``. The renderer builds the needs first and
hands their outputs to ``build``; it never knows what an entry is about.

``build(path, formats, inputs, **params)`` writes the entry's files under
``path`` (the output directory joined with ``name``), each atomically;
``inputs`` maps every name of ``needs`` to that entry's :meth:`Entry.product`
(a file or a directory), so a build reads its inputs where it is told to.

Every figure shown as a picture (an animation or an image) has alt text: ``alt``
says in words what it shows. A figure whose alt states an outcome of its data
(who reaches the target first, in how many steps, which run leaves the plot)
sets ``alt_from_data``: its build computes those sentences from the same data
it draws and writes them next to the figure, ``<name>.alt.txt``
(:func:`write_alt`); :meth:`Entry.alt_text` gives ``alt`` followed by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.cache import write_atomic
from atlas.column import COLUMN_PX

#: What an entry writes. Figures: an animation writes one file per requested format
#: (mp4, png poster, gif); an image a PNG; a table CSV + Markdown. Artifacts: data is
#: one JSON file; a bundle is the directory ``<name>/`` holding its declared ``files``.
FIGURE_KINDS = ("animation", "image", "table")
ARTIFACT_KINDS = ("data", "bundle")
KINDS = (*FIGURE_KINDS, *ARTIFACT_KINDS)
ANIMATION_FORMATS = ("mp4", "png", "gif")
#: A first guess of an entry's seconds, by kind, until the manifest records how long it took.
ESTIMATE = {"animation": 4.0, "image": 1.0, "table": 0.2, "data": 10.0, "bundle": 10.0}
#: The figures shown as a picture: each needs alt text.
PICTURE_KINDS = ("animation", "image")
#: The file a build writes its data's outcome into, in words, next to the figure.
ALT_SUFFIX = ".alt.txt"
#: The file an entry hands to the entries that need it, by kind (a bundle: its directory).
_PRODUCT = {"animation": "", "image": ".png", "table": ".csv", "data": ".json", "bundle": ""}


@dataclass(frozen=True)
class Entry:
    """An artifact or a figure (see the module docstring)."""

    name: str
    description: str
    build: Callable[..., Any]
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    alt: str = ""  # what a picture shows, in words (see the module docstring)
    alt_from_data: bool = False  # the build also writes the outcome: <name>.alt.txt
    #: CSS px: how wide the book shows a picture (at most the column; on a phone, at most
    #: the phone's column). Its text is sized for this width (atlas.viz.readable).
    width: int = COLUMN_PX

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"entry kind must be one of {KINDS}, got {self.kind!r}")
        if (self.kind == "bundle") != bool(self.files):
            raise ValueError(f"{self.name}: a bundle, and only a bundle, declares its files")
        if self.name in self.needs:
            raise ValueError(f"{self.name} cannot need itself")
        if (self.kind in PICTURE_KINDS) != bool(self.alt.strip()):
            raise ValueError(f"{self.name}: an animation or image, and only those, has alt text")
        if self.alt_from_data and self.kind not in PICTURE_KINDS:
            raise ValueError(f"{self.name}: only an animation or image writes its alt text")
        if not 0 < self.width <= COLUMN_PX:
            raise ValueError(f"{self.name}: width must be 1 to {COLUMN_PX} CSS px, "
                             f"got {self.width!r}")

    @property
    def artifact(self) -> bool:
        """Whether the entry is data that other entries read (not a figure of the book)."""
        return self.kind in ARTIFACT_KINDS

    @property
    def estimate(self) -> float:
        """Seconds this entry's build is guessed to take before it was ever timed."""
        return ESTIMATE[self.kind]

    @property
    def module(self) -> str:
        """The module of the build function: its source and imports make the entry's key."""
        return self.build.__module__

    def suffixes(self, formats: Iterable[str] = ("mp4", "png")) -> tuple[str, ...]:
        """The file suffixes this entry writes for the requested ``formats``."""
        if self.kind == "image":
            return (".png",)
        if self.kind == "table":
            return (".csv", ".md")
        if self.kind == "data":
            return (".json",)
        if self.kind == "bundle":
            return ()
        chosen = tuple(f".{fmt}" for fmt in ANIMATION_FORMATS if fmt in formats)
        return chosen or (".png",)

    def outputs(self, formats: Iterable[str] = ("mp4", "png")) -> tuple[str, ...]:
        """Output files relative to the output directory, e.g. ``race/sphere/3d.mp4``."""
        if self.kind == "bundle":
            return tuple(f"{self.name}/{file}" for file in self.files)
        alt = (ALT_SUFFIX,) if self.alt_from_data else ()
        return tuple(self.name + suffix for suffix in (*self.suffixes(formats), *alt))

    def formats_for(self, formats: Iterable[str]) -> tuple[str, ...]:
        """The formats handed to ``build`` (only those this entry writes)."""
        return tuple(suffix[1:] for suffix in self.suffixes(formats))

    def product(self, out: str | Path) -> Path:
        """What the entries that need this one are handed: its file or its directory."""
        return Path(out) / (self.name + _PRODUCT[self.kind])

    def alt_text(self, out: str | Path) -> str:
        """The figure's alt text: :attr:`alt`, then the outcome its build wrote (if it does)."""
        if not self.alt_from_data:
            return self.alt
        written = Path(out) / (self.name + ALT_SUFFIX)
        if not written.is_file():
            raise ValueError(f"catalog figure {self.name!r} has no alt text in {written}: "
                             f"render it (atlas render {self.name})")
        return f"{self.alt} {written.read_text(encoding='utf-8').strip()}"

    def record(self, formats: Iterable[str]) -> dict[str, Any]:
        """What the entry's key covers besides code and needs: name, kind, params, files."""
        return {"name": self.name, "kind": self.kind, "params": dict(self.params),
                "outputs": list(self.outputs(formats))}  # fmt: skip


def write_alt(path: Path, sentences: str) -> Path:
    """Write a figure's outcome in words next to it (``<path>.alt.txt``), atomically."""
    return write_atomic(path.with_name(path.name + ALT_SUFFIX), sentences.strip().encode("utf-8"))
