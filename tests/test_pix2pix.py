"""Pix2Pix: its losses against NumPy, a short run on digits -> edges, saving, networks, and
the inputs it refuses before training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import patch_discriminator, unet

SHAPE = (32, 32, 1)


def digits32(split):
    """The bundled digits as 32x32x1 images in [-1, 1], in a fixed order."""
    data = tfgan.data.images("digits", split, 2000, 32, shuffle=False, drop_remainder=False)
    return next(iter(data)).numpy()


def edges(images):
    """A digit's outline: its 3x3 morphological gradient (dilation - erosion), clipped to
    [0, 1] and mapped to [-1, 1] (background -1, strokes' edges 1)."""
    x = tf.convert_to_tensor(images)
    gradient = tf.nn.max_pool2d(x, 3, 1, "SAME") + tf.nn.max_pool2d(-x, 3, 1, "SAME")
    return 2.0 * np.clip(gradient.numpy(), 0.0, 1.0) - 1.0


SOURCES = digits32("train")
TARGETS = edges(SOURCES)


def make_pix2pix(width=4, layers=2, latent_dim=None, **kwargs):
    generator = unet(SHAPE, SHAPE, width=width, latent_dim=latent_dim)
    discriminator = patch_discriminator(SHAPE, SHAPE, width=width, layers=layers)
    kwargs.setdefault("seed", 0)
    return tfgan.Pix2Pix(generator, discriminator, **kwargs)


def softplus(x):
    return np.logaddexp(0.0, x)


# The objectives' NumPy references, each a mean over every axis of the logits.
REFERENCES = {
    "non_saturating": (
        lambda r, f: softplus(-r).mean() + softplus(f).mean(),
        lambda f: softplus(-f).mean(),
    ),
    "least_squares": (
        lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
        lambda f: 0.5 * ((f - 1) ** 2).mean(),
    ),
    "hinge": (
        lambda r, f: np.maximum(0, 1 - r).mean() + np.maximum(0, 1 + f).mean(),
        lambda f: -f.mean(),
    ),
    "wasserstein": (lambda r, f: f.mean() - r.mean(), lambda f: -f.mean()),
}


@pytest.mark.parametrize("loss", sorted(REFERENCES))
def test_objectives_average_patch_logits_over_the_patches_and_the_batch(loss):
    """PatchGAN logits (batch, h, w, 1): each loss is the NumPy mean over all of them."""
    gan = make_pix2pix(loss=loss)
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 6, 4, 4, 1)) * 2
    source = tf.zeros([6, *SHAPE])
    d_loss, metrics = gan._discriminator_loss(
        tf.constant(real, tf.float32), tf.constant(fake, tf.float32), source, {}
    )
    g_loss = gan._generator_loss(tf.constant(fake, tf.float32), None, source)
    expected_d, expected_g = REFERENCES[loss]
    np.testing.assert_allclose(float(d_loss), expected_d(real, fake), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(g_loss), expected_g(fake), rtol=1e-5, atol=1e-6)
    assert metrics == {}


@pytest.mark.parametrize("l1_weight", [100.0, 2.5, 0.0])
def test_generator_loss_is_the_adversarial_loss_plus_weighted_l1(l1_weight):
    gan = make_pix2pix(l1_weight=l1_weight)
    rng = np.random.default_rng(1)
    fake_logits = rng.normal(size=(5, 8, 8, 1))
    real = rng.uniform(-1, 1, size=(5, *SHAPE)).astype(np.float32)
    fake = rng.uniform(-1, 1, size=(5, *SHAPE)).astype(np.float32)
    seed = tf.constant([0, 0], tf.int32)
    outputs = (tf.constant(fake_logits, tf.float32), None)
    loss = gan._generator_objective(fake, real, tf.zeros([5, *SHAPE]), seed, False, outputs)
    expected = softplus(-fake_logits).mean() + l1_weight * np.abs(real - fake).mean()
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_evaluate_reports_the_losses_and_l1_of_the_networks_outputs():
    """evaluate(source, target): d_loss, g_loss and l1 from D on both pairs and G's output."""
    gan = make_pix2pix(loss="least_squares", l1_weight=10.0)
    gan.compile()
    source, target = SOURCES[:64], TARGETS[:64]
    logs = gan.evaluate(source, target, batch_size=64, verbose=0, return_dict=True)
    fake = np.asarray(gan.generator(source, training=False))  # no z: dropout is the noise
    real_logits = np.asarray(gan.discriminator([source, target], training=False))
    fake_logits = np.asarray(gan.discriminator([source, fake], training=False))
    assert real_logits.shape == (64, 8, 8, 1)
    l1 = np.abs(target - fake).mean()
    d_loss = 0.5 * ((real_logits - 1) ** 2).mean() + 0.5 * (fake_logits**2).mean()
    g_loss = 0.5 * ((fake_logits - 1) ** 2).mean() + 10.0 * l1
    np.testing.assert_allclose(logs["l1"], l1, rtol=1e-4)
    np.testing.assert_allclose(logs["d_loss"], d_loss, rtol=1e-4)
    np.testing.assert_allclose(logs["g_loss"], g_loss, rtol=1e-4)
    np.testing.assert_allclose(logs["d_real"], (1 / (1 + np.exp(-real_logits))).mean(), rtol=1e-4)
    np.testing.assert_allclose(gan.translate(source, batch_size=24), fake, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gan(source)), fake, atol=1e-6)


