"""R1 and R2 gradient penalties (Mescheder et al. 2018) and lazy regularisation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan

DIM, LATENT, GAMMA = 3, 2, 4.0


class Quadratic(keras.layers.Layer):
    """D(x) = sum_j a_j x_j^2 + b: grad_x D = 2 a x, known in closed form."""

    def build(self, input_shape):
        self.a = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="a")
        self.b = self.add_weight(shape=(), initializer="zeros", name="b")

    def call(self, x):
        return tf.reduce_sum(self.a * tf.square(x), axis=-1, keepdims=True) + self.b


def quadratic_gan(a, **kwargs):
    generator = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(DIM)])
    discriminator = keras.Sequential([keras.Input((DIM,)), Quadratic()])
    discriminator.layers[0].a.assign(np.asarray(a, np.float32))
    gan = tfgan.GAN(generator, discriminator, latent_dim=LATENT, seed=0, **kwargs)
    gan.compile(steps_per_execution=1)
    return gan


def test_r1_and_r2_equal_the_closed_form():
    a = np.array([0.5, -1.0, 2.0])
    rng = np.random.default_rng(0)
    real = rng.normal(size=(16, DIM)).astype(np.float32)
    fake = rng.normal(size=(16, DIM)).astype(np.float32)
    gan = quadratic_gan(a, r1_penalty=GAMMA, r2_penalty=2 * GAMMA)
    loss, terms, *_ = gan._discriminator_objective(real, fake, None, [0, 0], training=True)
    expected = {
        "r1_penalty": GAMMA / 2 * np.mean(np.sum((2 * a * real) ** 2, axis=1)),
        "r2_penalty": 2 * GAMMA / 2 * np.mean(np.sum((2 * a * fake) ** 2, axis=1)),
    }
    for name, value in expected.items():
        np.testing.assert_allclose(float(terms[name]), value, rtol=1e-5)
    plain = quadratic_gan(a)._discriminator_objective(real, fake, None, [0, 0], training=True)
    np.testing.assert_allclose(float(loss), float(plain[0]) + sum(expected.values()), rtol=1e-5)
    # A linear critic's input gradient is its weight vector w: R1 = gamma / 2 * |w|^2.
    w = np.array([[1.0], [-2.0], [0.5]], np.float32)
    linear = keras.Sequential([keras.Input((DIM,)), keras.layers.Dense(1)])
    linear.layers[0].kernel.assign(w)
    generator = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(DIM)])
    gan = tfgan.GAN(generator, linear, latent_dim=LATENT, r1_penalty=GAMMA)
    terms = gan._discriminator_objective(real, fake, None, [0, 0], training=True)[1]
    np.testing.assert_allclose(float(terms["r1_penalty"]), GAMMA / 2 * np.sum(w**2), rtol=1e-6)


def _train(gan, steps, data):
    """Per-step logs of ``steps`` single-step executions."""
    records = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: records.append(dict(logs))
    )
    gan.fit(data, batch_size=16, epochs=1, steps_per_epoch=steps, callbacks=[record], verbose=0)
    return records


def test_lazy_regularisation_equals_the_scaled_penalty_on_due_updates():
    data = np.random.default_rng(1).normal(size=(16 * 8, DIM)).astype(np.float32)
    a = [0.5, -1.0, 2.0]
    lazy = quadratic_gan(a, r1_penalty=GAMMA, penalty_every=4)
    scaled = quadratic_gan(a, r1_penalty=4 * GAMMA)
    scaled.set_weights(lazy.get_weights())
    # The first update is due: the lazy model takes 4 gamma, as the scaled one does.
    _train(lazy, 1, data[:16])
    _train(scaled, 1, data[:16])
    for x, y in zip(lazy.discriminator.weights, scaled.discriminator.weights, strict=True):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)
    # Over the next 7 updates the penalty is applied on the 5th only (4 x gamma), else 0.
    logs = _train(lazy, 7, np.tile(data[:16], (7, 1)))
    # The logged value is the epoch's running mean; undo it to get each step's term.
    means = np.array([float(log["r1_penalty"]) for log in logs])
    terms = means * np.arange(1, 8) - np.concatenate([[0.0], means[:-1] * np.arange(1, 7)])
    assert terms[3] > 0
    # Zero on the others, up to the rounding of the running means (about 1e-7 relative).
    assert np.all(np.abs(terms[[0, 1, 2, 4, 5, 6]]) < 1e-6 * terms[3]), terms


def test_penalties_are_logged_saved_and_checked(tmp_path):
    gan = quadratic_gan([1.0, 1.0, 1.0], r1_penalty=1.0, r2_penalty=0.5, penalty_every=2)
    data = np.random.default_rng(2).normal(size=(64, DIM)).astype(np.float32)
    history = gan.fit(data, batch_size=16, epochs=1, verbose=0).history
    assert {"r1_penalty", "r2_penalty"} <= set(history)
    assert "gradient_penalty" not in history
    config = gan.get_config()
    # The flat keywords build the penalty objects, and the config keeps the objects.
    made = [(type(p).__name__, p.weight, p.every) for p in gan.penalties]
    assert made == [("R1", 1.0, 2), ("R2", 0.5, 2)]
    saved = [
        (c["class_name"], c["config"]["gamma"], c["config"]["every"]) for c in config["penalties"]
    ]
    assert saved == [("R1", 1.0, 2), ("R2", 0.5, 2)]
    assert "r1_penalty" not in config  # one form in the file: the objects
    for kwargs, match in (
        ({"r1_penalty": -1.0}, "r1_penalty must be a number >= 0"),
        ({"r2_penalty": "1"}, "r2_penalty must be a number >= 0"),
        ({"penalty_every": 0}, "penalty_every"),
    ):
        with pytest.raises(ValueError, match=match):
            quadratic_gan([1.0, 1.0, 1.0], **kwargs)
