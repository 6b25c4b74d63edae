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

By a half-life in images instead (StyleGAN2-ADA's ``ema_kimg`` and ``ema_rampup``, R3GAN's
average): the weights of the average halve their share every ``half_life`` training images,
so a step of ``n`` images uses

    beta = 0.5 ** (n / h),   h = min(half_life, seen * ramp)  (h = half_life without a ramp)

where ``seen`` counts the training images of the steps before this one (0 in the first
step, so the first update copies the live weights) and ``n`` the images the step reads
(``batch_size`` of ``fit``, over all replicas; with ``discriminator_steps=k`` the k
discriminator minibatches together). ``start`` works as with a decay.
"""

import dataclasses
import math
import numbers

import keras
import tensorflow as tf

# StyleGAN2-ADA's ema_rampup: the half-life is at most 5% of the images seen so far.
DEFAULT_RAMP = 0.05


@dataclasses.dataclass(frozen=True)
class HalfLife:
    """The average by a half-life: ``images`` (> 0) and ``ramp`` (None: no ramp)."""

    images: float
    ramp: float | None

    def __str__(self):
        ramp = "no ramp" if self.ramp is None else f"ramp {self.ramp:g}"
        return f"half-life {self.images:g} images, {ramp}"


def _half_life(half_life, ramp):
    if (
        isinstance(half_life, bool)
        or not isinstance(half_life, numbers.Real)
        or not 0 < half_life < math.inf
    ):
        raise ValueError(
            f"ema_half_life must be a number of images > 0 (StyleGAN2-ADA: ema_kimg * 1000, "
            f"e.g. 10_000), or None; got {half_life!r}."
        )
    if ramp is True:
        ramp = DEFAULT_RAMP
    elif ramp is False or ramp is None or (isinstance(ramp, numbers.Real) and ramp == 0):
        ramp = None
    elif not isinstance(ramp, numbers.Real) or not 0 < ramp < math.inf:
        raise ValueError(
            f"ema_ramp with ema_half_life must be a number > 0 (the half-life is at most "
            f"ema_ramp * images seen; StyleGAN2-ADA: 0.05), True ({DEFAULT_RAMP}) or "
            f"False / None for none; got {ramp!r}."
        )
    return HalfLife(float(half_life), None if ramp is None else float(ramp))


def check(decay, start, ramp, half_life=None):
    """The averaging options as ``(average, start, ramp)``: ``average`` is a decay, a
    ``HalfLife`` or None (no averaging); or a ValueError."""
    if half_life is not None and not (decay is None or decay == 0):
        raise ValueError(
            f"ema={decay!r} and ema_half_life={half_life!r} both set the generator average: "
            "give the decay (ema=) or the half-life in images (ema_half_life=), not both."
        )
    if half_life is not None:
        average = _half_life(half_life, ramp)
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(
                f"ema_start must be an integer >= 0 (the generator update from which the "
                f"average runs), got {start!r}."
            )
        return average, start, ramp
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


def half_life_decay_at(half_life, images, seen, update, start):
    """beta for generator update number ``update`` (from 1) of a step of ``images`` training
    images after ``seen`` of them, by the ``HalfLife`` ``half_life``: 0 before ``start``."""
    images = tf.cast(images, tf.float32)
    h = tf.constant(half_life.images, tf.float32)
    if half_life.ramp is not None:
        h = tf.minimum(h, tf.cast(seen, tf.float32) * half_life.ramp)
    beta = tf.pow(0.5, images / tf.maximum(h, 1e-8))
    return tf.where(tf.cast(update, tf.float32) < float(start), 0.0, beta)


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
