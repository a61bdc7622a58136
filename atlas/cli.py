"""The ``atlas`` command: a thin layer over the functions a notebook calls.

Every subcommand reads the same registries and calls the same functions as
``import atlas`` does. Bad input prints one clear message to standard error
and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

KINDS = ("surfaces", "optimizers", "activations", "losses")


def _registry(kind: str):
    import importlib

    return importlib.import_module(f"atlas.{kind}").registry


def _cmd_list(args: argparse.Namespace) -> int:
    kinds = [args.kind] if args.kind else list(KINDS)
    for i, kind in enumerate(kinds):
        registry = _registry(kind)
        if i:
            print()
        print(f"{kind} ({len(registry)})")
        width = max(len(name) for name in registry)
        for name, entry in registry.items():
            print(f"  {name:<{width}}  {entry.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atlas",
        description="A visual atlas of how neural networks learn.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="list surfaces, optimizers, activations and losses")
    p.add_argument("kind", nargs="?", choices=KINDS, help="only this kind")
    p.set_defaults(func=_cmd_list)
    return parser




def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    from atlas.registry import UnknownNameError

    args = build_parser().parse_args(argv)  # argparse itself exits 2 on bad usage
    try:
        return int(args.func(args) or 0)
    except (UnknownNameError, ValueError, FileNotFoundError, PermissionError) as error:
        print(f"atlas {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"atlas {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
