"""The theme's markup, made accessible (a Sphinx extension loaded by :mod:`atlas.sphinxext`).

The site's templates (``book/_templates``) fix what a template can: the search
button and the colour-mode button are named by what they show, the site's title
and search sit inside the navigation landmark, and "Skip to main content" lands
on the article. Two disclosure widgets are written by Python, not by templates,
and are fixed here:

* the sidebar's expand/collapse toggles: pydata-sphinx-theme writes each as a
  ``<summary>`` holding only a chevron icon, a control without a name (axe:
  ``summary-name``); each is named after the chapter it opens;
* myst-nb's toggle of a hidden code cell: its ``<summary>`` carries
  ``aria-label="Toggle hidden content"`` while it shows "Show code cell source"
  (axe: ``label-content-name-mismatch``); it is named by what it shows.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sphinx.application import Sphinx


def name_toc_toggles(app: Sphinx, pagename: str, templatename: str, context: dict,
                     doctree: Any) -> None:
    """Name the sidebar's expand/collapse toggles ("Optimizers: sections").

    The theme writes each as ``<summary>`` holding only a chevron icon, a control
    without an accessible name; the name is that of the chapter it opens.
    """
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def named(kind: str, *args: Any, **kwargs: Any) -> Any:
        tree = generate(kind, *args, **kwargs)  # a BeautifulSoup tree, or HTML text
        if isinstance(tree, str):
            from bs4 import BeautifulSoup  # a dependency of the theme
            from markupsafe import Markup

            return Markup(str(_name_toggles(BeautifulSoup(tree, "html.parser"))))
        return _name_toggles(tree) if hasattr(tree, "select") else tree

    context["generate_toctree_html"] = named


def _name_toggles(soup: Any) -> Any:
    for summary in soup.select("li > details > summary"):
        link = summary.find_parent("li").find("a", recursive=False)
        if not summary.get_text(strip=True) and link is not None:
            summary["aria-label"] = f"{link.get_text(' ', strip=True)}: sections"
    return soup


def _visit_hidden_cell(self: Any, node: Any) -> None:
    """myst-nb's toggle of a hidden cell, named by what it shows ("Show code cell
    source") instead of an ``aria-label`` that says something else."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n'
                     "<summary>\n"
                     f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n'
                     f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n'
                     "</summary>\n")  # fmt: skip


def setup(app: Sphinx) -> dict[str, Any]:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.connect("html-page-context", name_toc_toggles, priority=900)  # after the theme's
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, depart_HideCellInput))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
