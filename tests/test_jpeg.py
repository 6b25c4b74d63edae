"""JPEG files decoded at reduced scale (tfgan_lite.data.jpeg) against decoding them whole:
the ratio chosen, the pixels after the resize, the geometry, and the folder check that
decodes at 1/8 scale."""

import importlib
import warnings

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import tfgan_lite as tfgan
from tfgan_lite.data import folders, jpeg

images_module = importlib.import_module("tfgan_lite.data.images")  # not the function


def _reference_ratio(height, width, size, crop):
    """The largest of 1, 2, 4, 8 whose reduced image still covers ``size``, by brute force."""
    if crop:
        height = width = min(height, width)
        size = (max(size), max(size))
    return max(
        r for r in (1, 2, 4, 8) if r == 1 or (height // r >= size[0] and width // r >= size[1])
    )


def test_the_ratio_is_the_largest_that_still_covers_the_output():
    rng = np.random.default_rng(0)
    for _ in range(200):
        height, width = (int(v) for v in rng.integers(8, 2000, size=2))
        size = tuple(int(v) for v in rng.integers(8, 300, size=2))
        crop = bool(rng.integers(2))
        index = int(jpeg.ratio_index(tf.constant([height, width, 3]), size, crop))
        assert jpeg.RATIOS[index] == _reference_ratio(height, width, size, crop), (
            height,
            width,
            size,
            crop,
        )


def _smooth(height, width, seed):
    """A photograph-like uint8 RGB image: a few random colours, upsampled bicubically."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, size=(1, 5, 6, 3)).astype(np.float32)
    image = tf.image.resize(coarse, (height, width), method="bicubic")[0]
    return np.clip(np.round(image.numpy()), 0, 255).astype(np.uint8)


def _whole(path, size, crop, channels=3):
    """The reference: decoded whole, then tfgan_lite's crop and antialiased resize, rounded."""
    image = tf.cast(folders.decode(tf.io.read_file(str(path)), channels), tf.float32)
    resized = images_module._resize(image, size, crop)
    return np.clip(np.round(resized.numpy()), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("crop", [False, True])
def test_a_folder_of_large_jpegs_reads_as_if_each_were_decoded_whole(tmp_path, crop):
    sides = [(333, 250), (480, 640), (257, 519)]  # none a multiple of 8 times the output
    for i, (height, width) in enumerate(sides):
        Image.fromarray(_smooth(height, width, i)).save(tmp_path / f"{i}.jpg", quality=95)
    size = (40, 48)
    data = tfgan.data.images(
        tmp_path, batch_size=3, image_size=size, crop=crop, shuffle=False, cache=False
    )
    batch = next(iter(data)).numpy()
    for i, (height, width) in enumerate(sides):
        index = int(jpeg.ratio_index(tf.constant([height, width, 3]), size, crop))
        assert jpeg.RATIOS[index] >= 4  # the point: these decode at a quarter or less
        expected = _whole(tmp_path / f"{i}.jpg", size, crop) / 127.5 - 1.0
        difference = np.abs(batch[i] - expected) * 127.5
        assert difference.mean() < 1.5 and difference.max() <= 6, (
            i,
            difference.mean(),
            difference.max(),
        )


def test_the_reduced_image_keeps_the_geometry_of_the_whole_one(tmp_path):
    """A horizontal ramp 333 px wide read at 1/8 scale (42 pixels, the last one covering 5
    columns, not 8): resizing those 42 pixels as if they were whole would stretch the ramp
    and shift its far end by a level or more; the exact mapping keeps it in place."""
    height, width, size = (64, 333, (8, 40))
    ramp = np.broadcast_to(np.linspace(0, 255, width), (height, width))
    rgb = np.repeat(np.round(ramp)[..., None], 3, axis=-1).astype(np.uint8)
    path = tmp_path / "ramp.jpg"
    Image.fromarray(rgb).save(path, quality=100)
    contents = tf.io.read_file(str(path))
    assert jpeg.RATIOS[int(jpeg.ratio_index(tf.constant([height, width, 3]), size, False))] == 8
    reduced = np.round(jpeg.shrink(contents, size, False, 3).numpy())
    expected = _whole(path, size, False).astype(np.float64)
    stretched = tf.image.resize(
        tf.cast(jpeg.decode_scaled(contents, tf.constant(3)), tf.float32), size, antialias=True
    )
    far = slice(3 * size[1] // 4, None)  # the last quarter of the columns
    assert np.abs(reduced - expected).max() <= 2
    assert np.abs(reduced - expected)[:, far].mean() < 1.0
    assert np.abs(np.round(stretched.numpy()) - expected)[:, far].mean() >= 2.0  # the fix


def test_gray_and_color_jpegs_convert_channels_before_the_resize(tmp_path):
    gray = _smooth(200, 160, 5)[..., 0]
    Image.fromarray(gray).save(tmp_path / "gray.jpg", quality=95)
    Image.fromarray(_smooth(200, 160, 6)).save(tmp_path / "color.jpg", quality=95)
    for name, channels in (("gray", 3), ("color", 1)):
        reduced = jpeg.shrink(
            tf.io.read_file(str(tmp_path / f"{name}.jpg")), (24, 24), False, channels
        )
        assert reduced.shape == (24, 24, channels)
        expected = _whole(tmp_path / f"{name}.jpg", (24, 24), False, channels)
        assert np.abs(np.round(reduced.numpy()) - expected).mean() < 1.0


def test_the_folder_check_catches_a_jpeg_cut_in_half(tmp_path):
    Image.fromarray(_smooth(300, 200, 7)).save(tmp_path / "whole.jpg", quality=95)
    encoded = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(encoded[: len(encoded) // 2])  # its header is intact
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = folders.scan(tmp_path)
    assert [p.split("/")[-1] for p in found.paths] == ["whole.jpg"]
    assert found.shapes == ((300, 200, 3),)
    assert any(
        "cut.jpg" in str(w.message) and "not a readable image" in str(w.message) for w in caught
    )
