"""What the book's pages show, built from atlas: tables, rule boxes and numbers.

Every page of the Jupyter Book (``book/*.md``) computes with atlas and displays
with this module, so that no page defines a function of its own and every page
formats alike: an HTML :func:`table` (floats to six significant digits), a
:func:`markdown_table`, numbers with a true minus sign (:func:`fixed`,
:func:`significant`), and the boxes that present a registry entry (:func:`rule`
for an optimizer, :func:`activation`, :func:`loss`), which return their parts
for ``display(*parts)``. Figures are not made here: a page embeds catalog
figures with the ``atlas-figure`` directive (:mod:`atlas.sphinxext`).

Everything returns IPython display objects, so this module needs IPython (a
dependency of Jupyter Book); the rest of atlas does not import it.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from IPython.display import HTML, Markdown, Math

from atlas import activations as activation_registry
from atlas import graph, latex_text, learning_rates, optimizers
from atlas import losses as loss_registry
from atlas.race_results import Choice, RaceSummary, by_surface, optimizer_names

#: The rendered catalog as the pages see it: Jupyter Book runs each page in its own
#: directory, ``book/``, and ``atlas render`` writes into ``book/_generated``.
GENERATED = Path("_generated")

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


# ------------------------------------------------------------------------ registry entries


#: The widest row of a displayed formula, in characters of its text rendering
#: (:func:`atlas.latex_text.to_text`): about 64 fit the book's column of 680 CSS px.
FORMULA_WIDTH = 64


def mathjax(latex: str) -> str:
    """``latex`` as MathJax reads it: MathJax takes the argument of ``\\text{...}`` (and
    ``\\textit``, ``\\textbf``) literally, so ``\\_`` there, correct LaTeX for an
    underscore, would show its backslash; it becomes a plain ``_``."""
    return re.sub(r"\\(text\w*)\{([^{}]*)\}",
                  lambda m: "\\" + m[1] + "{" + m[2].replace("\\_", "_") + "}", latex)


def wrap_rows(latex: str, width: int = FORMULA_WIDTH) -> str:
    """The rows of an ``aligned`` block (split at ``\\\\``), each row wider than ``width``
    characters broken after a top-level ``,\\ `` (a list of inputs, say) and continued on
    indented rows, so that no row needs a sideways scroll."""
    rows = []
    for row in _top_level_split(latex.strip(), "\\\\"):
        pieces = _top_level_split(row, ",\\ ")
        if len(pieces) == 1 or len(latex_text.to_text(row)) <= width:
            rows.append(row)
            continue
        line = pieces[0]
        for piece in pieces[1:]:
            if len(latex_text.to_text(line + ", " + piece)) > width:
                rows.append(line + ",")
                line = "&\\qquad " + piece.lstrip()
            else:
                line += ",\\ " + piece
        rows.append(line)
    return " \\\\\n".join(row.strip() for row in rows)


def _top_level_split(latex: str, separator: str) -> list[str]:
    """``latex`` split at ``separator`` outside braces and environments."""
    parts, depth, start, k = [], 0, 0, 0
    while k < len(latex):
        if latex.startswith("\\begin", k):
            depth += 1
        elif latex.startswith("\\end", k):
            depth -= 1
        elif latex[k] == "\\" and k + 1 < len(latex) and latex[k + 1] in "{}":
            k += 2  # an escaped brace
            continue
        elif latex[k] == "{":
            depth += 1
        elif latex[k] == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(separator, k):
            parts.append(latex[start:k])
            k += len(separator)
            start = k
            continue
        elif latex[k] == "\\":
            k += 2  # a command's first character is never a separator's
            continue
        k += 1
    parts.append(latex[start:])
    return parts


def rule(name: str) -> list[Any]:
    """An optimizer's description, update rule (rows that fit the column) and defaults."""
    opt = optimizers.get(name)
    return [Markdown(f"*{type(opt).description}.*"),
            Math(r"\begin{aligned}" + wrap_rows(mathjax(opt.latex)) + r"\end{aligned}"),
            table(["hyperparameter", "PyTorch default"],
                  [(f"<code>{k}</code>", f"<code>{v!r}</code>")
                   for k, v in opt.hyperparameters().items()])]


