"""Streaming evaluation: the Frechet distance and the classifier score from feature or
class-probability batches fed one at a time, for sample counts too large to hold at once.

* ``StreamingMoments``: the count, the mean and the scatter matrix (the sum of centred
  outer products) of the feature vectors seen so far, in float64, updated batch by batch
  and merged across accumulators with the pairwise formulas of Chan, Golub and LeVeque
  (1979, "Updating formulae and a pairwise algorithm for computing sample variances"): a
  batch is centred on its own mean, so no large sums of squares are subtracted from each
  other. Memory is O(d^2) (one d x d matrix, 32 MB at Inception's 2,048 features; O(d)
  with ``diagonal_only=True``), whatever the number of samples.
* ``streaming_frechet_distance(moments_a, moments_b)``: ``frechet_distance`` from two such
  accumulators, with the same ``mean_only``, ``diagonal_only``, ``eps`` and ``ddof`` and the
  same formulas (the code is shared): the whole-set result to rounding (1e-8 relative in
  the tests), whatever the batch sizes.
* ``StreamingClassifierScore``: ``classifier_score`` from batches in one pass. Per split,
  log IS = E_x sum_y p(y|x) log p(y|x) - sum_y p(y) log p(y) with p(y) = E_x p(y|x), so it
  keeps the count, the sum of p(y|x) (C numbers) and the sum of sum_y p log p; the split
  boundaries of ``classifier_score`` (consecutive, near-equal) need the total count in
  advance, so ``splits > 1`` takes ``num_samples``.

Example: 50,000 generated images scored at 2,048 features without holding them::

    moments = StreamingMoments()
    for images in batches:
        moments.update(net.features(images))
    fid = streaming_frechet_distance(real_moments, moments)
"""

import math

import numpy as np
from scipy import special

from tfgan_lite import checks
from tfgan_lite.eval.common import _features
from tfgan_lite.eval.frechet import (
    _check_eps,
    _ddof,
    _frechet_diagonal,
    _frechet_full,
    _mode,
)
from tfgan_lite.eval.inception_score import _probabilities

__all__ = ["StreamingClassifierScore", "StreamingMoments", "streaming_frechet_distance"]


class StreamingMoments:
    """The count, mean and covariance of feature vectors fed in batches (float64).

    ``update(batch)`` adds the rows of an array (n, d); ``merge(other)`` adds another
    accumulator's samples (e.g. one per worker or per data shard); both return ``self``.
    The result does not depend on how the samples were batched or merged, up to rounding.

    Args:
      diagonal_only: keep only the per-feature variances (O(d) memory): enough for
        ``streaming_frechet_distance(..., mean_only=True)`` or ``diagonal_only=True``, not
        for the full distance.
    """

    def __init__(self, diagonal_only=False):
        if not isinstance(diagonal_only, (bool, np.bool_)):
            raise ValueError(f"diagonal_only must be True or False, got {diagonal_only!r}.")
        self.diagonal_only = bool(diagonal_only)
        self.count = 0
        self._mean = None
        self._scatter = None

    @property
    def num_features(self):
        """The feature dimension d, or None before the first batch."""
        return None if self._mean is None else len(self._mean)

    @property
    def nbytes(self):
        """The bytes held by the accumulator's arrays: (d^2 + d) * 8, or 2 d * 8."""
        if self._mean is None:
            return 0
        return self._mean.nbytes + self._scatter.nbytes

    @property
    def mean(self):
        """The mean of the samples seen, an array (d,) (a copy)."""
        self._require(1, "a mean")
        return self._mean.copy()

    def covariance(self, ddof=1):
        """The covariance matrix (d, d), the scatter divided by count - ddof (1: unbiased,
        as ``np.cov``; 0: divided by the count)."""
        if self.diagonal_only:
            raise ValueError(
                "this StreamingMoments(diagonal_only=True) keeps only the variances; call "
                "variance(), or accumulate with diagonal_only=False for the covariance."
            )
        ddof = _ddof(ddof)
        self._require(ddof + 1, "a covariance")
        return self._scatter / (self.count - ddof)

    def variance(self, ddof=1):
        """The per-feature variances (d,), divided by count - ddof."""
        ddof = _ddof(ddof)
        self._require(ddof + 1, "a variance")
        diagonal = self._scatter if self.diagonal_only else np.diagonal(self._scatter)
        return diagonal / (self.count - ddof)

    def update(self, batch):
        """Adds the rows of ``batch``, an array (n, d) (n may be 0); returns ``self``."""
        x = _features(batch, "batch")
        self._check_dimension(x.shape[1], "batch")
        if len(x) == 0:
            return self
        mean = x.mean(axis=0)
        centred = x - mean
        if self.diagonal_only:
            scatter = np.einsum("ij,ij->j", centred, centred)
        else:
            scatter = centred.T @ centred
        self._add(len(x), mean, scatter)
        return self

    def merge(self, other):
        """Adds the samples of another ``StreamingMoments``; returns ``self``."""
        if not isinstance(other, StreamingMoments):
            raise ValueError(f"merge takes a StreamingMoments, got {type(other).__name__}.")
        if other.diagonal_only != self.diagonal_only:
            raise ValueError(
                "cannot merge a diagonal_only accumulator with a full one; accumulate both "
                "with the same diagonal_only."
            )
        if other.count == 0:
            return self
        self._check_dimension(other.num_features, "other")
        self._add(other.count, other._mean.copy(), other._scatter.copy())
        return self

    # -------------------------------------------------------------------------- internals

    def _check_dimension(self, d, name):
        if self._mean is not None and d != len(self._mean):
            raise ValueError(
                f"{name} has {d} features per sample but this accumulator has "
                f"{len(self._mean)}; feed features from the same extractor."
            )

    def _require(self, minimum, what):
        if self.count < minimum:
            raise ValueError(
                f"this StreamingMoments has seen {self.count} samples but {what} needs at "
                f"least {minimum}; update it with more batches first."
            )

    def _add(self, count, mean, scatter):
        """Chan et al.'s pairwise update with a set of ``count`` samples, its ``mean`` and
        ``scatter`` (which this method may keep or modify)."""
        if self.count == 0:
            self.count, self._mean, self._scatter = count, mean, scatter
            return
        total = self.count + count
        delta = mean - self._mean
        weight = self.count * count / total
        self._scatter += scatter
        if self.diagonal_only:
            self._scatter += weight * delta * delta
        else:
            # The outer product is a temporary of the accumulator's own size, d x d.
            self._scatter += weight * np.outer(delta, delta)
        self._mean += delta * (count / total)
        self.count = total


