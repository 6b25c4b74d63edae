"""Feature networks for image metrics, and where their scores come from.

FID, KID, precision/recall and density/coverage compare sets of feature vectors; the
classifier score needs class probabilities. ``FeatureNet`` wraps any Keras classifier:
``features(images)`` are the activations of one of its layers, ``probabilities(images)``
its softmax. Images are resized to the network's input size first (bilinear), a batch at
a time.

* ``FeatureNet.digits()``: a small CNN trained on scikit-learn's digits, whose weights ship
  with the package, so the default needs neither training nor a download;
* ``FeatureNet.for_dataset(name)``: the same CNN trained once on a dataset's training
  split and cached on disk (``~/.cache/tfgan_lite`` or ``cache_dir``);
* ``FeatureNet.inception(weights)``: Keras's InceptionV3, 2048-d pool features and the
  1000 ImageNet logits, from ImageNet weights (downloaded by Keras when asked for), a
  weights file of yours, or random weights;
* ``FeatureNet(model, layer)``: any Keras model.

A score means something only next to the network it was computed on: every FeatureNet has
a ``name`` and a ``weights_hash``, and ``provenance(...)`` puts them in a dict with the
sample counts, the reference split and the seed, as ``metrics.json`` and the ``Evaluate``
callback record them.
"""

import hashlib
import os

import keras
import numpy as np
import tensorflow as tf

WEIGHTS_DIR = os.path.join(os.path.dirname(__file__), "weights")
DIGITS_WEIGHTS = os.path.join(WEIGHTS_DIR, "digits_28x28x1.weights.h5")


def classifier(input_shape=(28, 28, 1), num_classes=10, name="feature_classifier"):
    """The small CNN used as feature network: 3 conv layers, 128 features, class logits."""
    inputs = keras.Input(input_shape)
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(128, 3, padding="same", activation="relu")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    features = keras.layers.Dense(128, activation="relu", name="features")(h)
    logits = keras.layers.Dense(num_classes, name="logits")(features)
    return keras.Model(inputs, logits, name=name)


