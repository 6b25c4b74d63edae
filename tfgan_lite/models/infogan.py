"""``InfoGAN`` (Chen et al. 2016): structured latent codes the generator must keep readable.

Beside the noise z the generator gets codes c: categorical codes (one-hot, uniform over
their K values) and continuous codes (uniform on [-1, 1]). Its single input is z followed
by the one-hot categorical codes, in the order given, then the continuous codes:
``latent_dim + sum(categorical_codes) + continuous_codes`` features. The discriminator
shares its body with Q, the approximate posterior of the codes, and returns two outputs:
the real-vs-fake logit and one tensor q holding, in order, each categorical code's logits,
the continuous codes' means and, optionally, their log-variances.

The variational lower bound of the mutual information I(c; G(z, c)) is

    L_I = E[log Q(c | G(z, c))] + H(c)

with a softmax Q for each categorical code and a Gaussian for the continuous ones (unit
variance unless D returns log-variances). Both networks minimise their objective plus
``info_weight * (-E[log Q(c_cat | x)]) + continuous_weight * (-E[log Q(c_cont | x)])``,
x = G(z, c), where log Q(c_cat | x) is the SUM over the categorical codes and log Q(c_cont
| x) the SUM over the continuous codes' dimensions (H(c) is a constant and is left out of
the losses; the ``mutual_information`` metric reports L_I).

TF-GAN's ``mutual_information_penalty(structured_generator_inputs,
predicted_distributions, weights=w)`` (``tfgan_lite.losses.mutual_information_penalty``
computes it) AVERAGES instead: over its list of n distributions, and over the dimensions
of a ``Normal``. With the usual list, one ``Categorical`` per categorical code and one
``Normal`` over the d continuous codes, TF-GAN's weight w is ``info_weight = w / n`` and
``continuous_weight = w / (n * d)`` here:

* one categorical code alone (n = 1): ``info_weight = w``;
* continuous codes alone (one Normal over d codes, n = 1): ``continuous_weight = w / d``;
* one categorical code and d continuous codes (n = 2, TF-GAN's MNIST InfoGAN):
  ``info_weight = w / 2``, ``continuous_weight = w / (2 * d)``.

(A ``Normal`` per continuous code counts each in n: ``continuous_weight = w / n``.) On
TF-GAN's test vector (one categorical and one continuous code) the penalty with weights 1
is 3.2322 here and 1.61610 in TF-GAN: ``info_weight = continuous_weight = 0.5`` gives
1.61610. TF-GAN adds the penalty, times ``mutual_information_penalty_weight``, to both
networks' losses, as here; ``tests/test_tfgan_loss_vectors.py`` checks the mapping.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.checks import shape_str
from tfgan_lite.models import boundary, seeds
from tfgan_lite.models.gan import GAN

_LOG_2PI = math.log(2 * math.pi)


def code_log_likelihood(q, categorical, continuous, categorical_codes, log_variances):
    """log Q(c | x) per example, shape ``(batch,)``: each categorical code's log-softmax at
    its value plus the Gaussian log-density of the continuous codes.

    Args:
        q: the Q head's output, ``(batch, sum(categorical_codes) + n * (1 + log_variances))``.
        categorical: int codes ``(batch, len(categorical_codes))``.
        continuous: float codes ``(batch, n)``.
        categorical_codes: the sizes of the categorical codes.
        log_variances: whether q ends with the continuous codes' log-variances.
    """
    q = tf.cast(q, tf.float32)
    total = tf.zeros([tf.shape(q)[0]])
    offset = 0
    for i, size in enumerate(categorical_codes):
        logits = q[:, offset : offset + size]
        offset += size
        total -= tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=categorical[:, i], logits=logits
        )
    n = continuous.shape[-1]
    if n:
        mean = q[:, offset : offset + n]
        log_variance = q[:, offset + n : offset + 2 * n] if log_variances else tf.zeros_like(mean)
        squared = tf.square(tf.cast(continuous, tf.float32) - mean) * tf.exp(-log_variance)
        total -= 0.5 * tf.reduce_sum(_LOG_2PI + log_variance + squared, axis=-1)
    return total


def code_entropy(categorical_codes, continuous_codes):
    """H(c) in nats: log K for each categorical code, log 2 for each uniform [-1, 1] code."""
    return float(sum(math.log(k) for k in categorical_codes) + continuous_codes * math.log(2.0))


@keras.saving.register_keras_serializable(package="tfgan_lite")
class InfoGAN(GAN):
    """A GAN whose generator also takes latent codes that D's Q head must recover.

    Args:
        generator: from ``(batch, latent_dim + sum(categorical_codes) + continuous_codes)``
            (z, then the one-hot categorical codes, then the continuous codes) to samples.
        discriminator: from samples to ``[logit, q]``, shapes ``(batch, 1)`` and ``(batch,
            sum(categorical_codes) + continuous_codes)``, or ``+ 2 * continuous_codes`` with
            the continuous codes' log-variances after their means.
            ``tfgan_lite.networks.infogan_dcgan`` and ``infogan_mlp`` build such a pair.
        latent_dim: the size of z, the incompressible noise.
        categorical_codes: the sizes of the categorical codes, e.g. ``[10]`` for one 10-way code.
        continuous_codes: how many continuous codes, uniform on [-1, 1].
        info_weight: lambda, the weight of the mutual-information penalty in both losses
            (Chen et al. use 1 for categorical codes). TF-GAN's ``weights`` w over n
            distributions is ``w / n`` (the module docstring says why).
        continuous_weight: lambda of the continuous codes' part of the penalty (None: the
            same as ``info_weight``). Chen et al. take it smaller for continuous codes;
            ``benchmarks/infogan.py`` uses 0.1, and says what 1 did on the digits.
            TF-GAN's w with one Normal over the d continuous codes is ``w / (n * d)``.
        **kwargs: ``GAN``'s (objective, penalties, ``discriminator_steps``, ``ema``, ...).

    ``fit(x)`` takes unlabeled examples (labels beside them are ignored). Every step draws
    its codes from their priors with the step's seed. ``generate(n, seed, codes=[...])``
    fixes codes: one entry per code, categorical codes first in the order given, then the
    continuous ones; an int class (or n of them) for a categorical code, a float (or n) for
    a continuous one, None to draw it from its prior. ``predict_codes(x)`` returns Q's
    reading of examples. ``fit`` and ``evaluate`` report ``mutual_information``, the lower
    bound L_I in nats on the generated batch (at most ``gan.code_entropy``), beside
    ``GAN``'s metrics.
    """

    _packable = False

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        categorical_codes=(10,),
        continuous_codes=0,
        info_weight=1.0,
        continuous_weight=None,
        **kwargs,
    ):
        if isinstance(categorical_codes, int | np.integer):
            categorical_codes = [categorical_codes]
        if not isinstance(categorical_codes, list | tuple):
            raise ValueError(
                f"categorical_codes must be a list of code sizes (each >= 2), e.g. [10], got "
                f"{categorical_codes!r}."
            )
        self.categorical_codes = [
            checks.integer(k, "categorical_codes", minimum=2, hint=" (each code's size)")
            for k in categorical_codes
        ]
        self.continuous_codes = checks.integer(continuous_codes, "continuous_codes", minimum=0)
        if not self.categorical_codes and not self.continuous_codes:
            raise ValueError(
                "an InfoGAN needs at least one code: give categorical_codes=[10] or "
                "continuous_codes=2 (for no codes, use GAN)."
            )
        for name, value in (("info_weight", info_weight), ("continuous_weight", continuous_weight)):
            if value is None and name == "continuous_weight":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}.")
        self.info_weight = float(info_weight)
        self._continuous_weight = continuous_weight
        self.continuous_weight = (
            self.info_weight if continuous_weight is None else float(continuous_weight)
        )
        self.code_size = sum(self.categorical_codes) + self.continuous_codes
        self.code_entropy = code_entropy(self.categorical_codes, self.continuous_codes)
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        # Whether Q returns the continuous codes' log-variances: read from its width (the
        # network check above has refused any other width).
        probe = self._generate(tf.zeros([1, self.latent_dim]), self._probe_condition(1), False)
        width = self._discriminate(probe, None, training=False)["q"].shape[-1]
        self.log_variances = bool(self.continuous_codes) and width > self.code_size

    # ----------------------------------------------------------------- codes
    def _generator_width(self):
        return self.latent_dim + self.code_size

    def _draw_codes(self, n, seed):
        """Codes from their priors for n samples, from a stateless seed."""
        categorical = [
            tf.random.stateless_uniform([n], seeds.fold(seed, "data", i), 0, k, dtype=tf.int32)
            for i, k in enumerate(self.categorical_codes)
        ]
        categorical = tf.stack(categorical, 1) if categorical else tf.zeros([n, 0], tf.int32)
        index = len(self.categorical_codes)
        continuous = tf.random.stateless_uniform(
            [n, self.continuous_codes], seeds.fold(seed, "data", index), -1.0, 1.0
        )
        return {"categorical": categorical, "continuous": continuous}

    def _unpack(self, data, seed, training):
        x = data[0] if isinstance(data, tuple | list) else data
        return x, self._draw_codes(tf.shape(x)[0], seed)

    def _generator_inputs(self, z, codes):
        parts = [z]
        for i, k in enumerate(self.categorical_codes):
            parts.append(tf.one_hot(codes["categorical"][:, i], k, dtype=z.dtype))
        if self.continuous_codes:
            parts.append(tf.cast(codes["continuous"], z.dtype))
        return tf.concat(parts, axis=-1)

    def _probe_condition(self, n):
        return {
            "categorical": tf.zeros([n, len(self.categorical_codes)], tf.int32),
            "continuous": tf.zeros([n, self.continuous_codes]),
        }

    # ----------------------------------------------------------------- D's outputs
    def _discriminator_outputs(self, raw):
        if not isinstance(raw, list | tuple) or len(raw) != 2:
            got = f"{len(raw)} outputs" if isinstance(raw, list | tuple) else "one tensor"
            raise ValueError(
                f"an InfoGAN's discriminator must return two outputs, [logit, q], but returns "
                f"{got}; give it a Dense(1) head and a Q head of {self.code_size} units "
                "(tfgan_lite.networks.infogan_dcgan or infogan_mlp)."
            )
        return {"logits": raw[0], "q": raw[1]}

    def _check_discriminator_output(self, output):
        boundary.one_logit(tuple(output["logits"].shape[1:]))
        shape = tuple(output["q"].shape[1:])
        widths = (self.code_size, self.code_size + self.continuous_codes)
        if len(shape) != 1 or shape[0] not in widths[: 1 + bool(self.continuous_codes)]:
            with_variances = (
                f", or {widths[1]} with the continuous codes' log-variances"
                if self.continuous_codes
                else ""
            )
            raise ValueError(
                f"an InfoGAN's Q head (the discriminator's second output) must have "
                f"{self.code_size} units per example (sum(categorical_codes) = "
                f"{sum(self.categorical_codes)} logits, then {self.continuous_codes} means"
                f"{with_variances}), but has shape {shape_str(shape)}; end it with "
                f"keras.layers.Dense({self.code_size})."
            )

    def _gan_logits(self, output):
        return output["logits"]

    # ----------------------------------------------------------------- losses
    def _metric_names(self):
        return super()._metric_names() + ["mutual_information"]

    def _log_q(self, output, codes):
        """E[log Q(c|x)] of the categorical codes and of the continuous ones, apart."""
        q, split = output["q"], sum(self.categorical_codes)
        categorical = code_log_likelihood(
            q[:, :split],
            codes["categorical"],
            codes["continuous"][:, :0],
            self.categorical_codes,
            False,
        )
        continuous = code_log_likelihood(
            q[:, split:],
            codes["categorical"][:, :0],
            codes["continuous"],
            [],
            self.log_variances,
        )
        return tf.reduce_mean(categorical), tf.reduce_mean(continuous)

    def _penalty(self, output, codes):
        """The weighted penalty -(lambda_cat E log Q_cat + lambda_cont E log Q_cont), and
        E log Q(c|x) for the bound L_I."""
        categorical, continuous = self._log_q(output, codes)
        penalty = -(self.info_weight * categorical + self.continuous_weight * continuous)
        return penalty, categorical + continuous

    def _discriminator_loss(self, real_output, fake_output, codes, extra_outputs):
        loss, _ = super()._discriminator_loss(real_output, fake_output, codes, extra_outputs)
        penalty, log_q = self._penalty(fake_output, codes)
        return loss + penalty, {"mutual_information": self.code_entropy + log_q}

    def _generator_loss(self, fake_output, real_output, codes):
        loss = super()._generator_loss(fake_output, real_output, codes)
        return loss + self._penalty(fake_output, codes)[0]

    # ----------------------------------------------------------------- use
    def _codes_for(self, n, codes, seed):
        """The condition for ``generate``: ``codes`` checked, None entries drawn."""
        count = len(self.categorical_codes) + self.continuous_codes
        codes = [None] * count if codes is None else codes
        if not isinstance(codes, list | tuple) or len(codes) != count:
            raise ValueError(
                f"codes must be a list of {count} entries, one per code (the "
                f"{len(self.categorical_codes)} categorical codes first, then the "
                f"{self.continuous_codes} continuous ones), each a value, n values or None; "
                f"got {codes!r}."
            )
        drawn = self._draw_codes(n, tf.constant([seed, 1], tf.int32))
        categorical = np.asarray(drawn["categorical"]).copy()
        continuous = np.asarray(drawn["continuous"]).copy()
        for i, value in enumerate(codes):
            if value is None:
                continue
            value = np.broadcast_to(np.asarray(value), (n,)) if np.ndim(value) == 0 else value
            if i < len(self.categorical_codes):
                k = self.categorical_codes[i]
                categorical[:, i] = checks.labels(
                    value, f"codes[{i}]", k, n, model=f"categorical code {i} (size {k})"
                )
            else:
                value = np.asarray(value, np.float32)
                if value.shape != (n,) or not np.all(np.isfinite(value)):
                    raise ValueError(
                        f"codes[{i}] (a continuous code) must be a finite float or {n} of "
                        f"them, got shape {shape_str(value.shape)}."
                    )
                continuous[:, i - len(self.categorical_codes)] = value
        return {"categorical": tf.constant(categorical), "continuous": tf.constant(continuous)}

    def generate(self, n, seed=None, *, codes=None, labels=None, batch_size=1024, averaged=True):
        """n samples as a NumPy array, for the ``codes`` asked for (see the class docstring);
        the same seed gives the same samples."""
        if labels is not None:
            raise ValueError("an InfoGAN takes codes=, not labels=: codes=[class, ...].")
        n = checks.integer(n, "n")
        seed = int(np.random.randint(2**31 - 1)) if seed is None else int(seed)
        # The codes travel as the condition argument: no state on the model.
        return self._sample(n, seed, self._codes_for(n, codes, seed), batch_size, averaged)

    def _condition_for(self, n, labels):
        if labels is not None:
            raise ValueError("an InfoGAN takes codes=, not labels=: codes=[class, ...].")
        return self._codes_for(n, None, 0)

    def predict_codes(self, x, batch_size=1024):
        """Q's reading of examples: a dict with ``"categorical"`` (n, number of categorical
        codes) int ids and ``"continuous"`` (n, continuous_codes) means."""
        x = np.asarray(x)
        boundary.check_data(self, x, None)
        categorical, continuous = [], []
        for start in range(0, len(x), batch_size):
            batch = tf.convert_to_tensor(x[start : start + batch_size], self.compute_dtype)
            q = np.asarray(self._discriminate(batch, None, training=False)["q"], np.float32)
            offset, ids = 0, []
            for k in self.categorical_codes:
                ids.append(np.argmax(q[:, offset : offset + k], axis=-1))
                offset += k
            categorical.append(np.stack(ids, 1) if ids else np.zeros([len(q), 0], np.int64))
            continuous.append(q[:, offset : offset + self.continuous_codes])
        return {
            "categorical": np.concatenate(categorical),
            "continuous": np.concatenate(continuous),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "categorical_codes": list(self.categorical_codes),
            "continuous_codes": self.continuous_codes,
            "info_weight": self.info_weight,
            "continuous_weight": self._continuous_weight,
        }

    # ----------------------------------------------------------------- serving contract
    def serving_contract(self, direction=None):
        """``GAN``'s contract with the codes beside z: ``categorical_codes`` (int32, column i
        in [0, size i)) and ``continuous_codes`` (float32), each when the model has such
        codes, drawn from their priors with z in the ``sample`` signature, as ``generate``
        draws them."""
        from tfgan_lite import serving

        contract = super().serving_contract(direction)

        def codes(kind):
            return lambda n, seed: self._draw_codes(n, seed + tf.constant([0, 1]))[kind]

        inputs = list(contract.inputs)
        if self.categorical_codes:
            inputs.append(
                serving.Input(
                    "categorical_codes",
                    "int32",
                    (len(self.categorical_codes),),
                    sizes=tuple(self.categorical_codes),
                    sample=codes("categorical"),
                )
            )
        if self.continuous_codes:
            inputs.append(
                serving.Input(
                    "continuous_codes",
                    "float32",
                    (self.continuous_codes,),
                    sample=codes("continuous"),
                )
            )

        def compute(tensors):
            n = tf.shape(tensors["z"])[0]
            condition = {
                "categorical": tensors.get("categorical_codes", tf.zeros([n, 0], tf.int32)),
                "continuous": tensors.get("continuous_codes", tf.zeros([n, 0], tf.float32)),
            }
            return self._generate(tensors["z"], condition, False, averaged=True)

        metadata = {
            **contract.metadata,
            "categorical_codes": list(self.categorical_codes),
            "continuous_codes": self.continuous_codes,
        }
        return contract.replace(inputs=inputs, compute=compute, metadata=metadata)
