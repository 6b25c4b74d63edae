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
    shapes = rng.integers(8, 2000, size=(200, 2))
    for size in [tuple(int(v) for v in rng.integers(8, 300, size=2)) for _ in range(20)]:
        for crop in (False, True):
            branch, window = jpeg.plan(shapes, size, crop)
            for (height, width), b, (top, left, rows, columns) in zip(
                shapes, branch, window, strict=True
            ):
                ratio = jpeg.RATIOS[b // 2]
                assert ratio == _reference_ratio(height, width, size, crop)
                side = min(height, width) // ratio
                expected = (
                    ((height - side * ratio) // (2 * ratio), (width - side * ratio) // (2 * ratio))
                    if crop
                    else (0, 0)
                )
                assert (top, left) == expected
                assert (rows, columns) == (
                    (side, side) if crop else (height // ratio, width // ratio)
                )
                assert b % 2 == int(rows >= 2 * size[0] or columns >= 2 * size[1])


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
    return np.clip(np.round(resized.numpy()), 0, 255).astype(np.float64)


def _region(path, size, crop):
    """The reference for the part of the file read at reduced scale: decoded whole, cut to
    that region (``jpeg.plan``'s window times the ratio), then the antialiased resize,
    rounded."""
    image = tf.cast(folders.decode(tf.io.read_file(str(path)), 3), tf.float32)
    branch, window = jpeg.plan([image.shape], size, crop)
    ratio = jpeg.RATIOS[branch[0] // 2]
    top, left, rows, columns = (int(v) * ratio for v in window[0])
    part = image[top : top + rows, left : left + columns]
    return np.round(tf.image.resize(part, size, antialias=True).numpy())


@pytest.mark.parametrize("crop", [False, True])
def test_a_folder_of_large_jpegs_reads_as_if_their_regions_were_decoded_whole(tmp_path, crop):
    """Each image is the region of whole reduced pixels (all but under ``ratio`` pixels at
    two edges), as if decoded whole and resized with the antialiased filter: within the
    difference between DCT scaling plus bilinear interpolation and that filter."""
    sides = [(333, 250), (480, 640), (257, 519)]  # none a multiple of 8 times the output
    for i, (height, width) in enumerate(sides):
        Image.fromarray(_smooth(height, width, i)).save(tmp_path / f"{i}.jpg", quality=95)
    size = (40, 48)
    data = tfgan.data.images(
        tmp_path, batch_size=3, image_size=size, crop=crop, shuffle=False, cache=False
    )
    batch = next(iter(data)).numpy()
    for i, (height, width) in enumerate(sides):
        branch, _ = jpeg.plan([(height, width)], size, crop)
        assert jpeg.RATIOS[branch[0] // 2] >= 4  # the point: these decode at a quarter or less
        expected = _region(tmp_path / f"{i}.jpg", size, crop) / 127.5 - 1.0
        difference = np.abs(batch[i] - expected) * 127.5
        assert difference.mean() < 1.5 and difference.max() <= 6, (
            i,
            difference.mean(),
            difference.max(),
        )


def test_the_reduced_image_keeps_the_geometry_of_the_region_it_reads(tmp_path):
    """A horizontal ramp 333 px wide read at 1/8 scale: 41 whole reduced pixels (328 of the
    file's columns) and a 42nd covering the last 5 columns and 3 of padding. The output is
    the 328 columns resized exactly; resizing all 42 pixels as if each were whole would
    stretch the ramp and move its far end by levels."""
    height, width, size = (64, 333, (8, 40))
    ramp = np.broadcast_to(np.linspace(0, 255, width), (height, width))
    rgb = np.repeat(np.round(ramp)[..., None], 3, axis=-1).astype(np.uint8)
    path = tmp_path / "ramp.jpg"
    Image.fromarray(rgb).save(path, quality=100)
    contents = tf.io.read_file(str(path))
    branch, window = jpeg.plan([(height, width)], size, False)
    assert jpeg.RATIOS[branch[0] // 2] == 8
    assert window[0].tolist() == [0, 0, 8, 41]
    reduced = np.round(jpeg.shrink(contents, size, False, 3).numpy())
    whole = tf.cast(folders.decode(contents, 3), tf.float32)[:, : 41 * 8]
    expected = np.round(tf.image.resize(whole, size, antialias=True).numpy())
    stretched = tf.image.resize(
        tf.cast(tf.io.decode_jpeg(contents, ratio=8), tf.float32), size, antialias=True
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
        assert np.abs(reduced.numpy() - expected).mean() < 1.0


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


def _numpy_bilinear(image, size, extent, offset, ratio):
    """Output pixel i's centre at file coordinate (i + 1/2) * extent / size + offset, read
    from ``image`` (the file reduced by ``ratio``) by bilinear interpolation, in NumPy."""
    image = image.astype(np.float64)
    coords = []
    for axis in range(2):
        i = np.arange(size[axis]) + 0.5
        coords.append((i * extent[axis] / size[axis] + offset[axis]) / ratio - 0.5)
    out = np.zeros((*size, image.shape[2]))
    for row, y in enumerate(coords[0]):
        y0 = int(np.floor(y))
        y1, fy = min(y0 + 1, image.shape[0] - 1), y - y0
        for col, x in enumerate(coords[1]):
            x0 = int(np.floor(x))
            x1, fx = min(x0 + 1, image.shape[1] - 1), x - x0
            top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
            bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
            out[row, col] = top * (1 - fy) + bottom * fy
    return out


@pytest.mark.parametrize(
    "height, width, size, crop",
    [(333, 250, (60, 48), False), (300, 517, (70, 70), True), (61, 90, (40, 50), False)],
)
def test_a_shrink_of_less_than_two_after_the_dct_scaling_is_exact_bilinear(
    tmp_path, height, width, size, crop
):
    """Where under 2x is left to shrink, the pixels are bilinear samples of the reduced decode
    at the positions the region read has in the file, against a NumPy reference."""
    Image.fromarray(_smooth(height, width, 8)).save(tmp_path / "a.jpg", quality=95)
    contents = tf.io.read_file(str(tmp_path / "a.jpg"))
    branch, window = jpeg.plan([(height, width)], size, crop)
    ratio = jpeg.RATIOS[branch[0] // 2]
    reduced = tf.io.decode_jpeg(contents, ratio=ratio).numpy()
    top, left, rows, columns = window[0]
    offset, extent = (top * ratio, left * ratio), (rows * ratio, columns * ratio)
    assert all(1 <= extent[a] / ratio / size[a] < 2 for a in range(2))  # this branch
    expected = _numpy_bilinear(reduced, size, extent, offset, ratio)
    got = jpeg.shrink(contents, size, crop, 3).numpy()
    assert got.dtype == np.uint8
    np.testing.assert_allclose(got, expected, atol=0.5 + 1e-3)  # rounded to whole levels


def test_a_folder_read_by_several_readers_is_shuffled_as_one(tmp_path):
    """PNGs (read whole) and JPEGs at two scales are three readers joined by
    choose_from_datasets: each epoch is every file once, in an order that mixes the readers,
    the same for the same seed and new each epoch; unshuffled, it is the files' order."""
    for i in range(12):
        side, suffix = [(40, "png"), (200, "jpg"), (100, "jpg")][i % 3]
        Image.fromarray(np.full((side, side, 3), 20 * i + 10, np.uint8)).save(
            tmp_path / f"{i:02d}.{suffix}", quality=95
        )
    branches, _ = jpeg.plan([(200, 200), (100, 100)], (32, 32), False)
    assert sorted(jpeg.RATIOS[b // 2] for b in branches) == [2, 4]

    def images(**kwargs):
        return tfgan.data.images(
            tmp_path, batch_size=12, image_size=32, cache=False, drop_remainder=False, **kwargs
        )

    def files(data):  # one epoch (a new iterator), as the files' numbers (their levels)
        return [int(round(((x.mean() + 1) * 127.5 - 10) / 20)) for x in next(iter(data)).numpy()]

    assert files(images(shuffle=False)) == list(range(12))
    data = images(shuffle=True, seed=5)
    first, second = files(data), files(data)
    assert sorted(first) == sorted(second) == list(range(12))
    assert first != second  # a new order each epoch
    assert files(images(shuffle=True, seed=5)) == first  # the same for the same seed
    readers = [i % 3 for i in first]
    runs = sum(a != b for a, b in zip(readers, readers[1:], strict=False)) + 1
    assert runs > 3  # the readers' files are interleaved, not one reader after another
