"""Benchmark: atlas's portable elementary functions against numpy's, and the surfaces with each.

``atlas.surfaces.elementary`` computes exp, expm1, tanh, sin, cos, sinc and hypot by
correctly rounded operations only, so that the explorer's JavaScript gives the same bits;
numpy calls its library (SIMD where it has it). This prints, for each function, the time
of numpy's and of atlas's on one point (a 1-element array, as a single-start run asks) and
on 40,000 points (a 200 x 200 basin map), and their ratio; then the same for
``gradient_xy`` and ``value_xy`` of the surfaces that call them (Ackley, Rastrigin, Lévi,
the tanh bowl, the sinc well, the narrow valley), each run once as atlas declares it and
once with numpy's functions put back in its formulas (the surfaces as they were before).
Every pair is timed in turns (``_setup.in_turns``), best of ``--repeat`` rounds.

Run ``python benchmarks/elementary.py [--repeat 5] [--functions sin cos] [--surfaces levi]``
(default: all of them). To time a previous version of the functions, put its checkout first
on the path: ``PYTHONPATH=/path/to/old/checkout python benchmarks/elementary.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import time
import types
from collections.abc import Callable

import numpy as np
from _setup import in_turns  # benchmarks/_setup.py

from atlas import surfaces
from atlas.surfaces import elementary

FUNCTIONS = ("exp", "expm1", "tanh", "sin", "cos", "sinc", "hypot")
SURFACES = ("ackley", "rastrigin", "levi", "tanh_squared", "sinc_well", "narrow_valley")
NUMPY = types.SimpleNamespace(**{name: getattr(np, name) for name in FUNCTIONS},
                              sin_cos=lambda x: (np.sin(x), np.cos(x)))
ONE, MANY = 20000, 20  # calls per timing on one point and on 40,000


def with_numpy(func: Callable) -> Callable:
    """``func`` with ``elementary`` in its module (and its module's helpers) replaced by
    numpy's functions: the formula as it was written before the portable functions."""
    namespace = dict(func.__globals__)
    namespace["elementary"] = NUMPY

    def copy(f: types.FunctionType) -> types.FunctionType:
        return types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__,
                                  f.__closure__)  # fmt: skip

    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is func.__globals__:
            namespace[name] = copy(value)
    return copy(func)


def timing(call: Callable[[], object], calls: int) -> Callable[[], tuple[float, None]]:
    """A contestant for ``in_turns``: seconds per call of ``call``, over ``calls`` calls."""
    def run() -> tuple[float, None]:
        start = time.perf_counter()
        for _ in range(calls):
            call()
        return (time.perf_counter() - start) / calls, None
    return run


def compare(label: str, numpy_call: Callable, atlas_call: Callable, calls: int,
            repeat: int) -> None:  # fmt: skip
    (mine, _), (theirs, _) = in_turns(repeat, timing(atlas_call, calls),
                                      timing(numpy_call, calls))
    print(f"{label:42s} numpy {theirs * 1e6:9.1f} us   atlas {mine * 1e6:9.1f} us   "
          f"x{mine / theirs:5.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best of each is kept")
    parser.add_argument("--functions", nargs="*", default=FUNCTIONS, choices=FUNCTIONS)
    parser.add_argument("--surfaces", nargs="*", default=SURFACES, choices=SURFACES)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    one, many = np.array([0.7]), rng.uniform(-30.0, 30.0, 40000)
    other_one, other_many = np.array([-1.3]), rng.uniform(-30.0, 30.0, 40000)
    print("The functions (arguments uniform in [-30, 30]):")
    for name in args.functions:
        ours, theirs = getattr(elementary, name), getattr(np, name)
        for x, y, calls, size in ((one, other_one, ONE, "1 point"),
                                  (many, other_many, MANY, "40,000 points")):
            given = (x, y) if name == "hypot" else (x,)
            compare(f"  {name}, {size}", functools.partial(theirs, *given),
                    functools.partial(ours, *given), calls, args.repeat)
    print("The surfaces (one point; a 200 x 200 grid of their box), with numpy's functions "
          "and with atlas's:")
    for name in args.surfaces:
        surface = surfaces.get(name)
        before = dataclasses.replace(surface, f=with_numpy(surface.f),
                                     grad=with_numpy(surface.grad))
        (x0, x1), (y0, y1) = surface.domain
        grid = np.stack(np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200)), -1)
        point = grid[37, 91][np.newaxis]
        for method in ("gradient_xy", "value_xy"):
            for p, calls, size in ((point, ONE // 4, "1 point"), (grid, MANY, "40,000 points")):
                compare(f"  {name}.{method}, {size}", functools.partial(getattr(before, method), p),
                        functools.partial(getattr(surface, method), p), calls, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
