"""The GAN model: Algorithm 1, freezing, the optimal discriminator, saving, bad inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

import tfgan_lite as tfgan
from tfgan_lite.models import keras_workarounds
from tfgan_lite.networks import mlp, mlp_gan


def make_gan(latent_dim=4, data_dim=2, hidden=(16,), **kwargs):
    generator, discriminator = mlp_gan(latent_dim, data_dim, hidden)
    kwargs.setdefault("seed", 0)
    return tfgan.GAN(generator, discriminator, latent_dim=latent_dim, **kwargs)


def ring_data(n=512, seed=0):
    return np.asarray(tfgan.data.toy("ring8").sample(n, seed=(seed, 0)))


def weights(model):
    return [np.array(v) for v in model.weights]


# An MLP's forward pass in NumPy, from its weights, apart from Keras: what the tests below
# recompute the reported metrics from.
def dense_params(model):
    """(kernel, bias, activation) of each Dense layer of ``model``, in order, as NumPy."""
    return [
        (
            layer.kernel.numpy().astype(np.float64),
            layer.bias.numpy().astype(np.float64),
            layer.get_config()["activation"],
        )
        for layer in model.layers
        if isinstance(layer, keras.layers.Dense)
    ]


def forward(params, x):
    h = np.asarray(x, np.float64)
    for kernel, bias, activation in params:
        h = h @ kernel + bias
        assert activation in ("relu", "linear"), activation
        h = np.maximum(h, 0.0) if activation == "relu" else h
    return h


def sigmoid(logits):
    return 1.0 / (1.0 + np.exp(-logits))


def softplus(logits):
    return np.logaddexp(0.0, logits)


Z0 = np.array([0.5, -1.0, 0.25, 2.0], np.float32)


def constant_prior(z=Z0):
    """A prior that always draws z: the generated batch is G(z) in every row."""
    tfd = tfp.distributions
    return tfd.Independent(tfd.Deterministic(tf.constant(z)), 1)


def evaluate_at_z0(gan, x):
    """``gan.evaluate`` on x in one batch with every z = Z0, and D's logits on the real
    batch and on G(Z0), recomputed in NumPy from the networks' weights."""
    gan.prior = constant_prior()
    logs = gan.evaluate(x, batch_size=len(x), verbose=0, return_dict=True)
    d = dense_params(gan.discriminator)
    real_logits = forward(d, x)
    fake_logits = forward(d, forward(dense_params(gan.generator), Z0[None]))
    assert np.all(np.isfinite(real_logits)) and np.all(np.isfinite(fake_logits))
    return logs, real_logits, np.broadcast_to(fake_logits, real_logits.shape)


# ----------------------------------------------------------------- training


@pytest.mark.parametrize("jit_compile", [False, True])
def test_fit_reports_losses_and_discriminator_outputs(jit_compile):
    gan = make_gan()
    gan.compile(jit_compile=jit_compile, steps_per_execution=1)
    x = ring_data()
    # D's weights before each step (one step per execution, batches in order).
    before_step = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: before_step.append(dense_params(gan.discriminator))
    )
    history = gan.fit(x, epochs=2, batch_size=64, shuffle=False, verbose=0, callbacks=[record])
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert len(history.history[key]) == 2
        assert np.all(np.isfinite(history.history[key]))
    # d_real is D's mean probability on each real batch before that step's update, averaged
    # over the epoch: recomputed from D's weights at each step of the second epoch.
    assert len(before_step) == 16
    real_logits = [forward(d, x[64 * i : 64 * (i + 1)]) for i, d in enumerate(before_step[8:])]
    d_real = np.mean([sigmoid(logits).mean() for logits in real_logits])
    np.testing.assert_allclose(history.history["d_real"][-1], d_real, rtol=1e-5)
    # The non-saturating d_loss is E softplus(-l_real) + E softplus(l_fake); d_fake is
    # E sigmoid(l_fake) = E[1 - exp(-softplus(l_fake))], concave in softplus(l_fake), so by
    # Jensen d_fake <= 1 - exp(-(d_loss - E softplus(-l_real))).
    real_term = np.mean([softplus(-logits).mean() for logits in real_logits])
    fake_term = history.history["d_loss"][-1] - real_term
    assert 0 < history.history["d_fake"][-1] <= 1 - np.exp(-fake_term) + 1e-5
    # Under the non-saturating objective, d_loss is the cross-entropy: at chance it is
    # 2 log 2; after a little training it must be in a sane range around that.
    assert 0.5 < history.history["d_loss"][-1] < 3.0


