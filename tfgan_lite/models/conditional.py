"""``ConditionalGAN`` (Mirza & Osindero 2014): both networks see the class label."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.models import boundary
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
    ``discriminator_steps``, ``unroll_steps``, saving.
    ``tfgan_lite.networks.conditional_mlp_gan`` builds a pair of networks, with label
    embeddings concatenated to the inputs or a projection discriminator.
    """

    _packable = False

    conditional = True

    def __init__(self, generator, discriminator, num_classes, latent_dim, **kwargs):
        self.num_classes = checks.integer(num_classes, "num_classes", minimum=2)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    def _unpack(self, data, seed, training):
        return data[0], _labels(data[1])

    def _generator_inputs(self, z, labels):
        return [z, labels]

    def _discriminator_inputs(self, x, labels):
        return [x, labels]

    def _probe_condition(self, n):
        return tf.zeros([n], tf.int32)

    def _check_labels(self, y, name, num_examples=None):
        return checks.labels(y, name, self.num_classes, num_examples, model="a ConditionalGAN")

    def _condition_for(self, n, labels):
        if labels is None:
            raise ValueError(
                "a ConditionalGAN generates samples of the classes asked for: pass labels=, "
                "one class id for all samples or an array of n (gan.default_labels(n) takes "
                "each class in turn)."
            )
        labels = np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else labels
        return tf.constant(self._check_labels(labels, "labels", n).astype(np.int32))

    def default_labels(self, n):
        return (np.arange(n) % self.num_classes).astype(np.int32)

    def _check_data(self, x, y, batch_size):
        super()._check_data(x, y, batch_size)
        missing = (
            f"{type(self).__name__}.fit needs labels: call fit(x, y) with y "
            f"{_LABELS_HELP}, or pass a dataset of (x, y) pairs."
        )
        if isinstance(x, tf.data.Dataset):
            self._check_labels(boundary.first_labels(x, missing), "the dataset's labels")
        elif y is None:
            raise ValueError(missing)
        else:
            self._check_labels(y, "y", len(x))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
