"""tfgan.schedules (LinearDecay, Cosine) and tfgan.optimizers.Adam with scheduled betas: their
values, in training, saved, resumed, and bad arguments."""

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


# ----------------------------------------------------------------- Cosine
def cosine(initial, final, steps, step):
    """Cosine's value by its definition, in NumPy."""
    return final + (initial - final) * (1 + np.cos(np.pi * min(step, steps) / steps)) / 2


@pytest.mark.parametrize(
    "initial, final, steps", [(2e-4, 5e-5, 100), (0.9, 0.99, 7), (0.05, 0.005, 1), (1.0, 0.0, 10)]
)
def test_cosine_follows_the_definition_and_holds_its_final_value(initial, final, steps):
    schedule = tfgan.schedules.Cosine(initial, final, steps)
    for step in [*range(steps + 3), 10 * steps]:
        np.testing.assert_allclose(
            float(schedule(step)), cosine(initial, final, steps, step), rtol=1e-6, atol=1e-7
        )
    assert float(schedule(0)) == pytest.approx(initial, rel=1e-6)
    assert float(schedule(steps)) == pytest.approx(final, rel=1e-6)
    assert float(schedule(tf.constant(steps // 2, tf.int64))) == pytest.approx(
        cosine(initial, final, steps, steps // 2), rel=1e-6
    )


def test_cosine_serialises_and_is_registered():
    schedule = tfgan.schedules.Cosine(0.9, 0.99, 50)
    config = keras.saving.serialize_keras_object(schedule)
    assert config["registered_name"] == "tfgan_lite>Cosine"
    again = keras.saving.deserialize_keras_object(config)
    assert isinstance(again, tfgan.schedules.Cosine)
    assert again.get_config() == {"initial": 0.9, "final": 0.99, "steps": 50}


@pytest.mark.parametrize(
    "args, message",
    [
        ((1.0, 0.1, 0), "steps must be an integer >= 1"),
        ((1.0, 0.1, 2.5), "steps must be an integer >= 1"),
        ((1.0, 0.1, True), "steps must be an integer >= 1"),
        (("1", 0.1, 10), "initial must be a finite number"),
        ((1.0, float("nan"), 10), "final must be a finite number"),
        ((True, 0.1, 10), "initial must be a finite number"),
    ],
)
def test_cosine_refuses_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        tfgan.schedules.Cosine(*args)


def test_cosine_drives_a_keras_optimizers_learning_rate_at_its_updates():
    schedule = tfgan.schedules.Cosine(0.1, 0.01, 4)
    variable = keras.Variable(np.zeros([1], np.float32))
    optimizer = keras.optimizers.SGD(schedule)
    for update in range(6):
        before = float(variable.numpy()[0])
        optimizer.apply([tf.ones([1])], [variable])
        # SGD: w <- w - lr * g; update n + 1 uses the rate at n updates done.
        step = before - float(variable.numpy()[0])
        assert step == pytest.approx(cosine(0.1, 0.01, 4, update), rel=1e-5)


class One(tfgan.penalties.Penalty):
    """A penalty whose unweighted value is 1, so that its logged term is its weight."""

    def compute(self, critic, real, fake, seed):
        return tf.constant(1.0)


def test_cosine_drives_a_penaltys_weight_at_the_discriminators_updates():
    schedule = tfgan.schedules.Cosine(0.05, 0.005, 3)
    r1 = tfgan.penalties.R1(gamma=schedule)
    for step in range(6):
        assert float(r1.weight_at(step)) == pytest.approx(cosine(0.05, 0.005, 3, step), rel=1e-6)
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(r1))
    assert again.gamma.get_config() == schedule.get_config()
    # In training, the term of update n + 1 takes the weight at n discriminator updates done.
    keras.utils.set_random_seed(0)
    gan = tfgan.GAN(
        *mlp_gan(4, 2, (16,)), latent_dim=4, seed=0, penalties=[One(weight=schedule, name="one")]
    )
    gan.compile(steps_per_execution=1)
    logged = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            logged.append(float(logs["one"]))  # the epoch's running mean

    data = np.array(tfgan.data.toy("ring8").sample(96, seed=(0, 0)))
    gan.fit(data, batch_size=16, epochs=1, verbose=0, callbacks=[Record()])
    weights = [cosine(0.05, 0.005, 3, n) for n in range(6)]
    expected = [np.mean(weights[: n + 1]) for n in range(6)]
    np.testing.assert_allclose(logged, expected, rtol=1e-5)


# ----------------------------------------------------------------- Adam with scheduled betas
def problem(seed=0):
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(5, 3)).astype("float32")
    gradients = [rng.normal(size=(5, 3)).astype("float32") for _ in range(12)]
    return weights, gradients


def run_optimizer(optimizer, weights, gradients):
    variable = keras.Variable(weights)
    history = []
    for gradient in gradients:
        optimizer.apply([tf.constant(gradient)], [variable])
        history.append(np.array(variable.numpy()))
    return history


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_with_constant_betas_is_bit_identical_to_keras_adam(amsgrad):
    weights, gradients = problem()
    options = dict(learning_rate=1e-2, beta_1=0.0, beta_2=0.99, epsilon=1e-8, amsgrad=amsgrad)
    ours = run_optimizer(tfgan.optimizers.Adam(**options), weights, gradients)
    keras_ = run_optimizer(keras.optimizers.Adam(**options), weights, gradients)
    for a, b in zip(ours, keras_, strict=True):
        np.testing.assert_array_equal(a, b)


def numpy_adam(weights, gradients, lr, beta_1, beta_2, epsilon):
    """Keras's Adam rule in NumPy (float64), the betas and the rate as functions of the
    updates done before each update."""
    w = weights.astype(np.float64)
    m, v, history = np.zeros_like(w), np.zeros_like(w), []
    for done, g in enumerate(gradients):
        b1, b2, rate, t = beta_1(done), beta_2(done), lr(done), done + 1
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        w = w - rate * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + epsilon)
        history.append(w)
    return history


