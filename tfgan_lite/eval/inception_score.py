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

    TF-GAN's ``classifier_score`` / ``classifier_score_from_logits`` take no splits: one
    score over all samples, which ``splits=1`` gives (its ``std`` is then 0). The default
    stays 10, the protocol of the Inception Score paper and of its code (OpenAI's
    ``improved-gan``), under which published Inception Scores are reported as the mean and
    standard deviation over 10 splits; it is a convention with its own reason, not an
    arbitrary choice, so ``splits=1`` is documented rather than made the default. The two
    differ: a split's marginal p(y) comes from fewer samples, so the mean over 10 splits is
    usually a little lower than the score of all samples at once. ``StreamingClassifierScore``
    (``tfgan_lite.eval.streaming``) computes the same numbers from batches.

    Range: [1, C] for C classes; 1 when every prediction is the same distribution (e.g.
    uniform), C when predictions are confident (one-hot) and spread evenly over the classes.
    Higher is better. Floor/ceiling: the score of real data under the same classifier is
    the reference to compare against.

    Args:
      probabilities_or_logits: array (n, C), n >= splits, C >= 2. Probabilities must be
        >= 0 with rows summing to 1 (within 1e-3; rows are renormalised).
      from_logits: the input holds unnormalised logits; a softmax is applied.
      splits: how many splits to score separately (>= 1; 1 for TF-GAN's score).

    Returns:
      dict ``{"mean": float, "std": float}``.
    """
    name = "probabilities_or_logits"
    x = _features(probabilities_or_logits, name)
    splits = checks.integer(splits, "splits")
    _min_samples(x, name, splits, f"splits={splits}")
    p = _probabilities(x, from_logits, name)
    n = len(x)
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        # KL(p(y|x) || p(y)) per sample; rel_entr counts 0 log 0 as 0.
        kl = special.rel_entr(part, part.mean(axis=0)).sum(axis=1)
        scores.append(math.exp(kl.mean()))
    scores = np.asarray(scores)
    return {"mean": float(scores.mean()), "std": float(scores.std())}


def _probabilities(x, from_logits, name):
    """The rows of the float64 array x (n, C) as class probabilities: a softmax of logits,
    or checked and renormalised probabilities; a ValueError naming ``name`` otherwise."""
    if x.shape[1] < 2:
        raise ValueError(
            f"{name} has {x.shape[1]} class per sample; pass the classifier's outputs over "
            "all C >= 2 classes, shape (num_samples, num_classes)."
        )
    if from_logits:
        return special.softmax(x, axis=1)
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
    return x / sums[:, None]
