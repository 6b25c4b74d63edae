"""JPEG files decoded at a fraction of their size when they will be shrunk anyway.

libjpeg decodes a JPEG at 1/2, 1/4 or 1/8 of its size by scaling its 8x8 DCT blocks, which
averages as it shrinks and skips most of the inverse transform: PIL's ``Image.draft`` and
TensorFlow's ``tf.io.decode_jpeg(ratio=)`` expose it. A folder of photographs read at 64 or
128 px therefore decodes each file at the smallest of those scales that still covers the
output. The DCT scaling is the low-pass filter of that shrink; what remains is a shrink by
less than 2 along each side, which takes plain bilinear interpolation (``tf.image.resize``,
the filter of Keras's loader). Where a shrink by 2 or more remains (the other side limited
the ratio, or a file more than 16 times the output) the resize is antialiased
(``tf.image.resize(..., antialias=True)``, the filter of a whole image).

At 1/ratio scale, reduced pixel k is the average of the file's pixels k·ratio to
(k + 1)·ratio − 1; the last one of a side that is not a multiple of ratio covers fewer
pixels, padded by the encoder, and resizing it as a whole one would stretch the picture.
So the region read is the file's largest one of whole reduced pixels (less than ratio
pixels, under one output pixel, are left at the bottom and right edges; with ``crop``, the
central square of whole reduced pixels), decoded alone (``tf.io.decode_and_crop_jpeg``),
and the resize maps that region exactly as ``tf.image.resize`` maps a whole image.

The folder check (``folders.scan``) already knows each file's size, so ``plan`` decides
every file's ratio, region and filter in NumPy when the pipeline is built, and the folder
pipeline reads each group of files alike with its own function, free of control flow
(``tf.cond`` and ``tf.switch_case`` in a tf.data function cost tens of milliseconds each
epoch as the iterator starts, and more per image). ``benchmarks/folder_input.py`` reports
the speed against Keras's loader and the difference to decoding whole.

"""

import numpy as np
import tensorflow as tf

from tfgan_lite.data import folders

RATIOS = (1, 2, 4, 8)  # the scales libjpeg decodes at: 1, 1/2, 1/4, 1/8
WHOLE = 2 * len(RATIOS)  # the branch of a file read whole: not a JPEG, or no size asked


def plan(shapes, size, crop):
    """How files of ``shapes`` (N, 2 or more: height, width, ...) are read at ``size``
    (H, W), as NumPy arrays, one entry per file:

    * ``branch``: how ``decode_resized`` reads it: 2 * i + antialias for the ratio
      ``RATIOS[i]``, the largest at which the file still has ``size`` pixels along each side
      (with ``crop``, a central square of the larger of the two), and ``antialias`` where a
      shrink by 2 or more is left after it;
    * ``window``: (top, left, height, width) in reduced pixels, int32: the file's whole
      reduced pixels or, with ``crop``, their central square (at ratio 1 the offsets of
      ``tf.image.resize_with_crop_or_pad``).
    """
    shapes = np.asarray(shapes, np.int64)
    height, width = shapes[:, 0], shapes[:, 1]
    need_h, need_w = size
    if crop:
        cover_h = cover_w = np.minimum(height, width)
        need_h = need_w = max(size)
    else:
        cover_h, cover_w = height, width
    index = np.zeros(len(shapes), np.int64)
    for i, ratio in enumerate(RATIOS[1:], start=1):  # the last ratio that covers wins
        index = np.where((cover_h // ratio >= need_h) & (cover_w // ratio >= need_w), i, index)
    ratio = np.asarray(RATIOS)[index]
    rows, columns = height // ratio, width // ratio
    top = left = np.zeros_like(rows)
    if crop:
        rows = columns = np.minimum(rows, columns)
        top = (height - rows * ratio) // (2 * ratio)
        left = (width - columns * ratio) // (2 * ratio)
    antialias = (rows >= 2 * size[0]) | (columns >= 2 * size[1])
    window = np.stack([top, left, rows, columns], axis=1).astype(np.int32)
    return (2 * index + antialias).astype(np.int32), window


def decode_resized(contents, branch, window, size, channels):
    """The JPEG ``contents`` as uint8 (H, W, C) of ``size``, rounded, read as ``plan`` says
    (``branch``, a Python int, and ``window``, (4,) int32): decoded at reduced scale, only
    the window, converted to ``channels`` (0, 1 or 3) as ``folders.to_channels`` converts,
    then resized. No control flow, so a tf.data function made of it starts fast."""
    ratio, antialias = RATIOS[branch // 2], bool(branch % 2)
    # channels=3 turns gray into RGB inside libjpeg; 1 averages that RGB as to_channels
    # does (a gray file's level comes back unchanged).
    image = tf.io.decode_and_crop_jpeg(contents, window, channels=3 if channels else 0, ratio=ratio)
    if channels == 1:
        image = folders.rgb_to_gray(image)
    resized = tf.image.resize(image, size, antialias=antialias)
    # Both filters average with weights that are positive and sum to 1, so the values stay
    # in [0, 255] (to float32 rounding): adding 1/2 and truncating rounds them.
    return tf.cast(resized + 0.5, tf.uint8)


def shrink(contents, size, crop, channels):
    """One JPEG's ``contents`` read at ``size`` as ``plan`` and ``decode_resized`` read a
    folder's (eagerly: the plan comes from its header): uint8 (H, W, C)."""
    shape = tf.image.extract_jpeg_shape(contents).numpy()
    branch, window = plan([shape], size, crop)
    return decode_resized(contents, int(branch[0]), window[0], size, channels)
