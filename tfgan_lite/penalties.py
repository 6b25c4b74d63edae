"""Discriminator regularisers as objects: WGAN-GP's gradient penalty, and the R1 / R2
gradient penalties of Mescheder et al. 2018, on one base class a user's own penalty
subclasses; WGAN's weight clipping.

A model takes a list, ``GAN(..., penalties=[R1(1.0, every=16), GradientPenalty(10.0)])``
(``CycleGAN`` and every variant the same, CycleGAN on each of its discriminators). For
each penalty the model's step calls ``compute(critic, real, fake, seed)``, which returns
the unweighted value on one discriminator update, and adds ``weight * value`` to the
discriminator's loss: ``critic(x)`` is the discriminator's real-vs-fake logit on ``x``
through the model's one discriminator path (augmentation, packing, the step's condition
bound), ``real`` and ``fake`` the update's batches, ``seed`` a stateless seed of the step.
The term is logged under the penalty's ``name`` in ``fit`` and ``evaluate`` and is part
of ``d_loss``. ``weight`` is a number or a schedule of the discriminator's update count
(any ``keras.optimizers.schedules.LearningRateSchedule``, such as
``tfgan_lite.schedules.LinearDecay``); ``every=n`` computes the penalty on every n-th
discriminator update only and scales it by n (StyleGAN2's lazy regularisation); it is
skipped, not zeroed, between. The unrolled look-ahead and ``evaluate`` take the unscaled
penalty every time. A penalty of one's own is one subclass::

    @keras.saving.register_keras_serializable()
    class Drift(tfgan_lite.penalties.Penalty):      # ProGAN's drift term
        def __init__(self, weight=1e-3, **kwargs):
            super().__init__(weight=weight, name="drift", **kwargs)

        def compute(self, critic, real, fake, seed):
            return tf.reduce_mean(tf.square(critic(real)))

Registered, it round-trips through ``.keras`` files with the model.
"""

import keras
import tensorflow as tf

from tfgan_lite import checks

NORM_EPSILON = 1e-12
# The augmentation draw a penalty's critic applies (see Penalty.augmented_as).
AUGMENTED_AS = ("real", "fake", "interpolates")


