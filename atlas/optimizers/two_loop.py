"""L-BFGS's two-loop recursion: :math:`-H g` from the stored pairs, in torch's order.

The pairs are a tuple shared between states (:class:`atlas.optimizers.LBFGSState`):
one pair per step for a whole batch of tensors, each tensor using its own newest
``history_size`` stored pairs. Separate from the optimizer's rule because of its
three ways to the same numbers: Python floats for one point, arrays of the batch
one coordinate at a time for many points (the basin maps), whole tensors otherwise.

For many points, which tensors use each pair (:class:`PairUsers`) is carried from step to
step with the pairs: a step changes it little (one new pair; tensors that store one with
their window full give up their oldest), while counting it afresh costs a pass over every
pair and tensor, as much as the recursion's own arithmetic on a basin map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A stored pair for every tensor of the batch, ``(y, s, rho)`` with ``rho`` = 1 / y.s where
#: the tensor stored it; where it did not, ``rho`` is 0 (and ``y`` and ``s`` are 0 too).
Pair = tuple[np.ndarray, np.ndarray, np.ndarray]


#: Up to this many tensors (one, or a stack), :func:`_windows` takes all the pairs in a few
#: array operations rather than a few per pair; more, pair by pair.
FEW_TENSORS = 64


def _windows(pairs: tuple[Pair, ...], size: int) -> list[np.ndarray]:
    """Each pair's ``rho`` where a tensor uses it (among its newest ``size`` stored), else 0.

    Only a batch whose tensors skipped different steps holds more than ``size``
    pairs (one tensor, ``size + 1`` until the oldest goes); the newest ``size`` are
    within every tensor's window.
    """
    rhos = [rho for _, _, rho in pairs]
    old = len(pairs) - size
    if old > 0 and rhos[0].size <= FEW_TENSORS:
        stacked = np.stack(rhos)
        stored = stacked != 0
        newer = np.cumsum(stored[::-1], axis=0)[::-1] - stored  # stored pairs after each
        masked = np.multiply(stacked, newer < size)
        return [masked[i, ...] for i in range(len(rhos))]  # arrays, even of shape ()
    if old > 0:  # one buffer for the counts and one for the masked rhos (no churn of arrays)
        seen, stored = np.zeros(rhos[0].shape, dtype=np.int64), np.empty(rhos[0].shape, bool)
        for rho in rhos[old:]:
            seen += np.not_equal(rho, 0, out=stored)
        masked = np.empty((old, *rhos[0].shape), dtype=rhos[0].dtype)
        for i in range(old - 1, -1, -1):
            row = masked[i, ...]  # an array even for one tensor (rho of shape ())
            np.multiply(rhos[i], seen < size, out=row)
            seen += np.not_equal(rhos[i], 0, out=stored)
            rhos[i] = row
    return rhos


@dataclass(frozen=True)
class PairUsers:
    """Which tensors of a batch of points use each stored pair, kept with the pairs
    (``LBFGSState.users``) so that a step updates it (:func:`advance_users`) rather than
    counting it again (:func:`count_users`).

    ``users[i]``, for pair ``i``: None where its users are the tensors that stored it
    (``rho != 0``) and they are at least an eighth of the batch, else their indices. A
    pair among the newest ``size`` is used by every tensor that stored it; an older one
    only by those that skipped steps since, while it is among their newest ``size``
    stored pairs. ``recent``: per tensor, its stored pairs among the newest ``size``.
    """

    users: tuple[np.ndarray | None, ...]
    recent: np.ndarray


def _frozen(a: np.ndarray) -> np.ndarray:
    """``a``, read-only: a state's arrays never change once made."""
    a.setflags(write=False)
    return a


def _storers(rho: np.ndarray) -> np.ndarray | None:
    """The users of a pair among the newest: None if many, else where ``rho`` is not 0."""
    return None if 8 * np.count_nonzero(rho) >= rho.size else _frozen(np.flatnonzero(rho))


def count_users(pairs: tuple[Pair, ...], size: int, n: int) -> PairUsers:
    """The users of every pair of a batch of ``n`` points, from the pairs alone."""
    rhos = [rho.ravel() for _, _, rho in pairs]
    old = max(0, len(rhos) - size)
    recent = np.zeros(n, dtype=np.int64)
    for rho in rhos[old:]:
        recent += rho != 0
    seen, users = recent.copy(), []
    for rho in reversed(rhos[:old]):  # newest first: stored pairs after each, per tensor
        stored = rho != 0
        users.append(_frozen(np.flatnonzero(stored & (seen < size))))
        seen += stored
    return PairUsers((*reversed(users), *map(_storers, rhos[old:])), _frozen(recent))


