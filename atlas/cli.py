"""The ``atlas`` command: a thin layer over the functions a notebook calls.

Every subcommand reads the same registries and calls the same functions as
``import atlas`` does. Bad input prints one clear message to standard error
and exits with status 2. A warning (e.g. a corrupt data file passed over for a
verified copy) is one line on standard error, ``atlas <command>: warning: ...``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

KINDS = ("surfaces", "optimizers", "activations", "losses", "data")


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


_SHOWN = {"latex": "formula", "derivative_latex": "derivative"}


def _formula(text: str, field: str, latex: bool) -> str:
    """A field as ``atlas show`` prints it: formulas as Unicode text (their LaTeX source with
    ``--latex``), the lines of a multi-line one aligned under its first."""
    if field == "title":
        return text.strip()
    if latex:
        return text.strip()
    from atlas.latex_text import to_text

    return to_text(text).replace("\n", "\n" + " " * 19)


def _cmd_show(args: argparse.Namespace) -> int:
    from atlas.registry import UnknownNameError

    every: list[str] = []
    for kind in KINDS:
        registry = _registry(kind)
        if args.name in registry:
            entry = registry.get(args.name)
            print(f"{args.name} ({registry.kind}): {entry.description}")
            for field in ("title", "latex", "derivative_latex", "range"):
                if getattr(entry, field, None):
                    print(f"  {_SHOWN.get(field, field):<16} "
                          f"{_formula(str(getattr(entry, field)), field, args.latex)}")
            if kind == "optimizers":
                print(f"  {'defaults':<16} {entry().hyperparameters()}")
            if kind == "surfaces":
                print(f"  {'domain':<16} {entry.domain}")
                print(f"  {'start':<16} {entry.start}")
                for p in entry.minima + entry.critical:
                    print(f"  {p.kind:<16} ({p.x:.10g}, {p.y:.10g}) -> {p.value:.15g}")
            return 0
        every += registry.names()
    raise UnknownNameError("name", args.name, every)


def _cmd_render(args: argparse.Namespace) -> int:
    from atlas import catalog
    from atlas.render import render

    if args.list:  # the entries asked for and what they need: artifacts and figures
        entries = catalog.with_needs(catalog.select(args.names, quick=args.quick), args.quick)
        width = max(len(entry.name) for entry in entries)
        for entry in entries:
            role = "artifact" if entry.artifact else "figure"
            print(f"{entry.name:<{width}}  {role:<8}  {entry.kind:<9}  {entry.description}")
        return 0
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    report = render(args.names, out=args.out, formats=formats, jobs=args.jobs,
                    force=args.force, quick=args.quick)
    print(f"{len(report.rendered)} rendered, {len(report.skipped)} up to date, in {report.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    import dataclasses

    from atlas import data, nn

    config = nn.TrainConfig(
        model=args.model, activation=args.activation, optimizer=args.optimizer, lr=args.lr,
        epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, dropout=args.dropout,
        weight_decay=args.weight_decay, schedule=args.schedule, dtype=args.dtype,
        snapshot_every=args.snapshot_every,
    )  # validates every name and number before the data is read
    dataset = data.load(args.dataset, data_dir=args.data_dir)
    if args.limit is not None:
        if args.limit < 1:
            raise ValueError(f"--limit must be a positive integer, got {args.limit}")
        dataset = dataclasses.replace(
            dataset, x_train=dataset.x_train[: args.limit], y_train=dataset.y_train[: args.limit]
        )
    named = args.dataset in data.registry  # else a directory: identified by its full path
    ident = args.dataset if named else str(Path(args.dataset).resolve())
    out = args.out or Path("runs") / nn.run_name(config, ident, args.limit)
    with nn.RunWriter(out, force=args.force) as writer:  # checked before the first step
        result = nn.train(config, dataset)
        path = writer.save(result)
    print(f"{result.status}: {result.message}")
    print(f"results written to {path.parent}")
    return 0 if result.status == "ok" else 1


def _cmd_data(args: argparse.Namespace) -> int:
    from atlas import data

    def report(progress: data.DownloadProgress) -> None:
        if progress.done == progress.total:
            print(f"  {progress.file}: {progress.total:,} bytes from {progress.url}",
                  file=sys.stderr)

    directory = data.fetch(args.name, data_dir=args.data_dir, progress=report)
    print(f"{args.name}: ready in {directory}")
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

    p = sub.add_parser("show", help="formula, description and defaults of one entry")
    p.add_argument("name", help="a surface, optimizer, activation, loss or data set name")
    p.add_argument("--latex", action="store_true",
                   help="print the formulas' LaTeX source instead of text")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("render", help="render the book's figures (only those that changed)")
    p.add_argument("names", nargs="*", metavar="NAME_OR_GLOB",
                   help="entries to build, with what they need, e.g. 'race/*/3d' (default: all)")
    p.add_argument("--out", default=None,  # a str: an empty --out is refused, not "."
                   help="output directory (default: book/_generated in the repository)")
    p.add_argument("--formats", default="mp4,png", help="animation formats: mp4,png,gif")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default: CPUs)")
    p.add_argument("--force", action="store_true",
                   help="rebuild the entries named even if up to date (what they need: if stale)")
    p.add_argument("--list", action="store_true",
                   help="print the entries (artifacts and figures) and exit")
    p.add_argument("--quick", action="store_true", help="tiny settings (for tests)")
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser("train", help="train a network from scratch and save its results")
    p.add_argument("--dataset", default="mnist",
                   help="mnist, fashion_mnist, or a directory holding four IDX files")
    p.add_argument("--model", default="784-200-200-10", help="layer widths, e.g. 784-200-10")
    p.add_argument("--activation", default="relu", help="hidden activation (atlas list)")
    p.add_argument("--optimizer", default="adam", help="optimizer name (atlas list)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dropout", type=float, default=0.0, help="drop probability (hidden)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="L2 on weight matrices")
    p.add_argument("--schedule", default="constant", help="constant, cosine or step")
    p.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    p.add_argument("--snapshot-every", type=int, default=0,
                   help="save the flattened parameters every k steps (0: never)")
    p.add_argument("--limit", type=int, default=None, help="use the first N training images")
    p.add_argument("--data-dir", type=Path, default=None, help="where the data sets live")
    p.add_argument("--out", type=Path, default=None,
                   help="output directory (default: runs/<dataset>_<model>_..._<hash>)")
    p.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("data", help="download data sets ahead of time")
    data_sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = data_sub.add_parser("fetch", help="download and verify a data set")
    q.add_argument("name", help="mnist or fashion_mnist")
    q.add_argument("--data-dir", type=Path, default=None, help="where the data sets live")
    q.set_defaults(func=_cmd_data)
    return parser


def warning_printer(command: str) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints each warning as one line on stderr.

    atlas's own warnings are messages for the user, shown as they are; any other
    (a library's) also names its category and where it was raised.
    """

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        text = " ".join(str(message).split())  # one line, whatever the message holds
        if not category.__module__.startswith("atlas."):
            text += f" ({category.__name__}, {filename}:{lineno})"
        print(f"atlas {command}: warning: {text}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    from atlas.registry import UnknownNameError

    args = build_parser().parse_args(argv)  # argparse itself exits 2 on bad usage
    try:
        with warnings.catch_warnings():  # restores the usual display afterwards
            warnings.showwarning = warning_printer(args.command)
            return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. `atlas list | head`: the reader left, nothing is wrong
        sys.stdout = None
        return 0
    except (UnknownNameError, ValueError, OSError) as error:  # OSError: files, disks, rights
        print(f"atlas {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"atlas {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
