"""``GAN``: a Keras model whose train step is Algorithm 1 of Goodfellow et al. 2014.

One train step draws noise from the prior, makes ``discriminator_steps`` (k) updates of
the discriminator, then one update of the generator, each network with its own
optimizer. The variants (conditional, semi-supervised, unrolled) override the small
hooks below, never the step itself:

* ``_unpack(data, seed, training)``: the real batch and its condition (labels, or any
  nest of tensors with a leading batch axis), from what ``fit`` or ``evaluate`` feeds;
* ``_generate(z, condition, training)`` and ``_discriminate(x, condition, training)``;
* ``_gan_logits(output)``: the real-vs-fake logit from the discriminator's output;
* ``_discriminator_loss(real_output, fake_output, real, condition)``: the loss and a dict
  of extra metrics (named in ``_metric_names``);
* ``_generator_loss(fake, real, condition)``;
* ``_check_data(x, y, batch_size)``: what ``fit`` refuses before the first step.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import losses, penalties, priors


def _default_optimizer():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def _rows(structure, rows):
    """The rows ``rows`` (a slice) of every tensor in a nest; None stays None."""
    return tf.nest.map_structure(lambda t: None if t is None else t[rows], structure)


def _multi_worker(strategy):
    """Whether Keras reduces a step's logs across workers (as its own check does, in
    keras/src/backend/tensorflow/trainer.py: ``_collective_all_reduce_multi_worker``)."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        strategy.extended._in_multi_worker_mode()
    )


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


