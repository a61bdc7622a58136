"""What the MNIST figures of :mod:`atlas.catalog.mnist` show, in words: their alt text.

Each entry of :func:`atlas.catalog.mnist.entries` declares its ``alt`` from
here; ``mnist/optimizers`` adds its outcome, computed from the runs it draws.
"""

#: By figure name under ``mnist/``.
ALT = {
    "curves": (
        "Two panels over the training epochs. Left, the training and test loss fall quickly "
        "in the first epochs and then flatten, the training loss ending below the test loss. "
        "Right, the training and test accuracy rise and level off, training accuracy above "
        "test accuracy."),
    "confusion": (
        "A ten by ten grid of counts, true digit by row and predicted digit by column. The "
        "diagonal holds nearly all images; a few off-diagonal cells, such as eights predicted "
        "as threes and nines predicted as fours, hold tens of images."),
    "class_report": (
        "Grouped bars of precision, recall and F1 for each digit from 0 to 9, all between "
        "about 0.85 and 1, with the macro averages."),
    "extremes": (
        "Two rows of digit images. Top, clean and typical digits, each correctly classified "
        "with probability close to 1. Bottom, misclassified digits, many oddly written or "
        "ambiguous, each labelled with its true class, the predicted class and the "
        "probability given to the prediction."),
    "landscape/3d": (
        "Two views of the training loss over a plane through the trained weights. "
        "Left, a 3-D surface shaped like a smooth bowl; right, its contour map. The "
        "lowest point, marked with a star, lies at the centre, where the trained "
        "weights are, and the loss rises towards the edges."),
    "landscape/contour": (
        "Contour lines of the loss on a plane, with two paths from the same "
        "starting point. The SGD path is short and climbs steeply to one side; the "
        "Adam path is long and crosses the plane into the region of lowest loss."),
}  # fmt: skip
