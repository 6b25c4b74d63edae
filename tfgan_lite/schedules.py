"""Schedules for GAN optimizers and for any hyperparameter a step reads.

``LinearDecay(learning_rate, steps, fraction=0.5)`` holds the rate for the first
``(1 - fraction) * steps`` updates of its optimizer and then takes it linearly to 0 at
update ``steps``: training ends with small steps, so that the last generators settle on
their modes rather than orbit them (the toy recipe's and the semi-supervised benchmark's
schedule; README, "What the training tools buy"). Salimans et al. 2016's code decays its
learning rate linearly in the same way. Give each network's optimizer the number of
updates that optimizer makes: with ``discriminator_steps=k`` the discriminator's makes k
per generator update.

``Cosine(initial, final, steps)`` goes from ``initial`` to ``final`` along half a cosine
and holds ``final`` after ``steps``; R3GAN (Huang et al. 2024) schedules its learning rate,
Adam's beta_2 and its R1/R2 weight gamma this way. Every schedule here is a Keras
``LearningRateSchedule`` of an update count, so one object drives:

* an optimizer's learning rate (any Keras optimizer, at its own ``iterations``);
* a penalty's weight, ``tfgan_lite.penalties.R1(weight=Cosine(...))``, at the
  discriminator's update count;
* Adam's ``beta_1`` / ``beta_2`` through ``tfgan_lite.optimizers.Adam``, at the optimizer's
  ``iterations`` (Keras's own Adam takes constant betas only).
"""

import math
import numbers

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfgan_lite")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``learning_rate`` until update ``(1 - fraction) * steps``, then linearly to 0 at
    ``steps`` (and 0 after it).

    Args:
        learning_rate: the rate held before the decay, > 0.
        steps: the optimizer's total number of updates, an integer >= 1.
        fraction: the last fraction of ``steps`` over which the rate decays, in (0, 1];
            1 decays from the first update.
    """

    def __init__(self, learning_rate, steps, fraction=0.5):
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float):
            raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}.")
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}.")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(
                f"steps must be an integer >= 1 (the optimizer's total updates), got {steps!r}."
            )
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}.")
        if not 0 < fraction <= 1:
            raise ValueError(
                f"fraction must be in (0, 1] (the share of steps spent decaying), "
                f"got {fraction!r}; for a constant rate pass the float itself."
            )
        self.learning_rate = float(learning_rate)
        self.steps = int(steps)
        self.fraction = float(fraction)

    def __call__(self, step):
        # The rate of update number step + 1 (Keras passes the updates done so far).
        decay_steps = self.fraction * self.steps
        remaining = (float(self.steps) - tf.cast(step, tf.float32)) / decay_steps
        return self.learning_rate * tf.clip_by_value(remaining, 0.0, 1.0)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "steps": self.steps, "fraction": self.fraction}


def _real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class Cosine(keras.optimizers.schedules.LearningRateSchedule):
    """Half a cosine from ``initial`` to ``final`` over ``steps`` updates, then ``final``:

        value(step) = final + (initial - final) * (1 + cos(pi * min(step, steps) / steps)) / 2

    ``step`` is the count of updates done before the one the value is for (Keras passes an
    optimizer's ``iterations``; a penalty's weight reads the discriminator's), so update 1
    uses ``initial``. ``initial`` may be below ``final`` (a ramp up, as R3GAN's beta_2 0.9 ->
    0.99) and either may be 0.

    Args:
        initial: the value at step 0, a finite number.
        final: the value from step ``steps`` on, a finite number.
        steps: the length of the schedule in updates, an integer >= 1.
    """

    def __init__(self, initial, final, steps):
        for name, value in (("initial", initial), ("final", final)):
            if not _real(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}.")
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(
                f"steps must be an integer >= 1 (the updates the schedule spans), got {steps!r}."
            )
        self.initial = float(initial)
        self.final = float(final)
        self.steps = int(steps)

    def __call__(self, step):
        progress = tf.minimum(tf.cast(step, tf.float32), float(self.steps)) / float(self.steps)
        cosine = (1.0 + tf.cos(math.pi * progress)) / 2.0
        return self.final + (self.initial - self.final) * cosine

    def get_config(self):
        return {"initial": self.initial, "final": self.final, "steps": self.steps}
