"""networks.dcgan: shapes for every supported size, DCGAN-28's layers, conditioning,
spectral normalization, and short fits under GAN and ConditionalGAN."""

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite.networks import dcgan

SIZES = (16, 28, 32, 64)


def images(n, size, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")


def latents(n, dim=8, seed=1):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")


def finite(history):
    return all(np.all(np.isfinite(values)) for values in history.values())


def layers_of(model, kind):
    return [layer for layer in model.layers if type(layer) is kind]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", SIZES)
def test_shapes_and_ranges_for_every_supported_size(size, channels):
    keras.utils.set_random_seed(0)
    generator, discriminator = dcgan((size, size, channels), 8, width=8)
    assert (generator.name, discriminator.name) == ("generator", "discriminator")
    fake = np.asarray(generator(latents(3), training=False))
    assert fake.shape == (3, size, size, channels)
    assert np.all(np.abs(fake) <= 1.0)
    assert tuple(discriminator(fake).shape) == (3, 1)
    bigger = dcgan((size, size, channels), 8, width=16)
    assert bigger[0].count_params() > generator.count_params()
    assert bigger[1].count_params() > discriminator.count_params()


def test_dcgan_28_layers_at_width_64():
    generator, discriminator = dcgan((28, 28, 1), 100, width=64)
    kinds = [type(layer).__name__ for layer in generator.layers[1:]]
    assert kinds == [
        "Dense",
        "BatchNormalization",
        "ReLU",
        "Reshape",
        "Conv2DTranspose",
        "BatchNormalization",
        "ReLU",
        "Conv2DTranspose",
    ]
    dense = generator.get_layer("project")
    assert dense.units == 7 * 7 * 128 and not dense.use_bias
    assert generator.get_layer("reshape").target_shape == (7, 7, 128)
    up, image = layers_of(generator, keras.layers.Conv2DTranspose)
    assert (up.filters, up.kernel_size, up.strides, up.padding) == (64, (4, 4), (2, 2), "same")
    assert not up.use_bias and up.activation is keras.activations.linear
    assert (image.filters, image.kernel_size, image.strides, image.padding) == (
        1,
        (4, 4),
        (2, 2),
        "same",
    )
    assert image.activation is keras.activations.tanh
    assert generator.count_params() == 784_641

    kinds = [type(layer).__name__ for layer in discriminator.layers[1:]]
    assert kinds == [
        "Conv2D",
        "LeakyReLU",
        "Conv2D",
        "BatchNormalization",
        "LeakyReLU",
        "Flatten",
        "Dense",
    ]
    first, second = layers_of(discriminator, keras.layers.Conv2D)
    for conv, filters in ((first, 64), (second, 128)):
        assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (
            filters,
            (4, 4),
            (2, 2),
            "same",
        )
    assert first.use_bias and not second.use_bias
    assert discriminator.get_layer("conv1_lrelu").negative_slope == pytest.approx(0.2)
    logit = discriminator.get_layer("logit")
    assert logit.units == 1 and logit.activation is keras.activations.linear
    assert discriminator.count_params() == 138_945


@pytest.mark.parametrize("projection", [False, True])
def test_conditional_outputs_depend_on_the_label(projection):
    keras.utils.set_random_seed(0)
    generator, discriminator = dcgan((28, 28, 1), 8, num_classes=10, width=8, projection=projection)
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 8), (None,)]
    assert [tuple(t.shape) for t in discriminator.inputs] == [(None, 28, 28, 1), (None,)]
    assert discriminator.inputs[1].dtype == "int32"
    labels = np.arange(4, dtype="int32")
    z = np.repeat(latents(1), 4, axis=0)
    fake = np.asarray(generator([z, labels], training=False))
    assert fake.shape == (4, 28, 28, 1)
    assert all(np.abs(fake[i] - fake[0]).max() > 1e-6 for i in range(1, 4))
    x = np.repeat(images(1, 28), 4, axis=0)
    logits = np.asarray(discriminator([x, labels], training=False))
    assert logits.shape == (4, 1)
    assert len(np.unique(logits.round(7))) == 4
    names = [layer.name for layer in discriminator.layers]
    assert ("projection" in names) == projection and ("label_map" in names) != projection


def spectral_sigmas(discriminator):
    """The largest singular value of each wrapped kernel, reshaped to (-1, filters) as
    keras.layers.SpectralNormalization does; the wrapper writes W / sigma back into the
    kernel variable on every training-mode call, so these are the normalized kernels."""
    sigmas = {}
    for layer in discriminator.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            kernel = np.asarray(layer.kernel).reshape(-1, layer.kernel.shape[-1])
            sigmas[layer.name] = np.linalg.svd(kernel, compute_uv=False)[0]
    return sigmas


@pytest.mark.parametrize("projection", [False, True])
def test_spectral_norm_wraps_every_conv_and_dense(projection):
    num_classes = 10 if projection else None
    _, discriminator = dcgan(
        (32, 32, 3), 8, num_classes=num_classes, width=8, spectral_norm=True, projection=projection
    )
    wrapped = [
        layer.layer for layer in layers_of(discriminator, keras.layers.SpectralNormalization)
    ]
    assert [type(layer).__name__ for layer in wrapped] == ["Conv2D"] * 3 + ["Dense"] * (
        2 if projection else 1
    )
    bare = (keras.layers.Conv2D, keras.layers.Dense, keras.layers.BatchNormalization)
    assert not any(isinstance(layer, bare) for layer in discriminator.layers)
    assert all(layer.use_bias for layer in wrapped[:3])


