"""Metrics on k-NN manifolds of feature vectors: improved precision and recall
(Kynkaanniemi et al. 2019), density and coverage (Naeem et al. 2020), and the k-NN radii
of bootstrap resamples.

The k-NN metrics find each sample's k-th nearest neighbour with scikit-learn's
``NearestNeighbors`` and compute the fake-by-real distances with
``pairwise_distances_chunked`` (BLAS: |x|^2 + |y|^2 - 2 x.y), both on mean-centred copies
and in blocks of 4M entries, so two sets of 10k 2048-d features need their centred copies
(320 MB) plus about 200 MB of blocks, never the 10k x 10k matrix. The BLAS expansion is
only accurate to rounding error, so every distance that decides a comparison exactly is
recomputed from the coordinate differences: each radius (the distance to the neighbour
that scikit-learn found) and every distance within rounding error of a ball's radius. Ties
(a fake sample that equals a real one, or lies exactly on a ball's boundary) are therefore
decided exactly, the same way a brute-force loop decides them.
"""

import numpy as np
from sklearn.metrics import pairwise_distances_chunked
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.extmath import row_norms

from tfgan_lite.eval.common import _neighbours, _pair

__all__ = ["density_coverage", "precision_recall"]

# Entries in one block of the pairwise-distance matrix (32 MB in float64).
_CHUNK_ELEMENTS = 1 << 22
# A squared distance from the BLAS expansion within this fraction of |a|^2 + |b|^2 of a
# radius is recomputed directly (the expansion's rounding error is about d * 1e-16 of that
# scale).
_BAND = 1e-8
# The bootstrap finds _CANDIDATES * k + 32 nearest neighbours of every sample once, and
# reads each resample's k-NN radii from them.
_CANDIDATES = 4


# ----------------------------------------------------------------- k-NN balls in chunks


