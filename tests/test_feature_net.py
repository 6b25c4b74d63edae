"""Feature networks: the shipped digits network, a user's model, training once and caching,
Keras's InceptionV3 (random weights only: nothing downloads), names and weights hashes."""

import hashlib
import os

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import tfgan_lite as tfgan
from tfgan_lite.eval.feature_net import DIGITS_WEIGHTS, FeatureNet, classifier


def test_shipped_digits_network_classifies_digits_at_any_size():
    assert os.path.isfile(DIGITS_WEIGHTS)
    net = FeatureNet.digits()
    for size in (16, 28, 32):
        x, y = next(iter(tfgan.data.images("digits", "test", 540, size, labels=True)))
        accuracy = np.mean(net.predict(x.numpy()) == y.numpy())
        # Trained at 28 x 28: 0.97 there; resized digits lose a little.
        assert accuracy >= (0.95 if size == 28 else 0.85), (size, accuracy)
    features = net.features(x.numpy()[:10])
    assert features.shape == (10, 128)
    probabilities = net.probabilities(x.numpy()[:10])
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)


def test_real_digits_score_near_the_classifier_score_ceiling():
    x = next(iter(tfgan.data.images("digits", "test", 540, 28)))
    score = tfgan.eval.classifier_score(FeatureNet.digits().probabilities(x.numpy()))
    assert 8.0 < score["mean"] <= 10.0  # 10 classes, confidently and evenly predicted


def test_any_keras_model_with_a_named_layer():
    model = classifier((16, 16, 3), 4)
    net = FeatureNet(model, layer="features")
    assert net.features(np.zeros((3, 16, 16, 3), np.float32)).shape == (3, 128)
    grayscale = np.zeros((3, 16, 16, 1), np.float32)  # repeated to 3 channels
    assert net.features(grayscale).shape == (3, 128)
    with pytest.raises(ValueError, match="layer='nope'"):
        FeatureNet(model, layer="nope")


def test_for_dataset_trains_once_then_reads_the_cache(tmp_path):
    with tfds.testing.mock_data(num_examples=64):
        net = FeatureNet.for_dataset("mnist", 28, cache_dir=str(tmp_path), epochs=1)
        cached = list(tmp_path.glob("mnist_28x28x1.weights.h5"))
        assert len(cached) == 1
        again = FeatureNet.for_dataset("mnist", 28, cache_dir=str(tmp_path), epochs=1)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(net.features(x), again.features(x), rtol=1e-5, atol=1e-6)
    assert isinstance(net.model, keras.Model)


# ------------------------------------------------------------------------- provenance


def test_names_and_weights_hashes_say_which_network_computed_a_score():
    net = FeatureNet.digits()
    assert net.name == "digits_cnn_28x28x1"
    digest = net.weights_hash
    # The SHA-256 of the shipped file's arrays (dtype, shape, bytes), read with h5py in the
    # model's order: Keras stores each layer's variables under its class name, numbered.
    expected = hashlib.sha256()
    with h5py.File(DIGITS_WEIGHTS, "r") as stored:
        for group in ("conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1"):
            for index in ("0", "1"):  # kernel, bias
                array = np.ascontiguousarray(stored["layers"][group]["vars"][index])
                expected.update(f"{array.dtype.str}{array.shape}".encode())
                expected.update(array.tobytes())
    assert digest == expected.hexdigest()[:16]
    assert FeatureNet.digits().weights_hash == digest  # the same weights, the same hash
    record = net.provenance(num_real=540, num_generated=540, reference_split="test", seed=0)
    assert record == {
        "feature_net": "digits_cnn_28x28x1",
        "feature_layer": "features",
        "feature_net_weights_sha256": digest,
        "num_real": 540,
        "num_generated": 540,
        "reference_split": "test",
        "seed": 0,
    }
    kernel = net.model.get_layer("logits").kernel
    kernel.assign(kernel.numpy() + 1e-7)  # one small change anywhere changes the hash
    assert net.weights_hash != digest
    other = FeatureNet(classifier((16, 16, 3), 4, name="mine"))
    assert other.name == "mine/features"


def test_images_are_resized_bilinearly_with_half_pixel_centres_a_batch_at_a_time():
    net = FeatureNet(classifier((4, 4, 1), 2))
    image = np.array([[0.0, 1.0], [0.0, 1.0]], np.float32)[None, :, :, None]
    resized = np.asarray(net._prepare(image))[0, :, :, 0]
    # As pytorch-fid's F.interpolate(mode="bilinear", align_corners=False): the output
    # pixel centre (i + 0.5) / 2 - 0.5 in input pixels, clamped at the edges.
    np.testing.assert_allclose(resized, np.tile([0.0, 0.25, 0.75, 1.0], (4, 1)), atol=1e-7)
    x = np.random.default_rng(0).uniform(-1, 1, (7, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(
        net.features(x, batch_size=2), net.features(x, batch_size=7), rtol=1e-5, atol=1e-6
    )


# -------------------------------------------------------------------------- inception


def no_download(*args, **kwargs):
    raise AssertionError(f"a download was attempted: {args}")


def test_inception_with_random_weights_pool_features_logits_and_no_download(tmp_path, monkeypatch):
    from keras.src.utils import file_utils

    monkeypatch.setattr(file_utils, "get_file", no_download)
    keras.utils.set_random_seed(0)
    net = FeatureNet.inception(weights=None)
    assert net.name == "inception_v3_random" and net.layer == "avg_pool"
    digits = next(iter(tfgan.data.images("digits", "test", 2, 28))).numpy()
    assert digits.shape == (2, 28, 28, 1)
    assert net._prepare(digits).shape == (2, 299, 299, 3)  # resized, gray repeated
    features = net.features(digits)
    assert features.shape == (2, 2048) and features.dtype == np.float32
    np.testing.assert_array_equal(net.features(digits), features)  # deterministic
    probabilities = net.probabilities(digits)
    assert probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # The model's output is the logits (no softmax in the top layer): softmax(output) is
    # what probabilities() returns.
    logits = np.asarray(net.model(net._prepare(digits), training=False))
    np.testing.assert_allclose(
        np.asarray(tf.nn.softmax(logits)), probabilities, rtol=1e-4, atol=1e-7
    )
    assert net.model.get_layer("predictions").activation is keras.activations.linear

    # A weights file of the architecture (as the ImageNet file copied offline would be).
    path = tmp_path / "inception.weights.h5"
    net.model.save_weights(path)
    loaded = FeatureNet.inception(weights=str(path))
    assert loaded.name == "inception_v3_inception.weights.h5"
    assert loaded.weights_hash == net.weights_hash
    np.testing.assert_allclose(loaded.features(digits), features, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="weights="):
        FeatureNet.inception(weights=str(tmp_path / "missing.h5"))
