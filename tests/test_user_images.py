"""A user's own images: folders of files and NumPy arrays through tfgan.data.images, and
fit refusing data outside the generator's range."""

import importlib
import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import tfgan_lite as tfgan
from tfgan_lite.data import folders, pipeline
from tfgan_lite.models import boundary

H, W = 12, 10


def _gray(rgb):
    """tf.image.rgb_to_grayscale's weights, in NumPy, rounded back to uint8."""
    weights = np.array([0.2989, 0.587, 0.114])
    return np.round(rgb.astype(np.float64) @ weights).astype(np.uint8)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """cats/ (RGB PNGs, a corrupt PNG) and dogs/ (grayscale PNGs, JPEGs in a subfolder, a
    text file); returns the root and the exact pixels of each lossless file by name."""
    root = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(0)
    pixels = {}
    for name in ("cats", "dogs"):
        os.makedirs(root / name / "more")
    for i in range(6):
        rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
        Image.fromarray(rgb).save(root / "cats" / f"{i}.png")
        pixels[f"cats/{i}.png"] = rgb
        gray = rng.integers(0, 256, (H, W), dtype=np.uint8)
        Image.fromarray(gray).save(root / "dogs" / f"{i}.png")
        pixels[f"dogs/{i}.png"] = gray[..., None]
        Image.fromarray(np.full((H, W), 40 * i, np.uint8)).save(
            root / "dogs" / "more" / f"{i}.JPEG", quality=95
        )
    (root / "cats" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    (root / "dogs" / "notes.txt").write_text("not an image")
    return root, pixels


def _all(dataset):
    xs, ys = [], []
    for element in dataset:
        x, *y = element if isinstance(element, tuple) else (element,)
        xs.append(x.numpy())
        ys += [y[0].numpy()] if y else []
    return np.concatenate(xs), (np.concatenate(ys) if ys else None)


def _quiet_images(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tfgan.data.images(*args, **kwargs)


# ------------------------------------------------------------------------------- folders


def test_folder_shapes_range_labels_and_class_names(folder):
    root, _ = folder
    assert tfgan.data.class_names(root) == ["cats", "dogs"]
    data = _quiet_images(root, batch_size=5, labels=True, drop_remainder=False, shuffle=False)
    x, y = _all(data)
    # 18 decodable files: 6 RGB PNGs, 6 gray PNGs, 6 gray JPEGs; broken.png is skipped.
    assert x.shape == (18, H, W, 3) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert np.bincount(y).tolist() == [6, 12]
    assert tfgan.data.image_shape(root, labels=True) == (H, W, 3)


def test_folder_pixels_are_the_files_scaled_exactly(folder):
    root, pixels = folder
    data = _quiet_images(root, batch_size=18, shuffle=False, labels=True)
    x, _ = _all(data)
    found = folders.scan(root, labels=True)
    for i, path in enumerate(found.paths):
        name = os.path.relpath(path, root).replace(os.sep, "/")
        if name in pixels:  # PNGs are lossless: each level maps to exactly p / 127.5 - 1
            expected = np.broadcast_to(pixels[name], (H, W, 3)).astype(np.float32) / 127.5 - 1
            np.testing.assert_array_equal(x[i], expected)
    # Grayscale output converts the RGB files with rgb_to_grayscale's weights.
    gray = _quiet_images(root, batch_size=18, shuffle=False, labels=True, channels=1)
    g, _ = _all(gray)
    first_cat = pixels["cats/0.png"]
    assert g.shape == (18, H, W, 1)
    np.testing.assert_allclose(g[0, ..., 0], _gray(first_cat) / 127.5 - 1, atol=1.01 / 127.5)


def test_folder_channels_default_to_what_the_files_are(folder, tmp_path):
    root, _ = folder
    for i in range(3):
        Image.fromarray(np.full((8, 8), i * 50, np.uint8)).save(tmp_path / f"{i}.bmp")
    assert tfgan.data.image_shape(tmp_path) == (8, 8, 1)
    x, _ = _all(tfgan.data.images(tmp_path, batch_size=3, shuffle=False))
    np.testing.assert_array_equal(x[:, 0, 0, 0], np.float32([0, 50, 100]) / np.float32(127.5) - 1)
    assert tfgan.data.image_shape(root / "dogs") == (H, W, 1)
    assert tfgan.data.image_shape(root / "dogs", channels=3, image_size=16) == (16, 16, 3)


def test_folder_bad_files_warn_once_each_with_a_count_or_raise(folder, tmp_path):
    root, _ = folder
    for i in range(3):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / f"{i}.png")
    (tmp_path / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.warns(UserWarning) as record:
        tfgan.data.images(tmp_path, batch_size=2)
    messages = [str(w.message) for w in record]
    assert any("cut.jpg" in m and "not a readable image" in m for m in messages)
    assert any("skipped 1 of 4 image files" in m for m in messages)
    with warnings.catch_warnings():  # the same folder again: no second round of warnings
        warnings.simplefilter("error")
        tfgan.data.images(tmp_path, batch_size=2)
    with pytest.raises(ValueError, match=r"cut\.jpg is not a readable image.*on_bad_file='warn'"):
        tfgan.data.images(tmp_path, batch_size=2, on_bad_file="raise")
    with pytest.raises(ValueError, match="on_bad_file"):
        tfgan.data.images(tmp_path, on_bad_file="skip")


def test_folder_errors_name_the_folder_and_the_fix(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"empty holds no image files.*\.png, \.jpg"):
        tfgan.data.images(empty)
    (empty / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no image files"):
        tfgan.data.images(str(empty))
    with pytest.raises(ValueError, match="does not exist"):
        tfgan.data.images(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="subfolder per class"):
        tfgan.data.images(empty, labels=True)
    sizes = tmp_path / "sizes"
    sizes.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(sizes / "a.png")
    Image.fromarray(np.zeros((6, 9), np.uint8)).save(sizes / "b.png")
    with pytest.raises(ValueError, match="2 different sizes.*image_size="):
        tfgan.data.images(sizes, batch_size=1)
    x, _ = _all(tfgan.data.images(sizes, batch_size=2, image_size=4))
    assert x.shape == (2, 4, 4, 1)
    assert tfgan.data.image_shape(sizes, crop=True, image_size=5) == (5, 5, 1)
    with pytest.raises(ValueError, match="value_range= is for NumPy arrays"):
        tfgan.data.images(sizes, value_range=(0, 1))
    with pytest.raises(ValueError, match="split='validation' is not a split of an image folder"):
        tfgan.data.images(sizes, split="validation")


def test_folder_splits_partition_the_files_and_streaming_reads_the_same(folder):
    root, _ = folder
    kwargs = dict(batch_size=1, drop_remainder=False, labels=True)
    everything, _ = _all(_quiet_images(root, split="all", shuffle=False, **kwargs))
    train, _ = _all(_quiet_images(root, split="train", shuffle=False, **kwargs))
    test, _ = _all(_quiet_images(root, split="test", shuffle=False, **kwargs))
    assert len(train) + len(test) == len(everything) and len(test) > 0
    both = np.concatenate([train, test]).reshape(len(everything), -1)
    assert sorted(map(bytes, both)) == sorted(map(bytes, everything.reshape(len(both), -1)))
    streamed = _quiet_images(root, cache=False, seed=3, **kwargs)
    cached = _quiet_images(root, cache=True, seed=3, **kwargs)
    a, _ = _all(streamed)
    b, _ = _all(cached)
    assert sorted(map(bytes, a.reshape(18, -1))) == sorted(map(bytes, b.reshape(18, -1)))
    # Shuffled with the seed: the same order for the same seed, another for another seed.
    again, _ = _all(_quiet_images(root, cache=False, seed=3, **kwargs))
    other, _ = _all(_quiet_images(root, cache=False, seed=4, **kwargs))
    np.testing.assert_array_equal(a, again)
    assert not np.array_equal(a, other)


def test_folder_cache_none_streams_when_the_images_are_too_big(folder, monkeypatch):
    root, _ = folder
    images_module = importlib.import_module("tfgan_lite.data.images")  # not the function

    def ops(dataset):
        graph = tf.autograph.experimental.do_not_convert(lambda: dataset._as_serialized_graph())
        return graph().numpy().decode("latin-1")

    assert "CacheDataset" in ops(_quiet_images(root, batch_size=2))
    monkeypatch.setattr(images_module, "FOLDER_CACHE_BYTES", 100)
    assert "CacheDataset" not in ops(_quiet_images(root, batch_size=2))


# -------------------------------------------------------------------------------- arrays


def test_uint8_array_maps_each_level_exactly_and_keeps_labels():
    x = np.arange(256, dtype=np.uint8).reshape(4, 8, 8)
    y = np.array([3, 1, 0, 2])
    data = tfgan.data.images(x, labels=y, batch_size=4, shuffle=False)
    images, labels = _all(data)
    assert images.shape == (4, 8, 8, 1)
    np.testing.assert_array_equal(images[..., 0], x.astype(np.float32) / 127.5 - 1)
    np.testing.assert_array_equal(labels, y)
    assert images.max() == 1.0 and images.min() == -1.0


def test_float_arrays_need_their_range_and_stay_in_it():
    rng = np.random.default_rng(0)
    unit = rng.random((6, 5, 5, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"needs value_range=\(low, high\).*from 0"):
        tfgan.data.images(unit)
    x, _ = _all(tfgan.data.images(unit, value_range=(0, 1), batch_size=6, shuffle=False))
    np.testing.assert_allclose(x, 2 * unit - 1, atol=1e-6)
    signed = 2 * unit - 1
    x, _ = _all(tfgan.data.images(signed, value_range=(-1, 1), batch_size=6, shuffle=False))
    np.testing.assert_array_equal(x, signed)  # already [-1, 1]: unchanged, exactly
    with pytest.raises(ValueError, match=r"from .* outside value_range=\(0, 0.5\)"):
        tfgan.data.images(unit, value_range=(0, 0.5))
    grey = tfgan.data.images(unit * 255, value_range=(0, 255), channels=1, batch_size=6)
    assert next(iter(grey)).shape == (6, 5, 5, 1)
    rgba = np.concatenate([unit, np.ones_like(unit[..., :1])], axis=-1)
    x, _ = _all(tfgan.data.images(rgba, value_range=(0, 1), batch_size=6, shuffle=False))
    np.testing.assert_allclose(x, 2 * unit - 1, atol=1e-6)  # alpha dropped


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(x=np.zeros((4, 8), np.uint8)), r"\(num_images, height, width, channels\)"),
        (dict(x=np.zeros((4, 8, 8, 2), np.uint8)), "1, 3 or 4 channels"),
        (dict(x=np.zeros((4, 8, 8), bool)), "dtype bool"),
        (dict(x=np.full((4, 8, 8), np.nan)), "NaN"),
        (dict(x=np.zeros((4, 8, 8), np.uint8), labels=True), "labels=y"),
        (dict(x=np.zeros((4, 8, 8), np.uint8), labels=[0, 1]), "labels has shape"),
        (dict(x=np.zeros((4, 8, 8), np.uint8), split="train"), "an array has no splits"),
        (dict(x=np.zeros((4, 8, 8), np.int64)), r"value_range=\(low, high\)"),
    ],
)
def test_bad_arrays_name_the_problem(kwargs, match):
    x = kwargs.pop("x")
    with pytest.raises(ValueError, match=match):
        tfgan.data.images(x, batch_size=2, **kwargs)


def test_array_resize_and_image_shape_agree():
    x = np.random.default_rng(1).integers(0, 256, (3, 10, 14, 3), dtype=np.uint8)
    assert tfgan.data.image_shape(x) == (10, 14, 3)
    assert tfgan.data.image_shape(x, image_size=8, channels=1) == (8, 8, 1)
    batch = next(iter(tfgan.data.images(x, batch_size=3, image_size=8, crop=True)))
    assert batch.shape == (3, 8, 8, 3)


# ------------------------------------------------------------------- fit's range check


def _dcgan(**kwargs):
    generator, discriminator = tfgan.networks.dcgan((16, 16, 1), 8, width=8)
    gan = tfgan.GAN(generator, discriminator, latent_dim=8, **kwargs)
    gan.compile()
    return gan


@pytest.mark.parametrize("kind", ["uint8", "float255", "dataset"])
def test_fit_refuses_pixels_a_tanh_generator_cannot_make(kind):
    gan = _dcgan()
    x = np.random.default_rng(0).integers(0, 256, (32, 16, 16, 1)).astype(np.uint8)
    data = {
        "uint8": x,
        "float255": x.astype(np.float32),
        "dataset": tf.data.Dataset.from_tensor_slices(x.astype(np.float32)).batch(16),
    }[kind]
    before = [w.numpy().copy() for w in gan.generator.weights]
    with pytest.raises(
        ValueError, match=r"x holds values from 0 to 25\d .*tanh.*\[-1, 1\].*127\.5"
    ):
        gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
    for a, b in zip(before, gan.generator.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())  # no step was taken
    # The same pixels through tfgan.data.images train.
    gan.fit(tfgan.data.images(x, batch_size=16), epochs=1, steps_per_epoch=1, verbose=0)


def test_fit_checks_a_dataset_as_it_streams_without_moving_its_shuffle():
    gan = _dcgan()

    def shuffled():
        x = np.random.default_rng(0).uniform(-1, 1, (64, 16, 16, 1)).astype(np.float32)
        x[40:48] *= 200  # the third batch of 8 after shuffling somewhere holds pixels
        data = tf.data.Dataset.from_tensor_slices(x).cache()
        return data.shuffle(64, seed=0, reshuffle_each_iteration=True).batch(8)

    data = shuffled()
    boundary.check_range(gan.generator, data)  # reads nothing: the order is a fresh copy's
    first = [b.numpy() for b in data.take(2)]
    np.testing.assert_array_equal(first, [b.numpy() for b in shuffled().take(2)])
    checked = boundary.range_checked(gan.generator, shuffled())
    with pytest.raises(tf.errors.InvalidArgumentError, match="range check"):
        list(checked)
    # In fit: the batch outside [-1, 1] stops training with the ValueError of arrays.
    with pytest.raises(ValueError, match=r"x holds values from -?\d.* to \d+.* \(float32\)"):
        gan.fit(shuffled().repeat(), steps_per_epoch=50, epochs=2, verbose=0)
    integers = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 1), np.uint8)).batch(4)
    with pytest.raises(ValueError, match=r"0 to 255 \(a dataset of uint8"):
        gan.fit(integers, verbose=0)


