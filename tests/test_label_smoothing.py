"""One-sided label smoothing of the cross-entropy objectives, against NumPy and TF-GAN."""

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite import losses

# TF-GAN's test vectors (tensorflow_gan/python/losses/losses_impl_test.py).
REAL = np.array([-5.0, 1.4, 12.5, 2.7], np.float32)
FAKE = np.array([10.0, 4.4, -5.5, 3.6], np.float32)


def softplus(x):
    return np.logaddexp(0.0, np.asarray(x, np.float64))


def reference_discriminator_loss(real, fake, smoothing):
    """The binary cross-entropy with target 1 - smoothing on real, 0 on generated."""
    target = 1.0 - smoothing
    on_real = target * softplus(-real) + (1.0 - target) * softplus(real)
    return on_real.mean() + softplus(fake).mean()


def test_tf_gan_convention_reproduces_its_number():
    plain = losses.get("non_saturating").discriminator_loss(REAL, FAKE)
    np.testing.assert_allclose(float(plain), 5.83387, atol=1e-5)
    # TF-GAN's default label_smoothing=0.25 is a real target of 1 - 0.25 / 2: ours is 0.125.
    tf_gan = losses.get("non_saturating", label_smoothing=0.25 / 2)
    np.testing.assert_allclose(float(tf_gan.discriminator_loss(REAL, FAKE)), 6.19637, atol=1e-5)


@pytest.mark.parametrize("name", ["minimax", "non_saturating", "maximum_likelihood"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_smoothing_moves_only_the_real_target(name, smoothing):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(0, 4, 64).astype(np.float32), rng.normal(0, 4, 64).astype(np.float32)
    objective = losses.get(name, label_smoothing=smoothing)
    expected = reference_discriminator_loss(real, fake, smoothing)
    np.testing.assert_allclose(float(objective.discriminator_loss(real, fake)), expected, rtol=1e-5)
    # The generator's loss is the unsmoothed objective's.
    unsmoothed = losses.get(name).generator_loss(fake)
    np.testing.assert_array_equal(objective.generator_loss(fake), unsmoothed)


def test_bad_smoothing_and_objectives_without_it_name_the_argument():
    for bad in (-0.1, 1.0, True, "0.1", None):
        with pytest.raises(ValueError, match="label_smoothing must be a number in"):
            losses.NonSaturating(label_smoothing=bad)
    with pytest.raises(ValueError, match="loss='hinge' takes no option label_smoothing"):
        losses.get("hinge", label_smoothing=0.1)
    with pytest.raises(ValueError, match="set them on the object"):
        losses.get(losses.Minimax(), label_smoothing=0.1)


def test_a_saved_model_keeps_its_smoothing(tmp_path):
    generator, discriminator = tfgan.networks.mlp_gan(4, 2, (8,))
    objective = losses.get("non_saturating", label_smoothing=0.1)
    gan = tfgan.GAN(generator, discriminator, latent_dim=4, loss=objective)
    gan.compile()
    gan.fit(np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32), epochs=1, verbose=0)
    # Saved through Keras's registration, as every other object of the model.
    assert gan.get_config()["loss"]["registered_name"] == "tfgan_lite>NonSaturating"
    assert gan.get_config()["loss"]["config"] == {"label_smoothing": 0.1}
    gan.save(tmp_path / "smoothed.keras")
    loaded = keras.models.load_model(tmp_path / "smoothed.keras")
    assert isinstance(loaded.objective, losses.NonSaturating)
    assert loaded.objective.label_smoothing == 0.1
    # The form files before the Keras registration hold still loads.
    old = {**gan.get_config(), "loss": {"name": "non_saturating", "label_smoothing": 0.1}}
    assert tfgan.GAN.from_config(old).objective.label_smoothing == 0.1