@pytest.mark.parametrize("jit_compile", [False, True])
def test_spectral_norm_keeps_sigma_near_one_under_fit(jit_compile):
    keras.utils.set_random_seed(0)
    generator, discriminator = dcgan((16, 16, 1), 8, width=8, spectral_norm=True)
    before = spectral_sigmas(discriminator)
    assert max(before.values()) < 0.5  # N(0, 0.02) kernels start far below 1
    gan = tfgan.GAN(generator, discriminator, latent_dim=8, seed=0)
    gan.compile(jit_compile=jit_compile)
    history = gan.fit(images(96, 16), batch_size=16, epochs=1, verbose=0).history
    assert finite(history)
    sigmas = spectral_sigmas(discriminator)
    assert set(sigmas) == {"sn_conv1", "sn_conv2", "sn_logit"}
    # One power iteration per training call: after 6 steps sigma is within 2% of 1
    # (the optimizer's last update moves the kernel slightly off the normalized one).
    assert all(sigma == pytest.approx(1.0, abs=0.02) for sigma in sigmas.values()), sigmas


def test_batch_norm_false_leaves_batch_norm_out_of_the_discriminator():
    generator, discriminator = dcgan((64, 64, 3), 8, width=8, batch_norm=False)
    assert not layers_of(discriminator, keras.layers.BatchNormalization)
    assert all(conv.use_bias for conv in layers_of(discriminator, keras.layers.Conv2D))
    assert len(layers_of(generator, keras.layers.BatchNormalization)) == 4
    _, with_bn = dcgan((64, 64, 3), 8, width=8)
    assert len(layers_of(with_bn, keras.layers.BatchNormalization)) == 3


def test_unconditional_fit_16():
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*dcgan((16, 16, 1), 8, width=8), latent_dim=8, seed=0)
    gan.compile()
    history = gan.fit(images(64, 16), batch_size=16, epochs=1, verbose=0).history
    assert finite(history)
    assert gan.generate(5, seed=0).shape == (5, 16, 16, 1)


@pytest.mark.parametrize("projection", [False, True])
def test_conditional_fit_28(projection):
    keras.utils.set_random_seed(0)
    networks = dcgan((28, 28, 1), 8, num_classes=10, width=8, projection=projection)
    cgan = tfgan.ConditionalGAN(*networks, num_classes=10, latent_dim=8, seed=0)
    cgan.compile()
    labels = np.arange(64, dtype="int32") % 10
    history = cgan.fit(images(64, 28), labels, batch_size=16, epochs=1, verbose=0).history
    assert finite(history)
    assert cgan.generate(4, labels=[0, 1, 2, 3], seed=0).shape == (4, 28, 28, 1)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_wasserstein_gradient_penalty_fit(spectral_norm):
    keras.utils.set_random_seed(0)
    networks = dcgan((16, 16, 1), 8, width=8, batch_norm=False, spectral_norm=spectral_norm)
    gan = tfgan.GAN(*networks, latent_dim=8, loss="wasserstein", gradient_penalty=10.0, seed=0)
    gan.compile()
    history = gan.fit(images(64, 16), batch_size=16, epochs=1, verbose=0).history
    assert finite(history)
    assert history["gradient_penalty"][-1] > 0


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"image_shape": (24, 24, 1)}, "image_shape"),
        ({"image_shape": (28, 32, 1)}, "image_shape"),
        ({"image_shape": (32, 32, 4)}, "image_shape"),
        ({"image_shape": (32, 32)}, "image_shape"),
        ({"image_shape": 28}, "image_shape"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"num_classes": 1}, "num_classes"),
        ({"width": 0}, "width"),
        ({"width": 8.0}, "width"),
        ({"spectral_norm": "yes"}, "spectral_norm"),
        ({"batch_norm": None}, "batch_norm"),
        ({"projection": True}, "projection"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, argument):
    arguments = {"image_shape": (28, 28, 1), "latent_dim": 8, **kwargs}
    with pytest.raises(ValueError, match=argument) as error:
        dcgan(**arguments)
    if argument == "image_shape":
        assert "16, 28, 32, 64" in str(error.value) and "{1, 3}" in str(error.value)


@pytest.mark.parametrize("channels", [1, 3])
def test_128_px_adds_a_fifth_stage(channels):
    keras.utils.set_random_seed(0)
    generator, discriminator = dcgan((128, 128, channels), 8, width=4)
    fake = np.asarray(generator(latents(2), training=False))
    assert fake.shape == (2, 128, 128, channels) and np.all(np.abs(fake) <= 1.0)
    assert tuple(discriminator(fake).shape) == (2, 1)
    # 4x4 x 64 channels, then 32, 16, 8, 4 and the image; D: 4, 8, 16, 32, 64 channels.
    assert generator.get_layer("reshape").target_shape == (4, 4, 4 * 2**4)
    deconvs = layers_of(generator, keras.layers.Conv2DTranspose)
    assert [layer.filters for layer in deconvs] == [32, 16, 8, 4, channels]
    convs = layers_of(discriminator, keras.layers.Conv2D)
    assert [layer.filters for layer in convs] == [4, 8, 16, 32, 64]


def test_stages_at_the_older_sizes_are_unchanged():
    # 128 px took one more stage; 16 to 64 px keep theirs (n = 2, 2, 3, 4).
    for size, stages in ((16, 2), (28, 2), (32, 3), (64, 4)):
        generator, discriminator = dcgan((size, size, 1), 8, width=8)
        assert len(layers_of(generator, keras.layers.Conv2DTranspose)) == stages
        assert len(layers_of(discriminator, keras.layers.Conv2D)) == stages
