"""Accuracy of unsupervised ids (an InfoGAN's categorical code, cluster ids) against classes,
under the best one-to-one matching of ids to classes."""

import numpy as np
from scipy.optimize import linear_sum_assignment

from tfgan_lite import checks


def matched_accuracy(predicted, truth, k):
    """The accuracy of ``predicted`` ids under the best one-to-one matching to ``truth``.

    An InfoGAN's categorical code learns the classes in an order of its own; this is the
    fraction of examples whose id, renamed by the matching of the k ids to the k classes
    that agrees most often (the Hungarian algorithm, ``scipy.optimize.
    linear_sum_assignment``), equals their class.

    Args:
        predicted: (n,) integer ids in [0, k).
        truth: (n,) integer classes in [0, k).
        k: the number of ids and of classes.

    Returns:
        A float in [1/k, 1] for n > 0 (never below chance after matching, up to ties).
    """
    k = checks.integer(k, "k")
    predicted, truth = np.asarray(predicted), np.asarray(truth)
    if predicted.shape != truth.shape or predicted.ndim != 1 or not len(truth):
        raise ValueError(
            f"predicted and truth must be two non-empty vectors of the same length, got "
            f"shapes {predicted.shape} and {truth.shape}."
        )
    for name, ids in (("predicted", predicted), ("truth", truth)):
        if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= k:
            raise ValueError(f"{name} must hold integer ids in [0, k={k}).")
    counts = np.zeros((k, k))
    np.add.at(counts, (predicted, truth), 1)
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(truth))
