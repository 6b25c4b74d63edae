"""tfgan_lite.eval.toy against hand-computed answers, closed forms and numerical integration.

Monte-Carlo estimates (20000 samples, fixed seeds) are compared within 5 standard errors,
the standard error itself computed by integration on the grid.
"""

import math

import numpy as np
import pytest
import tensorflow_probability as tfp
from scipy import stats

from tfgan_lite import data
from tfgan_lite.eval import toy as ev

tfd = tfp.distributions

NUM_SAMPLES = 20000  # the estimators' default
GRID = np.linspace(-40.0, 40.0, 400_001)
RING8_MODES = 2.0 * np.array(
    [[np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)] for k in range(8)]
)

# ---------------------------------------------------------------- 1-D references on a grid


class Mixture1D:
    """A 1-D Gaussian mixture as a pair: the package's distribution, a SciPy density."""

    def __init__(self, locs, scales, weights=None):
        self.locs = np.atleast_1d(np.asarray(locs, np.float64))
        self.scales = np.broadcast_to(np.asarray(scales, np.float64), self.locs.shape)
        k = len(self.locs)
        self.weights = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, float)
        self.dist = data.gaussian_mixture(self.locs, self.scales, self.weights)

    def pdf(self, x):
        x = np.asarray(x, np.float64)
        return sum(
            w * stats.norm.pdf(x, m, s)
            for m, s, w in zip(self.locs, self.scales, self.weights, strict=True)
        )

    def logpdf(self, x):
        x = np.asarray(x, np.float64)
        terms = [
            np.log(w) + stats.norm.logpdf(x, m, s)
            for m, s, w in zip(self.locs, self.scales, self.weights, strict=True)
        ]
        return np.logaddexp.reduce(np.stack(terms), axis=0)


def integrate(f):
    return float(np.trapezoid(f, GRID))


def kl_by_integration(p, q):
    """KL(p || q) and the standard error of its 20000-sample Monte-Carlo estimate."""
    log_ratio = p.logpdf(GRID) - q.logpdf(GRID)
    density = p.pdf(GRID)
    kl = integrate(density * log_ratio)
    variance = integrate(density * log_ratio**2) - kl**2
    return kl, math.sqrt(variance / NUM_SAMPLES)


def js_by_integration(p, q):
    """JSD(p, q) in nats and the standard error of the package's Monte-Carlo estimate."""
    lp, lq = p.logpdf(GRID), q.logpdf(GRID)
    lm = np.logaddexp(lp, lq) - math.log(2.0)
    halves, variances = [], []
    for density, log_ratio in ((p.pdf(GRID), lp - lm), (q.pdf(GRID), lq - lm)):
        half = integrate(density * log_ratio)
        halves.append(half)
        variances.append(integrate(density * log_ratio**2) - half**2)
    return 0.5 * sum(halves), 0.5 * math.sqrt(sum(variances) / NUM_SAMPLES)


