"""ACGAN: its losses against NumPy, what a short run learns, saving, exports, bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import tfgan_lite as tfgan
from tfgan_lite import export
from tfgan_lite.networks import conditional_mlp_gan

DIGITS = load_digits()
X = (DIGITS.data / 16 * 2 - 1).astype("float32")
Y = DIGITS.target.astype("int32")


def make_acgan(hidden=(32,), num_classes=10, data_dim=64, **kwargs):
    networks = conditional_mlp_gan(8, data_dim, num_classes, hidden, acgan=True)
    kwargs.setdefault("seed", 0)
    return tfgan.ACGAN(*networks, num_classes=num_classes, latent_dim=8, **kwargs)


def log_softmax(logits):
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def cross_entropy(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels].mean()


def softplus(x):
    return np.logaddexp(0.0, x)


@pytest.mark.parametrize("weights", [(1.0, 1.0, 1.0), (0.5, 0.0, 2.0)])
def test_losses_equal_the_objective_plus_weighted_class_cross_entropies(weights):
    real_w, fake_w, gen_w = weights
    gan = make_acgan(
        class_weight_real=real_w, class_weight_fake=fake_w, class_weight_generator=gen_w
    )
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 16).astype(np.int32)
    real = {"logits": rng.normal(size=(16, 1)), "classes": rng.normal(size=(16, 10)) * 3}
    fake = {"logits": rng.normal(size=(16, 1)), "classes": rng.normal(size=(16, 10)) * 3}
    as_tf = {
        k: {n: tf.constant(v, tf.float32) for n, v in d.items()}
        for k, d in (("r", real), ("f", fake))
    }
    d_loss, metrics = gan._discriminator_loss(as_tf["r"], as_tf["f"], tf.constant(labels), {})
    g_loss = gan._generator_loss(as_tf["f"], as_tf["r"], tf.constant(labels))

    # Non-saturating: D minimises softplus(-l_real) + softplus(l_fake); G softplus(-l_fake).
    ce_real = cross_entropy(real["classes"], labels)
    ce_fake = cross_entropy(fake["classes"], labels)
    expected_d = softplus(-real["logits"]).mean() + softplus(fake["logits"]).mean()
    expected_d += real_w * ce_real + fake_w * ce_fake
    expected_g = softplus(-fake["logits"]).mean() + gen_w * ce_fake
    np.testing.assert_allclose(float(d_loss), expected_d, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss), expected_g, rtol=1e-5)
    np.testing.assert_allclose(float(metrics["real_class_loss"]), ce_real, rtol=1e-5)
    np.testing.assert_allclose(float(metrics["fake_class_loss"]), ce_fake, rtol=1e-5)
    accuracy = (real["classes"].argmax(-1) == labels).mean()
    np.testing.assert_allclose(float(metrics["real_accuracy"]), accuracy, rtol=1e-6)


def test_evaluate_reports_the_losses_of_the_networks_outputs():
    """evaluate's numbers are the NumPy losses of D on the batch and on G's samples."""
    gan = make_acgan(loss="least_squares")
    gan.compile()
    x, y = X[:64], Y[:64]
    logs = gan.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
    # The noise evaluate draws: the same as test_step's, from the unchanged counter.
    seed = tfgan.models.seeds.evaluation_seed(gan.seed, gan.noise_step.value)
    z = gan._noise(64, seed, 0)
    fake = gan.generator([z, tf.constant(y)], training=False)
    real_logit, real_classes = (np.asarray(t) for t in gan.discriminator(x, training=False))
    fake_logit, fake_classes = (np.asarray(t) for t in gan.discriminator(fake, training=False))
    # Least squares (Mao et al.): D 0.5 (D(x) - 1)^2 + 0.5 D(G(z))^2, G 0.5 (D(G(z)) - 1)^2.
    d_expected = 0.5 * np.mean((real_logit - 1) ** 2) + 0.5 * np.mean(fake_logit**2)
    d_expected += cross_entropy(real_classes, y) + cross_entropy(fake_classes, y)
    g_expected = 0.5 * np.mean((fake_logit - 1) ** 2) + cross_entropy(fake_classes, y)
    np.testing.assert_allclose(logs["d_loss"], d_expected, rtol=1e-4)
    np.testing.assert_allclose(logs["g_loss"], g_expected, rtol=1e-4)
    np.testing.assert_allclose(logs["real_class_loss"], cross_entropy(real_classes, y), rtol=1e-4)


@pytest.mark.slow
def test_a_short_run_makes_the_requested_digits_and_classifies_real_ones():
    """400 updates: a classifier of real digits reads the requested label in >= 85% of
    the samples (measured 96-99% by 1,600), and D's class head reads held-out digits."""
    keras.utils.set_random_seed(0)
    train_x, train_y, test_x, test_y = X[:1200], Y[:1200], X[1200:], Y[1200:]
    gan = make_acgan(hidden=(128, 128))
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    gan.fit(train_x, train_y, batch_size=64, epochs=21, verbose=0)  # 19 steps an epoch
    reader = LogisticRegression(max_iter=3000).fit(train_x, train_y)
    labels = np.arange(500) % 10
    samples = gan.generate(500, seed=1, labels=labels)
    assert (reader.predict(samples) == labels).mean() >= 0.85
    assert (gan.classify(test_x) == test_y).mean() >= 0.85


