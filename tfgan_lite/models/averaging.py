"""Generator weight averaging: an exponential moving average of G's weights.

Yazıcı et al. 2019 ("The unusual effectiveness of averaging in GAN training") and the
``G_ema`` of ProGAN and StyleGAN: after each generator update, every trainable weight of
the averaged copy moves towards the live one,

    w_avg <- beta_t * w_avg + (1 - beta_t) * w,   beta_t = min(beta, (1 + t) / (10 + t))

with the warm-up ``(1 + t) / (10 + t)`` when ``ramp`` is on (t counts the averaging updates,
from 0) and ``beta_t = beta`` when it is off. Before the update numbered ``start`` the copy
takes the live weights as they are. Non-trainable weights (batch normalisation's moving
mean and variance) are copied from the live generator after every update, as StyleGAN
does, not averaged and not recomputed.
"""

import keras
import tensorflow as tf


def check(decay, start, ramp):
    """The averaging options as ``(decay or None, start, ramp)``, or a ValueError."""
    if decay is None or decay == 0:
        return None, int(start), bool(ramp)
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not 0 < decay < 1:
        raise ValueError(
            f"ema must be a decay in (0, 1), e.g. 0.999, or 0 / None for no averaging; "
            f"got {decay!r}."
        )
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise ValueError(
            f"ema_start must be an integer >= 0 (the generator update from which the "
            f"average runs), got {start!r}."
        )
    if not isinstance(ramp, bool):
        raise ValueError(f"ema_ramp must be True or False, got {ramp!r}.")
    return float(decay), start, ramp


def copy_of(generator, inputs):
    """A new generator of the same architecture holding the same weights, built by a
    call on ``inputs`` (what the generator takes)."""
    try:
        copy = keras.models.clone_model(generator)
        copy(inputs, training=False)
        copy.set_weights(generator.get_weights())
    except Exception as error:
        raise ValueError(
            f"ema needs a copy of the generator, and keras.models.clone_model could not make "
            f"one ({error}); give a subclassed generator get_config/from_config, or pass "
            "ema=None."
        ) from error
    return copy


def decay_at(decay, update, start, ramp):
    """beta for generator update number ``update`` (from 1): 0 (a copy) before ``start``."""
    update = tf.cast(update, tf.float32)
    t = update - float(start)
    beta = tf.constant(decay, tf.float32)
    if ramp:
        beta = tf.minimum(beta, (1.0 + t) / (10.0 + t))
    return tf.where(update < float(start), 0.0, beta)


def _update(strategy, averages, lives, copies, live_copies, beta):
    def blend(average, live, beta):
        beta = tf.cast(beta, average.dtype)
        return average.assign(beta * average + (1.0 - beta) * tf.cast(live, average.dtype))

    def copy(average, live):
        return average.assign(tf.cast(live, average.dtype))

    for average, live in zip(averages, lives, strict=True):
        strategy.extended.update(average, blend, args=(live, beta))
    for average, live in zip(copies, live_copies, strict=True):
        strategy.extended.update(average, copy, args=(live,))


def update(averaged, live, beta):
    """Moves ``averaged``'s weights towards ``live``'s by ``beta`` (a scalar tensor).

    Under ``tf.distribute`` the update runs once per variable in a cross-replica context,
    as Keras's optimizers apply their own moving averages, so that every replica holds the
    same average (the live weights it reads are the same on every replica).
    """
    averages = [v.value for v in averaged.trainable_variables]
    lives = [v.value for v in live.trainable_variables]
    copies = [v.value for v in averaged.non_trainable_variables]
    live_copies = [v.value for v in live.non_trainable_variables]
    tf.__internal__.distribute.interim.maybe_merge_call(
        _update, tf.distribute.get_strategy(), averages, lives, copies, live_copies, beta
    )
