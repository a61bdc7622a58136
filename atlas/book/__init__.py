"""What the book's pages show, built from atlas: tables, rule boxes and numbers.

Every page of the Jupyter Book (``book/*.md``) computes with atlas and displays
with this module, so that no page defines a function of its own and every page
formats alike: an HTML :func:`table` (floats to six significant digits), a
:func:`markdown_table`, numbers with a true minus sign (:func:`fixed`,
:func:`significant`), and the boxes that present a registry entry (:func:`rule`
for an optimizer, :func:`activation`, :func:`loss`), which return their parts
for ``display(*parts)``. Figures are not made here: a page embeds catalog
figures with the ``atlas-figure`` directive (:mod:`atlas.sphinxext`).

Three modules, one import: :mod:`atlas.book.format` (numbers and tables),
:mod:`atlas.book.entries` (the registry entries' boxes) and
:mod:`atlas.book.chapters` (tables of single chapters); ``from atlas import book``
gives them all, and :mod:`atlas.latex_rows`'s :func:`wrap_rows` (display formulas in
rows that fit a phone).

Everything returns IPython display objects, so this module needs IPython (a
dependency of Jupyter Book); the rest of atlas does not import it.
"""

from __future__ import annotations

from atlas.book.chapters import (
    gradient_table,
    graph_nodes,
    graph_steps,
    study_table,
    xor_table,
)
from atlas.book.entries import (
    SHY,
    activation,
    activation_overview,
    algorithm,
    loss,
    loss_overview,
    mathjax,
    rule,
)
from atlas.book.format import (
    ALIGN,
    CODE_WIDTH,
    GENERATED,
    MARK,
    MINUS,
    cell,
    download,
    fixed,
    formula,
    inline_math,
    markdown_table,
    matrix,
    minus,
    rst_to_markdown,
    significant,
    source,
    table,
    times_ten,
)
from atlas.latex_rows import FORMULA_WIDTH, wrap_rows

__all__ = [
    "ALIGN",
    "CODE_WIDTH",
    "FORMULA_WIDTH",
    "GENERATED",
    "MARK",
    "MINUS",
    "SHY",
    "activation",
    "activation_overview",
    "algorithm",
    "cell",
    "download",
    "fixed",
    "formula",
    "gradient_table",
    "graph_nodes",
    "graph_steps",
    "inline_math",
    "loss",
    "loss_overview",
    "markdown_table",
    "mathjax",
    "matrix",
    "minus",
    "rst_to_markdown",
    "rule",
    "significant",
    "source",
    "study_table",
    "table",
    "times_ten",
    "wrap_rows",
    "xor_table",
]
