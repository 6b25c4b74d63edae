"""Generator weight averaging: the recursion, its warm-up and start, what uses the average,
saving, resuming, and MirroredStrategy."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import mlp_gan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_gan(**options):
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*mlp_gan(4, 2, (16,)), latent_dim=4, seed=0, **options)
    gan.compile(steps_per_execution=1)
    return gan


def ring(n=256):
    return np.array(tfgan.data.toy("ring8").sample(n, seed=(0, 0)))


class RecordLive(keras.callbacks.Callback):
    """The live generator's weights after every step (one step per batch here)."""

    def on_train_begin(self, logs=None):
        self.weights = [self.model.generator.get_weights()]

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(self.model.generator.get_weights())


def reference_average(snapshots, decay, start, ramp):
    """The average by its definition, in NumPy, from the live weights after each update."""
    average = [np.array(w, np.float64) for w in snapshots[0]]
    for update, live in enumerate(snapshots[1:], start=1):
        t = update - start
        beta = 0.0 if update < start else min(decay, (1 + t) / (10 + t)) if ramp else decay
        average = [beta * a + (1 - beta) * w for a, w in zip(average, live, strict=True)]
    return average


@pytest.mark.parametrize(
    "decay, start, ramp", [(0.9, 0, False), (0.99, 0, True), (0.9, 5, False), (0.95, 3, True)]
)
def test_the_average_equals_the_recursion_over_the_recorded_live_weights(decay, start, ramp):
    gan = make_gan(ema=decay, ema_start=start, ema_ramp=ramp)
    np.testing.assert_array_equal(
        gan.ema_generator.get_weights()[0], gan.generator.get_weights()[0]
    )
    record = RecordLive()
    gan.fit(ring(), batch_size=16, epochs=1, verbose=0, callbacks=[record])
    assert len(record.weights) == 17  # the initial weights and 16 updates
    expected = reference_average(record.weights, decay, start, ramp)
    for want, got in zip(expected, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # The average lags: it is not the live generator.
    pairs = zip(gan.generator.get_weights(), gan.ema_generator.get_weights(), strict=True)
    assert max(np.max(np.abs(a - b)) for a, b in pairs) > 1e-4


def test_before_ema_start_the_average_is_the_live_generator():
    gan = make_gan(ema=0.999, ema_start=100)
    gan.fit(ring(64), batch_size=16, epochs=1, verbose=0)
    for live, average in zip(
        gan.generator.get_weights(), gan.ema_generator.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(live, average)


def test_generate_uses_the_average_unless_asked_for_the_live_generator():
    gan = make_gan(ema=0.9)
    gan.fit(ring(), batch_size=16, epochs=1, verbose=0)
    z = gan.sample_latent(8, 3)
    np.testing.assert_allclose(gan.generate(8, seed=3), gan.ema_generator(z), atol=1e-6)
    np.testing.assert_allclose(gan.generate(8, seed=3, averaged=False), gan.generator(z), atol=1e-6)
    assert np.max(np.abs(gan.generate(8, seed=3) - gan.generate(8, seed=3, averaged=False))) > 1e-4


def test_batch_norm_statistics_are_copied_from_the_live_generator():
    keras.utils.set_random_seed(0)
    generator, discriminator = tfgan.networks.dcgan((16, 16, 1), 8, width=4)
    gan = tfgan.GAN(generator, discriminator, latent_dim=8, seed=0, ema=0.9)
    gan.compile(steps_per_execution=1)
    images = np.random.default_rng(0).uniform(-1, 1, (32, 16, 16, 1)).astype("float32")
    gan.fit(images, batch_size=16, epochs=1, verbose=0)
    moving = [w.name for w in generator.non_trainable_weights]
    assert moving  # the DCGAN generator has batch-norm statistics
    for live, average in zip(
        generator.non_trainable_weights, gan.ema_generator.non_trainable_weights, strict=True
    ):
        np.testing.assert_array_equal(np.asarray(live), np.asarray(average))


def test_keras_file_keeps_the_average_and_its_settings(tmp_path):
    gan = make_gan(ema=0.9, ema_start=2, ema_ramp=False)
    gan.fit(ring(), batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert (loaded.ema, loaded.ema_start, loaded.ema_ramp) == (0.9, 2, False)
    for a, b in zip(
        gan.ema_generator.get_weights(), loaded.ema_generator.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(gan.generate(5, seed=1), loaded.generate(5, seed=1))


def test_a_keras_file_without_averaging_loads_without_it(tmp_path):
    gan = make_gan()
    assert gan.ema is None and gan.ema_generator is None
    config = gan.get_config()
    del config["ema"], config["ema_start"], config["ema_ramp"]  # a file from before
    assert tfgan.GAN.from_config(config).ema is None


def test_checkpoint_resumes_the_average_exactly(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(ring(16 * 20)).batch(16)
    straight = make_gan(ema=0.9)
    straight.fit(data, epochs=1, verbose=0)

    first = make_gan(ema=0.9)
    first.fit(data.take(10), epochs=1, verbose=0, callbacks=[tfgan.callbacks.Checkpoint(tmp_path)])
    resumed = make_gan(ema=0.9)
    again = tfgan.callbacks.Checkpoint(tmp_path)
    resumed.fit(data.skip(10), epochs=1, callbacks=[again], verbose=0)
    assert again.restored_step == 10
    for a, b in zip(straight.ema_generator.weights, resumed.ema_generator.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_exports_hold_the_averaged_generator(tmp_path):
    gan = make_gan(ema=0.9)
    gan.fit(ring(), batch_size=16, epochs=1, verbose=0)
    path = tfgan.export.saved_model(gan, str(tmp_path / "serving"))
    served = tf.saved_model.load(path).signatures["serving_default"]
    z = np.asarray(gan.sample_latent(6, 2), np.float32)
    np.testing.assert_allclose(
        served(z=tf.constant(z))["samples"].numpy(), gan.ema_generator(z), atol=1e-5
    )
    with open(os.path.join(path, "assets.extra", "tfgan_lite.json")) as f:
        assert json.load(f)["generator"] == "averaged (ema=0.9)"


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(ema=1.0), "ema must be a decay in (0, 1)"),
        (dict(ema=-0.5), "ema must be a decay in (0, 1)"),
        (dict(ema=0.99, ema_start=-1), "ema_start must be an integer >= 0"),
        (dict(ema=0.99, ema_ramp="yes"), "ema_ramp must be True or False"),
    ],
)
def test_bad_averaging_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tfgan.GAN(*mlp_gan(4, 2, (8,)), latent_dim=4, **options)


MIRRORED = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import numpy as np
import tensorflow_probability as tfp
import tfgan_lite as tfgan

# Zero variance: every z is this vector, so both sides see the same samples.
prior = tfp.distributions.Independent(
    tfp.distributions.Deterministic(tf.constant([0.5, -1.0, 1.5])), 1
)
x = np.asarray(tfgan.data.toy("ring8").sample(8 * 6, seed=(0, 0)))


def run(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(1)
        generator, discriminator = tfgan.networks.mlp_gan(3, 2, (8,))
        gan = tfgan.GAN(generator, discriminator, 3, prior=prior, seed=0, ema=0.8)
        gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), epochs=1, verbose=0)
    copies = [strategy.experimental_local_results(v.value) for v in gan.ema_generator.weights]
    return [[np.array(c).tolist() for c in cs] for cs in copies]


one = run(tf.distribute.get_strategy())
two = run(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
json.dump({"one": one, "two": two}, open(sys.argv[1], "w"))
"""


def test_under_mirrored_strategy_every_replica_holds_the_single_device_average(tmp_path):
    out = tmp_path / "ema.json"
    subprocess.run([sys.executable, "-c", MIRRORED, str(out)], check=True, cwd=ROOT, timeout=300)
    result = json.loads(out.read_text())
    for one, two in zip(result["one"], result["two"], strict=True):
        assert len(two) == 2  # a copy per replica
        for replica in two:
            np.testing.assert_allclose(replica, one[0], rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- the half-life in images
def reference_half_life(snapshots, batches, half_life, ramp, start=0):
    """The half-life average by its definition (StyleGAN2-ADA's G_ema), in NumPy: a step of
    n images after `seen` uses beta = 0.5 ** (n / min(half_life, seen * ramp))."""
    average = [np.array(w, np.float64) for w in snapshots[0]]
    seen = 0
    for update, (live, n) in enumerate(zip(snapshots[1:], batches, strict=True), start=1):
        h = half_life if ramp is None else min(half_life, seen * ramp)
        beta = 0.0 if update < start else 0.5 ** (n / max(h, 1e-8))
        average = [beta * a + (1 - beta) * w for a, w in zip(average, live, strict=True)]
        seen += n
    return average


@pytest.mark.parametrize(
    "half_life, ramp, n, start",
    [
        (40.0, None, 256, 0),  # 16 steps of 16
        (200.0, 0.5, 256, 0),  # the ramp binds for the first steps
        (100.0, True, 250, 0),  # ramp 0.05 throughout; a short last batch of 10
        (64.0, False, 256, 4),
    ],
)
def test_the_half_life_average_equals_its_recursion(half_life, ramp, n, start):
    gan = make_gan(ema_half_life=half_life, ema_ramp=ramp, ema_start=start)
    record = RecordLive()
    gan.fit(ring(n), batch_size=16, epochs=1, verbose=0, callbacks=[record])
    batches = [16] * (n // 16) + ([n % 16] if n % 16 else [])
    assert len(record.weights) == len(batches) + 1
    assert int(gan.ema_images.numpy()) == n
    expected = reference_half_life(
        record.weights, batches, half_life, 0.05 if ramp is True else ramp or None, start
    )
    for want, got in zip(expected, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    pairs = zip(gan.generator.get_weights(), gan.ema_generator.get_weights(), strict=True)
    assert max(np.max(np.abs(a - b)) for a, b in pairs) > 1e-4


def test_the_half_life_counts_every_image_of_a_step_with_several_discriminator_steps():
    gan = make_gan(ema_half_life=50.0, ema_ramp=False, discriminator_steps=2)
    record = RecordLive()
    gan.fit(ring(128), batch_size=32, epochs=1, verbose=0, callbacks=[record])
    expected = reference_half_life(record.weights, [32] * 4, 50.0, None)
    for want, got in zip(expected, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_the_half_life_is_saved_and_resumed_exactly(tmp_path):
    straight = make_gan(ema_half_life=100.0, ema_ramp=0.5)
    straight.fit(ring(128), batch_size=16, epochs=2, verbose=0)
    halted = make_gan(ema_half_life=100.0, ema_ramp=0.5)
    halted.fit(ring(128), batch_size=16, epochs=1, verbose=0)
    config = halted.get_config()
    assert (config["ema"], config["ema_half_life"], config["ema_ramp"]) == (None, 100.0, 0.5)
    path = str(tmp_path / "gan.keras")
    halted.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.ema_half_life == 100.0 and loaded.ema.ramp == 0.5
    assert int(loaded.ema_images.numpy()) == 128
    loaded.fit(ring(128), batch_size=16, epochs=1, verbose=0)
    for a, b in zip(
        straight.ema_generator.get_weights(), loaded.ema_generator.get_weights(), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert "half-life 100 images" in tfgan.serving.averaged_text(loaded.ema)


def test_cyclegan_averages_both_generators_by_the_half_life():
    def network(activation):
        x = keras.Input((8, 8, 1))
        h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
        return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same", activation=activation)(h))

    keras.utils.set_random_seed(0)
    cyclegan = tfgan.CycleGAN(
        network("tanh"),
        network("tanh"),
        network(None),
        network(None),
        seed=0,
        ema_half_life=30.0,
        ema_ramp=False,
    )
    cyclegan.compile(steps_per_execution=1)

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = [self.model.generator_a_to_b.get_weights()]

        def on_train_batch_end(self, batch, logs=None):
            self.weights.append(self.model.generator_a_to_b.get_weights())

    record = Record()
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (48, 8, 8, 1)).astype("float32") for _ in range(2))
    cyclegan.fit(a, b, batch_size=16, epochs=1, verbose=0, callbacks=[record])
    expected = reference_half_life(record.weights, [16] * 3, 30.0, None)
    for want, got in zip(expected, cyclegan.averaged_a_to_b.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert cyclegan.get_config()["ema_half_life"] == 30.0


@pytest.mark.parametrize(
    "options, message",
    [
        ({"ema": 0.999, "ema_half_life": 1000}, "give the decay .ema=. or the half-life"),
        ({"ema_half_life": 0}, "ema_half_life must be a number of images > 0"),
        ({"ema_half_life": -5.0}, "ema_half_life must be a number of images > 0"),
        ({"ema_half_life": "10k"}, "ema_half_life must be a number of images > 0"),
        ({"ema_half_life": 100, "ema_ramp": -0.1}, "ema_ramp with ema_half_life must be"),
        ({"ema_half_life": 100, "ema_ramp": "yes"}, "ema_ramp with ema_half_life must be"),
        ({"ema_half_life": 100, "ema_start": -1}, "ema_start must be an integer >= 0"),
    ],
)
def test_bad_half_life_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        tfgan.GAN(*mlp_gan(4, 2, (16,)), latent_dim=4, **options)
