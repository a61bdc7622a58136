"""A small Sphinx extension: one ``jupyter-book build .`` gives the complete site.

It connects the book to the same pipeline as ``atlas render``:

* **Figures.** Before reading any page, every catalog figure that is missing or
  stale is rendered through :func:`atlas.render.render` (same cache, same
  manifest), so a fresh clone builds without a separate render step.
* **Embedding.** The ``atlas-figure`` directive (:mod:`atlas.sphinx_media`) embeds a
  catalog figure by name with the catalog's alt text and width: an MP4 becomes a
  ``<video>`` named by its alt text, its poster the last frame (``atlas.js`` plays a
  video only while it is in view, never for readers who prefer reduced motion, and
  gives it a play/pause button outside the plot), a PNG a lazily loaded image; both
  keep their box while loading.
* **No stale notebooks.** Notebook outputs are cached by Jupyter Book keyed on
  the notebook's code only; the cache is cleared whenever the source of the
  ``atlas`` package changes, so no page can show numbers of older code.
* **The explorer.** The ``atlas-explorer`` directive places the in-browser
  explorer: its scripts and style (``book/_static/explorer/``) and the catalog
  bundle ``explorer`` (``data.json`` inlined into the page, so it also works
  from ``file://``, where scripts cannot fetch; the background images copied
  next to the site's other media and loaded when shown).
* **Quiet kernels.** Notebooks run in kernels over IPC sockets, not unencrypted
  TCP (:mod:`atlas.kernel`), so no kernel warns about its transport.
* **Self-contained.** MathJax is served from the site itself (copied from the
  ``django-static-mathjax`` wheel, just the files the site needs): no CDN.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from atlas.cache import source_digest, write_atomic
from atlas.sphinx_media import GENERATED_URL, AtlasFigure, generated_dir

logger = logging.getLogger(__name__)

MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


# --- figures --------------------------------------------------------------------------------


def render_missing(app: Sphinx) -> None:
    """Render every catalog figure that is missing or stale (a no-op when all are fresh)."""
    from atlas.render import render

    if not app.config.atlas_render:
        return
    out = generated_dir(app)
    jobs = int(os.environ.get("ATLAS_JOBS", os.cpu_count() or 1))
    report = render(None, out=out, jobs=jobs, progress=False)
    if report.rendered:
        logger.info(f"atlas: rendered {len(report.rendered)} figures into {out}")


EXPLORER = "explorer"  # the catalog bundle of the explorer page
EXPLORER_SCRIPTS = ("elementary.js", "surfaces.js", "optimizers.js", "trajectory.js", "explorer.js")


class AtlasExplorer(SphinxDirective):
    """``{atlas-explorer}``: the in-browser explorer (see ``book/_static/explorer/``)."""

    def run(self) -> list[nodes.Node]:
        data = generated_dir(self.env.app) / EXPLORER / "data.json"
        if not data.is_file():
            raise self.error(f"the explorer's data has not been rendered into {data} "
                             f"(atlas render {EXPLORER})")
        self.env.note_dependency(str(data))
        self.env.atlas_bundles = getattr(self.env, "atlas_bundles", set()) | {EXPLORER}
        up = "../" * self.env.docname.count("/")
        # JSON inside <script>: only "</" could end the element early.
        text = data.read_text(encoding="utf-8").strip().replace("</", "<\\/")
        scripts = "".join(f'<script src="{up}_static/explorer/{name}"></script>'
                          for name in EXPLORER_SCRIPTS)
        html = (
            f'<link rel="stylesheet" href="{up}_static/explorer/explorer.css">'
            f'<div id="atlas-explorer" class="atlas-explorer" '
            f'data-base="{up}{GENERATED_URL}/{EXPLORER}/">'
            '<p class="ax-fallback">The explorer runs in your browser and needs JavaScript.</p>'
            f'</div><script type="application/json" id="atlas-explorer-data">{text}</script>'
            f"{scripts}"
        )
        return [nodes.raw("", html, format="html")]


def _merge_media(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    env.atlas_media = getattr(env, "atlas_media", set()) | getattr(other, "atlas_media", set())
    env.atlas_bundles = (getattr(env, "atlas_bundles", set())
                         | getattr(other, "atlas_bundles", set()))


def copy_media(app: Sphinx, exception: Exception | None) -> None:
    """Publish the figures that pages embed (videos, their posters, images), and only those."""
    if exception is not None or app.builder.format != "html":
        return
    source, target = generated_dir(app), Path(app.outdir) / GENERATED_URL
    for name in sorted(getattr(app.env, "atlas_media", set())):
        for suffix in (".mp4", ".png"):
            if not (source / f"{name}{suffix}").is_file():
                continue  # an image has no video
            destination = target / f"{name}{suffix}"
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / f"{name}{suffix}", destination)
    from atlas import catalog

    for name in sorted(getattr(app.env, "atlas_bundles", set())):  # every file of the bundle
        for file in catalog.get(name).outputs():
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / file, destination)


# --- notebook cache --------------------------------------------------------------------------


def invalidate_stale_notebooks(app: Sphinx) -> None:
    """Clear the notebook-execution cache if the atlas source changed since it was filled."""
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.parent / ".atlas-source-digest"
    digest = source_digest("atlas")  # every source file of the package
    if stamp.is_file() and stamp.read_text() == digest:
        return
    if cache.exists():
        logger.info("atlas: package source changed; clearing the notebook cache")
        shutil.rmtree(cache)
    app.env.atlas_stale_notebooks = True  # pages must be re-read to re-execute
    write_atomic(stamp, digest.encode())


def _reread_when_stale(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list:
    if getattr(env, "atlas_stale_notebooks", False):
        env.atlas_stale_notebooks = False
        return sorted(env.found_docs)
    return []


# --- MathJax, served locally -----------------------------------------------------------------


def pages_read_the_same_render(app: Sphinx, config: Any) -> None:
    """The pages' code (:data:`atlas.book.GENERATED`) reads its tables from the render the
    figures come from, ``atlas_generated``: the notebooks' kernels inherit this variable."""
    os.environ["ATLAS_GENERATED"] = str(Path(app.srcdir) / config.atlas_generated)


