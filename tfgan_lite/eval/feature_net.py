"""Feature networks for image metrics that need no download.

FID, KID, precision/recall and density/coverage compare sets of feature vectors; the
classifier score needs class probabilities. ``FeatureNet`` wraps any Keras classifier:
``features(images)`` are the activations of one of its layers, ``probabilities(images)``
its softmax. Images are resized to the network's input size first.

* ``FeatureNet.digits()``: a small CNN trained on scikit-learn's digits, whose weights ship
  with the package, so the default needs neither training nor a download;
* ``FeatureNet.for_dataset(name)``: the same CNN trained once on a dataset's training
  split and cached on disk (``~/.cache/tfgan_lite`` or ``cache_dir``);
* ``FeatureNet(model, layer)``: any Keras model, e.g. InceptionV3 with its ImageNet
  weights when you have them (``layer="avg_pool"``).
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
    """

    def __init__(self, model, layer="features", logits=True):
        try:
            feature_output = model.get_layer(layer).output
        except ValueError as error:
            names = [lay.name for lay in model.layers]
            raise ValueError(
                f"layer={layer!r} is not a layer of the model; use one of {names}."
            ) from error
        self.model = model
        self.logits = logits
        self.input_shape = tuple(model.input_shape[1:])
        self._both = keras.Model(model.inputs, [feature_output, model.output])

    @classmethod
    def digits(cls):
        """The CNN trained on scikit-learn's digits at 28x28x1 (weights ship with the package)."""
        model = classifier((28, 28, 1), 10)
        model.load_weights(DIGITS_WEIGHTS)
        return cls(model)

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
        return cls(model)

    def _prepare(self, images):
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
            images = tf.image.resize(images, (height, width))
        return images

    def _run(self, images, batch_size):
        images = self._prepare(images)
        features, outputs = [], []
        for start in range(0, int(images.shape[0]), batch_size):
            f, o = self._both(images[start : start + batch_size], training=False)
            features.append(np.asarray(f))
            outputs.append(np.asarray(o))
        return np.concatenate(features), np.concatenate(outputs)

    def features(self, images, batch_size=500):
        """Feature vectors (n, d) of images (n, H, W, C) in [-1, 1]."""
        return self._run(images, batch_size)[0].reshape(len(images), -1)

    def probabilities(self, images, batch_size=500):
        """Class probabilities (n, K) of images, for the classifier score."""
        outputs = self._run(images, batch_size)[1]
        return np.asarray(tf.nn.softmax(outputs)) if self.logits else outputs

    def predict(self, images, batch_size=500):
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
