"""tfgan_lite.data toy densities and pipelines, against NumPy mixtures of Gaussians."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from tfgan_lite import data

# ---------------------------------------------------------------- independent references

RING8_MODES = 2.0 * np.array(
    [[np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)] for k in range(8)]
)
GRID25_MODES = np.array([[x, y] for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], float)
SPEC = {  # name: (modes, std)
    "ring8": (RING8_MODES, 0.02),
    "grid25": (GRID25_MODES, 0.05),
    "gaussian1d": (np.array([[0.0]]), 1.0),
    "bimodal1d": (np.array([[-2.0], [2.0]]), 0.5),
}


def mixture_log_prob(x, modes, scales, weights=None):
    """log sum_k w_k prod_d N(x_d; mu_kd, s_kd^2), in float64."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    modes = np.asarray(modes, np.float64)
    scales = np.broadcast_to(np.asarray(scales, np.float64), modes.shape)
    k = len(modes)
    weights = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, np.float64)
    z = (x[:, None, :] - modes[None]) / scales[None]
    log_normal = (-0.5 * z**2 - np.log(scales[None]) - 0.5 * np.log(2 * np.pi)).sum(-1)
    return logsumexp(log_normal + np.log(weights)[None], axis=1)


def sorted_rows(a):
    a = np.asarray(a)
    return a[np.lexsort(a.T[::-1])]


def test_toy_names():
    assert set(data.toy_names()) == set(SPEC)


# ---------------------------------------------------------------- the densities


@pytest.mark.parametrize("name", sorted(SPEC))
def test_modes_scales_and_weights(name):
    modes, std = SPEC[name]
    dist = data.toy(name)
    components = dist.components_distribution
    locs = np.asarray(components.mean(), np.float64)
    np.testing.assert_allclose(sorted_rows(locs), sorted_rows(modes), atol=1e-6)
    np.testing.assert_allclose(np.asarray(components.stddev()), std, rtol=1e-6)
    probs = np.asarray(dist.mixture_distribution.probs_parameter())
    np.testing.assert_allclose(probs, 1.0 / len(modes), rtol=1e-6)
    assert dist.event_shape.as_list() == [modes.shape[1]]


def test_ring8_modes_lie_on_the_circle_of_radius_2_evenly_spaced():
    locs = np.asarray(data.toy("ring8").components_distribution.mean(), np.float64)
    np.testing.assert_allclose(np.linalg.norm(locs, axis=1), 2.0, rtol=1e-6)
    angles = np.sort(np.mod(np.arctan2(locs[:, 1], locs[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), np.pi / 4, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_log_prob_matches_numpy_mixture(name):
    modes, std = SPEC[name]
    rng = np.random.default_rng(0)
    dim = modes.shape[1]
    near = modes[rng.integers(len(modes), size=400)] + std * rng.normal(0, 2.0, (400, dim))
    lim = np.abs(modes).max() + 1.0
    far = rng.uniform(-lim, lim, (100, dim))
    x = np.concatenate([near, far]).astype(np.float32)
    expected = mixture_log_prob(x, modes, std)
    actual = np.asarray(data.toy(name).log_prob(x), np.float64)
    # Far from the narrow modes log p is about -1e4: float32 holds ~4 decimals of it.
    np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=2e-3)
    # The density is a density: near the modes the log-likelihoods are those of the law.
    if dim == 1:
        grid = np.linspace(-8, 8, 4001)
        p = np.exp(np.asarray(data.toy(name).log_prob(grid[:, None].astype(np.float32))))
        np.testing.assert_allclose(np.trapezoid(p, grid), 1.0, atol=1e-4)


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_samples_sit_on_the_modes_with_the_documented_spread(name):
    modes, std = SPEC[name]
    n = 400 * len(modes)
    x = np.asarray(data.toy(name).sample(n, seed=(11, 0)), np.float64)
    assert x.shape == (n, 2)
    nearest = np.argmin(((x[:, None] - modes[None]) ** 2).sum(-1), axis=1)
    residual = x - modes[nearest]
    np.testing.assert_allclose(residual.std(0), std, rtol=0.05)
    np.testing.assert_allclose(residual.mean(0), 0.0, atol=5 * std / np.sqrt(n))
    assert np.abs(residual).max() < 6 * std
    counts = np.bincount(nearest, minlength=len(modes))
    assert stats.chisquare(counts).pvalue > 1e-3


def test_gaussian_mixture_with_weights_and_per_component_scales():
    locs = [[0.0, 1.0], [3.0, -1.0], [-2.0, 2.0]]
    weights = [0.5, 0.3, 0.2]
    rng = np.random.default_rng(1)
    x = rng.normal(0, 2.0, (200, 2)).astype(np.float32)
    for scale in ([0.5, 1.0, 2.0], [[0.5, 0.7], [1.0, 0.2], [2.0, 1.5]]):
        expected_scales = np.array(scale)
        if expected_scales.ndim == 1:
            expected_scales = expected_scales[:, None]
        dist = data.gaussian_mixture(locs, scale, weights)
        np.testing.assert_allclose(
            np.asarray(dist.log_prob(x), np.float64),
            mixture_log_prob(x, locs, expected_scales, weights),
            rtol=1e-5,
            atol=1e-5,
        )


def test_gaussian_mixture_of_1d_locations_is_1d():
    dist = data.gaussian_mixture([-1.0, 1.0], 0.3)
    assert dist.event_shape.as_list() == [1]
    x = np.linspace(-2, 2, 9)[:, None].astype(np.float32)
    density = 0.5 * stats.norm.pdf(x[:, 0], -1, 0.3) + 0.5 * stats.norm.pdf(x[:, 0], 1, 0.3)
    expected = np.log(density)
    np.testing.assert_allclose(np.asarray(dist.log_prob(x)), expected, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"locs": np.zeros((2, 2, 2)), "scale": 1.0}, "locs"),
        ({"locs": [0.0, 1.0], "scale": 0.0}, "scale"),
        ({"locs": [0.0, 1.0], "scale": [1.0, -1.0]}, "scale"),
        ({"locs": [0.0, 1.0], "scale": 1.0, "weights": [0.5, 0.6]}, "weights"),
        ({"locs": [0.0, 1.0], "scale": 1.0, "weights": [1.5, -0.5]}, "weights"),
        ({"locs": [0.0, 1.0], "scale": 1.0, "weights": [1.0]}, "weights"),
    ],
)
def test_gaussian_mixture_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.gaussian_mixture(**kwargs)


