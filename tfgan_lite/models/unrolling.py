"""Unrolling (Metz et al. 2016): the discriminator optimizer's rule as a pure function.

With ``unroll_steps=K`` the generator's loss is taken against a copy of the discriminator
advanced K updates ahead, with the discriminator's own optimizer rule started from its
current state (Adam's moments and step count included), and the gradient flows back
through those updates into the generator: the paper's surrogate objective
f_K(theta_G, theta_D) = f(theta_G, theta_D^K(theta_G, theta_D)). ``GAN._unrolled_weights``
runs the look-ahead; this module holds the update rule it applies.
"""

import tensorflow as tf


def safe_sqrt(v):
    """sqrt(v) whose derivative at v = 0 is 0 instead of NaN (dead units have v = 0)."""
    positive = v > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, v, 1.0)), 0.0)


class UpdateRule:
    """The discriminator optimizer's update as a pure function of tensors.

    Reads the optimizer's hyperparameters and its current slots, so that the unrolled
    copy continues exactly where the real optimizer stands. Written by hand, because
    Keras's own pure update, ``optimizer.stateless_apply``, raises on the TensorFlow
    backend; ``tests/test_unrolled.py`` checks it against the Keras optimizers step for step.
    """

    SUPPORTED = ("Adam", "SGD", "RMSprop")

    def __init__(self, optimizer, variables):
        name = type(optimizer).__name__
        if name not in self.SUPPORTED:
            raise ValueError(
                f"unroll_steps unrolls the discriminator_optimizer's own rule, and supports "
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
        for beta in ("beta_1", "beta_2"):  # tfgan_lite.optimizers.Adam takes schedules
            if callable(getattr(optimizer, beta, None)):
                unsupported.append(f"a scheduled {beta}")
        if unsupported:
            raise ValueError(
                f"unroll_steps cannot unroll a discriminator_optimizer with "
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
                w - alpha * mi / (safe_sqrt(vi) + opt.epsilon)
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
