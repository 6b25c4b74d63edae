"""``ACGAN`` (Odena et al. 2017): a discriminator that also names the class.

The generator takes ``[z, labels]``, as a ``ConditionalGAN``'s does; the discriminator takes
the image alone and returns two outputs, the real-vs-fake logit ``(batch, 1)`` and class
logits ``(batch, num_classes)``. Any objective of ``tfgan_lite.losses`` applies to the
first output. With CE(l, y) the softmax cross-entropy of class logits l against labels y,
averaged over the batch:

    L_D = objective_D + class_weight_real * CE(C(x), y) + class_weight_fake * CE(C(G(z, y)), y)
    L_G = objective_G + class_weight_generator * CE(C(G(z, y)), y)

which is the paper's L_S + L_C for the discriminator (it maximises the log-likelihood of
the right class on real and on generated images) and L_C - L_S for the generator, with
the objective's generator loss in place of -L_S. TF-GAN's ``acgan_discriminator_loss`` and
``acgan_generator_loss`` are the cross-entropy terms here. The generated images take the
labels of the real batch of the same step, so the classes drawn for G follow the data's.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.checks import shape_str
from tfgan_lite.models import boundary
from tfgan_lite.models.conditional import ConditionalGAN


def class_cross_entropy(class_logits, labels):
    """The mean softmax cross-entropy of class logits ``(batch, K)`` against int labels."""
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=tf.cast(class_logits, tf.float32)
        )
    )


def _accuracy(class_logits, labels):
    predicted = tf.argmax(class_logits, -1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))


@keras.saving.register_keras_serializable(package="tfgan_lite")
class ACGAN(ConditionalGAN):
    """An auxiliary-classifier GAN: G takes ``[z, labels]``, D returns ``[logit, classes]``.

    Args:
        generator: from ``[z, labels]`` (labels int32 of shape ``(batch,)``) to samples.
        discriminator: from samples alone to two outputs, ``[logit, class_logits]``, shapes
            ``(batch, 1)`` and ``(batch, num_classes)``, no sigmoid or softmax.
            ``tfgan_lite.networks.dcgan(..., num_classes=K, acgan=True)`` and
            ``conditional_mlp_gan(..., acgan=True)`` build such a pair.
        num_classes: K.
        latent_dim: the size of z.
        class_weight_real: the weight of the class cross-entropy on real examples in D's loss.
        class_weight_fake: its weight on generated examples in D's loss (0: D learns the
            classes from real data only, as in some later AC-GAN variants).
        class_weight_generator: its weight on generated examples in G's loss.
        **kwargs: ``GAN``'s (objective, penalties, ``discriminator_steps``, ``ema``, ...).

    ``fit(x, y)`` takes integer labels as ``ConditionalGAN`` does; ``generate(n, labels=...)``
    makes samples of the classes asked for; ``classify(x)`` returns the discriminator's
    class ids. Besides ``GAN``'s metrics, ``fit`` and ``evaluate`` report
    ``real_class_loss``, ``fake_class_loss`` (the cross-entropies of D's update) and
    ``real_accuracy`` (D's classification of the real batch). The exports take ``z`` and
    ``labels`` as for a ``ConditionalGAN``.
    """

    def __init__(
        self,
        generator,
        discriminator,
        num_classes,
        latent_dim,
        class_weight_real=1.0,
        class_weight_fake=1.0,
        class_weight_generator=1.0,
        **kwargs,
    ):
        weights = {
            "class_weight_real": class_weight_real,
            "class_weight_fake": class_weight_fake,
            "class_weight_generator": class_weight_generator,
        }
        for name, value in weights.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0 (0 drops the term), got {value!r}.")
            setattr(self, name, float(value))
        self.num_classes = checks.integer(num_classes, "num_classes", minimum=2)
        super().__init__(generator, discriminator, num_classes, latent_dim, **kwargs)

    # ----------------------------------------------------------------- hooks
    def _metric_names(self):
        return super()._metric_names() + ["real_class_loss", "fake_class_loss", "real_accuracy"]

    def _discriminator_inputs(self, x, labels):
        return x

    def _discriminator_outputs(self, raw):
        if not isinstance(raw, list | tuple) or len(raw) != 2:
            got = f"{len(raw)} outputs" if isinstance(raw, list | tuple) else "one tensor"
            raise ValueError(
                f"an ACGAN's discriminator must return two outputs, [logit, class_logits], "
                f"but returns {got}; give it a Dense(1) head and a Dense({self.num_classes}) "
                "head on its features (tfgan_lite.networks.dcgan(..., acgan=True))."
            )
        return {"logits": raw[0], "classes": raw[1]}

    def _check_discriminator_output(self, output):
        boundary.one_logit(tuple(output["logits"].shape[1:]))
        shape = tuple(output["classes"].shape[1:])
        if shape != (self.num_classes,):
            raise ValueError(
                f"an ACGAN's discriminator must return {self.num_classes} class logits per "
                f"example as its second output, shape (batch, {self.num_classes}), but returns "
                f"{shape_str(shape)}; end that head with keras.layers.Dense({self.num_classes}) "
                "and no activation."
            )

    def _gan_logits(self, output):
        return output["logits"]

    def _discriminator_loss(self, real_output, fake_output, labels, extra_outputs):
        loss, _ = super()._discriminator_loss(real_output, fake_output, labels, extra_outputs)
        real_term = class_cross_entropy(real_output["classes"], labels)
        fake_term = class_cross_entropy(fake_output["classes"], labels)
        loss = loss + self.class_weight_real * real_term + self.class_weight_fake * fake_term
        metrics = {
            "real_class_loss": real_term,
            "fake_class_loss": fake_term,
            "real_accuracy": _accuracy(real_output["classes"], labels),
        }
        return loss, metrics

    def _generator_loss(self, fake_output, real_output, labels):
        loss = super()._generator_loss(fake_output, real_output, labels)
        if not self.class_weight_generator:
            return loss
        return loss + self.class_weight_generator * class_cross_entropy(
            fake_output["classes"], labels
        )

    def _check_labels(self, y, name, num_examples=None):
        return checks.labels(y, name, self.num_classes, num_examples, model="an ACGAN")

    # ----------------------------------------------------------------- use
    def classify(self, x, batch_size=1024):
        """The discriminator's class ids for the examples in x, as a NumPy int array."""
        x = np.asarray(x)
        boundary.check_data(self, x, None)
        ids = []
        for start in range(0, len(x), batch_size):
            batch = tf.convert_to_tensor(x[start : start + batch_size], self.compute_dtype)
            output = self._discriminate(batch, None, training=False)
            ids.append(np.argmax(np.asarray(output["classes"]), axis=-1))
        return np.concatenate(ids) if ids else np.zeros([0], np.int64)

    def get_config(self):
        return {
            **super().get_config(),
            "class_weight_real": self.class_weight_real,
            "class_weight_fake": self.class_weight_fake,
            "class_weight_generator": self.class_weight_generator,
        }
