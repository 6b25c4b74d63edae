"""``UnrolledGAN`` (Metz et al. 2016): the generator looks ahead at the discriminator.

The generator's loss is taken against a copy of the discriminator advanced
``unroll_steps`` updates ahead, with the discriminator's own optimizer rule started from
its current state (Adam's moments and step count included), and the gradient flows back
through those updates into the generator: the paper's surrogate objective
f_K(theta_G, theta_D) = f(theta_G, theta_D^K(theta_G, theta_D)). The real discriminator is
updated once per step, as in a plain GAN. ``unroll_steps=0`` is a plain GAN.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import penalties
from tfgan_lite.models.gan import GAN


def _safe_sqrt(v):
    """sqrt(v) whose derivative at v = 0 is 0 instead of NaN (dead units have v = 0)."""
    positive = v > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, v, 1.0)), 0.0)


class _UpdateRule:
    """The discriminator optimizer's update as a pure function of tensors.

    Reads the optimizer's hyperparameters and its current slots, so that the unrolled
    copy continues exactly where the real optimizer stands.
    """

    SUPPORTED = ("Adam", "SGD", "RMSprop")

    def __init__(self, optimizer, variables):
        name = type(optimizer).__name__
        if name not in self.SUPPORTED:
            raise ValueError(
                f"UnrolledGAN unrolls the discriminator_optimizer's own rule, and supports "
                f"{', '.join(self.SUPPORTED)}; got {name}. Use one of those."
            )
        unsupported = [
            option
            for option in ("clipnorm", "clipvalue", "global_clipnorm", "weight_decay")
            if getattr(optimizer, option, None)
        ]
        if getattr(optimizer, "use_ema", False):
            unsupported.append("use_ema")
        if getattr(optimizer, "amsgrad", False):
            unsupported.append("amsgrad")
        if unsupported:
            raise ValueError(
                f"UnrolledGAN cannot unroll a discriminator_optimizer with "
                f"{', '.join(unsupported)} set; turn them off for the discriminator."
            )
        self.name = name
        self.optimizer = optimizer
        self.indices = [optimizer._get_variable_index(v) for v in variables]

    def _slots(self, attribute):
        slots = getattr(self.optimizer, attribute, None) or []
        return [slots[i].value for i in self.indices] if slots else None

    def initial_state(self):
        opt = self.optimizer
        if self.name == "Adam":
            return {"m": self._slots("_momentums"), "v": self._slots("_velocities")}
        if self.name == "SGD":
            return {"m": self._slots("momentums") if opt.momentum else None}
        state = {"v": self._slots("_velocities")}
        state["m"] = self._slots("_momentums") if opt.momentum > 0 else None
        state["a"] = self._slots("_average_gradients") if opt.centered else None
        return state

    def step(self, weights, grads, state, ahead):
        """One update, ``ahead`` steps after the optimizer's current iteration."""
        opt = self.optimizer
        lr = tf.cast(opt._get_current_learning_rate(), tf.float32)
        if self.name == "Adam":
            t = tf.cast(opt.iterations + 1 + ahead, tf.float32)
            alpha = lr * tf.sqrt(1 - tf.pow(opt.beta_2, t)) / (1 - tf.pow(opt.beta_1, t))
            m = [m + (g - m) * (1 - opt.beta_1) for m, g in zip(state["m"], grads, strict=True)]
            v = [v + (g * g - v) * (1 - opt.beta_2) for v, g in zip(state["v"], grads, strict=True)]
            weights = [
                w - alpha * mi / (_safe_sqrt(vi) + opt.epsilon)
                for w, mi, vi in zip(weights, m, v, strict=True)
            ]
            return weights, {"m": m, "v": v}
        if self.name == "SGD":
            if state["m"] is None:
                return [w - lr * g for w, g in zip(weights, grads, strict=True)], state
            m = [opt.momentum * m - lr * g for m, g in zip(state["m"], grads, strict=True)]
            if opt.nesterov:
                weights = [
                    w + opt.momentum * mi - lr * g
                    for w, mi, g in zip(weights, m, grads, strict=True)
                ]
            else:
                weights = [w + mi for w, mi in zip(weights, m, strict=True)]
            return weights, {"m": m}
        v = [opt.rho * v + (1 - opt.rho) * g * g for v, g in zip(state["v"], grads, strict=True)]
        a = state["a"]
        if a is not None:
            a = [opt.rho * ai + (1 - opt.rho) * g for ai, g in zip(a, grads, strict=True)]
            denominators = [vi - ai * ai + opt.epsilon for vi, ai in zip(v, a, strict=True)]
        else:
            denominators = [vi + opt.epsilon for vi in v]
        increments = [lr * g / tf.sqrt(d) for g, d in zip(grads, denominators, strict=True)]
        m = state["m"]
        if m is not None:
            m = [opt.momentum * mi + inc for mi, inc in zip(m, increments, strict=True)]
            increments = m
        weights = [w - inc for w, inc in zip(weights, increments, strict=True)]
        return weights, {"v": v, "m": m, "a": a}


