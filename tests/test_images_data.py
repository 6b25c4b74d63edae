"""tfgan_lite.data.images: bundled digits at any size, TFDS image datasets, offline errors.

The references are independent of the code under test: the digits from scikit-learn with a
NumPy bilinear resize, TFDS data from TFDS's own mock data and from a tiny prepared copy of
mnist written here with known pixels. Nothing is downloaded.
"""

import os
import socket

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from sklearn.datasets import load_digits

from tfgan_lite import data

SIZES = (8, 16, 28, 32, 64)


# ---------------------------------------------------------------- independent references


def bilinear_matrix(n_in, n_out):
    """(n_out, n_in) weights of 1-D linear interpolation with half-pixel centers."""
    src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), lo), 1 - (src - lo))
    np.add.at(weights, (np.arange(n_out), hi), src - lo)
    return weights


def numpy_resize(x, size):
    """Bilinear upsampling of (n, h, w) images, separably, in float64."""
    rows, cols = bilinear_matrix(x.shape[1], size), bilinear_matrix(x.shape[2], size)
    return np.einsum("ih,nhw,jw->nij", rows, x, cols)


def raw_digits():
    """All 1,797 digits as (n, 8, 8) in [-1, 1] and their labels, straight from sklearn."""
    bunch = load_digits()
    return bunch.images / 8.0 - 1.0, bunch.target


def collect(dataset):
    """Every element of a dataset, batches concatenated, as NumPy."""
    batches = list(dataset.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(part) for part in zip(*batches, strict=True))
    return np.concatenate(batches)


def write_prepared_mnist(data_dir, n=12):
    """A prepared TFDS 'mnist' of n known examples under data_dir, as `tfds build` lays out."""
    path = os.path.join(data_dir, "mnist", "3.0.1")
    os.makedirs(path)
    features = tfds.builder("mnist", data_dir=str(data_dir)).info.features
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28, 1), dtype=np.uint8)
    images[0, 0, 0, 0], images[0, 0, 1, 0] = 0, 255
    labels = rng.integers(0, 10, n)
    with tf.io.TFRecordWriter(os.path.join(path, "mnist-train.tfrecord-00000-of-00001")) as f:
        for image, label in zip(images, labels, strict=True):
            f.write(features.serialize_example({"image": image, "label": int(label)}))
    tfds.folder_dataset.write_metadata(data_dir=path, features=features, split_infos=None)
    return path, images, labels


# ---------------------------------------------------------------- digits


@pytest.mark.parametrize("size", SIZES)
def test_digits_shape_range_labels(size):
    x, y = collect(
        data.images(
            "digits",
            "all",
            batch_size=500,
            image_size=size,
            labels=True,
            shuffle=False,
            drop_remainder=False,
        )
    )
    assert x.shape == (1797, size, size, 1) and x.dtype == np.float32
    assert y.dtype == np.int32 and set(np.unique(y)) == set(range(10))
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.min() == pytest.approx(-1.0, abs=1e-6) and x.max() == pytest.approx(1.0, abs=0.02)
    batch = next(iter(data.images("digits", batch_size=16, image_size=size)))
    assert batch.shape == (16, size, size, 1) and batch.dtype == tf.float32
    assert data.image_shape("digits", size) == (size, size, 1) == tuple(batch.shape[1:])


@pytest.mark.parametrize("size", SIZES[1:])
def test_digits_resize_matches_numpy_bilinear(size):
    raw, target = raw_digits()
    x, y = collect(
        data.images(
            "digits",
            "all",
            batch_size=600,
            image_size=size,
            labels=True,
            shuffle=False,
            drop_remainder=False,
        )
    )
    np.testing.assert_array_equal(y, target)
    np.testing.assert_allclose(x[..., 0], numpy_resize(raw, size), atol=1e-5)


def test_digits_native_size_is_the_raw_data_and_rectangles_work():
    raw, _ = raw_digits()
    x = collect(data.images("digits", "all", shuffle=False, drop_remainder=False))
    np.testing.assert_array_equal(x[..., 0], raw.astype(np.float32))
    batch = next(iter(data.images("digits", batch_size=4, image_size=(20, 12))))
    assert batch.shape == (4, 20, 12, 1) == (4, *data.image_shape("digits", (20, 12)))


