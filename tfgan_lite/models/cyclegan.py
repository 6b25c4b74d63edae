"""``CycleGAN`` (Zhu et al. 2017): unpaired translation between two image domains.

Two generators, G: A -> B and F: B -> A, and two discriminators, D_B judging domain B
(real b against G(a)) and D_A judging domain A (real a against F(b)). With an objective's
losses on logits (least squares by default, as in the paper):

    L_G = objective_G(D_B(G(a))) + objective_G(D_A(F(b)))
          + cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)
          + identity_weight * (|F(a) - a|_1 + |G(b) - b|_1)
    L_D = objective_D(D_A(a), D_A(F(b))) + objective_D(D_B(b), D_B(G(a))) + penalties

with |.|_1 the mean absolute error over pixels. The cycle term is the SUM of the two
directions' L1, so ``cycle_weight`` lambda here is TF-GAN's
``cyclegan_loss(cycle_consistency_loss_weight=2 * lambda)`` and
``tfgan_lite.losses.cycle_consistency_loss(..., scalar=2 * lambda)``: TF-GAN averages the
two directions. Both generators share one optimizer
and both discriminators another, as the paper's code chains their parameters; every train
step makes one update of each, generators first, then the discriminators on the samples of
that step. The paper's history buffer of 50 generated images is left out (D sees the
step's own samples).

CycleGAN is two (generator, discriminator) pairs on ``AdversarialCore``, the machinery
``GAN`` runs on: compile (loss scaling under ``mixed_float16``, 50 steps per execution),
the range check and exact steps of ``fit``, trackers, the step's seed, the penalties
(each applied to each discriminator), the NaN report, the generator average and config.
Its own are the four-network step and the two-stream data.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import losses
from tfgan_lite.checks import shape_str
from tfgan_lite.models import averaging, boundary, seeds
from tfgan_lite.models.core import AdversarialCore

DIRECTIONS = ("a_to_b", "b_to_a")
_METRICS = ("g_loss", "d_loss", "adversarial_loss", "cycle_loss", "identity_loss", "d_a", "d_b")
_NETWORKS = ("generator_a_to_b", "generator_b_to_a", "discriminator_a", "discriminator_b")


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
class CycleGAN(AdversarialCore):
    """Unpaired image-to-image translation, trained with ``compile`` and ``fit``.

    Args:
        generator_a_to_b: G, a ``keras.Model`` from domain-A images to domain-B images.
        generator_b_to_a: F, from domain-B images to domain-A images.
        discriminator_a: D_A, from domain-A images to logits of any shape per image (a
            PatchGAN's ``(batch, h, w, 1)`` is averaged by the objective).
        discriminator_b: D_B, the same for domain B.
        loss: an objective of ``tfgan_lite.losses`` (default ``"least_squares"``, the paper's).
        cycle_weight: lambda of the cycle-consistency L1 terms (10 in the paper); TF-GAN's
            ``cycle_consistency_loss_weight`` 2 * lambda, since it averages the directions.
        identity_weight: the weight of the identity L1 terms, |F(a) - a| and |G(b) - b|
            (None: 0.5 * cycle_weight, the paper's; 0 turns them off). The identity terms
            need both domains to have the same number of channels.
        penalties: ``tfgan_lite.penalties`` objects, each applied to each discriminator (on
            its domain's real and generated images) and logged summed over the two, e.g.
            ``[R1(1.0, every=16)]``; ``gradient_penalty=``, ``r1_penalty=``,
            ``r2_penalty=`` and ``penalty_every=`` are the flat shorthand, as for ``GAN``.
        ema, ema_start, ema_ramp: an average of both generators' weights, used by
            ``translate`` and the exports, as ``GAN(ema=...)`` does.
        seed: seeds the penalties' draws and the shuffling of array data; None picks one.

    All but the networks and the three weights are keywords of ``AdversarialCore``, as for
    ``GAN``.

    ``fit(a, b)`` takes two unpaired sets: arrays (of any lengths; each is shuffled and
    repeated, and an epoch is ``max(len(a), len(b)) // batch_size`` steps unless
    ``steps_per_epoch`` says otherwise) or two datasets of batches, zipped inside. Before
    the first step it refuses images of the wrong shape and images outside the range of
    the other domain's generator's last activation. ``translate(images,
    direction="a_to_b")`` runs G (or F for ``"b_to_a"``). ``fit`` and ``evaluate`` report
    ``g_loss``, ``d_loss``, ``adversarial_loss``, ``cycle_loss``, ``identity_loss`` (the
    unweighted L1 sums) and ``d_a``, ``d_b`` (D's mean sigmoid on real images of its
    domain), and each penalty's term under its name (summed over both discriminators,
    included in ``d_loss``).
    """

    _network_keys = _NETWORKS

    def __init__(
        self,
        generator_a_to_b,
        generator_b_to_a,
        discriminator_a,
        discriminator_b,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=None,
        **kwargs,
    ):
        # The core's keywords: penalties (and their flat shorthand), ema, ema_start,
        # ema_ramp, seed, name.
        super().__init__(**kwargs)
        networks = dict(
            zip(
                _NETWORKS,
                (generator_a_to_b, generator_b_to_a, discriminator_a, discriminator_b),
                strict=True,
            )
        )
        for name, model in networks.items():
            if not isinstance(model, keras.Model):
                raise ValueError(f"{name} must be a keras.Model, got {type(model).__name__}.")
        for name, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if value is None and name == "identity_weight":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = (
            0.5 * self.cycle_weight if identity_weight is None else float(identity_weight)
        )
        self._identity_default = identity_weight is None
        self.objective = losses.get(loss)
        self.generator_a_to_b = generator_a_to_b
        self.generator_b_to_a = generator_b_to_a
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.shape_a, self.shape_b = self._check_networks()
        self.averaged_a_to_b = self.averaged_b_to_a = None
        if self.ema:
            self.averaged_a_to_b = averaging.copy_of(generator_a_to_b, tf.zeros([1, *self.shape_a]))
            self.averaged_b_to_a = averaging.copy_of(generator_b_to_a, tf.zeros([1, *self.shape_b]))
        self._add_step_counter()
        self._make_trackers()
        self.built = True

    # ----------------------------------------------------------------- the core's parts
    def _metric_names(self):
        return [*_METRICS, *self._penalty_names()]

    def _generator_variables(self):
        return self.generator_a_to_b.trainable_variables + self.generator_b_to_a.trainable_variables

    def _discriminator_variables(self):
        return self.discriminator_a.trainable_variables + self.discriminator_b.trainable_variables

    def _averaged_pairs(self):
        if not self.ema:
            return []
        return [
            (self.averaged_a_to_b, self.generator_a_to_b),
            (self.averaged_b_to_a, self.generator_b_to_a),
        ]

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

    def _domains(self):
        """Per domain: its name, image shape, and the generator that makes its images."""
        return (
            ("a", self.shape_a, self.generator_b_to_a, "generator_b_to_a"),
            ("b", self.shape_b, self.generator_a_to_b, "generator_a_to_b"),
        )

    # ----------------------------------------------------------------- fit
    def fit(self, a=None, b=None, batch_size=None, steps_per_epoch=None, **kwargs):
        """``fit(a, b)``: two unpaired sets of images, arrays or datasets of batches.

        The core's ``fit`` follows: exact ``steps_per_epoch``, every batch of a dataset
        checked against its generator's range as it streams."""
        if self.generator_optimizer is None:
            raise ValueError("fit was called before compile; call cyclegan.compile() first.")
        if a is None or b is None or kwargs.get("y") is not None:
            raise ValueError(
                "CycleGAN.fit takes two unpaired sets of images, fit(a, b): domain A's and "
                "domain B's (arrays or datasets of batches)."
            )
        datasets = (isinstance(a, tf.data.Dataset), isinstance(b, tf.data.Dataset))
        if datasets[0] != datasets[1]:
            raise ValueError(
                "a and b must both be arrays or both be datasets of batches; got one of each."
            )
        for x, (name, shape, generator, network) in zip((a, b), self._domains(), strict=True):
            self._check_images(x, name, shape)
            boundary.check_range(generator, x, name, network)  # arrays read whole here
        if datasets[0]:
            first = lambda *element: element[0]  # noqa: E731 (images, or (images, labels))
            streams = [
                boundary.range_checked(generator, x.map(first), name, network)
                for x, (name, _, generator, network) in zip((a, b), self._domains(), strict=True)
            ]
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
            streams = [
                tf.data.Dataset.from_tensor_slices(x.astype(np.float32))
                .shuffle(len(x), seed=self.seed + i)
                .repeat()
                .batch(batch_size, drop_remainder=True)
                for i, x in enumerate((a, b))
            ]
        stream = tf.data.Dataset.zip(*streams).map(lambda x, y: {"a": x, "b": y})
        return super().fit(stream, steps_per_epoch=steps_per_epoch, **kwargs)

    def _range_checked(self, dataset):
        return dataset  # each stream was checked before the zip

    def evaluate(self, a=None, b=None, batch_size=32, **kwargs):
        """The losses of ``fit`` on ``a`` and ``b`` (arrays of the same length), updating
        nothing."""
        a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
        n = min(len(a), len(b))
        stream = tf.data.Dataset.from_tensor_slices({"a": a[:n], "b": b[:n]}).batch(batch_size)
        return super().evaluate(stream, **kwargs)

    # ----------------------------------------------------------------- the step
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
        loss = self._with_regularization(loss, self.generator_a_to_b, self.generator_b_to_a)
        parts = {"adversarial_loss": adversarial, "cycle_loss": cycle, "identity_loss": identity}
        return loss, parts, fake_a, fake_b

    def _discriminator_objective(self, a, b, fake_a, fake_b, seed, training, lazy=False):
        """L_D with the penalties, and the metrics: D's mean on real images per domain and
        each penalty's sum over the two discriminators."""
        total, means = 0.0, {name: 0.0 for name in self._penalty_names()}
        for index, (name, discriminator, real, fake) in enumerate(
            (("d_a", self.discriminator_a, a, fake_a), ("d_b", self.discriminator_b, b, fake_b))
        ):
            real_logits = discriminator(real, training=training)
            fake_logits = discriminator(fake, training=training)
            total += self.objective.discriminator_loss(real_logits, fake_logits)
            means[name] = tf.reduce_mean(tf.sigmoid(tf.cast(real_logits, tf.float32)))

            def critic_for(augmented_as, discriminator=discriminator):
                return lambda x: discriminator(x, training=training)

            penalty_seed = seeds.fold(seed, "penalty", index)
            terms = self._penalty_terms(critic_for, real, fake, penalty_seed, lazy)
            for term_name, term in terms.items():
                means[term_name] += term
                total += term
        total = self._with_regularization(total, self.discriminator_a, self.discriminator_b)
        return total, means

    def train_step(self, data):
        a, b = data["a"], data["b"]
        seed = self._step_seed()
        scale = self._replica_scale()
        with tf.GradientTape() as tape:
            g_loss, parts, fake_a, fake_b = self._generator_objective(a, b, training=True)
            scaled = self.generator_optimizer.scale_loss(g_loss * scale)
        self._apply(self.generator_optimizer, tape, scaled, self._generator_variables())
        self._average_generators(tf.shape(a)[0])
        fake_a, fake_b = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
        with tf.GradientTape() as tape:
            d_loss, means = self._discriminator_objective(
                a, b, fake_a, fake_b, seed, training=True, lazy=True
            )
            scaled = self.discriminator_optimizer.scale_loss(d_loss * scale)
        self._apply(self.discriminator_optimizer, tape, scaled, self._discriminator_variables())
        d_loss = self._reported(d_loss, a, b)  # NaN for a batch holding NaN or Inf
        values = {"g_loss": g_loss, "d_loss": d_loss, **parts, **means}
        return self._update_metrics(values, tf.shape(a)[0])

    def test_step(self, data):
        a, b = data["a"], data["b"]
        seed = self._evaluation_seed()
        g_loss, parts, fake_a, fake_b = self._generator_objective(a, b, training=False)
        d_loss, means = self._discriminator_objective(a, b, fake_a, fake_b, seed, training=False)
        values = {"g_loss": g_loss, "d_loss": d_loss, **parts, **means}
        return self._update_metrics(values, tf.shape(a)[0])

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
        networks = {
            name: keras.saving.serialize_keras_object(getattr(self, name)) for name in _NETWORKS
        }
        return {
            **networks,
            "loss": losses.serialize(self.objective),
            "cycle_weight": self.cycle_weight,
            "identity_weight": None if self._identity_default else self.identity_weight,
            **self._core_config(),
        }

    # ----------------------------------------------------------------- serving contract
    def serving_directions(self):
        """The ``direction`` values ``serving_contract`` takes, one per generator."""
        return DIRECTIONS

    def serving_contract(self, direction=None):
        """What an export of one direction serves (``tfgan_lite.serving``): ``images`` of
        its source domain to ``images`` of the other, through the averaged generator when
        the model averages, as ``translate(images, direction)`` runs it."""
        from tfgan_lite import serving

        if direction not in DIRECTIONS:
            given = f"direction={direction!r} is unknown"
            if direction is None:
                given = "direction is missing"
            raise ValueError(
                f"{given}: a CycleGAN exports one of its two generators; pass "
                "direction='a_to_b' (generator_a_to_b, domain A images to B) or "
                "direction='b_to_a' (generator_b_to_a, B to A)."
            )
        shapes = (tuple(self.shape_a), tuple(self.shape_b))
        if direction == "b_to_a":
            shapes = shapes[::-1]
        network = self.translator(direction, averaged=True)
        return serving.Contract(
            kind=serving.IMAGE_TO_IMAGE,
            name="CycleGAN",
            inputs=[serving.Input("images", "float32", shapes[0], image=True)],
            output=serving.Output("images", shapes[1]),
            compute=lambda tensors: network(tensors["images"], training=False),
            network=network,
            generator=serving.averaged_text(self.ema),
            metadata={
                "model": "CycleGAN",
                "direction": direction,
                "input_shape": list(shapes[0]),
                "output_shape": list(shapes[1]),
                "latent_dim": None,
                "prior": None,
            },
            reference=lambda inputs, seed: self.translate(inputs["images"], direction),
            reference_name="the CycleGAN's translate",
        )
