"""``ConditionalGAN`` (Mirza & Osindero 2014): both networks see the class label."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite.models.gan import GAN

_LABELS_HELP = "integer class ids in [0, num_classes), shape (num_examples,)"


def _labels(y):
    """Labels of shape (batch,) or (batch, 1) as an int32 vector."""
    return tf.reshape(tf.cast(y, tf.int32), [-1])


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ConditionalGAN(GAN):
    """A GAN whose generator takes ``[z, labels]`` and discriminator ``[x, labels]``.

    Labels are integer class ids in ``[0, num_classes)``. ``fit(x, y)`` takes them beside
    the examples (or a dataset of ``(x, y)``); ``generate(n, labels=...)`` makes samples of
    the classes asked for. Everything else is ``GAN``'s: objectives, penalties,
    ``discriminator_steps``, saving. ``tfgan_lite.networks.conditional_mlp_gan`` builds a
    pair of networks, with label embeddings concatenated to the inputs or a projection
    discriminator.
    """

    conditional = True

    def __init__(self, generator, discriminator, num_classes, latent_dim, **kwargs):
        if not isinstance(num_classes, int | np.integer) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
        self.num_classes = int(num_classes)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    def _unpack(self, data, seed, training):
        return data[0], _labels(data[1])

    def _generate(self, z, labels, training):
        return self.generator([z, labels], training=training)

    def _discriminate(self, x, labels, training):
        return self.discriminator([x, labels], training=training)

    def _probe_condition(self, n):
        return tf.zeros([n], tf.int32)

    def _check_labels(self, y, name="y", num_examples=None):
        y = np.asarray(y)
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name} has dtype {y.dtype}; a ConditionalGAN takes {_LABELS_HELP}: "
                f"convert with {name}.astype('int32')."
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or (num_examples is not None and len(y) != num_examples):
            raise ValueError(
                f"{name} has shape {y.shape} but must be {_LABELS_HELP}"
                + (
                    f" with one label for each of the {num_examples} examples."
                    if num_examples
                    else "."
                )
            )
        if y.size and (y.min() < 0 or y.max() >= self.num_classes):
            raise ValueError(
                f"{name} holds labels from {y.min()} to {y.max()}, outside [0, "
                f"{self.num_classes}) for num_classes={self.num_classes}; remap them or set "
                "num_classes to the number of classes."
            )
        return y

    def _check_data(self, x, y, batch_size):
        super()._check_data(x, y, batch_size)
        missing = (
            "ConditionalGAN.fit needs labels: call fit(x, y) with y "
            f"{_LABELS_HELP}, or pass a dataset of (x, y) pairs."
        )
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not isinstance(spec, tuple) or len(spec) < 2:
                raise ValueError(missing)
            if not spec[1].dtype.is_integer:
                raise ValueError(
                    f"the dataset's labels have dtype {spec[1].dtype.name}; a ConditionalGAN "
                    f"takes {_LABELS_HELP}: map them with tf.cast(y, tf.int32)."
                )
            for _, labels, *_ in x.take(1):
                self._check_labels(labels.numpy().reshape(-1), "the dataset's labels")
        elif y is None:
            raise ValueError(missing)
        else:
            self._check_labels(y, "y", len(x))

    def generate(self, n, labels=None, seed=None, batch_size=1024):
        """n samples of the classes in ``labels``: one int for all, or an array of n.

        ``labels=None`` cycles through the classes (0, 1, ..., num_classes - 1, 0, ...).
        """
        if labels is None:
            labels = np.arange(n) % self.num_classes
        labels = np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else labels
        labels = self._check_labels(labels, "labels", n).astype(np.int32)
        return self._generate_batches(n, tf.constant(labels), seed, batch_size)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