def test_objectives_and_penalties_apply_to_the_first_output():
    gan = make_acgan(loss="wasserstein", gradient_penalty=10.0, discriminator_steps=2)
    gan.compile()
    history = gan.fit(X[:256], Y[:256], batch_size=128, epochs=2, verbose=0).history
    assert history["gradient_penalty"][-1] > 0
    assert all(np.all(np.isfinite(v)) for v in history.values())


def test_a_keras_file_round_trip_keeps_samples_and_goes_on_training(tmp_path):
    gan = make_acgan(class_weight_fake=0.5, loss="hinge")
    gan.compile()
    gan.fit(X[:256], Y[:256], batch_size=64, epochs=1, verbose=0)
    path = str(tmp_path / "acgan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, tfgan.ACGAN) and loaded.class_weight_fake == 0.5
    assert loaded.objective.name == "hinge"
    np.testing.assert_array_equal(
        loaded.generate(8, seed=3, labels=2), gan.generate(8, seed=3, labels=2)
    )
    np.testing.assert_array_equal(loaded.classify(X[:50]), gan.classify(X[:50]))
    before = loaded.generator.get_weights()[0].copy()
    loaded.fit(X[:256], Y[:256], batch_size=64, epochs=1, verbose=0)
    assert not np.allclose(before, loaded.generator.get_weights()[0])


def test_saved_model_and_tflite_equal_the_keras_generator(tmp_path):
    gan = make_acgan()
    gan.compile()
    gan.fit(X[:128], Y[:128], batch_size=64, epochs=1, verbose=0)
    z = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    labels = (np.arange(16) % 10).astype(np.int32)
    expected = np.asarray(gan.generator([z, labels], training=False))
    loaded = tf.saved_model.load(export.saved_model(gan, str(tmp_path / "served")))
    served = loaded.signatures["serving_default"](z=tf.constant(z), labels=tf.constant(labels))
    np.testing.assert_allclose(served["samples"].numpy(), expected, atol=1e-6)
    path = export.tflite(gan, str(tmp_path / "g.tflite"))
    np.testing.assert_allclose(export.run_tflite(path, z, labels), expected, atol=1e-5)


def test_dcgan_builds_an_acgan_pair_with_a_class_head():
    generator, discriminator = tfgan.networks.dcgan(
        (16, 16, 1), 16, num_classes=10, acgan=True, width=8
    )
    gan = tfgan.ACGAN(generator, discriminator, num_classes=10, latent_dim=16, seed=0)
    assert len(discriminator.inputs) == 1 and [t.shape[-1] for t in discriminator.outputs] == [
        1,
        10,
    ]
    images = tfgan.data.images("digits", "train", 32, 16, labels=True).take(2)
    gan.compile()
    history = gan.fit(images, verbose=0).history
    assert np.isfinite(history["d_loss"][-1])
    with pytest.raises(ValueError, match="acgan=True needs num_classes"):
        tfgan.networks.dcgan((16, 16, 1), 16, acgan=True)
    with pytest.raises(ValueError, match="projection=False"):
        tfgan.networks.dcgan((16, 16, 1), 16, num_classes=10, acgan=True, projection=True)


def one_output_discriminator():
    x = keras.Input((64,))
    return keras.Model(x, keras.layers.Dense(1)(keras.layers.Dense(8)(x)))


def test_bad_networks_and_arguments_are_refused_before_training():
    generator, discriminator = conditional_mlp_gan(8, 64, 10, (16,), acgan=True)
    with pytest.raises(ValueError, match=r"two outputs, \[logit, class_logits\].*one tensor"):
        tfgan.ACGAN(generator, one_output_discriminator(), num_classes=10, latent_dim=8)
    _, nine = conditional_mlp_gan(8, 64, 9, (16,), acgan=True)
    with pytest.raises(ValueError, match=r"10 class logits.*\(9,\).*Dense\(10\)"):
        tfgan.ACGAN(generator, nine, num_classes=10, latent_dim=8)
    with pytest.raises(ValueError, match="class_weight_fake must be a number >= 0"):
        tfgan.ACGAN(generator, discriminator, num_classes=10, latent_dim=8, class_weight_fake=-1)
    with pytest.raises(ValueError, match="projection=False"):
        conditional_mlp_gan(8, 64, 10, acgan=True, projection=True)


def test_bad_labels_are_refused_before_training():
    gan = make_acgan()
    gan.compile()
    with pytest.raises(ValueError, match="ACGAN.fit needs labels"):
        gan.fit(X[:64], batch_size=32, verbose=0)
    with pytest.raises(ValueError, match=r"y holds labels from 5 to 14, outside \[0, 10\)"):
        gan.fit(X[:64], Y[:64] + 5, batch_size=32, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(32,\)"):
        gan.fit(X[:64], Y[:32], batch_size=32, verbose=0)
    with pytest.raises(ValueError, match="pass labels="):
        gan.generate(4)
    assert gan.noise_step.numpy() == 0  # nothing trained
