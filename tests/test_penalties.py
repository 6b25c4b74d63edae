"""WGAN-GP's gradient penalty and WGAN's weight clipping against closed forms."""

import numpy as np
import tensorflow as tf

from tfgan_lite import penalties


def test_gradient_penalty_of_a_linear_critic_is_lambda_times_norm_minus_one_squared():
    # D(x) = x . w + b has gradient w everywhere, so the penalty is lambda (|w| - 1)^2
    # whatever the interpolates are.
    w = np.array([[3.0], [-4.0], [12.0]], np.float32)  # |w| = 13
    real = tf.random.stateless_normal([32, 3], seed=[0, 1])
    fake = tf.random.stateless_normal([32, 3], seed=[0, 2])
    value = penalties.gradient_penalty(lambda x: x @ w + 0.5, real, fake, seed=[1, 2], weight=10.0)
    np.testing.assert_allclose(float(value), 10.0 * (13.0 - 1.0) ** 2, rtol=1e-5)


def test_gradient_penalty_takes_the_norm_over_all_axes_of_an_image():
    # D(x) = sum(x * W) over a (4, 4, 2) image: the gradient is W, its norm |W|_F.
    weights = tf.random.stateless_normal([4, 4, 2], seed=[3, 4])
    real = tf.random.stateless_normal([8, 4, 4, 2], seed=[0, 1])
    fake = tf.random.stateless_normal([8, 4, 4, 2], seed=[0, 2])

    def critic(x):
        return tf.reduce_sum(x * weights, axis=[1, 2, 3])

    value = penalties.gradient_penalty(critic, real, fake, seed=[5, 6], weight=2.0)
    norm = np.sqrt(np.sum(np.square(weights.numpy())))
    np.testing.assert_allclose(float(value), 2.0 * (norm - 1.0) ** 2, rtol=1e-5)


def test_gradient_penalty_interpolates_between_real_and_fake():
    # D(x) = 0.5 |x|^2 has gradient x, so the penalty sees the interpolates themselves:
    # with real = fake = c every interpolate is c, whatever eps is.
    c = tf.fill([16, 2], 3.0)
    value = penalties.gradient_penalty(
        lambda x: 0.5 * tf.reduce_sum(x * x, axis=1), c, c, seed=[0, 0], weight=1.0
    )
    np.testing.assert_allclose(float(value), (np.sqrt(18.0) - 1.0) ** 2, rtol=1e-5)


def test_gradient_penalty_has_a_finite_gradient_where_the_critic_gradient_is_zero():
    # A critic that is constant in x: its gradient norm is 0, where sqrt's derivative is
    # infinite without the epsilon under the root.
    scale = tf.Variable(1.0)
    real = tf.zeros([8, 2])
    with tf.GradientTape() as tape:
        value = penalties.gradient_penalty(
            lambda x: scale * tf.reduce_sum(0.0 * x, axis=1) + scale, real, real, seed=[0, 0]
        )
    grad = tape.gradient(value, scale)
    np.testing.assert_allclose(float(value), 10.0, rtol=1e-5)
    assert grad is not None and np.isfinite(float(grad))


def test_clip_weights_clips_every_variable_in_place():
    a = tf.Variable([[-0.5, 0.004], [0.02, -0.001]])
    b = tf.Variable([0.3, -0.3])
    penalties.clip_weights([a, b], 0.01)
    np.testing.assert_array_equal(a.numpy(), np.float32([[-0.01, 0.004], [0.01, -0.001]]))
    np.testing.assert_array_equal(b.numpy(), np.float32([0.01, -0.01]))
