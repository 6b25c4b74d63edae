"""``CycleGAN`` (Zhu et al. 2017): unpaired translation between two image domains.

Two generators, G: A -> B and F: B -> A, and two discriminators, D_B judging domain B
(real b against G(a)) and D_A judging domain A (real a against F(b)). With an objective's
losses on logits (least squares by default, as in the paper):

    L_G = objective_G(D_B(G(a))) + objective_G(D_A(F(b)))
          + cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)
          + identity_weight * (|F(a) - a|_1 + |G(b) - b|_1)
    L_D = objective_D(D_A(a), D_A(F(b))) + objective_D(D_B(b), D_B(G(a)))

with |.|_1 the mean absolute error over pixels. Both generators share one optimizer and
both discriminators another, as the paper's code chains their parameters; every train
step makes one update of each, generators first, then the discriminators on the samples
of that step. ``gradient_penalty`` (WGAN-GP, with ``loss="wasserstein"``) and ``r1_penalty``
(R1 on real images) add ``tfgan_lite.penalties``' terms to each discriminator's loss, as
``GAN`` does. The paper's history buffer of 50 generated images is left out (D sees the
step's own samples). CycleGAN owns its train step, since it has four networks, and reuses
the objectives of ``tfgan_lite.losses``, the penalties of ``tfgan_lite.penalties`` and the
generator average of ``tfgan_lite.models.averaging``.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import losses, penalties
from tfgan_lite.checks import shape_str
from tfgan_lite.models import averaging, keras_workarounds

DIRECTIONS = ("a_to_b", "b_to_a")
_METRICS = ("g_loss", "d_loss", "adversarial_loss", "cycle_loss", "identity_loss", "d_a", "d_b")


def _l1(x, y):
    return tf.reduce_mean(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)))


def _image_shape(model, name):
    """The image shape a network takes, (H, W, C) with None where it is free; None when
    the model does not say."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not isinstance(inputs, list | tuple) or len(inputs) != 1:
        raise ValueError(
            f"{name} must take one input, a batch of images; it takes {len(inputs)} inputs."
        )
    return tuple(inputs[0].shape[1:])