def use_local_mathjax(app: Sphinx, config: Any) -> None:
    config.mathjax_path = "mathjax/tex-chtml.js"


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import mathjax  # the django-static-mathjax wheel: MathJax 3 as package data

    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax"
    for item in MATHJAX_FILES:
        src, dst = es5 / item, target / item
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


# --- page hygiene ----------------------------------------------------------------------------


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                           doctree: Any) -> None:
    """Keep the first of identical script tags (sphinx-thebe adds its inline config twice
    when the documents are read twice in one build, a redeclared ``const`` error)."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = tuple(sorted(getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)  # priority aside
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# --- wiring ----------------------------------------------------------------------------------


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("atlas_generated", "book/_generated", "env")
    app.add_config_value("atlas_render", True, "env")
    app.add_directive("atlas-figure", AtlasFigure)
    app.add_directive("atlas-explorer", AtlasExplorer)
    app.connect("config-inited", use_local_mathjax)
    app.connect("config-inited", pages_read_the_same_render)
    from atlas.kernel import use_ipc_kernels

    use_ipc_kernels()  # before any notebook runs: this process's kernels use IPC sockets
    app.connect("builder-inited", render_missing)
    app.connect("builder-inited", invalidate_stale_notebooks)
    app.connect("env-get-outdated", _reread_when_stale)
    app.connect("env-merge-info", _merge_media)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)  # after the rest
    app.setup_extension("atlas.sitetheme")  # the theme's markup, made accessible
    app.connect("build-finished", copy_media)
    app.connect("build-finished", copy_mathjax)
    app.add_js_file("atlas.js", loading_method="defer")
    app.add_css_file("atlas.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
