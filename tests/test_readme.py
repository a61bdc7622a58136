"""The README's "Use it" snippet runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def use_it_snippet() -> str:
    """The Python block of the README's "Use it" section."""
    section = README.read_text(encoding="utf-8").split("## Use it", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"^```python\n(.*?)^```", section, re.S | re.M)
    return block


def test_the_use_it_snippet_runs_as_written(capsys):
    names: dict = {}
    exec(compile(use_it_snippet(), str(README), "exec"), names)  # our own README
    assert capsys.readouterr().out.strip()  # it prints the run's end
    assert names["dx"].shape == names["x"].shape and np.isfinite(names["dx"]).all()
    assert np.isfinite(names["loss"]) and names["dz"].shape == names["logits"].shape
    assert names["run"].xy.shape == (501, 2)
