r"""Display formulas broken into rows that fit a phone's column.

MathJax 3 cannot break a line, so a formula wider than its column would need a
sideways scroll. The book's formulas are therefore set in rows that fit the
narrowest column it is read in, a phone's (358 CSS px): at most
:data:`FORMULA_WIDTH` characters of the row's text rendering
(:func:`atlas.latex_text.to_text`, a fraction or an environment as wide as it is
set). MathJax draws such a character at most 10.4 px wide at its size in the
book, so a row is at most about 480 px, which ``atlas.js`` draws at 75 % or more
to fit the phone's column. The same rows read as well on a laptop, where they are
merely shorter than the column.

:func:`wrap_rows` breaks the rows of an ``aligned`` block of pseudo-code (an
optimizer's rule) where a reader would: after a top-level ``,\ `` (a list), ``;``
or ``:`` (a condition before its action), at a ``\quad`` between two statements,
or before an ``else``; a piece still too wide is broken before a top-level ``+`` or
``-``. :func:`display` does the same for formulas (a surface, an activation and its
derivative), in an ``aligned`` block only when they need breaking.
"""

from __future__ import annotations

import re

from atlas import latex_text

#: The widest row of a displayed formula, in characters of its text rendering
#: (:func:`atlas.latex_text.to_text`): about 46 fit a phone's column of 358 CSS px.
FORMULA_WIDTH = 46

#: The widest formula :func:`display` keeps on one row: formulas are set narrower than
#: pseudo-code (no bold words), at most about 9.2 px a character at MathJax's size in the
#: book, so 50 characters are at most about 460 px, drawn at 78 % or more on a phone.
DISPLAY_WIDTH = 50

#: Where a row may break (patterns), and what the line before the break keeps of it.
SEPARATORS = {r",\s*\\quad(?![A-Za-z])": ",", r",\s*\\ ": ",", r";\s*\\ ": ";",
              r":\s*\\ ": ":", r"\\qquad": "", r"\\quad(?![A-Za-z])": "",
              r"\s*(?=\\text\{ else \})": ""}
#: Where a piece too wide for any of those may still break: before a binary + or -.
OPERATORS = {r" \+ ": "", r" - ": ""}
CONDITION = r":\s*\\ "
_INDENT = re.compile(r"\s*&?(?:\s*\\q?quad(?![A-Za-z]))*\s*")


def _group_end(latex: str, k: int) -> int:
    """The position after the braced group (or single character) starting at ``k``."""
    while k < len(latex) and latex[k].isspace():
        k += 1
    if k < len(latex) and latex[k] == "\\":
        return k + len(re.match(r"\\([A-Za-z]+|.?)", latex[k:])[0])
    if k >= len(latex) or latex[k] != "{":
        return k + 1
    depth, j = 0, k
    while j < len(latex):
        if latex[j] == "\\":
            j += 2  # an escaped brace is no brace
            continue
        depth += (latex[j] == "{") - (latex[j] == "}")
        j += 1
        if depth == 0:
            return j
    return len(latex)


def _boxes(latex: str) -> str:
    """``latex`` with each fraction and each environment (``cases``, a matrix) replaced
    by a box as wide as it is set: a fraction as its wider part (numerator over
    denominator, not side by side as the text shows it), an environment as its widest
    row."""
    match = re.search(r"\\[td]?frac(?![A-Za-z])|\\begin\{", latex)
    if match is None:
        return latex
    if match[0].startswith("\\begin"):
        depth, inner, end = 0, len(latex), len(latex)
        for found in re.finditer(r"\\(begin|end)\{[^}]*\}", latex[match.start():]):
            depth += 1 if found[1] == "begin" else -1
            if depth == 1 and found[1] == "begin":
                inner = match.start() + found.end()
            if depth == 0:
                end = match.start() + found.end()
                break
        body = latex[inner:end - len(found[0])]
        text = latex_text.to_text(latex[match.start():inner] + _boxes(body) + found[0])
        wide = max((len(line) for line in text.splitlines()), default=0)
    else:
        top = _group_end(latex, match.end())
        end = _group_end(latex, top)
        parts = (latex[match.end():top], latex[top:end])
        wide = max(_width(part.strip().removeprefix("{").removesuffix("}")) for part in parts)
    return latex[:match.start()] + "\\text{" + "x" * round(wide) + "}" + _boxes(latex[end:])


def _width(latex: str) -> float:
    """The width of ``latex`` set as one row, in characters of its text rendering
    (:func:`atlas.latex_text.to_text`), a fraction or an environment as wide as it is
    set (:func:`_boxes`) and an indentation of ``\\quad`` 2.5 characters wide (an em:
    MathJax's characters average 0.4 em)."""
    quads = _INDENT.match(latex)[0]
    text = latex_text.to_text(_boxes(latex[len(quads):]))
    return 2.5 * _indentation(latex) + max(map(_line_width, text.splitlines()), default=0)


def _line_width(text: str) -> float:
    """The width of a line of text, its ``^(...)`` and ``_(...)`` (scripts without
    Unicode's small letters) as wide as they are set: 0.7 of their text."""
    scripts = re.findall(r"[_^]\(([^()]*)\)", text)
    return len(text) - sum(3 + 0.3 * len(script) for script in scripts)


