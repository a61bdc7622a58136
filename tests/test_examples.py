"""The worked-examples package as a whole: one module per chapter of the book, each importable
on its own (no import cycle). Each chapter's examples have their own test_examples_<chapter>.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from atlas import examples

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in Path(examples.__file__).parent.glob("*.py")
                 if p.stem != "__init__")


def test_the_package_exports_every_module():
    assert sorted(examples.__all__) == MODULES
    for name in MODULES:
        assert getattr(examples, name).__name__ == f"atlas.examples.{name}"


@pytest.mark.parametrize("name", MODULES)
def test_every_module_belongs_to_a_chapter(name):
    """``<chapter>.py``, or ``<chapter>_<part>.py`` where a chapter needs two modules."""
    chapter = name.split("_")[0]
    assert f"file: book/{chapter}\n" in (ROOT / "_toc.yml").read_text()


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_on_its_own(name):
    """In a fresh interpreter, so that an import cycle would fail here."""
    result = subprocess.run([sys.executable, "-c", f"import atlas.examples.{name}"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