def _exact_squared(x, y):
    """Squared distances between paired rows, summed from the coordinate differences.

    Hand-written because scikit-learn's ``paired_euclidean_distances`` returns square roots
    (and sums with einsum): here the squared differences are summed with ``np.sum``, as a
    brute-force loop sums them, so that equal distances come out exactly equal.
    """
    out = np.empty(len(x))
    step = max(1, _CHUNK_ELEMENTS // x.shape[1])
    for start in range(0, len(x), step):
        diff = x[start : start + step] - y[start : start + step]
        out[start : start + step] = np.sum(diff * diff, axis=1)
    return out


def _radii2(x, centred, k, weights=None):
    """Squared distance from each sample to its k-th nearest other sample, exactly.

    ``NearestNeighbors`` (on the centred copy) finds which sample is the k-th nearest
    neighbour, leaving the sample itself out even when it has duplicates; the distance to
    it is then recomputed from the original coordinates, because the one scikit-learn
    returns comes from the BLAS expansion (on high-dimensional data) and is not exact.

    With ``weights`` (a bootstrap resample: the distinct rows and how often each occurs),
    the neighbours are counted with their multiplicity, and the copies of the sample
    itself are not neighbours: the k-th nearest other sample is the first of the nearest
    distinct rows at which their counts add up to k.
    """
    if weights is None:
        knn = NearestNeighbors(n_neighbors=k).fit(centred)
        nearest = knn.kneighbors(return_distance=False)[:, k - 1]
        return _exact_squared(x, x[nearest])
    if len(x) < 2:
        return np.zeros(len(x))
    knn = NearestNeighbors(n_neighbors=min(k, len(x) - 1)).fit(centred)
    neighbours = knn.kneighbors(return_distance=False)
    reached = np.cumsum(weights[neighbours], axis=1) >= k
    # Where the other samples number fewer than k, the farthest one found is taken.
    position = np.where(reached.any(axis=1), np.argmax(reached, axis=1), reached.shape[1] - 1)
    return _exact_squared(x, x[neighbours[np.arange(len(x)), position]])


def _ball_counts(
    real, fake, k, with_recall=True, real_weights=None, fake_weights=None, radii2=None
):
    """One chunked pass over the fake-by-real distance matrix for all four k-NN metrics.

    Returns the number of fakes inside the closed real balls (precision), the number of
    reals inside the closed fake balls (recall), the number of (fake, real) pairs with the
    fake inside the open real ball (density) and the number of reals whose open ball holds
    a fake (coverage).

    With weights (a bootstrap resample as distinct rows and counts; both or neither), every
    sample counts as often as it occurs, and the radii are those of ``_radii2`` with
    weights, or ``radii2`` (real, fake) when given; the counts are then floats.

    The counting stays hand-written: every ball has its own radius, and scikit-learn's
    ``radius_neighbors`` takes one radius for all the balls it queries.
    """
    weighted = real_weights is not None
    center = real.mean(axis=0)
    real_centred, fake_centred = real - center, fake - center
    real_norms = row_norms(real_centred, squared=True)
    fake_norms = row_norms(fake_centred, squared=True)
    if radii2 is not None:
        real_r2, fake_r2 = radii2
    else:
        real_r2 = _radii2(real, real_centred, k, real_weights)
        fake_r2 = _radii2(fake, fake_centred, k, fake_weights) if with_recall else None
    num_real = len(real)
    precision_hits = density_hits = 0
    recalled = np.zeros(num_real, bool)
    covered = np.zeros(num_real, bool)
    rows = max(1, _CHUNK_ELEMENTS // num_real)
    blocks = pairwise_distances_chunked(
        fake_centred,
        real_centred,
        metric="euclidean",
        working_memory=rows * num_real * 8 / 2**20,  # MiB, for `rows` rows per block
        squared=True,
        Y_norm_squared=real_norms,
    )
    start = 0
    for d2 in blocks:
        stop = start + len(d2)
        tolerance = fake_norms[start:stop, None] + real_norms[None, :]
        tolerance *= _BAND
        band = np.abs(d2 - real_r2[None, :]) <= tolerance
        if fake_r2 is not None:
            band |= np.abs(d2 - fake_r2[start:stop, None]) <= tolerance
        del tolerance
        jj, ii = np.nonzero(band)
        if len(jj):
            d2[jj, ii] = _exact_squared(fake[start + jj], real[ii])
        in_real_closed = d2 <= real_r2[None, :]
        in_real_open = d2 < real_r2[None, :]
        if weighted:
            block_weights = fake_weights[start:stop]
            precision_hits += float(block_weights @ in_real_closed.any(axis=1))
            density_hits += float(block_weights @ (in_real_open @ real_weights))
        else:
            precision_hits += int(np.count_nonzero(in_real_closed.any(axis=1)))
            density_hits += int(np.count_nonzero(in_real_open))
        covered |= in_real_open.any(axis=0)
        if fake_r2 is not None:
            recalled |= (d2 <= fake_r2[start:stop, None]).any(axis=0)
        start = stop
    if weighted:
        return (
            precision_hits,
            float(real_weights @ recalled),
            density_hits,
            float(real_weights @ covered),
        )
    return precision_hits, int(recalled.sum()), density_hits, int(covered.sum())


# ------------------------------------------------------------------ precision and recall


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkaanniemi et al. 2019, "Improved Precision and
    Recall Metric for Assessing Generative Models").

    Each set's manifold is the union of closed balls B(x, NND_k(x)) around its samples, with
    NND_k(x) the distance from x to its k-th nearest neighbour in the same set (x itself
    excluded). Then

        precision = (1/M) sum_j 1[fake_j is in the real manifold]   (sample quality)
        recall    = (1/N) sum_i 1[real_i is in the fake manifold]   (sample diversity)

    with N real and M fake samples and Euclidean distances (the balls are closed, ``<=``,
    as in the authors' code).

    Range: both in [0, 1], higher is better; identical sets give 1 and 1, far-apart sets
    0 and 0. Floor: between independent real sets both stay below 1 (more so with small k
    or high dimension), so compare against that real-vs-real value.

    Args:
      real_features, fake_features: arrays (N, d) and (M, d), each with more than k samples.
      k: the neighbourhood size (the paper's default is 3).

    Returns:
      dict ``{"precision": float, "recall": float}``.
    """
    real, fake = _pair(real_features, fake_features, "real_features", "fake_features")
    k = _neighbours(k, real, fake, "real_features", "fake_features", fake_needs_k=True)
    precision_hits, recall_hits, _, _ = _ball_counts(real, fake, k)
    return {"precision": precision_hits / len(fake), "recall": recall_hits / len(real)}


# ------------------------------------------------------------------ density and coverage


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
    Generative Models").

    With B(x, r) the open ball of radius r around x and NND_k(X_i) the distance from real
    sample X_i to its k-th nearest other real sample, for N real samples X and M fakes Y:

        density  = 1/(kM) sum_j sum_i 1[Y_j in B(X_i, NND_k(X_i))]
        coverage = (1/N) sum_i 1[exists j: Y_j in B(X_i, NND_k(X_i))]

    The balls are open (``<``), as in the authors' code; so a fake set equal to the real
    set has density exactly 1 (each ball holds its centre and k - 1 neighbours).

    Range: coverage in [0, 1]; density in [0, N/k] (unbounded in N), about 1 when the fakes
    follow the real distribution, above 1 when they crowd the dense real regions. Higher
    coverage is better; density near its real-vs-real floor (about 1) is the target.
    Identical sets give coverage 1.

    Args:
      real_features, fake_features: arrays (N, d) and (M, d); N > k, M >= 1.
      k: the neighbourhood size (the paper recommends 5).

    Returns:
      dict ``{"density": float, "coverage": float}``.
    """
    real, fake = _pair(real_features, fake_features, "real_features", "fake_features")
    k = _neighbours(k, real, fake, "real_features", "fake_features", fake_needs_k=False)
    _, _, density_hits, covered = _ball_counts(real, fake, k, with_recall=False)
    return {"density": density_hits / (k * len(fake)), "coverage": covered / len(real)}


# ------------------------------------------------------------ radii of bootstrap resamples


def _candidates(x, k):
    """Each sample's nearest other samples, nearest first: enough of them that a resample
    keeps k of them, counted with multiplicity, all but always (``_CANDIDATES``)."""
    count = min(len(x) - 1, _CANDIDATES * k + 32)
    knn = NearestNeighbors(n_neighbors=count).fit(x - x.mean(axis=0))
    return knn.kneighbors(return_distance=False)


def _resampled_radii2(x, candidates, counts, k):
    """``_radii2`` with weights for the rows of x that a resample holds (counts > 0), from
    the neighbours found once on all of x (``_candidates``) instead of a new search.

    A sample's k-th nearest other sample of the resample is the first of its candidates at
    which their counts add up to k; a sample whose candidates hold fewer than k resampled
    copies (about never: 52 candidates keep fewer than 5 copies with probability 1e-15) is
    searched among the resample's distinct rows as ``_radii2`` does.
    """
    rows = np.flatnonzero(counts)
    neighbours = candidates[rows]
    reached = np.cumsum(counts[neighbours], axis=1) >= k
    found = reached.any(axis=1)
    nearest = neighbours[np.arange(len(rows)), np.argmax(reached, axis=1)]
    radii2 = np.empty(len(rows))
    radii2[found] = _exact_squared(x[rows[found]], x[nearest[found]])
    if not found.all():
        distinct = x[rows]
        weights = counts[rows].astype(float)
        searched = _radii2(distinct, distinct - distinct.mean(axis=0), k, weights)
        radii2[~found] = searched[~found]
    return radii2
