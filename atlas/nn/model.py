"""A network as a chain of layers, and the MLP builder from a spec like ``784-200-10``.

:class:`Sequential` runs its layers forward, ends in a loss on the logits
(by default the fused softmax cross-entropy of :mod:`atlas.losses`, whose
gradient is simply :math:`(\\mathrm{softmax}(z) - t)/N`), and runs backward in
reverse order. ``params()`` and ``grads()`` flatten every layer's parameters
into one mapping ``"<layer index>.<name>" -> array``, so an optimizer loop can
treat all of them alike.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from atlas import activations, losses
from atlas.nn.layers import ActivationLayer, Dropout, Layer, Linear, check_dtype

#: Activations for which the builder's ``init="auto"`` picks Xavier (saturating or linear
#: units); every other activation gets He initialisation.
XAVIER_ACTIVATIONS = frozenset(
    {"identity", "sigmoid", "tanh", "softsign", "hardtanh", "hardsigmoid", "logsigmoid"}
)


class Sequential:
    """Layers applied one after another, followed by a loss on the last output (logits)."""

    def __init__(self, layers: Iterable[Layer], loss: str = "softmax_cross_entropy") -> None:
        self.layers: list[Layer] = list(layers)
        if not self.layers:
            raise ValueError("Sequential needs at least one layer")
        self.loss_name = loss
        self.loss_fn = losses.get(loss)
        self._softmax = activations.get("softmax")

    # -- forward and backward --------------------------------------------------------------

    def forward(
        self, x: np.ndarray, *, train: bool = False, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        """The logits for a batch of rows ``x`` (dropout active only when ``train``)."""
        for layer in self.layers:
            x = layer.forward(x, train=train, rng=rng)
        return x

    def backward(self, dlogits: np.ndarray) -> None:
        """Back-propagate :math:`\\partial L/\\partial z`; fills every layer's ``grads()``.

        The gradient with respect to the network's input is not needed, so the
        first layer skips computing it (a third of its backward cost).
        """
        d: np.ndarray | None = dlogits
        for i in range(len(self.layers) - 1, -1, -1):
            d = self.layers[i].backward(d, input_grad=i > 0)

    def loss(
        self,
        x: np.ndarray,
        t: np.ndarray,
        *,
        train: bool = False,
        rng: np.random.Generator | None = None,
    ) -> float:
        """The loss of the batch ``(x, t)``; ``t`` holds class indices or one-hot rows."""
        return float(self.loss_fn.forward(self.forward(x, train=train, rng=rng), t))

    def loss_and_grads(
        self,
        x: np.ndarray,
        t: np.ndarray,
        *,
        train: bool = True,
        rng: np.random.Generator | None = None,
    ) -> tuple[float, np.ndarray]:
        """One forward and backward pass: ``(loss, logits)``; gradients via ``grads()``.

        If the logits are not all finite (a diverging run), the loss is undefined:
        ``nan`` is returned and no backward pass is made.
        """
        logits = self.forward(x, train=train, rng=rng)
        if not np.isfinite(logits).all():
            return math.nan, logits
        loss, dlogits = self.loss_fn.forward_backward(logits, t)
        self.backward(dlogits)
        return float(loss), logits

    def predict_logits(self, x: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
        """The logits of every row of ``x`` in evaluation mode, computed in chunks."""
        # At least one chunk, so that no rows still give logits of shape (0, classes).
        chunks = [self.forward(x[i : i + batch_size])
                  for i in range(0, max(len(x), 1), batch_size)]
        return np.concatenate(chunks)

    def predict_proba(self, x: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
        """Class probabilities :math:`\\mathrm{softmax}(z)` in evaluation mode, in chunks."""
        return self._softmax.forward(self.predict_logits(x, batch_size=batch_size))

    # -- parameters ------------------------------------------------------------------------

    def params(self) -> dict[str, np.ndarray]:
        """Every parameter array by ``"<layer index>.<name>"``, e.g. ``"0.W"``, ``"0.b"``."""
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params().items()
        }

    def grads(self) -> dict[str, np.ndarray]:
        """The gradients of the last ``backward``, keyed as :meth:`params`."""
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads().items()
        }

    def set_params(self, new: Mapping[str, np.ndarray]) -> None:
        """Replace parameter arrays by key (as returned by an optimizer's ``update``)."""
        slots = self._slots()
        for key, value in new.items():
            if key not in slots:
                raise KeyError(f"no parameter {key!r}; parameters are {', '.join(slots)}")
            layer, name = slots[key]
            layer.set_param(name, np.asarray(value))

    def _slots(self) -> dict[str, tuple[Layer, str]]:
        """``"<layer index>.<name>" -> (layer, name)``, the keys of :meth:`params`."""
        return {
            f"{i}.{k}": (layer, k) for i, layer in enumerate(self.layers) for k in layer.params()
        }

    def n_params(self) -> int:
        """The number of scalar parameters."""
        return sum(v.size for v in self.params().values())

    def flat_params(self) -> np.ndarray:
        """All parameters as one vector (in ``params()`` order): a point of weight space."""
        return np.concatenate([v.ravel() for v in self.params().values()])

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], loss={self.loss_name!r})"


