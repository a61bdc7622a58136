"""The book's numbers and tables: a true minus sign, fixed and significant digits, HTML and
Markdown tables, matrices and source listings (see :mod:`atlas.book`)."""

from __future__ import annotations

import inspect
import os
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from IPython.display import HTML, Markdown, Math

from atlas import latex_rows

#: The rendered catalog as the pages see it: Jupyter Book runs each page in its own
#: directory, ``book/``, and ``atlas render`` writes into ``book/_generated``; a build
#: with another ``atlas_generated`` sets ``ATLAS_GENERATED`` (:mod:`atlas.sphinxext`).
GENERATED = Path(os.environ.get("ATLAS_GENERATED", "_generated"))

MINUS = "\N{MINUS SIGN}"
MARK = {True: "✓", False: "–"}  # a yes/no property in a table
#: Markdown column alignment: l(eft), r(ight), c(entre), or - (the renderer's default).
ALIGN = {"l": ":---", "r": "---:", "c": ":---:", "-": "---"}

# ------------------------------------------------------------------------------------ numbers


def minus(text: str) -> str:
    """``text`` with every hyphen-minus made a true minus sign (−)."""
    return text.replace("-", MINUS)


def fixed(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` decimals and a true minus sign."""
    return minus(f"{x:.{digits}f}")


def significant(x: float, digits: int = 6) -> str:
    """``x`` to ``digits`` significant digits, with a true minus sign."""
    return minus(f"{x:.{digits}g}")


def times_ten(x: float, digits: int = 2) -> str:
    """``x`` in LaTeX scientific notation, ``digits`` significant digits: ``4.5 \\times
    10^{-5}``; a power of ten is kept only where the exponent is not 0."""
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    if int(exponent) == 0:
        return mantissa
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def formula(*rows: str) -> Math:
    """Display formulas, one a row, in rows that fit a phone's column
    (:func:`atlas.latex_rows.display`): unchanged where they already fit."""
    return Math(latex_rows.display(*rows))


def download(label: str, path: str | os.PathLike) -> Markdown:
    """A link that downloads ``path`` (a file of the rendered catalog, say a table's CSV),
    shown as ``label``: MyST makes a link to a local file that is not a page a download,
    and Sphinx publishes the file with the page. Jupyter Book runs a page's code in the
    page's directory, so the path is written relative to it."""
    return Markdown(f"[{label}]({Path(os.path.relpath(path)).as_posix()})")


def inline_math(latex: str) -> Markdown:
    """A formula to glue into a sentence: ``{glue:md}`name:myst``` shows it through MathJax."""
    return Markdown(f"${latex}$")


def cell(value: Any, digits: int = 6) -> str:
    """A table cell: a float to ``digits`` significant digits (never −0), anything else as is."""
    if isinstance(value, float | np.floating):
        return f"{value + 0.0:.{digits}g}"
    return str(value)


# ------------------------------------------------------------------------------------- tables


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], digits: int = 6) -> HTML:
    """An HTML table (MathJax is applied to its cells); floats to ``digits`` significant
    digits."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v, digits)}</td>" for v in row) + "</tr>"
                   for row in rows)
    return HTML(f'<div class="mathjax_process"><table class="table"><thead><tr>{head}</tr>'
                f'</thead><tbody>{body}</tbody></table></div>')


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]],
                   align: str | None = None) -> Markdown:
    """A Markdown table of already formatted cells; ``align`` has one letter per column
    (see :data:`ALIGN`)."""
    align = "-" * len(header) if align is None else align
    if len(align) != len(header) or set(align) - set(ALIGN):
        raise ValueError(f"align must be one of {''.join(ALIGN)} per column "
                         f"({len(header)} columns), got {align!r}")
    lines = [_row(header), "|" + "|".join(ALIGN[a] for a in align) + "|"]
    lines += [_row(row) for row in rows]
    return Markdown("\n".join(lines))


def _row(cells: Sequence[Any]) -> str:
    return "|" + "|".join(f" {v} " if str(v) else " " for v in cells) + "|"


def matrix(m: np.ndarray, digits: int = 4) -> str:
    """A matrix (or a row, as a 1 x n matrix) in LaTeX, ``digits`` decimals."""
    body = r" \\ ".join(" & ".join(f"{v:.{digits}f}" for v in row) for row in np.atleast_2d(m))
    return r"\begin{pmatrix}" + body + r"\end{pmatrix}"


#: The widest line of code a page shows (the book column holds 88 columns of code).
CODE_WIDTH = 88


def source(obj: Any, width: int = CODE_WIDTH) -> Markdown:
    """An object's source code, dedented, as a highlighted Python block; a ValueError naming
    the line if one is wider than ``width`` columns (it would need a sideways scroll)."""
    text = textwrap.dedent(inspect.getsource(obj))
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > width:
            raise ValueError(f"{obj.__qualname__}: line {number} is {len(line)} columns wide, "
                             f"more than the {width} a page shows: {line.strip()!r}")
    return Markdown(f"```python\n{text}```")


# ------------------------------------------------------------------------------- docstrings

_ROLE = re.compile(r":(math|data|func|mod|class|attr):`~?([^`]+)`")


def rst_to_markdown(docstring: str) -> Markdown:
    """A module's reST docstring as Markdown, quoted in a page (``:math:`` becomes ``$..$``,
    ``:data:``/``:func:``/``:mod:`` references and ````code```` become code spans)."""
    text = inspect.cleandoc(docstring)
    text = _ROLE.sub(lambda m: f"${m[2]}$" if m[1] == "math" else f"`{m[2]}`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return Markdown(text)