def advance_users(before: PairUsers, pairs: tuple[Pair, ...], size: int) -> PairUsers:
    """The users of ``pairs`` from ``before``, those of all of them but the newest.

    The tensors that stored the newest pair count one more recent pair; those whose
    window was full drop their oldest pair (an older pair's user, or the pair that
    now leaves the newest ``size``, which keeps those of its storers that reach further).
    """
    stored = pairs[-1][2].ravel() != 0
    users, old = list(before.users), len(before.users) - size
    if old > 0:
        users[:old] = _drop_oldest(users[:old], stored, before.recent, size)
    recent = before.recent + stored
    if old >= 0:  # pair ``old`` leaves the newest ``size``
        storers = users[old]
        if storers is None:
            left = pairs[old][2].ravel() != 0
            recent -= left
            users[old] = _frozen(np.flatnonzero(left & (recent < size)))
        else:
            recent[storers] -= 1
            users[old] = _frozen(storers[recent[storers] < size])
    users.append(_storers(pairs[-1][2].ravel()))
    return PairUsers(tuple(users), _frozen(recent))


def _drop_oldest(old: list, stored: np.ndarray, recent: np.ndarray, size: int) -> list:
    """The older pairs' users, less each tensor that stores a pair now with its window
    full (``size`` pairs, the recent ones and these) at its oldest pair."""
    counts = [len(u) for u in old]
    if not any(counts):
        return old
    members = np.concatenate(old)  # oldest pair first, so a tensor's first is its oldest
    tensors, first, held = np.unique(members, return_index=True, return_counts=True)
    gone = first[stored[tensors] & (recent[tensors] + held == size)]
    if not len(gone):
        return old
    ends = np.cumsum(counts)
    keep = np.ones(len(members), dtype=bool)
    keep[gone] = False
    for i in np.unique(np.searchsorted(ends, gone, side="right")):  # the pairs that lose some
        old[i] = _frozen(old[i][keep[ends[i] - counts[i] : ends[i]]])
    return old