def parse_spec(spec: str | Sequence[int]) -> tuple[int, ...]:
    """Layer widths from a spec such as ``"784-200-200-10"`` (input, hidden..., output).

    At least two widths (input and output: ``"784-10"`` is logistic regression),
    each a positive integer. A clear ``ValueError`` otherwise.
    """
    if isinstance(spec, str):
        parts = spec.strip().split("-")
        if any(not p.strip().isdigit() for p in parts):
            raise ValueError(
                f"model spec must be layer widths joined by '-', such as '784-200-10', got {spec!r}"
            )
        widths = tuple(int(p) for p in parts)
    else:
        widths = tuple(spec)
        if any(isinstance(w, bool) or not isinstance(w, int | np.integer) for w in widths):
            raise ValueError(f"model spec must be integers, got {spec!r}")
        widths = tuple(int(w) for w in widths)
    if len(widths) < 2:
        raise ValueError(f"model spec needs at least an input and an output width, got {spec!r}")
    if any(w < 1 for w in widths):
        raise ValueError(f"model spec widths must be positive, got {spec!r}")
    return widths


def spec_string(widths: Sequence[int]) -> str:
    """The canonical spec string, ``(784, 10) -> "784-10"``."""
    return "-".join(str(w) for w in widths)


def mlp(
    spec: str | Sequence[int],
    activation: str = "relu",
    *,
    rng: np.random.Generator | int,
    dropout: float = 0.0,
    init: str = "auto",
    dtype: Any = np.float32,
    loss: str = "softmax_cross_entropy",
) -> Sequential:
    """A multilayer perceptron: ``Linear`` → activation (→ ``Dropout``) per hidden layer.

    The last ``Linear`` outputs logits, which the loss (softmax cross-entropy
    by default) turns into probabilities. ``init="auto"`` uses Xavier for
    saturating activations (sigmoid, tanh, ...) and He otherwise; ``"he"`` or
    ``"xavier"`` force one. Weights are drawn from ``rng``, a generator or a seed.
    """
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = np.random.default_rng(rng)
    elif not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")
    widths = parse_spec(spec)
    activations.get(activation)  # unknown name -> UnknownNameError before building anything
    if init == "auto":
        init = "xavier" if activation in XAVIER_ACTIVATIONS else "he"
    dtype = check_dtype(dtype)
    dropout_layer = Dropout(dropout)  # validates p even for logistic regression
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        last = i == len(widths) - 2
        layers.append(
            Linear(n_in, n_out, rng=rng, init="xavier" if last else init, dtype=dtype)
        )
        if not last:
            layers.append(ActivationLayer(activation))
            if dropout > 0:
                layers.append(Dropout(dropout_layer.p))
    return Sequential(layers, loss=loss)
