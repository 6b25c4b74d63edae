"""``AdversarialCore``: the machinery every adversarial model shares, whatever its networks.

``GAN`` (one generator and one discriminator, Algorithm 1's step) and ``CycleGAN`` (two
pairs) are built on it; a later model with several networks is too. The core owns:

* ``compile``: the two optimizers (one over every generator's variables, one over every
  discriminator's), built on their variables so that ``tf.distribute`` works, wrapped in a
  ``LossScaleOptimizer`` under ``mixed_float16``; ``steps_per_execution`` 50 on one device.
* ``fit``: refuses an uncompiled model and data the networks cannot take or outside the
  generator's output range (an array before the first step, a dataset batch by batch as
  it streams), and trains exactly ``steps_per_epoch`` steps.
* the metric trackers, exact epoch means, and a NaN ``d_loss`` for a batch holding NaN/Inf;
* the step's stateless seed (``noise_step``, saved with the model, so resumes are exact);
* the networks' own losses (weight regularizers, ``add_loss``), added to each side's loss;
* the penalties (``tfgan_lite.penalties``): weighted, lazy, logged by name;
* the generator average (``ema``, or ``ema_half_life`` in images);
* the config every model shares (penalties, averaging, seed, name).

A model on the core provides ``_generator_variables``, ``_discriminator_variables``,
``_metric_names``, ``_averaged_pairs`` (the (average, live) generators), ``_check_data``
and its ``train_step`` / ``test_step``; see ``GAN`` and ``CycleGAN``.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import penalties as penalty_objects
from tfgan_lite.data import pipeline
from tfgan_lite.models import averaging, boundary, keras_workarounds, seeds


def default_optimizer():
    """DCGAN's Adam(2e-4, beta_1=0.5), each network's default."""
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


class AdversarialCore(keras.Model):
    """The shared base of the adversarial models; not used on its own.

    Args (as every model on the core takes them):
        penalties: a list of ``tfgan_lite.penalties.Penalty`` objects added to the
            discriminators' loss (see that module).
        gradient_penalty, r1_penalty, r2_penalty, penalty_every: the flat shorthand for
            ``GradientPenalty``, ``R1`` and ``R2`` (``penalties.from_keywords``); they build
            the same objects, ahead of the list.
        ema, ema_start, ema_ramp: the generator average (``tfgan_lite.models.averaging``).
        ema_half_life: the average by a half-life in training images instead of ``ema``'s
            decay (StyleGAN2-ADA's ``ema_kimg``); ``ema_ramp`` is then its ramp (a number,
            True for 0.05, False for none).
        seed: seeds everything the steps draw; None picks one at random.
    """

    # The config keys that hold networks, as __init__ names them.
    _network_keys = ()

    def __init__(
        self,
        *,
        penalties=None,
        gradient_penalty=0.0,
        r1_penalty=0.0,
        r2_penalty=0.0,
        penalty_every=1,
        ema=None,
        ema_start=0,
        ema_ramp=True,
        ema_half_life=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.penalties = penalty_objects.collect(
            penalties,
            gradient_penalty=gradient_penalty,
            r1_penalty=r1_penalty,
            r2_penalty=r2_penalty,
            penalty_every=penalty_every,
        )
        self.ema, self.ema_start, self.ema_ramp = averaging.check(
            ema, ema_start, ema_ramp, ema_half_life
        )
        # With a half-life, ``ema`` is an ``averaging.HalfLife`` (true, as a decay is).
        self.ema_half_life = None if ema_half_life is None else self.ema.images
        if self.ema_half_life is not None:
            # The training images of the steps so far, for the half-life's ramp.
            self.ema_images = self._counter("ema_images")
        self.seed = int(np.random.randint(2**31 - 1)) if seed is None else int(seed)
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self._trackers = {}

    def _add_step_counter(self):
        """``noise_step``, the count of steps that drew a seed; saved with the model, so a
        loaded model goes on with the randomness it would have drawn. Call in ``__init__``."""
        self.noise_step = self._counter("noise_step")

    def _counter(self, name):
        """A count kept as a model weight (saved in .keras files and checkpoints), the
        same on every replica."""
        return self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name=name,
            aggregation="only_first_replica",
        )

    def _make_trackers(self):
        """One ``keras.metrics.Mean`` per name of ``_metric_names``; call at the end of
        ``__init__``."""
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._metric_names()}

    def _penalty_names(self):
        return [penalty.name for penalty in self.penalties]

    # ----------------------------------------------------------------- what a model provides
    def _generator_variables(self):
        raise NotImplementedError

    def _discriminator_variables(self):
        raise NotImplementedError

    def _metric_names(self):
        raise NotImplementedError

    def _averaged_pairs(self):
        """The ``(average, live)`` generator pairs the average moves; [] without ``ema``."""
        return []

    def _check_data(self, x, y, batch_size):
        """Refuses data the networks cannot take before any step (a ValueError)."""

    def _range_networks(self):
        """The generator whose output range ``fit``'s dataset must lie in, or None."""
        return None

    # ----------------------------------------------------------------- compile
    def compile(
        self,
        generator_optimizer=None,
        discriminator_optimizer=None,
        jit_compile="auto",
        steps_per_execution=None,
        run_eagerly=False,
    ):
        """Set the two optimizers (default: Adam(2e-4, beta_1=0.5) each, as in DCGAN).

        Optimizers may be instances, names or configs; each is built on its networks'
        variables here so that training under ``tf.distribute`` works. Under the
        ``mixed_float16`` policy each is wrapped in a ``LossScaleOptimizer``. ``jit_compile``
        is Keras's: ``"auto"`` compiles the whole step with XLA on accelerators and not on
        CPU, where XLA made both benchmark steps slower (``benchmarks/speed.py``); ``True``
        forces it. ``steps_per_execution`` defaults to 50 train steps per compiled call on
        one device, not Keras's 1: measured on 2 CPU cores it halves the toy MLP step and
        takes 1-4% off the DCGAN step; batch-level callbacks then run every 50 steps. Inside
        a ``tf.distribute`` strategy's scope it defaults to 1: Keras 3.15's multi-step loop
        failed there ("You must feed a value for placeholder tensor") in our tests.
        """
        optimizers = []
        for name, optimizer in (
            ("generator_optimizer", generator_optimizer),
            ("discriminator_optimizer", discriminator_optimizer),
        ):
            if optimizer is None:
                optimizer = default_optimizer()
            try:
                optimizer = keras.optimizers.get(optimizer)
            except Exception as error:
                raise ValueError(
                    f"{name}={optimizer!r} is not a Keras optimizer: {error}"
                ) from error
            if self.dtype_policy.name == "mixed_float16" and not isinstance(
                optimizer, keras.optimizers.LossScaleOptimizer
            ):
                # float16 gradients underflow without loss scaling; Keras's own compile
                # wraps its optimizer the same way under this policy.
                optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
            optimizers.append(optimizer)
        if optimizers[0] is optimizers[1]:
            raise ValueError(
                "generator_optimizer and discriminator_optimizer are the same object; each "
                "network needs an optimizer of its own: pass two instances."
            )
        if steps_per_execution is None:
            steps_per_execution = 1 if tf.distribute.has_strategy() else 50
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        self.generator_optimizer, self.discriminator_optimizer = optimizers
        self.generator_optimizer.build(self._generator_variables())
        self.discriminator_optimizer.build(self._discriminator_variables())
        self._compiled()
        self._core_compile_config = {
            "generator_optimizer": keras.optimizers.serialize(self.generator_optimizer),
            "discriminator_optimizer": keras.optimizers.serialize(self.discriminator_optimizer),
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    def _compiled(self):
        """Runs at the end of ``compile``, with both optimizers built."""

    def get_compile_config(self):
        return getattr(self, "_core_compile_config", None)

    def compile_from_config(self, config):
        self.compile(
            generator_optimizer=keras.optimizers.deserialize(config["generator_optimizer"]),
            discriminator_optimizer=keras.optimizers.deserialize(config["discriminator_optimizer"]),
            jit_compile=config.get("jit_compile", "auto"),
            steps_per_execution=config.get("steps_per_execution"),
        )

    # ----------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """``keras.Model.fit`` after the checks that save a wasted run.

        Before any step it refuses data the networks cannot take, and data outside the
        range of the generator's last activation (tanh: [-1, 1], sigmoid: [0, 1]): an array
        is read before fit starts; a dataset is checked batch by batch as it streams
        (reading it beforehand would move its shuffle order), so a batch outside the range
        stops fit in the step that would take it, before that step's update, with the same
        ValueError. A dataset that does not end in a prefetch gets one. Every epoch trains
        exactly ``steps_per_epoch`` steps: where the compiled ``steps_per_execution`` does
        not divide it, fit runs with the largest count that does (Keras 3.15 would round
        each epoch up to whole executions).
        """
        if self.generator_optimizer is None:
            raise ValueError(
                f"fit was called before compile; call {type(self).__name__.lower()}.compile("
                "generator_optimizer=..., discriminator_optimizer=...) first."
            )
        self._check_data(x, y, batch_size)
        with keras_workarounds.whole_executions(self, kwargs.get("steps_per_epoch")):
            return self._fit(x, y, batch_size, **kwargs)

    def _fit(self, x, y, batch_size, **kwargs):
        if not isinstance(x, tf.data.Dataset):
            return super().fit(x, y, batch_size=batch_size, **kwargs)
        kwargs.setdefault("shuffle", False)  # a dataset shuffles itself
        checked = self._range_checked(x)  # not read here: that moves its shuffle order
        try:
            # The next batch is made while this one trains.
            return super().fit(pipeline.prefetched(checked), y, batch_size=batch_size, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            message = boundary.range_refusal(error)
            if message is None:
                raise
            raise ValueError(message) from None

    def _range_checked(self, dataset):
        """``dataset`` with its examples checked against the generator's range as it
        streams (``boundary.range_checked``)."""
        return boundary.range_checked(self._range_networks(), dataset)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        optimizers = (self.generator_optimizer, self.discriminator_optimizer)
        if keras_workarounds.skip_symbolic_build(self, optimizers):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    # ----------------------------------------------------------------- the step's parts
    @property
    def metrics(self):
        return list(self._trackers.values())

    def _step_seed(self):
        """Advances the step counter; returns the new step's seed on this replica."""
        self.noise_step.assign_add(1)
        return seeds.step_seed(self.seed, self.noise_step.value)

    def _evaluation_seed(self):
        """The seed of ``evaluate`` from the current state, without advancing it."""
        return seeds.evaluation_seed(self.seed, self.noise_step.value)

    @staticmethod
    def _replica_scale():
        """1 / replicas: Keras sums the replicas' gradients of a mean loss."""
        return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync

    @staticmethod
    def _apply(optimizer, tape, scaled_loss, variables):
        """One update of ``variables`` by the (loss-scaled) loss recorded on ``tape``."""
        if variables:
            optimizer.apply(tape.gradient(scaled_loss, variables), variables)

    def _penalty_terms(self, critic_for, real, fake, seed, lazy):
        """Each penalty's weighted term on one discriminator update, by name.

        ``critic_for(augmented_as)`` gives the critic for a penalty's augmentation draw.
        ``lazy`` (the discriminator's own update): a penalty of ``every=n`` is computed on
        every n-th update only, n times its value, and is 0 between.
        """
        terms = {}
        step = self.discriminator_optimizer.iterations if self.discriminator_optimizer else 0
        for penalty in self.penalties:
            critic = critic_for(penalty.augmented_as)

            def term(penalty=penalty, critic=critic):
                return penalty.weight_at(step) * penalty.compute(critic, real, fake, seed)

            if lazy and penalty.every > 1:
                every = penalty.every
                due = step % every == 0
                terms[penalty.name] = tf.cond(
                    due, lambda t=term, n=every: n * t(), lambda: tf.zeros([])
                )
            else:
                terms[penalty.name] = term()
        return terms

    @staticmethod
    def _with_regularization(loss, *networks):
        """``loss`` plus the networks' own losses (a layer's ``kernel_regularizer`` or
        ``bias_regularizer``, ``add_loss``), which Keras's own ``fit`` adds to what it
        minimises; ``loss`` itself when they have none."""
        extra = [tf.cast(term, loss.dtype) for network in networks for term in network.losses]
        return loss if not extra else loss + tf.add_n(extra)

    @staticmethod
    def _reported(loss, *batches):
        """``loss``, or NaN where a batch holds NaN or Inf: ReLU layers can swallow them
        (max(NaN, 0) is 0 on CPU), and TerminateOnNonFinite should stop on bad data too."""
        finite = tf.reduce_all(
            [tf.reduce_all(tf.math.is_finite(tf.cast(x, tf.float32))) for x in batches]
        )
        return tf.where(finite, loss, tf.constant(float("nan"), loss.dtype))

    def _average_generators(self, images):
        """Moves each averaged generator towards its live one, after a generator update.

        ``images``: the training examples of this step on this replica, which the
        half-life average counts."""
        if not self.ema:
            return
        update = self.generator_optimizer.iterations
        if self.ema_half_life is None:
            beta = averaging.decay_at(self.ema, update, self.ema_start, self.ema_ramp)
        else:
            replicas = tf.distribute.get_strategy().num_replicas_in_sync
            images = tf.cast(images, tf.int64) * replicas
            seen = self.ema_images.value
            beta = averaging.half_life_decay_at(self.ema, images, seen, update, self.ema_start)
        for average, live in self._averaged_pairs():
            averaging.update(average, live, beta)
        if self.ema_half_life is not None:
            self.ema_images.assign_add(images)

    def _update_metrics(self, values, batch_size):
        """Updates the trackers, each value weighted by the batch size, or by the weight
        given with it as a ``(value, weight)`` pair, so that epoch means are exact."""
        for name, tracker in self._trackers.items():
            value = values[name]
            value, weight = value if isinstance(value, tuple) else (value, batch_size)
            tracker.update_state(value, sample_weight=tf.cast(weight, tf.float32))
        logs = {name: tracker.result() for name, tracker in self._trackers.items()}
        return keras_workarounds.reducible_logs(logs)

    # ----------------------------------------------------------------- saving
    def _core_config(self):
        """The config keys the core owns."""
        return {
            "penalties": penalty_objects.serialize(self.penalties),
            "ema": None if self.ema_half_life is not None else self.ema,
            "ema_start": self.ema_start,
            "ema_ramp": self.ema_ramp,
            "ema_half_life": self.ema_half_life,
            "seed": self.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.setdefault("ema", None)  # files from before averaging have none
        for key in cls._network_keys:
            config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects)
        if config.get("penalties"):
            config["penalties"] = [
                keras.saving.deserialize_keras_object(p, custom_objects)
                for p in config["penalties"]
            ]
        return cls(**config)
