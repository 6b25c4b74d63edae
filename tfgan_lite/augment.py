"""Differentiable augmentation of what the discriminator sees: DiffAugment (Zhao et al. 2020,
"Differentiable Augmentation for Data-Efficient GAN Training") with the adaptive probability
of ADA (Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data").

With few real images the discriminator memorises them and its feedback to the generator
stops meaning anything. Both papers transform every image the discriminator sees, real and
generated, in its update and in the generator's, with transforms that are differentiable in
the image so that the generator's gradient flows through them. The transforms are those of
the official DiffAugment code (``DiffAugment_tf.py``), on images (batch, H, W, C):

* ``"color"``: brightness x + (u1 - 0.5); saturation (x - mean_C x) * 2 u2 + mean_C x;
  contrast (x - mean_HWC x) * (u3 + 0.5) + mean_HWC x; u1, u2, u3 ~ U[0, 1) per image.
* ``"translation"``: out[i, j] = x[i + t_y, j + t_x], zero outside the image, with integer
  t_y, t_x uniform in [-round(H / 8), round(H / 8)] (and W) per image.
* ``"cutout"``: a zeroed round(H / 2) x round(W / 2) rectangle at a random centre per image,
  clipped at the border.

As in ADA each transform is applied to each image independently with probability p: a
per-image draw u < p selects the transformed image or the original, so p = 0 is exactly the
identity and p = 1 is the original DiffAugment. p is fixed, or ``"adaptive"``: it starts at 0
and ``adjust`` moves it so that the overfitting heuristic r_t = E[sign(D(x_real))] stays near
a target (ADA: 0.6).

All randomness is stateless, drawn from ``seed`` (an int32 tensor of shape [2]) folded per
transform and split per draw: the same seed gives the same images, with or
without XLA (every draw is an integer draw from a non-negative seed, since XLA's float
kernels, and its integer kernels on negative seeds, draw other numbers than TensorFlow's).

Example:

>>> augment = DiffAugment("translation,cutout")
>>> augment(tf.zeros([4, 8, 8, 3]), seed=tf.constant([1, 2])).shape
TensorShape([4, 8, 8, 3])
"""

import numbers

import keras
import tensorflow as tf

POLICIES = ("color", "translation", "cutout")
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5
_EXPECTED = {
    "probability": "a float in [0, 1] or 'adaptive'",
    "target": "a number in (0, 1), the target of r_t = E[sign(D(x_real))] (ADA: 0.6)",
    "interval": "a positive integer (ADA: 4)",
    "speed": "a positive number of images (ADA: 500k)",
}


def _round(x):
    # The official code's int(x + 0.5): halves round up, not to even.
    return int(x + 0.5)


def _color(images, brightness, saturation, contrast):
    """Brightness, saturation, contrast with explicit per-image factors (shape [batch]):
    x + b, then (x - mean_C x) * s + mean_C x, then (x - mean_HWC x) * c + mean_HWC x."""
    b, s, c = (
        tf.cast(f, images.dtype)[:, None, None, None] for f in (brightness, saturation, contrast)
    )
    x = images + b
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * s + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * c + mean


def _shift(images, shift, axis):
    # Pad one zero row either side, then gather index i + shift + 1 clipped into the padding.
    size = images.shape[axis]
    paddings = [[0, 0]] * 4
    paddings[axis] = [1, 1]
    index = tf.range(size)[None, :] + tf.cast(shift, tf.int32)[:, None] + 1
    index = tf.clip_by_value(index, 0, size + 1)
    return tf.gather(tf.pad(images, paddings), index, axis=axis, batch_dims=1)


def _translate(images, shift_y, shift_x):
    """out[b, i, j] = images[b, i + shift_y[b], j + shift_x[b]], zero outside the image."""
    return _shift(_shift(images, shift_y, axis=1), shift_x, axis=2)


def _cutout(images, center_y, center_x):
    """Zero rows [center_y - h // 2, center_y - h // 2 + h) and the same in x, per image, where
    (h, w) = (round(H * CUTOUT_RATIO), round(W * CUTOUT_RATIO)), clipped to the image."""

    def inside(center, size):
        length = _round(size * CUTOUT_RATIO)
        start = tf.cast(center, tf.int32)[:, None] - length // 2
        position = tf.range(size)[None, :]
        return (position >= start) & (position < start + length)

    rows = inside(center_y, images.shape[1])
    columns = inside(center_x, images.shape[2])
    keep = ~(rows[:, :, None] & columns[:, None, :])
    return images * tf.cast(keep, images.dtype)[..., None]