def two_loop(g: np.ndarray, pairs: tuple[Pair, ...], h_diag: np.ndarray, size: int,
             axes: tuple[int, ...], users: PairUsers | None = None,
             ) -> tuple[np.ndarray, int, PairUsers | None]:  # fmt: skip
    """:math:`-H g` by the two-loop recursion over the stored pairs, in torch's order, the
    index of the oldest pair a tensor still uses (the older ones can go), and for a batch
    of points the pairs' users from there on (else None).

    An empty slot (``rho`` 0, ``y`` and ``s`` 0) adds exactly nothing, nor does a
    pair beyond a tensor's window (its ``rho`` taken as 0). A point (a tensor of
    two entries, as on the surfaces) is done in Python floats, one tensor at a
    time: the same operations without numpy's per-call overhead, which would be
    nearly all of the time there; a batch of points, one coordinate at a time, from
    ``users``: those of all the pairs but the newest (a step that stored one) or of all
    of them, as the state carries them; None counts them from the pairs.
    """
    k = len(axes)
    batch = g.shape[: g.ndim - k]
    if batch and g.size == 2 * int(np.prod(batch)):  # a batch of points: two coordinates
        if users is None:
            users = count_users(pairs, size, g.size // 2)
        elif len(users.users) < len(pairs):
            users = advance_users(users, pairs, size)
        oldest = next((i for i, u in enumerate(users.users) if u is None or len(u)),
                      len(pairs))  # fmt: skip
        users = PairUsers(users.users[oldest:], users.recent)
        return _two_loop_points(g, pairs[oldest:], users.users, h_diag), oldest, users
    rhos = _windows(pairs, size)
    oldest = next((i for i, rho in enumerate(rhos) if rho.any()), len(pairs))
    pairs, rhos = pairs[oldest:], rhos[oldest:]
    if g.size == 2 and not batch:
        ys, ss = ([p[j].ravel().tolist() for p in pairs] for j in (0, 1))
        r0, r1 = _two_loop_point(*g.ravel().tolist(), ys, ss, [float(rho) for rho in rhos],
                                 float(h_diag))  # fmt: skip
        return np.reshape(np.array([r0, r1], dtype=g.dtype), g.shape), oldest, None

    def per(a: np.ndarray) -> np.ndarray:
        return np.reshape(a, np.shape(a) + (1,) * k)

    q, a = -g, []
    for (y, s, _), rho in zip(reversed(pairs), reversed(rhos), strict=True):
        a.append(per(np.sum(s * q, axis=axes) * rho))
        q = q - a[-1] * y
    r = q * per(h_diag)
    for (y, s, _), rho, a_i in zip(pairs, rhos, reversed(a), strict=True):
        r = r + (a_i - per(np.sum(y * r, axis=axes) * rho)) * s
    return r, oldest, None


#: A pair that at most this many tensors of a batch use is applied to each of them in
#: numpy scalars (the same operations): cheaper than gathering and scattering arrays.
ONE_BY_ONE = 2


def _two_loop_points(g: np.ndarray, pairs: tuple[Pair, ...], users: tuple,
                     h_diag: np.ndarray) -> np.ndarray:  # fmt: skip
    """The two-loop recursion for a batch of two-entry tensors, coordinate by coordinate:
    the operations of :func:`_two_loop_point` on arrays of the batch.

    A pair used by few tensors (stored by few, or older than the newest
    ``history_size`` and so used only by those that skipped steps) is applied to those alone: the
    others would add exactly nothing (so a pair that none uses is skipped); to one or two of
    them in numpy scalars (a batch of a sweep's rates holds many such pairs). A pair that
    many use is applied to every tensor, its ``rho`` 0 for the others.
    """
    two = g.reshape(-1, 2)
    q0, q1, tmp = -two[:, 0], -two[:, 1], np.empty(len(two), dtype=g.dtype)
    cols, few = [], []  # the pairs some tensor uses, by column; which tensors, unless most do
    for (y, s, rho), j in zip(pairs, users, strict=True):
        rho = rho.ravel()
        if j is not None and 8 * len(j) >= len(two):  # an older pair many still use
            masked = np.zeros_like(rho)
            masked[j] = rho[j]
            rho, j = masked, None
        if j is None or len(j):
            y, s = y.reshape(-1, 2), s.reshape(-1, 2)
            cols.append((y[:, 0], y[:, 1], s[:, 0], s[:, 1], rho))
            few.append(j.tolist() if j is not None and len(j) <= ONE_BY_ONE else j)
    a: list = [tmp] * len(cols)
    for i in range(len(cols) - 1, -1, -1):
        y0, y1, s0, s1, rho = cols[i]
        j = few[i]
        if isinstance(j, list):
            a[i] = []
            for m in j:
                a[i].append(a_m := (s0[m] * q0[m] + s1[m] * q1[m]) * rho[m])
                q0[m] -= a_m * y0[m]
                q1[m] -= a_m * y1[m]
            continue
        if j is not None:  # each gathered once: q0[j] -= ... would gather it again
            q0_j, q1_j = q0[j], q1[j]
            a[i] = a_j = (s0[j] * q0_j + s1[j] * q1_j) * rho[j]
            q0[j] = q0_j - a_j * y0[j]
            q1[j] = q1_j - a_j * y1[j]
            continue
        # An array of its own (not rows of one buffer for all pairs, tens of MB of fresh
        # pages each step on a basin map): the allocator hands back the last step's.
        a[i] = a_i = np.multiply(s0, q0)
        a_i += np.multiply(s1, q1, out=tmp)
        a_i *= rho
        q0 -= np.multiply(a_i, y0, out=tmp)
        q1 -= np.multiply(a_i, y1, out=tmp)
    h = h_diag.ravel()
    r0, r1, c_buffer = q0 * h, q1 * h, np.empty_like(tmp)
    for i, (y0, y1, s0, s1, rho) in enumerate(cols):
        j = few[i]
        if isinstance(j, list):
            for m, a_m in zip(j, a[i], strict=True):
                c_m = a_m - (y0[m] * r0[m] + y1[m] * r1[m]) * rho[m]
                r0[m] += c_m * s0[m]
                r1[m] += c_m * s1[m]
            continue
        if j is not None:
            r0_j, r1_j = r0[j], r1[j]
            c = a[i] - (y0[j] * r0_j + y1[j] * r1_j) * rho[j]
            r0[j] = r0_j + c * s0[j]
            r1[j] = r1_j + c * s1[j]
            continue
        c = np.multiply(y0, r0, out=c_buffer)
        c += np.multiply(y1, r1, out=tmp)
        c *= rho
        np.subtract(a[i], c, out=c)
        r0 += np.multiply(c, s0, out=tmp)
        r1 += np.multiply(c, s1, out=tmp)
    return np.stack([r0, r1], axis=-1).reshape(g.shape)


def _two_loop_point(g0: float, g1: float, ys: list, ss: list, rhos: list,
                    h_diag: float) -> tuple[float, float]:  # fmt: skip
    """The two-loop recursion for one two-entry tensor, in Python floats."""
    q0, q1, a = -g0, -g1, [0.0] * len(ys)
    for i in range(len(ys) - 1, -1, -1):
        (s0, s1), (y0, y1) = ss[i], ys[i]
        a_i = a[i] = (s0 * q0 + s1 * q1) * rhos[i]
        q0, q1 = q0 - a_i * y0, q1 - a_i * y1
    r0, r1 = q0 * h_diag, q1 * h_diag
    for (y0, y1), (s0, s1), rho_i, a_i in zip(ys, ss, rhos, a, strict=True):
        c = a_i - (y0 * r0 + y1 * r1) * rho_i
        r0, r1 = r0 + c * s0, r1 + c * s1
    return r0, r1
