"""``.keras`` files written by tfgan_lite 0.1.0 (tests/fixtures/v0.1.0_*.keras, saved after
two epochs on ring8) still load, sample what they sampled then, and go on training."""

import os

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
CLASSES = {
    "gan": tfgan.GAN,
    "conditional": tfgan.ConditionalGAN,
    "semi_supervised": tfgan.SemiSupervisedGAN,
    "unrolled": tfgan.UnrolledGAN,
}


@pytest.mark.parametrize("name", CLASSES)
def test_a_0_1_0_keras_file_loads_samples_as_it_did_and_trains_on(name):
    recorded = np.load(os.path.join(FIXTURES, "v0.1.0_samples.npz"))
    gan = keras.models.load_model(os.path.join(FIXTURES, f"v0.1.0_{name}.keras"))
    assert type(gan) is CLASSES[name]
    assert gan.unroll_steps == (2 if name == "unrolled" else 0)
    samples = gan.generate(16, seed=7, labels=gan.default_labels(16))
    np.testing.assert_allclose(samples, recorded[f"{name}/samples"], rtol=1e-6, atol=1e-6)
    # The training state came along: the noise counter and the optimizer's step count.
    assert int(gan.noise_step.numpy()) == int(recorded[f"{name}/noise_step"]) == 8
    assert int(gan.discriminator_optimizer.iterations) == int(recorded[f"{name}/d_iterations"])
    x, y = tfgan.data.sample_labeled(tfgan.data.toy("ring8"), 128, (9, 0))
    y = np.asarray(y) if gan.conditional or name == "semi_supervised" else None
    networks = (gan.generator, gan.discriminator)
    before = [w.numpy() for net in networks for w in net.trainable_weights]
    gan.fit(np.asarray(x), y, batch_size=64, verbose=0)  # 2 steps
    assert int(gan.noise_step.numpy()) == 10
    # Both optimizers went on counting from the file's steps (a fresh optimizer would be at
    # 2), and both networks moved.
    assert int(gan.generator_optimizer.iterations) == 10
    d_steps = int(recorded[f"{name}/d_iterations"]) + 2 * gan.discriminator_steps
    assert int(gan.discriminator_optimizer.iterations) == d_steps
    after = [w.numpy() for net in networks for w in net.trainable_weights]
    moved = [not np.allclose(a, b) for a, b in zip(before, after, strict=True)]
    n_generator = len(gan.generator.trainable_weights)
    assert any(moved[:n_generator]) and any(moved[n_generator:]), moved
