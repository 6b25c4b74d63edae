"""Sample-quality metrics on feature vectors, computed in NumPy / SciPy.

Every function takes features as 2-D arrays of shape ``(num_samples, num_features)``: the
activations of any embedding network (Inception pool3 for the classic FID, or any other
encoder), or the raw samples themselves when they are low-dimensional. Nothing here runs a
network, and every result is deterministic (KID's random subsets come from a fixed seed).

* ``frechet_distance``: the Frechet (Wasserstein-2) distance between Gaussians fitted to the
  two sets, the formula of FID (Heusel et al. 2017).
* ``kernel_distance``: KID, the unbiased MMD^2 with a cubic polynomial kernel averaged over
  random subsets (Binkowski et al. 2018).
* ``precision_recall``: improved precision and recall on k-NN manifolds (Kynkaanniemi et
  al. 2019).
* ``density_coverage``: density and coverage (Naeem et al. 2020).
* ``classifier_score``: the Inception Score formula on any classifier's outputs (Salimans et
  al. 2016).
* ``all_metrics``: FID, KID, precision, recall, density and coverage in one flat dict.

The floor of a metric is its value between two independent sets of *real* features of the
same sizes (e.g. two halves of a data set): finite samples keep FID and KID above 0 and
precision, recall, density and coverage away from their ideal values, so a model is judged
against that real-vs-real floor, not against the ideal value.

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

import math
import numbers
import warnings

import numpy as np
from scipy import linalg, special
from sklearn.metrics import pairwise_distances_chunked
from sklearn.metrics.pairwise import polynomial_kernel
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.extmath import row_norms

from tfgan_lite import checks

__all__ = [
    "all_metrics",
    "classifier_score",
    "density_coverage",
    "frechet_distance",
    "kernel_distance",
    "precision_recall",
]

# Entries in one block of the pairwise-distance matrix (32 MB in float64).
_CHUNK_ELEMENTS = 1 << 22
# A squared distance from the BLAS expansion within this fraction of |a|^2 + |b|^2 of a
# radius is recomputed directly (the expansion's rounding error is about d * 1e-16 of that
# scale).
_BAND = 1e-8
# KID's defaults: random subsets averaged, and their size.
_KID_SUBSETS = 100
_KID_SUBSET_SIZE = 1000
# Up to this many samples a set, the bootstrap keeps KID's kernel matrices of the whole sets
# (32 MB each at the limit) and computes each resampled estimate from counts.
_KID_KERNEL_ROWS = 2048
# The bootstrap finds _CANDIDATES * k + 32 nearest neighbours of every sample once, and
# reads each resample's k-NN radii from them.
_CANDIDATES = 4


# ------------------------------------------------------------------------------ validation


def _features(x, name):
    """``x`` as a finite float64 array (n, d), or a ValueError that names ``name``."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name} must be a numeric array of shape (num_samples, num_features); "
            f"converting it to float64 failed: {err}"
        ) from None
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (num_samples, num_features), got shape "
            f"{array.shape}; flatten each sample first, e.g. {name}.reshape(len({name}), -1)."
        )
    if array.shape[1] == 0:
        raise ValueError(f"{name} has 0 features (shape {array.shape}); pass at least 1.")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} contains NaN or infinite values; remove or fix those samples first."
        )
    return array


def _pair(features_a, features_b, name_a, name_b):
    a = _features(features_a, name_a)
    b = _features(features_b, name_b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} has {a.shape[1]} features per sample but {name_b} has {b.shape[1]}; "
            "both must come from the same feature extractor (same second dimension)."
        )
    return a, b


def _min_samples(x, name, minimum, why):
    if len(x) < minimum:
        raise ValueError(
            f"{name} has {len(x)} samples but {why} needs at least {minimum}; pass more samples."
        )


def _neighbours(k, real, fake, name_real, name_fake, fake_needs_k):
    """Validates the neighbourhood size ``k`` against the set(s) it is computed on."""
    k = checks.integer(k, "k")
    if k >= len(real):
        raise ValueError(
            f"k={k} must be smaller than the number of samples in {name_real} ({len(real)}): "
            f"the k-th nearest neighbour excludes the sample itself; lower k or pass more "
            f"samples."
        )
    if fake_needs_k and k >= len(fake):
        raise ValueError(
            f"k={k} must be smaller than the number of samples in {name_fake} ({len(fake)}): "
            f"its manifold is built from k-th nearest neighbours too; lower k or pass more "
            f"samples."
        )
    _min_samples(fake, name_fake, 1, "the metric")
    return k


