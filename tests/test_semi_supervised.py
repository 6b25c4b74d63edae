"""SemiSupervisedGAN: D = Z/(Z+1), the loss, feature matching, digits, bad labels, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import mlp, semi_supervised_mlp


def make_ssgan(classifier=None, **kwargs):
    generator = mlp(4, 6, (16,))
    classifier = classifier or mlp(6, 3, (16, 8))
    kwargs.setdefault("seed", 0)
    return tfgan.SemiSupervisedGAN(generator, classifier, num_classes=3, latent_dim=4, **kwargs)


def toy_labeled(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n).astype("int32")
    x = (rng.normal(size=(n, 6)) + 2 * y[:, None]).astype("float32")
    return x, y


def test_real_fake_logit_is_logsumexp_and_the_loss_matches_numpy():
    ssgan = make_ssgan(supervised_weight=0.7)
    real = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0], [0.2, 0.1, 4.0]], np.float32)
    fake = np.array([[-1.0, -3.0, 0.0], [2.0, 2.0, 2.0], [-5.0, 1.0, 0.5]], np.float32)
    labels = np.array([2, -1, 2], np.int32)
    condition = {"labels": tf.constant(labels)}
    loss, metrics = ssgan._discriminator_loss({"logits": real}, {"logits": fake}, condition, {})

    def lse(a):
        return np.log(np.exp(a).sum(-1))

    # D(x) = Z / (Z + 1): -log D = log(1 + 1/Z), -log(1 - D) = log(1 + Z).
    z_real, z_fake = np.exp(lse(real)), np.exp(lse(fake))
    unsupervised = np.mean(np.log1p(1 / z_real)) + np.mean(np.log1p(z_fake))
    log_softmax = real - lse(real)[:, None]
    supervised = -np.mean([log_softmax[0, 2], log_softmax[2, 2]])
    np.testing.assert_allclose(float(loss), unsupervised + 0.7 * supervised, rtol=1e-5)
    np.testing.assert_allclose(float(metrics["supervised_loss"][0]), supervised, rtol=1e-5)
    assert float(metrics["accuracy"][0]) == 0.5 and float(metrics["accuracy"][1]) == 2
    np.testing.assert_allclose(ssgan._gan_logits({"logits": real}).numpy(), lse(real), rtol=1e-6)
    # With a labeled batch beside the unlabeled one, the supervised term is taken on the
    # labeled batch's outputs, which the step hands the loss; the unsupervised one is not.
    labeled = {"logits": tf.constant(fake)}
    condition = {"x": tf.zeros([3, 6]), "labels": tf.constant([0, 1, 1])}
    with_labeled, metrics = ssgan._discriminator_loss(
        {"logits": real}, {"logits": fake}, condition, {"labeled": labeled}
    )
    supervised = -np.mean((fake - lse(fake)[:, None])[[0, 1, 2], [0, 1, 1]])
    np.testing.assert_allclose(float(with_labeled), unsupervised + 0.7 * supervised, rtol=1e-5)
    np.testing.assert_allclose(float(metrics["accuracy"][0]), 1 / 3, rtol=1e-6)
    assert float(metrics["accuracy"][1]) == 3


class Subclassed(keras.Model):
    """A subclassed classifier returns its features itself: [logits, features]."""

    def __init__(self, features=True):
        super().__init__()
        self.features = features
        self.hidden = keras.layers.Dense(12, activation="relu")
        self.out = keras.layers.Dense(3)

    def call(self, x, training=False):
        hidden = self.hidden(x)
        return [self.out(hidden), hidden] if self.features else self.out(hidden)


def functional_classifier():
    x = keras.Input((6,))
    h = keras.layers.Dense(12, activation="relu", name="features")(x)
    return keras.Model(x, keras.layers.Dense(3)(keras.layers.Dense(5)(h)))


@pytest.mark.parametrize(
    "classifier, feature_layer, width",
    [
        (lambda: mlp(6, 3, (16, 8)), None, 8),
        (lambda: mlp(6, 3, (16, 8)), 0, 16),
        (functional_classifier, "features", 12),
        (functional_classifier, None, 5),
        (Subclassed, None, 12),
    ],
)
def test_feature_layer_defaults_to_the_input_of_the_last_layer(classifier, feature_layer, width):
    ssgan = make_ssgan(classifier(), feature_layer=feature_layer)
    features = ssgan._discriminate(tf.zeros([7, 6]), None, training=False)["features"]
    assert tuple(features.shape) == (7, width)
    # One network of two outputs, sharing the classifier's weights: no patched layer.
    assert len(ssgan.discriminator(tf.zeros([7, 6]))) == 2


def test_a_subclassed_classifier_of_one_output_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"return \[logits, features\]"):
        make_ssgan(Subclassed(features=False))
    # Without feature matching it needs no features.
    ssgan = make_ssgan(Subclassed(features=False), generator_objective="standard")
    assert ssgan._discriminate(tf.zeros([2, 6]), None, training=False)["features"] is None


def test_feature_matching_loss_against_numpy():
    classifier = mlp(6, 3, (4,))
    ssgan = make_ssgan(classifier)
    real, fake = toy_labeled(32)[0], toy_labeled(32, seed=1)[0] * 0.5
    hidden = keras.Model(classifier.inputs[0], classifier.layers[0].output)
    difference = hidden(real).numpy().mean(0) - hidden(fake).numpy().mean(0)
    fake_output = ssgan._discriminate(tf.constant(fake), None, training=False)
    real_output = ssgan._discriminate(tf.constant(real), None, training=False)
    loss = ssgan._generator_loss(fake_output, real_output, None)
    np.testing.assert_allclose(float(loss), np.mean(difference**2), rtol=1e-5)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_trains_under_fit_and_reports_accuracy(jit_compile):
    ssgan = make_ssgan(discriminator_steps=2)
    ssgan.compile(jit_compile=jit_compile)
    x, y = toy_labeled(240)
    y_semi = np.where(np.arange(len(y)) % 8 == 0, y, -1).astype("int32")
    history = ssgan.fit(x, y_semi, epochs=2, batch_size=60, verbose=0).history
    assert {"accuracy", "supervised_loss", "d_loss", "g_loss"} <= set(history)
    assert all(np.all(np.isfinite(v)) for v in history.values())
    result = ssgan.evaluate(x, y, batch_size=50, verbose=0, return_dict=True)
    np.testing.assert_allclose(result["accuracy"], np.mean(ssgan.classify(x) == y), atol=1e-6)


def test_dataset_input_uses_in_batch_labels_or_a_labeled_set():
    ssgan = make_ssgan(generator_objective="standard")
    ssgan.compile()
    x, y = toy_labeled(120)
    dataset = tf.data.Dataset.from_tensor_slices((x, np.where(y == 0, y, -1))).batch(30)
    assert np.isfinite(ssgan.fit(dataset, verbose=0).history["d_loss"][-1])
    unlabeled = tf.data.Dataset.from_tensor_slices(x).batch(30)
    history = ssgan.fit(unlabeled, labeled_data=(x[:9], y[:9]), verbose=0).history
    # The batches carry no labels, so a supervised loss can only come from labeled_data.
    assert history["supervised_loss"][-1] > 0
    without = ssgan.fit(unlabeled, verbose=0).history
    assert without["supervised_loss"][-1] == 0


def test_bad_labels_and_classifiers_are_refused():
    ssgan = make_ssgan()
    ssgan.compile()
    x, y = toy_labeled(60)
    for ys, message in [
        (None, "needs labels"),
        (y.astype("float32"), "dtype float32"),
        (np.full_like(y, 3), r"from 3 to 3.*-1 for unlabeled"),
        (np.full_like(y, -1), "every example unlabeled"),
        (y[:5], r"shape \(5,\)"),
    ]:
        with pytest.raises(ValueError, match=message):
            ssgan.fit(x, ys, batch_size=20, verbose=0)
    with pytest.raises(ValueError, match=r"return 3 logits per example.*\(1,\)"):
        tfgan.SemiSupervisedGAN(mlp(4, 6, (8,)), mlp(6, 1, (8,)), num_classes=3, latent_dim=4)
    softmax = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="softmax")])
    with pytest.raises(ValueError, match="softmax"):
        tfgan.SemiSupervisedGAN(mlp(4, 6, (8,)), softmax, num_classes=3, latent_dim=4)
    with pytest.raises(ValueError, match="feature_layer='nope'"):
        make_ssgan(feature_layer="nope")
    with pytest.raises(ValueError, match="generator_objective"):
        make_ssgan(generator_objective="mine")


def test_round_trip_through_keras_files(tmp_path):
    ssgan = make_ssgan(feature_layer=0)
    ssgan.compile()
    x, y = toy_labeled(120)
    ssgan.fit(x, np.where(np.arange(120) < 12, y, -1), batch_size=40, verbose=0)
    ssgan.save(tmp_path / "s.keras")
    loaded = keras.models.load_model(tmp_path / "s.keras")
    assert isinstance(loaded, tfgan.SemiSupervisedGAN) and loaded.feature_layer == 0
    np.testing.assert_array_equal(ssgan.classify(x), loaded.classify(x))
    # Both go on training identically: the optimizers' states, the noise counter and the
    # labeled stream's shuffling came along.
    y_semi = np.where(np.arange(120) < 12, y, -1)
    ssgan.fit(x, y_semi, batch_size=40, shuffle=False, verbose=0)
    loaded.fit(x, y_semi, batch_size=40, shuffle=False, verbose=0)
    for a, b in zip(ssgan.weights, loaded.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_semi_supervised_classifier_beats_labels_alone_on_digits_with_10_labels_per_class():
    x_train, y_train = tfgan.data.digits("train")
    x_test, y_test = tfgan.data.digits("test")
    chosen = tfgan.data.labeled_subset(y_train, 10, seed=0)
    y_semi = np.full_like(y_train, -1)
    y_semi[chosen] = y_train[chosen]
    steps = 1500

    keras.utils.set_random_seed(0)
    _, alone = semi_supervised_mlp(64, 64, 10)
    alone.compile(
        keras.optimizers.Adam(1e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    labeled = tf.data.Dataset.from_tensor_slices((x_train[chosen], y_train[chosen]))
    alone.fit(labeled.repeat().batch(100), steps_per_epoch=steps, verbose=0)
    baseline = alone.evaluate(x_test, y_test, verbose=0)[1]

    keras.utils.set_random_seed(0)
    generator, classifier = semi_supervised_mlp(64, 64, 10)
    ssgan = tfgan.SemiSupervisedGAN(generator, classifier, num_classes=10, latent_dim=64, seed=0)
    ssgan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    ssgan.fit(x_train, y_semi, batch_size=100, epochs=steps * 100 // len(x_train), verbose=0)
    accuracy = np.mean(ssgan.classify(x_test) == y_test)
    # Measured here: labels alone 0.893, the semi-supervised GAN 0.935.
    print(f"digits, 10 labels per class: alone {baseline:.3f}, semi-supervised {accuracy:.3f}")
    assert accuracy >= baseline + 0.03, (accuracy, baseline)
    assert accuracy >= 0.9


def test_the_labeled_stream_is_data_so_a_second_fit_does_not_retrace():
    ssgan = make_ssgan(discriminator_steps=2)
    ssgan.compile(steps_per_execution=1)
    traces = []
    unpack = ssgan._unpack

    def counted(data, seed, training):
        traces.append(training)  # runs once per trace of the step, not once per step
        return unpack(data, seed, training)

    ssgan._unpack = counted
    x, y = toy_labeled(240)
    few = np.where(np.arange(240) % 24 == 0, y, -1)
    ssgan.fit(x, few, batch_size=60, verbose=0)
    first = len(traces)
    assert first >= 1
    # Another labeled set of another size, and a labeled set given apart: the same step.
    more = np.where(np.arange(240) % 3 == 0, y, -1)
    history = ssgan.fit(x, more, batch_size=60, verbose=0).history
    ssgan.fit(x, more, batch_size=60, labeled_data=(x[:7], y[:7]), verbose=0)
    assert len(traces) == first, traces
    # The supervised term saw labeled examples at every step, however few they are.
    assert history["supervised_loss"][-1] > 0
