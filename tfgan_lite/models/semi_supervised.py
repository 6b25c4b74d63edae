"""``SemiSupervisedGAN`` (Salimans et al. 2016): a K-class classifier as discriminator.

The classifier returns K logits l_k. A (K+1)-th "fake" class has its logit fixed at 0,
so D(x) = Z(x) / (Z(x) + 1) with Z = sum_k exp(l_k): the real-vs-fake logit is
logsumexp_k(l_k), and every objective of ``tfgan_lite.losses`` applies to it unchanged.
The discriminator's loss is the supervised cross-entropy on the labeled examples plus
the unsupervised real/fake loss on all. The generator is trained by feature matching by
default: || E_real f(x) - E_fake f(G(z)) ||^2 on an intermediate layer f of the classifier.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.checks import shape_str
from tfgan_lite.models.gan import GAN

GENERATOR_OBJECTIVES = ("feature_matching", "standard")


_SUBCLASSED = (
    "feature matching reads an intermediate layer of the classifier, and a subclassed "
    "classifier has no graph to read it from: make it return [logits, features] (two "
    "outputs), or build it as a Sequential or functional model."
)


def _output_count(model):
    """How many outputs a Sequential or functional model has; None for a subclassed one."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    return len(outputs) if isinstance(outputs, list | tuple) else None


