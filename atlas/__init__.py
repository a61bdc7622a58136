"""atlas: a visual atlas of how neural networks learn.

The mathematics lives in small modules, each a registry of named objects::

    import atlas
    surface = atlas.surfaces.get("rosenbrock")
    adam = atlas.optimizers.get("adam", lr=0.05)
    run = atlas.trajectory(adam, surface, surface.start, steps=500)
"""

from atlas import activations, losses, optimizers, surfaces
from atlas.registry import UnknownNameError
from atlas.trajectory import Trajectory, trajectory
from atlas.version import __version__

__all__ = [
    "Trajectory",
    "UnknownNameError",
    "__version__",
    "activations",
    "losses",
    "optimizers",
    "surfaces",
    "trajectory",
]
