"""What the metrics on feature vectors share: the checks of their inputs, and the range
and bootstrap interval of each metric of ``all_metrics``.

The checks turn a bad input into a ValueError that names the argument and says how to fix
it; the sliced Wasserstein distance uses them too.
"""

import numpy as np

from tfgan_lite import checks

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
