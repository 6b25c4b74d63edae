"""The networks' own losses (a layer's kernel_regularizer) are part of what each side
minimises and reports, as Keras's own fit adds them, on GAN and CycleGAN alike."""

import keras
import numpy as np

import tfgan_lite as tfgan

L2 = 0.1


def pair(regularized):
    keras.utils.set_random_seed(0)
    reg = keras.regularizers.L2(L2) if regularized else None
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, kernel_regularizer=reg)])
    discriminator = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, kernel_regularizer=reg)]
    )
    return generator, discriminator


def squared(network):
    return float(np.sum(network.layers[0].get_weights()[0].astype(np.float64) ** 2))


def test_gan_adds_each_networks_weight_penalty_to_its_own_loss():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    logs = {}
    for regularized in (False, True):
        gan = tfgan.GAN(*pair(regularized), latent_dim=2, seed=0)
        gan.compile()
        logs[regularized] = gan.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    np.testing.assert_allclose(
        logs[True]["d_loss"], logs[False]["d_loss"] + L2 * squared(gan.discriminator), rtol=1e-5
    )
    np.testing.assert_allclose(
        logs[True]["g_loss"], logs[False]["g_loss"] + L2 * squared(gan.generator), rtol=1e-5
    )


def test_one_sgd_step_shrinks_the_weights_by_the_penalty_gradient():
    x = np.random.default_rng(1).normal(size=(32, 3)).astype(np.float32)
    after = {}
    for regularized in (False, True):
        gan = tfgan.GAN(*pair(regularized), latent_dim=2, seed=0)
        gan.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5), steps_per_execution=1)
        before = gan.discriminator.layers[0].get_weights()[0]
        gan.fit(x, batch_size=32, epochs=1, verbose=0)
        after[regularized] = gan.discriminator.layers[0].get_weights()[0]
    # d(L2 * |W|^2)/dW = 2 * L2 * W: the regularized step moves W by -lr * 2 * L2 * W more.
    np.testing.assert_allclose(after[True] - after[False], -0.5 * 2 * L2 * before, atol=1e-6)


def test_cyclegan_adds_both_generators_and_both_discriminators_penalties():
    def network(regularized, seed):
        keras.utils.set_random_seed(seed)
        reg = keras.regularizers.L2(L2) if regularized else None
        x = keras.Input((4, 4, 1))
        return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same", kernel_regularizer=reg)(x))

    images = np.random.default_rng(2).uniform(-1, 1, (8, 4, 4, 1)).astype(np.float32)
    logs, models = {}, {}
    for regularized in (False, True):
        networks = [network(regularized, seed) for seed in range(4)]
        models[regularized] = tfgan.CycleGAN(*networks, seed=0)
        models[regularized].compile()
        logs[regularized] = models[regularized].evaluate(
            images, images[::-1], batch_size=8, verbose=0, return_dict=True
        )

    def penalty(names):
        model = models[True]
        return sum(
            L2 * float(np.sum(getattr(model, name).layers[1].get_weights()[0] ** 2))
            for name in names
        )

    generators = penalty(["generator_a_to_b", "generator_b_to_a"])
    discriminators = penalty(["discriminator_a", "discriminator_b"])
    np.testing.assert_allclose(logs[True]["g_loss"], logs[False]["g_loss"] + generators, 1e-5)
    np.testing.assert_allclose(logs[True]["d_loss"], logs[False]["d_loss"] + discriminators, 1e-5)
