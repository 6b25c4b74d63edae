"""Discriminator regularisers: WGAN-GP's gradient penalty and weight clipping, and the
R1 / R2 gradient penalties of Mescheder et al. 2018."""

import tensorflow as tf

NORM_EPSILON = 1e-12


def gradient_penalty(critic, real, fake, seed, weight=10.0):
    """WGAN-GP (Gulrajani et al. 2017): weight * E[(||grad D(x_hat)||_2 - 1)^2].

    ``critic`` maps a batch to logits (the discriminator in training mode).
    x_hat = eps * real + (1 - eps) * fake with eps ~ U[0, 1] drawn per example from the
    stateless ``seed``. The norm is taken over all non-batch axes, with an epsilon under
    the square root so the gradient stays finite where the norm is zero.
    """
    shape = [tf.shape(real)[0]] + [1] * (real.shape.rank - 1)
    eps = tf.random.stateless_uniform(shape, seed=seed, dtype=real.dtype)
    interpolates = eps * real + (1.0 - eps) * tf.cast(fake, real.dtype)
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        logits = critic(interpolates)
    grads = tf.cast(tape.gradient(logits, interpolates), tf.float32)
    axes = list(range(1, grads.shape.rank))
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + NORM_EPSILON)
    return weight * tf.reduce_mean(tf.square(norms - 1.0))


def squared_gradient_penalty(critic, x, weight):
    """R1 (on real ``x``) or R2 (on generated ``x``), Mescheder et al. 2018:
    weight / 2 * E[||grad_x D(x)||_2^2], the squared norm over all non-batch axes."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = critic(x)
    grads = tf.cast(tape.gradient(logits, x), tf.float32)
    axes = list(range(1, grads.shape.rank))
    return 0.5 * weight * tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=axes))


def clip_weights(variables, clip):
    """WGAN (Arjovsky et al. 2017): clip every weight into [-clip, clip], in place."""
    for variable in variables:
        variable.assign(tf.clip_by_value(variable, -clip, clip))