def _norms(critic, x):
    """||grad_x critic(x)||^2 per example (float32), the norm over all non-batch axes."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = critic(x)
    grads = tf.cast(tape.gradient(logits, x), tf.float32)
    return tf.reduce_sum(tf.square(grads), axis=list(range(1, grads.shape.rank)))


def _checked_weight(weight, name):
    if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule):
        return weight
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        raise ValueError(
            f"{name} must be a number >= 0 or a keras.optimizers.schedules."
            f"LearningRateSchedule of the discriminator step, got {weight!r}."
        )
    return float(weight)


class Penalty:
    """A regulariser of the discriminator: subclass it and write ``compute``.

    Args:
        weight: the factor of ``compute``'s value in D's loss: a number >= 0, or a
            ``keras.optimizers.schedules.LearningRateSchedule`` evaluated at the
            discriminator's update count (``tfgan_lite.schedules``).
        every: lazy regularisation: the penalty is computed on every ``every``-th
            discriminator update only, scaled by ``every`` (1: on every update).
        name: the name its term is logged under in ``fit`` and ``evaluate``; a model's
            penalties must have different names.

    ``augmented_as`` (a class attribute) names the augmentation draw ``critic`` applies
    when the model augments: ``"real"`` (the real batch's draw, so a penalty on real
    examples sees what D's loss saw), ``"fake"``, or ``"interpolates"`` (a draw of its own).
    """

    augmented_as = "real"

    def __init__(self, weight=1.0, every=1, name=None):
        if name is None:
            name = type(self).__name__.lower()
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a penalty's name must be an identifier, got {name!r}.")
        self.name = name
        self.weight = _checked_weight(weight, f"{name}'s weight")
        self.every = checks.integer(every, "every", hint=" (compute the penalty every n-th update)")
        if self.augmented_as not in AUGMENTED_AS:
            raise ValueError(
                f"{type(self).__name__}.augmented_as={self.augmented_as!r}; use one of "
                f"{AUGMENTED_AS}."
            )

    def compute(self, critic, real, fake, seed):
        """The unweighted penalty on one discriminator update, a float32 scalar."""
        raise NotImplementedError(f"{type(self).__name__} must define compute().")

    def weight_at(self, step):
        """The weight at discriminator update ``step``: the number, or the schedule's value."""
        if isinstance(self.weight, keras.optimizers.schedules.LearningRateSchedule):
            return tf.cast(self.weight(step), tf.float32)
        return self.weight

    def get_config(self):
        """The constructor's arguments; a subclass with other arguments writes its own."""
        return {"weight": _serialized(self.weight), "every": self.every, "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = config.pop("name", None)
        for key, value in config.items():
            if isinstance(value, dict) and "class_name" in value:
                config[key] = keras.saving.deserialize_keras_object(value)
        try:
            penalty = cls(**config, name=name)
        except TypeError:  # a subclass that sets its own name, as Drift above
            penalty = cls(**config)
            penalty.name = name or penalty.name
        return penalty

    def __repr__(self):
        options = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({options})"


def _serialized(weight):
    if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule):
        return keras.saving.serialize_keras_object(weight)
    return weight


@keras.saving.register_keras_serializable(package="tfgan_lite")
class GradientPenalty(Penalty):
    """WGAN-GP (Gulrajani et al. 2017): weight * E[(||grad D(x_hat)||_2 - target)^2].

    x_hat = eps * real + (1 - eps) * fake with eps ~ U[0, 1] drawn per example from the
    step's seed. The norm is taken over all non-batch axes, with an epsilon under the
    square root so the gradient stays finite where the norm is zero. ``one_sided``: only
    norms above ``target`` are penalised, E[max(0, ||grad|| - target)^2] (Gulrajani et
    al.'s one-sided variant; TF-GAN's ``one_sided``). ``target``: the Lipschitz constant
    aimed at. TF-GAN's ``wasserstein_gradient_penalty`` divides the norm by its ``target``
    first, E[(||grad|| / t - 1)^2] = E[(||grad|| - t)^2] / t^2, so TF-GAN's weight w with
    ``target=t`` is ``GradientPenalty(weight=w / t**2, target=t)`` here (the same at t = 1).
    """

    augmented_as = "interpolates"

    def __init__(self, weight=10.0, target=1.0, one_sided=False, every=1, name="gradient_penalty"):
        super().__init__(weight=weight, every=every, name=name)
        if isinstance(target, bool) or not isinstance(target, int | float) or target <= 0:
            raise ValueError(f"target must be a number > 0, got {target!r}.")
        self.target, self.one_sided = float(target), bool(one_sided)

    def compute(self, critic, real, fake, seed):
        real = tf.convert_to_tensor(real)
        shape = [tf.shape(real)[0]] + [1] * (real.shape.rank - 1)
        eps = tf.random.stateless_uniform(shape, seed=seed, dtype=real.dtype)
        interpolates = eps * real + (1.0 - eps) * tf.cast(fake, real.dtype)
        gaps = tf.sqrt(_norms(critic, interpolates) + NORM_EPSILON) - self.target
        if self.one_sided:
            gaps = tf.nn.relu(gaps)
        return tf.reduce_mean(tf.square(gaps))

    def get_config(self):
        return {
            **super().get_config(),
            "target": self.target,
            "one_sided": self.one_sided,
        }


class _SquaredGradient(Penalty):
    """gamma / 2 * E[||grad_x D(x)||_2^2] on the real (R1) or generated (R2) batch."""

    def __init__(self, gamma=1.0, every=1, name=None):
        super().__init__(weight=gamma, every=every, name=name)

    @property
    def gamma(self):
        return self.weight

    def compute(self, critic, real, fake, seed):
        x = tf.convert_to_tensor(real if self.augmented_as == "real" else fake)
        return 0.5 * tf.reduce_mean(_norms(critic, x))

    def get_config(self):
        return {"gamma": _serialized(self.weight), "every": self.every, "name": self.name}


@keras.saving.register_keras_serializable(package="tfgan_lite")
class R1(_SquaredGradient):
    """R1 (Mescheder et al. 2018): gamma / 2 * E_real[||grad_x D(x)||_2^2]; ``compute``
    returns half the mean squared norm, so that the weight is gamma."""

    def __init__(self, gamma=1.0, every=1, name="r1_penalty"):
        super().__init__(gamma=gamma, every=every, name=name)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class R2(_SquaredGradient):
    """R2: gamma / 2 * E_fake[||grad_x D(x)||_2^2], R1's term on generated samples."""

    augmented_as = "fake"

    def __init__(self, gamma=1.0, every=1, name="r2_penalty"):
        super().__init__(gamma=gamma, every=every, name=name)


def from_keywords(gradient_penalty=0.0, r1_penalty=0.0, r2_penalty=0.0, penalty_every=1):
    """The penalty objects of the flat keywords models also take, a documented shorthand:
    ``gradient_penalty=l`` is ``GradientPenalty(l)``, ``r1_penalty=g`` is ``R1(g)``,
    ``r2_penalty=g`` is ``R2(g)``, ``penalty_every=n`` is ``every=n`` on R1 and R2."""
    made = []
    for name, value, cls in (
        ("gradient_penalty", gradient_penalty, GradientPenalty),
        ("r1_penalty", r1_penalty, R1),
        ("r2_penalty", r2_penalty, R2),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{name} must be a number >= 0 (0 turns it off), got {value!r}.")
        if value:
            every = penalty_every if cls is not GradientPenalty else 1
            made.append(cls(float(value), every=every))
    return made


def collect(penalties, **keywords):
    """A model's penalty list: the flat keywords' objects first, then ``penalties``;
    checked for type and for names logged twice."""
    every = keywords.get("penalty_every", 1)
    checks.integer(every, "penalty_every", hint=" (R1/R2 every n-th discriminator update)")
    if penalties is None:
        penalties = []
    if isinstance(penalties, Penalty):
        penalties = [penalties]
    if not isinstance(penalties, list | tuple):
        raise ValueError(
            f"penalties must be a list of tfgan_lite.penalties.Penalty objects, e.g. "
            f"[R1(1.0)], got {penalties!r}."
        )
    for penalty in penalties:
        if not isinstance(penalty, Penalty):
            raise ValueError(
                f"penalties holds {penalty!r}, which is not a tfgan_lite.penalties.Penalty; "
                "subclass Penalty and write its compute(critic, real, fake, seed)."
            )
    made = from_keywords(**keywords) + list(penalties)
    names = [penalty.name for penalty in made]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(
            f"two penalties are named {twice[0]!r} (the flat keyword and the list, or two "
            "list entries): each is logged by its name, so give one name=... of its own."
        )
    return made


def serialize(penalties):
    """The list as a ``.keras`` config holds it; refuses an unregistered class."""
    return [checks.keras_config(penalty, "penalty") for penalty in penalties]


def gradient_penalty(critic, real, fake, seed, weight=10.0, target=1.0, one_sided=False):
    """``GradientPenalty(weight, target, one_sided)`` as a function: the weighted term."""
    return weight * GradientPenalty(weight, target, one_sided).compute(critic, real, fake, seed)


def clip_weights(variables, clip):
    """WGAN (Arjovsky et al. 2017): clip every weight into [-clip, clip], in place."""
    for variable in variables:
        variable.assign(tf.clip_by_value(variable, -clip, clip))
