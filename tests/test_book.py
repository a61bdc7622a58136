"""The book's pages only call atlas: no page defines a function, every figure is a catalog
entry; and what atlas.book and metrics.most_confused give the pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from atlas import activations, book, catalog, losses, optimizers
from atlas.examples import exercises
from atlas.latex_text import to_text
from atlas.nn import metrics

PAGES = sorted((Path(__file__).resolve().parent.parent / "book").glob("*.md"))
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
FIGURE = re.compile(r"^```\{atlas-figure\}[ \t]+(\S+)[ \t]*$", re.M)


def code_cells(text: str) -> list[str]:
    """The Python source of every code cell of a page (without its ``:option:`` lines)."""
    return ["\n".join(line for line in cell.splitlines() if not re.match(r":\w+:", line))
            for cell in CELL.findall(text)]


def definitions(source: str) -> list[str]:
    """What a cell defines: functions, lambdas and classes."""
    return [type(node).__name__ for node in ast.walk(ast.parse(source)) if isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef)]


def test_the_pages_are_found_with_their_cells_and_figures():
    assert len(PAGES) >= 12
    cells = {page.name: code_cells(page.read_text()) for page in PAGES}
    assert sum(map(len, cells.values())) > 100
    assert "def rule(name):" not in "".join(cells["optimizers.md"])  # no page helper any more
    assert sum(len(FIGURE.findall(page.read_text())) for page in PAGES) > 50


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_code_cell_defines_a_function_or_a_class(page):
    for source in code_cells(page.read_text()):
        defined = definitions(source)  # every cell is plain Python (ast.parse)
        assert not defined, f"{page.name}: a code cell defines {defined}:\n{source}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_a_reader_can_open_fits_the_column(page):
    """A code cell shown on the page (or behind its toggle) has no line wider than the
    column holds, so it never needs a sideways scroll."""
    for cell in CELL.findall(page.read_text()):
        tags = re.search(r"^:tags: \[(.*?)\]", cell, re.M)
        if tags and ("remove-input" in tags[1] or "remove-cell" in tags[1]):
            continue
        for line in cell.splitlines():
            assert len(line) <= book.CODE_WIDTH, f"{page.name}: {line!r}"


def test_the_cell_check_sees_each_kind_of_definition():
    text = ("```{code-cell} ipython3\n:tags: [remove-cell]\n\nf = lambda x: x\n```\n\n"
            "```{code-cell} ipython3\ndef g():\n    class C:\n        pass\n```\n")
    first, second = code_cells(text)
    assert definitions(first) == ["Lambda"]
    assert sorted(definitions(second)) == ["ClassDef", "FunctionDef"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_embedded_figure_is_a_catalog_entry(page):
    names = set(catalog.names())
    for name in FIGURE.findall(page.read_text()):
        assert name in names, f"{page.name} embeds {name!r}, which the catalog does not declare"


def test_the_pages_import_no_plotting_library():
    for page in PAGES:
        for source in code_cells(page.read_text()):
            assert "matplotlib" not in source and "plt." not in source, page.name


# ------------------------------------------------------------------------------ atlas.book


def test_numbers_carry_a_true_minus_sign():
    assert book.fixed(-1.23456) == "\N{MINUS SIGN}1.2346"
    assert book.fixed(2.5, 2) == "2.50"
    assert book.significant(-1e-5) == "\N{MINUS SIGN}1e\N{MINUS SIGN}05"
    assert book.significant(1234567.0) == "1.23457e+06"


def test_wrap_rows_breaks_a_long_list_after_its_commas():
    latex = (r"&\textbf{input}: \alpha,\ \beta,\ \gamma,\ \delta \\ "
             r"&\quad x \leftarrow \begin{cases} a, b & c \\ d & e \end{cases}")
    wrapped = book.wrap_rows(latex, width=13)
    assert to_text(wrapped).splitlines() == ["input: α, β,", "        γ, δ",
                                             "    x ← a, b if c", "        d if e"]
    assert to_text(book.wrap_rows(latex)) == to_text(latex)  # wide enough: as it was
    assert book.mathjax(r"\textit{a\_b} + x\_y") == r"\textit{a_b} + x\_y"


def test_wrap_rows_breaks_statements_where_a_reader_would():
    latex = (r"&\quad \textbf{if}\ c:\ a \leftarrow b,\ d \leftarrow e"
             r"\quad \textbf{else}:\ a \leftarrow f \\ "
             r"&\quad x \leftarrow y + \frac{zzzzzz}{w} - u")
    wrapped = book.wrap_rows(latex, width=16)
    assert to_text(wrapped).splitlines() == [  # the condition's body one level in
        "    if c: a ← b,", "        d ← e", "    else: a ← f",
        "    x ← y", "            + zzzzzz/w", "            − u"]
    # a fraction is as wide as its wider part: "zzzzzz", not "zzzzzz/w"
    assert to_text(book.wrap_rows(r"&\quad x \leftarrow \frac{zzzzzz}{w}", width=16)) == (
        "    x ← zzzzzz/w")
    # an environment is as wide as its widest row; nothing breaks inside it
    cases = r"&\quad y \leftarrow \begin{cases} a, b & c \\ d & e \end{cases},\ z"
    assert book.wrap_rows(cases, width=20) == cases


def test_a_formula_is_broken_into_rows_only_where_it_needs_to_be():
    from atlas import latex_rows

    assert latex_rows.display("a = b") == "a = b"  # it fits: as it is
    assert latex_rows.display("a = b", "c = d") == r"\begin{gathered}a = b \\" + "\nc = d" + (
        r"\end{gathered}")
    wide = r"f(x) = aaaa + bbbb,\quad g(x) = cccc - dddd"
    broken = latex_rows.display(wide, width=16)
    assert broken.startswith(r"\begin{aligned}") and broken.endswith(r"\end{aligned}")
    assert to_text(broken.removeprefix(r"\begin{aligned}").removesuffix(
        r"\end{aligned}")).splitlines() == [  # the next formula at the margin
        "f(x) = aaaa", "        + bbbb,", "g(x) = cccc", "        − dddd"]
    assert book.formula(wide).data == wide  # the book's width: it fits


def test_every_rule_fits_a_phone():
    """Every row of every optimizer's box is at most FORMULA_WIDTH characters wide (as
    the book sets it: a fraction as its wider part), bar a single piece that has no place
    to break (a parenthesis, a fraction)."""
    from atlas import latex_rows as lines

    for name in optimizers.names():
        latex = book.algorithm(name).data.removeprefix(r"\begin{aligned}")
        for _, _, row in lines.split_top_level(latex.removesuffix(r"\end{aligned}"),
                                               {r"\\\\": ""}):  # fmt: skip
            body = row.strip().removeprefix("&")
            pieces = lines.split_top_level(body[len(lines._INDENT.match(body)[0]):],
                                           {**lines.SEPARATORS, **lines.OPERATORS})
            assert lines._width(row.strip()) <= book.FORMULA_WIDTH + 2 or len(pieces) == 1, (
                name, row)


def test_scientific_notation_for_formulas():
    assert book.times_ten(4.539786870243442e-05) == r"4.5 \times 10^{-5}"
    assert book.times_ten(-0.0012345, 3) == r"-1.23 \times 10^{-3}"
    assert book.times_ten(123456.0, 1) == r"1 \times 10^{5}"
    assert book.times_ten(3.25, 3) == "3.25"  # no "10^0"
    assert book.inline_math(book.times_ten(2e-9, 1)).data == r"$2 \times 10^{-9}$"


def test_table_cells_and_markup():
    html = book.table(["a", "b"], [(0.1 + 0.2, "<code>x</code>"), (-0.0, 3)]).data
    assert html.startswith('<div class="mathjax_process"><table class="table"><thead>')
    assert "<th>a</th><th>b</th>" in html
    assert "<td>0.3</td><td><code>x</code></td>" in html  # six significant digits
    assert "<td>0</td><td>3</td>" in html  # no negative zero; an int as it is
    assert "<td>0.30000000000000004</td>" in book.table(["a"], [(0.1 + 0.2,)], digits=17).data
    assert book.cell(np.float32(2.5)) == "2.5"


def test_markdown_table_aligns_and_checks_its_columns():
    text = book.markdown_table(["", "x", "y"], [("row", 1, "2.0")], "lrc").data
    assert text.splitlines() == ["| | x | y |", "|:---|---:|:---:|", "| row | 1 | 2.0 |"]
    assert book.markdown_table(["a"], []).data.splitlines()[1] == "|---|"
    for bad in ("lr", "lrx"):
        with pytest.raises(ValueError, match="align"):
            book.markdown_table(["a", "b", "c"], [], bad)


def test_matrix_and_source():
    assert book.matrix(np.array([[1.0, -0.5], [0.25, 2.0]])) == (
        r"\begin{pmatrix}1.0000 & -0.5000 \\ 0.2500 & 2.0000\end{pmatrix}")
    assert book.matrix(np.array([0.5, 1.0]), 1) == r"\begin{pmatrix}0.5 & 1.0\end{pmatrix}"
    assert book.source(book.fixed).data.startswith("```python\ndef fixed(")
    shown = book.source(book.format.Markdown.__init__, width=200).data  # a method: dedented
    assert shown.startswith("```python\ndef __init__(")
    with pytest.raises(ValueError, match=r"line \d+ is \d+ columns wide, more than the 20"):
        book.source(book.fixed, width=20)


@pytest.mark.parametrize("name", optimizers.names())
def test_rule_box_of_every_optimizer(name):
    description, rule, defaults = book.rule(name)
    opt = optimizers.get(name)
    assert description.data == f"*{type(opt).description}.*"
    assert rule.data.startswith(r"\begin{aligned}") and rule.data.endswith(r"\end{aligned}")
    shown = to_text(rule.data.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}"))
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", to_text(opt.latex))  # the same rule
    assert r"\_" not in rule.data  # MathJax would show the backslash of \textit{a\_b}
    for line in shown.splitlines():  # rows broken at a list's commas fit the column
        assert len(line) <= book.FORMULA_WIDTH or ", " not in line.split(": ", 1)[-1] or (
            not line.lstrip().startswith("input")), line
    for key, value in opt.hyperparameters().items():
        assert f"<td><code>{key}</code></td><td><code>{value!r}</code></td>" in defaults.data


def _same_formula(shown: str, latex: str) -> bool:
    """``shown`` is ``latex``, perhaps in other rows (book.formula), as the reader reads it."""
    text = to_text(re.sub(r"\\(begin|end)\{(gathered|aligned)\}", "", shown))
    return re.sub(r"\s", "", text) == re.sub(r"\s", "", to_text(latex))


@pytest.mark.parametrize("name", activations.names())
def test_activation_box_of_every_activation(name):
    description, formula, facts = book.activation(name)
    act = activations.get(name)
    assert act.description in description.data
    assert _same_formula(formula.data, act.latex + r" \\ " + act.derivative_latex)
    assert f"Range \\({act.range}\\)" in facts.data
    assert facts.data.count("<li>") == len(act.pros) + len(act.cons)


@pytest.mark.parametrize("name", losses.names())
def test_loss_box_of_every_loss(name):
    description, formula, facts = book.loss(name)
    entry = losses.get(name)
    assert entry.description in description.data
    assert _same_formula(formula.data, entry.latex + r" \\ " + entry.derivative_latex)
    assert f"range \\({entry.range}\\)" in facts.data


FORMULA_MARKS = re.compile(r"[\^=<>≤≥|σ′²*]|\([xyz]\b")


@pytest.mark.parametrize("registry", [activations, losses], ids=["activations", "losses"])
def test_the_boxes_show_no_formula_as_plain_text(registry):
    """Every formula goes through MathJax: the description a box shows is words only (its
    formula is the box's LaTeX), and a pro or con writes its formulas as \\( ... \\)."""
    for name in registry.names():
        entry = registry.get(name)
        assert not FORMULA_MARKS.search(entry.description), (name, entry.description)
        for point in entry.pros + entry.cons:
            words = re.sub(r"\\\(.*?\\\)", "", point)
            assert not FORMULA_MARKS.search(words), (name, point)


def test_the_rules_the_pages_show_have_words_only_descriptions():
    shown = {name for page in PAGES for name in re.findall(r'book\.rule\("(\w+)"\)',
                                                           page.read_text())}
    assert {"adam", "nadam", "adamax"} <= shown
    for name in shown:
        description = optimizers.registry.get(name).description
        assert not FORMULA_MARKS.search(description), (name, description)


def test_overviews_list_every_entry():
    assert book.activation_overview().data.count("<tr>") == len(activations.names()) + 1
    kinds = {losses.get(name).kind for name in losses.names()}
    html = book.loss_overview().data
    assert html.count("<tr>") == len(losses.names()) + len(kinds) + 1  # a heading row per kind
    assert html.count("</th>") == 3 + len(kinds)  # three columns
    for name in losses.names():
        assert f"<code>{name}</code>" in html and losses.get(name).latex in html


def test_the_saturation_column_is_computed_from_each_derivative():
    html = book.activation_overview().data
    for name in activations.names():
        row = html[html.index(f"<td><code>{name}</code></td>"):]
        row = row[:row.index("</tr>")]
        sides = activations.saturation(activations.get(name)).sides
        assert f"<td>{book.MARK[False] if sides == 'none' else sides}</td>" in row
    assert "Properties: monotonic, saturating on the left." in book.activation("relu")[2].data
    assert "saturating" not in book.activation("leaky_relu")[2].data


def test_gradient_and_xor_tables():
    solution = exercises.solve("linear_squared")
    lines = book.gradient_table(solution, ["a", "b"]).data.splitlines()
    assert lines[1] == "|---|---:|---:|---:|" and len(lines) == 4
    assert lines[2] == (f"| $a$ | {book.fixed(solution.point['a'], 2)} | "
                        f"{book.fixed(solution.grads['a'], 6)} | "
                        f"{book.fixed(solution.numerical['a'], 6)} |")
    rows = book.xor_table("threshold").data.splitlines()[2:]
    assert [row.split(" | ")[-1].rstrip(" |") for row in rows] == ["0.0000", "1.0000", "1.0000",
                                                                  "0.0000"]  # XOR


def test_graph_tables():
    from atlas.examples import graphs

    recording = graphs.recording("linear")
    steps = book.graph_steps(recording.forward_steps).data.splitlines()
    assert steps == [f"{k + 1}. {s.text}" for k, s in enumerate(recording.forward_steps)]
    nodes = book.graph_nodes(recording).data.splitlines()
    assert len(nodes) == 2 + len(recording.nodes) and "$\\partial y" in nodes[0]


# ------------------------------------------------------------------------ the worst mistake


def test_most_confused_is_the_largest_off_diagonal_cell():
    confusion = np.array([[50, 2, 7], [1, 40, 0], [7, 3, 60]])
    top = metrics.most_confused(confusion)
    assert (top.true, top.predicted, top.count, top.support) == (0, 2, 7, 59)  # first of a tie
    assert metrics.most_confused(confusion.tolist()) == top
    for bad in (np.zeros((2, 3)), np.zeros((1, 1)), np.zeros(4)):
        with pytest.raises(ValueError, match="square"):
            metrics.most_confused(bad)
