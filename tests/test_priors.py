"""tfgan_lite.priors: shapes, distributions (KS tests against SciPy), seeds, bad inputs."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from scipy import stats

from tfgan_lite import priors

tfd = tfp.distributions

LATENT_DIM = 4
NUM_SAMPLES = 5000  # x LATENT_DIM = 20000 numbers per KS test

# The reference laws, from SciPy: N(0, 1), U(-1, 1), N(0, 1) truncated to [-2, 2].
REFERENCE = {
    "normal": stats.norm(),
    "uniform": stats.uniform(loc=-1.0, scale=2.0),
    "truncated_normal": stats.truncnorm(-2.0, 2.0),
}
SUPPORT = {"normal": None, "uniform": 1.0, "truncated_normal": 2.0}


def test_names():
    assert set(priors.names()) == set(REFERENCE)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("latent_dim", [1, 16])
def test_event_shape_and_sample_shape(name, latent_dim):
    prior = priors.get(name, latent_dim)
    assert isinstance(prior, tfd.Distribution)
    assert prior.event_shape.as_list() == [latent_dim]
    assert prior.batch_shape.as_list() == []
    z = prior.sample(7, seed=(0, 1))
    assert z.shape == (7, latent_dim) and z.dtype == tf.float32
    assert priors.name_of(prior) == name


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_samples_follow_the_documented_law(name):
    z = np.asarray(priors.get(name, LATENT_DIM).sample(NUM_SAMPLES, seed=(42, 7)), np.float64)
    reference = REFERENCE[name]
    values = z.ravel()
    assert stats.kstest(values, reference.cdf).pvalue > 1e-3
    # Each coordinate has the reference law too, and the coordinates are uncorrelated.
    for j in range(LATENT_DIM):
        assert stats.kstest(z[:, j], reference.cdf).pvalue > 1e-4
    np.testing.assert_allclose(values.mean(), 0.0, atol=5 * reference.std() / np.sqrt(len(values)))
    np.testing.assert_allclose(values.var(), reference.var(), rtol=0.05)
    off_diagonal = np.corrcoef(z.T)[~np.eye(LATENT_DIM, dtype=bool)]
    assert np.max(np.abs(off_diagonal)) < 0.05
    if SUPPORT[name] is not None:
        assert np.all(np.abs(values) <= SUPPORT[name])


def test_the_ks_test_above_can_tell_the_priors_apart():
    # Power check: the same test rejects each prior's samples under another prior's law.
    samples = {
        name: np.asarray(priors.get(name, LATENT_DIM).sample(NUM_SAMPLES, seed=(42, 7))).ravel()
        for name in REFERENCE
    }
    for name, values in samples.items():
        for other, reference in REFERENCE.items():
            if other != name:
                assert stats.kstest(values, reference.cdf).pvalue < 1e-6, (name, other)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_same_seed_same_samples_different_seed_different(name):
    prior = priors.get(name, LATENT_DIM)
    a = prior.sample(64, seed=(3, 4)).numpy()
    b = prior.sample(64, seed=(3, 4)).numpy()
    c = prior.sample(64, seed=(3, 5)).numpy()
    d = prior.sample(64, seed=tf.constant([3, 4], tf.int32)).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert not np.any(a == c)
    # A fresh distribution object with the same seed draws the same z.
    np.testing.assert_array_equal(priors.get(name, LATENT_DIM).sample(64, seed=(3, 4)), a)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_same_seed_same_samples_inside_a_tf_function(name):
    prior = priors.get(name, LATENT_DIM)
    sample = tf.function(lambda seed: prior.sample(16, seed=seed))
    seed = tf.constant([9, 1], tf.int32)
    np.testing.assert_array_equal(sample(seed).numpy(), prior.sample(16, seed=seed).numpy())


def test_a_user_distribution_with_the_right_event_shape_passes_through():
    laplace = tfd.Sample(tfd.Laplace(0.0, 1.0), sample_shape=5)
    assert priors.get(laplace, 5) is laplace
    assert priors.name_of(laplace) is None
    diag = tfd.MultivariateNormalDiag(loc=tf.zeros(3), scale_diag=2.0 * tf.ones(3))
    assert priors.get(diag, 3) is diag


@pytest.mark.parametrize(
    "prior",
    [
        tfd.Normal(0.0, 1.0),  # scalar event
        tfd.Sample(tfd.Normal(0.0, 1.0), sample_shape=4),  # [4], not [5]
        tfd.Sample(tfd.Normal(0.0, 1.0), sample_shape=[5, 1]),  # [5, 1]
    ],
)
def test_a_user_distribution_with_a_wrong_event_shape_is_a_value_error(prior):
    with pytest.raises(ValueError, match="latent_dim=5") as info:
        priors.get(prior, 5)
    assert "prior" in str(info.value) and "event_shape" in str(info.value)


@pytest.mark.parametrize("bad", ["gaussian", "Normal", "", 3, None, np.zeros(4)])
def test_an_unknown_prior_is_a_value_error_naming_the_argument(bad):
    with pytest.raises(ValueError, match="prior=") as info:
        priors.get(bad, 4)
    for name in REFERENCE:
        assert name in str(info.value)
