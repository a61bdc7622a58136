"""The ``atlas-figure`` directive: a catalog figure embedded in a page, with its words.

A figure is embedded by its catalog name as a numbered, cross-referenceable
figure. An MP4 becomes ``<video loop muted playsinline controls preload="metadata"
poster=...>`` whose accessible name (``aria-label``) is the figure's alt text, with
the poster (its last frame) as an image of the same alt text inside; a PNG a lazily
loaded image. The alt text is the catalog's (:meth:`atlas.catalog.Entry.alt_text`:
what the figure shows, and the outcome its build computed from its data), so a page
never types one. Both carry ``width`` and ``height``, the PNG's own pixel size, so
the browser reserves the figure's box before the file arrives.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from atlas.catalog.entry import ALT_SUFFIX

GENERATED_URL = "_generated"  # where media are published, relative to the site root


def generated_dir(app: Sphinx) -> Path:
    """Where ``atlas render`` wrote the catalog (the ``atlas_generated`` setting)."""
    return Path(app.srcdir) / app.config.atlas_generated


def png_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` in pixels, read from a PNG's header (its IHDR chunk)."""
    with open(path, "rb") as file:
        head = file.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _media(app: Sphinx, name: str) -> tuple[str, Path, str, int]:
    """``("video" | "image", file, alt text, width in CSS px)`` of a catalog figure, or a
    ValueError naming it."""
    from atlas import catalog

    figure = catalog.get(name)  # unknown names: UnknownNameError with suggestions
    out = generated_dir(app)
    video, poster = out / f"{name}.mp4", out / f"{name}.png"
    if figure.kind == "animation" and video.is_file():
        return "video", video, figure.alt_text(out), figure.width
    if poster.is_file():
        return "image", poster, figure.alt_text(out), figure.width
    raise ValueError(f"catalog figure {name!r} has not been rendered into {out}")


class AtlasFigure(SphinxDirective):
    """``{atlas-figure} race/rosenbrock/3d`` with ``:name:``; the directive's content is the
    caption; the alt text and the width (CSS px, at most the column's) are the catalog's: the
    figure's text is sized for that width (:mod:`atlas.viz.readable`)."""

    required_arguments = 1
    has_content = True
    option_spec = {  # noqa: RUF012 - docutils reads a class attribute
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        try:
            kind, path, alt, shown = _media(self.env.app, name)
        except (KeyError, ValueError) as error:
            raise self.error(str(error)) from None

        figure = nodes.figure(classes=["atlas-figure"])
        width = f"{shown}px"  # the stylesheet's max-width: 100% narrows it on a phone
        poster = path.with_suffix(".png")  # an image, or the video's poster (its last frame)
        alt_file = generated_dir(self.env.app) / f"{name}{ALT_SUFFIX}"  # if the build wrote it
        for file in {path, poster, *[alt_file] * alt_file.is_file()}:
            self.env.note_dependency(str(file))
        self.env.atlas_media = getattr(self.env, "atlas_media", set()) | {name}
        up = "../" * self.env.docname.count("/")
        url = f"{up}{GENERATED_URL}/{name}"
        img = _img_tag(f"{url}.png", alt, png_size(poster), width)
        if kind == "video":
            size = 'width="{}" height="{}"'.format(*png_size(poster))
            html = (
                f'<video class="atlas-video" loop muted playsinline controls preload="metadata" '
                f'poster="{url}.png" {size} style="width: {width}" aria-label="{_attr(alt)}">'
                f'<source src="{url}.mp4" type="video/mp4">{img}</video>'
            )
        else:
            html = img
        figure += nodes.raw("", html, format="html")
        if self.content:
            caption_text = "\n".join(self.content)
            parsed, _ = self.state.inline_text(caption_text, self.lineno)
            figure += nodes.caption(caption_text, "", *parsed)
        self.add_name(figure)
        return [figure]


def _img_tag(src: str, alt: str, size: tuple[int, int], width: str) -> str:
    return (f'<img src="{src}" alt="{_attr(alt)}" width="{size[0]}" height="{size[1]}" '
            f'loading="lazy" decoding="async" style="width: {width}">')


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
