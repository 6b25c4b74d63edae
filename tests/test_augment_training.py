"""Augmentation in the train step: where it applies, that the generator learns through it,
determinism, and ADA's adaptive probability driven by a discriminator that is made to
overfit."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import dcgan, mlp_gan

SHAPE = (16, 16, 1)


def images(n=64):
    return np.random.default_rng(0).uniform(-1, 1, (n, *SHAPE)).astype("float32")


def make_gan(augment, **options):
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*dcgan(SHAPE, 8, width=4), latent_dim=8, seed=0, augment=augment, **options)
    gan.compile(steps_per_execution=2)
    return gan


def trained_weights(augment, **options):
    gan = make_gan(augment, **options)
    gan.fit(images(), batch_size=16, epochs=1, verbose=0)
    return [np.asarray(w) for w in gan.weights]


def test_probability_zero_trains_exactly_as_no_augmentation():
    plain = trained_weights(None)
    zero = trained_weights(tfgan.augment.DiffAugment(probability=0.0))
    for a, b in zip(plain, zero, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_same_seed_augments_alike_and_augmentation_changes_training():
    policy = "color,translation,cutout"
    first, again = trained_weights(policy), trained_weights(policy)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    plain = trained_weights(None)
    assert max(np.max(np.abs(a - b)) for a, b in zip(first, plain, strict=True)) > 1e-4


def test_the_discriminator_sees_augmented_real_and_generated_batches():
    # A linear D on all-ones real images: D(real) is far from D(fake) until an
    # augmentation that blanks every image leaves it nothing to tell them apart by.
    def blank(x, seed):
        return tf.zeros_like(x)

    def d_outputs(augment):
        keras.utils.set_random_seed(0)
        generator, _ = dcgan(SHAPE, 8, width=4)
        linear = keras.Sequential(
            [keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(1, "linear")]
        )
        linear.layers[-1].kernel.assign(np.full((256, 1), 0.01, np.float32))
        gan = tfgan.GAN(generator, linear, 8, seed=0, augment=augment)
        gan.compile()
        real = np.ones((16, *SHAPE), np.float32)
        return gan.evaluate(real, batch_size=16, verbose=0, return_dict=True)

    plain = d_outputs(None)
    assert plain["d_real"] > 0.9 and abs(plain["d_fake"] - 0.5) < 0.1
    logs = d_outputs(blank)
    assert logs["d_real"] == pytest.approx(0.5) and logs["d_fake"] == pytest.approx(0.5)


def test_the_generator_gradient_flows_through_the_augmentation():
    gan = make_gan("color,translation,cutout")
    z = gan.sample_latent(8, 0)
    seed = tf.constant([1, 2], tf.int32)
    with tf.GradientTape() as tape:
        fake = gan._generate(z, None, training=True)
        loss = gan._generator_objective(fake, fake, None, seed, training=True)
    grads = tape.gradient(loss, gan.generator.trainable_variables)
    assert all(g is not None and np.all(np.isfinite(g)) for g in grads)
    assert max(float(tf.reduce_max(tf.abs(g))) for g in grads) > 0


def test_the_penalty_differentiates_through_the_augmentation():
    logs = make_gan("translation,cutout", r1_penalty=1.0).evaluate(
        images(), batch_size=16, verbose=0, return_dict=True
    )
    assert np.isfinite(logs["r1_penalty"]) and logs["r1_penalty"] > 0


def constant_discriminator(logit):
    """A discriminator whose logit is ``logit`` on every input; SGD(0) leaves it so."""
    discriminator = keras.Sequential(
        [
            keras.Input(SHAPE),
            keras.layers.Flatten(),
            keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros"),
        ]
    )
    discriminator.layers[-1].bias.assign([logit])
    return discriminator


def adaptive_gan(logit, speed):
    keras.utils.set_random_seed(0)
    generator, _ = dcgan(SHAPE, 8, width=4)
    augment = tfgan.augment.DiffAugment("translation", "adaptive", interval=4, speed=speed)
    gan = tfgan.GAN(generator, constant_discriminator(logit), 8, seed=0, augment=augment)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0), steps_per_execution=1)
    return gan


def test_adaptive_probability_rises_when_the_discriminator_is_sure_of_the_real_data(tmp_path):
    # r_t = E[sign(D(x_real))] = 1 > 0.6 at every update: p rises by
    # batch * interval / speed = 16 * 4 / 640 = 0.1 at every 4th discriminator update.
    gan = adaptive_gan(5.0, speed=640)
    history = gan.fit(images(), batch_size=16, epochs=3, verbose=0)  # 12 updates
    assert float(gan.augment_probability.numpy()) == pytest.approx(0.3, abs=1e-6)
    assert history.history["augment_p"][0] == pytest.approx(0.025, abs=1e-6)  # 0, 0, 0, 0.1
    checkpoint = tfgan.callbacks.Checkpoint(tmp_path)
    gan.fit(images(), batch_size=16, epochs=1, verbose=0, callbacks=[checkpoint])
    assert float(gan.augment_probability.numpy()) == pytest.approx(0.4, abs=1e-6)
    resumed = adaptive_gan(5.0, speed=640)
    assert float(resumed.augment_probability.numpy()) == 0.0
    restore = tfgan.callbacks.Checkpoint(tmp_path)
    restore.set_model(resumed)
    assert restore.restore() == 16
    assert float(resumed.augment_probability.numpy()) == pytest.approx(0.4, abs=1e-6)


def test_adaptive_probability_stays_at_zero_when_the_discriminator_does_not_overfit(tmp_path):
    gan = adaptive_gan(-5.0, speed=640)  # r_t = -1 < 0.6
    gan.fit(images(), batch_size=16, epochs=3, verbose=0)
    assert float(gan.augment_probability.numpy()) == 0.0


def test_keras_file_keeps_the_augmentation_and_its_probability(tmp_path):
    gan = adaptive_gan(5.0, speed=640)
    gan.fit(images(), batch_size=16, epochs=2, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.augment.get_config() == gan.augment.get_config()
    assert float(loaded.augment_probability.numpy()) == pytest.approx(0.2, abs=1e-6)


def test_an_unregistered_callable_cannot_be_saved_and_says_how_to_fix_it(tmp_path):
    gan = make_gan(lambda x, seed: x)
    with pytest.raises(ValueError, match="register_keras_serializable"):
        gan.get_config()


def test_diffaugment_on_toy_vectors_is_refused_before_training():
    with pytest.raises(ValueError, match="augment"):
        tfgan.GAN(*mlp_gan(4, 2, (8,)), latent_dim=4, augment="translation")


class _Step(keras.optimizers.schedules.LearningRateSchedule):
    """p = 1 before discriminator update ``at``, 0 from it on (a ramp reduced to a step)."""

    def __init__(self, at):
        self.at = at

    def __call__(self, step):
        return tf.where(tf.cast(step, tf.float32) < self.at, 1.0, 0.0)

    def get_config(self):
        return {"at": self.at}


def test_a_scheduled_probability_follows_the_discriminator_step():
    policy = "translation,cutout"

    def weights(probability):
        return trained_weights(tfgan.augment.DiffAugment(policy, probability=probability))

    always, never = weights(1.0), trained_weights(None)
    runs = {
        "p = 1 throughout": (weights(_Step(10**6)), always, True),
        "p = 0 throughout": (weights(_Step(0)), never, True),
        "p = 1, then 0 from update 2": (weights(_Step(2)), always, False),
    }
    for name, (got, expected, equal) in runs.items():
        same = all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
        assert same == equal, name
    switched = runs["p = 1, then 0 from update 2"][0]
    assert not all(np.array_equal(a, b) for a, b in zip(switched, never, strict=True))


def test_a_cosine_probability_is_evaluated_clipped_and_saved():
    ramp = tfgan.schedules.Cosine(0.0, 0.6, 100)
    augment = tfgan.augment.DiffAugment("translation", probability=ramp)
    assert augment.scheduled and not augment.adaptive
    assert augment.initial_probability == pytest.approx(0.0)
    assert float(augment.probability_at(50)) == pytest.approx(0.3)
    assert float(augment.probability_at(500)) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="probability_at"):
        augment(tf.zeros([2, *SHAPE]), tf.constant([1, 2]))
    restored = tfgan.augment.DiffAugment.from_config(augment.get_config())
    assert float(restored.probability_at(50)) == pytest.approx(0.3)