# ------------------------------------------------------------------------------------ FID


def _sqrtm(matrix, strict):
    """The real square root of ``matrix``, or None where it is not reliable.

    ``strict`` turns SciPy's "matrix is singular" warning into a failure, so the caller can
    retry with a regularised matrix (as pytorch-fid does); the retry accepts it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error" if strict else "ignore", linalg.LinAlgWarning)
        try:
            root = linalg.sqrtm(matrix)
        except (linalg.LinAlgWarning, linalg.LinAlgError):
            return None
    if not np.all(np.isfinite(root)):
        return None
    if np.iscomplexobj(root):
        # The eigenvalues of S_a S_b are real and >= 0 (it is similar to a PSD matrix), so
        # an imaginary part is rounding error; a large one means the result is garbage.
        diagonal = np.diagonal(root)
        scale = max(float(np.max(np.abs(diagonal.real))), np.finfo(np.float64).tiny)
        if np.max(np.abs(diagonal.imag)) > 1e-3 * scale:
            return None
        root = root.real
    return root


def frechet_distance(
    features_a, features_b, eps=1e-6, bootstrap=None, seed=0, confidence=0.95, method="basic"
):
    """The Frechet distance between Gaussians fitted to two feature sets: the FID formula.

        FID = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

    with mu the sample means and S the unbiased sample covariances (``np.cov``, rows are
    samples). On Inception-v3 pool3 features this is FID (Heusel et al. 2017, "GANs Trained
    by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"); on any other
    features it is the same formula. It is the squared 2-Wasserstein distance between
    N(mu_a, S_a) and N(mu_b, S_b).

    Range: >= 0 (0 for identical sets; rounding below 0 is clipped to 0); lower is better.
    Floor: FID between two independent real sets of the same sizes is above 0 and shrinks
    as the sets grow, so compare models at equal sample sizes (10k-50k for Inception).

    Numerics follow pytorch-fid: the matrix square root's negligible imaginary part is
    dropped, and when S_a S_b is singular (fewer samples than features) or the square root
    fails, ``eps * I`` is added to both covariances, in the trace terms as well so that the
    distance of a set to itself stays 0 (pytorch-fid adds it inside the square root only,
    which biases the result by about -2 d eps). A ValueError is raised when even that fails.

    With ``bootstrap=n``, the two sets are resampled with replacement n times
    (``np.random.default_rng(seed)``) and the distance recomputed on each resample, from the
    moments of the resampled rows and the trace of the square root by a symmetric
    eigenvalue problem (2 ms a resample at 128 features); the bias-corrected ``"basic"``
    interval covers the FID of the two distributions, which the estimate overstates, so it
    can lie below the estimate (``tfgan_lite.eval.bootstrap`` says how well it covers). The
    resamples are those of ``all_metrics(..., bootstrap=n, seed=seed)``.

    Args:
      features_a, features_b: arrays (n_a, d) and (n_b, d), at least 2 samples each.
      eps: the regulariser added to the diagonals of both covariances when needed (0 turns
        it off: the square root of the singular product is then taken as it is).
      bootstrap: None, or the number of resamples of a bootstrap interval (200 is usual).
      seed: the seed of the resampling.
      confidence: the coverage of the interval.
      method: ``"basic"``, ``"centred"`` or ``"percentile"``
        (``tfgan_lite.eval.bootstrap.summarize``).

    Returns:
      float; with ``bootstrap`` a dict ``{"value", "mean", "std", "low", "high"}``.
    """
    from tfgan_lite.eval import bootstrap as resampling

    if bootstrap is not None:
        bootstrap = resampling.check(bootstrap, confidence, method)
    a, b = _pair(features_a, features_b, "features_a", "features_b")
    _min_samples(a, "features_a", 2, "a covariance")
    _min_samples(b, "features_b", 2, "a covariance")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
        raise ValueError(f"eps must be a float >= 0, got {eps!r}.")
    diff = a.mean(axis=0) - b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    root = _sqrtm(cov_a @ cov_b, strict=True)
    if root is None:
        if eps > 0:
            offset = float(eps) * np.eye(len(cov_a))
            cov_a, cov_b = cov_a + offset, cov_b + offset
        root = _sqrtm(cov_a @ cov_b, strict=False)
    if root is None:
        raise ValueError(
            "the matrix square root of S_a S_b failed even after adding eps * I to both "
            f"covariances (eps={eps}); pass more samples than features, reduce the feature "
            "dimension, or raise eps."
        )
    distance = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(root)
    value = max(float(distance), 0.0)
    if bootstrap is None:
        return value
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(bootstrap):
        counts_a, counts_b = resampling.counts(rng, len(a)), resampling.counts(rng, len(b))
        replicates.append(_frechet_counts(a, b, counts_a, counts_b))
    return resampling.summarize(value, replicates, confidence, method, BOUNDS["fid"])


def _weighted_moments(x, weights):
    """The mean and unbiased covariance of the rows of x repeated ``weights`` times."""
    total = weights.sum()
    mean = weights @ x / total
    centred = x - mean
    return mean, (centred.T * weights) @ centred / (total - 1)


def _trace_sqrt_product(cov_a, cov_b):
    """Tr (S_a S_b)^(1/2) for PSD S_a, S_b, as the sum of the square roots of the
    eigenvalues of L^T S_b L (S_a = L L^T), which are those of S_a S_b.

    At 128 features this takes 0.9 ms on one core against 4.7 ms for ``linalg.sqrtm`` of
    the product (whose many small BLAS calls took up to 200 ms on busy cores); it is what
    makes bootstrapping FID cheap. A singular S_a (fewer samples than features) goes
    through its eigenvectors, ``L = V diag(sqrt(max(w, 0)))``, exactly, without the
    regulariser of ``frechet_distance``.
    """
    try:
        factor = np.linalg.cholesky(cov_a)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(cov_a)
        factor = v * np.sqrt(np.clip(w, 0.0, None))
    eigenvalues = np.linalg.eigvalsh(factor.T @ cov_b @ factor)
    return float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())


def _frechet_counts(a, b, counts_a, counts_b):
    """FID between the rows of a and b repeated counts times (a bootstrap resample)."""
    rows_a, rows_b = np.flatnonzero(counts_a), np.flatnonzero(counts_b)
    weights_a, weights_b = counts_a[rows_a].astype(float), counts_b[rows_b].astype(float)
    mean_a, cov_a = _weighted_moments(a[rows_a], weights_a)
    mean_b, cov_b = _weighted_moments(b[rows_b], weights_b)
    diff = mean_a - mean_b
    distance = diff @ diff + np.trace(cov_a) + np.trace(cov_b)
    return max(float(distance - 2.0 * _trace_sqrt_product(cov_a, cov_b)), 0.0)


# ------------------------------------------------------------------------------------ KID


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


# ------------------------------------------------------------------------- classifier


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


# ---------------------------------------------------------------------------- together


# The bootstrap interval of each metric of ``all_metrics`` (``tfgan_lite.eval.bootstrap``):
# bias-corrected for FID and KID; centred on the estimate for the k-NN metrics, whose
# resamples are moved by their copies, not by a bias of the estimate.
METHODS = {
    "fid": "basic",
    "kid": "basic",
    "precision": "centred",
    "recall": "centred",
    "density": "centred",
    "coverage": "centred",
}
# The range of each metric; bootstrap intervals are clipped to it.
BOUNDS = {
    "fid": (0.0, np.inf),
    "kid": (-np.inf, np.inf),
    "precision": (0.0, 1.0),
    "recall": (0.0, 1.0),
    "density": (0.0, np.inf),
    "coverage": (0.0, 1.0),
}


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


def _resampled_metrics(real, fake, k, real_counts, fake_counts, rng, kernels, candidates=None):
    """The six metrics of ``all_metrics`` on a resample given as counts over the rows.

    ``candidates`` (real, fake) from ``_candidates`` spare the k-NN searches of each
    resample; without them the radii are searched on the resample's distinct rows.
    """
    r, f = np.flatnonzero(real_counts), np.flatnonzero(fake_counts)
    real_w, fake_w = real_counts[r].astype(float), fake_counts[f].astype(float)
    radii2 = None
    if candidates is not None:
        radii2 = (
            _resampled_radii2(real, candidates[0], real_counts, k),
            _resampled_radii2(fake, candidates[1], fake_counts, k),
        )
    precision, recall, density, covered = _ball_counts(
        real[r], fake[f], k, True, real_w, fake_w, radii2
    )
    num_real, num_fake = real_w.sum(), fake_w.sum()
    kid = _kid_resampled(
        real,
        fake,
        real_counts,
        fake_counts,
        _KID_SUBSETS,
        _KID_SUBSET_SIZE,
        rng,
        kernels,
    )
    return {
        "fid": _frechet_counts(real, fake, real_counts, fake_counts),
        "kid": kid,
        "precision": precision / num_fake,
        "recall": recall / num_real,
        "density": density / (k * num_fake),
        "coverage": covered / num_real,
    }


def all_metrics(
    real_features, fake_features, k=5, bootstrap=None, seed=0, confidence=0.95, method=None
):
    """FID, KID, precision, recall, density and coverage of ``fake_features`` against
    ``real_features``: one flat dict of floats, or with ``bootstrap`` a confidence interval
    of each.

    ``fid`` is ``frechet_distance``; ``kid`` is ``kernel_distance`` (mean, default subsets
    and seed); ``precision``, ``recall``, ``density`` and ``coverage`` use the same
    neighbourhood size ``k`` (5, as recommended by Naeem et al. 2020), and the k-NN radii
    and the pairwise distances are computed once for all four. ``classifier_score`` needs
    class probabilities, not features, so it is not included (``bootstrap_interval`` gives
    its interval).

    With ``bootstrap=n``, both sets are resampled with replacement n times
    (``np.random.default_rng(seed)``, each set on its own) and every metric is recomputed on
    each resample, copies of one sample never counting as each other's neighbours or pairs;
    each metric then maps to ``{"value", "mean", "std", "low", "high"}``: the estimate on
    all samples (the float returned without ``bootstrap``), the mean and standard deviation
    of the resampled values, and the interval: bias-corrected for FID and KID (so FID's can
    lie below ``value``: it is an interval for the FID of the distributions, which the
    estimate overstates), centred on ``value`` for the k-NN metrics; the module
    ``tfgan_lite.eval.bootstrap`` says why and how well they cover. A resample costs
    less than one evaluation: 200 of them on 540 samples of 128 features take about 2 s.

    Example:

      ```python
      scores = all_metrics(real, fake, bootstrap=200, seed=0)
      scores["fid"]["value"], (scores["fid"]["low"], scores["fid"]["high"])
      ```

    Args:
      real_features, fake_features: arrays (N, d) and (M, d), each with more than k samples.
      k: the neighbourhood size of the k-NN metrics.
      bootstrap: None (no interval) or the number of resamples (>= 2; 200 is usual).
      seed: the seed of the resampling.
      confidence: the coverage of the interval.
      method: None (each metric's own, as above), or ``"basic"``, ``"centred"`` or
        ``"percentile"`` for all of them (``tfgan_lite.eval.bootstrap.summarize``).

    Returns:
      dict with keys ``fid``, ``kid``, ``precision``, ``recall``, ``density``, ``coverage``:
      floats, or with ``bootstrap`` dicts ``{"value", "mean", "std", "low", "high"}``.
    """
    from tfgan_lite.eval import bootstrap as resampling

    if bootstrap is not None:
        bootstrap = resampling.check(bootstrap, confidence, method or "basic")
    real, fake = _pair(real_features, fake_features, "real_features", "fake_features")
    k = _neighbours(k, real, fake, "real_features", "fake_features", fake_needs_k=True)
    precision_hits, recall_hits, density_hits, covered = _ball_counts(real, fake, k)
    values = {
        "fid": frechet_distance(real, fake),
        "kid": kernel_distance(real, fake),
        "precision": precision_hits / len(fake),
        "recall": recall_hits / len(real),
        "density": density_hits / (k * len(fake)),
        "coverage": covered / len(real),
    }
    if bootstrap is None:
        return values
    kernels = None
    if max(len(real), len(fake)) <= _KID_KERNEL_ROWS:
        # The kernel matrices of the whole sets serve every subset of every resample.
        kernels = (_kernel(real), _kernel(fake), _kernel(real, fake))
    # The resamples come from their own stream, the same as frechet_distance's; KID's
    # subsets (sets of unequal sizes, or above its subset size) from a child stream.
    candidates = (_candidates(real, k), _candidates(fake, k))
    rng = np.random.default_rng(seed)
    subsets_rng = rng.spawn(1)[0]
    replicates = {name: [] for name in values}
    for _ in range(bootstrap):
        real_counts = resampling.counts(rng, len(real))
        fake_counts = resampling.counts(rng, len(fake))
        resampled = _resampled_metrics(
            real, fake, k, real_counts, fake_counts, subsets_rng, kernels, candidates
        )
        for name, value in resampled.items():
            replicates[name].append(value)
    return {
        name: resampling.summarize(
            values[name], replicates[name], confidence, method or METHODS[name], BOUNDS[name]
        )
        for name in values
    }
