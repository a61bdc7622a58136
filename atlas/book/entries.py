"""The boxes that present a registry entry on a page: an optimizer's rule, an activation, a
loss, and the overviews of all activations and losses (see :mod:`atlas.book`)."""

from __future__ import annotations

import re
from typing import Any

from IPython.display import HTML, Markdown, Math

from atlas import activations as activation_registry
from atlas import losses as loss_registry
from atlas import optimizers
from atlas.book.format import MARK, formula, table
from atlas.latex_rows import wrap_rows


def mathjax(latex: str) -> str:
    """``latex`` as MathJax reads it: MathJax takes the argument of ``\\text{...}`` (and
    ``\\textit``, ``\\textbf``) literally, so ``\\_`` there, correct LaTeX for an
    underscore, would show its backslash; it becomes a plain ``_``."""
    return re.sub(r"\\(text\w*)\{([^{}]*)\}",
                  lambda m: "\\" + m[1] + "{" + m[2].replace("\\_", "_") + "}", latex)


def algorithm(name: str) -> Math:
    """An optimizer's update rule as an ``aligned`` block, in rows that fit a phone."""
    latex = optimizers.get(name).latex
    return Math(r"\begin{aligned}" + wrap_rows(mathjax(latex)) + r"\end{aligned}")


def rule(name: str) -> list[Any]:
    """An optimizer's description, update rule (rows that fit the column) and defaults."""
    opt = optimizers.get(name)
    return [Markdown(f"*{type(opt).description}.*"), algorithm(name),
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
            formula(act.latex, act.derivative_latex),
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
            formula(entry.latex, entry.derivative_latex),
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
