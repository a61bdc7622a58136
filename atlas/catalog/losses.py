"""Every loss's figure, ``loss/<name>``: the loss and its gradient (per target for
classification)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry
from atlas.column import DPI

#: What each loss's figure shows, by loss (others: from the registry's words).
ALT = {
    "mse":
        "Plot of the squared error, a parabola in the residual, and its gradient, a "
        "straight line through the origin.",
    "half_squared_error":
        "Plot of half the squared error and its gradient, the residual itself.",
    "mae":
        "Plot of the absolute error, a V shape, and its gradient, a step from -1 to 1.",
    "huber":
        "Plot of the Huber loss, a parabola that turns into straight lines beyond plus and "
        "minus delta, and its clipped gradient.",
    "bce":
        "Two panels, target 0 and target 1. Each shows the binary cross-entropy growing "
        "without bound as the predicted probability approaches the wrong end, and its "
        "gradient, which grows even faster.",
    "bce_with_logits":
        "Two panels, target 0 and target 1, showing the logits form of binary "
        "cross-entropy, which grows linearly for confident wrong logits, and its gradient, "
        "a sigmoid shifted by the target.",
    "cross_entropy":
        "Plot of cross-entropy against the probability of a class, for target 0 and target "
        "1, with its gradient.",
    "softmax_cross_entropy":
        "Plot of softmax cross-entropy against a logit, for target 0 and target 1, with its "
        "gradient.",
    "nll":
        "Plot of the negative log-likelihood, a straight line in the log-probability, and "
        "its constant gradient.",
    "hinge":
        "Plot of the hinge loss, zero beyond the margin and a straight line before it, and "
        "its step-shaped gradient.",
    "kl_div":
        "Plot of the KL divergence term against a log-probability, and its gradient.",
}  # fmt: skip


def loss(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], loss: str,
         dpi: int) -> None:  # fmt: skip
    """``loss/<name>``: the loss and its gradient."""
    from atlas import losses
    from atlas.viz.function_plots import figure_png, loss_figure
    from atlas.viz.style import style

    with style():
        figure_png(loss_figure(losses.get(loss, reduction="none"), dpi=dpi),
                   path.with_name(path.name + ".png"))


def entries(quick: bool = False) -> list[Entry]:
    """One figure per registered loss."""
    from atlas import losses

    dpi = 40 if quick else DPI
    found = []
    for name in losses.names():
        title, words = losses.registry.get(name).title, losses.registry.get(name).description
        found.append(Entry(f"loss/{name}", f"{title} and its gradient", loss, "image",
                           {"loss": name, "dpi": dpi},
                           alt=ALT.get(name, f"Plot of {title} ({words}) and its gradient.")))
    return found
