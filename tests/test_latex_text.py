"""atlas.latex_text: the registries' LaTeX as text a terminal shows (``atlas show``)."""

from __future__ import annotations

import importlib

import pytest

from atlas import optimizers
from atlas.latex_text import to_text

FIELDS = ("latex", "derivative_latex", "range")


def formulas():
    """Every formula of every registry entry: (id, LaTeX)."""
    found = []
    for kind in ("surfaces", "optimizers", "activations", "losses"):
        registry = importlib.import_module(f"atlas.{kind}").registry
        for name in registry.names():
            entry = registry.get(name)
            for field in FIELDS:
                value = getattr(entry, field, None)
                if isinstance(value, str) and value.strip():
                    found.append((f"{kind}/{name}.{field}", value))
    return found


FORMULAS = formulas()


def test_every_registry_formula_is_found():
    kinds = {key.split("/")[0] for key, _ in FORMULAS}
    assert kinds == {"surfaces", "optimizers", "activations", "losses"}
    assert len(FORMULAS) > 100


@pytest.mark.parametrize(("key", "latex"), FORMULAS, ids=[key for key, _ in FORMULAS])
def test_no_markup_is_left(key, latex):
    text = to_text(latex)
    assert text.strip(), key
    assert "\\" not in text, f"{key}: {text}"
    for markup in ("&", "_{", "^{", "\x00", "\x01"):
        assert markup not in text, f"{key}: {markup!r} in {text}"


def test_adams_rule_reads_as_pseudo_code():
    lines = to_text(optimizers.get("adam").latex).splitlines()
    assert lines[0] == "input: γ (lr), β₁, β₂ (betas), ε, λ (weight decay), amsgrad"
    assert lines[2] == "for t = 1, 2, …"
    assert "    mₜ ← β₁ mₜ₋₁ + (1 − β₁) gₜ" in lines  # one \quad: four spaces
    assert "        vₜᵐᵃˣ ← max(vₜ₋₁ᵐᵃˣ, vₜ)" in lines  # \qquad: eight
    assert lines[-1] == "    θₜ ← θₜ₋₁ − γ m̂ₜ / (√v̂ₜ + ε)"


@pytest.mark.parametrize(("latex", "text"), [
    (r"\frac{1}{1 + e^{-x}}", "1/(1 + e⁻ˣ)"),
    (r"\frac{\gamma m_t}{(1 - \beta_1^t) u_t}", "(γ mₜ)/((1 − β₁ᵗ) uₜ)"),
    (r"\tfrac{1}{2} x", "½ x"),
    (r"\frac{\partial L}{\partial y_i}", "∂L/∂yᵢ"),
    (r"\sqrt{\widehat{v_t}} + \epsilon", "√v̂ₜ + ε"),
    (r"\sqrt{2\pi}", "√(2π)"),
    (r"x_{\text{class}}", "x_(class)"),
    (r"\textit{decoupled\_weight\_decay}", "decoupled_weight_decay"),
    (r"\lVert g \rVert_2 \odot \theta^\top", "‖ g ‖₂ ⊙ θᵀ"),
    (r"x \in \mathbb{R}^n", "x ∈ ℝⁿ"),
    (r"\operatorname{sign}(x) \le 1", "sign(x) ≤ 1"),
])
def test_pieces(latex, text):
    assert to_text(latex) == text


def test_rows_cases_and_indentation():
    latex = (r"&\textbf{if}\ a: \\ &\quad b_t \leftarrow \begin{cases} g_t & t = 1 \\"
             r" 0 & \text{otherwise} \end{cases} \\ &\qquad c")
    assert to_text(latex).splitlines() == ["if a:", "    bₜ ← gₜ if t = 1",
                                           "         0 otherwise", "        c"]


def test_an_unknown_command_keeps_its_backslash():
    assert to_text(r"\frobnicate{x}") == r"\frobnicatex"