def train_classifier(x, y, num_classes, epochs=30, batch_size=64, seed=0, validation=None):
    """Trains ``classifier`` on images x in [-1, 1] (n, H, W, C) with int labels y."""
    keras.utils.set_random_seed(seed)
    model = classifier(x.shape[1:], num_classes)
    model.compile(
        keras.optimizers.Adam(1e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, validation_data=validation)
    return model


def _cache_name(name):
    """A file name for a dataset's cached network: the name, or for a folder its base name
    and a hash of its absolute path (never a path into the user's folder)."""
    from tfgan_lite.data import folders

    if not folders.is_folder_path(name):
        return name
    path = os.path.abspath(os.path.expanduser(os.fspath(name)))
    digest = hashlib.sha256(path.encode()).hexdigest()[:12]
    return f"folder-{os.path.basename(path.rstrip(os.sep)) or 'root'}-{digest}"


class FeatureNet:
    """Features and class probabilities of images from a Keras classifier.

    Args:
        model: a Keras model from images to class logits (or any output).
        layer: the name of the layer whose output is the feature vector.
        logits: whether the model's output is logits (True) or probabilities.
        name: what the network is called in provenance records (default
          ``"<model name>/<layer>"``).
        batch_size: images per forward pass when ``features`` and friends are not given
          one.
    """

    def __init__(self, model, layer="features", logits=True, name=None, batch_size=500):
        try:
            feature_output = model.get_layer(layer).output
        except ValueError as error:
            names = [lay.name for lay in model.layers]
            raise ValueError(
                f"layer={layer!r} is not a layer of the model; use one of {names}."
            ) from error
        self.model = model
        self.layer = layer
        self.logits = logits
        self.batch_size = batch_size
        self.name = name or f"{model.name}/{layer}"
        self.input_shape = tuple(model.input_shape[1:])
        self._both = keras.Model(model.inputs, [feature_output, model.output])

    @property
    def weights_hash(self):
        """The first 16 hex digits of the SHA-256 of the model's weights (dtype, shape and
        bytes of each, in the model's order): two networks with the same hash compute the
        same features."""
        digest = hashlib.sha256()
        for weight in self.model.weights:
            value = np.ascontiguousarray(keras.ops.convert_to_numpy(weight))
            digest.update(f"{value.dtype.str}{value.shape}".encode())
            digest.update(value.tobytes())
        return digest.hexdigest()[:16]

    def provenance(self, **fields):
        """A record of where a score comes from: this network's name, layer and weights
        hash, followed by ``fields`` (such as ``num_real``, ``num_generated``,
        ``reference_split``, ``seed``)."""
        return {
            "feature_net": self.name,
            "feature_layer": self.layer,
            "feature_net_weights_sha256": self.weights_hash,
            **fields,
        }

    @classmethod
    def digits(cls):
        """The CNN trained on scikit-learn's digits at 28x28x1 (weights ship with the package)."""
        model = classifier((28, 28, 1), 10)
        model.load_weights(DIGITS_WEIGHTS)
        return cls(model, name="digits_cnn_28x28x1")

    @classmethod
    def inception(cls, weights="imagenet", batch_size=50):
        """Keras's InceptionV3: 2048-d features of its ``avg_pool`` layer (pool3) and the
        1000 ImageNet logits (for the Inception score, through ``probabilities``).

        Images in [-1, 1] of any size go in as they are: Inception-v3 takes [-1, 1] (what
        ``keras.applications.inception_v3.preprocess_input`` makes of [0, 255]), and
        ``features`` resizes them to 299x299 bilinearly without antialiasing
        (``tf.image.resize``: half-pixel centres, as pytorch-fid's
        ``F.interpolate(..., mode="bilinear", align_corners=False)``; TF-GAN's TF1
        ``resize_bilinear`` sampled without half-pixel centres, a sub-pixel shift), one
        batch at a time; grayscale is repeated to 3 channels.

        Not the FID of papers: Keras's ImageNet weights are not the 2015 Inception graph
        (``inception-2015-12-05``, ported to PyTorch as pytorch-fid's ``pt_inception``)
        that TF-GAN and pytorch-fid use, and the resize differs too, so FIDs on this
        network compare with each other (same network, same sample counts), not with
        published numbers.

        Example:

          net = FeatureNet.inception("inception_v3_weights_tf_dim_ordering_tf_kernels.h5")
          scores = tfgan.eval.all_metrics(net.features(real), net.features(fake))

        Args:
          weights: ``"imagenet"`` (Keras downloads its 92 MB file into ``~/.keras/models``
            on first use: the only case that touches the network), the path of a
            ``.weights.h5`` or Keras ``.h5`` weights file of this architecture (such as
            that file, copied to a machine without internet), or None for random weights
            (for tests; never downloads).
          batch_size: images per forward pass (299x299 activations are large).
        """
        if weights not in ("imagenet", None) and not os.path.isfile(os.fspath(weights)):
            raise ValueError(
                f"weights={weights!r} is not a file; pass the path of an InceptionV3 "
                "weights file (.weights.h5 or .h5), 'imagenet' (Keras downloads it once), "
                "or None (random weights)."
            )
        builtin = weights if weights in ("imagenet", None) else None
        model = keras.applications.InceptionV3(
            include_top=True, weights=builtin, classifier_activation=None
        )
        if weights == "imagenet":
            name = "inception_v3_keras_imagenet"
        elif weights is None:
            name = "inception_v3_random"
        else:
            model.load_weights(os.fspath(weights))
            name = f"inception_v3_{os.path.basename(os.fspath(weights))}"
        return cls(model, layer="avg_pool", logits=True, name=name, batch_size=batch_size)

    @classmethod
    def for_dataset(cls, name, image_size=28, cache_dir=None, data_dir=None, epochs=10):
        """The CNN trained once on a dataset's labeled training split, then read from the cache.

        ``name`` is anything ``tfgan_lite.data.images`` reads with labels: a TFDS name, or a
        folder whose class subfolders are the labels (cached under its base name and a hash
        of its path; delete the cached file to retrain after the folder changes).
        """
        from tfgan_lite.data.images import image_shape, images

        if name == "digits" and image_size == 28:
            return cls.digits()
        shape = image_shape(name, image_size, data_dir=data_dir, labels=True)
        cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".cache", "tfgan_lite")
        path = os.path.join(
            cache_dir, f"{_cache_name(name)}_{'x'.join(map(str, shape))}.weights.h5"
        )
        data = images(
            name, "train", 256, image_size, data_dir=data_dir, labels=True, drop_remainder=False
        )
        num_classes = int(max(int(tf.reduce_max(y)) for _, y in data)) + 1
        model = classifier(shape, num_classes)
        if os.path.exists(path):
            model.load_weights(path)
        else:
            model.compile(
                keras.optimizers.Adam(1e-3),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            )
            model.fit(data, epochs=epochs, verbose=0)
            os.makedirs(cache_dir, exist_ok=True)
            model.save_weights(path)
        return cls(model, name=f"{_cache_name(name)}_cnn_{'x'.join(map(str, shape))}")

    def _prepare(self, images):
        """Images as the network takes them: float32, NHWC, its channels, its size."""
        images = tf.convert_to_tensor(np.asarray(images, np.float32))
        if images.shape.rank == 3:
            images = images[..., None]
        height, width, channels = self.input_shape
        if images.shape[-1] != channels:
            if channels == 1:
                images = tf.reduce_mean(images, axis=-1, keepdims=True)
            elif images.shape[-1] == 1:
                images = tf.repeat(images, channels, axis=-1)
            else:
                raise ValueError(
                    f"images have {images.shape[-1]} channels; the feature network takes "
                    f"{channels}."
                )
        if tuple(images.shape[1:3]) != (height, width):
            # Bilinear, no antialiasing: the resize of the FID literature.
            images = tf.image.resize(images, (height, width), method="bilinear")
        return images

    def _run(self, images, batch_size):
        images = np.asarray(images, np.float32)
        batch_size = batch_size or self.batch_size
        features, outputs = [], []
        for start in range(0, len(images), batch_size):
            batch = self._prepare(images[start : start + batch_size])
            f, o = self._both(batch, training=False)
            features.append(np.asarray(f))
            outputs.append(np.asarray(o))
        return np.concatenate(features), np.concatenate(outputs)

    def features(self, images, batch_size=None):
        """Feature vectors (n, d) of images (n, H, W, C) in [-1, 1]."""
        return self._run(images, batch_size)[0].reshape(len(images), -1)

    def probabilities(self, images, batch_size=None):
        """Class probabilities (n, K) of images, for the classifier score."""
        outputs = self._run(images, batch_size)[1]
        return np.asarray(tf.nn.softmax(outputs)) if self.logits else outputs

    def predict(self, images, batch_size=None):
        """Class ids of images."""
        return np.argmax(self._run(images, batch_size)[1], axis=-1)


def _digits_at(split, size):
    from tfgan_lite.data.images import images

    data = images("digits", split, 2000, size, labels=True, shuffle=False, drop_remainder=False)
    x, y = next(iter(data))
    return x.numpy(), y.numpy()


def train_digits_weights(path=DIGITS_WEIGHTS, epochs=80, seed=0):
    """Retrains the shipped digits feature network; returns its test accuracy.

    ``python -m tfgan_lite.eval.feature_net`` runs this and rewrites the weights file.
    """
    x, y = _digits_at("train", 28)
    x_test, y_test = _digits_at("test", 28)
    model = train_classifier(x, y, 10, epochs=epochs, seed=seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.save_weights(path)
    return float(np.mean(np.argmax(model.predict(x_test, verbose=0), -1) == y_test))


if __name__ == "__main__":
    print(f"digits feature network: test accuracy {train_digits_weights():.4f}, {DIGITS_WEIGHTS}")