def test_fit_range_check_follows_the_last_activation():
    x = np.random.default_rng(0).uniform(-1, 1, (32, 6)).astype(np.float32)
    sigmoid = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(6, activation="sigmoid"), keras.layers.Reshape((6,))]
    )
    discriminator = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    gan = tfgan.GAN(sigmoid, discriminator, latent_dim=4)
    gan.compile()
    with pytest.raises(ValueError, match=r"'dense.*' ends in sigmoid.*\[0, 1\].*x / 255"):
        gan.fit(x, batch_size=16, epochs=1, verbose=0)
    gan.fit((x + 1) / 2, batch_size=16, epochs=1, verbose=0)  # inside [0, 1]: trains
    linear = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6)])
    free = tfgan.GAN(linear, discriminator, latent_dim=4)
    free.compile()
    free.fit(x * 100, batch_size=16, epochs=1, verbose=0)  # an unbounded generator: any range


# ----------------------------------------------------------------------------- prefetch


def test_fit_prefetches_a_user_dataset_that_is_not(monkeypatch):
    plain = tf.data.Dataset.from_tensor_slices(np.zeros((64, 2), np.float32)).batch(16).cache()
    assert not pipeline.is_prefetched(plain)
    ready = plain.prefetch(2).with_options(tf.data.Options())
    assert pipeline.is_prefetched(ready) and pipeline.prefetched(ready) is ready
    assert pipeline.is_prefetched(tfgan.data.images("digits"))
    seen = []
    original = keras.Model.fit

    def spy(self, x=None, *args, **kwargs):
        seen.append(x)
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    generator, discriminator = tfgan.networks.mlp_gan(4, 2)
    gan = tfgan.GAN(generator, discriminator, latent_dim=4)
    gan.compile()
    gan.fit(plain, epochs=1, verbose=0)
    gan.fit(ready, epochs=1, verbose=0)
    assert pipeline.is_prefetched(seen[0]) and seen[1] is ready


