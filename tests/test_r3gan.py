"""The R3GAN recipe: its settings reach the model as R3GAN states them, it trains, and a
.keras file keeps every schedule."""

import math

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite.recipes import R3GAN, r3gan

SHAPE = (16, 16, 3)


def cosine(initial, final, steps, step):
    return final + (initial - final) * (1 + math.cos(math.pi * min(step, steps) / steps)) / 2


def test_the_recipe_is_r3gans_settings_on_a_residual_pair():
    gan = r3gan(SHAPE, latent_dim=8, steps=100, width=4)
    assert isinstance(gan, tfgan.GAN) and gan.objective.name == "relativistic"
    assert [type(p).__name__ for p in gan.penalties] == ["R1", "R2"]
    for step in (0, 50, 100, 400):
        expected = cosine(*R3GAN["gamma"], 100, step)
        for penalty in gan.penalties:
            assert penalty.every == 1  # on every step, not lazy
            assert float(penalty.weight_at(step)) == pytest.approx(expected, rel=1e-5)
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        assert isinstance(optimizer, tfgan.optimizers.Adam) and optimizer.beta_1 == 0.0
        rate = float(optimizer.learning_rate)  # at iterations 0
        assert rate == pytest.approx(R3GAN["learning_rate"][0], rel=1e-5)
        assert float(optimizer.beta_2(100)) == pytest.approx(R3GAN["beta_2"][1], rel=1e-6)
    assert gan.ema_half_life == R3GAN["ema_half_life"] and gan.augment is None
    # The networks are the residual pair: no normalisation layer anywhere.
    for network in (gan.generator, gan.discriminator):
        names = [type(layer).__name__ for layer in network._flatten_layers()]
        assert not any("Normalization" in name for name in names)


def test_settings_override_and_unknown_ones_are_refused():
    gan = r3gan(SHAPE, latent_dim=8, num_classes=3, steps=10, width=4, augment_probability=0.5)
    assert isinstance(gan, tfgan.ConditionalGAN) and gan.num_classes == 3
    assert gan.augment.scheduled and float(gan.augment.probability_at(10)) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown settings \\['gama'\\]"):
        r3gan(SHAPE, gama=(1.0, 0.1))


def test_it_trains_and_a_keras_file_keeps_the_schedules(tmp_path):
    keras.utils.set_random_seed(0)
    gan = r3gan(SHAPE, latent_dim=8, steps=20, width=4)
    x = np.random.default_rng(0).uniform(-1, 1, (32, *SHAPE)).astype(np.float32)
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
    assert history["r1_penalty"][-1] > 0 and history["r2_penalty"][-1] > 0
    gan.save(tmp_path / "r3gan.keras")
    loaded = keras.models.load_model(tmp_path / "r3gan.keras")
    assert float(loaded.penalties[0].weight_at(10)) == pytest.approx(
        cosine(*R3GAN["gamma"], 20, 10), rel=1e-5
    )
    assert float(loaded.discriminator_optimizer.beta_2(20)) == pytest.approx(0.99, rel=1e-6)
    assert int(loaded.generator_optimizer.iterations) == 4
    np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-6)
