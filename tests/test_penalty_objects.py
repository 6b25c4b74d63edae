"""Penalties as objects: each against its closed form on a linear critic, a user's own
subclass through fit, evaluate and a .keras file, schedules, laziness, and the same list
taken by every model family."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.penalties import R1, R2, GradientPenalty, Penalty

W = np.array([[0.3], [-1.2], [2.0]], np.float32)  # |W| = 2.351...


def linear_critic(x):
    """D(x) = x . W + 1: the gradient is W at every x."""
    return tf.matmul(tf.convert_to_tensor(x, tf.float32), W) + 1.0


def batches(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(16, 3)).astype(np.float32), rng.normal(size=(16, 3)).astype(np.float32)


@pytest.mark.parametrize("target", [1.0, 3.0])
@pytest.mark.parametrize("one_sided", [False, True])
def test_gradient_penalty_against_its_closed_form(target, one_sided):
    real, fake = batches()
    norm = float(np.linalg.norm(W))
    gap = norm - target
    expected = max(gap, 0.0) ** 2 if one_sided else gap**2
    penalty = GradientPenalty(10.0, target=target, one_sided=one_sided)
    value = float(penalty.compute(linear_critic, real, fake, tf.constant([1, 2])))
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7)
    # The function form gives the weighted term.
    weighted = tfgan.penalties.gradient_penalty(
        linear_critic, real, fake, tf.constant([1, 2]), 10.0, target, one_sided
    )
    np.testing.assert_allclose(float(weighted), 10.0 * expected, rtol=1e-5, atol=1e-6)


def test_r1_and_r2_are_half_the_squared_gradient_norm_on_their_batch():
    real, fake = batches()

    def quadratic(x):  # D(x) = sum(x^2): grad 2x, so 0.5 * E|grad|^2 = 2 E|x|^2
        return tf.reduce_sum(tf.square(x), axis=1, keepdims=True)

    on_real = 2 * np.mean(np.sum(real.astype(np.float64) ** 2, 1))
    on_fake = 2 * np.mean(np.sum(fake.astype(np.float64) ** 2, 1))
    np.testing.assert_allclose(float(R1(5.0).compute(quadratic, real, fake, None)), on_real, 1e-5)
    np.testing.assert_allclose(float(R2(5.0).compute(quadratic, real, fake, None)), on_fake, 1e-5)
    assert R1(5.0).gamma == 5.0 and R1().augmented_as == "real" and R2().augmented_as == "fake"


def test_a_schedule_weights_the_penalty_by_the_discriminator_step():
    schedule = keras.optimizers.schedules.PolynomialDecay(4.0, 10, 0.0)
    penalty = R1(schedule)
    assert float(penalty.weight_at(0)) == pytest.approx(4.0)
    assert float(penalty.weight_at(5)) == pytest.approx(2.0)
    restored = R1.from_config(penalty.get_config())
    assert float(restored.weight_at(5)) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"weight": -1.0}, "weight must be a number >= 0 or a keras"),
        ({"weight": "1"}, "weight must be a number >= 0"),
        ({"every": 0}, "every"),
        ({"target": 0.0}, "target must be a number > 0"),
    ],
)
def test_bad_penalty_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GradientPenalty(**kwargs)


@keras.saving.register_keras_serializable(package="test_penalty_objects")
class Drift(Penalty):
    """ProGAN's drift term, as the issue writes it."""

    def __init__(self, weight=1e-3, **kwargs):
        super().__init__(weight=weight, name="drift", **kwargs)

    def compute(self, critic, real, fake, seed):
        return tf.reduce_mean(tf.square(critic(real)))


def linear_gan(**kwargs):
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    discriminator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    return tfgan.GAN(generator, discriminator, latent_dim=2, seed=0, **kwargs)


def test_a_users_penalty_is_logged_part_of_d_loss_and_saved(tmp_path):
    x = np.random.default_rng(1).normal(size=(64, 3)).astype(np.float32)
    plain, drifted = linear_gan(), linear_gan(penalties=[Drift(0.5)])
    logs = {}
    for name, gan in (("plain", plain), ("drift", drifted)):
        gan.compile()
        logs[name] = gan.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    logits = drifted.discriminator(x).numpy().astype(np.float64)
    expected = 0.5 * np.mean(logits**2)
    np.testing.assert_allclose(logs["drift"]["drift"], expected, rtol=1e-5)
    np.testing.assert_allclose(logs["drift"]["d_loss"], logs["plain"]["d_loss"] + expected, 1e-5)
    history = drifted.fit(x, batch_size=16, epochs=1, verbose=0).history
    assert history["drift"][-1] > 0
    drifted.save(tmp_path / "drift.keras")
    loaded = keras.models.load_model(tmp_path / "drift.keras")
    assert [(type(p), p.name, p.weight) for p in loaded.penalties] == [(Drift, "drift", 0.5)]
    again = loaded.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    before = drifted.evaluate(x, batch_size=64, verbose=0, return_dict=True)
    np.testing.assert_allclose(again["drift"], before["drift"], rtol=1e-6)


