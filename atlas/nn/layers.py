"""Layers of a network from scratch: each a forward rule and its local derivative.

A layer is a small object, in the style of the course notes and of PyTorch's
``autograd.Function``: ``forward`` computes the output and *saves* what
``backward`` will need (the input, often the output too); ``backward`` takes
the upstream gradient :math:`\\partial L/\\partial y` and returns
:math:`\\partial L/\\partial x`, storing the gradients of the layer's own
parameters on the side. ``backward`` never modifies its argument.

Every layer has the same interface, so a :class:`~atlas.nn.model.Sequential`
can chain them and an optimizer loop can treat all parameters alike:

* ``forward(x, *, train=False, rng=None) -> y``
* ``backward(dy, *, input_grad=True) -> dx`` (``None`` when ``input_grad`` is false)
* ``params()`` / ``grads()``: parameter name -> array (empty for parameter-free layers)
* ``set_param(name, value)``: replace one parameter array (after an optimizer step)
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from atlas import activations
from atlas.activations.base import Activation

INITS = ("he", "xavier")


class Layer(Protocol):
    """What every layer provides (see the module docstring)."""

    def forward(
        self, x: np.ndarray, *, train: bool = False, rng: np.random.Generator | None = None
    ) -> np.ndarray: ...

    def backward(self, dy: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None: ...

    def params(self) -> dict[str, np.ndarray]: ...

    def grads(self) -> dict[str, np.ndarray]: ...

    def set_param(self, name: str, value: np.ndarray) -> None: ...


def check_dtype(dtype: Any) -> np.dtype:
    """``float32`` or ``float64`` as a numpy dtype; ``ValueError`` for anything else."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return resolved


def init_std(init: str, fan_in: int, fan_out: int) -> float:
    r"""Standard deviation of the normal initial weights.

    * ``"he"`` (He et al., 2015), for ReLU-like units: :math:`\sigma = \sqrt{2 / n_{in}}`
    * ``"xavier"`` (Glorot & Bengio, 2010), for sigmoid/tanh units:
      :math:`\sigma = \sqrt{2 / (n_{in} + n_{out})}`

    Both keep the variance of activations roughly constant from layer to layer.
    """
    if init == "he":
        return math.sqrt(2.0 / fan_in)
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")


