r"""Loss landscapes: the loss on a 2D plane through weight space, and training paths on it.

A network's loss :math:`L(\theta)` lives in hundreds of thousands of dimensions;
a picture shows it on a *plane*

.. math::

    \theta(\alpha, \beta) = \theta_0 + \alpha\, u + \beta\, v,
    \qquad f(\alpha, \beta) = L(\theta(\alpha, \beta)),

for an origin :math:`\theta_0` and two directions :math:`u, v`. Two planes are built here:

* :func:`random_plane` — through the trained weights, along two
  **filter-normalised random directions** (Li et al., 2018, "Visualizing the
  loss landscape of neural nets"). A direction :math:`d` is drawn from
  :math:`\mathcal N(0, I)`, then every *filter* is rescaled to the norm of the
  same filter of the weights, :math:`d_j \leftarrow d_j \, \lVert\theta_j\rVert /
  \lVert d_j\rVert`. For a :class:`~atlas.nn.layers.Linear` layer
  :math:`y = xW + b` a filter is one output unit's weights, the column
  :math:`W_{:, j}`. Without this a step of 1 would mean a tiny change to a
  layer of large weights and a huge one to a layer of small weights (and
  ReLU networks are invariant to such rescalings), so slices of different
  networks could not be compared. **Biases get a zero direction** (as in Li
  et al.'s experiments): the plane only moves the weight matrices.
* :func:`path_pca` — the plane that best fits a **training path** (snapshots
  of the parameters): its origin is the mean snapshot and :math:`u, v` are the
  first two principal components of the snapshots. Random directions are
  almost orthogonal to any path in high dimension, so a path only shows up in
  this plane. The projection drops each snapshot's distance to the plane: it
  is a shadow, and :attr:`PathPlane.explained` says how much of the path's
  variance it keeps.

Parameters are handled as flat vectors in the order of
:meth:`~atlas.nn.model.Sequential.params` (the order of the saved snapshots),
in float64; the model evaluates the loss in its own dtype.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from atlas.nn.layers import Linear
from atlas.nn.model import Sequential


def flatten(params: Mapping[str, np.ndarray]) -> np.ndarray:
    """All arrays of ``params`` as one float64 vector, in the mapping's order."""
    return np.concatenate([np.asarray(p, np.float64).ravel() for p in params.values()])