def _pros_and_cons(entry: Any) -> str:
    return "".join([f"<li>Pro: {p}</li>" for p in entry.pros]
                   + [f"<li>Con: {c}</li>" for c in entry.cons])


def activation(name: str) -> list[Any]:
    """An activation's formula, derivative, range, properties, parameters, pros and cons."""
    act = activation_registry.get(name)
    flags = [k.replace("_", "-") for k, v in act.properties.items() if v]
    sides = activation_registry.saturation(act).sides
    if sides != "none":
        flags.append("saturating" + ("" if sides == "both" else f" on the {sides}"))
    params = ", ".join(f"<code>{k} = {v!r}</code>" for k, v in act.params().items())
    text = f"Range \\({act.range}\\). Properties: {', '.join(flags) or 'none'}."
    if params:
        text += f" Parameters (defaults): {params}."
    return [Markdown(f"*{act.description}.*"),
            Math(r"\begin{gathered}" + act.latex + r" \\ " + act.derivative_latex
                 + r"\end{gathered}"),
            HTML(f'<div class="mathjax_process"><p>{text}</p><ul>{_pros_and_cons(act)}</ul>'
                 f"</div>")]


#: Where a header may break (a soft hyphen), so that narrow yes/no columns stay narrow.
SHY = "\N{SOFT HYPHEN}"


def activation_overview() -> HTML:
    """Every activation: its range, its yes/no properties, and on which side it saturates
    (computed from its derivative, :func:`atlas.activations.saturation`)."""
    rows = []
    for name in activation_registry.names():
        act = activation_registry.get(name)
        p = act.properties
        sides = activation_registry.saturation(act).sides
        rows.append((f"<code>{name}</code>", _stacked_math(act.range), MARK[p["monotonic"]],
                     MARK[p["smooth"]], MARK[p["zero_centred"]],
                     MARK[False] if sides == "none" else sides, MARK[p["bounded"]]))
    return table(["name", "range", f"mono{SHY}tonic", "smooth", f"zero-cen{SHY}tred",
                  f"satu{SHY}rates", f"bound{SHY}ed"], rows)


def _stacked_math(latex: str) -> str:
    """Inline math, one line per part where the formula lists parts (``a,\\ b``)."""
    return "<br>".join(f"\\({part}\\)" for part in latex.split(r",\ "))


def loss(name: str) -> list[Any]:
    """A loss's description, formula, gradient, input, range, pros and cons."""
    entry = loss_registry.get(name)
    return [Markdown(f"*{entry.description}.*"),
            Math(r"\begin{gathered}" + entry.latex + r" \\ " + entry.derivative_latex
                 + r"\end{gathered}"),
            HTML(f'<div class="mathjax_process"><p>Input: a {entry.input.replace("_", "-")}; '
                 f'range \\({entry.range}\\).</p><ul>{_pros_and_cons(entry)}</ul></div>')]


def loss_overview() -> HTML:
    """Every loss: its title and name, what its prediction is, and its formula; grouped by
    kind (regression, classification), a heading row per group, so three columns suffice."""
    entries = [loss_registry.get(name) for name in loss_registry.names()]
    body = ""
    for kind in dict.fromkeys(entry.kind for entry in entries):
        body += f'<tr><th colspan="3" scope="colgroup">{kind}</th></tr>'
        for entry in (e for e in entries if e.kind == kind):
            body += (f"<tr><td>{entry.title}<br><code>{entry.name}</code></td>"
                     f"<td>{entry.input.replace('_', '-')}</td><td>\\({entry.latex}\\)</td></tr>")
    return HTML('<div class="mathjax_process"><table class="table"><thead><tr><th>loss</th>'
                "<th>prediction is a</th><th>formula</th></tr></thead>"
                f"<tbody>{body}</tbody></table></div>")


