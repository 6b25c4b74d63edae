"""CycleGAN: its losses against NumPy, a short unpaired run, saving, bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan

DIGITS = next(iter(tfgan.data.images("digits", "train", 768, 16))).numpy()


def generator(channels_in=1, channels_out=1, size=16):
    x = keras.Input((size, size, channels_in))
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(h)
    return keras.Model(
        x, keras.layers.Conv2D(channels_out, 3, padding="same", activation="tanh")(h)
    )


def discriminator(channels=1, size=16):
    x = keras.Input((size, size, channels))
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(16, 4, strides=2, padding="same")(x))
    return keras.Model(x, keras.layers.Conv2D(1, 4, padding="same")(h))  # PatchGAN logits


def make_cyclegan(**kwargs):
    keras.utils.set_random_seed(0)
    return tfgan.CycleGAN(generator(), generator(), discriminator(), discriminator(), **kwargs)


def unpaired(n=256):
    """Domain A: digits; domain B: other digits, inverted (no pairs between them)."""
    return DIGITS[:n], -DIGITS[n : 2 * n]


@pytest.mark.parametrize("identity_weight", [None, 0.0])
def test_evaluate_reports_the_losses_written_out_in_numpy(identity_weight):
    cyclegan = make_cyclegan(cycle_weight=10.0, identity_weight=identity_weight)
    cyclegan.compile()
    a, b = unpaired(32)
    logs = cyclegan.evaluate(a, b, batch_size=32, verbose=0, return_dict=True)

    def run(model, x):
        return np.asarray(model(x, training=False), np.float64)

    g, f = cyclegan.generator_a_to_b, cyclegan.generator_b_to_a
    fake_b, fake_a = run(g, a), run(f, b)
    d_b_fake, d_a_fake = (
        run(cyclegan.discriminator_b, fake_b),
        run(cyclegan.discriminator_a, fake_a),
    )
    d_a_real, d_b_real = run(cyclegan.discriminator_a, a), run(cyclegan.discriminator_b, b)
    # Least squares (Mao et al. 2017): G 0.5 (D(G) - 1)^2; D 0.5 (D(x) - 1)^2 + 0.5 D(G)^2.
    adversarial = 0.5 * np.mean((d_b_fake - 1) ** 2) + 0.5 * np.mean((d_a_fake - 1) ** 2)
    cycle = np.mean(np.abs(run(f, fake_b) - a)) + np.mean(np.abs(run(g, fake_a) - b))
    identity = np.mean(np.abs(run(f, a) - a)) + np.mean(np.abs(run(g, b) - b))
    weight = 5.0 if identity_weight is None else 0.0
    d_loss = sum(
        0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake**2)
        for real, fake in ((d_a_real, d_a_fake), (d_b_real, d_b_fake))
    )
    np.testing.assert_allclose(logs["adversarial_loss"], adversarial, rtol=1e-4)
    np.testing.assert_allclose(logs["cycle_loss"], cycle, rtol=1e-4)
    np.testing.assert_allclose(logs["g_loss"], adversarial + 10 * cycle + weight * identity, 1e-4)
    np.testing.assert_allclose(logs["d_loss"], d_loss, rtol=1e-4)
    sigmoid = 1 / (1 + np.exp(-d_a_real))
    np.testing.assert_allclose(logs["d_a"], sigmoid.mean(), rtol=1e-4)


def linear_discriminator(seed):
    x = keras.Input((16, 16, 1))
    init = keras.initializers.RandomNormal(stddev=0.05, seed=seed)
    return keras.Model(x, keras.layers.Dense(1, kernel_initializer=init)(keras.layers.Flatten()(x)))


@pytest.mark.parametrize("form", ["objects", "keywords"])
def test_penalties_add_the_gradient_terms_of_a_linear_discriminator(form):
    # D(x) = w . x + c has the gradient w at every x: R1 and R2 are gamma / 2 * |w|^2 and
    # WGAN-GP lambda * (|w| - 1)^2, whatever the images and the interpolation.
    keras.utils.set_random_seed(0)
    networks = [generator(), generator(), linear_discriminator(1), linear_discriminator(2)]
    a, b = unpaired(32)
    P = tfgan.penalties
    cases = {
        "none": ({}, []),
        "r1_penalty": ({"r1_penalty": 2.0}, [P.R1(2.0)]),
        "r2_penalty": ({"r2_penalty": 3.0}, [P.R2(3.0)]),
        "gradient_penalty": ({"gradient_penalty": 10.0}, [P.GradientPenalty(10.0)]),
    }
    logs = {}
    for name, (keywords, objects) in cases.items():
        given = keywords if form == "keywords" else {"penalties": objects}
        cyclegan = tfgan.CycleGAN(*networks, loss="wasserstein", seed=3, **given)
        cyclegan.compile()
        logs[name] = cyclegan.evaluate(a, b, batch_size=32, verbose=0, return_dict=True)
    norms = [np.linalg.norm(d.get_weights()[0]) for d in networks[2:]]
    expected = {
        "r1_penalty": sum(0.5 * 2.0 * n**2 for n in norms),
        "r2_penalty": sum(0.5 * 3.0 * n**2 for n in norms),
        "gradient_penalty": sum(10.0 * (n - 1) ** 2 for n in norms),
    }
    plain = logs["none"]["d_loss"]
    for name, value in expected.items():
        np.testing.assert_allclose(logs[name][name], value, rtol=1e-4)
        np.testing.assert_allclose(logs[name]["d_loss"], plain + value, rtol=1e-4)
        assert name not in logs["none"]
    with pytest.raises(ValueError, match="r1_penalty must be a number >= 0"):
        make_cyclegan(r1_penalty=-1.0)
    config = cyclegan.get_config()
    assert [c["class_name"] for c in config["penalties"]] == ["GradientPenalty"]


def test_a_lazy_penalty_is_computed_every_nth_update_and_scaled_by_n():
    keras.utils.set_random_seed(0)
    networks = [generator(), generator(), linear_discriminator(1), linear_discriminator(2)]
    a, b = unpaired(64)
    penalty = tfgan.penalties.R1(2.0, every=3)
    cyclegan = tfgan.CycleGAN(*networks, loss="wasserstein", seed=3, penalties=[penalty])
    cyclegan.compile(steps_per_execution=1)
    expected, logged = [], []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            # R1 of a linear D is gamma / 2 * |w|^2 from the weights the step starts with.
            value = sum(0.5 * 2.0 * np.sum(d.get_weights()[0] ** 2) for d in networks[2:])
            expected.append(3 * value if batch % 3 == 0 else 0.0)

        def on_train_batch_end(self, batch, logs=None):
            logged.append(float(logs["r1_penalty"]))

    cyclegan.fit(a, b, batch_size=8, steps_per_epoch=7, verbose=0, callbacks=[Record()])
    # The logged value is the epoch's running mean; undo it to get each step's term.
    means = np.array(logged)
    steps = np.arange(1, len(means) + 1)
    terms = means * steps - np.concatenate([[0.0], means[:-1] * steps[:-1]])
    np.testing.assert_allclose(terms, expected, rtol=1e-4, atol=1e-5)
    assert terms[0] > 0 and terms[3] > 0 and terms[1] == pytest.approx(0, abs=1e-5)


@pytest.fixture
def float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_mixed_float16_scales_both_losses_and_trains(float16):
    cyclegan = make_cyclegan(seed=0)
    assert cyclegan.generator_a_to_b.compute_dtype == "float16"
    cyclegan.compile()
    for optimizer in (cyclegan.generator_optimizer, cyclegan.discriminator_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    assert cyclegan.steps_per_execution == 50  # the core's default, as GAN's
    before = [np.asarray(w) for w in cyclegan.generator_a_to_b.trainable_weights]
    a, b = unpaired(64)
    history = cyclegan.fit(a, b, batch_size=16, steps_per_epoch=4, verbose=0).history
    assert np.isfinite(history["g_loss"][-1]) and np.isfinite(history["d_loss"][-1])
    after = [np.asarray(w) for w in cyclegan.generator_a_to_b.trainable_weights]
    assert all(w.dtype == np.float32 for w in after)
    assert any(not np.allclose(x, y) for x, y in zip(before, after, strict=True))
    assert int(cyclegan.noise_step.numpy()) == 4  # (the first steps' overflow is skipped)


def test_images_outside_the_generators_range_are_refused_before_the_first_step():
    cyclegan = make_cyclegan(seed=0)
    cyclegan.compile()
    a, b = unpaired(64)
    weights = [np.asarray(w) for w in cyclegan.weights]
    with pytest.raises(ValueError, match=r"b holds values from .* generator_a_to_b's last"):
        cyclegan.fit(a, b * 200, batch_size=16, steps_per_epoch=2, verbose=0)
    # A dataset is checked batch by batch as it streams: the batch fails before its update.
    streams = [tf.data.Dataset.from_tensor_slices(x).batch(16) for x in (a * 200, b)]
    with pytest.raises(ValueError, match=r"a holds values from .* generator_b_to_a's last"):
        cyclegan.fit(*streams, steps_per_epoch=2, verbose=0)
    assert int(cyclegan.generator_optimizer.iterations) == 0
    for w, before in zip(cyclegan.weights, weights, strict=True):
        np.testing.assert_array_equal(np.asarray(w), before)


def test_a_batch_holding_nan_is_reported_as_a_nan_d_loss():
    # Generators without a bounded last activation, so no range check refuses the NaN first.
    def unbounded():
        x = keras.Input((16, 16, 1))
        return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same")(x))

    keras.utils.set_random_seed(0)
    networks = (unbounded(), unbounded(), discriminator(), discriminator())
    cyclegan = tfgan.CycleGAN(*networks, seed=0)
    cyclegan.compile(steps_per_execution=1)
    a, b = unpaired(16)
    b = b.copy()
    b[3, 2, 2, 0] = np.nan
    logs = cyclegan.fit(a, b, batch_size=16, steps_per_epoch=1, verbose=0).history
    assert np.isnan(logs["d_loss"][-1])


def test_a_checkpoint_resumes_to_the_weights_of_an_uninterrupted_run(tmp_path):
    a, b = unpaired(64)
    # With R1 every 2 updates and a gradient penalty whose interpolation comes from the
    # step's seed, so the resumed run must carry the step count and the optimizers' state.
    penalties = [tfgan.penalties.R1(1.0, every=2), tfgan.penalties.GradientPenalty(1.0)]

    def model():
        cyclegan = make_cyclegan(seed=5, penalties=penalties, ema=0.9)
        cyclegan.compile(steps_per_execution=2)
        return cyclegan

    def streams(skip, take):
        return [
            tf.data.Dataset.from_tensor_slices(x).repeat().batch(16).skip(skip).take(take)
            for x in (a, b)
        ]

    straight = model()
    straight.fit(*streams(0, 8), verbose=0)
    first = model()
    checkpoint = tfgan.callbacks.Checkpoint(tmp_path, every=4)
    first.fit(*streams(0, 4), callbacks=[checkpoint], verbose=0)
    resumed = model()
    again = tfgan.callbacks.Checkpoint(tmp_path, every=4)
    resumed.fit(*streams(4, 4), callbacks=[again], verbose=0)
    assert again.restored_step == 4 and int(resumed.noise_step.numpy()) == 8
    for x, y in zip(straight.weights, resumed.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    for x, y in zip(
        straight.discriminator_optimizer.variables,
        resumed.discriminator_optimizer.variables,
        strict=True,
    ):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def thickened(images):
    """Digits with strokes dilated by a 3x3 maximum: the second domain of the short run."""
    return tf.nn.max_pool2d(images, 3, 1, "SAME").numpy()


@pytest.mark.slow
def test_a_short_unpaired_run_learns_to_thicken_digits():
    """400 steps on digits and other digits thickened, unpaired, without the identity term
    (it holds thick digits as they are, against the task): G(a) comes within 0.6 of the
    distance of a itself to thicken(a), and F(thicken(a)) within 0.6 of its distance to a
    (measured: 0.163 and 0.148 against 0.349)."""
    cyclegan = make_cyclegan(identity_weight=0.0)
    adam = [keras.optimizers.Adam(1e-3, beta_1=0.5) for _ in range(2)]
    cyclegan.compile(*adam)
    a, b = DIGITS[:384], thickened(DIGITS[384:])
    target = thickened(a[:128])
    unchanged = np.abs(a[:128] - target).mean()
    history = cyclegan.fit(a, b, batch_size=32, steps_per_epoch=50, epochs=8, verbose=0).history
    assert cyclegan.generator_optimizer.iterations.numpy() == 400
    forward = np.abs(cyclegan.translate(a[:128]) - target).mean()
    backward = np.abs(cyclegan.translate(target, "b_to_a") - a[:128]).mean()
    assert forward < 0.6 * unchanged and backward < 0.6 * unchanged, (forward, backward, unchanged)
    assert history["cycle_loss"][-1] < 0.8 * history["cycle_loss"][0]


def test_a_keras_file_round_trip_keeps_translations_and_goes_on_training(tmp_path):
    cyclegan = make_cyclegan(loss="hinge", cycle_weight=5.0, ema=0.9)
    cyclegan.compile()
    a, b = unpaired(64)
    cyclegan.fit(a, b, batch_size=32, epochs=1, verbose=0)
    path = str(tmp_path / "cycle.keras")
    cyclegan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, tfgan.CycleGAN) and loaded.objective.name == "hinge"
    assert loaded.cycle_weight == 5.0 and loaded.identity_weight == 2.5 and loaded.ema == 0.9
    for direction, x in (("a_to_b", a[:8]), ("b_to_a", b[:8])):
        np.testing.assert_array_equal(
            loaded.translate(x, direction), cyclegan.translate(x, direction)
        )
    # The average differs from the live generator after training, and both are kept.
    live = cyclegan.translate(a[:8], averaged=False)
    assert not np.allclose(live, cyclegan.translate(a[:8]))
    np.testing.assert_array_equal(loaded.translate(a[:8], averaged=False), live)
    before = loaded.generator_a_to_b.get_weights()[0].copy()
    loaded.fit(a, b, batch_size=32, epochs=1, verbose=0)
    assert not np.allclose(before, loaded.generator_a_to_b.get_weights()[0])


def test_fit_zips_two_datasets_of_different_lengths():
    cyclegan = make_cyclegan()
    cyclegan.compile(steps_per_execution=1)
    a = tf.data.Dataset.from_tensor_slices(DIGITS[:96]).batch(32)
    b = tf.data.Dataset.from_tensor_slices((-DIGITS[96:160], np.zeros(64, np.int32))).batch(32)
    history = cyclegan.fit(a, b, verbose=0).history  # (images, labels): the labels are dropped
    assert cyclegan.generator_optimizer.iterations.numpy() == 2  # the shorter stream's batches
    assert np.isfinite(history["g_loss"][-1])


def test_an_epoch_of_arrays_is_max_len_over_batch_size_steps():
    # 40 and 24 images in batches of 8: 5 steps per epoch, though 50 are compiled per
    # execution (Keras alone would run 50 per epoch on the endless streams).
    cyclegan = make_cyclegan()
    cyclegan.compile(steps_per_execution=50)
    a, b = unpaired(40)
    cyclegan.fit(a, b[:24], batch_size=8, epochs=2, verbose=0)
    assert cyclegan.generator_optimizer.iterations.numpy() == 10
    assert cyclegan.steps_per_execution == 50


def test_bad_input_is_refused_before_training():
    cyclegan = make_cyclegan()
    cyclegan.compile()
    a, b = unpaired(64)
    with pytest.raises(ValueError, match=r"two unpaired sets of images, fit\(a, b\)"):
        cyclegan.fit(a)
    with pytest.raises(ValueError, match=r"b holds images of shape \(8, 8, 1\)"):
        cyclegan.fit(a, b[:, :8, :8])
    with pytest.raises(ValueError, match="both be arrays or both be datasets"):
        cyclegan.fit(a, tf.data.Dataset.from_tensor_slices(b).batch(8))
    with pytest.raises(ValueError, match="fewer than batch_size=128"):
        cyclegan.fit(a, b, batch_size=128)
    with pytest.raises(ValueError, match="direction='sideways' is unknown"):
        cyclegan.translate(a, "sideways")
    assert cyclegan.generator_optimizer.iterations.numpy() == 0
    with pytest.raises(ValueError, match="must map each domain's shape onto the other's"):
        tfgan.CycleGAN(generator(1, 3), generator(1, 1), discriminator(1), discriminator(3))
    with pytest.raises(ValueError, match="identity_weight=5.0 needs both domains"):
        tfgan.CycleGAN(generator(1, 3), generator(3, 1), discriminator(1), discriminator(3))
    rgb = tfgan.CycleGAN(
        generator(1, 3), generator(3, 1), discriminator(1), discriminator(3), identity_weight=0
    )
    assert rgb.shape_b == (16, 16, 3)
    with pytest.raises(ValueError, match="discriminator_b cannot take its domain's images"):
        tfgan.CycleGAN(generator(), generator(), discriminator(), discriminator(size=8))
    with pytest.raises(ValueError, match="cycle_weight must be a number >= 0"):
        make_cyclegan(cycle_weight=-1)