@pytest.mark.parametrize("schedule_beta_1", [False, True])
def test_adam_with_a_scheduled_beta_2_matches_numpy_step_by_step(schedule_beta_1):
    weights, gradients = problem(1)
    beta_2 = tfgan.schedules.Cosine(0.9, 0.99, 8)
    beta_1 = tfgan.schedules.Cosine(0.5, 0.0, 5) if schedule_beta_1 else 0.0
    rate = tfgan.schedules.Cosine(2e-2, 5e-3, 10)
    optimizer = tfgan.optimizers.Adam(rate, beta_1=beta_1, beta_2=beta_2, epsilon=1e-8)
    ours = run_optimizer(optimizer, weights, gradients)
    expected = numpy_adam(
        weights,
        gradients,
        lambda n: cosine(2e-2, 5e-3, 10, n),
        (lambda n: cosine(0.5, 0.0, 5, n)) if schedule_beta_1 else (lambda n: 0.0),
        lambda n: cosine(0.9, 0.99, 8, n),
        1e-8,
    )
    for got, want in zip(ours, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # A constant beta_2 of the same first value would have moved the weights elsewhere.
    constant = run_optimizer(
        tfgan.optimizers.Adam(rate, beta_1=beta_1, beta_2=0.9, epsilon=1e-8), weights, gradients
    )
    assert np.max(np.abs(constant[-1] - ours[-1])) > 1e-4


def test_adam_with_schedules_serialises():
    optimizer = tfgan.optimizers.Adam(
        tfgan.schedules.Cosine(2e-4, 5e-5, 100),
        beta_1=0.0,
        beta_2=tfgan.schedules.Cosine(0.9, 0.99, 100),
    )
    config = keras.optimizers.serialize(optimizer)
    assert config["registered_name"] == "tfgan_lite>Adam"
    again = keras.optimizers.deserialize(config)
    assert isinstance(again, tfgan.optimizers.Adam)
    assert isinstance(again.beta_2, tfgan.schedules.Cosine)
    assert again.beta_2.get_config() == {"initial": 0.9, "final": 0.99, "steps": 100}
    assert again.beta_1 == 0.0
    plain = tfgan.optimizers.Adam.from_config(tfgan.optimizers.Adam(beta_2=0.95).get_config())
    assert plain.beta_2 == 0.95


def test_adam_refuses_a_callable_that_is_not_a_schedule():
    with pytest.raises(ValueError, match="beta_2 must be a float or a keras.optimizers"):
        tfgan.optimizers.Adam(beta_2=lambda: 0.99)


def test_a_gan_compiled_with_scheduled_adam_trains_saves_and_resumes(tmp_path):
    def optimizer():
        return tfgan.optimizers.Adam(
            tfgan.schedules.Cosine(1e-2, 1e-3, 8),
            beta_1=0.0,
            beta_2=tfgan.schedules.Cosine(0.9, 0.99, 8),
        )

    data = np.array(tfgan.data.toy("ring8").sample(64, seed=(0, 0)))

    def make():
        keras.utils.set_random_seed(0)
        gan = tfgan.GAN(*mlp_gan(4, 2, (16,)), latent_dim=4, seed=0)
        gan.compile(optimizer(), optimizer(), steps_per_execution=1)
        return gan

    straight = make()
    straight.fit(data, batch_size=16, epochs=2, verbose=0)
    halted = make()
    halted.fit(data, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    halted.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.generator_optimizer, tfgan.optimizers.Adam)
    assert isinstance(loaded.discriminator_optimizer.beta_2, tfgan.schedules.Cosine)
    assert int(loaded.generator_optimizer.iterations.numpy()) == 4
    loaded.fit(data, batch_size=16, epochs=1, verbose=0)
    for a, b in zip(straight.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_unrolling_refuses_a_scheduled_beta_by_name():
    optimizer = tfgan.optimizers.Adam(1e-3, beta_2=tfgan.schedules.Cosine(0.9, 0.99, 100))
    gan = tfgan.GAN(*tfgan.networks.mlp_gan(2, 2, (4,)), latent_dim=2, unroll_steps=1)
    with pytest.raises(ValueError, match="a scheduled beta_2"):
        gan.compile(discriminator_optimizer=optimizer)
