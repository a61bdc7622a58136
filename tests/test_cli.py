"""The command line: `atlas list`, `atlas show`, and clear errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from atlas import activations, cli, losses, optimizers, surfaces

MINIMUM_COUNTS = {"surfaces": 18, "optimizers": 26, "activations": 17, "losses": 10}
REGISTRIES = {"surfaces": surfaces, "optimizers": optimizers,
              "activations": activations, "losses": losses}


def _sections(text: str) -> dict[str, list[str]]:
    """`atlas list` output as {kind: [entry lines]}."""
    sections: dict[str, list[str]] = {}
    for block in text.strip().split("\n\n"):
        header, *rows = block.splitlines()
        sections[header.split(" (")[0]] = rows
    return sections


def test_list_shows_every_registry_entry_with_its_description(capsys):
    assert cli.main(["list"]) == 0
    sections = _sections(capsys.readouterr().out)
    for kind, minimum in MINIMUM_COUNTS.items():
        rows = sections[kind]
        module = REGISTRIES[kind]
        assert len(rows) == len(module.names()) >= minimum
        for row, name in zip(rows, module.names(), strict=True):
            listed, description = row.split(maxsplit=1)
            assert listed == name
            assert description == module.registry.get(name).description
            assert len(description) > 10 and "\n" not in description


def test_list_optimizers_names_the_presets(capsys):
    assert cli.main(["list", "optimizers"]) == 0
    (rows,) = _sections(capsys.readouterr().out).values()
    names = [row.split()[0] for row in rows]
    assert {"momentum", "nesterov", "amsgrad"} <= set(names)
    assert names == optimizers.names() and len(names) >= MINIMUM_COUNTS["optimizers"]


@pytest.mark.parametrize("name", ["rosenbrock", "adam", "gelu", "softmax_cross_entropy"])
def test_show_prints_formula_and_description(capsys, name):
    assert cli.main(["show", name]) == 0
    out = capsys.readouterr().out
    assert out.startswith(name) and "  formula  " in out
    assert "\\" not in out  # text, not LaTeX
    assert cli.main(["show", name, "--latex"]) == 0
    source = capsys.readouterr().out
    assert source != out and ("\\" in source or "^" in source)  # the LaTeX source


def test_show_prints_an_update_rule_as_indented_text(capsys):
    assert cli.main(["show", "adam"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  formula          input: γ (lr), β₁, β₂ (betas), ε, λ (weight decay), amsgrad" in lines
    assert " " * 19 + "for t = 1, 2, …" in lines
    assert " " * 23 + "θₜ ← θₜ₋₁ − γ m̂ₜ / (√v̂ₜ + ε)" in lines  # the loop's body, indented


def test_unknown_name_exits_2_with_a_suggestion(capsys):
    assert cli.main(["show", "rosenbrok"]) == 2
    err = capsys.readouterr().err
    assert "unknown name 'rosenbrok'" in err and "Did you mean 'rosenbrock'" in err
    assert err.count("\n") == 1  # one clear message, no traceback


def test_unknown_kind_exits_2_listing_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["list", "optimiser"])
    assert exit_.value.code == 2
    assert "choose from" in capsys.readouterr().err


def test_python_dash_m_atlas_and_console_script_agree():
    by_module = subprocess.run([sys.executable, "-m", "atlas", "list", "losses"],
                               capture_output=True, text=True, check=True)
    assert by_module.stdout.startswith("losses (")
    unknown = subprocess.run([sys.executable, "-m", "atlas", "show", "adma"],
                             capture_output=True, text=True)
    assert unknown.returncode == 2 and "'adam'" in unknown.stderr