def top_level(latex: str) -> list[int]:
    """The positions in ``latex`` outside braces, parentheses, environments and
    ``\\left ... \\right`` pairs, where a separator may start (never inside a command's
    name)."""
    found, depth, k = [], 0, 0
    while k < len(latex):
        if depth == 0:
            found.append(k)
        if latex[k] == "\\":
            name = re.match(r"\\([A-Za-z]+|.?)", latex[k:])[1]
            k += 1 + len(name)
            if name in ("left", "right"):  # and its delimiter, whatever it is
                k = _group_end(latex, k)
            depth += (name in ("begin", "left")) - (name in ("end", "right"))
            continue
        depth += (latex[k] in "({") - (latex[k] in ")}")
        k += 1
    return found


def split_top_level(latex: str, separators: dict[str, str]) -> list[tuple[str, str, str]]:
    """``latex`` cut at every top-level match of a separator (a pattern): ``[(pattern,
    text matched before the piece, piece), ...]``, the first pattern and text ``""``."""
    parts, start, before = [], 0, ("", "")
    for k in top_level(latex):
        if k < start:
            continue
        found = next(((p, m) for p in separators if (m := re.compile(p).match(latex, k))),
                     None)  # fmt: skip
        if found is None or not latex[start:k].strip():
            continue
        parts.append((*before, latex[start:k]))
        before, start = (found[0], found[1][0]), found[1].end()
    parts.append((*before, latex[start:]))
    return parts


def _indentation(latex: str) -> int:
    """How many quads a row's leading ``\\quad`` and ``\\qquad`` commands make."""
    quads = _INDENT.match(latex)[0]
    return quads.count("\\quad") + 2 * quads.count("\\qquad")


def _break_row(body: str, level: int, width: float, aligned: bool,
               lists: bool) -> list[tuple[int, str]]:  # fmt: skip
    """One row (``body``, after its indentation of ``level`` quads) as ``(level, line)``
    pairs, filled greedily up to ``width`` characters. With ``lists``, a row at the
    margin (``input``, ``initialize``: a list) continues two quads in; a row of
    statements continues at its own level, one quad deeper after a condition's ``:``
    and back at the row's own level for an ``else``. A piece broken before a ``+`` or
    a ``-`` continues two quads in."""
    indent = (lambda n: "\\quad" * n + " ") if aligned else (lambda n: "")
    pieces = split_top_level(body, SEPARATORS)
    lines, line, here, deeper = [], pieces[0][2].strip(), level, level
    for pattern, sep, piece in pieces[1:]:
        if level == 0 and lists:
            deeper = 2
        elif piece.lstrip().startswith("\\textbf{else"):
            deeper = level
        elif pattern == CONDITION:
            deeper += 1
        fits = _width(indent(here) + line + sep + piece) <= width
        if fits and not (lines and piece.lstrip().startswith("\\textbf{else")):
            line += sep + piece
            continue
        lines.append((here, line.rstrip() + SEPARATORS[pattern]))
        line, here = piece.strip(), deeper
    lines.append((here, line))
    out = []
    for here, line in lines:  # a statement still too wide: broken before a + or a -
        pieces = split_top_level(line, OPERATORS)
        line, first = pieces[0][2].strip(), here
        for _, sep, piece in pieces[1:]:
            if _width(indent(here) + line + sep + piece) <= width:
                line += sep + piece
                continue
            out.append((here, line))
            line, here = "{}" + sep.strip() + " " + piece.strip(), first + 2
        out.append((here, line))
    return out


def wrap_rows(latex: str, width: float = FORMULA_WIDTH, lists: bool = True) -> str:
    """The rows of an ``aligned`` (or ``gathered``) block, split at ``\\\\``, each row
    wider than ``width`` characters broken where a reader would (see the module's
    docstring), so that no row needs a sideways scroll. ``lists``: the rows are
    pseudo-code, whose rows at the margin are lists (see :func:`_break_row`)."""
    rows = []
    for _, _, row in split_top_level(latex.strip(), {r"\\\\": ""}):
        row = row.strip()
        if _width(row) <= width:
            rows.append(row)
            continue
        aligned = row.startswith("&")
        body = row.removeprefix("&")
        quads = _INDENT.match(body)[0]
        for level, line in _break_row(body[len(quads):], _indentation(body), width, aligned,
                                      lists):  # fmt: skip
            rows.append(("&" + "\\quad" * level + " " * (level > 0) if aligned else "") + line)
    return " \\\\\n".join(rows)


def display(*rows: str, width: float = DISPLAY_WIDTH) -> str:
    """Display formulas, one a row, as MathJax should set them: a single formula that
    fits a phone as it is, several that fit as a ``gathered`` block (each centred); else
    an ``aligned`` block whose rows start at one margin, each too wide broken after a
    top-level comma or at a ``\\quad`` (the next formula of a list starts at the
    margin) or, failing that, before a ``+`` or a ``-`` (continued two quads in)."""
    if all(_width(row) <= width for row in rows):
        return rows[0] if len(rows) == 1 else (
            "\\begin{gathered}" + " \\\\\n".join(rows) + "\\end{gathered}")
    latex = " \\\\\n".join("&" + row.strip() for row in rows)
    return "\\begin{aligned}" + wrap_rows(latex, width, lists=False) + "\\end{aligned}"
