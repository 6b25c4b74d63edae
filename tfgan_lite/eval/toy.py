"""Diagnostics against toy densities known exactly (see ``tfgan_lite.data.toy``).

* ``mode_coverage``: modes covered, high-quality fraction and reverse KL of the mode
  histogram, the protocol of VEEGAN (Srivastava et al. 2017) and PacGAN.
* ``kl_divergence`` / ``js_divergence``: Monte-Carlo estimates between two densities;
  a set of generated samples stands in through a Gaussian kernel density estimate.
* ``optimal_discriminator``: D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al.
  2014, Proposition 1), and ``value_function`` V(G, D), which at D* is 2 JSD - log 4.
"""

import numpy as np
import tensorflow_probability as tfp
from scipy import special
from scipy.spatial.distance import cdist

tfd = tfp.distributions


def _mixture_parts(distribution):
    if not isinstance(distribution, tfd.MixtureSameFamily):
        raise ValueError(
            "distribution must be a Gaussian mixture (tfd.MixtureSameFamily), such as "
            "tfgan_lite.data.toy('ring8'), so that its modes are known."
        )
    components = distribution.components_distribution
    locs = np.asarray(components.mean(), np.float64)
    stds = np.asarray(components.stddev(), np.float64)
    weights = np.asarray(distribution.mixture_distribution.probs_parameter(), np.float64)
    return locs, stds, weights


def _as_points(samples, dim):
    x = np.asarray(samples, np.float64)
    x = x.reshape(len(x), -1)
    if x.shape[1] != dim:
        raise ValueError(f"samples have {x.shape[1]} dimensions but the density has {dim}.")
    return x


def mode_coverage(samples, distribution, num_std=3.0):
    """How well ``samples`` cover the modes of a Gaussian mixture.

    A sample is high quality when it lies within ``num_std`` standard deviations of its
    nearest mode (a Mahalanobis distance on the mode's diagonal scale). Returns a dict:

    * ``modes``: how many modes hold at least one high-quality sample;
    * ``num_modes``: how many modes the density has;
    * ``high_quality``: the fraction of high-quality samples;
    * ``reverse_kl``: KL(q || w) between the histogram q of high-quality samples over the
      modes and the mixture weights w (0 when every mode is hit as often as it should be,
      log K when all samples fall on one of K equal modes; NaN with no high-quality sample);
    * ``counts``: the high-quality samples on each mode.

    The distances to the modes stay hand-written: each mode has its own scale, and SciPy's
    standardised distances (``cdist(..., "seuclidean")``) take one scale for all.
    """
    locs, stds, weights = _mixture_parts(distribution)
    x = _as_points(samples, locs.shape[1])
    distances = np.sqrt((((x[:, None, :] - locs[None]) / stds[None]) ** 2).sum(-1))
    nearest = distances.argmin(1)
    good = distances[np.arange(len(x)), nearest] < num_std
    counts = np.bincount(nearest[good], minlength=len(locs))
    if counts.sum():
        reverse_kl = float(special.rel_entr(counts / counts.sum(), weights).sum())
    else:
        reverse_kl = float("nan")
    return {
        "modes": int((counts > 0).sum()),
        "num_modes": len(locs),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "counts": counts.tolist(),
    }


def kde(samples, bandwidth=None, max_points=2000, seed=0):
    """A Gaussian kernel density estimate of ``samples`` (n, d), as a distribution.

    ``bandwidth=None`` picks the kernel width (a fraction of each dimension's std) that
    maximises the leave-one-out likelihood over a log grid: Scott's rule would blur the
    narrow modes of ring8 and grid25 into a ring and a square.
    """
    x = np.asarray(samples, np.float64)
    x = x.reshape(len(x), -1)
    if bandwidth is None:
        rng = np.random.default_rng(seed)
        fit = x[rng.choice(len(x), min(len(x), max_points), replace=False)]
        spread = fit.std(0) + 1e-12
        sq = cdist(fit / spread, fit / spread, "sqeuclidean")
        np.fill_diagonal(sq, np.inf)  # leave each point out of its own estimate
        d = x.shape[1]
        best = None
        for h in np.geomspace(1e-3, 1.0, 31):
            log_k = -0.5 * sq / h**2 - d * np.log(h)
            score = np.mean(special.logsumexp(log_k, axis=1))
            if best is None or score > best[0]:
                best = (score, h)
        bandwidth = best[1] * spread
    scale = np.broadcast_to(np.asarray(bandwidth, np.float64), x.shape[1:])
    return tfd.MixtureSameFamily(
        tfd.Categorical(logits=np.zeros(len(x), np.float32)),
        tfd.MultivariateNormalDiag(loc=x.astype(np.float32), scale_diag=scale.astype(np.float32)),
        name="kde",
    )


def _density(p):
    return p if isinstance(p, tfd.Distribution) else kde(p)


def _log_probs(distribution, x, chunk=2048):
    return np.concatenate(
        [
            np.asarray(distribution.log_prob(x[i : i + chunk]), np.float64)
            for i in range(0, len(x), chunk)
        ]
    )


def kl_divergence(p, q, num_samples=20000, seed=0):
    """Monte-Carlo KL(p || q) in nats; ``p`` and ``q`` are distributions or sample arrays."""
    p, q = _density(p), _density(q)
    x = np.asarray(p.sample(num_samples, seed=(seed, 1)))
    return float(np.mean(_log_probs(p, x) - _log_probs(q, x)))


def js_divergence(p, q, num_samples=20000, seed=0):
    """Monte-Carlo Jensen-Shannon divergence in nats (at most log 2)."""
    p, q = _density(p), _density(q)

    def half(a, b, s):
        x = np.asarray(a.sample(num_samples, seed=(seed, s)))
        log_a, log_b = _log_probs(a, x), _log_probs(b, x)
        return np.mean(np.log(2.0) + log_a - np.logaddexp(log_a, log_b))

    return float(0.5 * half(p, q, 2) + 0.5 * half(q, p, 3))


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), as a function of a batch of points."""
    p_data, p_g = _density(p_data), _density(p_g)

    def d_star(x):
        x = np.asarray(x, np.float32).reshape(len(x), -1)  # (n,) for a 1-D density
        return special.expit(_log_probs(p_data, x) - _log_probs(p_g, x))

    return d_star


def value_function(discriminator_logits, real, fake):
    """V(G, D) = E_data[log D(x)] + E_g[log(1 - D(x))], from the logits of D on samples."""
    real_logits = np.asarray(discriminator_logits(real), np.float64)
    fake_logits = np.asarray(discriminator_logits(fake), np.float64)
    # log D = log sigmoid(logits) and log(1 - D) = log sigmoid(-logits).
    return float(np.mean(special.log_expit(real_logits)) + np.mean(special.log_expit(-fake_logits)))
