"""tfgan_lite.losses against independent references written from the papers' formulas.

Each objective is a triple of per-example terms ``(a, b, c)``: the discriminator loss is
``E_real[a(l)] + E_fake[b(l)]`` and the generator loss ``E_fake[c(l)]``. The terms are
written literally from the math (``D = 1 / (1 + exp(-l))``, ``f*`` applied to ``g_f(v)``
as in Nowozin et al. 2016, Table 2), never from the package, and evaluated by one of two
backends:

* ``F64``: NumPy float64, used where the literal formulas are well conditioned (|l| <= 12);
* ``HP``: Python ``decimal`` at 100 significant digits. The literal compositions cancel
  catastrophically at large logits in float64 (e.g. ``1 - D`` at ``l = 100`` is 3.7e-44,
  ``2 - exp(log 2 - 4e-44)`` for Jensen-Shannon), so at extreme logits the same literal
  formulas are evaluated with enough digits and then rounded to float64.
"""

import decimal
import math
from decimal import Decimal

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import losses

# ---------------------------------------------------------------- reference backends


class F64:
    """float64 NumPy arithmetic, elementwise on arrays."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)

    @staticmethod
    def relu(x):
        return np.maximum(x, 0.0)


class HP:
    """100-digit decimal arithmetic, one number at a time."""

    @staticmethod
    def exp(x):
        return Decimal(x).exp()

    @staticmethod
    def log(x):
        return Decimal(x).ln()

    @staticmethod
    def sqrt(x):
        return Decimal(x).sqrt()

    @staticmethod
    def tanh(x):
        e = (2 * Decimal(x)).exp()
        return (e - 1) / (e + 1)

    @staticmethod
    def relu(x):
        return max(Decimal(x), Decimal(0))


def sigmoid(m, logit):
    return 1 / (1 + m.exp(-logit))


# f-GAN, Nowozin et al. 2016, Table 2: output activation g_f(v) and conjugate f*(t).
FGAN_TABLE = {
    "kl": (lambda m, v: v, lambda m, t: m.exp(t - 1)),
    "reverse_kl": (lambda m, v: -m.exp(-v), lambda m, t: -1 - m.log(-t)),
    "pearson": (lambda m, v: v, lambda m, t: t * t / 4 + t),
    "neyman": (lambda m, v: 1 - m.exp(-v), lambda m, t: 2 - 2 * m.sqrt(1 - t)),
    "squared_hellinger": (lambda m, v: 1 - m.exp(-v), lambda m, t: t / (1 - t)),
    "jensen_shannon": (
        lambda m, v: m.log(2) - m.log(1 + m.exp(-v)),
        lambda m, t: -m.log(2 - m.exp(t)),
    ),
    "gan": (lambda m, v: -m.log(1 + m.exp(-v)), lambda m, t: -m.log(1 - m.exp(t))),
    "total_variation": (lambda m, v: m.tanh(v) / 2, lambda m, t: t),
}


def _fgan_terms(g, f_star):
    return (
        lambda m, v: -g(m, v),  # critic loss = -(E_real[g(v)] - E_fake[f*(g(v))])
        lambda m, v: f_star(m, g(m, v)),
        lambda m, v: -g(m, v),  # generator loss = -E_fake[g(v)]
    )


# Discriminator: -E[log D(x_real)] - E[log(1 - D(fake))].
# (u is a logit.)
def _bce_real(m, u):
    return -m.log(sigmoid(m, u))


def _bce_fake(m, u):
    return -m.log(1 - sigmoid(m, u))


REFERENCE = {
    "minimax": (_bce_real, _bce_fake, lambda m, u: m.log(1 - sigmoid(m, u))),
    "non_saturating": (_bce_real, _bce_fake, lambda m, u: -m.log(sigmoid(m, u))),
    "maximum_likelihood": (_bce_real, _bce_fake, lambda m, u: -m.exp(u) / 2),
    "wasserstein": (lambda m, u: -u, lambda m, u: u, lambda m, u: -u),
    "least_squares": (
        lambda m, u: (u - 1) ** 2 / 2,
        lambda m, u: u**2 / 2,
        lambda m, u: (u - 1) ** 2 / 2,
    ),
    "hinge": (lambda m, u: m.relu(1 - u), lambda m, u: m.relu(1 + u), lambda m, u: -u),
    **{f"fgan_{name}": _fgan_terms(*pair) for name, pair in FGAN_TABLE.items()},
}
NAMES = sorted(REFERENCE)

# Loss parts whose formula holds an exponential of the logit: compared with the
# reference only where its exponent stays <= 50 (losses.safe_exp is linear beyond).
EXPONENTIAL = {
    ("maximum_likelihood", "generator"),
    ("fgan_kl", "discriminator"),
    ("fgan_reverse_kl", "discriminator"),
    ("fgan_reverse_kl", "generator"),
    ("fgan_neyman", "discriminator"),
    ("fgan_neyman", "generator"),
    ("fgan_squared_hellinger", "discriminator"),
    ("fgan_squared_hellinger", "generator"),
}
PARTS = [(name, part) for name in NAMES for part in ("discriminator", "generator")]

# Logits exactly representable in float32, so both sides see the same numbers.
EXTREME_REAL = np.array([-100, -30, -7.5, -1, -0.25, 0, 0.5, 2, 9, 100], np.float32)
EXTREME_FAKE = np.array([100, 35, 4, 1.25, 0, -0.5, -3, -12, -40, -100], np.float32)
# Every exponent stays <= 50 here (the largest is exp(48)).
MODERATE_REAL = np.array([-48, -20, -7.5, -1, -0.25, 0, 0.5, 2, 9, 48], np.float32)
MODERATE_FAKE = np.array([48, 35, 4, 1.25, 0, -0.5, -3, -12, -40, -48], np.float32)
# Small enough for the literal formulas in float64.
SMALL_REAL = np.array([-9, -2.5, -1, -0.25, 0, 0.5, 2, 9], np.float32)
SMALL_FAKE = np.array([7, 3, 1.25, 0, -0.5, -3, -6, -11], np.float32)

LOGIT_SETS = {
    "extreme": (EXTREME_REAL, EXTREME_FAKE),
    "moderate": (MODERATE_REAL, MODERATE_FAKE),
}


def _mean_hp(term, x):
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        values = [term(HP, Decimal(float(v))) for v in x]
        return float(sum(values) / len(values))


def _mean_f64(term, x):
    return float(np.mean(term(F64, np.asarray(x, np.float64))))


def reference(name, part, real, fake, mean=_mean_hp):
    a, b, c = REFERENCE[name]
    if part == "discriminator":
        return mean(a, real) + mean(b, fake)
    return mean(c, fake)


def reference_gradients(name, part, real, fake):
    """d loss / d logits by central differences of the 100-digit reference."""
    a, b, c = REFERENCE[name]
    h = Decimal("1e-30")

    def derivative(term, x):
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            out = []
            for v in x:
                v = Decimal(float(v))
                out.append(float((term(HP, v + h) - term(HP, v - h)) / (2 * h) / len(x)))
            return np.array(out)

    if part == "discriminator":
        return derivative(a, real), derivative(b, fake)
    return np.zeros(len(real)), derivative(c, fake)


def package_loss(name, part, real, fake):
    objective = losses.get(name)
    if part == "discriminator":
        return objective.discriminator_loss(real, fake)
    return objective.generator_loss(fake)


def package_value_and_gradients(name, part, real, fake):
    real, fake = tf.constant(real), tf.constant(fake)
    with tf.GradientTape() as tape:
        tape.watch([real, fake])
        loss = package_loss(name, part, real, fake)
    grad_real, grad_fake = tape.gradient(loss, [real, fake])
    grad_real = np.zeros(real.shape) if grad_real is None else grad_real.numpy()
    return float(loss), grad_real, grad_fake.numpy()


# ---------------------------------------------------------------- values and gradients


@pytest.mark.parametrize(
    "dtype", [tf.float32, tf.float16, tf.bfloat16, tf.float64], ids=lambda d: d.name
)
@pytest.mark.parametrize("name,part", PARTS)
def test_matches_float64_reference_at_small_logits_whatever_the_logit_dtype(name, part, dtype):
    # SMALL_* are exact in every dtype here, so each sees the same numbers; the loss is
    # float32, and as accurate as from float32 logits (no arithmetic in float16).
    real, fake = tf.cast(SMALL_REAL, dtype), tf.cast(SMALL_FAKE, dtype)
    np.testing.assert_array_equal(tf.cast(real, tf.float32), SMALL_REAL)
    np.testing.assert_array_equal(tf.cast(fake, tf.float32), SMALL_FAKE)
    expected = reference(name, part, SMALL_REAL, SMALL_FAKE, mean=_mean_f64)
    value = package_loss(name, part, real, fake)
    assert value.dtype == tf.float32 and value.shape == ()
    np.testing.assert_allclose(float(value), expected, rtol=1e-5, atol=1e-6)


# At extreme logits the exponential parts only need to be finite (next test).
@pytest.mark.parametrize(
    "name,part,logits",
    [(n, p, "moderate") for n, p in PARTS]
    + [(n, p, "extreme") for n, p in PARTS if (n, p) not in EXPONENTIAL],
)
def test_matches_reference_value_and_gradient(name, part, logits):
    real, fake = LOGIT_SETS[logits]
    value, grad_real, grad_fake = package_value_and_gradients(name, part, real, fake)
    np.testing.assert_allclose(value, reference(name, part, real, fake), rtol=1e-5, atol=1e-5)
    ref_real, ref_fake = reference_gradients(name, part, real, fake)
    np.testing.assert_allclose(grad_real, ref_real, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(grad_fake, ref_fake, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name,part", PARTS)
def test_finite_value_and_gradient_at_extreme_logits(name, part):
    for real, fake in [
        (EXTREME_REAL, EXTREME_FAKE),
        (np.full(4, 100.0, np.float32), np.full(4, 100.0, np.float32)),
        (np.full(4, -100.0, np.float32), np.full(4, -100.0, np.float32)),
    ]:
        value, grad_real, grad_fake = package_value_and_gradients(name, part, real, fake)
        assert np.isfinite(value), (name, part, real[0])
        assert np.all(np.isfinite(grad_real)), (name, part, real[0], grad_real)
        assert np.all(np.isfinite(grad_fake)), (name, part, fake[0], grad_fake)


@pytest.mark.parametrize("name,part", PARTS)
def test_batch_and_batch_by_one_shapes_agree(name, part):
    flat = package_loss(name, part, EXTREME_REAL, EXTREME_FAKE)
    column = package_loss(name, part, EXTREME_REAL[:, None], EXTREME_FAKE[:, None])
    assert column.shape == ()
    np.testing.assert_allclose(float(column), float(flat), rtol=1e-6)


def test_safe_exp_is_exp_up_to_the_limit_and_its_tangent_beyond():
    assert losses.EXP_LIMIT == 50.0
    x = np.array([-100, -10, 0, 10, 49.5, 50, 50.5, 60, 100], np.float64)
    expected = np.where(x <= 50, np.exp(np.minimum(x, 50)), math.exp(50) * (1 + x - 50))
    xt = tf.constant(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = losses.safe_exp(xt)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-37)  # float32 flushes 4e-44
    grad = tape.gradient(y, xt).numpy()
    off_kink = x != 50
    np.testing.assert_allclose(
        grad[off_kink], np.exp(np.minimum(x, 50))[off_kink], rtol=1e-5, atol=1e-30
    )


# ---------------------------------------------------------------- identities from the literature


def test_gan_divergence_critic_is_the_minimax_discriminator():
    real, fake = EXTREME_REAL, EXTREME_FAKE
    gan = losses.FGAN("gan").discriminator_loss(real, fake)
    minimax = losses.get("minimax").discriminator_loss(real, fake)
    np.testing.assert_allclose(float(gan), float(minimax), rtol=1e-6)


def test_jensen_shannon_critic_is_the_minimax_discriminator_minus_log4():
    real, fake = EXTREME_REAL, EXTREME_FAKE
    js = losses.FGAN("jensen_shannon").discriminator_loss(real, fake)
    minimax = losses.get("minimax").discriminator_loss(real, fake)
    np.testing.assert_allclose(float(js), float(minimax) - math.log(4.0), rtol=1e-6)


def test_minimax_generator_saturates_when_the_discriminator_wins():
    # Goodfellow et al. 2014, section 3: with D(G(z)) ~ 0, log(1 - D(G(z))) saturates.
    n, logit = 64, -10.0
    fake = tf.fill([n], logit)
    grads = {}
    for name in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            tape.watch(fake)
            loss = losses.get(name).generator_loss(fake)
        grads[name] = tape.gradient(loss, fake).numpy()
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l)).
    sig = 1.0 / (1.0 + math.exp(-logit))
    np.testing.assert_allclose(grads["minimax"], np.full(n, -sig / n), rtol=1e-5)
    np.testing.assert_allclose(grads["non_saturating"], np.full(n, -(1 - sig) / n), rtol=1e-5)
    ratio = np.linalg.norm(grads["minimax"]) / np.linalg.norm(grads["non_saturating"])
    assert ratio < 1e-3
    np.testing.assert_allclose(ratio, math.exp(logit), rtol=1e-4)


# ---------------------------------------------------------------- registry


def test_names_are_the_documented_objectives():
    # The relativistic objectives' references are in test_relativistic.py. The library's
    # names come first; objectives a user registered with Keras follow (docs/training.md's
    # soft_hinge does, when its page ran earlier in this worker).
    documented = set(NAMES) | {"relativistic", "relativistic_average"}
    assert set(losses.names()[: len(documented)]) == documented
    assert set(losses.DIVERGENCES) == set(FGAN_TABLE)


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_each_objective_by_name(name):
    objective = losses.get(name)
    assert isinstance(objective, losses.Objective)
    assert objective.name == name
    assert name in repr(objective)
    assert losses.get(objective) is objective


@pytest.mark.parametrize("divergence", sorted(FGAN_TABLE))
def test_fgan_class_equals_registry_entry(divergence):
    direct = losses.FGAN(divergence)
    assert direct.name == f"fgan_{divergence}"
    assert direct.divergence == divergence
    by_name = losses.get(f"fgan_{divergence}")
    np.testing.assert_allclose(
        float(direct.discriminator_loss(SMALL_REAL, SMALL_FAKE)),
        float(by_name.discriminator_loss(SMALL_REAL, SMALL_FAKE)),
    )


@pytest.mark.parametrize("bad", ["nope", "Minimax", "", 3, None, losses.Minimax])
def test_unknown_objective_is_a_value_error_listing_valid_names(bad):
    with pytest.raises(ValueError) as info:
        losses.get(bad)
    message = str(info.value)
    assert "loss=" in message
    for name in NAMES:
        assert name in message


def test_unknown_divergence_is_a_value_error_listing_divergences():
    with pytest.raises(ValueError) as info:
        losses.FGAN("nope")
    message = str(info.value)
    assert "nope" in message and "divergence" in message
    for name in FGAN_TABLE:
        assert name in message


def test_a_user_objective_registered_with_keras_is_found_by_name_and_saved():
    @keras.saving.register_keras_serializable(package="test_losses")
    class Doubled(losses.Objective):
        name = "test_doubled_wasserstein"

        def discriminator_loss(self, real_logits, fake_logits):
            return 2.0 * tf.reduce_mean(fake_logits) - 2.0 * tf.reduce_mean(real_logits)

        def generator_loss(self, fake_logits):
            return -2.0 * tf.reduce_mean(fake_logits)

    assert "test_doubled_wasserstein" in losses.names()
    objective = losses.get("test_doubled_wasserstein")
    assert isinstance(objective, Doubled)
    np.testing.assert_allclose(
        float(objective.discriminator_loss(SMALL_REAL, SMALL_FAKE)),
        2 * (SMALL_FAKE.astype(np.float64).mean() - SMALL_REAL.astype(np.float64).mean()),
        rtol=1e-6,
    )
    config = losses.serialize(objective)
    assert config["registered_name"] == "test_losses>Doubled"
    assert isinstance(losses.get(config), Doubled)


def test_an_unregistered_objective_is_refused_at_save_with_the_fix():
    class Unsaved(losses.Objective):
        name = "test_unsaved"

    with pytest.raises(ValueError, match="register_keras_serializable"):
        losses.serialize(Unsaved())


def test_tfgan_functional_losses_trace_and_pass_gradients_to_their_inputs():
    """mutual_information_penalty and cycle_consistency_loss (TF-GAN's names, from
    tfgan_lite.tfgan_losses) run inside tf.function and differentiate to Q's logits and
    means and to the reconstructions; their values are checked in
    tests/test_tfgan_loss_vectors.py."""
    import tensorflow_probability as tfp

    from tfgan_lite import tfgan_losses

    assert losses.mutual_information_penalty is tfgan_losses.mutual_information_penalty
    assert losses.cycle_consistency_loss is tfgan_losses.cycle_consistency_loss
    logits = tf.Variable([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    means = tf.Variable([[0.1, -0.2], [0.3, 0.4]])
    reconstructed = tf.Variable([[0.5, 1.5], [2.5, -0.5]])

    @tf.function
    def both():
        penalty = losses.mutual_information_penalty(
            [tf.constant([2, 0]), tf.constant([[0.0, 0.5], [1.0, -1.0]])],
            [
                tfp.distributions.Categorical(logits=logits),
                tfp.distributions.Normal(means, 1.0),
            ],
            weights=2.0,
        )
        cycle = losses.cycle_consistency_loss(
            tf.zeros([2, 2]), reconstructed, tf.ones([3]), tf.ones([3]), scalar=4.0
        )
        return penalty, cycle

    with tf.GradientTape() as tape:
        penalty, cycle = both()
    grads = tape.gradient([penalty, cycle], [logits, means, reconstructed])
    assert all(g is not None and np.all(np.isfinite(g)) for g in grads)
    # d/d recon of 4 * (mean|0 - r| + 0) / 2 = 2 * sign(r) / 4 per element
    np.testing.assert_allclose(grads[2], 0.5 * np.sign(reconstructed.numpy()), rtol=1e-6)
    # the penalty is -2 * (m_cat + m_cont) / 2 over the two codes, m_cont the mean of
    # log N(c; m, 1) over 4 elements: d/d means = -(c - m) / 4
    codes = np.array([[0.0, 0.5], [1.0, -1.0]])
    np.testing.assert_allclose(grads[1], -0.25 * (codes - means.numpy()), rtol=1e-5, atol=1e-7)
