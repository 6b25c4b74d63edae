"""TF-GAN's own test vectors for its losses, run against tfgan_lite.

Source: tensorflow/gan (TF-GAN 2.x), ``tensorflow_gan/python/losses/losses_impl_test.py``,
the classes ``LeastSquaresLossTest``, ``ModifiedLossTest``, ``MinimaxLossTest``,
``WassersteinLossTest``, ``HingeWassersteinLossTest`` (all through ``_LossesTest``:
``test_generator_all_correct``, ``test_discriminator_all_correct``, ``test_*_patch``, the
``(None, 4)`` shape of ``test_*_loss_with_placeholder_for_logits``,
``test_*_with_python_scalar_weight`` and ``test_*_with_scalar_tensor_weight``),
``ACGANLossTest`` (the same cases), ``GradientPenaltyTest`` (``_PenaltyTest.test_all_correct``
and the weighted cases, ``test_loss_using_one_sided_mode``,
``test_loss_with_gradient_norm_target``), ``MutualInformationPenaltyTest`` (``_PenaltyTest``)
and ``CycleConsistencyLossTest.test_correct_loss``; and
``tensorflow_gan/python/losses/tuple_losses_test.py``,
``CycleConsistencyLossTest.test_correct_loss``. The inputs and expected numbers are
transcribed (TF-GAN is not imported: it does not import on TensorFlow 2.16 and later), and
so are the tolerances: ``assertAlmostEqual(a, b, places)`` is ``round(a - b, places) == 0``
and ``assertNear(a, b, err)`` is ``|a - b| <= err``.

Where tfgan_lite's convention differs, the test names the argument that gives TF-GAN's
number: the discriminator's ``label_smoothing`` s (TF-GAN's default 0.25) is s / 2 here;
TF-GAN's minimax generator loss is ours minus softplus(-1); its gradient penalty with
``target=t`` and weight w is ``GradientPenalty(weight=w / t**2, target=t)``; its scalar
``weights`` on a loss is a factor on our batch mean (objectives take no weights); its
mutual-information penalty averages what ``InfoGAN`` sums, and its cycle-consistency loss
averages what ``CycleGAN`` sums (the mappings are checked through the models).

Not transcribed: the ``reduction=NONE`` shapes (an objective returns the batch mean),
loss collections, summaries and variable scopes (TF1 graph machinery), and
``CombineAdversarialLossTest`` (``combine_adversarial_loss`` is not provided: it takes
gradients of finished loss tensors, which eager TensorFlow cannot; its ``weight_factor``
form is ``main_loss + weight_factor * adversarial_loss``, Pix2Pix's ``l1_weight`` up to
the overall scale).
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

import tfgan_lite as tfgan
from tfgan_lite import losses
from tfgan_lite.models.acgan import class_cross_entropy
from tfgan_lite.networks import conditional_mlp_gan, infogan_mlp
from tfgan_lite.penalties import GradientPenalty

tfd = tfp.distributions


def assert_almost_equal(expected, got, places):
    """unittest's ``assertAlmostEqual(expected, got, places)``."""
    got = float(got)
    assert round(abs(expected - got), places) == 0, f"{got} != {expected} to {places} places"


def assert_near(expected, got, err):
    """tf.test's ``assertNear(expected, got, err)``."""
    got = float(got)
    assert abs(expected - got) <= err, f"{got} != {expected} within {err}"


SOFTPLUS_MINUS_1 = math.log1p(math.exp(-1.0))  # 0.313262: the real term TF-GAN's G adds

# _LossesTest.init_constants
REAL = [-5.0, 1.4, 12.5, 2.7]
GENERATED = [10.0, 4.4, -5.5, 3.6]
WEIGHT = 2.3