def streaming_frechet_distance(
    moments_a, moments_b, mean_only=False, diagonal_only=False, eps=1e-6, ddof=1
):
    """``frechet_distance`` from two ``StreamingMoments``: the FID formula (or TF-GAN's
    mean-only or diagonal-only variant) between Gaussians with the accumulated means and
    covariances.

    It is ``frechet_distance(a, b, mean_only=..., diagonal_only=..., eps=..., ddof=...)`` of
    the samples fed to the two accumulators, to rounding: the same formula, the same
    regularisation when S_a S_b is singular (``eps * I`` added to both covariances), the
    same ``ddof`` convention. No bootstrap: that needs the samples.

    Args:
      moments_a, moments_b: ``StreamingMoments`` with the same number of features, at
        least 2 samples each (1 with ``mean_only`` or ``ddof=0``); ``diagonal_only``
        accumulators serve ``mean_only`` and ``diagonal_only`` only.
      mean_only, diagonal_only, eps, ddof: as ``frechet_distance``.

    Returns:
      float.
    """
    for name, moments in (("moments_a", moments_a), ("moments_b", moments_b)):
        if not isinstance(moments, StreamingMoments):
            raise ValueError(
                f"{name} must be a StreamingMoments, got {type(moments).__name__}; for "
                "arrays of features call tfgan_lite.eval.frechet_distance."
            )
    mode = _mode(mean_only, diagonal_only)
    ddof = _ddof(ddof)
    _check_eps(eps)
    minimum = 1 if mode == "mean" or ddof == 0 else 2
    for name, moments in (("moments_a", moments_a), ("moments_b", moments_b)):
        if moments.count < minimum:
            raise ValueError(
                f"{name} has seen {moments.count} samples but the distance needs at least "
                f"{minimum}; update it with more batches first."
            )
    if moments_a.num_features != moments_b.num_features:
        raise ValueError(
            f"moments_a has {moments_a.num_features} features per sample but moments_b has "
            f"{moments_b.num_features}; both must come from the same feature extractor."
        )
    if mode == "full":
        if moments_a.diagonal_only or moments_b.diagonal_only:
            raise ValueError(
                "the full Frechet distance needs the covariance matrices; accumulate with "
                "StreamingMoments(diagonal_only=False), or pass diagonal_only=True or "
                "mean_only=True."
            )
        return _frechet_full(
            moments_a.mean,
            moments_a.covariance(ddof),
            moments_b.mean,
            moments_b.covariance(ddof),
            eps,
        )
    if mode == "mean":
        return _frechet_diagonal(moments_a.mean, None, moments_b.mean, None, True)
    return _frechet_diagonal(
        moments_a.mean, moments_a.variance(ddof), moments_b.mean, moments_b.variance(ddof), False
    )


