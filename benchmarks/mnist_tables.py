"""Rerun the course notes' MNIST tables with atlas, and print ours beside theirs.

The notes train ReLU networks with hidden layers of 200 units, softmax and
cross-entropy, and report the mean test error over runs:

=========================  =======================  =====================
model                      small (5,000 / 1,000)    full (60,000 / 10,000)
=========================  =======================  =====================
logistic regression 784-10        9.52 %                  7.55 %
1 hidden layer 784-200-10         6.78 %                  1.97 %
2 hidden layers                   5.88 %                  1.85 %
=========================  =======================  =====================

The small table trains on mnist-small's 5,000 images and reports the error on
the first 1,000 test images (as the notes did) and on all 10,000. The full
table needs full MNIST (``atlas data fetch mnist``); it is skipped otherwise.
Each row is the mean (± standard deviation) over ``--seeds`` seeds.

``--best`` instead trains the best-effort model on Fashion-MNIST
(784-512-512-10 ReLU, Adam, dropout, cosine schedule; target >= 89 %).

**How our settings were chosen (legitimate means only, printed under the table).**
Every row may use: Adam/AdamW with a tuned weight decay (L2), longer training with
a cosine schedule, dropout, augmentation of the *training* set by one-pixel
shifts (each image is added again moved by one pixel up, down, left and right,
zero-filled: ``AUGMENT``), and a fixed preprocessing step of the model's pipeline,
applied to the training and the test images alike (``PREPROCESS``): *deskewing*
(LeCun et al. 1998, "linear classifier, deskewing"), which shears each image
upright by the slant alpha = cov(x, y) / var(y) of its pixel mass
(:func:`atlas.data.transforms.deskew`; it looks at one image at a time and learns
nothing from the data). Shifts are applied after deskewing.

Nothing is tuned on the test set: the candidate settings of the logistic-regression
row (``CANDIDATES``) are compared on a validation split of the training set (the
last 1,000 of a fixed permutation of the 5,000 training images; the model trains on
the other 4,000), which ``--tune`` reruns and prints, and the row uses the candidate
with the lowest mean validation error over 5 seeds. Without deskewing the best was
9.12 % (AdamW, weight decay 0.5, shifts), yet the row kept plain Adam with shifts
(9.18 %), whose test error on the first 1,000 images (10.12 %) was above the notes'
9.52 %. With deskewing, Adam with shifts for 30 epochs has the lowest validation
error, 6.16 ± 0.12 % (weight decay 1e-4: 6.18 %, no shifts: 7.24 %); that is the row's
setting. The hidden-layer rows are left as they were (already below the notes),
although deskewing also lowered their validation error in a side check (3 seeds, their
own settings: 784-200-10 5.73 → 4.67 %, 784-200-200-10 5.20 → 4.07 %).
The test images are only used for the table itself, averaged over the seeds.

    python benchmarks/mnist_tables.py [--seeds 5] [--quick] [--best] [--tune] [--out DIR]
                                      [--rows MODEL ...] [--as-is]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

# One OpenBLAS thread and glibc malloc settings that reuse freed memory, as in
# benchmarks/mnist_speed.py (see its docstring for the measurements); applied by
# re-executing once, unless --as-is is given. Values already in the environment win.
from _setup import SMALL, apply_environment  # benchmarks/_setup.py

if __name__ == "__main__":
    apply_environment()

import numpy as np

from atlas import data, nn
from atlas.examples import mnist as table

# The table's settings, data steps and scoring live in atlas (the book's catalog entry
# mnist/tables computes the small table with them); this script adds the full table,
# the --tune search and the Fashion-MNIST best effort.
NOTES, TITLES, AUGMENT, PREPROCESS = table.NOTES, table.TITLES, table.AUGMENT, table.PREPROCESS
SMALL_SETTINGS = table.SMALL_SETTINGS
preprocessed, augmented, error_on = table.preprocessed, table.augmented, table.error_on
FULL_SETTINGS = {
    "784-10": dict(lr=1e-3, epochs=15, batch_size=100, weight_decay=1e-4, schedule="cosine"),
    "784-200-10": dict(lr=1e-3, epochs=20, batch_size=100, dropout=0.2, schedule="cosine"),
    "784-200-200-10": dict(lr=1e-3, epochs=20, batch_size=100, dropout=0.2, schedule="cosine"),
}
BEST = dict(model="784-512-512-10", activation="relu", optimizer="adam", lr=1e-3, epochs=30,
            batch_size=128, dropout=0.2, schedule="cosine")


# Candidates for the logistic-regression row, compared by --tune on the validation split:
# each setting on raw pixels and on deskewed images (training and validation images alike),
# and two more on deskewed images only.
_SETTINGS = (
    dict(optimizer="adamw", lr=1e-3, epochs=100, batch_size=50, weight_decay=0.1,
         schedule="cosine", augment="none"),
    dict(lr=1e-3, epochs=50, batch_size=50, weight_decay=1e-4, schedule="cosine",
         augment="none"),
    dict(lr=1e-3, epochs=30, batch_size=100, schedule="cosine", augment="shift1"),
    dict(lr=1e-3, epochs=60, batch_size=100, schedule="cosine", augment="shift1"),
    dict(lr=1e-3, epochs=30, batch_size=100, weight_decay=1e-4, schedule="cosine",
         augment="shift1"),
    dict(optimizer="adamw", lr=1e-3, epochs=30, batch_size=100, weight_decay=0.5,
         schedule="cosine", augment="shift1"),
)
CANDIDATES = (
    *_SETTINGS,
    *({**setting, "preprocess": "deskew"} for setting in _SETTINGS),
    dict(lr=1e-3, epochs=30, batch_size=100, schedule="cosine", preprocess="deskew",
         augment="none"),
    dict(lr=1e-3, epochs=30, batch_size=100, schedule="cosine", preprocess="deskew",
         augment="shift1_diagonal"),
)


def validation_split(dataset, n_val: int = 1000, seed: int = 2024):
    """Train on all but ``n_val`` training images; the held-out ones play the test set."""
    order = np.random.default_rng(seed).permutation(len(dataset.x_train))
    keep, held = order[:-n_val], order[-n_val:]
    return data.Dataset(
        name=f"{dataset.name}-validation", x_train=dataset.x_train[keep],
        y_train=dataset.y_train[keep], x_test=dataset.x_train[held],
        y_test=dataset.y_train[held], classes=dataset.classes,
    )


def tune(small_dir, seeds: int) -> None:
    """Print the validation error of every candidate of the logistic-regression row."""
    split = validation_split(data.load(str(small_dir)))
    print(f"### Tuning logistic regression on a validation split: train on "
          f"{len(split.x_train):,}, validate on {len(split.x_test):,} training images, "
          f"mean over {seeds} seed(s)\n")
    means = []
    for candidate in CANDIDATES:
        options = dict(candidate)
        augment = options.pop("augment")
        train_set = augmented(preprocessed(split, options.pop("preprocess", "none")), augment)
        options.setdefault("optimizer", "adam")
        errors = []
        for seed in range(seeds):
            config = nn.TrainConfig(model="784-10", seed=seed, eval_every=options["epochs"],
                                    **options)
            result = nn.train(config, train_set, progress=False)
            errors.append(100.0 * result.final["test_error"])
        print(f"- {fmt(np.array(errors))} validation error: {candidate}", flush=True)
        means.append(np.mean(errors))
    print(f"\nLowest mean validation error: {CANDIDATES[int(np.argmin(means))]}\n")


def run_table(dataset, settings, seeds, quick, out, tag, first=None):
    """Train each model for each seed; returns {model: (errors on first, errors on all)}."""
    rows = {}
    for spec, extra in settings.items():
        errors_first, errors_all = [], []
        row_set = preprocessed(dataset, extra.get("preprocess", "none"))  # train and test
        train_set = augmented(row_set, extra.get("augment", "none"))
        for seed in range(seeds):
            options = {k: v for k, v in extra.items() if k not in ("preprocess", "augment")}
            if quick:
                options["epochs"] = max(1, options["epochs"] // 10)
            options.setdefault("optimizer", "adam")
            config = nn.TrainConfig(model=spec, activation="relu", seed=seed,
                                    eval_every=options["epochs"], **options)
            start = time.perf_counter()
            result = nn.train(config, train_set, progress=False)
            if result.status != "ok":
                raise SystemExit(f"{spec} seed {seed}: {result.message}")
            if out:
                nn.save_run(result, Path(out) / f"{tag}_{spec}_seed{seed}")
            errors_all.append(100.0 * result.final["test_error"])
            if first:
                errors_first.append(error_on(result.model, row_set.x_test[:first],
                                             row_set.y_test[:first]))
            print(f"  {tag} {spec:<15} seed {seed}: {errors_all[-1]:.2f} % on all test images "
                  f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
        rows[spec] = (np.array(errors_first), np.array(errors_all))
    return rows


def fmt(errors: np.ndarray) -> str:
    return f"{errors.mean():.2f} ± {errors.std():.2f} %" if errors.size else "—"


def selected(settings: dict, only: list[str] | None) -> dict:
    """The rows of ``settings`` named in ``only`` (all of them if ``only`` is None)."""
    return {spec: extra for spec, extra in settings.items() if only is None or spec in only}


def small_table(seeds, quick, out, small_dir, only=None) -> None:
    dataset = data.load(str(small_dir))
    print(f"### Small: {len(dataset.x_train):,} training images (mnist-small), "
          f"mean over {seeds} seed(s)\n")
    start = time.perf_counter()
    settings = selected(SMALL_SETTINGS, only)
    rows = run_table(dataset, settings, seeds, quick, out, "small", first=1000)
    print("| model | notes: first 1,000 test | ours: first 1,000 test | ours: all 10,000 test "
          "| not worse |")
    print("|---|---|---|---|---|")
    for spec, (first, full) in rows.items():
        verdict = "yes" if first.mean() <= NOTES[spec][0] else "**no**"
        print(f"| {TITLES[spec]} ({spec}) | {NOTES[spec][0]:.2f} % | {fmt(first)} | {fmt(full)} "
              f"| {verdict} |")
    print(f"\n({time.perf_counter() - start:.0f} s)")
    print("\nOur settings (PREPROCESS: 'deskew' shears every training and test image upright "
          "by its moments;\nAUGMENT: 'shift1' adds each training image moved by one pixel up, "
          "down, left, right;\nthe logistic-regression row chosen on a validation split of the "
          "training set, see --tune;\nno setting was tuned on the test images):")
    for spec, extra in settings.items():
        print(f"- {TITLES[spec]}: {extra}")
    print()


def full_table(seeds, quick, out, data_dir, only=None) -> None:
    try:
        dataset = data.load("mnist", data_dir=data_dir, download=False)
    except (FileNotFoundError, ValueError) as error:
        print(f"### Full: skipped — full MNIST is not available ({error})\n")
        return
    print(f"### Full: {len(dataset.x_train):,} training images, mean over {seeds} seed(s)\n")
    rows = run_table(dataset, selected(FULL_SETTINGS, only), seeds, quick, out, "full")
    print("| model | notes | ours | not worse |")
    print("|---|---|---|---|")
    for spec, (_, full) in rows.items():
        verdict = "yes" if full.mean() <= NOTES[spec][1] else "**no**"
        print(f"| {TITLES[spec]} ({spec}) | {NOTES[spec][1]:.2f} % | {fmt(full)} | {verdict} |")
    print()


def best(quick, out) -> None:
    try:
        dataset = data.load("fashion_mnist", download=False)
    except (FileNotFoundError, ValueError) as error:
        print(f"best: skipped — Fashion-MNIST is not available ({error})")
        return
    settings = dict(BEST, epochs=2) if quick else BEST
    config = nn.TrainConfig(**settings, seed=0)
    result = nn.train(config, dataset)
    if out:
        nn.save_run(result, Path(out) / "best_fashion_mnist")
    accuracy = 100 * result.final.get("test_accuracy", float("nan"))
    print(f"### Best effort on Fashion-MNIST\n\n{dataclasses.asdict(config)}\n")
    print(f"test accuracy {accuracy:.2f} % (target >= 89 %), macro F1 "
          f"{result.final['class_report']['macro_f1']:.4f}, {result.seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs per row (default 5)")
    parser.add_argument("--quick", action="store_true", help="a tenth of the epochs (smoke test)")
    parser.add_argument("--best", action="store_true", help="the best-effort Fashion-MNIST model")
    parser.add_argument("--as-is", action="store_true",
                        help="keep the environment as it is (no thread or malloc settings)")
    parser.add_argument("--tune", action="store_true",
                        help="compare the logistic-regression candidates on a validation split")
    parser.add_argument("--rows", nargs="+", choices=list(SMALL_SETTINGS), default=None,
                        metavar="MODEL", help="only these rows, e.g. --rows 784-10 "
                        f"(default: all of {', '.join(SMALL_SETTINGS)})")
    parser.add_argument("--out", default=None, help="also save every run into this directory")
    parser.add_argument("--small", default=str(SMALL), help="mnist-small directory")
    parser.add_argument("--data-dir", default=None, help="where full MNIST is looked for")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    if args.best:
        best(args.quick, args.out)
        return 0
    if args.tune:
        tune(args.small, args.seeds)
        return 0
    small_table(args.seeds, args.quick, args.out, args.small, args.rows)
    full_table(args.seeds, args.quick, args.out, args.data_dir, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
