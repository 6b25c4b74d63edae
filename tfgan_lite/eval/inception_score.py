"""The Inception Score formula on any classifier's outputs (Salimans et al. 2016), in
NumPy / SciPy.
"""

import math

import numpy as np
from scipy import special

from tfgan_lite import checks
from tfgan_lite.eval.common import _features, _min_samples

__all__ = ["classifier_score"]


def classifier_score(probabilities_or_logits, from_logits=False, splits=10):
    """The Inception Score formula on any classifier's outputs.

    Salimans et al. 2016, "Improved Techniques for Training GANs":

        score = exp(E_x KL(p(y|x) || p(y))),   p(y) = E_x p(y|x),

    computed on each of ``splits`` consecutive, near-equal splits of the samples (the
    expectations are split means), as the original Inception Score code does; returns the
    mean and standard deviation (ddof=0) of the per-split scores. With Inception-v3 on
    ImageNet classes it is the Inception Score; with any other classifier it is the same
    formula on that classifier's classes.

    Range: [1, C] for C classes; 1 when every prediction is the same distribution (e.g.
    uniform), C when predictions are confident (one-hot) and spread evenly over the classes.
    Higher is better. Floor/ceiling: the score of real data under the same classifier is
    the reference to compare against.

    Args:
      probabilities_or_logits: array (n, C), n >= splits, C >= 2. Probabilities must be
        >= 0 with rows summing to 1 (within 1e-3; rows are renormalised).
      from_logits: the input holds unnormalised logits; a softmax is applied.
      splits: how many splits to score separately (>= 1).

    Returns:
      dict ``{"mean": float, "std": float}``.
    """
    name = "probabilities_or_logits"
    x = _features(probabilities_or_logits, name)
    splits = checks.integer(splits, "splits")
    if x.shape[1] < 2:
        raise ValueError(
            f"{name} has {x.shape[1]} class per sample; pass the classifier's outputs over "
            "all C >= 2 classes, shape (num_samples, num_classes)."
        )
    _min_samples(x, name, splits, f"splits={splits}")
    if from_logits:
        p = special.softmax(x, axis=1)
    else:
        if np.any(x < 0):
            raise ValueError(
                f"{name} has negative entries, so it is not probabilities; pass "
                "from_logits=True for logits."
            )
        sums = x.sum(axis=1)
        if np.any(np.abs(sums - 1.0) > 1e-3):
            raise ValueError(
                f"the rows of {name} must sum to 1 (found sums from {sums.min():.6g} to "
                f"{sums.max():.6g}); pass from_logits=True for logits, or normalise the rows."
            )
        p = x / sums[:, None]
    n = len(x)
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        # KL(p(y|x) || p(y)) per sample; rel_entr counts 0 log 0 as 0.
        kl = special.rel_entr(part, part.mean(axis=0)).sum(axis=1)
        scores.append(math.exp(kl.mean()))
    scores = np.asarray(scores)
    return {"mean": float(scores.mean()), "std": float(scores.std())}