@pytest.mark.slow
def test_a_short_run_learns_to_draw_a_digits_edges():
    """117 updates (3 epochs of 1,257 pairs, batch 32) of a width-8 U-Net: the L1 to the
    edges of 200 held-out digits falls from 0.585 untrained to 0.11-0.19 (seeds 0-2), well
    under the 0.36 of the best constant image (the mean training target)."""
    keras.utils.set_random_seed(0)
    test_sources = digits32("test")[:200]
    test_targets = edges(test_sources)
    gan = make_pix2pix(width=8)
    adam = keras.optimizers.Adam
    gan.compile(adam(1e-3, beta_1=0.5), adam(1e-3, beta_1=0.5))

    def held_out_l1():
        return np.abs(gan.translate(test_sources) - test_targets).mean()

    untrained = held_out_l1()
    mean_image = np.abs(TARGETS.mean(0) - test_targets).mean()
    history = gan.fit(SOURCES, TARGETS, batch_size=32, epochs=3, verbose=0).history
    trained = held_out_l1()
    measured = f"untrained {untrained:.3f}, mean image {mean_image:.3f}, trained {trained:.3f}"
    assert untrained > 0.5 and mean_image > 0.3, measured
    assert trained < 0.25 and trained < 0.5 * untrained, measured
    # The reported metric (the epoch's mean over the training batches) falls too: 0.40 to 0.21.
    assert history["l1"][-1] < 0.7 * history["l1"][0], history["l1"]
    print(measured, "l1 by epoch", np.round(history["l1"], 3))


def test_a_keras_file_round_trip_keeps_translations_and_goes_on_training(tmp_path):
    gan = make_pix2pix(l1_weight=50.0, loss="hinge")
    gan.compile()
    gan.fit(SOURCES[:128], TARGETS[:128], batch_size=32, epochs=1, verbose=0)
    path = str(tmp_path / "pix2pix.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, tfgan.Pix2Pix) and loaded.l1_weight == 50.0
    assert loaded.objective.name == "hinge" and loaded.source_shape == SHAPE
    np.testing.assert_array_equal(loaded.translate(SOURCES[:8]), gan.translate(SOURCES[:8]))
    assert loaded.noise_step.numpy() == gan.noise_step.numpy() == 4
    before = loaded.generator.get_weights()[0].copy()
    history = loaded.fit(SOURCES[:128], TARGETS[:128], batch_size=32, epochs=1, verbose=0)
    assert not np.allclose(before, loaded.generator.get_weights()[0])
    assert loaded.noise_step.numpy() == 8 and np.isfinite(history.history["l1"][-1])


def test_fit_takes_a_dataset_of_pairs_and_a_generator_of_source_and_z():
    gan = make_pix2pix(latent_dim=3)
    assert gan.takes_z and gan.latent_dim == 3 and len(gan.generator.inputs) == 2
    pairs = tf.data.Dataset.from_tensor_slices((SOURCES[:96], TARGETS[:96])).batch(32)
    gan.compile()
    history = gan.fit(pairs, epochs=1, verbose=0).history
    assert gan.noise_step.numpy() == 3
    assert all(np.isfinite(v[-1]) for v in history.values()) and "l1" in history
    first, again = gan.translate(SOURCES[:4], seed=1), gan.translate(SOURCES[:4], seed=1)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, gan.translate(SOURCES[:4], seed=2))  # z changes the image
    # A dataset's targets are range-checked as they stream, before the first update.
    scaled = tf.data.Dataset.from_tensor_slices((SOURCES[:64], (TARGETS[:64] + 1) * 127.5))
    with pytest.raises(ValueError, match=r"the target images hold values from 0 to 255"):
        gan.fit(scaled.batch(32), epochs=1, verbose=0)
    integers = tf.data.Dataset.from_tensor_slices((SOURCES[:64], np.zeros([64, *SHAPE], "uint8")))
    with pytest.raises(ValueError, match="the target images hold values from 0 to 255"):
        gan.fit(integers.batch(32), epochs=1, verbose=0)
    assert gan.noise_step.numpy() == 3  # neither trained


