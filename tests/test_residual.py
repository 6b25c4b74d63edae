"""networks.residual: shapes at every side, parameter counts, identity blocks at init, the
[1, 2, 1] resampling against NumPy, short fits under ConditionalGAN and GAN (relativistic,
R1 + R2), .keras round trips, a checkpoint resume under the modern recipe, and SavedModel
and TFLite exports."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import export
from tfgan_lite.networks import residual
from tfgan_lite.networks.residual import FilteredDownsample, FilteredUpsample, stage_widths

TINY = {"width": 4, "max_width": 16, "group_channels": 4}


def images(n, size, channels=1, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def latents(n, dim=8, seed=1):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [16, 32, 64, 128, 256])
def test_shapes_and_ranges_at_every_side(size, channels):
    keras.utils.set_random_seed(0)
    generator, discriminator = residual((size, size, channels), 8, **TINY)
    assert (generator.name, discriminator.name) == ("generator", "discriminator")
    fake = np.asarray(generator(latents(2), training=False))
    assert fake.shape == (2, size, size, channels)
    assert np.all(np.abs(fake) <= 1.0) and fake.std() > 1e-3
    logits = np.asarray(discriminator(fake))
    assert logits.shape == (2, 1) and np.all(np.isfinite(logits))
    # One upsample per stage above 4x4 in G, one downsample in D.
    stages = len(stage_widths(size, **{k: TINY[k] for k in ("width", "max_width")}))
    assert stages == int(np.log2(size)) - 1
    for model, kind in ((generator, FilteredUpsample), (discriminator, FilteredDownsample)):
        assert sum(type(layer) is kind for layer in model.layers) == stages - 1


def block_parameters(c, group_channels):
    wide = 2 * c
    groups = wide // np.gcd(wide, group_channels)
    return c * wide + wide + 9 * (wide // groups) * wide + wide + wide * c


def test_parameter_counts_follow_the_widths_and_grow():
    # 16 px, width 8: stages 4, 8, 16 at 32, 16, 8 channels; one block each.
    generator, discriminator = residual((16, 16, 3), 10, width=8, group_channels=4)
    assert stage_widths(16, 8, 256) == {4: 32, 8: 16, 16: 8}
    blocks = sum(block_parameters(c, 4) for c in (32, 16, 8))
    g_expected = 10 * 32 + 16 * 32 + blocks + 32 * 16 + 16 * 8 + (8 * 3 + 3)
    d_expected = 3 * 8 + blocks + 8 * 16 + 16 * 32 + 16 * 32 + 32
    assert generator.count_params() == g_expected
    assert discriminator.count_params() == d_expected
    for bigger in ({"width": 16}, {"blocks": 2}, {"group_channels": 8}):
        pair = residual((16, 16, 3), 10, **{"width": 8, "group_channels": 4, **bigger})
        assert pair[0].count_params() > g_expected and pair[1].count_params() > d_expected
    capped = residual((64, 64, 3), 10, width=8, max_width=16, group_channels=4)
    uncapped = residual((64, 64, 3), 10, width=8, group_channels=4)
    assert stage_widths(64, 8, 16) == {4: 16, 8: 16, 16: 16, 32: 16, 64: 8}
    conditional = residual((16, 16, 3), 10, num_classes=5, width=8, group_channels=4)
    # G: a 5 x 32 embedding and 32 more inputs to the Dense; D: a 5 x 32 projection.
    assert conditional[0].count_params() == g_expected + 5 * 32 + 32 * 32
    assert conditional[1].count_params() == d_expected + 5 * 32
    assert capped[0].count_params() < uncapped[0].count_params()
    assert capped[1].count_params() < uncapped[1].count_params()


def test_every_residual_block_is_the_identity_at_init():
    keras.utils.set_random_seed(0)
    generator, discriminator = residual((32, 32, 3), 8, num_classes=4, blocks=2, **TINY)
    labels = np.arange(3, dtype="int32")
    for model, data in ((generator, latents(3)), (discriminator, images(3, 32, 3))):
        adds = [layer for layer in model.layers if type(layer) is keras.layers.Add]
        adds = [layer for layer in adds if "_block" in layer.name]
        assert len(adds) == 2 * 4
        probe = keras.Model(model.inputs, [t for add in adds for t in (add.input[0], add.output)])
        outputs = [np.asarray(t) for t in probe([data, labels])]
        for block_in, block_out in zip(outputs[::2], outputs[1::2], strict=True):
            assert np.abs(block_in).max() > 0
            np.testing.assert_array_equal(block_out, block_in)
        for add in adds:
            project = model.get_layer(f"{add.name}_project")
            assert not np.any(project.get_weights()[0]) and not project.use_bias


def numpy_upsample(x):
    """Zeros inserted after each sample, then a zero-padded 'same' 3x3 convolution with
    outer([1, 2, 1], [1, 2, 1]) / 16 * 4."""
    n, h, w, c = x.shape
    stuffed = np.zeros((n, 2 * h + 2, 2 * w + 2, c))
    stuffed[:, 1:-1:2, 1:-1:2] = x
    kernel = np.outer([1, 2, 1], [1, 2, 1]) / 16 * 4
    out = np.zeros((n, 2 * h, 2 * w, c))
    for i in range(3):
        for j in range(3):
            out += kernel[i, j] * stuffed[:, i : i + 2 * h, j : j + 2 * w]
    return out


def numpy_downsample(x):
    """A zero-padded 'same' 3x3 convolution with outer([1, 2, 1], [1, 2, 1]) / 16, then
    samples 0, 2, 4, ... along each axis."""
    n, h, w, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    kernel = np.outer([1, 2, 1], [1, 2, 1]) / 16
    blurred = np.zeros_like(x, dtype=np.float64)
    for i in range(3):
        for j in range(3):
            blurred += kernel[i, j] * padded[:, i : i + h, j : j + w]
    return blurred[:, ::2, ::2]


def test_the_1_2_1_resampling_against_numpy():
    x = np.random.default_rng(0).normal(size=(2, 6, 8, 3)).astype("float32")
    up = np.asarray(FilteredUpsample()(x))
    np.testing.assert_allclose(up, numpy_upsample(x), atol=1e-6)
    np.testing.assert_allclose(np.asarray(FilteredDownsample()(x)), numpy_downsample(x), atol=1e-6)
    # Linear interpolation: the even samples are the input, the odd ones the mean of two.
    np.testing.assert_allclose(up[:, ::2, ::2], x, atol=1e-6)
    np.testing.assert_allclose(up[:, 1:-1:2, ::2], (x[:, :-1] + x[:, 1:]) / 2, atol=1e-6)
    # A constant stays constant away from the border, and the two are transposes (x 4).
    ones = np.ones((1, 8, 8, 1), "float32")
    np.testing.assert_allclose(np.asarray(FilteredDownsample()(ones))[:, 1:, 1:], 1.0)
    np.testing.assert_allclose(np.asarray(FilteredUpsample()(ones))[:, :-1, :-1], 1.0)
    y = np.random.default_rng(1).normal(size=(2, 3, 4, 3)).astype("float32")
    lhs = np.sum(np.asarray(FilteredUpsample()(y)) * x)
    rhs = 4 * np.sum(y * np.asarray(FilteredDownsample()(x)))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-5)


def finite_and_moved(history, model, before):
    assert all(np.all(np.isfinite(values)) for values in history.values())
    after = model.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_conditional_pair_trains_in_conditional_gan():
    keras.utils.set_random_seed(0)
    networks = residual((16, 16, 1), 8, num_classes=4, **TINY)
    cgan = tfgan.ConditionalGAN(*networks, num_classes=4, latent_dim=8, seed=0)
    cgan.compile()
    before = cgan.generator.get_weights()
    labels = np.arange(32, dtype="int32") % 4
    history = cgan.fit(images(32, 16), labels, batch_size=8, epochs=1, verbose=0).history
    finite_and_moved(history, cgan.generator, before)
    samples = np.asarray(cgan.generate(4, labels=[0, 1, 2, 3], seed=0))
    assert samples.shape == (4, 16, 16, 1)
    z = np.repeat(latents(1), 2, axis=0)
    pair = np.asarray(cgan.generator([z, np.array([0, 3], "int32")]))
    assert not np.allclose(pair[0], pair[1])


def test_unconditional_pair_trains_with_relativistic_r1_r2():
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(
        *residual((16, 16, 3), 8, **TINY),
        latent_dim=8,
        penalties=[tfgan.penalties.R1(1.0), tfgan.penalties.R2(1.0)],
        loss="relativistic",
        seed=0,
    )
    gan.compile()
    before = gan.generator.get_weights()
    history = gan.fit(images(32, 16, 3), batch_size=8, epochs=1, verbose=0).history
    finite_and_moved(history, gan.generator, before)
    assert history["r1_penalty"][-1] > 0 and history["r2_penalty"][-1] > 0


def test_keras_files_round_trip_to_identical_outputs(tmp_path):
    keras.utils.set_random_seed(0)
    generator, discriminator = residual((32, 32, 3), 8, num_classes=4, **TINY)
    # Nonzero last convolutions, so the branches count in the comparison.
    for model in (generator, discriminator):
        model.set_weights([w + 0.01 for w in model.get_weights()])
    z, labels = latents(3), np.array([0, 1, 3], "int32")
    x = images(3, 32, 3)
    for model, data in ((generator, [z, labels]), (discriminator, [x, labels])):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_array_equal(np.asarray(loaded(data)), np.asarray(model(data)))


@pytest.mark.parametrize("size", [16, 256])
def test_saved_model_and_tflite_give_the_keras_numbers(size, tmp_path):
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*residual((size, size, 3), 8, **TINY), latent_dim=8, seed=0)
    gan.compile()
    # Nonzero last convolutions, so the branches count in the comparison.
    gan.generator.set_weights([w + 0.01 for w in gan.generator.get_weights()])
    z = latents(4)
    expected = np.asarray(gan.generator(z, training=False))
    path = export.saved_model(gan, str(tmp_path / "models"))
    served = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(z))
    np.testing.assert_allclose(served["samples"].numpy(), expected, rtol=0, atol=1e-5)
    tflite = export.tflite(gan, str(tmp_path / "g.tflite"))
    np.testing.assert_allclose(export.run_tflite(tflite, z), expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, argument, fix",
    [
        ({"image_shape": (48, 48, 3)}, "image_shape", "not a power of two"),
        ({"image_shape": (8, 8, 3)}, "image_shape", "outside 16-256"),
        ({"image_shape": (512, 512, 3)}, "image_shape", "outside 16-256"),
        ({"image_shape": (32, 32, 2)}, "image_shape", "Convert the images"),
        ({"image_shape": (32, 16, 3)}, "image_shape", "square"),
        ({"image_shape": 32}, "image_shape", "16, 32, 64, 128, 256"),
        ({"latent_dim": 0}, "latent_dim", "positive integer"),
        ({"num_classes": 1}, "num_classes", "unconditional"),
        ({"width": 0}, "width", "positive integer"),
        ({"width": 64, "max_width": 32}, "max_width", "raise max_width"),
        ({"blocks": 0}, "blocks", "per stage"),
        ({"group_channels": 2.0}, "group_channels", "R3GAN 16"),
    ],
)
def test_bad_arguments_name_themselves_and_the_fix(kwargs, argument, fix):
    arguments = {"image_shape": (32, 32, 3), "latent_dim": 8, **kwargs}
    with pytest.raises(ValueError, match=argument) as error:
        residual(**arguments)
    assert fix in str(error.value)


def test_a_checkpoint_resumes_the_recipe_to_the_uninterrupted_weights(tmp_path):
    size = 16
    # The modern recipe on the pair: R1 and R2, cosine schedules of gamma, the learning
    # rate and beta_2, and the half-life average all depend on the step, so the resumed
    # run must carry the step count, both optimizers' state and the average.
    x = images(32, size, 3)

    def model():
        keras.utils.set_random_seed(0)
        gan = tfgan.recipes.r3gan((size, size, 3), 8, steps=8, width=4, seed=3)
        gan.compile(
            generator_optimizer=gan.generator_optimizer,
            discriminator_optimizer=gan.discriminator_optimizer,
            steps_per_execution=2,
        )
        return gan

    def stream(skip, take):
        return tf.data.Dataset.from_tensor_slices(x).repeat().batch(8).skip(skip).take(take)

    straight = model()
    straight.fit(stream(0, 8), verbose=0)
    first = model()
    first.fit(stream(0, 4), callbacks=[tfgan.callbacks.Checkpoint(tmp_path, every=4)], verbose=0)
    resumed = model()
    again = tfgan.callbacks.Checkpoint(tmp_path, every=4)
    resumed.fit(stream(4, 4), callbacks=[again], verbose=0)
    assert again.restored_step == 4 and int(resumed.noise_step.numpy()) == 8
    pairs = [
        (straight.weights, resumed.weights),
        (straight.generator_optimizer.variables, resumed.generator_optimizer.variables),
        (straight.discriminator_optimizer.variables, resumed.discriminator_optimizer.variables),
    ]
    for before, after in pairs:
        for a, b in zip(before, after, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(straight.generate(4, seed=1), resumed.generate(4, seed=1))
