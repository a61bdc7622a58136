"""The Surface type, its registry and the look-up by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.registry import Registry

Array = NDArray[np.float64]
PI = np.pi
KINDS = ("global minimum", "local minimum", "local maximum", "saddle point")
#: The default race target: a run has arrived once f - f* <= TAU (see :mod:`atlas.protocol`).
TAU = 1e-2


@dataclass(frozen=True)
class Point:
    """A point of a surface: where it is, its value and what kind of critical point."""

    x: float
    y: float
    value: float
    kind: str = "global minimum"


@dataclass(frozen=True)
class Surface:
    """A test surface z = f(x, y), with its gradient and everything needed to draw a race."""

    name: str
    title: str
    latex: str
    description: str
    f: Callable
    grad: Callable
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    minima: tuple[Point, ...] = ()
    critical: tuple[Point, ...] = ()
    view: tuple[float, float] = (35.0, -60.0)
    # The race target (atlas.protocol): f - f* <= tau; on a surface unbounded below,
    # escape: f <= f(start) - delta. A target other than the default says why.
    tau: float = TAU
    delta: float | None = None
    target_note: str = ""

    def __post_init__(self) -> None:
        if not self.latex.strip() or not self.title.strip():
            raise ValueError(f"surface {self.name!r} needs a title and a formula")
        if not self.description.strip() or "\n" in self.description:
            raise ValueError(f"description must be one line, got {self.description!r}")
        (x0, x1), (y0, y1) = self.domain
        if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
            raise ValueError(f"domain must be ((xmin, xmax), (ymin, ymax)), got {self.domain}")
        for p in (Point(*self.start, 0.0), *self.minima, *self.critical):
            if not (x0 <= p.x <= x1 and y0 <= p.y <= y1):
                raise ValueError(f"point ({p.x}, {p.y}) lies outside the domain {self.domain}")
        if any(p.kind != "global minimum" or p.value != self.minima[0].value for p in self.minima):
            raise ValueError(f"minima must be global minima of equal value, got {self.minima}")
        if any(p.kind not in KINDS[1:] for p in self.critical):
            raise ValueError(f"critical kinds must be among {KINDS[1:]}, got {self.critical}")
        self._check_target()
        elevation, azimuth = self.view
        if not (-90 <= elevation <= 90 and -360 <= azimuth <= 360):
            raise ValueError(f"view must be (elevation, azimuth) in degrees, got {self.view}")

    def _check_target(self) -> None:
        if not (np.isfinite(self.tau) and self.tau > 0):
            raise ValueError(f"surface {self.name!r}: tau must be > 0, got {self.tau!r}")
        if (self.delta is None) != bool(self.minima):
            raise ValueError(f"surface {self.name!r}: a surface without minima (unbounded "
                             f"below) needs an escape drop delta > 0, and only such a surface; "
                             f"got delta={self.delta!r}")
        if self.delta is not None and not (np.isfinite(self.delta) and self.delta > 0):
            raise ValueError(f"surface {self.name!r}: delta must be > 0, got {self.delta!r}")
        if (self.tau != TAU or self.delta is not None) != bool(self.target_note.strip()):
            raise ValueError(f"surface {self.name!r}: a target other than the default "
                             f"(tau = {TAU:g}) needs a target_note saying why, and only such")

    # Every evaluation runs on 1-d arrays (one point: arrays of length 1), so that a
    # point's numbers do not depend on how many points are evaluated with it: on 0-d
    # arrays numpy's results are scalars, and a scalar's t**2 is numpy's scalar power,
    # not always the exact square t*t that an array's is (measured: single-start runs
    # differed from their row of a batched run in 107 of 3,952 surface x optimizer x
    # start runs of 100 steps). atlas.trajectory promises those numbers are the same.

    def value(self, x: ArrayLike, y: ArrayLike) -> Array:
        """f(x, y) as a float64 array of the broadcast shape of x and y."""
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        z = np.asarray(self.f(x.reshape(-1), y.reshape(-1)), dtype=np.float64)
        return np.broadcast_to(z, (x.size,)).reshape(x.shape).copy()

    def gradient(self, x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
        """(df/dx, df/dy), each a float64 array of the broadcast shape of x and y."""
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        gx, gy = self.grad(x.reshape(-1), y.reshape(-1))
        return (np.broadcast_to(gx, (x.size,)).reshape(x.shape).astype(np.float64),
                np.broadcast_to(gy, (x.size,)).reshape(x.shape).astype(np.float64))

    def value_xy(self, p: ArrayLike) -> Array:
        """f at points ``p`` of shape (..., 2); returns shape (...)."""
        p = _points(p)
        flat = p.reshape(-1, 2)
        z = np.asarray(self.f(flat[:, 0], flat[:, 1]), dtype=np.float64)
        if z.shape != flat.shape[:-1]:  # a constant, say
            z = np.broadcast_to(z, flat.shape[:-1])
        return z.reshape(p.shape[:-1]).copy()

    def gradient_xy(self, p: ArrayLike) -> Array:
        """The gradient at points ``p`` of shape (..., 2), as shape (..., 2).

        The hot path of every trajectory: x and y already share a shape, so the two
        components are written straight into one float64 array (a constant component,
        like the sphere's, broadcasts on assignment).
        """
        p = _points(p)
        flat = p.reshape(-1, 2)
        gx, gy = self.grad(flat[:, 0], flat[:, 1])
        out = np.empty(flat.shape, dtype=np.float64)
        out[:, 0] = gx
        out[:, 1] = gy
        return out.reshape(p.shape)

    @property
    def f_min(self) -> float | None:
        """The value of the global minimum, None if f is unbounded below."""
        return self.minima[0].value if self.minima else None

    def __reduce__(self) -> tuple:
        # Registered surfaces pickle by name (their f and grad may be lambdas).
        if self.name in registry and registry.get(self.name) is self:
            return (get, (self.name,))
        return (Surface, tuple(getattr(self, field.name) for field in fields(self)))


def _points(p: ArrayLike) -> Array:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got shape {p.shape}")
    return p


registry: Registry[Surface] = Registry("surface")


def get(name: str) -> Surface:
    """The surface called ``name``; an UnknownNameError (with suggestions) otherwise."""
    return registry.get(name)


def names() -> list[str]:
    """Every surface name, from the simplest to the most complex."""
    return registry.names()


def declare(**fields) -> Surface:
    """Build a Surface from its fields and register it under its name: one edit per surface."""
    surface = Surface(**fields)
    return registry.register(surface.name, surface)