# ---------------------------------------------------------------------- the example job


def test_train_script_trains_on_a_folder_and_exports(tmp_path):
    """examples/train.py --dataset=FOLDER: class subfolders label the images, the feature
    network is trained on them (cached under HOME, never inside the folder)."""
    x, y = tfgan.data.digits("all")
    root = tmp_path / "my_digits"
    for i in range(200):
        os.makedirs(root / f"digit_{y[i]}", exist_ok=True)
        pixels = np.round((x[i].reshape(8, 8) + 1) * 127.5).astype(np.uint8)
        Image.fromarray(pixels).resize((16, 16)).save(root / f"digit_{y[i]}" / f"{i}.png")
    out = tmp_path / "out"
    script = os.path.join(os.path.dirname(__file__), "..", "examples", "train.py")
    flags = ["--image_size=16", "--width=8", "--steps=20", "--eval_every=20"]
    result = subprocess.run(
        [sys.executable, script, f"--dataset={root}", *flags, "--steps_per_execution=20"]
        + [f"--output_dir={out}"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["final_metrics"]["fid"] > metrics["real_vs_real_floor"]["fid"]
    assert metrics["feature_net_accuracy_on_reference"] > 0.3  # 10 classes: chance is 0.1
    assert (out / "saved_model" / "1" / "saved_model.pb").exists()
    assert sorted(os.listdir(root)) == [f"digit_{d}" for d in range(10)]  # nothing written
    cached = list((tmp_path / "home" / ".cache" / "tfgan_lite").glob("folder-my_digits-*"))
    assert len(cached) == 1