def unflatten(vector: np.ndarray, like: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Split ``vector`` back into arrays shaped as those of ``like`` (float64)."""
    vector = np.asarray(vector, np.float64)
    sizes = [np.size(p) for p in like.values()]
    if vector.shape != (sum(sizes),):
        raise ValueError(f"vector of shape {vector.shape} does not hold {sum(sizes)} parameters")
    pieces = np.split(vector, np.cumsum(sizes)[:-1])
    return {k: piece.reshape(np.shape(p)) for (k, p), piece in zip(like.items(), pieces,
                                                                     strict=True)}


def filter_normalised_direction(
    params: Mapping[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    r"""A random direction shaped like ``params``, each filter as long as the weights' filter.

    For every weight matrix :math:`W` (shape ``(n_in, n_out)``) a Gaussian
    :math:`D` is drawn and each column rescaled:
    :math:`D_{:,j} \leftarrow D_{:,j}\, \lVert W_{:,j}\rVert / \lVert D_{:,j}\rVert`.
    Bias vectors get zeros. Draws happen in the order of ``params``, so a
    generator seeded the same way gives the same direction.
    """
    direction = {}
    for key, theta in params.items():
        theta = np.asarray(theta, np.float64)
        if theta.ndim == 1:  # a bias: not moved
            direction[key] = np.zeros_like(theta)
        elif theta.ndim == 2:
            d = rng.standard_normal(theta.shape)
            # one norm per output unit; hypot never overflows or underflows on the way
            filter_norm = np.hypot.reduce(theta, axis=0)
            d_norm = np.hypot.reduce(d, axis=0)
            scale = filter_norm / np.where(d_norm > 0, d_norm, 1.0)
            direction[key] = d * scale
        else:
            raise ValueError(f"parameter {key!r} has {theta.ndim} dimensions; expected 1 or 2")
    return direction


@dataclass(frozen=True)
class Plane:
    r"""The plane :math:`\theta(\alpha, \beta) = \theta_0 + \alpha u + \beta v` (flat vectors)."""

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray

    def __post_init__(self) -> None:
        for name in ("origin", "u", "v"):
            value = np.asarray(getattr(self, name), np.float64)
            if value.ndim != 1 or value.shape != np.shape(self.origin):
                raise ValueError(f"plane {name} must be a vector like the origin, "
                                 f"got shape {value.shape}")
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    def point(self, alpha: float, beta: float) -> np.ndarray:
        r""":math:`\theta_0 + \alpha u + \beta v`."""
        return self.origin + alpha * self.u + beta * self.v


def random_plane(params: Mapping[str, np.ndarray], rng: np.random.Generator) -> Plane:
    """The plane through ``params`` along two filter-normalised random directions."""
    u = filter_normalised_direction(params, rng)
    v = filter_normalised_direction(params, rng)
    return Plane(flatten(params), flatten(u), flatten(v))


@dataclass(frozen=True)
class PathPlane:
    r"""The least-squares plane of training snapshots: their mean and first two PCs.

    ``plane.u`` and ``plane.v`` are orthonormal; ``explained`` holds the
    fraction of the snapshots' variance along each
    (:math:`s_k^2 / \sum_i s_i^2`, :math:`s` the singular values).
    """

    plane: Plane
    explained: np.ndarray  # (2,)

    def project(self, path: np.ndarray) -> np.ndarray:
        r"""Plane coordinates ``(T, 2)`` of snapshots ``(T, n)``: :math:`((\theta - \bar\theta)
        \cdot u, (\theta - \bar\theta) \cdot v)`."""
        offsets = np.asarray(path, np.float64) - self.plane.origin
        return np.stack([offsets @ self.plane.u, offsets @ self.plane.v], axis=1)


def path_pca(paths: Sequence[np.ndarray]) -> PathPlane:
    """The plane of the first two principal components of all snapshots of ``paths``.

    Each path is ``(T, n)`` (one flattened parameter vector per row). The
    signs are chosen so that the first path moves towards positive
    coordinates (its last snapshot minus its first has a non-negative
    projection on both directions), so the picture does not flip at random.
    """
    paths = [np.asarray(p, np.float64) for p in paths]
    if not paths or any(p.ndim != 2 for p in paths):
        raise ValueError("paths must be a non-empty list of (snapshots, parameters) arrays")
    snapshots = np.concatenate(paths)
    if len(snapshots) < 2:
        raise ValueError(f"need at least 2 snapshots for a PCA, got {len(snapshots)}")
    mean = snapshots.mean(axis=0)
    _, s, vt = np.linalg.svd(snapshots - mean, full_matrices=False)
    total = float(np.sum(s**2))
    if total == 0:
        raise ValueError("the path does not move: every snapshot is the same point")
    components = vt[:2] if len(vt) >= 2 else np.vstack([vt, np.zeros_like(vt)])
    progress = paths[0][-1] - paths[0][0]
    signs = np.where(components @ progress < 0, -1.0, 1.0)
    components = components * signs[:, None]
    explained = np.zeros(2)
    explained[: min(2, len(s))] = s[:2] ** 2 / total
    return PathPlane(Plane(mean, components[0], components[1]), explained)


def loss_on_plane(
    model: Sequential,
    plane: Plane,
    x: np.ndarray,
    y: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
) -> np.ndarray:
    r"""The mean loss of ``model`` on ``(x, y)`` at every :math:`\theta(\alpha, \beta)`.

    Returns ``(len(betas), len(alphas))`` (rows follow :math:`\beta`, as
    ``numpy.meshgrid`` and matplotlib's contour expect). ``model`` itself is
    not changed: a copy is moved around the plane. Points whose logits
    overflow get the loss ``inf``.

    A first :class:`~atlas.nn.layers.Linear` layer is linear in its weights,
    :math:`x (W_0 + \alpha U + \beta V) = x W_0 + \alpha\, x U + \beta\, x V`,
    so its three products are computed once rather than at every point (on
    MNIST that layer is most of the work).
    """
    probe = copy.deepcopy(model)
    like = model.params()
    if plane.origin.shape != (sum(p.size for p in like.values()),):
        raise ValueError(f"the plane has {plane.origin.size} coordinates, "
                         f"the model {model.n_params()} parameters")
    first = probe.layers[0]
    split = isinstance(first, Linear)
    if split:
        dtype = first.dtype
        xW, xU, xV = (x @ unflatten(vector, like)["0.W"].astype(dtype)
                      for vector in (plane.origin, plane.u, plane.v))  # fmt: skip
    loss = np.empty((len(betas), len(alphas)))
    with np.errstate(over="ignore", invalid="ignore"):
        for i, beta in enumerate(np.asarray(betas, np.float64)):
            for j, alpha in enumerate(np.asarray(alphas, np.float64)):
                params = unflatten(plane.point(alpha, beta), like)
                probe.set_params(params)
                if split:
                    h = xW + dtype.type(alpha) * xU + dtype.type(beta) * xV + first.b
                    for layer in probe.layers[1:]:
                        h = layer.forward(h)
                else:
                    h = probe.forward(x)
                finite = bool(np.all(np.isfinite(h)))
                loss[i, j] = float(probe.loss_fn.forward(h, y)) if finite else np.inf
    return loss