def test_the_flat_keywords_and_the_objects_are_one_code_path():
    x = np.random.default_rng(2).normal(size=(64, 3)).astype(np.float32)
    results = []
    for kwargs in (
        {"gradient_penalty": 2.0, "r1_penalty": 3.0, "r2_penalty": 0.5, "penalty_every": 2},
        {"penalties": [GradientPenalty(2.0), R1(3.0, every=2), R2(0.5, every=2)]},
    ):
        gan = linear_gan(**kwargs)
        gan.compile(steps_per_execution=1)
        history = gan.fit(x, batch_size=16, epochs=1, verbose=0).history
        results.append((history, [np.asarray(w) for w in gan.weights]))
    (keywords, weights), (objects, same) = results
    assert keywords == objects
    for a, b in zip(weights, same, strict=True):
        np.testing.assert_array_equal(a, b)


def test_refused_lists_name_the_fix():
    with pytest.raises(ValueError, match="two penalties are named 'r1_penalty'"):
        linear_gan(r1_penalty=1.0, penalties=[R1(2.0)])
    with pytest.raises(ValueError, match="not a tfgan_lite.penalties.Penalty"):
        linear_gan(penalties=[lambda critic, real, fake, seed: 0.0])

    class Unregistered(Penalty):
        def compute(self, critic, real, fake, seed):
            return tf.zeros([])

    gan = linear_gan(penalties=[Unregistered()])
    with pytest.raises(ValueError, match="register_keras_serializable"):
        gan.get_config()


def image_pair():
    generator = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Conv2D(1, 3, padding="same", activation="tanh")]
    )
    discriminator = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    return generator, discriminator


def family(name, penalties):
    """A small model of each family, and what its fit takes."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x2 = rng.uniform(-1, 1, (32, 2)).astype(np.float32)
    labels = rng.integers(0, 4, 32).astype(np.int32)
    images = rng.uniform(-1, 1, (32, 8, 8, 1)).astype(np.float32)
    net = tfgan.networks
    if name == "ConditionalGAN":
        g, d = net.conditional_mlp_gan(4, 2, 4, hidden=(8,))
        return tfgan.ConditionalGAN(g, d, 4, 4, penalties=penalties), (x2, labels)
    if name == "ACGAN":
        g, d = net.conditional_mlp_gan(4, 2, 4, hidden=(8,), acgan=True)
        return tfgan.ACGAN(g, d, 4, 4, penalties=penalties), (x2, labels)
    if name == "InfoGAN":
        g, d = net.infogan_mlp(4, 2, categorical_codes=[3], hidden=(8,))
        return tfgan.InfoGAN(g, d, 4, categorical_codes=[3], penalties=penalties), (x2, None)
    if name == "SemiSupervisedGAN":
        g, c = net.semi_supervised_mlp(4, 2, 4, hidden=(8,))
        semi = np.where(np.arange(32) % 2 == 0, labels, -1)
        return tfgan.SemiSupervisedGAN(g, c, 4, 4, penalties=penalties), (x2, semi)
    if name == "UnrolledGAN":
        g, d = net.mlp_gan(4, 2, (8,))
        return tfgan.UnrolledGAN(g, d, 4, unroll_steps=1, penalties=penalties), (x2, None)
    if name == "Pix2Pix":
        g, _ = image_pair()
        source, image = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
        pair = keras.layers.Concatenate()([source, image])
        d = keras.Model([source, image], keras.layers.Conv2D(1, 3, padding="same")(pair))
        return tfgan.Pix2Pix(g, d, penalties=penalties), (images, images[::-1])
    if name == "CycleGAN":
        (g, d), (f, e) = image_pair(), image_pair()
        return tfgan.CycleGAN(g, f, e, d, penalties=penalties), (images, images[::-1])
    g, d = net.mlp_gan(4, 2, (8,))
    return tfgan.GAN(g, d, 4, penalties=penalties), (x2, None)


FAMILIES = [
    "GAN",
    "ConditionalGAN",
    "ACGAN",
    "InfoGAN",
    "SemiSupervisedGAN",
    "UnrolledGAN",
    "Pix2Pix",
    "CycleGAN",
]


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_takes_the_same_list(name):
    model, (x, y) = family(name, [R1(1.0, every=2), Drift(0.1)])
    assert [p.name for p in model.penalties] == ["r1_penalty", "drift"]
    model.compile(steps_per_execution=1)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history
    assert history["r1_penalty"][-1] > 0 and history["drift"][-1] > 0
    config = model.get_config()
    assert [c["class_name"] for c in config["penalties"]] == ["R1", "Drift"]
