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
    features_a,
    features_b,
    eps=1e-6,
    bootstrap=None,
    seed=0,
    confidence=0.95,
    method="basic",
    mean_only=False,
    diagonal_only=False,
    ddof=1,
):
    """The Frechet distance between Gaussians fitted to two feature sets: the FID formula.

        FID = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

    with mu the sample means and S the unbiased sample covariances (``np.cov``, rows are
    samples). On Inception-v3 pool3 features this is FID (Heusel et al. 2017, "GANs Trained
    by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"); on any other
    features it is the same formula. It is the squared 2-Wasserstein distance between
    N(mu_a, S_a) and N(mu_b, S_b).

    TF-GAN's two cheaper variants, O(d) in memory and time after the means and variances:

    * ``mean_only=True``: ||mu_a - mu_b||^2 alone, TF-GAN's
      ``mean_only_frechet_classifier_distance_from_activations``.
    * ``diagonal_only=True``: the distance between Gaussians with diagonal covariances,
      ||mu_a - mu_b||^2 + sum_i (sigma_a,i - sigma_b,i)^2 with sigma^2 the per-feature
      variances (the full formula with the off-diagonal covariances set to 0; written as a
      sum of squares, so it cannot round below 0). TF-GAN's
      ``diagonal_only_frechet_classifier_distance_from_activations`` takes the biased
      variances (``tf.nn.moments``, ddof 0) although its full FID takes the unbiased
      covariance; here every variant uses the same ``ddof`` (1 by default), so the
      diagonal variant equals the full one when the covariances are diagonal: pass
      ``ddof=0`` for TF-GAN's diagonal-only numbers.

    ``streaming.StreamingMoments`` accumulates the same means and covariances batch by
    batch and ``streaming.streaming_frechet_distance`` gives the same three distances from
    them, for sets too large to hold.

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
      features_a, features_b: arrays (n_a, d) and (n_b, d), at least 2 samples each (1
        with ``mean_only`` or ``ddof=0``).
      eps: the regulariser added to the diagonals of both covariances when needed (0 turns
        it off: the square root of the singular product is then taken as it is); the
        mean-only and diagonal-only variants need none and ignore it.
      bootstrap: None, or the number of resamples of a bootstrap interval (200 is usual).
      seed: the seed of the resampling.
      confidence: the coverage of the interval.
      method: ``"basic"``, ``"centred"`` or ``"percentile"``
        (``tfgan_lite.eval.bootstrap.summarize``).
      mean_only: only the squared distance between the means (TF-GAN's mean-only FID).
      diagonal_only: the distance between Gaussians with the diagonals of the covariances
        (TF-GAN's diagonal-only FID with ``ddof=0``). Not together with ``mean_only``.
      ddof: the covariances' divisor is n - ddof: 1 (unbiased, ``np.cov``, TF-GAN's full
        FID) or 0 (maximum likelihood, TF-GAN's diagonal-only FID).

    Returns:
      float; with ``bootstrap`` a dict ``{"value", "mean", "std", "low", "high"}``.
    """
    from tfgan_lite.eval import bootstrap as resampling

    if bootstrap is not None:
        bootstrap = resampling.check(bootstrap, confidence, method)
    a, b = _pair(features_a, features_b, "features_a", "features_b")
    mode = _mode(mean_only, diagonal_only)
    ddof = _ddof(ddof)
    # The mean needs 1 sample; a variance divided by n - 1 needs 2.
    minimum = 1 if mode == "mean" or ddof == 0 else 2
    why = "a covariance" if minimum == 2 else "a mean"
    _min_samples(a, "features_a", minimum, why)
    _min_samples(b, "features_b", minimum, why)
    _check_eps(eps)
    if mode == "full":
        cov_a = np.cov(a, rowvar=False, ddof=ddof)
        cov_b = np.cov(b, rowvar=False, ddof=ddof)
        value = _frechet_full(a.mean(axis=0), cov_a, b.mean(axis=0), cov_b, eps)
    else:
        var_a, var_b = a.var(axis=0, ddof=ddof), b.var(axis=0, ddof=ddof)
        value = _frechet_diagonal(a.mean(axis=0), var_a, b.mean(axis=0), var_b, mode == "mean")
    if bootstrap is None:
        return value
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(bootstrap):
        counts_a, counts_b = resampling.counts(rng, len(a)), resampling.counts(rng, len(b))
        replicates.append(_frechet_counts(a, b, counts_a, counts_b, mode, ddof))
    return resampling.summarize(value, replicates, confidence, method, BOUNDS["fid"])