def with_features(classifier, feature_layer=None):
    """The classifier as a network of two outputs, ``[logits, features]``, sharing its
    layers and weights: ``features`` is ``feature_layer``'s output (by name or index), or
    with None the input of its last layer. For Sequential and functional classifiers; a
    subclassed one returns the two outputs itself."""
    layers = getattr(classifier, "layers", [])
    if not layers or _output_count(classifier) is None:
        raise ValueError(_SUBCLASSED)
    try:
        if feature_layer is None:
            features = layers[-1].input
        elif isinstance(feature_layer, int | np.integer):
            features = layers[feature_layer].output
        else:
            features = classifier.get_layer(feature_layer).output
    except (IndexError, ValueError) as error:
        names = [layer.name for layer in layers]
        raise ValueError(
            f"feature_layer={feature_layer!r} is not a layer of the classifier; use an index "
            f"below {len(layers)} or one of {names}."
        ) from error
    inputs = classifier.inputs
    inputs = inputs[0] if len(inputs) == 1 else inputs  # a single input stays a tensor
    return keras.Model(inputs, [classifier.outputs[0], features], name=classifier.name)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class SemiSupervisedGAN(GAN):
    """A GAN whose discriminator is a K-class classifier of the real data.

    Args:
        generator: from z to samples, as for ``GAN``.
        classifier: from samples to K logits, shape ``(batch, num_classes)``; no softmax.
        num_classes: K.
        latent_dim: the size of z.
        feature_layer: the classifier layer whose activations feature matching compares,
            by name or index (its output); None takes the input of the classifier's last
            layer. The model runs the classifier as one network of two outputs,
            ``[logits, features]`` (``with_features``), sharing its weights; a classifier
            that already returns those two outputs (a subclassed one must) is used as it is.
        generator_objective: ``"feature_matching"`` (the paper's best classifier) or
            ``"standard"`` (the ``loss`` objective's generator loss on logsumexp logits).
        supervised_weight: the weight of the supervised cross-entropy.
        **kwargs: ``GAN``'s (``loss`` is the unsupervised objective, non-saturating by
            default; ``discriminator_steps``, penalties, ``prior``, ``seed``).

    ``fit(x, y)`` takes labels with ``y == -1`` marking unlabeled examples. Every step
    sees a batch of unlabeled examples and, beside it, a batch of labeled ones drawn from
    a stream of the labeled examples (shuffled, repeated), as the paper's code does, so the
    supervised term sees labels at every step however few there are. With arrays the
    labeled stream is the examples whose label is not -1; with a dataset of ``(x, y)``
    the labels inside each batch are used, unless ``fit(..., labeled_data=...)`` gives a
    labeled set (arrays, or a dataset of batched ``(x, y)`` pairs) to stream from. Both
    streams go through the input pipeline (zipped), so a second ``fit`` reuses the traced
    step and ``tf.distribute`` splits them across replicas like any data.
    ``classify(x)`` returns class ids; ``evaluate(x, y)`` reports ``accuracy``.
    """

    _packable = False

    _network_keys = ("generator", "classifier")

    def __init__(
        self,
        generator,
        classifier,
        num_classes,
        latent_dim,
        feature_layer=None,
        generator_objective="feature_matching",
        supervised_weight=1.0,
        **kwargs,
    ):
        num_classes = checks.integer(num_classes, "num_classes", minimum=2)
        if generator_objective not in GENERATOR_OBJECTIVES:
            raise ValueError(
                f"generator_objective={generator_objective!r} is unknown; use one of "
                f"{', '.join(GENERATOR_OBJECTIVES)}."
            )
        self.num_classes = int(num_classes)
        self.feature_layer = feature_layer
        self.generator_objective = generator_objective
        self.supervised_weight = float(supervised_weight)
        if generator_objective == "feature_matching" and _output_count(classifier) == 1:
            classifier = with_features(classifier, feature_layer)
        super().__init__(generator, classifier, latent_dim, **kwargs)

    @property
    def classifier(self):
        """The K-class classifier (the discriminator)."""
        return self.discriminator

    # ----------------------------------------------------------------- hooks
    def _metric_names(self):
        return super()._metric_names() + ["supervised_loss", "accuracy"]

    def _discriminator_outputs(self, raw):
        if isinstance(raw, list | tuple):  # [logits, features]
            features = tf.cast(raw[1], tf.float32)
            return {"logits": raw[0], "features": tf.reshape(features, [tf.shape(features)[0], -1])}
        return {"logits": raw, "features": None}

    def _check_discriminator_output(self, output):
        if self.generator_objective == "feature_matching" and output["features"] is None:
            raise ValueError(_SUBCLASSED)
        shape = tuple(output["logits"].shape[1:])
        if shape != (self.num_classes,):
            raise ValueError(
                f"classifier must return {self.num_classes} logits per example, shape "
                f"(batch, {self.num_classes}), but returns {shape_str(shape)}; end it with "
                f"keras.layers.Dense({self.num_classes}) and no activation."
            )

    def _gan_logits(self, output):
        # D(x) = Z / (Z + 1) = sigmoid(log Z), Z = sum_k exp(l_k).
        return tf.reduce_logsumexp(tf.cast(output["logits"], tf.float32), axis=-1)

    def _unpack(self, data, seed, training):
        if isinstance(data, dict):  # fit's stream: unlabeled batch and labeled batch
            labels = tf.reshape(tf.cast(data["labeled_y"], tf.int32), [-1])
            return data["x"], {"x": data["labeled_x"], "labels": labels}
        x = data[0] if isinstance(data, tuple | list) else data
        y = data[1] if isinstance(data, tuple | list) and len(data) > 1 else None
        if y is None:
            y = -tf.ones([tf.shape(x)[0]], tf.int32)
        return x, {"labels": tf.reshape(tf.cast(y, tf.int32), [-1])}

    def _extra_batches(self, condition):
        return {"labeled": (condition["x"], None)} if "x" in condition else {}

    def _discriminator_loss(self, real_output, fake_output, condition, extra_outputs):
        unsupervised, _ = super()._discriminator_loss(real_output, fake_output, condition, {})
        labels = condition["labels"]
        logits = tf.cast(extra_outputs.get("labeled", real_output)["logits"], tf.float32)
        mask = tf.cast(labels >= 0, tf.float32)
        cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.maximum(labels, 0), logits=logits
        )
        labeled = tf.reduce_sum(mask)
        count = tf.maximum(labeled, 1.0)
        supervised = tf.reduce_sum(cross_entropy * mask) / count
        correct = tf.cast(tf.equal(tf.argmax(logits, -1, output_type=tf.int32), labels), tf.float32)
        accuracy = tf.reduce_sum(correct * mask) / count
        loss = unsupervised + self.supervised_weight * supervised
        metrics = {"supervised_loss": (supervised, labeled), "accuracy": (accuracy, labeled)}
        return loss, metrics

    @property
    def _generator_needs_real(self):
        return self.generator_objective == "feature_matching" or super()._generator_needs_real

    def _generator_loss(self, fake_output, real_output, condition):
        if self.generator_objective == "standard":
            return super()._generator_loss(fake_output, real_output, condition)
        real_features = tf.stop_gradient(real_output["features"])
        difference = tf.reduce_mean(real_features, 0) - tf.reduce_mean(fake_output["features"], 0)
        return tf.reduce_mean(tf.square(difference))

    # ----------------------------------------------------------------- data
    def _check_labels(self, y, name, num_examples=None):
        return checks.labels(
            y, name, self.num_classes, num_examples, unlabeled=-1, model="a SemiSupervisedGAN"
        )

    def _labeled_stream(self, labeled_data, batch_size):
        """An endless dataset of labeled batches from ``(x, y)`` arrays or a dataset."""
        if isinstance(labeled_data, tf.data.Dataset):
            return labeled_data.repeat()
        labeled_x, labeled_y = labeled_data
        labeled_y = self._check_labels(labeled_y, "labeled_data's y", len(labeled_x))
        if len(labeled_y) == 0:
            raise ValueError(
                "no labeled examples: y marks every example unlabeled (-1), or labeled_data "
                "is empty; give at least one labeled example."
            )
        if (labeled_y < 0).any():
            raise ValueError("labeled_data holds -1 labels; give labeled examples only.")
        labeled_x = np.asarray(labeled_x)
        self._check_data(labeled_x, None, None)
        dataset = tf.data.Dataset.from_tensor_slices((labeled_x, labeled_y.astype(np.int32)))
        return dataset.shuffle(len(labeled_y), seed=self.seed).repeat().batch(batch_size)

    def fit(self, x=None, y=None, batch_size=None, labeled_data=None, **kwargs):
        """``fit(x, y)`` with ``y == -1`` for unlabeled examples; see the class docstring."""
        if isinstance(x, tf.data.Dataset):
            if y is not None:
                raise ValueError("y must be None when x is a dataset; put the labels in it.")
            if labeled_data is None:
                return super().fit(x, batch_size=batch_size, **kwargs)
            self._check_data(x, None, batch_size)
            unlabeled = x.map(lambda *element: element[0])
            labeled_batch = batch_size or unlabeled.element_spec.shape[0]
            if labeled_batch is None:
                labeled_batch = int(next(iter(unlabeled.take(1))).shape[0])
        else:
            if y is None:
                raise ValueError(
                    "SemiSupervisedGAN.fit needs labels: fit(x, y) with y an integer class id "
                    "per example and -1 for unlabeled ones."
                )
            x = np.asarray(x)
            y = self._check_labels(y, "y", len(x))
            if labeled_data is None:
                labeled_data = (x[y >= 0], y[y >= 0])
            batch_size = 32 if batch_size is None else batch_size  # Keras's default
            self._check_data(x, None, batch_size)
            unlabeled = tf.data.Dataset.from_tensor_slices(x)
            if kwargs.pop("shuffle", True):
                unlabeled = unlabeled.shuffle(len(x), seed=self.seed)
            unlabeled = unlabeled.batch(batch_size)
            labeled_batch = batch_size
        labeled = self._labeled_stream(labeled_data, labeled_batch)
        stream = tf.data.Dataset.zip(unlabeled, labeled).map(
            lambda u, pair: {"x": u, "labeled_x": pair[0], "labeled_y": pair[1]}
        )
        return super().fit(stream.prefetch(tf.data.AUTOTUNE), **kwargs)

    def classify(self, x, batch_size=1024):
        """Class ids of the examples in x, as a NumPy int array (through the one
        discriminator path)."""
        x = np.asarray(x)
        ids = [
            np.argmax(self._discriminate(x[i : i + batch_size], None, False)["logits"], -1)
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(ids) if ids else np.zeros([0], np.int64)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "feature_layer": self.feature_layer,
            "generator_objective": self.generator_objective,
            "supervised_weight": self.supervised_weight,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["classifier"] = config.pop("discriminator")
        return super().from_config(config, custom_objects)
