"""InfoGAN: the mutual-information bound against NumPy, codes, a short run, saving, bad input."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import generate
from tfgan_lite.models.infogan import code_entropy, code_log_likelihood
from tfgan_lite.networks import infogan_mlp

RING = tfgan.data.toy("ring8")
LOCS = np.asarray(RING.components_distribution.mean())


def make_infogan(categorical=(10,), continuous=2, log_variances=False, data_dim=2, **kwargs):
    networks = infogan_mlp(4, data_dim, categorical, continuous, (32,), log_variances)
    kwargs.setdefault("seed", 0)
    return tfgan.InfoGAN(
        *networks,
        latent_dim=4,
        categorical_codes=categorical,
        continuous_codes=continuous,
        **kwargs,
    )


def numpy_log_q(q, categorical, continuous, sizes, log_variances):
    """log Q(c|x) per example, written out term by term."""
    total = np.zeros(len(q))
    offset = 0
    for i, k in enumerate(sizes):
        logits = q[:, offset : offset + k]
        offset += k
        for row in range(len(q)):
            log_z = np.log(np.sum(np.exp(logits[row])))
            total[row] += logits[row, categorical[row, i]] - log_z
    n = continuous.shape[1]
    mean = q[:, offset : offset + n]
    variance = np.exp(q[:, offset + n : offset + 2 * n]) if log_variances else np.ones_like(mean)
    density = np.exp(-((continuous - mean) ** 2) / (2 * variance)) / np.sqrt(2 * np.pi * variance)
    return total + np.log(density).sum(1)


@pytest.mark.parametrize("log_variances", [False, True])
def test_code_log_likelihood_matches_numpy(log_variances):
    rng = np.random.default_rng(0)
    sizes, n = [10, 3], 2
    width = sum(sizes) + n * (2 if log_variances else 1)
    q = rng.normal(size=(32, width)).astype(np.float32)
    categorical = np.stack([rng.integers(0, k, 32) for k in sizes], 1).astype(np.int32)
    continuous = rng.uniform(-1, 1, (32, n)).astype(np.float32)
    got = code_log_likelihood(q, categorical, continuous, sizes, log_variances)
    expected = numpy_log_q(q, categorical, continuous, sizes, log_variances)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 0.999])
def test_the_bound_of_a_known_posterior_is_log_k_plus_log_p(p):
    """Q puts probability p on the true value of a uniform K-way code, the rest evenly:
    L_I = H(c) + E log Q = log K + log p; uninformed (p = 1/K) it is 0, exact it is log K."""
    k = 10
    codes = np.arange(200) % k
    probabilities = np.full((200, k), (1 - p) / (k - 1))
    probabilities[np.arange(200), codes] = p
    q = np.log(probabilities).astype(np.float32)
    log_q = code_log_likelihood(q, codes[:, None], np.zeros([200, 0], np.float32), [k], False)
    bound = code_entropy([k], 0) + float(tf.reduce_mean(log_q))
    assert bound == pytest.approx(math.log(k) + math.log(p), abs=1e-5)
    assert code_entropy([10, 4], 3) == pytest.approx(math.log(10) + math.log(4) + 3 * math.log(2))


@pytest.mark.parametrize("continuous_weight", [None, 0.1])
def test_losses_add_the_penalty_to_both_networks(continuous_weight):
    gan = make_infogan(info_weight=0.5, continuous_weight=continuous_weight)
    rng = np.random.default_rng(1)
    real = {"logits": tf.constant(rng.normal(size=(16, 1)), tf.float32), "q": None}
    q = rng.normal(size=(16, 12)).astype(np.float32)
    fake = {"logits": tf.constant(rng.normal(size=(16, 1)), tf.float32), "q": tf.constant(q)}
    codes = {
        "categorical": tf.constant(rng.integers(0, 10, (16, 1)), tf.int32),
        "continuous": tf.constant(rng.uniform(-1, 1, (16, 2)), tf.float32),
    }
    d_loss, metrics = gan._discriminator_loss(real, fake, codes, {})
    g_loss = gan._generator_loss(fake, real, codes)
    categorical, continuous = codes["categorical"].numpy(), codes["continuous"].numpy()
    log_q = numpy_log_q(q, categorical, continuous, [10], False)
    log_q_categorical = numpy_log_q(q[:, :10], categorical, continuous[:, :0], [10], False)
    log_q_continuous = numpy_log_q(q[:, 10:], categorical[:, :0], continuous, [], False)
    weight = 0.5 if continuous_weight is None else continuous_weight
    penalty = -(0.5 * log_q_categorical.mean() + weight * log_q_continuous.mean())
    real_l, fake_l = real["logits"].numpy(), fake["logits"].numpy()
    expected_d = np.logaddexp(0, -real_l).mean() + np.logaddexp(0, fake_l).mean()
    expected_g = np.logaddexp(0, -fake_l).mean()
    np.testing.assert_allclose(float(d_loss), expected_d + penalty, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss), expected_g + penalty, rtol=1e-5)
    entropy = math.log(10) + 2 * math.log(2)
    np.testing.assert_allclose(float(metrics["mutual_information"]), entropy + log_q.mean(), 1e-5)


def test_the_generator_takes_z_then_one_hot_codes_then_continuous_codes():
    gan = make_infogan(categorical=(3, 2), continuous=1)
    z = tf.ones([2, 4])
    codes = {"categorical": tf.constant([[2, 0], [1, 1]]), "continuous": tf.constant([[0.5], [-1]])}
    expected = [[1, 1, 1, 1, 0, 0, 1, 1, 0, 0.5], [1, 1, 1, 1, 0, 1, 0, 0, 1, -1]]
    np.testing.assert_array_equal(gan._generator_inputs(z, codes).numpy(), expected)
    drawn = gan._draw_codes(20000, tf.constant([3, 4]))
    counts = np.bincount(drawn["categorical"].numpy()[:, 0], minlength=3) / 20000
    np.testing.assert_allclose(counts, 1 / 3, atol=0.02)
    continuous = drawn["continuous"].numpy()
    assert continuous.min() >= -1 and continuous.max() <= 1 and abs(continuous.mean()) < 0.02


def test_generate_fixes_the_codes_asked_for_and_draws_the_rest():
    gan = make_infogan(categorical=(10,), continuous=2)
    samples = gan.generate(6, seed=5, codes=[3, None, 0.25])
    again = gan.generate(6, seed=5, codes=[3, None, 0.25])
    np.testing.assert_array_equal(samples, again)
    # What the generator makes from the same z and these codes, built by hand.
    z = gan.sample_latent(6, 5).numpy()
    drawn = gan._codes_for(6, None, 5)["continuous"].numpy()
    inputs = np.concatenate([z, np.eye(10)[[3] * 6], drawn[:, :1], np.full([6, 1], 0.25)], 1)
    np.testing.assert_allclose(samples, gan.generator(inputs).numpy(), atol=1e-6)
    per_sample = gan.generate(4, seed=0, codes=[[0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4], None])
    assert per_sample.shape == (4, 2)


@pytest.mark.slow
def test_a_short_run_ties_each_code_value_to_one_ring_mode():
    """310 updates on ring8 with one 8-way code: each code value makes one mode and Q reads
    the mode of real points (measured 100% for both, L_I 2.074 of log 8 = 2.079)."""
    keras.utils.set_random_seed(0)
    x, y = (np.asarray(t) for t in tfgan.data.sample_labeled(RING, 4000, (0, 0)))
    networks = infogan_mlp(4, 2, [8], 0, (64, 64))
    gan = tfgan.InfoGAN(*networks, latent_dim=4, categorical_codes=[8], seed=0)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    history = gan.fit(x, batch_size=128, epochs=10, verbose=0).history
    assert history["mutual_information"][-1] >= 0.9 * math.log(8)
    codes = np.arange(800) % 8
    samples = gan.generate(800, seed=1, codes=[codes])
    nearest = np.argmin(((samples[:, None] - LOCS[None]) ** 2).sum(-1), 1)
    assert tfgan.eval.matched_accuracy(codes, nearest, 8) >= 0.95
    assert tfgan.eval.matched_accuracy(gan.predict_codes(x)["categorical"][:, 0], y, 8) >= 0.95


def test_a_keras_file_round_trip_keeps_samples_and_goes_on_training(tmp_path):
    gan = make_infogan(
        categorical=(4,), continuous=1, log_variances=True, info_weight=0.3, continuous_weight=0.2
    )
    gan.compile()
    x = np.asarray(RING.sample(512, seed=(0, 0)))
    gan.fit(x, batch_size=64, epochs=1, verbose=0)
    path = str(tmp_path / "infogan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, tfgan.InfoGAN) and loaded.log_variances and loaded.info_weight == 0.3
    assert loaded.continuous_weight == 0.2
    np.testing.assert_array_equal(
        loaded.generate(8, seed=2, codes=[1, None]), gan.generate(8, seed=2, codes=[1, None])
    )
    before = loaded.generator.get_weights()[0].copy()
    history = loaded.fit(x, batch_size=64, epochs=1, verbose=0).history
    assert np.isfinite(history["mutual_information"][-1])
    assert not np.allclose(before, loaded.generator.get_weights()[0])


def test_infogan_dcgan_builds_a_pair_that_trains_on_images():
    generator, discriminator = tfgan.networks.infogan_dcgan((16, 16, 1), 8, [10], 2, width=8)
    assert generator.inputs[0].shape[-1] == 8 + 10 + 2
    assert [t.shape[-1] for t in discriminator.outputs] == [1, 12]
    gan = tfgan.InfoGAN(generator, discriminator, 8, categorical_codes=[10], continuous_codes=2)
    gan.compile()
    history = gan.fit(tfgan.data.images("digits", "train", 32, 16).take(2), verbose=0).history
    assert np.isfinite(history["mutual_information"][-1])


def test_infogan_dcgan_hidden_is_chen_et_al_mnist_network():
    # Table 1 of Chen et al.: G is FC 1024-BN-ReLU, FC 7x7x128-BN-ReLU, 4x4 upconv 64-BN-ReLU,
    # 4x4 upconv 1; D is 4x4 conv 64-lReLU, 4x4 conv 128-BN-lReLU, FC 1024-BN-lReLU, then the
    # logit and Q's FC 128-BN-lReLU-FC. Parameters counted layer by layer from that table.
    generator, discriminator = tfgan.networks.infogan_dcgan(
        (28, 28, 1), 62, [10], 2, width=64, hidden=1024
    )
    bn = 4  # a batch norm's gamma, beta, moving mean and variance per channel
    g = 74 * 1024 + bn * 1024 + 1024 * 6272 + bn * 6272 + 16 * 128 * 64 + bn * 64 + 16 * 64 + 1
    d = 16 * 64 + 64 + 16 * 64 * 128 + bn * 128 + 6272 * 1024 + bn * 1024 + 1024 + 1
    q = 1024 * 128 + 128 + bn * 128 + 128 * 12 + 12
    assert generator.count_params() == g
    assert discriminator.count_params() == d + q
    assert discriminator.get_layer("hidden").output.shape == (None, 1024)
    with pytest.raises(ValueError, match=r"hidden must be a positive integer \(1024 in Chen"):
        tfgan.networks.infogan_dcgan((28, 28, 1), 62, hidden=0)
    with pytest.raises(ValueError, match="spectral_norm=True leaves batch norm out"):
        tfgan.networks.infogan_dcgan((28, 28, 1), 62, hidden=1024, spectral_norm=True)


def test_bad_networks_codes_and_arguments_are_refused():
    generator, discriminator = infogan_mlp(4, 2, [10], 2, (16,))
    with pytest.raises(
        ValueError, match=r"\(None, 16\).*z \(4\) and the codes \(11\) make 15 features"
    ):
        tfgan.InfoGAN(generator, discriminator, 4, categorical_codes=[10], continuous_codes=1)
    _, small_q = infogan_mlp(4, 2, [10], 1, (16,))
    with pytest.raises(ValueError, match=r"must have 12 units.*or 14 with the.*Dense\(12\)"):
        tfgan.InfoGAN(generator, small_q, 4, categorical_codes=[10], continuous_codes=2)
    single = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"two outputs, \[logit, q\]"):
        tfgan.InfoGAN(generator, single, 4, categorical_codes=[10], continuous_codes=2)
    with pytest.raises(ValueError, match="at least one code"):
        tfgan.InfoGAN(generator, discriminator, 16, categorical_codes=[], continuous_codes=0)
    with pytest.raises(ValueError, match="categorical_codes must be an integer >= 2"):
        tfgan.InfoGAN(generator, discriminator, 4, categorical_codes=[1])
    with pytest.raises(ValueError, match="info_weight must be >= 0"):
        tfgan.InfoGAN(generator, discriminator, 4, continuous_codes=2, info_weight=-1)
    with pytest.raises(ValueError, match="continuous_weight must be a number >= 0"):
        tfgan.InfoGAN(generator, discriminator, 4, continuous_codes=2, continuous_weight="x")
    gan = tfgan.InfoGAN(generator, discriminator, 4, categorical_codes=[10], continuous_codes=2)
    with pytest.raises(ValueError, match="codes must be a list of 3 entries"):
        gan.generate(4, codes=[1, 0.5])
    with pytest.raises(ValueError, match=r"codes\[0\] holds labels from 12 to 12"):
        gan.generate(4, codes=[12, None, None])
    with pytest.raises(ValueError, match=r"codes\[2\] \(a continuous code\)"):
        gan.generate(4, codes=[None, None, [0.1, 0.2]])
    with pytest.raises(ValueError, match="takes codes=, not labels="):
        gan.generate(4, labels=1)


def test_exports_take_the_codes_beside_z_and_equal_the_keras_generator(tmp_path):
    gan = make_infogan(categorical=(10, 3), continuous=2)
    gan.compile()
    gan.fit(np.asarray(RING.sample(256, seed=(0, 0))), batch_size=64, epochs=1, verbose=0)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(16, 4)).astype(np.float32)
    categorical = np.stack([rng.integers(0, 10, 16), rng.integers(0, 3, 16)], 1).astype(np.int32)
    continuous = rng.uniform(-1, 1, (16, 2)).astype(np.float32)
    inputs = np.concatenate([z, np.eye(10)[categorical[:, 0]], np.eye(3)[categorical[:, 1]]], 1)
    expected = gan.generator(np.concatenate([inputs, continuous], 1)).numpy()

    loaded = tf.saved_model.load(tfgan.export.saved_model(gan, str(tmp_path / "served")))
    serve = loaded.signatures["serving_default"]
    got = serve(z=z, categorical_codes=categorical, continuous_codes=continuous)["samples"]
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-6)
    # sample draws z and the codes as generate() does for the same seed.
    drawn = loaded.signatures["sample"](num_samples=tf.constant(8), seed=tf.constant(7, tf.int64))
    np.testing.assert_allclose(drawn["samples"].numpy(), gan.generate(8, seed=7), atol=1e-6)
    bad = categorical.copy()
    bad[0, 1] = 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="categorical_codes"):
        serve(z=z, categorical_codes=bad, continuous_codes=continuous)

    path = tfgan.export.tflite(gan, str(tmp_path / "g.tflite"))
    got = tfgan.export.run_tflite(path, z, None, categorical, continuous)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    out = str(tmp_path / "s.npy")
    assert generate.main(["--model", path, "--num", "5", "--out", out]) == 0
    assert np.load(out).shape == (5, 2)