@keras.saving.register_keras_serializable(package="tfgan_lite")
class UnrolledGAN(GAN):
    """A GAN whose generator is trained against a discriminator unrolled K steps ahead.

    Args:
        generator, discriminator, latent_dim: as for ``GAN``.
        unroll_steps: K, the discriminator updates the generator looks ahead (0: a plain
            GAN). Each costs a discriminator forward and backward pass and their
            derivative for the generator.
        **kwargs: ``GAN``'s (objective, prior, k, penalties, seed). The unrolled updates use
            the same loss as the real ones, gradient penalty and clipping included.

    The discriminator optimizer must be Adam (without amsgrad), SGD or RMSprop, with no
    gradient clipping, weight decay or EMA: its rule is unrolled as a pure function of its
    current state.
    """

    def __init__(self, generator, discriminator, latent_dim, unroll_steps=5, **kwargs):
        if not isinstance(unroll_steps, int | np.integer) or unroll_steps < 0:
            raise ValueError(f"unroll_steps must be an integer >= 0, got {unroll_steps!r}.")
        self.unroll_steps = int(unroll_steps)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        super().compile(generator_optimizer, discriminator_optimizer, **kwargs)
        self._rule = _UpdateRule(
            self.discriminator_optimizer, self.discriminator.trainable_variables
        )

    def _unrolled_loss(self, weights, frozen, real, fake, seed):
        def critic(x):
            output, _ = self.discriminator.stateless_call(weights, frozen, x, training=True)
            return output

        real_output, fake_output = critic(real), critic(fake)
        loss, _ = self._discriminator_loss(real_output, fake_output, real, None)
        if self.gradient_penalty:
            loss += penalties.gradient_penalty(critic, real, fake, seed, self.gradient_penalty)
        return loss

    def _generator_loss(self, fake, real, condition):
        if self.unroll_steps == 0 or not self.discriminator.trainable_variables:
            return super()._generator_loss(fake, real, condition)
        weights = [v.value for v in self.discriminator.trainable_variables]
        frozen = [v.value for v in self.discriminator.non_trainable_variables]
        state = self._rule.initial_state()
        seed = tf.cast(tf.stack([self.seed, self.noise_step.value]), tf.int32)
        for step in range(self.unroll_steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                step_seed = tf.random.experimental.stateless_fold_in(seed, 2**21 + step)
                loss = self._unrolled_loss(weights, frozen, real, fake, step_seed)
            grads = tape.gradient(loss, weights)
            weights, state = self._rule.step(weights, grads, state, step)
            if self.clip_weights is not None:
                weights = [
                    tf.clip_by_value(w, -self.clip_weights, self.clip_weights) for w in weights
                ]
        fake_output, _ = self.discriminator.stateless_call(weights, frozen, fake, training=True)
        return self.objective.generator_loss(fake_output)

    def get_config(self):
        return {**super().get_config(), "unroll_steps": self.unroll_steps}