@keras.saving.register_keras_serializable(package="tfgan_lite")
class CycleGAN(keras.Model):
    """Unpaired image-to-image translation, trained with ``compile`` and ``fit``.

    Args:
        generator_a_to_b: G, a ``keras.Model`` from domain-A images to domain-B images.
        generator_b_to_a: F, from domain-B images to domain-A images.
        discriminator_a: D_A, from domain-A images to logits of any shape per image (a
            PatchGAN's ``(batch, h, w, 1)`` is averaged by the objective).
        discriminator_b: D_B, the same for domain B.
        loss: an objective of ``tfgan_lite.losses`` (default ``"least_squares"``, the paper's).
        cycle_weight: lambda of the cycle-consistency L1 terms (10 in the paper).
        identity_weight: the weight of the identity L1 terms, |F(a) - a| and |G(b) - b|
            (None: 0.5 * cycle_weight, the paper's; 0 turns them off). The identity terms
            need both domains to have the same number of channels.
        ema: the decay of an average of both generators' weights (None for none), used by
            ``translate`` and the exports, as ``GAN(ema=...)`` does.
        gradient_penalty: lambda of WGAN-GP on each discriminator (0 for none), on points
            between its domain's real and generated images drawn from ``seed`` and the step.
        r1_penalty: gamma of R1 on each discriminator, gamma / 2 * E[||grad D(real)||^2]
            (0 for none).
        seed: the seed of the gradient penalty's interpolation (the step draws nothing else).

    ``fit(a, b)`` takes two unpaired sets: arrays (of any lengths; each is shuffled and
    repeated, and an epoch is ``max(len(a), len(b)) // batch_size`` steps unless
    ``steps_per_epoch`` says otherwise) or two datasets of batches, zipped inside.
    ``translate(images, direction="a_to_b")`` runs G (or F for ``"b_to_a"``). ``fit`` and
    ``evaluate`` report ``g_loss``, ``d_loss``, ``adversarial_loss``, ``cycle_loss``,
    ``identity_loss`` (the unweighted L1 sums) and ``d_a``, ``d_b`` (D's mean sigmoid on
    real images of its domain), and ``gradient_penalty`` and ``r1_penalty`` (summed over
    both discriminators, included in ``d_loss``) when they are on.
    """

    def __init__(
        self,
        generator_a_to_b,
        generator_b_to_a,
        discriminator_a,
        discriminator_b,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=None,
        ema=None,
        gradient_penalty=0.0,
        r1_penalty=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        networks = {
            "generator_a_to_b": generator_a_to_b,
            "generator_b_to_a": generator_b_to_a,
            "discriminator_a": discriminator_a,
            "discriminator_b": discriminator_b,
        }
        for name, model in networks.items():
            if not isinstance(model, keras.Model):
                raise ValueError(f"{name} must be a keras.Model, got {type(model).__name__}.")
        weights = (
            ("cycle_weight", cycle_weight),
            ("identity_weight", identity_weight),
            ("gradient_penalty", gradient_penalty),
            ("r1_penalty", r1_penalty),
        )
        for name, value in weights:
            if value is None and name == "identity_weight":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = (
            0.5 * self.cycle_weight if identity_weight is None else float(identity_weight)
        )
        self._identity_default = identity_weight is None
        self.gradient_penalty, self.r1_penalty = float(gradient_penalty), float(r1_penalty)
        penalties_on = [name for name, _ in weights[2:] if getattr(self, name)]
        self.objective = losses.get(loss)
        self.seed = seed  # the gradient penalty's interpolation; nothing else is random
        self.generator_a_to_b = generator_a_to_b
        self.generator_b_to_a = generator_b_to_a
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.shape_a, self.shape_b = self._check_networks()
        self.ema, _, _ = averaging.check(ema, 0, True)
        self.averaged_a_to_b = self.averaged_b_to_a = None
        if self.ema:
            self.averaged_a_to_b = averaging.copy_of(generator_a_to_b, tf.zeros([1, *self.shape_a]))
            self.averaged_b_to_a = averaging.copy_of(generator_b_to_a, tf.zeros([1, *self.shape_b]))
        self.generator_optimizer = self.discriminator_optimizer = None
        names = (*_METRICS, *penalties_on)
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True

    # ----------------------------------------------------------------- checks
    def _check_networks(self):
        """Calls each network once on zeros; returns the shapes of domain A and B images."""
        shape_a = _image_shape(self.generator_a_to_b, "generator_a_to_b")
        shape_b = _image_shape(self.generator_b_to_a, "generator_b_to_a")
        if shape_a is None or shape_b is None or None in shape_a + shape_b:
            raise ValueError(
                "the generators must declare their image shapes: build them as functional or "
                "Sequential models with keras.Input((H, W, C)) of fixed H, W and C."
            )
        made = {}
        for name, model, shape, expected in (
            ("generator_a_to_b", self.generator_a_to_b, shape_a, shape_b),
            ("generator_b_to_a", self.generator_b_to_a, shape_b, shape_a),
        ):
            out = model(tf.zeros([1, *shape]), training=False)
            if tuple(out.shape[1:]) != expected:
                raise ValueError(
                    f"{name} maps images of shape {shape_str(shape)} to "
                    f"{shape_str(out.shape[1:])}, "
                    f"but the other generator takes {shape_str(expected)}: G and F must map "
                    "each domain's shape onto the other's."
                )
            made[name] = out
        for name, model, shape in (
            ("discriminator_a", self.discriminator_a, shape_a),
            ("discriminator_b", self.discriminator_b, shape_b),
        ):
            try:
                model(tf.zeros([1, *shape]), training=False)
            except Exception as error:
                raise ValueError(
                    f"{name} cannot take its domain's images of shape {shape_str(shape)}: {error}"
                ) from error
        if self.identity_weight and shape_a[-1] != shape_b[-1]:
            raise ValueError(
                f"identity_weight={self.identity_weight} needs both domains to have the same "
                f"channels, but A has {shape_a[-1]} and B {shape_b[-1]}; pass identity_weight=0."
            )
        return shape_a, shape_b

    def _check_images(self, x, name, shape):
        if isinstance(x, tf.data.Dataset):
            spec = tf.nest.flatten(x.element_spec)[0]
            found = tuple(spec.shape[1:])
        else:
            found = tuple(np.shape(x)[1:])
        if len(found) != len(shape) or any(
            f not in (None, s) for f, s in zip(found, shape, strict=True)
        ):
            raise ValueError(
                f"{name} holds images of shape {shape_str(found)}, but its domain's networks "
                f"take {shape_str(shape)}; resize the images or build the networks for them."
            )

    # ----------------------------------------------------------------- compile and fit
    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        """One optimizer for both generators and one for both discriminators (default:
        Adam(2e-4, beta_1=0.5) each, the paper's)."""
        optimizers = []
        for optimizer in (generator_optimizer, discriminator_optimizer):
            if optimizer is None:
                optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
            optimizers.append(keras.optimizers.get(optimizer))
        if optimizers[0] is optimizers[1]:
            raise ValueError(
                "generator_optimizer and discriminator_optimizer are the same object; pass "
                "two instances."
            )
        kwargs.setdefault("steps_per_execution", 1 if tf.distribute.has_strategy() else 10)
        super().compile(optimizer=None, **kwargs)
        self.generator_optimizer, self.discriminator_optimizer = optimizers
        self.generator_optimizer.build(self._generator_variables())
        self.discriminator_optimizer.build(self._discriminator_variables())
        self._cycle_compile_config = {
            "generator_optimizer": keras.optimizers.serialize(optimizers[0]),
            "discriminator_optimizer": keras.optimizers.serialize(optimizers[1]),
            **kwargs,
        }

    def get_compile_config(self):
        return getattr(self, "_cycle_compile_config", None)

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            keras.optimizers.deserialize(config.pop("generator_optimizer")),
            keras.optimizers.deserialize(config.pop("discriminator_optimizer")),
            **config,
        )

    def _generator_variables(self):
        return self.generator_a_to_b.trainable_variables + self.generator_b_to_a.trainable_variables

    def _discriminator_variables(self):
        return self.discriminator_a.trainable_variables + self.discriminator_b.trainable_variables

    def fit(self, a=None, b=None, batch_size=None, steps_per_epoch=None, **kwargs):
        """``fit(a, b)``: two unpaired sets of images, arrays or datasets of batches."""
        if self.generator_optimizer is None:
            raise ValueError("fit was called before compile; call cyclegan.compile() first.")
        if a is None or b is None or kwargs.get("y") is not None:
            raise ValueError(
                "CycleGAN.fit takes two unpaired sets of images, fit(a, b): domain A's and "
                "domain B's (arrays or datasets of batches)."
            )
        self._check_images(a, "a", self.shape_a)
        self._check_images(b, "b", self.shape_b)
        datasets = (isinstance(a, tf.data.Dataset), isinstance(b, tf.data.Dataset))
        if datasets[0] != datasets[1]:
            raise ValueError(
                "a and b must both be arrays or both be datasets of batches; got one of each."
            )
        if datasets[0]:
            first = lambda *element: element[0]  # noqa: E731 (images, or (images, labels))
            stream = tf.data.Dataset.zip(a.map(first), b.map(first))
        else:
            batch_size = 32 if batch_size is None else batch_size
            a, b = np.asarray(a), np.asarray(b)
            for name, x in (("a", a), ("b", b)):
                if len(x) < batch_size:
                    raise ValueError(
                        f"{name} holds {len(x)} images, fewer than batch_size={batch_size}; "
                        "give more images or a smaller batch_size."
                    )
            if steps_per_epoch is None:
                steps_per_epoch = max(len(a), len(b)) // batch_size
            seed = 0 if self.seed is None else int(self.seed)
            streams = [
                tf.data.Dataset.from_tensor_slices(x.astype(np.float32))
                .shuffle(len(x), seed=seed + i)
                .repeat()
                .batch(batch_size, drop_remainder=True)
                for i, x in enumerate((a, b))
            ]
            stream = tf.data.Dataset.zip(*streams)
        stream = stream.map(lambda x, y: {"a": x, "b": y}).prefetch(tf.data.AUTOTUNE)
        kwargs.setdefault("shuffle", False)  # each stream shuffles itself
        with keras_workarounds.whole_executions(self, steps_per_epoch):
            return super().fit(stream, steps_per_epoch=steps_per_epoch, **kwargs)

    def evaluate(self, a=None, b=None, batch_size=32, **kwargs):
        """The losses of ``fit`` on ``a`` and ``b`` (arrays of the same length), updating
        nothing."""
        a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
        n = min(len(a), len(b))
        stream = tf.data.Dataset.from_tensor_slices({"a": a[:n], "b": b[:n]}).batch(batch_size)
        return super().evaluate(stream, **kwargs)

    # ----------------------------------------------------------------- the step
    @property
    def metrics(self):
        return list(self._trackers.values())

    def _generator_objective(self, a, b, training):
        """L_G and its parts, and the generated images D is updated on."""
        objective = self.objective
        fake_b = self.generator_a_to_b(a, training=training)
        fake_a = self.generator_b_to_a(b, training=training)
        adversarial = 0.0
        for discriminator, fake, real in (
            (self.discriminator_b, fake_b, b),
            (self.discriminator_a, fake_a, a),
        ):
            fake_logits = discriminator(fake, training=training)
            if objective.generator_needs_real:
                real_logits = discriminator(real, training=training)
                adversarial += objective.generator_loss(fake_logits, real_logits)
            else:
                adversarial += objective.generator_loss(fake_logits)
        cycle = _l1(self.generator_b_to_a(fake_b, training=training), a)
        cycle += _l1(self.generator_a_to_b(fake_a, training=training), b)
        identity = tf.zeros([])
        if self.identity_weight:
            identity = _l1(self.generator_b_to_a(a, training=training), a)
            identity += _l1(self.generator_a_to_b(b, training=training), b)
        loss = adversarial + self.cycle_weight * cycle + self.identity_weight * identity
        parts = {"adversarial_loss": adversarial, "cycle_loss": cycle, "identity_loss": identity}
        return loss, parts, fake_a, fake_b

    def _discriminator_objective(self, a, b, fake_a, fake_b, training):
        """L_D with the penalties, and the metrics: D's mean on real images per domain and
        each penalty's sum over the two discriminators."""
        total, means = 0.0, {}
        if self.gradient_penalty:
            means["gradient_penalty"] = 0.0
        if self.r1_penalty:
            means["r1_penalty"] = 0.0
        for index, (name, discriminator, real, fake) in enumerate(
            (("d_a", self.discriminator_a, a, fake_a), ("d_b", self.discriminator_b, b, fake_b))
        ):
            real_logits = discriminator(real, training=training)
            fake_logits = discriminator(fake, training=training)
            total += self.objective.discriminator_loss(real_logits, fake_logits)
            means[name] = tf.reduce_mean(tf.sigmoid(tf.cast(real_logits, tf.float32)))

            def critic(x, discriminator=discriminator):
                return discriminator(x, training=training)

            if self.gradient_penalty:
                seed = self._penalty_seed(index)
                term = penalties.gradient_penalty(critic, real, fake, seed, self.gradient_penalty)
                means["gradient_penalty"] += term
                total += term
            if self.r1_penalty:
                term = penalties.squared_gradient_penalty(critic, real, self.r1_penalty)
                means["r1_penalty"] += term
                total += term
        return total, means

    def _penalty_seed(self, index):
        """A stateless seed per discriminator and step: (seed, step * 2 + index)."""
        iterations = self.generator_optimizer.iterations if self.generator_optimizer else 0
        step = tf.cast(iterations, tf.int64) * 2 + index
        return tf.stack([tf.constant(self.seed or 0, tf.int64), step])

    def train_step(self, data):
        a, b = data["a"], data["b"]
        scale = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        variables = self._generator_variables()
        with tf.GradientTape() as tape:
            g_loss, parts, fake_a, fake_b = self._generator_objective(a, b, training=True)
            scaled = self.generator_optimizer.scale_loss(g_loss * scale)
        self.generator_optimizer.apply(tape.gradient(scaled, variables), variables)
        if self.ema:
            beta = averaging.decay_at(self.ema, self.generator_optimizer.iterations, 0, True)
            averaging.update(self.averaged_a_to_b, self.generator_a_to_b, beta)
            averaging.update(self.averaged_b_to_a, self.generator_b_to_a, beta)
        fake_a, fake_b = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
        variables = self._discriminator_variables()
        with tf.GradientTape() as tape:
            d_loss, means = self._discriminator_objective(a, b, fake_a, fake_b, training=True)
            scaled = self.discriminator_optimizer.scale_loss(d_loss * scale)
        self.discriminator_optimizer.apply(tape.gradient(scaled, variables), variables)
        return self._update_metrics({"g_loss": g_loss, "d_loss": d_loss, **parts, **means}, a)

    def test_step(self, data):
        a, b = data["a"], data["b"]
        g_loss, parts, fake_a, fake_b = self._generator_objective(a, b, training=False)
        d_loss, means = self._discriminator_objective(a, b, fake_a, fake_b, training=False)
        return self._update_metrics({"g_loss": g_loss, "d_loss": d_loss, **parts, **means}, a)

    def _update_metrics(self, values, a):
        weight = tf.cast(tf.shape(a)[0], tf.float32)
        for name, tracker in self._trackers.items():
            tracker.update_state(values[name], sample_weight=weight)
        logs = {name: tracker.result() for name, tracker in self._trackers.items()}
        return keras_workarounds.reducible_logs(logs)

    # ----------------------------------------------------------------- use
    def translator(self, direction="a_to_b", averaged=True):
        """The generator of ``direction`` (the averaged copy with ``ema``, unless
        ``averaged=False``)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction={direction!r} is unknown; use 'a_to_b' or 'b_to_a'.")
        if averaged and self.ema:
            return self.averaged_a_to_b if direction == "a_to_b" else self.averaged_b_to_a
        return self.generator_a_to_b if direction == "a_to_b" else self.generator_b_to_a

    def call(self, images, training=False):
        """``cyclegan(a)`` is G(a)."""
        return self.generator_a_to_b(images, training=training)

    def translate(self, images, direction="a_to_b", batch_size=256, averaged=True):
        """Images of the other domain, as a NumPy array: G(images) for ``"a_to_b"``,
        F(images) for ``"b_to_a"``."""
        generator = self.translator(direction, averaged)
        shape = self.shape_a if direction == "a_to_b" else self.shape_b
        images = np.asarray(images, np.float32)
        self._check_images(images, "images", shape)
        batches = [
            np.asarray(generator(images[start : start + batch_size], training=False))
            for start in range(0, len(images), batch_size)
        ]
        return np.concatenate(batches) if batches else np.zeros([0, *shape], np.float32)

    # ----------------------------------------------------------------- saving
    def get_config(self):
        objective = self.objective.name
        if objective not in losses.names():
            raise ValueError(
                f"the objective {self.objective!r} is not registered, so it cannot be saved; "
                "decorate its class with @tfgan_lite.losses.register."
            )
        config = self.objective.get_config()
        networks = {
            name: keras.saving.serialize_keras_object(getattr(self, name))
            for name in (
                "generator_a_to_b",
                "generator_b_to_a",
                "discriminator_a",
                "discriminator_b",
            )
        }
        return {
            **networks,
            "loss": {"name": objective, **config} if config else objective,
            "cycle_weight": self.cycle_weight,
            "identity_weight": None if self._identity_default else self.identity_weight,
            "ema": self.ema,
            "gradient_penalty": self.gradient_penalty,
            "r1_penalty": self.r1_penalty,
            "seed": self.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("generator_a_to_b", "generator_b_to_a", "discriminator_a", "discriminator_b"):
            config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects)
        return cls(**config)