_MODES = {(False, False): "full", (True, False): "mean", (False, True): "diagonal"}


def _mode(mean_only, diagonal_only):
    """``"full"``, ``"mean"`` or ``"diagonal"`` from the two flags, or a ValueError."""
    for name, flag in (("mean_only", mean_only), ("diagonal_only", diagonal_only)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {flag!r}.")
    if mean_only and diagonal_only:
        raise ValueError(
            "mean_only and diagonal_only are exclusive: mean_only=True drops the covariances, "
            "diagonal_only=True keeps their diagonals; pass one of them."
        )
    return _MODES[bool(mean_only), bool(diagonal_only)]


def _ddof(ddof):
    """ddof as 0 or 1, or a ValueError."""
    if isinstance(ddof, bool) or ddof not in (0, 1):
        raise ValueError(
            f"ddof must be 1 (unbiased covariances, np.cov) or 0 (divide by n, as TF-GAN's "
            f"diagonal-only FID), got {ddof!r}."
        )
    return int(ddof)


def _check_eps(eps):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
        raise ValueError(f"eps must be a float >= 0, got {eps!r}.")


def _frechet_diagonal(mean_a, var_a, mean_b, var_b, mean_only):
    """||mu_a - mu_b||^2, plus sum (sigma_a - sigma_b)^2 unless ``mean_only``."""
    diff = mean_a - mean_b
    distance = float(diff @ diff)
    if not mean_only:
        gap = np.sqrt(np.clip(var_a, 0.0, None)) - np.sqrt(np.clip(var_b, 0.0, None))
        distance += float(gap @ gap)
    return distance


def _frechet_full(mean_a, cov_a, mean_b, cov_b, eps):
    """The FID formula from the moments, with ``frechet_distance``'s regularisation."""
    diff = mean_a - mean_b
    cov_a = np.atleast_2d(cov_a)
    cov_b = np.atleast_2d(cov_b)
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
    return max(float(distance), 0.0)


def _weighted_moments(x, weights, ddof=1):
    """The mean and covariance (divisor n - ddof, n the total weight) of the rows of x
    repeated ``weights`` times."""
    total = weights.sum()
    mean = weights @ x / total
    centred = x - mean
    return mean, (centred.T * weights) @ centred / (total - ddof)


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


def _frechet_counts(a, b, counts_a, counts_b, mode="full", ddof=1):
    """FID between the rows of a and b repeated counts times (a bootstrap resample);
    ``mode`` ``"mean"`` or ``"diagonal"`` for the variants of ``frechet_distance``."""
    rows_a, rows_b = np.flatnonzero(counts_a), np.flatnonzero(counts_b)
    weights_a, weights_b = counts_a[rows_a].astype(float), counts_b[rows_b].astype(float)
    if mode != "full":
        moments = []
        for x, w in ((a[rows_a], weights_a), (b[rows_b], weights_b)):
            mean = w @ x / w.sum()
            moments += [mean, w @ (x - mean) ** 2 / (w.sum() - ddof)]
        return _frechet_diagonal(*moments, mode == "mean")
    mean_a, cov_a = _weighted_moments(a[rows_a], weights_a, ddof)
    mean_b, cov_b = _weighted_moments(b[rows_b], weights_b, ddof)
    diff = mean_a - mean_b
    distance = diff @ diff + np.trace(cov_a) + np.trace(cov_b)
    return max(float(distance - 2.0 * _trace_sqrt_product(cov_a, cov_b)), 0.0)
