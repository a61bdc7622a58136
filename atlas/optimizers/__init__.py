"""The optimizers: pure ``init``/``update`` pairs equal to their references step for step.

::

    from atlas import optimizers
    adam = optimizers.get("adam", lr=0.05)
    state = adam.init(params)
    params, state = adam.update(grad, state, params)

Each follows its reference implementation: ``torch.optim``, or the package its
module names (``lion-pytorch``, ``adabelief-pytorch``, ``pytorch_optimizer``,
``schedulefree``, ``prodigyopt``). Registered from simple to complex, as a book
presents them: plain SGD, the two momentum presets, averaged and schedule-free
SGD, the adaptive per-coordinate methods, Adam and its family (up to AdaBelief,
Yogi, Adan, AdEMAMix and schedule-free AdamW), the sign methods Rprop and Lion,
and last the rules that work per tensor rather than per coordinate
(``elementwise = False``, see :mod:`atlas.optimizers.base`): LAMB, Adafactor,
Prodigy, Muon and L-BFGS.
A registry entry is the optimizer's class (presets are subclasses whose
defaults differ), so ``registry.get(name)(**hyperparameters)`` builds one and
``entry.description`` is its one-line summary.
"""

from __future__ import annotations

from atlas.optimizers.adabelief import AdaBelief, AdaBeliefState
from atlas.optimizers.adam import Adam, AdamState, AdamW, AMSGrad
from atlas.optimizers.adam_modern import Adan, AdanState, Yogi, YogiState
from atlas.optimizers.adam_variants import (
    Adamax,
    AdamaxState,
    NAdam,
    NAdamState,
    RAdam,
    RAdamState,
)
from atlas.optimizers.adaptive import (
    Adadelta,
    AdadeltaState,
    Adagrad,
    AdagradState,
    RMSprop,
    RMSpropState,
)
from atlas.optimizers.ademamix import AdEMAMix, AdEMAMixState
from atlas.optimizers.averaged import ASGD, ASGDState
from atlas.optimizers.base import Optimizer, State
from atlas.optimizers.factored import Adafactor, AdafactorState
from atlas.optimizers.orthogonal import Muon, MuonState
from atlas.optimizers.prodigy import Prodigy, ProdigyState
from atlas.optimizers.quasi_newton import LBFGS, LBFGSState
from atlas.optimizers.rprop import Rprop, RpropState
from atlas.optimizers.schedule_free import (
    ScheduleFreeAdamW,
    ScheduleFreeAdamWState,
    ScheduleFreeSGD,
    ScheduleFreeState,
)
from atlas.optimizers.sgd import SGD, Momentum, Nesterov, SGDState
from atlas.optimizers.sign import Lion, LionState
from atlas.optimizers.trust_ratio import Lamb, LambState
from atlas.registry import Registry, UnknownNameError

registry: Registry[type[Optimizer]] = Registry("optimizer")
for _cls in (
    SGD,
    Momentum,
    Nesterov,
    ASGD,
    ScheduleFreeSGD,
    Adagrad,
    RMSprop,
    Adadelta,
    Adam,
    AMSGrad,
    AdamW,
    Adamax,
    NAdam,
    RAdam,
    AdaBelief,
    Yogi,
    Adan,
    AdEMAMix,
    ScheduleFreeAdamW,
    Rprop,
    Lion,
    # per tensor (elementwise = False): norms, factored moments, matrices, history
    Lamb,
    Adafactor,
    Prodigy,
    Muon,
    LBFGS,
):
    registry.register(_cls.name, _cls)
del _cls


def get(name: str, **hyperparameters: object) -> Optimizer:
    """The optimizer registered as ``name``, built with the given hyperparameters.

    Unknown names raise :class:`~atlas.registry.UnknownNameError` (with
    suggestions); an unknown hyperparameter raises ``ValueError`` naming the
    valid ones; a bad value raises ``ValueError`` showing it.
    """
    return registry.build(name, "hyperparameter", **hyperparameters)


def names() -> list[str]:
    """Every optimizer name, from simple to complex."""
    return registry.names()


__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "AMSGrad",
    "ASGDState",
    "AdEMAMix",
    "AdEMAMixState",
    "AdaBelief",
    "AdaBeliefState",
    "Adadelta",
    "AdadeltaState",
    "Adafactor",
    "AdafactorState",
    "Adagrad",
    "AdagradState",
    "Adam",
    "AdamState",
    "AdamW",
    "Adamax",
    "AdamaxState",
    "Adan",
    "AdanState",
    "LBFGSState",
    "Lamb",
    "LambState",
    "Lion",
    "LionState",
    "Momentum",
    "Muon",
    "MuonState",
    "NAdam",
    "NAdamState",
    "Nesterov",
    "Optimizer",
    "Prodigy",
    "ProdigyState",
    "RAdam",
    "RAdamState",
    "RMSprop",
    "RMSpropState",
    "Rprop",
    "RpropState",
    "SGDState",
    "ScheduleFreeAdamW",
    "ScheduleFreeAdamWState",
    "ScheduleFreeSGD",
    "ScheduleFreeState",
    "State",
    "UnknownNameError",
    "Yogi",
    "YogiState",
    "get",
    "names",
    "registry",
]
