"""Where a run of :func:`atlas.trajectory.trajectory` ends, found after the fact from its values.

The run's loop checks only its positions; the values of all its rows come afterwards,
in one call. A step whose position is finite but whose value is not (f overflowing at
a huge point) still ends that start's run, as the module :mod:`atlas.trajectory`
describes, so the loop may have gone further than the run it stands for. This module
works out, from the rows the loop recorded, the run that checking each step's value
would have recorded:

* ``diverged_at``: per start, the first step whose position or value is not finite;
* where the run stops: the first step at which every start has diverged (that step
  is not recorded), or, with a box, the first at which every start has diverged or
  had a point outside it (that step is recorded): as the loop's own rule, on the
  corrected ``diverged_at``;
* which row each output row is: a start's own row until it diverged, its last finite
  row after that (held), and the last recorded row beyond the end (padding).

This is valid because the starts of a batch never mix: a start's rows before it
diverged do not depend on what the others do, unless the optimizer's state holds
something they share (L-BFGS's pairs), whose batches :mod:`atlas.trajectory` checks
step by step instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ending:
    """How a run ends, per start of ``N`` (a single start is ``N = 1``).

    ``rows``: the rows the run records (``steps + 1`` at most); ``stop``: its last step
    taken; ``diverged_at``: ``(N,)``, the first non-finite step, ``-1`` if none was
    reached; ``last``: ``(N,)``, the last row of a start's own, ``rows - 1`` or the row
    before it diverged.
    """

    rows: int
    stop: int
    diverged_at: np.ndarray
    last: np.ndarray

    def take(self, recorded: np.ndarray, length: int) -> np.ndarray:
        """The ``length`` output rows from the ``recorded`` ones (``(rows, ...)``, the
        starts' axes first in ``...``): for row ``k``, start ``i``'s row ``min(k, last[i])``."""
        n = len(self.last)
        index = np.minimum(np.arange(length)[:, None], self.last[None, :])
        rows = recorded.reshape(len(recorded), n, -1)[index, np.arange(n)]
        return rows.reshape(length, *recorded.shape[1:])


def first(mask: np.ndarray, never: int, offset: int = 0) -> np.ndarray:
    """Per column of ``mask`` (rows, N): the first row where it is True, plus ``offset``;
    ``never`` where it is nowhere True."""
    if not len(mask):
        return np.full(mask.shape[1:], never)
    return np.where(mask.any(axis=0), mask.argmax(axis=0) + offset, never)


def ending(z: np.ndarray, position_diverged: np.ndarray, steps: int,
           outside: np.ndarray | None) -> Ending:  # fmt: skip
    """How the run ends, from what the position-only loop recorded.

    ``z``: ``(rows, N)`` the values of its recorded rows (row 0, the start, finite);
    ``position_diverged``: ``(N,)`` the first step whose position was not finite, ``-1``
    if none; ``outside``: ``(rows - 1, N)`` whether rows ``1 ..`` lie outside the box, or
    None without one. The loop must have run at least as far as the run with values
    would have: it stops for the same reasons, on fewer divergences.
    """
    never = steps + 1
    position = np.where(position_diverged >= 0, position_diverged, never)
    value = first(~np.isfinite(z), never)
    diverged = np.minimum(position, value)
    all_dead = int(diverged.max())
    if outside is None:
        all_left = never
    else:  # a start counts once it has left the box or diverged
        all_left = int(np.minimum(first(outside, never, offset=1), diverged).max())
    if all_dead <= min(all_left, steps):  # every start dead at that step: not recorded
        rows, stop = all_dead, all_dead
    elif all_left <= steps:  # every start out or dead after that step: recorded
        rows, stop = all_left + 1, all_left
    else:
        rows, stop = steps + 1, steps
    reached = diverged <= stop
    return Ending(
        rows=rows,
        stop=stop,
        diverged_at=np.where(reached, diverged, -1),
        last=np.minimum(diverged - 1, rows - 1),
    )