def _seeds(seed, index):
    # Transform ``index``'s four seeds (gate, three draws), non-negative for XLA's sake.
    seeds = tf.random.experimental.stateless_split(
        tf.random.experimental.stateless_fold_in(tf.cast(seed, tf.int32), index), num=4
    )
    return tf.unstack(tf.bitwise.bitwise_and(seeds, 2**31 - 1))


def _uniform(images, seed, minval=None, maxval=None):
    # One draw per image: an integer in [minval, maxval), or a float in [0, 1) from 24 bits.
    shape = [tf.shape(images)[0]]
    if minval is not None:
        return tf.random.stateless_uniform(shape, seed, minval, maxval, dtype=tf.int32)
    bits = tf.random.stateless_uniform(shape, seed, 0, 2**24, dtype=tf.int32)
    return tf.cast(bits, tf.float32) * 2.0**-24


def _random_color(images, seeds):
    u1, u2, u3 = (_uniform(images, seed) for seed in seeds)
    return _color(images, u1 - 0.5, 2.0 * u2, u3 + 0.5)


def _random_translation(images, seeds):
    def shift(seed, size):
        bound = _round(size * TRANSLATION_RATIO)
        return _uniform(images, seed, -bound, bound + 1)

    return _translate(images, shift(seeds[0], images.shape[1]), shift(seeds[1], images.shape[2]))


def _random_cutout(images, seeds):
    # The official offsets: centre in [0, size] for an even cutout, [0, size - 1] for an odd one.
    def center(seed, size):
        maxval = size + 1 - _round(size * CUTOUT_RATIO) % 2
        return _uniform(images, seed, 0, maxval)

    return _cutout(images, center(seeds[0], images.shape[1]), center(seeds[1], images.shape[2]))


_TRANSFORMS = {"color": _random_color, "translation": _random_translation, "cutout": _random_cutout}


def _policy(policy, argument):
    names = policy.split(",") if isinstance(policy, str) else policy
    if isinstance(names, list | tuple):
        names = tuple(name.strip() if isinstance(name, str) else name for name in names)
        if names and all(name in POLICIES for name in names):
            return names
    raise ValueError(
        f"{argument}: {policy!r} is not a DiffAugment policy; give a comma-separated string "
        f"or a list of names from {', '.join(POLICIES)} (e.g. 'color,translation,cutout')."
    )


def _number(value, low, high=float("inf")):
    # A real number (not a bool) in [low, high].
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and low <= value <= high


