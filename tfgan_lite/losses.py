"""GAN objectives as small objects, written on discriminator logits.

Every objective has two methods, each returning a scalar batch mean:

* ``discriminator_loss(real_logits, fake_logits)``: what the discriminator (critic)
  minimises;
* ``generator_loss(fake_logits, real_logits=None)``: what the generator minimises. Only
  the relativistic objectives (Jolicoeur-Martineau 2018), whose ``generator_needs_real``
  is True, read ``real_logits``; the train step passes them to those alone, so an
  objective written as ``generator_loss(self, fake_logits)`` keeps working.

The discriminator returns logits ``l`` and ``D(x) = sigmoid(l)``.  The losses use
``softplus`` and ``log_sigmoid`` identities (``-log D = softplus(-l)``,
``-log(1 - D) = softplus(l)``) so that nothing saturates numerically, and are finite
with finite gradients for logits of magnitude up to 100 in float32.  Logits are cast
to float32 first, so the losses stay in float32 under mixed precision.

Objectives whose formula holds an exponential of the logit (``maximum_likelihood``
and the KL, reverse-KL, Neyman and squared-Hellinger f-GANs) use ``exp`` exactly up to
an argument of ``EXP_LIMIT`` (50, where ``exp`` is already 5e21) and continue it
linearly beyond, so value and gradient stay finite where float32 ``exp`` would overflow
(at 88.7).

``get(name, **options)`` returns an objective by name; ``names()`` lists them. Objectives
serialise through Keras's registration (``serialize``): a user's objective is a registered
``Objective`` subclass.

One-sided label smoothing (Salimans et al. 2016) for the cross-entropy objectives:
``get("non_saturating", label_smoothing=0.1)`` (or ``NonSaturating(label_smoothing=0.1)``,
and the same on ``minimax`` and ``maximum_likelihood``) makes the discriminator's target on
real examples 1 - 0.1 = 0.9; generated examples keep the target 0, and the generator's loss
is unchanged. TF-GAN's discriminator losses take ``label_smoothing`` too, with another
meaning: through ``tf.losses.sigmoid_cross_entropy`` its ``label_smoothing=s`` moves the
real target to 1 - s/2 (its default 0.25 gives 0.875). TF-GAN's ``s`` is therefore
``label_smoothing=s / 2`` here. A smoothed objective round-trips through ``.keras`` files.

TF-GAN's own test vectors for its losses run against these objectives in
``tests/test_tfgan_loss_vectors.py``; where its convention differs, the objective's
docstring says which argument reproduces TF-GAN's number. Two TF-GAN functions that the
models here weigh differently are here under TF-GAN's names and arguments, with its values
(from ``tfgan_lite.tfgan_losses``): ``mutual_information_penalty`` and
``cycle_consistency_loss``.
"""

import functools
import math

import keras
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.tfgan_losses import cycle_consistency_loss as cycle_consistency_loss
from tfgan_lite.tfgan_losses import mutual_information_penalty as mutual_information_penalty

EXP_LIMIT = 50.0
LOG2 = math.log(2.0)


def _mean(x):
    return tf.reduce_mean(x)


def _logits(x):
    return tf.cast(tf.convert_to_tensor(x), tf.float32)


def safe_exp(x):
    """``exp(x)`` for ``x <= EXP_LIMIT``; the tangent line at ``EXP_LIMIT`` beyond it."""
    clipped = tf.minimum(x, EXP_LIMIT)
    return tf.exp(clipped) * (1.0 + tf.nn.relu(x - EXP_LIMIT))


def _registered(cls):
    return keras.saving.register_keras_serializable(package="tfgan_lite")(cls)