def test_gan_options_apply_to_the_pairs():
    """k discriminator steps, R1 on the real pairs and the generator's average, with patch
    logits."""
    gan = make_pix2pix(discriminator_steps=2, r1_penalty=1.0, ema=0.9)
    gan.compile()
    history = gan.fit(SOURCES[:128], TARGETS[:128], batch_size=64, epochs=1, verbose=0).history
    assert history["r1_penalty"][-1] > 0 and all(np.isfinite(v[-1]) for v in history.values())
    averaged, live = gan.translate(SOURCES[:4]), gan.translate(SOURCES[:4], averaged=False)
    assert averaged.shape == (4, *SHAPE) and not np.allclose(averaged, live)


def test_unpaired_data_is_refused_before_training():
    gan = make_pix2pix()
    gan.compile()
    with pytest.raises(ValueError, match=r"learns from pairs: call fit\(source, target\)"):
        gan.fit(SOURCES[:64], batch_size=32, verbose=0)
    with pytest.raises(ValueError, match=r"dataset of \(source, target\) batches"):
        gan.fit(tf.data.Dataset.from_tensor_slices(SOURCES[:64]).batch(32), verbose=0)
    with pytest.raises(ValueError, match="source holds 64 images but target 63; .*same number"):
        gan.fit(SOURCES[:64], TARGETS[:63], batch_size=32, verbose=0)
    wide = np.zeros([64, 32, 32, 3], np.float32)
    with pytest.raises(
        ValueError, match=r"source holds images of shape \(32, 32, 3\).*\(32, 32, 1\)"
    ):
        gan.fit(wide, TARGETS[:64], batch_size=32, verbose=0)
    with pytest.raises(ValueError, match=r"target holds images of shape \(32, 32, 3\)"):
        gan.fit(SOURCES[:64], wide, batch_size=32, verbose=0)
    small = tf.data.Dataset.from_tensor_slices((SOURCES[:64], TARGETS[:64, :16, :16])).batch(32)
    with pytest.raises(ValueError, match=r"target holds images of shape \(16, 16, 1\)"):
        gan.fit(small, verbose=0)
    with pytest.raises(ValueError, match=r"the target images hold values from 0 to 255.*\[-1, 1\]"):
        gan.fit(SOURCES[:64], (TARGETS[:64] + 1) * 127.5, batch_size=32, verbose=0)
    with pytest.raises(ValueError, match=r"gan.translate\(source_images, batch_size=...\)"):
        gan.generate(4)
    with pytest.raises(ValueError, match=r"shape \(n,\) \+ \(32, 32, 1\).*image\[None\]"):
        gan.translate(SOURCES[0])
    assert gan.noise_step.numpy() == 0  # nothing trained


def test_unet_and_patch_discriminator_refuse_sizes_they_cannot_take():
    for builder in (unet, patch_discriminator):
        with pytest.raises(ValueError, match=r"side of 28 px; supported sides are 32 to 256"):
            builder((28, 28, 1), (28, 28, 1))
        with pytest.raises(ValueError, match=r"side of 40 px.*multiples of 32"):
            builder((32, 40, 3), (32, 40, 3))
        with pytest.raises(ValueError, match="side of 512 px"):
            builder((512, 512, 3), (512, 512, 3))
        with pytest.raises(ValueError, match="differ in height or width"):
            builder((64, 64, 3), (32, 32, 3))
    with pytest.raises(ValueError, match=r"depth=6 does not fit 96x96 images.*from 1 to 5"):
        unet((96, 96, 3), (96, 96, 3), depth=6)
    with pytest.raises(ValueError, match=r"layers=6 does not fit.*from 1 to 5"):
        patch_discriminator((64, 64, 3), (64, 64, 1), layers=6)


