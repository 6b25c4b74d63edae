"""KID: the unbiased MMD^2 with a cubic polynomial kernel averaged over random subsets
(Binkowski et al. 2018), in NumPy / scikit-learn, and its bootstrap resamples from counts.
Every result is deterministic: the random subsets come from a fixed seed.
"""

import numpy as np
from sklearn.metrics.pairwise import polynomial_kernel

from tfgan_lite import checks
from tfgan_lite.eval.common import _min_samples, _pair

__all__ = ["kernel_distance"]

# KID's defaults: random subsets averaged, and their size.
_KID_SUBSETS = 100
_KID_SUBSET_SIZE = 1000


def _kernel(x, y=None):
    """KID's kernel k(x, y) = (x . y / d + 1)^3 between all pairs of rows."""
    return polynomial_kernel(x, y, degree=3, gamma=1.0 / x.shape[1], coef0=1.0)


def _mmd2_unbiased(x, y):
    """The unbiased MMD^2 estimate with the cubic polynomial kernel."""
    m, n = len(x), len(y)
    k_xx = _kernel(x)
    k_yy = _kernel(y)
    k_xy = _kernel(x, y)
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(term_xx + term_yy - 2.0 * k_xy.mean())


def _mmd2_weighted(kernels, weights_a, weights_b):
    """The unbiased MMD^2 of a resample given as counts over the rows of the two sets.

    ``kernels`` are k(a, a), k(b, b) and k(a, b) over the distinct rows. The within-set
    sums leave out every pair of copies of one row, not only a row with itself: a resample
    that repeats a row would otherwise pair it with its copy and inflate the estimate by
    about (mean k(x, x) - mean k(x, y)) / n. With all counts 1 this is ``_mmd2_unbiased``.
    """
    k_aa, k_bb, k_ab = kernels

    def within(k, w):
        total = w.sum()
        return (w @ k @ w - (w * w) @ np.diagonal(k)) / (total * total - w @ w)

    between = weights_a @ k_ab @ weights_b / (weights_a.sum() * weights_b.sum())
    return float(within(k_aa, weights_a) + within(k_bb, weights_b) - 2.0 * between)


def _kid_resampled(a, b, counts_a, counts_b, num_subsets, subset_size, rng, kernels):
    """``kernel_distance`` of a resample given as counts over the rows, its subsets drawn
    from the resample (without replacement) as ``kernel_distance`` draws them.

    ``kernels`` holds k(a, a), k(b, b) and k(a, b) of the whole sets, or None: each subset
    is then a set of counts and its estimate three weighted sums (when both sets fit in one
    subset, the only one is the resample itself). Without them, each subset's kernels are
    computed on its distinct rows, one ``kernel_distance`` a resample.
    """
    m = min(subset_size, len(a), len(b))
    if kernels is not None and m == len(a) and m == len(b):
        return _mmd2_weighted(kernels, counts_a.astype(float), counts_b.astype(float))
    positions_a = np.repeat(np.arange(len(a)), counts_a)
    positions_b = np.repeat(np.arange(len(b)), counts_b)
    estimates = np.empty(num_subsets)
    for i in range(num_subsets):
        x = positions_a if m == len(a) else rng.choice(positions_a, m, replace=False)
        y = positions_b if m == len(b) else rng.choice(positions_b, m, replace=False)
        if kernels is not None:
            count_x = np.bincount(x, minlength=len(a)).astype(float)
            count_y = np.bincount(y, minlength=len(b)).astype(float)
            estimates[i] = _mmd2_weighted(kernels, count_x, count_y)
        else:
            (rows_x, count_x), (rows_y, count_y) = (
                np.unique(v, return_counts=True) for v in (x, y)
            )
            subset = (_kernel(a[rows_x]), _kernel(b[rows_y]), _kernel(a[rows_x], b[rows_y]))
            estimates[i] = _mmd2_weighted(subset, count_x.astype(float), count_y.astype(float))
    return float(estimates.mean())


def kernel_distance(
    features_a,
    features_b,
    num_subsets=_KID_SUBSETS,
    subset_size=_KID_SUBSET_SIZE,
    seed=0,
    return_std=False,
):
    """The Kernel Inception Distance (KID) formula on two feature sets.

    Binkowski et al. 2018, "Demystifying MMD GANs": the unbiased estimate of the squared
    maximum mean discrepancy with the kernel k(x, y) = (x . y / d + 1)^3,

        MMD^2 = 1/(m(m-1)) sum_{i != j} k(a_i, a_j) + 1/(m(m-1)) sum_{i != j} k(b_i, b_j)
                - 2/m^2 sum_{i, j} k(a_i, b_j),

    computed on ``num_subsets`` random subsets of m = min(subset_size, n_a, n_b) samples
    drawn without replacement from each set, and averaged. A set whose size is m is used
    whole (the estimate does not depend on the order of the samples).

    Range: the expectation is >= 0, and 0 exactly when the distributions match; being
    unbiased, the estimate itself can be slightly negative. Lower is better. Floor: KID
    between independent real sets fluctuates around 0, unlike FID.

    Args:
      features_a, features_b: arrays (n_a, d) and (n_b, d), at least 2 samples each.
      num_subsets: how many random subsets to average over (>= 1).
      subset_size: the subset size before capping at min(n_a, n_b) (>= 2).
      seed: the seed of the subset draws (``np.random.default_rng(seed)``).
      return_std: also return the standard deviation (ddof=0) of the subset estimates.

    Returns:
      float, the mean over subsets; with ``return_std=True`` a dict
      ``{"mean": float, "std": float}``.
    """
    a, b = _pair(features_a, features_b, "features_a", "features_b")
    _min_samples(a, "features_a", 2, "the unbiased MMD estimate")
    _min_samples(b, "features_b", 2, "the unbiased MMD estimate")
    num_subsets = checks.integer(num_subsets, "num_subsets")
    subset_size = checks.integer(subset_size, "subset_size", minimum=2)
    m = min(subset_size, len(a), len(b))
    if m == len(a) and m == len(b):
        # Every subset is the whole of both sets: one estimate, repeated.
        estimates = np.full(num_subsets, _mmd2_unbiased(a, b))
    else:
        rng = np.random.default_rng(seed)
        estimates = np.empty(num_subsets)
        for i in range(num_subsets):
            x = a if m == len(a) else a[rng.choice(len(a), m, replace=False)]
            y = b if m == len(b) else b[rng.choice(len(b), m, replace=False)]
            estimates[i] = _mmd2_unbiased(x, y)
    mean = float(estimates.mean())
    if return_std:
        return {"mean": mean, "std": float(estimates.std())}
    return mean
