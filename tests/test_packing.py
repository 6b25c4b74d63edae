"""PacGAN packing (Lin et al. 2018): the discriminator judges pack samples at once."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan


def reference_pack(x, m):
    """NumPy: m consecutive samples side by side along the last axis."""
    groups = len(x) // m
    grouped = x[: groups * m].reshape(groups, m, *x.shape[1:])
    moved = np.moveaxis(grouped, 1, -2)  # (groups, ..., m, C)
    return moved.reshape(groups, *x.shape[1:-1], m * x.shape[-1])


@pytest.mark.parametrize("shape, m", [((12, 2), 4), ((10, 2), 4), ((6, 5, 4, 3), 3)])
def test_packing_puts_samples_side_by_side(shape, m):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    data_dim = shape[-1] if len(shape) == 2 else None
    if data_dim is not None:
        gan = tfgan.GAN(*tfgan.networks.mlp_gan(2, data_dim, (4,), pack=m), latent_dim=2, pack=m)
    else:
        generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(60)])
        generator.add(keras.layers.Reshape(shape[1:]))
        discriminator = keras.Sequential(
            [keras.Input((*shape[1:-1], m * shape[-1])), keras.layers.Flatten()]
            + [keras.layers.Dense(1)]
        )
        gan = tfgan.GAN(generator, discriminator, latent_dim=2, pack=m)
    np.testing.assert_array_equal(gan._packed(x).numpy(), reference_pack(x, m))
    if shape[0] % m == 0:  # the first group is the first m samples, concatenated
        first = np.concatenate(list(x[:m]), axis=-1)
        np.testing.assert_array_equal(gan._packed(x).numpy()[0], first)


def test_the_discriminator_receives_the_packed_batch_in_fit():
    generator, discriminator = tfgan.networks.mlp_gan(4, 2, (8,), pack=4)
    seen = []
    original = discriminator.call

    def spy(inputs, *args, **kwargs):
        seen.append(tuple(inputs.shape))
        return original(inputs, *args, **kwargs)

    discriminator.call = spy
    gan = tfgan.GAN(generator, discriminator, latent_dim=4, pack=4, gradient_penalty=1.0)
    gan.compile(steps_per_execution=1)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    history = gan.fit(x, batch_size=32, epochs=1, verbose=0).history
    assert set(seen[1:]) == {(8, 8)}, seen  # 32 samples of 2 features -> 8 of 8 (after the probe)
    assert np.isfinite(history["d_loss"][0]) and np.isfinite(history["gradient_penalty"][0])
    config = gan.get_config()
    assert config["pack"] == 4


def test_packing_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match=r"pack=4 concatenates 4 samples of shape \(2,\).*\(8,\)"):
        tfgan.GAN(*tfgan.networks.mlp_gan(4, 2, (8,)), latent_dim=4, pack=4)
    with pytest.raises(
        ValueError, match=r"\(16, 16, 2\), but the discriminator takes \(16, 16, 1\)"
    ):
        tfgan.GAN(*tfgan.networks.dcgan((16, 16, 1), 8, width=8), latent_dim=8, pack=2)
    gan = tfgan.GAN(*tfgan.networks.mlp_gan(4, 2, (8,), pack=3), latent_dim=4, pack=3)
    gan.compile()
    x = np.zeros((60, 2), np.float32)
    with pytest.raises(ValueError, match="batch_size=20 .* multiple of 3"):
        gan.fit(x, batch_size=20, verbose=0)
    with pytest.raises(ValueError, match="batch_size=16"):
        gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(16, drop_remainder=True), verbose=0)
    with pytest.raises(ValueError, match="ConditionalGAN cannot pack"):
        tfgan.ConditionalGAN(
            *tfgan.networks.conditional_mlp_gan(4, 2, 3), num_classes=3, latent_dim=4, pack=2
        )
    with pytest.raises(ValueError, match="pack > 1 is for unconditional"):
        tfgan.networks.dcgan((16, 16, 1), 8, num_classes=10, pack=2)
    with pytest.raises(ValueError, match="pack"):
        tfgan.GAN(*tfgan.networks.mlp_gan(4, 2, (8,)), latent_dim=4, pack=0)