@pytest.mark.parametrize("loss", tfgan.losses.names())
def test_every_objective_trains_and_reports_itself_on_the_logits(loss):
    gan = make_gan(loss=loss)
    gan.compile()
    before = weights(gan.generator)
    x = ring_data(256)
    gan.fit(x, epochs=1, batch_size=64, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, weights(gan.generator), strict=True))
    # After training, evaluate reports the objective on D's logits, recomputed from the
    # trained weights (finite: evaluate_at_z0 checks them).
    logs, real_logits, fake_logits = evaluate_at_z0(gan, x)
    real, fake = (tf.constant(logits, tf.float32) for logits in (real_logits, fake_logits))
    expected = {
        "d_loss": float(gan.objective.discriminator_loss(real, fake)),
        "g_loss": float(gan.objective.generator_loss(fake, real)),
        "d_real": sigmoid(real_logits).mean(),
        "d_fake": sigmoid(fake_logits).mean(),
    }
    for key, value in expected.items():
        np.testing.assert_allclose(logs[key], value, rtol=1e-4, atol=1e-6, err_msg=key)


def test_dataset_of_pairs_is_accepted_and_labels_ignored():
    x = ring_data(256)
    labels = np.random.default_rng(0).integers(0, 8, len(x)).astype("float32")
    runs = []
    for elements in (x, (x, labels)):
        keras.utils.set_random_seed(0)  # the same initial weights for both runs
        gan = make_gan()
        gan.compile()
        dataset = tf.data.Dataset.from_tensor_slices(elements).batch(64)
        history = gan.fit(dataset, epochs=1, verbose=0).history
        runs.append((history, weights(gan.generator) + weights(gan.discriminator)))
    (history, trained), (paired_history, paired_trained) = runs
    # The labels change nothing: the same losses and the same trained weights.
    for key, values in history.items():
        np.testing.assert_allclose(paired_history[key], values, rtol=1e-5, err_msg=key)
    for a, b in zip(trained, paired_trained, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("k", [1, 3])
def test_k_discriminator_steps_per_generator_step(k):
    gan = make_gan(discriminator_steps=k)
    gan.compile()
    gan.fit(ring_data(64 * k * 5), epochs=1, batch_size=64 * k, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 5
    assert int(gan.discriminator_optimizer.iterations) == 5 * k


class CountingGenerator(keras.Model):
    """A generator that counts its forward passes (run eagerly to count per step)."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)
        self.calls = 0

    def call(self, z, training=False):
        self.calls += 1
        return self.dense(z)


@pytest.mark.parametrize("k", [1, 2])
def test_generator_forward_pass_runs_k_times_not_k_plus_one(k):
    generator = CountingGenerator()
    gan = tfgan.GAN(generator, mlp(2, 1, (8,)), latent_dim=3, discriminator_steps=k, seed=0)
    gan.compile(run_eagerly=True)
    generator.calls = 0
    gan.fit(ring_data(32 * k * 4), epochs=1, batch_size=32 * k, verbose=0)
    assert generator.calls == 4 * k


def test_subclassed_and_functional_networks():
    inputs = keras.Input((4,))
    functional_g = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(8)(inputs)))
    x = ring_data(128)
    for generator in (functional_g, CountingGenerator()):
        gan = tfgan.GAN(generator, mlp(2, 1, (8,)), latent_dim=4, seed=0)
        gan.compile()
        before = weights(generator)
        gan.fit(x, batch_size=64, verbose=0)
        # The generator trained through the GAN, and evaluate runs it as it is: D's mean
        # output on G(Z0), recomputed from both networks' weights.
        assert any(not np.allclose(a, b) for a, b in zip(before, weights(generator), strict=True))
        logs, _, fake_logits = evaluate_at_z0(gan, x)
        np.testing.assert_allclose(logs["d_fake"], sigmoid(fake_logits).mean(), rtol=1e-5)


@pytest.mark.parametrize(
    "frozen, trained", [("generator", "discriminator"), ("discriminator", "generator")]
)
def test_a_frozen_network_keeps_its_weights_while_the_other_trains(frozen, trained):
    gan = make_gan()
    getattr(gan, frozen).trainable = False
    gan.compile()
    frozen_before, trained_before = weights(getattr(gan, frozen)), weights(getattr(gan, trained))
    gan.fit(ring_data(256), epochs=1, batch_size=64, verbose=0)
    for a, b in zip(frozen_before, weights(getattr(gan, frozen)), strict=True):
        np.testing.assert_array_equal(a, b)
    trained_after = weights(getattr(gan, trained))
    assert any(not np.allclose(a, b) for a, b in zip(trained_before, trained_after, strict=True))
    assert int(getattr(gan, f"{frozen}_optimizer").iterations) == 0


def test_weight_clipping_bounds_every_discriminator_weight():
    gan = make_gan(loss="wasserstein", clip_weights=0.01)
    gan.compile(discriminator_optimizer=keras.optimizers.Adam(1e-2))
    gan.fit(ring_data(256), epochs=2, batch_size=64, verbose=0)
    values = np.concatenate([np.ravel(v) for v in weights(gan.discriminator)])
    assert np.max(np.abs(values)) <= 0.01 + 1e-7
    assert np.max(np.abs(values)) == pytest.approx(0.01)  # it really bites


def test_gradient_penalty_is_reported_and_part_of_d_loss():
    gan = make_gan(loss="wasserstein", gradient_penalty=10.0)
    gan.compile()
    history = gan.fit(ring_data(256), epochs=1, batch_size=64, verbose=0).history
    assert history["gradient_penalty"][-1] > 0
    plain = make_gan(loss="wasserstein")
    assert "gradient_penalty" not in [m.name for m in plain.metrics]


def test_evaluate_reports_the_same_metrics_without_training():
    gan = make_gan()
    gan.compile()
    before = weights(gan)
    result = gan.evaluate(ring_data(128), batch_size=64, verbose=0, return_dict=True)
    assert set(result) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    for a, b in zip(before, weights(gan), strict=True):
        np.testing.assert_array_equal(a, b)
    again = gan.evaluate(ring_data(128), batch_size=64, verbose=0, return_dict=True)
    assert again == result


def test_generate_is_deterministic_for_a_seed():
    gan = make_gan(latent_dim=4, data_dim=3)
    a, b, c = gan.generate(100, seed=7), gan.generate(100, seed=7), gan.generate(100, seed=8)
    assert a.shape == (100, 3) and isinstance(a, np.ndarray)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # In batches or in one go: the same samples.
    np.testing.assert_allclose(gan.generate(100, seed=7, batch_size=30), a, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(gan.generate(100, 7), a)  # the seed is the second argument


def test_generate_of_an_unconditional_model_refuses_labels():
    gan = make_gan()
    with pytest.raises(ValueError, match="unconditional: generate takes no labels"):
        gan.generate(4, seed=0, labels=1)
    assert gan.default_labels(4) is None
    np.testing.assert_array_equal(
        gan.generate(4, seed=0, labels=gan.default_labels(4)), gan.generate(4, seed=0)
    )


@pytest.mark.parametrize("prior", tfgan.priors.names())
def test_generator_sees_its_prior(prior):
    gan = make_gan(prior=prior)
    z = np.asarray(gan.sample_latent(4000, seed=0))
    if prior == "uniform":
        assert z.min() >= -1 and z.max() <= 1 and z.std() == pytest.approx(1 / np.sqrt(3), rel=0.05)
    elif prior == "truncated_normal":
        assert np.abs(z).max() <= 2
    else:
        assert np.abs(z).max() > 2.5 and z.std() == pytest.approx(1, rel=0.05)


# ----------------------------------------------------------------- theory


def test_optimal_discriminator_theorem_on_1d_gaussians():
    """A frozen G with p_g = N(1, 0.5^2), data N(0, 1): D -> p_data / (p_data + p_g)
    (Goodfellow et al. 2014, Proposition 1) and V(G, D) -> 2 JSD - log 4 (Theorem 1)."""
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    generator.set_weights([np.array([[0.5]], np.float32), np.array([1.0], np.float32)])
    generator.trainable = False
    discriminator = mlp(1, 1, (64, 64), activation="tanh")
    gan = tfgan.GAN(generator, discriminator, latent_dim=1, loss="minimax", seed=0)
    gan.compile(discriminator_optimizer=keras.optimizers.Adam(3e-3))
    data = tfgan.data.toy_dataset("gaussian1d", batch_size=1024, seed=1)
    gan.fit(data, steps_per_epoch=1500, epochs=1, verbose=0)

    # Independent reference by quadrature on a fine grid.
    x = np.linspace(-8, 9, 200001)
    p = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
    q = np.exp(-0.5 * ((x - 1) / 0.5) ** 2) / (0.5 * np.sqrt(2 * np.pi))
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = 0.5 * np.nan_to_num(p * np.log(p / m)) + 0.5 * np.nan_to_num(q * np.log(q / m))
    jsd = np.trapezoid(integrand, x)

    grid = np.linspace(-1.5, 2.0, 71)[:, None].astype(np.float32)
    d_star = np.interp(grid[:, 0], x, p / (p + q))
    d_trained = 1 / (1 + np.exp(-np.asarray(discriminator(grid)).ravel()))
    assert np.max(np.abs(d_trained - d_star)) < 0.05

    real = np.random.default_rng(0).normal(size=(200000, 1)).astype(np.float32)
    fake = gan.generate(200000, seed=3)
    value = tfgan.eval.value_function(
        lambda v: discriminator.predict(v, 8192, verbose=0), real, fake
    )
    assert value == pytest.approx(2 * jsd - np.log(4), abs=0.01)


def test_short_ring8_run_covers_the_modes():
    keras.utils.set_random_seed(1)
    generator, discriminator = mlp_gan(16, 2, (128, 128))
    gan = tfgan.GAN(generator, discriminator, latent_dim=16, seed=1)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    gan.fit(tfgan.data.toy_dataset("ring8", 256, seed=1), steps_per_epoch=5000, verbose=0)
    coverage = tfgan.eval.mode_coverage(gan.generate(2500, seed=0), tfgan.data.toy("ring8"))
    # Over 3 seeds the benchmark's non-saturating runs cover 6-8 modes with 44-85% high
    # quality; a collapsed generator covers 1-3 modes with a reverse KL above 1.
    assert coverage["modes"] >= 7
    assert coverage["high_quality"] >= 0.3
    assert coverage["reverse_kl"] < 0.5


@pytest.mark.parametrize("steps_per_epoch, epochs", [(70, 2), (7, 3), (97, 1)])
def test_fit_trains_exactly_the_steps_per_epoch_asked_for(steps_per_epoch, epochs):
    # Keras 3.15 rounds each epoch of an endless dataset up to whole executions of
    # steps_per_execution (70 x 2 would train 100 steps at 50 per execution); fit runs
    # with a count that divides the epoch, then gives the compiled one back.
    gan = make_gan()
    gan.compile(steps_per_execution=50)
    data = tf.data.Dataset.from_tensor_slices(ring_data()).repeat().batch(32)
    gan.fit(data, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=0)
    assert gan.generator_optimizer.iterations.numpy() == steps_per_epoch * epochs
    assert gan.steps_per_execution == 50
    assert keras_workarounds.fitting_steps_per_execution(70, 50) == 35
    assert keras_workarounds.fitting_steps_per_execution(97, 50) == 1
    assert keras_workarounds.fitting_steps_per_execution(7, 50) == 7


# ----------------------------------------------------------------- saving


def test_keras_round_trip_keeps_weights_optimizers_and_goes_on_training(tmp_path):
    gan = make_gan(loss="hinge", discriminator_steps=2, gradient_penalty=1.0, prior="uniform")
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.RMSprop(5e-4),
    )
    data = ring_data(512)
    gan.fit(data, epochs=1, batch_size=128, shuffle=False, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)

    assert isinstance(loaded, tfgan.GAN)
    assert loaded.objective.name == "hinge" and loaded.discriminator_steps == 2
    assert [(type(p).__name__, p.weight) for p in loaded.penalties] == [("GradientPenalty", 1.0)]
    assert loaded.prior.name == "uniform"
    for a, b in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert isinstance(loaded.discriminator_optimizer, keras.optimizers.RMSprop)
    for a, b in zip(
        gan.generator_optimizer.variables + gan.discriminator_optimizer.variables,
        loaded.generator_optimizer.variables + loaded.discriminator_optimizer.variables,
        strict=True,
    ):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(loaded.discriminator_optimizer.iterations) == 8
    np.testing.assert_array_equal(gan.generate(10, seed=1), loaded.generate(10, seed=1))

    # Both go on from the same state: the same noise, the same updates.
    gan.fit(data, epochs=1, batch_size=128, shuffle=False, verbose=0)
    loaded.fit(data, epochs=1, batch_size=128, shuffle=False, verbose=0)
    for a, b in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_saving_an_unregistered_objective_says_how_to_fix_it(tmp_path):
    class Mine(tfgan.losses.NonSaturating):
        name = "mine"

    gan = make_gan(loss=Mine())
    with pytest.raises(ValueError, match="register"):
        gan.save(str(tmp_path / "gan.keras"))


# ----------------------------------------------------------------- bad input


def test_bad_arguments_are_caught_before_training():
    generator, discriminator = mlp_gan(4, 2, (8,))
    cases = [
        (dict(loss="nope"), "loss='nope'.*non_saturating"),
        (dict(prior="cauchy"), "prior='cauchy'.*normal"),
        (dict(discriminator_steps=0), "discriminator_steps"),
        (dict(gradient_penalty=-1.0), "gradient_penalty"),
        (dict(clip_weights=0.0), "clip_weights"),
        (dict(latent_dim=7), "latent_dim=7"),
        (dict(latent_dim=0), "latent_dim"),
    ]
    for kwargs, message in cases:
        kwargs = {"latent_dim": 4, **kwargs}
        with pytest.raises(ValueError, match=message):
            tfgan.GAN(generator, discriminator, **kwargs)


def test_generator_output_that_does_not_fit_the_discriminator():
    with pytest.raises(ValueError, match=r"discriminator cannot take the generator's samples"):
        tfgan.GAN(mlp(4, 3, (8,)), mlp(2, 1, (8,)), latent_dim=4)


def test_discriminator_must_return_one_logit_per_example():
    with pytest.raises(ValueError, match=r"one logit per example.*\(10,\)"):
        tfgan.GAN(mlp(4, 2, (8,)), mlp(2, 10, (8,)), latent_dim=4)
    sigmoid = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="sigmoid"):
        tfgan.GAN(mlp(4, 2, (8,)), sigmoid, latent_dim=4)


def test_data_that_does_not_fit_and_fit_before_compile():
    gan = make_gan()
    with pytest.raises(ValueError, match="compile"):
        gan.fit(ring_data(64), batch_size=32)
    gan.compile()
    with pytest.raises(ValueError, match=r"x holds examples of shape \(3,\).*\(2,\)"):
        gan.fit(np.zeros((64, 3), np.float32), batch_size=32)
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((64, 2, 2), np.float32)).batch(8)
    with pytest.raises(ValueError, match=r"x holds examples of shape \(2, 2\)"):
        gan.fit(dataset)
    k3 = make_gan(discriminator_steps=3)
    k3.compile()
    with pytest.raises(ValueError, match="batch_size=2 is smaller than discriminator_steps=3"):
        k3.fit(ring_data(64), batch_size=2)
    assert int(k3.discriminator_optimizer.iterations) == 0


def test_one_optimizer_for_both_networks_is_refused():
    gan = make_gan()
    adam = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two instances"):
        gan.compile(generator_optimizer=adam, discriminator_optimizer=adam)