class Linear:
    r"""Affine layer :math:`y = x W + b` with :math:`W \in \mathbb{R}^{n_{in} \times n_{out}}`.

    Local derivatives (batch of rows :math:`x`, upstream :math:`\delta = \partial L/\partial y`):

    .. math::

        \frac{\partial L}{\partial W} = x^\top \delta, \qquad
        \frac{\partial L}{\partial b} = \textstyle\sum_n \delta_n, \qquad
        \frac{\partial L}{\partial x} = \delta W^\top.
    """

    description = "Affine map y = xW + b"

    def __init__(
        self,
        n_in: int,
        n_out: int,
        *,
        rng: np.random.Generator,
        init: str = "he",
        dtype: Any = np.float32,
    ) -> None:
        for name, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        self.n_in, self.n_out, self.init = int(n_in), int(n_out), init
        self.dtype = check_dtype(dtype)
        std = init_std(init, self.n_in, self.n_out)
        self.W = (std * rng.standard_normal((self.n_in, self.n_out))).astype(self.dtype)
        self.b = np.zeros(self.n_out, dtype=self.dtype)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self._x: np.ndarray | None = None

    # The book shows forward and backward: lines of at most 75 characters.
    def forward(
        self, x: np.ndarray, *, train: bool = False,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        self._x = x
        y = x @ self.W
        y += self.b  # in place: y is new, so x W + b needs no temporary
        return y

    def backward(
        self, dy: np.ndarray, *, input_grad: bool = True
    ) -> np.ndarray | None:
        if self._x is None:
            raise RuntimeError("Linear.backward called before forward")
        self.dW = self._x.T @ dy
        self.db = dy.sum(axis=0)
        return dy @ self.W.T if input_grad else None

    def params(self) -> dict[str, np.ndarray]:
        return {"W": self.W, "b": self.b}

    def grads(self) -> dict[str, np.ndarray]:
        if self.dW is None or self.db is None:
            raise RuntimeError("Linear.grads called before backward")
        return {"W": self.dW, "b": self.db}

    def set_param(self, name: str, value: np.ndarray) -> None:
        if name not in ("W", "b"):
            raise KeyError(f"Linear has no parameter {name!r}; it has 'W' and 'b'")
        current = getattr(self, name)
        if value.shape != current.shape:
            raise ValueError(f"Linear.{name}: shape {value.shape} != {current.shape}")
        setattr(self, name, value.astype(self.dtype, copy=False))

    def __repr__(self) -> str:
        return f"Linear({self.n_in}, {self.n_out}, init={self.init!r}, dtype={self.dtype.name})"


class ActivationLayer:
    """Any activation of :mod:`atlas.activations` as a layer (one generic adapter).

    As ``autograd.Function`` does, forward saves its input ``x`` and output
    ``y``; backward is the activation's own vector-Jacobian product. For an
    elementwise activation that is :math:`f'(x) \\odot \\bar y` with the
    activation's ``derivative_from``, called directly: ``x`` and ``y`` were
    made by this layer, so ``activation.vjp``'s re-validation of them is
    skipped. Activations keep the dtype of ``x``, so a float32 network stays
    float32 throughout.
    """

    description = "An activation function applied as a layer"

    def __init__(self, name: str, **params: Any) -> None:
        self.name = name
        self.activation = activations.get(name, **params)
        # f'(x) from (x, y) when vjp is the generic elementwise f'(x) * dy, else None
        act_type = type(self.activation)
        generic = self.activation.elementwise and act_type.vjp is Activation.vjp
        self._derivative_from = self.activation.derivative_from if generic else None
        self._x: np.ndarray | None = None
        self._y: np.ndarray | None = None

    def forward(
        self, x: np.ndarray, *, train: bool = False, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        y = self.activation.forward(x)
        self._x, self._y = x, y
        return y

    def backward(self, dy: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._x is None or self._y is None:
            raise RuntimeError(f"ActivationLayer({self.name!r}).backward called before forward")
        if not input_grad:
            return None
        if self._derivative_from is not None:
            return dy * self._derivative_from(self._x, self._y)
        return self.activation.vjp(self._x, self._y, dy)

    def params(self) -> dict[str, np.ndarray]:
        return {}

    def grads(self) -> dict[str, np.ndarray]:
        return {}

    def set_param(self, name: str, value: np.ndarray) -> None:
        raise KeyError(f"ActivationLayer({self.name!r}) has no parameter {name!r}")

    def __repr__(self) -> str:
        return f"ActivationLayer({self.name!r})"


class Dropout:
    r"""Inverted dropout: in training keep each unit with probability :math:`1 - p`.

    .. math::

        m_i \sim \mathrm{Bernoulli}(1 - p), \qquad
        y = \frac{m \odot x}{1 - p}, \qquad
        \frac{\partial L}{\partial x} = \frac{m \odot \delta}{1 - p}.

    Dividing by :math:`1 - p` keeps the expected activation unchanged, so in
    evaluation (``train=False``) the layer is the identity. The mask is drawn
    from the ``rng`` passed to ``forward`` (no global random state).
    """

    description = "Randomly zero units in training (inverted dropout)"

    def __init__(self, p: float) -> None:
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a number in [0, 1), got {p!r}")
        self.p = float(p)
        self._scaled_mask: np.ndarray | None = None

    def forward(
        self, x: np.ndarray, *, train: bool = False, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        if not train or self.p == 0:
            self._scaled_mask = None
            return x
        if rng is None:
            raise ValueError("Dropout.forward(train=True) needs an rng (numpy.random.Generator)")
        keep = rng.random(x.shape, dtype=x.dtype) >= self.p
        self._scaled_mask = keep * x.dtype.type(1.0 / (1.0 - self.p))
        return x * self._scaled_mask

    def backward(self, dy: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if not input_grad:
            return None
        return dy if self._scaled_mask is None else dy * self._scaled_mask

    def params(self) -> dict[str, np.ndarray]:
        return {}

    def grads(self) -> dict[str, np.ndarray]:
        return {}

    def set_param(self, name: str, value: np.ndarray) -> None:
        raise KeyError(f"Dropout has no parameter {name!r}")

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
