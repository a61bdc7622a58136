"""The optimizers in families of at most six: what one race, or one panel, shows together.

Thirteen paths in one animation cannot be told apart. So every race that is
animated, and every panel of a figure comparing optimizers, shows one
*group*: a family a reader can compare at a glance, at most
:data:`MAX_GROUP` optimizers (and colours) in one axes. Every registered
optimizer belongs to exactly one group (``tests/test_races.py`` fails when a
newly registered one is in none), listed in the order the book meets them.

The *opening four* are the course notes' own comparison: SGD, Adagrad,
RMSprop and Adam, raced on :data:`OPENING_SURFACE` in the book's first figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas import optimizers

#: At most this many optimizers are drawn in one axes.
MAX_GROUP = 6


@dataclass(frozen=True)
class Group:
    """A family of optimizers raced together: a name, a title for people, its members."""

    name: str
    title: str
    members: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 0 < len(self.members) <= MAX_GROUP or len(set(self.members)) != len(self.members):
            raise ValueError(f"group {self.name!r} needs 1 to {MAX_GROUP} distinct members, "
                             f"got {self.members}")  # fmt: skip


GROUPS: tuple[Group, ...] = (
    Group("sgd", "SGD and momentum",
          ("sgd", "momentum", "nesterov", "asgd", "schedule_free_sgd")),
    Group("adaptive", "Per-coordinate step sizes",
          ("adagrad", "rmsprop", "adadelta", "adafactor")),
    Group("adam", "Adam and its variants",
          ("adam", "amsgrad", "adamw", "adamax", "nadam", "radam")),
    Group("after_adam", "After Adam",
          ("adabelief", "yogi", "adan", "ademamix", "schedule_free_adamw", "prodigy")),
    Group("sign_and_curvature", "Signs, norms and curvature",
          ("rprop", "lion", "lamb", "muon", "lbfgs")),
)  # fmt: skip

#: The course notes' four optimizers, and the surface of the book's opening race.
OPENING: tuple[str, ...] = ("sgd", "adagrad", "rmsprop", "adam")
OPENING_SURFACE = "narrow_valley"


def groups() -> tuple[Group, ...]:
    """The groups, each with only its registered members (groups left empty are dropped)."""
    registered = set(optimizers.names())
    kept = (Group(g.name, g.title, tuple(m for m in g.members if m in registered))
            for g in GROUPS if any(m in registered for m in g.members))  # fmt: skip
    return tuple(kept)


def group_of(optimizer_name: str) -> Group:
    """The group ``optimizer_name`` belongs to; ``ValueError`` if it is in none."""
    for group in GROUPS:
        if optimizer_name in group.members:
            return group
    raise ValueError(f"optimizer {optimizer_name!r} is in no group of atlas.races.groups; "
                     f"add it to one of: {', '.join(g.name for g in GROUPS)}")  # fmt: skip


def get(name: str) -> Group:
    """The group called ``name`` (registered members only); ``ValueError`` naming the valid ones."""
    for group in groups():
        if group.name == name:
            return group
    raise ValueError(f"unknown group {name!r}; valid groups: "
                     f"{', '.join(g.name for g in groups())}")  # fmt: skip
