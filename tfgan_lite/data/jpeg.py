"""JPEG files decoded at a fraction of their size when they will be shrunk anyway.

libjpeg decodes a JPEG at 1/2, 1/4 or 1/8 of its size by scaling its 8x8 DCT blocks, which
filters as it shrinks and skips most of the inverse transform: PIL's ``Image.draft`` and
TensorFlow's ``tf.io.decode_jpeg(ratio=)`` expose it. A folder of photographs read at 64 or
128 px therefore decodes each file at the smallest of those scales that still covers the
output, and resizes from there with the same antialiased bilinear filter as a whole image
(``tf.image.resize(..., antialias=True)`` is TensorFlow's ``ScaleAndTranslate`` with a
triangle kernel). The resize maps the reduced image's exact extent, ``side / ratio``
pixels, onto the output (libjpeg rounds the reduced side up to whole pixels, and resizing
those would stretch the picture by up to a pixel); at ratio 1 it is ``tf.image.resize``
itself. ``benchmarks/folder_input.py`` reports the speed and the difference to decoding
whole.

"""

import tensorflow as tf

from tfgan_lite.data import folders

RATIOS = (1, 2, 4, 8)  # the scales libjpeg decodes at: 1, 1/2, 1/4, 1/8


def ratio_index(shape, size, crop):
    """The index in ``RATIOS`` of the largest ratio at which a JPEG of ``shape`` (H, W, C),
    decoded at 1/ratio scale, still has at least ``size`` (H, W) pixels along each side or,
    with ``crop``, a central square at least as large as the larger of the two."""
    height, width = shape[0], shape[1]
    need_h, need_w = size
    if crop:
        height = width = tf.minimum(height, width)
        need_h = need_w = max(size)
    index = tf.constant(0)
    for i, ratio in enumerate(RATIOS[1:], start=1):  # the last ratio that covers wins
        covers = tf.logical_and(height // ratio >= need_h, width // ratio >= need_w)
        index = tf.where(covers, i, index)
    return index


def decode_scaled(contents, index):
    """The JPEG ``contents`` decoded at 1 / ``RATIOS[index]`` scale, uint8 (h, w, C)."""
    branches = [lambda r=r: tf.io.decode_jpeg(contents, ratio=r) for r in RATIOS]
    return tf.switch_case(index, branches)


def shrink(contents, size, crop, channels):
    """The JPEG ``contents`` as float32 (H, W, C) of ``size``: stretched to it or, with
    ``crop``, its central square resized to it; with ``channels`` (0, 1 or 3) converted as
    ``folders.to_channels`` converts, before the resize."""
    shape = tf.image.extract_jpeg_shape(contents)
    index = ratio_index(shape, size, crop)
    ratio = tf.gather(tf.constant(RATIOS, tf.float32), index)
    image = tf.cast(folders.to_channels(decode_scaled(contents, index), channels), tf.float32)
    height, width = tf.cast(shape[0], tf.float32), tf.cast(shape[1], tf.float32)
    top = left = tf.constant(0.0)
    if crop:  # the central square, at the integer offsets of resize_with_crop_or_pad
        side = tf.minimum(height, width)
        top, left = tf.floor((height - side) / 2), tf.floor((width - side) / 2)
        height = width = side
    scale = tf.stack([size[0] * ratio / height, size[1] * ratio / width])
    translation = -tf.stack([top, left]) / ratio * scale
    resized = tf.raw_ops.ScaleAndTranslate(
        images=image[None],
        size=tf.constant(size, tf.int32),
        scale=scale,
        translation=translation,
        kernel_type="triangle",
        antialias=True,
    )
    return resized[0]
