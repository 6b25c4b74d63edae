"""``GAN``: a Keras model whose train step is Algorithm 1 of Goodfellow et al. 2014.

One train step draws noise from the prior, makes ``discriminator_steps`` (k) updates of
the discriminator, then one update of the generator, each network with its own
optimizer. The variants (conditional, semi-supervised) override small hooks, never the
step; unrolling (``unroll_steps``) is part of the step, so every variant has it.

``GAN`` runs on ``AdversarialCore`` (``tfgan_lite.models.core``), which holds compile,
fit's checks, the trackers, the seeds, the penalties, the generator average and the
config; this module holds the step and the hooks.

The hook contract: ``HOOKS`` below lists the methods a variant may override, each a pure
function of what it is given (``docs/architecture.md`` has the table of what each
receives and returns); ``PUBLIC_OVERRIDES`` the public methods a family may extend and
``SETTINGS`` the class attributes it may set. ``tests/test_hook_contract.py`` fails on a
model class that overrides anything else. The main ones:

* ``_unpack(data, seed, training)``: the real batch and its condition (labels, or any nest
  of tensors with a leading batch axis) from what ``fit`` or ``evaluate`` feeds.
* ``_generator_inputs(z, condition)`` and ``_discriminator_inputs(x, condition)``: what
  each network is called on. ``_discriminator_outputs(raw)``: D's output as the losses
  read it (raw logits here; logits and features for the semi-supervised model).
* ``_extra_batches(condition)``: further batches whose D outputs the discriminator's
  loss needs (the semi-supervised labeled batch), as ``{name: (x, condition)}``.
* ``_discriminator_loss(real_output, fake_output, condition, extra_outputs)`` and
  ``_generator_loss(fake_output, real_output, condition)``: pure functions of outputs;
  they never call a network. ``_gan_logits(output)`` is the real-vs-fake logit.
* ``_sample_loss(real, fake, condition)``: a loss on the samples themselves added to the
  generator's (Pix2Pix's L1), and metrics of the samples.
* ``_condition_for(n, labels)``: the condition ``generate`` passes for ``labels``.

Only ``_generate`` and ``_discriminate`` call the networks, and every evaluation of the
discriminator (its update, the generator's loss, the penalties' critics, the unrolled
look-ahead on the unrolled weights, the extra batches and ``test_step``) goes through
``_discriminate``, so a change to D's input made there applies everywhere. Randomness
comes from the step's seed, folded by stream name in ``tfgan_lite.models.seeds``.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import augment as augmentation
from tfgan_lite import checks, losses, penalties, priors
from tfgan_lite.models import averaging, boundary, seeds
from tfgan_lite.models.core import AdversarialCore
from tfgan_lite.models.unrolling import UpdateRule

# The methods a variant may override, and nothing else (tests/test_hook_contract.py
# enforces it for every model class): the hooks, pure functions of what they are given
# that never call a network, then the public methods a family may extend.
HOOKS = (
    "_unpack",
    "_generator_inputs",
    "_discriminator_inputs",
    "_discriminator_outputs",
    "_gan_logits",
    "_extra_batches",
    "_discriminator_loss",
    "_generator_loss",
    "_generator_needs_real",
    "_sample_loss",
    "_metric_names",
    "_probe_condition",
    "_generator_width",
    "_condition_for",
    "_check_discriminator_output",
    "_check_data",
)
PUBLIC_OVERRIDES = (
    "fit",
    "generate",
    "default_labels",
    "get_config",
    "from_config",
    "serving_contract",
    "serving_directions",
)
# The class attributes a variant may set.
SETTINGS = ("conditional", "_packable", "_network_keys")


def _rows(structure, rows):
    """The rows ``rows`` (a slice) of every tensor in a nest; None stays None."""
    return tf.nest.map_structure(lambda t: None if t is None else t[rows], structure)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class GAN(AdversarialCore):
    """A generative adversarial network trained with ``compile`` and ``fit``.

    Args:
        generator: a ``keras.Model`` from latent vectors ``(batch, latent_dim)`` to samples.
        discriminator: a ``keras.Model`` from samples to logits, shape ``(batch, 1)`` or
            ``(batch,)``; D(x) = sigmoid(logit). No sigmoid at the end.
        latent_dim: the size of z.
        prior: ``"normal"``, ``"uniform"`` (on [-1, 1]), ``"truncated_normal"``, or a
            ``tfp.distributions.Distribution`` with event shape ``[latent_dim]``.
        loss: an objective name from ``tfgan_lite.losses.names()`` or an ``Objective``
            (e.g. ``tfgan_lite.losses.get("non_saturating", label_smoothing=0.1)``).
        discriminator_steps: k, discriminator updates per generator update. Each
            discriminator update gets its own slice of the batch ``fit`` delivers, as in
            Algorithm 1, so a step consumes ``batch_size = k * m`` examples for
            minibatches of m.
        penalties: regularisers of the discriminator, a list of
            ``tfgan_lite.penalties.Penalty`` objects, e.g. ``[R1(1.0, every=16)]`` or
            ``[GradientPenalty(10.0)]``: each adds ``weight * compute(...)`` to D's loss on
            every (or every n-th) discriminator update, through the one discriminator path
            (augmentation, packing, the condition), and is logged under its name.
        gradient_penalty, r1_penalty, r2_penalty, penalty_every: the flat shorthand, kept
            for scripts and files that use it: ``gradient_penalty=l`` is
            ``GradientPenalty(l)``, ``r1_penalty=g`` is ``R1(g)``, ``r2_penalty=g`` is
            ``R2(g)``, and ``penalty_every=n`` gives R1 and R2 ``every=n``. They build the
            same objects, placed before ``penalties``.
        pack: PacGAN's packing (Lin et al. 2018): the discriminator judges ``pack``
            samples at once, concatenated along their last axis (features or channels), real
            and generated alike, so its input takes ``pack`` times the sample's last axis
            (``tfgan_lite.networks`` builders take ``pack=``). Each discriminator step's
            batch must divide by it. Not for conditional or semi-supervised models.
        clip_weights: c of WGAN: discriminator weights are clipped to [-c, c] after every
            discriminator update (None for none).
        seed: seeds the noise of training; None picks one at random.
        unroll_steps: K of the Unrolled GAN (Metz et al. 2016): the generator's loss is
            taken against the discriminator advanced K updates ahead with its own
            optimizer's rule, differentiated through those updates (0: no unrolling).
            The look-ahead uses the discriminator's whole loss, penalties and clipping
            included. The discriminator optimizer must then be Adam (without amsgrad),
            SGD or RMSprop, with no gradient clipping, weight decay or EMA.
        ema: the decay beta of an exponential moving average of the generator's weights,
            updated after every generator update (Yazıcı et al. 2019; StyleGAN's G_ema),
            e.g. 0.999; 0 or None for none. ``gan.ema_generator`` holds the average.
        ema_start: the generator update (counted from 1) from which the average runs;
            before it the averaged copy takes the live weights.
        ema_ramp: warm the decay up as ``min(ema, (1 + t) / (10 + t))`` (t counts the
            averaging updates from 0), as StyleGAN and PyTorch-StudioGAN do. With
            ``ema_start=0, ema_ramp=False`` the average is the plain recursion from the
            initial weights. With ``ema_half_life``: the half-life's ramp, the half-life
            at most ``ema_ramp`` times the images seen (StyleGAN2-ADA's ``ema_rampup``, 0.05;
            True gives 0.05, False or None none).
        ema_half_life: the average by a half-life in training images instead of a decay
            (StyleGAN2-ADA's ``ema_kimg * 1000``, R3GAN's average): a step of n images uses
            beta = 0.5 ** (n / h), h = min(ema_half_life, images seen * ema_ramp); n is the
            step's batch (all k discriminator minibatches). Not with ``ema``. None for none.
        augment: differentiable augmentation of everything the discriminator sees, real and
            generated, in its update, the generator's loss, the penalties and ``evaluate``
            (DiffAugment, Zhao et al. 2020): a policy such as ``"color,translation,cutout"``,
            a ``tfgan_lite.augment.DiffAugment`` (``probability="adaptive"``: ADA's
            probability, Karras et al. 2020, kept in ``gan.augment_probability``, saved and
            checkpointed, logged as ``augment_p``), or any callable
            ``(images, seed) -> images`` differentiable in the images. None for none. The
            augmentation runs before packing; its seeds come from the step's seed.

    ``gan.conditional`` says whether both networks take class labels (``ConditionalGAN``).

    With ``ema``, ``generate``, the exporters, the callbacks' grids and metrics and the
    ``generate`` command use ``gan.ema_generator`` (``generate(..., averaged=False)`` for the
    live one); ``gan(z)`` and training use the live generator. The averaged copy's batch
    normalisation statistics are copied from the live generator (``tfgan_lite.models.averaging``).
    The average is part of the model's weights: ``.keras`` files and checkpoints keep it.

    ``fit`` reports ``d_loss`` (with the penalties), ``g_loss``, ``d_real`` and ``d_fake``
    (the mean of D(x) = sigmoid(logit) on real and on generated examples) and each
    penalty's term under its name (``gradient_penalty``, ``r1_penalty``, ``r2_penalty`` for
    the library's: the term added to the loss; with ``every=n``, n times the penalty on due
    updates and 0 between).
    ``evaluate`` reports the same quantities, computed the same way, without updating
    anything.
    """

    conditional = False
    # Whether pack > 1 works: D's judgement of m samples at once needs no per-example label.
    _packable = True
    # The config keys that hold networks, as __init__ names them.
    _network_keys = ("generator", "discriminator")

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        prior="normal",
        loss="non_saturating",
        discriminator_steps=1,
        gradient_penalty=0.0,
        clip_weights=None,
        seed=None,
        unroll_steps=0,
        r1_penalty=0.0,
        r2_penalty=0.0,
        penalty_every=1,
        pack=1,
        ema=None,
        ema_start=0,
        ema_ramp=True,
        ema_half_life=None,
        augment=None,
        penalties=None,
        **kwargs,
    ):
        super().__init__(
            penalties=penalties,
            gradient_penalty=gradient_penalty,
            r1_penalty=r1_penalty,
            r2_penalty=r2_penalty,
            penalty_every=penalty_every,
            ema=ema,
            ema_start=ema_start,
            ema_ramp=ema_ramp,
            ema_half_life=ema_half_life,
            seed=seed,
            **kwargs,
        )
        for name, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise ValueError(
                    f"{name} must be a keras.Model (Sequential, functional or subclassed), "
                    f"got {type(model).__name__}."
                )
        self.latent_dim = checks.integer(latent_dim, "latent_dim")
        self.discriminator_steps = checks.integer(
            discriminator_steps, "discriminator_steps", hint=" (k of Algorithm 1)"
        )
        self.unroll_steps = checks.integer(
            unroll_steps, "unroll_steps", minimum=0, hint=" (0 turns unrolling off)"
        )
        self.pack = checks.integer(pack, "pack", hint=" (samples the discriminator judges at once)")
        if self.pack > 1 and not self._packable:
            raise ValueError(
                f"pack={pack}: {type(self).__name__} cannot pack samples, since its "
                "discriminator judges each example with its own label; use pack=1."
            )
        if clip_weights is not None and not clip_weights > 0:
            raise ValueError(f"clip_weights must be > 0 or None, got {clip_weights!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.objective = losses.get(loss)
        self._prior = None if prior is None else priors.get(prior, self.latent_dim)
        self.clip_weights = None if clip_weights is None else float(clip_weights)
        self.augment = augmentation.get(augment)
        self._adaptive = getattr(self.augment, "adaptive", False)
        if self._adaptive:
            # ADA's state: p, and r_t's running sum and count between adjustments.
            self.augment_probability, self._augment_signs, self._augment_count = (
                self.add_weight(
                    shape=(),
                    initializer="zeros",
                    trainable=False,
                    name=name,
                    aggregation="only_first_replica",
                )
                for name in ("augment_probability", "augment_sign_sum", "augment_count")
            )
        self._add_step_counter()  # after ADA's weights, the order files before the core have
        self._rule = None
        self._make_trackers()
        self.sample_shape = boundary.check_networks(self)
        if isinstance(self.augment, augmentation.DiffAugment):
            self.augment.check_sample_shape(self.sample_shape)
        self.ema_generator = None
        if self.ema:
            probe = self._generator_inputs(tf.zeros([1, self.latent_dim]), self._probe_condition(1))
            self.ema_generator = averaging.copy_of(generator, probe)
        self.built = True

    # ----------------------------------------------------------------- hooks
    def _metric_names(self):
        adaptive = ["augment_p"] if self._adaptive else []
        return ["d_loss", "g_loss", "d_real", "d_fake", *self._penalty_names(), *adaptive]

    def _unpack(self, data, seed, training):
        """The real batch from what fit feeds: x, or (x, y[, w]) whose y is ignored."""
        if isinstance(data, tuple | list):
            data = data[0]
        return data, None

    def _generator_inputs(self, z, condition):
        return z

    def _discriminator_inputs(self, x, condition):
        return x

    def _discriminator_outputs(self, raw):
        return raw

    def _gan_logits(self, output):
        return output

    def _extra_batches(self, condition):
        return {}

    def _sample_loss(self, real, fake, condition):
        """A loss on the samples themselves, added to the generator's, and metrics of the
        samples logged with the discriminator's (Pix2Pix's weighted L1 to the target):
        ``(loss or None, {name: value})``."""
        return None, {}

    def _discriminator_loss(self, real_output, fake_output, condition, extra_outputs):
        loss = self.objective.discriminator_loss(
            self._gan_logits(real_output), self._gan_logits(fake_output)
        )
        return loss, {}

    @property
    def _generator_needs_real(self):
        """Whether ``_generator_loss`` reads D's output on the real batch: for the
        relativistic objectives."""
        return self.objective.generator_needs_real

    def _generator_loss(self, fake_output, real_output, condition):
        fake_logits = self._gan_logits(fake_output)
        if not self.objective.generator_needs_real:  # objectives of one argument work too
            return self.objective.generator_loss(fake_logits)
        return self.objective.generator_loss(fake_logits, self._gan_logits(real_output))

    def _probe_condition(self, n):
        return None

    def _generator_width(self):
        """The features of the generator's (single) input: z's, here; z's and the codes'
        for InfoGAN."""
        return self.latent_dim

    def _condition_for(self, n, labels):
        if labels is not None:
            raise ValueError(
                f"{type(self).__name__} is unconditional: generate takes no labels; drop "
                "labels=, or train a ConditionalGAN for class-conditional samples."
            )
        return None

    def _check_discriminator_output(self, output):
        boundary.one_logit(tuple(output.shape[1:]))

    def _check_data(self, x, y, batch_size):
        boundary.check_data(self, x, batch_size)
        boundary.check_range(self.generator, x)

    # ----------------------------------------------------------------- networks
    def _generate(self, z, condition, training, averaged=False, inputs=None):
        """The generator on z: the one place it is called. ``averaged``: the weight
        average's copy when the model keeps one. ``inputs``: the generator's own inputs,
        given whole (``call``), instead of ``_generator_inputs(z, condition)``."""
        generator = self.ema_generator if averaged and self.ema else self.generator
        if inputs is None:
            inputs = self._generator_inputs(z, condition)
        return generator(inputs, training=training)

    def _discriminate(self, x, condition, training, weights=None, seed=None):
        """The discriminator on x: the one path every evaluation of it takes.

        ``weights``: None for D's own variables, or ``(trainable, non_trainable)`` lists
        of tensors to run it on instead (the unrolled look-ahead). ``seed``: the
        augmentation's, when the model augments (None: x as it is).
        """
        if seed is not None:
            x = self._augmented(x, seed)
        inputs = self._discriminator_inputs(self._packed(x), condition)
        if weights is None:
            raw = self.discriminator(inputs, training=training)
        else:
            raw, _ = self.discriminator.stateless_call(*weights, inputs, training=training)
        return self._discriminator_outputs(raw)

    def _augmented(self, x, seed):
        """x through ``augment``, at the adaptive probability when it has one, or at its
        scheduled probability for the discriminator's update count."""
        if self._adaptive:
            return self.augment(x, seed, self.augment_probability)
        if getattr(self.augment, "scheduled", False):
            step = self.discriminator_optimizer.iterations if self.discriminator_optimizer else 0
            return self.augment(x, seed, self.augment.probability_at(step))
        return self.augment(x, seed)

    def _augment_seed(self, seed, index):
        """The augmentation seed of batch ``index`` of a loss seeded with ``seed``: 0 the
        real batch, 1 the generated one, 2 the interpolates, 3 on the extra batches; None
        when the model does not augment."""
        return None if self.augment is None else seeds.fold(seed, "augment", index)

    def _packed(self, x):
        """``pack`` consecutive samples concatenated along the last axis: (n, ..., C) to
        (n // pack, ..., pack * C), sample by sample; rows beyond a multiple of ``pack``
        (a short last batch) are left out."""
        m = self.pack
        if m == 1:
            return x
        x = tf.convert_to_tensor(x)
        rank = x.shape.rank
        groups = tf.shape(x)[0] // m
        grouped = tf.reshape(x[: groups * m], tf.concat([[groups, m], tf.shape(x)[1:]], 0))
        # (groups, m, ..., C) -> (groups, ..., m, C) -> (groups, ..., m * C)
        order = [0, *range(2, rank), 1, rank]
        moved = tf.transpose(grouped, order)
        return tf.reshape(moved, tf.concat([[groups], tf.shape(x)[1:-1], [m * x.shape[-1]]], 0))

    # ----------------------------------------------------------------- prior
    @property
    def prior(self):
        """The noise distribution p(z); settable to a name or a distribution."""
        return self._prior

    @prior.setter
    def prior(self, value):
        self._prior = priors.get(value, self.latent_dim)

    def _require_prior(self):
        if self._prior is None:
            raise ValueError(
                "this GAN was saved with a custom prior, which a .keras file cannot hold; "
                "set gan.prior = <your tfp distribution> after loading."
            )

    def sample_latent(self, n, seed):
        """n latent vectors from the prior, for a stateless seed (an int or a [2] tensor)."""
        self._require_prior()
        if isinstance(seed, int | np.integer):
            seed = (int(seed), 0)
        return self._prior.sample(n, seed=seed)

    def _noise(self, n, seed, index):
        """z for discriminator slice ``index`` of the step whose seed is ``seed``."""
        z = self._prior.sample(n, seed=seeds.fold(seed, "noise", index))
        return tf.cast(z, self.compute_dtype)

    # ----------------------------------------------------------------- the core's parts
    def _generator_variables(self):
        return self.generator.trainable_variables

    def _discriminator_variables(self):
        return self.discriminator.trainable_variables

    def _compiled(self):
        if self.unroll_steps:
            self._rule = UpdateRule(
                self.discriminator_optimizer, self.discriminator.trainable_variables
            )

    def _averaged_pairs(self):
        return [(self.ema_generator, self.generator)] if self.ema else []

    def _range_networks(self):
        return self.generator

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """``keras.Model.fit`` after the checks that save a wasted run (``AdversarialCore.fit``):
        data the discriminator cannot take, a batch smaller than ``discriminator_steps``,
        data outside the generator's output range, a prior a ``.keras`` file could not hold."""
        if self.generator_optimizer is not None:
            self._require_prior()
        return super().fit(x, y, batch_size, **kwargs)

    # ----------------------------------------------------------------- the objectives
    def _discriminator_objective(
        self, real, fake, condition, seed, training, weights=None, lazy=False
    ):
        """D's loss on one slice, the penalties included, as its update, the unrolled
        look-ahead and ``test_step`` all take it. ``seed`` is the penalties' (the gradient
        penalty's interpolation); ``weights`` as for ``_discriminate``; ``lazy``: each penalty
        of ``every=n`` only on every n-th update of D (D's update passes it), scaled by n.

        Returns ``(loss, penalties, real_output, fake_output, metrics)``, ``penalties`` a
        dict of the terms added to the loss.
        """

        def discriminate(x, index, batch_condition=condition):
            return self._discriminate(
                x, batch_condition, training, weights, self._augment_seed(seed, index)
            )

        real_output = discriminate(real, 0)
        fake_output = discriminate(fake, 1)
        extra = {
            name: discriminate(x, 3 + i, batch_condition)
            for i, (name, (x, batch_condition)) in enumerate(self._extra_batches(condition).items())
        }
        loss, metrics = self._discriminator_loss(real_output, fake_output, condition, extra)

        def critic_for(augmented_as):
            index = penalties.AUGMENTED_AS.index(augmented_as)  # real 0, fake 1, interpolates 2
            return lambda x: self._gan_logits(discriminate(x, index))

        terms = self._penalty_terms(critic_for, real, fake, seed, lazy)
        for term in terms.values():
            loss = loss + term
        if weights is None:  # the look-ahead's weights are tensors, not D's variables
            loss = self._with_regularization(loss, self.discriminator)
        metrics = {**metrics, **self._sample_loss(real, fake, condition)[1]}
        return loss, terms, real_output, fake_output, metrics

    def _unrolled_weights(self, real, fake, condition, seed, training):
        """D's weights ``unroll_steps`` updates ahead, as tensors that depend on ``fake``
        (and so on the generator); None without unrolling. The updates apply the
        discriminator optimizer's own rule from its current state."""
        variables = self.discriminator.trainable_variables
        if not self.unroll_steps or not variables:
            return None
        weights = [v.value for v in variables]
        frozen = [v.value for v in self.discriminator.non_trainable_variables]
        state = self._rule.initial_state()
        for step in range(self.unroll_steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                loss = self._discriminator_objective(
                    real, fake, condition, seeds.fold(seed, "unroll", step), training,
                    (weights, frozen),
                )[0]  # fmt: skip
            grads = tape.gradient(loss, weights, unconnected_gradients="zero")
            # An embedding's gradient (a conditional D) is sparse; the rule adds densely.
            grads = [tf.convert_to_tensor(g) for g in grads]
            weights, state = self._rule.step(weights, grads, state, step)
            if self.clip_weights is not None:
                weights = [
                    tf.clip_by_value(w, -self.clip_weights, self.clip_weights) for w in weights
                ]
        return weights, frozen

    def _generator_objective(self, fake, real, condition, seed, training, outputs=None):
        """The generator's loss on ``fake``, as ``train_step`` optimises it and
        ``test_step`` reports it: against the unrolled discriminator when unrolling.
        ``outputs``: D's ``(fake_output, real_output)`` on its current weights, when the
        caller has them already."""
        weights = self._unrolled_weights(real, fake, condition, seed, training)
        if outputs is None or weights is not None:
            augment_seed = self._augment_seed(seed, 1)
            fake_output = self._discriminate(fake, condition, training, weights, augment_seed)
            real_output = None
            if self._generator_needs_real:
                augment_seed = self._augment_seed(seed, 0)
                real_output = self._discriminate(real, condition, training, weights, augment_seed)
        else:
            fake_output, real_output = outputs
        loss = self._generator_loss(fake_output, real_output, condition)
        sample_loss = self._sample_loss(real, fake, condition)[0]
        loss = loss if sample_loss is None else loss + sample_loss
        return self._with_regularization(loss, self.generator)

    # ----------------------------------------------------------------- the step
    def _discriminator_update(self, real, fake, condition, seed, scale):
        """One discriminator step; returns its metrics: d_loss (with the penalty), ...."""
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            loss, terms, real_output, fake_output, metrics = self._discriminator_objective(
                real, fake, condition, seed, training=True, lazy=True
            )
            scaled = self.discriminator_optimizer.scale_loss(loss * scale)
        self._apply(self.discriminator_optimizer, tape, scaled, variables)
        if variables and self.clip_weights is not None:
            penalties.clip_weights(variables, self.clip_weights)
        if self._adaptive:
            self._adapt_probability(real, real_output)
        reported = self._reported(loss, real)  # NaN for a batch holding NaN or Inf
        return self._gan_metrics(reported, real_output, fake_output, terms, metrics)

    def _adapt_probability(self, real, real_output):
        """ADA's controller, after a discriminator update: pools r_t = E[sign(D(x_real))]
        over ``augment.interval`` updates (and over replicas), then moves p."""
        signs = tf.sign(tf.cast(self._gan_logits(real_output), tf.float32))
        local = [tf.reduce_sum(signs), tf.cast(tf.size(signs), tf.float32)]
        local.append(tf.cast(tf.shape(real)[0], tf.float32))
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            local = context.all_reduce("sum", local)
        signs, count, images = local
        sign_sum, total = self._augment_signs + signs, self._augment_count + count
        due = self.discriminator_optimizer.iterations % self.augment.interval == 0
        p = self.augment_probability
        p.assign(tf.where(due, self.augment.adjust(p, sign_sum, total, images), p))
        self._augment_signs.assign(tf.where(due, 0.0, sign_sum))
        self._augment_count.assign(tf.where(due, 0.0, total))

    def _gan_metrics(self, d_loss, real_output, fake_output, terms, extra):
        def mean_d(output):
            return tf.reduce_mean(tf.sigmoid(tf.cast(self._gan_logits(output), tf.float32)))

        adaptive = {"augment_p": tf.identity(self.augment_probability)} if self._adaptive else {}
        return {
            "d_loss": d_loss,
            "d_real": mean_d(real_output),
            "d_fake": mean_d(fake_output),
            **terms,
            **adaptive,
            **extra,
        }

    def train_step(self, data):
        seed = self._step_seed()
        real, condition = self._unpack(data, seeds.fold(seed, "data"), training=True)
        k = self.discriminator_steps
        m = tf.shape(real)[0] // k
        scale = self._replica_scale()
        slices = [(_rows(real, rows), _rows(condition, rows)) for rows in _slices(k, m)]

        def d_step(i, fake):
            real_i, condition_i = slices[i]
            penalty_seed = seeds.fold(seed, "penalty", i)
            return self._discriminator_update(real_i, fake, condition_i, penalty_seed, scale)

        for i in range(k - 1):
            fake = self._generate(self._noise(m, seed, i), slices[i][1], training=True)
            d_step(i, fake)
        # The last discriminator step shares the generator's forward pass with the
        # generator step: G runs k times per step, not k + 1.
        real_k, condition_k = slices[-1]
        with tf.GradientTape() as tape:
            fake = self._generate(self._noise(m, seed, k - 1), condition_k, training=True)
            with tape.stop_recording():
                metrics = d_step(k - 1, tf.stop_gradient(fake))
            g_loss = self._generator_objective(
                fake, real_k, condition_k, seeds.fold(seed, "unroll"), training=True
            )
            scaled = self.generator_optimizer.scale_loss(g_loss * scale)
        self._apply(self.generator_optimizer, tape, scaled, self.generator.trainable_variables)
        self._average_generators(tf.shape(real)[0])  # the step's images, all k slices
        return self._update_metrics({**metrics, "g_loss": g_loss}, tf.shape(real)[0])

    def test_step(self, data):
        """The losses and D's mean outputs on a batch, as ``train_step`` computes them
        (the penalty and the unrolled generator loss included), updating nothing."""
        # Noise from the current state without advancing it: evaluation changes nothing.
        seed = self._evaluation_seed()
        real, condition = self._unpack(data, seeds.fold(seed, "data"), training=False)
        fake = self._generate(self._noise(tf.shape(real)[0], seed, 0), condition, training=False)
        d_loss, terms, real_output, fake_output, extra = self._discriminator_objective(
            real, fake, condition, seeds.fold(seed, "penalty"), training=False
        )
        g_loss = self._generator_objective(
            fake, real, condition, seeds.fold(seed, "unroll"), False, (fake_output, real_output)
        )
        metrics = self._gan_metrics(d_loss, real_output, fake_output, terms, extra)
        return self._update_metrics({**metrics, "g_loss": g_loss}, tf.shape(real)[0])

    # ----------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """Samples from the generator's own inputs: ``gan(z)`` is ``gan.generator(z)``."""
        return self._generate(None, None, training, inputs=inputs)

    def default_labels(self, n):
        """The labels ``generate`` is given when a caller asks for no class: each class
        in turn for a conditional model, None for an unconditional one."""
        return None

    def generate(self, n, seed=None, *, labels=None, batch_size=1024, averaged=True):
        """n samples as a NumPy array; the same seed gives the same samples.

        ``labels`` (keyword only) are the classes of a conditional model's samples: one
        class id for all, or an array of n; an unconditional model takes none.
        ``averaged``: from ``ema_generator`` when the model averages its generator (the
        default), else from the live generator.
        """
        n = checks.integer(n, "n")
        return self._sample(n, seed, self._condition_for(n, labels), batch_size, averaged)

    def _sample(self, n, seed, condition, batch_size, averaged):
        """n samples for ``condition`` (None, or a nest of n rows), in batches."""
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        z = self.sample_latent(n, seed)
        batches = []
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            fake = self._generate(z[rows], _rows(condition, rows), False, averaged)
            batches.append(np.asarray(fake))
        return np.concatenate(batches)

    # ----------------------------------------------------------------- saving
    def get_config(self):
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "prior": None if self._prior is None else priors.name_of(self._prior),
            "loss": losses.serialize(self.objective),
            "discriminator_steps": self.discriminator_steps,
            "pack": self.pack,
            "clip_weights": self.clip_weights,
            "unroll_steps": self.unroll_steps,
            "augment": _serialized_augment(self.augment),
            **self._core_config(),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("augment"), dict):
            config["augment"] = keras.saving.deserialize_keras_object(
                config["augment"], custom_objects
            )
        return super().from_config(config, custom_objects)

    # ----------------------------------------------------------------- serving contract
    def serving_directions(self):
        """The ``direction`` values ``serving_contract`` takes: none, one generator."""
        return ()

    def serving_contract(self, direction=None):
        """What an export serves (``tfgan_lite.serving``): samples from ``z`` (and
        ``labels`` for a conditional model) through the averaged generator when the model
        averages, z drawn from the prior in the ``sample`` signature."""
        from tfgan_lite import priors, serving

        serving.refuse_direction(self, direction)
        inputs = [serving.Input("z", "float32", (self.latent_dim,), sample=self.sample_latent)]
        if self.conditional:
            inputs.append(serving.Input("labels", "int32", (), num_classes=self.num_classes))

        def compute(tensors):
            return self._generate(tensors["z"], tensors.get("labels"), False, averaged=True)

        return serving.Contract(
            kind=serving.GENERATOR,
            name=type(self).__name__,
            inputs=inputs,
            output=serving.Output("samples", tuple(self.sample_shape)),
            compute=compute,
            network=self.ema_generator if self.ema else self.generator,
            generator=serving.averaged_text(self.ema),
            metadata={
                "latent_dim": self.latent_dim,
                "prior": None if self.prior is None else priors.name_of(self.prior),
                "num_classes": self.num_classes if self.conditional else None,
                "categorical_codes": None,
                "continuous_codes": None,
                "sample_shape": list(self.sample_shape),
            },
            check_sampling=self._require_prior,
        )


def _serialized_augment(augment):
    """``augment`` as a .keras config holds it: None, a DiffAugment's config, or a
    registered function's name."""
    if augment is None or isinstance(augment, augmentation.DiffAugment):
        return None if augment is None else keras.saving.serialize_keras_object(augment)
    if keras.saving.get_registered_object(keras.saving.get_registered_name(augment)) is not augment:
        raise ValueError(
            f"augment={augment!r} is not registered, so it cannot be saved; decorate it with "
            "@keras.saving.register_keras_serializable(), or use a tfgan_lite.augment.DiffAugment."
        )
    return keras.saving.serialize_keras_object(augment)


def _slices(k, m):
    """The rows of the k discriminator slices of a batch of k * m (or more) examples."""
    return [slice(i * m, (i + 1) * m) for i in range(k)]