def test_digits_splits_match_digits_and_add_up():
    counts = {}
    for split in ("train", "test"):
        x, y = collect(
            data.images("digits", split, labels=True, shuffle=False, drop_remainder=False)
        )
        ref_x, ref_y = data.digits(split)
        np.testing.assert_array_equal(x.reshape(len(x), 64), ref_x)
        np.testing.assert_array_equal(y, ref_y)
        counts[split] = len(x)
    assert counts["train"] + counts["test"] == 1797
    full = collect(data.images("digits", "train", batch_size=64))  # drop_remainder: 19 batches
    assert full.shape == (counts["train"] // 64 * 64, 8, 8, 1)


def first_labels(seed, epochs=1):
    dataset = data.images("digits", batch_size=32, labels=True, seed=seed)
    return [next(iter(dataset))[1].numpy() for _ in range(epochs)]


def test_digits_shuffle_deterministic_per_seed_and_reshuffled_each_epoch():
    a, b, c = first_labels(0), first_labels(0), first_labels(1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    dataset = data.images("digits", batch_size=1257, image_size=16, labels=True, seed=3)
    epochs = [collect(dataset) for _ in range(2)]
    again = [collect(data.images("digits", batch_size=1257, image_size=16, labels=True, seed=3))]
    assert not np.array_equal(epochs[0][1], epochs[1][1])  # a new order each epoch
    np.testing.assert_array_equal(epochs[0][0], again[0][0])  # the same order for the seed
    ordered = np.sort(epochs[0][0].reshape(1257, -1), axis=0)  # a permutation of the split
    np.testing.assert_array_equal(ordered, np.sort(epochs[1][0].reshape(1257, -1), axis=0))


def test_digits_without_cache_or_shuffle():
    x = collect(data.images("digits", "test", batch_size=100, cache=False, shuffle=False))
    np.testing.assert_array_equal(x.reshape(len(x), 64), data.digits("test")[0][: len(x)])


# ---------------------------------------------------------------- TFDS through its mock data


def test_mnist_mock_shapes_range_labels_and_shape():
    with tfds.testing.mock_data(num_examples=10):
        x, y = next(iter(data.images("mnist", batch_size=4, labels=True)))
        assert x.shape == (4, 28, 28, 1) and x.dtype == tf.float32
        assert y.dtype == tf.int32 and np.all((y.numpy() >= 0) & (y.numpy() <= 9))
        assert x.numpy().min() >= -1.0 and x.numpy().max() <= 1.0
        assert data.image_shape("mnist") == (28, 28, 1) == tuple(x.shape[1:])


def test_mnist_mock_values_are_the_tfds_pixels_scaled_and_resized():
    with tfds.testing.mock_data(num_examples=6):  # every pipeline sees the same examples
        raw = np.stack([e["image"] for e in tfds.as_numpy(tfds.load("mnist", split="train"))])
        x = collect(data.images("mnist", batch_size=3, shuffle=False))
        np.testing.assert_array_equal(x, raw.astype(np.float32) / 127.5 - 1.0)
        small = collect(data.images("mnist", batch_size=3, image_size=14, shuffle=False))
    reference = tf.image.resize(raw.astype(np.float32), (14, 14), antialias=True) / 127.5 - 1
    assert small.shape == (6, 14, 14, 1) and data.image_shape("mnist", 14) == (14, 14, 1)
    np.testing.assert_allclose(small, reference, atol=0.5 / 127.5 + 1e-6)  # cached as uint8


def test_cifar10_mock_rgb_and_resize():
    with tfds.testing.mock_data(num_examples=8, policy=tfds.testing.MockPolicy.USE_CODE):
        x, y = next(iter(data.images("cifar10", batch_size=4, labels=True)))
        assert x.shape == (4, 32, 32, 3) and x.dtype == tf.float32 and y.dtype == tf.int32
        assert x.numpy().min() >= -1.0 and x.numpy().max() <= 1.0
        assert data.image_shape("cifar10") == (32, 32, 3) == tuple(x.shape[1:])
        big = next(iter(data.images("cifar10", batch_size=4, image_size=64)))
        assert big.shape == (4, 64, 64, 3) == (4, *data.image_shape("cifar10", 64))


def test_celeb_a_mock_crop_resize_and_no_labels():
    with tfds.testing.mock_data(num_examples=4, policy=tfds.testing.MockPolicy.USE_CODE):
        raw = np.stack([e["image"] for e in tfds.as_numpy(tfds.load("celeb_a", split="train"))])
        square = collect(data.images("celeb_a", batch_size=2, shuffle=False, crop=True))
        np.testing.assert_array_equal(square, raw[:, 20:198].astype(np.float32) / 127.5 - 1)
        assert data.image_shape("celeb_a", crop=True) == (178, 178, 3)
        for crop in (False, True):
            x = next(iter(data.images("celeb_a", batch_size=2, image_size=64, crop=crop)))
            assert x.shape == (2, 64, 64, 3) == (2, *data.image_shape("celeb_a", 64, crop=crop))
        with pytest.raises(ValueError, match=r"labels=True.*'celeb_a'.*no 'label'"):
            data.images("celeb_a", labels=True)


# ---------------------------------------------------------------- real prepared data, offline


def test_prepared_mnist_exact_pixels_labels_and_missing_files(tmp_path):
    path, images, labels = write_prepared_mnist(tmp_path)
    x, y = collect(
        data.images(
            "mnist",
            data_dir=str(tmp_path),
            batch_size=5,
            labels=True,
            shuffle=False,
            drop_remainder=False,
        )
    )
    np.testing.assert_array_equal(x, images.astype(np.float32) / 127.5 - 1.0)
    assert x[0, 0, 0, 0] == -1.0 and x[0, 0, 1, 0] == 1.0
    np.testing.assert_array_equal(y, labels)
    assert y.dtype == np.int32
    with pytest.raises(ValueError, match=r"split='validation'"):
        data.images("mnist", "validation", data_dir=str(tmp_path))
    os.remove(os.path.join(path, "mnist-train.tfrecord-00000-of-00001"))  # a partial copy
    with pytest.raises(ValueError, match=r"(?s)missing data files.*data_dir=.*tfds build mnist"):
        data.images("mnist", data_dir=str(tmp_path), batch_size=4)


# ---------------------------------------------------------------- not found, never downloaded


def test_not_prepared_is_a_value_error_and_downloads_nothing(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("images() tried to reach the network")

    def no_download(*args, **kwargs):
        raise AssertionError("images() tried to download")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_download)
    for name in ("mnist", "cifar10", "celeb_a"):  # the network raises at once: no waiting
        with pytest.raises(ValueError, match=r"(?s)not prepared.*data_dir=.*tfds build " + name):
            data.images(name, data_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing fetched, nothing written
    assert data.image_shape("celeb_a", data_dir=str(tmp_path)) == (218, 178, 3)  # code only


def test_unknown_and_non_image_datasets():
    with pytest.raises(ValueError, match=r"name='no_such_dataset_xyz'.*'digits'.*offline"):
        data.images("no_such_dataset_xyz")
    with pytest.raises(ValueError, match=r"'digits'"):
        data.image_shape("no_such_dataset_xyz")
    with pytest.raises(ValueError, match=r"'imdb_reviews' has no 'image'"):
        data.images("imdb_reviews")


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": -4}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"batch_size": 600, "split": "test"}, "batch_size"),  # more than the 540 test digits
        ({"image_size": 0}, "image_size"),
        ({"image_size": -8}, "image_size"),
        ({"image_size": (16, 0)}, "image_size"),
        ({"image_size": (16,)}, "image_size"),
        ({"image_size": 16.0}, "image_size"),
        ({"image_size": "big"}, "image_size"),
        ({"split": "validation"}, "split"),
        ({"seed": "zero"}, "seed"),
        ({"cache": 1}, "cache"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        data.images("digits", **kwargs)


def test_bad_names_and_image_shape_arguments():
    for name in ("", None, 3):
        with pytest.raises(ValueError, match="name"):
            data.images(name)
    with pytest.raises(ValueError, match="image_size"):
        data.image_shape("digits", 0)
    with pytest.raises(ValueError, match="image_size"):
        data.image_shape("mnist", (28, -1))
