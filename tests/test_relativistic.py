"""The relativistic objectives (Jolicoeur-Martineau 2018) against NumPy, the extended
``generator_loss(fake_logits, real_logits=None)`` interface, and the train step feeding
D's real logits to the generator's loss."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import losses
from tfgan_lite.models import seeds
from tfgan_lite.networks import mlp_gan

RELATIVISTIC = ("relativistic", "relativistic_average")
ONE_ARGUMENT = [name for name in losses.names() if name not in RELATIVISTIC]


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def reference(name, real, fake):
    """(D loss, G loss) written literally from the paper, in float64."""
    if name == "relativistic":
        d = np.mean(-np.log(sigmoid(real - fake)))
        g = np.mean(-np.log(sigmoid(fake - real)))
    else:
        d = np.mean(-np.log(sigmoid(real - fake.mean()))) + np.mean(
            -np.log(1.0 - sigmoid(fake - real.mean()))
        )
        g = np.mean(-np.log(sigmoid(fake - real.mean()))) + np.mean(
            -np.log(1.0 - sigmoid(real - fake.mean()))
        )
    return d, g


def logits(n, seed, scale=4.0):
    return np.random.default_rng(seed).normal(0.0, scale, (n, 1)).astype(np.float32)


@pytest.mark.parametrize("name", RELATIVISTIC)
@pytest.mark.parametrize("scale", [0.5, 4.0])
def test_relativistic_losses_against_numpy(name, scale):
    real, fake = logits(64, 0, scale), logits(64, 1, scale)
    objective = losses.get(name)
    assert objective.generator_needs_real
    d, g = reference(name, real.astype(np.float64), fake.astype(np.float64))
    np.testing.assert_allclose(float(objective.discriminator_loss(real, fake)), d, rtol=1e-5)
    np.testing.assert_allclose(float(objective.generator_loss(fake, real)), g, rtol=1e-5)


def test_relativistic_average_takes_batches_of_different_sizes():
    real, fake = logits(48, 2), logits(16, 3)
    objective = losses.get("relativistic_average")
    d, g = reference("relativistic_average", real.astype(np.float64), fake.astype(np.float64))
    np.testing.assert_allclose(float(objective.discriminator_loss(real, fake)), d, rtol=1e-5)
    np.testing.assert_allclose(float(objective.generator_loss(fake, real)), g, rtol=1e-5)


def test_relativistic_losses_stay_finite_at_extreme_logits():
    real = np.full((8, 1), 100.0, np.float32)
    fake = np.full((8, 1), -100.0, np.float32)
    for name in RELATIVISTIC:
        objective = losses.get(name)
        fake_tensor = tf.constant(fake)
        with tf.GradientTape() as tape:
            tape.watch(fake_tensor)
            loss = objective.generator_loss(fake_tensor, real)
        grad = tape.gradient(loss, fake_tensor).numpy()
        assert np.isfinite(float(loss)) and np.all(np.isfinite(grad)), name
        # G is losing by 200 logits: the gradient is at its largest, -1/n per example
        # for RSGAN (RaGAN adds the second term's share), not saturated.
        assert np.all(grad <= -1.0 / 8 + 1e-6), (name, grad)


def test_relativistic_pairs_need_one_shape_and_say_so():
    with pytest.raises(ValueError, match="relativistic_average"):
        losses.get("relativistic").discriminator_loss(logits(32, 0), logits(16, 1))


@pytest.mark.parametrize("name", RELATIVISTIC)
def test_relativistic_generator_loss_without_real_logits_names_the_fix(name):
    with pytest.raises(ValueError, match=r"generator_loss\(fake_logits, real_logits\)"):
        losses.get(name).generator_loss(logits(8, 0))


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_the_other_objectives_do_not_read_real_logits(name):
    objective = losses.get(name)
    assert not objective.generator_needs_real
    fake, real = logits(32, 4, 2.0), logits(32, 5, 2.0)
    alone = float(objective.generator_loss(fake))
    assert float(objective.generator_loss(fake, real)) == alone
    assert float(objective.generator_loss(fake, -real)) == alone


class Recording(losses.RelativisticAverage):
    """RaGAN that records what the train step hands its generator loss."""

    name = "recording_relativistic_average"

    def __init__(self):
        self.seen = []

    def generator_loss(self, fake_logits, real_logits=None):
        self.seen.append(None if real_logits is None else tuple(real_logits.shape))
        return super().generator_loss(fake_logits, real_logits)


class OneArgument(losses.Objective):
    """A user's objective written before the interface took real logits."""

    name = "one_argument_non_saturating"

    def discriminator_loss(self, real_logits, fake_logits):
        return losses.get("non_saturating").discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def ring_batches(n):
    return np.asarray(tfgan.data.toy("ring8").sample(n, seed=(0, 0)))


def test_the_train_step_gives_the_generator_loss_the_real_batch_logits():
    keras.utils.set_random_seed(0)
    objective = Recording()
    gan = tfgan.GAN(*mlp_gan(4, 2, hidden=(16,)), latent_dim=4, loss=objective, seed=0)
    gan.compile()
    gan.fit(ring_batches(128), batch_size=32, epochs=1, verbose=0)
    assert objective.seen and all(shape == (32, 1) for shape in objective.seen), objective.seen
    # evaluate reports the generator loss on the same logits as training computes it.
    x = ring_batches(64)
    result = gan.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    assert np.isfinite(result["g_loss"])


def test_evaluate_reports_the_relativistic_generator_loss_of_its_batch():
    """evaluate's g_loss is RaGAN's generator loss on D's logits for that batch's real
    and generated examples, recomputed here by hand."""
    keras.utils.set_random_seed(0)
    generator, discriminator = mlp_gan(4, 2, hidden=(16,))
    gan = tfgan.GAN(generator, discriminator, latent_dim=4, loss="relativistic_average", seed=0)
    gan.compile()
    x = ring_batches(64)
    gan.fit(x, batch_size=32, epochs=1, verbose=0)
    real_logits = discriminator(x).numpy().astype(np.float64)
    evaluated = gan.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    # evaluate draws its noise from the current state without advancing it; so does this.
    seed = seeds.evaluation_seed(gan.seed, gan.noise_step.value)
    fake = gan._generate(gan._noise(64, seed, 0), None, training=False)
    fake_logits = discriminator(fake).numpy().astype(np.float64)
    _, g = reference("relativistic_average", real_logits, fake_logits)
    np.testing.assert_allclose(evaluated["g_loss"], g, rtol=1e-4)
    # and it is not the loss a one-argument objective would report on the fake logits alone
    assert abs(g - np.mean(np.logaddexp(0.0, -fake_logits))) > 1e-3


def test_an_objective_of_one_argument_still_trains():
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*mlp_gan(4, 2, hidden=(16,)), latent_dim=4, loss=OneArgument(), seed=0)
    gan.compile()
    history = gan.fit(ring_batches(128), batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])


def test_a_gan_with_a_relativistic_loss_round_trips_through_keras_files(tmp_path):
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*mlp_gan(4, 2, hidden=(16,)), latent_dim=4, loss="relativistic", seed=0)
    gan.compile()
    gan.fit(ring_batches(64), batch_size=32, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert loaded.objective.name == "relativistic"
    np.testing.assert_allclose(loaded.generate(16, seed=3), gan.generate(16, seed=3), atol=1e-6)
    loaded.compile()
    history = loaded.fit(ring_batches(64), batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][-1])