class StreamingClassifierScore:
    """``classifier_score`` from batches of class probabilities (or logits), in one pass.

    Per split it keeps the count n, the sum of p(y|x) over the split's samples (C numbers)
    and the sum of sum_y p(y|x) log p(y|x); then, with p(y) the split mean of p(y|x),

        score = exp((1/n) sum_x sum_y p(y|x) log p(y|x) - sum_y p(y) log p(y)),

    which is exp(E_x KL(p(y|x) || p(y))) rearranged (0 log 0 counts as 0). ``result()``
    gives ``classifier_score(all_batches, from_logits=..., splits=...)`` to rounding.

    With ``splits=1`` (TF-GAN's ``classifier_score``, the default here) any number of
    samples may be fed, and accumulators merge. ``classifier_score``'s ``splits`` are
    consecutive and near-equal (split i holds samples i n // splits to (i + 1) n // splits),
    so ``splits > 1`` needs ``num_samples``, the total to be fed, in advance.

    Args:
      splits: how many splits to score (>= 1).
      num_samples: the number of samples that will be fed; required when splits > 1,
        checked by ``result()`` when given.
      from_logits: batches hold logits (a softmax is applied), as ``classifier_score``.
    """

    def __init__(self, splits=1, num_samples=None, from_logits=False):
        self.splits = checks.integer(splits, "splits")
        if num_samples is not None:
            num_samples = checks.integer(num_samples, "num_samples")
            if num_samples < self.splits:
                raise ValueError(
                    f"num_samples={num_samples} is fewer than splits={self.splits}; every "
                    "split needs a sample."
                )
        elif self.splits > 1:
            raise ValueError(
                f"splits={self.splits} needs num_samples, the number of samples that will "
                "be fed: classifier_score's splits are consecutive near-equal parts of all "
                "samples; pass num_samples=N or splits=1."
            )
        self.num_samples = num_samples
        self.from_logits = bool(from_logits)
        self.count = 0
        self._counts = np.zeros(self.splits, dtype=np.int64)
        self._sums = None
        self._p_log_p = np.zeros(self.splits)

    def update(self, batch):
        """Adds the rows of ``batch`` (n, C): probabilities, or logits with
        ``from_logits``; returns ``self``."""
        x = _features(batch, "batch")
        p = _probabilities(x, self.from_logits, "batch")
        if self._sums is not None and p.shape[1] != self._sums.shape[1]:
            raise ValueError(
                f"batch has {p.shape[1]} classes but earlier batches had "
                f"{self._sums.shape[1]}; feed the same classifier's outputs."
            )
        if self.num_samples is not None and self.count + len(p) > self.num_samples:
            raise ValueError(
                f"this batch brings the count to {self.count + len(p)}, more than "
                f"num_samples={self.num_samples}; pass the total number of samples."
            )
        if len(p) == 0:
            return self
        if self._sums is None:
            self._sums = np.zeros((self.splits, p.shape[1]))
        if self.splits == 1:
            which = np.zeros(len(p), dtype=np.int64)
        else:
            starts = np.arange(self.splits) * self.num_samples // self.splits
            rows = np.arange(self.count, self.count + len(p))
            which = np.searchsorted(starts, rows, side="right") - 1
        p_log_p = special.xlogy(p, p).sum(axis=1)
        for i in np.unique(which):
            inside = which == i
            self._counts[i] += int(inside.sum())
            self._sums[i] += p[inside].sum(axis=0)
            self._p_log_p[i] += p_log_p[inside].sum()
        self.count += len(p)
        return self

    def merge(self, other):
        """Adds another accumulator's samples (``splits=1`` only); returns ``self``."""
        if not isinstance(other, StreamingClassifierScore):
            raise ValueError(f"merge takes a StreamingClassifierScore, got {type(other).__name__}.")
        if self.splits != 1 or other.splits != 1:
            raise ValueError(
                "only splits=1 accumulators merge: with several splits, which split a sample "
                "falls in depends on its position among all samples."
            )
        if other.count == 0:
            return self
        if self._sums is not None and other._sums.shape[1] != self._sums.shape[1]:
            raise ValueError(
                f"other has {other._sums.shape[1]} classes but this accumulator has "
                f"{self._sums.shape[1]}; merge scores of the same classifier."
            )
        if self.num_samples is not None and self.count + other.count > self.num_samples:
            raise ValueError(
                f"merging brings the count to {self.count + other.count}, more than "
                f"num_samples={self.num_samples}."
            )
        self._sums = other._sums.copy() if self._sums is None else self._sums + other._sums
        self._counts += other._counts
        self._p_log_p += other._p_log_p
        self.count += other.count
        return self

    def result(self):
        """``{"mean": float, "std": float}`` over the splits, as ``classifier_score``."""
        if self.num_samples is not None and self.count != self.num_samples:
            raise ValueError(
                f"fed {self.count} samples but num_samples={self.num_samples}; feed them all "
                "before the result (the split boundaries depend on the total)."
            )
        if self.count < self.splits:
            raise ValueError(
                f"fed {self.count} samples but splits={self.splits} needs at least "
                f"{self.splits}; update it with more batches first."
            )
        scores = []
        for i in range(self.splits):
            marginal = self._sums[i] / self._counts[i]
            log_score = self._p_log_p[i] / self._counts[i] - special.xlogy(marginal, marginal).sum()
            scores.append(math.exp(log_score))
        scores = np.asarray(scores)
        return {"mean": float(scores.mean()), "std": float(scores.std())}