def test_the_networks_follow_the_paper_and_take_other_sizes():
    # At 256 px: the paper's 70x70 PatchGAN (C64-C128-C256-C512), 30x30 patches in its code,
    # 32x32 with 'same' padding; its U-Net has 54.4M parameters, as in the authors' code.
    discriminator = patch_discriminator((256, 256, 3), (256, 256, 3))
    assert discriminator.output.shape == (None, 32, 32, 1)
    assert discriminator.count_params() == 2_770_497
    assert unet((256, 256, 3), (256, 256, 3)).count_params() == 54_424_387
    generator = unet((32, 32, 1), (32, 32, 3), width=4)
    assert generator.get_layer("down5").output.shape == (None, 1, 1, 32)  # down to 1x1
    assert generator.output.shape == (None, 32, 32, 3)
    dropouts = [layer.name for layer in generator.layers if "dropout" in layer.name]
    assert dropouts == ["up4_dropout", "up3_dropout", "up2_dropout"]  # the 3 innermost
    wide = unet((96, 64, 3), (96, 64, 1), width=4)  # not square: 5 halvings leave 3x2
    assert wide.get_layer("down5").output.shape == (None, 3, 2, 32)
    shallow = unet((64, 64, 3), (64, 64, 3), width=4, depth=3)
    assert shallow.get_layer("down3").output.shape == (None, 8, 8, 16)
    gan = tfgan.Pix2Pix(wide, patch_discriminator((96, 64, 3), (96, 64, 1), width=4, layers=1))
    assert gan.sample_shape == (96, 64, 1) and gan.source_shape == (96, 64, 3)
    assert gan.latent_dim == 1 and not gan.takes_z


def test_an_image_only_patchgan_is_cyclegans_discriminator():
    # source_shape=None: one input, the same layers, the first convolution without the
    # source's channels (3 of them, 4x4 kernels, 64 filters at 256 px).
    paired = patch_discriminator((256, 256, 3), (256, 256, 3))
    alone = patch_discriminator(None, (256, 256, 3))
    assert len(alone.inputs) == 1 and alone.output.shape == paired.output.shape
    assert alone.count_params() == paired.count_params() - 3 * 4 * 4 * 64
    with pytest.raises(ValueError, match=r"target_shape=\(28, 28, 1\) has a side of 28 px"):
        patch_discriminator(None, (28, 28, 1))
    with pytest.raises(ValueError, match=r"unet: source_shape is None.*source_shape=\(H, W, C\)"):
        unet(None, SHAPE)
    keras.utils.set_random_seed(0)
    cyclegan = tfgan.CycleGAN(
        unet(SHAPE, SHAPE, width=4),
        unet(SHAPE, SHAPE, width=4),
        patch_discriminator(None, SHAPE, width=4, layers=2),
        patch_discriminator(None, SHAPE, width=4, layers=2),
    )
    cyclegan.compile()
    history = cyclegan.fit(SOURCES[:32], TARGETS[:32], batch_size=16, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())


def test_bad_networks_and_arguments_are_refused():
    generator = unet(SHAPE, SHAPE, width=4)
    discriminator = patch_discriminator(SHAPE, SHAPE, width=4, layers=2)
    source, image = keras.Input(SHAPE), keras.Input(SHAPE)
    pair = keras.layers.Concatenate()([source, image])
    ten = keras.Model([source, image], keras.layers.Dense(10)(keras.layers.Flatten()(pair)))
    with pytest.raises(ValueError, match=r"returns \(10,\) per example.*Conv2D\(1, 4"):
        tfgan.Pix2Pix(generator, ten)
    dense = keras.Model([source, image], keras.layers.Dense(1)(keras.layers.Flatten()(pair)))
    assert tfgan.Pix2Pix(generator, dense).sample_shape == SHAPE  # one logit per pair is fine
    with pytest.raises(ValueError, match=r"fixed shape \(H, W, C\).*\(None, None, 1\)"):
        free = keras.Input((None, None, 1))
        tfgan.Pix2Pix(keras.Model(free, keras.layers.Conv2D(1, 3, padding="same")(free)), dense)
    with pytest.raises(ValueError, match="draws no z"):
        tfgan.Pix2Pix(generator, discriminator, latent_dim=8)
    with pytest.raises(ValueError, match="latent_dim=8 but the generator's z input takes 3"):
        tfgan.Pix2Pix(unet(SHAPE, SHAPE, width=4, latent_dim=3), discriminator, latent_dim=8)
    with pytest.raises(ValueError, match="augment=None"):
        tfgan.Pix2Pix(generator, discriminator, augment="translation")
    with pytest.raises(ValueError, match="pack=2"):
        tfgan.Pix2Pix(generator, discriminator, pack=2)
    with pytest.raises(ValueError, match="l1_weight must be a number >= 0"):
        tfgan.Pix2Pix(generator, discriminator, l1_weight=-1)
    with pytest.raises(
        ValueError, match=r"takes \[source, image\].*\[\(32, 32, 1\), \(32, 32, 3\)\]"
    ):
        tfgan.Pix2Pix(generator, patch_discriminator(SHAPE, (32, 32, 3), width=4))
    image_only = keras.Model(image, keras.layers.Conv2D(1, 4, padding="same")(image))
    with pytest.raises(ValueError, match=r"takes \[source, image\].*patch_discriminator"):
        tfgan.Pix2Pix(generator, image_only)