@keras.saving.register_keras_serializable(package="tfgan_lite")
class GAN(keras.Model):
    """A generative adversarial network trained with ``compile`` and ``fit``.

    Args:
        generator: a ``keras.Model`` from latent vectors ``(batch, latent_dim)`` to samples.
        discriminator: a ``keras.Model`` from samples to logits, shape ``(batch, 1)`` or
            ``(batch,)``; D(x) = sigmoid(logit). No sigmoid at the end.
        latent_dim: the size of z.
        prior: ``"normal"``, ``"uniform"`` (on [-1, 1]), ``"truncated_normal"``, or a
            ``tfp.distributions.Distribution`` with event shape ``[latent_dim]``.
        loss: an objective name from ``tfgan_lite.losses.names()`` or an ``Objective``.
        discriminator_steps: k, discriminator updates per generator update. Each
            discriminator update gets its own slice of the batch ``fit`` delivers, as in
            Algorithm 1, so a step consumes ``batch_size = k * m`` examples for
            minibatches of m.
        gradient_penalty: lambda of WGAN-GP (0 for none).
        clip_weights: c of WGAN: discriminator weights are clipped to [-c, c] after every
            discriminator update (None for none).
        seed: seeds the noise of training; None picks one at random.

    ``gan.conditional`` says whether both networks take class labels (``ConditionalGAN``).

    ``fit`` reports ``d_loss`` (with the penalty), ``g_loss``, ``d_real`` and ``d_fake``
    (the mean of D(x) = sigmoid(logit) on real and on generated examples) and, with a
    gradient penalty, ``gradient_penalty``.
    """

    conditional = False

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
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise ValueError(
                    f"{name} must be a keras.Model (Sequential, functional or subclassed), "
                    f"got {type(model).__name__}."
                )
        if not isinstance(latent_dim, int | np.integer) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
        if not isinstance(discriminator_steps, int | np.integer) or discriminator_steps < 1:
            raise ValueError(
                f"discriminator_steps must be an integer >= 1 (k of Algorithm 1), "
                f"got {discriminator_steps!r}."
            )
        if gradient_penalty is None or gradient_penalty < 0:
            raise ValueError(
                f"gradient_penalty must be >= 0 (0 turns it off), got {gradient_penalty!r}."
            )
        if clip_weights is not None and not clip_weights > 0:
            raise ValueError(f"clip_weights must be > 0 or None, got {clip_weights!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.objective = losses.get(loss)
        self._prior = None if prior is None else priors.get(prior, self.latent_dim)
        self.discriminator_steps = int(discriminator_steps)
        self.gradient_penalty = float(gradient_penalty)
        self.clip_weights = None if clip_weights is None else float(clip_weights)
        self.seed = int(np.random.randint(2**31 - 1)) if seed is None else int(seed)
        # Counts the steps that drew noise; saved with the model, so a loaded model
        # goes on with the noise it would have drawn.
        self.noise_step = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="noise_step",
            aggregation="only_first_replica",
        )
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._metric_names()}
        self.sample_shape = self._check_networks()
        self.built = True

    # ----------------------------------------------------------------- hooks
    def _metric_names(self):
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        return names + ["gradient_penalty"] if self.gradient_penalty else names

    def _unpack(self, data, seed, training):
        """The real batch from what fit feeds: x, or (x, y[, w]) whose y is ignored."""
        if isinstance(data, tuple | list):
            data = data[0]
        return data, None

    def _generate(self, z, condition, training):
        return self.generator(z, training=training)

    def _discriminate(self, x, condition, training):
        return self.discriminator(x, training=training)

    def _gan_logits(self, output):
        return output

    def _discriminator_loss(self, real_output, fake_output, real, condition):
        loss = self.objective.discriminator_loss(
            self._gan_logits(real_output), self._gan_logits(fake_output)
        )
        return loss, {}

    def _generator_loss(self, fake, real, condition):
        fake_output = self._discriminate(fake, condition, training=True)
        return self.objective.generator_loss(self._gan_logits(fake_output))

    def _probe_condition(self, n):
        return None

    # ----------------------------------------------------------------- checks
    def _check_networks(self):
        """Calls both networks once on zeros; returns the generator's sample shape."""
        inputs = getattr(self.generator, "_inputs_struct", None)
        if isinstance(inputs, keras.KerasTensor) and inputs.shape[-1] not in (
            None,
            self.latent_dim,
        ):
            raise ValueError(
                f"generator takes inputs of shape {_shape_str(inputs.shape)} but "
                f"latent_dim={self.latent_dim}; set latent_dim={inputs.shape[-1]} or give the "
                f"generator an input of shape ({self.latent_dim},)."
            )
        z = tf.zeros([2, self.latent_dim])
        condition = self._probe_condition(2)
        try:
            fake = self._generate(z, condition, training=False)
        except Exception as error:
            raise ValueError(
                f"generator cannot be called on z of shape (batch, {self.latent_dim}): {error}\n"
                f"Make its input take latent_dim={self.latent_dim} features."
            ) from error
        if not isinstance(fake, tf.Tensor | np.ndarray):
            raise ValueError(
                f"generator must return one tensor of samples, got {type(fake).__name__}."
            )
        sample_shape = tuple(fake.shape[1:])
        try:
            logits = self._discriminate(fake, condition, training=False)
        except Exception as error:
            raise ValueError(
                f"discriminator cannot take the generator's samples of shape "
                f"{_shape_str(sample_shape)}: {error}\nMake the discriminator's input shape "
                f"{_shape_str(sample_shape)}, or change the generator's output to the data's shape."
            ) from error
        self._check_discriminator_output(tuple(logits.shape[1:]))
        last = getattr(self.discriminator, "layers", [None])[-1:]
        activation = getattr(last[0], "activation", None) if last else None
        if activation in (keras.activations.sigmoid, keras.activations.softmax):
            raise ValueError(
                f"discriminator ends in a {activation.__name__}, but tfgan_lite's objectives "
                "take logits (D(x) = sigmoid(logit) is applied inside the losses); remove the "
                "activation."
            )
        return sample_shape

    def _check_discriminator_output(self, shape):
        if shape not in ((), (1,)):
            raise ValueError(
                f"discriminator must return one logit per example, shape (batch, 1) or (batch,), "
                f"but returns {_shape_str(shape)} per example; end it with "
                "keras.layers.Dense(1) and no activation."
            )

    def _check_data(self, x, y, batch_size):
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            spec = spec[0] if isinstance(spec, tuple | list) else spec
            shape = tuple(spec.shape[1:]) if hasattr(spec, "shape") else None
        elif x is None or isinstance(x, dict):
            shape = None
        else:
            shape = tuple(np.shape(x[0] if isinstance(x, tuple | list) else x)[1:])
        if shape is not None and (
            len(shape) != len(self.sample_shape)
            or any(
                a is not None and b is not None and a != b
                for a, b in zip(shape, self.sample_shape, strict=False)
            )
        ):
            raise ValueError(
                f"x holds examples of shape {_shape_str(shape)} but the generator makes samples of "
                f"shape {_shape_str(self.sample_shape)}, which is what the discriminator takes; "
                f"reshape the data to (num_examples,) + {_shape_str(self.sample_shape)} or change "
                "the generator's output shape."
            )
        if batch_size is not None and batch_size < self.discriminator_steps:
            raise ValueError(
                f"batch_size={batch_size} is smaller than discriminator_steps="
                f"{self.discriminator_steps}; each discriminator step takes batch_size // k "
                f"examples, so use batch_size = k * m (e.g. {self.discriminator_steps * 64})."
            )

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

        Optimizers may be instances, names or configs; they are built on the networks'
        variables here so that training under ``tf.distribute`` works. Under the
        ``mixed_float16`` policy each is wrapped in a ``LossScaleOptimizer``. ``jit_compile``
        is Keras's: ``"auto"`` compiles the whole GAN step with XLA on accelerators and not
        on CPU, where XLA made both benchmark steps slower (``benchmarks/speed.py``); ``True``
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
                optimizer = _default_optimizer()
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
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)
        self._gan_compile_config = {
            "generator_optimizer": keras.optimizers.serialize(self.generator_optimizer),
            "discriminator_optimizer": keras.optimizers.serialize(self.discriminator_optimizer),
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    def get_compile_config(self):
        return getattr(self, "_gan_compile_config", None)

    def compile_from_config(self, config):
        self.compile(
            generator_optimizer=keras.optimizers.deserialize(config["generator_optimizer"]),
            discriminator_optimizer=keras.optimizers.deserialize(config["discriminator_optimizer"]),
            jit_compile=config.get("jit_compile", "auto"),
            steps_per_execution=config.get("steps_per_execution"),
        )

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        if self.generator_optimizer is None:
            raise ValueError(
                "fit was called before compile; call gan.compile(generator_optimizer=..., "
                "discriminator_optimizer=...) first."
            )
        self._require_prior()
        self._check_data(x, y, batch_size)
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a dataset shuffles itself
        return super().fit(x, y, batch_size=batch_size, **kwargs)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras 3.15 starts fit/evaluate under a strategy by strategy.reduce("MEAN", batch)
        # on the first PerReplica batch, to build the model symbolically; under
        # MultiWorkerMirroredStrategy that reduce fails for a batch that is a tuple, such as
        # (x, y) or a conditional GAN's (x, labels) (keras-team/keras issue 20585). A GAN
        # has nothing left to build (the networks are built in __init__, both optimizers
        # in compile), so skip it there; otherwise Keras's own path runs unchanged.
        built = all(layer.built for layer in self._flatten_layers()) and all(
            optimizer is not None and optimizer.built
            for optimizer in (self.generator_optimizer, self.discriminator_optimizer)
        )
        if built and _multi_worker(self.distribute_strategy):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    # ----------------------------------------------------------------- the step
    @property
    def metrics(self):
        return list(self._trackers.values())

    def _step_seed(self):
        """A fresh stateless seed for this step, different on every replica."""
        step = self.noise_step.value
        self.noise_step.assign_add(1)
        seed = tf.cast(tf.stack([self.seed, step]), tf.int32)
        replica = tf.distribute.get_replica_context()
        replica_id = 0 if replica is None else replica.replica_id_in_sync_group
        return tf.random.experimental.stateless_fold_in(seed, replica_id)

    def _sample_z(self, n, seed):
        return tf.cast(self._prior.sample(n, seed=seed), self.compute_dtype)

    def _discriminator_update(self, real, fake, condition, seed, scale):
        """One discriminator step; returns its metrics: d_loss (with the penalty), ...."""
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_output = self._discriminate(real, condition, training=True)
            fake_output = self._discriminate(fake, condition, training=True)
            loss, metrics = self._discriminator_loss(real_output, fake_output, real, condition)
            penalty = tf.zeros([])
            if self.gradient_penalty:
                penalty = penalties.gradient_penalty(
                    lambda x: self._gan_logits(self._discriminate(x, condition, training=True)),
                    real,
                    fake,
                    seed,
                    self.gradient_penalty,
                )
                loss = loss + penalty
            scaled = self.discriminator_optimizer.scale_loss(loss * scale)
        if variables:
            grads = tape.gradient(scaled, variables)
            self.discriminator_optimizer.apply(grads, variables)
            if self.clip_weights is not None:
                penalties.clip_weights(variables, self.clip_weights)
        # A batch holding NaN or Inf is reported as a NaN d_loss even where ReLU layers swallow
        # it (max(NaN, 0) is 0 on CPU), so TerminateOnNonFinite stops on bad data too.
        finite = tf.reduce_all(tf.math.is_finite(tf.cast(real, tf.float32)))
        reported = tf.where(finite, loss, tf.constant(float("nan"), loss.dtype))
        return self._gan_metrics(reported, real_output, fake_output, penalty, metrics)

    def _gan_metrics(self, d_loss, real_output, fake_output, penalty, extra):
        def mean_d(output):
            return tf.reduce_mean(tf.sigmoid(tf.cast(self._gan_logits(output), tf.float32)))

        return {
            "d_loss": d_loss,
            "d_real": mean_d(real_output),
            "d_fake": mean_d(fake_output),
            "gradient_penalty": penalty,
            **extra,
        }

    def train_step(self, data):
        seed = self._step_seed()
        data_seed = tf.random.experimental.stateless_fold_in(seed, 2**20)
        real, condition = self._unpack(data, data_seed, training=True)
        k = self.discriminator_steps
        m = tf.shape(real)[0] // k
        strategy = tf.distribute.get_strategy()
        scale = 1.0 / strategy.num_replicas_in_sync

        def minibatch(t, i):
            return _rows(t, slice(i * m, (i + 1) * m))

        def d_step(i, fake):
            return self._discriminator_update(
                minibatch(real, i),
                fake,
                minibatch(condition, i),
                tf.random.experimental.stateless_fold_in(seed, 2 * i + 1),
                scale,
            )

        def noise(i):
            return self._sample_z(m, tf.random.experimental.stateless_fold_in(seed, 2 * i))

        for i in range(k - 1):
            fake = self._generate(noise(i), minibatch(condition, i), training=True)
            d_step(i, fake)
        # The last discriminator step shares the generator's forward pass with the
        # generator step: G runs k times per step, not k + 1.
        condition_k = minibatch(condition, k - 1)
        with tf.GradientTape() as tape:
            fake = self._generate(noise(k - 1), condition_k, training=True)
            with tape.stop_recording():
                metrics = d_step(k - 1, tf.stop_gradient(fake))
            g_loss = self._generator_loss(fake, minibatch(real, k - 1), condition_k)
            scaled = self.generator_optimizer.scale_loss(g_loss * scale)
        variables = self.generator.trainable_variables
        if variables:
            grads = tape.gradient(scaled, variables)
            self.generator_optimizer.apply(grads, variables)
        return self._update_metrics({**metrics, "g_loss": g_loss}, tf.shape(real)[0])

    def _update_metrics(self, values, batch_size):
        """Updates the trackers, each value weighted by the batch size, or by the weight
        given with it as a ``(value, weight)`` pair, so that epoch means are exact."""
        for name, tracker in self._trackers.items():
            value = values[name]
            value, weight = value if isinstance(value, tuple) else (value, batch_size)
            tracker.update_state(value, sample_weight=tf.cast(weight, tf.float32))
        logs = {name: tracker.result() for name, tracker in self._trackers.items()}
        if _multi_worker(tf.distribute.get_strategy()):
            # Keras 3.15 reduces the logs of a step under MultiWorkerMirroredStrategy with
            # strategy.reduce("MEAN", v, axis=0), which fails on scalars (keras-team/keras
            # issue 20585): give it rank-1 logs, which it reduces back to scalars.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def test_step(self, data):
        """The losses and D's mean outputs on a batch, without updating anything."""
        # Noise from the current state without advancing it: evaluation changes nothing.
        seed = tf.cast(tf.stack([self.seed, -1 - self.noise_step.value]), tf.int32)
        real, condition = self._unpack(data, seed, training=False)
        fake = self._generate(self._sample_z(tf.shape(real)[0], seed), condition, training=False)
        real_output = self._discriminate(real, condition, training=False)
        fake_output = self._discriminate(fake, condition, training=False)
        d_loss, extra = self._discriminator_loss(real_output, fake_output, real, condition)
        g_loss = self.objective.generator_loss(self._gan_logits(fake_output))
        metrics = self._gan_metrics(d_loss, real_output, fake_output, tf.zeros([]), extra)
        return self._update_metrics({**metrics, "g_loss": g_loss}, tf.shape(real)[0])

    def call(self, inputs, training=False):
        """Samples from latent vectors: ``gan(z)`` is ``gan.generator(z)``."""
        return self.generator(inputs, training=training)

    def generate(self, n, seed=None, batch_size=1024):
        """n samples as a NumPy array; the same seed gives the same samples."""
        return self._generate_batches(n, None, seed, batch_size)

    def _generate_batches(self, n, condition, seed, batch_size):
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))
        z = self.sample_latent(n, seed)
        batches = []
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            fake = self._generate(z[rows], _rows(condition, rows), training=False)
            batches.append(np.asarray(fake))
        return np.concatenate(batches)

    # ----------------------------------------------------------------- saving
    def get_config(self):
        objective = self.objective.name
        if objective not in losses.names():
            raise ValueError(
                f"the objective {self.objective!r} is not registered, so it cannot be saved; "
                "decorate its class with @tfgan_lite.losses.register."
            )
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "prior": None if self._prior is None else priors.name_of(self._prior),
            "loss": objective,
            "discriminator_steps": self.discriminator_steps,
            "gradient_penalty": self.gradient_penalty,
            "clip_weights": self.clip_weights,
            "seed": self.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("generator", "discriminator", "classifier"):
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects)
        return cls(**config)
