"""A tiny generic registry: one place where every named object is declared.

Surfaces, optimizers, activations and losses are each kept in a
:class:`Registry`. Adding an entry is one ``register`` call; the command line,
the tests and the figures all read the same registry, so a new entry appears
everywhere at once.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


#: Up to this many valid names, an error lists them all; more are summarised by group.
MAX_LISTED = 40


class UnknownNameError(KeyError, ValueError):
    """An unknown name was asked for; the message lists the valid ones.

    It is both a ``KeyError`` (a failed look-up) and a ``ValueError`` (bad
    input), so callers can catch whichever reads more naturally. More than
    :data:`MAX_LISTED` valid names (the render catalog's hundreds) are summarised by
    their first path part, with how many each holds, and ``full_list`` says where the
    whole list is.
    """

    def __init__(self, kind: str, name: str, valid: list[str], full_list: str = "") -> None:
        self.kind, self.name, self.valid = kind, name, valid
        close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        message = f"unknown {kind} {name!r}.{hint} Valid names: {_listed(valid, full_list)}."
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


def _listed(valid: list[str], full_list: str) -> str:
    """``valid`` joined by commas, or, if there are many, counted by their first part."""
    if len(valid) <= MAX_LISTED:
        return ", ".join(valid)
    groups = Counter(name.split("/", 1)[0] for name in valid)  # in order of first use
    counted = ", ".join(f"{g}/... ({n})" if n > 1 or g not in valid else g
                        for g, n in groups.items())  # fmt: skip
    where = f"; {full_list}" if full_list else ""
    return f"{len(valid)} in {len(groups)} groups, {counted}{where}"


class Registry(Generic[T]):
    """Named entries of one kind, kept in the order they were registered."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> T:
        """Add ``entry`` under ``name`` (lower snake_case, unique) and return it."""
        if not name or name != name.lower() or not name.replace("_", "").isalnum():
            raise ValueError(f"{self.kind} name must be lower snake_case, got {name!r}")
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def decorator(self, name: str) -> Callable[[T], T]:
        """``@registry.decorator("name")`` registers the decorated object."""
        return lambda entry: self.register(name, entry)

    def get(self, name: str) -> T:
        """The entry called ``name``; an :class:`UnknownNameError` otherwise."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, str(name), self.names()) from None

    def build(self, name: str, what: str = "parameter", **params: Any) -> Any:
        """Instantiate the dataclass registered as ``name`` with ``params``.

        An unknown keyword raises ``ValueError`` naming it and the valid ones (before
        construction, so the class's own checks report bad *values*).
        """
        cls = self.get(name)
        valid = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(f"{name} has no {what} {', '.join(map(repr, unknown))}; "
                             f"valid {what}s: {', '.join(valid) or 'none'}")
        return cls(**params)

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