@keras.saving.register_keras_serializable(package="tfgan_lite")
class DiffAugment:
    """DiffAugment's transforms, each applied per image with probability p (fixed or ADA's).

    Args:
        policy: the transforms, applied in the order given: a comma-separated string or a
            list of names from ``POLICIES``.
        probability: p, a float in [0, 1]; ``"adaptive"`` (ADA: starts at 0, moved by
            ``adjust``; the caller keeps the current p and passes it to ``__call__``); or a
            ``keras.optimizers.schedules.LearningRateSchedule`` of the discriminator's update
            count (R3GAN's fixed ramp: ``tfgan_lite.schedules.Cosine(0.0, 0.5, steps)``),
            which a ``GAN`` evaluates at every update (``probability_at``).
        target: ADA's target of r_t = E[sign(D(x_real))], in (0, 1); ADA uses 0.6.
        interval: discriminator updates pooled per adjustment of p (ADA: 4).
        speed: images it takes p to move from 0 to 1 (ADA: 500k).

    ``target``, ``interval`` and ``speed`` are only used when ``probability="adaptive"``.
    """

    def __init__(
        self,
        policy="color,translation,cutout",
        probability=1.0,
        *,
        target=0.6,
        interval=4,
        speed=500_000,
    ):
        self._policy = _policy(policy, "policy")
        adaptive = probability == "adaptive" or isinstance(
            probability, keras.optimizers.schedules.LearningRateSchedule
        )
        for name, value, valid in [
            ("probability", probability, adaptive or _number(probability, 0, 1)),
            ("target", target, _number(target, 0, 1) and 0 < target < 1),
            ("interval", interval, isinstance(interval, numbers.Integral) and _number(interval, 1)),
            ("speed", speed, _number(speed, 0) and 0 < speed < float("inf")),
        ]:
            if not valid:
                raise ValueError(f"{name}: expected {_EXPECTED[name]}, got {value!r}.")
        self.probability = probability if adaptive else float(probability)
        self.target, self.interval, self.speed = float(target), int(interval), float(speed)

    @property
    def adaptive(self):
        """Whether p is ADA's adaptive probability."""
        return isinstance(self.probability, str) and self.probability == "adaptive"

    @property
    def scheduled(self):
        """Whether p is a schedule of the discriminator's update count."""
        return isinstance(self.probability, keras.optimizers.schedules.LearningRateSchedule)

    def probability_at(self, step):
        """p at discriminator update ``step``: the schedule's value clipped to [0, 1], or the
        fixed probability."""
        if self.scheduled:
            return tf.clip_by_value(tf.cast(self.probability(step), tf.float32), 0.0, 1.0)
        return self.initial_probability

    @property
    def policy(self):
        """The names of the transforms, in the order they are applied."""
        return self._policy

    @property
    def initial_probability(self):
        """p before the first step: 0 when adaptive, else the fixed probability."""
        if self.scheduled:
            return float(self.probability_at(0))
        return 0.0 if self.adaptive else self.probability

    def __call__(self, images, seed, probability=None):
        """Augments ``images`` (batch, H, W, C), differentiably in the images.

        Args:
            images: a float tensor; the batch may be dynamic, H, W, C must be static.
            seed: an int32 tensor of shape [2]; the same seed gives the same output.
            probability: p, a float or a scalar tensor; None takes the fixed probability
                (an adaptive DiffAugment needs it passed).

        Returns:
            The augmented images, of the shape and dtype of ``images``.
        """
        if probability is None:
            if self.adaptive or self.scheduled:
                raise ValueError(
                    "probability: an adaptive or scheduled DiffAugment needs the current "
                    "probability passed, e.g. augment(images, seed, probability=p_variable) "
                    "or probability=augment.probability_at(step)."
                )
            probability = self.probability
        images = tf.convert_to_tensor(images)
        self.check_sample_shape(images.shape[1:])
        probability = tf.cast(probability, tf.float32)
        for index, name in enumerate(self._policy):
            gate, *draws = _seeds(seed, index)
            apply = _uniform(images, gate) < probability
            images = tf.where(apply[:, None, None, None], _TRANSFORMS[name](images, draws), images)
        return images

    def adjust(self, probability, sign_sum, count, batch_size):
        """ADA's update of p (Karras et al. 2020), a pure function of tensors:
        r_t = sign_sum / count, p <- clip(p + sign(r_t - target) * batch_size * interval / speed,
        0, 1).

        Args:
            probability: the current p.
            sign_sum: the sum of sign(D(x_real)) over the last ``interval`` discriminator updates.
            count: how many real images that sum is over; p is unchanged when it is 0.
            batch_size: images per discriminator update.

        Returns:
            The new p, a float32 scalar tensor.
        """
        probability = tf.cast(probability, tf.float32)
        count = tf.cast(count, tf.float32)
        r_t = tf.math.divide_no_nan(tf.cast(sign_sum, tf.float32), count)
        step = tf.cast(batch_size, tf.float32) * (self.interval / self.speed)
        updated = tf.clip_by_value(probability + tf.sign(r_t - self.target) * step, 0.0, 1.0)
        return tf.where(count > 0, updated, probability)

    def check_sample_shape(self, shape):
        """Raises ValueError unless ``shape`` (one sample's) is (H, W, C) with H, W >= 2."""
        shape = tf.TensorShape(shape)
        if shape.rank != 3 or not shape.is_fully_defined() or min(shape[:2]) < 2:
            raise ValueError(
                f"augment: DiffAugment transforms images (batch, H, W, C) with static H, W >= 2 "
                f"and C; the samples have shape {shape}. For other data pass a callable "
                f"(images, seed) -> images as augment, or augment=None."
            )

    def get_config(self):
        return {
            "policy": ",".join(self._policy),
            "probability": keras.saving.serialize_keras_object(self.probability)
            if self.scheduled
            else self.probability,
            "target": self.target,
            "interval": self.interval,
            "speed": self.speed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("probability"), dict):
            config["probability"] = keras.saving.deserialize_keras_object(config["probability"])
        return cls(**config)

    def __repr__(self):
        return f"DiffAugment({','.join(self._policy)!r}, probability={self.probability!r})"


def get(identifier):
    """The augmentation ``augment=`` names, or None for none.

    Args:
        identifier: None, "" or False (no augmentation); a policy string such as
            ``"color,translation,cutout"`` (a ``DiffAugment`` with p = 1); a ``DiffAugment``;
            or any callable (images, seed) -> images.

    Returns:
        None or a callable (images, seed) -> images.
    """
    if (
        identifier is None
        or identifier is False
        or (isinstance(identifier, str) and not identifier)
    ):
        return None
    if isinstance(identifier, str):
        return DiffAugment(_policy(identifier, "augment"))
    if callable(identifier):
        return identifier
    raise ValueError(
        f"augment: expected None, a DiffAugment policy string (names from {', '.join(POLICIES)}), "
        f"a DiffAugment, or a callable (images, seed) -> images; got {identifier!r}."
    )