# name: (tfgan_lite objective, its offset from TF-GAN's generator loss, expected G, expected D)
ADVERSARIAL = {
    # LeastSquaresLossTest
    "least_squares": (losses.get("least_squares"), 0.0, 17.69625, 41.73375),
    # ModifiedLossTest: TF-GAN's modified_discriminator_loss smooths by its default 0.25
    "modified": (losses.get("non_saturating", label_smoothing=0.125), 0.0, 1.38582, 6.19637),
    # MinimaxLossTest: TF-GAN's generator loss is ours minus softplus(-1)
    "minimax": (losses.get("minimax", label_smoothing=0.125), -SOFTPLUS_MINUS_1, -4.82408, 6.19637),
    # WassersteinLossTest
    "wasserstein": (losses.get("wasserstein"), 0.0, -3.12500, 0.22500),
    # HingeWassersteinLossTest
    "hinge": (losses.get("hinge"), 0.0, -3.12500, 6.7500),
}
# test_*_all_correct, test_*_patch, test_*_with_placeholder_for_logits
SHAPES = [(4,), (2, 2), (1, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_losses_give_tfgan_numbers(name, shape):
    objective, offset, expected_g, expected_d = ADVERSARIAL[name]
    real = tf.reshape(tf.constant(REAL), shape)
    generated = tf.reshape(tf.constant(GENERATED), shape)
    g_loss = objective.generator_loss(generated) + offset
    d_loss = objective.discriminator_loss(real, generated)
    assert g_loss.dtype == d_loss.dtype == tf.float32
    assert_almost_equal(expected_g, g_loss, 5)
    assert_almost_equal(expected_d, d_loss, 5)
    # test_*_with_python_scalar_weight, test_*_with_scalar_tensor_weight: a scalar weight
    # is a factor on the loss here (TF-GAN: weights=2.3, real_weights=generated_weights=2.3)
    for weight in (WEIGHT, tf.constant(WEIGHT)):
        assert_almost_equal(expected_g * WEIGHT, weight * g_loss, 4)
        assert_almost_equal(expected_d * WEIGHT, weight * d_loss, 4)


def test_the_conventions_differ_by_what_the_docstrings_say():
    unsmoothed = losses.get("non_saturating").discriminator_loss(REAL, GENERATED)
    assert float(unsmoothed) == pytest.approx(5.83387, abs=1e-5)  # not TF-GAN's 6.19637
    minimax = losses.get("minimax").generator_loss(GENERATED)
    assert float(minimax) == pytest.approx(-4.82408 + SOFTPLUS_MINUS_1, abs=1e-5)
    assert "softplus(-1)" in losses.Minimax.__doc__


# ---------------------------------------------------------------- ACGANLossTest

ACGAN_GENERATED = [
    [10.0, 4.4, -5.5, 3.6],
    [-4.0, 4.4, 5.2, 4.6],
    [1.1, 2.4, -3.5, 5.6],
    [1.1, 2.4, -3.5, 5.6],
]
ACGAN_REAL = [
    [-2.0, 0.4, 12.5, 2.7],
    [-1.2, 1.9, 12.3, 2.6],
    [-2.4, -1.7, 2.5, 2.7],
    [1.1, 2.4, -3.5, 5.6],
]
ONE_HOT = [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0]]
LABELS = np.argmax(ONE_HOT, -1).astype(np.int32)  # ACGAN takes int labels
ACGAN_G, ACGAN_D = 3.84974, 9.43950


@pytest.mark.parametrize("shape", [(4, 4), (2, 2, 4)], ids=str)  # all_correct, patch
def test_acgan_class_terms_give_tfgan_numbers(shape):
    labels = LABELS.reshape(shape[:-1])
    generated = tf.reshape(tf.constant(ACGAN_GENERATED), shape)
    real = tf.reshape(tf.constant(ACGAN_REAL), shape)
    assert_almost_equal(ACGAN_G, class_cross_entropy(generated, labels), 5)
    d_loss = class_cross_entropy(real, labels) + class_cross_entropy(generated, labels)
    assert_almost_equal(ACGAN_D, d_loss, 5)


@pytest.mark.parametrize("weight", [1.0, WEIGHT])
def test_acgan_model_terms_are_tfgan_losses_times_its_class_weights(weight):
    """ACGAN's class_weight_real = class_weight_fake = w is TF-GAN's real_weights =
    generated_weights = w (or gan_loss's aux_cond_discriminator_weight), and
    class_weight_generator = w its weights (aux_cond_generator_weight)."""
    keras.utils.set_random_seed(0)
    networks = conditional_mlp_gan(4, 3, 4, (8,), acgan=True)
    gan = tfgan.ACGAN(
        *networks,
        num_classes=4,
        latent_dim=4,
        loss="wasserstein",  # on zero logits both its losses are 0: the class terms remain
        class_weight_real=weight,
        class_weight_fake=weight,
        class_weight_generator=weight,
        seed=0,
    )
    zero = tf.zeros([4, 1])
    real = {"logits": zero, "classes": tf.constant(ACGAN_REAL)}
    fake = {"logits": zero, "classes": tf.constant(ACGAN_GENERATED)}
    d_loss, _ = gan._discriminator_loss(real, fake, tf.constant(LABELS), {})
    g_loss = gan._generator_loss(fake, real, tf.constant(LABELS))
    places = 5 if weight == 1.0 else 4
    assert_almost_equal(ACGAN_D * weight, d_loss, places)
    assert_almost_equal(ACGAN_G * weight, g_loss, places)


# ---------------------------------------------------------------- GradientPenaltyTest

GP_GENERATED = [[3.1, 2.3, -12.3, 32.1]]
GP_REAL = [[-12.3, 23.2, 16.3, -43.2]]


def tfgan_gradient_penalty(penalty):
    """The weighted term the model adds, on TF-GAN's discriminator ``2.0 * inputs`` (its
    gradient is 2 everywhere: the norm is 4 at every interpolate)."""
    value = penalty.compute(
        lambda x: 2.0 * x, tf.constant(GP_REAL), tf.constant(GP_GENERATED), tf.constant([0, 1])
    )
    assert value.dtype == tf.float32
    return penalty.weight_at(0) * value


@pytest.mark.parametrize("one_sided", [False, True])  # test_loss_using_one_sided_mode
def test_gradient_penalty_gives_tfgan_numbers(one_sided):
    assert_almost_equal(9.0, tfgan_gradient_penalty(GradientPenalty(1.0, one_sided=one_sided)), 6)
    weighted = GradientPenalty(WEIGHT, one_sided=one_sided)  # test_python_scalar_weight
    assert_almost_equal(9.0 * WEIGHT, tfgan_gradient_penalty(weighted), 3)


def test_gradient_penalty_target_is_tfgans_with_the_weight_divided_by_target_squared():
    """test_loss_with_gradient_norm_target: TF-GAN's target=2 (weight 1) gives 1.0, that is
    (4 / 2 - 1)^2; here (4 - 2)^2 = 4 with weight 1, and weight 1 / 2**2 gives TF-GAN's."""
    assert_almost_equal(1.0, tfgan_gradient_penalty(GradientPenalty(1.0 / 2**2, target=2.0)), 5)
    assert_almost_equal(4.0, tfgan_gradient_penalty(GradientPenalty(1.0, target=2.0)), 5)
    assert "w / t**2" in GradientPenalty.__doc__


# ---------------------------------------------------------------- MutualInformationPenaltyTest


def mi_vector():
    return [1.0, 2.0], [tfd.Categorical(logits=[1.0, 2.0]), tfd.Normal([0.0], [1.0])]


def test_mutual_information_penalty_gives_tfgan_numbers():
    codes, distributions = mi_vector()
    loss = losses.mutual_information_penalty(codes, distributions)
    assert loss.dtype == tf.float32
    assert_almost_equal(1.61610, loss, 6)  # _PenaltyTest.test_all_correct
    for weight in (2.3, tf.constant(2.3)):  # test_python_scalar_weight, test_scalar_tensor_weight
        weighted = losses.mutual_information_penalty(codes, distributions, weights=weight)
        assert_almost_equal(1.61610 * 2.3, weighted, 3)


def test_mutual_information_penalty_weights_per_code_and_one_hot_codes():
    codes, distributions = mi_vector()
    categorical = -math.log(math.exp(2) / (math.exp(1) + math.exp(2)))  # -log Q at class 1
    continuous = 0.5 * math.log(2 * math.pi) + 2.0  # -log N(2; 0, 1)
    # TF-GAN's reduction: the weighted sum over the codes by the count of nonzero weights
    per_code = losses.mutual_information_penalty(codes, distributions, weights=[3.0, 0.0])
    assert float(per_code) == pytest.approx(3.0 * categorical, rel=1e-6)
    zero = losses.mutual_information_penalty(codes, distributions, weights=0.0)
    assert float(zero) == 0.0
    one_hot = losses.mutual_information_penalty(
        [[[0.0, 1.0]], [2.0]],
        [tfd.OneHotCategorical(logits=[[1.0, 2.0]]), tfd.Normal([0.0], [1.0])],
    )
    assert float(one_hot) == pytest.approx((categorical + continuous) / 2, rel=1e-6)
    with pytest.raises(ValueError, match="one distribution per code"):
        losses.mutual_information_penalty([1.0], distributions)
    with pytest.raises(ValueError, match="log_prob"):
        losses.mutual_information_penalty(codes, [distributions[0], [0.0, 1.0]])


def make_infogan(categorical, continuous, log_variances=False, **weights):
    keras.utils.set_random_seed(0)
    networks = infogan_mlp(2, 2, categorical, continuous, (4,), log_variances)
    return tfgan.InfoGAN(
        *networks,
        latent_dim=2,
        categorical_codes=categorical,
        continuous_codes=continuous,
        seed=0,
        **weights,
    )


def test_infogan_sums_what_tfgan_averages_on_tfgans_vector():
    """One 2-way code at 1 with Q's logits [1, 2], one continuous code at 2 with Q's mean 0:
    InfoGAN's penalty is 2x TF-GAN's with weights 1; info_weight = continuous_weight = 1/2
    (w / n with n = 2 distributions, d = 1) gives TF-GAN's 1.61610."""
    q = tf.constant([[1.0, 2.0, 0.0]])
    codes = {"categorical": tf.constant([[1]]), "continuous": tf.constant([[2.0]])}
    summed = make_infogan([2], 1, info_weight=1.0)._penalty({"q": q}, codes)[0]
    assert float(summed) == pytest.approx(2 * 1.61610, abs=1e-5)
    mapped = make_infogan([2], 1, info_weight=0.5, continuous_weight=0.5)._penalty({"q": q}, codes)
    assert_almost_equal(1.61610, mapped[0], 5)


@pytest.mark.parametrize(
    "categorical, continuous, log_variances",
    [([10], 0, False), ([], 3, False), ([10], 3, False), ([10], 3, True)],
    ids=["one_categorical", "continuous_only", "categorical_and_continuous", "log_variances"],
)
@pytest.mark.parametrize("w", [1.0, 2.3])
def test_infogan_weights_map_onto_tfgans_as_its_docstring_says(
    categorical, continuous, log_variances, w
):
    """The mapping of InfoGAN's docstring, with TF-GAN's usual list of distributions (a
    Categorical per categorical code, one Normal over the d continuous codes, n of them):
    info_weight = w / n, continuous_weight = w / (n * d)."""
    n, d = len(categorical) + bool(continuous), continuous
    weights = {"info_weight": w / n, "continuous_weight": w / (n * d) if d else None}
    gan = make_infogan(categorical, continuous, log_variances, **weights)
    rng = np.random.default_rng(0)
    k = sum(categorical)
    q = rng.normal(size=(16, k + continuous * (1 + log_variances))).astype(np.float32)
    codes = {
        "categorical": rng.integers(0, 10, (16, len(categorical))).astype(np.int32),
        "continuous": rng.uniform(-1, 1, (16, continuous)).astype(np.float32),
    }
    infogan_penalty = gan._penalty({"q": tf.constant(q)}, codes)[0]

    structured, distributions = [], []
    if categorical:
        structured.append(codes["categorical"][:, 0])
        distributions.append(tfd.Categorical(logits=q[:, :k]))
    if continuous:
        mean = q[:, k : k + d]
        log_variance = q[:, k + d :] if log_variances else np.zeros_like(mean)
        structured.append(codes["continuous"])
        distributions.append(tfd.Normal(mean, np.exp(0.5 * log_variance)))
    tfgan_penalty = losses.mutual_information_penalty(structured, distributions, weights=w)
    np.testing.assert_allclose(float(infogan_penalty), float(tfgan_penalty), rtol=1e-5)


# ---------------------------------------------------------------- CycleConsistencyLossTest


CYCLE_VECTOR = ([[1.0, 2, 3], [4, 5, 6]], [[7.0, 8, 9], [10, 11, 12]], [1.0, 9], [-2.0, 3])


def test_cycle_consistency_loss_gives_tfgan_numbers():
    # losses_impl_test.py: CycleConsistencyLossTest.test_correct_loss
    loss = losses.cycle_consistency_loss(*CYCLE_VECTOR)
    assert loss.dtype == tf.float32
    assert_near(5.25, loss, 1e-5)
    # tuple_losses_test.py: CycleConsistencyLossTest.test_correct_loss (the generator inputs
    # [1, 2] and [5, 6] of the partial models are the data)
    assert_near(5.0, losses.cycle_consistency_loss([1.0, 2], [9.0, 8], [5.0, 6], [7.0, 2]), 1e-5)
    # scalar: cyclegan_loss's cycle_consistency_loss_weight
    assert_near(52.5, losses.cycle_consistency_loss(*CYCLE_VECTOR, scalar=10.0), 1e-4)


def tiny_translator():
    x = keras.Input((4, 4, 1))
    return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(x))