class Objective:
    """Base class: subclass it and set ``name`` to write your own objective.

    An objective with options returns them from ``get_config`` (keyword arguments of its
    constructor, as ``get(name, **config)`` takes them), so that a saved model keeps them.
    Objectives serialise through Keras's registration, like every other object: decorate a
    subclass with ``@keras.saving.register_keras_serializable()`` and a model using it
    round-trips through ``.keras`` files, and ``get`` finds it by its ``name``.
    """

    name = None
    generator_needs_real = False  # True: the train step passes D's real logits to G's loss

    def get_config(self):
        """The options that make this objective differ from ``get(self.name)``."""
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def discriminator_loss(self, real_logits, fake_logits):
        raise NotImplementedError

    def generator_loss(self, fake_logits, real_logits=None):
        raise NotImplementedError

    def __repr__(self):
        options = "".join(f", {key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}(name={self.name!r}{options})"


class _Modified(Objective):
    """The discriminator of Goodfellow et al. 2014: the binary cross-entropy.

    Args:
        label_smoothing: one-sided label smoothing (Salimans et al. 2016), in [0, 1): the
            discriminator's target on real examples is ``1 - label_smoothing``. TF-GAN's
            ``label_smoothing=s`` is ``s / 2`` here (see the module docstring).
    """

    def __init__(self, label_smoothing=0.0):
        if (
            isinstance(label_smoothing, bool)
            or not isinstance(label_smoothing, int | float)
            or not 0.0 <= label_smoothing < 1.0
        ):
            raise ValueError(
                f"label_smoothing must be a number in [0, 1), the amount taken off the real "
                f"target 1 (0.1 gives 0.9), got {label_smoothing!r}."
            )
        self.label_smoothing = float(label_smoothing)

    def get_config(self):
        return {"label_smoothing": self.label_smoothing} if self.label_smoothing else {}

    def discriminator_loss(self, real_logits, fake_logits):
        # -E[t log D(x) + (1 - t) log(1 - D(x))] - E[log(1 - D(G(z)))], real target t
        real, fake = _logits(real_logits), _logits(fake_logits)
        target = 1.0 - self.label_smoothing
        on_real = target * tf.nn.softplus(-real)
        if self.label_smoothing:
            on_real += (1.0 - target) * tf.nn.softplus(real)
        return _mean(on_real) + _mean(tf.nn.softplus(fake))


@_registered
class Minimax(_Modified):
    """The original game: G minimises E[log(1 - D(G(z)))]; saturates when D wins.

    TF-GAN's ``minimax_generator_loss`` is this minus the constant softplus(-1) =
    log(1 + 1/e) = 0.313262 (it is minus its discriminator loss with the real logits set
    to 1, whose real term is that constant): the same gradient, a value lower by 0.313262
    (TF-GAN's test vector -4.82408 is -4.51082 here). Its ``label_smoothing`` on the
    generator's side only changes that constant and is not taken here.
    """

    name = "minimax"

    def generator_loss(self, fake_logits, real_logits=None):
        return -_mean(tf.nn.softplus(_logits(fake_logits)))


@_registered
class NonSaturating(_Modified):
    """G maximises log D(G(z)) instead: strong gradients early in training."""

    name = "non_saturating"

    def generator_loss(self, fake_logits, real_logits=None):
        return _mean(tf.nn.softplus(-_logits(fake_logits)))


@_registered
class MaximumLikelihood(_Modified):
    """Goodfellow 2016 tutorial: G minimises -1/2 E[exp(sigmoid^-1(D(G(z))))]."""

    name = "maximum_likelihood"

    def generator_loss(self, fake_logits, real_logits=None):
        return -0.5 * _mean(safe_exp(_logits(fake_logits)))


@_registered
class Wasserstein(Objective):
    """WGAN (Arjovsky et al. 2017): the critic's output is a score, not a probability.

    Pair it with ``clip_weights=c`` (WGAN) or ``gradient_penalty=10`` (WGAN-GP).
    """

    name = "wasserstein"

    def discriminator_loss(self, real_logits, fake_logits):
        return _mean(_logits(fake_logits)) - _mean(_logits(real_logits))

    def generator_loss(self, fake_logits, real_logits=None):
        return -_mean(_logits(fake_logits))


@_registered
class LeastSquares(Objective):
    """LSGAN (Mao et al. 2017) with the 0-1 coding: targets 1 for real, 0 for fake."""

    name = "least_squares"

    def discriminator_loss(self, real_logits, fake_logits):
        real, fake = _logits(real_logits), _logits(fake_logits)
        return 0.5 * _mean(tf.square(real - 1.0)) + 0.5 * _mean(tf.square(fake))

    def generator_loss(self, fake_logits, real_logits=None):
        return 0.5 * _mean(tf.square(_logits(fake_logits) - 1.0))


@_registered
class Hinge(Objective):
    """The hinge loss of geometric GAN / SAGAN / BigGAN."""

    name = "hinge"

    def discriminator_loss(self, real_logits, fake_logits):
        return _mean(tf.nn.relu(1.0 - _logits(real_logits))) + _mean(
            tf.nn.relu(1.0 + _logits(fake_logits))
        )

    def generator_loss(self, fake_logits, real_logits=None):
        return -_mean(_logits(fake_logits))


# f-GAN (Nowozin et al. 2016, Table 2). For each divergence: the output activation
# g_f(v), and f*(g_f(v)), the Fenchel conjugate composed with it, simplified so that it
# is stable on logits (e.g. for "gan", f*(g_f(v)) = -log(1 - sigmoid(v)) = softplus(v)).
_FGAN = {
    "kl": (lambda v: v, lambda v: safe_exp(v - 1.0)),
    "reverse_kl": (lambda v: -safe_exp(-v), lambda v: v - 1.0),
    "pearson": (lambda v: v, lambda v: 0.25 * tf.square(v) + v),
    "neyman": (lambda v: 1.0 - safe_exp(-v), lambda v: 2.0 - 2.0 * safe_exp(-0.5 * v)),
    "squared_hellinger": (lambda v: 1.0 - safe_exp(-v), lambda v: safe_exp(v) - 1.0),
    "jensen_shannon": (
        lambda v: LOG2 - tf.nn.softplus(-v),
        lambda v: tf.nn.softplus(v) - LOG2,
    ),
    "gan": (lambda v: -tf.nn.softplus(-v), lambda v: tf.nn.softplus(v)),
    "total_variation": (lambda v: 0.5 * tf.tanh(v), lambda v: 0.5 * tf.tanh(v)),
}


@_registered
class FGAN(Objective):
    """f-GAN with one of Nowozin et al.'s divergences.

    The critic's logit V is mapped through the output activation g_f. The critic
    maximises E_P[g_f(V)] - E_Q[f*(g_f(V))], so its loss is the negative; the
    generator minimises -E_Q[g_f(V)] (the paper's alternative, non-saturating form).

    ``reverse_kl``, ``neyman`` and ``squared_hellinger`` need a penalty on the critic,
    e.g. ``GAN(..., r1_penalty=1)``. Their activation is exponential: the generator's loss
    is E_Q[exp(-V)] (up to a constant), and the critic's optimum is unbounded where the
    data have no mass (V = log(p/q) for reverse KL, whose critic loss is linear in V on
    generated samples). An unpenalised critic drives the generated samples' logits
    towards -40 on toy mixtures; the generator's gradient, about exp(40), then squares
    to inf in Adam's second moment and the weights turn NaN or stop moving. The formulas
    here are exact while the exponent stays under ``EXP_LIMIT``, so that gradient is the
    true one and no rewrite of them could make it smaller; a penalty keeps V bounded.
    Neyman has a second trap: at large positive V both its losses are flat (the
    conjugate's domain ends at t = 1).
    ``benchmarks/toy_objectives.py`` measures them with ``r1_penalty=1``.
    """

    def __init__(self, divergence):
        if divergence not in _FGAN:
            raise ValueError(
                f"FGAN(divergence={divergence!r}) is unknown; "
                f"use one of {', '.join(sorted(_FGAN))}."
            )
        self.divergence = divergence
        self.name = f"fgan_{divergence}"
        self._activation, self._conjugate = _FGAN[divergence]

    def get_config(self):
        return {"divergence": self.divergence}

    def discriminator_loss(self, real_logits, fake_logits):
        real, fake = _logits(real_logits), _logits(fake_logits)
        return _mean(self._conjugate(fake)) - _mean(self._activation(real))

    def generator_loss(self, fake_logits, real_logits=None):
        return -_mean(self._activation(_logits(fake_logits)))


DIVERGENCES = tuple(_FGAN)


def _paired(real, fake):
    """``(real, fake)``, refused when their known shapes differ (RSGAN pairs them)."""
    known = real.shape.is_fully_defined() and fake.shape.is_fully_defined()
    if known and real.shape != fake.shape:
        raise ValueError(
            f"loss='relativistic' pairs each real logit with a generated one, so both "
            f"batches must have one shape; got real {real.shape.as_list()} and "
            f"generated {fake.shape.as_list()}. Feed equal batches, or use "
            "loss='relativistic_average', which compares each with the other's mean."
        )
    return real, fake


def _real_for(name, real_logits):
    if real_logits is None:
        raise ValueError(
            f"The {name!r} generator loss compares generated logits with real ones: call "
            "generator_loss(fake_logits, real_logits) (GAN's train step does, because "
            "generator_needs_real is True)."
        )
    return _logits(real_logits)


@_registered
class Relativistic(Objective):
    """RSGAN (Jolicoeur-Martineau 2018): D judges whether real data look more realistic
    than generated data, pair by pair: with C the logit,

    D: E[softplus(-(C(x_r) - C(x_f)))]        G: E[softplus(-(C(x_f) - C(x_r)))]

    each term being -log sigmoid of the difference. The i-th real example is paired with
    the i-th generated one, so both batches need one shape.
    """

    name = "relativistic"
    generator_needs_real = True

    def discriminator_loss(self, real_logits, fake_logits):
        real, fake = _paired(_logits(real_logits), _logits(fake_logits))
        return _mean(tf.nn.softplus(fake - real))

    def generator_loss(self, fake_logits, real_logits=None):
        real = _real_for(self.name, real_logits)
        real, fake = _paired(real, _logits(fake_logits))
        return _mean(tf.nn.softplus(real - fake))


@_registered
class RelativisticAverage(Objective):
    """RaGAN (Jolicoeur-Martineau 2018): each logit is compared with the mean logit of the
    other batch,

    D: E_r[softplus(-(C(x_r) - m_f))] + E_f[softplus(C(x_f) - m_r)]
    G: E_f[softplus(-(C(x_f) - m_r))] + E_r[softplus(C(x_r) - m_f)]

    with m_r and m_f the batch means of the real and generated logits; the batches may
    differ in size. G's loss reaches the generator through C(x_f) and m_f.
    """

    name = "relativistic_average"
    generator_needs_real = True

    @staticmethod
    def _loss(first, second):
        """-E[log sigmoid(first - mean(second))] - E[log(1 - sigmoid(second - mean(first)))]."""
        return _mean(tf.nn.softplus(_mean(second) - first)) + _mean(
            tf.nn.softplus(second - _mean(first))
        )

    def discriminator_loss(self, real_logits, fake_logits):
        return self._loss(_logits(real_logits), _logits(fake_logits))

    def generator_loss(self, fake_logits, real_logits=None):
        real = _real_for(self.name, real_logits)
        return self._loss(_logits(fake_logits), real)


# The library's objectives by the short names ``GAN(loss=...)`` takes. Not a registry: a
# user's objective is found through Keras's (see ``Objective``).
_BUILT_IN = {
    cls.name: cls
    for cls in (
        Minimax,
        NonSaturating,
        MaximumLikelihood,
        Wasserstein,
        LeastSquares,
        Hinge,
        Relativistic,
        RelativisticAverage,
    )
}
_BUILT_IN.update({f"fgan_{d}": functools.partial(FGAN, d) for d in _FGAN})


def _registered_objectives():
    """The user's objective classes registered with Keras, by their ``name``."""
    found = {}
    for obj in keras.saving.get_custom_objects().values():
        if isinstance(obj, type) and issubclass(obj, Objective) and isinstance(obj.name, str):
            found.setdefault(obj.name, obj)
    return found


def names():
    """The names ``get`` accepts: the library's, then the objectives registered with Keras."""
    return tuple(_BUILT_IN) + tuple(n for n in _registered_objectives() if n not in _BUILT_IN)


def serialize(objective):
    """``objective`` as a ``.keras`` config holds it (Keras's serialisation); refuses an
    objective whose class Keras does not know."""
    return checks.keras_config(objective, "objective")


def get(identifier, **options):
    """An objective from its name (with its constructor's ``options``, such as
    ``label_smoothing=0.1``), or the objective itself when given one. What a saved model
    stores works too: Keras's serialised form, or (files from before) ``{"name": ...,
    **options}``."""
    if isinstance(identifier, Objective):
        if options:
            raise ValueError(
                f"options {sorted(options)} were given with an objective object; set them "
                "on the object itself."
            )
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return get(keras.saving.deserialize_keras_object(identifier), **options)
    if isinstance(identifier, dict) and "name" in identifier:
        options = {**{k: v for k, v in identifier.items() if k != "name"}, **options}
        identifier = identifier["name"]
    known = {**_registered_objectives(), **_BUILT_IN}
    if isinstance(identifier, str) and identifier in known:
        try:
            return known[identifier](**options)
        except TypeError as error:
            raise ValueError(
                f"loss={identifier!r} takes no option {', '.join(sorted(options))} ({error}); "
                "label_smoothing is for 'minimax', 'non_saturating' and 'maximum_likelihood'."
            ) from None
    raise ValueError(
        f"loss={identifier!r} is not an objective; pass one of {', '.join(names())}, "
        "or an instance of tfgan_lite.losses.Objective."
    )
