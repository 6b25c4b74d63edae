"""tfgan.schedules.LinearDecay: its values, in training, saved, resumed, and bad arguments."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import mlp_gan


def reference(learning_rate, steps, fraction, step):
    """The rate of the update after ``step`` done, by the definition in NumPy."""
    start = (1 - fraction) * steps
    if step <= start:
        return learning_rate
    return learning_rate * max(0.0, (steps - step) / (steps - start))


@pytest.mark.parametrize("steps, fraction", [(10, 0.5), (7, 1.0), (1000, 0.3), (1, 1.0)])
def test_values_follow_the_definition(steps, fraction):
    schedule = tfgan.schedules.LinearDecay(2e-3, steps, fraction)
    for step in range(steps + 3):
        np.testing.assert_allclose(
            float(schedule(step)), reference(2e-3, steps, fraction, step), rtol=1e-6, atol=1e-12
        )


def make_gan(steps, **options):
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(*mlp_gan(4, 2, (16,)), latent_dim=4, seed=0, **options)
    k = gan.discriminator_steps
    gan.compile(
        keras.optimizers.Adam(tfgan.schedules.LinearDecay(1e-2, steps, 0.5)),
        keras.optimizers.Adam(tfgan.schedules.LinearDecay(1e-2, k * steps, 0.5)),
        steps_per_execution=1,
    )
    return gan


def ring(n):
    return np.array(tfgan.data.toy("ring8").sample(n, seed=(0, 0)), np.float32)


def test_in_training_each_optimizer_decays_over_its_own_updates_and_then_stops():
    gan = make_gan(8, discriminator_steps=2)
    data = tf.data.Dataset.from_tensor_slices(ring(32 * 8)).batch(32)
    gan.fit(data.take(6), epochs=1, verbose=0)  # 6 generator and 12 discriminator updates
    for optimizer, steps, done in (
        (gan.generator_optimizer, 8, 6),
        (gan.discriminator_optimizer, 16, 12),
    ):
        assert int(optimizer.iterations) == done
        np.testing.assert_allclose(
            float(optimizer.learning_rate), reference(1e-2, steps, 0.5, done)
        )
        assert 0 < float(optimizer.learning_rate) < 1e-2
    gan.fit(data.skip(6), epochs=1, verbose=0)
    assert float(gan.generator_optimizer.learning_rate) == 0.0
    assert float(gan.discriminator_optimizer.learning_rate) == 0.0
    # Past its steps the rate is 0: more updates leave both networks' weights as they are.
    before = [w.copy() for w in gan.generator.get_weights() + gan.discriminator.get_weights()]
    gan.fit(data.take(2), epochs=1, verbose=0)
    after = gan.generator.get_weights() + gan.discriminator.get_weights()
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_keras_file_keeps_the_schedule(tmp_path):
    gan = make_gan(20)
    gan.fit(ring(64), batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    schedule = loaded.generator_optimizer._learning_rate
    assert isinstance(schedule, tfgan.schedules.LinearDecay)
    assert schedule.get_config() == {"learning_rate": 1e-2, "steps": 20, "fraction": 0.5}


def test_a_resumed_run_continues_the_schedule(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(ring(16 * 12)).batch(16)
    straight = make_gan(12)
    straight.fit(data, epochs=1, verbose=0)

    first = make_gan(12)
    first.fit(data.take(8), epochs=1, verbose=0, callbacks=[tfgan.callbacks.Checkpoint(tmp_path)])
    resumed = make_gan(12)
    again = tfgan.callbacks.Checkpoint(tmp_path)
    resumed.fit(data.skip(8), epochs=1, verbose=0, callbacks=[again])
    assert again.restored_step == 8
    assert int(resumed.generator_optimizer.iterations) == 12
    for a, b in zip(straight.generator.weights, resumed.generator.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 10), "learning_rate must be > 0"),
        (("1e-3", 10), "learning_rate must be a number"),
        ((1e-3, 0), "steps must be an integer >= 1"),
        ((1e-3, 10.5), "steps must be an integer >= 1"),
        ((1e-3, 10, 0.0), r"fraction must be in \(0, 1\]"),
        ((1e-3, 10, 1.5), r"fraction must be in \(0, 1\]"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        tfgan.schedules.LinearDecay(*args)