def tiny_critic():
    x = keras.Input((4, 4, 1))
    return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same")(x))


@pytest.mark.parametrize("cycle_weight", [10.0])
def test_cyclegan_cycle_weight_is_tfgans_scalar_halved(cycle_weight):
    """CycleGAN's cycle_loss (the SUM of the two directions' L1) times cycle_weight lambda is
    TF-GAN's cycle_consistency_loss (their mean) with scalar 2 * lambda."""
    keras.utils.set_random_seed(0)
    cyclegan = tfgan.CycleGAN(
        tiny_translator(),
        tiny_translator(),
        tiny_critic(),
        tiny_critic(),
        cycle_weight=cycle_weight,
        seed=0,
    )
    cyclegan.compile()
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (8, 4, 4, 1)).astype(np.float32)
    b = rng.uniform(-1, 1, (8, 4, 4, 1)).astype(np.float32)
    logs = cyclegan.evaluate(a, b, batch_size=8, verbose=0, return_dict=True)
    reconstructed_a = cyclegan.translate(cyclegan.translate(a, "a_to_b"), "b_to_a")
    reconstructed_b = cyclegan.translate(cyclegan.translate(b, "b_to_a"), "a_to_b")
    tfgan_loss = losses.cycle_consistency_loss(
        a, reconstructed_a, b, reconstructed_b, scalar=2 * cycle_weight
    )
    np.testing.assert_allclose(cycle_weight * logs["cycle_loss"], float(tfgan_loss), rtol=1e-5)
    assert "2 * lambda" in tfgan.CycleGAN.__doc__
