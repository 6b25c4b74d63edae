"""UnrolledGAN: the optimizer rule it unrolls, the gradient it gives, training and saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.models.unrolling import UpdateRule, safe_sqrt
from tfgan_lite.networks import mlp, mlp_gan


def ring_data(n=512, seed=0):
    return np.asarray(tfgan.data.toy("ring8").sample(n, seed=(seed, 0)))


OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(1e-2, beta_1=0.5),
    "sgd": lambda: keras.optimizers.SGD(1e-2),
    "sgd_nesterov": lambda: keras.optimizers.SGD(1e-2, momentum=0.9, nesterov=True),
    "rmsprop": lambda: keras.optimizers.RMSprop(1e-3),
    "rmsprop_centered_momentum": lambda: keras.optimizers.RMSprop(
        1e-3, momentum=0.5, centered=True
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_unrolled_rule_matches_the_keras_optimizer_from_its_current_state(name):
    """Three real Keras updates, then one more by Keras and one by the rule: equal."""
    optimizer = OPTIMIZERS[name]()
    variables = [keras.Variable(tf.random.stateless_normal([3, 2], seed=[0, i])) for i in range(2)]
    optimizer.build(variables)

    def grads(step):
        return [tf.random.stateless_normal([3, 2], seed=[step, 10 + i]) for i in range(2)]

    for step in range(3):
        optimizer.apply(grads(step), variables)
    rule = UpdateRule(optimizer, variables)
    state = rule.initial_state()
    weights = [v.value for v in variables]
    for ahead in range(2):
        weights, state = rule.step(weights, grads(3 + ahead), state, ahead)
    for step in range(3, 5):
        optimizer.apply(grads(step), variables)
    for unrolled, real in zip(weights, variables, strict=True):
        np.testing.assert_allclose(unrolled.numpy(), real.numpy(), rtol=1e-5, atol=1e-6)


def test_unsupported_discriminator_optimizers_are_refused_at_compile():
    generator, discriminator = mlp_gan(4, 2, (8,))
    gan = tfgan.UnrolledGAN(generator, discriminator, latent_dim=4, unroll_steps=2)
    with pytest.raises(ValueError, match="supports Adam, SGD, RMSprop; got Adagrad"):
        gan.compile(discriminator_optimizer=keras.optimizers.Adagrad())
    with pytest.raises(ValueError, match="clipnorm"):
        gan.compile(discriminator_optimizer=keras.optimizers.Adam(clipnorm=1.0))
    with pytest.raises(ValueError, match="unroll_steps"):
        tfgan.UnrolledGAN(generator, discriminator, latent_dim=4, unroll_steps=-1)


def test_safe_sqrt_has_a_finite_derivative_at_zero():
    v = tf.constant([0.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf.reduce_sum(safe_sqrt(v))
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [0.0, 0.25])


def generator_gradient(gan, z, real):
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        loss = gan._generator_objective(fake, real, None, tf.constant([0, 0]), training=True)
    return [g.numpy() for g in tape.gradient(loss, gan.generator.trainable_variables)]


def test_unrolling_changes_the_generator_gradient_and_zero_steps_is_a_plain_gan():
    keras.utils.set_random_seed(0)
    generator, discriminator = mlp_gan(4, 2, (32,))
    plain = tfgan.GAN(generator, discriminator, latent_dim=4, seed=0)
    plain.compile(discriminator_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5))
    plain.fit(ring_data(256), batch_size=64, verbose=0)  # Adam moments are not zero now
    gans = {}
    for steps in (0, 5):
        gan = tfgan.UnrolledGAN(generator, discriminator, latent_dim=4, unroll_steps=steps)
        gan.compile(discriminator_optimizer=plain.discriminator_optimizer)
        gans[steps] = gan
    z = tf.random.stateless_normal([64, 4], seed=[1, 2])
    real = tf.constant(ring_data(64, seed=3))
    reference = generator_gradient(plain, z, real)
    for a, b in zip(generator_gradient(gans[0], z, real), reference, strict=True):
        np.testing.assert_array_equal(a, b)
    unrolled = generator_gradient(gans[5], z, real)
    difference = np.sqrt(
        sum(np.sum((a - b) ** 2) for a, b in zip(unrolled, reference, strict=True))
    )
    norm = np.sqrt(sum(np.sum(b**2) for b in reference))
    assert difference / norm > 0.05
    assert all(np.all(np.isfinite(g)) for g in unrolled)


def test_unrolled_gradient_matches_a_hand_unrolled_sgd_step():
    """One SGD step unrolled by hand with nested tapes: the same generator gradient."""
    keras.utils.set_random_seed(1)
    generator, discriminator = mlp_gan(3, 2, (16,))
    gan = tfgan.UnrolledGAN(generator, discriminator, latent_dim=3, unroll_steps=1)
    gan.compile(discriminator_optimizer=keras.optimizers.SGD(0.5))
    z = tf.random.stateless_normal([32, 3], seed=[4, 5])
    real = tf.constant(ring_data(32, seed=6))
    objective = tfgan.losses.get("non_saturating")
    d_vars = discriminator.trainable_variables

    def d_forward(weights, x):
        w1, b1, w2, b2 = weights
        return tf.nn.relu(x @ w1 + b1) @ w2 + b2

    with tf.GradientTape() as outer:
        fake = generator(z, training=True)
        weights = [v.value for v in d_vars]
        with tf.GradientTape() as inner:
            inner.watch(weights)
            d_loss = objective.discriminator_loss(
                d_forward(weights, real), d_forward(weights, fake)
            )
        stepped = [
            w - 0.5 * g for w, g in zip(weights, inner.gradient(d_loss, weights), strict=True)
        ]
        g_loss = objective.generator_loss(d_forward(stepped, fake))
    expected = outer.gradient(g_loss, generator.trainable_variables)
    for a, b in zip(generator_gradient(gan, z, real), expected, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_unrolled_gan_trains_under_fit(jit_compile):
    generator, discriminator = mlp_gan(4, 2, (16,))
    gan = tfgan.UnrolledGAN(generator, discriminator, latent_dim=4, unroll_steps=3, seed=0)
    gan.compile(jit_compile=jit_compile)
    history = gan.fit(ring_data(256), epochs=2, batch_size=64, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())
    assert int(gan.generator_optimizer.iterations) == 8


@pytest.mark.parametrize(
    "kwargs",
    [
        {"loss": "wasserstein", "gradient_penalty": 1.0, "discriminator_steps": 2},
        {"loss": "wasserstein", "clip_weights": 0.05},
        {"loss": "hinge"},
        {"loss": "fgan_kl"},
    ],
)
def test_unrolled_gan_with_penalties_and_other_objectives(kwargs):
    generator, discriminator = mlp_gan(4, 2, (16,))
    gan = tfgan.UnrolledGAN(generator, discriminator, latent_dim=4, unroll_steps=2, **kwargs)
    gan.compile()
    history = gan.fit(ring_data(256), batch_size=128, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())


def test_unrolled_gan_round_trips_through_keras_files(tmp_path):
    gan = tfgan.UnrolledGAN(mlp(4, 2, (8,)), mlp(2, 1, (8,)), latent_dim=4, unroll_steps=4)
    gan.compile()
    gan.fit(ring_data(128), batch_size=64, verbose=0)
    gan.save(tmp_path / "u.keras")
    loaded = keras.models.load_model(tmp_path / "u.keras")
    assert isinstance(loaded, tfgan.UnrolledGAN) and loaded.unroll_steps == 4
    np.testing.assert_array_equal(gan.generate(8, seed=0), loaded.generate(8, seed=0))
    loaded.fit(ring_data(128), batch_size=64, verbose=0)  # the rule was rebuilt on load