def kl_gaussians(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


PAIRS = {
    "gaussians": (Mixture1D(0.0, 1.0), Mixture1D(1.0, 2.0)),
    "shifted": (Mixture1D(0.0, 1.0), Mixture1D(1.5, 0.7)),
    "bimodal_vs_wide": (Mixture1D([-2.0, 2.0], 0.5), Mixture1D(0.0, 1.5)),
    "weighted_mixtures": (
        Mixture1D([-1.0, 3.0], [0.8, 1.2], [0.3, 0.7]),
        Mixture1D([0.0, 2.0, 5.0], [1.0, 0.5, 1.0], [0.5, 0.25, 0.25]),
    ),
}


# ---------------------------------------------------------------- divergences


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_kl_divergence_matches_integration(pair):
    p, q = PAIRS[pair]
    for a, b in ((p, q), (q, p)):
        expected, se = kl_by_integration(a, b)
        estimate = ev.kl_divergence(a.dist, b.dist)
        assert abs(estimate - expected) < 5 * se + 1e-4, (pair, estimate, expected, se)


@pytest.mark.parametrize(
    "m1,s1,m2,s2", [(0.0, 1.0, 1.0, 2.0), (0.0, 1.0, 1.5, 0.7), (-2.0, 0.5, 3.0, 1.0)]
)
def test_kl_divergence_of_two_gaussians_matches_the_closed_form(m1, s1, m2, s2):
    # Both directions: KL is not symmetric (0.44 and 1.31 nats for the first pair), so an
    # estimate of KL(q || p) in place of KL(p || q) fails by far more than 5 errors.
    for a, b in (((m1, s1), (m2, s2)), ((m2, s2), (m1, s1))):
        p, q = Mixture1D(*a), Mixture1D(*b)
        _, se = kl_by_integration(p, q)  # the Monte-Carlo error only, from the grid
        expected = kl_gaussians(*a, *b)
        estimate = ev.kl_divergence(p.dist, q.dist)
        assert abs(estimate - expected) < 5 * se + 1e-4, (a, b, estimate, expected, se)


def test_kl_divergence_of_far_apart_gaussians():
    # KL(N(0, 1) || N(100, 1)) = 100^2 / 2.
    far = ev.kl_divergence(Mixture1D(0.0, 1.0).dist, Mixture1D(100.0, 1.0).dist)
    np.testing.assert_allclose(far, 5000.0, rtol=1e-3)


def test_kl_divergence_in_two_dimensions_sums_over_coordinates():
    p = data.gaussian_mixture([[0.0, 0.0]], [[1.0, 2.0]])
    q = data.gaussian_mixture([[1.0, -1.0]], 1.5)
    expected = kl_gaussians(0.0, 1.0, 1.0, 1.5) + kl_gaussians(0.0, 2.0, -1.0, 1.5)
    np.testing.assert_allclose(ev.kl_divergence(p, q), expected, atol=0.03)


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_js_divergence_matches_integration(pair):
    p, q = PAIRS[pair]
    expected, se = js_by_integration(p, q)
    estimate = ev.js_divergence(p.dist, q.dist)
    assert abs(estimate - expected) < 5 * se + 1e-4, (pair, estimate, expected, se)
    # Symmetric (up to Monte-Carlo noise) and at most log 2.
    assert abs(ev.js_divergence(q.dist, p.dist) - expected) < 5 * se + 1e-4
    assert 0.0 <= estimate <= math.log(2.0)


def test_js_divergence_of_identical_densities_is_zero():
    p = Mixture1D([-2.0, 2.0], 0.5)
    assert abs(ev.js_divergence(p.dist, p.dist)) < 1e-6
    assert abs(ev.js_divergence(p.dist, Mixture1D([-2.0, 2.0], 0.5).dist)) < 1e-6
    assert abs(ev.js_divergence(data.toy("ring8"), data.toy("ring8"))) < 1e-6


def test_js_divergence_of_far_apart_densities_is_log_2():
    js = ev.js_divergence(Mixture1D(0.0, 1.0).dist, Mixture1D(100.0, 1.0).dist)
    np.testing.assert_allclose(js, math.log(2.0), atol=1e-6)


# ---------------------------------------------------------------- kernel density estimate


def test_kde_of_samples_is_close_to_the_density_they_came_from():
    p = Mixture1D(0.0, 1.0)
    samples = np.random.default_rng(0).normal(size=5000)
    assert ev.kl_divergence(p.dist, samples) < 0.01
    # A KDE of samples of another law is far from p: the estimate can fail.
    shifted = np.random.default_rng(0).normal(1.0, 1.0, size=5000)
    assert ev.kl_divergence(p.dist, shifted) > 0.3


def test_kde_with_a_bandwidth_is_the_numpy_kernel_density():
    rng = np.random.default_rng(1)
    samples = rng.normal(size=(50, 2))
    bandwidth = np.array([0.3, 0.6])
    x = rng.normal(size=(40, 2))
    z = (x[:, None, :] - samples[None]) / bandwidth
    expected = np.log(
        np.mean(np.exp(-0.5 * (z**2).sum(-1)), axis=1) / (2 * np.pi * bandwidth.prod())
    )
    actual = np.asarray(ev.kde(samples, bandwidth=bandwidth).log_prob(x.astype(np.float32)))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_kde_picks_a_bandwidth_that_resolves_the_narrow_ring8_modes():
    ring = data.toy("ring8")
    samples = np.asarray(ring.sample(1000, seed=(1, 1)))
    bandwidth = np.asarray(ev.kde(samples).components_distribution.stddev())[0]
    # Near the modes' own 0.02, far below Scott's rule (about 0.4 here).
    assert np.all(bandwidth < 0.05) and np.all(bandwidth > 0.002)
    assert ev.kl_divergence(ring, samples, num_samples=4000) < 0.15


# ---------------------------------------------------------------- optimal discriminator


@pytest.mark.parametrize("pair", ["gaussians", "shifted", "bimodal_vs_wide"])
def test_optimal_discriminator_is_p_over_p_plus_q(pair):
    p, q = PAIRS[pair]
    x = np.linspace(-4.0, 5.0, 91)
    expected = p.pdf(x) / (p.pdf(x) + q.pdf(x))
    d_star = ev.optimal_discriminator(p.dist, q.dist)
    np.testing.assert_allclose(d_star(x[:, None]), expected, rtol=1e-5, atol=1e-7)
    # A batch of 1-D points may also come as shape (n,).
    np.testing.assert_allclose(d_star(x), expected, rtol=1e-5, atol=1e-7)


def test_optimal_discriminator_is_one_half_between_equal_densities():
    d_star = ev.optimal_discriminator(data.toy("ring8"), data.toy("ring8"))
    np.testing.assert_allclose(d_star(RING8_MODES.astype(np.float32)), 0.5, rtol=1e-6)


def test_value_function_of_a_constant_half_discriminator_is_minus_log_4():
    real = np.random.default_rng(0).normal(size=(100, 1))
    fake = np.random.default_rng(1).normal(3.0, 1.0, size=(100, 1))
    value = ev.value_function(lambda x: np.zeros(len(x)), real, fake)
    np.testing.assert_allclose(value, -math.log(4.0), rtol=1e-12)


@pytest.mark.parametrize("pair", ["gaussians", "shifted"])
def test_value_function_at_the_optimal_discriminator_is_2_jsd_minus_log_4(pair):
    # Goodfellow et al. 2014, Theorem 1: C(G) = V(G, D*) = -log 4 + 2 JSD(p_data || p_g).
    p, q = PAIRS[pair]
    d_star = ev.optimal_discriminator(p.dist, q.dist)

    def logits(x):
        d = d_star(x)  # never exactly 0 or 1 on these samples
        return np.log(d) - np.log1p(-d)

    rng = np.random.default_rng(3)
    real = (p.locs[0] + p.scales[0] * rng.normal(size=NUM_SAMPLES))[:, None]
    fake = (q.locs[0] + q.scales[0] * rng.normal(size=NUM_SAMPLES))[:, None]
    value = ev.value_function(logits, real, fake)

    jsd, _ = js_by_integration(p, q)
    lp, lq = p.logpdf(GRID), q.logpdf(GRID)
    log_d, log_1md = lp - np.logaddexp(lp, lq), lq - np.logaddexp(lp, lq)
    var_real = integrate(p.pdf(GRID) * log_d**2) - integrate(p.pdf(GRID) * log_d) ** 2
    var_fake = integrate(q.pdf(GRID) * log_1md**2) - integrate(q.pdf(GRID) * log_1md) ** 2
    se = math.sqrt((var_real + var_fake) / NUM_SAMPLES)
    expected = 2 * jsd - math.log(4.0)
    assert abs(value - expected) < 5 * se + 1e-4, (value, expected, se)
    # D* maximises V: a worse discriminator on the same samples scores lower.
    assert ev.value_function(lambda x: 0.5 * logits(x), real, fake) < value


# ---------------------------------------------------------------- mode coverage


def ring8():
    return data.toy("ring8")


def test_mode_coverage_on_three_of_eight_modes_plus_junk():
    samples = np.concatenate(
        [
            np.repeat(RING8_MODES[[0]], 10, axis=0),
            np.repeat(RING8_MODES[[2]], 5, axis=0),
            np.repeat(RING8_MODES[[5]], 5, axis=0),
            np.array([[10.0, 10.0], [10.0, -10.0], [0.0, 0.0], [-5.0, 1.0], [0.5, 0.5]]),
        ]
    )
    result = ev.mode_coverage(samples, ring8())
    q = np.array([10, 5, 5]) / 20
    assert result["modes"] == 3
    assert result["num_modes"] == 8
    assert result["counts"] == [10, 0, 5, 0, 0, 5, 0, 0]
    np.testing.assert_allclose(result["high_quality"], 20 / 25, rtol=1e-12)
    np.testing.assert_allclose(result["reverse_kl"], np.sum(q * np.log(q * 8)), rtol=1e-10)


def test_mode_coverage_high_quality_is_within_num_std_standard_deviations():
    std = 0.02
    direction = np.array([np.cos(0.3), np.sin(0.3)])
    samples = np.stack(
        [
            RING8_MODES[6] + 2.5 * std * direction,  # inside 3 std: high quality
            RING8_MODES[3] + 3.5 * std * direction,  # outside 3 std, inside 4
            RING8_MODES[1] + 2.9 * std * np.array([0.0, 1.0]),
            RING8_MODES[1] - 3.1 * std * np.array([1.0, 0.0]),
        ]
    )
    result = ev.mode_coverage(samples, ring8())
    assert result["counts"] == [0, 1, 0, 0, 0, 0, 1, 0]
    assert result["modes"] == 2
    np.testing.assert_allclose(result["high_quality"], 0.5)
    np.testing.assert_allclose(result["reverse_kl"], math.log(4.0), rtol=1e-10)
    wider = ev.mode_coverage(samples, ring8(), num_std=4.0)
    assert wider["counts"] == [0, 2, 0, 1, 0, 0, 1, 0]
    np.testing.assert_allclose(wider["high_quality"], 1.0)
    q = np.array([2, 1, 1]) / 4
    np.testing.assert_allclose(wider["reverse_kl"], np.sum(q * np.log(q * 8)), rtol=1e-10)


def test_mode_coverage_extremes():
    one_mode = ev.mode_coverage(np.repeat(RING8_MODES[[4]], 7, axis=0), ring8())
    assert one_mode["modes"] == 1
    np.testing.assert_allclose(one_mode["reverse_kl"], math.log(8.0), rtol=1e-10)
    grid = np.array([[x, y] for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], float)
    everywhere = ev.mode_coverage(np.repeat(grid, 3, axis=0), data.toy("grid25"))
    assert everywhere["modes"] == everywhere["num_modes"] == 25
    assert everywhere["counts"] == [3] * 25
    np.testing.assert_allclose(everywhere["high_quality"], 1.0)
    np.testing.assert_allclose(everywhere["reverse_kl"], 0.0, atol=1e-6)  # float32 weights
    nothing = ev.mode_coverage(np.full((5, 2), 50.0), ring8())
    assert nothing["modes"] == 0 and nothing["high_quality"] == 0.0
    assert math.isnan(nothing["reverse_kl"])


def test_mode_coverage_with_unequal_weights():
    dist = data.gaussian_mixture([0.0, 5.0, 10.0], 0.1, weights=[0.5, 0.25, 0.25])
    balanced = ev.mode_coverage(np.array([0.0, 0.0, 5.0, 10.0]), dist)
    np.testing.assert_allclose(balanced["reverse_kl"], 0.0, atol=1e-12)
    uniform = ev.mode_coverage(np.array([[0.0], [5.0], [10.0]]), dist)
    q, w = np.full(3, 1 / 3), np.array([0.5, 0.25, 0.25])
    np.testing.assert_allclose(uniform["reverse_kl"], np.sum(q * np.log(q / w)), rtol=1e-10)


def test_mode_coverage_of_real_samples_covers_everything():
    samples = np.asarray(ring8().sample(4000, seed=(2, 0)))
    result = ev.mode_coverage(samples, ring8())
    assert result["modes"] == 8
    # P(chi with 2 degrees of freedom < 3) = 1 - exp(-4.5) = 0.9889.
    assert abs(result["high_quality"] - (1 - math.exp(-4.5))) < 5 * math.sqrt(0.011 / 4000)
    assert result["reverse_kl"] < 0.01


def test_mode_coverage_bad_inputs():
    with pytest.raises(ValueError, match="dimensions"):
        ev.mode_coverage(np.zeros((4, 3)), ring8())
    with pytest.raises(ValueError, match="mixture"):
        ev.mode_coverage(np.zeros((4, 1)), tfd.Normal(0.0, 1.0))
