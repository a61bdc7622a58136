"""Every catalog figure's text can be read where the book shows it (issue 12).

A figure ``W`` inches wide shown ``D`` CSS px wide (its entry's ``width``) draws text of
``s`` points ``s D / 72 W`` px tall (:mod:`atlas.viz.readable`): at least 11 px in the
column, and at least 9 px on a 390 px phone, where it is shown at most 342 px wide. The
test builds figures at the catalog's quick settings (the same texts as the book's, at a
lower dpi) and sees each matplotlib Figure whenever its canvas is drawn in full (an image
just before it is written; an animation's background) and after every frame of an
animation (texts that appear later, such as a step counter), then walks every text artist
(``Figure.findobj(Text)``: titles, tick labels, legends, annotations).

**Which figures.** Building all 300-odd figures would take minutes (and the learning-rate
sweeps they need, more), so the test builds one entry per *drawing*: per build function,
and per parameter that picks among a build's layouts (an MNIST panel, a landscape view,
the kind of an optimizer's internals, a regression or a classification loss, an elementwise
activation or a 2-class one). Font sizes are chosen by the drawing code, never by the data
(an optimizer's name or a surface changes what a text says, not its size), so the
representative of a drawing reads exactly as every other entry drawn by it;
:func:`test_every_figure_has_a_representative` checks that the representatives cover the
catalog, and ``ATLAS_EVERY_FIGURE=1`` builds every figure instead. One drawing is left to
that run: ``race/profile`` and the learning-rate heatmap ``race/learning_rates``
(:data:`SLOW`) read every surface's learning-rate sweeps, three minutes of computing at the
quick settings; their drawings are checked against the same rule on hand-made data by
``tests/test_races.py`` and ``tests/test_lr_heatmap.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from atlas import catalog, losses, render
from atlas.catalog import modern
from atlas.column import COLUMN_PX, PHONE_PX
from atlas.viz import animation, readable

SMALL = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-small"
PICTURES = [e for e in catalog.entries(quick=True) if e.kind in ("animation", "image")]
#: Parameters whose value picks a layout of the build (the rest pick the data).
LAYOUT_PARAMS = ("panel", "view")
#: Drawings checked only with ATLAS_EVERY_FIGURE=1: what they need takes minutes to compute.
SLOW = ("race/profile", "race/learning_rates")


def drawing(entry: catalog.Entry) -> tuple:
    """What decides the texts an entry draws and their sizes (see the module docstring)."""
    key = [entry.module, entry.build.__name__, entry.width]
    key += [entry.params[p] for p in LAYOUT_PARAMS if p in entry.params]
    if entry.build is modern.internals:
        key.append(modern.ON_SURFACE[entry.params["optimizer"]])
    if "loss" in entry.params:
        key.append(losses.registry.get(entry.params["loss"]).kind)
    return tuple(key)


def _representatives() -> list[catalog.Entry]:
    if os.environ.get("ATLAS_EVERY_FIGURE"):
        return PICTURES
    chosen: dict[tuple, catalog.Entry] = {}
    for entry in PICTURES:
        chosen.setdefault(drawing(entry), entry)
    return [entry for entry in chosen.values() if entry.name not in SLOW]


CHOSEN = _representatives()


class Seen:
    """The texts too small in every figure drawn while an entry is built."""

    def __init__(self) -> None:
        self.width = COLUMN_PX
        self.figures: dict[str, int] = {}
        self.small: dict[str, dict[str, float]] = {}
        self.failed: dict[str, str] = {}  # an entry whose build raised: the error
        self.name = ""

    def look(self, figure) -> None:
        self.figures[self.name] = self.figures.get(self.name, 0) + 1
        found = self.small.setdefault(self.name, {})
        for text, px in readable.too_small(figure, self.width):
            found[text] = min(px, found.get(text, px))


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    """Build every chosen entry (after what it needs) and look at every figure it draws."""
    if any(e.name.startswith("mnist/") or "adafactor" in e.name for e in CHOSEN) \
            and not SMALL.is_dir():  # fmt: skip
        pytest.skip(f"{SMALL} not present")
    out = tmp_path_factory.mktemp("figure-text")
    needs = {n for e in CHOSEN for n in e.needs}
    if needs:
        render.render(sorted(needs), out=out, jobs=1, progress=False, quick=True)
    result = Seen()
    draw, frame = FigureCanvasAgg.draw, animation.BlitAnimation.frame

    def drawn(canvas, *args, **kwargs):
        draw(canvas, *args, **kwargs)
        result.look(canvas.figure)

    def framed(blit, index):
        pixels = frame(blit, index)
        result.look(blit.figure)
        return pixels

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FigureCanvasAgg, "draw", drawn)
        patch.setattr(animation.BlitAnimation, "frame", framed)
        for entry in CHOSEN:
            result.name, result.width = entry.name, entry.width
            inputs = {n: catalog.get(n, quick=True).product(out) for n in entry.needs}
            path = out / entry.name
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                entry.build(path, entry.formats_for(("png",)), inputs, **entry.params)
            except Exception as error:  # reported by this entry's test, not by every test
                result.failed[entry.name] = f"{type(error).__name__}: {error}"
    return result


def test_every_figure_has_a_representative():
    drawings = {drawing(e) for e in CHOSEN} | {drawing(catalog.get(n, quick=True)) for n in SLOW}
    assert all(drawing(e) in drawings for e in PICTURES)
    assert {e.width for e in PICTURES} <= set(range(1, COLUMN_PX + 1))


@pytest.mark.parametrize("entry", CHOSEN, ids=[e.name for e in CHOSEN])
def test_every_text_is_readable_where_the_book_shows_it(seen, entry):
    assert entry.name not in seen.failed, f"{entry.name}'s build failed: {seen.failed[entry.name]}"
    assert seen.figures.get(entry.name, 0) >= 1, f"{entry.name} drew no figure"
    small, phone = seen.small[entry.name], min(entry.width, PHONE_PX) / entry.width
    assert not small, (
        f"{entry.name}, shown {entry.width} px wide (on a phone {min(entry.width, PHONE_PX)}"
        f" px): text below {readable.MIN_COLUMN_PX:g} px in the column or "
        f"{readable.MIN_PHONE_PX:g} px on a phone: "
        + "; ".join(f"{text!r} {px:.1f} px ({px * phone:.1f} on a phone)"
                    for text, px in sorted(small.items())))


def test_the_rule_fails_small_text():
    """The check can fail: 9-point text in a figure 11 in wide, shown in the column."""
    from atlas.viz.style import new_figure

    figure = new_figure((11.0, 4.0), 40)
    figure.text(0.5, 0.5, "small", fontsize=9)
    figure.text(0.5, 0.2, "large", fontsize=21)  # 21 x 342 / (72 x 11) = 9.1 px on a phone
    figure.canvas.draw()
    assert [text for text, _ in readable.too_small(figure, COLUMN_PX)] == ["small"]
