"""Two of TF-GAN's loss functions, under TF-GAN's names and arguments and with its values.

The adversarial losses of ``tfgan.losses.wargs`` (minimax, modified, Wasserstein, hinge,
least squares, ACGAN's) are the objectives of ``tfgan_lite.losses`` and the class terms
of ``ACGAN``; the gradient penalty is ``tfgan_lite.penalties.GradientPenalty``. Two pieces
TF-GAN's users call directly have no such counterpart, because the models here sum where
TF-GAN averages:

* ``mutual_information_penalty``: ``InfoGAN`` sums the log-probabilities of its codes
  (over the categorical codes and over the continuous dimensions); TF-GAN averages them.
* ``cycle_consistency_loss``: ``CycleGAN`` sums the two directions' L1; TF-GAN averages.

Both functions here give TF-GAN's numbers (its own test vectors are in
``tests/test_tfgan_loss_vectors.py``); ``tfgan_lite.losses`` re-exports them. The models'
docstrings say which of their weights reproduces TF-GAN's. TF-GAN's ``scope``,
``loss_collection``, ``reduction`` and ``add_summaries`` belong to TF1 graphs and are not
taken: the result is the scalar TF-GAN's default reduction gives.
"""

import tensorflow as tf

__all__ = ["cycle_consistency_loss", "mutual_information_penalty"]


def mutual_information_penalty(structured_generator_inputs, predicted_distributions, weights=1.0):
    """InfoGAN's penalty as TF-GAN computes it: minus the weighted mean, over the codes, of
    each code's mean log-probability under Q.

    For each pair ``(c_i, Q_i)``, ``m_i = mean(Q_i.log_prob(c_i))``: the mean over every
    element ``log_prob`` returns, so over the batch and, for a ``Normal`` over d continuous
    codes, over those d dimensions too (a ``Categorical`` returns one value per example).
    The penalty is ``-sum_i(w_i * m_i) / #{i: w_i != 0}`` (0 when every weight is 0), which
    for a scalar weight w is ``-w * mean_i(m_i)``. On TF-GAN's test vector (a Categorical
    with logits [1, 2] at 1, a Normal(0, 1) at 2) it is 1.61610.

    Args:
        structured_generator_inputs: the codes given to the generator, a list of tensors
            (class indices for a ``Categorical``, one-hot vectors for a ``OneHotCategorical``,
            values for a ``Normal``).
        predicted_distributions: the recognizer's distributions of them, a list of the same
            length: ``tfp.distributions`` objects, or anything with a ``log_prob`` method.
        weights: a number, or one weight per code.

    Returns:
        A float32 scalar. TF-GAN adds it times ``mutual_information_penalty_weight`` to both
        networks' losses, as ``InfoGAN`` adds its penalty.
    """
    if not isinstance(predicted_distributions, list | tuple):
        raise ValueError(
            "predicted_distributions must be a list or tuple of distributions, got "
            f"{type(predicted_distributions).__name__}."
        )
    for distribution in predicted_distributions:
        if not callable(getattr(distribution, "log_prob", None)):
            raise ValueError(
                "predicted_distributions must hold distributions (objects with a log_prob "
                f"method, such as tfp.distributions.Categorical), got "
                f"{type(distribution).__name__}."
            )
    if len(structured_generator_inputs) != len(predicted_distributions):
        raise ValueError(
            f"structured_generator_inputs has {len(structured_generator_inputs)} codes but "
            f"predicted_distributions {len(predicted_distributions)}; give one distribution "
            "per code."
        )
    if not predicted_distributions:
        raise ValueError("mutual_information_penalty needs at least one code.")
    log_probs = tf.stack(
        [
            tf.reduce_mean(tf.cast(distribution.log_prob(code), tf.float32))
            for code, distribution in zip(
                structured_generator_inputs, predicted_distributions, strict=True
            )
        ]
    )
    weights = tf.broadcast_to(tf.cast(weights, tf.float32), tf.shape(log_probs))
    used = tf.reduce_sum(tf.cast(tf.not_equal(weights, 0.0), tf.float32))
    return -tf.math.divide_no_nan(tf.reduce_sum(weights * log_probs), used)


def _mean_l1(x, y):
    return tf.reduce_mean(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)))


def cycle_consistency_loss(data_x, reconstructed_data_x, data_y, reconstructed_data_y, scalar=1.0):
    """CycleGAN's cycle-consistency loss as TF-GAN computes it: the mean of the two
    directions' mean absolute errors, times ``scalar``.

    ``scalar * (mean|x - G(F(x))| + mean|y - F(G(y))|) / 2``; 5.25 on TF-GAN's test vector.
    ``tfgan.cyclegan_loss(cycle_consistency_loss_weight=w)`` (10 by default) is
    ``scalar=w``. ``CycleGAN`` sums the two directions instead, so its ``cycle_weight``
    lambda is ``scalar=2 * lambda`` here.

    Args:
        data_x, reconstructed_data_x: the domain-X data and its round trip G(F(x)).
        data_y, reconstructed_data_y: the domain-Y data and its round trip F(G(y)).
        scalar: a factor on the loss.

    Returns:
        A float32 scalar.
    """
    loss = (_mean_l1(data_x, reconstructed_data_x) + _mean_l1(data_y, reconstructed_data_y)) / 2
    return tf.cast(scalar, tf.float32) * loss
