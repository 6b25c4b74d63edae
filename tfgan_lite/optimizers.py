"""Adam whose betas may follow a schedule (R3GAN's beta_2 from 0.9 to 0.99).

Keras 3's ``keras.optimizers.Adam`` takes ``beta_1`` and ``beta_2`` as constants: its
``update_step`` casts them to the variable's dtype as they are, so a schedule or a callable
there fails. ``tfgan_lite.optimizers.Adam`` is that optimizer with one change: a beta may be
a ``keras.optimizers.schedules.LearningRateSchedule`` (such as
``tfgan_lite.schedules.Cosine``), evaluated at the optimizer's ``iterations`` in every
update, as Keras evaluates a learning-rate schedule. Update t (``iterations = t - 1``) with
the betas b1, b2 the schedules give at t - 1 is Keras's rule with those betas:

    m <- m + (g - m) (1 - b1),   v <- v + (g^2 - v) (1 - b2)
    w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)

The bias corrections use the current betas, as PyTorch's Adam does when a training loop
changes the betas of its parameter groups (what R3GAN's code does). With constant betas the
updates are bit-identical to ``keras.optimizers.Adam``'s. The schedules are saved in the
optimizer's config, so a compiled model round-trips through ``.keras``.

Example:

>>> from tfgan_lite.schedules import Cosine
>>> adam = Adam(Cosine(2e-4, 5e-5, 10_000), beta_1=0.0, beta_2=Cosine(0.9, 0.99, 10_000))
"""

import keras
from keras import ops

_Schedule = keras.optimizers.schedules.LearningRateSchedule


@keras.saving.register_keras_serializable(package="tfgan_lite")
class Adam(keras.optimizers.Adam):
    """``keras.optimizers.Adam`` whose ``beta_1`` and ``beta_2`` may be schedules.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``, as Keras's.
        beta_1, beta_2: floats, or ``LearningRateSchedule`` objects of the optimizer's
            update count (e.g. ``tfgan_lite.schedules.Cosine(0.9, 0.99, steps)``).
        **kwargs: the rest of ``keras.optimizers.Adam``'s arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, **kwargs):
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if callable(beta) and not isinstance(beta, _Schedule):
                raise ValueError(
                    f"{name} must be a float or a keras.optimizers.schedules."
                    f"LearningRateSchedule (e.g. tfgan_lite.schedules.Cosine), got {beta!r}."
                )
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)

    def _beta(self, beta, variable):
        # A constant stays a Python float, so that ``1 - beta`` rounds as in Keras's Adam.
        if isinstance(beta, _Schedule):
            return ops.cast(beta(self.iterations), variable.dtype)
        return beta

    def update_step(self, gradient, variable, learning_rate):
        """Keras 3.15's ``Adam.update_step`` with the betas read through ``_beta``."""
        if not isinstance(self.beta_1, _Schedule) and not isinstance(self.beta_2, _Schedule):
            return super().update_step(gradient, variable, learning_rate)
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        local_step = ops.cast(self.iterations + 1, variable.dtype)
        beta_1, beta_2 = self._beta(self.beta_1, variable), self._beta(self.beta_2, variable)
        beta_1_power = ops.power(ops.cast(beta_1, variable.dtype), local_step)
        beta_2_power = ops.power(ops.cast(beta_2, variable.dtype), local_step)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[self._get_variable_index(variable)]
            self.assign(v_hat, ops.maximum(v_hat, v))
            v = v_hat
        self.assign_sub(
            variable, ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon))
        )

    def get_config(self):
        config = super().get_config()
        for name in ("beta_1", "beta_2"):
            if isinstance(config[name], _Schedule):
                config[name] = keras.saving.serialize_keras_object(config[name])
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for name in ("beta_1", "beta_2"):
            if isinstance(config.get(name), dict):
                config[name] = keras.saving.deserialize_keras_object(config[name], custom_objects)
        return super().from_config(config, custom_objects=custom_objects)
