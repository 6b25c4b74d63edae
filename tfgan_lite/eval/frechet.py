"""The Frechet distance between Gaussians fitted to two feature sets: the formula of FID
(Heusel et al. 2017), in NumPy / SciPy, and its bootstrap resamples from weighted moments.
"""

import numbers
import warnings

import numpy as np
from scipy import linalg

from tfgan_lite.eval.common import BOUNDS, _min_samples, _pair

__all__ = ["frechet_distance"]


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