# ------------------------------------------------------------------------ chapters' tables


def graph_steps(steps: Iterable[Any]) -> Markdown:
    """The recorded steps of a computation graph (:class:`atlas.graph.Step`), one per line."""
    return Markdown("\n".join(f"{k + 1}. {step.text}" for k, step in enumerate(steps)))


def graph_nodes(recording: graph.Trace) -> Markdown:
    """Every node of a recorded graph: its operation, value and gradient."""
    out = recording.nodes[recording.root].label
    return markdown_table(
        ["node", "operation", "value", f"gradient $\\partial {out} / \\partial\\,\\text{{node}}$"],
        [(f"${node.label}$", node.op or "input", graph.fmt(node.value), graph.fmt(node.grad))
         for node in recording.nodes], "lcrr")


def gradient_table(solution: Any, keys: Iterable[str]) -> Markdown:
    """An exercise's gradients (:class:`atlas.examples.exercises.Solution`): backprop's and
    central differences' side by side, one row per input."""
    return markdown_table(
        ["input", "value", "$\\partial L/\\partial$ (backprop)", "central differences"],
        [(f"${k}$", fixed(solution.point[k], 2), fixed(solution.grads[k], 6),
          fixed(solution.numerical[k], 6)) for k in keys], "-rrr")


def xor_table(unit: str, scale: float = 1.0) -> Markdown:
    """The XOR network of exercise 8.4 on its four inputs: hidden outputs and prediction."""
    from atlas.examples import exercises_xor

    rows = []
    for x in exercises_xor.XOR_INPUTS:
        f = exercises_xor.xor_forward(x, unit, scale)
        rows.append((f"{x[0]:g}", f"{x[1]:g}", fixed(f.h[0]), fixed(f.h[1]), fixed(f.y_hat)))
    return markdown_table(["input $x_1$", "input $x_2$", "hidden $h_1$", "hidden $h_2$",
                           "output $\\hat y$"], rows, "rrrrr")


def learning_rate_table(choices: Sequence[Choice]) -> HTML:
    """The protocol's rate for every surface (rows) and optimizer (columns); "–" where every
    rate of the grid diverged."""
    names = optimizer_names(choices)
    rows = [(surface, cells[names[0]].steps,
             *("–" if cells[o].diverged else learning_rates.format_lr(cells[o].lr)
               for o in names))
            for surface, cells in by_surface(choices).items()]
    return table(["surface", "steps", *names], rows)


def winner_table(summary: RaceSummary) -> HTML:
    """The winner of every race, its learning rate and its final score."""
    return table(["surface", "winner", "its learning rate", "final score"],
                 [(w.surface, w.optimizer, learning_rates.format_lr(w.lr), f"{w.score:.3g}")
                  for w in summary.winners])


def study_table(found: dict[str, Any]) -> HTML:
    """The MNIST optimizer study (``{optimizer: (Result, Timing)}``, see
    :func:`atlas.catalog.study.results`), best test error first: each rate's validation error
    (%), the chosen one in bold, "div." where the run diverged; the test error at the chosen
    rate and the median wall time of an epoch."""
    from atlas.catalog.study import ranking

    ranked = [found[name] for name in ranking(found)]
    grid = ranked[0][0].grid
    rows = []
    for result, timing in ranked:
        cells = ["div." if e is None else f"{100 * e:.1f}" for e in result.validation_error]
        cells = [f"<strong>{c}</strong>" if lr == result.lr else c
                 for c, lr in zip(cells, grid, strict=True)]
        test = f"{100 * result.test_error[-1]:.2f}" if result.test_error else "–"
        seconds = "–" if timing.median is None else f"{timing.median:.2f}"
        rows.append((optimizers.registry.get(result.optimizer).title, *cells, test, seconds))
    return table(["optimizer", *(f"η = {lr:g}" for lr in grid), "test error (%)",
                  "s / epoch"], rows)