def test_unknown_toy_is_a_value_error_listing_the_names():
    with pytest.raises(ValueError, match="nope") as info:
        data.toy("nope")
    for name in SPEC:
        assert name in str(info.value)
    with pytest.raises(ValueError):
        data.toy_dataset("nope", 8)


# ---------------------------------------------------------------- the pipelines


def take(dataset, k):
    return [b.numpy() for b in dataset.take(k)]


def test_stream_batches_have_the_right_shape_and_law():
    batches = take(data.toy_dataset("ring8", 32, seed=5), 4)
    for b in batches:
        assert b.shape == (32, 2) and b.dtype == np.float32
        distance = np.min(np.linalg.norm(b[:, None] - RING8_MODES[None], axis=-1), axis=1)
        assert distance.max() < 6 * 0.02
    # Every batch is a fresh draw.
    assert not np.allclose(batches[0], batches[1])


def test_stream_is_deterministic_for_a_seed():
    a = take(data.toy_dataset("grid25", 16, seed=5), 3)
    b = take(data.toy_dataset("grid25", 16, seed=5), 3)
    c = take(data.toy_dataset("grid25", 16, seed=6), 3)
    for x, y, z in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(x, y)
        assert not np.allclose(x, z)


def test_stream_accepts_a_distribution():
    dist = data.gaussian_mixture([0.0, 10.0], 0.1)
    (batch,) = take(data.toy_dataset(dist, 64, seed=0), 1)
    assert batch.shape == (64, 1)
    assert np.all(np.minimum(np.abs(batch), np.abs(batch - 10.0)) < 0.6)


def test_finite_num_examples_is_a_fixed_sample_reshuffled_each_epoch():
    dataset = data.toy_dataset("ring8", 16, num_examples=64, seed=3)
    epoch1, epoch2 = list(dataset), list(dataset)
    assert len(epoch1) == len(epoch2) == 4
    assert all(b.shape == (16, 2) for b in epoch1 + epoch2)
    first, second = np.concatenate(epoch1), np.concatenate(epoch2)
    assert len(np.unique(first, axis=0)) == 64
    np.testing.assert_array_equal(sorted_rows(first), sorted_rows(second))
    assert not np.array_equal(first, second)  # shuffled again
    # The same seed gives the same pipeline; another seed another sample.
    again = np.concatenate(list(data.toy_dataset("ring8", 16, num_examples=64, seed=3)))
    np.testing.assert_array_equal(again, first)
    other = np.concatenate(list(data.toy_dataset("ring8", 16, num_examples=64, seed=4)))
    assert not np.array_equal(sorted_rows(other), sorted_rows(first))


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "8", None])
def test_bad_batch_size_is_a_value_error(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        data.toy_dataset("ring8", batch_size)
